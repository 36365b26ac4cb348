"""The instructor's term around ``sfa-grade``: roster, late policy, manual overrides, totals per
student, gradebook exports (Canvas, Moodle) and HTML feedback.

Pure functions: they read the instructor's CSV files and turn the batch's
:class:`~sfa_helpers.grading.grader.SubmissionResult` objects into :class:`Grade` objects and
output texts; ``cli`` parses the options, calls them after the batch and writes every text with
its ``atomic_write``. Nothing here changes a result the batch stored in ``<out>.parts/``: roster
notes, overrides and late penalties are applied to copies, every time the outputs are written,
so a ``--regrade`` cannot lose them.

Every file the instructor gives is checked before grading starts; a problem raises
:class:`TermFileError`, whose message names the file and the line.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import html
import io
import math
import os
import pathlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import grader

#: The note of a roster student with no submission, and of a submission from someone not on it.
NO_SUBMISSION = "no submission"
NOT_ON_ROSTER = "not on the roster"
#: Gradebook formats ``--gradebook`` knows.
GRADEBOOKS = ("canvas", "moodle")
TOTALS_FIELDS = ["student", "sheet", "sheet_version", "total", "max_total", "submitted_at",
                 "days_late", "late_penalty", "final", "flags"]


class TermFileError(ValueError):
    """A roster, timestamps or overrides file (or a time) that cannot be used."""


# ------------------------------------------------------------------------------------------ #
# Reading the instructor's files
# ------------------------------------------------------------------------------------------ #
def _read_csv(path, required: tuple, what: str) -> list:
    """``[(where, {column: value})]`` for the rows of a CSV file with a header line.

    Column names are matched without case and surrounding spaces, values are stripped, blank
    lines are skipped and a UTF-8 byte-order mark (Excel) is accepted. ``where`` is
    ``"FILE, line N"``. A missing required column, or a row with more fields than the header
    (often an unquoted comma in a comment), is a :class:`TermFileError`.
    """
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8-sig")
    except OSError as err:
        raise TermFileError(f"{path}: cannot read the {what} ({err.strerror})") from None
    except UnicodeDecodeError:
        raise TermFileError(f"{path}: the {what} is not UTF-8 text (save it as 'CSV UTF-8')") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header, rows = None, []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            where = f"{path}, line {reader.line_num}"
            if header is None:
                header = [cell.strip().lower() for cell in row]
                missing = [c for c in required if c not in header]
                if missing:
                    raise TermFileError(f"{where}: the {what} has no {', '.join(map(repr, missing))} "
                                        f"column (its header is {', '.join(map(repr, header))})")
                doubled = sorted({c for c in header if c and header.count(c) > 1})
                if doubled:
                    raise TermFileError(f"{where}: the column {doubled[0]!r} appears twice in the header")
                continue
            if len(row) > len(header):
                raise TermFileError(f"{where}: {len(row)} fields, but the header has {len(header)} "
                                    "(put a text that holds a comma in double quotes)")
            rows.append((where, {c: (row[k].strip() if k < len(row) else "") for k, c in enumerate(header)}))
    except csv.Error as err:
        raise TermFileError(f"{path}, line {reader.line_num}: not a valid CSV line ({err})") from None
    if header is None:
        raise TermFileError(f"{path}: the {what} is empty (a header line with the columns "
                            f"{', '.join(required)} is needed)")
    return rows


@dataclass(frozen=True)
class Student:
    """One line of the roster: the student id (the submission's file or folder name) and, for
    the gradebook exports, the name, e-mail address and LMS id."""

    student: str
    name: str = ""
    email: str = ""
    lms_id: str = ""


def read_roster(path) -> dict:
    """``{student: Student}`` in the file's order, from a CSV file with a header: a column
    ``student`` (required), and optionally ``name``, ``email`` and ``lms_id`` (other columns are
    ignored). Empty student ids, a student listed twice, or an LMS id or e-mail address given
    to two students are errors (:class:`TermFileError`)."""
    roster, first = {}, {}
    for where, row in _read_csv(path, ("student",), "roster"):
        student = row["student"]
        if not student:
            raise TermFileError(f"{where}: empty student id")
        if student in roster:
            raise TermFileError(f"{where}: student {student!r} is listed twice (first at {first[student]})")
        entry = Student(student, row.get("name", ""), row.get("email", ""), row.get("lms_id", ""))
        for column in ("lms_id", "email"):
            value = getattr(entry, column)
            other = next((s for s in roster.values() if value and getattr(s, column) == value), None)
            if other is not None:
                raise TermFileError(f"{where}: {column} {value!r} of {student!r} is also that of "
                                    f"{other.student!r} ({first[other.student]})")
        roster[student], first[student] = entry, where
    return roster


def parse_time(text: str, where: str) -> datetime:
    """An ISO 8601 time with its UTC offset (``2025-05-12T23:59:00+02:00``, or ``Z`` for UTC).
    A time without an offset is refused: it would be read in the grading machine's timezone."""
    try:
        value = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise TermFileError(f"{where}: {text!r} is not an ISO 8601 time "
                            "(e.g. 2025-05-12T23:59:00+02:00)") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise TermFileError(f"{where}: {text!r} has no timezone: add the UTC offset "
                            "(2025-05-12T23:59:00+02:00) or Z for UTC (2025-05-12T21:59:00Z)")
    return value


def read_timestamps(path) -> dict:
    """``{student: datetime}`` from a CSV file with the columns ``student`` and ``submitted_at``
    (ISO 8601 with an offset), as an LMS export of the submissions gives them."""
    times, first = {}, {}
    for where, row in _read_csv(path, ("student", "submitted_at"), "timestamps file"):
        student = row["student"]
        if not student:
            raise TermFileError(f"{where}: empty student id")
        if student in times:
            raise TermFileError(f"{where}: student {student!r} has two times (first at {first[student]})")
        times[student], first[student] = parse_time(row["submitted_at"], where), where
    return times


def submission_times(found, timestamps: "dict | None" = None, source: str = "the timestamps file") -> dict:
    """``{student: submission time}`` for ``found`` (``cli.find_submissions``'s list).

    From ``timestamps`` (:func:`read_timestamps`) if given, and then every graded submission
    needs its row; otherwise the modification time of the submitted file (read without
    following a link), which copying the files can change. A student whose submission is not
    a file (a link, two files, an empty folder) has no time unless ``timestamps`` gives one."""
    times = {}
    if timestamps is not None:
        missing = sorted(s for s, path, _ in found if path is not None and s not in timestamps)
        if missing:
            raise TermFileError(f"{source} has no submitted_at for {len(missing)} submission(s): "
                                f"{', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}")
        return {s: timestamps[s] for s, _, _ in found if s in timestamps}
    for student, path, _ in found:
        if path is not None:
            try:
                times[student] = datetime.fromtimestamp(os.lstat(path).st_mtime, timezone.utc)
            except OSError:
                pass
    return times


@dataclass(frozen=True)
class LatePolicy:
    """A deadline, ``percent_per_day`` taken off the points for every started day after it,
    and ``max_days``: a submission more than that many (started) days late scores zero."""

    deadline: datetime
    percent_per_day: float = 0.0
    max_days: "int | None" = None

    def __post_init__(self):
        if self.deadline.tzinfo is None:
            raise TermFileError("--deadline: needs a timezone")
        if not 0 <= self.percent_per_day <= 100:
            raise TermFileError(f"--late-penalty: {self.percent_per_day:g} is not a percentage "
                                "between 0 and 100")
        if self.max_days is not None and self.max_days < 0:
            raise TermFileError(f"--late-max-days: {self.max_days} is negative")

    def days_late(self, submitted_at: "datetime | None") -> int:
        """Started days after the deadline (0: on time, or no known time)."""
        if submitted_at is None:
            return 0
        seconds = (submitted_at - self.deadline).total_seconds()
        return math.ceil(seconds / 86400) if seconds > 0 else 0

    def factor(self, days_late: int) -> float:
        """The fraction of the points kept ``days_late`` days after the deadline."""
        if self.max_days is not None and days_late > self.max_days:
            return 0.0
        return max(0.0, 1.0 - days_late * self.percent_per_day / 100)


@dataclass(frozen=True)
class Override:
    """An instructor's points for one exercise of one student, with the reason."""

    student: str
    exercise: str
    points: float
    comment: str
    where: str = ""
    #: for a written answer: the first hex digits of the SHA-256 of the text that was graded
    #: (``answer_sha`` column of the todo file; :func:`answer_sha`), '' if not given
    answer_sha: str = ""


def answer_sha(text: str) -> str:
    """A short fingerprint of a written answer: a grade given to one text is not silently
    carried over to a resubmitted, different one (:func:`build_grades`)."""
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]


