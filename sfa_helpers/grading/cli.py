"""``sfa-grade``: grade a folder of submissions of one exercise sheet.

Usage::

    sfa-grade SUBMISSIONS_DIR --sheet 01 --out grades.csv [--feedback feedback/] [--jobs N]
              [--roster roster.csv] [--overrides overrides.csv] [--gradebook canvas|moodle]
              [--deadline 2025-05-12T23:59+02:00 --late-penalty 10 --late-max-days 5
               --timestamps submissions.csv]

Submissions: every file directly in ``SUBMISSIONS_DIR`` (the student is the file name without
extension), and every sub-folder (the student is the folder name; its notebook is the file
named like the sheet, else its only ``.ipynb``). ``--sheet`` is a sheet number (``01``), a name
or a path to an instructor notebook in ``solutions/``.

Outputs, all written atomically (temporary file, then rename):

* ``--out`` CSV: one row per student and exercise: ``student, sheet, exercise, points,
  max_points, feedback`` (raw points, with the instructor's overrides);
* ``<out stem>-totals.csv``: one row per student: ``student, sheet, sheet_version, total,
  max_total, submitted_at, days_late, late_penalty, final, flags``;
* ``--feedback`` folder: one ``<student>.txt`` and one ``<student>.html`` per student;
* ``<out stem>-canvas.csv`` / ``<out stem>-moodle.csv`` with ``--gradebook``;
* ``<out>.parts/``: one JSON result per finished student. A re-run skips students whose result
  there is for the same sheet version and the same submission file (``--regrade`` forces them),
  so an interrupted batch resumes where it stopped, and the CSV is always rebuilt from all
  results.

The term options (:mod:`~sfa_helpers.grading.gradebook`): ``--roster`` (students without a
submission get zero, submissions of students not on it are flagged), ``--overrides``
(instructor's points per exercise, applied to every output at every run, never stored in
``<out>.parts/``), ``--deadline`` with ``--late-penalty`` and ``--late-max-days`` (applied to
the totals and the gradebook, not to the per-exercise rows) and ``--timestamps`` (submission
times from the LMS instead of the files' modification times). Every option and file is checked
before grading starts.

Before grading, the instructor sheet itself is graded once (it must score full marks); its
compiled simulations become the batch's read-only template, copied into every submission's
private working directory.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import io
import os
import pathlib
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed

import nbformat

from . import forkserver, gradebook, grader, runner, sheets, written

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIELDS = ["student", "sheet", "exercise", "points", "max_points", "feedback"]
#: What sfa-grade writes next to ``--out`` (``<out stem><suffix>``).
OUTPUT_SUFFIXES = ("-totals.csv", "-written.html", "-written-todo.csv", "-canvas.csv", "-moodle.csv")


def find_sheet(spec: str, solutions: pathlib.Path) -> pathlib.Path:
    path = pathlib.Path(spec)
    if path.suffix == ".ipynb" and path.exists():
        return path
    matches = sorted(p for p in solutions.glob("*.ipynb") if p.stem.startswith(spec) or p.stem == spec)
    if len(matches) != 1:
        raise SystemExit(f"sfa-grade: --sheet {spec!r} matches {len(matches)} sheets in {solutions}")
    return matches[0]


def _kind(path: pathlib.Path) -> str:
    """'file', 'dir', 'link' (a symbolic link: never followed) or 'other' (FIFO, socket,
    device: never opened, a FIFO would block the grader), without following links."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "other"
    if stat.S_ISLNK(mode):
        return "link"
    return "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"


_NOT_A_FILE = {"link": "the submission is a symbolic link, not a file: not graded (flagged for review)",
               "other": "the submission is not a regular file (a pipe or device): not graded"}


