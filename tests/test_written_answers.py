"""Written answers graded by hand: the sheet format (nbgrader's manually graded answer cells),
the student version, what the grader collects, and the instructor's round trip (the page of
answers, the todo CSV filled in and given back with --overrides)."""

import copy
import csv
import hashlib
import html.parser
import io
import json

import nbformat
import pytest

from sfa_helpers.grading import cli, gradebook, runner, sheets, written

LIMITS = runner.Limits(cell_timeout=30, notebook_timeout=120)
MODEL = "The rate saturates at 1/t_ref.\n\n**Rubric (2 points):** 1 for the bound, 1 for why."


def _meta(gid, **kw):
    base = {"grade": False, "grade_id": gid, "locked": True, "schema_version": 3,
            "solution": False, "task": False}
    return {"nbgrader": {**base, **kw}}


def _sheet():
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    return nbformat.v4.new_notebook(cells=[
        md("# A tiny sheet"),
        code("y = 2", metadata=_meta("given")),
        code("### BEGIN SOLUTION\nx = y + 1\n### END SOLUTION",
             metadata=_meta("x", solution=True, locked=False)),
        code("assert x == 3", metadata=_meta("x_test", grade=True, points=1)),
        md("### BEGIN SOLUTION\n" + MODEL + "\n### END SOLUTION",
           metadata=_meta("why", solution=True, grade=True, locked=False, points=2)),
    ])


def test_a_written_cell_is_an_exercise_of_its_own():
    exercises = sheets.validate(_sheet())
    assert [(e.name, e.points, e.manual) for e in exercises] == [("x", 1.0, False), ("why", 2.0, True)]
    assert written.rubrics(_sheet()) == {"why": (2.0, MODEL)}


@pytest.mark.parametrize("change, message", [
    (lambda c: c.metadata.nbgrader.pop("points"), "positive 'points'"),
    (lambda c: setattr(c, "source", "no markers"), "BEGIN SOLUTION"),
    (lambda c: c.metadata.nbgrader.update(grade_id="x"), "duplicate grade_id"),
    (lambda c: setattr(c, "source", c.source + "\n### BEGIN HIDDEN TESTS\nx\n### END HIDDEN TESTS"),
     "no hidden tests"),
])
def test_a_malformed_written_cell_is_refused(change, message):
    nb = _sheet()
    change(nb.cells[-1])
    with pytest.raises(sheets.SheetError, match=message):
        sheets.validate(nb)


def test_a_test_cell_cannot_follow_a_written_cell():
    nb = _sheet()
    nb.cells.append(nbformat.v4.new_code_cell("assert True", metadata=_meta("late", grade=True, points=1)))
    with pytest.raises(sheets.SheetError, match="does not follow a code solution cell"):
        sheets.validate(nb)


def test_the_student_version_hides_the_model_answer():
    student = sheets.student_version(_sheet())
    assert student.cells[-1].source == sheets.WRITTEN_PLACEHOLDER
    assert "saturates" not in nbformat.writes(student) and "Rubric" not in nbformat.writes(student)
    assert student.cells[-1].metadata == _sheet().cells[-1].metadata  # nbgrader can still grade it


def _submission(path, answer):
    nb = sheets.student_version(_sheet())
    nb.cells[2].source = "x = y + 1"
    if answer is None:
        del nb.cells[-1]
    else:
        nb.cells[-1].source = answer
    nbformat.write(nb, path)


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    work = tmp_path_factory.mktemp("written")
    sheet = work / "99_tiny.ipynb"
    nbformat.write(_sheet(), sheet)
    subs = work / "subs"
    subs.mkdir()
    _submission(subs / "ann.ipynb", "Refractoriness: at most one spike per t_ref.")
    _submission(subs / "bob.ipynb", sheets.WRITTEN_PLACEHOLDER + "\n\n")
    _submission(subs / "cid.ipynb", None)
    _submission(subs / "eve.ipynb", "<script>alert(1)</script><img src=x onerror=alert(2)> & "
                                    + "z" * 30_000)
    # the answer written in a new cell below the untouched placeholder, a surrogate pasted in
    nb = sheets.student_version(_sheet())
    nb.cells[2].source = "x = y + 1"
    nb.cells.append(nbformat.v4.new_markdown_cell("Below: at most one spike per t_ref \ud800."))
    (subs / "fay.ipynb").write_text(json.dumps(nb), encoding="ascii")  # JSON may escape one
    # the answer cell turned into a code cell (not run: its text is the answer), and repeated
    nb = sheets.student_version(_sheet())
    nb.cells[2].source = "x = y + 1"
    nb.cells[-1] = nbformat.v4.new_code_cell("raise SystemExit('my answer')", metadata=nb.cells[-1].metadata)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("first try", metadata=nb.cells[-1].metadata))
    nbformat.write(nb, subs / "gus.ipynb")
    out = work / "grades.csv"
    results = cli.run_batch(subs, sheet, out, jobs=2, limits=LIMITS, progress=False, write=False)
    return work, sheet, out, {r.student: r for r in results}


