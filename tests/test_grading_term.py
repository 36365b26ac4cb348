"""The instructor's term with sfa-grade: roster, late policy, overrides, totals, gradebook exports
and HTML feedback (sfa_helpers.grading.gradebook).

The pure functions are tested on hand-made results against expected texts written out here.
The end-to-end tests run the `sfa-grade` command (and `run_batch`) on submissions whose results
are already stored in `<out>.parts/` (as a resumed batch finds them): no kernel starts, and each
takes well under a second.
"""

import hashlib
import html.parser
import json
import os
import pathlib
import re
import signal
from datetime import datetime, timedelta, timezone

import pytest

from sfa_helpers.grading import cli, gradebook, grader, sheets

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHEET = ROOT / "solutions" / "01_lif_basics.ipynb"
UTC = timezone.utc
CEST = timezone(timedelta(hours=2))
DEADLINE = datetime(2025, 5, 12, 23, 59, tzinfo=CEST)
R, E = grader.SubmissionResult, grader.ExerciseResult
EXERCISES = [sheets.Exercise("ex1", [("ex1_test", 2)]), sheets.Exercise("ex2", [("ex2_test", 3)])]


def _write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.write_text(text, encoding="utf-8")
    return path


def _raises(message_pattern):
    return pytest.raises(gradebook.TermFileError, match=message_pattern)


