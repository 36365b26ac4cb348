"""Sheet 03 (spike-frequency adaptation): every check accepts the right answer, computed here
independently (by simulation or a closed form), and classifies the typical mistakes without
showing the answer."""

import re

import numpy as np
import pytest
from brian2 import Hz, Mohm, kHz, mV, ms, nA, nS, pA, pF, second, volt

from sfa_helpers import analysis, checks, simulate, stimuli, theory
from sfa_helpers.theory.adaptation import adaptive_lif_rate
from sfa_helpers.checks import lesson03
from sfa_helpers.models import LIF, AdaptationCurrent, AdaptiveThreshold, ConductanceSRA

LIF_A = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms, C_m=250 * pF)
ADAPTING = LIF_A + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=150 * pA)
SRA = (LIF(tau_m=10 * ms, E_L=-75 * mV, V_th=-50 * mV, V_reset=-80 * mV, R=100 * Mohm)
       + ConductanceSRA(tau_SRA=200 * ms, Delta_G_SRA=1 * nS, E_K=-80 * mV))


def _no_reference_in(message, reference, unit):
    values = np.atleast_1d(np.asarray(reference / unit, dtype=float))
    numbers = [float(x) for x in re.findall(r"-?\d+\.\d+|-?\d+", message)]
    return not any(abs(n - v) <= 0.01 * abs(v) + 1e-9 for n in numbers for v in values if v != 0)


@pytest.fixture(scope="module")
def overlap():
    n = len(lesson03.OVERLAP_CURRENTS)
    model = (LIF_A + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=np.repeat([150, 0], n) * pA)
             + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=np.repeat([0, 6], n) * mV))
    run = simulate(model, stimuli.constant(np.tile(lesson03.OVERLAP_CURRENTS, 2)), 3 * second,
                   record=())
    rates = analysis.isi_rate(run.spike_trains, start=1 * second)
    return rates[:n], rates[n:]


@pytest.fixture(scope="module")
def sra_run():
    return simulate(SRA, stimuli.constant(lesson03.SRA_CURRENTS), 5 * second, record=())


def test_loop_reference_reproduces_the_model():
    """The plain-Python reference gives the simulator's spike times (same update, same grid)."""
    run = simulate(ADAPTING, stimuli.constant(600 * pA), 0.5 * second, record=())
    mine = lesson03._spike_times(600e-12, 0.5, tau_I=0.1, dI=150e-12, **lesson03._part_a_kwargs())
    assert np.allclose(np.asarray(run.spike_trains[0]), mine, atol=1e-9)


def test_equivalent_threshold_jump():
    right = LIF_A.R * 150 * pA
    assert abs(right / mV - 6) < 1e-9
    assert checks.check_equivalent_threshold_jump(right)
    assert checks.check_equivalent_threshold_jump(4 * mV).kind == "imprecise"   # lesson's value
    assert checks.check_equivalent_threshold_jump(6 * volt).kind == "factor"
    assert checks.check_equivalent_threshold_jump(-6 * mV).kind == "sign"
    assert checks.check_equivalent_threshold_jump(6.0).kind == "units"
    assert checks.check_equivalent_threshold_jump(150 * pA).kind == "units"
    fb = checks.check_equivalent_threshold_jump(100 * Mohm * 150 * pA)   # R_m of lesson 02
    assert fb.kind == "imprecise" and _no_reference_in(fb.message, right, mV)
    assert checks.check_equivalent_threshold_jump(60 * mV).kind == "wrong"


def test_overlap_rates(overlap):
    current, threshold = overlap
    fb = checks.check_sfa_overlap_rates(current, threshold)
    assert fb and "rates_sfa_current and rates_sfa_threshold" in fb.message
    assert checks.check_sfa_overlap_rates(current, current).kind == "imprecise"
    assert checks.check_sfa_overlap_rates(current / kHz * Hz, threshold).kind == "factor"
    assert checks.check_sfa_overlap_rates(np.asarray(current), threshold).kind == "units"
    assert checks.check_sfa_overlap_rates(current, None).kind == "missing"
    # the lesson's 2 mV jump instead of the equivalent one: the threshold curve is off
    plain = theory.lif_rate(LIF_A, lesson03.OVERLAP_CURRENTS)
    fb = checks.check_sfa_overlap_rates(current, plain)
    assert not fb and _no_reference_in(fb.message, threshold, Hz)