def read_overrides(path) -> list:
    """The overrides of a CSV file with the columns ``student``, ``exercise``, ``points`` and
    optionally ``comment``. A points value that is not a number, or a second override of the
    same exercise of the same student, is an error; :func:`check_overrides` checks them against
    the sheet and the students. A row whose points are blank is not graded yet and is skipped
    (``<out stem>-written-todo.csv`` lists written answers that way, to be filled in)."""
    out, first = [], {}
    for where, row in _read_csv(path, ("student", "exercise", "points"), "overrides file"):
        key = (row["student"], row["exercise"])
        if not all(key):
            raise TermFileError(f"{where}: empty {'student' if not key[0] else 'exercise'}")
        if not row["points"]:
            continue
        try:
            points = float(row["points"])
        except ValueError:
            points = math.nan
        if not math.isfinite(points):
            raise TermFileError(f"{where}: points {row['points']!r} is not a number")
        if key in first:
            raise TermFileError(f"{where}: a second override of {key[1]!r} for {key[0]!r} "
                                f"(first at {first[key]})")
        first[key] = where
        out.append(Override(key[0], key[1], points, row.get("comment", ""), where,
                            row.get("answer_sha", "").lower()))
    return out


def check_overrides(overrides, students, exercises) -> None:
    """Raise :class:`TermFileError` for an override of an unknown student (neither on the
    roster nor among the submissions), of an exercise the sheet does not have, or with points
    outside [0, the exercise's maximum]. ``exercises``: the sheet's (``sheets.validate``)."""
    maxima = {e.name: float(e.points) for e in exercises}
    for o in overrides:
        if o.student not in students:
            raise TermFileError(f"{o.where}: unknown student {o.student!r} (neither on the roster "
                                "nor among the submissions)")
        if o.exercise not in maxima:
            raise TermFileError(f"{o.where}: the sheet has no exercise {o.exercise!r} "
                                f"(its exercises: {', '.join(maxima)})")
        if not 0 <= o.points <= maxima[o.exercise]:
            raise TermFileError(f"{o.where}: {o.points:g} points for {o.exercise!r} is outside "
                                f"[0, {maxima[o.exercise]:g}]")