# ------------------------------------------------------------------------------------------ #
# Roster
# ------------------------------------------------------------------------------------------ #
def test_roster_is_read_with_its_optional_columns(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("\ufeff Student ,Name,EMAIL,lms_id,section\n"
                       "alice,\"Doe, Alice\",alice@uni.example,101,A\n\n"
                       "bob,,,,\n".encode("utf-8"))
    assert gradebook.read_roster(roster) == {
        "alice": gradebook.Student("alice", "Doe, Alice", "alice@uni.example", "101"),
        "bob": gradebook.Student("bob", "", "", ""),
    }
    only_ids = _write(tmp_path / "ids.csv", "student\ncarol\ndave\n")
    assert list(gradebook.read_roster(only_ids)) == ["carol", "dave"]


@pytest.mark.parametrize("text, line, message", [
    ("name,email\nAlice,a@x\n", 1, "the roster has no 'student' column \\(its header is 'name', 'email'\\)"),
    ("student\nalice\n\nbob\nalice\n", 5, "student 'alice' is listed twice \\(first at .*roster.csv, line 2\\)"),
    ("student,name\nalice,A\n,B\n", 3, "empty student id"),
    ("student,lms_id\nalice,7\nbob,7\n", 3, "lms_id '7' of 'bob' is also that of 'alice'"),
    ("student,name\nalice,Doe, Alice\n", 2, "3 fields, but the header has 2"),
])
def test_a_broken_roster_is_refused_naming_file_and_line(tmp_path, text, line, message):
    roster = _write(tmp_path / "roster.csv", text)
    with _raises(re.escape(f"{roster}, line {line}: ") + message):
        gradebook.read_roster(roster)


def test_an_empty_or_missing_roster_is_refused(tmp_path):
    with _raises("roster is empty"):
        gradebook.read_roster(_write(tmp_path / "empty.csv", "\n\n"))
    with _raises("cannot read the roster"):
        gradebook.read_roster(tmp_path / "missing.csv")


# ------------------------------------------------------------------------------------------ #
# Times and the late policy
# ------------------------------------------------------------------------------------------ #
def test_times_need_a_utc_offset():
    assert gradebook.parse_time("2025-05-12T21:59:00Z", "x") == datetime(2025, 5, 12, 21, 59, tzinfo=UTC)
    assert gradebook.parse_time(" 2025-05-12T23:59+02:00 ", "x") == datetime(2025, 5, 12, 21, 59, tzinfo=UTC)
    for naive in ("2025-05-12T23:59:00", "2025-05-12"):
        with _raises("--deadline: .* has no timezone"):
            gradebook.parse_time(naive, "--deadline")
    with _raises("not an ISO 8601 time"):
        gradebook.parse_time("12/05/2025 23:59", "--deadline")


def test_timestamps_file(tmp_path):
    good = _write(tmp_path / "submissions.csv",
                  "student,submitted_at\nalice,2025-05-12T20:00:00Z\nbob,2025-05-14T08:00:00+02:00\n")
    assert gradebook.read_timestamps(good) == {"alice": datetime(2025, 5, 12, 20, tzinfo=UTC),
                                               "bob": datetime(2025, 5, 14, 6, tzinfo=UTC)}
    naive = _write(tmp_path / "naive.csv", "student,submitted_at\nalice,2025-05-12T20:00:00Z\nbob,2025-05-14 08:00\n")
    with _raises(re.escape(f"{naive}, line 3: ") + ".*has no timezone"):
        gradebook.read_timestamps(naive)
    twice = _write(tmp_path / "twice.csv", "student,submitted_at\nalice,2025-05-12T20:00Z\nalice,2025-05-13T20:00Z\n")
    with _raises(re.escape(f"{twice}, line 3: ") + "student 'alice' has two times"):
        gradebook.read_timestamps(twice)


def test_submission_times_come_from_the_files_or_the_lms(tmp_path):
    alice = tmp_path / "alice.ipynb"
    alice.write_text("{}")
    when = datetime(2025, 5, 13, 8, 30, tzinfo=UTC)
    os.utime(alice, (when.timestamp(), when.timestamp()))
    found = [("alice", alice, None), ("bob", None, "more than one submission")]
    assert gradebook.submission_times(found) == {"alice": when}
    lms = {"alice": datetime(2025, 5, 12, 20, tzinfo=UTC), "bob": datetime(2025, 5, 11, tzinfo=UTC)}
    assert gradebook.submission_times(found, lms) == lms
    with _raises("lms.csv has no submitted_at for 1 submission.*: alice"):
        gradebook.submission_times(found, {"bob": lms["bob"]}, "lms.csv")


def test_late_policy_counts_started_days():
    policy = gradebook.LatePolicy(DEADLINE, percent_per_day=10, max_days=3)
    second, day = timedelta(seconds=1), timedelta(days=1)
    expected = [(DEADLINE - timedelta(hours=5), 0, 1.0), (DEADLINE, 0, 1.0), (DEADLINE + second, 1, 0.9),
                (DEADLINE + day, 1, 0.9), (DEADLINE + day + second, 2, 0.8), (DEADLINE + 3 * day, 3, 0.7),
                (DEADLINE + 3 * day + second, 4, 0.0), (None, 0, 1.0)]
    for submitted, days, factor in expected:
        assert policy.days_late(submitted) == days, submitted
        assert policy.factor(days) == pytest.approx(factor), submitted
    # a submission in another timezone is compared as the same instant
    assert policy.days_late(datetime(2025, 5, 12, 21, 59, 30, tzinfo=UTC)) == 1
    steep = gradebook.LatePolicy(DEADLINE, percent_per_day=30)
    assert steep.factor(4) == 0.0  # never negative
    with _raises("not a percentage"):
        gradebook.LatePolicy(DEADLINE, percent_per_day=150)
    with _raises("negative"):
        gradebook.LatePolicy(DEADLINE, max_days=-1)


# ------------------------------------------------------------------------------------------ #
# Overrides
# ------------------------------------------------------------------------------------------ #
def test_overrides_are_read(tmp_path):
    path = _write(tmp_path / "overrides.csv",
                  "student,exercise,points,comment\nbob,ex1,1.5,\"right idea, wrong units\"\nalice,ex2,0,\n")
    assert gradebook.read_overrides(path) == [
        gradebook.Override("bob", "ex1", 1.5, "right idea, wrong units", f"{path}, line 2"),
        gradebook.Override("alice", "ex2", 0.0, "", f"{path}, line 3"),
    ]


@pytest.mark.parametrize("row, message", [
    ("bob,ex1,two,typo", "points 'two' is not a number"),
    ("bob,ex1,nan,x", "points 'nan' is not a number"),
    ("bob,ex1,1,good, but late", "5 fields, but the header has 4"),
    ("bob,,1,x", "empty exercise"),
    ("zoe,ex1,1,x", "unknown student 'zoe'"),
    ("bob,ex9,1,x", "the sheet has no exercise 'ex9' \\(its exercises: ex1, ex2\\)"),
    ("bob,ex1,2.5,x", "2.5 points for 'ex1' is outside \\[0, 2\\]"),
    ("bob,ex2,-1,x", "-1 points for 'ex2' is outside \\[0, 3\\]"),
])
def test_a_wrong_override_is_refused_naming_file_and_line(tmp_path, row, message):
    path = _write(tmp_path / "overrides.csv", f"student,exercise,points,comment\nalice,ex1,2,ok\n{row}\n")
    with _raises(re.escape(f"{path}, line 3: ") + message):
        gradebook.check_overrides(gradebook.read_overrides(path), {"alice", "bob"}, EXERCISES)


def test_two_overrides_of_one_exercise_are_refused(tmp_path):
    path = _write(tmp_path / "o.csv", "student,exercise,points\nbob,ex1,1\nalice,ex1,1\nbob,ex1,2\n")
    with _raises(re.escape(f"{path}, line 4: a second override of 'ex1' for 'bob' (first at {path}, line 2)")):
        gradebook.read_overrides(path)


# ------------------------------------------------------------------------------------------ #
# Grades, totals, long CSV, exports
# ------------------------------------------------------------------------------------------ #
def _results():
    return [
        R("alice", "s01", [E("ex1", 2.0, 2.0, "all tests passed"), E("ex2", 3.0, 3.0, "all tests passed")],
          seconds=3.0, sheet_version="a" * 64),
        R("bob", "s01", [E("ex1", 0.0, 2.0, "test: wrong units"), E("ex2", 1.0, 3.0, "test: a hidden test failed")],
          ["flagged for manual review: the code imports os"], seconds=4.0, sheet_version="a" * 64),
        R("mallory", "s01", [E("ex1", 2.0, 2.0, "all tests passed"), E("ex2", 0.0, 3.0, "not done yet")],
          seconds=2.0, sheet_version="a" * 64),
    ]


ROSTER = {"alice": gradebook.Student("alice", "Doe, Alice", "alice@uni.example", "101"),
          "bob": gradebook.Student("bob", "Bob Roe", "bob@uni.example", "102"),
          "carol": gradebook.Student("carol", "", "carol@uni.example", "")}


def _grades(results=None):
    return gradebook.build_grades(
        _results() if results is None else results, sheet="s01", exercises=EXERCISES,
        sheet_version="0123456789abcdef" * 4, roster=ROSTER,
        overrides=[gradebook.Override("bob", "ex1", 1.5, "right idea, wrong units")],
        submitted={"alice": DEADLINE + timedelta(days=1, hours=2), "bob": DEADLINE - timedelta(hours=1),
                   "mallory": DEADLINE + timedelta(days=9)},
        policy=gradebook.LatePolicy(DEADLINE, percent_per_day=10, max_days=7))


def test_totals_csv():
    assert gradebook.totals_csv_text(_grades()) == (
        "student,sheet,sheet_version,total,max_total,submitted_at,days_late,late_penalty,final,flags\n"
        "alice,s01,0123456789ab,5,5,2025-05-14T01:59:00+02:00,2,1,4,late\n"
        "bob,s01,0123456789ab,2.5,5,2025-05-12T22:59:00+02:00,0,0,2.5,adjusted; review\n"
        "carol,s01,0123456789ab,0,5,,0,0,0,no submission\n"
        "mallory,s01,0123456789ab,2,5,2025-05-21T23:59:00+02:00,9,2,0,not on the roster; too late\n")


def test_long_csv_has_raw_points_overrides_and_absent_students():
    assert cli.csv_text([g.result for g in _grades()]) == (
        "student,sheet,exercise,points,max_points,feedback\n"
        "alice,s01,ex1,2,2,all tests passed\n"  # late: the rows keep the raw points
        "alice,s01,ex2,3,3,all tests passed\n"
        "bob,s01,ex1,1.5,2,\"test: wrong units; adjusted by instructor: right idea, wrong units "
        "(automatic score 0)\"\n"
        "bob,s01,ex2,1,3,test: a hidden test failed\n"
        "carol,s01,ex1,0,2,no submission\n"
        "carol,s01,ex2,0,3,no submission\n"
        "mallory,s01,ex1,2,2,all tests passed\n"
        "mallory,s01,ex2,0,3,not done yet\n")


def test_building_grades_leaves_the_results_alone():
    results = _results()
    before = [r.to_json() for r in results]
    grades = _grades(results)
    assert [r.to_json() for r in results] == before
    by_student = {g.student: g for g in grades}
    assert by_student["mallory"].result.notes == ["not on the roster"]
    assert by_student["carol"].result.notes == ["no submission"]
    assert by_student["bob"].adjustments == [("ex1", 0.0, 1.5, "right idea, wrong units")]


def test_without_roster_nobody_is_added_or_flagged():
    grades = gradebook.build_grades(_results(), sheet="s01", exercises=EXERCISES)
    assert [g.student for g in grades] == ["alice", "bob", "mallory"]
    assert [g.flags for g in grades] == [[], ["review"], []]
    assert gradebook.roster_report(grades) == []
    assert gradebook.totals_csv_text(grades).splitlines()[1] == "alice,s01,,5,5,,,0,5,"


def test_roster_report_names_strangers_and_absentees():
    results = _results()
    results[2].student = "Carol"  # carol's notebook, saved with a capital letter
    lines = gradebook.roster_report(_grades(results))
    assert lines == ["1 submission(s) from students not on the roster (graded, flagged 'not on the roster', "
                     "left out of the gradebook export): Carol (the roster has 'carol')",
                     "1 student(s) on the roster without a submission (zero): carol"]


def test_canvas_export():
    assert gradebook.canvas_csv_text(_grades(), "Sheet 1 (4711)") == (
        "Student,ID,SIS User ID,SIS Login ID,Section,Sheet 1 (4711)\n"
        "    Points Possible,,,,,5\n"
        "\"Doe, Alice\",101,,,,4\n"
        "Bob Roe,102,,,,2.5\n"
        "carol,,,,,0\n")
    assert gradebook.gradebook_warnings(_grades(), "canvas") == [
        "canvas: 1 roster student(s) without an lms_id (Canvas's user ID), which the import cannot "
        "match: carol"]


def test_moodle_export():
    assert gradebook.moodle_csv_text(_grades(), "Sheet 1") == (
        "ID number,Email address,Full name,Sheet 1\n"
        "101,alice@uni.example,\"Doe, Alice\",4\n"
        "102,bob@uni.example,Bob Roe,2.5\n"
        ",carol@uni.example,carol,0\n")
    assert gradebook.gradebook_warnings(_grades(), "moodle") == []  # carol has an e-mail address


# ------------------------------------------------------------------------------------------ #
# Feedback
# ------------------------------------------------------------------------------------------ #
def test_plain_feedback_text_is_unchanged():
    result = _results()[1]
    assert cli.feedback_text(result) == (
        "Exercise sheet s01 — bob\n"
        "Total: 1 / 5 points\n"
        "\n"
        "ex1: 0 / 2 — test: wrong units\n"
        "ex2: 1 / 3 — test: a hidden test failed\n"
        "\n"
        "Notes:\n"
        "- flagged for manual review: the code imports os\n")


def test_feedback_text_with_late_penalty_and_override():
    grades = {g.student: g for g in _grades()}
    assert gradebook.feedback_text(grades["alice"]) == (
        "Exercise sheet s01 — alice\n"
        "Total: 5 / 5 points\n"
        "Submitted 2025-05-14T01:59:00+02:00, deadline 2025-05-12T23:59:00+02:00: 2 days late, "
        "-20% (-1 points).\n"
        "Final: 4 / 5 points\n"
        "\n"
        "ex1: 2 / 2 — all tests passed\n"
        "ex2: 3 / 3 — all tests passed\n")
    assert "9 days late, more than the 7 days accepted: zero points." in gradebook.feedback_text(grades["mallory"])
    bob = gradebook.feedback_text(grades["bob"])
    assert "ex1: 1.5 / 2 — test: wrong units; adjusted by instructor: right idea, wrong units" in bob
    assert "Total: 2.5 / 5 points" in bob and "on time" in bob


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]

    def handle_data(self, data):
        self.text.append(data)


