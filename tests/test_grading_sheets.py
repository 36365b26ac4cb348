"""Every exercise sheet through the grader: the worked solution gets full marks, the untouched
student version zero, with a 'not done yet' note on every exercise (one batch per sheet)."""

import pathlib
import shutil

import nbformat
import pytest

from sfa_helpers.grading import cli, runner, sheets

ROOT = pathlib.Path(__file__).resolve().parents[1]
LIMITS = runner.Limits(cell_timeout=60, notebook_timeout=300)

SHEETS = sorted((ROOT / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("sheet", SHEETS, ids=[s.stem[:2] for s in SHEETS])
def test_every_sheet_grades_its_solution_full_and_its_exercise_zero(sheet, tmp_path):
    """For each sheet, the grader gives the worked solution every point and the untouched student
    version none, with a 'not done yet' note on every exercise and no other note."""
    submissions = tmp_path / "subs"
    submissions.mkdir()
    shutil.copy(sheet, submissions / "solution.ipynb")
    shutil.copy(ROOT / "exercises" / sheet.name, submissions / "untouched.ipynb")
    results = {r.student: r for r in cli.run_batch(submissions, sheet, tmp_path / "g.csv", jobs=2,
                                                   limits=LIMITS, progress=False)}
    expected_max = sum(e.points for e in sheets.validate(nbformat.read(sheet, as_version=4)))
    solution, untouched = results["solution"], results["untouched"]
    assert solution.total == solution.max_total == expected_max, cli.feedback_text(solution)
    assert not solution.notes
    assert untouched.total == 0 and not untouched.notes, cli.feedback_text(untouched)
    assert all("not done yet" in e.feedback for e in untouched.exercises), cli.feedback_text(untouched)
