"""Interactive explorers: sliders that re-simulate and redraw at once.

:func:`explore` gives every scalar parameter of a model and its stimulus a slider labelled with
its unit. Moving a slider builds a new (validated) parameter set with ``replace``, re-runs the
compiled simulation (a few milliseconds, see :mod:`sfa_helpers.engine`) and updates the lines of
the existing figure instead of drawing a new one. An invalid combination (for example
``V_reset`` above ``V_th``) is reported under the figure and leaves the last valid plot in place.

With ``fi_currents`` the explorer also shows the model's f-I curve: every slider move runs one
:func:`~sfa_helpers.simulation.fi_curve` (one ``NeuronGroup`` with one neuron per current, a
compiled structure like the trace's) next to the trace, with the curve of the starting values in
grey. A model with a moving threshold (a recordable ``Theta``, e.g. ``ThresholdIncrease`` or
``AdaptiveThreshold``) has that threshold drawn instead of the constant ``V_th``.

With the ``ipympl`` backend (``%matplotlib widget``) the figure canvas is itself a widget and is
redrawn in place; with the default inline backend each update renders one PNG into an
``ipywidgets.Image``.

The rendering, caching and slider plumbing are those of every explorer
(:class:`~sfa_helpers.widgets.base.LiveFigure`).
"""

from __future__ import annotations

import time

import ipywidgets as W
import numpy as np
from brian2 import Hz, amp, mV, ms, nA, second, volt

from ..plots import neuron_value
from ..simulation import fi_curve, simulate
from ..validation import as_quantity
from .base import LiveFigure, ResultCache, display_unit, nice_limits, slider_key

__all__ = ["Explorer", "explore"]


def _default_range(value, dim, min_positive):
    """Slider range (in display units) around a parameter's initial value: voltages +-20 mV,
    currents from 0 (or ``-|2I|``) to 2I, everything else from 0 (time constants: 2 dt) to 3x."""
    v = float(value)
    if dim is volt.dim:
        return v - 20, v + 20
    if dim is amp.dim:
        return (-1.0, 1.0) if v == 0 else (min(0.0, 2 * v), max(0.0, 2 * v))
    if v <= 0:
        return min_positive, 5.0
    return min_positive, 3 * v


