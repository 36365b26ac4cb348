"""Spike-train analysis on lists of spike-time arrays (Brian2 quantities in second).

Intervals and rates: ``isis``, ``isi_rate``. Irregularity: ``cv``, ``cv2``, ``lv``,
``isi_histogram``. Correlations: ``serial_correlation`` (rho_k), ``autocorrelogram``, and
``fano_factor`` of windowed spike counts. Sanity checks: ``poisson_spike_trains``. Undefined
values (too few spikes) are NaN with an ``UndefinedStatisticWarning`` that gives the reason.
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz, Quantity, second

from .validation import as_quantity


def _as_trains(spike_trains):
    """Validate spike trains: each 1-D, in second, finite, sorted. Returns float arrays (s).

    Empty trains are valid (a neuron that never fired); a plain empty list needs no units.
    """
    if isinstance(spike_trains, Quantity) and np.ndim(spike_trains) == 1:
        spike_trains = [spike_trains]
    out = []
    for k, train in enumerate(spike_trains):
        name = f"spike_trains[{k}]"
        if np.size(train) == 0:
            if isinstance(train, Quantity) and train.dim is not second.dim:
                as_quantity(name, train, second)  # raises the dimension error
            out.append(np.zeros(0))
            continue
        arr = np.asarray(as_quantity(name, train, second))
        if arr.ndim != 1:
            arr = arr.ravel()
        if np.any(np.diff(arr) < 0):
            raise ValueError(f"{name} is not sorted in time.")
        out.append(arr)
    return out


def isis(spike_train) -> Quantity:
    """Inter-spike intervals of one spike train (second); empty for fewer than two spikes."""
    (arr,) = _as_trains([spike_train])
    return np.diff(arr) * second


def isi_rate(spike_trains, start=None, stop=None) -> Quantity:
    r"""Steady-state rate :math:`1/\langle ISI \rangle` of each train, from the spikes with
    ``start <= t < stop``.

    A train with no spike in the window has rate 0 Hz; a train with exactly one spike has no
    interval, and its rate is NaN (undefined), never a silent 0.
    """
    lo = -np.inf if start is None else float(as_quantity("start", start, second, allow_array=False))
    hi = np.inf if stop is None else float(as_quantity("stop", stop, second, allow_array=False))
    if hi <= lo:
        raise ValueError(f"'stop' ({stop!r}) must be later than 'start' ({start!r}).")
    rates = []
    for arr in _as_trains(spike_trains):
        sel = arr[(arr >= lo) & (arr < hi)]
        if sel.size == 0:
            rates.append(0.0)
        elif sel.size == 1:
            rates.append(np.nan)
        else:
            rates.append(1.0 / np.mean(np.diff(sel)))
    return np.array(rates) * Hz


# ---------------------------------------------------------------------------------------------
# Spike-train statistics for noisy neurons (lessons 05 and 06)
#
# Conventions shared by the functions below:
# * ``spike_trains`` is one spike train (a 1-D Quantity in second) or a sequence of them (e.g.
#   ``result.spike_trains``). One train gives a scalar (or a 1-D array), a sequence gives one value
#   (or row) per train.
# * ``start``/``stop`` restrict the analysis to spikes with start <= t < stop (default: all);
#   intervals are those between consecutive spikes inside that window.
# * A statistic that is undefined for a train (too few spikes, no variability) is NaN, and an
#   ``UndefinedStatisticWarning`` says which trains and why (``warn=False`` silences it when the
#   NaNs are expected). Nothing is ever silently reported as 0.
# * Standard deviations and variances are population values (``ddof=0``), as in Elephant and
#   ``scipy.stats.variation``.
# * Everything is vectorised over trains: the trains are concatenated once and per-train sums are
#   taken with ``np.bincount``; no Python loop over trains.
# ---------------------------------------------------------------------------------------------

import warnings as _warnings

from brian2 import ms as _ms


class UndefinedStatisticWarning(UserWarning):
    """A spike-train statistic is NaN for some trains (the message gives the reason)."""


def _report(statistic, undefined, reason, warn):
    undefined = np.flatnonzero(undefined)
    if warn and undefined.size:
        shown = ", ".join(str(k) for k in undefined[:10]) + (" ..." if undefined.size > 10 else "")
        _warnings.warn(f"{statistic} is NaN for {undefined.size} train(s) (index {shown}): {reason}.",
                       UndefinedStatisticWarning, stacklevel=3)


def _window_bounds(start, stop):
    lo = -np.inf if start is None else float(as_quantity("start", start, second, allow_array=False))
    hi = np.inf if stop is None else float(as_quantity("stop", stop, second, allow_array=False))
    if hi <= lo:
        raise ValueError(f"'stop' ({hi} s) must be later than 'start' ({lo} s).")
    return lo, hi


class _Table:
    """All spikes of all trains in one array: ``times`` (s), ``ids`` (train index), sorted by
    train then time; ``n`` trains; ``single`` if the input was one train."""

    def __init__(self, spike_trains, start=None, stop=None):
        self.single = isinstance(spike_trains, Quantity) and np.ndim(spike_trains) == 1
        if not self.single and isinstance(spike_trains, Quantity):
            raise ValueError("'spike_trains' must be one 1-D spike train or a sequence of them, "
                             f"got a Quantity of shape {np.shape(spike_trains)}.")
        trains = _as_trains(spike_trains)
        self.lo, self.hi = _window_bounds(start, stop)
        if start is not None or stop is not None:
            trains = [a[(a >= self.lo) & (a < self.hi)] for a in trains]
        self.n = len(trains)
        if self.n == 0:
            raise ValueError("'spike_trains' is an empty sequence (no trains to analyse).")
        self.counts = np.array([a.size for a in trains])
        self.times = np.concatenate(trains) if self.counts.sum() else np.zeros(0)
        self.ids = np.repeat(np.arange(self.n), self.counts)

    def intervals(self):
        """(isi values, train id of each isi), in order."""
        same = self.ids[1:] == self.ids[:-1]
        return np.diff(self.times)[same], self.ids[1:][same]

    def out(self, values):
        return values[0] if self.single else values


def _per_train_mean_var(values, ids, n):
    count = np.bincount(ids, minlength=n).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(ids, weights=values, minlength=n) / count
        dev = values - mean[ids]
        var = np.bincount(ids, weights=dev * dev, minlength=n) / count
    return count, mean, var


def cv(spike_trains, *, start=None, stop=None, warn=True):
    r"""Coefficient of variation of the inter-spike intervals (dimensionless):

    .. math:: CV = \frac{\mathrm{SD}(ISI)}{\langle ISI \rangle}

    (population SD). A Poisson process gives 1, a perfectly regular train 0. NaN for a train with
    fewer than 3 spikes (at least two intervals are needed to measure their spread).
    """
    table = _Table(spike_trains, start, stop)
    values, ids = table.intervals()
    count, mean, var = _per_train_mean_var(values, ids, table.n)
    undefined = count < 2
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(undefined, np.nan, np.sqrt(var) / mean)
    _report("CV", undefined, "fewer than 3 spikes (2 intervals)", warn)
    return table.out(result)


def _consecutive_pairs(table):
    values, ids = table.intervals()
    same = ids[1:] == ids[:-1]
    return values[:-1][same], values[1:][same], ids[1:][same]


def cv2(spike_trains, *, start=None, stop=None, warn=True):
    r"""Local coefficient of variation CV2 (Holt et al. 1996), dimensionless:

    .. math:: CV_2 = \left\langle \frac{2\,|I_{i+1} - I_i|}{I_{i+1} + I_i} \right\rangle_i

    It compares only neighbouring intervals, so slow changes of the rate (non-stationarity)
    barely affect it. Poisson: 1; regular: 0. NaN for fewer than 3 spikes.
    """
    table = _Table(spike_trains, start, stop)
    a, b, ids = _consecutive_pairs(table)
    count, mean, _ = _per_train_mean_var(2 * np.abs(b - a) / (a + b), ids, table.n)
    undefined = count < 1
    _report("CV2", undefined, "fewer than 3 spikes (2 intervals)", warn)
    return table.out(np.where(undefined, np.nan, mean))


def lv(spike_trains, *, start=None, stop=None, warn=True):
    r"""Local variation LV (Shinomoto et al. 2003), dimensionless; with :math:`n` intervals:

    .. math:: LV = \frac{3}{n-1}\sum_{i=1}^{n-1}\left(\frac{I_i - I_{i+1}}{I_i + I_{i+1}}\right)^2

    Poisson: 1; regular: 0; bursty > 1. Insensitive to slow rate changes. NaN for fewer than
    3 spikes.
    """
    table = _Table(spike_trains, start, stop)
    a, b, ids = _consecutive_pairs(table)
    count, mean, _ = _per_train_mean_var(((a - b) / (a + b)) ** 2, ids, table.n)
    undefined = count < 1
    _report("LV", undefined, "fewer than 3 spikes (2 intervals)", warn)
    return table.out(np.where(undefined, np.nan, 3 * mean))


def serial_correlation(spike_trains, lags=5, *, start=None, stop=None, warn=True):
    r"""Serial correlation coefficients of the inter-spike intervals, :math:`\rho_1 \ldots
    \rho_K` (dimensionless), ``lags`` = K:

    .. math:: \rho_k = \frac{\frac{1}{n-k}\sum_{i=1}^{n-k}(I_i - \bar I)(I_{i+k} - \bar I)}
                            {\frac{1}{n}\sum_{i=1}^{n}(I_i - \bar I)^2}

    with :math:`\bar I` the mean of the train's :math:`n` intervals. A renewal process (e.g.
    Poisson, a LIF with white noise) has :math:`\rho_k = 0`; adaptation makes :math:`\rho_1 < 0`
    (a long interval lets the adaptation decay, so the next one tends to be short). The estimate
    has a standard error of about :math:`1/\sqrt{n}` for uncorrelated intervals.

    Returns shape ``(K,)`` for one train, ``(trains, K)`` for a sequence. NaN where a train has
    fewer than k + 2 intervals, or all its intervals are equal (no variance to normalise by).
    """
    if isinstance(lags, (bool, np.bool_)) or not isinstance(lags, (int, np.integer)) or lags < 1:
        raise ValueError(f"'lags' must be a positive integer, got {lags!r}.")
    table = _Table(spike_trains, start, stop)
    values, ids = table.intervals()
    count, mean, var = _per_train_mean_var(values, ids, table.n)
    dev = values - mean[ids] if values.size else values
    # Intervals equal up to rounding (a regular train built as k * period) count as constant.
    varies = var > (1e-9 * np.nan_to_num(mean)) ** 2
    rho = np.full((table.n, lags), np.nan)
    for k in range(1, lags + 1):
        same = ids[k:] == ids[:-k]
        prods = (dev[:-k] * dev[k:])[same]
        pid = ids[k:][same]
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = np.bincount(pid, weights=prods, minlength=table.n) / (count - k)
            rho[:, k - 1] = np.where((count >= k + 2) & varies, cov / var, np.nan)
    _report("serial_correlation", count < 3, "fewer than 3 intervals", warn)
    _report("serial_correlation", (count >= 3) & ~varies, "all intervals equal (zero variance)",
            warn)
    return table.out(rho)


def fano_factor(spike_trains, window, *, start=0 * second, stop=None, warn=True):
    r"""Fano factor of the spike counts in consecutive windows (dimensionless):

    .. math:: F = \frac{\mathrm{Var}(N_w)}{\langle N_w \rangle}

    where :math:`N_w` is the number of spikes in the windows :math:`[t_0 + jw, t_0 + (j+1)w)`,
    :math:`j = 0 \ldots \lfloor (t_1 - t_0)/w \rfloor - 1` (``start`` = :math:`t_0`, ``stop`` =
    :math:`t_1`, the end of the recording, which must be given because a silent end of a
    recording is part of the statistics; a last, incomplete window is dropped). Poisson: 1 for
    every window; for a renewal process :math:`F \to CV^2` for windows much longer than an
    interval. NaN (with a warning) for a train without spikes.
    """
    window = float(as_quantity("window", window, second, positive=True, allow_array=False))
    if stop is None:
        raise ValueError("'stop' (the end of the recording, second) is required for the Fano "
                         "factor, e.g. stop=result.duration.")
    table = _Table(spike_trains, start, stop)
    n_windows = int(np.floor((table.hi - table.lo) / window * (1 + 1e-12)))
    if n_windows < 2:
        raise ValueError(f"'window' ({window} s) must fit at least twice into [start, stop) "
                         f"({table.hi - table.lo} s).")
    k = np.floor((table.times - table.lo) / window).astype(int)
    keep = k < n_windows
    counts = np.bincount(table.ids[keep] * n_windows + k[keep],
                         minlength=table.n * n_windows).reshape(table.n, n_windows)
    mean = counts.mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(mean > 0, counts.var(axis=1) / mean, np.nan)
    _report("Fano factor", mean == 0, "no spikes in the counting windows", warn)
    return table.out(result)


def autocorrelogram(spike_trains, window=50 * _ms, bins=41, *, normalize="rate", start=None,
                    stop=None, warn=True):
    r"""Spike-train autocorrelogram: histogram of the time differences :math:`d = t_j - t_i`
    between all pairs of *distinct* spikes of a train (both orders, so it is symmetric; the
    trivial :math:`d = 0` of a spike with itself is left out), for :math:`|d| <` ``window``.

    Bin convention: ``bins`` bins of width :math:`b = 2W/\text{bins}` cover :math:`[-W, W)`;
    bin :math:`k` is the half-open interval :math:`[-W + kb,\, -W + (k+1)b)`, and the returned
    lag is its centre. With an odd number of bins (default 41 in :math:`\pm 50` ms) a bin is
    centred on lag 0.

    ``normalize``:

    * ``'rate'`` (default, Hz): counts divided by (number of spikes × b), the rate of spikes at
      lag :math:`s` given a spike at 0. A Poisson train of rate :math:`r` gives a flat
      :math:`r` (times :math:`1 - |s|/T` for a recording of length :math:`T`, because pairs
      cannot straddle its ends); a regular train peaks at multiples of its period.
    * ``'count'`` (dimensionless): the raw number of pairs per bin.

    Returns ``(lags, values)``: lags (second) of shape ``(bins,)``, values of shape ``(bins,)``
    for one train or ``(trains, bins)`` for a sequence. With ``'rate'`` a train without spikes
    gives NaN (with a warning).
    """
    W = float(as_quantity("window", window, second, positive=True, allow_array=False))
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"'bins' must be a positive integer, got {bins!r}.")
    if normalize not in ("rate", "count"):
        raise ValueError(f"'normalize' must be 'rate' or 'count', got {normalize!r}.")
    table = _Table(spike_trains, start, stop)
    b = 2 * W / bins
    hist = np.zeros(table.n * bins)
    times, ids = table.times, table.ids
    k = 1
    while k < times.size:
        d = times[k:] - times[:-k]
        pair = (ids[k:] == ids[:-k]) & (d < W)
        if not pair.any():
            break  # trains are sorted: larger k only gives larger differences
        d, pid = d[pair], ids[k:][pair]
        for signed in (d, -d):
            idx = np.minimum(np.floor((signed + W) / b).astype(int), bins - 1)
            hist += np.bincount(pid * bins + idx, minlength=table.n * bins)
        k += 1
    hist = hist.reshape(table.n, bins)
    lags = (-W + (np.arange(bins) + 0.5) * b) * second
    if normalize == "count":
        return lags, table.out(hist)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = hist / (table.counts[:, None] * b)
    _report("autocorrelogram", table.counts == 0, "no spikes to normalise by", warn)
    return lags, table.out(rate) * Hz


def isi_histogram(spike_trains, bins=50, *, range=None, density=True, start=None, stop=None):
    r"""Histogram of the inter-spike intervals, pooled over all given trains.

    ``bins`` equal bins over ``range`` = (low, high) in second (default: 0 to the longest
    interval). Returns ``(edges, values)``: edges (second), and either the probability density
    (Hz; it integrates to 1 over the range, an estimate of the interval distribution
    :math:`P(I)`) or, with ``density=False``, counts. Raises ``ValueError`` when there is no
    interval at all (every train has fewer than 2 spikes).
    """
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"'bins' must be a positive integer, got {bins!r}.")
    table = _Table(spike_trains, start, stop)
    values, _ = table.intervals()
    if values.size == 0:
        raise ValueError("No inter-spike interval: every train has fewer than 2 spikes.")
    if range is None:
        lo, hi = 0.0, float(values.max())
    else:
        lo, hi = (float(as_quantity("range", r, second, allow_array=False)) for r in range)
        if hi <= lo:
            raise ValueError(f"'range' must be increasing, got {range!r}.")
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    if not density:
        return edges * second, counts
    if counts.sum() == 0:
        raise ValueError(f"No interval inside 'range' {range!r}.")
    return edges * second, counts / (counts.sum() * np.diff(edges)) * Hz


def poisson_spike_trains(rate, duration, *, n=None, dead_time=0 * second, seed=None):
    r"""Homogeneous Poisson spike trains (for sanity checks of the statistics).

    Intervals are independent: :math:`I = d + E` with :math:`E` exponential, where the dead time
    :math:`d` (``dead_time``, default 0) models an absolute refractory period. The exponential's
    rate is chosen so that the *output* rate is ``rate`` = :math:`r`:
    :math:`\langle I\rangle = 1/r`, hence :math:`E` has mean :math:`1/r - d` and
    :math:`CV = 1 - r d` (1 without dead time). The first spike follows the same rule from
    :math:`t = 0`, a stationary start only for :math:`d = 0`.

    ``rate`` (Hz) is a scalar or an array (one train per value); ``n`` repeats a scalar rate
    ``n`` times. Returns a list of spike trains (second) in ``[0, duration)``. ``seed``: an
    integer for reproducible trains (numpy's ``default_rng``).
    """
    rate = np.atleast_1d(np.asarray(as_quantity("rate", rate, Hz, nonnegative=True)))
    T = float(as_quantity("duration", duration, second, positive=True, allow_array=False))
    d = float(as_quantity("dead_time", dead_time, second, nonnegative=True, allow_array=False))
    if n is not None:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"'n' must be a positive integer, got {n!r}.")
        if rate.size != 1:
            raise ValueError("Give either an array of rates or 'n' with a single rate, not both.")
        rate = np.repeat(rate, n)
    if np.any(rate * d >= 1):
        raise ValueError(f"'rate' x 'dead_time' must be below 1 (got rate up to {rate.max()} Hz "
                         f"with dead_time {d} s).")
    if seed is not None and (isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ValueError(f"'seed' must be a non-negative integer or None, got {seed!r}.")
    rng = np.random.default_rng(seed)
    trains = []
    for r in rate:
        if r == 0:
            trains.append(np.zeros(0) * second)
            continue
        mean_exp = 1 / r - d
        expected = r * T
        n_draw = int(expected + 6 * np.sqrt(expected) + 10)
        t = np.cumsum(d + rng.exponential(mean_exp, n_draw))
        while t[-1] < T:  # rarely needed: extend until the train passes the end
            t = np.concatenate([t, t[-1] + np.cumsum(d + rng.exponential(mean_exp, n_draw))])
        trains.append(t[t < T] * second)
    return trains


# --- Adaptation (lessons 02 and 03): first and steady-state intervals, mean potential ---------

def _window_trains(spike_trains, start, stop):
    lo = -np.inf if start is None else float(as_quantity("start", start, second, allow_array=False))
    hi = np.inf if stop is None else float(as_quantity("stop", stop, second, allow_array=False))
    if hi <= lo:
        raise ValueError(f"'stop' ({hi} s) must be later than 'start' ({lo} s).")
    return [arr[(arr >= lo) & (arr < hi)] for arr in _as_trains(spike_trains)]


def first_isi_rate(spike_trains, start=None, stop=None) -> Quantity:
    r"""Initial firing rate :math:`1/(t_2 - t_1)` of each train, from its first two spikes with
    ``start <= t < stop`` (e.g. the window of a current step).

    No spike in the window gives 0 Hz; exactly one spike gives NaN (there is no interval: mark
    such neurons as "single spike" rather than reading a rate).
    """
    rates = []
    for sel in _window_trains(spike_trains, start, stop):
        rates.append(0.0 if sel.size == 0 else np.nan if sel.size == 1 else 1.0 / (sel[1] - sel[0]))
    return np.array(rates) * Hz


def steady_state_isi_rate(spike_trains, start=None, stop=None, n_last=1) -> Quantity:
    r"""Adapted firing rate of each train: the inverse of the mean of its last ``n_last``
    inter-spike intervals in ``start <= t < stop``, :math:`1/\langle t_{k+1} - t_k\rangle_{last}`.

    0 Hz without spikes, NaN with a single spike; with fewer than ``n_last`` intervals all
    available intervals are used.
    """
    if isinstance(n_last, bool) or not isinstance(n_last, (int, np.integer)) or n_last < 1:
        raise ValueError(f"'n_last' must be a positive integer, got {n_last!r}.")
    rates = []
    for sel in _window_trains(spike_trains, start, stop):
        if sel.size == 0:
            rates.append(0.0)
        elif sel.size == 1:
            rates.append(np.nan)
        else:
            rates.append(1.0 / np.mean(np.diff(sel)[-n_last:]))
    return np.array(rates) * Hz


def mean_potential(result, start=None, stop=None, variable="v") -> Quantity:
    r"""Time-averaged recorded variable (default the membrane potential ``v``, volt) of each
    neuron over ``start <= t < stop``: :math:`\bar V = \frac{1}{N}\sum_{t_k \in window} V(t_k)`.

    ``result`` is a :class:`sfa_helpers.SimulationResult` that recorded ``variable``. Reset models
    never show the spike itself in ``v``, so this is the mean of the subthreshold trajectory.
    """
    if variable not in getattr(result, "traces", {}):
        raise ValueError(f"'result' did not record '{variable}'; simulate with record=('{variable}', ...).")
    t = np.asarray(result.t, dtype=float)
    lo = -np.inf if start is None else float(as_quantity("start", start, second, allow_array=False))
    hi = np.inf if stop is None else float(as_quantity("stop", stop, second, allow_array=False))
    if hi <= lo:
        raise ValueError(f"'stop' ({hi} s) must be later than 'start' ({lo} s).")
    sel = (t >= lo - 1e-9 * float(result.dt)) & (t < hi - 1e-9 * float(result.dt))
    if not np.any(sel):
        raise ValueError("The window [start, stop) contains no recorded sample.")
    trace = result.traces[variable]
    return Quantity(np.mean(np.asarray(trace)[:, sel], axis=1), dim=trace.dim)
