"""Every static figure of the course, with axes labelled in physical units.

Every plotting function draws into ``ax`` (a new figure when omitted) and returns the axes, so
lessons can combine them in their own layouts: traces and f-I curves (:func:`voltage_trace`,
:func:`current_trace`, :func:`fi_curve`, :func:`raster`), the AdEx phase plane
(:func:`plot_phase_plane`) and firing-pattern maps (:func:`plot_pattern_map`). The live widgets
(:mod:`sfa_helpers.widgets`) build the same pictures from the helpers here and update their data.

:func:`display_unit` chooses the unit in which a quantity is shown, on axes and on sliders.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from brian2 import (Hz, Mohm, amp, farad, get_dimensions, mV, ms, nA, nF, nS, ohm, pA, pF, second,
                    siemens, volt)

from .firing_patterns import PATTERNS, PatternMap
from .theory.adex import adex_values, fixed_points, v_nullcline, vector_field, w_nullcline
from .validation import as_quantity

__all__ = ["TIME_UNIT", "VOLTAGE_UNIT", "CURRENT_UNIT", "RATE_UNIT", "display_unit", "neuron_value",
           "voltage_trace", "current_trace", "fi_curve", "raster", "plot_phase_plane",
           "phase_plane_w_range", "phase_plane_arrows", "phase_plane_trajectory", "PATTERN_COLORS",
           "pattern_codes", "pattern_mesh", "draw_pattern_map", "pattern_legend", "plot_pattern_map"]

#: Display units used on the axes of every figure.
TIME_UNIT, VOLTAGE_UNIT, CURRENT_UNIT, RATE_UNIT = ms, mV, nA, Hz

# (unit of the dimension, display unit, label) in order of preference.
_DISPLAY_UNITS = [
    (second, ms, "ms"), (volt, mV, "mV"), (ohm, Mohm, "MΩ"), (siemens, nS, "nS"), (Hz, Hz, "Hz"),
    (amp * second ** 0.5, nA * ms ** 0.5, "nA·√ms"),
]
_LABELS = {id(u): label for _, u, label in _DISPLAY_UNITS}


def display_unit(value, unit=None, *, pico_below=0.1e-9):
    """The unit in which to show ``value`` (a quantity, scalar or array) on an axis or a slider,
    and its label: ``(unit, label)``, e.g. ``(mV, 'mV')``; ``(None, '')`` when dimensionless.

    Times in ms, voltages in mV, resistances in MΩ, conductances in nS, rates in Hz, white-noise
    amplitudes in nA·√ms. Currents (capacitances) in pA (pF) when the largest magnitude is
    nonzero and below ``pico_below`` amp (farad), default 0.1 nA (0.1 nF), else nA (nF).
    ``unit``: a Brian2 unit chosen by the caller (returned with its label) instead.
    """
    if unit is not None:
        return unit, _LABELS.get(id(unit), str(unit))
    dim = get_dimensions(value)
    if dim is amp.dim or dim is farad.dim:
        small, large = (pA, nA) if dim is amp.dim else (pF, nF)
        magnitude = float(np.max(np.abs(np.asarray(value)))) if np.size(value) else 0.0
        unit = small if 0 < magnitude < pico_below else large
        return unit, str(unit)
    for ref, unit, label in _DISPLAY_UNITS:
        if dim is get_dimensions(ref):
            return unit, label
    return None, ""


def _axes(ax, figsize=(7, 3)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def voltage_trace(result, neuron=0, *, ax=None, variable="v", spike_peak=None, threshold=True,
                  label=None, color=None, **line_kwargs):
    """Membrane potential of one neuron (mV) against time (ms), spikes marked.

    Reset models never show the spike itself in ``v``; each spike is drawn as a vertical line from
    the recorded value up to ``spike_peak`` (default: 20 mV above threshold, or the top of the
    trace). ``threshold=True`` draws the model's ``V_th`` as a dashed line when it has one.
    """
    ax = _axes(ax)
    t = np.asarray(result.t / TIME_UNIT)
    v = np.asarray(result.traces[variable][neuron] / VOLTAGE_UNIT)
    (line,) = ax.plot(t, v, lw=1, label=label, color=color, **line_kwargs)
    spikes = np.asarray(result.spike_trains[neuron] / second)
    v_th = neuron_value(result.model, "V_th", neuron)
    if spikes.size and variable == "v":
        if spike_peak is None:
            peak = (v_th + 20 * mV) / VOLTAGE_UNIT if v_th is not None else float(np.max(v))
        else:
            peak = float(as_quantity("spike_peak", spike_peak, volt, allow_array=False) / VOLTAGE_UNIT)
        idx = np.clip(np.round(spikes / float(result.dt)).astype(int), 0, len(t) - 1)
        ax.vlines(t[idx], v[idx], peak, color=line.get_color(), lw=1)
    if threshold and v_th is not None and variable == "v":
        ax.axhline(v_th / VOLTAGE_UNIT, color="0.5", ls="--", lw=0.8)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("membrane potential (mV)" if variable == "v" else f"{variable}")
    return ax


def current_trace(result, neuron=0, *, ax=None, **line_kwargs):
    """Recorded input current ``I_stim`` (nA) of one neuron against time (ms)."""
    if "I_stim" not in result.traces:
        raise ValueError("Record the input with simulate(..., record=('v', 'I_stim')).")
    ax = _axes(ax, figsize=(7, 1.5))
    ax.plot(result.t / TIME_UNIT, result.traces["I_stim"][neuron] / CURRENT_UNIT, lw=1, **line_kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("input (nA)")
    return ax


def fi_curve(currents, rates, *, theory=None, ax=None, label="simulation", theory_label="theory",
             **marker_kwargs):
    """Firing rate (Hz) against input current (nA): simulation as markers, theory as a line.

    ``theory`` is ``(currents, rates)`` evaluated on a finer grid, or a callable mapping currents
    (amp) to rates (Hz) that is evaluated on 400 points across the plotted range.
    """
    ax = _axes(ax, figsize=(5, 3.5))
    currents = as_quantity("currents", currents, amp)
    rates = as_quantity("rates", rates, Hz)
    if theory is not None:
        if callable(theory):
            grid = np.linspace(float(np.min(currents)), float(np.max(currents)), 400) * amp
            th_i, th_r = grid, theory(grid)
        else:
            th_i, th_r = theory
        ax.plot(th_i / CURRENT_UNIT, th_r / RATE_UNIT, color="k", lw=1.2, label=theory_label)
    style = {"marker": "o", "ls": "none", "ms": 4, **marker_kwargs}
    ax.plot(currents / CURRENT_UNIT, rates / RATE_UNIT, label=label, **style)
    ax.set_xlabel("input current (nA)")
    ax.set_ylabel("firing rate (Hz)")
    ax.legend(frameon=False)
    return ax


def raster(spike_trains, *, ax=None, neurons=None, yvalues=None, ylabel="neuron", **kwargs):
    """Spike raster: one row per spike train (``yvalues`` to place rows, e.g. at their input)."""
    ax = _axes(ax)
    ys = np.arange(len(spike_trains)) if yvalues is None else np.asarray(yvalues)
    rows = range(len(spike_trains)) if neurons is None else neurons
    style = {"marker": "|", "ls": "none", "color": "k", "ms": 6, **kwargs}
    for k in rows:
        train = np.asarray(spike_trains[k] / TIME_UNIT)
        ax.plot(train, np.full(train.shape, ys[k]), **style)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(ylabel)
    return ax


def neuron_value(model, name, neuron):
    """Scalar value of a (possibly per-neuron) model parameter for one neuron, or None."""
    value = getattr(model, name, None)
    if value is None:
        return None
    arr = np.asarray(value)
    scalar = float(arr.flat[neuron]) if arr.size > 1 else float(arr.flat[0])
    return scalar * volt


#: Old private name of :func:`neuron_value`.
_neuron_value = neuron_value


# ---------------------------------------------------------------------------------------------
# The AdEx phase plane (mathematics in sfa_helpers.theory.adex)
# ---------------------------------------------------------------------------------------------

def phase_plane_w_range(p, v, wv, ww, traj_w=None):
    """w range (amp) of a phase-plane plot: the w-nullcline ``ww``, the v-nullcline ``wv`` below
    V_T + Delta_T (both on the voltage grid ``v``, volt) and the trajectory ``traj_w``, with
    10 % padding. ``p``: :func:`sfa_helpers.theory.adex.adex_values` of the model."""
    cand = [ww, wv[(v >= p["E_L"] - float(5 * mV)) & (v <= p["V_T"] + p["Delta_T"])]]
    if traj_w is not None:
        cand.append(traj_w)
    lo, hi = min(np.min(c) for c in cand), max(np.max(c) for c in cand)
    pad = 0.1 * (hi - lo) if hi > lo else float(10 * pA)
    return lo - pad, hi + pad


def phase_plane_arrows(model, current, v_lo, v_hi, w_lo, w_hi):
    """Grid (V, W in volt and amp, 14 x 18) and unit direction vectors of the vector field in
    axis-scaled units (the speeds differ by orders of magnitude, so only directions are shown)."""
    V, Wg = np.meshgrid(np.linspace(v_lo, v_hi, 18), np.linspace(w_lo, w_hi, 14))
    dv, dw = vector_field(model, current, V * volt, Wg * amp)
    dx, dy = np.asarray(dv) / (v_hi - v_lo), np.asarray(dw) / (w_hi - w_lo)
    norm = np.hypot(dx, dy)
    norm[norm == 0] = 1
    return V, Wg, dx / norm, dy / norm


def phase_plane_trajectory(p, result, neuron=0):
    """The trajectory of ``result`` (recording ``v`` and ``w``) as polylines in (mV, pA):
    ``(v, w)`` of the segments between spikes, each ending at the spike cut ``(V_peak, w)``,
    separated by NaN; ``(v, w)`` of the reset jumps (dashed: from ``(V_peak, w)`` to the next
    sample), separated by NaN; and the start point."""
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
    mv, pa = float(mV), float(pA)
    return (seg_v / mv, seg_w / pa), (jump_v / mv, jump_w / pa), (tv[0] / mv, tw[0] / pa)


def plot_phase_plane(model, current, *, result=None, neuron=0, ax=None, v_range=None,
                     w_range=None, field=True, trajectory_color="C0"):
    """Draw the AdEx phase plane: both nullclines, fixed points (filled: stable, open: unstable),
    the normalised vector field and, if ``result`` (a :class:`SimulationResult` recording ``v``
    and ``w``) is given, the trajectory with its reset jumps (dashed, from the spike cut
    ``(V_peak, w)`` to ``(V_reset, w + b)``). Axes in mV and pA, the membrane potential called
    :math:`u` as in lesson 04 and the book (``v`` in the Brian2 code). Returns the axes."""
    p = adex_values(model)
    ax = _axes(ax, figsize=(5, 4))
    v_lo, v_hi = ((p["E_L"] - float(5 * mV), p["V_peak"]) if v_range is None else
                  tuple(float(x) for x in as_quantity("v_range", v_range, volt)))
    v = np.linspace(v_lo, v_hi, 400)
    wv = np.asarray(v_nullcline(model, current, v * volt))
    ww = np.asarray(w_nullcline(model, v * volt))
    traj = None
    if result is not None:
        traj = (np.asarray(result.traces["v"][neuron]), np.asarray(result.traces["w"][neuron]))
    if w_range is None:
        w_lo, w_hi = phase_plane_w_range(p, v, wv, ww, None if traj is None else traj[1])
    else:
        w_lo, w_hi = (float(x) for x in as_quantity("w_range", w_range, amp))
    if field:
        V, Wg, ux, uy = phase_plane_arrows(model, current, v_lo, v_hi, w_lo, w_hi)
        ax.quiver(V / mV, Wg / pA, ux, uy, color="0.75", angles="xy", pivot="mid", scale=30,
                  width=0.003)
    ax.plot(v / mV, wv / pA, color="C3", lw=1.5, label="u-nullcline")
    ax.plot(v / mV, ww / pA, color="C2", lw=1.5, label="w-nullcline")
    for fp in fixed_points(model, current):
        ax.plot(float(fp.v / mV), float(fp.w / pA), "o", ms=7, color="k",
                mfc="k" if fp.stable else "w", zorder=5)
    if traj is not None:
        segments, jumps, first = phase_plane_trajectory(p, result, neuron)
        ax.plot(*segments, color=trajectory_color, lw=1)
        ax.plot(*jumps, ls="--", lw=0.8, color=trajectory_color)
        ax.plot(*first, "s", ms=5, color=trajectory_color)
    ax.set_xlim(v_lo / float(mV), v_hi / float(mV) + 1)
    ax.set_ylim(w_lo / float(pA), w_hi / float(pA))
    ax.set_xlabel("membrane potential u (mV)")
    ax.set_ylabel("adaptation current w (pA)")
    return ax


# ---------------------------------------------------------------------------------------------
# Firing-pattern maps (computed by sfa_helpers.firing_patterns.pattern_map)
# ---------------------------------------------------------------------------------------------

#: A fixed colour per firing-pattern label (maps and legends).
PATTERN_COLORS = {"tonic": "#4daf4a", "adapting": "#377eb8", "initial burst": "#984ea3",
                  "bursting": "#e41a1c", "irregular": "#ff7f00", "transient": "#a6761d",
                  "delayed": "#f781bf", "silent": "#dddddd"}

_CODES = {p: k for k, p in enumerate(PATTERNS)}


def pattern_codes(labels) -> np.ndarray:
    """Labels as their indices in :data:`~sfa_helpers.firing_patterns.PATTERNS` (same shape)."""
    return np.array([_CODES[p] for p in np.ravel(labels)]).reshape(np.shape(labels))


def _pattern_axis_unit(values, unit):
    # Currents on a map's axis are always in pA (a grid of 'b' values).
    unit, label = display_unit(values, unit, pico_below=np.inf)
    return (1, "") if unit is None else (unit, label)


def _edges(c):
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])


def pattern_mesh(ax, pmap: PatternMap, x_unit=None, y_unit=None):
    """The coloured mesh of ``pmap`` in ``ax`` (axis units as :func:`draw_pattern_map`);
    returned so that a widget can update its colours (``set_array(pattern_codes(...))``)."""
    from matplotlib.colors import ListedColormap

    xu, _ = _pattern_axis_unit(pmap.x_values, x_unit)
    yu, _ = _pattern_axis_unit(pmap.y_values, y_unit)
    cmap = ListedColormap([PATTERN_COLORS[p] for p in PATTERNS])
    xv, yv = np.asarray(pmap.x_values / xu), np.asarray(pmap.y_values / yu)
    return ax.pcolormesh(_edges(xv), _edges(yv), pattern_codes(pmap.labels), cmap=cmap, vmin=-0.5,
                         vmax=len(PATTERNS) - 0.5, shading="flat")


def draw_pattern_map(ax, pmap: PatternMap, marks=None, x_unit=None, y_unit=None):
    """The coloured mesh (returned, to update its data later), the marked points
    (``{name: (x, y)}``) and the axis labels. Axis units default to the parameters' display
    units (:func:`display_unit`; currents in pA)."""
    xu, xl = _pattern_axis_unit(pmap.x_values, x_unit)
    yu, yl = _pattern_axis_unit(pmap.y_values, y_unit)
    mesh = pattern_mesh(ax, pmap, xu, yu)
    for name, (x, y) in (marks or {}).items():
        px, py = float(x / xu), float(y / yu)
        ax.plot(px, py, "*", ms=14, mfc="w", mec="k")
        ax.annotate(name, (px, py), xytext=(6, 6), textcoords="offset points", fontsize=9,
                    bbox=dict(boxstyle="round,pad=0.2", fc="w", alpha=0.8))
    ax.set_xlabel(f"{pmap.x_name} ({xl})")
    ax.set_ylabel(f"{pmap.y_name} ({yl})")
    return mesh


def pattern_legend(ax, labels=PATTERNS):
    """Legend of the pattern colours of ``labels``, right of the axes."""
    from matplotlib.patches import Patch

    return ax.legend(handles=[Patch(color=PATTERN_COLORS[p], label=p) for p in labels],
                     loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)


def plot_pattern_map(pmap: PatternMap, *, ax=None, marks=None, x_unit=None, y_unit=None):
    """Coloured map of ``pmap`` with a legend of the labels present. ``marks`` is a dict
    ``name -> (x, y)`` (quantities) of points to mark (e.g. presets). Axis units default to the
    parameters' display units (nS, pA, mV, ms)."""
    ax = _axes(ax, figsize=(6, 4.5))
    draw_pattern_map(ax, pmap, marks, x_unit, y_unit)
    pattern_legend(ax, [p for p in PATTERNS if np.any(pmap.labels == p)])
    return ax