def find_submissions(folder: pathlib.Path, sheet: pathlib.Path) -> list:
    """[(student, path or None, note)] sorted by student.

    A submission is a file ``<student>.*`` or a folder ``<student>/`` holding the sheet (by its
    name, or the folder's only notebook). Symbolic links (a link to the instructor's sheet
    would score full marks) and anything that is not a regular file (a FIFO would block the
    grader forever) get zero with a note, never opened. A student with more than one
    submission (``bob.ipynb`` and ``bob.IPYNB``, or a file and a folder) gets zero with a note
    naming them; every other student is graded as usual.
    """
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        kind = _kind(entry)
        if kind == "dir":
            try:
                notebooks = sorted(p for p in entry.iterdir() if p.suffix.lower() == ".ipynb")
            except OSError as err:  # e.g. mode 000, as restored from a student's archive
                found.append((entry.name, None, f"cannot read the submission folder ({err.strerror})"))
                continue
            exact = [p for p in notebooks if p.name == sheet.name]
            chosen = exact[0] if exact else notebooks[0] if len(notebooks) == 1 else None
            if chosen is not None:
                chosen_kind = _kind(chosen)
                found.append((entry.name, chosen, None) if chosen_kind == "file"
                             else (entry.name, None, _NOT_A_FILE.get(
                                 chosen_kind, f"{chosen.name} is a folder, not a notebook")))
            elif not notebooks:
                found.append((entry.name, None, "no notebook found in the submission folder"))
            else:
                found.append((entry.name, None, f"{len(notebooks)} notebooks and none named {sheet.name}"))
        elif kind == "file":
            found.append((entry.stem, entry, None))
        else:
            found.append((entry.stem, None, _NOT_A_FILE[kind]))
    by_student = {}
    for student, path, note in found:
        by_student.setdefault(student, []).append((path, note))
    out = []
    names = {student: sorted(e.name for e in folder.iterdir() if not e.name.startswith(".")
                             and (e.name == student or pathlib.Path(e.name).stem == student))
             for student, entries in by_student.items() if len(entries) > 1}
    for student in sorted(by_student):
        entries = by_student[student]
        if len(entries) == 1:
            out.append((student, *entries[0]))
        else:
            out.append((student, None, f"more than one submission ({', '.join(names[student])}): "
                                       "none graded; flagged for review"))
    return out


def safe_name(student: str) -> str:
    """A file name for a student id (stable, no path tricks)."""
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", student).strip(".") or "student"
    if clean != student:
        clean += "-" + hashlib.sha1(student.encode()).hexdigest()[:8]
    return clean


def atomic_write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def feedback_text(result: grader.SubmissionResult) -> str:
    """The plain-text feedback of a result (no roster, overrides or late policy)."""
    return gradebook.feedback_text(gradebook.Grade(result))


def csv_text(results) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for r in sorted(results, key=lambda r: r.student):
        for e in r.exercises:
            writer.writerow([r.student, r.sheet, e.exercise, f"{e.points:g}", f"{e.max_points:g}", e.feedback])
    return buffer.getvalue()


def output_path(out: pathlib.Path, suffix: str) -> pathlib.Path:
    """``<out stem><suffix>`` next to ``out`` (``grades.csv`` -> ``grades-totals.csv``)."""
    return out.with_name(out.stem + suffix)


def write_outputs(grades, out: pathlib.Path, feedback_dir: "pathlib.Path | None" = None, *,
                  gradebooks=(), assignment: str = "", master=None) -> None:
    """Write every output of a batch from its grades (:func:`gradebook.build_grades`), each
    atomically: the long CSV, the totals, the feedback (.txt and .html), the gradebook
    exports (``gradebooks``: names in :data:`gradebook.GRADEBOOKS`; column ``assignment``) and,
    when the sheet (``master``) has written answers, ``<out stem>-written.html`` (every answer
    beside the model answer and rubric) and ``<out stem>-written-todo.csv`` (the answers still
    to grade, points blank: fill in and pass with ``--overrides``)."""
    atomic_write(out, csv_text([g.result for g in grades]))
    if master is not None and written.rubrics(master):
        atomic_write(output_path(out, "-written.html"), written.answers_html(grades, master))
        atomic_write(output_path(out, "-written-todo.csv"), written.todo_csv_text(grades))
    atomic_write(output_path(out, "-totals.csv"), gradebook.totals_csv_text(grades))
    if feedback_dir is not None:
        for g in grades:
            atomic_write(feedback_dir / f"{safe_name(g.student)}.txt", gradebook.feedback_text(g))
            atomic_write(feedback_dir / f"{safe_name(g.student)}.html", gradebook.feedback_html(g))
    column = assignment or (grades[0].result.sheet if grades else "")
    for fmt in gradebooks:
        atomic_write(output_path(out, f"-{fmt}.csv"), gradebook.GRADEBOOK_WRITERS[fmt](grades, column))


