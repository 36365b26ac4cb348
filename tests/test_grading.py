"""The grader: crafted broken and partial submissions get exactly the expected points and notes;
an interrupted batch resumed gives the same CSV as an uninterrupted one.

The crafted submissions are written by tests/grading_fixtures/make_fixtures.py (see there for
what each breaks); one batch grades them all (2 workers) and the tests read its results.
"""

import csv
import io
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from sfa_helpers.grading import cli, grader, runner, sheets

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "grading_fixtures"
SHEET = ROOT / "solutions" / "01_lif_basics.ipynb"
EXPECTED = json.loads((FIXTURES / "expected_sheet01.json").read_text())
LIMITS = runner.Limits(cell_timeout=30, notebook_timeout=200)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    work = tmp_path_factory.mktemp("grading")
    out = work / "grades.csv"
    # in the sandbox (CI runs as root): the attack fixtures' expected scores assume it
    results = cli.run_batch(FIXTURES / "sheet01", SHEET, out, feedback_dir=work / "feedback",
                            jobs=2, limits=LIMITS, progress=False, sandbox="on")
    return work, out, {r.student: r for r in results}


def _command_lines() -> list:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    found.append(f.read().split(bytes(1)))
            except OSError:
                pass
    return found


def test_no_process_of_a_submission_outlives_its_kernel(batch):
    """'background_job' starts `sleep 47.5` in a session of its own, out of reach of the
    session kill; in the sandbox it dies with the kernel (process 1 of its namespace)."""
    assert [c for c in _command_lines() if c[:2] == [b"sleep", b"47.5"]] == []


def test_the_sabotage_submission_changed_nothing_outside_its_folder(batch):
    """'sabotage' overwrote every file it could reach outside its own folder (compiled programs,
    results, kernel specs) and killed its parent: the students graded after it still get their
    exact scores (test_crafted_submission_scores_exactly), and the instructor's files are intact."""
    assert nbformat.read(SHEET, as_version=4).cells  # still a notebook
    for path in (ROOT / "sfa_helpers" / "grading").glob("*.py"):
        assert b"sabotage" != path.read_bytes()[:8], path


def test_every_crafted_submission_was_graded(batch):
    _, _, results = batch
    assert sorted(results) == sorted(EXPECTED)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_crafted_submission_scores_exactly(batch, student):
    _, _, results = batch
    result = results[student]
    got = {e.exercise: e.points for e in result.exercises}
    assert got == {k: float(v) for k, v in EXPECTED[student]["points"].items()}, feedback_of(result)
    text = feedback_of(result)
    for phrase in EXPECTED[student]["notes"]:
        assert phrase in text, f"{student}: {phrase!r} not in feedback:\n{text}"


def feedback_of(result):
    return cli.feedback_text(result)


def test_solutions_full_marks_and_exercises_zero_without_errors(batch):
    _, _, results = batch
    assert results["full_marks"].total == results["full_marks"].max_automatic == 17
    assert results["full_marks"].max_total == 19  # the written answer (2) is graded by hand
    untouched = results["untouched"]
    assert untouched.total == 0
    assert all("not done yet" in e.feedback for e in untouched.exercises)
    assert not untouched.notes


def test_feedback_never_reveals_hidden_tests_or_answers(batch):
    _, _, results = batch
    for result in results.values():
        text = feedback_of(result)
        assert "4.01" not in text and "BEGIN HIDDEN" not in text and "sfa-grade-ok" not in text


def test_csv_and_feedback_files(batch):
    work, out, results = batch
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == len(EXPECTED) * 11
    assert set(rows[0]) == set(cli.FIELDS)
    assert all(float(r["points"]) <= float(r["max_points"]) for r in rows)
    for student in EXPECTED:
        assert (work / "feedback" / f"{student}.txt").read_text().startswith("Exercise sheet 01")
    assert not list(out.parent.glob("*.tmp"))


