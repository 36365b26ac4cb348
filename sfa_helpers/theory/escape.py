r"""Escape noise: hazard, survivor function and interval distribution.

For a neuron whose last spike was at :math:`\hat t`, with hazard (escape rate)
:math:`\rho(t|\hat t) = \tau_0^{-1}\exp((u(t|\hat t) - \vartheta)/\Delta_u)`:

.. math::

    S(t|\hat t) = \exp\Big(-\int_{\hat t}^{t}\rho(t'|\hat t)\,dt'\Big), \qquad
    P(t|\hat t) = \rho(t|\hat t)\, S(t|\hat t) = -\frac{dS}{dt},

the probability of surviving (no spike) until :math:`t`, and the density of the next spike (the
interspike-interval distribution of a renewal neuron).

**On a time grid** (how :class:`sfa_helpers.models.EscapeNoise` is simulated) the neuron fires in
step :math:`k = 1, 2, \ldots` after a spike with probability :math:`1 - e^{-\rho_k\Delta}`, so

.. math::

    S_k = \exp\Big(-\Delta\sum_{j=1}^{k}\rho_j\Big), \qquad \Pr(\mathrm{ISI} = k\Delta) = S_{k-1} - S_k,

exactly; :func:`interval_distribution` returns these (the density :math:`(S_{k-1}-S_k)/\Delta`
tends to :math:`\rho S` as :math:`\Delta \to 0`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Hz, Quantity, amp, second, volt

from ..validation import as_quantity, renamed_keywords

__all__ = ["escape_rate", "IntervalDistribution", "interval_distribution", "lif_escape_hazard"]


@renamed_keywords(delta_u="Delta_u")
def escape_rate(u, theta, Delta_u, tau_0) -> Quantity:
    r"""Exponential escape rate :math:`\rho = \tau_0^{-1}\exp((u - \vartheta)/\Delta_u)` (Hz)."""
    u = np.asarray(as_quantity("u", u, volt))
    theta = np.asarray(as_quantity("theta", theta, volt))
    du = float(as_quantity("Delta_u", Delta_u, volt, positive=True, allow_array=False))
    tau0 = float(as_quantity("tau_0", tau_0, second, positive=True, allow_array=False))
    with np.errstate(over="ignore"):
        return np.exp((u - theta) / du) / tau0 * Hz


@dataclass(frozen=True)
class IntervalDistribution:
    r"""Survivor function and interval distribution on the grid :math:`t_k = k\Delta`.

    Attributes
    ----------
    t : Quantity (second)
        Time since the last spike, :math:`t_k`, k = 1 ... K.
    hazard : Quantity (Hz)
        :math:`\rho_k`.
    survivor : ndarray
        :math:`S_k`, the probability of no spike up to and including step k.
    density : Quantity (Hz)
        :math:`\Pr(\mathrm{ISI} = t_k)/\Delta`.
    dt : Quantity (second)
    """

    t: Quantity
    hazard: Quantity
    survivor: np.ndarray
    density: Quantity
    dt: Quantity

    @property
    def probability(self) -> np.ndarray:
        """:math:`\\Pr(\\mathrm{ISI} = t_k)` (sums to ``1 - survivor[-1]``)."""
        return np.asarray(self.density) * float(self.dt)

    def cdf(self) -> np.ndarray:
        """:math:`\\Pr(\\mathrm{ISI} \\le t_k) = 1 - S_k`."""
        return 1.0 - self.survivor

    def mean(self) -> Quantity:
        """Mean interval :math:`\\sum_k t_k \\Pr(t_k)`; ValueError if more than 1e-6 of the
        probability lies beyond the last grid point (extend the grid)."""
        if self.survivor[-1] > 1e-6:
            raise ValueError(f"{self.survivor[-1]:.2g} of the probability lies beyond "
                             f"t = {float(self.t[-1]):g} s; extend the time grid.")
        return float(np.sum(np.asarray(self.t) * self.probability)) * second


def interval_distribution(hazard, dt) -> IntervalDistribution:
    r"""Survivor function and interval distribution from the hazard in steps 1, 2, ... after a
    spike (``hazard[k-1]`` = :math:`\rho_k`, Hz), sampled every ``dt``; see the module docstring."""
    dt = as_quantity("dt", dt, second, positive=True, allow_array=False)
    rho = np.asarray(as_quantity("hazard", hazard, Hz, nonnegative=True), dtype=float)
    if rho.ndim != 1:
        raise ValueError("'hazard' must be a 1-D array (one value per time step).")
    cum = np.cumsum(rho) * float(dt)
    survivor = np.exp(-cum)
    previous = np.concatenate([[1.0], survivor[:-1]])
    density = (previous - survivor) / float(dt)
    t = np.arange(1, rho.size + 1) * dt
    return IntervalDistribution(t=t, hazard=rho * Hz, survivor=survivor, density=density * Hz, dt=dt)


def lif_escape_hazard(model, current, t) -> Quantity:
    r"""Hazard after a spike of ``LIF(...) + EscapeNoise(...)`` (``t_ref = 0``) under a constant
    ``current``: the potential relaxes from the reset,

    .. math:: u(t) = E_L + R I + (V_{reset} - E_L - R I)\, e^{-t/\tau_m},

    and :math:`\rho(t) = \tau_0^{-1}\exp((u(t) - V_{th})/\Delta_u)`. ``t`` (second) is the time
    since the spike; pass :math:`t_k = k\Delta` to get the hazard of the simulated steps.
    """
    for name in ("tau_m", "E_L", "V_th", "V_reset", "R", "Delta_u", "tau_0", "t_ref"):
        value = getattr(model, name, None)
        if value is None:
            raise TypeError(f"lif_escape_hazard needs LIF(...) + EscapeNoise(...); '{name}' is missing.")
        if np.ndim(value) != 0:
            raise ValueError(f"lif_escape_hazard needs a single neuron; '{name}' is an array.")
    if float(model.t_ref) != 0:
        raise ValueError("lif_escape_hazard assumes t_ref = 0 (no absolute refractory period).")
    current = float(as_quantity("current", current, amp, allow_array=False))
    t = np.asarray(as_quantity("t", t, second))
    u_inf = float(model.E_L) + float(model.R) * current
    u = u_inf + (float(model.V_reset) - u_inf) * np.exp(-t / float(model.tau_m))
    return escape_rate(u * volt, model.V_th, model.Delta_u, model.tau_0)