class Explorer(LiveFigure):
    """Sliders for a model and its stimulus, a live voltage trace and the input current, and
    optionally a live f-I curve of the model.

    Attributes
    ----------
    sliders : dict
        Parameter name -> ``ipywidgets.FloatSlider`` (values in the unit shown in its label).
    result : SimulationResult
        The last simulation shown.
    fi, fi_reference : FICurve or None
        With ``fi_currents``: the f-I curve of the present slider values (``fi.currents``,
        ``fi.rates``) and the one of the starting values (drawn in grey); else None.
    last_update_seconds : float
        Wall time of the last slider response (simulations + redraw).

    Simulations (trace and f-I curve) are cached by slider values (the last 8), see
    :class:`ResultCache`.
    """

    def __init__(self, model, stimulus, duration, *, dt=0.1 * ms, ranges=None, exclude=(),
                 parameters=None, seed=0, fi_currents=None, fi_duration=None,
                 fi_transient=0 * ms, fi_rate="count", potential_symbol="V"):
        if not isinstance(potential_symbol, str) or not potential_symbol.strip():
            raise ValueError(f"'potential_symbol' must be a non-empty string such as 'V' or 'u', "
                             f"not {potential_symbol!r}.")
        self.potential_symbol = potential_symbol.strip()
        self.model, self.stimulus = model, stimulus
        self.duration, self.dt, self.seed = duration, dt, seed
        self.result = None
        self.fi = self.fi_reference = None
        self.last_update_seconds = float("nan")
        # simulations by (model, stimulus): a slider moved back is answered without simulating
        self._cache = ResultCache(8)
        self._setup_fi(fi_currents, fi_duration, fi_transient, fi_rate)
        ranges = dict(ranges or {})
        time_constants = set(model.spec().time_constants)
        self._record = ("v", "I_stim")  # _build_figure may add what it draws
        self._owners = {}
        self.sliders = {}
        self._units = {}
        for owner, name, value in self._slider_parameters(model, stimulus, parameters, exclude):
            unit, label = display_unit(value)
            shown = float(value / unit) if unit is not None else float(value)
            lo, hi = _default_range(shown, getattr(value, "dim", None),
                                    2 * float(dt / ms) if name in time_constants else 0.0)
            if name in ranges:
                lo, hi = (float(r / unit) if unit is not None else float(r) for r in ranges[name])
            self.sliders[name] = self._slider(name, shown, lo, hi, label, width="320px")
            self._owners[name] = owner
            self._units[name] = unit
        self._build_figure()
        self._new_status()
        boxes = list(self.sliders.values())
        controls = W.GridBox(boxes, layout=W.Layout(grid_template_columns="repeat(2, 340px)"))
        self.widget = W.VBox([controls, self._figure_widget, self.status])
        self.update()

    @staticmethod
    def _slider_parameters(model, stimulus, parameters, exclude):
        """(owner, name, value) of every parameter that gets a slider: the scalar ones, or only
        those named in ``parameters`` (in that order), minus ``exclude``."""
        available = {}
        for owner, params in (("model", model.parameters), ("stimulus", stimulus.parameters)):
            for name, value in params.items():
                available[name] = (owner, value)
        if parameters is None:
            names = [n for n, (_, v) in available.items() if np.ndim(v) == 0]
        else:
            if isinstance(parameters, str):
                parameters = (parameters,)
            names = list(parameters)
            unknown = [n for n in names if n not in available]
            if unknown:
                raise ValueError(f"'parameters' names {unknown}, which neither the model nor the "
                                 f"stimulus has; available: {list(available)}.")
            arrays = [n for n in names if np.ndim(available[n][1]) != 0]
            if arrays:
                raise ValueError(f"'parameters' names {arrays}, which are arrays (one value per "
                                 "neuron); sliders need single values.")
        return [(available[n][0], n, available[n][1]) for n in names if n not in exclude]

    def _setup_fi(self, fi_currents, fi_duration, fi_transient, fi_rate):
        if fi_currents is None:
            self.fi_currents = None
            return
        currents = as_quantity("fi_currents", fi_currents, amp)
        if currents.ndim != 1 or currents.size < 2:
            raise ValueError("'fi_currents' must be a 1-D array of at least two currents.")
        if fi_rate not in ("count", "isi"):
            raise ValueError(f"'fi_rate' must be 'count' or 'isi', got {fi_rate!r}.")
        duration = self.duration if fi_duration is None else fi_duration
        self.fi_duration = as_quantity("fi_duration", duration, second, positive=True,
                                       allow_array=False)
        self.fi_transient = as_quantity("fi_transient", fi_transient, second, nonnegative=True,
                                        allow_array=False)
        if self.fi_transient >= self.fi_duration:
            raise ValueError(f"'fi_transient' ({self.fi_transient!r}) must be shorter than "
                             f"'fi_duration' ({self.fi_duration!r}).")
        self.fi_currents, self.fi_rate = currents, fi_rate
        self._fi_unit, self._fi_unit_label = display_unit(currents, pico_below=1e-9)

    def _fi_x(self, currents):
        return np.asarray(currents / self._fi_unit)

    def _build_figure(self):
        if self.fi_currents is None:
            fig, (ax_v, ax_i) = self._new_figure(2, 1, figsize=(7, 4), sharex=True,
                                                 height_ratios=[3, 1], layout="constrained")
        else:
            fig = self._new_figure(empty=True, figsize=(10, 4), layout="constrained")
            grid = fig.add_gridspec(2, 2, height_ratios=[3, 1], width_ratios=[2, 1])
            ax_v = fig.add_subplot(grid[0, 0])
            ax_i = fig.add_subplot(grid[1, 0], sharex=ax_v)
            ax_v.tick_params(labelbottom=False)
            self.ax_fi = fig.add_subplot(grid[:, 1])
        self.figure, self.ax_v, self.ax_i = fig, ax_v, ax_i
        (self._v_line,) = ax_v.plot([], [], lw=1, label=f"${self.potential_symbol}$")
        self._spike_lines = ax_v.vlines([], [], [], lw=1, color=self._v_line.get_color())
        # a moving threshold (ThresholdIncrease, AdaptiveThreshold) is drawn instead of V_th
        moving = "Theta" in self.model.spec().recordable
        if moving:
            self._record = self._record + ("Theta",)
        (self._th_line,) = ax_v.plot([], [], color="C3" if moving else "0.5", ls="-" if moving else "--",
                                     lw=0.8, label=r"threshold $\Theta$" if moving else
                                     (r"$V_{th}$" if "V_th" in self.model.spec().parameters
                                      else "_nolegend_"))
        ax_v.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=2,
                    fontsize="small", borderaxespad=0.1)
        (self._i_line,) = ax_i.plot([], [], lw=1, color="k")
        ax_v.set_ylabel("membrane potential (mV)")
        ax_i.set_ylabel("input (nA)")
        ax_i.set_xlabel("time (ms)")
        width = "700px"
        if self.fi_currents is not None:
            ax = self.ax_fi
            (self._fi_ref_line,) = ax.plot([], [], color="0.7", marker="o", ms=3, label="start values")
            (self._fi_line,) = ax.plot([], [], color="C0", marker="o", ms=3, label="slider values")
            ax.set_xlabel(f"input current ({self._fi_unit_label})")
            ax.set_ylabel("firing rate (Hz)" if self.fi_rate == "count" else "rate, 1 / mean ISI (Hz)")
            ax.set_title(f"f-I: {float(self.fi_duration / second):g} s per current, spikes after "
                         f"{float(self.fi_transient / second):g} s", fontsize="medium")
            ax.legend(frameon=False, loc="upper left")
            width = "950px"
        self._attach_figure(fig, width=width)
        dynamic = [self._v_line, self._spike_lines, self._th_line, self._i_line]
        if self.fi_currents is not None:
            dynamic += [self._fi_ref_line, self._fi_line]
        self._use_renderer(dynamic)

    def values(self):
        """Current slider values as Brian2 quantities, split into model and stimulus changes."""
        changes = {"model": {}, "stimulus": {}}
        for name, slider in self.sliders.items():
            unit = self._units[name]
            changes[self._owners[name]][name] = slider.value * unit if unit is not None else slider.value
        return changes["model"], changes["stimulus"]

    def update(self, **overrides):
        """Re-simulate with the slider values (``overrides`` set sliders first) and redraw.

        Runs the trace and, with ``fi_currents``, the f-I curve (skipped when only stimulus
        sliders moved). Returns the :class:`SimulationResult` of the trace."""
        for name, value in overrides.items():
            unit = self._units[name]
            self._set_quietly(self.sliders[name], float(value / unit) if unit is not None else float(value))
        start = time.perf_counter()
        model_changes, stim_changes = self.values()
        try:
            model = self.model.replace(**model_changes)
            stimulus = self.stimulus.replace(**stim_changes)
            # The model and stimulus differ from the starting ones only by the slider values:
            # those values are the cache key (parameter sets need not compare exactly).
            result = self._cache.get(
                ("trace", self._slider_key()),
                lambda: simulate(model, stimulus, self.duration, dt=self.dt, record=self._record,
                                 seed=self.seed))
            fi = self._simulate_fi(model, self._slider_key("model"))
        except (ValueError, TypeError) as err:
            self._report_error(err)
            return self.result
        self.result, self.fi = result, fi
        if self.fi_reference is None:
            self.fi_reference = fi  # the starting values' curve, kept in grey
        self._redraw(result)
        self.last_update_seconds = time.perf_counter() - start
        rate = float(result.rates()[0])
        self.status.value = (f"{len(result.spike_trains[0])} spikes, mean rate {rate:.1f} Hz "
                             f"(updated in {1000 * self.last_update_seconds:.0f} ms)")
        return result

    def _slider_key(self, owner=None):
        return slider_key(s.value for name, s in self.sliders.items()
                          if owner is None or self._owners[name] == owner)

    def _simulate_fi(self, model, key=None):
        """The f-I curve of ``model`` (one fi_curve call), or a cached one if this model was
        shown before (e.g. only a stimulus slider moved); None without ``fi_currents``."""
        if self.fi_currents is None:
            return None
        if key is None:
            return fi_curve(model, self.fi_currents, self.fi_duration, transient=self.fi_transient,
                            dt=self.dt, rate=self.fi_rate, seed=self.seed)
        return self._cache.get(
            ("fi", key),
            lambda: fi_curve(model, self.fi_currents, self.fi_duration, transient=self.fi_transient,
                             dt=self.dt, rate=self.fi_rate, seed=self.seed))

    def _redraw(self, result):
        t = np.asarray(result.t / ms)
        v = np.asarray(result.v[0] / mV)
        self._v_line.set_data(t, v)
        spikes = np.asarray(result.spike_trains[0] / second)
        idx = np.clip(np.round(spikes / float(result.dt)).astype(int), 0, len(t) - 1)
        v_th = neuron_value(result.model, "V_th", 0)
        top = float(v_th / mV) + 20 if v_th is not None else float(np.max(v))
        self._spike_lines.set_segments([[(t[k], v[k]), (t[k], top)] for k in idx])
        hi = max(v.max(), top)
        if "Theta" in result.traces:
            theta = np.asarray(result.Theta[0] / mV)
            self._th_line.set_data(t, theta)
            # a threshold that jumps far up (ThresholdIncrease: to Theta_max) leaves the plot
            hi = max(hi, min(theta.max(), top + 20))
        elif v_th is not None:
            self._th_line.set_data([t[0], t[-1]], [float(v_th / mV)] * 2)
        else:
            self._th_line.set_data([], [])
        i_stim = np.asarray(result.I_stim[0] / nA)
        self._i_line.set_data(t, i_stim)
        self.ax_v.set_ylim(*nice_limits(min(v.min(), top), hi))
        self.ax_i.set_ylim(*nice_limits(i_stim.min(), i_stim.max()))
        self.ax_v.set_xlim(t[0], t[-1] if len(t) > 1 else 1)
        if self.fi is not None:
            self._redraw_fi()
        self._render()

    def _redraw_fi(self):
        x = self._fi_x(self.fi.currents)
        r = np.asarray(self.fi.rates / Hz)
        ref = np.asarray(self.fi_reference.rates / Hz)
        self._fi_line.set_data(x, r)
        self._fi_ref_line.set_data(self._fi_x(self.fi_reference.currents), ref)
        both = np.concatenate([r, ref])
        top = np.nanmax(both) if np.any(np.isfinite(both)) else 0.0
        self.ax_fi.set_xlim(x.min(), x.max())
        self.ax_fi.set_ylim(0, nice_limits(0, top)[1] if top > 0 else 1.0)



