"""Self-checks for exercise sheet 02 (refractoriness).

Every reference is computed from closed forms (the LIF interval of :mod:`sfa_helpers.theory`,
the relaxing threshold, the mean of the exponential trajectory over one interval, the clamped
interval on the time grid), never by running the student's kind of simulation.

Each student has their own reset potential (:data:`VARIANTS`, :mod:`.variants`): every check
computes its reference with the active variant's ``V_reset``.
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz, Mohm, Quantity, amp, get_dimensions, mV, ms, pA, second, volt

from .. import theory
from ..models import LIF
from .core import Feedback, call_safely, check_choice, check_quantity
from .figures import Curve, Points, check_figure
from .variants import active

__all__ = ["check_clamp_isi", "check_clamp_rates", "check_clamp_I90", "check_threshold_crossover",
           "check_threshold_max_rate", "check_clamp_mean_v", "check_mean_v_reason",
           "check_clamp_fI_figure",
           "BASE", "TAU_VC", "V_TH_MAX", "TAU_VTH", "DT", "CLAMP_CURRENTS", "MEAN_V_CURRENTS",
           "FI_CURRENTS", "VARIANTS", "CHOICES"]

#: The base neuron of lesson 02 (C_m 100 pF, R_m 100 MOhm, tau_m 10 ms).
BASE = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=100 * Mohm)
TAU_VC = 2.5 * ms            #: clamp duration (method 1)
V_TH_MAX = 200 * mV          #: threshold just after a spike (method 2)
TAU_VTH = 1 * ms             #: threshold relaxation (method 2)
DT = 0.02 * ms               #: time step of the lesson
#: Currents of the clamp sweep (exercise 2) and of the mean-potential exercise (6).
CLAMP_CURRENTS = np.array([250, 300, 400, 600, 1000, 2000, 5000, 20000]) * pA
MEAN_V_CURRENTS = np.array([150, 300, 600]) * pA
#: Currents of the f-I plot task (exercise 8): 0.5 s each, dt 0.02 ms, no noise.
FI_CURRENTS = np.array([220, 250, 300, 400, 500, 700, 1000, 1500, 2000, 3000, 5000, 10000,
                        20000]) * pA
#: Per-student variants (:mod:`.variants`): the base neuron's reset potential, which sets every
#: number of exercises 1-4, 6 and 8 (the interval from the reset to threshold) but not the
#: rheobase, the clamp's bound 1/tau_vc or the sheet's story (at most -60 mV, so that the mean
#: potential still falls above rheobase). Variant 0 is the sheet's original. Every variant's
#: answers differ from every other's by more than the checks' tolerances
#: (tests/test_variants_sheet02.py). V_reset is a per-neuron constant of the compiled program,
#: so one program serves every variant (no compiling while grading).
VARIANTS = [dict(V_reset=v * mV) for v in (-65.0, -60.0, -68.0, -62.0, -72.0, -75.0)]
#: The multiple-choice questions: (right key, {key: option as shown}); each variant shows the
#: options in its own order (variant 0: as listed here).
CHOICES = {
    "max_rate_threshold": ("no_bound", {
        "tau_theta": "$1/\\tau_\\Theta$ = 1 kHz: after each spike the threshold must relax for "
                     "about $\\tau_\\Theta$ first.",
        "no_bound": "No fixed bound: $V$ climbs from $V_{reset}$ to the falling threshold faster "
                    "and faster.",
        "clamp_bound": "$1/\\tau_{vc}$ = 400 Hz, because a reset acts like the clamp's dead time "
                       "after every spike.",
        "drops": "The rate drops to zero: $V_\\infty$ is above $\\Theta_{max}$, and $V$ cannot "
                 "cross it from there.",
    }),
    "mean_v_reason": ("time_low", {
        "noise": "Noise makes $V$ fluctuate, and at high currents a potential that fluctuates more "
                 "strongly has a lower time average.",
        "threshold": "The threshold rises with the rate, so $V$ has to climb higher between "
                     "spikes, and that lowers its mean.",
        "time_low": "More current means more spikes, each putting $V$ far below threshold: that "
                    "time spent low outweighs the higher asymptote $E_L + R_m I$.",
        "longer_clamp": "The clamp lasts longer at higher currents, and a clamped $V$ is held "
                        "below its resting value $E_L$.",
    }),
}
V_RESET = float(BASE["V_reset"])   #: variant 0's reset potential (volt), the helpers' default


def _variant():
    return active("02")


def _v_reset() -> float:
    """The active variant's reset potential in volt (a plain float: a cache key)."""
    return float(_variant().V_reset)


