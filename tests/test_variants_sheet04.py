"""Per-student variants of sheet 04 (AdEx phase plane): each variant's answers pass its own
checks and fail every other variant's, the multiple-choice options move per variant, and the
variants change only values passed to the compiled programs, never a simulation's structure.

The right answers of every variant come from the phase-plane tools (``theory.adex``) and from
the course's Brian2 simulations, not from the check module's references (root finding,
quadrature and ``solve_ivp``). The end-to-end test (the worked solution graded as one student of
each variant through ``sfa-grade``) is the generic one of ``tests/test_variants.py``."""

import functools

import numpy as np
import pytest
from brian2 import Mohm, Quantity, mV, ms, nS, pA, second

from sfa_helpers import engine, simulate, stimuli
from sfa_helpers.checks import lesson04, variants
from sfa_helpers.firing_patterns import classify_pattern
from sfa_helpers.models import AdEx
from sfa_helpers.theory.adex import fixed_points, saddle_node_current
from variant_helpers import assert_same_structure, id_of_variant

SHEET = "04"
COUNT = len(lesson04.VARIANTS)
DT = 0.02 * ms


def _id_of_variant(index: int, prefix: str = "student") -> str:
    return id_of_variant("04", index, prefix)


pytestmark = pytest.mark.usefixtures("clean_variants")


def _table(tau_m, a, tau_w, b, V_reset):
    return AdEx(tau_m=tau_m, E_L=-70 * mV, V_T=-50 * mV, Delta_T=2 * mV, V_reset=V_reset, a=a,
                b=b, tau_w=tau_w, R=500 * Mohm)


ADAPTING = _table(20 * ms, 0 * nS, 100 * ms, 5 * pA, -55 * mV)
TRANSIENT = _table(10 * ms, 1 * nS, 100 * ms, 10 * pA, -60 * mV)


def _a_transient(step) -> Quantity:
    """Bisection on the phase-plane tools' saddle-node current: I_SN(a) = step."""
    lo, hi = 0.0, 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if float(saddle_node_current(TRANSIENT.replace(a=mid * nS)) / pA) < float(step / pA):
            lo = mid
        else:
            hi = mid
    return lo * nS


def _simulations(v):
    """The three runs of a variant as the sheet prescribes them (Brian2)."""
    lat = simulate(ADAPTING, stimuli.step(v.latency_currents, 0 * ms), 120 * ms, dt=DT, record=())
    isi = simulate(ADAPTING.replace(b=v.b_values), stimuli.step(65 * pA, 0 * ms), 200 * ms, dt=DT,
                   record=())
    sets = np.array(v.pattern_sets, dtype=float)
    quartet = _table(sets[:, 0] * ms, sets[:, 1] * nS, sets[:, 2] * ms, sets[:, 3] * pA,
                     sets[:, 4] * mV)
    patterns = simulate(quartet, stimuli.step(65 * pA, 0 * ms), 500 * ms, dt=DT, record=())
    return lat, isi, patterns


@functools.lru_cache(maxsize=None)
def _answers(index: int) -> dict:
    """The right answers of variant ``index``, independent of the checks' references."""
    v = variants.Variant(SHEET, index, None)
    fps = fixed_points(TRANSIENT, v.fixed_point_current)
    lat, isi, patterns = _simulations(v)
    return {
        "a_transient": _a_transient(v.transient_step),
        "u_fixed": Quantity([float(fp.v) for fp in fps], dim=mV.dim),
        "eig_rest": np.sort(fps[0].eigenvalues.real) * (1 / second),
        "latency": Quantity([float(tr[0]) for tr in lat.spike_trains], dim=second.dim),
        "first_isi": Quantity([float(tr[1] - tr[0]) for tr in isi.spike_trains], dim=second.dim),
        "pattern_labels": [classify_pattern(tr, 0 * ms, 500 * ms) for tr in patterns.spike_trains],
    }


CHECKS = {"a_transient": lesson04.check_adex_a_transient,
          "u_fixed": lesson04.check_adex_fixed_points,
          "eig_rest": lesson04.check_adex_rest_eigenvalues,
          "latency": lesson04.check_adex_latency,
          "first_isi": lesson04.check_adex_first_isi,
          "pattern_labels": lesson04.check_adex_pattern_labels}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_variant_passes_its_own_answers_and_fails_every_other_variants(name):
    answers = [_answers(i)[name] for i in range(COUNT)]
    for mine in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(mine), quiet=True)
        verdicts = [bool(CHECKS[name](answers[other])) for other in range(COUNT)]
        assert verdicts == [other == mine for other in range(COUNT)], (name, mine, verdicts)


