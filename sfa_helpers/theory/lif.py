r"""Closed-form results for the leaky integrate-and-fire neuron (lessons 01 and 02).

LIF (:class:`sfa_helpers.models.LIF`), constant input :math:`I`:

* rheobase :math:`I_{th} = (V_{th} - E_L)/R`;
* time from reset to threshold :math:`T(I) = \tau_m \ln\frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}}`
  for :math:`R I > V_{th} - E_L`;
* firing rate :math:`r(I) = 1/(t_{ref} + T(I))`, and 0 at or below rheobase.
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz, Quantity, amp, second, volt

from ..validation import as_quantity

__all__ = ["lif_values", "lif_rheobase", "lif_time_to_threshold", "lif_rate", "lif_isi_on_grid",
           "lif_step_response"]


def lif_values(model):
    """``(tau_m, E_L, V_th, V_reset, t_ref, R)`` of a LIF-like model as float arrays in SI units
    (second, volt, volt, volt, second, ohm); ``TypeError`` if the model lacks one of them."""
    for name in ("tau_m", "E_L", "V_th", "V_reset", "t_ref", "R"):
        if not hasattr(model, name):
            raise TypeError(f"LIF theory needs a model with '{name}', got {type(model).__name__}.")
    return (np.asarray(model.tau_m), np.asarray(model.E_L), np.asarray(model.V_th),
            np.asarray(model.V_reset), np.asarray(model.t_ref), np.asarray(model.R))


def lif_rheobase(model) -> Quantity:
    r"""Smallest constant current that makes a LIF fire: :math:`I_{th} = (V_{th} - E_L)/R` (amp)."""
    _, E_L, V_th, _, _, R = lif_values(model)
    return (V_th - E_L) / R * amp


def lif_time_to_threshold(model, current) -> Quantity:
    r""":math:`T(I) = \tau_m \ln\frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}}` (second);
    infinite at or below rheobase."""
    current = np.asarray(as_quantity("current", current, amp))
    tau, E_L, V_th, V_reset, _, R = lif_values(model)
    drive = R * current + E_L
    with np.errstate(divide="ignore", invalid="ignore"):
        T = np.where(drive > V_th, tau * np.log((drive - V_reset) / (drive - V_th)), np.inf)
    return T * second


def lif_rate(model, current) -> Quantity:
    r"""Stationary firing rate of a LIF for constant input (Hz):

    .. math:: r(I) = \frac{1}{t_{ref} + \tau_m \ln\frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}}}

    for :math:`R I > V_{th} - E_L`, else 0. ``current`` may be an array (one rate per value).
    """
    T = np.asarray(lif_time_to_threshold(model, current))
    t_ref = lif_values(model)[4]
    with np.errstate(divide="ignore"):
        return np.where(np.isfinite(T), 1.0 / (t_ref + T), 0.0) * Hz


def lif_isi_on_grid(model, current, dt) -> Quantity:
    r"""Inter-spike interval of a LIF *simulated* with exact integration on a time grid of step
    ``dt`` and without refractory period: the threshold is only checked at grid points, so the
    interval is the continuous-time value rounded up to whole steps,
    :math:`\Delta t \lceil T(I)/\Delta t \rceil`."""
    dt = float(as_quantity("dt", dt, second, positive=True, allow_array=False))
    if np.any(lif_values(model)[4] != 0):
        raise ValueError("lif_isi_on_grid assumes t_ref = 0.")
    T = np.asarray(lif_time_to_threshold(model, current))
    return np.ceil(T / dt) * dt * second


def lif_step_response(model, amplitude, start, stop, t) -> Quantity:
    r"""Subthreshold membrane potential of a LIF (no threshold) for a current pulse of
    ``amplitude`` from ``start`` to ``stop``, starting at rest :math:`V(0) = E_L`:

    .. math::

        V(t) = E_L + R I \left(1 - e^{-(t - t_{on})/\tau_m}\right) \text{ for } t_{on} \le t < t_{off},
        \qquad V(t) = E_L + (V(t_{off}) - E_L)\, e^{-(t - t_{off})/\tau_m} \text{ after.}
    """
    amplitude = float(as_quantity("amplitude", amplitude, amp, allow_array=False))
    t_on = float(as_quantity("start", start, second, allow_array=False))
    t_off = float(as_quantity("stop", stop, second, allow_array=False))
    t = np.asarray(as_quantity("t", t, second))
    tau, E_L, _, _, _, R = (float(x) for x in lif_values(model))
    rise = R * amplitude * (1 - np.exp(-np.clip(t - t_on, 0, t_off - t_on) / tau))
    decay = np.exp(-np.clip(t - t_off, 0, None) / tau)
    v = E_L + np.where(t < t_on, 0.0, rise * decay)
    return v * volt
