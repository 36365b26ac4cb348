"""Self-checks for exercise sheet 01 (LIF basics).

Every reference is computed here from closed forms (:mod:`sfa_helpers.theory`, or the exact
one-step update written out in numpy), never by running the student's kind of simulation. The
exception is the LIF the student writes in Brian2 (:func:`check_lif_written`): there the answer
*is* a model, and its spikes are compared with those of the built-in ``LIF`` with the same values.
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz, Mohm, amp, mV, ms, nA, nF, nS, second, volt
from scipy.optimize import brentq

from .. import stimuli, theory
from ..models import LIF
from .core import Feedback, call_safely, check_choice, check_integers, check_quantity
from .figures import Curve, check_figure
from .variants import active
from .written_models import check_written_model

__all__ = ["check_rheobase_formula", "check_rheobase_sim", "check_window_rate", "check_reset_rates",
           "check_reset_limit", "check_spikes_halves", "check_ramp_current", "check_ramp_lag",
           "check_lif_written", "written_lif_reference", "check_four_steps_figure",
           "SET_A", "SET_B", "RESET_VALUES", "HALVES", "RAMP_SLOPE", "WRITTEN_LIF", "FOUR_STEPS",
           "VARIANTS", "CHOICES"]

#: Parameter set A (lab tutorial) and B (textbook), as in lesson 01.
SET_A = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)
SET_B = dict(tau_m=10 * ms, C_m=2 * nF, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV)
#: Reset potentials of the V_reset exercise (current 1.6 nA, set A).
RESET_VALUES = np.array([-75.0, -70.0, -65.0, -60.0, -56.0]) * mV
RESET_CURRENT = 1.6 * nA
#: The current that changes halfway: (first amplitude, second amplitude, switch time, duration).
HALVES = (1.7 * nA, 2.2 * nA, 250 * ms, 500 * ms)
#: Slope of the ramp exercise (0 to 3 nA in 500 ms).
RAMP_SLOPE = 3 * nA / (500 * ms)
#: Per-student variants (:mod:`.variants`): the numbers of exercises 2, 4, 5 and 6, whose answers
#: could otherwise be copied. Variant 0 is the sheet's original. Every variant's answers differ
#: from every other's by more than the checks' tolerances (tests/test_variants.py). Only run
#: parameters change (the first current of the sweep, amplitudes), never a simulation's
#: structure, so one compiled program serves every variant (no compiling while grading).
VARIANTS = [
    dict(sweep_start=start * nA, reset_current=r * nA, halves=(h1 * nA, h2 * nA), ramp_top=top * nA)
    for start, r, (h1, h2), top in zip((3.90, 3.903, 3.905, 3.907, 3.902, 3.908), (1.6, 1.7, 1.8, 1.9, 2.0, 2.2),
                                   ((1.7, 2.2), (1.8, 2.4), (1.6, 2.3), (1.9, 2.5), (2.0, 2.6), (1.75, 2.1)),
                                   (3.0, 2.5, 3.5, 4.0, 2.0, 5.0))]
#: The multiple-choice questions: (right key, {key: option as shown}); each variant shows the
#: options in its own order (variant 0: as listed here).
CHOICES = {
    "reset_limit": ("cap", {
        "zero": "drops to 0 Hz, because the neuron starts too close to threshold to integrate;",
        "unbounded": "grows without bound, because the interval shrinks to zero;",
        "cap": "approaches $1/t_{ref}$ = 500 Hz;",
        "rest": "approaches the rate obtained with $V_{reset} = E_L$.",
    }),
    "ramp_lag": ("lag", {
        "threshold": "The threshold rises while the current ramps up, so more current is needed "
                     "before the first spike comes.",
        "lag": "The membrane low-pass filters the ramp: $V$ lags by about $\\tau_m$, so the spike "
               "comes at $I \\approx I_{th} + \\tau_m\\, dI/dt$.",
        "method": "The exact integration method overestimates a current that changes at every "
                  "time step of the run.",
        "grid": "A ramp gives the same first-spike current as a step would; the whole gap is "
                "rounding to the time grid.",
    }),
}


def _variant():
    return active("01")


def _choice(question: str, answer) -> Feedback:
    """A multiple-choice answer (a letter) in the order the student's variant shows."""
    variant = _variant()
    right, _ = CHOICES[question]
    letter = variant.letters(question)[variant.order(question).index(right)]
    return check_choice(answer, letter, variant.letters(question), name=question)


