"""An interactive explorer that shows a voltage trace *and* the f-I curve of a model.

Used in lessons 02 and 03: moving an adaptation or refractory parameter re-simulates one neuron
under a stimulus (trace, threshold and one adaptation variable) and the whole f-I curve (one
``NeuronGroup`` with one neuron per current), and redraws both panels in place. The curve of the
initial parameters stays in grey for comparison.

Like :func:`sfa_helpers.widgets.explore`, both simulations reuse the compiled program of their
structure (:mod:`sfa_helpers.engine`), so a slider move costs a few milliseconds of simulation.
"""

from __future__ import annotations

import time

import ipywidgets as W
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, amp, mV, ms, nA, second
from IPython.display import display

from . import stimuli
from ._validation import as_quantity
from .analysis import steady_state_isi_rate
from .simulation import simulate
from .widgets import _default_range, _display_unit

__all__ = ["TraceFIExplorer", "explore_trace_and_fi"]


class TraceFIExplorer:
    """Sliders for chosen model parameters; a live voltage trace and a live f-I curve.

    Attributes
    ----------
    sliders : dict
        Parameter name -> ``ipywidgets.FloatSlider`` (values in the unit of its label).
    result : SimulationResult
        Last single-neuron simulation (records ``v`` and ``variable`` if given).
    rates : Quantity (Hz)
        Last f-I curve for each of ``currents``: with ``rate='last_isi'`` the adapted rate
        (inverse of the last inter-spike interval after ``transient``; 0 Hz for no spike, NaN for
        one spike), with ``rate='count'`` the spike count after ``transient`` per second.
    last_update_seconds, last_simulation_seconds : float
        Wall time of the last slider response, in total and for the two simulations alone.
    """

    def __init__(self, model, stimulus, duration, currents, *, parameters, fi_duration=2 * second,
                 transient=1 * second, dt=0.1 * ms, ranges=None, variable=None, rate="last_isi",
                 seed=0):
        if rate not in ("last_isi", "count"):
            raise ValueError(f"'rate' must be 'last_isi' or 'count', got {rate!r}.")
        self.rate_kind = rate
        self.model, self.stimulus, self.duration, self.dt, self.seed = model, stimulus, duration, dt, seed
        self.currents = as_quantity("currents", currents, amp)
        self.fi_duration = as_quantity("fi_duration", fi_duration, second, positive=True, allow_array=False)
        self.transient = as_quantity("transient", transient, second, nonnegative=True, allow_array=False)
        if self.transient >= self.fi_duration:
            raise ValueError("'transient' must be shorter than 'fi_duration'.")
        recordable = model.spec().recordable
        if variable is not None and variable not in recordable:
            raise ValueError(f"'variable' must be one of {list(recordable)}, got {variable!r}.")
        self.variable = variable
        ranges = dict(ranges or {})
        self.sliders, self._units = {}, {}
        for name in parameters:
            if name not in model.parameters:
                raise ValueError(f"The model has no parameter '{name}' (it has {sorted(model.parameters)}).")
            value = model.parameters[name]
            if np.ndim(value) != 0:
                raise ValueError(f"Parameter '{name}' is an array; sliders need scalar parameters.")
            unit, label = _display_unit(name, value)
            shown = float(value / unit)
            lo, hi = _default_range(shown, value.dim, 2 * float(dt / ms))
            if name in ranges:
                lo, hi = (float(r / unit) for r in ranges[name])
            slider = W.FloatSlider(value=shown, min=lo, max=hi, step=(hi - lo) / 200,
                                   description=f"{name} ({label})", continuous_update=False,
                                   readout_format=".3g", style={"description_width": "initial"},
                                   layout=W.Layout(width="340px"))
            slider.observe(self._on_change, names="value")
            self.sliders[name], self._units[name] = slider, unit
        self._build_figure()
        self.status = W.HTML()
        self.widget = W.VBox([W.HBox(list(self.sliders.values())), self._canvas, self.status])
        self.result, self.rates = None, None
        self.last_update_seconds = self.last_simulation_seconds = float("nan")
        self.update()
        self.reference_rates = self.rates
        self._ref_line.set_data(np.asarray(self.currents / nA), np.asarray(self.rates / Hz))

    def _build_figure(self):
        backend = matplotlib.get_backend().lower()
        self._live = "ipympl" in backend or "widget" in backend
        with plt.ioff():
            fig, (ax_v, ax_f) = plt.subplots(1, 2, figsize=(10, 3.4), width_ratios=[2, 1],
                                             layout="constrained")
        self.figure, self.ax_v, self.ax_f = fig, ax_v, ax_f
        (self._v_line,) = ax_v.plot([], [], lw=1, label="V")
        (self._x_line,) = ax_v.plot([], [], lw=1, color="C3", label=self.variable or "")
        self._x_line.set_visible(self.variable is not None)
        ax_v.set_xlabel("time (ms)")
        ax_v.set_ylabel("membrane potential (mV)")
        self._x_axis = None
        if self.variable is not None and self.variable != "Theta":
            self._x_axis = ax_v.twinx()
            self._x_line.remove()
            (self._x_line,) = self._x_axis.plot([], [], lw=1, color="C3")
            unit = self._variable_unit()[1]
            self._x_axis.set_ylabel(f"{self.variable} ({unit})", color="C3")
        elif self.variable == "Theta":
            ax_v.legend(frameon=False, loc="upper right")
        (self._ref_line,) = ax_f.plot([], [], color="0.7", marker="o", ms=3, label="initial")
        (self._f_line,) = ax_f.plot([], [], color="C0", marker="o", ms=3, label="current")
        ax_f.set_xlabel("input current (nA)")
        ax_f.set_ylabel("adapted rate (Hz)")
        ax_f.legend(frameon=False)
        self._canvas = fig.canvas if self._live else W.Output()

    def _variable_unit(self):
        from brian2 import nS, pA

        if self.variable in ("I_sfa",):
            return pA, "pA"
        if self.variable in ("G_SRA", "G_ref"):
            return nS, "nS"
        return mV, "mV"

    def _on_change(self, _change):
        self.update()

    def current_model(self):
        """The model with the present slider values."""
        return self.model.replace(**{k: s.value * self._units[k] for k, s in self.sliders.items()})

    def update(self, **overrides):
        """Set sliders from ``overrides`` (quantities), re-simulate trace and f-I curve, redraw."""
        for name, value in overrides.items():
            slider = self.sliders[name]
            slider.unobserve(self._on_change, names="value")
            slider.value = float(value / self._units[name])
            slider.observe(self._on_change, names="value")
        start = time.perf_counter()
        try:
            model = self.current_model()
            record = ("v",) + ((self.variable,) if self.variable else ())
            result = simulate(model, self.stimulus, self.duration, dt=self.dt, record=record,
                              seed=self.seed)
            sweep = simulate(model, stimuli.constant(self.currents), self.fi_duration, dt=self.dt,
                             record=(), seed=self.seed)
        except (ValueError, TypeError) as err:
            self.status.value = f"<span style='color:#b00'>Not simulated: {err}</span>"
            return self.result
        self.last_simulation_seconds = time.perf_counter() - start
        self.result = result
        if self.rate_kind == "count":
            self.rates = sweep.rates(start=self.transient)
        else:
            self.rates = steady_state_isi_rate(sweep.spike_trains, start=self.transient)
        self._redraw()
        self.last_update_seconds = time.perf_counter() - start
        self.status.value = (f"{len(result.spike_trains[0])} spikes in the trace; updated in "
                             f"{1000 * self.last_update_seconds:.0f} ms")
        return result

    def _redraw(self):
        res = self.result
        t = np.asarray(res.t / ms)
        v = np.asarray(res.v[0] / mV)
        self._v_line.set_data(t, v)
        lo, hi = float(v.min()), float(v.max())
        if self.variable is not None:
            unit = self._variable_unit()[0]
            x = np.asarray(res.traces[self.variable][0] / unit)
            self._x_line.set_data(t, x)
            if self._x_axis is None:
                lo, hi = min(lo, float(x.min())), max(hi, float(x.max()))
            else:
                pad = 0.05 * (x.max() - x.min()) if x.max() > x.min() else 1.0
                self._x_axis.set_ylim(x.min() - pad, x.max() + pad)
        pad = 0.05 * (hi - lo) if hi > lo else 1.0
        self.ax_v.set_xlim(t[0], t[-1])
        self.ax_v.set_ylim(lo - pad, hi + pad)
        i = np.asarray(self.currents / nA)
        r = np.asarray(self.rates / Hz)
        self._f_line.set_data(i, r)
        top = np.nanmax(np.concatenate([r, np.asarray(self._ref_line.get_ydata(), float)]))
        self.ax_f.set_xlim(i.min(), i.max())
        self.ax_f.set_ylim(0, 1.1 * top if np.isfinite(top) and top > 0 else 1)
        if self._live:
            self.figure.canvas.draw_idle()
        else:
            self.figure.canvas.draw()
            with self._canvas:
                self._canvas.clear_output(wait=True)
                display(self.figure)

    def _ipython_display_(self):
        display(self.widget)


def explore_trace_and_fi(model, stimulus, duration, currents, *, parameters, **kwargs) -> TraceFIExplorer:
    """Sliders for ``parameters`` (names of scalar model parameters) with a live voltage trace
    under ``stimulus`` and a live f-I curve at ``currents``. Keyword arguments: ``fi_duration``,
    ``transient``, ``rate`` (``'last_isi'`` or ``'count'``), ``dt``, ``ranges`` (``{name: (low, high)}`` with units), ``variable`` (one
    recordable variable to draw with the trace, e.g. ``'Theta'`` or ``'I_sfa'``) and ``seed``."""
    return TraceFIExplorer(model, stimulus, duration, currents, parameters=parameters, **kwargs)
