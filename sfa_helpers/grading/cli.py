"""``sfa-grade``: grade a folder of submissions of one exercise sheet.

Usage::

    sfa-grade SUBMISSIONS_DIR --sheet 01 --out grades.csv [--feedback feedback/] [--jobs N]

Submissions: every file directly in ``SUBMISSIONS_DIR`` (the student is the file name without
extension), and every sub-folder (the student is the folder name; its notebook is the file
named like the sheet, else its only ``.ipynb``). ``--sheet`` is a sheet number (``01``), a name
or a path to an instructor notebook in ``solutions/``.

Outputs, all written atomically (temporary file, then rename):

* ``--out`` CSV: one row per student and exercise: ``student, sheet, exercise, points,
  max_points, feedback``;
* ``--feedback`` folder: one ``<student>.txt`` per student;
* ``<out>.parts/``: one JSON result per finished student. A re-run skips students whose result
  exists there (``--regrade`` forces them), so an interrupted batch resumes where it stopped,
  and the CSV is always rebuilt from all results.

Before grading, the instructor sheet itself is graded once (it must score full marks); its
compiled simulations become the batch's read-only template, copied into every submission's
private working directory.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import pathlib
import re
import shutil
import sys
import tempfile
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed

import nbformat

from . import forkserver, grader, runner, sheets

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIELDS = ["student", "sheet", "exercise", "points", "max_points", "feedback"]


def find_sheet(spec: str, solutions: pathlib.Path) -> pathlib.Path:
    path = pathlib.Path(spec)
    if path.suffix == ".ipynb" and path.exists():
        return path
    matches = sorted(p for p in solutions.glob("*.ipynb") if p.stem.startswith(spec) or p.stem == spec)
    if len(matches) != 1:
        raise SystemExit(f"sfa-grade: --sheet {spec!r} matches {len(matches)} sheets in {solutions}")
    return matches[0]


def find_submissions(folder: pathlib.Path, sheet: pathlib.Path) -> list:
    """[(student, path or None, note)] sorted by student."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            exact = entry / sheet.name
            notebooks = sorted(entry.glob("*.ipynb"))
            if exact.is_file():
                found.append((entry.name, exact, None))
            elif len(notebooks) == 1:
                found.append((entry.name, notebooks[0], None))
            elif not notebooks:
                found.append((entry.name, None, "no notebook found in the submission folder"))
            else:
                found.append((entry.name, None, f"{len(notebooks)} notebooks and none named {sheet.name}"))
        elif entry.is_file():
            found.append((entry.stem, entry, None))
    seen = {}
    for student, _, _ in found:
        seen[student] = seen.get(student, 0) + 1
    dupes = {s for s, n in seen.items() if n > 1}
    if dupes:
        raise SystemExit(f"sfa-grade: ambiguous students (file and folder or two files): {sorted(dupes)}")
    return found


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
    lines = [f"Exercise sheet {result.sheet} — {result.student}",
             f"Total: {result.total:g} / {result.max_total:g} points", ""]
    for e in result.exercises:
        lines.append(f"{e.exercise}: {e.points:g} / {e.max_points:g} — {e.feedback}")
    if result.notes:
        lines += ["", "Notes:"] + [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def csv_text(results) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    for r in sorted(results, key=lambda r: r.student):
        for e in r.exercises:
            writer.writerow([r.student, r.sheet, e.exercise, f"{e.points:g}", f"{e.max_points:g}", e.feedback])
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------ #
# Worker side (runs in a pool process)
# ------------------------------------------------------------------------------------------ #
_STATE: dict = {}


def _init_worker(sheet_path, limits, workbase, spec_dir, cache, mpl, fork_socket):
    _STATE.update(master=nbformat.read(sheet_path, as_version=4), sheet=pathlib.Path(sheet_path).stem,
                  limits=limits, workbase=workbase, spec_dir=spec_dir, cache=cache, mpl=mpl,
                  fork_socket=fork_socket)


def _grade_one(student, path, note, part_path):
    s = _STATE
    exercises = sheets.validate(s["master"])
    try:
        if path is None:
            result = grader.zero_result(student, s["sheet"], exercises, note)
        else:
            result = grader.grade_file(str(path), s["master"], student, s["sheet"], limits=s["limits"],
                                       workbase=s["workbase"], spec_dir=s["spec_dir"],
                                       cache=s["cache"], mpl=s["mpl"], fork_socket=s["fork_socket"])
    except Exception as err:  # noqa: BLE001 - the batch must survive anything
        result = grader.zero_result(student, s["sheet"], exercises,
                                    f"the grader failed on this submission ({type(err).__name__}: "
                                    f"{str(err)[:200]}); please grade it by hand")
    atomic_write(pathlib.Path(part_path), result.to_json())
    return student


# ------------------------------------------------------------------------------------------ #
# Batch
# ------------------------------------------------------------------------------------------ #
def _prepare_cache(keys, source_cache: str, target: str) -> None:
    for key in keys:
        src = os.path.join(source_cache, "brian2", key)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(target, "brian2", key), symlinks=True, dirs_exist_ok=True)