#: The current that changes four times (plot task): (start, stop, amplitude) of each segment,
#: nothing after the last one; the run lasts FOUR_STEPS_DURATION with dt = 0.1 ms.
FOUR_STEPS = ((0 * ms, 100 * ms, 1.2 * nA), (100 * ms, 200 * ms, 2.0 * nA),
              (200 * ms, 300 * ms, 3.0 * nA), (300 * ms, 400 * ms, 1.6 * nA))
FOUR_STEPS_DURATION = 500 * ms
#: The LIF the student writes in Brian2 (C_m dv/dt = g_L (E_L - v) + I, refractory t_ref): set B
#: (C_m = 2 nF, R_m = 5 MOhm, so g_L = 200 nS) with t_ref = 2 ms.
WRITTEN_LIF = dict(C_m=2 * nF, g_L=200 * nS, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV,
                   t_ref=2 * ms)
#: Its input in the visible check: four steps (one neuron each; rheobase 4 nA) on [20, 220) ms.
WRITTEN_LIF_STEPS = np.array([3.5, 4.5, 6.0, 10.0]) * nA


def _rheobase_B():
    return theory.lif_rheobase(LIF(**SET_B))


def check_rheobase_formula(I_th) -> Feedback:
    """Rheobase of parameter set B from the formula (a current)."""
    return check_quantity(I_th, _rheobase_B(), rtol=1e-3, name="I_th")


#: The sweep of exercise 2: 3.90 to 4.10 nA in steps of 0.01 nA, 1 s each.
RHEOBASE_SWEEP = np.round(np.arange(3.90, 4.1001, 0.01), 2) * nA


def rheobase_sweep(start=3.90 * nA):
    """The 21 currents of exercise 2: from ``start`` (the variant's) in steps of 0.01 nA."""
    return np.round(float(start / nA) + 0.01 * np.arange(21), 3) * nA


def _smallest_firing_current(start=3.90 * nA):
    r"""The smallest current of the sweep from ``start`` whose first spike, from V = E_L at
    t = 0, comes within the 1 s run: the time to threshold from E_L,
    :math:`\tau_m \ln\frac{RI}{RI - (V_{th} - E_L)} < 1` s
    (:func:`sfa_helpers.theory.lif_time_to_threshold` with the start at E_L)."""
    from_rest = LIF(**{**SET_B, "V_reset": SET_B["E_L"]})
    sweep = rheobase_sweep(start)
    fires = np.asarray(theory.lif_time_to_threshold(from_rest, sweep)) < 1.0
    return sweep[np.argmax(fires)]


def check_rheobase_sim(I_th_sim) -> Feedback:
    """Rheobase of set B found by simulation: the smallest current of the sheet's sweep that
    fires, exactly (the same value the hidden test expects).

    It must lie strictly above the formula value (at exactly the rheobase V only approaches
    the threshold); a current of the sweep above the smallest firing one is not it.
    """
    ref = _rheobase_B()
    near = check_quantity(I_th_sim, ref, rtol=0.01, name="I_th_sim")
    if near.kind in ("right", "imprecise") and float(np.asarray(I_th_sim)) <= float(ref):
        return Feedback(False, "concept", "I_th_sim cannot be at or below the formula's rheobase: "
                                          "there V only approaches the threshold and never crosses "
                                          "it. Report the smallest current that made a spike.")
    feedback = check_quantity(I_th_sim, _smallest_firing_current(_variant().sweep_start),
                              rtol=1e-6, name="I_th_sim")
    if feedback.kind == "imprecise":
        return Feedback(False, "imprecise", "I_th_sim fires, but it is not the smallest current of "
                                            "the sweep that fires: look at the first neuron with a "
                                            "spike.")
    return feedback