# ------------------------------------------------------------------------------------------ #
# Grades
# ------------------------------------------------------------------------------------------ #
def _num(x: float) -> str:
    return f"{round(x, 2):g}"


@dataclass
class Grade:
    """A student's grade for the sheet: the automatic result with the roster's notes and the
    instructor's overrides applied (a copy: never stored), and the late policy.

    ``adjustments``: ``[(exercise, automatic points, instructor's points, comment)]``.
    """

    result: grader.SubmissionResult
    entry: "Student | None" = None
    sheet_version: str = ""
    submitted_at: "datetime | None" = None
    policy: "LatePolicy | None" = None
    adjustments: list = field(default_factory=list)
    on_roster: "bool | None" = None  # None: no roster given
    submitted: bool = True

    @property
    def student(self) -> str:
        return self.result.student

    @property
    def total(self) -> float:
        return self.result.total

    @property
    def max_total(self) -> float:
        return self.result.max_total

    @property
    def days_late(self) -> int:
        return self.policy.days_late(self.submitted_at) if self.policy else 0

    @property
    def final(self) -> float:
        """The total after the late penalty, to 0.01 point."""
        factor = self.policy.factor(self.days_late) if self.policy else 1.0
        return round(self.total * factor, 2)

    @property
    def late_penalty(self) -> float:
        """Points taken off for lateness."""
        return round(self.total - self.final, 2)

    @property
    def flags(self) -> list:
        """Short labels for the instructor: ``no submission``, ``not on the roster``, ``late``,
        ``too late`` (past ``max_days``: zero), ``adjusted`` (an override), ``review`` (a
        note asks for a look: flagged code, a grader failure) and ``to grade by hand`` (a
        written answer without the instructor's points)."""
        out = []
        if not self.submitted:
            out.append(NO_SUBMISSION)
        if self.on_roster is False:
            out.append(NOT_ON_ROSTER)
        if self.days_late:
            too_late = self.policy.max_days is not None and self.days_late > self.policy.max_days
            out.append("too late" if too_late else "late")
        if self.adjustments:
            out.append("adjusted")
        if any(word in note for note in self.result.notes
               for word in ("flagged", "by hand", "grade again", "run the batch again")):
            out.append("review")
        if any(e.awaits_grading for e in self.result.exercises):
            out.append("to grade by hand")
        return out

    def late_text(self) -> str:
        """One sentence on the submission time and the penalty ('' without a late policy)."""
        if self.policy is None:
            return ""
        deadline = self.policy.deadline
        if not self.submitted:
            return f"Deadline {deadline.isoformat()}: no submission."
        if self.submitted_at is None:
            return f"Deadline {deadline.isoformat()}; no submission time known: no late penalty."
        when = self.submitted_at.astimezone(deadline.tzinfo).isoformat()
        if not self.days_late:
            return f"Submitted {when}, deadline {deadline.isoformat()}: on time."
        days = f"{self.days_late} day{'s' if self.days_late != 1 else ''} late"
        if self.policy.factor(self.days_late) == 0:
            return (f"Submitted {when}, deadline {deadline.isoformat()}: {days}, more than the "
                    f"{self.policy.max_days} days accepted: zero points.")
        percent = self.days_late * self.policy.percent_per_day
        return (f"Submitted {when}, deadline {deadline.isoformat()}: {days}, "
                f"-{min(percent, 100):g}% (-{_num(self.late_penalty)} points).")


