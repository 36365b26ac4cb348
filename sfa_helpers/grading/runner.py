"""Execute a list of notebook cells in a fresh, resource-limited kernel, surviving bad cells.

Rules:

* every cell runs with a time limit (``cell_timeout``); the whole notebook, including kernel
  (re)starts, with ``notebook_timeout``;
* the kernel is launched by :mod:`sfa_helpers.grading.kernel`, which applies memory, CPU,
  file-size and process limits before it becomes an IPython kernel;
* a cell that times out or kills the kernel is recorded as such and *skipped*: the kernel is
  restarted, the cells before it are replayed silently (to rebuild the state) and execution goes
  on with the next cell, at most ``max_restarts`` times;
* each cell keeps at most ``max_output`` bytes of output (errors are always kept), and beyond
  that the last 2000 characters of its standard output (what a test prints last survives);
* after the kernel shuts down, every process left in its session is killed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from . import forkserver, kernel

KERNEL_NAME = "sfa-grade"


@dataclass
class Limits:
    cell_timeout: float = 60.0          # seconds per cell
    notebook_timeout: float = 300.0     # seconds per notebook, kernel starts included
    memory: int = 4 * 1024 ** 3         # bytes of address space (RLIMIT_AS)
    cpu: int = 300                      # CPU seconds per process (RLIMIT_CPU)
    filesize: int = 256 * 1024 ** 2     # bytes per written file (RLIMIT_FSIZE)
    nproc: int = 64                     # extra processes (RLIMIT_NPROC, not for root)
    max_output: int = 100_000           # bytes of stored output per cell
    max_restarts: int = 2               # kernel restarts after a timeout or a dead kernel
    sandbox: bool = False               # run the kernel in :mod:`.sandbox` (needs root)


@dataclass
class CellRun:
    """What happened to one cell: status is 'ok', 'error', 'timeout', 'dead' or 'not run'."""

    status: str = "not run"
    ename: str = ""
    evalue: str = ""
    stdout: str = ""
    outputs: list = field(default_factory=list)
    truncated: bool = False


def kernel_spec_dir(base: str) -> str:
    """Write the grading kernel spec (our launcher, this Python) under ``base``; return the dir."""
    path = os.path.join(base, "kernels", KERNEL_NAME)
    os.makedirs(path, exist_ok=True)
    # -P -s: neither the working directory (the submission's, writable by it) nor the user's
    # site folder (in its home) is on sys.path, so a file the submission left there in a
    # previous kernel is never imported by the next one (which starts as root, outside the
    # sandbox, until kernel.main enters it)
    spec = {"argv": [sys.executable, *kernel.SAFE_PYTHON, "-m", "sfa_helpers.grading.kernel",
                     "-f", "{connection_file}"],
            "display_name": "Python 3 (grading, limited)", "language": "python"}
    with open(os.path.join(path, "kernel.json"), "w") as f:
        json.dump(spec, f)
    return os.path.join(base, "kernels")


class _LimitedClient(NotebookClient):
    """nbclient with a per-cell output budget. Beyond it, outputs are discarded except the last
    ``tail`` characters of the cell's standard output, kept in one stream output that is
    rewritten as text arrives: what a cell prints last (the grader's completion line after a
    test) survives however much a student's code printed before it."""

    def __init__(self, *args, max_output: int = 100_000, tail: int = 2_000, **kwargs):
        super().__init__(*args, **kwargs)
        self._max_output = max_output
        self._tail = tail
        self._tails: dict = {}
        self._used: dict = {}
        self.truncated: set = set()

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        if msg["msg_type"] == "error":
            content["traceback"] = [line[:2000] for line in content.get("traceback", [])[-30:]]
            content["evalue"] = str(content.get("evalue", ""))[:2000]
            return super().output(outs, msg, display_id, cell_index)
        size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
        used = self._used.get(cell_index, 0) + size
        self._used[cell_index] = used
        if used > self._max_output:
            self.truncated.add(cell_index)
            if cell_index not in self._tails:
                outs.append(nbformat.v4.new_output(
                    "stream", name="stderr",
                    text=f"[grader: output beyond {self._max_output} bytes discarded; the last "
                         f"{self._tail} characters of standard output follow]\n"))
                self._tails[cell_index] = nbformat.v4.new_output("stream", name="stdout", text="")
                outs.append(self._tails[cell_index])
            if msg["msg_type"] == "stream" and content.get("name") == "stdout":
                tail = self._tails[cell_index]
                tail.text = (tail.text + str(content.get("text", "")))[-self._tail:]
            return None
        return super().output(outs, msg, display_id, cell_index)

    def clear_output(self, outs, msg, cell_index):
        super().clear_output(outs, msg, cell_index)
        if not outs:  # cleared at once (IPython's clear_output()): the budget starts afresh
            self._used.pop(cell_index, None)
            self._tails.pop(cell_index, None)