def check_window_rate(window_rate) -> Feedback:
    """``window_rate(train)``: spike count in [first spike, last spike) over that window."""
    cases = [
        (np.arange(13.0, 400.0, 20.0) * ms, 50 * Hz),            # regular, 20 ms intervals
        (np.array([5.0, 15.0, 35.0, 65.0]) * ms, 3 / (60 * ms)),  # irregular
    ]
    for train, expected in cases:
        value, problem = call_safely(window_rate, train, name="window_rate(train)")
        if problem is not None:
            return problem
        feedback = check_quantity(value, expected, rtol=1e-6, name="window_rate(train)")
        if not feedback:
            return feedback
    value, problem = call_safely(window_rate, np.array([0.1]) * second, name="window_rate(one spike)")
    if problem is not None:
        return problem
    if not np.isnan(np.asarray(value, dtype=float)):
        return Feedback(False, "concept", "With fewer than two spikes there is no interval: "
                                          "window_rate should return NaN Hz.")
    return Feedback(True, "right", "window_rate is right.")


def _reset_reference(current=RESET_CURRENT):
    model = LIF(**{**SET_A, "V_reset": RESET_VALUES})
    current = np.full(RESET_VALUES.size, float(current / nA)) * nA
    return 1 / theory.lif_isi_on_grid(model, current, 0.1 * ms)


def check_reset_rates(rates) -> Feedback:
    """Rates (1/mean ISI) for the five reset potentials of :data:`RESET_VALUES`."""
    return check_quantity(rates, _reset_reference(_variant().reset_current), rtol=0.005,
                          name="reset_rates")


def check_reset_limit(choice) -> Feedback:
    """Multiple choice: the rate as V_reset approaches V_th with t_ref = 2 ms."""
    return _choice("reset_limit", choice)


def _halves_reference(first=HALVES[0], second_=HALVES[1]):
    """Spike counts in the two halves, from the exact update written out in numpy."""
    switch, duration = HALVES[2:]
    tau, E_L, V_th, V_reset, R = (float(SET_A[k]) for k in ("tau_m", "E_L", "V_th", "V_reset", "R"))
    dt = 1e-4
    steps = int(round(float(duration) / dt))
    n_switch = int(round(float(switch) / dt))
    decay = np.exp(-dt / tau)
    v, counts = E_L, [0, 0]
    for k in range(steps):
        v_inf = E_L + R * (float(first) if k < n_switch else float(second_))
        v = v_inf + (v - v_inf) * decay
        if v > V_th:
            counts[k >= n_switch] += 1
            v = V_reset
    return np.array(counts)


def check_spikes_halves(counts) -> Feedback:
    """Spike counts in [0, 250 ms) and [250 ms, 500 ms) for the current that changes halfway."""
    return check_integers(counts, _halves_reference(*_variant().halves), name="spikes_halves")


def _ramp_reference(slope=RAMP_SLOPE):
    """Current at the first spike under a ramp from rest: R s (t - tau (1 - exp(-t/tau))) = V_th - E_L."""
    tau, R = float(SET_A["tau_m"]), float(SET_A["R"])
    gap = float(SET_A["V_th"] - SET_A["E_L"])
    s = float(slope)
    t = brentq(lambda t: R * s * (t - tau * (1 - np.exp(-t / tau))) - gap, 1e-6, 10.0, xtol=1e-12)
    return s * t * amp


def check_ramp_current(I_first) -> Feedback:
    """Input current at the time of the first spike under the slow ramp."""
    ref = _ramp_reference(_variant().ramp_top / (500 * ms))
    feedback = check_quantity(I_first, ref, rtol=0.005, name="I_ramp_first_spike")
    rheobase = theory.lif_rheobase(LIF(**SET_A))
    if not feedback and feedback.kind == "imprecise" and abs(float(I_first / rheobase) - 1) < 0.005:
        return Feedback(False, "concept", "I_ramp_first_spike equals the rheobase, but the membrane "
                                          "lags behind a ramp: simulate and read the current at the "
                                          "first spike.")
    return feedback


