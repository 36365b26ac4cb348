"""Sheet 03 (spike-frequency adaptation): every check accepts the right answer, computed here
independently (by simulation or a closed form), and classifies the typical mistakes without
showing the answer."""

import re

import numpy as np
import pytest
from brian2 import Hz, Mohm, kHz, mV, ms, nA, nS, pA, pF, second, volt

from sfa_helpers import analysis, checks, simulate, stimuli, theory
from sfa_helpers.theory.adaptation import adaptive_lif_rate
from sfa_helpers.checks import lesson03, variants
from sfa_helpers.models import LIF, AdaptationCurrent, AdaptiveThreshold, ConductanceSRA

LIF_A = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms, C_m=250 * pF)
ADAPTING = LIF_A + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=150 * pA)
SRA = (LIF(tau_m=10 * ms, E_L=-75 * mV, V_th=-50 * mV, V_reset=-80 * mV, R=100 * Mohm)
       + ConductanceSRA(tau_SRA=200 * ms, Delta_G_SRA=1 * nS, E_K=-80 * mV))


@pytest.fixture(autouse=True)
def _variant_0(monkeypatch):
    """These tests are about the sheet's original numbers (variant 0; the other variants:
    tests/test_variants_sheet03.py), whatever id the environment or an earlier test picked."""
    monkeypatch.delenv(variants.ENV, raising=False)
    variants._ACTIVE.pop("03", None)
    yield
    variants._ACTIVE.pop("03", None)


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


# --- exercise 2 without exercise 1: the student's own jump counts -------------------------------

def _run_rates(currents, delta_I, delta_theta, duration, start=1 * second):
    """Steady-state rates of one group: one adaptation-current jump and one threshold jump per
    block of ``currents`` (Brian2, the simulation the sheet asks for)."""
    k, n = len(delta_I), len(currents)
    model = (LIF_A + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=np.repeat(delta_I, n))
             + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=np.repeat(delta_theta, n)))
    run = simulate(model, stimuli.constant(np.tile(currents, k)), duration, record=())
    return analysis.isi_rate(run.spike_trains, start=start).reshape(k, len(currents))


def test_overlap_rates_with_the_students_own_jump(overlap):
    """A wrong Delta_Theta_equiv in exercise 1 (R_m of lesson 02: 15 mV) costs nothing in
    exercise 2 when the run uses it; without that jump, or with another one, it fails."""
    current, _ = overlap
    (own,) = _run_rates(lesson03.OVERLAP_CURRENTS, [0] * pA, [15] * mV, 3 * second)
    assert checks.check_sfa_overlap_rates(current, own).kind == "imprecise"
    fb = checks.check_sfa_overlap_rates(current, own, 15 * mV)
    assert fb and "your Delta_Theta_equiv" in fb.message
    assert not checks.check_sfa_overlap_rates(current, own, 4 * mV)
    # a jump that is not a voltage, or an absurd one, is not used
    for jump in (15.0, 15 * pA, 15 * volt, [15, 15] * mV, "15 mV", -15 * mV):
        assert not checks.check_sfa_overlap_rates(current, own, jump)
    # no work: the mean-adaptation theory, or the current neuron's rates copied, fail whatever
    # jump comes with them; the adaptation current's rates never depend on exercise 1
    model = LIF_A + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=15 * mV)
    theory_rates = adaptive_lif_rate(model, lesson03.OVERLAP_CURRENTS)
    assert not checks.check_sfa_overlap_rates(current, theory_rates, 15 * mV)
    assert not checks.check_sfa_overlap_rates(current, current, 15 * mV)
    assert not checks.check_sfa_overlap_rates(current * 1.05, own, 15 * mV)
    assert checks.check_sfa_overlap_rates(None, own, 15 * mV).kind == "missing"


# --- exercise 9: both f-I curves in one figure, a plot task --------------------------------------

@pytest.fixture(scope="module")
def sweep():
    """Sweep currents: the adaptation current, thresholds of 6 mV (equivalent) and 4 mV."""
    rates = _run_rates(lesson03.SWEEP_CURRENTS, [150, 0, 0] * pA, [0, 6, 4] * mV, 2 * second)
    return dict(zip(("current", "threshold", "lesson"), rates))


@pytest.fixture
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _overlap_figure(curves, xunit=nA, yunit=Hz, xlabel="I (nA)", ylabel="rate (Hz)", legend=True):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    for label, rates in curves.items():
        ax.plot(lesson03.SWEEP_CURRENTS / xunit, rates / yunit, "o-", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend()
    return fig


def test_overlap_figure_of_a_brian2_run_passes(sweep, _close_figures):
    both = {"adaptation current": sweep["current"], "adaptive threshold": sweep["threshold"]}
    assert checks.check_sfa_overlap_figure(_overlap_figure(both))
    assert checks.check_sfa_overlap_figure(_overlap_figure(both, pA, kHz, "current (pA)",
                                                           "f (kHz)"), 6 * mV)


@pytest.mark.parametrize("curves, kwargs, kind, words", [
    (("current", "lesson"), {}, "wrong", "adaptive-threshold"),    # the lesson's 4 mV jump
    (("current",), {}, "wrong", "adaptive-threshold"),             # one curve only
    (("current", "current"), {}, "wrong", "adaptive-threshold"),   # the same curve twice
    (("threshold",), {}, "wrong", "adaptation-current"),
    (("current", "threshold"), {"ylabel": "rate (kHz)"}, "wrong", "does not show"),
    (("current", "threshold"), {"xlabel": "I (mV)"}, "units", "labelled in mV"),
    (("current", "threshold"), {"ylabel": "rate"}, "units", "names no unit"),
    (("current", "threshold"), {"legend": False}, "legend", "legend"),
])
def test_overlap_figure_mistakes_fail(sweep, _close_figures, curves, kwargs, kind, words):
    fig = _overlap_figure({f"{name} {k}": sweep[name] for k, name in enumerate(curves)}, **kwargs)
    feedback = checks.check_sfa_overlap_figure(fig, 6 * mV)
    assert not feedback and feedback.kind == kind and words in feedback.message, feedback.message
    assert _no_reference_in(feedback.message, sweep["current"], Hz)
    assert _no_reference_in(feedback.message, sweep["threshold"], Hz)


def test_overlap_figure_counts_the_students_own_jump(sweep, _close_figures):
    """The lesson's 4 mV as Delta_Theta_equiv, drawn faithfully: the plot task passes with that
    jump and fails without it; the own jump does not excuse a missing legend or curve."""
    fig = _overlap_figure({"current": sweep["current"], "threshold": sweep["lesson"]})
    assert checks.check_sfa_overlap_figure(fig, 4 * mV)
    assert checks.check_sfa_overlap_figure(fig).kind == "wrong"
    assert checks.check_sfa_overlap_figure(fig, 15 * mV).kind == "wrong"
    no_legend = _overlap_figure({"current": sweep["current"], "threshold": sweep["lesson"]},
                                legend=False)
    assert checks.check_sfa_overlap_figure(no_legend, 4 * mV).kind == "legend"
    one = _overlap_figure({"threshold": sweep["lesson"]})
    assert checks.check_sfa_overlap_figure(one, 4 * mV).kind == "wrong"


def test_overlap_figure_not_a_figure():
    assert checks.check_sfa_overlap_figure(None).kind == "missing"
    assert checks.check_sfa_overlap_figure("fig").kind == "type"
