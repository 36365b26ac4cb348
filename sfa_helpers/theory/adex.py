r"""Phase-plane mathematics of the AdEx neuron (:class:`sfa_helpers.models.AdEx`): nullclines,
vector field, fixed points and their stability, saddle-node current. The figure is
:func:`sfa_helpers.plots.plot_phase_plane`, the widget :func:`sfa_helpers.widgets.explore_phase_plane`.

State :math:`(v, w)`, constant input :math:`I`:

.. math::

    \dot v = \frac{-(v - E_L) + \Delta_T e^{(v - V_T)/\Delta_T} - R w + R I}{\tau_m}, \qquad
    \dot w = \frac{a (v - E_L) - w}{\tau_w}

* **v-nullcline** (:math:`\dot v = 0`): :math:`w = [-(v - E_L) + \Delta_T e^{(v-V_T)/\Delta_T}]/R + I`
  (linear plus exponential; a current step shifts it up by :math:`I`).
* **w-nullcline** (:math:`\dot w = 0`): :math:`w = a (v - E_L)`, a line of slope :math:`a`.
* **Fixed points**: with :math:`k = 1 + aR`, :math:`x = (v - V_T)/\Delta_T` solves
  :math:`k \Delta_T x + k (V_T - E_L) - R I = \Delta_T e^x`, i.e. with
  :math:`c = [RI - k(V_T - E_L)]/(k\Delta_T)`,
  :math:`x = c - W(-e^{c}/k)` where :math:`W` is the Lambert W function (branches 0 and -1 for
  :math:`k > 0`: two fixed points when :math:`-1/e < -e^c/k < 0`, none when :math:`-e^c/k < -1/e`;
  branch 0 only for :math:`k < 0`, one fixed point).
* **Saddle-node current** (:math:`k > 0`): the two fixed points merge at
  :math:`I_{SN} = k\,(V_T - E_L - \Delta_T + \Delta_T \ln k)/R`; above it there is none and the
  neuron fires repetitively. For :math:`a = 0` this is the EIF rheobase
  :math:`(V_T - E_L - \Delta_T)/R`.
* **Hopf current** (:math:`aR > \tau_m/\tau_w`, that is :math:`a > C/\tau_w`): the rest state
  loses stability *before* the saddle-node, where the Jacobian's trace vanishes,
  :math:`e^{(v - V_T)/\Delta_T} = 1 + \tau_m/\tau_w`, at
  :math:`I_H = [k (v_H - E_L) - \Delta_T (1 + \tau_m/\tau_w)]/R` with
  :math:`v_H = V_T + \Delta_T \ln(1 + \tau_m/\tau_w)` (Touboul & Brette 2008). For
  :math:`aR \le \tau_m/\tau_w` the rest state stays stable up to :math:`I_{SN}`.
* **Stability**: eigenvalues of the Jacobian
  :math:`J = \begin{pmatrix} (e^{(v-V_T)/\Delta_T} - 1)/\tau_m & -R/\tau_m \\ a/\tau_w & -1/\tau_w \end{pmatrix}`
  (1/second).

Every function takes and returns Brian2 quantities and works for :class:`EIF` too (:math:`a = 0`,
no :math:`w` dynamics: only the v-equation is used).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Quantity, amp, second, volt
from scipy.special import lambertw

from ..models.adex import AdEx, EIF
from ..validation import as_quantity

__all__ = ["FixedPoint", "adex_values", "v_nullcline", "w_nullcline", "fixed_points",
           "saddle_node_current", "hopf_current", "rheobase", "jacobian", "vector_field"]


def adex_values(model) -> dict:
    """The parameters of an AdEx or EIF with one neuron as floats in SI units: ``tau_m``,
    ``E_L``, ``V_T``, ``Delta_T``, ``V_reset``, ``V_peak``, ``R``, ``a``, ``b``, ``tau_w`` (an EIF
    has ``a = b = 0`` and ``tau_w = inf``). ``TypeError`` for another model, ``ValueError`` for
    array parameters."""
    if not isinstance(model, (AdEx, EIF)):
        raise TypeError(f"Phase-plane analysis needs an AdEx or EIF model, got {type(model).__name__}.")
    if model.n_neurons != 1:
        raise ValueError("Phase-plane analysis needs a model with scalar parameters (one neuron).")
    names = ("tau_m", "E_L", "V_T", "Delta_T", "V_reset", "V_peak", "R")
    out = {k: float(np.asarray(getattr(model, k)).ravel()[0]) for k in names}
    if isinstance(model, AdEx):
        for k in ("a", "b", "tau_w"):
            out[k] = float(np.asarray(getattr(model, k)).ravel()[0])
    else:
        out.update(a=0.0, b=0.0, tau_w=np.inf)
    return out


def _unit(q):
    dim = getattr(q, "dim", None)
    return Quantity(1.0, dim=dim) if dim is not None else 1.0


def _current(current):
    return float(as_quantity("current", current, amp, allow_array=False))


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point of the AdEx: ``v`` (volt), ``w`` (amp), the Jacobian ``eigenvalues``
    (complex, 1/second), ``kind`` ('stable node', 'stable focus', 'unstable node',
    'unstable focus', 'saddle') and ``stable`` (both eigenvalues with negative real part)."""

    v: Quantity
    w: Quantity
    eigenvalues: np.ndarray
    kind: str
    stable: bool


