r"""Firing-pattern classification of step responses, and maps of patterns over two parameters.

:func:`classify_pattern` labels the spike train of a neuron driven by a current step with one of
the seven patterns of Gerstner et al. (2014, ch. 6) and Naud et al. (2008) -- 'tonic',
'adapting', 'initial burst', 'bursting', 'irregular', 'transient', 'delayed' -- or 'silent'.
:func:`pattern_map` simulates a grid over two model parameters as *one* ``NeuronGroup`` and
classifies every neuron; :func:`plot_pattern_map` draws the result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from brian2 import Quantity, amp, ms, second

from ._validation import as_quantity

__all__ = ["PATTERNS", "classify_pattern", "classify_result", "PatternMap", "pattern_map",
           "plot_pattern_map", "PATTERN_COLORS"]

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


def classify_result(result, start=0 * ms, stop=None) -> list:
    """:func:`classify_pattern` for every neuron of a :class:`SimulationResult` (``stop``
    defaults to the end of the run)."""
    stop = result.duration if stop is None else stop
    return [classify_pattern(train, start, stop) for train in result.spike_trains]


@dataclass(frozen=True)
class PatternMap:
    """Result of :func:`pattern_map`: ``labels[j, i]`` is the pattern at
    ``(x_values[i], y_values[j])``; ``elapsed`` is the wall time (s) of simulation plus
    classification."""

    x_name: str
    x_values: Quantity
    y_name: str
    y_values: Quantity
    labels: np.ndarray
    model: object
    current: Quantity
    duration: Quantity
    elapsed: float

    def label_at(self, x, y) -> str:
        """Label of the grid point nearest to ``(x, y)``."""
        i = int(np.argmin(np.abs(np.asarray(self.x_values) - float(x))))
        j = int(np.argmin(np.abs(np.asarray(self.y_values) - float(y))))
        return str(self.labels[j, i])

    def fractions(self) -> dict:
        """Fraction of the grid with each label."""
        return {p: float(np.mean(self.labels == p)) for p in PATTERNS if np.any(self.labels == p)}


def pattern_map(model, current, x_name, x_values, y_name, y_values, *, duration=500 * ms,
                dt=0.05 * ms) -> PatternMap:
    """Classify the step responses on a grid over two parameters of ``model``, all grid points in
    one ``NeuronGroup`` (one simulation run).

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
    dt : Quantity (second)
        Default 0.05 ms: spike times are then within ~0.3 ms of the converged ones (see
        tests/test_adex.py), far below the ISI differences the criteria use.
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
    labels = np.array(classify_result(result), dtype=object).reshape(X.shape)
    return PatternMap(x_name=x_name, x_values=xs, y_name=y_name, y_values=ys, labels=labels,
                      model=model, current=current, duration=result.duration,
                      elapsed=time.perf_counter() - t0)


def plot_pattern_map(pmap: PatternMap, *, ax=None, marks=None, x_unit=None, y_unit=None):
    """Coloured map of ``pmap`` with a legend of the labels present. ``marks`` is a dict
    ``name -> (x, y)`` (quantities) of points to mark (e.g. presets). Axis units default to the
    parameters' display units (nS, pA, mV, ms)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    from brian2 import mV, nS, pA

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")

    def unit_for(q, given):
        if given is not None:
            return given, str(given)
        for u, lab in ((nS, "nS"), (pA, "pA"), (mV, "mV"), (ms, "ms")):
            if q.dim is u.dim:
                return u, lab
        return 1, ""

    xu, xl = unit_for(pmap.x_values, x_unit)
    yu, yl = unit_for(pmap.y_values, y_unit)
    codes = np.vectorize(PATTERNS.index)(pmap.labels)
    cmap = ListedColormap([PATTERN_COLORS[p] for p in PATTERNS])
    xv, yv = np.asarray(pmap.x_values / xu), np.asarray(pmap.y_values / yu)

    def edges(c):
        if c.size == 1:
            return np.array([c[0] - 0.5, c[0] + 0.5])
        mid = (c[1:] + c[:-1]) / 2
        return np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])

    ax.pcolormesh(edges(xv), edges(yv), codes, cmap=cmap, vmin=-0.5, vmax=len(PATTERNS) - 0.5,
                  shading="flat")
    for name, (x, y) in (marks or {}).items():
        px, py = float(x / xu), float(y / yu)
        ax.plot(px, py, "*", ms=14, mfc="w", mec="k")
        ax.annotate(name, (px, py), xytext=(6, 6), textcoords="offset points", fontsize=9,
                    bbox=dict(boxstyle="round,pad=0.2", fc="w", alpha=0.8))
    present = [p for p in PATTERNS if np.any(pmap.labels == p)]
    ax.legend(handles=[Patch(color=PATTERN_COLORS[p], label=p) for p in present],
              loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_xlabel(f"{pmap.x_name} ({xl})")
    ax.set_ylabel(f"{pmap.y_name} ({yl})")
    return ax
