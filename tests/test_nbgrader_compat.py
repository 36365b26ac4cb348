"""The exercise sheets work in nbgrader unchanged (issue 18: "nbgrader compatibility proven").

nbgrader 0.9.6 (test extra) generates the student version of sheet 01 from the instructor sheet
and autogrades three submissions: the instructor sheet (full marks), the course's own student
version (zero) and a crafted partial submission. Its scores are compared with sfa-grade's
expected scores of the same submissions (tests/grading_fixtures/expected_sheet01.json): two
independent graders must agree exercise by exercise.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest

from sfa_helpers.grading import sheets

nbgrader_api = pytest.importorskip("nbgrader.api", reason="nbgrader is in the test extra")

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHEET = "01_lif_basics"
EXPECTED = json.loads((ROOT / "tests" / "grading_fixtures" / "expected_sheet01.json").read_text())


def _nbgrader(course: pathlib.Path, *args) -> None:
    env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader-course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'sfa'\n"
        "c.ExecutePreprocessor.timeout = 300\n")
    source = course / "source" / "ps01"
    source.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / f"{SHEET}.ipynb", source)
    _nbgrader(course, "generate_assignment", "ps01")
    submissions = {"alice": ROOT / "solutions" / f"{SHEET}.ipynb",
                   "bob": ROOT / "exercises" / f"{SHEET}.ipynb",
                   "partial": ROOT / "tests" / "grading_fixtures" / "sheet01" / "partial.ipynb"}
    for student, path in submissions.items():
        folder = course / "submitted" / student / "ps01"
        folder.mkdir(parents=True)
        shutil.copy(path, folder / f"{SHEET}.ipynb")
    _nbgrader(course, "autograde", "ps01")
    return course


def test_generated_student_version_hides_solutions_and_hidden_tests(course):
    release = nbformat.read(course / "release" / "ps01" / f"{SHEET}.ipynb", as_version=4)
    master = nbformat.read(ROOT / "solutions" / f"{SHEET}.ipynb", as_version=4)
    text = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    hidden = [line.strip() for c in master.cells for line in
              c.source.split("### BEGIN HIDDEN TESTS")[1:] for line in line.split("### END")[0].splitlines()
              if line.strip().startswith("assert")]
    assert hidden and not any(line in text for line in hidden)
    ids = [sheets.grade_id(c) for c in release.cells if c.cell_type == "code"]
    assert ids == [sheets.grade_id(c) for c in master.cells if c.cell_type == "code"]


def _scores(course, student) -> dict:
    """nbgrader's points per exercise (its test cells summed, as sfa-grade counts them)."""
    master = nbformat.read(ROOT / "solutions" / f"{SHEET}.ipynb", as_version=4)
    exercise_of = {gid: ex.name for ex in sheets.validate(master) for gid, _ in ex.tests}
    out = {}
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(SHEET, "ps01", student)
        for grade in notebook.grades:
            out[exercise_of[grade.name]] = out.get(exercise_of[grade.name], 0.0) + grade.score
    return out


@pytest.mark.parametrize("student, fixture", [("alice", "full_marks"), ("bob", "untouched"),
                                              ("partial", "partial")])
def test_nbgrader_scores_agree_with_sfa_grade(course, student, fixture):
    expected = {k: float(v) for k, v in EXPECTED[fixture]["points"].items()}
    assert _scores(course, student) == expected