def test_html_feedback_escapes_what_comes_from_students():
    attack = '<script>alert("x")</script>'
    result = R("eve<b>", "s01", [E("ex1", 1.0, 2.0, f"your cell: NameError: {attack}"),
                                 E("ex2", 3.0, 3.0, "all tests passed")],
               ['very long output was cut short in: "><img src=x onerror=alert(1)>'])
    grade = gradebook.build_grades(
        [result], sheet="s01", exercises=EXERCISES,
        roster={"eve<b>": gradebook.Student("eve<b>", "<svg onload=alert(1)>")},
        overrides=[gradebook.Override("eve<b>", "ex1", 2.0, "<i>fine</i> & well done")],
        submitted={"eve<b>": DEADLINE + timedelta(hours=3)},
        policy=gradebook.LatePolicy(DEADLINE, percent_per_day=10))[0]
    page = gradebook.feedback_html(grade)
    parsed = _Tags()
    parsed.feed(page)
    assert set(parsed.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table",
                                "thead", "tbody", "tr", "th", "td", "strong", "ul", "li"}, parsed.tags
    assert set(parsed.attributes) <= {"lang", "charset", "http-equiv", "content", "class"}
    text = "".join(parsed.text)
    # what the student wrote is shown as text, verbatim
    for shown in (attack, '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)> (eve<b>)",
                  "<i>fine</i> & well done"):
        assert shown in text, shown
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # points, the override, the late penalty and the totals
    assert "2 / 2" in text and "ex1: 1 → 2 points: <i>fine</i> & well done" in text
    assert "1 day late, -10% (-0.5 points)" in text
    assert "Total: 5 / 5 points" in text and "Final: 4.5 / 5 points" in text