def test_the_grader_collects_written_answers_unscored(batch):
    _, _, _, results = batch
    why = {s: r.exercises[1] for s, r in results.items()}
    assert all(r.exercises[0].points == 1 for r in results.values())  # the code exercise
    assert [why[s].points for s in "ann bob cid eve".split()] == [0, 0, 0, 0]
    assert why["ann"].awaits_grading and why["ann"].answer == "Refractoriness: at most one spike per t_ref."
    assert not why["bob"].awaits_grading and why["bob"].feedback == "not done yet"
    assert not why["cid"].awaits_grading and "missing" in why["cid"].feedback
    assert why["eve"].awaits_grading and len(why["eve"].answer) == 20_000
    assert "first 20000 characters" in why["eve"].feedback
    assert results["ann"].max_total == 3 and results["ann"].max_automatic == 1
    assert why["fay"].awaits_grading and "at most one spike per t_ref" in why["fay"].answer
    assert why["gus"].awaits_grading and why["gus"].answer == "raise SystemExit('my answer')"
    assert results["gus"].exercises[0].points == 1  # the code was read, not run
    assert any("more than once" in n and "flagged" in n for n in results["gus"].notes)
    assert any("missing" in n and "flagged" in n for n in results["cid"].notes)


def test_the_instructor_grades_by_hand_with_the_todo_file(batch):
    work, sheet, out, results = batch
    master = nbformat.read(sheet, as_version=4)
    exercises = sheets.validate(master)
    grades = gradebook.build_grades(results.values(), sheet="99_tiny", exercises=exercises)
    assert {g.student: "to grade by hand" in g.flags for g in grades} == {
        "ann": True, "bob": False, "cid": False, "eve": True, "fay": True, "gus": True}
    cli.write_outputs(grades, out, master=master)
    page = cli.output_path(out, "-written.html").read_text()
    tags = _Tags()
    tags.feed(page)
    assert "script" not in tags.tags and "img" not in tags.tags  # the answer is text
    assert "&lt;script&gt;" in page and "Refractoriness: at most one spike" in page
    assert "saturates at 1/t_ref" in page and "Rubric" in page  # the model answer beside them
    todo = cli.output_path(out, "-written-todo.csv")
    rows = list(csv.DictReader(io.StringIO(todo.read_text())))
    assert [(r["student"], r["exercise"], r["points"]) for r in rows] == [
        ("ann", "why", ""), ("eve", "why", ""), ("fay", "why", ""), ("gus", "why", "")]
    assert rows[0]["answer_sha"] == hashlib.sha256(
        b"Refractoriness: at most one spike per t_ref.").hexdigest()[:12]

    # half graded: the rows copied into the instructor's file, ann's filled in, eve's still
    # blank (skipped, not an error)
    mine = work / "overrides.csv"
    mine.write_text(todo.read_text().replace("ann,why,,", "ann,why,1.5,the bound but not why"))
    overrides = gradebook.read_overrides(mine)
    gradebook.check_overrides(overrides, set(results), exercises)
    grades = gradebook.build_grades(results.values(), sheet="99_tiny", exercises=exercises,
                                    overrides=overrides)
    ann = next(g for g in grades if g.student == "ann")
    assert ann.total == 2.5 and "to grade by hand" not in ann.flags and "adjusted" not in ann.flags
    assert ann.result.exercises[1].feedback == "graded by the instructor: the bound but not why"
    cli.write_outputs(grades, out, master=master)
    rows = list(csv.DictReader(io.StringIO(todo.read_text())))
    assert [r["student"] for r in rows] == ["eve", "fay", "gus"]
    assert "1.5 / 2: graded by the instructor" in cli.output_path(out, "-written.html").read_text()
    # a resubmission with another text keeps the grade but is flagged for review
    changed = copy.deepcopy(results["ann"])
    changed.exercises[1].answer = "Something else entirely."
    regraded = gradebook.build_grades([changed], sheet="99_tiny", exercises=exercises,
                                      overrides=[o for o in overrides if o.student == "ann"])[0]
    assert regraded.total == 2.5 and "review" in regraded.flags
    assert "review" not in ann.flags
    # the stored results are untouched by the grading
    assert results["ann"].exercises[1].points == 0 and results["ann"].exercises[1].awaits_grading


def test_a_hand_grade_above_the_maximum_is_refused(batch, tmp_path):
    _, sheet, _, results = batch
    exercises = sheets.validate(nbformat.read(sheet, as_version=4))
    path = tmp_path / "o.csv"
    path.write_text("student,exercise,points\nann,why,3\n")
    with pytest.raises(gradebook.TermFileError, match="outside"):
        gradebook.check_overrides(gradebook.read_overrides(path), set(results), exercises)


def test_a_sheet_without_written_answers_writes_no_page(tmp_path):
    nb = _sheet()
    del nb.cells[-1]
    cli.write_outputs([], tmp_path / "g.csv", master=nb)
    assert not (tmp_path / "g-written.html").exists()


def test_the_todo_file_itself_is_refused_as_overrides(batch, tmp_path):
    """sfa-grade rewrites the todo file at every run: passed back as --overrides, the grades in
    it would be lost at the next run, so it is refused before grading."""
    work, sheet, out, _ = batch
    todo = cli.output_path(out, "-written-todo.csv")
    todo.write_text("student,exercise,points\nann,why,1\n")
    with pytest.raises(SystemExit, match="a file sfa-grade writes"):
        cli.main([str(work / "subs"), "--sheet", str(sheet), "--out", str(out), "--overrides", str(todo)])
