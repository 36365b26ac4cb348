r"""Phase-plane analysis of the AdEx neuron (:class:`sfa_helpers.models.AdEx`).

State :math:`(v, w)`, constant input :math:`I`:

.. math::

    \dot v = \frac{-(v - E_L) + \Delta_T e^{(v - V_T)/\Delta_T} - R w + R I}{\tau_m}, \qquad
    \dot w = \frac{a (v - E_L) - w}{\tau_w}

* **v-nullcline** (:math:`\dot v = 0`): :math:`w = [-(v - E_L) + \Delta_T e^{(v-V_T)/\Delta_T}]/R + I`
  (linear plus exponential; a current step shifts it up by :math:`I`).
* **w-nullcline** (:math:`\dot w = 0`): :math:`w = a (v - E_L)`, a line of slope :math:`a`.
* **Fixed points**: with :math:`k = 1 + aR`, :math:`x = (v - V_T)/\Delta_T` solves
  :math:`k \Delta_T x + k (V_T - E_L) - R I = \Delta_T e^x`, i.e. with
  :math:`c = [RI - k(V_T - E_L)]/(k\Delta_T)`,
  :math:`x = c - W(-e^{c}/k)` where :math:`W` is the Lambert W function (branches 0 and -1 for
  :math:`k > 0`: two fixed points when :math:`-1/e < -e^c/k < 0`, none when :math:`-e^c/k < -1/e`;
  branch 0 only for :math:`k < 0`, one fixed point).
* **Saddle-node current** (:math:`k > 0`): the two fixed points merge at
  :math:`I_{SN} = k\,(V_T - E_L - \Delta_T + \Delta_T \ln k)/R`; above it there is none and the
  neuron fires repetitively. For :math:`a = 0` this is the EIF rheobase
  :math:`(V_T - E_L - \Delta_T)/R`.
* **Stability**: eigenvalues of the Jacobian
  :math:`J = \begin{pmatrix} (e^{(v-V_T)/\Delta_T} - 1)/\tau_m & -R/\tau_m \\ a/\tau_w & -1/\tau_w \end{pmatrix}`
  (1/second).

Every function takes and returns Brian2 quantities and works for :class:`EIF` too (:math:`a = 0`,
no :math:`w` dynamics: only the v-equation is used).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Quantity, amp, ms, mV, pA, second, volt
from scipy.special import lambertw

from ._validation import as_quantity
from .models.adex import AdEx, EIF

__all__ = ["FixedPoint", "v_nullcline", "w_nullcline", "fixed_points", "saddle_node_current",
           "rheobase", "jacobian", "vector_field", "plot_phase_plane", "PhasePlaneExplorer",
           "explore_phase_plane"]


def _values(model):
    if not isinstance(model, (AdEx, EIF)):
        raise TypeError(f"Phase-plane analysis needs an AdEx or EIF model, got {type(model).__name__}.")
    if model.n_neurons != 1:
        raise ValueError("Phase-plane analysis needs a model with scalar parameters (one neuron).")
    names = ("tau_m", "E_L", "V_T", "Delta_T", "V_reset", "V_peak", "R")
    out = {k: float(np.asarray(getattr(model, k)).ravel()[0]) for k in names}
    if isinstance(model, AdEx):
        for k in ("a", "b", "tau_w"):
            out[k] = float(np.asarray(getattr(model, k)).ravel()[0])
    else:
        out.update(a=0.0, b=0.0, tau_w=np.inf)
    return out


def _unit(q):
    dim = getattr(q, "dim", None)
    return Quantity(1.0, dim=dim) if dim is not None else 1.0


def _current(current):
    return float(as_quantity("current", current, amp, allow_array=False))


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point of the AdEx: ``v`` (volt), ``w`` (amp), the Jacobian ``eigenvalues``
    (complex, 1/second), ``kind`` ('stable node', 'stable focus', 'unstable node',
    'unstable focus', 'saddle') and ``stable`` (both eigenvalues with negative real part)."""

    v: Quantity
    w: Quantity
    eigenvalues: np.ndarray
    kind: str
    stable: bool


