"""Self-checks for exercise sheet 02 (refractoriness).

Every reference is computed from closed forms (the LIF interval of :mod:`sfa_helpers.theory`,
the relaxing threshold, the mean of the exponential trajectory over one interval), never by running
the student's kind of simulation.
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz, Mohm, amp, mV, ms, pA, second, volt

from .. import theory
from ..models import LIF
from .core import Feedback, call_safely, check_choice, check_quantity

__all__ = ["check_clamp_isi", "check_clamp_rates", "check_clamp_I90", "check_threshold_crossover",
           "check_threshold_max_rate", "check_clamp_mean_v", "check_mean_v_reason",
           "BASE", "TAU_VC", "V_TH_MAX", "TAU_VTH", "DT", "CLAMP_CURRENTS", "MEAN_V_CURRENTS"]

#: The base neuron of lesson 02 (C_m 100 pF, R_m 100 MOhm, tau_m 10 ms).
BASE = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=100 * Mohm)
TAU_VC = 2.5 * ms            #: clamp duration (method 1)
V_TH_MAX = 200 * mV          #: threshold just after a spike (method 2)
TAU_VTH = 1 * ms             #: threshold relaxation (method 2)
DT = 0.02 * ms               #: time step of the lesson
#: Currents of the clamp sweep (exercise 2) and of the mean-potential exercise (6).
CLAMP_CURRENTS = np.array([250, 300, 400, 600, 1000, 2000, 5000, 20000]) * pA
MEAN_V_CURRENTS = np.array([150, 300, 600]) * pA


def _p():
    """Base parameters as plain SI floats: tau, E_L, V_th, V_reset, R."""
    return tuple(float(BASE[k]) for k in ("tau_m", "E_L", "V_th", "V_reset", "R"))


def _time_to_threshold(current):
    """T(I) of the base neuron in seconds (:func:`sfa_helpers.theory.lif_time_to_threshold`),
    inf at or below rheobase (plain floats in, plain floats out)."""
    current = np.asarray(current, dtype=float) * amp
    return np.asarray(theory.lif_time_to_threshold(LIF(**BASE), current))


# --- exercise 1: the interval of the clamped LIF in closed form ------------------------------

def check_clamp_isi(clamp_isi) -> Feedback:
    """``clamp_isi(I)``: tau_vc + T(I) for one current, inf at or below rheobase."""
    name = "clamp_isi(I)"
    for current in (250 * pA, 400 * pA, 1000 * pA, 20000 * pA):
        value, problem = call_safely(clamp_isi, current, name=name)
        if problem is not None:
            return problem
        expected = (float(TAU_VC) + float(_time_to_threshold(float(current)))) * second
        feedback = check_quantity(value, expected, rtol=1e-4, name=name)
        if not feedback:
            no_clamp = float(_time_to_threshold(float(current))) * second
            if feedback.kind == "imprecise" and check_quantity(value, no_clamp, rtol=1e-4):
                return Feedback(False, "concept", f"{name} is the time from reset to threshold "
                                                  "only: the clamp adds its duration to every interval.")
            return feedback
    for current in (150 * pA, 199 * pA):
        value, problem = call_safely(clamp_isi, current, name=name)
        if problem is not None:
            return problem
        try:
            infinite = np.isposinf(float(np.asarray(value, dtype=float)))
        except (TypeError, ValueError):
            infinite = False
        if not infinite:
            return Feedback(False, "concept", f"{name} below rheobase: V never reaches the threshold, "
                                              "so the interval should be infinite (np.inf * second).")
    return Feedback(True, "right", f"{name} is right.")


# --- exercise 2: the clamp's f-I curve on the time grid --------------------------------------

def _clamp_rates_on_grid():
    """1/ISI of the clamped LIF simulated on the grid of step DT: the threshold is checked only at
    grid points, and the spike's own step is the first clamped step, so
    ISI = tau_vc + (ceil(T/dt) - 1) dt."""
    h = float(DT)
    T = _time_to_threshold(np.asarray(CLAMP_CURRENTS))
    isi = float(TAU_VC) + (np.ceil(T / h) - 1) * h
    return 1 / isi * Hz


def check_clamp_rates(rates) -> Feedback:
    """ISI-based rates of the clamped LIF for :data:`CLAMP_CURRENTS` (dt 0.02 ms, no noise)."""
    feedback = check_quantity(rates, _clamp_rates_on_grid(), rtol=0.003, name="clamp_rates")
    if not feedback and feedback.kind not in ("units", "type", "missing", "nan"):
        values = np.asarray(rates, dtype=float)
        if values.shape == (len(CLAMP_CURRENTS),) and np.any(values >= 1 / float(TAU_VC)):
            return Feedback(False, "concept", "clamp_rates: some rate reaches 1/tau_vc, which the "
                                              "clamp forbids; use the intervals after the clamp.")
    return feedback


# --- exercise 3: how slowly the bound is approached ------------------------------------------

def _current_at_fraction(fraction=0.9):
    """Current at which tau_vc + T(I) = tau_vc / fraction (closed form for V_inf = E_L + R I)."""
    tau, E_L, V_th, V_reset, R = _p()
    T = float(TAU_VC) * (1 / fraction - 1)
    q = np.exp(T / tau)                      # (V_inf - V_reset) / (V_inf - V_th)
    v_inf = (q * V_th - V_reset) / (q - 1)
    return (v_inf - E_L) / R * amp


def check_clamp_I90(I_90) -> Feedback:
    """Current at which the clamped LIF fires at 90 % of 1/tau_vc."""
    return check_quantity(I_90, _current_at_fraction(0.9), rtol=0.005, name="I_90")


# --- exercise 4: relative refractoriness beats the clamp's bound ------------------------------

def _crossover_current(reset=True):
    """Current at which method 2's interval equals tau_vc. After a spike V climbs from V_reset,
    V(t) = V_inf + (V_reset - V_inf) e^{-t/tau_m}, and the threshold falls,
    Theta(t) = V_th + (Theta_max - V_th) e^{-t/tau_Theta}; V(tau_vc) = Theta(tau_vc) is linear in
    V_inf = E_L + R I. ``reset=False``: the same neuron without the voltage reset (V sits at
    V_inf), the answer of a student who forgot the reset."""
    tau, E_L, V_th, V_reset, R = _p()
    theta = V_th + (float(V_TH_MAX) - V_th) * np.exp(-float(TAU_VC) / float(TAU_VTH))
    if not reset:
        return (theta - E_L) / R * amp
    q = np.exp(-float(TAU_VC) / tau)
    v_inf = (theta - V_reset * q) / (1 - q)
    return (v_inf - E_L) / R * amp


def check_threshold_crossover(I_cross) -> Feedback:
    """Current above which the threshold-increase neuron (with its voltage reset) fires faster
    than 1/tau_vc."""
    feedback = check_quantity(I_cross, _crossover_current(), rtol=0.005, name="I_cross")
    if not feedback and feedback.kind in ("imprecise", "wrong"):
        if check_quantity(I_cross, _crossover_current(reset=False), rtol=0.005):
            return Feedback(False, "concept", "I_cross is where the threshold alone falls to "
                            "E_L + R I in tau_vc; method 2 also resets V, which must climb back "
                            "from V_reset while the threshold falls.")
    return feedback


def check_threshold_max_rate(choice) -> Feedback:
    """Multiple choice: what limits the rate of method 2 at a huge current."""
    return check_choice(choice, "b", "abcd", name="max_rate_threshold")


# --- exercise 6: mean potential of the clamped LIF --------------------------------------------

def _clamp_mean_v():
    r"""Time average of V over one interval: tau_vc at V_reset, then
    V(t) = V_inf + (V_reset - V_inf) e^{-t/tau} for T(I); the integral of the exponential part is
    V_inf T - tau (V_th - V_reset). Below rheobase V settles at V_inf."""
    tau, E_L, V_th, V_reset, R = _p()
    out = []
    for current in np.asarray(MEAN_V_CURRENTS, dtype=float):
        v_inf = E_L + R * current
        T = float(_time_to_threshold(current))
        if not np.isfinite(T):
            out.append(v_inf)
            continue
        t_vc = float(TAU_VC)
        out.append((t_vc * V_reset + v_inf * T - tau * (V_th - V_reset)) / (t_vc + T))
    return np.array(out) * volt


def check_clamp_mean_v(mean_V) -> Feedback:
    """Mean membrane potential of the clamped LIF (no noise) at :data:`MEAN_V_CURRENTS`."""
    feedback = check_quantity(mean_V, _clamp_mean_v(), rtol=0.002, name="mean_V")
    if not feedback and feedback.kind in ("imprecise", "wrong"):
        free = (float(BASE["E_L"]) + float(BASE["R"]) * np.asarray(MEAN_V_CURRENTS)) * volt
        if check_quantity(mean_V, free, rtol=0.002):
            return Feedback(False, "concept", "mean_V is the potential without spikes; with spikes "
                                              "V is reset and clamped, which pulls the mean down.")
    return feedback


def check_mean_v_reason(choice) -> Feedback:
    """Multiple choice: why the mean potential falls with the current above rheobase."""
    return check_choice(choice, "c", "abcd", name="mean_v_reason")