def _choice(question: str, answer) -> Feedback:
    """A multiple-choice answer (a letter) in the order the student's variant shows."""
    variant = _variant()
    right, _ = CHOICES[question]
    letter = variant.letters(question)[variant.order(question).index(right)]
    return check_choice(answer, letter, variant.letters(question), name=question)


def _p(V_reset=V_RESET):
    """Base parameters as plain SI floats: tau, E_L, V_th, V_reset, R (the reset of a variant)."""
    tau, E_L, V_th, R = (float(BASE[k]) for k in ("tau_m", "E_L", "V_th", "R"))
    return tau, E_L, V_th, float(V_reset), R


def _time_to_threshold(current, V_reset=V_RESET):
    """T(I) of the base neuron with the reset ``V_reset`` (volt) in seconds
    (:func:`sfa_helpers.theory.lif_time_to_threshold`), inf at or below rheobase (plain floats
    in, plain floats out)."""
    current = np.asarray(current, dtype=float) * amp
    base = LIF(**{**BASE, "V_reset": float(V_reset) * volt})
    return np.asarray(theory.lif_time_to_threshold(base, current))


# --- exercise 1: the interval of the clamped LIF in closed form ------------------------------

def check_clamp_isi(clamp_isi) -> Feedback:
    """``clamp_isi(I)``: tau_vc + T(I) for one current, inf at or below rheobase."""
    name = "clamp_isi(I)"
    v_reset = _v_reset()
    for current in (250 * pA, 400 * pA, 1000 * pA, 20000 * pA):
        value, problem = call_safely(clamp_isi, current, name=name)
        if problem is not None:
            return problem
        expected = (float(TAU_VC) + float(_time_to_threshold(float(current), v_reset))) * second
        feedback = check_quantity(value, expected, rtol=1e-4, name=name)
        if not feedback:
            no_clamp = float(_time_to_threshold(float(current), v_reset)) * second
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

def _clamp_rates_on_grid(currents=CLAMP_CURRENTS, V_reset=V_RESET):
    """1/ISI of the clamped LIF (reset ``V_reset``, volt) simulated on the grid of step DT: the
    threshold is checked only at grid points, and the spike's own step is the first clamped
    step, so ISI = tau_vc + (ceil(T/dt) - 1) dt."""
    h = float(DT)
    T = _time_to_threshold(np.asarray(currents), V_reset)
    isi = float(TAU_VC) + (np.ceil(T / h) - 1) * h
    return 1 / isi * Hz


def check_clamp_rates(rates) -> Feedback:
    """ISI-based rates of the clamped LIF for :data:`CLAMP_CURRENTS` (dt 0.02 ms, no noise)."""
    feedback = check_quantity(rates, _clamp_rates_on_grid(CLAMP_CURRENTS, _v_reset()), rtol=0.003,
                              name="clamp_rates")
    if not feedback and feedback.kind not in ("units", "type", "missing", "nan"):
        values = np.asarray(rates, dtype=float)
        if values.shape == (len(CLAMP_CURRENTS),) and np.any(values >= 1 / float(TAU_VC)):
            return Feedback(False, "concept", "clamp_rates: some rate reaches 1/tau_vc, which the "
                                              "clamp forbids; use the intervals after the clamp.")
    return feedback