def _processes_inside(folder: pathlib.Path) -> list:
    """The command lines of the processes whose working directory is inside ``folder``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/cwd").startswith(str(folder)):
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        found.append(f"{entry}: {f.read().replace(bytes(1), b' ').decode()[:200]}")
            except OSError:
                pass
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_killed_batch_resumed_gives_the_same_csv(batch, tmp_path):
    """A real interruption: the sfa-grade process group is killed (SIGKILL, as by a power cut or
    a closed terminal) while grading; no kernel outlives it; the same command run again grades
    only the missing students, keeps the finished results untouched, and writes the same CSV as
    the uninterrupted batch. The resumed run starts kernels without the fork server, so the CSV
    also shows that forked and new-process kernels grade alike."""
    work, out, results = batch
    resumed = tmp_path / "grades.csv"
    parts = tmp_path / "grades.csv.parts"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    command = [sys.executable, "-m", "sfa_helpers.grading.cli", str(FIXTURES / "sheet01"),
               "--sheet", str(SHEET), "--out", str(resumed), "--jobs", "2", "--no-progress",
               "--cell-timeout", str(LIMITS.cell_timeout), "--notebook-timeout", str(LIMITS.notebook_timeout)]
    process = subprocess.Popen(command, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while len(list(parts.glob("*.json"))) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = {p.name: p.stat().st_mtime_ns for p in parts.glob("*.json")}
    assert 3 <= len(done) < len(results), "the batch was not interrupted part-way"
    assert not resumed.exists(), "the killed batch wrote a CSV"
    # Kernels check about once a second whether their parent is gone.
    deadline = time.monotonic() + 20
    while _processes_inside(scratch) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_inside(scratch) == [], "a kernel outlived the killed batch"

    cli.run_batch(FIXTURES / "sheet01", SHEET, resumed, jobs=2, limits=LIMITS, progress=False,
                  fork_server=False)
    assert resumed.read_text() == out.read_text()
    assert {p.name: p.stat().st_mtime_ns for p in parts.glob("*.json") if p.name in done} == done
    assert len(list(parts.glob("*.json"))) == len(results)


def _session_members(sid: int) -> list:
    """Command lines of the processes in session ``sid`` (/proc/<pid>/stat field 6)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        found.append(f"{entry}: {f.read().replace(bytes(1), b' ').decode()[:200]}")
            except (OSError, IndexError, ValueError):
                pass
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_sigterm_to_the_grader_stops_its_workers_and_kernels(tmp_path):
    """SIGTERM to the sfa-grade process alone (a scheduler's timeout, `kill <pid>`): its worker
    processes, the fork server and every kernel end with it instead of grading on as orphans."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for k, name in enumerate(["full_marks", "infinite_loop", "partial", "infinite_loop", "untouched"]):
        (subs / f"s{k}.ipynb").write_bytes((FIXTURES / "sheet01" / f"{name}.ipynb").read_bytes())
    # a kernel with a child process of its own (as a compiled program or g++ would be)
    nb = nbformat.read(FIXTURES / "sheet01" / "infinite_loop.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "import subprocess\nchild = subprocess.Popen(['sleep', '300'])\nwhile True:\n    pass"))
    nbformat.write(nb, subs / "s0_child.ipynb")
    parts = tmp_path / "grades.csv.parts"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = [sys.executable, "-m", "sfa_helpers.grading.cli", str(subs), "--sheet", str(SHEET),
               "--out", str(tmp_path / "grades.csv"), "--jobs", "2", "--no-progress",
               "--cell-timeout", "30", "--notebook-timeout", "200"]
    process = subprocess.Popen(command, env={**os.environ, "TMPDIR": str(scratch)},
                               start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while not list(parts.glob("*.json")) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the batch ended before it could be interrupted"
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) != 0
        deadline = time.monotonic() + 20
        while (_session_members(process.pid) or _processes_inside(scratch)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _session_members(process.pid) == [], "a worker outlived the terminated grader"
        assert _processes_inside(scratch) == [], "a kernel outlived the terminated grader"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_stored_results_are_reused_only_for_the_same_sheet_version_and_submission(batch, tmp_path):
    """The batch's stored result of a submission is found again for exactly that submission
    and sheet; another sheet, another version of it, an edited submission, a corrupt file or
    a result that does not fit the sheet (forged points, unknown fields) is not reused."""
    work, out, results = batch
    parts = out.with_name(out.name + ".parts")
    exercises = sheets.validate(nbformat.read(SHEET, as_version=4))
    version = cli._sha256(SHEET)
    digest = cli._submission_digest(FIXTURES / "sheet01" / "full_marks.ipynb", None)
    part = parts / "full_marks.json"
    assert cli._stored_result(part, "full_marks", SHEET.stem, version, digest, exercises) is not None
    assert cli._stored_result(part, "full_marks", "02_refractoriness", version, digest, exercises) is None
    assert cli._stored_result(part, "full_marks", SHEET.stem, "0" * 64, digest, exercises) is None
    edited = tmp_path / "edited.ipynb"
    edited.write_bytes((FIXTURES / "sheet01" / "full_marks.ipynb").read_bytes() + b"\n")
    assert cli._stored_result(part, "full_marks", SHEET.stem, version,
                              cli._submission_digest(edited, None), exercises) is None
    data = json.loads(part.read_text())
    for name, text in {"corrupt": "{", "not utf-8": b"\xff\xfe",
                       "forged points": json.dumps({**data, "exercises": [
                           {**e, "points": e["max_points"] + 5} for e in data["exercises"]]}),
                       "extra field": json.dumps({**data, "admin": True}),
                       "points as text": json.dumps({**data, "exercises": [
                           {**e, "points": str(e["points"])} for e in data["exercises"]]}),
                       "notes not a list": json.dumps({**data, "notes": 5}),
                       "missing exercise": json.dumps({**data, "exercises": data["exercises"][1:]})}.items():
        fake = tmp_path / "fake.json"
        fake.write_bytes(text if isinstance(text, bytes) else text.encode())
        assert cli._stored_result(fake, "full_marks", SHEET.stem, version, digest, exercises) is None, name


def test_a_new_batch_regrades_edited_and_damaged_results_and_keeps_the_rest(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("full_marks", "untouched", "partial"):
        (subs / f"{name}.ipynb").write_bytes((FIXTURES / "sheet01" / f"{name}.ipynb").read_bytes())
    # two names that would share one result file (on a case-insensitive disk, or crafted)
    for name in ("Zed", "zed"):
        (subs / f"{name}.ipynb").write_bytes((FIXTURES / "sheet01" / "full_marks.ipynb").read_bytes())
    out = tmp_path / "grades.csv"
    parts = out.with_name(out.name + ".parts")
    batch_one = {r.student: r for r in cli.run_batch(subs, SHEET, out, jobs=2, limits=LIMITS,
                                                     progress=False)}
    for name in ("Zed", "zed"):
        assert batch_one[name].total == 0 and "clashes" in batch_one[name].notes[0]
    for name in ("Zed", "zed"):
        (subs / f"{name}.ipynb").unlink()
    first = {r.student: r.total for r in batch_one.values() if r.student.islower()}
    assert first["full_marks"] == 17 and first["untouched"] == 0
    kept = (parts / "partial.json").stat().st_mtime_ns
    (parts / "full_marks.json").write_text("{")  # damaged
    (subs / "untouched.ipynb").write_bytes((FIXTURES / "sheet01" / "full_marks.ipynb").read_bytes())
    second = {r.student: r.total for r in cli.run_batch(subs, SHEET, out, jobs=2, limits=LIMITS,
                                                        progress=False)}
    assert second == {"full_marks": 17, "untouched": 17, "partial": first["partial"]}
    assert (parts / "partial.json").stat().st_mtime_ns == kept  # unchanged: not graded again
    assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == 3 * 11


def test_read_submission_never_raises(tmp_path):
    cases = {"empty.ipynb": b"", "binary.ipynb": bytes(range(256)), "list.ipynb": b"[1, 2]",
             "cells_not_list.ipynb": b'{"cells": 5}',
             "huge_number.ipynb": b'{"cells": [], "n": ' + b"9" * 5000 + b"}",
             "deep_nesting.ipynb": b'{"cells": [], "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
             "many_objects.ipynb": b'{"cells": [' + b"{}," * 2_500_000 + b'{}]}'}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        cells, note = grader.read_submission(str(tmp_path / name))
        assert cells is None and note, name
    (tmp_path / "odd.ipynb").write_text(json.dumps({"cells": [5, {"source": ["a", "b"]}, {}]}))
    cells, note = grader.read_submission(str(tmp_path / "odd.ipynb"))
    assert note is None and [c.source for c in cells] == ["ab", ""]
    # metadata nested deeper than Python's recursion limit is not walked: only nbgrader's is kept
    deep = "[" * 900 + "]" * 900  # json parses it; walking it recursively would not
    (tmp_path / "deep_meta.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "source": "x = 1", "metadata": {"nbgrader": '
        '{"grade_id": "a", "points": 1}, "deep": ' + deep + '}}]}')
    cells, note = grader.read_submission(str(tmp_path / "deep_meta.ipynb"))
    assert note is None and cells[0].metadata == {"nbgrader": {"grade_id": "a", "points": 1}}


def _graded_sources(cells):
    return [(sheets.grade_id(c), c.source) for c in cells if c.cell_type == "code"]


def test_read_submission_keeps_the_code_of_big_bom_and_old_notebooks(tmp_path):
    """What a student's editor may produce: a byte-order mark, nbformat 3, 30 MB of figures.
    The reference is nbformat's own reading of the same notebook."""
    import base64

    solved = nbformat.read(SHEET, as_version=4)
    reference = _graded_sources(solved.cells)
    (tmp_path / "bom.ipynb").write_text("\ufeff" + nbformat.writes(solved), encoding="utf-8")
    (tmp_path / "v3.ipynb").write_text(nbformat.writes(nbformat.convert(solved, 3)), encoding="utf-8")
    big = nbformat.read(SHEET, as_version=4)
    figure = base64.b64encode(os.urandom(22 * 1024 ** 2)).decode()
    code = next(c for c in big.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": figure})]
    (tmp_path / "big.ipynb").write_text(nbformat.writes(big), encoding="utf-8")
    assert (tmp_path / "big.ipynb").stat().st_size > 25 * 1024 ** 2
    for name in ("bom", "v3", "big"):
        cells, note = grader.read_submission(str(tmp_path / f"{name}.ipynb"))
        assert note is None, (name, note)
        assert _graded_sources(cells) == reference, name
    # code beyond any sheet's size is refused, by its size
    huge = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1\n" * 10 ** 6)])
    (tmp_path / "huge.ipynb").write_text(nbformat.writes(huge), encoding="utf-8")
    cells, note = grader.read_submission(str(tmp_path / "huge.ipynb"))
    assert cells is None and "MB of code" in note


def test_links_pipes_and_two_submissions_of_one_student_are_refused_not_followed(tmp_path):
    import threading

    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "alice.ipynb").write_text(SHEET.read_text())
    (folder / "bob.ipynb").write_text(SHEET.read_text())
    (folder / "bob.IPYNB").write_text(SHEET.read_text())
    (folder / "carol.ipynb").symlink_to(SHEET)  # the instructor's sheet: full marks if followed
    (folder / "dave").mkdir()
    (folder / "dave" / SHEET.name).symlink_to(SHEET)
    (folder / "erin").mkdir()
    os.mkfifo(folder / "erin" / SHEET.name)  # opening it would block the grader forever
    os.mkfifo(folder / "frank.ipynb")
    found = {}
    worker = threading.Thread(target=lambda: found.update(
        {s: (p, n) for s, p, n in cli.find_submissions(folder, SHEET)}))
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "find_submissions blocked"
    assert found["alice"] == (folder / "alice.ipynb", None)
    assert found["bob"][0] is None and "bob.IPYNB" in found["bob"][1] and "bob.ipynb" in found["bob"][1]
    for student in ("carol", "dave"):
        assert found[student][0] is None and "symbolic link" in found[student][1], student
    for student in ("erin", "frank"):
        assert found[student][0] is None and "not a regular file" in found[student][1], student
    # read_submission refuses them too, should anything hand it one
    assert "symbolic link" in grader.read_submission(str(folder / "carol.ipynb"))[1]
    result = []
    reader = threading.Thread(target=lambda: result.append(
        grader.read_submission(str(folder / "frank.ipynb"))))
    reader.start()
    reader.join(timeout=20)
    assert not reader.is_alive() and "not a regular file" in result[0][1]


