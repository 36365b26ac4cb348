"""Grade one submission against its instructor sheet.

1. **Read** the file defensively: not valid JSON, not a notebook, too large, cells without
   sources: each is a clear note and zero points, never an exception.
2. **Assemble** the notebook to run, in the *instructor's* cell order (as nbgrader's autograder
   does): locked cells and test cells come from the instructor sheet (hidden tests included, so
   editing or deleting a test cell changes nothing); each solution cell comes from the
   submission, found by its ``grade_id`` wherever the student moved it; a solution cell that is
   missing becomes the 'not done yet' placeholder; cells the student added (no nbgrader
   metadata) run right after the sheet cell that preceded them in the submission.
3. **Run** it in a fresh limited kernel (:mod:`sfa_helpers.grading.runner`); every test cell
   ends with a line printing a random token, and a test cell scores only if it ran without
   error *and* printed the token (so a submission that swallows exceptions does not pass).
4. **Score** each exercise (the sum of its test cells' points) with a short note.
5. **Collect** each written answer (a Markdown answer cell, :func:`.sheets.is_written`) for
   the instructor, unscored: it is graded by hand (:mod:`.written`). An answer left empty
   scores zero as "not done yet"; a missing answer cell scores zero with a note.
"""

from __future__ import annotations

import ast
import copy
import json
import os
import secrets
import shutil
import stat
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass, field

import nbformat

from . import policy, runner, sheets

#: Largest submission file read (its outputs are discarded, so most of a big notebook is
#: figures the grader never looks at; reading and parsing is the cost bounded here).
MAX_FILE_BYTES = 100 * 1024 ** 2
#: Largest total of the code and text cells' sources graded.
MAX_SOURCE_BYTES = 5 * 1024 ** 2
#: Most JSON objects and arrays a submission may hold (a notebook has thousands; each costs
#: about 100-200 bytes once parsed, so this bounds the reader's memory to a few hundred MB).
MAX_JSON_CONTAINERS = 2_000_000
#: Longest written answer kept for the instructor (characters; the rest is cut with a note).
MAX_WRITTEN_CHARS = 20_000

@dataclass
class ExerciseResult:
    exercise: str
    points: float
    max_points: float
    feedback: str
    #: a written answer graded by hand; ``answer`` is its text ('' if not answered)
    manual: bool = False
    answer: str = ""
    #: the instructor has given this exercise's points (:func:`.gradebook.build_grades`)
    hand_graded: bool = False

    @property
    def awaits_grading(self) -> bool:
        """A written answer the instructor has not graded yet."""
        return self.manual and bool(self.answer) and not self.hand_graded


