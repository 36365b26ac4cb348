"""Self-checks for exercise sheet 03 (spike-frequency adaptation).

References come from closed forms (the equivalence of an adaptation current and an adaptive
threshold, the self-consistent mean-adaptation rate of :mod:`sfa_helpers.theory.adaptation`) or from the exact
time-step update written out below as a plain Python loop (:func:`_spike_times`), never from the
simulation the student is asked to run. The exception is the adapting LIF the student writes in
Brian2 (:func:`check_sfa_written`): there the answer *is* a model, and its spikes are compared with
those of the built-in ``LIF + AdaptationCurrent`` with the same values.

Each student has their own numbers (:data:`VARIANTS`, :mod:`.variants`): the adaptation current's
jump of part A and the time constant and jump of the conductance of part B; every check computes
its reference with the active variant's values.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from brian2 import Hz, Quantity, amp, get_dimensions, mV, ms, nS, pA, pF, volt

from .. import stimuli, theory
from ..theory.adaptation import adaptive_lif_rate
from ..models import LIF, AdaptationCurrent
from .core import Feedback, call_safely, check_choice, check_quantity
from .figures import Points, check_figure
from .variants import active
from .written_models import check_written_model

__all__ = ["check_equivalent_threshold_jump", "check_sfa_overlap_rates", "check_adapted_rate",
           "check_sfa_theory_gap", "check_adaptation_time_scale", "check_sra_first_steady",
           "check_single_spike_current", "check_sfa_written", "written_sfa_reference",
           "check_sfa_overlap_figure",
           "PART_A", "DELTA_I_SFA", "TAU_ADAPT", "OVERLAP_CURRENTS", "PART_B", "SRA_CURRENTS",
           "SINGLE_CURRENTS", "WRITTEN_SFA", "SWEEP_CURRENTS", "VARIANTS", "CHOICES"]

#: Part A (NEST iaf_psc_alpha defaults): C_m 250 pF, tau_m 10 ms (R = 40 MOhm), t_ref 2 ms.
PART_A = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
              C_m=250 * pF)
#: Adaptation current of the sheet (the threshold's time constant equals TAU_ADAPT).
DELTA_I_SFA = 150 * pA
TAU_ADAPT = 100 * ms
#: Currents of the overlap sweep (exercise 2) and of the theory function check.
OVERLAP_CURRENTS = np.array([400, 500, 600, 800, 1000]) * pA
OVERLAP_DURATION, OVERLAP_START = 3.0, 1.0     # seconds
#: Currents of the plot task (exercise 9): both curves from 400 pA to 1.5 nA, 2 s each, rates
#: from the spikes after 1 s.
SWEEP_CURRENTS = np.arange(400, 1501, 100) * pA
SWEEP_DURATION, SWEEP_START = 2.0, 1.0         # seconds
#: Part B, conductance-based spike-rate adaptation (no refractory period).
PART_B = dict(tau_m=10 * ms, E_L=-75 * mV, V_th=-50 * mV, V_reset=-80 * mV, R=100e6,
              tau_SRA=200 * ms, Delta_G_SRA=1 * nS, E_K=-80 * mV)
SRA_CURRENTS = np.array([260, 300, 350]) * pA
SRA_DURATION = 5.0
#: Currents of the single-spike exercise (0.5 s from rest).
SINGLE_CURRENTS = np.arange(251, 261) * pA
SINGLE_DURATION = 0.5
#: The adapting LIF the student writes in Brian2, in NEST's form
#: dv/dt = (E_L - v)/tau_m + (I - I_sfa)/C_m: part A with the adaptation current of the sheet.
WRITTEN_SFA = dict(tau_m=10 * ms, C_m=250 * pF, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV,
                   t_ref=2 * ms, tau_sfa=100 * ms, Delta_I_sfa=150 * pA)
#: Its input in the visible check: three steps on [50, 450) ms (rheobase 375 pA).
WRITTEN_SFA_STEPS = np.array([300, 500, 800]) * pA
DT = 1e-4
#: Per-student variants (:mod:`.variants`): the adaptation current's jump of part A (exercises
#: 1-3, 8 and 9; at least 150 pA, so that the two curves of exercise 2 stay within 1.5 Hz) and the
#: conductance's time constant and jump of part B (exercises 6 and 7; the largest single-spike
#: current of each variant is another current of the grid, 252-259 pA). Variant 0 is the sheet's
#: original. Every variant's answers differ from every other's by more than the checks'
#: tolerances (tests/test_variants_sheet03.py). All three are per-neuron constants of the
#: compiled programs, so one program serves every variant (no compiling while grading).
VARIANTS = [dict(Delta_I_sfa=dI * pA, tau_SRA=tau * ms, Delta_G_SRA=dG * nS)
            for dI, (tau, dG) in zip((150, 200, 180, 250, 165, 225),
                                     ((200, 1.0), (300, 1.0), (250, 1.2), (400, 1.0), (200, 0.8),
                                      (350, 1.0)))]
#: The multiple-choice questions: (right key, {key: option as shown}); each variant shows the
#: options in its own order (variant 0: as listed here).
CHOICES = {
    "theory_gap": ("mean_current", {
        "t_ref": "The theory ignores the refractory period $t_{ref}$, which lengthens every "
                 "simulated interval by the same fixed amount of time.",
        "mean_current": "$I_{sfa}$ is largest just after a spike, far from threshold, and smallest "
                        "when the next crossing is decided; the theory uses its mean.",
        "not_settled": "After 1 s the adaptation has not settled yet, so the simulated rate still "
                       "contains part of the fast initial firing of the train.",
        "grid": "The threshold is checked only on the 0.1 ms grid, which makes every simulated "
                "interval longer than the theory's.",
    }),
    "tau_adaptation": ("slow", {
        "faster": "About 2 ms, faster than the membrane, so that adaptation acts within each "
                  "interval before the next spike.",
        "same": "About 20 ms, the same as the membrane, so that adaptation and membrane recover "
                "together after a spike.",
        "slow": "About 200 ms: adaptation has to remember many intervals and builds up slowly "
                "over a spike train.",
        "product": "It does not matter: only the product $\\tau\\Delta$ counts, so any time "
                   "constant gives the same adaptation.",
    }),
}
DELTA_I = float(DELTA_I_SFA)                 #: variant 0's values (SI), the helpers' defaults
TAU_SRA = float(PART_B["tau_SRA"])
DELTA_G = float(PART_B["Delta_G_SRA"])


def _variant():
    return active("03")


def _delta_i() -> float:
    """The active variant's adaptation jump in amp (a plain float: a cache key)."""
    return float(_variant().Delta_I_sfa)


