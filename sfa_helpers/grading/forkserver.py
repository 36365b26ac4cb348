"""Pre-warmed grading kernels: fork each kernel from a server that has already done the slow part.

Why
---
A fresh kernel for one submission spends about 2.3 CPU seconds importing IPython, NumPy,
Brian2 and matplotlib, and about 0.4 s per model structure re-generating Brian2 code for the
compiled programs it reuses from the disk cache. On a 2-core machine that alone is over 4 min
for 100 submissions. A *fork server* pays those costs once per batch:

1. :func:`start` launches ``python -m sfa_helpers.grading.forkserver``, a process that imports
   everything a kernel needs and then executes the instructor sheet once as plain Python (the
   "warm-up"), which builds or loads every compiled program the sheet uses and fills the check
   functions' caches. It uses no threads, so it can be forked safely.
2. For each kernel the grader needs, :class:`ForkProvisioner` (a ``jupyter_client`` kernel
   provisioner) asks the server for a kernel instead of starting a new Python. The server
   forks; the child makes itself a new session, switches to the submission's working
   directory and environment, applies the resource limits of
   :mod:`sfa_helpers.grading.kernel`, re-points the inherited compiled programs at the
   submission's *private copy* of the build cache (:func:`sfa_helpers.engine.relocate_after_fork`)
   and becomes an ordinary IPython kernel on the connection file the grader wrote.

What a forked kernel shares with its siblings: nothing writable. Memory is copy-on-write, the
compiled programs run from the submission's own copy, results go to its own scratch directory,
and the random generators are re-seeded from the OS. What it inherits that a fresh kernel would
not have: modules already imported and the instructor sheet's compiled programs and cached check
references in memory (objects a submission could reach with enough effort; see the threat model
in ``docs/grading.md``: a submission runs as the grader's user and can read the instructor files
anyway).

If the server cannot be reached, the provisioner falls back to launching the kernel spec's
command, so grading is never worse than without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import pathlib
import select
import signal
import socket
import subprocess
import sys
import time

from jupyter_client.provisioning import LocalProvisioner

#: Seconds the grader waits for the server's warm-up before grading without it.
STARTUP_TIMEOUT = 300.0
_REQUEST_TIMEOUT = 30.0


class ForkServerError(RuntimeError):
    """The fork server did not start or did not answer."""


# ------------------------------------------------------------------------------------------ #
# Client side (the grader)
# ------------------------------------------------------------------------------------------ #
class ForkServer:
    """A running fork server; use as a context manager. ``keys`` lists the compiled programs
    (build-cache keys) its warm-up holds; ``warmup`` is its report (cells run, failed, seconds)."""

    def __init__(self, process: subprocess.Popen, socket_path: str, report: dict):
        self.process = process
        self.socket_path = socket_path
        self.report = report
        self.keys = list(report.get("keys", []))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()          # the server leaves when its stdin closes
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            os.unlink(self.socket_path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def start(sheet_path: str, directory: str, env: dict, *, timeout: float = STARTUP_TIMEOUT) -> ForkServer:
    """Start a fork server warmed up on the instructor notebook ``sheet_path``.

    ``env`` is the server's whole environment (that of a trusted kernel: build cache,
    matplotlib directory); ``directory`` holds its socket and log. Raises
    :class:`ForkServerError` if it is not ready within ``timeout`` seconds.
    """
    from . import kernel

    socket_path = os.path.join(directory, "forkserver.sock")
    # As in a kernel (ipykernel sets it too): matplotlib is imported with the package, before
    # the warm-up could choose a backend.
    env = {"MPLBACKEND": "module://matplotlib_inline.backend_inline", **env}
    log = open(os.path.join(directory, "forkserver.log"), "wb")
    process = subprocess.Popen(
        [sys.executable, *kernel.SAFE_PYTHON, "-m", "sfa_helpers.grading.forkserver", socket_path,
         os.path.abspath(sheet_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env, cwd=directory,
        start_new_session=True)
    log.close()
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if ready else b""
    try:
        report = json.loads(line)
    except ValueError:
        report = None
    if not isinstance(report, dict) or not report.get("ready"):
        process.kill()
        process.wait()
        raise ForkServerError(f"the kernel fork server did not start (see {directory}/forkserver.log)")
    return ForkServer(process, socket_path, report)


def request_kernel(socket_path: str, connection_file: str, cwd: str, env: dict) -> int:
    """Ask the server for a kernel on ``connection_file``; return the kernel's process id."""
    request = json.dumps({"connection_file": connection_file, "cwd": cwd, "env": env}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(_REQUEST_TIMEOUT)
        conn.connect(socket_path)
        conn.sendall(request + b"\n")
        answer = _read_line(conn)
    reply = json.loads(answer or b"{}")
    if not isinstance(reply.get("pid"), int):
        raise ForkServerError(reply.get("error", "no answer from the kernel fork server"))
    return reply["pid"]


def _read_line(conn: socket.socket) -> bytes:
    """Bytes from ``conn`` up to and including a newline, or until the peer closes."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class _ForkedKernel:
    """The part of ``subprocess.Popen`` that a provisioner uses, for a process that is not our
    child (the fork server is its parent and reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None and not _alive(self.pid):
            self.returncode = -signal.SIGKILL   # the real status went to the fork server
        return self.returncode

    def wait(self, timeout=None):
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired("forked kernel", timeout)
            time.sleep(0.005)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """A kernel provisioner that gets its kernel from a fork server (see the module docstring).

    Set ``socket_path`` after construction; without it, or when the server does not answer,
    it behaves exactly like jupyter_client's ``LocalProvisioner``.
    """

    socket_path: str | None = None
    forked: bool = False

    async def launch_kernel(self, cmd, **kwargs):
        connection_file = cmd[cmd.index("-f") + 1] if "-f" in cmd else None
        if self.socket_path and connection_file:
            env = dict(kwargs.get("env") or {})
            cwd = str(kwargs.get("cwd") or os.getcwd())
            try:
                pid = await asyncio.get_running_loop().run_in_executor(
                    None, request_kernel, self.socket_path, connection_file, cwd, env)
            except (OSError, ValueError, ForkServerError) as err:
                self.log.warning("fork server unavailable (%s); starting a new kernel process", err)
            else:
                self.process = _ForkedKernel(pid)
                self.pid = self.pgid = pid          # the kernel leads its own session
                self.cwd = cwd
                self.forked = True
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)

    async def wait(self):
        # LocalProvisioner polls every 100 ms; a killed kernel is gone within a few ms.
        if self.process:
            while await self.poll() is None:
                await asyncio.sleep(0.005)
            if not isinstance(self.process, _ForkedKernel):
                return await super().wait()
            ret = self.process.returncode
            self.process = None
            return ret
        return 0


def provisioner_for(km, socket_path: str | None) -> ForkProvisioner:
    """A :class:`ForkProvisioner` for the kernel manager ``km`` (assign to ``km.provisioner``
    before starting the kernel)."""
    import uuid

    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    provisioner.socket_path = socket_path
    return provisioner


# ------------------------------------------------------------------------------------------ #
# Server side
# ------------------------------------------------------------------------------------------ #
#: The variable through which a kernel learns its student (``grader.STUDENT_ENV``).
_STUDENT_ENV = "SFA_STUDENT_ID"


def _variant_students(number: str) -> list:
    """One made-up student id per variant of sheet ``number`` but variant 0 (which the first
    pass of the warm-up uses); [] for a sheet without variants."""
    try:
        from sfa_helpers.checks import variants

        count = len(variants._tables(number)[0])
    except (ImportError, AttributeError):
        return []
    found = {}
    for k in range(100_000):
        index = variants.variant_index(number, f"warm-up-{k}", count)
        if index:
            found.setdefault(index, f"warm-up-{k}")
        if len(found) == count - 1:
            break
    return [found[i] for i in sorted(found)]


def _warm_up(sheet_path: str) -> dict:
    """Import what a kernel imports and execute the sheet's code cells once as plain Python.

    IPython syntax (magics, shell escapes) is translated and skipped where it needs a shell; a
    cell that fails is counted, not fatal: what it would have compiled is compiled later, in the
    kernel that needs it.
    """
    start = time.monotonic()
    import ipykernel.kernelapp  # noqa: F401 - imported here so that kernels start without it
    import matplotlib
    import nbformat
    import numpy as np
    from IPython.core.inputtransformer2 import TransformerManager

    import sfa_helpers  # noqa: F401
    import sfa_helpers.checks  # noqa: F401
    from sfa_helpers import engine

    printoptions = np.get_printoptions()
    rc = matplotlib.rcParams.copy()
    transform = TransformerManager().transform_cell
    namespace: dict = {"__name__": "__main__"}
    run = failed = 0
    sink = io.StringIO()
    notebook = nbformat.read(sheet_path, as_version=4)
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        # once as the sheet is, then once more per other variant of a sheet with per-student
        # variants: the checks' references of every variant (runs, fits, exact updates) are
        # then computed and cached here, and every forked kernel inherits them
        for student in [None, *_variant_students(pathlib.Path(sheet_path).stem[:2])]:
            if student is not None:
                os.environ[_STUDENT_ENV] = student
            for cell in notebook.cells:
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                run += 1
                try:
                    exec(compile(transform(cell.source), f"<warm-up cell {run}>", "exec"), namespace)
                except BaseException:  # noqa: BLE001 - anything the sheet raises is not fatal here
                    failed += 1
                sink.seek(0)
                sink.truncate()
            import matplotlib.pyplot as plt

            plt.close("all")
        os.environ.pop(_STUDENT_ENV, None)
    namespace.clear()
    np.set_printoptions(**printoptions)
    with contextlib.suppress(Exception):
        matplotlib.rcParams.update({k: v for k, v in rc.items() if k != "backend"})
    import gc

    gc.collect()
    return {"keys": engine.compiled_keys(), "cells": run, "failed": failed,
            "seconds": round(time.monotonic() - start, 2)}


def _forget_brian2_log_files() -> None:
    """Brian2 redirects a compiler's output into two log files it makes once per process, in
    the temporary folder of the time (``std_silent``): the server's, which a sandboxed kernel
    cannot see, so reading them back after a failed build raised FileNotFoundError and hid the
    real error. The kernel makes its own, in its own temporary folder."""
    try:
        from brian2.utils.logger import std_silent
    except ImportError:  # pragma: no cover - brian2 is a dependency
        return
    for name in ("dest_stdout", "dest_stderr"):
        handle = getattr(std_silent, name, None)
        if handle is not None:
            try:
                handle.close()
            except OSError:
                pass
        setattr(std_silent, name, None)


def _become_kernel(connection_file: str, cwd: str, env: dict) -> None:
    """In the forked child: set up the submission's process, then run an IPython kernel."""
    import random
    import tempfile

    import numpy as np

    from sfa_helpers import engine
    from sfa_helpers.grading import kernel

    os.setsid()
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = None
    _forget_brian2_log_files()
    kernel.enter_sandbox(cwd, env)  # fails closed: an exception ends this child, unsandboxed never
    # the kernel ends when its parent does: the server, or in the sandbox its process 1
    parent = os.getppid()
    os.environ["JPY_PARENT_PID"] = str(parent)
    kernel.apply_limits(os.environ)
    engine.relocate_after_fork()
    random.seed()
    np.random.seed()
    from ipykernel.kernelapp import IPKernelApp

    sys.argv = [sys.executable, "-f", connection_file]
    # The kernel ends when the server ends (the server ends with the grader). The option must be
    # explicit: IPKernelApp read $JPY_PARENT_PID when the server imported it.
    app = IPKernelApp.instance()
    app.initialize(["-f", connection_file, f"--IPKernelApp.parent_handle={parent}", kernel.IGNORE_CWD,
                    kernel.NO_FIGURE_IMAGES])
    if "matplotlib_inline.backend_inline" in sys.modules:
        # The inline backend hooks into IPython when it is imported inside a kernel; the server
        # imported it before any kernel existed, so hook it up as `%matplotlib inline` would
        # (figures left open are shown and closed at the end of each cell, as in a new kernel).
        app.shell.enable_matplotlib("inline")
        # the server made the backend's configuration before the kernel's options existed, so
        # kernel.NO_FIGURE_IMAGES is applied here: figures are shown as text, not rendered
        from matplotlib_inline.config import InlineBackend

        InlineBackend.instance().figure_formats = set()
    app.start()


def _listen(socket_path: str) -> socket.socket:
    """The server's listening socket, bound before the server says it is ready (a grader that
    connects right after the ready line must find it)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    os.chmod(socket_path, 0o600)
    server.listen(16)
    return server


def _serve(server: socket.socket, socket_path: str) -> None:
    stdin = sys.stdin.fileno()
    while True:
        readable, _, _ = select.select([server, stdin], [], [])
        if stdin in readable and not os.read(stdin, 4096):
            break                                  # the grader closed our stdin: leave
        if server not in readable:
            continue
        conn, _ = server.accept()
        with conn:
            try:
                # a request is one short JSON line from the grader: anything else (a kernel's
                # link to this socket, followed by the grader's ZeroMQ, which greets with 0xFF)
                # is refused at its first byte, so that it cannot hold up other kernels' requests
                conn.settimeout(5.0)
                if conn.recv(1, socket.MSG_PEEK) != b"{":
                    raise ValueError("not a kernel request")
                request = json.loads(_read_line(conn))
                pid = os.fork()
                if pid == 0:
                    status = 1
                    try:
                        server.close()
                        conn.close()
                        _become_kernel(request["connection_file"], request["cwd"], request["env"])
                        status = 0
                    finally:
                        os._exit(status)
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except Exception as err:  # noqa: BLE001 - a bad request must not end the server
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps({"error": f"{type(err).__name__}: {err}"}).encode() + b"\n")
    server.close()
    with contextlib.suppress(OSError):
        os.unlink(socket_path)


def main(argv=None) -> int:
    socket_path, sheet_path = (argv or sys.argv[1:])[:2]
    report = _warm_up(sheet_path)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # from now on, the OS reaps the kernels
    server = _listen(socket_path)
    print(json.dumps({"ready": True, **report}), flush=True)
    _serve(server, socket_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