# --- exercise 3: how slowly the bound is approached ------------------------------------------

def _current_at_fraction(fraction=0.9, V_reset=V_RESET):
    """Current at which tau_vc + T(I) = tau_vc / fraction (closed form for V_inf = E_L + R I)."""
    tau, E_L, V_th, V_reset, R = _p(V_reset)
    T = float(TAU_VC) * (1 / fraction - 1)
    q = np.exp(T / tau)                      # (V_inf - V_reset) / (V_inf - V_th)
    v_inf = (q * V_th - V_reset) / (q - 1)
    return (v_inf - E_L) / R * amp


def check_clamp_I90(I_90) -> Feedback:
    """Current at which the clamped LIF fires at 90 % of 1/tau_vc."""
    return check_quantity(I_90, _current_at_fraction(0.9, _v_reset()), rtol=0.005, name="I_90")


# --- exercise 4: relative refractoriness beats the clamp's bound ------------------------------

def _crossover_current(reset=True, V_reset=V_RESET):
    """Current at which method 2's interval equals tau_vc. After a spike V climbs from V_reset,
    V(t) = V_inf + (V_reset - V_inf) e^{-t/tau_m}, and the threshold falls,
    Theta(t) = V_th + (Theta_max - V_th) e^{-t/tau_Theta}; V(tau_vc) = Theta(tau_vc) is linear in
    V_inf = E_L + R I. ``reset=False``: the same neuron without the voltage reset (V sits at
    V_inf), the answer of a student who forgot the reset."""
    tau, E_L, V_th, V_reset, R = _p(V_reset)
    theta = V_th + (float(V_TH_MAX) - V_th) * np.exp(-float(TAU_VC) / float(TAU_VTH))
    if not reset:
        return (theta - E_L) / R * amp
    q = np.exp(-float(TAU_VC) / tau)
    v_inf = (theta - V_reset * q) / (1 - q)
    return (v_inf - E_L) / R * amp


def check_threshold_crossover(I_cross) -> Feedback:
    """Current above which the threshold-increase neuron (with its voltage reset) fires faster
    than 1/tau_vc."""
    feedback = check_quantity(I_cross, _crossover_current(True, _v_reset()), rtol=0.005,
                              name="I_cross")
    if not feedback and feedback.kind in ("imprecise", "wrong"):
        if check_quantity(I_cross, _crossover_current(reset=False), rtol=0.005):
            return Feedback(False, "concept", "I_cross is where the threshold alone falls to "
                            "E_L + R I in tau_vc; method 2 also resets V, which must climb back "
                            "from V_reset while the threshold falls.")
    return feedback


def check_threshold_max_rate(choice) -> Feedback:
    """Multiple choice: what limits the rate of method 2 at a huge current."""
    return _choice("max_rate_threshold", choice)


# --- exercise 6: mean potential of the clamped LIF --------------------------------------------

def _clamp_mean_v(V_reset=V_RESET):
    r"""Time average of V over one interval: tau_vc at V_reset, then
    V(t) = V_inf + (V_reset - V_inf) e^{-t/tau} for T(I); the integral of the exponential part is
    V_inf T - tau (V_th - V_reset). Below rheobase V settles at V_inf."""
    tau, E_L, V_th, V_reset, R = _p(V_reset)
    out = []
    for current in np.asarray(MEAN_V_CURRENTS, dtype=float):
        v_inf = E_L + R * current
        T = float(_time_to_threshold(current, V_reset))
        if not np.isfinite(T):
            out.append(v_inf)
            continue
        t_vc = float(TAU_VC)
        out.append((t_vc * V_reset + v_inf * T - tau * (V_th - V_reset)) / (t_vc + T))
    return np.array(out) * volt