def _sra_values() -> tuple:
    """The active variant's (tau_SRA, Delta_G_SRA) in SI units (plain floats: cache keys)."""
    variant = _variant()
    return float(variant.tau_SRA), float(variant.Delta_G_SRA)


def _choice(question: str, answer) -> Feedback:
    """A multiple-choice answer (a letter) in the order the student's variant shows."""
    variant = _variant()
    right, _ = CHOICES[question]
    letter = variant.letters(question)[variant.order(question).index(right)]
    return check_choice(answer, letter, variant.letters(question), name=question)


def _r_part_a():
    return float(PART_A["tau_m"] / PART_A["C_m"])


def _spike_times(current, duration, *, tau, E_L, V_th, V_reset, R, t_ref=0.0, tau_I=1.0, dI=0.0,
                 tau_th=1.0, dth=0.0, tau_G=1.0, dG=0.0, E_K=0.0, dt=DT):
    """Spike times (s) of a LIF with an adaptation current, an adaptive threshold and a
    conductance towards E_K (each off when its jump is 0), from rest, plain SI floats.

    One step: V is updated with the exact exponential solution holding I_sfa and G at their
    values at the start of the step (exponential Euler, as the course's models), and not at all
    while refractory; the slow variables decay exactly; a spike when V > Theta, recorded at the
    step's start time; reset V, add the jumps. The spike's own step counts as the first of the
    t_ref / dt refractory steps.
    """
    n_ref = int(round(t_ref / dt))
    v, I_sfa, theta, G = E_L, 0.0, V_th, 0.0
    decay_I, decay_th, decay_G = math.exp(-dt / tau_I), math.exp(-dt / tau_th), math.exp(-dt / tau_G)
    refractory, spikes = 0, []
    for n in range(int(round(duration / dt))):
        if refractory > 0:
            refractory -= 1
        else:
            g = 1.0 + R * G
            v_inf = (E_L + R * (current - I_sfa) + R * G * E_K) / g
            v = v_inf + (v - v_inf) * math.exp(-dt * g / tau)
        I_sfa *= decay_I
        G *= decay_G
        theta = V_th + (theta - V_th) * decay_th
        if v > theta:
            spikes.append(n * dt)
            v = V_reset
            I_sfa += dI
            theta += dth
            G += dG
            refractory = n_ref - 1
    return np.array(spikes)