# ------------------------------------------------------------------------------------------ #
# sfa-grade end to end (results already stored: no kernel)
# ------------------------------------------------------------------------------------------ #
#: Sheet 01's exercises and points, as its README row and notebook give them.
SHEET01 = {"rheobase_formula": 1, "rheobase_sim": 2, "window_rate": 2, "reset_rates": 2, "reset_limit": 1,
           "spikes_halves": 2, "ramp_current": 2, "ramp_lag": 1, "lif_written": 2, "four_steps": 2,
           "reset_written": 2}
#: The written answer (graded by hand; left empty here: zero, "not done yet").
MANUAL = {"reset_written"}
POINTS = {"alice": {**SHEET01, "reset_written": 0},
          "bob": {**SHEET01, "reset_rates": 0, "lif_written": 0, "ramp_lag": 0, "reset_written": 0},
          "mallory": {**{k: 0 for k in SHEET01}, "rheobase_formula": 1}}


def _feedback(name, points, full):
    if name in MANUAL:
        return "not done yet"
    return "all tests passed" if points == full else "a hidden test failed"


@pytest.fixture()
def term(tmp_path):
    """A submissions folder of alice, bob and mallory whose results are stored, a roster of
    alice, bob and carol, an override for bob; alice on time, bob 26 hours late, mallory 10
    days late."""
    subs = tmp_path / "subs"
    subs.mkdir()
    out = tmp_path / "grades.csv"
    parts = tmp_path / "grades.csv.parts"
    parts.mkdir()
    version = hashlib.sha256(SHEET.read_bytes()).hexdigest()
    times = {"alice": DEADLINE - timedelta(hours=2), "bob": DEADLINE + timedelta(hours=26),
             "mallory": DEADLINE + timedelta(days=10)}
    for student, points in POINTS.items():
        notebook = subs / f"{student}.ipynb"
        notebook.write_text(json.dumps({"cells": [], "student": student}))
        os.utime(notebook, (times[student].timestamp(),) * 2)
        stored = {"student": student, "sheet": SHEET.stem, "seconds": 1.0, "notes": [],
                  "sheet_version": version,
                  "submission_digest": "file:" + hashlib.sha256(notebook.read_bytes()).hexdigest(),
                  "exercises": [{"exercise": name, "points": float(points[name]), "max_points": float(full),
                                 "feedback": _feedback(name, points[name], full), "manual": name in MANUAL}
                                for name, full in SHEET01.items()]}
        (parts / f"{student}.json").write_text(json.dumps(stored))
    roster = _write(tmp_path / "roster.csv", "student,name,email,lms_id\nalice,Alice Doe,alice@uni.example,101\n"
                                             "bob,Bob Roe,bob@uni.example,102\ncarol,Carol Poe,carol@uni.example,103\n")
    overrides = _write(tmp_path / "overrides.csv",
                       "student,exercise,points,comment\nbob,reset_rates,1,\"units right, factor wrong\"\n")
    args = [str(subs), "--sheet", str(SHEET), "--out", str(out), "--jobs", "1", "--no-progress",
            "--roster", str(roster), "--overrides", str(overrides), "--gradebook", "canvas",
            "--gradebook", "moodle", "--assignment", "Sheet 1", "--deadline", DEADLINE.isoformat(),
            "--late-penalty", "10", "--late-max-days", "7"]
    stored = {p.name: p.read_bytes() for p in parts.iterdir()}
    handler = signal.getsignal(signal.SIGTERM)  # sfa-grade installs its own
    yield tmp_path, args, stored
    signal.signal(signal.SIGTERM, handler)