def v_nullcline(model, current, v) -> Quantity:
    r"""w on the v-nullcline (amp): :math:`w = [-(v - E_L) + \Delta_T e^{(v-V_T)/\Delta_T}]/R + I`."""
    p = _values(model)
    v = np.asarray(as_quantity("v", v, volt))
    exp_term = p["Delta_T"] * np.exp(np.minimum((v - p["V_T"]) / p["Delta_T"], 700))
    return ((-(v - p["E_L"]) + exp_term) / p["R"] + _current(current)) * amp


def w_nullcline(model, v) -> Quantity:
    r"""w on the w-nullcline (amp): :math:`w = a (v - E_L)`."""
    p = _values(model)
    v = np.asarray(as_quantity("v", v, volt))
    return p["a"] * (v - p["E_L"]) * amp


def jacobian(model, v, w=0 * amp) -> Quantity:
    r"""Jacobian of :math:`(\dot v, \dot w)` at ``(v, w)``: a 2x2 float array in SI units,
    ``[[d(dv/dt)/dv (1/s), d(dv/dt)/dw (V/(A s))], [d(dw/dt)/dv (A/(V s)), d(dw/dt)/dw (1/s)]]``
    (it does not depend on ``w``; the eigenvalues are in 1/s)."""
    p = _values(model)
    v = float(as_quantity("v", v, volt, allow_array=False))
    as_quantity("w", w, amp, allow_array=False)
    e = np.exp(min((v - p["V_T"]) / p["Delta_T"], 700))
    tau_w = p["tau_w"]
    return np.array([[(e - 1) / p["tau_m"], -p["R"] / p["tau_m"]],
                     [p["a"] / tau_w if np.isfinite(tau_w) else 0.0,
                      -1 / tau_w if np.isfinite(tau_w) else 0.0]])


def _classify(eig):
    re = eig.real
    if np.all(re < 0):
        stable, kind = True, "stable focus" if np.any(eig.imag != 0) else "stable node"
    elif np.all(re > 0):
        stable, kind = False, "unstable focus" if np.any(eig.imag != 0) else "unstable node"
    else:
        stable, kind = False, "saddle"
    return kind, stable


def fixed_points(model, current) -> list:
    """Fixed points for constant input ``current`` (amp), sorted by ``v`` (closed form with the
    Lambert W function, see the module docstring). Empty list above the saddle-node current."""
    p = _values(model)
    I = _current(current)
    D, R = p["Delta_T"], p["R"]
    k = 1 + p["a"] * R
    if isinstance(model, EIF):
        k = 1.0
    if k == 0:
        vs = [p["V_T"] + D * np.log(-R * I / D)] if I < 0 else []
    else:
        c = (R * I - k * (p["V_T"] - p["E_L"])) / (k * D)
        if c > 700:  # -e^c/k is far beyond -1/e for k > 0 (no fixed point)
            vs = []
        else:
            z = -np.exp(c) / k
            branches = (0, -1) if k > 0 else (0,)
            vs = []
            if k < 0 or z >= -1 / np.e:
                for br in branches:
                    W = lambertw(z, br)
                    if abs(W.imag) < 1e-9:
                        vs.append(p["V_T"] + D * (c - W.real))
    out = []
    for v in sorted(set(np.round(vs, 15))):
        w = p["a"] * (v - p["E_L"])
        J = jacobian(model, v * volt, w * amp)
        if isinstance(model, EIF):
            eig = np.array([complex(J[0, 0])])
        else:
            eig = np.linalg.eigvals(J).astype(complex)
        kind, stable = _classify(eig)
        out.append(FixedPoint(v=v * volt, w=w * amp, eigenvalues=eig, kind=kind, stable=stable))
    return out


def saddle_node_current(model) -> Quantity:
    r"""Current (amp) at which the two fixed points merge and disappear,
    :math:`I_{SN} = k (V_T - E_L - \Delta_T + \Delta_T \ln k)/R` with :math:`k = 1 + aR > 0`.
    NaN for :math:`k \le 0` (one fixed point for every current; no saddle-node)."""
    p = _values(model)
    k = 1 + p["a"] * p["R"] if isinstance(model, AdEx) else 1.0
    if k <= 0:
        return np.nan * amp
    return k * (p["V_T"] - p["E_L"] - p["Delta_T"] + p["Delta_T"] * np.log(k)) / p["R"] * amp