# ------------------------------------------------------------------------------------------ #
# Worker side (runs in a pool process)
# ------------------------------------------------------------------------------------------ #
_STATE: dict = {}


def _stop_worker(signum, _frame):
    """SIGTERM to a grading worker: kill its kernels' sessions (their compiled programs,
    compilers, a student's subprocesses) and end the process at once. Raising SystemExit
    instead would not end it: the pool's worker loop catches every exception of a task and
    goes on with the next queued submission."""
    runner.kill_active_sessions()
    os._exit(128 + signum)


def _init_worker(sheet_path, limits, workbase, spec_dir, cache, mpl, fork_socket, programs=None):
    # Terminated by the batch (SIGTERM, Ctrl-C): stop at once, kernels and all.
    signal.signal(signal.SIGTERM, _stop_worker)
    signal.signal(signal.SIGINT, _stop_worker)
    _STATE.update(master=nbformat.read(sheet_path, as_version=4), sheet=pathlib.Path(sheet_path).stem,
                  limits=limits, workbase=workbase, spec_dir=spec_dir, cache=cache, mpl=mpl,
                  fork_socket=fork_socket, programs=programs)


def _grade_one(student, path, note, part_path, stamp=("", "")):
    s = _STATE
    exercises = sheets.validate(s["master"])
    try:
        if path is None:
            result = grader.zero_result(student, s["sheet"], exercises, note)
        else:
            result = grader.grade_file(str(path), s["master"], student, s["sheet"], limits=s["limits"],
                                       workbase=s["workbase"], spec_dir=s["spec_dir"],
                                       cache=s["cache"], mpl=s["mpl"], fork_socket=s["fork_socket"],
                                       programs=s["programs"])
    except Exception as err:  # noqa: BLE001 - the batch must survive anything
        result = grader.zero_result(student, s["sheet"], exercises,
                                    f"the grader failed on this submission ({type(err).__name__}: "
                                    f"{str(err)[:200]}); please grade it by hand")
        stamp = ("", "")  # never reused: the next run tries again
    result.sheet_version, result.submission_digest = stamp
    atomic_write(pathlib.Path(part_path), result.to_json())
    return student


def _sha256(path: pathlib.Path) -> str:
    """SHA-256 of a regular file's bytes, read without following a link ('' if unreadable)."""
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return ""
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _submission_digest(path, note) -> str:
    """What identifies a submission's content: its file's SHA-256, or for one that is not
    graded (a link, two files, no notebook) the reason, so a fixed submission is graded."""
    if path is None:
        return "note:" + hashlib.sha256(str(note).encode()).hexdigest()
    return "file:" + _sha256(pathlib.Path(path))


