"""Exercise sheets: instructor sources, built solutions and generated student versions agree, and
the student versions run top to bottom failing only in unsolved cells, with the placeholder error.

nbval runs solutions/*.ipynb (README's test command); this file checks what nbval cannot.
"""

import json
import pathlib
import sys

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from sfa_helpers.grading import sheets

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_exercises  # noqa: E402

SOURCES = sorted((ROOT / "solutions" / "src").glob("*.py"))
IDS = [s.stem for s in SOURCES]


def test_every_sheet_has_source_solution_and_exercise():
    assert SOURCES, "no instructor sheets in solutions/src"
    stems = {s.stem for s in SOURCES}
    assert stems == {p.stem for p in (ROOT / "solutions").glob("*.ipynb")}
    assert stems == {p.stem for p in (ROOT / "exercises").glob("*.ipynb")}
    lessons = {p.stem[:2] for p in (ROOT / "notebooks" / "src").glob("*.py")}
    assert {s[:2] for s in stems} <= lessons, "a sheet without a lesson"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_solution_notebook_matches_source_and_ran_cleanly(source):
    expected = [(c.source, c.metadata.get("nbgrader")) for c in jupytext.read(source).cells
                if c.cell_type == "code"]
    notebook = ROOT / "solutions" / (source.stem + ".ipynb")
    doc = json.loads(notebook.read_text())
    code = [c for c in doc["cells"] if c["cell_type"] == "code"]
    assert [("".join(c["source"]), c["metadata"].get("nbgrader")) for c in code] == expected, \
        f"{notebook.name} is out of date: run tools/build_notebooks.py --src solutions/src --out solutions"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    for cell in code:
        for out in cell["outputs"]:
            assert out["output_type"] != "error"
            if out.get("name") == "stderr":
                assert "arning" not in "".join(out["text"])


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_sheet_is_valid_nbgrader_source(source):
    nb = nbformat.read(ROOT / "solutions" / (source.stem + ".ipynb"), as_version=4)
    exercises = sheets.validate(nb)
    assert exercises and all(e.points > 0 for e in exercises)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta:
            assert set(meta) <= {"grade", "grade_id", "locked", "points", "schema_version", "solution", "task"}
            assert meta["task"] is False


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_exercises_are_exactly_what_the_generator_produces(source):
    solution = ROOT / "solutions" / (source.stem + ".ipynb")
    exercise = ROOT / "exercises" / (source.stem + ".ipynb")
    assert exercise.read_text(encoding="utf-8") == make_exercises.generate(solution), \
        f"{exercise.name} is out of date: run python tools/make_exercises.py"
    text = exercise.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert all(not c.get("outputs") for c in json.loads(text)["cells"] if c["cell_type"] == "code")


def test_generator_markers():
    source = "x = 1\n    ### BEGIN SOLUTION\n    y = 2\n    ### END SOLUTION\nz = 3"
    out = sheets.replace_solutions(source, "ex")
    assert out.splitlines()[1].startswith("    raise NotImplementedError(\"not done yet")
    assert "y = 2" not in out and out.endswith("z = 3")
    assert sheets.remove_hidden_tests("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\n") == "a"
    with pytest.raises(sheets.SheetError):
        sheets.replace_solutions("### BEGIN SOLUTION\nx", "ex")
    with pytest.raises(sheets.SheetError):
        sheets.remove_hidden_tests("### END HIDDEN TESTS")


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_exercises_run_top_to_bottom_failing_only_with_the_placeholder(source):
    path = ROOT / "exercises" / (source.stem + ".ipynb")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    failing = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        gid = sheets.grade_id(cell)
        inside_function = sheets.is_solution(cell) and any(
            line.startswith((" ", "\t")) and "not done yet" in line for line in cell.source.splitlines())
        if sheets.is_test(cell) or (sheets.is_solution(cell) and not inside_function):
            # A placeholder inside a function body fails only when the function is called,
            # i.e. in the test cell that follows.
            assert errors, f"unsolved cell '{gid}' did not fail"
            failing.add(gid)
        elif inside_function:
            assert not errors, f"defining the unsolved function in '{gid}' failed"
        else:
            assert not errors, f"given cell '{gid}' failed: {errors[0].ename}: {errors[0].evalue}"
        for err in errors:
            assert err.ename in ("NotImplementedError", "NotDoneYet", "AssertionError"), (gid, err.ename)
            assert "not done yet" in err.evalue, (gid, err.evalue)
    assert failing


