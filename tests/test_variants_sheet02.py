"""Per-student variants of sheet 02 (refractoriness): every student has their own reset potential,
the checks follow the active variant, and an answer of another variant fails.

The answers of each variant come from Brian2 runs (the simulation statistics and the figure) and
from closed forms written out here (by hand or with brentq), never from the check module's own
reference functions. The end-to-end test through the grader (the worked solution graded as one
student of each variant) is tests/test_variants.py's generic one."""

import numpy as np
import pytest
from brian2 import Hz, Mohm, amp, mV, ms, pA, second
from scipy.optimize import brentq

from sfa_helpers import analysis, simulate, stimuli
from sfa_helpers.checks import lesson02, variants
from sfa_helpers.models import LIF, ForcedVoltageClamp, ThresholdIncrease
from variant_helpers import assert_same_structure, id_of_variant, program_structure

COUNT = len(lesson02.VARIANTS)
DT = 0.02 * ms


def _id_of_variant(index: int, prefix: str = "student") -> str:
    return id_of_variant("02", index, prefix)


pytestmark = pytest.mark.usefixtures("clean_variants")


def _v_reset(index: int) -> float:
    """The reset potential of variant ``index`` in volt."""
    return float(variants.Variant("02", index, None).V_reset)


def _base(index: int):
    return LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-50 * mV,
               V_reset=variants.Variant("02", index, None).V_reset, R=100 * Mohm)


def _clamp(index: int):
    return _base(index) + ForcedVoltageClamp(tau_vc=2.5 * ms)


def _clamp_isi_of(v_reset: float):
    """The worked answer of exercise 1 for a neuron reset to ``v_reset`` (volt), written out."""
    def clamp_isi(I):
        v_inf = -0.07 + 1e8 * float(I)
        if v_inf <= -0.05:
            return np.inf * second
        return (2.5e-3 + 0.01 * np.log((v_inf - v_reset) / (v_inf + 0.05))) * second
    return clamp_isi


@pytest.fixture(scope="module")
def answers():
    """The right answers of every variant: Brian2 runs of the sheet's neuron with that variant's
    reset (exercises 2 and 6), closed forms written out here (exercises 1, 3 and 4)."""
    out = []
    for index in range(COUNT):
        vr = _v_reset(index)
        sweep = simulate(_clamp(index), stimuli.constant(lesson02.CLAMP_CURRENTS), 1 * second,
                         dt=DT, record=())
        mean_run = simulate(_clamp(index), stimuli.constant(lesson02.MEAN_V_CURRENTS), 1 * second,
                            dt=DT, record=("v",))
        # tau_vc + T(I) = tau_vc / 0.9, T = 10 ms ln((V_inf - V_reset) / (V_inf - V_th))
        i_90 = brentq(lambda i: 2.5e-3 + 0.01 * np.log((1e8 * i - 0.07 - vr) / (1e8 * i - 0.02))
                      - 2.5e-3 / 0.9, 2.001e-10, 1e-6, xtol=1e-18)
        # V(tau_vc) = Theta(tau_vc): V_inf (1 - q) + V_reset q = V_th + 250 mV e^{-2.5}
        q = np.exp(-0.25)
        v_inf = (-0.05 + 0.25 * np.exp(-2.5) - vr * q) / (1 - q)
        out.append({"clamp_isi": _clamp_isi_of(vr),
                    "clamp_rates": analysis.isi_rate(sweep.spike_trains),
                    "I_90": i_90 * amp,
                    "I_cross": (v_inf + 0.07) / 1e8 * amp,
                    "mean_V": analysis.mean_potential(mean_run, start=0.2 * second)})
    return out


CHECKS = {"clamp_isi": lesson02.check_clamp_isi, "clamp_rates": lesson02.check_clamp_rates,
          "I_90": lesson02.check_clamp_I90, "I_cross": lesson02.check_threshold_crossover,
          "mean_V": lesson02.check_clamp_mean_v}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_variant_passes_its_own_answers_and_fails_every_other_variants(name, answers):
    for mine in range(COUNT):
        variants.sheet_variant("02", _id_of_variant(mine), quiet=True)
        verdicts = [bool(CHECKS[name](answers[other][name])) for other in range(COUNT)]
        assert verdicts == [other == mine for other in range(COUNT)], (name, mine, verdicts)


def test_the_graders_id_decides_the_reference(monkeypatch, answers):
    """Under the grader (SFA_STUDENT_ID set) the checks use the graded student's variant, whatever
    variant the notebook picked."""
    variants.sheet_variant("02", _id_of_variant(1), quiet=True)
    monkeypatch.setenv(variants.ENV, _id_of_variant(2))
    assert lesson02.check_clamp_I90(answers[2]["I_90"])
    assert not lesson02.check_clamp_I90(answers[1]["I_90"])


def test_the_no_work_answers_fail_in_every_variant(answers):
    """Per variant: the continuous-time rates 1/(tau_vc + T) are not the simulated ones, the
    potential without spikes is not the mean, and I_cross without the voltage reset is flagged."""
    for index in range(COUNT):
        variants.sheet_variant("02", _id_of_variant(index), quiet=True)
        isi = _clamp_isi_of(_v_reset(index))
        theory = np.array([1 / float(isi(I)) for I in lesson02.CLAMP_CURRENTS]) * Hz
        assert lesson02.check_clamp_rates(theory).kind == "imprecise"
        free = -70 * mV + 100 * Mohm * lesson02.MEAN_V_CURRENTS
        assert lesson02.check_clamp_mean_v(free).kind == "concept"
        no_reset = (-50 * mV + 250 * mV * np.exp(-2.5) + 70 * mV) / (100 * Mohm)
        assert lesson02.check_threshold_crossover(no_reset).kind == "concept"
        no_clamp = lesson02.check_clamp_isi(lambda I: isi(I) - 2.5 * ms)
        assert no_clamp.kind == "concept"


