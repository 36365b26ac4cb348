"""Exercise sheets in nbgrader's format: cell metadata, markers, and the student version.

An instructor sheet (``solutions/NN_name.ipynb``) is a notebook whose code cells carry nbgrader's
cell metadata (schema version 3)::

    "nbgrader": {"grade": bool, "grade_id": str, "locked": bool, "points": number,
                 "schema_version": 3, "solution": bool, "task": false}

* a **solution cell** (``solution: true``) marks the instructor's answer between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
* a **test cell** (``grade: true``, ``points``) holds visible tests and, between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, tests the students never see;
* every other code cell is **locked** given code (``locked: true``), except the cell
  ``student_id`` (:data:`STUDENT_ID_CELL`) of a sheet with per-student variants, where the
  student writes their id; the grader runs the instructor's copy of it too.

* a **written answer cell** is a Markdown cell with ``solution: true`` and ``grade: true`` and
  its ``points`` (nbgrader's "manually graded answer"): the instructor's model answer and rubric
  sit between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, which the student version
  replaces by ``YOUR ANSWER HERE``. The grader does not score it; it collects the answers for
  the instructor (:mod:`.written`), who grades them by hand.

The test cells that follow a solution cell (up to the next solution cell) form one *exercise*,
named by the solution cell's ``grade_id``; its points are the sum of its test cells' points.
A written answer cell is an exercise of its own (``manual``), worth its own points.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
#: The one given cell a student edits: where they write their id to get their variant
#: (``sfa_helpers.checks.variants``). It is not locked, but like every given cell the grader
#: runs the instructor's copy; the graded student's id reaches the kernel from the grader.
STUDENT_ID_CELL = "student_id"
#: What a written answer cell holds in the student version (nbgrader's text for it).
WRITTEN_PLACEHOLDER = "YOUR ANSWER HERE"
PLACEHOLDER = 'raise NotImplementedError("not done yet: replace this line with your solution ({})")'
_MARKER = re.compile(r"^(\s*)### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")


class SheetError(ValueError):
    """An instructor sheet is malformed (unbalanced markers, duplicate grade ids, ...)."""


def nbgrader(cell) -> dict:
    """The cell's nbgrader metadata ({} if none)."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def grade_id(cell) -> str | None:
    value = nbgrader(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def is_solution(cell) -> bool:
    return cell.get("cell_type") == "code" and bool(nbgrader(cell).get("solution"))


def is_test(cell) -> bool:
    return cell.get("cell_type") == "code" and bool(nbgrader(cell).get("grade"))


def is_written(cell) -> bool:
    """A written (manually graded) answer cell: Markdown, ``solution`` and ``grade``."""
    meta = nbgrader(cell)
    return cell.get("cell_type") == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


def solution_text(source: str) -> str:
    """The text between the solution markers of a cell (the model answer of a written cell)."""
    lines = source.splitlines()
    return "\n".join("\n".join(lines[b + 1:e]) for b, e, _ in _regions(source, "SOLUTION")).strip()


def is_unanswered(text: str) -> bool:
    """A written answer left as released: empty, or only the placeholder."""
    return text.replace(WRITTEN_PLACEHOLDER, "").strip() == ""


def _regions(source: str, kind: str):
    """Line ranges [(begin_line, end_line, indent)] of a marker pair; SheetError if unbalanced."""
    regions, open_at = [], None
    for k, line in enumerate(source.splitlines()):
        m = _MARKER.match(line)
        if not m:
            continue
        indent, edge, what = m.groups()
        if what != kind:
            continue
        if edge == "BEGIN":
            if open_at is not None:
                raise SheetError(f"nested '### BEGIN {kind}' at line {k + 1}")
            open_at = (k, indent)
        else:
            if open_at is None:
                raise SheetError(f"'### END {kind}' without BEGIN at line {k + 1}")
            regions.append((open_at[0], k, open_at[1]))
            open_at = None
    if open_at is not None:
        raise SheetError(f"'### BEGIN {kind}' at line {open_at[0] + 1} is never closed")
    return regions


def replace_solutions(source: str, name: str, placeholder: str = PLACEHOLDER) -> str:
    """Replace every solution region by the 'not done yet' placeholder (keeping its indentation)."""
    lines = source.splitlines()
    for begin, end, indent in reversed(_regions(source, "SOLUTION")):
        lines[begin:end + 1] = [indent + placeholder.format(name)]
    return "\n".join(lines)


def remove_hidden_tests(source: str) -> str:
    """Drop every hidden-test region, markers included, and trailing blank lines."""
    lines = source.splitlines()
    for begin, end, _ in reversed(_regions(source, "HIDDEN TESTS")):
        del lines[begin:end + 1]
    return "\n".join(lines).rstrip()


@dataclass
class Exercise:
    """One exercise: a solution cell and the test cells that follow it."""

    name: str
    tests: list = field(default_factory=list)   # [(grade_id, points)]
    #: a written answer graded by hand (its one "test" is the answer cell itself)
    manual: bool = False

    @property
    def points(self) -> float:
        return float(sum(p for _, p in self.tests))


def validate(nb) -> list:
    """Check an instructor sheet; return its exercises in order. Raises :class:`SheetError`."""
    seen, exercises = set(), []
    for k, cell in enumerate(nb.cells):
        meta = nbgrader(cell)
        source = cell.get("source", "")
        has_solution_marks = bool(_regions(source, "SOLUTION"))
        has_hidden_marks = bool(_regions(source, "HIDDEN TESTS"))
        if is_written(cell):
            gid = grade_id(cell)
            if gid is None or meta.get("schema_version") != 3:
                raise SheetError(f"written answer cell {k} needs a grade_id and schema_version 3")
            if gid in seen:
                raise SheetError(f"duplicate grade_id '{gid}'")
            seen.add(gid)
            points = meta.get("points")
            if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
                raise SheetError(f"written answer cell '{gid}' needs positive 'points'")
            if not has_solution_marks or has_hidden_marks:
                raise SheetError(f"written answer cell '{gid}' needs a '### BEGIN SOLUTION' block "
                                 "(the model answer and rubric) and no hidden tests")
            exercises.append(Exercise(gid, [(gid, points)], manual=True))
            continue
        if cell.get("cell_type") != "code":
            if has_solution_marks or has_hidden_marks:
                raise SheetError(f"cell {k}: markers are only allowed in code cells "
                                 "and written answer cells")
            continue
        gid = grade_id(cell)
        if not meta or gid is None:
            raise SheetError(f"code cell {k} has no nbgrader metadata with a grade_id")
        if meta.get("schema_version") != 3:
            raise SheetError(f"cell '{gid}': nbgrader schema_version must be 3")
        if gid in seen:
            raise SheetError(f"duplicate grade_id '{gid}'")
        seen.add(gid)
        if is_solution(cell) and is_test(cell):
            raise SheetError(f"cell '{gid}' is both a solution and a test cell")
        if is_solution(cell):
            if not has_solution_marks:
                raise SheetError(f"solution cell '{gid}' has no '### BEGIN SOLUTION' block")
            exercises.append(Exercise(gid))
        elif has_solution_marks:
            raise SheetError(f"cell '{gid}' has solution markers but is not a solution cell")
        if is_test(cell):
            points = meta.get("points")
            if not isinstance(points, (int, float)) or points <= 0:
                raise SheetError(f"test cell '{gid}' needs positive 'points'")
            if not exercises or exercises[-1].manual:
                raise SheetError(f"test cell '{gid}' does not follow a code solution cell")
            if not meta.get("locked"):
                raise SheetError(f"test cell '{gid}' must be locked")
            exercises[-1].tests.append((gid, points))
        elif has_hidden_marks:
            raise SheetError(f"cell '{gid}' has hidden tests but is not a test cell")
        if (not is_solution(cell) and not is_test(cell) and not meta.get("locked")
                and gid != STUDENT_ID_CELL):
            raise SheetError(f"given cell '{gid}' must be locked")
    for ex in exercises:
        if not ex.tests:
            raise SheetError(f"exercise '{ex.name}' has no test cell")
    return exercises


_COLAB_SOLUTIONS = re.compile(r"(https://colab\.research\.google\.com/github/[^)\s]*/blob/[^/)\s]+/)"
                              r"solutions/")


def student_version(nb):
    """The student notebook: solutions replaced by a placeholder, hidden tests removed, outputs
    and execution counts cleared, execution metadata and saved widget state dropped."""
    validate(nb)
    out = copy.deepcopy(nb)
    out.metadata = nbformat.NotebookNode(
        {k: v for k, v in nb.metadata.items() if k == "kernelspec"})
    for cell in out.cells:
        for key in ("execution", "lines_to_next_cell"):
            cell.metadata.pop(key, None)
        if is_written(cell):
            cell.source = replace_solutions(cell.source, grade_id(cell), WRITTEN_PLACEHOLDER)
            continue
        if cell.cell_type != "code":
            # the "Open in Colab" badge opens the student's sheet, not the instructor's
            cell.source = _COLAB_SOLUTIONS.sub(r"\1exercises/", cell.source)
            continue
        cell.outputs = []
        cell.execution_count = None
        if is_solution(cell):
            cell.source = replace_solutions(cell.source, grade_id(cell))
        elif is_test(cell):
            cell.source = remove_hidden_tests(cell.source)
    return out


def placeholder_cell(master_cell):
    """The student version of one master cell (used when a submission lost it)."""
    cell = copy.deepcopy(master_cell)
    if is_solution(cell):
        cell.source = replace_solutions(cell.source, grade_id(cell))
    elif is_written(cell):
        cell.source = replace_solutions(cell.source, grade_id(cell), WRITTEN_PLACEHOLDER)
    cell.outputs = []
    cell.execution_count = None
    return cell


def dumps(nb) -> str:
    """Serialise a notebook deterministically (what exercises/ must contain byte for byte)."""
    return nbformat.writes(nb) + "\n"