def rheobase(model) -> Quantity:
    """Smallest constant current without a fixed point (amp), :func:`saddle_node_current`. Above
    it the neuron fires repetitively. (Below it the rest state can still lose stability through
    a Hopf bifurcation for some a, tau_w; check ``fixed_points(...)[0].stable``.)"""
    return saddle_node_current(model)


def vector_field(model, current, v, w):
    """``(dv/dt, dw/dt)`` at the points ``(v, w)`` (arrays of equal shape), in V/s and A/s."""
    p = _values(model)
    I = _current(current)
    shape = np.shape(v)
    if np.shape(w) != shape:
        raise ValueError(f"'v' and 'w' must have the same shape, got {shape} and {np.shape(w)}.")
    v = np.asarray(as_quantity("v", np.asarray(v).ravel() * _unit(v), volt)).reshape(shape)
    w = np.asarray(as_quantity("w", np.asarray(w).ravel() * _unit(w), amp)).reshape(shape)
    vc = np.minimum(v, p["V_peak"])
    dv = (-(v - p["E_L"]) + p["Delta_T"] * np.exp((vc - p["V_T"]) / p["Delta_T"])
          - p["R"] * w + p["R"] * I) / p["tau_m"]
    dw = (p["a"] * (vc - p["E_L"]) - w) / p["tau_w"]
    return dv * volt / second, dw * amp / second


def _auto_w_range(p, v, wv, ww, traj_w=None):
    """w range (amp) of the plot: the w-nullcline, the v-nullcline below V_T + Delta_T and the
    trajectory, with 10 % padding."""
    cand = [ww, wv[(v >= p["E_L"] - 5e-3) & (v <= p["V_T"] + p["Delta_T"])]]
    if traj_w is not None:
        cand.append(traj_w)
    lo, hi = min(np.min(c) for c in cand), max(np.max(c) for c in cand)
    pad = 0.1 * (hi - lo) if hi > lo else 10e-12
    return lo - pad, hi + pad


def _field_arrows(model, current, v_lo, v_hi, w_lo, w_hi):
    """Grid (V, W in volt and amp, 14 x 18) and unit direction vectors of the vector field in
    axis-scaled units (the speeds differ by orders of magnitude, so only directions are shown)."""
    V, Wg = np.meshgrid(np.linspace(v_lo, v_hi, 18), np.linspace(w_lo, w_hi, 14))
    dv, dw = vector_field(model, current, V * volt, Wg * amp)
    dx, dy = np.asarray(dv) / (v_hi - v_lo), np.asarray(dw) / (w_hi - w_lo)
    norm = np.hypot(dx, dy)
    norm[norm == 0] = 1
    return V, Wg, dx / norm, dy / norm


def _trajectory_paths(p, result, neuron=0):
    """The trajectory as polylines in (mV, pA): ``(v, w)`` of the segments between spikes, each
    ending at the spike cut ``(V_peak, w)``, separated by NaN; ``(v, w)`` of the reset jumps
    (dashed: from ``(V_peak, w)`` to the next sample), separated by NaN; and the start point."""
    tv = np.asarray(result.traces["v"][neuron])
    tw = np.asarray(result.traces["w"][neuron])
    spikes = np.asarray(result.spike_trains[neuron]) / float(result.dt)
    idx = np.unique(np.clip(np.round(spikes).astype(int), 0, len(tv) - 1))
    # segment ends: after each spike sample the spike cut (V_peak, w at the spike) is appended
    pieces_v, pieces_w = [], []
    start = 0
    for k in idx:
        pieces_v += [tv[start:k + 1], [p["V_peak"]], [np.nan]]
        pieces_w += [tw[start:k + 1], [tw[k]], [np.nan]]
        start = k + 1
    pieces_v.append(tv[start:])
    pieces_w.append(tw[start:])
    seg_v, seg_w = np.concatenate(pieces_v), np.concatenate(pieces_w)
    jumps = idx[idx + 1 < len(tv)]
    jump_v = np.column_stack([np.full(jumps.size, p["V_peak"]), tv[jumps + 1],
                              np.full(jumps.size, np.nan)]).ravel()
    jump_w = np.column_stack([tw[jumps], tw[jumps + 1], np.full(jumps.size, np.nan)]).ravel()
    return (seg_v / 1e-3, seg_w / 1e-12), (jump_v / 1e-3, jump_w / 1e-12), (tv[0] / 1e-3, tw[0] / 1e-12)