def build_grades(results, *, sheet: str, exercises, sheet_version: str = "", roster: "dict | None" = None,
                 overrides=(), submitted: "dict | None" = None, policy: "LatePolicy | None" = None) -> list:
    """The grades of a batch, sorted by student, from its ``results`` (left unchanged).

    With a ``roster``, its students without a result get zero on every exercise and the note
    :data:`NO_SUBMISSION`, and results of students not on it get the note
    :data:`NOT_ON_ROSTER`. ``overrides`` (checked by :func:`check_overrides`) replace the points
    of their exercise and add "adjusted by instructor: <comment>" to its feedback; on a written
    answer they are its grade ("graded by the instructor: <comment>"), not an adjustment.
    ``submitted``: ``{student: time}`` (:func:`submission_times`) for the late ``policy``.
    """
    results = {r.student: copy.deepcopy(r) for r in results}
    grades = {}
    for student, result in results.items():
        on_roster = None if roster is None else student in roster
        if on_roster is False:
            result.notes.append(NOT_ON_ROSTER)
        grades[student] = Grade(result, (roster or {}).get(student), sheet_version,
                                (submitted or {}).get(student), policy, on_roster=on_roster)
    for student, entry in (roster or {}).items():
        if student not in grades:
            grades[student] = Grade(grader.zero_result(student, sheet, exercises, NO_SUBMISSION), entry,
                                    sheet_version, None, policy, on_roster=True, submitted=False)
    for o in overrides:
        grade = grades.get(o.student)
        exercise = next((e for e in grade.result.exercises if e.exercise == o.exercise), None) if grade else None
        if exercise is None:
            raise TermFileError(f"{o.where or 'override'}: no result of {o.student!r} for {o.exercise!r}")
        if exercise.manual:
            exercise.feedback = "graded by the instructor" + (f": {o.comment}" if o.comment else "")
            exercise.points, exercise.hand_graded = o.points, True
            if o.answer_sha and o.answer_sha != answer_sha(exercise.answer):
                grade.result.notes.append(
                    f"the written answer of '{o.exercise}' is not the text that was graded (a "
                    "resubmission?): flagged for review, grade it again")
            continue
        grade.adjustments.append((o.exercise, exercise.points, o.points, o.comment))
        reason = f"adjusted by instructor: {o.comment}" if o.comment else "adjusted by instructor"
        exercise.feedback = f"{exercise.feedback}; {reason} (automatic score {exercise.points:g})"
        exercise.points = o.points
    return [grades[s] for s in sorted(grades)]


