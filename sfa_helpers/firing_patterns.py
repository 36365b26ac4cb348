r"""Firing-pattern classification of step responses, and maps of patterns over two parameters.

:func:`classify_pattern` labels the spike train of a neuron driven by a current step with one of
the seven patterns of Gerstner et al. (2014, ch. 6) and Naud et al. (2008) -- 'tonic',
'adapting', 'initial burst', 'bursting', 'irregular', 'transient', 'delayed' -- or 'silent'.
:func:`pattern_map` simulates a grid over two model parameters as *one* ``NeuronGroup`` and
classifies every neuron at once (:func:`classify_spikes`, vectorised, the same labels as
:func:`classify_pattern`); :func:`plot_pattern_map` draws the result and
:func:`explore_pattern_map` recomputes it from sliders.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from brian2 import Quantity, amp, ms, second

from ._validation import as_quantity

__all__ = ["PATTERNS", "classify_pattern", "classify_spikes", "classify_trains", "classify_result",
           "PatternMap", "pattern_map", "PATTERN_MAP_DT", "plot_pattern_map", "presets_in_plane",
           "PatternMapExplorer", "explore_pattern_map", "PATTERN_COLORS"]

#: Labels returned by :func:`classify_pattern`.
PATTERNS = ("tonic", "adapting", "initial burst", "bursting", "irregular", "transient", "delayed",
            "silent")

#: A fixed colour per label (maps and legends).
PATTERN_COLORS = {"tonic": "#4daf4a", "adapting": "#377eb8", "initial burst": "#984ea3",
                  "bursting": "#e41a1c", "irregular": "#ff7f00", "transient": "#a6761d",
                  "delayed": "#f781bf", "silent": "#dddddd"}

#: Thresholds of the criteria (dimensionless), see :func:`classify_pattern`.
ADAPTATION_RATIO = 1.5
INITIAL_BURST_RATIO = 0.25
BURST_CONTRAST = 3.0
BURST_PERIOD_CV = 0.1
IRREGULAR_CV = 0.2


def classify_pattern(spike_times, start, stop) -> str:
    r"""Firing pattern of one spike train recorded under a current step on ``[start, stop)``.

    Let :math:`T` = ``stop - start``, :math:`t_1 < t_2 < \dots < t_N` the spike times after step
    onset (relative to ``start``), :math:`L = t_1` the first-spike latency and
    :math:`\Delta_i = t_{i+1} - t_i` the inter-spike intervals (ISIs). The *steady-state* ISIs are
    those ending in the second half of the step, :math:`t_{i+1} \ge T/2`. The rules are applied in
    this order; the first that matches gives the label:

    1. **silent**: :math:`N = 0`.
    2. **transient**: the neuron stops firing: no spike in the second half (:math:`t_N < T/2`).
       (Naud et al. 2008: "transient spiking": one or a few spikes at onset, then rest.)
    3. **delayed**: a single spike in the second half, or the latency is longer than every ISI,
       :math:`L > \max_i \Delta_i` (the first spike is held back by a slow depolarising process;
       "delay" of Naud et al. 2008 and Markram et al. 2004).
    4. **bursting / irregular** (steady-state ISIs, at least 3): if they form two groups,
       :math:`\max/\min > 3`, ISIs above the geometric mean of max and min are *inter-burst*
       intervals. **bursting** if there are at least 2 of them, every complete burst between two
       of them has the same number of spikes (at least 2) and the inter-burst intervals vary
       little (coefficient of variation < 0.1); otherwise **irregular**. Ungrouped steady-state
       ISIs with a coefficient of variation > 0.2 are also **irregular** (Naud et al. 2008:
       irregular spiking = aperiodic ISI sequence under constant input).
    5. **initial burst**: :math:`N \ge 3` and the first two ISIs are both shorter than 1/4 of the
       median steady-state ISI (a burst at onset, then regular spiking).
    6. **adapting**: the median steady-state ISI is more than 1.5 times the first ISI (the rate
       decreases by more than a third; Naud et al. use an adaptation index on successive ISIs for
       the same distinction).
    7. **tonic**: otherwise (regular spiking from the first ISI on).

    The thresholds (3, 0.1, 0.2, 1/4, 1.5) are this module's choices (constants
    ``BURST_CONTRAST``, ``BURST_PERIOD_CV``, ``IRREGULAR_CV``, ``INITIAL_BURST_RATIO``,
    ``ADAPTATION_RATIO``). The step should last several adaptation time constants (500 ms for the
    presets) for the steady state to be reached in its second half.

    Parameters
    ----------
    spike_times : Quantity (second), 1-D
    start, stop : Quantity (second)
        Step onset and end; spikes outside ``[start, stop)`` are ignored.

    Returns
    -------
    str, one of :data:`PATTERNS`.
    """
    start = float(as_quantity("start", start, second, allow_array=False))
    stop = float(as_quantity("stop", stop, second, allow_array=False))
    if stop <= start:
        raise ValueError(f"'stop' ({stop} s) must be later than 'start' ({start} s).")
    if np.size(spike_times) == 0:
        return "silent"
    s = np.asarray(as_quantity("spike_times", spike_times, second), dtype=float).ravel()
    if np.any(np.diff(s) < 0):
        raise ValueError("'spike_times' must be sorted.")
    s = s[(s >= start) & (s < stop)] - start
    T = stop - start
    n = s.size
    if n == 0:
        return "silent"
    if s[-1] < T / 2:
        return "transient"
    if n == 1:
        return "delayed"
    isi = np.diff(s)
    if s[0] > np.max(isi):
        return "delayed"
    steady = isi[s[1:] >= T / 2]
    if steady.size >= 3:
        if np.max(steady) / np.min(steady) > BURST_CONTRAST:
            long = steady > np.sqrt(np.max(steady) * np.min(steady))
            where = np.flatnonzero(long)
            sizes = np.diff(where)  # spikes per complete burst (ISIs between two long ones + 1)
            periods = steady[long]
            if (where.size >= 2 and np.all(sizes == sizes[0]) and sizes[0] >= 2
                    and np.std(periods) / np.mean(periods) < BURST_PERIOD_CV):
                return "bursting"
            return "irregular"
        if np.std(steady) / np.mean(steady) > IRREGULAR_CV:
            return "irregular"
    if steady.size == 0:
        steady = isi[-1:]
    median = np.median(steady)
    if n >= 3 and isi[0] < INITIAL_BURST_RATIO * median and isi[1] < INITIAL_BURST_RATIO * median:
        return "initial burst"
    if median > ADAPTATION_RATIO * isi[0]:
        return "adapting"
    return "tonic"


def _rows(values, starts, lengths, func):
    """``func(row)`` for the segments ``values[starts[k]:starts[k] + lengths[k]]``, computed as
    ``func(block, axis=1)`` on one 2-D block per distinct length (numpy then performs the same
    floating-point operations in the same order as on each 1-D row: bit-identical results)."""
    out = np.full(len(starts), np.nan)
    for length in np.unique(lengths[lengths > 0]):
        sel = np.flatnonzero(lengths == length)
        out[sel] = func(values[starts[sel, None] + np.arange(length)], axis=1)
    return out


def _cv(block, axis):
    return np.std(block, axis=axis) / np.mean(block, axis=axis)


def classify_spikes(spike_i, spike_t, n_neurons, start, stop) -> np.ndarray:
    r""":func:`classify_pattern` for many neurons at once, vectorised with numpy.

    Gives exactly the labels of ``[classify_pattern(train_k, start, stop) for k in range(n)]``
    (the same criteria and the same floating-point operations), without a Python loop over
    neurons: about 100 times faster for a map of thousands of neurons.

    Parameters
    ----------
    spike_i : int array
        Neuron index of each spike (``0 <= i < n_neurons``), as recorded by a ``SpikeMonitor``.
    spike_t : Quantity (second), same length
        Spike times; for each neuron they must be in increasing order.
    n_neurons : int
    start, stop : Quantity (second)

    Returns
    -------
    numpy array of str (dtype object), one label per neuron.
    """
    start = float(as_quantity("start", start, second, allow_array=False))
    stop = float(as_quantity("stop", stop, second, allow_array=False))
    if stop <= start:
        raise ValueError(f"'stop' ({stop} s) must be later than 'start' ({start} s).")
    n_neurons = int(n_neurons)
    idx = np.asarray(spike_i, dtype=np.int64).ravel()
    if idx.size == 0:
        return np.array(["silent"] * n_neurons, dtype=object)
    times = np.asarray(as_quantity("spike_times", spike_t, second), dtype=float).ravel()
    if times.shape != idx.shape:
        raise ValueError("'spike_i' and 'spike_t' must have the same length.")
    if np.any((idx < 0) | (idx >= n_neurons)):
        raise ValueError(f"'spike_i' must lie in [0, {n_neurons}).")
    order = np.argsort(idx, kind="stable")
    idx, times = idx[order], times[order]
    if np.any((np.diff(times) < 0) & (idx[1:] == idx[:-1])):
        raise ValueError("'spike_times' must be sorted.")
    keep = (times >= start) & (times < stop)
    idx, s = idx[keep], times[keep] - start
    T = stop - start
    half = T / 2

    code = np.full(n_neurons, -1)  # index into PATTERNS; -1 = not decided yet
    SILENT, TRANSIENT, DELAYED, BURSTING, IRREGULAR, INITIAL, ADAPTING, TONIC = (
        PATTERNS.index(p) for p in ("silent", "transient", "delayed", "bursting", "irregular",
                                    "initial burst", "adapting", "tonic"))

    def decide(mask, label):
        mask = mask & (code < 0)
        code[mask] = label

    count = np.bincount(idx, minlength=n_neurons)
    first = np.cumsum(count) - count  # offset of each neuron's first spike in s
    has = count > 0
    decide(~has, SILENT)
    last = np.full(n_neurons, np.inf)
    last[has] = s[first[has] + count[has] - 1]
    decide(has & (last < half), TRANSIENT)
    decide(count == 1, DELAYED)

    # Inter-spike intervals, concatenated neuron by neuron.
    same = idx[1:] == idx[:-1]
    isi = np.diff(s)[same]
    isi_end = s[1:][same]
    n_isi = np.maximum(count - 1, 0)
    isi_first = np.cumsum(n_isi) - n_isi
    multi = n_isi > 0
    max_isi = np.full(n_neurons, np.inf)
    if isi.size:
        max_isi[multi] = np.maximum.reduceat(isi, isi_first[multi])
    s0 = np.full(n_neurons, -np.inf)
    s0[has] = s[first[has]]
    decide(multi & (s0 > max_isi), DELAYED)

    # Steady-state ISIs (ending in the second half): a suffix of each neuron's ISIs.
    n_steady = np.bincount(np.repeat(np.arange(n_neurons), n_isi)[isi_end >= half],
                           minlength=n_neurons)
    steady_first = isi_first + n_isi - n_steady
    many = (n_steady >= 3) & (code < 0)
    if np.any(many):
        nb = np.flatnonzero(many)
        st_first, st_n = steady_first[nb], n_steady[nb]
        owner = np.repeat(np.arange(nb.size), st_n)
        pos = np.arange(owner.size) - np.repeat(np.cumsum(st_n) - st_n, st_n)
        vals = isi[np.repeat(st_first, st_n) + pos]
        seg = np.cumsum(st_n) - st_n
        smax = np.maximum.reduceat(vals, seg)
        smin = np.minimum.reduceat(vals, seg)
        grouped = smax / smin > BURST_CONTRAST
        # bursting / irregular among the grouped ones
        long = vals > np.sqrt(smax * smin)[owner]
        long &= grouped[owner]
        l_owner, l_pos, l_vals = owner[long], pos[long], vals[long]
        n_long = np.bincount(l_owner, minlength=nb.size)
        sizes_ok = np.zeros(nb.size, dtype=bool)
        if l_owner.size > 1:
            cont = l_owner[1:] == l_owner[:-1]
            d, d_owner = np.diff(l_pos)[cont], l_owner[1:][cont]
            dmin = np.full(nb.size, np.iinfo(np.int64).max)
            dmax = np.full(nb.size, np.iinfo(np.int64).min)
            np.minimum.at(dmin, d_owner, d)
            np.maximum.at(dmax, d_owner, d)
            sizes_ok = (n_long >= 2) & (dmin == dmax) & (dmin >= 2)
        period_cv = _rows(l_vals, np.cumsum(n_long) - n_long, np.where(sizes_ok, n_long, 0), _cv)
        burst = grouped & sizes_ok & (period_cv < BURST_PERIOD_CV)
        code[nb[burst]] = BURSTING
        code[nb[grouped & ~burst]] = IRREGULAR
        ungrouped = ~grouped
        cv = _rows(isi, st_first, np.where(ungrouped, st_n, 0), _cv)
        code[nb[ungrouped & (cv > IRREGULAR_CV)]] = IRREGULAR

    rest = np.flatnonzero(code < 0)  # here every neuron has >= 2 spikes, the last in 2nd half
    if rest.size:
        n_st = n_steady[rest]
        st_first = np.where(n_st > 0, steady_first[rest], isi_first[rest] + n_isi[rest] - 1)
        median = _rows(isi, st_first, np.maximum(n_st, 1), np.median)
        isi0 = isi[isi_first[rest]]
        isi1 = isi[np.minimum(isi_first[rest] + 1, isi.size - 1)]
        initial = ((count[rest] >= 3) & (isi0 < INITIAL_BURST_RATIO * median)
                   & (isi1 < INITIAL_BURST_RATIO * median))
        adapting = ~initial & (median > ADAPTATION_RATIO * isi0)
        code[rest] = np.where(initial, INITIAL, np.where(adapting, ADAPTING, TONIC))
    return np.asarray(PATTERNS, dtype=object)[code]


def _train_seconds(train) -> np.ndarray:
    if isinstance(train, Quantity) and train.dim is second.dim:  # fast path (simulate's output)
        arr = np.asarray(train, dtype=float).ravel()
        if np.all(np.isfinite(arr)):
            return arr
    return np.asarray(as_quantity("spike_times", train, second), dtype=float).ravel()


def classify_trains(spike_trains, start, stop) -> np.ndarray:
    """:func:`classify_spikes` for a list of spike trains (one Quantity array per neuron):
    the same labels as ``[classify_pattern(tr, start, stop) for tr in spike_trains]``."""
    arrays = [_train_seconds(tr) if np.size(tr) else np.zeros(0) for tr in spike_trains]
    sizes = [a.size for a in arrays]
    times = np.concatenate(arrays) if arrays else np.zeros(0)
    return classify_spikes(np.repeat(np.arange(len(sizes)), sizes), times * second, len(sizes),
                           start, stop)


def classify_result(result, start=0 * ms, stop=None) -> list:
    """:func:`classify_pattern` for every neuron of a :class:`SimulationResult` (``stop``
    defaults to the end of the run), computed by the vectorised :func:`classify_trains`."""
    stop = result.duration if stop is None else stop
    return list(classify_trains(result.spike_trains, start, stop))


@dataclass(frozen=True)
class PatternMap:
    """Result of :func:`pattern_map`: ``labels[j, i]`` is the pattern at
    ``(x_values[i], y_values[j])``; ``elapsed`` is the wall time (s) of simulation plus
    classification, ``timings`` splits it (``'simulate'``, ``'classify'``, in s)."""

    x_name: str
    x_values: Quantity
    y_name: str
    y_values: Quantity
    labels: np.ndarray
    model: object
    current: Quantity
    duration: Quantity
    elapsed: float
    dt: Quantity = None
    timings: dict = field(default_factory=dict)

    def __repr__(self):
        ny, nx = self.labels.shape
        shares = ", ".join(f"{p} {v:.0%}" for p, v in self.fractions().items())
        return (f"PatternMap({self.x_name} x {self.y_name}, {nx} x {ny} grid, "
                f"I = {float(self.current) / 1e-12:.4g} pA: {shares})")

    def label_at(self, x, y) -> str:
        """Label of the grid point nearest to ``(x, y)``."""
        i = int(np.argmin(np.abs(np.asarray(self.x_values) - float(x))))
        j = int(np.argmin(np.abs(np.asarray(self.y_values) - float(y))))
        return str(self.labels[j, i])

    def fractions(self) -> dict:
        """Fraction of the grid with each label."""
        return {p: float(np.mean(self.labels == p)) for p in PATTERNS if np.any(self.labels == p)}


#: Default time step of :func:`pattern_map` (see its docstring for the check against 0.05 ms).
PATTERN_MAP_DT = 0.1 * ms


def pattern_map(model, current, x_name, x_values, y_name, y_values, *, duration=500 * ms,
                dt=PATTERN_MAP_DT) -> PatternMap:
    """Classify the step responses on a grid over two parameters of ``model``, all grid points in
    one ``NeuronGroup`` (one simulation run), recording spikes only.

    Parameters
    ----------
    model : NeuronModel with scalar parameters (e.g. an ``AdEx`` preset)
    current : Quantity (amp)
        Step amplitude, switched on at t = 0 for the whole ``duration``.
    x_name, y_name : str
        Parameter names (e.g. ``'a'``, ``'b'``, ``'V_reset'``).
    x_values, y_values : Quantity, 1-D
        Grid values, in the parameter's unit.
    duration : Quantity (second)
        Default 500 ms. The labels depend on it (the steady state is judged in the second
        half): 400 ms changes 2.5-3.3 % of the cells of the 40 x 40 maps below, 300 ms 6-7 %.
    dt : Quantity (second)
        Default 0.1 ms (:data:`PATTERN_MAP_DT`). Spike times move by a fraction of a
        millisecond against 0.02 ms, but the *labels* hardly change: on three 40 x 40 maps
        ((a, V_reset) around the 'bursting' and the 'adapting' presets, (a, b) around
        'bursting'; 65 pA) 0.44 %, 0.38 % and 0.19 % of the cells (7, 6 and 3 of 1600) differ
        from dt = 0.05 ms, 15 of these 16 next to a border between regions (mostly bursting <->
        irregular and initial burst <-> adapting), and all presets keep their label. It halves the run time
        against 0.05 ms (benchmarks/bench_pattern_map.py). Use 0.05 or 0.02 ms for
        publication-quality borders.

    The compiled program depends on the grid size, ``duration``, ``dt`` and on *which*
    parameters are on the axes; other parameter values (and the current) are passed at run
    time, so recomputing the map with new values does not recompile.
    """
    from . import stimuli
    from .simulation import simulate

    if x_name == y_name:
        raise ValueError("'x_name' and 'y_name' must be different parameters.")
    for name in (x_name, y_name):
        if name not in model.parameters and not hasattr(model, name):
            raise ValueError(f"The model has no parameter '{name}'.")
    xs = as_quantity("x_values", x_values, getattr(model, x_name))
    ys = as_quantity("y_values", y_values, getattr(model, y_name))
    current = as_quantity("current", current, amp, allow_array=False)
    t0 = time.perf_counter()
    X, Y = np.meshgrid(np.asarray(xs), np.asarray(ys))
    grid_model = model.replace(**{x_name: Quantity(X.ravel(), dim=xs.dim),
                                  y_name: Quantity(Y.ravel(), dim=ys.dim)})
    result = simulate(grid_model, stimuli.step(current, 0 * ms), duration, dt=dt, record=(), seed=0)
    t1 = time.perf_counter()
    labels = classify_trains(result.spike_trains, 0 * ms, result.duration).reshape(X.shape)
    t2 = time.perf_counter()
    return PatternMap(x_name=x_name, x_values=xs, y_name=y_name, y_values=ys, labels=labels,
                      model=model, current=current, duration=result.duration, elapsed=t2 - t0,
                      dt=result.dt, timings={"simulate": t1 - t0, "classify": t2 - t1})


_CODES = {p: k for k, p in enumerate(PATTERNS)}


def _codes(labels) -> np.ndarray:
    return np.array([_CODES[p] for p in np.ravel(labels)]).reshape(np.shape(labels))


def _display_unit(q, given):
    from brian2 import mV, nS, pA

    if given is not None:
        return given, str(given)
    for u, lab in ((nS, "nS"), (pA, "pA"), (mV, "mV"), (ms, "ms")):
        if q.dim is u.dim:
            return u, lab
    return 1, ""


def _edges(c):
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])


def _mesh(ax, pmap, xu, yu):
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap([PATTERN_COLORS[p] for p in PATTERNS])
    xv, yv = np.asarray(pmap.x_values / xu), np.asarray(pmap.y_values / yu)
    return ax.pcolormesh(_edges(xv), _edges(yv), _codes(pmap.labels), cmap=cmap, vmin=-0.5,
                         vmax=len(PATTERNS) - 0.5, shading="flat")


def _ordinal(n):
    return {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else n % 10, "th")


def _draw_map(ax, pmap, marks, x_unit, y_unit):
    """The coloured mesh (returned, to update its data later) and the marked points."""
    xu, xl = _display_unit(pmap.x_values, x_unit)
    yu, yl = _display_unit(pmap.y_values, y_unit)
    mesh = _mesh(ax, pmap, xu, yu)
    for name, (x, y) in (marks or {}).items():
        px, py = float(x / xu), float(y / yu)
        ax.plot(px, py, "*", ms=14, mfc="w", mec="k")
        ax.annotate(name, (px, py), xytext=(6, 6), textcoords="offset points", fontsize=9,
                    bbox=dict(boxstyle="round,pad=0.2", fc="w", alpha=0.8))
    ax.set_xlabel(f"{pmap.x_name} ({xl})")
    ax.set_ylabel(f"{pmap.y_name} ({yl})")
    return mesh


def plot_pattern_map(pmap: PatternMap, *, ax=None, marks=None, x_unit=None, y_unit=None):
    """Coloured map of ``pmap`` with a legend of the labels present. ``marks`` is a dict
    ``name -> (x, y)`` (quantities) of points to mark (e.g. presets). Axis units default to the
    parameters' display units (nS, pA, mV, ms)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
    _draw_map(ax, pmap, marks, x_unit, y_unit)
    present = [p for p in PATTERNS if np.any(pmap.labels == p)]
    ax.legend(handles=[Patch(color=PATTERN_COLORS[p], label=p) for p in present],
              loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax


def presets_in_plane(model, current, x_name, y_name) -> dict:
    """The presets of :data:`sfa_helpers.models.adex.FIRING_PATTERNS` that lie in the plane
    (``x_name``, ``y_name``) through ``model`` under ``current``: every other parameter and the
    step current equal (to 1e-9 relative). Returns ``{name: (x, y)}`` for ``marks``."""
    from .models.adex import FIRING_PATTERNS

    current = float(as_quantity("current", current, amp, allow_array=False))
    out = {}
    for name, preset in FIRING_PATTERNS.items():
        if type(preset.model) is not type(model) or not np.isclose(float(preset.current), current,
                                                                    rtol=1e-9, atol=0):
            continue
        same = all(np.allclose(np.asarray(value), np.asarray(preset.model.parameters[k]),
                               rtol=1e-9, atol=0)
                   for k, value in model.parameters.items()
                   if k not in (x_name, y_name) and k in preset.model.parameters)
        if same:
            out[name] = (getattr(preset.model, x_name), getattr(preset.model, y_name))
    return out


class PatternMapExplorer:
    """A firing-pattern map with sliders for parameters that are *not* on its axes.

    Every slider move recomputes the whole map -- one ``NeuronGroup`` run of all grid points
    (:func:`pattern_map`; the grid, ``duration`` and ``dt`` are fixed, so the compiled program
    is reused and only new values are passed) -- and updates the colours of the existing mesh.
    To answer a move quickly the widget simulates every ``stride``-th point of the grid in each
    direction (default 3; the title states the grid shown); a check box switches to the full
    grid.
    Maps are kept by slider values (:class:`sfa_helpers.widgets.ResultCache`, the last 16), so
    a slider moved back to a value seen before recolours at once without simulating. The figure
    is rendered as one PNG into an ``ipywidgets.Image`` (inline backend), or redrawn in place
    with ``%matplotlib widget``.

    ``update(tau_w=50*ms, I=80*pA)`` sets sliders from code (Brian2 quantities) and recomputes.

    Attributes
    ----------
    sliders : dict of ipywidgets.FloatSlider
    full_grid : ipywidgets.Checkbox
        Ticked: the full grid (every point of ``x_values`` and ``y_values``).
    pmap : PatternMap
        The map shown (on the grid shown, see :meth:`grid`).
    last_update_seconds : float
        Wall time of the last update (simulate + classify + redraw);
        ``last_timings`` splits it (``'simulate'``, ``'classify'``, ``'draw'``;
        simulate and classify are 0 for a map taken from the cache).
    """

    #: name -> (display unit label, scale to SI, default slider range in display units).
    SLIDER_SPECS = {"a": ("nS", 1e-9, (-2.0, 2.0)), "b": ("pA", 1e-12, (0.0, 100.0)),
                    "tau_w": ("ms", 1e-3, (10.0, 300.0)), "V_reset": ("mV", 1e-3, (-70.0, -42.0)),
                    "Delta_T": ("mV", 1e-3, (0.5, 5.0)), "tau_m": ("ms", 1e-3, (2.0, 30.0)),
                    "I": ("pA", 1e-12, (0.0, 200.0))}
    #: Sliders shown by default (those on the map's axes are left out).
    DEFAULT_SLIDERS = ("a", "b", "tau_w", "V_reset", "Delta_T", "I")

    def __init__(self, model, current, x_name, x_values, y_name, y_values, *, sliders=None,
                 ranges=None, marks="presets", duration=500 * ms, dt=PATTERN_MAP_DT, stride=3):
        import ipywidgets as W

        self.model, self.duration, self.dt = model, duration, dt
        self.x_name, self.y_name = x_name, y_name
        self.x_values, self.y_values = x_values, y_values
        stride = int(stride)
        if stride < 1:
            raise ValueError(f"'stride' must be a positive integer, got {stride!r}.")
        self.stride = stride
        current = as_quantity("current", current, amp, allow_array=False)
        self._current = current
        names = [s for s in (self.DEFAULT_SLIDERS if sliders is None else sliders)
                 if s not in (x_name, y_name)]
        for name in names:
            if name not in self.SLIDER_SPECS:
                raise ValueError(f"No slider for '{name}'; choose from {list(self.SLIDER_SPECS)}.")
        if marks == "presets":
            marks = presets_in_plane(model, current, x_name, y_name)
        self.marks = dict(marks or {})
        ranges = dict(ranges or {})
        self.pmap = None
        self.last_update_seconds = float("nan")
        self.last_timings = {}
        self._quiet = False
        from .widgets import ResultCache

        self._cache = ResultCache(16)
        self.sliders, self._scale, self._dims = {}, {}, {}
        for name in names:
            label, scale, (lo, hi) = self.SLIDER_SPECS[name]
            start = current if name == "I" else getattr(model, name)
            if np.size(start) != 1:
                raise ValueError(f"Parameter '{name}' of the model must be a single value.")
            val = float(start) / scale
            if name in ranges:
                lo, hi = (float(r) / scale for r in ranges[name])
            lo, hi = min(lo, val), max(hi, val)
            s = W.FloatSlider(value=val, min=lo, max=hi, step=(hi - lo) / 200,
                              description=f"{name} ({label})", continuous_update=False,
                              readout_format=".3g", style={"description_width": "initial"},
                              layout=W.Layout(width="320px"))
            s.observe(self._on_change, names="value")
            self.sliders[name], self._scale[name] = s, scale
            self._dims[name] = amp.dim if name == "I" else getattr(model, name).dim
        self.status = W.HTML()
        nx, ny = np.size(x_values), np.size(y_values)
        self.full_grid = W.Checkbox(
            value=stride == 1, indent=False, layout=W.Layout(width="auto"),
            description=f"full {nx} x {ny} grid ({nx * ny} neurons, about 0.5 s per move)")
        self.full_grid.observe(self._on_change, names="value")
        pmap = self._compute()
        if pmap is None:
            raise ValueError(f"Cannot compute the map: {self.status.value}")
        self._build_figure(pmap)
        controls = W.GridBox(list(self.sliders.values()),
                             layout=W.Layout(grid_template_columns="repeat(2, 340px)"))
        children = [controls] + ([self.full_grid] if stride > 1 else [])
        self.widget = W.VBox(children + [self._figure_widget, self.status])
        self._show(pmap, self.last_timings)

    def values(self) -> dict:
        """Slider values as Brian2 quantities."""
        return {name: Quantity(s.value * self._scale[name], dim=self._dims[name])
                for name, s in self.sliders.items()}

    def _on_change(self, _change):
        if not self._quiet:
            self.update()

    def grid(self):
        """The grid values shown: every ``stride``-th point of ``x_values`` and ``y_values``
        (all of them with the 'full grid' box ticked). The points are a subset of the full
        grid, so their labels are those of the full map."""
        step = 1 if self.full_grid.value else self.stride
        return self.x_values[::step], self.y_values[::step]

    def _compute(self):
        vals = self.values()
        current = vals.pop("I", self._current)
        from .widgets import slider_key

        xs, ys = self.grid()
        key = (slider_key(s.value for s in self.sliders.values()), len(xs), len(ys))
        misses = self._cache.misses
        try:
            model = self.model.replace(**vals)
            pmap = self._cache.get(key, lambda: pattern_map(
                model, current, self.x_name, xs, self.y_name, ys,
                duration=self.duration, dt=self.dt))
        except (ValueError, TypeError) as err:
            self.status.value = f"<span style='color:#b00'>Not computed: {err}</span>"
            return None
        self.pmap = pmap
        cached = self._cache.misses == misses
        # a cached map took no simulation now
        self.last_timings = ({"simulate": 0.0, "classify": 0.0, "cached": True} if cached
                             else dict(pmap.timings))
        return pmap

    def _build_figure(self, pmap):
        import matplotlib
        import matplotlib.pyplot as plt
        import ipywidgets as W
        from matplotlib.patches import Patch

        backend = matplotlib.get_backend().lower()
        self._live_canvas = "ipympl" in backend or "widget" in backend
        with plt.ioff():
            self.figure, self.ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
        self._mesh = _draw_map(self.ax, pmap, self.marks, None, None)
        # All labels in the legend; those absent from the map are dimmed.
        self._legend = self.ax.legend(
            handles=[Patch(color=PATTERN_COLORS[p], label=p) for p in PATTERNS],
            loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        self.ax.set_title(self._title(pmap), fontsize="small")
        if self._live_canvas:
            self._figure_widget = self.figure.canvas
        else:
            self._figure_widget = W.Image(format="png", layout=W.Layout(width="750px"))
        # Solve the constrained layout once, then keep it (re-solving doubles the draw time).
        self.figure.canvas.draw()
        self.figure.set_layout_engine("none")
        from .widgets import PNGRenderer

        # Image widget: the mesh (and the marks above it) are drawn over a kept picture of the
        # axes. Title (the grid) and legend are part of the kept picture: the slider values and the
        # shares of the grid are listed in the status line, as drawing text costs more than the
        # mesh. Labels absent from the map are dimmed, which draws the picture anew.
        legend_texts = self._legend.get_texts()
        self._renderer = None if self._live_canvas else PNGRenderer(
            self.figure, [self._mesh, *self.ax.lines, *self.ax.texts],
            key=lambda: (self.ax.get_title(), tuple(t.get_alpha() for t in legend_texts)))

    def _values_text(self, pmap):
        parts = [f"I = {float(pmap.current) / 1e-12:.4g} pA"]
        for name in self.sliders:
            if name != "I":
                parts.append(f"{name} = {self.sliders[name].value:.4g} {self.SLIDER_SPECS[name][0]}")
        return ", ".join(parts)

    def _title(self, pmap):
        ny, nx = pmap.labels.shape
        fx, fy = np.size(self.x_values), np.size(self.y_values)
        if (nx, ny) == (fx, fy):
            return f"firing patterns on the full {nx} x {ny} grid"
        return (f"firing patterns on a {nx} x {ny} grid "
                f"(every {self.stride}{_ordinal(self.stride)} point of the {fx} x {fy} grid)")

    def _show(self, pmap, timings):
        from .widgets import show_figure

        t0 = time.perf_counter()
        if self._mesh.get_array().size == pmap.labels.size:
            self._mesh.set_array(_codes(pmap.labels).ravel())
        else:  # the other grid: a new mesh in place of the old one
            xu, _ = _display_unit(pmap.x_values, None)
            yu, _ = _display_unit(pmap.y_values, None)
            old, self._mesh = self._mesh, _mesh(self.ax, pmap, xu, yu)
            self._mesh.set_zorder(old.get_zorder())
            old.remove()
            if self._renderer is not None:
                self._mesh.set_animated(True)
                self._renderer.dynamic[self._renderer.dynamic.index(old)] = self._mesh
        fractions = pmap.fractions()
        for text, p in zip(self._legend.get_texts(), PATTERNS):
            text.set_alpha(1.0 if p in fractions else 0.4)
        self.ax.set_title(self._title(pmap), fontsize="small")
        show_figure(self.figure, self._figure_widget, renderer=self._renderer)
        cached = timings.get("cached", False)
        timings = {k: v for k, v in timings.items() if k != "cached"}
        timings["draw"] = time.perf_counter() - t0
        self.last_timings = timings
        self.last_update_seconds = sum(timings.values())
        ny, nx = pmap.labels.shape
        computed = ("map seen before, taken from the cache" if cached else
                    f"simulated in {1000 * timings['simulate']:.0f} ms, classified in "
                    f"{1000 * timings['classify']:.0f} ms")
        shares = ", ".join(f"{p} {100 * fractions[p]:.0f} %" for p in PATTERNS if p in fractions)
        self.status.value = (
            f"{self._values_text(pmap)}: {shares}<br>"
            f"{nx} x {ny} = {nx * ny} neurons in one NeuronGroup; {computed}, drawn "
            f"in {1000 * timings['draw']:.0f} ms")

    def update(self, **quantities):
        """Set sliders from ``quantities`` (Brian2 quantities, e.g. ``tau_w=50*ms``), recompute
        the map and redraw. Returns the new :class:`PatternMap` (the last valid one if the
        parameters are invalid; the reason is shown in ``status``)."""
        for name, value in quantities.items():
            if name not in self.sliders:
                raise ValueError(f"No slider '{name}'; sliders: {list(self.sliders)}")
            as_quantity(name, value, Quantity(1.0, dim=self._dims[name]), allow_array=False)
        self._quiet = True
        try:
            for name, value in quantities.items():
                self.sliders[name].value = float(value) / self._scale[name]
        finally:
            self._quiet = False
        pmap = self._compute()
        if pmap is None:
            return self.pmap
        self._show(pmap, self.last_timings)
        return pmap

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def explore_pattern_map(model, current, x_name, x_values, y_name, y_values, *, sliders=None,
                        ranges=None, marks="presets", duration=500 * ms,
                        dt=PATTERN_MAP_DT, stride=3) -> PatternMapExplorer:
    """Interactive firing-pattern map (see :class:`PatternMapExplorer`).

    Parameters
    ----------
    model, current, x_name, x_values, y_name, y_values, duration, dt
        As for :func:`pattern_map`; the grid stays fixed.
    sliders : sequence of str, optional
        Parameters with a slider, from ``'a'``, ``'b'``, ``'tau_w'``, ``'V_reset'``,
        ``'Delta_T'``, ``'tau_m'`` and ``'I'`` (the step current). Default: all of
        :attr:`PatternMapExplorer.DEFAULT_SLIDERS` that are not on an axis.
    ranges : dict, optional
        ``{name: (low, high)}`` with units, to override a slider's range.
    marks : dict or 'presets'
        Points to mark, ``{name: (x, y)}``; ``'presets'`` (default) marks the presets of
        :data:`~sfa_helpers.models.adex.FIRING_PATTERNS` lying in the starting plane
        (:func:`presets_in_plane`).
    stride : int
        The widget simulates every ``stride``-th point of the grid in each direction (default
        3: 14 x 14 = 196 of the 1600 neurons of a 40 x 40 grid, about 70 ms per move instead of
        about 0.5 s); the grid shown is stated in the title. Its points are points of the full
        grid, with the same labels. A check box switches to the full grid; ``stride=1`` starts
        there.

    Examples
    --------
    >>> ex = explore_pattern_map(FIRING_PATTERNS["bursting"].model, 65*pA,  # doctest: +SKIP
    ...                          "a", np.linspace(-2, 2, 40)*nS, "V_reset", np.linspace(-65, -42, 40)*mV)
    >>> ex.update(tau_w=50*ms)  # doctest: +SKIP
    """
    return PatternMapExplorer(model, current, x_name, x_values, y_name, y_values,
                              sliders=sliders, ranges=ranges, marks=marks, duration=duration, dt=dt,
                              stride=stride)