def test_variant_0_is_the_sheets_original_numbers():
    v = variants.Variant(SHEET, 0, None)
    assert float(v.transient_step) == float(lesson04.STEP)
    assert float(v.fixed_point_current) == float(lesson04.FIXED_POINT_CURRENT)
    assert np.array_equal(np.asarray(v.latency_currents), np.asarray(lesson04.LATENCY_CURRENTS))
    assert np.array_equal(np.asarray(v.b_values), np.asarray(lesson04.B_VALUES))
    assert v.pattern_sets == tuple(lesson04.PATTERN_SETS.values())
    assert _answers(0)["pattern_labels"] == ["adapting", "transient", "bursting", "tonic"]


def test_every_variant_keeps_what_the_sheet_says_of_its_numbers():
    """What the prompts and hidden tests rely on holds in every variant: the current of
    exercises 2-3 is below I_SN with a stable node (real eigenvalues) at the lower fixed point;
    every latency current fires within the 120 ms run, above the 36 pA rheobase; b starts at 0
    and grows (the hidden test's EIF and ordering) and every neuron fires twice in 200 ms; the
    pattern sets are the four rows of the table, in another order, so the four labels differ."""
    rows = set(lesson04.PATTERN_SETS.values())
    for index in range(COUNT):
        v = variants.Variant(SHEET, index, None)
        lower, upper = fixed_points(TRANSIENT, v.fixed_point_current)
        assert lower.kind == "stable node" and upper.kind == "saddle"
        assert float(v.fixed_point_current) < float(saddle_node_current(TRANSIENT))
        assert np.all(np.asarray(v.latency_currents / pA) > 36)
        assert np.all(np.asarray(_answers(index)["latency"]) < 0.120)
        b = np.asarray(v.b_values / pA)
        assert b[0] == 0 and np.all(np.diff(b) > 0)
        assert set(v.pattern_sets) == rows and len(set(_answers(index)["pattern_labels"])) == 4
    orders = {tuple(variants.Variant(SHEET, i, None).pattern_sets) for i in range(COUNT)}
    assert len(orders) == COUNT


@pytest.mark.parametrize("question", sorted(lesson04.CHOICES))
def test_options_are_shuffled_per_variant_and_checked_in_that_order(question):
    right, options = lesson04.CHOICES[question]
    check = {"focus_choice": lesson04.check_adex_focus,
             "reset_role": lesson04.check_adex_reset_role}[question]
    letters = []
    for index in range(COUNT):
        v = variants.Variant(SHEET, index, None)
        assert sorted(v.order(question)) == sorted(options)
        assert [v.chosen_key(question, v.letter_of(question, k)) for k in options] == list(options)
        letters.append(v.letter_of(question, right))
        variants._ACTIVE[SHEET] = v
        assert [bool(check(x)) for x in "abcd"] == [x == letters[-1] for x in "abcd"]
    assert set(letters) == set("abcd")  # the right answer is not always under one letter
    assert variants.Variant(SHEET, 0, None).order(question) == list(options)  # as written
    assert letters[0] == "b"  # the sheet's original answer


def test_variants_keep_the_structure_of_every_value():
    """Every variant has the same values, with the same shapes and units, as variant 0."""
    assert_same_structure(lesson04.VARIANTS)


def test_variants_run_on_the_programs_compiled_for_variant_0():
    """The runs of every variant use the programs compiled for variant 0: grading a class
    compiles nothing per student."""
    _simulations(variants.Variant(SHEET, 0, None))
    before = set(engine.compiled_keys())
    for index in range(1, COUNT):
        _simulations(variants.Variant(SHEET, index, None))
    assert set(engine.compiled_keys()) == before


def test_the_graders_id_decides_the_checks_reference(monkeypatch):
    """Under the grader (SFA_STUDENT_ID set) the checks use the graded student's variant, even
    if the notebook picked another id's."""
    ann, bob = _id_of_variant(1), _id_of_variant(2)
    variants.sheet_variant(SHEET, ann, quiet=True)
    assert lesson04.check_adex_fixed_points(_answers(1)["u_fixed"])
    monkeypatch.setenv(variants.ENV, bob)
    variants.sheet_variant(SHEET, ann, quiet=True)
    assert not lesson04.check_adex_fixed_points(_answers(1)["u_fixed"])
    assert lesson04.check_adex_fixed_points(_answers(2)["u_fixed"])