def roster_report(grades) -> list:
    """Lines for the instructor (stderr): submissions from students not on the roster (with a
    roster id differing only in case, if any) and roster students without a submission."""
    lines = []
    strangers = [g.student for g in grades if g.on_roster is False]
    if strangers:
        known = {g.student.casefold(): g.student for g in grades if g.on_roster}
        named = [s + (f" (the roster has {known[s.casefold()]!r})" if s.casefold() in known else "")
                 for s in strangers]
        lines.append(f"{len(strangers)} submission(s) from students not on the roster (graded, flagged "
                     f"'{NOT_ON_ROSTER}', left out of the gradebook export): {', '.join(named)}")
    absent = [g.student for g in grades if not g.submitted]
    if absent:
        lines.append(f"{len(absent)} student(s) on the roster without a submission (zero): {', '.join(absent)}")
    return lines


# ------------------------------------------------------------------------------------------ #
# Output texts
# ------------------------------------------------------------------------------------------ #
def _csv(rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def totals_csv_text(grades) -> str:
    """One row per student: :data:`TOTALS_FIELDS`. ``total`` is the points after overrides,
    ``late_penalty`` the points taken off for lateness, ``final = total - late_penalty``;
    ``submitted_at`` is given in the deadline's timezone, ``days_late`` counts started days
    (both empty without a late policy); ``sheet_version`` is the first 12 hex digits of the
    instructor sheet's SHA-256."""
    rows = [TOTALS_FIELDS]
    for g in sorted(grades, key=lambda g: g.student):
        rows.append([g.student, g.result.sheet, g.sheet_version[:12], _num(g.total), _num(g.max_total),
                     g.submitted_at.astimezone(g.policy.deadline.tzinfo).isoformat()
                     if g.policy and g.submitted_at else "",
                     str(g.days_late) if g.policy else "", _num(g.late_penalty), _num(g.final),
                     "; ".join(g.flags)])
    return _csv(rows)


def _exported(grades) -> list:
    """The grades of the roster's students (the ones an LMS can match), sorted by student."""
    return sorted((g for g in grades if g.entry is not None), key=lambda g: g.student)


def canvas_csv_text(grades, assignment: str) -> str:
    """A Canvas gradebook import: the columns ``Student, ID, SIS User ID, SIS Login ID,
    Section`` and one column ``assignment`` with the final points, then a ``Points Possible``
    row, as in Canvas's own export. ``ID`` is the roster's ``lms_id`` (Canvas's user id, from
    the course's gradebook export); students not on the roster are left out."""
    max_total = max((g.max_total for g in grades), default=0.0)
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment],
            ["    Points Possible", "", "", "", "", _num(max_total)]]
    for g in _exported(grades):
        rows.append([g.entry.name or g.student, g.entry.lms_id, "", "", "", _num(g.final)])
    return _csv(rows)


def moodle_csv_text(grades, assignment: str) -> str:
    """A Moodle "Import grades > CSV file": ``ID number, Email address, Full name`` and one
    column ``assignment`` with the final points. On import, map "ID number" to the user field
    *ID number* (or "Email address" to *Email address*) and ``assignment`` to the grade item;
    students not on the roster are left out."""
    rows = [["ID number", "Email address", "Full name", assignment]]
    for g in _exported(grades):
        rows.append([g.entry.lms_id, g.entry.email, g.entry.name or g.student, _num(g.final)])
    return _csv(rows)


GRADEBOOK_WRITERS = {"canvas": canvas_csv_text, "moodle": moodle_csv_text}


