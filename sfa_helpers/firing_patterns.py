r"""Firing-pattern classification of step responses, and maps of patterns over two parameters.

:func:`classify_pattern` labels the spike train of a neuron driven by a current step with one of
the seven patterns of Gerstner et al. (2014, ch. 6) and Naud et al. (2008) -- 'tonic',
'adapting', 'initial burst', 'bursting', 'irregular', 'transient', 'delayed' -- or 'silent'.
:func:`pattern_map` simulates a grid over two model parameters as *one* ``NeuronGroup`` and
classifies every neuron at once (:func:`classify_spikes`, vectorised, the same labels as
:func:`classify_pattern`). This module computes only: :func:`sfa_helpers.plots.plot_pattern_map`
draws a map and :func:`sfa_helpers.widgets.explore_pattern_map` recomputes it from sliders.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from brian2 import Quantity, amp, ms, pA, second

from .validation import as_quantity

__all__ = ["PATTERNS", "classify_pattern", "classify_spikes", "classify_trains", "classify_result",
           "PatternMap", "pattern_map", "PATTERN_MAP_DT", "presets_in_plane"]

#: Labels returned by :func:`classify_pattern`.
PATTERNS = ("tonic", "adapting", "initial burst", "bursting", "irregular", "transient", "delayed",
            "silent")

#: Thresholds of the criteria (dimensionless), see :func:`classify_pattern`.
ADAPTATION_RATIO = 1.5
INITIAL_BURST_RATIO = 0.25
DELAY_RATIO = 2.5
DELAY_FRACTION = 0.25
INITIAL_BURST_JUMP = 2.0
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
       :math:`L > \max_i \Delta_i`, *and* long in itself: more than 2.5 times the median
       steady-state ISI or more than a quarter of the step, :math:`L > 2.5\,\mathrm{median}`
       or :math:`L > T/4` (the first spike is held back by a slow depolarising process; "delay"
       of Naud et al. 2008 and Markram et al. 2004). A latency somewhat longer than the ISIs is
       normal: the first spike starts from rest, the later ones from the reset. (From spikes
       alone the two cannot always be told apart: a reset close to threshold gives very short
       ISIs, and a normal latency from rest can then exceed 2.5 of them.)
    4. **bursting / irregular** (steady-state ISIs, at least 3): if they form two groups,
       :math:`\max/\min > 3`, ISIs above the geometric mean of max and min are *inter-burst*
       intervals. **bursting** if there are at least 2 of them, every complete burst between two
       of them has the same number of spikes (at least 2) and the inter-burst intervals vary
       little (coefficient of variation < 0.1); otherwise **irregular**. Ungrouped steady-state
       ISIs with a coefficient of variation > 0.2 are also **irregular** (Naud et al. 2008:
       irregular spiking = aperiodic ISI sequence under constant input).
    5. **initial burst**: :math:`N \ge 3`, the first two ISIs are both shorter than 1/4 of the
       median steady-state ISI, and the burst ends *abruptly*: the first ISI that is not that
       short is more than twice the one before it (a burst at onset, then regular spiking; a
       train whose ISIs lengthen by smaller steps is adapting, however short its first ISIs).
    6. **adapting**: the median steady-state ISI is more than 1.5 times the first ISI (the rate
       decreases by more than a third; Naud et al. use an adaptation index on successive ISIs for
       the same distinction).
    7. **tonic**: otherwise (regular spiking from the first ISI on).

    The thresholds (3, 0.1, 0.2, 1/4, 2, 1.5, 2.5, 1/4) are this module's choices (constants
    ``BURST_CONTRAST``, ``BURST_PERIOD_CV``, ``IRREGULAR_CV``, ``INITIAL_BURST_RATIO``,
    ``INITIAL_BURST_JUMP``, ``ADAPTATION_RATIO``, ``DELAY_RATIO``, ``DELAY_FRACTION``), chosen
    so that the presets of Gerstner et al. (2014, Table 6.1) and the parameter sets of Naud et
    al. (2008, Table 1) get their published labels (``tests/test_firing_patterns.py``). The step
    should last several adaptation time constants (500 ms for the presets) for the steady state
    to be reached in its second half.

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
    steady = isi[s[1:] >= T / 2]
    median = np.median(steady if steady.size else isi[-1:])
    if s[0] > np.max(isi) and (s[0] > DELAY_RATIO * median or s[0] > DELAY_FRACTION * T):
        return "delayed"
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
    if n >= 3 and isi[0] < INITIAL_BURST_RATIO * median and isi[1] < INITIAL_BURST_RATIO * median:
        end = int(np.argmax(isi >= INITIAL_BURST_RATIO * median))  # first ISI after the burst
        if isi[end] > INITIAL_BURST_JUMP * isi[end - 1]:
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

    # Steady-state ISIs (ending in the second half): a suffix of each neuron's ISIs; their
    # median (or the last ISI if there are none).
    n_steady = np.bincount(np.repeat(np.arange(n_neurons), n_isi)[isi_end >= half],
                           minlength=n_neurons)
    steady_first = isi_first + n_isi - n_steady
    med_first = np.where(n_steady > 0, steady_first, isi_first + n_isi - 1)
    median_all = _rows(isi, med_first, np.where(multi, np.maximum(n_steady, 1), 0), np.median)
    decide(multi & (s0 > max_isi) & ((s0 > DELAY_RATIO * median_all) | (s0 > DELAY_FRACTION * T)),
           DELAYED)
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
        median = median_all[rest]
        isi0 = isi[isi_first[rest]]
        isi1 = isi[np.minimum(isi_first[rest] + 1, isi.size - 1)]
        initial = ((count[rest] >= 3) & (isi0 < INITIAL_BURST_RATIO * median)
                   & (isi1 < INITIAL_BURST_RATIO * median))
        if np.any(initial):  # ... and the burst ends abruptly
            cand = rest[initial]
            lens = n_isi[cand]
            owner = np.repeat(np.arange(cand.size), lens)
            pos = np.arange(owner.size) - np.repeat(np.cumsum(lens) - lens, lens)
            vals = isi[np.repeat(isi_first[cand], lens) + pos]
            beyond = vals >= INITIAL_BURST_RATIO * median[initial][owner]
            end = np.full(cand.size, np.iinfo(np.int64).max)
            np.minimum.at(end, owner[beyond], pos[beyond])
            after, before = isi[isi_first[cand] + end], isi[isi_first[cand] + end - 1]
            initial[np.flatnonzero(initial)] = after > INITIAL_BURST_JUMP * before
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
                f"I = {float(self.current / pA):.4g} pA: {shares})")

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


def presets_in_plane(model, current, x_name, y_name) -> dict:
    """The presets of :data:`sfa_helpers.models.presets.FIRING_PATTERNS` that lie in the plane
    (``x_name``, ``y_name``) through ``model`` under ``current``: every other parameter and the
    step current equal (to 1e-9 relative). Returns ``{name: (x, y)}`` for ``marks``."""
    from .models.presets import FIRING_PATTERNS

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


#: Names that moved: the figure to sfa_helpers.plots, the widget to sfa_helpers.widgets.
_MOVED = {"PATTERN_COLORS": "sfa_helpers.plots", "plot_pattern_map": "sfa_helpers.plots",
          "PatternMapExplorer": "sfa_helpers.widgets.pattern_map",
          "explore_pattern_map": "sfa_helpers.widgets.pattern_map"}


def __getattr__(name):
    # Old import paths (``from sfa_helpers.firing_patterns import plot_pattern_map``) keep
    # working; the figure and widget modules are imported only then, so importing this module
    # never imports matplotlib or ipywidgets.
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