def test_assemble_uses_instructor_tests_and_student_answers():
    master = nbformat.read(SHEET, as_version=4)
    student = nbformat.read(ROOT / "exercises" / SHEET.name, as_version=4)
    test = next(c for c in student.cells if sheets.grade_id(c) == "rheobase_formula_test")
    test.source = "pass  # the student 'fixed' the test"
    cells, roles, notes = grader.assemble(master, student.cells, "TOKEN")
    by_role = dict(zip(roles, cells))
    assert "BEGIN HIDDEN TESTS" in by_role[("test", "rheobase_formula_test")].source
    assert by_role[("test", "rheobase_formula_test")].source.endswith("print('TOKEN')")
    assert "not done yet" in by_role[("solution", "rheobase_formula")].source
    assert not notes


def test_limits_reach_the_kernel(tmp_path):
    """The launcher applies the limits before the kernel starts (checked inside the kernel)."""
    master = nbformat.read(SHEET, as_version=4)
    probe = ("import resource\nprint('LIMITS', resource.getrlimit(resource.RLIMIT_AS)[0], "
             "resource.getrlimit(resource.RLIMIT_CPU)[0], resource.getrlimit(resource.RLIMIT_FSIZE)[0])\n"
             "import os\nprint('ENV', sorted(k for k in os.environ if 'TOKEN' in k or 'SECRET' in k))")
    spec = runner.kernel_spec_dir(str(tmp_path))
    limits = runner.Limits(memory=3 * 1024 ** 3, cpu=77, filesize=5 * 1024 ** 2, cell_timeout=60)
    os.environ["SFA_TEST_SECRET_TOKEN"] = "x"
    try:
        env = grader.kernel_env(str(tmp_path), None, None)
        runs, notes = runner.execute([nbformat.v4.new_code_cell(probe)], str(tmp_path), env, limits, spec)
    finally:
        del os.environ["SFA_TEST_SECRET_TOKEN"]
    assert not notes and runs[0].status == "ok", runs[0]
    assert f"LIMITS {3 * 1024 ** 3} 77 {5 * 1024 ** 2}" in runs[0].stdout
    assert "ENV []" in runs[0].stdout
    assert master.cells  # the sheet is readable