def plot_phase_plane(model, current, *, result=None, neuron=0, ax=None, v_range=None,
                     w_range=None, field=True, trajectory_color="C0"):
    """Draw the AdEx phase plane: both nullclines, fixed points (filled: stable, open: unstable),
    the normalised vector field and, if ``result`` (a :class:`SimulationResult` recording ``v``
    and ``w``) is given, the trajectory with its reset jumps (dashed, from the spike cut
    ``(V_peak, w)`` to ``(V_reset, w + b)``). Axes in mV and pA. Returns the axes."""
    import matplotlib.pyplot as plt

    p = _values(model)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4), layout="constrained")
    v_lo, v_hi = ((p["E_L"] - 5e-3, p["V_peak"]) if v_range is None else
                  tuple(float(x) for x in as_quantity("v_range", v_range, volt)))
    v = np.linspace(v_lo, v_hi, 400)
    wv = np.asarray(v_nullcline(model, current, v * volt))
    ww = np.asarray(w_nullcline(model, v * volt))
    traj = None
    if result is not None:
        traj = (np.asarray(result.traces["v"][neuron]), np.asarray(result.traces["w"][neuron]))
    if w_range is None:
        w_lo, w_hi = _auto_w_range(p, v, wv, ww, None if traj is None else traj[1])
    else:
        w_lo, w_hi = (float(x) for x in as_quantity("w_range", w_range, amp))
    if field:
        V, Wg, ux, uy = _field_arrows(model, current, v_lo, v_hi, w_lo, w_hi)
        ax.quiver(V / mV, Wg / pA, ux, uy, color="0.75", angles="xy", pivot="mid", scale=30,
                  width=0.003)
    ax.plot(v / mV, wv / pA, color="C3", lw=1.5, label="v-nullcline")
    ax.plot(v / mV, ww / pA, color="C2", lw=1.5, label="w-nullcline")
    for fp in fixed_points(model, current):
        ax.plot(float(fp.v / mV), float(fp.w / pA), "o", ms=7, color="k",
                mfc="k" if fp.stable else "w", zorder=5)
    if traj is not None:
        segments, jumps, first = _trajectory_paths(p, result, neuron)
        ax.plot(*segments, color=trajectory_color, lw=1)
        ax.plot(*jumps, ls="--", lw=0.8, color=trajectory_color)
        ax.plot(*first, "s", ms=5, color=trajectory_color)
    ax.set_xlim(v_lo / 1e-3, v_hi / 1e-3 + 1)
    ax.set_ylim(w_lo / 1e-12, w_hi / 1e-12)
    ax.set_xlabel("membrane potential v (mV)")
    ax.set_ylabel("adaptation current w (pA)")
    return ax