def _stored_result(part: pathlib.Path, student: str, sheet: str, sheet_version: str, digest: str,
                   exercises) -> "grader.SubmissionResult | None":
    """The stored result of ``student`` if it can be reused as it is: readable, for this sheet
    and sheet version, for this very submission, and consistent with the sheet (its exercises,
    points between 0 and their maximum). Anything else (a missing, corrupt or forged file, a
    result of another sheet, an edited resubmission) returns None: grade again."""
    if not sheet_version or digest.endswith(":"):  # nothing to compare with: grade again
        return None
    try:
        result = grader.SubmissionResult.from_json(part.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None

    def number(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    expected = [(e.name, float(e.points)) for e in exercises]
    same = (result.student == student and result.sheet == sheet
            and result.sheet_version == sheet_version and result.submission_digest == digest
            and isinstance(result.notes, list) and all(isinstance(n, str) for n in result.notes)
            and number(result.seconds)
            and all(isinstance(e, grader.ExerciseResult) and number(e.points)
                    and number(e.max_points) and isinstance(e.feedback, str)
                    for e in result.exercises)
            and [(e.exercise, float(e.max_points)) for e in result.exercises] == expected
            and [e.manual for e in result.exercises] == [x.manual for x in exercises]
            and all(isinstance(e.answer, str) and e.hand_graded is False
                    and not (e.manual and e.points) for e in result.exercises)
            and all(0 <= e.points <= e.max_points for e in result.exercises))
    return result if same else None


# ------------------------------------------------------------------------------------------ #
# Batch
# ------------------------------------------------------------------------------------------ #
def _prepare_cache(keys, source_cache: str, target: str) -> dict:
    """Copy the compiled programs the sheet needs (cache ``keys``) from the instructor's cache
    into the batch's template; return their manifests (``{key: manifest}``,
    :func:`sfa_helpers.engine.project_manifest`).

    Only finished programs are copied, under each program's lock (as a build takes it), and
    only the files their recorded manifest lists, each checked against it while copied
    (:func:`.grader.copy_programs`); a program with any difference is left out and a kernel
    builds it itself. The manifests stay in the grader's memory: each submission's private copy
    is made from them, so a template changed since is never run.
    """
    from filelock import FileLock, Timeout

    from sfa_helpers import engine

    programs = {}
    for key in keys:
        src = os.path.join(source_cache, "brian2", key)
        try:
            with FileLock(src + ".lock", timeout=60):
                manifest = engine.recorded_manifest(src)
                if manifest is None:
                    continue
                if not grader.copy_programs(source_cache, target, {key: manifest}):
                    programs[key] = manifest
        except (OSError, Timeout):
            continue
    return programs


def run_batch(submissions: pathlib.Path, sheet_path: pathlib.Path, out: pathlib.Path, *,
              feedback_dir: pathlib.Path | None = None, jobs: int | None = None,
              limits: runner.Limits | None = None, regrade: bool = False, progress: bool = True,
              verify_reference: bool = True, max_students: int | None = None,
              fork_server: bool = True, write: bool = True, sandbox: str = "auto") -> list:
    """Grade every submission; return the list of :class:`SubmissionResult`.

    ``fork_server``: take kernels from a pre-warmed :mod:`~sfa_helpers.grading.forkserver`
    (falls back to new kernel processes if it cannot start). ``sandbox``: ``'on'`` runs every
    submission's kernel in :mod:`~sfa_helpers.grading.sandbox` (or stops if it cannot),
    ``'off'`` never, ``'auto'`` where it can (and says on stderr when it cannot). ``write``: write the outputs
    (:func:`write_outputs`, no roster, overrides or late policy); ``sfa-grade`` passes False
    and writes them itself with the term options.
    """
    from sfa_helpers.engine import cache_dir

    limits = dataclasses.replace(limits or runner.Limits(), sandbox=use_sandbox(sandbox))
    master = nbformat.read(sheet_path, as_version=4)
    exercises = sheets.validate(master)
    found = find_submissions(submissions, sheet_path)
    parts = out.with_name(out.name + ".parts")
    parts.mkdir(parents=True, exist_ok=True)
    # A stored result is reused only for the same sheet, sheet version and submission content.
    sheet_version = hashlib.sha256(pathlib.Path(sheet_path).read_bytes()).hexdigest()  # trusted
    stamps = {s: (sheet_version, _submission_digest(p, n)) for s, p, n in found}

    def stored(student):
        return _stored_result(parts / f"{safe_name(student)}.json", student, sheet_path.stem,
                              *stamps[student], exercises)

    # Two students whose result files would be one (a crafted name, or case on macOS) are not
    # graded: each would overwrite the other's result.
    by_file = {}
    for s, _, _ in found:
        by_file.setdefault(safe_name(s).casefold(), []).append(s)
    clash = {s: names for names in by_file.values() if len(names) > 1 for s in names}
    found = [(s, None, f"the name clashes with another submission's ({', '.join(sorted(clash[s]))}); "
                       "rename one and grade again") if s in clash else (s, p, n) for s, p, n in found]
    stamps.update({s: ("", "") for s in clash})
    todo = [(s, p, n) for s, p, n in found if s not in clash and (regrade or stored(s) is None)]
    if max_students is not None:
        todo = todo[:max_students]
    failures = {}  # student -> why a worker could not grade them
    with tempfile.TemporaryDirectory(prefix="sfa-grade-") as batch:
        spec_dir = runner.kernel_spec_dir(batch)
        template = os.path.join(batch, "template-cache")
        mpl = os.path.join(batch, "matplotlib")
        os.makedirs(mpl)
        if todo:
            server = _start_fork_server(sheet_path, batch, mpl) if fork_server else None
            socket_path = server.socket_path if server else None
            try:
                # the instructor's own sheet is trusted: no sandbox, and it may fill the cache
                ref, keys = grader.reference_run(master, sheet_path.stem,
                                                 limits=dataclasses.replace(limits, sandbox=False),
                                                 workbase=batch,
                                                 spec_dir=spec_dir, cache=cache_dir(), mpl=mpl,
                                                 fork_socket=socket_path)
                if verify_reference and ref.total != ref.max_automatic:
                    details = "; ".join(f"{e.exercise}: {e.feedback}" for e in ref.exercises
                                        if e.points != e.max_points and not e.manual)
                    raise SystemExit(f"sfa-grade: the instructor sheet {sheet_path.name} scores "
                                     f"{ref.total:g}/{ref.max_automatic:g} itself ({details}); not grading.")
                programs = _prepare_cache(sorted(set(keys) | set(server.keys if server else ())),
                                          cache_dir(), template)
                workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
                bar = _progress(len(todo), progress)
                # 'spawn': the reference run left ZMQ and asyncio threads in this process, which a
                # forked worker would inherit in an unusable state.
                context = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                         initargs=(str(sheet_path), limits, batch, spec_dir, template, mpl,
                                                   socket_path, programs)) as pool:
                    try:
                        futures = {pool.submit(_grade_one, s, p, n, str(parts / f"{safe_name(s)}.json"),
                                               stamps[s]): s
                                   for s, p, n in todo}
                        for future in as_completed(futures):
                            try:
                                future.result()
                            except Exception as err:  # noqa: BLE001 - a worker died (memory, disk)
                                failures[futures[future]] = f"{type(err).__name__}: {str(err)[:200]}"
                            bar.update(1)
                    except BaseException:  # SIGTERM, Ctrl-C: stop the workers, not wait for them
                        workers_now = list(getattr(pool, "_processes", {}).values())
                        pool.shutdown(wait=False, cancel_futures=True)
                        for worker in workers_now:
                            worker.terminate()  # it kills its kernels' sessions and exits
                        for worker in workers_now:
                            worker.join(timeout=5)
                            if worker.is_alive():
                                worker.kill()
                        raise
                bar.close()
            finally:
                if server:
                    server.close()
    results = []
    graded = {s for s, _, _ in todo}
    for student, _, note in found:
        result = stored(student)
        if student in clash:
            result = grader.zero_result(student, sheet_path.stem, exercises, note)
        elif result is None and student in failures:  # not stored: the next run tries again
            result = grader.zero_result(student, sheet_path.stem, exercises,
                                        f"the grader failed on this submission ({failures[student]}); "
                                        "run the batch again, or grade it by hand")
        elif result is None and student in graded:  # its result file went missing or was altered
            result = grader.zero_result(student, sheet_path.stem, exercises,
                                        "the stored result of this submission was missing or "
                                        "altered after grading; grade again with --regrade")
        if result is not None:
            results.append(result)
    if write:
        write_outputs([gradebook.Grade(r, sheet_version=sheet_version) for r in
                       sorted(results, key=lambda r: r.student)], out, feedback_dir, master=master)
    return results


def use_sandbox(mode: str) -> bool:
    """Whether kernels run in the sandbox for ``--sandbox mode`` (see :func:`run_batch`)."""
    from . import sandbox

    if mode not in ("auto", "on", "off"):
        raise ValueError(f"sandbox must be 'auto', 'on' or 'off', not {mode!r}")
    if mode == "off":
        return False
    ok, why = sandbox.available()
    if ok:
        sandbox.cleanup_stale()  # what killed batches left (mount points, control groups)
    if not ok and mode == "on":
        raise SystemExit(f"sfa-grade: --sandbox on, but {why}")
    if not ok:
        print(f"sfa-grade: grading WITHOUT a sandbox ({why}): a submission can read this "
              "user's files (solutions/ included), use the network and outlive the batch; "
              "see the threat model in docs/grading.md", file=sys.stderr)
    return ok


def _start_fork_server(sheet_path: pathlib.Path, batch: str, mpl: str):
    """The batch's fork server, warmed up on the instructor sheet; None if it cannot start."""
    from sfa_helpers.engine import cache_dir

    env = grader.kernel_env(os.path.join(batch, "forkserver"), cache_dir(), mpl, shared=True)
    try:
        return forkserver.start(str(sheet_path), batch, env)
    except (forkserver.ForkServerError, OSError) as err:
        print(f"sfa-grade: {err}; every kernel will be a new process (slower)", file=sys.stderr)
        return None


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="notebook", desc="grading", disable=not enabled, file=sys.stderr)


