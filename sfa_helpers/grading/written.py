"""Written answers, graded by hand: what the instructor reads and fills in.

A sheet's written answer cells (:func:`.sheets.is_written`) are not scored by the grader; it
keeps each student's text in the result (:attr:`.grader.ExerciseResult.answer`). From the grades
of a batch this module makes

* :func:`answers_html`: one page per sheet, exercise by exercise: the model answer and rubric
  from the instructor sheet, then every student's answer (and, once graded, the points and
  comment given), so one question is read across the class at a time;
* :func:`todo_csv_text`: the overrides rows still to fill in (``student, exercise, points,
  comment, answer_sha`` with points blank), rewritten at every run. ``answer_sha`` fingerprints
  the text read: if a resubmission changes it, the grade still applies but the student is
  flagged for review (:func:`.gradebook.build_grades`). The instructor copies them into their
  own overrides file, fills in points and passes that with ``--overrides`` (the todo file
  itself is refused there: the next run would overwrite it); blank rows are skipped, so a
  half-graded file works, and the next run's todo lists only what is left.

Answers are a student's text: every one is escaped and the page forbids scripts. The CSV holds
no answer text, only student ids (as every other output) and exercise names.
"""

from __future__ import annotations

import csv
import html
import io

from . import gradebook, sheets

_STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.4}"
          "pre{white-space:pre-wrap;background:#f6f6f6;padding:.6em;border:1px solid #ddd}"
          ".rubric pre{background:#eef4fb}.todo{color:#a15c00}.done{color:#2a7a2a}")


def rubrics(master) -> dict:
    """``{grade_id: (points, model answer and rubric)}`` of the sheet's written answer cells."""
    return {sheets.grade_id(c): (float(sheets.nbgrader(c)["points"]), sheets.solution_text(c.source))
            for c in master.cells if sheets.is_written(c)}


def answers_html(grades, master) -> str:
    """The page of every written answer of a batch (see the module docstring)."""
    esc = html.escape
    sheet = grades[0].result.sheet if grades else ""
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'\">", f"<title>Written answers, sheet {esc(sheet)}</title>",
             f"<style>{_STYLE}</style>", "</head>", "<body>", f"<h1>Written answers, sheet {esc(sheet)}</h1>"]
    for gid, (points, rubric) in rubrics(master).items():
        parts += [f'<h2 id="{esc(gid)}">{esc(gid)} ({points:g} points)</h2>',
                  '<div class="rubric"><h3>Model answer and rubric</h3>', f"<pre>{esc(rubric)}</pre></div>"]
        for g in grades:
            e = next((x for x in g.result.exercises if x.exercise == gid), None)
            if e is None:
                continue
            if e.awaits_grading:
                status = '<span class="todo">to grade</span>'
            elif e.hand_graded:
                status = f'<span class="done">{e.points:g} / {e.max_points:g}: {esc(e.feedback)}</span>'
            else:
                status = f"{e.points:g} / {e.max_points:g}: {esc(e.feedback)}"
            parts.append(f"<h3>{esc(g.student)}: {status}</h3>")
            if e.answer:
                parts.append(f"<pre>{esc(e.answer)}</pre>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def todo_csv_text(grades) -> str:
    """Overrides rows for the written answers not graded yet, points blank."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "exercise", "points", "comment", "answer_sha"])
    for g in grades:
        for e in g.result.exercises:
            if e.awaits_grading:
                writer.writerow([g.student, e.exercise, "", "", gradebook.answer_sha(e.answer)])
    return buffer.getvalue()
