"""The AdEx phase-plane explorer of lesson 04: sliders for the adaptation parameters and the step
current, the phase plane (:func:`sfa_helpers.plots.plot_phase_plane`) and the voltage trace,
re-simulated at every move. The mathematics is :mod:`sfa_helpers.theory.adex`."""

from __future__ import annotations

import time

import ipywidgets as W
import numpy as np
from brian2 import amp, mV, ms, nS, pA, volt

from .. import stimuli
from ..models.adex import AdEx
from ..plots import phase_plane_arrows, phase_plane_trajectory, phase_plane_w_range
from ..simulation import simulate
from ..theory.adex import adex_values, fixed_points, v_nullcline, w_nullcline
from ..validation import as_quantity
from .base import LiveFigure, ResultCache, display_unit, nice_limits, slider_key

__all__ = ["PhasePlaneExplorer", "explore_phase_plane"]


class PhasePlaneExplorer(LiveFigure):
    """Sliders for ``a``, ``b``, ``tau_w``, ``V_reset`` and the step current ``I``: each move
    re-simulates the AdEx (fixed duration and dt, so the compiled program is reused) and redraws
    the nullclines, fixed points, trajectory and the voltage trace together.

    The figure is built once (as :func:`sfa_helpers.plots.plot_phase_plane` draws it) and a move
    only updates the data of its artists; it is shown as one PNG in an ``ipywidgets.Image``
    (inline backend, rendered by :class:`sfa_helpers.widgets.PNGRenderer`) or redrawn in place
    with ``%matplotlib widget``. Simulations are cached by slider values
    (:class:`sfa_helpers.widgets.ResultCache`), so moving a slider back is answered at once.

    ``update(a=..., I=...)`` sets sliders from code (Brian2 quantities) and redraws; the last
    simulation is in ``result``.
    """

    #: (name, display unit, default slider range in that unit)
    _SLIDERS = (("a", nS, (-2.0, 2.0)), ("b", pA, (0.0, 100.0)), ("tau_w", ms, (5.0, 300.0)),
                ("V_reset", mV, (-70.0, -42.0)), ("I", pA, (0.0, 200.0)))

    def __init__(self, model, current, duration=400 * ms, *, dt=0.02 * ms, t_on=20 * ms):
        if not isinstance(model, AdEx):
            raise TypeError("PhasePlaneExplorer needs an AdEx model.")
        self.model, self.duration, self.dt, self.t_on = model, duration, dt, t_on
        self.result = None
        self.last_update_seconds = float("nan")
        self._cache = ResultCache(16)
        start = {"a": model.a, "b": model.b, "tau_w": model.tau_w, "V_reset": model.V_reset,
                 "I": as_quantity("current", current, amp, allow_array=False)}
        self.sliders, self._units = {}, {}
        for name, unit, (lo, hi) in self._SLIDERS:
            unit, label = display_unit(start[name], unit)
            val = float(start[name] / unit)
            self.sliders[name] = self._slider(name, val, min(lo, val), max(hi, val), label)
            self._units[name] = unit
        self._build_figure()
        self._new_status()
        self.widget = W.VBox([W.HBox(list(self.sliders.values())[:3]),
                              W.HBox(list(self.sliders.values())[3:]), self._figure_widget,
                              self.status])
        self.update()

    def _build_figure(self):
        figure, (self.ax_pp, self.ax_v) = self._new_figure(
            1, 2, figsize=(10, 3.8), layout="constrained", width_ratios=[1, 1.3])
        ax = self.ax_pp
        p = adex_values(self.model)
        self._v_grid = np.linspace(p["E_L"] - float(5 * mV), p["V_peak"], 400)  # no slider
        V, Wg = np.meshgrid(np.linspace(self._v_grid[0], self._v_grid[-1], 18), np.zeros(14))
        self._quiver = ax.quiver(V / float(mV), Wg, np.zeros_like(V), np.zeros_like(V),
                                 color="0.75", angles="xy", pivot="mid", scale=30, width=0.003)
        (self._v_null,) = ax.plot([], [], color="C3", lw=1.5, label="u-nullcline")
        (self._w_null,) = ax.plot([], [], color="C2", lw=1.5, label="w-nullcline")
        (self._traj,) = ax.plot([], [], color="C0", lw=1)
        (self._jumps,) = ax.plot([], [], color="C0", lw=0.8, ls="--")
        (self._start,) = ax.plot([], [], "s", ms=5, color="C0")
        (self._fp_stable,) = ax.plot([], [], "o", ms=7, color="k", mfc="k", ls="none", zorder=5)
        (self._fp_unstable,) = ax.plot([], [], "o", ms=7, color="k", mfc="w", ls="none", zorder=5)
        ax.set_xlim(self._v_grid[0] / float(mV), self._v_grid[-1] / float(mV) + 1)
        ax.set_xlabel("membrane potential u (mV)")
        ax.set_ylabel("adaptation current w (pA)")
        (self._trace,) = self.ax_v.plot([], [], lw=1)
        self.ax_v.set_xlim(0, float(self.duration / ms))
        self.ax_v.set_xlabel("time (ms)")
        self.ax_v.set_ylabel("membrane potential u (mV)")
        self._attach_figure(figure, width="1000px", max_width="100%")
        self._use_renderer([self._quiver, self._v_null, self._w_null, self._traj, self._jumps,
                            self._start, self._fp_stable, self._fp_unstable, self._trace])

    def values(self) -> dict:
        """Slider values as Brian2 quantities."""
        return {name: s.value * self._units[name] for name, s in self.sliders.items()}

    def update(self, **overrides):
        """Re-simulate with the slider values (``overrides`` set sliders first) and redraw."""
        for name, value in overrides.items():
            if name not in self.sliders:
                raise ValueError(f"No slider '{name}'; sliders: {list(self.sliders)}")
            self._set_quietly(self.sliders[name], float(value / self._units[name]))
        t0 = time.perf_counter()
        vals = self.values()
        current = vals.pop("I")
        key = slider_key(s.value for s in self.sliders.values())
        try:
            model = self.model.replace(**vals)
            result = self._cache.get(key, lambda: simulate(
                model, stimuli.step(current, self.t_on), self.duration, dt=self.dt,
                record=("v", "w"), seed=0))
        except (ValueError, TypeError) as err:
            self._report_error(err)
            return self.result
        self.result, self.current_model, self.current = result, model, current
        fps = fixed_points(model, current)
        self._redraw(model, current, result, fps)
        self._render()
        self.last_update_seconds = time.perf_counter() - t0
        n = len(result.spike_trains[0])
        self.status.value = (f"{n} spikes; fixed points: "
                             f"{', '.join(fp.kind for fp in fps) or 'none'} "
                             f"(updated in {1000 * self.last_update_seconds:.0f} ms)")
        return result

    def _redraw(self, model, current, result, fps):
        """The same picture as plot_phase_plane(model, current, result=result) next to the
        voltage trace, by updating the existing artists."""
        p = adex_values(model)
        v = self._v_grid
        mv, pa = float(mV), float(pA)
        wv = np.asarray(v_nullcline(model, current, v * volt))
        ww = np.asarray(w_nullcline(model, v * volt))
        w_lo, w_hi = phase_plane_w_range(p, v, wv, ww, np.asarray(result.traces["w"][0]))
        # round the w range outwards (pA) so that small moves keep the frame
        w_lo, w_hi = (x * pa for x in nice_limits(w_lo / pa, w_hi / pa, pad=0))
        V, Wg, ux, uy = phase_plane_arrows(model, current, v[0], v[-1], w_lo, w_hi)
        self._quiver.set_offsets(np.column_stack([(V / mv).ravel(), (Wg / pa).ravel()]))
        self._quiver.set_UVC(ux, uy)
        self._v_null.set_data(v / mv, wv / pa)
        self._w_null.set_data(v / mv, ww / pa)
        segments, jumps, first = phase_plane_trajectory(p, result)
        self._traj.set_data(*segments)
        self._jumps.set_data(*jumps)
        self._start.set_data([first[0]], [first[1]])
        for line, stable in ((self._fp_stable, True), (self._fp_unstable, False)):
            pts = [(float(fp.v / mV), float(fp.w / pA)) for fp in fps if fp.stable == stable]
            line.set_data([x for x, _ in pts], [y for _, y in pts])
        self.ax_pp.set_ylim(w_lo / pa, w_hi / pa)
        t = np.asarray(result.t / ms)
        trace = np.asarray(result.v[0] / mV)
        self._trace.set_data(t, trace)
        self.ax_v.set_ylim(*nice_limits(trace.min(), trace.max()))


def explore_phase_plane(model, current, duration=400 * ms, *, dt=0.02 * ms) -> PhasePlaneExplorer:
    """Interactive AdEx phase plane (see :class:`PhasePlaneExplorer`)."""
    return PhasePlaneExplorer(model, current, duration, dt=dt)
