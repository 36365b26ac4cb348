r"""Neurons with escape noise: a stochastic threshold with an exponential hazard.

Instead of firing exactly when the membrane potential :math:`u` crosses a threshold
:math:`\vartheta`, an escape-noise neuron fires with the instantaneous rate (hazard)

.. math:: \rho(t) = \frac{1}{\tau_0} \exp\Big(\frac{u(t) - \vartheta(t)}{\Delta_u}\Big) \quad (\mathrm{Hz}),

so it fires rarely far below threshold, at rate :math:`1/\tau_0` at threshold, and almost surely
within a step far above it. :math:`\Delta_u \to 0` recovers the deterministic threshold.

**Discrete time (what Brian2 simulates).** The threshold condition is evaluated once per time step
:math:`\Delta` (``dt``), after the state update, as ``rand() < 1 - exp(-rho*dt)``: the neuron fires
in a step with probability :math:`p = 1 - e^{-\rho\Delta}`, the exact probability that a Poisson
process of rate :math:`\rho` (held over the step) has at least one event in it. At most one spike
per step; for :math:`\rho\Delta \ll 1`, :math:`p \approx \rho\Delta`.

Classes
-------
EscapeNoise
    Mechanism: ``LIF(...) + EscapeNoise(Delta_u, tau_0)`` replaces the LIF's hard threshold
    ``v > V_th`` by escape noise around ``V_th`` (reset and refractoriness unchanged), a renewal
    neuron under constant input.
EscapeSRM
    Spike-response model (SRM0) with exponential kernels and escape noise, without reset: a GLM.
"""

from __future__ import annotations

import re

import numpy as np
from brian2 import Quantity, amp, mV, ms, ohm, second, volt

from ..validation import as_quantity, renamed_keywords
from .base import ModelSpec, NeuronModel
from .combined import Mechanism

__all__ = ["EscapeNoise", "EscapeSRM"]

_ESCAPE_THRESHOLD = "rand() < 1 - exp(-rho*dt)"


@renamed_keywords(delta_u="Delta_u")
class EscapeNoise(Mechanism):
    r"""Escape noise around the threshold of a base model with potential ``v``.

    The model's hard threshold condition must have the form ``v > <threshold>`` (``v > V_th``
    for a LIF, ``v > Theta`` after :class:`~sfa_helpers.models.AdaptiveThreshold`, so a dynamic
    threshold works: add ``EscapeNoise`` last). It adds the hazard
    :math:`\rho = \tau_0^{-1}\exp((v - \vartheta)/\Delta_u)` with :math:`\vartheta` that
    threshold (recordable as ``'rho'``, Hz) and replaces the condition by
    ``rand() < 1 - exp(-rho*dt)`` (see the module docstring). Reset and refractory period of the
    base model are kept; during the refractory period the neuron cannot fire.

    Parameters
    ----------
    Delta_u : Quantity (volt)
        Softness :math:`\Delta_u > 0` of the threshold (named like ``Delta_T`` of the EIF; the
        old name ``delta_u`` still works in this release, with a ``FutureWarning``).
    tau_0 : Quantity (second)
        :math:`1/\rho` at threshold (> 0).
    """

    requires = ("v",)

    def __init__(self, Delta_u, tau_0):
        self._store({"Delta_u": as_quantity("Delta_u", Delta_u, volt, positive=True),
                     "tau_0": as_quantity("tau_0", tau_0, second, positive=True)})

    def apply(self, spec: ModelSpec) -> ModelSpec:
        match = re.fullmatch(r"\s*v\s*>\s*(.+?)\s*", spec.threshold)
        if match is None or "rand()" in spec.threshold:
            raise TypeError(f"EscapeNoise needs a hard threshold of the form 'v > ...', but the model's "
                            f"threshold is {spec.threshold!r}.")
        return spec.extend(
            equations=(f"rho = exp((v - ({match.group(1)}))/Delta_u)/tau_0 : Hz",),
            parameters={"Delta_u": self.Delta_u, "tau_0": self.tau_0},
            recordable=("rho",),
            threshold=_ESCAPE_THRESHOLD,
        )