def v_nullcline(model, current, v) -> Quantity:
    r"""w on the v-nullcline (amp): :math:`w = [-(v - E_L) + \Delta_T e^{(v-V_T)/\Delta_T}]/R + I`."""
    p = adex_values(model)
    v = np.asarray(as_quantity("v", v, volt))
    exp_term = p["Delta_T"] * np.exp(np.minimum((v - p["V_T"]) / p["Delta_T"], 700))
    return ((-(v - p["E_L"]) + exp_term) / p["R"] + _current(current)) * amp


def w_nullcline(model, v) -> Quantity:
    r"""w on the w-nullcline (amp): :math:`w = a (v - E_L)`."""
    p = adex_values(model)
    v = np.asarray(as_quantity("v", v, volt))
    return p["a"] * (v - p["E_L"]) * amp


def jacobian(model, v, w=0 * amp) -> Quantity:
    r"""Jacobian of :math:`(\dot v, \dot w)` at ``(v, w)``: a 2x2 float array in SI units,
    ``[[d(dv/dt)/dv (1/s), d(dv/dt)/dw (V/(A s))], [d(dw/dt)/dv (A/(V s)), d(dw/dt)/dw (1/s)]]``
    (it does not depend on ``w``; the eigenvalues are in 1/s)."""
    p = adex_values(model)
    v = float(as_quantity("v", v, volt, allow_array=False))
    as_quantity("w", w, amp, allow_array=False)
    e = np.exp(min((v - p["V_T"]) / p["Delta_T"], 700))
    tau_w = p["tau_w"]
    return np.array([[(e - 1) / p["tau_m"], -p["R"] / p["tau_m"]],
                     [p["a"] / tau_w if np.isfinite(tau_w) else 0.0,
                      -1 / tau_w if np.isfinite(tau_w) else 0.0]])


def _classify(eig):
    re = eig.real
    if np.all(re < 0):
        stable, kind = True, "stable focus" if np.any(eig.imag != 0) else "stable node"
    elif np.all(re > 0):
        stable, kind = False, "unstable focus" if np.any(eig.imag != 0) else "unstable node"
    else:
        stable, kind = False, "saddle"
    return kind, stable


def fixed_points(model, current) -> list:
    """Fixed points for constant input ``current`` (amp), sorted by ``v`` (closed form with the
    Lambert W function, see the module docstring). Empty list above the saddle-node current."""
    p = adex_values(model)
    I = _current(current)
    D, R = p["Delta_T"], p["R"]
    k = 1 + p["a"] * R
    if isinstance(model, EIF):
        k = 1.0
    if k == 0:
        vs = [p["V_T"] + D * np.log(-R * I / D)] if I < 0 else []
    else:
        c = (R * I - k * (p["V_T"] - p["E_L"])) / (k * D)
        if c > 700:  # -e^c/k is far beyond -1/e for k > 0 (no fixed point)
            vs = []
        else:
            z = -np.exp(c) / k
            branches = (0, -1) if k > 0 else (0,)
            vs = []
            if k < 0 or z >= -1 / np.e:
                for br in branches:
                    W = lambertw(z, br)
                    if abs(W.imag) < 1e-9:
                        vs.append(p["V_T"] + D * (c - W.real))
    out = []
    for v in sorted(set(np.round(vs, 15))):
        w = p["a"] * (v - p["E_L"])
        J = jacobian(model, v * volt, w * amp)
        if isinstance(model, EIF):
            eig = np.array([complex(J[0, 0])])
        else:
            eig = np.linalg.eigvals(J).astype(complex)
        kind, stable = _classify(eig)
        out.append(FixedPoint(v=v * volt, w=w * amp, eigenvalues=eig, kind=kind, stable=stable))
    return out


