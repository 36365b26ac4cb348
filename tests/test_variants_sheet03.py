"""Per-student variants of sheet 03 (spike-frequency adaptation): every student has their own
adaptation jump (part A) and conductance time constant and jump (part B), the checks follow the
active variant, and an answer of another variant fails.

The answers of each variant come from Brian2 runs of the sheet's neurons with that variant's
values (the simulation statistics and the figure) and from closed forms written out here (the
equivalent jump, the self-consistent rate by brentq), never from the check module's own
reference functions. The end-to-end test through the grader (the worked solution graded as one
student of each variant) is tests/test_variants.py's generic one."""

import numpy as np
import pytest
from brian2 import Hz, Mohm, mV, ms, nA, pA, pF, second, volt
from scipy.optimize import brentq

from sfa_helpers import analysis, simulate, stimuli, theory
from sfa_helpers.checks import lesson03, variants
from sfa_helpers.models import LIF, AdaptationCurrent, AdaptiveThreshold, ConductanceSRA
from sfa_helpers.theory.adaptation import adaptive_lif_rate
from variant_helpers import assert_same_structure, id_of_variant, program_structure

COUNT = len(lesson03.VARIANTS)
LIF_A = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
            C_m=250 * pF)


def _id_of_variant(index: int, prefix: str = "student") -> str:
    return id_of_variant("03", index, prefix)


pytestmark = pytest.mark.usefixtures("clean_variants")


def _v(index: int):
    return variants.Variant("03", index, None)


def _both(index: int, n: int, jump=None):
    """Part A with both mechanisms in one group: the variant's adaptation current on the first
    ``n`` neurons, the adaptive threshold (the equivalent jump R Delta_I_sfa, or ``jump``) on the
    last ``n``, as the sheet's exercises 2 and 9 ask."""
    dI = _v(index).Delta_I_sfa
    jump = 40e6 * float(dI) * volt if jump is None else jump
    return (LIF_A + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=np.repeat([1, 0], n) * dI)
            + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=np.repeat([0, 1], n) * jump))


def _sra(index: int):
    v = _v(index)
    return (LIF(tau_m=10 * ms, E_L=-75 * mV, V_th=-50 * mV, V_reset=-80 * mV, R=100 * Mohm)
            + ConductanceSRA(tau_SRA=v.tau_SRA, Delta_G_SRA=v.Delta_G_SRA, E_K=-80 * mV))


def _adapted_rate_of(delta_i: float):
    """The worked answer of exercise 3 for an adaptation jump ``delta_i`` (amp), written out:
    r = 1 / (t_ref + tau_m ln((R I_eff + E_L - V_reset) / (R I_eff + E_L - Theta_0))),
    I_eff = I - tau_sfa Delta_I_sfa r, solved by brentq (SI units)."""
    def lif_rate(current):
        drive = 4e7 * current
        return 0.0 if drive <= 0.015 else 1 / (2e-3 + 0.01 * np.log(drive / (drive - 0.015)))

    def adapted_rate(I):
        current = float(I)
        top = lif_rate(current)
        if top == 0:
            return 0 * Hz
        return brentq(lambda r: r - lif_rate(current - 0.1 * delta_i * r), 0, top, xtol=1e-10) * Hz
    return adapted_rate


def _overlap_run(index: int, jump=None):
    n = len(lesson03.OVERLAP_CURRENTS)
    run = simulate(_both(index, n, jump), stimuli.constant(np.tile(lesson03.OVERLAP_CURRENTS, 2)),
                   3 * second, record=())
    rates = analysis.isi_rate(run.spike_trains, start=1 * second)
    return rates[:n], rates[n:]


@pytest.fixture(scope="module")
def answers():
    """The right answers of every variant."""
    out = []
    for index in range(COUNT):
        v = _v(index)
        jump = 40e6 * float(v.Delta_I_sfa) * volt               # R = tau_m / C_m = 40 MOhm
        current, threshold = _overlap_run(index)
        sra = simulate(_sra(index), stimuli.constant(lesson03.SRA_CURRENTS), 5 * second, record=())
        single = simulate(_sra(index), stimuli.constant(lesson03.SINGLE_CURRENTS), 0.5 * second,
                          record=())
        out.append({"Delta_Theta_equiv": jump,
                    "overlap": (current, threshold, jump),
                    "adapted_rate": _adapted_rate_of(float(v.Delta_I_sfa)),
                    "first_steady": (analysis.first_isi_rate(sra.spike_trains),
                                     analysis.steady_state_isi_rate(sra.spike_trains)),
                    "I_single_max": lesson03.SINGLE_CURRENTS[single.spike_counts() == 1].max(),
                    "single_counts": single.spike_counts()})
    return out