def explore(model, stimulus, duration, *, dt=0.1 * ms, ranges=None, exclude=(), parameters=None,
            seed=0, fi_currents=None, fi_duration=None, fi_transient=0 * ms,
            fi_rate="count", potential_symbol="V") -> Explorer:
    """Interactive explorer of ``model`` under ``stimulus``: one slider per scalar parameter,
    a live voltage trace (with the threshold) and input current, and optionally a live f-I curve.

    Parameters
    ----------
    ranges : dict, optional
        ``{name: (low, high)}`` with units, to override a slider's default range.
    exclude : sequence of str
        Parameters that get no slider.
    parameters : sequence of str, optional
        Only these parameters (of the model or the stimulus, in this order) get sliders; default:
        every scalar parameter. ``exclude`` still applies.
    seed : int
        Seed for noisy stimuli, fixed so that moving a slider changes only that parameter.
    fi_currents : Quantity (amp), 1-D, optional
        Show the f-I curve at these constant currents, re-simulated at every slider move (one
        :func:`~sfa_helpers.simulation.fi_curve` call, one neuron per current) next to the curve
        of the starting values.
    fi_duration : Quantity (second), optional
        Simulated time per current (default ``duration``).
    fi_transient : Quantity (second)
        Spikes before this time are ignored by the f-I curve (let adaptation settle).
    fi_rate : {'count', 'isi'}
        As :func:`~sfa_helpers.simulation.fi_curve`'s ``rate``: spike count per second, or
        1 / mean inter-spike interval, after ``fi_transient``.
    potential_symbol : str
        Symbol of the membrane potential in the legend, ``'V'`` (default) or the ``'u'`` of
        *Neuronal Dynamics* (lesson 04), so that the widget speaks the lesson's notation.
    """
    return Explorer(model, stimulus, duration, dt=dt, ranges=ranges, exclude=exclude,
                    parameters=parameters, seed=seed, fi_currents=fi_currents,
                    fi_duration=fi_duration, fi_transient=fi_transient, fi_rate=fi_rate,
                    potential_symbol=potential_symbol)
