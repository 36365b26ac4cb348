"""Interactive explorers: sliders that re-simulate and redraw at once.

:func:`explore` gives every scalar parameter of a model and its stimulus a slider labelled with
its unit. Moving a slider builds a new (validated) parameter set with ``replace``, re-runs the
compiled simulation (a few milliseconds, see :mod:`sfa_helpers.engine`) and updates the lines of
the existing figure instead of drawing a new one. An invalid combination (for example
``V_reset`` above ``V_th``) is reported under the figure and leaves the last valid plot in place.

With the ``ipympl`` backend (``%matplotlib widget``) the figure canvas is itself a widget and is
redrawn in place; with the default inline backend the figure is re-rendered into an ``Output``.
"""

from __future__ import annotations

import time

import ipywidgets as W
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, Mohm, amp, farad, mV, ms, nA, nF, nS, ohm, pA, pF, second, siemens, volt
from IPython.display import display

from . import plots
from .simulation import simulate

# (dimension of, display unit, label) in order of preference.
_DISPLAY_UNITS = [
    (second, ms, "ms"), (volt, mV, "mV"), (ohm, Mohm, "MΩ"), (siemens, nS, "nS"), (Hz, Hz, "Hz"),
    (amp * second ** 0.5, nA * ms ** 0.5, "nA·√ms"),
]


def _display_unit(name, value):
    q = value
    dim = getattr(q, "dim", None)
    if dim is amp.dim:
        return (pA, "pA") if 0 < abs(float(q)) < 0.1e-9 else (nA, "nA")
    if dim is farad.dim:
        return (pF, "pF") if float(q) < 0.1e-9 else (nF, "nF")
    for ref, unit, label in _DISPLAY_UNITS:
        if dim is getattr(ref, "dim", None):
            return unit, label
    return None, ""


def _default_range(value, dim, min_positive):
    """Slider range (in display units) around a parameter's initial value: voltages +-20 mV,
    currents from 0 (or -|2I|) to 2I, everything else from 0 (time constants: 2 dt) to 3x."""
    v = float(value)
    if dim is volt.dim:
        return v - 20, v + 20
    if dim is amp.dim:
        return (-1.0, 1.0) if v == 0 else (min(0.0, 2 * v), max(0.0, 2 * v))
    if v <= 0:
        return min_positive, 5.0
    return min_positive, 3 * v