def gradebook_warnings(grades, fmt: str) -> list:
    """Roster students the LMS cannot match: no ``lms_id`` (Canvas), neither ``lms_id`` nor
    ``email`` (Moodle); and students whose written answers are not graded yet (their exported
    grade leaves those points out)."""
    pending = [g.student for g in _exported(grades) if any(e.awaits_grading for e in g.result.exercises)]
    warnings = [f"{fmt}: {len(pending)} student(s) with written answers not graded yet (the exported "
                f"grade leaves those points out): {', '.join(pending)}"] if pending else []
    if fmt == "canvas":
        lost = [g.student for g in _exported(grades) if not g.entry.lms_id]
        need = "an lms_id (Canvas's user ID)"
    else:
        lost = [g.student for g in _exported(grades) if not g.entry.lms_id and not g.entry.email]
        need = "an lms_id or an email"
    return warnings + ([f"{fmt}: {len(lost)} roster student(s) without {need}, which the import "
                        f"cannot match: {', '.join(lost)}"] if lost else [])


def feedback_text(grade: Grade) -> str:
    """The plain-text feedback of one student."""
    r = grade.result
    lines = [f"Exercise sheet {r.sheet} — {r.student}", f"Total: {r.total:g} / {r.max_total:g} points"]
    if grade.policy is not None:
        lines += [grade.late_text(), f"Final: {_num(grade.final)} / {r.max_total:g} points"]
    lines.append("")
    for e in r.exercises:
        lines.append(f"{e.exercise}: {e.points:g} / {e.max_points:g} — {e.feedback}")
    if r.notes:
        lines += ["", "Notes:"] + [f"- {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


_HTML_STYLE = ("body{font-family:sans-serif;max-width:52em;margin:2em auto;padding:0 1em;line-height:1.4}"
               "table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3em .6em;"
               "text-align:left;vertical-align:top}td.pts{white-space:nowrap}.full{background:#eaf6ea}"
               ".zero{background:#fbeaea}.total{font-size:1.15em}")


def feedback_html(grade: Grade) -> str:
    """The feedback of one student as a self-contained HTML page: per exercise the points and
    the checks' messages (with the instructor's comments), the notes, the late penalty and the
    total. Every text is escaped (``html.escape``): notes and feedback quote the student's code
    and errors. The page also forbids scripts (Content-Security-Policy)."""
    r = grade.result
    esc = html.escape
    title = f"Exercise sheet {r.sheet} — {r.student}"
    who = r.student if grade.entry is None or not grade.entry.name else f"{grade.entry.name} ({r.student})"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'\">",
             f"<title>{esc(title)}</title>", f"<style>{_HTML_STYLE}</style>", "</head>", "<body>",
             f"<h1>Exercise sheet {esc(r.sheet)}</h1>", f"<p>{esc(who)}</p>",
             "<table>", "<thead><tr><th>Exercise</th><th>Points</th><th>Feedback</th></tr></thead>", "<tbody>"]
    for e in r.exercises:
        css = ("" if e.awaits_grading else ' class="full"' if e.points == e.max_points
               else ' class="zero"' if e.points == 0 else "")
        parts.append(f"<tr{css}><td>{esc(e.exercise)}</td><td class=\"pts\">{e.points:g} / {e.max_points:g}</td>"
                     f"<td>{esc(e.feedback)}</td></tr>")
    parts += ["</tbody>", "</table>",
              f'<p class="total">Total: <strong>{r.total:g} / {r.max_total:g}</strong> points</p>']
    if grade.policy is not None:
        parts += [f"<p>{esc(grade.late_text())}</p>",
                  f'<p class="total">Final: <strong>{_num(grade.final)} / {r.max_total:g}</strong> points</p>']
    if grade.adjustments:
        parts += ["<h2>Adjusted by the instructor</h2>", "<ul>"]
        parts += [f"<li>{esc(ex)}: {old:g} → {new:g} points{': ' + esc(c) if c else ''}</li>"
                  for ex, old, new, c in grade.adjustments]
        parts.append("</ul>")
    if r.notes:
        parts += ["<h2>Notes</h2>", "<ul>"] + [f"<li>{esc(n)}</li>" for n in r.notes] + ["</ul>"]
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"
