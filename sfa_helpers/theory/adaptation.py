r"""Steady-state firing rate of adapting integrate-and-fire neurons (mean-adaptation theory).

When a neuron fires regularly at rate :math:`r` and the adaptation variable decays slowly
compared with the inter-spike interval (:math:`\tau \gg 1/r`), the variable hardly changes between
spikes and stays near its mean. Each spike adds :math:`\Delta` and the variable decays with
:math:`\tau`, so its mean is :math:`\tau\,\Delta\, r` (the integral of one jump,
:math:`\Delta\,\tau`, times the number of jumps per second). The neuron then behaves like a plain
LIF with a modified parameter, and the steady-state rate solves the self-consistency equation

.. math:: r = r_{LIF}(I;\ \text{parameters shifted by the mean adaptation at rate } r)

where :math:`r_{LIF}` is the LIF rate :func:`sfa_helpers.theory.lif_rate`,
:math:`r_{LIF} = 1/(t_{ref} + \tau_m \ln\frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}})`:

* adaptation current (:class:`~sfa_helpers.models.AdaptationCurrent`): input
  :math:`I - \tau_{sfa}\,\Delta I_{sfa}\, r`;
* adaptive threshold (:class:`~sfa_helpers.models.AdaptiveThreshold`): threshold
  :math:`V_{th} + \tau_\Theta\,\Delta\Theta\, r`;
* conductance-based adaptation (:class:`~sfa_helpers.models.ConductanceSRA`): an extra leak
  :math:`\bar G = \tau_{SRA}\,\Delta G_{SRA}\, r` towards :math:`E_K`, i.e. a LIF with
  :math:`g = g_L + \bar G`, :math:`E = (g_L E_L + \bar G E_K)/g`, :math:`R = 1/g`,
  :math:`\tau_m = C_m/g`.

The right-hand side decreases with :math:`r` while the left-hand side increases, so there is
exactly one solution in :math:`[0, r_{LIF}(I)]`; it is found by bisection (``scipy.optimize.brentq``).
The approximation ignores the fluctuation of the adaptation variable within an interval; it
becomes exact for :math:`\tau \to \infty` at fixed :math:`\tau\Delta`.
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz, Quantity, amp
from scipy.optimize import brentq

from ..validation import as_quantity
from ..models.adaptation import AdaptationCurrent, AdaptiveThreshold, ConductanceSRA
from ..models.combined import CombinedModel
from ..models.lif import LIF

__all__ = ["adaptive_lif_rate", "mean_adaptation"]

_SUPPORTED = (AdaptationCurrent, AdaptiveThreshold, ConductanceSRA)


def _lif_rate_values(I, tau, E_L, V_th, V_reset, t_ref, R):
    """LIF rate (Hz) for plain floats in SI units; 0 at or below rheobase."""
    drive = R * I + E_L
    if drive <= V_th:
        return 0.0
    return 1.0 / (t_ref + tau * np.log((drive - V_reset) / (drive - V_th)))


def _split(model):
    if isinstance(model, LIF):
        return model, []
    if not isinstance(model, CombinedModel) or not isinstance(model.base, LIF):
        raise TypeError(f"adaptive_lif_rate needs a LIF, optionally plus adaptation mechanisms; got "
                        f"{type(model).__name__}.")
    for mech in model.mechanisms:
        if not isinstance(mech, _SUPPORTED):
            raise TypeError(f"No mean-adaptation theory for {type(mech).__name__}; supported: "
                            f"{[m.__name__ for m in _SUPPORTED]}.")
    return model.base, list(model.mechanisms)


def adaptive_lif_rate(model, currents) -> Quantity:
    r"""Self-consistent steady-state rate (Hz) of an adapting LIF for constant input currents.

    Parameters
    ----------
    model : LIF or LIF + mechanisms
        A :class:`~sfa_helpers.models.LIF`, optionally combined with any of
        :class:`~sfa_helpers.models.AdaptationCurrent`,
        :class:`~sfa_helpers.models.AdaptiveThreshold` and
        :class:`~sfa_helpers.models.ConductanceSRA` (see the module docstring for the equation).
        Array-valued parameters must have the length of ``currents``.
    currents : Quantity (amp), scalar or 1-D

    Returns
    -------
    Quantity (Hz), one rate per current; 0 at or below rheobase. A plain LIF gives
    :func:`sfa_helpers.theory.lif_rate`.
    """
    currents = as_quantity("currents", currents, amp)
    base, mechs = _split(model)
    I = np.atleast_1d(np.asarray(currents, dtype=float))
    n = I.size
    if model.n_neurons not in (1, n):
        raise ValueError(f"The model has {model.n_neurons} neurons but 'currents' has {n} values.")

    def per_neuron(q):
        return np.broadcast_to(np.asarray(q, dtype=float), (n,))

    p = {k: per_neuron(getattr(base, k)) for k in ("tau_m", "E_L", "V_th", "V_reset", "t_ref", "R")}
    m = {}
    for mech in mechs:
        m.update({k: per_neuron(v) for k, v in mech._values.items()})
    rates = np.zeros(n)
    for k in range(n):
        a_I = m["tau_sfa"][k] * m["Delta_I_sfa"][k] if "tau_sfa" in m else 0.0
        a_th = m["tau_Theta"][k] * m["Delta_Theta"][k] if "tau_Theta" in m else 0.0
        a_g = m["tau_SRA"][k] * m["Delta_G_SRA"][k] if "tau_SRA" in m else 0.0
        E_K = m["E_K"][k] if "E_K" in m else 0.0
        tau, E_L, V_th, V_reset, t_ref, R = (p[x][k] for x in ("tau_m", "E_L", "V_th", "V_reset",
                                                                 "t_ref", "R"))
        C = tau / R

        def rhs(r):
            g = 1.0 / R + a_g * r
            E = (E_L / R + a_g * r * E_K) / g
            return _lif_rate_values(I[k] - a_I * r, C / g, E, V_th + a_th * r, V_reset, t_ref, 1.0 / g)

        upper = rhs(0.0)
        if upper == 0.0:
            continue
        rates[k] = brentq(lambda r: r - rhs(r), 0.0, upper, xtol=1e-12, rtol=1e-12)
    return (rates if np.ndim(currents) else rates[:1].reshape(())) * Hz


def mean_adaptation(model, rate) -> dict:
    r"""Mean value of each adaptation variable when firing regularly at ``rate``:
    :math:`\langle x \rangle = \tau\,\Delta\, r`. Returns ``{'I_sfa': ..., 'Theta': ..., 'G_SRA': ...}``
    for the mechanisms the model has (``'Theta'`` is the mean threshold
    :math:`V_{th} + \tau_\Theta \Delta\Theta r`)."""
    rate = as_quantity("rate", rate, Hz, nonnegative=True)
    _, mechs = _split(model)
    out = {}
    for mech in mechs:
        if isinstance(mech, AdaptationCurrent):
            out["I_sfa"] = mech.tau_sfa * mech.Delta_I_sfa * rate
        elif isinstance(mech, AdaptiveThreshold):
            out["Theta"] = model.V_th + mech.tau_Theta * mech.Delta_Theta * rate
        elif isinstance(mech, ConductanceSRA):
            out["G_SRA"] = mech.tau_SRA * mech.Delta_G_SRA * rate
    return out