class Explorer:
    """Sliders for a model and its stimulus, a live voltage trace and the input current.

    Attributes
    ----------
    sliders : dict
        Parameter name -> ``ipywidgets.FloatSlider`` (values in the unit shown in its label).
    result : SimulationResult
        The last simulation shown.
    last_update_seconds : float
        Wall time of the last slider response (simulate + redraw).
    """

    def __init__(self, model, stimulus, duration, *, dt=0.1 * ms, ranges=None, exclude=(),
                 seed=0):
        self.model, self.stimulus = model, stimulus
        self.duration, self.dt, self.seed = duration, dt, seed
        self.result = None
        self.last_update_seconds = float("nan")
        ranges = dict(ranges or {})
        time_constants = set(model.spec().time_constants)
        self._owners = {}
        self.sliders = {}
        self._units = {}
        for owner, params in (("model", model.parameters), ("stimulus", stimulus.parameters)):
            for name, value in params.items():
                if name in exclude or np.ndim(value) != 0:
                    continue
                unit, label = _display_unit(name, value)
                shown = float(value / unit) if unit is not None else float(value)
                lo, hi = _default_range(shown, getattr(value, "dim", None),
                                        2 * float(dt / ms) if name in time_constants else 0.0)
                if name in ranges:
                    lo, hi = (float(r / unit) if unit is not None else float(r) for r in ranges[name])
                step = (hi - lo) / 200
                slider = W.FloatSlider(value=shown, min=lo, max=hi, step=step,
                                       description=f"{name} ({label})" if label else name,
                                       continuous_update=False, readout_format=".3g",
                                       style={"description_width": "initial"},
                                       layout=W.Layout(width="320px"))
                slider.observe(self._on_change, names="value")
                self.sliders[name] = slider
                self._owners[name] = owner
                self._units[name] = unit
        self._build_figure()
        self.status = W.HTML()
        boxes = list(self.sliders.values())
        controls = W.GridBox(boxes, layout=W.Layout(grid_template_columns="repeat(2, 340px)"))
        self.widget = W.VBox([controls, self._figure_widget, self.status])
        self.update()

    def _build_figure(self):
        backend = matplotlib.get_backend().lower()
        self._live_canvas = "ipympl" in backend or "widget" in backend
        with plt.ioff():
            fig, (ax_v, ax_i) = plt.subplots(2, 1, figsize=(7, 4), sharex=True, height_ratios=[3, 1],
                                             layout="constrained")
        self.figure, self.ax_v, self.ax_i = fig, ax_v, ax_i
        (self._v_line,) = ax_v.plot([], [], lw=1)
        self._spike_lines = ax_v.vlines([], [], [], lw=1, color=self._v_line.get_color())
        self._th_line = ax_v.axhline(np.nan, color="0.5", ls="--", lw=0.8)
        (self._i_line,) = ax_i.plot([], [], lw=1, color="k")
        ax_v.set_ylabel("membrane potential (mV)")
        ax_i.set_ylabel("input (nA)")
        ax_i.set_xlabel("time (ms)")
        if self._live_canvas:
            self._figure_widget = fig.canvas
        else:
            self._figure_widget = W.Output()

    def values(self):
        """Current slider values as Brian2 quantities, split into model and stimulus changes."""
        changes = {"model": {}, "stimulus": {}}
        for name, slider in self.sliders.items():
            unit = self._units[name]
            changes[self._owners[name]][name] = slider.value * unit if unit is not None else slider.value
        return changes["model"], changes["stimulus"]

    def _on_change(self, _change):
        self.update()

    def update(self, **overrides):
        """Re-simulate with the slider values (``overrides`` set sliders first) and redraw."""
        for name, value in overrides.items():
            slider = self.sliders[name]
            slider.unobserve(self._on_change, names="value")
            slider.value = float(value / self._units[name]) if self._units[name] is not None else float(value)
            slider.observe(self._on_change, names="value")
        start = time.perf_counter()
        model_changes, stim_changes = self.values()
        try:
            model = self.model.replace(**model_changes)
            stimulus = self.stimulus.replace(**stim_changes)
            result = simulate(model, stimulus, self.duration, dt=self.dt, record=("v", "I_stim"),
                              seed=self.seed)
        except (ValueError, TypeError) as err:
            self.status.value = f"<span style='color:#b00'>Not simulated: {err}</span>"
            return self.result
        self.result = result
        self._redraw(result)
        self.last_update_seconds = time.perf_counter() - start
        rate = float(result.rates()[0])
        self.status.value = (f"{len(result.spike_trains[0])} spikes, mean rate {rate:.1f} Hz "
                             f"(updated in {1000 * self.last_update_seconds:.0f} ms)")
        return result

    def _redraw(self, result):
        t = np.asarray(result.t / ms)
        v = np.asarray(result.v[0] / mV)
        self._v_line.set_data(t, v)
        spikes = np.asarray(result.spike_trains[0] / second)
        idx = np.clip(np.round(spikes / float(result.dt)).astype(int), 0, len(t) - 1)
        v_th = plots._neuron_value(result.model, "V_th", 0)
        top = float(v_th / mV) + 20 if v_th is not None else float(np.max(v))
        self._spike_lines.set_segments([[(t[k], v[k]), (t[k], top)] for k in idx])
        self._th_line.set_ydata([float(v_th / mV)] * 2 if v_th is not None else [np.nan] * 2)
        self._i_line.set_data(t, np.asarray(result.I_stim[0] / nA))
        for ax, lo, hi in ((self.ax_v, min(v.min(), top), max(v.max(), top)),
                           (self.ax_i, *np.percentile(result.I_stim[0] / nA, [0, 100]))):
            pad = 0.05 * (hi - lo) if hi > lo else 1.0
            ax.set_ylim(lo - pad, hi + pad)
        self.ax_v.set_xlim(t[0], t[-1] if len(t) > 1 else 1)
        if self._live_canvas:
            self.figure.canvas.draw_idle()
        else:
            self.figure.canvas.draw()
            with self._figure_widget:
                self._figure_widget.clear_output(wait=True)
                display(self.figure)

    def _ipython_display_(self):
        display(self.widget)


def explore(model, stimulus, duration, *, dt=0.1 * ms, ranges=None, exclude=(), seed=0) -> Explorer:
    """Interactive explorer of ``model`` under ``stimulus``: one slider per scalar parameter.

    Parameters
    ----------
    ranges : dict, optional
        ``{name: (low, high)}`` with units, to override a slider's default range.
    exclude : sequence of str
        Parameters that get no slider.
    seed : int
        Seed for noisy stimuli, fixed so that moving a slider changes only that parameter.
    """
    return Explorer(model, stimulus, duration, dt=dt, ranges=ranges, exclude=exclude, seed=seed)