CHECKS = {"Delta_Theta_equiv": lambda a: lesson03.check_equivalent_threshold_jump(a),
          "overlap": lambda a: lesson03.check_sfa_overlap_rates(*a),
          "adapted_rate": lambda a: lesson03.check_adapted_rate(a),
          "first_steady": lambda a: lesson03.check_sra_first_steady(*a),
          "I_single_max": lambda a: lesson03.check_single_spike_current(a)}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_variant_passes_its_own_answers_and_fails_every_other_variants(name, answers):
    for mine in range(COUNT):
        variants.sheet_variant("03", _id_of_variant(mine), quiet=True)
        verdicts = [bool(CHECKS[name](answers[other][name])) for other in range(COUNT)]
        assert verdicts == [other == mine for other in range(COUNT)], (name, mine, verdicts)


def test_the_graders_id_decides_the_reference(monkeypatch, answers):
    variants.sheet_variant("03", _id_of_variant(1), quiet=True)
    monkeypatch.setenv(variants.ENV, _id_of_variant(3))
    assert lesson03.check_single_spike_current(answers[3]["I_single_max"])
    assert not lesson03.check_single_spike_current(answers[1]["I_single_max"])
    assert lesson03.check_equivalent_threshold_jump(answers[3]["Delta_Theta_equiv"])


def test_exercise_2_accepts_the_students_own_jump_in_every_variant(answers):
    """A wrong Delta_Theta_equiv (R_m of lesson 02, 100 MOhm) run faithfully costs nothing in
    exercise 2, in every variant; the same run without that jump fails."""
    for index in range(COUNT):
        variants.sheet_variant("03", _id_of_variant(index), quiet=True)
        wrong = 100e6 * float(_v(index).Delta_I_sfa) * volt
        current, own = _overlap_run(index, wrong)
        fb = lesson03.check_sfa_overlap_rates(current, own, wrong)
        assert fb and "your Delta_Theta_equiv" in fb.message, index
        assert not lesson03.check_sfa_overlap_rates(current, own)
        equivalent = answers[index]["Delta_Theta_equiv"]
        assert not lesson03.check_sfa_overlap_rates(current, own, equivalent)


def test_the_story_of_the_sheet_holds_in_every_variant(answers):
    """What the sheet says and its hidden tests assert, per variant: the two curves of exercise 2
    rise and overlap within 1.5 Hz, the adaptation current's far below the plain LIF; the
    simulation lies above the mean-adaptation theory, by about 3 Hz at 600 pA (exercise 4's
    stem); adaptation makes the first interval the shortest; the largest single-spike current is
    inside the grid and not its first current."""
    plain = np.asarray(theory.lif_rate(LIF_A, lesson03.OVERLAP_CURRENTS))
    for index in range(COUNT):
        current, threshold, _ = (np.asarray(x, dtype=float) for x in answers[index]["overlap"])
        assert np.all(np.diff(current) > 0) and np.all(np.diff(threshold) > 0)
        assert np.all(np.abs(current - threshold) < 1.5), index
        assert np.all(current < 0.5 * plain)
        model = LIF_A + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=_v(index).Delta_I_sfa)
        mean = np.asarray(adaptive_lif_rate(model, lesson03.OVERLAP_CURRENTS))
        assert np.all(current > mean)
        assert 2.5 < current[2] - mean[2] < 4.0, index              # 600 pA
        first, steady = (np.asarray(x, dtype=float) for x in answers[index]["first_steady"])
        assert np.all(first > steady) and np.all(np.diff(steady) > 0)
        counts = answers[index]["single_counts"]
        largest = float(answers[index]["I_single_max"] / pA)
        assert 252 <= largest <= 259 and counts[int(largest) - 251 + 1] == 2, index
    assert len({float(a["I_single_max"] / pA) for a in answers}) == COUNT


# --- exercise 8: the written model is checked with the sheet's sfa_parameters ---------------------

SFA_RIGHT = ("dv/dt = (E_L - v)/tau_m + (I_total - I_sfa)/C_m : volt (unless refractory)\n"
             "dI_sfa/dt = -I_sfa/tau_sfa : amp",
             "v > V_th", "v = V_reset\nI_sfa += Delta_I_sfa")


def test_the_written_model_is_compared_with_the_variants_neuron():
    """The visible check fills in the variant's Delta_I_sfa (the sheet's sfa_parameters): the
    right strings pass in every variant; numbers typed in from variant 0 (150 pA) pass there and
    fail where the jump is another."""
    hard = (SFA_RIGHT[0], SFA_RIGHT[1], "v = V_reset\nI_sfa += 150*pA")
    for index in range(COUNT):
        variants.sheet_variant("03", _id_of_variant(index), quiet=True)
        assert lesson03.check_sfa_written(*SFA_RIGHT), index
        typed = lesson03.check_sfa_written(*hard)
        assert bool(typed) == (_v(index).Delta_I_sfa == 150 * pA), index


# --- exercise 9: the plot task follows the variant ---------------------------------------------