def test_adapted_rate():
    def right(I):
        return adaptive_lif_rate(ADAPTING, I)

    assert checks.check_adapted_rate(right)
    fb = checks.check_adapted_rate(lambda I: theory.lif_rate(LIF_A, I))
    assert fb.kind == "concept" and "without adaptation" in fb.message
    assert checks.check_adapted_rate(lambda I: float(right(I))).kind == "units"
    assert checks.check_adapted_rate(lambda I: right(I) / kHz * Hz).kind == "factor"
    # a fixed point with the wrong adaptation strength (the lesson's 100 pA)
    lesson = LIF_A + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=100 * pA)
    fb = checks.check_adapted_rate(lambda I: adaptive_lif_rate(lesson, I))
    assert fb.kind == "imprecise" and _no_reference_in(fb.message, right(500 * pA), Hz)

    def nan_below(I):
        return np.nan * Hz if I <= 375 * pA else right(I)

    assert checks.check_adapted_rate(nan_below).kind == "nan"

    def crashes(I):
        raise ValueError("f(a) and f(b) must have different signs")

    assert checks.check_adapted_rate(crashes).kind == "error"


def test_sra_first_steady(sra_run):
    first = analysis.first_isi_rate(sra_run.spike_trains)
    steady = analysis.steady_state_isi_rate(sra_run.spike_trains)
    fb = checks.check_sra_first_steady(first, steady)
    assert fb and "first_rates and steady_rates" in fb.message
    assert checks.check_sra_first_steady(steady, first).kind == "concept"
    # the mean-adaptation theory is not the simulated last interval
    assert not checks.check_sra_first_steady(first, adaptive_lif_rate(SRA, lesson03.SRA_CURRENTS))
    # the mean rate over the run instead of the first interval
    assert not checks.check_sra_first_steady(sra_run.rates(), steady)
    assert checks.check_sra_first_steady(first / kHz * Hz, steady).kind == "factor"
    assert checks.check_sra_first_steady(first, np.asarray(steady)).kind == "units"
    assert checks.check_sra_first_steady(first[:2], steady).kind == "type"


def test_single_spike_current():
    run = simulate(SRA, stimuli.constant(lesson03.SINGLE_CURRENTS), 0.5 * second, record=())
    counts = run.spike_counts()
    right = lesson03.SINGLE_CURRENTS[counts == 1].max()
    assert np.all(counts >= 1)
    assert checks.check_single_spike_current(right)
    assert checks.check_single_spike_current(right + 1 * pA).kind == "imprecise"
    assert checks.check_single_spike_current(lesson03.SINGLE_CURRENTS[0]).kind == "imprecise"
    assert checks.check_single_spike_current(250 * pA).kind == "concept"
    assert checks.check_single_spike_current(right / pA * nA).kind == "factor"
    assert checks.check_single_spike_current(float(right / pA)).kind == "units"
    fb = checks.check_single_spike_current(right - 2 * pA)
    assert _no_reference_in(fb.message, right, pA)


@pytest.mark.parametrize("check,right", [(checks.check_sfa_theory_gap, "b"),
                                         (checks.check_adaptation_time_scale, "c")])
def test_choices(check, right):
    assert check(right) and check(f" {right.upper()} ")
    for wrong in sorted(set("abcd") - {right}):
        fb = check(wrong)
        assert fb.kind == "wrong" and f"'{right}'" not in fb.message
    assert check("e").kind == "type"
    assert check(None).kind == "missing"


# --- exercise 8: the adapting LIF written in Brian2 ----------------------------------------

SFA_RIGHT = ("dv/dt = (E_L - v)/tau_m + (I_total - I_sfa)/C_m : volt (unless refractory)\n"
             "dI_sfa/dt = -I_sfa/tau_sfa : amp",
             "v > V_th", "v = V_reset\nI_sfa += Delta_I_sfa")
#: Other values and an input the student has not seen, as in the sheet's hidden test.
SFA_HIDDEN = dict(tau_m=[15, 8] * ms, C_m=[200, 300] * pF, E_L=[-65, -72] * mV,
                  V_th=[-50, -54] * mV, V_reset=[-68, -60] * mV, t_ref=[3, 1] * ms,
                  tau_sfa=[200, 50] * ms, Delta_I_sfa=[50, 300] * pA)


def _sfa_hidden_cases():
    return [(stimuli.ramp([0.6, 1.5] * nA, 0 * ms, 600 * ms) + stimuli.sine(50 * pA, 5 * Hz),
             600 * ms, "a ramp with a sine on top")]


