r"""How well does a model predict spike times? The coincidence factor :math:`\Gamma`.

Kistler, Gerstner & van Hemmen (1997); Jolivet et al. (2008). With :math:`N_{data}` spikes in the
recorded train, :math:`N_{model}` in the predicted one (rate :math:`\nu = N_{model}/T`) and
:math:`N_{coinc}` the number of data spikes matched one-to-one with a model spike no more than
:math:`\Delta` away (precision window, default 2 ms):

.. math::

    \Gamma = \frac{N_{coinc} - \langle N_{coinc}\rangle}{\tfrac12 (N_{data} + N_{model})}\,
             \frac{1}{1 - 2\nu\Delta}, \qquad \langle N_{coinc}\rangle = 2\nu\Delta N_{data},

where :math:`\langle N_{coinc}\rangle` is the number of coincidences expected by chance from a
Poisson train of rate :math:`\nu`, and :math:`1 - 2\nu\Delta` normalises so that :math:`\Gamma = 1`
for identical trains. :math:`\Gamma \approx 0` for a prediction no better than chance;
:math:`\Gamma \le 1`. Because a neuron is not perfectly reliable itself, a model is judged against
the *intrinsic reliability* (:math:`\Gamma` between repeated recordings, :func:`mean_coincidence_factor`).
"""

from __future__ import annotations

import itertools

import numpy as np
from brian2 import ms, second

from .validation import as_quantity, check_spike_times

__all__ = ["coincidences", "coincidence_factor", "mean_coincidence_factor"]


def coincidences(data, model, delta=2 * ms) -> int:
    r"""Number of data spikes paired one-to-one with a model spike within :math:`\pm\Delta`.

    Spikes are matched in time order, each data spike with the earliest model spike not yet used
    that lies within :math:`\pm\Delta`; for windows of equal width this greedy rule gives the
    largest possible number of pairs.
    """
    delta = float(as_quantity("delta", delta, second, positive=True, allow_array=False))
    d = check_spike_times(data, np.inf, "data")
    m = check_spike_times(model, np.inf, "model")
    count, j = 0, 0
    for t in d:
        while j < m.size and m[j] < t - delta - 1e-12:
            j += 1
        if j < m.size and m[j] <= t + delta + 1e-12:
            count += 1
            j += 1
    return count


def coincidence_factor(data, model, duration, delta=2 * ms) -> float:
    r"""Coincidence factor :math:`\Gamma` of a predicted spike train ``model`` against ``data``
    (both spike times in second within ``[0, duration)``); see the module docstring.

    Raises ValueError if both trains are empty (:math:`\Gamma` undefined) or if
    :math:`2\nu\Delta \ge 1` (window too wide for the model's rate).
    """
    duration = float(as_quantity("duration", duration, second, positive=True, allow_array=False))
    delta_s = float(as_quantity("delta", delta, second, positive=True, allow_array=False))
    d = check_spike_times(data, duration, "data")
    m = check_spike_times(model, duration, "model")
    if d.size + m.size == 0:
        raise ValueError("Both spike trains are empty; the coincidence factor is undefined.")
    nu = m.size / duration
    if 2 * nu * delta_s >= 1:
        raise ValueError(f"2*rate*delta = {2 * nu * delta_s:.2f} >= 1: the precision window 'delta' "
                         "is too wide for the model's rate.")
    n_coinc = coincidences(d * second, m * second, delta)
    expected = 2 * nu * delta_s * d.size
    return float((n_coinc - expected) / (0.5 * (d.size + m.size)) / (1 - 2 * nu * delta_s))


def mean_coincidence_factor(data_trains, model_trains, duration, delta=2 * ms) -> float:
    r"""Mean :math:`\Gamma` over all pairs (data trial, model trial). With ``model_trains=None``
    it is the mean over all pairs of *different* data trials: the intrinsic reliability."""
    if model_trains is None:
        pairs = list(itertools.combinations(range(len(data_trains)), 2))
        if not pairs:
            raise ValueError("Intrinsic reliability needs at least two data trials.")
        values = [coincidence_factor(data_trains[a], data_trains[b], duration, delta) for a, b in pairs]
    else:
        if len(data_trains) == 0 or len(model_trains) == 0:
            raise ValueError("'data_trains' and 'model_trains' must not be empty.")
        values = [coincidence_factor(d, m, duration, delta) for d in data_trains for m in model_trains]
    return float(np.mean(values))