def check_clamp_mean_v(mean_V) -> Feedback:
    """Mean membrane potential of the clamped LIF (no noise) at :data:`MEAN_V_CURRENTS`."""
    feedback = check_quantity(mean_V, _clamp_mean_v(_v_reset()), rtol=0.002, name="mean_V")
    if not feedback and feedback.kind in ("imprecise", "wrong"):
        free = (float(BASE["E_L"]) + float(BASE["R"]) * np.asarray(MEAN_V_CURRENTS)) * volt
        if check_quantity(mean_V, free, rtol=0.002):
            return Feedback(False, "concept", "mean_V is the potential without spikes; with spikes "
                                              "V is reset and clamped, which pulls the mean down.")
    return feedback


def check_mean_v_reason(choice) -> Feedback:
    """Multiple choice: why the mean potential falls with the current above rheobase."""
    return _choice("mean_v_reason", choice)


# --- exercise 8: the clamp's f-I curve, a plot task ------------------------------------------

def _closed_form_rate(current, V_reset=V_RESET):
    """1/(tau_vc + T(I)) in Hz, 0 at or below rheobase (Quantity in, Quantity out)."""
    T = _time_to_threshold(np.asarray(current, dtype=float), V_reset)
    return 1 / (float(TAU_VC) + T) * Hz


def _own_closed_form(clamp_isi):
    """1/clamp_isi(I) of the student's own function, for one current or an array of them (NaN
    where it gives no time); None if it fails at a current where the neuron fires (an unsolved or
    broken exercise 1: only the reference counts then)."""
    value, problem = call_safely(clamp_isi, 1000 * pA, name="clamp_isi(I)")
    if (problem is not None or not isinstance(value, Quantity)
            or get_dimensions(value) is not second.dim):
        return None
    cache = {}

    def one(current):
        if current not in cache:
            value, problem = call_safely(clamp_isi, current * amp, name="clamp_isi(I)")
            rate = np.nan
            is_time = isinstance(value, Quantity) and get_dimensions(value) is second.dim
            if problem is None and is_time:
                try:
                    seconds = float(np.asarray(value, dtype=float))
                except (TypeError, ValueError):
                    seconds = np.nan
                rate = 1 / seconds if seconds > 0 else np.nan
            cache[current] = rate
        return cache[current]

    def rate(current):
        values = np.asarray(current, dtype=float)
        out = np.array([one(float(i)) for i in np.atleast_1d(values)])
        return (out if values.ndim else out[0]) * Hz

    return rate


def check_clamp_fI_figure(fig, clamp_isi=None) -> Feedback:
    """Plot task: the clamp's f-I curve, simulated (points, at :data:`FI_CURRENTS` with dt 0.02
    ms, from the exact grid interval) and in closed form 1/(tau_vc + T(I)) (a line over the
    current range), on one axes with a legend.

    The line also counts when it is 1/``clamp_isi(I)`` of the student's own function of
    exercise 1, so a mistake there costs no points here. The points must be the simulation's
    (within 0.2 %): the closed-form values drawn as points differ by up to one time step per
    interval and fail at the larger currents.
    """
    name = "fig_clamp_fI"
    v_reset = _v_reset()
    simulated = Points("the simulated rates", FI_CURRENTS,
                       _clamp_rates_on_grid(FI_CURRENTS, v_reset), rtol=0.002, xtol=1 * pA)
    span = (FI_CURRENTS[0], FI_CURRENTS[-1])
    what = "the closed form 1/(tau_vc + T(I)) as a line"
    closed = Curve(what, span, f=lambda current: _closed_form_rate(current, v_reset), rtol=0.005,
                   min_points=30)
    feedback = check_figure(fig, [simulated, closed], legend=True, name=name)
    if feedback or feedback.kind != "wrong" or not callable(clamp_isi):
        return feedback
    own = _own_closed_form(clamp_isi)
    if own is None:
        return feedback
    again = check_figure(fig, [simulated, Curve(what, span, f=own, rtol=0.005, min_points=30)],
                         legend=True, name=name)
    if again or again.kind == "legend":
        return again
    return feedback