def test_sfa_grade_term_outputs(term, capsys):
    tmp_path, args, stored = term
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert "not on the roster" in err and "mallory" in err and "without a submission (zero): carol" in err
    version = hashlib.sha256(SHEET.read_bytes()).hexdigest()[:12]
    assert (tmp_path / "grades-totals.csv").read_text() == (
        "student,sheet,sheet_version,total,max_total,submitted_at,days_late,late_penalty,final,flags\n"
        f"alice,01_lif_basics,{version},17,19,2025-05-12T21:59:00+02:00,0,0,17,\n"
        f"bob,01_lif_basics,{version},13,19,2025-05-14T01:59:00+02:00,2,2.6,10.4,late; adjusted\n"
        f"carol,01_lif_basics,{version},0,19,,0,0,0,no submission\n"
        f"mallory,01_lif_basics,{version},1,19,2025-05-22T23:59:00+02:00,10,1,0,not on the roster; too late\n")
    assert (tmp_path / "grades-canvas.csv").read_text() == (
        "Student,ID,SIS User ID,SIS Login ID,Section,Sheet 1\n"
        "    Points Possible,,,,,19\n"
        "Alice Doe,101,,,,17\n"
        "Bob Roe,102,,,,10.4\n"
        "Carol Poe,103,,,,0\n")
    assert (tmp_path / "grades-moodle.csv").read_text() == (
        "ID number,Email address,Full name,Sheet 1\n"
        "101,alice@uni.example,Alice Doe,17\n"
        "102,bob@uni.example,Bob Roe,10.4\n"
        "103,carol@uni.example,Carol Poe,0\n")
    expected_rows = ["student,sheet,exercise,points,max_points,feedback"]
    for student, points in [*POINTS.items(), ("carol", {k: 0 for k in SHEET01})]:
        for name, full in SHEET01.items():
            feedback = ("no submission" if student == "carol" else _feedback(name, points[name], full))
            value = points[name]
            if (student, name) == ("bob", "reset_rates"):
                value = 1
                feedback = ('"a hidden test failed; adjusted by instructor: units right, factor wrong '
                            '(automatic score 0)"')
            expected_rows.append(f"{student},01_lif_basics,{name},{value},{full},{feedback}")
    expected_rows = expected_rows[:1] + sorted(expected_rows[1:], key=lambda row: row.split(",")[0])
    assert (tmp_path / "grades.csv").read_text() == "\n".join(expected_rows) + "\n"
    feedback = tmp_path / "grades-feedback"
    assert sorted(p.name for p in feedback.iterdir()) == sorted(
        f"{s}.{ext}" for s in ("alice", "bob", "carol", "mallory") for ext in ("txt", "html"))
    assert "adjusted by instructor: units right, factor wrong" in (feedback / "bob.html").read_text()
    assert "Final: 10.4 / 19 points" in (feedback / "bob.txt").read_text()
    # the overrides and roster notes never reach the stored results ...
    parts = tmp_path / "grades.csv.parts"
    assert {p.name: p.read_bytes() for p in parts.iterdir()} == stored
    # ... so the next run applies them once again, not twice (and a --regrade, which rewrites only
    # the stored results, cannot lose them)
    outputs = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and parts not in p.parents}
    assert cli.main(args) == 0
    assert {p: p.read_bytes() for p in outputs} == outputs


