r"""Exponential integrate-and-fire (EIF) and adaptive exponential integrate-and-fire (AdEx) neurons.

Notation (lesson 04 uses the book's symbols; the code uses the names of the rest of the course
and of NEST):

==========================  ===========  ======================================================
Gerstner et al. (2014)      code / NEST  meaning
==========================  ===========  ======================================================
:math:`u`                   ``v``        membrane potential (volt)
:math:`u_{rest}`            ``E_L``      resting potential (volt)
:math:`\vartheta_{rh}`      ``V_T``      rheobase threshold (volt; NEST: ``V_th``)
:math:`\Delta_T`            ``Delta_T``  slope factor, sharpness of the spike onset (volt)
:math:`u_r`                 ``V_reset``  reset potential (volt)
:math:`w`                   ``w``        adaptation current (amp)
==========================  ===========  ======================================================

EIF (Fourcaud-Trocmé et al. 2003):

.. math::

    \tau_m \frac{dv}{dt} = -(v - E_L) + \Delta_T \exp\!\left(\frac{v - V_T}{\Delta_T}\right) + R I

AdEx (Brette & Gerstner 2005), the EIF plus an adaptation current :math:`w`:

.. math::

    \tau_m \frac{dv}{dt} &= -(v - E_L) + \Delta_T \exp\!\left(\frac{v - V_T}{\Delta_T}\right)
                             - R w + R I \\
    \tau_w \frac{dw}{dt} &= a (v - E_L) - w

and at a spike :math:`v \to V_{reset}`, :math:`w \to w + b`.

Numerical spike cut
-------------------
The exponential term makes :math:`v` diverge in finite time; a spike is the moment :math:`v`
crosses the *spike cut* ``V_peak``. Default: :math:`V_{peak} = V_T + 5\Delta_T`, where the
exponential term is :math:`e^5 \approx 148` times larger than at :math:`V_T`: from there the
divergence takes less than about :math:`\tau_m e^{-5} \approx 0.007\,\tau_m`, so a higher cut moves
spike times by less than that (0.03 ms for :math:`\tau_m` = 5 ms) while keeping the numbers small.
A cut at or below :math:`V_T` is rejected (it would be a hard threshold, not a spike onset).
Inside the exponential, :math:`v` is clipped at ``V_peak`` (as NEST does), so the intermediate
stages of the explicit integrator can never overflow.

Integration
-----------
The equations are nonlinear, so there is no exact one-step update; they are integrated with the
explicit 4th-order Runge-Kutta method (Brian2 ``'rk4'``), the input held constant over each step.
The upswing near the cut is steep (time scale :math:`\tau_m \Delta_T/(v - V_T)` ...), so use
``dt`` <= :data:`RECOMMENDED_DT` (0.02 ms); ``tests/test_adex.py`` checks that spike times at
``dt`` and ``dt/2`` agree. A spike is registered at the end of the step in which ``v`` first
exceeds ``V_peak`` (time stamp: the start of that step, Brian2's convention).

The presets (Table 6.1 of Gerstner et al. 2014 and the firing patterns of lesson 04) are in
:mod:`sfa_helpers.models.presets`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import Quantity, amp, farad, ms, ohm, second, siemens, volt
from brian2.utils.stringtools import word_substitute

from ..validation import as_quantity
from .base import ModelSpec, NeuronModel
from .combined import Mechanism

__all__ = ["EIF", "AdEx", "AdExDynamicThreshold", "RECOMMENDED_DT"]

#: Names that moved to :mod:`sfa_helpers.models.presets`; still importable from here.
_MOVED_TO_PRESETS = ("PatternPreset", "FIRING_PATTERNS", "PATTERN_NAMES", "BOOK_TABLE_6_1",
                     "book_table_model", "firing_pattern_preset", "brette_gerstner_regular_spiking")

#: Largest time step for which spike times of the presets converge (see tests/test_adex.py).
RECOMMENDED_DT = 0.02 * ms

#: The spike cut is placed this many slope factors above V_T unless given.
DEFAULT_CUT_SLOPES = 5.0


def _check_delta_t(Delta_T):
    q = as_quantity("Delta_T", Delta_T, volt)
    if np.any(np.asarray(q) <= 0):
        raise ValueError(
            f"Parameter 'Delta_T' (slope factor) must be positive, got {Delta_T!r}. The exponential "
            "term Delta_T*exp((v - V_T)/Delta_T) is undefined for Delta_T <= 0; the limit "
            "Delta_T -> 0 is a LIF with threshold V_T (use sfa_helpers.models.LIF).")
    return q


class _ExponentialBase(NeuronModel):
    """Validation and equations shared by :class:`EIF` and :class:`AdEx`."""

    _model_name = "EIF"
    _own: tuple = ()

    def _validate(self, common, own, passive, V_peak, V_init):
        given = {
            "tau_m": as_quantity("tau_m", common["tau_m"], second, positive=True),
            "E_L": as_quantity("E_L", common["E_L"], volt),
            "V_T": as_quantity("V_T", common["V_T"], volt),
            "Delta_T": _check_delta_t(common["Delta_T"]),
            "V_reset": as_quantity("V_reset", common["V_reset"], volt),
            "t_ref": as_quantity("t_ref", common["t_ref"], second, nonnegative=True),
        }
        given.update(own)
        passive = {k: v for k, v in passive.items() if v is not None}
        if len(passive) != 1:
            detail = "none was given" if not passive else f"got {sorted(passive)}"
            raise ValueError(
                f"{self._model_name} needs exactly one of 'R' (membrane resistance), 'C_m' "
                f"(capacitance) or 'g_L' (leak conductance) besides 'tau_m'; {detail}.")
        (name, value), = passive.items()
        unit = {"R": ohm, "C_m": farad, "g_L": siemens}[name]
        given[name] = as_quantity(name, value, unit, positive=True)
        V_T, Delta_T = np.asarray(given["V_T"]), np.asarray(given["Delta_T"])
        if V_peak is not None:
            given["V_peak"] = as_quantity("V_peak", V_peak, volt)
            peak = given["V_peak"]
        else:
            peak = (V_T + DEFAULT_CUT_SLOPES * Delta_T) * volt
        if np.any(np.asarray(peak) <= V_T):
            raise ValueError(
                f"Parameter 'V_peak' (the numerical spike cut, {V_peak!r}) must lie above the "
                f"rheobase threshold 'V_T' ({common['V_T']!r}); a cut at or below V_T acts as a hard "
                "threshold and removes the exponential spike onset. Use about V_T + 5*Delta_T or more.")
        if np.any((np.asarray(peak) - V_T) / Delta_T > 600):
            raise ValueError(f"'V_peak' is more than 600 slope factors above 'V_T': "
                             "exp((V_peak - V_T)/Delta_T) would overflow; lower V_peak.")
        if np.any(np.asarray(given["V_reset"]) >= np.asarray(peak)):
            raise ValueError(f"'V_reset' ({common['V_reset']!r}) must be below the spike cut "
                             f"'V_peak' ({Quantity(np.max(np.asarray(peak)), dim=volt.dim)!r}).")
        if V_init is not None:
            given["V_init"] = as_quantity("V_init", V_init, volt)
            if np.any(np.asarray(given["V_init"]) >= np.asarray(peak)):
                raise ValueError("'V_init' must be below the spike cut 'V_peak'.")
        tau = given["tau_m"]
        R_value = {"R": lambda: given["R"], "C_m": lambda: tau / given["C_m"],
                   "g_L": lambda: 1 / given["g_L"]}[name]()
        derived = {"R": R_value, "C_m": tau / R_value, "g_L": 1 / R_value, "V_peak": peak,
                   "V_init": given["E_L"]}
        derived.update(given)
        self._store(given, derived)

    def replace(self, **changes):
        """Copy with changed parameters; giving one of R/C_m/g_L replaces the one used before."""
        unknown = set(changes) - set(self._constructor_names())
        if unknown:
            raise TypeError(f"{type(self).__name__} has no parameter(s) {sorted(unknown)}")
        base = dict(self._given)
        if {"R", "C_m", "g_L"} & set(changes):
            base = {k: v for k, v in base.items() if k not in ("R", "C_m", "g_L")}
        return type(self)(**{**base, **changes})

    def _membrane_equation(self):
        # v is clipped at V_peak inside the exponential (cannot overflow in the RK stages).
        return ("dv/dt = (E_L - v + Delta_T*exp((clip(v, -inf*volt, V_peak) - V_T)/Delta_T)"
                " + R*I_total)/tau_m : volt (unless refractory)")

    def _base_parameters(self):
        return {k: self._values[k]
                for k in ("tau_m", "E_L", "V_T", "Delta_T", "V_reset", "V_peak", "t_ref", "R")}


class EIF(_ExponentialBase):
    r"""Exponential integrate-and-fire neuron (Fourcaud-Trocmé et al. 2003).

    .. math::

        \tau_m \frac{dv}{dt} = -(v - E_L) + \Delta_T \exp\!\left(\frac{v - V_T}{\Delta_T}\right)
        + R\, I(t)

    A spike is registered when :math:`v > V_{peak}` (numerical spike cut); then
    :math:`v \to V_{reset}`, held for ``t_ref``. Rheobase for constant input:
    :math:`I_{rh} = (V_T - E_L - \Delta_T)/R`. Integrated with ``'rk4'`` (see module docstring).

    Parameters
    ----------
    tau_m : Quantity (second)
        Membrane time constant, > 0.
    E_L : Quantity (volt)
        Resting potential :math:`u_{rest}`.
    V_T : Quantity (volt)
        Rheobase threshold :math:`\vartheta_{rh}` (NEST: ``V_th``).
    Delta_T : Quantity (volt)
        Slope factor, > 0 (``ValueError`` otherwise).
    V_reset : Quantity (volt)
        Reset potential :math:`u_r`, below ``V_peak``.
    t_ref : Quantity (second), optional
        Absolute refractory period (default 0 ms).
    R, C_m, g_L : Quantity (ohm, farad, siemens)
        Give exactly one (``R = tau_m/C_m = 1/g_L``).
    V_peak : Quantity (volt), optional
        Spike cut; default ``V_T + 5*Delta_T``. Must be above ``V_T`` (``ValueError``).
    V_init : Quantity (volt), optional
        Membrane potential at t = 0 (default ``E_L``).
    """

    _model_name = "EIF"

    def __init__(self, tau_m, E_L, V_T, Delta_T, V_reset, t_ref=0 * ms, *, R=None, C_m=None,
                 g_L=None, V_peak=None, V_init=None):
        self._validate(dict(tau_m=tau_m, E_L=E_L, V_T=V_T, Delta_T=Delta_T, V_reset=V_reset,
                            t_ref=t_ref), {}, dict(R=R, C_m=C_m, g_L=g_L), V_peak, V_init)

    def spec(self) -> ModelSpec:
        return ModelSpec(
            equations=(self._membrane_equation(),),
            threshold="v > V_peak",
            reset=("v = V_reset",),
            refractory="t_ref",
            method="rk4",
            parameters=self._base_parameters(),
            initial_values={"v": self._values["V_init"]},
            recordable=("v",),
            time_constants={"tau_m": self._values["tau_m"]},
        )


class AdEx(_ExponentialBase):
    r"""Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005).

    .. math::

        \tau_m \frac{dv}{dt} &= -(v - E_L) + \Delta_T \exp\!\left(\frac{v - V_T}{\Delta_T}\right)
                                 - R\, w + R\, I(t) \\
        \tau_w \frac{dw}{dt} &= a\,(v - E_L) - w

    At a spike (:math:`v > V_{peak}`): :math:`v \to V_{reset}` (held for ``t_ref``; :math:`w`
    keeps evolving) and :math:`w \to w + b`. :math:`w` enters through the course's current sum
    (``I_total = I_stim - w``). Integrated with ``'rk4'``; use ``dt <= RECOMMENDED_DT``.

    Parameters
    ----------
    tau_m, E_L, V_T, Delta_T, V_reset, t_ref, R | C_m | g_L, V_peak, V_init
        As for :class:`EIF`.
    a : Quantity (siemens)
        Subthreshold adaptation coupling (any sign; a < 0 is a depolarising, "resonator-like"
        coupling).
    b : Quantity (amp)
        Spike-triggered jump of :math:`w`.
    tau_w : Quantity (second)
        Adaptation time constant, > 0.
    w_init : Quantity (amp), optional
        Adaptation current at t = 0 (default 0 pA).

    Every parameter may be a 1-D array: one neuron per value, one ``NeuronGroup``. Recordable:
    ``'v'``, ``'w'``.

    Examples
    --------
    >>> from brian2 import ms, mV, Mohm, nS, pA
    >>> n = AdEx(tau_m=20*ms, E_L=-70*mV, V_T=-50*mV, Delta_T=2*mV, V_reset=-55*mV,
    ...          a=0*nS, b=5*pA, tau_w=100*ms, R=500*Mohm)
    >>> n.V_peak
    -40. * mvolt
    """

    _model_name = "AdEx"

    def __init__(self, tau_m, E_L, V_T, Delta_T, V_reset, a, b, tau_w, t_ref=0 * ms, *, R=None,
                 C_m=None, g_L=None, V_peak=None, V_init=None, w_init=0 * amp):
        own = {"a": as_quantity("a", a, siemens), "b": as_quantity("b", b, amp),
               "tau_w": as_quantity("tau_w", tau_w, second, positive=True),
               "w_init": as_quantity("w_init", w_init, amp)}
        self._validate(dict(tau_m=tau_m, E_L=E_L, V_T=V_T, Delta_T=Delta_T, V_reset=V_reset,
                            t_ref=t_ref), own, dict(R=R, C_m=C_m, g_L=g_L), V_peak, V_init)

    def spec(self) -> ModelSpec:
        params = self._base_parameters()
        params.update({k: self._values[k] for k in ("a", "b", "tau_w")})
        return ModelSpec(
            equations=(self._membrane_equation(),
                       "dw/dt = (a*(clip(v, -inf*volt, V_peak) - E_L) - w)/tau_w : amp"),
            threshold="v > V_peak",
            reset=("v = V_reset", "w += b"),
            refractory="t_ref",
            method="rk4",
            parameters=params,
            initial_values={"v": self._values["V_init"], "w": self._values["w_init"]},
            currents=("-w",),
            recordable=("v", "w"),
            time_constants={"tau_m": self._values["tau_m"], "tau_w": self._values["tau_w"]},
        )


class AdExDynamicThreshold(Mechanism):
    r"""Dynamic threshold for :class:`EIF` / :class:`AdEx`: the rheobase threshold jumps at
    each spike and relaxes back (a moving spike onset, cf. Badel et al. 2008; Mensi et al. 2012).

    .. math::

        \tau_{VT} \frac{dV_{T,dyn}}{dt} = -(V_{T,dyn} - V_T), \qquad
        V_{T,dyn} \to V_{T,dyn} + \Delta V_T \text{ at each spike},

    and :math:`V_{T,dyn}` replaces :math:`V_T` in the exponential term. The spike cut moves with
    it (:math:`v > V_{peak} + V_{T,dyn} - V_T`), so the cut stays the same number of slope
    factors above the spike onset. ``Delta_VT = 0`` gives the base model back exactly.

    Parameters
    ----------
    tau_VT : Quantity (second)
        Relaxation time constant, > 0.
    Delta_VT : Quantity (volt)
        Jump at each spike, >= 0.

    Recordable: ``'V_T_dyn'``.
    """

    requires = ("v", "V_T", "V_peak")

    def __init__(self, tau_VT, Delta_VT):
        self._store({"tau_VT": as_quantity("tau_VT", tau_VT, second, positive=True),
                     "Delta_VT": as_quantity("Delta_VT", Delta_VT, volt, nonnegative=True)})

    def apply(self, spec: ModelSpec) -> ModelSpec:
        if "V_T_dyn" in spec.initial_values:
            raise ValueError("AdExDynamicThreshold can be added only once.")
        equations = tuple(
            word_substitute(word_substitute(line, {"V_T": "V_T_dyn"}),
                            {"V_peak": "(V_peak + V_T_dyn - V_T)"})
            if line.lstrip().startswith("dv/dt") else line
            for line in spec.equations)
        new = dataclasses.replace(spec, equations=equations)
        return new.extend(
            equations=("dV_T_dyn/dt = (V_T - V_T_dyn)/tau_VT : volt",),
            reset=("V_T_dyn += Delta_VT",),
            parameters={"tau_VT": self.tau_VT, "Delta_VT": self.Delta_VT},
            initial_values={"V_T_dyn": spec.parameters["V_T"]},
            recordable=("V_T_dyn",),
            time_constants={"tau_VT": self.tau_VT},
            threshold="v > V_peak + V_T_dyn - V_T",
        )


def __getattr__(name):
    # The presets moved to models/presets.py (which imports AdEx from here, so they are looked
    # up on first use rather than imported at the top).
    if name in _MOVED_TO_PRESETS:
        from . import presets

        return getattr(presets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
