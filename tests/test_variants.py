"""Per-student variants (issue 17): every student has their own numbers on sheet 01, the grader's
id decides which, and a number copied from a student of another variant fails.

The variants' answers are compared through the sheet's own checks; the end-to-end test grades
the worked solution under every variant and a copied submission through ``sfa-grade``."""

import hashlib
import importlib
import pathlib

import nbformat
import numpy as np
import pytest
from brian2 import Hz, nA
from scipy.optimize import brentq

from sfa_helpers.checks import lesson01, variants
from sfa_helpers.grading import cli, runner
from variant_helpers import id_of_variant

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHEET = ROOT / "solutions" / "01_lif_basics.ipynb"
COUNT = len(lesson01.VARIANTS)


def _id_of_variant(index: int, prefix: str = "student", sheet: str = "01") -> str:
    return id_of_variant(sheet, index, prefix)


#: The sheets with per-student variants (their check module lists VARIANTS).
VARIANT_SHEETS = [p for p in sorted((ROOT / "solutions").glob("*.ipynb"))
                  if hasattr(importlib.import_module(f"sfa_helpers.checks.lesson{p.stem[:2]}"), "VARIANTS")]


@pytest.mark.parametrize("sheet", VARIANT_SHEETS, ids=[p.stem[:2] for p in VARIANT_SHEETS])
def test_the_worked_solution_gets_every_automatic_point_in_every_variant(sheet, tmp_path):
    """The instructor sheet computes with the variant's values (solution and hidden tests), so
    graded as one student of each variant it gets every automatic point."""
    number = sheet.stem[:2]
    count = len(importlib.import_module(f"sfa_helpers.checks.lesson{number}").VARIANTS)
    subs = tmp_path / "subs"
    subs.mkdir()
    for index in range(count):
        (subs / f"{_id_of_variant(index, sheet=number)}.ipynb").write_bytes(sheet.read_bytes())
    results = cli.run_batch(subs, sheet, tmp_path / "g.csv", jobs=2, progress=False,
                            limits=runner.Limits(cell_timeout=120, notebook_timeout=400))
    assert len(results) == count
    for result in results:
        assert result.total == result.max_automatic, cli.feedback_text(result)


pytestmark = pytest.mark.usefixtures("clean_variants")


def test_the_variant_is_a_stable_function_of_sheet_and_id():
    digest = hashlib.sha256("sfa-variant|01|alice".encode()).digest()
    assert variants.variant_index("01", "alice", 6) == int.from_bytes(digest[:8], "big") % 6
    assert variants.variant_index("01", "Alice", 6) == variants.variant_index("01", "alice", 6)
    spread = {variants.variant_index("01", f"s{k}", COUNT) for k in range(200)}
    assert spread == set(range(COUNT))


def test_the_graders_id_wins_over_the_notebooks(monkeypatch, capsys):
    assert variants.sheet_variant("01", "").index == 0
    assert "default variant" in capsys.readouterr().out
    ann, bob = _id_of_variant(1), _id_of_variant(2)
    assert variants.sheet_variant("01", ann).index == 1
    monkeypatch.setenv(variants.ENV, bob)
    assert variants.sheet_variant("01", ann).index == 2           # the notebook says ann
    variants._ACTIVE["01"] = variants.Variant("01", 1, bob)       # a forged active variant
    assert variants.active("01").index == 2 and variants.active("01").student == bob


def _answers(index: int) -> dict:
    """The right answers of variant ``index`` from closed forms and numpy (not the checks)."""
    v = variants.Variant("01", index, None)
    grid = float(v.sweep_start / nA) + 0.01 * np.arange(21)
    above = grid[5 * grid > 20 + 1e-9]
    from_rest = 10e-3 * np.log(5 * above / (5 * above - 20))         # tau ln(RI / (RI - 20 mV))
    first = above[from_rest < 1.0][0] * nA
    drive = 10e6 * float(v.reset_current) - 70e-3
    resets = np.array([-75.0, -70.0, -65.0, -60.0, -56.0]) * 1e-3
    # the rate on the 0.1 ms grid: a crossing is seen at the end of the step it happens in
    T = np.ceil(10e-3 * np.log((drive - resets) / (drive + 55e-3)) / 1e-4) * 1e-4
    # the current that changes halfway: the exact update on the 0.1 ms grid (mV, ms, nA, MOhm)
    a, b = (float(x / nA) for x in v.halves)
    vm, halves = -70.0, [0, 0]
    for k in range(5000):
        v_inf = -70.0 + 10.0 * (a if k < 2500 else b)
        vm = v_inf + (vm - v_inf) * np.exp(-0.01)
        if vm > -55.0:
            halves[k >= 2500] += 1
            vm = -75.0
    # the ramp from rest: R s (t - tau (1 - e^{-t/tau})) = 15 mV
    s = float(v.ramp_top) / 0.5
    t = brentq(lambda t: 1e7 * s * (t - 0.01 * (1 - np.exp(-t / 0.01))) - 0.015, 1e-4, 1.0)
    return {"I_th_sim": first, "reset_rates": 1 / T * Hz, "spikes_halves": tuple(halves),
            "I_ramp_first_spike": s * t * 1e9 * nA}