def _overlap_figure(index: int):
    import matplotlib.pyplot as plt

    m = len(lesson03.SWEEP_CURRENTS)
    run = simulate(_both(index, m), stimuli.constant(np.tile(lesson03.SWEEP_CURRENTS, 2)),
                   2 * second, record=())
    rates = analysis.isi_rate(run.spike_trains, start=1 * second)
    fig, ax = plt.subplots()
    ax.plot(lesson03.SWEEP_CURRENTS / nA, rates[:m] / Hz, "o-", label="adaptation current")
    ax.plot(lesson03.SWEEP_CURRENTS / nA, rates[m:] / Hz, "s--", label="adaptive threshold")
    ax.set_xlabel("I (nA)")
    ax.set_ylabel("rate (Hz)")
    ax.legend()
    return fig


def test_the_overlap_figure_of_each_variant_passes_only_its_own_variant(answers):
    import matplotlib.pyplot as plt

    try:
        figures = [_overlap_figure(index) for index in range(COUNT)]
        for mine in range(COUNT):
            variants.sheet_variant("03", _id_of_variant(mine), quiet=True)
            verdicts = [bool(lesson03.check_sfa_overlap_figure(fig)) for fig in figures]
            assert verdicts == [other == mine for other in range(COUNT)], (mine, verdicts)
            # with each figure its own variant's jump, as the sheet passes Delta_Theta_equiv
            verdicts = [bool(lesson03.check_sfa_overlap_figure(fig, a["Delta_Theta_equiv"]))
                        for a, fig in zip(answers, figures)]
            assert verdicts == [other == mine for other in range(COUNT)], (mine, verdicts)
    finally:
        plt.close("all")


# --- multiple choice --------------------------------------------------------------------------

@pytest.mark.parametrize("question", sorted(lesson03.CHOICES))
def test_options_are_shuffled_per_variant_and_checked_in_that_order(question):
    right, options = lesson03.CHOICES[question]
    check = {"theory_gap": lesson03.check_sfa_theory_gap,
             "tau_adaptation": lesson03.check_adaptation_time_scale}[question]
    letters = []
    for index in range(COUNT):
        v = variants.Variant("03", index, None)
        assert sorted(v.order(question)) == sorted(options)
        assert [v.chosen_key(question, v.letter_of(question, k)) for k in options] == list(options)
        letters.append(v.letter_of(question, right))
        variants._ACTIVE["03"] = v
        assert [bool(check(x)) for x in "abcd"] == [x == letters[-1] for x in "abcd"]
    assert set(letters) == set("abcd")  # the right answer is not always under one letter
    assert variants.Variant("03", 0, None).order(question) == list(options)  # variant 0 as written
    assert letters[0] == {"theory_gap": "b", "tau_adaptation": "c"}[question]


# --- structure: only values passed to compiled programs change -----------------------------------

def test_variants_agree_in_keys_shapes_and_units():
    first = lesson03.VARIANTS[0]
    assert 5 <= COUNT <= 6
    assert first["Delta_I_sfa"] == lesson03.DELTA_I_SFA                  # variant 0: the original
    assert first["tau_SRA"] == lesson03.PART_B["tau_SRA"]
    assert first["Delta_G_SRA"] == lesson03.PART_B["Delta_G_SRA"]
    assert_same_structure(lesson03.VARIANTS)
    assert len({float(v["Delta_I_sfa"]) for v in lesson03.VARIANTS}) == COUNT
    assert len({(float(v["tau_SRA"]), float(v["Delta_G_SRA"])) for v in lesson03.VARIANTS}) == COUNT


def _structure(model, stimulus, dt=0.1 * ms):
    return program_structure(model, stimulus, dt)


def test_every_run_of_the_sheet_has_one_structure_for_all_variants():
    """The runs the sheet asks for (and the written model's reference) differ between variants
    only in values passed to the compiled program, so grading compiles nothing new per student."""
    n, m = len(lesson03.OVERLAP_CURRENTS), len(lesson03.SWEEP_CURRENTS)
    runs = [lambda i: (_both(i, n), stimuli.constant(np.tile(lesson03.OVERLAP_CURRENTS, 2))),
            lambda i: (_both(i, m), stimuli.constant(np.tile(lesson03.SWEEP_CURRENTS, 2))),
            lambda i: (_sra(i), stimuli.constant(lesson03.SRA_CURRENTS)),
            lambda i: (_sra(i), stimuli.constant(lesson03.SINGLE_CURRENTS)),
            lambda i: (lesson03.written_sfa_reference({**lesson03.WRITTEN_SFA,
                                                       "Delta_I_sfa": _v(i).Delta_I_sfa}),
                       stimuli.step(lesson03.WRITTEN_SFA_STEPS, 50 * ms, 450 * ms))]
    for run in runs:
        assert len({_structure(*run(index)) for index in range(COUNT)}) == 1