#: Sessions (kernel process ids) of the kernels this process has started and not yet killed:
#: what a grading worker kills when it is told to stop (:func:`kill_active_sessions`).
ACTIVE_SESSIONS: set = set()


def kill_active_sessions() -> None:
    """SIGKILL the sessions of every kernel this process still runs (used on SIGTERM)."""
    for sid in list(ACTIVE_SESSIONS):
        _kill_session(sid)


def _kill_session(sid: int) -> None:
    """SIGKILL every process whose session id is ``sid`` (the kernel and what it started)."""
    ACTIVE_SESSIONS.discard(sid)
    if sid <= 1:
        return
    try:
        os.killpg(sid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    if not os.path.isdir("/proc"):
        return
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid:
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, IndexError, ValueError):
            pass


def _record(cell, run: CellRun) -> None:
    run.outputs = list(cell.get("outputs", []))
    errors = [o for o in run.outputs if o.get("output_type") == "error"]
    run.stdout = "".join(o.get("text", "") for o in run.outputs
                         if o.get("output_type") == "stream" and o.get("name") == "stdout")
    if errors:
        run.status, run.ename, run.evalue = "error", errors[0].get("ename", ""), errors[0].get("evalue", "")
    else:
        run.status = "ok"


class _Watchdog(BaseException):
    """Raised by SIGALRM when a notebook overruns its time limit by ``WATCHDOG_MARGIN``."""


#: Seconds past ``notebook_timeout`` after which the watchdog ends a notebook no matter what
#: the kernel client is doing (it interrupts even a blocking wait for a kernel that died).
WATCHDOG_MARGIN = 15.0


def execute(cells, workdir: str, env: dict, limits: Limits, spec_dir: str,
            fork_socket: str | None = None) -> tuple:
    """Run ``cells`` (nbformat code/markdown cells) in order; return ``(runs, notes)``.

    ``runs[i]`` is the :class:`CellRun` of cell ``i`` (markdown cells stay 'not run').
    ``fork_socket``: a :mod:`~sfa_helpers.grading.forkserver` socket to take kernels from (else,
    or when it does not answer, each kernel is a new process).

    The time limits are enforced by nbclient; in addition a wall-clock watchdog (SIGALRM, in the
    main thread of the grading worker) ends the notebook ``WATCHDOG_MARGIN`` seconds after its
    limit, because a kernel that dies at the wrong moment can leave the client waiting forever.
    """
    sessions: list = []
    use_alarm = hasattr(signal, "SIGALRM") and \
        threading.current_thread() is threading.main_thread()
    if not use_alarm:
        return _execute(cells, workdir, env, limits, spec_dir, sessions, fork_socket)

    def _alarm(signum, frame):
        raise _Watchdog()

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limits.notebook_timeout + WATCHDOG_MARGIN)
    try:
        return _execute(cells, workdir, env, limits, spec_dir, sessions, fork_socket)
    except _Watchdog:
        for sid in sessions:
            _kill_session(sid)
        runs = [CellRun() for _ in cells]
        return runs, ["the notebook did not finish within its time limit (the kernel stopped "
                      "answering): it was stopped and no cell could be graded"]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _execute(cells, workdir: str, env: dict, limits: Limits, spec_dir: str, sessions: list,
             fork_socket: str | None = None) -> tuple:
    deadline = time.monotonic() + limits.notebook_timeout
    runs = [CellRun() for _ in cells]
    notes: list = []
    kernel_env = dict(env)
    kernel_env.update({"SFA_GRADE_MEMORY": str(limits.memory), "SFA_GRADE_CPU": str(limits.cpu),
                       "SFA_GRADE_FILESIZE": str(limits.filesize), "SFA_GRADE_NPROC": str(limits.nproc)})
    sockets = None
    if limits.sandbox:
        # a Unix socket's path is at most 107 bytes: a short folder of its own, not the workdir
        sockets = tempfile.mkdtemp(prefix="sfa-k", dir="/tmp" if os.path.isdir("/tmp") else None)
        kernel_env.update({kernel.SANDBOX_VARIABLE: "1", kernel.SOCKETS_VARIABLE: sockets,
                           # IPython's and Jupyter's configuration (startup files, kernel config,
                           # run before the kernel answers) in the sandbox's private /tmp: new
                           # and empty in every kernel, so nothing a previous kernel of the
                           # submission wrote runs before its sockets are given back
                           "IPYTHONDIR": "/tmp/ipython", "JUPYTER_CONFIG_DIR": "/tmp/jupyter"})
    try:
        return _run_kernels(cells, workdir, limits, spec_dir, sessions, fork_socket, deadline, runs,
                            notes, kernel_env, sockets)
    finally:
        if sockets:
            shutil.rmtree(sockets, ignore_errors=True)
            from . import sandbox  # the killed sandboxes' mount points and control groups

            try:
                sandbox.cleanup(os.lstat(workdir).st_uid)
            except OSError:
                pass