def _part_a_kwargs():
    return dict(tau=float(PART_A["tau_m"]), E_L=float(PART_A["E_L"]), V_th=float(PART_A["V_th"]),
                V_reset=float(PART_A["V_reset"]), R=_r_part_a(), t_ref=float(PART_A["t_ref"]))


def _part_b_kwargs(tau_SRA=TAU_SRA, Delta_G_SRA=DELTA_G):
    return dict(tau=float(PART_B["tau_m"]), E_L=float(PART_B["E_L"]), V_th=float(PART_B["V_th"]),
                V_reset=float(PART_B["V_reset"]), R=PART_B["R"], tau_G=float(tau_SRA),
                dG=float(Delta_G_SRA), E_K=float(PART_B["E_K"]))


# --- exercise 1: the equivalent threshold jump ----------------------------------------------

def _equivalent_jump(dI=DELTA_I):
    """tau_Theta Delta_Theta = R tau_sfa Delta_I_sfa with tau_Theta = tau_sfa (``dI`` in amp)."""
    return _r_part_a() * float(dI) * volt


def check_equivalent_threshold_jump(Delta_Theta) -> Feedback:
    """Threshold jump that matches the variant's adaptation current (equal time constants)."""
    return check_quantity(Delta_Theta, _equivalent_jump(_delta_i()), rtol=0.005,
                          name="Delta_Theta_equiv")


# --- exercise 2: both curves by simulation -------------------------------------------------

def _isi_rate(spikes, start):
    sel = spikes[spikes >= start]
    return 0.0 if sel.size == 0 else np.nan if sel.size == 1 else 1.0 / np.mean(np.diff(sel))


@functools.lru_cache(maxsize=None)
def _steady_rates(currents: tuple, duration: float, start: float, *, dI=0.0, dth=0.0):
    """1/mean ISI of the spikes after ``start`` of part A with an adaptation current of jump
    ``dI`` or an adaptive threshold of jump ``dth`` (SI floats), one value per current."""
    kw, tau = _part_a_kwargs(), float(TAU_ADAPT)
    return np.array([_isi_rate(_spike_times(I, duration, tau_I=tau, dI=dI, tau_th=tau, dth=dth,
                                            **kw), start) for I in currents])


def _current_rates(currents, duration, start, dI=DELTA_I):
    return _steady_rates(tuple(np.asarray(currents, dtype=float)), duration, start, dI=float(dI))