TAMPER = r'''
import glob, json, os
import sfa_helpers.engine as e
changed = []
for main in glob.glob(os.path.join(os.getcwd(), "..", "template-cache", "brian2", "*", "main")):
    os.rename(main, main + ".real")
    with open(main, "w") as f:
        f.write('#!/bin/sh\nexec "$0.real"\n')  # drops the parameters the run passes
    os.chmod(main, 0o755)
    project = os.path.dirname(main)
    with open(os.path.join(project, e.COMPLETE_MARKER), "w") as f:  # and a matching manifest
        json.dump({"key": os.path.basename(project), "files": e.project_manifest(project)}, f)
    changed.append(os.path.basename(project))
with open(REPORT, "w") as f:
    json.dump(changed, f)
'''


def test_without_the_sandbox_a_changed_template_program_reaches_no_other_submission(tmp_path):
    """Issue 18's cache attack, graded without the sandbox (as where it is unavailable): the
    first submission replaces the batch's compiled programs by wrappers that drop the run's
    parameters, with forged manifests. The grader compares every submission's copy with the
    manifests it took itself, so the next submissions run no wrapper and keep full marks."""
    subs = tmp_path / "subs"
    subs.mkdir()
    report = tmp_path / "tampered.json"
    nb = nbformat.read(FIXTURES / "sheet01" / "full_marks.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(TAMPER.replace("REPORT", repr(str(report)))))
    nbformat.write(nb, subs / "a_tamper.ipynb")
    for name in ("b_honest", "c_honest"):
        (subs / f"{name}.ipynb").write_bytes((FIXTURES / "sheet01" / "full_marks.ipynb").read_bytes())
    results = {r.student: r for r in cli.run_batch(subs, SHEET, tmp_path / "grades.csv", jobs=1,
                                                   limits=LIMITS, progress=False, sandbox="off")}
    assert json.loads(report.read_text()), "the attack found no program to replace"
    assert results["b_honest"].total == results["b_honest"].max_automatic == 17
    assert results["c_honest"].total == 17


def test_a_private_copy_holds_only_the_programs_the_grader_verified(tmp_path):
    """copy_programs: from an intact template, each program is copied file for file with its
    marker; a program changed in the template (even with read-only folders and a manifest
    forged to match), a linked folder or file, and lock files are not copied, and nothing
    outside the template is touched."""
    import shutil
    import stat

    from brian2 import Mohm, mV, ms, nA

    from sfa_helpers import engine, simulate, stimuli
    from sfa_helpers.models import LIF

    cache = tmp_path / "template"
    engine.clear_memory_cache()
    os.environ["SFA_HELPERS_CACHE"] = str(cache)
    try:
        model = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)
        simulate(model, stimuli.constant(2.1 * nA), 29 * ms, record=())
        simulate(model, stimuli.constant(2.1 * nA), 31 * ms, record=())
    finally:
        del os.environ["SFA_HELPERS_CACHE"]
        engine.clear_memory_cache()
    keys = sorted(p.name for p in (cache / "brian2").iterdir() if p.is_dir())
    programs = {k: engine.recorded_manifest(str(cache / "brian2" / k)) for k in keys}
    assert len(keys) == 2 and all(programs.values())

    intact = tmp_path / "intact"
    assert grader.copy_programs(str(cache), str(intact), programs) == []
    for key in keys:
        assert engine.verify_project(str(intact / "brian2" / key))
        assert engine.project_manifest(str(intact / "brian2" / key)) == programs[key]
    assert not list((intact / "brian2").glob("*.lock"))
    assert os.stat(intact / "brian2" / keys[0] / "main").st_mode & 0o777 == 0o755

    # the attack: one program replaced, its manifest forged, its folders made read-only
    forged = tmp_path / "forged"
    shutil.copytree(cache, forged, symlinks=True)
    project = forged / "brian2" / keys[0]
    (project / "main").write_bytes((project / "main").read_bytes() + b"\0")
    (project / engine.COMPLETE_MARKER).write_text(
        json.dumps({"key": keys[0], "files": engine.project_manifest(str(project))}))
    assert engine.verify_project(str(project))  # the forged manifest fools the project's own check
    for folder in [project, *[p for p in project.rglob("*") if p.is_dir()]]:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    (forged / "brian2" / (keys[1] + ".lock")).write_text("")
    (forged / "brian2" / (keys[1] + ".lock")).chmod(0)
    out = tmp_path / "out-forged"
    assert grader.copy_programs(str(forged), str(out), programs) == [keys[0]]
    assert [p.name for p in (out / "brian2").iterdir()] == [keys[1]]
    assert engine.verify_project(str(out / "brian2" / keys[1]))

    # links: the whole brian2 folder, one project folder, one file of a project
    outside = tmp_path / "outside"
    shutil.copytree(cache, outside)
    for case in ("brian2", "project", "file"):
        linked = tmp_path / f"linked-{case}"
        if case == "brian2":
            linked.mkdir()
            (linked / "brian2").symlink_to(outside / "brian2", target_is_directory=True)
            expected = keys
        else:
            shutil.copytree(cache, linked, symlinks=True)
            target = linked / "brian2" / keys[1]
            if case == "project":
                shutil.rmtree(target)
                target.symlink_to(outside / "brian2" / keys[1], target_is_directory=True)
            else:
                (target / "main.cpp").unlink()
                (target / "main.cpp").symlink_to(outside / "brian2" / keys[1] / "main.cpp")
            expected = [keys[1]]
        result = tmp_path / f"out-{case}"
        assert grader.copy_programs(str(linked), str(result), programs) == expected, case
    assert all(engine.verify_project(str(outside / "brian2" / k)) for k in keys)  # untouched