def _run_kernels(cells, workdir, limits, spec_dir, sessions, fork_socket, deadline, runs, notes,
                 kernel_env, sockets) -> tuple:
    skip: set = set()
    position = 0
    restarts = 0
    ksm = KernelSpecManager(kernel_dirs=[spec_dir])
    while position < len(cells):
        if time.monotonic() >= deadline:
            notes.append("notebook time limit reached: the remaining cells were not run")
            break
        nb = nbformat.v4.new_notebook(cells=[nbformat.from_dict(dict(c)) for c in cells])
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)
        if limits.sandbox:
            # no network in the sandbox: talk through Unix sockets in a folder of their own,
            # with the connection file beside them (the kernel sees nothing else of ours)
            km.transport = "ipc"
            km.ip = os.path.join(sockets, f"k{restarts}")
            km.connection_file = os.path.join(sockets, f"k{restarts}.json")
        if fork_socket:
            km.provisioner = forkserver.provisioner_for(km, fork_socket)
        client = _LimitedClient(nb, km=km, timeout=limits.cell_timeout, allow_errors=True,
                                interrupt_on_timeout=False, shutdown_kernel="immediate",
                                startup_timeout=int(max(5, min(60, deadline - time.monotonic()))),
                                record_timing=False, max_output=limits.max_output,
                                resources={"metadata": {"path": workdir}})
        failed_at = None
        sid = 0
        try:
            with client.setup_kernel(env=kernel_env, cwd=workdir, stderr=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL):
                sid = getattr(km.provisioner, "pid", 0) or 0
                if sockets:
                    _close_socket_folder(sockets)
                sessions.append(sid)
                ACTIVE_SESSIONS.add(sid)
                for i, cell in enumerate(nb.cells):
                    if cell.cell_type != "code" or i in skip:
                        continue
                    if i >= position:
                        position = i
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError
                    client.timeout = max(1, int(min(limits.cell_timeout, remaining)))
                    try:
                        client.execute_cell(cell, i)
                    except CellTimeoutError:
                        runs[i].status = "timeout"
                        failed_at = i
                        break
                    except DeadKernelError:
                        runs[i].status = "dead"
                        failed_at = i
                        break
                    if i >= position:
                        _record(cell, runs[i])
                        runs[i].truncated = i in client.truncated
                else:
                    position = len(cells)
        except TimeoutError:
            notes.append("notebook time limit reached: the remaining cells were not run")
            _kill_session(sid)
            break
        except (DeadKernelError, RuntimeError, OSError) as err:
            # The kernel died outside a cell (during start-up or shutdown).
            if failed_at is None:
                notes.append(f"the kernel could not run ({type(err).__name__}): grading stopped")
                _kill_session(sid)
                break
        finally:
            _kill_session(sid)
        if failed_at is None:
            break
        skip.add(failed_at)
        what = "took longer than the cell time limit" if runs[failed_at].status == "timeout" \
            else "killed the kernel (memory, CPU limit or a crash)"
        runs[failed_at].ename = "TimeoutError" if runs[failed_at].status == "timeout" else "DeadKernelError"
        runs[failed_at].evalue = what
        position = failed_at + 1
        restarts += 1
        if restarts > limits.max_restarts:
            notes.append("too many kernel restarts: the remaining cells were not run")
            break
    return runs, notes


def _close_socket_folder(sockets: str) -> None:
    """Give a sandboxed kernel's socket folder back to the grader once the kernel has made its
    sockets (``setup_kernel`` returns when the kernel answers, before any cell runs).

    Until then the kernel may create files there (it binds its sockets); afterwards it cannot
    remove, rename or add any, so it cannot swap a socket for a link to another kernel's or to
    any other socket of the machine, which the grader would follow when ZeroMQ reconnects. The
    next kernel of the submission gets the folder again (:func:`.sandbox.enter`).
    """
    fd = os.open(sockets, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        os.fchown(fd, os.getuid(), os.getgid())
        os.fchmod(fd, 0o755)
    finally:
        os.close(fd)


def make_workdir(base: str) -> str:
    return tempfile.mkdtemp(prefix="sub-", dir=base)