def _threshold_rates(currents, duration, start, jump=None, dI=DELTA_I):
    """Rates of the adaptive-threshold neuron with the jump ``jump`` (volt), by default the
    equivalent jump of the adaptation jump ``dI``."""
    jump = float(_equivalent_jump(dI)) if jump is None else jump
    return _steady_rates(tuple(np.asarray(currents, dtype=float)), duration, start, dth=jump)


def _overlap_reference(dI=DELTA_I):
    return (_current_rates(OVERLAP_CURRENTS, OVERLAP_DURATION, OVERLAP_START, dI),
            _threshold_rates(OVERLAP_CURRENTS, OVERLAP_DURATION, OVERLAP_START, None, dI))


def _own_jump(Delta_Theta, dI=DELTA_I):
    """The student's own threshold jump of exercise 1 in volt, if a run can have used it: one
    finite voltage in (0, 50 mV] that is not the equivalent jump (of ``dI``); else None."""
    if not isinstance(Delta_Theta, Quantity) or get_dimensions(Delta_Theta) is not volt.dim:
        return None
    if np.size(Delta_Theta) != 1:
        return None
    value = float(np.asarray(Delta_Theta, dtype=float).ravel()[0])
    if not (np.isfinite(value) and 0 < value <= 0.05):
        return None
    if abs(value / float(_equivalent_jump(dI)) - 1) < 1e-9:
        return None
    return value


def check_sfa_overlap_rates(rates_sfa_current, rates_sfa_threshold,
                            Delta_Theta_equiv=None) -> Feedback:
    """Steady-state rates (1/mean ISI after 1 s of 3 s) of the two adapting neurons.

    The threshold neuron's rates also count when they are those of a run with the student's own
    ``Delta_Theta_equiv`` of exercise 1 (a voltage in (0, 50 mV]), so that a mistake there costs
    no points here; the adaptation-current neuron does not depend on it.
    """
    dI = _delta_i()
    current, threshold = _overlap_reference(dI)
    feedback = check_quantity(rates_sfa_current, current * Hz, rtol=0.01, name="rates_sfa_current")
    if not feedback:
        return feedback
    feedback = check_quantity(rates_sfa_threshold, threshold * Hz, rtol=0.01,
                              name="rates_sfa_threshold")
    if feedback:
        return Feedback(True, "right", "rates_sfa_current and rates_sfa_threshold are right.")
    own = _own_jump(Delta_Theta_equiv, dI)
    if own is not None and feedback.kind in ("imprecise", "wrong", "factor", "sign"):
        mine = _threshold_rates(OVERLAP_CURRENTS, OVERLAP_DURATION, OVERLAP_START, own)
        if check_quantity(rates_sfa_threshold, mine * Hz, rtol=0.01):
            return Feedback(True, "right", "rates_sfa_current is right, and rates_sfa_threshold is "
                                           "right for your Delta_Theta_equiv (if exercise 1 did "
                                           "not pass, the curves will not overlap).")
    return feedback


# --- exercise 3: the mean-adaptation theory --------------------------------------------------

def _adapting_model(dI=DELTA_I):
    """Part A with the adaptation current of jump ``dI`` (amp), as a model for the library's
    theory."""
    return LIF(**PART_A) + AdaptationCurrent(tau_sfa=TAU_ADAPT, Delta_I_sfa=float(dI) * amp)


def _self_consistent_rate(I, dI=DELTA_I):
    """r = r_LIF(I - tau_sfa Delta_I_sfa r) in Hz (:func:`theory.adaptation.adaptive_lif_rate`)."""
    return float(adaptive_lif_rate(_adapting_model(dI), I * amp))


