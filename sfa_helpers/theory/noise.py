r"""Closed-form results for noise: the Ornstein-Uhlenbeck current and the LIF driven by white
noise (Siegert rate and CV; lessons 05 and 06).
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz, Quantity, amp, second, volt

from ..validation import as_quantity
from .lif import lif_rate, lif_values

__all__ = ["ou_stationary_variance", "ou_autocovariance", "lif_ou_voltage_sd",
           "lif_white_noise_rate", "lif_white_noise_cv"]

# ---------------------------------------------------------------------------------------------
# Noise: the Ornstein-Uhlenbeck process and the LIF driven by white noise (lessons 05 and 06)
# ---------------------------------------------------------------------------------------------

#: Overshoot constant of a Gaussian random walk, -zeta(1/2)/sqrt(2 pi) (Siegmund 1979); used by
#: :func:`lif_white_noise_rate` for the threshold shift caused by a finite time step.
_WALK_OVERSHOOT = 0.5825971579390106


def _ou_args(sigma, tau, dt, method):
    sigma = np.asarray(as_quantity("sigma", sigma, amp, nonnegative=True))
    tau = np.asarray(as_quantity("tau", tau, second, positive=True))
    if method not in ("exact", "euler"):
        raise ValueError(f"'method' must be 'exact' or 'euler', got {method!r}.")
    h = None
    if method == "euler":
        if dt is None:
            raise ValueError("'dt' is required for method='euler'.")
        h = float(as_quantity("dt", dt, second, positive=True, allow_array=False))
        if np.any(h >= 2 * tau):
            raise ValueError(f"Euler-Maruyama is unstable for dt >= 2 tau (dt = {h} s).")
    elif dt is not None:
        as_quantity("dt", dt, second, positive=True, allow_array=False)
    return sigma, tau, h


def ou_stationary_variance(sigma, tau, dt=None, method="exact") -> Quantity:
    r"""Stationary variance (amp²) of the OU current of :func:`sfa_helpers.stimuli.ou`.

    * ``method='exact'``: :math:`\sigma^2`, for any time step (the exact update keeps it).
    * ``method='euler'``: the Euler-Maruyama recursion
      :math:`I_{k+1} = I_k + (\mu - I_k)h/\tau + \sigma\sqrt{2h/\tau}\,n_k` is an AR(1) sequence
      with coefficient :math:`a = 1 - h/\tau` and innovation variance :math:`2\sigma^2 h/\tau`,
      so its variance is :math:`2\sigma^2 (h/\tau)/(1 - a^2) = \sigma^2 / (1 - h/2\tau)`
      (needs ``dt`` = :math:`h < 2\tau`).
    """
    sigma, tau, h = _ou_args(sigma, tau, dt, method)
    if method == "exact":
        return sigma ** 2 * np.ones_like(tau) * amp ** 2
    return sigma ** 2 / (1 - h / (2 * tau)) * amp ** 2


def ou_autocovariance(sigma, tau, lag, dt=None, method="exact") -> Quantity:
    r"""Stationary autocovariance (amp²) of the OU current at time lag ``lag`` (second):

    * ``method='exact'``: :math:`C(s) = \sigma^2 e^{-|s|/\tau}`;
    * ``method='euler'``: :math:`C(k h) = \frac{\sigma^2}{1 - h/2\tau}(1 - h/\tau)^{|k|}` for
      lags that are whole multiples :math:`k` of ``dt`` = :math:`h` (else ``ValueError``).

    ``lag`` may be an array; ``sigma`` and ``tau`` scalars or arrays broadcasting with it.
    """
    sigma, tau, h = _ou_args(sigma, tau, dt, method)
    s = np.abs(np.asarray(as_quantity("lag", lag, second)))
    if method == "exact":
        return sigma ** 2 * np.exp(-s / tau) * amp ** 2
    k = np.round(s / h)
    if np.any(np.abs(k * h - s) > 1e-6 * h):
        raise ValueError("For method='euler', every 'lag' must be a whole multiple of 'dt'.")
    return sigma ** 2 / (1 - h / (2 * tau)) * (1 - h / tau) ** k * amp ** 2


def lif_ou_voltage_sd(model, sigma, tau) -> Quantity:
    r"""Stationary SD of the free membrane potential (no threshold) of a LIF driven by an OU
    current with stationary SD :math:`\sigma` (amp) and correlation time :math:`\tau_s` (second):

    .. math:: \sigma_V = R\,\sigma \sqrt{\frac{\tau_s}{\tau_s + \tau_m}}

    (the variance of the OU current filtered by the membrane, :math:`\int\int` of the
    membrane kernel against :math:`\sigma^2 e^{-|s|/\tau_s}`). For :math:`\tau_s \ll \tau_m` it
    tends to the white-noise value :math:`R\sigma\sqrt{\tau_s/\tau_m}`.
    """
    sigma = np.asarray(as_quantity("sigma", sigma, amp, nonnegative=True))
    tau_s = np.asarray(as_quantity("tau", tau, second, positive=True))
    tau_m, _, _, _, _, R = lif_values(model)
    return R * sigma * np.sqrt(tau_s / (tau_s + tau_m)) * volt


def _white_noise_args(model, mu, sigma, dt):
    mu = np.asarray(as_quantity("mu", mu, amp))
    sigma = np.asarray(as_quantity("sigma", sigma, amp * second ** 0.5, nonnegative=True))
    tau, E_L, V_th, V_reset, t_ref, R = lif_values(model)
    shift = 0.0
    if dt is not None:
        h = float(as_quantity("dt", dt, second, positive=True, allow_array=False))
        shift = _WALK_OVERSHOOT * np.sqrt(h / tau)
    mu_v = E_L + R * mu
    # Brunel's noise amplitude sigma_B (volt): tau dV = (mu_V - V) dt + sigma_B sqrt(tau) dW.
    sigma_b = R * sigma / np.sqrt(tau)
    with np.errstate(divide="ignore", invalid="ignore"):
        y_th = (V_th - mu_v) / sigma_b + shift
        y_r = (V_reset - mu_v) / sigma_b
    return np.broadcast_arrays(mu, sigma, tau, t_ref, y_th, y_r)


#: Above this scaled threshold distance the mean interval exceeds 10^250 tau_m: rate 0 Hz.
_Y_MAX = 24.0


def _siegert_integral(y_r, y_th):
    r""":math:`\sqrt\pi\int_{y_r}^{y_{th}} e^{u^2}(1 + \mathrm{erf}\,u)\,du`, with the integrand
    written as :math:`\sqrt\pi\,\mathrm{erfcx}(-u)` (no overflow of :math:`e^{u^2}` for u < 0)."""
    from scipy.integrate import quad
    from scipy.special import erfcx

    value, _ = quad(lambda u: erfcx(-u), y_r, y_th, epsabs=0, epsrel=1e-10, limit=200)
    return np.sqrt(np.pi) * value


def _outer_cv_integrand(x):
    r""":math:`e^{x^2}\int_{-\infty}^{x} e^{y^2}(1+\mathrm{erf}\,y)^2 dy`, computed with
    :math:`y = x - s` as :math:`\int_0^\infty \mathrm{erfcx}(s - x)^2 e^{2xs - s^2} ds` (every
    factor bounded for x < 0; for x > 0 the integrand is about :math:`4e^{x^2}` on [0, x])."""
    from scipy.integrate import quad
    from scipy.special import erfcx

    # Beyond 'top' the integrand is below e^{-30} of its peak: it is flat up to s = x and then
    # falls like e^{-(s-x)^2} for x > 0, and falls like e^{-2|x| s} for x < 0.
    top = x + 12.0 if x > 0 else 30.0 / (2.0 * abs(x) + 1.0)
    points = [x] if x > 0 else None
    value, _ = quad(lambda s: erfcx(s - x) ** 2 * np.exp(2 * x * s - s * s), 0.0, top,
                    points=points, epsabs=0, epsrel=1e-10, limit=200)
    return value


def lif_white_noise_rate(model, mu, sigma, dt=None) -> Quantity:
    r"""Stationary firing rate (Hz) of a LIF driven by Gaussian white noise,
    :func:`sfa_helpers.stimuli.white_noise` (``mu`` in amp, ``sigma`` in amp·√second):
    the inverse mean first-passage time from reset to threshold plus the refractory period
    (Siegert 1951; Ricciardi 1977; Brunel & Hakim 1999; Brunel 2000):

    .. math::

        \frac{1}{r} = t_{ref} + \tau_m\sqrt{\pi}\int_{y_r}^{y_{th}} e^{u^2}\,(1 + \mathrm{erf}\,u)\,du,
        \qquad y_{th} = \frac{V_{th} - \mu_V}{\sigma_B},\quad y_r = \frac{V_{reset} - \mu_V}{\sigma_B},

    with the mean free potential :math:`\mu_V = E_L + R\mu` and
    :math:`\sigma_B = R\sigma/\sqrt{\tau_m} = \sqrt2\,\sigma_V` (:math:`\sigma_V` the free
    membrane SD). ``sigma = 0`` gives the deterministic :func:`lif_rate`.

    ``dt`` (optional): correct for a simulation on a time grid of step :math:`h`, where the
    threshold is only checked at grid points. The voltage then overshoots before it is noticed,
    which acts like a threshold raised by :math:`\zeta_{1/2}\sqrt{h/\tau_m}\,\sigma_B` with
    :math:`\zeta_{1/2} = -\zeta(1/2)/\sqrt{2\pi} \approx 0.5826`, the mean overshoot of a Gaussian
    random walk in units of its step SD (Siegmund's correction). Without ``dt``: the
    continuous-time result. Arrays of ``mu`` and ``sigma`` give one rate per value.
    """
    mu, sigma, tau, t_ref, y_th, y_r = _white_noise_args(model, mu, sigma, dt)
    rates = np.empty(mu.shape)
    for idx in np.ndindex(mu.shape):
        rates[idx] = _white_noise_rate_one(model, idx, mu, sigma, tau, t_ref, y_th, y_r)
    return (rates if rates.ndim else float(rates)) * Hz


def _white_noise_rate_one(model, idx, mu, sigma, tau, t_ref, y_th, y_r):
    if sigma[idx] == 0:
        return float(np.asarray(lif_rate(_scalar_lif(model, idx), mu[idx] * amp)))
    if y_th[idx] > _Y_MAX:
        return 0.0
    return 1.0 / (t_ref[idx] + tau[idx] * _siegert_integral(y_r[idx], y_th[idx]))


def lif_white_noise_cv(model, mu, sigma, dt=None):
    r"""Coefficient of variation of the inter-spike intervals of a LIF driven by white noise
    (dimensionless; same arguments as :func:`lif_white_noise_rate`), from the variance of the
    first-passage time (Ricciardi 1977; Brunel 2000, appendix A):

    .. math::

        CV^2 = 2\pi\,(r\tau_m)^2 \int_{y_r}^{y_{th}} dx\, e^{x^2}
               \int_{-\infty}^{x} dy\, e^{y^2}\,(1 + \mathrm{erf}\,y)^2 ,

    where :math:`r` is the rate including the refractory period (a dead time adds to the mean
    interval but not to its variance). ``sigma = 0`` gives 0 (regular firing) above rheobase;
    NaN where the neuron is silent (rate 0). Arrays give one CV per value.
    """
    from scipy.integrate import quad

    mu, sigma, tau, t_ref, y_th, y_r = _white_noise_args(model, mu, sigma, dt)
    cvs = np.empty(mu.shape)
    for idx in np.ndindex(mu.shape):
        r = _white_noise_rate_one(model, idx, mu, sigma, tau, t_ref, y_th, y_r)
        if r == 0:
            cvs[idx] = np.nan
        elif sigma[idx] == 0:
            cvs[idx] = 0.0
        else:
            var_t, _ = quad(_outer_cv_integrand, y_r[idx], y_th[idx], epsabs=0, epsrel=1e-8,
                            limit=200)
            cvs[idx] = np.sqrt(2 * np.pi * var_t) * r * tau[idx]
    return cvs if cvs.ndim else float(cvs)


def _scalar_lif(model, idx):
    """The model with every array parameter reduced to its value at ``idx`` (for lif_rate)."""
    values = {}
    for name in ("tau_m", "E_L", "V_th", "V_reset", "t_ref", "R"):
        arr = getattr(model, name)
        values[name] = arr if np.ndim(arr) == 0 else arr[idx]
    return _Scalar(values)


class _Scalar:
    def __init__(self, values):
        self.__dict__.update(values)