@renamed_keywords(delta_u="Delta_u", delta_theta="Delta_theta")
class EscapeSRM(NeuronModel):
    r"""Spike-response model SRM0 with exponential kernels and escape noise.

    .. math::

        u(t) &= u_{rest} + \int_0^\infty \kappa(s)\, I(t-s)\, ds + \sum_f \eta(t - t_f), \\
        \vartheta(t) &= \vartheta_0 + \sum_f \vartheta_1(t - t_f), \qquad
        \rho(t) = \frac{1}{\tau_0}\exp\Big(\frac{u(t) - \vartheta(t)}{\Delta_u}\Big),

    with :math:`\kappa(s) = (R/\tau_m) e^{-s/\tau_m}` (ohm/second; a passive membrane),
    spike-afterpotential :math:`\eta(s) = \eta_0 e^{-s/\tau_\eta}` (:math:`\eta_0 < 0`:
    hyperpolarising, a soft reset) and threshold jump :math:`\vartheta_1(s) = \Delta\vartheta\,
    e^{-s/\tau_\vartheta}` (a dynamic threshold: adaptation). There is no hard reset: the input term
    keeps integrating through a spike, and every past spike adds its kernels (not only the last).
    The kernels are simulated as linear ODEs,

    .. math::

        \tau_m \dot v = u_{rest} - v + R I, \quad \tau_\eta \dot\eta = -\eta, \quad
        \tau_\vartheta \dot\vartheta_1 = -\vartheta_1, \qquad u = v + \eta,

    with ``eta += eta_0`` and ``theta_1 += Delta_theta`` at a spike, integrated with the exact
    one-step solution for an input held constant over each step (Brian2's exponential Euler, which
    is exact for these decoupled linear equations). :math:`\ln\rho` is linear in
    the input and in the past spike train: the model *is* a GLM, and :meth:`glm_filters` gives its
    exact discrete-time filters.

    Parameters
    ----------
    tau_m : Quantity (second)
    u_rest : Quantity (volt)
    R : Quantity (ohm)
    theta_0 : Quantity (volt)
        Threshold without recent spikes.
    Delta_u : Quantity (volt)
        Softness of the threshold (> 0).
    tau_0 : Quantity (second)
        :math:`1/\rho` at threshold (> 0).
    eta_0 : Quantity (volt)
        Amplitude of the spike-afterpotential (default 0 mV).
    tau_eta : Quantity (second)
        Its time constant (default 10 ms).
    Delta_theta : Quantity (volt)
        Threshold jump after a spike (default 0 mV). ``Delta_u`` and ``Delta_theta`` were
        called ``delta_u`` and ``delta_theta``; the old names still work in this release, with a
        ``FutureWarning``.
    tau_theta : Quantity (second)
        Its time constant (default 100 ms).

    Recordable: ``v`` (input part of :math:`u`), ``u``, ``eta``, ``theta``, ``rho``.
    """

    def __init__(self, tau_m, u_rest, R, theta_0, Delta_u, tau_0, eta_0=0 * mV, tau_eta=10 * ms,
                 Delta_theta=0 * mV, tau_theta=100 * ms):
        given = {
            "tau_m": as_quantity("tau_m", tau_m, second, positive=True),
            "u_rest": as_quantity("u_rest", u_rest, volt),
            "R": as_quantity("R", R, ohm, positive=True),
            "theta_0": as_quantity("theta_0", theta_0, volt),
            "Delta_u": as_quantity("Delta_u", Delta_u, volt, positive=True),
            "tau_0": as_quantity("tau_0", tau_0, second, positive=True),
            "eta_0": as_quantity("eta_0", eta_0, volt),
            "tau_eta": as_quantity("tau_eta", tau_eta, second, positive=True),
            "Delta_theta": as_quantity("Delta_theta", Delta_theta, volt),
            "tau_theta": as_quantity("tau_theta", tau_theta, second, positive=True),
        }
        self._store(given)

    def spec(self) -> ModelSpec:
        return ModelSpec(
            equations=(
                "dv/dt = (u_rest - v + R*I_total)/tau_m : volt",
                "deta/dt = -eta/tau_eta : volt",
                "dtheta_1/dt = -theta_1/tau_theta : volt",
                "u = v + eta : volt",
                "theta = theta_0 + theta_1 : volt",
                "rho = exp((u - theta)/Delta_u)/tau_0 : Hz",
            ),
            threshold=_ESCAPE_THRESHOLD,
            reset=("eta += eta_0", "theta_1 += Delta_theta"),
            refractory=None,
            # exponential Euler is exact for these decoupled linear equations with the input held
            # over the step (the same update as 'exact') and avoids a symbolic 3x3 matrix
            # exponential at every build (seconds of sympy)
            method="exponential_euler",
            parameters=dict(self._values),
            initial_values={"v": self._values["u_rest"], "eta": 0 * mV, "theta_1": 0 * mV},
            recordable=("v", "u", "eta", "theta", "rho"),
            time_constants={k: self._values[k] for k in ("tau_m", "tau_eta", "tau_theta")},
        )

    # --- kernels (continuous time) ---
    def _scalar(self, name):
        value = self._values[name]
        if np.ndim(value) != 0:
            raise ValueError(f"Kernels need a single neuron; '{name}' is an array.")
        return float(value)

    def kappa(self, s) -> Quantity:
        r""":math:`\kappa(s) = (R/\tau_m) e^{-s/\tau_m}` for :math:`s \ge 0` (ohm/second)."""
        s = np.asarray(as_quantity("s", s, second))
        tau, R = self._scalar("tau_m"), self._scalar("R")
        return np.where(s >= 0, R / tau * np.exp(-np.clip(s, 0, None) / tau), 0.0) * ohm / second

    def eta(self, s) -> Quantity:
        r""":math:`\eta(s) = \eta_0 e^{-s/\tau_\eta}` for :math:`s > 0` (volt)."""
        s = np.asarray(as_quantity("s", s, second))
        return np.where(s > 0, self._scalar("eta_0") * np.exp(-np.clip(s, 0, None)
                                                              / self._scalar("tau_eta")), 0.0) * volt

    def theta_1(self, s) -> Quantity:
        r""":math:`\vartheta_1(s) = \Delta\vartheta\, e^{-s/\tau_\vartheta}` for :math:`s > 0` (volt)."""
        s = np.asarray(as_quantity("s", s, second))
        return np.where(s > 0, self._scalar("Delta_theta") * np.exp(-np.clip(s, 0, None)
                                                                    / self._scalar("tau_theta")), 0.0) * volt

    def glm_filters(self, dt, stimulus_lags, history_lags) -> dict:
        r"""The exact GLM of this neuron as simulated with time step ``dt``.

        In step :math:`n` the hazard uses the state *after* the update with the input
        :math:`I_n`, so with :math:`a = e^{-\Delta/\tau_m}`

        .. math::

            \ln\frac{\rho_n}{\mathrm{Hz}} = b + \sum_{j\ge0} k_j I_{n-j}\Delta + \sum_{j\ge1} h_j y_{n-j},
            \quad k_j = \frac{R(1-a)a^j}{\Delta_u \Delta}, \quad
            h_j = \frac{\eta_0 e^{-j\Delta/\tau_\eta} - \Delta\vartheta\, e^{-j\Delta/\tau_\vartheta}}{\Delta_u},
            \quad b = \ln\frac{1}{\tau_0\,\mathrm{Hz}} + \frac{u_{rest} - \vartheta_0}{\Delta_u}.

        :math:`k_j \to \kappa(j\Delta)/\Delta_u` as :math:`\Delta \to 0`.

        Returns
        -------
        dict with ``'stimulus'`` (1/(amp*second), on ``stimulus_lags``), ``'history'``
        (dimensionless, on ``history_lags``) and ``'bias'`` (float) — the units of
        :class:`sfa_helpers.glm.GLMFit`'s filters.
        """
        dt = float(as_quantity("dt", dt, second, positive=True, allow_array=False))
        js = np.round(np.asarray(as_quantity("stimulus_lags", stimulus_lags, second)) / dt)
        jh = np.round(np.asarray(as_quantity("history_lags", history_lags, second)) / dt)
        tau, R, du = self._scalar("tau_m"), self._scalar("R"), self._scalar("Delta_u")
        a = np.exp(-dt / tau)
        k = np.where(js >= 0, R * (1 - a) * a ** np.clip(js, 0, None) / (du * dt), 0.0)
        h = np.where(jh >= 1, (self._scalar("eta_0") * np.exp(-jh * dt / self._scalar("tau_eta"))
                               - self._scalar("Delta_theta") * np.exp(-jh * dt / self._scalar("tau_theta")))
                     / du, 0.0)
        bias = (np.log(1 / self._scalar("tau_0"))
                + (self._scalar("u_rest") - self._scalar("theta_0")) / du)
        return {"stimulus": k / (amp * second), "history": h, "bias": float(bias)}