@dataclass
class SubmissionResult:
    student: str
    sheet: str
    exercises: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    #: SHA-256 of the instructor sheet that graded it and of the file graded (a stored result is
    #: reused only for the same sheet version and the same submission; ``cli.run_batch``)
    sheet_version: str = ""
    submission_digest: str = ""

    @property
    def total(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def max_total(self) -> float:
        return sum(e.max_points for e in self.exercises)

    @property
    def max_automatic(self) -> float:
        """The points the grader itself awards at most (written answers are graded by hand)."""
        return sum(e.max_points for e in self.exercises if not e.manual)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "SubmissionResult":
        data = json.loads(text)
        data["exercises"] = [ExerciseResult(**e) for e in data["exercises"]]
        return cls(**data)


def zero_result(student: str, sheet_name: str, exercises, note: str) -> SubmissionResult:
    """Zero points on every exercise, with the same note everywhere."""
    return SubmissionResult(student, sheet_name,
                            [ExerciseResult(e.name, 0.0, e.points, note, manual=e.manual)
                             for e in exercises], [note])


def _cells_of(data: dict) -> "list | None":
    """The raw cell dicts of a notebook: nbformat 4 (``cells``), or nbformat 3
    (``worksheets[*].cells``, code in ``input``), converted; None if neither."""
    if isinstance(data.get("cells"), list):
        return data["cells"]
    worksheets = data.get("worksheets")
    if not isinstance(worksheets, list):
        return None
    cells = []
    for sheet in worksheets:
        if not isinstance(sheet, dict) or not isinstance(sheet.get("cells"), list):
            return None
        for cell in sheet["cells"]:
            if isinstance(cell, dict) and cell.get("cell_type") == "code" and "input" in cell:
                cell = {**cell, "source": cell["input"]}
            elif isinstance(cell, dict) and cell.get("cell_type") == "heading":
                cell = {**cell, "cell_type": "markdown"}
            cells.append(cell)
    return cells


def read_submission(path: str):
    """Return ``(cells, None)`` or ``(None, note)`` for anything that is not a usable notebook.

    Read without following a symbolic link and only if it is a regular file (a FIFO would
    block); UTF-8 with or without a byte-order mark; nbformat 4, or 3 converted; outputs are
    discarded, so a large file is fine up to :data:`MAX_FILE_BYTES` as long as its sources stay
    within :data:`MAX_SOURCE_BYTES`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        if os.path.islink(path):
            return None, "the submission is a symbolic link, not a file: not graded (flagged for review)"
        return None, f"cannot read the submission ({err.strerror})"
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, "the submission is not a regular file (a pipe or device): not graded"
        if info.st_size > MAX_FILE_BYTES:
            return None, (f"the submission is {info.st_size // 1024 ** 2} MB, larger than the "
                          f"{MAX_FILE_BYTES // 1024 ** 2} MB limit")
        raw = f.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:  # it grew while being read
        return None, f"the submission is larger than the {MAX_FILE_BYTES // 1024 ** 2} MB limit"
    # A notebook's bulk is long strings (figures); millions of JSON objects and arrays would
    # take gigabytes once parsed: refuse them before parsing (a real notebook has thousands).
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_CONTAINERS:
        return None, "the submission holds millions of JSON objects: not a notebook a student saved"
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, "the submission is not a text file (is it a notebook?)"
    except (ValueError, RecursionError) as err:  # JSONDecodeError, a 5000-digit number, nesting
        line = getattr(err, "lineno", None)
        return None, f"the submission is not valid JSON{f' (line {line})' if line else ''}: not a notebook file"
    raw_cells = _cells_of(data) if isinstance(data, dict) else None
    if raw_cells is None:
        return None, "the submission is JSON but not a Jupyter notebook (no list of cells)"
    cells, total = [], 0
    for cell in raw_cells:
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(s) for s in source)
        source = str(source)
        total += len(source.encode("utf-8", "replace"))
        if total > MAX_SOURCE_BYTES:
            return None, (f"the submission's cells hold more than {MAX_SOURCE_BYTES // 1024 ** 2} MB "
                          "of code and text (outputs aside): not graded")
        cells.append(nbformat.from_dict({"cell_type": str(cell.get("cell_type", "code")),
                                         "source": source, "metadata": _grading_metadata(cell)}))
    return cells, None


def _grading_metadata(cell: dict) -> dict:
    """The part of a cell's metadata the grader reads: nbgrader's flat record (grade id, points,
    ...), its plain values only. The rest (possibly nested thousands of levels deep) is
    dropped, never walked."""
    metadata = cell.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if not isinstance(nbgrader, dict):
        return {}
    plain = (str, int, float, bool, type(None))
    return {"nbgrader": {str(k): v for k, v in nbgrader.items() if isinstance(v, plain)}}


def assemble(master, student_cells, nonce: str):
    """The cells to run and their roles; see the module docstring. Returns (cells, roles, notes).

    ``roles[i]`` is ``('test', grade_id)``, ``('solution', grade_id)``, ``('given', grade_id)``
    or ``('extra', None)``.
    """
    notes = []
    by_id, extras, anchor, duplicates = {}, {}, None, set()
    master_ids = {sheets.grade_id(c) for c in master.cells if c.cell_type == "code"}
    written_ids = {sheets.grade_id(c) for c in master.cells if sheets.is_written(c)}
    for cell in student_cells:
        if cell.cell_type != "code":
            continue
        gid = sheets.grade_id(cell)
        if gid in written_ids:  # a written answer turned into a code cell: read, not run
            continue
        if gid in master_ids:
            if gid in by_id:
                duplicates.add(gid)
            by_id[gid] = cell
            anchor = gid
        elif cell.source.strip():
            extras.setdefault(anchor, []).append(cell)
    for gid in sorted(duplicates):
        notes.append(f"cell '{gid}' appears more than once; the last copy was graded")
    cells, roles = [], []

    def add_extras(key):
        for cell in extras.get(key, []):
            cells.append(nbformat.v4.new_code_cell(cell.source))
            roles.append(("extra", None))

    add_extras(None)
    for master_cell in master.cells:
        if master_cell.cell_type != "code":
            continue
        gid = sheets.grade_id(master_cell)
        if sheets.is_solution(master_cell):
            if gid in by_id:
                cell = nbformat.v4.new_code_cell(by_id[gid].source)
            else:
                cell = nbformat.v4.new_code_cell(sheets.placeholder_cell(master_cell).source)
                notes.append(f"the answer cell of '{gid}' is missing from the submission")
            roles.append(("solution", gid))
        elif sheets.is_test(master_cell):
            cell = nbformat.v4.new_code_cell(master_cell.source.rstrip() + f"\nprint({nonce!r})")
            roles.append(("test", gid))
        else:
            cell = nbformat.v4.new_code_cell(master_cell.source)
            roles.append(("given", gid))
        cells.append(cell)
        add_extras(gid)
    return cells, roles, notes


def written_answers(master, student_cells) -> tuple:
    """``({grade_id: text}, notes)``: the submission's written answers. An answer is the cell
    carrying the grade id of one of the sheet's written answer cells (of any type: a student
    may have turned it into a code cell, which is then not run), followed by the Markdown or
    raw cells without grading metadata that the student added right after it (an answer
    continued, or written below the placeholder). A repeated answer cell: the last copy, with
    a note."""
    wanted = {sheets.grade_id(c) for c in master.cells if sheets.is_written(c)}
    found, notes, current = {}, [], None
    for cell in student_cells:
        gid = sheets.grade_id(cell)
        if gid in wanted:
            if gid in found:
                notes.append(f"the written answer cell of '{gid}' appears more than once; the "
                             "last copy was kept (flagged for review)")
            found[gid], current = [cell.source], gid
        elif current is not None and not gid and cell.cell_type in ("markdown", "raw"):
            found[current].append(cell.source)
        else:
            current = None
    for gid in sorted(wanted - set(found)):
        notes.append(f"the written answer cell of '{gid}' is missing from the submission "
                     "(flagged for review: the answer may be elsewhere in the notebook)")
    return {gid: "\n\n".join(parts) for gid, parts in found.items()}, notes


def _written_result(ex, text, released: str = "") -> ExerciseResult:
    if text is None:
        return ExerciseResult(ex.name, 0.0, ex.points, "the written answer cell is missing from "
                              "the submission (flagged for review: the answer may be elsewhere)",
                              manual=True)
    # a lone surrogate (pasted from a broken source) would make the stored result unwritable
    text = text.encode("utf-8", "replace").decode("utf-8")
    if sheets.is_unanswered(text) or sheets.is_unanswered(text.replace(released.strip(), "", 1)):
        return ExerciseResult(ex.name, 0.0, ex.points, "not done yet", manual=True)
    text = text.strip()
    feedback = "written answer: awaiting the instructor's grading"
    if len(text) > MAX_WRITTEN_CHARS:
        text = text[:MAX_WRITTEN_CHARS]
        feedback += f" (only its first {MAX_WRITTEN_CHARS} characters are read)"
    return ExerciseResult(ex.name, 0.0, ex.points, feedback, manual=True, answer=text)


def declared_student(master, student_cells) -> "str | None":
    """The id a submission wrote in its ``student_id`` cell (``STUDENT_ID = "..."``, a plain
    string), '' if none; None if the sheet has no such cell (no per-student variants)."""
    if not any(sheets.grade_id(c) == sheets.STUDENT_ID_CELL for c in master.cells):
        return None
    for cell in reversed(student_cells):
        if cell.cell_type == "code" and sheets.grade_id(cell) == sheets.STUDENT_ID_CELL:
            try:
                tree = ast.parse(cell.source)
            except (SyntaxError, ValueError):
                return ""
            for node in tree.body:
                if (isinstance(node, ast.Assign) and len(node.targets) == 1
                        and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "STUDENT_ID"
                        and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                    return node.value.value
            return ""
    return ""


def _same_id(a: str, b: str) -> bool:
    """Ids compared as the variants compare them (``checks.variants.normal_id``: NFC, no
    surrounding spaces, no case); written out here so that the grader does not import the
    checks and with them Brian2."""
    def norm(x):
        return unicodedata.normalize("NFC", x).strip().casefold()
    return norm(a) == norm(b)


def variant_notes(master, student_cells, student: str, exercises) -> list:
    """A note when a sheet with per-student variants lost points and the notebook was worked
    with another id (or none): the grader always uses the id of the submission, so answers
    computed with other numbers fail. Flagged for review (the instructor may accept them)."""
    declared = declared_student(master, student_cells)
    lost = [e for e in exercises if not e.manual and e.points < e.max_points
            and "not done yet" not in e.feedback]
    if declared is None or not lost:  # nothing lost, or nothing attempted
        return []
    if not declared.strip():
        return [f"the notebook gives no STUDENT_ID; it was graded with the numbers of '{student}' "
                "(flagged for review: answers worked with the default numbers fail where those differ)"]
    if not _same_id(declared, student):
        return [f"the notebook says STUDENT_ID = {declared!r} but was graded as '{student}', with "
                f"that student's numbers (flagged for review: answers worked with other numbers fail)"]
    return []


def flags(master, cells, roles) -> list:
    """Notes flagging the submission for manual review: what :func:`.policy.review` finds in
    the code the grader runs from it (its answer cells and the cells it added; its copies of
    the locked and test cells are never run)."""
    sources = [c.source for c, (kind, _) in zip(cells, roles) if kind in ("solution", "extra")]
    return [f"flagged for manual review: the code {why}"
            for why in policy.review(sources, policy.SheetContext(master))]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _describe(run: runner.CellRun) -> str:
    if run.status == "not run":
        return "not run (an earlier limit stopped the notebook)"
    if run.status in ("timeout", "dead"):
        return run.evalue
    if run.ename == "AssertionError" and not run.evalue.strip():
        return "a hidden test failed"
    return _short(f"{_PUBLIC_ERROR_NAMES.get(run.ename, run.ename)}: {run.evalue}")


#: Python's private error classes, named by the public class a student knows (Python 3.13
#: reports an unfinished bracket as ``_IncompleteInputError``, a SyntaxError).
_PUBLIC_ERROR_NAMES = {"_IncompleteInputError": "SyntaxError"}


def score(master, cells, roles, runs, nonce: str, written: "dict | None" = None):
    """Per-exercise results from the runs of the assembled cells, and the written answers
    (:func:`written_answers`) unscored."""
    exercises = sheets.validate(master)
    released = {sheets.grade_id(c): sheets.placeholder_cell(c).source
                for c in master.cells if sheets.is_written(c)}
    points = {gid: p for ex in exercises for gid, p in ex.tests}
    index = {role: i for i, role in enumerate(roles)}
    results = []
    for ex in exercises:
        if ex.manual:
            results.append(_written_result(ex, (written or {}).get(ex.name), released[ex.name]))
            continue
        got, parts = 0.0, []
        sol = runs[index[("solution", ex.name)]]
        if sol.status != "ok" and sol.status != "not run":
            parts.append(f"your cell: {_describe(sol)}")
        failed = []
        for gid, p in ex.tests:
            run = runs[index[("test", gid)]]
            if run.status == "ok" and nonce in run.stdout:
                got += p
            elif run.status == "ok":
                failed.append("the test did not finish (its output was suppressed)")
            else:
                failed.append(_describe(run))
        if sol.status == "error" and sol.evalue.startswith("not done yet") and got == 0:
            parts, failed = ["not done yet"], []
        elif not failed:
            parts.insert(0, "all tests passed")
        else:
            parts.extend(f"test: {f}" for f in dict.fromkeys(failed))
        results.append(ExerciseResult(ex.name, got, float(sum(points[g] for g, _ in ex.tests)),
                                      "; ".join(dict.fromkeys(parts))))
    return results


#: The variable naming the graded student in the kernel: a sheet with per-student variants
#: (``sfa_helpers.checks.variants``) gives that student's numbers, whatever id the notebook says.
STUDENT_ENV = "SFA_STUDENT_ID"


def kernel_env(workdir: str, cache: str | None, mpl: str | None, *, shared: bool = False,
               programs: dict | None = None, student: str | None = None) -> dict:
    """The kernel's whole environment: nothing of the grader's but PATH and the locale, and the
    graded ``student``'s id (:data:`STUDENT_ENV`).

    ``cache`` (compiled simulations) and ``mpl`` (matplotlib's font cache) are *copied* into the
    submission's private home, so a submission cannot alter what the next one runs; with
    ``shared=True`` (the trusted reference run only) they are used in place. ``programs``: the
    manifests of the compiled programs the batch hands out (``{cache key: manifest}``, taken by
    the grader when it filled ``cache``); then only those are copied, each checked file for
    file (:func:`copy_programs`).
    """
    home = os.path.join(workdir, "home")
    os.makedirs(home, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": os.environ.get("LANG", "C.UTF-8"),
           "HOME": home, "TMPDIR": home, "IPYTHONDIR": os.path.join(home, ".ipython"),
           "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
           "XDG_CACHE_HOME": os.path.join(home, ".cache"), "PYTHONDONTWRITEBYTECODE": "1",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1", "JUPYTER_PLATFORM_DIRS": "1",
           "SFA_HELPERS_CACHE": os.path.join(home, "sfa_cache"),
           # compile before running (no builder process outliving the kernel, same route each run)
           "SFA_HELPERS_BUILD": "wait", "SFA_HELPERS_PCH_DIR": "off"}
    if student:
        env[STUDENT_ENV] = student
    if shared:
        if mpl:
            env["MPLCONFIGDIR"] = mpl
        if cache:
            env["SFA_HELPERS_CACHE"] = cache
        return env
    if mpl and os.path.isdir(mpl):
        shutil.copytree(mpl, env["MPLCONFIGDIR"], dirs_exist_ok=True)
    if programs is not None:
        for key in copy_programs(cache, env["SFA_HELPERS_CACHE"], programs):
            print(f"sfa-grade: the batch's copy of the compiled program {key} is not the one the "
                  "grader verified (changed by a submission graded without the sandbox?); this "
                  "submission's kernel builds its own", file=sys.stderr)
    elif cache and os.path.isdir(cache):
        shutil.copytree(cache, env["SFA_HELPERS_CACHE"], symlinks=True, dirs_exist_ok=True)
    return env


def copy_programs(source: str, target: str, programs: dict) -> list:
    """Copy the compiled programs ``programs`` (``{cache key: manifest}``) from the cache
    ``source`` into the cache ``target``, file by file as each manifest lists them, checking
    every file's SHA-256 while it is copied; return the keys left out.

    Only what a manifest lists is read, through folder descriptors without following any link
    (a linked folder or file anywhere in ``source`` is a mismatch, not a way out), and written
    as new files of the grader's, with fixed permissions; the completion marker is written from
    the manifest. A program with a file missing or different is left out entirely (the kernel
    builds its own), so no submission runs a program another one changed.
    """
    import hashlib

    from sfa_helpers import engine

    skipped = []
    for key, manifest in sorted(programs.items()):
        destination = os.path.join(target, "brian2", key)
        try:
            if any(not isinstance(d, str) or len(d) != 64 for d in manifest.values()):
                raise OSError("not a program of regular files")
            for rel, digest in sorted(manifest.items()):
                parts = rel.split("/")
                if any(p in ("", ".", "..") for p in parts):
                    raise OSError(f"bad path {rel!r}")
                fd = _open_beneath(source, ["brian2", key, *parts])
                os.makedirs(os.path.join(destination, *parts[:-1]), exist_ok=True)
                mode = 0o755 if rel == "main" else 0o644
                out = os.open(os.path.join(destination, *parts),
                              os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
                hashed = hashlib.sha256()
                with os.fdopen(fd, "rb") as f, os.fdopen(out, "wb") as g:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        hashed.update(block)
                        g.write(block)
                if hashed.hexdigest() != digest:
                    raise OSError(f"{rel} differs")
            with open(os.path.join(destination, engine.COMPLETE_MARKER), "x") as f:
                json.dump({"key": key, "files": manifest}, f)
        except OSError:
            shutil.rmtree(destination, ignore_errors=True)
            skipped.append(key)
    return skipped


def _open_beneath(root: str, parts: list) -> int:
    """A read descriptor of the regular file ``root/parts...``; OSError if any component is a
    link or the file is not regular."""
    flags = os.O_RDONLY | os.O_NOFOLLOW
    fd = os.open(root, flags | os.O_DIRECTORY)
    try:
        for name in parts[:-1]:
            inner = os.open(name, flags | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        file_fd = os.open(parts[-1], flags, dir_fd=fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(file_fd).st_mode):
        os.close(file_fd)
        raise OSError(f"{'/'.join(parts)} is not a regular file")
    return file_fd


def grade_cells(master, student_cells, student: str, sheet_name: str, *, limits: runner.Limits,
                workbase: str, spec_dir: str, cache: str | None = None, mpl: str | None = None,
                shared: bool = False, extra_cells=(), fork_socket: str | None = None,
                programs: dict | None = None) -> tuple:
    """Grade parsed cells. Returns ``(SubmissionResult, runs)`` (runs of extra_cells appended).

    ``fork_socket``: take the kernel from this fork server (:mod:`.forkserver`); ``programs``:
    the manifests of the compiled programs in ``cache`` (:func:`kernel_env`).
    """
    start = time.monotonic()
    nonce = "sfa-grade-ok-" + secrets.token_hex(12)
    cells, roles, notes = assemble(master, student_cells, nonce)
    cells = cells + [nbformat.v4.new_code_cell(c) for c in extra_cells]
    roles = roles + [("probe", k) for k in range(len(extra_cells))]
    notes += flags(master, cells, roles)
    workdir = runner.make_workdir(workbase)
    try:
        env = kernel_env(workdir, cache, mpl, shared=shared, programs=programs, student=student)
        runs, run_notes = runner.execute(cells, workdir, env, limits, spec_dir, fork_socket)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    notes += run_notes
    truncated = [gid for (kind, gid), run in zip(roles, runs) if run.truncated and kind != "probe"]
    if truncated:
        notes.append(f"very long output was cut short in: {', '.join(str(t) for t in truncated)}")
    answers, answer_notes = written_answers(master, student_cells)
    scored = score(master, cells, roles, runs, nonce, answers)
    if student != "(reference)":
        answer_notes += variant_notes(master, student_cells, student, scored)
    result = SubmissionResult(student, sheet_name, scored, notes + answer_notes)
    result.seconds = round(time.monotonic() - start, 2)
    return result, runs


def grade_file(path: str, master, student: str, sheet_name: str, **kwargs) -> SubmissionResult:
    """Grade one submitted file; never raises for a bad submission."""
    exercises = sheets.validate(master)
    cells, problem = read_submission(path)
    if problem:
        return zero_result(student, sheet_name, exercises, problem)
    result, _ = grade_cells(master, cells, student, sheet_name, **kwargs)
    return result


def reference_run(master, sheet_name: str, **kwargs):
    """Grade the instructor sheet itself; return ``(result, cache_keys)``.

    Used at the start of a batch: it must score full marks (else the sheet or the machine is
    broken), and it lists the compiled simulations (cache keys) the sheet needs.
    """
    probe = "import sfa_helpers.engine as _e\nprint('SFA-CACHE-KEYS:' + ','.join(_e._compiled))"
    solution_cells = [copy.deepcopy(c) for c in master.cells]
    result, runs = grade_cells(master, solution_cells, "(reference)", sheet_name,
                               extra_cells=[probe], shared=True, **kwargs)
    keys = []
    for line in runs[-1].stdout.splitlines():
        if line.startswith("SFA-CACHE-KEYS:"):
            keys = [k for k in line.split(":", 1)[1].split(",") if k]
    return result, keys