class PhasePlaneExplorer:
    """Sliders for ``a``, ``b``, ``tau_w``, ``V_reset`` and the step current ``I``: each move
    re-simulates the AdEx (fixed duration and dt, so the compiled program is reused) and redraws
    the nullclines, fixed points, trajectory and the voltage trace together.

    The figure is built once (as :func:`plot_phase_plane` draws it) and a move only updates the
    data of its artists; it is shown as one PNG in an ``ipywidgets.Image`` (inline backend,
    rendered by :class:`sfa_helpers.widgets.PNGRenderer`) or redrawn in place with
    ``%matplotlib widget``. Simulations are cached by slider values
    (:class:`sfa_helpers.widgets.ResultCache`), so moving a slider back is answered at once.

    ``update(a=..., I=...)`` sets sliders from code (Brian2 quantities) and redraws; the last
    simulation is in ``result``.
    """

    _SLIDERS = (("a", "nS", 1e-9, (-2.0, 2.0)), ("b", "pA", 1e-12, (0.0, 100.0)),
                ("tau_w", "ms", 1e-3, (5.0, 300.0)), ("V_reset", "mV", 1e-3, (-70.0, -42.0)),
                ("I", "pA", 1e-12, (0.0, 200.0)))

    def __init__(self, model, current, duration=400 * ms, *, dt=0.02 * ms, t_on=20 * ms):
        import ipywidgets as W

        from .widgets import ResultCache

        if not isinstance(model, AdEx):
            raise TypeError("PhasePlaneExplorer needs an AdEx model.")
        self.model, self.duration, self.dt, self.t_on = model, duration, dt, t_on
        self.result = None
        self.last_update_seconds = float("nan")
        self._cache = ResultCache(16)
        start = {"a": model.a, "b": model.b, "tau_w": model.tau_w, "V_reset": model.V_reset,
                 "I": as_quantity("current", current, amp, allow_array=False)}
        self.sliders, self._scale = {}, {}
        for name, label, scale, (lo, hi) in self._SLIDERS:
            val = float(start[name]) / scale
            lo, hi = min(lo, val), max(hi, val)
            s = W.FloatSlider(value=val, min=lo, max=hi, step=(hi - lo) / 200,
                              description=f"{name} ({label})", continuous_update=False,
                              readout_format=".3g", style={"description_width": "initial"})
            s.observe(self._on_change, names="value")
            self.sliders[name], self._scale[name] = s, scale
        self._build_figure()
        self.status = W.HTML()
        self.widget = W.VBox([W.HBox(list(self.sliders.values())[:3]),
                              W.HBox(list(self.sliders.values())[3:]), self._figure_widget,
                              self.status])
        self.update()

    def _on_change(self, _change):
        self.update()

    def _build_figure(self):
        import ipywidgets as W
        import matplotlib
        import matplotlib.pyplot as plt

        from .widgets import PNGRenderer

        backend = matplotlib.get_backend().lower()
        self._live_canvas = "ipympl" in backend or "widget" in backend
        with plt.ioff():
            self.figure, (self.ax_pp, self.ax_v) = plt.subplots(
                1, 2, figsize=(10, 3.8), layout="constrained", width_ratios=[1, 1.3])
        ax = self.ax_pp
        p = _values(self.model)
        self._v_grid = np.linspace(p["E_L"] - 5e-3, p["V_peak"], 400)  # E_L, V_peak: no slider
        V, Wg = np.meshgrid(np.linspace(self._v_grid[0], self._v_grid[-1], 18), np.zeros(14))
        self._quiver = ax.quiver(V / 1e-3, Wg, np.zeros_like(V), np.zeros_like(V), color="0.75",
                                 angles="xy", pivot="mid", scale=30, width=0.003)
        (self._v_null,) = ax.plot([], [], color="C3", lw=1.5, label="v-nullcline")
        (self._w_null,) = ax.plot([], [], color="C2", lw=1.5, label="w-nullcline")
        (self._traj,) = ax.plot([], [], color="C0", lw=1)
        (self._jumps,) = ax.plot([], [], color="C0", lw=0.8, ls="--")
        (self._start,) = ax.plot([], [], "s", ms=5, color="C0")
        (self._fp_stable,) = ax.plot([], [], "o", ms=7, color="k", mfc="k", ls="none", zorder=5)
        (self._fp_unstable,) = ax.plot([], [], "o", ms=7, color="k", mfc="w", ls="none", zorder=5)
        ax.set_xlim(self._v_grid[0] / 1e-3, self._v_grid[-1] / 1e-3 + 1)
        ax.set_xlabel("membrane potential v (mV)")
        ax.set_ylabel("adaptation current w (pA)")
        (self._trace,) = self.ax_v.plot([], [], lw=1)
        self.ax_v.set_xlim(0, float(self.duration / ms))
        self.ax_v.set_xlabel("time (ms)")
        self.ax_v.set_ylabel("membrane potential v (mV)")
        if self._live_canvas:
            self._figure_widget = self.figure.canvas
        else:
            plt.close(self.figure)  # shown through the Image widget only
            self._figure_widget = W.Image(format="png",
                                          layout=W.Layout(width="1000px", max_width="100%"))
        self._renderer = None if self._live_canvas else PNGRenderer(self.figure, [
            self._quiver, self._v_null, self._w_null, self._traj, self._jumps, self._start,
            self._fp_stable, self._fp_unstable, self._trace])
        self._layout_frozen = False

    def values(self) -> dict:
        """Slider values as Brian2 quantities."""
        units = {"a": amp / volt, "b": amp, "tau_w": second, "V_reset": volt, "I": amp}
        return {name: s.value * self._scale[name] * units[name] for name, s in self.sliders.items()}

    def update(self, **overrides):
        """Re-simulate with the slider values (``overrides`` set sliders first) and redraw."""
        from . import stimuli
        from .simulation import simulate
        from .widgets import show_figure, slider_key

        for name, value in overrides.items():
            if name not in self.sliders:
                raise ValueError(f"No slider '{name}'; sliders: {list(self.sliders)}")
            s = self.sliders[name]
            s.unobserve(self._on_change, names="value")
            s.value = float(value) / self._scale[name]
            s.observe(self._on_change, names="value")
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
            self.status.value = f"<span style='color:#b00'>Not simulated: {err}</span>"
            return self.result
        self.result, self.current_model, self.current = result, model, current
        fps = fixed_points(model, current)
        self._redraw(model, current, result, fps)
        if not self._layout_frozen:
            # solve the constrained layout once, then keep it (re-solving doubles the draw time)
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")
            self._layout_frozen = True
        show_figure(self.figure, self._figure_widget, renderer=self._renderer)
        self.last_update_seconds = time.perf_counter() - t0
        n = len(result.spike_trains[0])
        self.status.value = (f"{n} spikes; fixed points: "
                             f"{', '.join(fp.kind for fp in fps) or 'none'} "
                             f"(updated in {1000 * self.last_update_seconds:.0f} ms)")
        return result

    def _redraw(self, model, current, result, fps):
        """The same picture as plot_phase_plane(model, current, result=result) next to the
        voltage trace, by updating the existing artists."""
        from .widgets import nice_limits

        p = _values(model)
        v = self._v_grid
        wv = np.asarray(v_nullcline(model, current, v * volt))
        ww = np.asarray(w_nullcline(model, v * volt))
        w_lo, w_hi = _auto_w_range(p, v, wv, ww, np.asarray(result.traces["w"][0]))
        # round the w range outwards (pA) so that small moves keep the frame
        w_lo, w_hi = (x * 1e-12 for x in nice_limits(w_lo / 1e-12, w_hi / 1e-12, pad=0))
        V, Wg, ux, uy = _field_arrows(model, current, v[0], v[-1], w_lo, w_hi)
        self._quiver.set_offsets(np.column_stack([(V / 1e-3).ravel(), (Wg / 1e-12).ravel()]))
        self._quiver.set_UVC(ux, uy)
        self._v_null.set_data(v / 1e-3, wv / 1e-12)
        self._w_null.set_data(v / 1e-3, ww / 1e-12)
        segments, jumps, first = _trajectory_paths(p, result)
        self._traj.set_data(*segments)
        self._jumps.set_data(*jumps)
        self._start.set_data([first[0]], [first[1]])
        for line, stable in ((self._fp_stable, True), (self._fp_unstable, False)):
            pts = [(float(fp.v / mV), float(fp.w / pA)) for fp in fps if fp.stable == stable]
            line.set_data([x for x, _ in pts], [y for _, y in pts])
        self.ax_pp.set_ylim(w_lo / 1e-12, w_hi / 1e-12)
        t = np.asarray(result.t / ms)
        trace = np.asarray(result.v[0] / mV)
        self._trace.set_data(t, trace)
        self.ax_v.set_ylim(*nice_limits(trace.min(), trace.max()))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def explore_phase_plane(model, current, duration=400 * ms, *, dt=0.02 * ms) -> PhasePlaneExplorer:
    """Interactive AdEx phase plane (see :class:`PhasePlaneExplorer`)."""
    return PhasePlaneExplorer(model, current, duration, dt=dt)