def _bytes(text: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)B?", text.strip(), re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 4G, 512M)")
    return int(float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " "))


def _exit_on_sigterm() -> None:
    """SIGTERM (``kill <pid>``, a scheduler's time limit) ends the batch like Ctrl-C: the
    workers are stopped and the fork server closed on the way out, so no worker or kernel
    keeps grading as an orphan. Finished students' results stay (the batch resumes)."""
    def stop(signum, _frame):
        signal.signal(signum, signal.SIG_DFL)  # a second SIGTERM ends the process at once
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (run_batch used as a library): leave it
        pass


def _term_options(args, sheet: pathlib.Path) -> dict:
    """Read and check every term option (roster, overrides, late policy, timestamps, gradebook)
    before grading: ``build_grades``'s keyword arguments. Raises :class:`gradebook.TermFileError`."""
    master = nbformat.read(sheet, as_version=4)
    exercises = sheets.validate(master)
    inside = args.submissions.resolve()
    for option, path in (("--roster", args.roster), ("--overrides", args.overrides),
                         ("--timestamps", args.timestamps)):
        if path is not None and inside in path.resolve().parents:
            raise gradebook.TermFileError(f"{option} {path} is inside {args.submissions}, where every "
                                          "file is a submission: keep it elsewhere")
    outputs = {output_path(args.out, suffix).resolve() for suffix in OUTPUT_SUFFIXES} | {args.out.resolve()}
    for option, path in (("--roster", args.roster), ("--overrides", args.overrides),
                         ("--timestamps", args.timestamps)):
        if path is not None and path.resolve() in outputs:
            raise gradebook.TermFileError(
                f"{option} {path} is a file sfa-grade writes (it would be overwritten with what is "
                f"left to do): copy it to a file of your own, e.g. overrides.csv, fill that in and "
                f"pass it")
    if args.deadline is None:
        given = [o for o, v in (("--late-penalty", args.late_penalty), ("--late-max-days", args.late_max_days),
                                ("--timestamps", args.timestamps)) if v is not None]
        if given:
            raise gradebook.TermFileError(f"{', '.join(given)} needs --deadline")
    if args.gradebook and args.roster is None:
        raise gradebook.TermFileError("--gradebook needs --roster (the LMS ids come from it)")
    roster = gradebook.read_roster(args.roster) if args.roster else None
    found = find_submissions(args.submissions, sheet)
    policy, submitted = None, {}
    if args.deadline is not None:
        policy = gradebook.LatePolicy(gradebook.parse_time(args.deadline, "--deadline"),
                                      args.late_penalty or 0.0, args.late_max_days)
        timestamps = gradebook.read_timestamps(args.timestamps) if args.timestamps else None
        submitted = gradebook.submission_times(found, timestamps, str(args.timestamps))
        if timestamps is not None:
            unused = sorted(set(timestamps) - {s for s, _, _ in found})
            if unused:
                print(f"sfa-grade: {args.timestamps} lists {len(unused)} student(s) without a submission "
                      f"in {args.submissions}: {', '.join(unused)}", file=sys.stderr)
    overrides = gradebook.read_overrides(args.overrides) if args.overrides else []
    gradebook.check_overrides(overrides, set(roster or ()) | {s for s, _, _ in found}, exercises)
    return dict(sheet=sheet.stem, exercises=exercises, sheet_version=_sha256(sheet), roster=roster,
                overrides=overrides, submitted=submitted, policy=policy)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="sfa-grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", type=pathlib.Path, help="folder of submissions")
    parser.add_argument("--sheet", required=True, help="sheet number (01), name or instructor notebook")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("grades.csv"))
    parser.add_argument("--feedback", type=pathlib.Path, default=None,
                        help="folder for one feedback file per student (default: <out stem>-feedback)")
    parser.add_argument("--solutions", type=pathlib.Path, default=ROOT / "solutions")
    parser.add_argument("--jobs", type=int, default=None, help="parallel kernels (default: CPU cores)")
    parser.add_argument("--cell-timeout", type=float, default=120.0, help="seconds per cell")
    parser.add_argument("--notebook-timeout", type=float, default=300.0, help="seconds per notebook")
    parser.add_argument("--memory", type=_bytes, default=_bytes("4G"), help="address space per kernel")
    parser.add_argument("--cpu", type=int, default=300, help="CPU seconds per kernel process")
    parser.add_argument("--regrade", action="store_true", help="grade again students already graded")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--sandbox", choices=("auto", "on", "off"), default="auto",
                        help="run each kernel in a sandbox (no network, no view of other files; "
                             "needs root): auto = where possible (default)")
    parser.add_argument("--no-fork-server", action="store_true",
                        help="start every kernel as a new process instead of forking pre-warmed ones")
    term = parser.add_argument_group("term", "roster, late policy, overrides, gradebook (docs/grading.md)")
    term.add_argument("--roster", type=pathlib.Path, default=None, metavar="FILE",
                      help="CSV: student (required), name, email, lms_id")
    term.add_argument("--overrides", type=pathlib.Path, default=None, metavar="FILE",
                      help="CSV: student, exercise, points, comment (applied to every output)")
    term.add_argument("--gradebook", action="append", choices=gradebook.GRADEBOOKS, default=[],
                      help="also write <out stem>-canvas.csv or -moodle.csv (needs --roster; repeatable)")
    term.add_argument("--assignment", default="", metavar="NAME",
                      help="the gradebook's column header (default: the sheet's name)")
    term.add_argument("--deadline", default=None, metavar="ISO8601",
                      help="ISO 8601 with offset: 2025-05-12T23:59+02:00")
    term.add_argument("--late-penalty", type=float, default=None, metavar="PERCENT_PER_DAY",
                      help="percent of the points off per started day late (default 0)")
    term.add_argument("--late-max-days", type=int, default=None, metavar="N",
                      help="a submission more than N days late scores zero")
    term.add_argument("--timestamps", type=pathlib.Path, default=None, metavar="FILE",
                      help="CSV: student, submitted_at (ISO 8601 with offset) instead of file times")
    args = parser.parse_args(argv)
    _exit_on_sigterm()
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    sheet = find_sheet(args.sheet, args.solutions)
    try:
        options = _term_options(args, sheet)
    except gradebook.TermFileError as err:
        raise SystemExit(f"sfa-grade: {err}") from None
    limits = runner.Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                           memory=args.memory, cpu=args.cpu)
    feedback = args.feedback or args.out.with_name(args.out.stem + "-feedback")
    start = time.perf_counter()
    results = run_batch(args.submissions, sheet, args.out, feedback_dir=feedback, jobs=args.jobs,
                        limits=limits, regrade=args.regrade, progress=not args.no_progress,
                        fork_server=not args.no_fork_server, write=False, sandbox=args.sandbox)
    grades = gradebook.build_grades(results, **options)
    write_outputs(grades, args.out, feedback, gradebooks=dict.fromkeys(args.gradebook),
                  assignment=args.assignment, master=nbformat.read(sheet, as_version=4))
    for line in gradebook.roster_report(grades):
        print(f"sfa-grade: {line}", file=sys.stderr)
    for fmt in dict.fromkeys(args.gradebook):
        for line in gradebook.gradebook_warnings(grades, fmt):
            print(f"sfa-grade: {line}", file=sys.stderr)
    full = sum(r.total == r.max_automatic for r in results)
    hand = sum(any(e.awaits_grading for e in g.result.exercises) for g in grades)
    todo = (f"; {hand} with written answers to grade by hand: read "
            f"{output_path(args.out, '-written.html')}, copy the rows of "
            f"{output_path(args.out, '-written-todo.csv')} into your overrides file, fill in the "
            "points and pass it with --overrides") if hand else ""
    print(f"{len(results)} students graded ({full} with all automatic points) in "
          f"{time.perf_counter() - start:.0f} s -> {args.out}, totals in "
          f"{output_path(args.out, '-totals.csv')}, feedback in {feedback}/{todo}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