@pytest.mark.parametrize("change, message", [
    (lambda a, t: a + ["--roster", str(_write(t / "r2.csv", "student\nalice\nalice\n"))],
     "r2.csv, line 3: student 'alice' is listed twice"),
    (lambda a, t: _replace(a, "--overrides", _write(t / "o2.csv", "student,exercise,points\nbob,rheobase,1\n")),
     "o2.csv, line 2: the sheet has no exercise 'rheobase'"),
    (lambda a, t: _replace(a, "--overrides", _write(t / "o3.csv", "student,exercise,points\nzoe,ramp_lag,1\n")),
     "o3.csv, line 2: unknown student 'zoe'"),
    (lambda a, t: _replace(a, "--deadline", "2025-05-12T23:59"), "--deadline: '2025-05-12T23:59' has no timezone"),
    (lambda a, t: _drop(a, "--roster"), "--gradebook needs --roster"),
    (lambda a, t: _drop(a, "--deadline"), "--late-penalty, --late-max-days needs --deadline"),
    (lambda a, t: _replace(a, "--late-penalty", "120"), "--late-penalty: 120 is not a percentage"),
    (lambda a, t: a + ["--timestamps", str(_write(t / "subs" / "submissions.csv", "student,submitted_at\n"))],
     "is inside"),
    (lambda a, t: a + ["--timestamps", str(_write(t / "ts.csv", "student,submitted_at\nalice,2025-05-12T20:00Z\n"))],
     "has no submitted_at for 3 submission\\(s\\): bob, mallory, new_student"),
])
def test_wrong_term_options_stop_sfa_grade_before_grading(term, change, message):
    tmp_path, args, stored = term
    (tmp_path / "subs" / "new_student.ipynb").write_text("{}")  # would need grading
    with pytest.raises(SystemExit) as stop:
        cli.main(change(args, tmp_path))
    assert re.search(message, str(stop.value)), stop.value
    assert not (tmp_path / "grades.csv").exists() and not (tmp_path / "grades-totals.csv").exists()
    assert sorted(p.name for p in (tmp_path / "grades.csv.parts").iterdir()) == sorted(stored)