def test_readme_lists_every_sheet_with_its_points():
    """README's table of sheets names each sheet with the points its notebook really awards."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Exercises and grading"):]
    rows = dict(re.findall(r"^\| (\d\d) [^|]+\|[^|]+\| (\d+) \|$", section, flags=re.M))
    for source in SOURCES:
        nb = nbformat.read(ROOT / "solutions" / (source.stem + ".ipynb"), as_version=4)
        points = sum(e.points for e in sheets.validate(nb))
        assert rows.get(source.stem[:2]) == f"{points:g}", f"README's row for sheet {source.stem[:2]}"


def test_every_sheet_has_a_plot_task_and_a_written_task_that_count():
    """Issue 17: each sheet asks for at least one figure (a test cell checking a ``fig_...``) and
    one written answer graded by hand, both worth points."""
    for source in SOURCES:
        nb = nbformat.read(ROOT / "solutions" / (source.stem + ".ipynb"), as_version=4)
        exercises = sheets.validate(nb)
        written = [e for e in exercises if e.manual]
        tests = {sheets.grade_id(c): c.source for c in nb.cells if sheets.is_test(c)}
        plots = [e for e in exercises if not e.manual
                 and any('require("fig_' in tests[gid] for gid, _ in e.tests)]
        assert written and all(e.points > 0 for e in written), f"{source.stem}: no written task"
        assert plots and all(e.points > 0 for e in plots), f"{source.stem}: no plot task"


# --- multiple choice: the form of the options must not give the answer away (issue 17) -------

def _shown_length(option: str) -> int:
    """Characters of an option as the notebook shows it (a LaTeX command is one symbol)."""
    import re

    text = option.replace("#   ", "")
    text = re.sub(r"\\(?:dfrac|frac)", "", text)
    text = re.sub(r"\\[a-zA-Z]+", "x", text)
    text = re.sub(r"[${}^_]", "", text)
    return len(re.sub(r"\s+", " ", text).strip())


def _multiple_choices():
    """(sheet, answer name, right letter or key, {letter or key: shown length}, points) of every
    question, written in the sheet or listed in its check module's ``CHOICES``."""
    import importlib
    import re

    found = []
    for source in SOURCES:
        cells = re.split(r"\n# %%", source.read_text())
        for i, cell in enumerate(cells):
            options = re.findall(r"^# \* \*\*([a-d])\*\* (.*(?:\n#   .*)*)", cell, re.M)
            if len(options) < 3:
                continue
            answer = next(m for c in cells[i + 1:i + 3]
                          if (m := re.search(r'^(\w+) = "([a-d])"', c, re.M)))
            test = next(c for c in cells if f'"grade_id": "{answer.group(1)}_test"' in c)
            points = float(re.search(r'"points": ([\d.]+)', test).group(1))
            found.append((source.stem, answer.group(1), answer.group(2),
                          {k: _shown_length(v) for k, v in options}, points))
        # questions whose options each variant shows in its own order (checks.variants)
        module = importlib.import_module(f"sfa_helpers.checks.lesson{source.stem[:2]}")
        for name, (right, options) in getattr(module, "CHOICES", {}).items():
            test = next(c for c in cells if f'"grade_id": "{name}_test"' in c)
            points = float(re.search(r'"points": ([\d.]+)', test).group(1))
            found.append((source.stem, name, right,
                          {k: _shown_length(v) for k, v in options.items()}, points))
    return found


def test_multiple_choice_options_do_not_give_the_answer_away():
    """The right option is the longest no more often than chance (1 in 4) and never much longer
    than the others; multiple choice stays a small share of the points."""
    questions = _multiple_choices()
    assert len(questions) >= 15
    longest = [(s, name) for s, name, right, lengths, _ in questions
               if lengths[right] > max(v for k, v in lengths.items() if k != right)]
    assert len(longest) <= len(questions) / 4, longest
    for sheet, name, right, lengths, _ in questions:
        mean = sum(lengths.values()) / len(lengths)
        assert lengths[right] <= 1.2 * mean, (sheet, name, lengths)
    total = sum(sum(e.points for e in sheets.validate(nbformat.read(
        ROOT / "solutions" / f"{s.stem}.ipynb", as_version=4))) for s in SOURCES)
    assert sum(q[4] for q in questions) <= 0.2 * total