def check_ramp_lag(choice) -> Feedback:
    """Multiple choice: why the first spike under a ramp comes above the rheobase."""
    return _choice("ramp_lag", choice)


def _four_steps_current(t):
    """The four-step current at times ``t`` (a Quantity array), in amp."""
    t = np.asarray(t / second, dtype=float)
    out = np.zeros_like(t)
    for start, stop, amplitude in FOUR_STEPS:
        out[(t >= float(start) - 1e-12) & (t < float(stop) - 1e-12)] = float(amplitude)
    return out * amp


def _four_steps_reference():
    """``(t, v)`` of set A under the four-step current, from the exact one-step update written
    out in numpy, sampled as a recording is: v at the start of every 0.1 ms step, from E_L."""
    tau, E_L, V_th, V_reset, R = (float(SET_A[k]) for k in ("tau_m", "E_L", "V_th", "V_reset", "R"))
    dt = 1e-4
    t = np.arange(int(round(float(FOUR_STEPS_DURATION) / dt))) * dt
    current = np.asarray(_four_steps_current(t * second), dtype=float)
    decay, v, trace = np.exp(-dt / tau), E_L, np.empty(t.size)
    for k in range(t.size):
        trace[k] = v
        v_inf = E_L + R * current[k]
        v = v_inf + (v - v_inf) * decay
        if v > V_th:
            v = V_reset
    return t * second, trace * volt


def check_four_steps_figure(fig) -> Feedback:
    """Plot task: V(t) of set A under the current that changes four times, and that current,
    each with its time axis and units (two panels, or both on one if the student prefers)."""
    t, v = _four_steps_reference()
    span = (0 * ms, FOUR_STEPS_DURATION - 0.1 * ms)
    trace = check_figure(fig, [Curve("the membrane potential V(t)", span, x=t, y=v, ytol=0.5 * mV)],
                         name="fig_steps")
    if not trace:
        return trace
    current = check_figure(fig, [Curve("the input current I(t)", span, f=_four_steps_current,
                                       ytol=0.01 * nA)], name="fig_steps")
    if not current:
        return current
    return Feedback(True, "right", "fig_steps shows V(t) and I(t), with units.")


def written_lif_reference(parameters):
    """The built-in LIF with the values of a written LIF (C_m, g_L, E_L, V_th, V_reset, t_ref)."""
    p = dict(parameters)
    return LIF(tau_m=p["C_m"] / p["g_L"], C_m=p["C_m"], E_L=p["E_L"], V_th=p["V_th"],
               V_reset=p["V_reset"], t_ref=p["t_ref"])


def check_lif_written(equations, threshold, reset, *, parameters=None, cases=None) -> Feedback:
    """The LIF written in Brian2 strings with C_m and g_L, refractory period t_ref.

    The check builds the student's model with ``refractory='t_ref'`` and ``v`` starting at E_L,
    with :data:`WRITTEN_LIF` (or ``parameters``), and compares its spikes with the built-in LIF's
    under :data:`WRITTEN_LIF_STEPS` (or ``cases``: (stimulus, duration, description) tuples).
    """
    parameters = dict(WRITTEN_LIF if parameters is None else parameters)
    if cases is None:
        cases = [(stimuli.step(WRITTEN_LIF_STEPS, 20 * ms, 220 * ms), 250 * ms,
                  "steps of 3.5, 4.5, 6 and 10 nA")]
    return check_written_model(equations, threshold, reset, reference=written_lif_reference(parameters),
                               parameters=parameters, cases=cases, refractory="t_ref",
                               init={"v": parameters["E_L"]}, name="your LIF",
                               labels=("lif_equations", "lif_threshold", "lif_reset"))
