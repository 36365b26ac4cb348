"""Spike-train analysis on lists of spike-time arrays (Brian2 quantities in second)."""

from __future__ import annotations

import numpy as np
from brian2 import Hz, Quantity, second

from ._validation import as_quantity


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