def _replace(args, option, value):
    args = list(args)
    args[args.index(option) + 1] = str(value)
    return args


def _drop(args, option):
    args = list(args)
    k = args.index(option)
    return args[:k] + args[k + 2:]


def test_run_batch_as_a_library_writes_the_plain_outputs(term):
    """``run_batch`` without the term options (a library call) writes the long CSV, the totals and
    both feedback files of the stored results, with nobody added, flagged or penalised."""
    tmp_path, _, _ = term
    out = tmp_path / "grades.csv"
    results = cli.run_batch(tmp_path / "subs", SHEET, out, feedback_dir=tmp_path / "fb", jobs=1, progress=False)
    assert sorted(r.student for r in results) == ["alice", "bob", "mallory"]
    rows = out.read_text().splitlines()
    assert rows[0] == "student,sheet,exercise,points,max_points,feedback" and len(rows) == 1 + 3 * 11
    assert "bob,01_lif_basics,reset_rates,0,2,a hidden test failed" in rows
    version = hashlib.sha256(SHEET.read_bytes()).hexdigest()[:12]
    assert (tmp_path / "grades-totals.csv").read_text() == (
        "student,sheet,sheet_version,total,max_total,submitted_at,days_late,late_penalty,final,flags\n"
        f"alice,01_lif_basics,{version},17,19,,,0,17,\n"
        f"bob,01_lif_basics,{version},12,19,,,0,12,\n"
        f"mallory,01_lif_basics,{version},1,19,,,0,1,\n")
    assert (tmp_path / "fb" / "bob.txt").read_text().startswith(
        "Exercise sheet 01_lif_basics — bob\nTotal: 12 / 19 points\n\nrheobase_formula: 1 / 1 — all tests passed\n")
    assert "<td>reset_rates</td>" in (tmp_path / "fb" / "bob.html").read_text()
    assert not list(tmp_path.rglob("*.tmp"))