CHECKS = {"I_th_sim": lesson01.check_rheobase_sim, "reset_rates": lesson01.check_reset_rates,
          "spikes_halves": lesson01.check_spikes_halves,
          "I_ramp_first_spike": lesson01.check_ramp_current}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_variant_passes_its_own_answers_and_fails_every_other_variants(name):
    answers = [_answers(i)[name] for i in range(COUNT)]
    for mine in range(COUNT):
        variants.sheet_variant("01", _id_of_variant(mine), quiet=True)
        verdicts = [bool(CHECKS[name](answers[other])) for other in range(COUNT)]
        assert verdicts == [other == mine for other in range(COUNT)], (name, mine, verdicts)


@pytest.mark.parametrize("question", sorted(lesson01.CHOICES))
def test_options_are_shuffled_per_variant_and_checked_in_that_order(question):
    right, options = lesson01.CHOICES[question]
    letters = []
    for index in range(COUNT):
        v = variants.Variant("01", index, None)
        assert sorted(v.order(question)) == sorted(options)
        assert [v.chosen_key(question, v.letter_of(question, k)) for k in options] == list(options)
        letters.append(v.letter_of(question, right))
        variants._ACTIVE["01"] = v
        check = getattr(lesson01, f"check_{question}")
        assert [bool(check(x)) for x in "abcd"] == [x == letters[-1] for x in "abcd"]
    assert set(letters) == set("abcd")  # the right answer is not always under one letter
    assert variants.Variant("01", 0, None).order(question) == list(options)  # variant 0 as written


def _copied_numbers(nb, index: int):
    """The worked solution with exercises 2, 4, 5 and 6 answered by numbers typed in from a
    student of variant ``index`` (what copying from a neighbour gives)."""
    answers = _answers(index)
    typed = {"rheobase_sim": f"I_th_sim = {float(answers['I_th_sim'] / nA)!r} * nA",
             "reset_rates": f"reset_rates = np.array({list(np.asarray(answers['reset_rates']))!r}) * Hz",
             "spikes_halves": f"spikes_halves = {tuple(int(n) for n in answers['spikes_halves'])!r}",
             "ramp_current": f"I_ramp_first_spike = {float(answers['I_ramp_first_spike'] / nA)!r} * nA"}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in typed:
            cell.source = typed[gid]
    return nb


def test_numbers_copied_from_another_variant_fail(tmp_path):
    """Numbers typed in from a student of variant 0 (what copying from a neighbour gives):
    right for a student of variant 0, zero on those exercises for a student of variant 3."""
    subs = tmp_path / "subs"
    subs.mkdir()
    same, other = _id_of_variant(0, "copier"), _id_of_variant(3, "copier")
    for student in (same, other):
        nb = _copied_numbers(nbformat.read(SHEET, as_version=4), 0)
        if student == other:  # worked with the neighbour's id
            next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                 == "student_id").source = f'STUDENT_ID = "{same}"\nvariant = sheet_variant("01", STUDENT_ID)'
        nbformat.write(nb, subs / f"{student}.ipynb")
    results = {r.student: r for r in cli.run_batch(
        subs, SHEET, tmp_path / "g.csv", jobs=2, limits=runner.Limits(cell_timeout=60, notebook_timeout=300),
        progress=False)}
    copied = {"rheobase_sim", "reset_rates", "spikes_halves", "ramp_current"}
    for student, full in ((same, True), (other, False)):
        result = results[student]
        for e in result.exercises:
            if e.manual:
                continue
            want = e.max_points if (full or e.exercise not in copied) else 0
            assert e.points == want, (student, e.exercise, cli.feedback_text(result))
    # the grader says why, and flags it: the notebook names another student
    assert not results[same].notes
    assert any(f"STUDENT_ID = '{same}'" in n and "flagged" in n for n in results[other].notes)