def test_written_sfa_reference_is_the_sheets_model():
    assert lesson03.written_sfa_reference(lesson03.WRITTEN_SFA) == ADAPTING


def test_written_sfa_right_answer_passes_visible_and_hidden():
    assert checks.check_sfa_written(*SFA_RIGHT)
    # one line per statement, extra blank lines and comments are fine
    assert checks.check_sfa_written("\n" + SFA_RIGHT[0] + "\n", SFA_RIGHT[1],
                                    "\nv = V_reset  # back to reset\n\nI_sfa += Delta_I_sfa\n")
    hidden = checks.check_sfa_written(*SFA_RIGHT, parameters=SFA_HIDDEN, cases=_sfa_hidden_cases())
    assert hidden, hidden.message
    ref = simulate(lesson03.written_sfa_reference(SFA_HIDDEN), _sfa_hidden_cases()[0][0],
                   600 * ms, record=())
    assert all(len(train) >= 5 for train in ref.spike_trains)


def test_written_sfa_hard_coded_numbers_pass_visible_fail_hidden():
    hard = ("dv/dt = (-70*mV - v)/(10*ms) + (I_total - I_sfa)/(250*pF) : volt (unless refractory)\n"
            "dI_sfa/dt = -I_sfa/(100*ms) : amp",
            "v > -55*mV", "v = -70*mV\nI_sfa += 150*pA")
    visible = checks.check_sfa_written(*hard)
    assert visible and "numbers with units" in visible.message
    hidden = checks.check_sfa_written(*hard, parameters=SFA_HIDDEN, cases=_sfa_hidden_cases())
    assert not hidden and hidden.kind == "wrong"


@pytest.mark.parametrize("answer,kind,phrase", [
    ((SFA_RIGHT[0], SFA_RIGHT[1], "v = V_reset"), "wrong", "more spikes"),        # reset misses I_sfa
    ((SFA_RIGHT[0], SFA_RIGHT[1], "I_sfa += Delta_I_sfa"), "imprecise", "other times"),  # misses v
    ((SFA_RIGHT[0], SFA_RIGHT[1], ""), "missing", "sfa_reset"),
    (("", SFA_RIGHT[1], SFA_RIGHT[2]), "missing", "sfa_equations"),                # empty string
    ((SFA_RIGHT[0].replace("(E_L - v)", "(v - E_L)"), SFA_RIGHT[1], SFA_RIGHT[2]),
     "wrong", "more spikes"),                                                       # leak sign
    ((SFA_RIGHT[0].replace("I_total - I_sfa", "I_total + I_sfa"), SFA_RIGHT[1], SFA_RIGHT[2]),
     "wrong", "more spikes"),                                                       # adaptation sign
    ((SFA_RIGHT[0].replace("(I_total - I_sfa)/C_m", "(I_total - I_sfa)"), SFA_RIGHT[1],
      SFA_RIGHT[2]), "units", "volt/second"),                                       # unit error
    ((SFA_RIGHT[0], SFA_RIGHT[1], "v = V_reset\nI_sfa += Delta_I_sfa*mV"), "units", "unit"),
    ((SFA_RIGHT[0].replace("dI_sfa/dt =", "dI_sfa/dt =="), SFA_RIGHT[1], SFA_RIGHT[2]),
     "syntax", "sfa_equations"),                                                    # syntax error
    ((SFA_RIGHT[0].replace("tau_sfa", "tau_adapt"), SFA_RIGHT[1], SFA_RIGHT[2]), "name",
     "tau_adapt"),
])
def test_written_sfa_mistakes(answer, kind, phrase):
    feedback = checks.check_sfa_written(*answer)
    assert not feedback and feedback.kind == kind, feedback.message
    assert phrase in feedback.message, feedback.message


def test_written_sfa_pasted_builtin_code_fails():
    code = ADAPTING.brian2_code()
    pasted = checks.check_sfa_written(code.equations, code.threshold, code.reset)
    assert not pasted and pasted.kind == "input"
    # only the two differential equations of the built-in: its R is not a parameter here
    lines = "\n".join(line for line in code.equations.splitlines() if line.strip().startswith("d"))
    fb = checks.check_sfa_written(lines, code.threshold, code.reset)
    assert not fb and fb.kind == "name" and '"R"' in fb.message