def run_batch(submissions: pathlib.Path, sheet_path: pathlib.Path, out: pathlib.Path, *,
              feedback_dir: pathlib.Path | None = None, jobs: int | None = None,
              limits: runner.Limits | None = None, regrade: bool = False, progress: bool = True,
              verify_reference: bool = True, max_students: int | None = None,
              fork_server: bool = True) -> list:
    """Grade every submission; return the list of :class:`SubmissionResult`.

    ``fork_server``: take kernels from a pre-warmed :mod:`~sfa_helpers.grading.forkserver`
    (falls back to new kernel processes if it cannot start).
    """
    from sfa_helpers.engine import cache_dir

    limits = limits or runner.Limits()
    master = nbformat.read(sheet_path, as_version=4)
    sheets.validate(master)
    found = find_submissions(submissions, sheet_path)
    parts = out.with_name(out.name + ".parts")
    parts.mkdir(parents=True, exist_ok=True)
    todo = [(s, p, n) for s, p, n in found
            if regrade or not (parts / f"{safe_name(s)}.json").exists()]
    if max_students is not None:
        todo = todo[:max_students]
    with tempfile.TemporaryDirectory(prefix="sfa-grade-") as batch:
        spec_dir = runner.kernel_spec_dir(batch)
        template = os.path.join(batch, "template-cache")
        mpl = os.path.join(batch, "matplotlib")
        os.makedirs(mpl)
        if todo:
            server = _start_fork_server(sheet_path, batch, mpl) if fork_server else None
            socket_path = server.socket_path if server else None
            try:
                ref, keys = grader.reference_run(master, sheet_path.stem, limits=limits, workbase=batch,
                                                 spec_dir=spec_dir, cache=cache_dir(), mpl=mpl,
                                                 fork_socket=socket_path)
                if verify_reference and ref.total != ref.max_total:
                    details = "; ".join(f"{e.exercise}: {e.feedback}" for e in ref.exercises
                                        if e.points != e.max_points)
                    raise SystemExit(f"sfa-grade: the instructor sheet {sheet_path.name} scores "
                                     f"{ref.total:g}/{ref.max_total:g} itself ({details}); not grading.")
                _prepare_cache(sorted(set(keys) | set(server.keys if server else ())), cache_dir(), template)
                workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
                bar = _progress(len(todo), progress)
                # 'spawn': the reference run left ZMQ and asyncio threads in this process, which a
                # forked worker would inherit in an unusable state.
                context = multiprocessing.get_context("spawn")
                with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                         initargs=(str(sheet_path), limits, batch, spec_dir, template, mpl,
                                                   socket_path)) as pool:
                    futures = [pool.submit(_grade_one, s, p, n, str(parts / f"{safe_name(s)}.json"))
                               for s, p, n in todo]
                    for future in as_completed(futures):
                        future.result()
                        bar.update(1)
                bar.close()
            finally:
                if server:
                    server.close()
    results = []
    for student, _, _ in found:
        part = parts / f"{safe_name(student)}.json"
        if part.exists():
            results.append(grader.SubmissionResult.from_json(part.read_text(encoding="utf-8")))
    atomic_write(out, csv_text(results))
    if feedback_dir is not None:
        for r in results:
            atomic_write(feedback_dir / f"{safe_name(r.student)}.txt", feedback_text(r))
    return results


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
    parser.add_argument("--no-fork-server", action="store_true",
                        help="start every kernel as a new process instead of forking pre-warmed ones")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    sheet = find_sheet(args.sheet, args.solutions)
    limits = runner.Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                           memory=args.memory, cpu=args.cpu)
    feedback = args.feedback or args.out.with_name(args.out.stem + "-feedback")
    start = time.perf_counter()
    results = run_batch(args.submissions, sheet, args.out, feedback_dir=feedback, jobs=args.jobs,
                        limits=limits, regrade=args.regrade, progress=not args.no_progress,
                        fork_server=not args.no_fork_server)
    full = sum(r.total == r.max_total for r in results)
    print(f"{len(results)} students graded ({full} with full marks) in "
          f"{time.perf_counter() - start:.0f} s -> {args.out}, feedback in {feedback}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