def check_adapted_rate(adapted_rate) -> Feedback:
    """``adapted_rate(I)``: self-consistent steady-state rate of the adaptation-current neuron."""
    name = "adapted_rate(I)"
    dI = _delta_i()
    for current in (500 * pA, 1000 * pA, 380 * pA, 300 * pA):
        value, problem = call_safely(adapted_rate, current, name=name)
        if problem is not None:
            return problem
        expected = _self_consistent_rate(float(current), dI) * Hz
        feedback = check_quantity(value, expected, rtol=1e-3, atol=1e-6 * Hz, name=name)
        if not feedback:
            if feedback.kind in ("imprecise", "wrong") and float(expected) > 0:
                plain = float(theory.lif_rate(LIF(**PART_A), current))
                if abs(float(np.asarray(value, dtype=float)) / plain - 1) < 1e-3:
                    return Feedback(False, "concept", f"{name} is the rate without adaptation: the "
                                                      "mean adaptation current must be subtracted.")
            return feedback
    return Feedback(True, "right", f"{name} is right.")


def check_sfa_theory_gap(choice) -> Feedback:
    """Multiple choice: why the simulated adapted rate lies above the mean-adaptation theory."""
    return _choice("theory_gap", choice)


def check_adaptation_time_scale(choice) -> Feedback:
    """Multiple choice: order of magnitude of the adaptation time constant for tau_m = 20 ms."""
    return _choice("tau_adaptation", choice)


# --- exercise 6: initial and steady-state rates of the conductance neuron -----------------------

@functools.lru_cache(maxsize=None)
def _sra_reference(tau_SRA=TAU_SRA, Delta_G_SRA=DELTA_G):
    first, steady = [], []
    for I in np.asarray(SRA_CURRENTS, dtype=float):
        s = _spike_times(I, SRA_DURATION, **_part_b_kwargs(tau_SRA, Delta_G_SRA))
        first.append(1 / (s[1] - s[0]))
        steady.append(1 / (s[-1] - s[-2]))
    return np.array(first), np.array(steady)


def check_sra_first_steady(first_rates, steady_rates) -> Feedback:
    """1/first ISI and 1/last ISI of the conductance-SRA neuron at :data:`SRA_CURRENTS` (5 s)."""
    first, steady = _sra_reference(*_sra_values())
    if not any(x is None or x is Ellipsis for x in (first_rates, steady_rates)):
        try:
            swapped = (np.allclose(np.asarray(first_rates, dtype=float), steady, rtol=0.01)
                       and np.allclose(np.asarray(steady_rates, dtype=float), first, rtol=0.01))
        except (TypeError, ValueError):
            swapped = False
        if swapped:
            return Feedback(False, "concept", "first_rates and steady_rates are swapped: adaptation "
                                              "makes the first interval the shortest.")
    feedback = check_quantity(first_rates, first * Hz, rtol=0.005, name="first_rates")
    if feedback:
        feedback = check_quantity(steady_rates, steady * Hz, rtol=0.005, name="steady_rates")
    if feedback:
        return Feedback(True, "right", "first_rates and steady_rates are right.")
    return feedback


# --- exercise 7: currents that give a single spike ---------------------------------------------

@functools.lru_cache(maxsize=None)
def _single_spike_counts(tau_SRA=TAU_SRA, Delta_G_SRA=DELTA_G):
    return np.array([len(_spike_times(I, SINGLE_DURATION, **_part_b_kwargs(tau_SRA, Delta_G_SRA)))
                     for I in np.asarray(SINGLE_CURRENTS, dtype=float)])


def _largest_single(tau_SRA=TAU_SRA, Delta_G_SRA=DELTA_G):
    counts = _single_spike_counts(tau_SRA, Delta_G_SRA)
    return float(np.asarray(SINGLE_CURRENTS)[counts == 1].max()) * amp


def check_single_spike_current(I_single_max) -> Feedback:
    """Largest current of :data:`SINGLE_CURRENTS` that gives exactly one spike in 0.5 s."""
    feedback = check_quantity(I_single_max, _largest_single(*_sra_values()), rtol=0.001,
                              name="I_single_max")
    if feedback.kind == "imprecise":
        rheobase = (float(PART_B["V_th"]) - float(PART_B["E_L"])) / PART_B["R"]
        value = float(np.asarray(I_single_max, dtype=float))
        if value <= rheobase * (1 + 1e-9):
            return Feedback(False, "concept", "I_single_max: at or below rheobase the neuron does "
                                              "not fire at all.")
    return feedback