def saddle_node_current(model) -> Quantity:
    r"""Current (amp) at which the two fixed points merge and disappear,
    :math:`I_{SN} = k (V_T - E_L - \Delta_T + \Delta_T \ln k)/R` with :math:`k = 1 + aR > 0`.
    NaN for :math:`k \le 0` (one fixed point for every current; no saddle-node)."""
    p = adex_values(model)
    k = 1 + p["a"] * p["R"] if isinstance(model, AdEx) else 1.0
    if k <= 0:
        return np.nan * amp
    return k * (p["V_T"] - p["E_L"] - p["Delta_T"] + p["Delta_T"] * np.log(k)) / p["R"] * amp


def hopf_current(model) -> Quantity:
    r"""Current (amp) at which the rest state loses stability through a Hopf bifurcation,
    before the saddle-node: where the trace of the Jacobian,
    :math:`(e^{(v - V_T)/\Delta_T} - 1)/\tau_m - 1/\tau_w`, vanishes on the rest branch,

    .. math::

        v_H = V_T + \Delta_T \ln(1 + \tau_m/\tau_w), \qquad
        I_H = \frac{k (v_H - E_L) - \Delta_T (1 + \tau_m/\tau_w)}{R}, \quad k = 1 + aR.

    This happens only if :math:`aR > \tau_m/\tau_w` (:math:`a > C/\tau_w`); then
    :math:`I_H < I_{SN}`, the rest state is stable below :math:`I_H` (a focus near it: complex
    eigenvalues whose real part crosses zero at :math:`I_H`) and unstable above.
    NaN otherwise (and for an EIF): the rest state then stays stable up to :func:`saddle_node_current`.
    """
    p = adex_values(model)
    if not isinstance(model, AdEx):
        return np.nan * amp
    ratio = p["tau_m"] / p["tau_w"]
    k = 1 + p["a"] * p["R"]
    if p["a"] * p["R"] <= ratio:
        return np.nan * amp
    v_h = p["V_T"] + p["Delta_T"] * np.log(1 + ratio)
    return (k * (v_h - p["E_L"]) - p["Delta_T"] * (1 + ratio)) / p["R"] * amp


def rheobase(model) -> Quantity:
    r"""Smallest constant current without a fixed point (amp), :func:`saddle_node_current`. Above
    it the neuron fires repetitively. (Below it the rest state can still lose stability through
    a Hopf bifurcation, for :math:`a > C/\tau_w`: :func:`hopf_current`.)"""
    return saddle_node_current(model)


def vector_field(model, current, v, w):
    """``(dv/dt, dw/dt)`` at the points ``(v, w)`` (arrays of equal shape), in V/s and A/s."""
    p = adex_values(model)
    I = _current(current)
    shape = np.shape(v)
    if np.shape(w) != shape:
        raise ValueError(f"'v' and 'w' must have the same shape, got {shape} and {np.shape(w)}.")
    v = np.asarray(as_quantity("v", np.asarray(v).ravel() * _unit(v), volt)).reshape(shape)
    w = np.asarray(as_quantity("w", np.asarray(w).ravel() * _unit(w), amp)).reshape(shape)
    vc = np.minimum(v, p["V_peak"])
    dv = (-(v - p["E_L"]) + p["Delta_T"] * np.exp((vc - p["V_T"]) / p["Delta_T"])
          - p["R"] * w + p["R"] * I) / p["tau_m"]
    dw = (p["a"] * (vc - p["E_L"]) - w) / p["tau_w"]
    return dv * volt / second, dw * amp / second