def test_the_story_of_the_sheet_holds_in_every_variant(answers):
    """What the sheet says and the hidden tests assert: rates below 1/tau_vc, rising with the
    current; the mean potential falls with the current above rheobase; method 2 crosses 400 Hz
    at I_cross (Brian2 runs 2 % either side)."""
    for index in range(COUNT):
        rates = np.asarray(answers[index]["clamp_rates"])
        assert np.all(rates < 400) and np.all(np.diff(rates) > 0)
        assert np.all(np.diff(np.asarray(answers[index]["mean_V"])) < 0)
        i_cross = answers[index]["I_cross"]
        model = _base(index) + ThresholdIncrease(Theta_max=200 * mV, tau_Theta=1 * ms)
        run = simulate(model, stimuli.constant(np.array([0.98, 1.02]) * i_cross), 0.3 * second,
                       dt=DT, record=())
        below, above = analysis.isi_rate(run.spike_trains, start=0.1 * second)
        assert below < 400 * Hz < above, index


# --- exercise 8: the plot task follows the variant ---------------------------------------------

def _fI_figure(index: int):
    """The plot task drawn from a Brian2 run of variant ``index``'s clamp and its closed form."""
    import matplotlib.pyplot as plt

    run = simulate(_clamp(index), stimuli.constant(lesson02.FI_CURRENTS), 0.5 * second, dt=DT,
                   record=())
    rates = analysis.isi_rate(run.spike_trains)
    isi = _clamp_isi_of(_v_reset(index))
    fine = np.geomspace(220, 20000, 150) * pA
    fig, ax = plt.subplots()
    ax.plot(fine / pA, [1 / float(isi(I)) for I in fine], label="closed form")
    ax.plot(lesson02.FI_CURRENTS / pA, rates / Hz, "o", label="simulation")
    ax.set_xscale("log")
    ax.set_xlabel("I (pA)")
    ax.set_ylabel("rate (Hz)")
    ax.legend()
    return fig


def test_the_fI_figure_of_each_variant_passes_only_its_own_variant():
    import matplotlib.pyplot as plt

    try:
        figures = [_fI_figure(index) for index in range(COUNT)]
        for mine in range(COUNT):
            variants.sheet_variant("02", _id_of_variant(mine), quiet=True)
            own = _clamp_isi_of(_v_reset(mine))
            verdicts = [bool(lesson02.check_clamp_fI_figure(fig)) for fig in figures]
            assert verdicts == [other == mine for other in range(COUNT)], (mine, verdicts)
            # the student's own clamp_isi of another variant does not rescue the points
            others = [lesson02.check_clamp_fI_figure(figures[k], _clamp_isi_of(_v_reset(k)))
                      for k in range(COUNT)]
            assert [bool(f) for f in others] == [k == mine for k in range(COUNT)], mine
            assert lesson02.check_clamp_fI_figure(figures[mine], own)
    finally:
        plt.close("all")


# --- multiple choice --------------------------------------------------------------------------

@pytest.mark.parametrize("question", sorted(lesson02.CHOICES))
def test_options_are_shuffled_per_variant_and_checked_in_that_order(question):
    right, options = lesson02.CHOICES[question]
    check = {"max_rate_threshold": lesson02.check_threshold_max_rate,
             "mean_v_reason": lesson02.check_mean_v_reason}[question]
    letters = []
    for index in range(COUNT):
        v = variants.Variant("02", index, None)
        assert sorted(v.order(question)) == sorted(options)
        assert [v.chosen_key(question, v.letter_of(question, k)) for k in options] == list(options)
        letters.append(v.letter_of(question, right))
        variants._ACTIVE["02"] = v
        assert [bool(check(x)) for x in "abcd"] == [x == letters[-1] for x in "abcd"]
    assert set(letters) == set("abcd")  # the right answer is not always under one letter
    assert variants.Variant("02", 0, None).order(question) == list(options)  # variant 0 as written
    assert letters[0] == {"max_rate_threshold": "b", "mean_v_reason": "c"}[question]


# --- structure: only values passed to compiled programs change -----------------------------------

def test_variants_agree_in_keys_shapes_and_units():
    first = lesson02.VARIANTS[0]
    assert 5 <= COUNT <= 6
    assert first["V_reset"] == lesson02.BASE["V_reset"]          # variant 0: the original sheet
    assert_same_structure(lesson02.VARIANTS)
    assert len({float(v["V_reset"]) for v in lesson02.VARIANTS}) == COUNT


def _structure(model, stimulus, dt=DT):
    return program_structure(model, stimulus, dt)


def test_every_run_of_the_sheet_has_one_structure_for_all_variants():
    """The runs the sheet asks for differ between variants only in values passed to the compiled
    program (the reset potential), so grading compiles nothing new per student."""
    runs = [lambda m: (m, stimuli.constant(lesson02.CLAMP_CURRENTS)),
            lambda m: (m, stimuli.constant(lesson02.MEAN_V_CURRENTS)),
            lambda m: (m, stimuli.constant(lesson02.FI_CURRENTS))]
    for run in runs:
        shapes = {repr(_structure(*run(_clamp(index)))) for index in range(COUNT)}
        assert len(shapes) == 1
    method2 = {repr(_structure(_base(index) + ThresholdIncrease(Theta_max=200 * mV,
                                                                tau_Theta=1 * ms),
                               stimuli.constant(np.array([1.6, 1.7]) * 1e-9 * amp)))
               for index in range(COUNT)}
    assert len(method2) == 1