# --- exercise 8: the adapting LIF written in Brian2 ------------------------------------------

def written_sfa_reference(parameters):
    """The built-in LIF + AdaptationCurrent with the values of a written adapting LIF."""
    p = dict(parameters)
    return (LIF(tau_m=p["tau_m"], C_m=p["C_m"], E_L=p["E_L"], V_th=p["V_th"], V_reset=p["V_reset"],
                t_ref=p["t_ref"])
            + AdaptationCurrent(tau_sfa=p["tau_sfa"], Delta_I_sfa=p["Delta_I_sfa"]))


def check_sfa_written(equations, threshold, reset, *, parameters=None, cases=None) -> Feedback:
    """The LIF with an adaptation current, written in Brian2 strings (parameters of WRITTEN_SFA).

    The check builds the student's model with ``refractory='t_ref'``, ``method='exponential_euler'``
    (the built-in's) and ``v`` starting at E_L, with :data:`WRITTEN_SFA` and the active variant's
    ``Delta_I_sfa`` (the sheet's ``sfa_parameters``; or ``parameters``), and compares its spikes
    with ``LIF + AdaptationCurrent`` under :data:`WRITTEN_SFA_STEPS` (or ``cases``: (stimulus,
    duration, description) tuples).
    """
    if parameters is None:
        parameters = {**WRITTEN_SFA, "Delta_I_sfa": _variant().Delta_I_sfa}
    parameters = dict(parameters)
    if cases is None:
        cases = [(stimuli.step(WRITTEN_SFA_STEPS, 50 * ms, 450 * ms), 500 * ms,
                  "steps of 300, 500 and 800 pA")]
    return check_written_model(equations, threshold, reset, reference=written_sfa_reference(parameters),
                               parameters=parameters, cases=cases, refractory="t_ref",
                               method="exponential_euler", init={"v": parameters["E_L"]},
                               name="your adapting LIF",
                               labels=("sfa_equations", "sfa_threshold", "sfa_reset"))


# --- exercise 9: both f-I curves in one figure, a plot task ------------------------------------

def check_sfa_overlap_figure(fig, Delta_Theta_equiv=None) -> Feedback:
    """Plot task: the steady-state f-I curves (1/mean ISI after 1 s of 2 s) of the
    adaptation-current neuron and of the adaptive-threshold neuron with the equivalent jump, at
    :data:`SWEEP_CURRENTS`, on one axes with a legend; references from the exact update
    (:func:`_spike_times`).

    The threshold neuron's curve also counts when it is that of a run with the student's own
    ``Delta_Theta_equiv`` of exercise 1, so a mistake there costs no points here.
    """
    name = "fig_overlap"
    dI = _delta_i()
    current = _current_rates(SWEEP_CURRENTS, SWEEP_DURATION, SWEEP_START, dI)

    def specs(jump=None):
        threshold = _threshold_rates(SWEEP_CURRENTS, SWEEP_DURATION, SWEEP_START, jump, dI)
        return [Points("the f-I curve of the adaptation-current neuron", SWEEP_CURRENTS,
                       current * Hz, rtol=0.005, xtol=1 * pA),
                Points("the f-I curve of the adaptive-threshold neuron", SWEEP_CURRENTS,
                       threshold * Hz, rtol=0.005, xtol=1 * pA)]

    feedback = check_figure(fig, specs(), legend=True, name=name)
    if feedback or feedback.kind != "wrong":
        return feedback
    own = _own_jump(Delta_Theta_equiv, dI)
    if own is None:
        return feedback
    again = check_figure(fig, specs(own), legend=True, name=name)
    if again or again.kind == "legend":
        return again
    return feedback
