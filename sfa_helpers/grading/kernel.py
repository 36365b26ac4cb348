"""Kernel launcher for grading: apply resource limits, then become an ordinary IPython kernel.

The grader's kernel spec runs ``python -m sfa_helpers.grading.kernel -f {connection_file}``.
Limits come from environment variables set by the grader (absent or 0 = no limit):

``SFA_GRADE_MEMORY``     address space in bytes (RLIMIT_AS), inherited by the compiler and the
                         compiled simulation
``SFA_GRADE_CPU``        CPU seconds (RLIMIT_CPU) of the kernel process and of each child
``SFA_GRADE_FILESIZE``   largest file the kernel may write, in bytes (RLIMIT_FSIZE)
``SFA_GRADE_NPROC``      extra processes the grading user may start (RLIMIT_NPROC is per user,
                         so the limit is the user's current process count plus this number;
                         the kernel of a sandbox has a user of its own, see below)
``SFA_GRADE_SANDBOX``    ``1``: enter the sandbox of :mod:`sfa_helpers.grading.sandbox` first
                         (in the working directory), or fail
"""

from __future__ import annotations

import os
import resource
import sys

#: Environment variable that asks the kernel to enter the sandbox.
SANDBOX_VARIABLE = "SFA_GRADE_SANDBOX"
#: Environment variable naming the folder of the kernel's Unix sockets (writable in the sandbox).
SOCKETS_VARIABLE = "SFA_GRADE_SOCKETS"
#: Python options of every process that becomes a kernel: no working directory (``-P``) and no
#: user site folder (``-s``) on ``sys.path``; both are in the submission's writable folder.
SAFE_PYTHON = ("-P", "-s")
#: The kernel's own option to the same end (IPython adds the working directory otherwise).
IGNORE_CWD = "--IPKernelApp.ignore_cwd=True"
#: Figures are not rendered to images: the grader discards a submission's outputs, and a plot
#: task is checked from the figure's artists (:mod:`sfa_helpers.checks.figures`), which need no
#: drawing. The inline backend still shows (as text) and closes every figure at the end of each
#: cell, as in the student's notebook; a ``%matplotlib inline`` in the submission keeps this
#: setting. Rendering cost 0.1-0.2 s per figure, several times per sheet.
NO_FIGURE_IMAGES = "--InlineBackend.figure_formats=[]"


def enter_sandbox(cwd: str, environ=os.environ) -> None:
    """Enter :mod:`.sandbox` if ``environ`` asks for it (the working directory and the socket
    folder writable); afterwards the kernel's parent is the sandbox's process 1."""
    if environ.get(SANDBOX_VARIABLE) != "1":
        return
    import logging

    from . import sandbox

    # the sandbox closes every inherited file: first detach the log files that would write to
    # them (Brian2's debug log, opened in the fork server, is one file shared by every kernel)
    for logger in (logging.getLogger("brian2"), logging.getLogger()):
        for handler in list(logger.handlers):
            if isinstance(handler, logging.FileHandler):
                logger.removeHandler(handler)
                handler.close()
    sockets = environ.get(SOCKETS_VARIABLE)
    sandbox.enter(cwd, writable=[sockets] if sockets else (),
                  memory=int(environ.get("SFA_GRADE_MEMORY") or 0))


def _user_processes() -> int:
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def apply_limits(environ=os.environ) -> None:
    def limit(name, value):
        soft, hard = resource.getrlimit(name)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(name, (value, value if hard == resource.RLIM_INFINITY else hard))

    for variable, rlimit in (("SFA_GRADE_MEMORY", resource.RLIMIT_AS),
                             ("SFA_GRADE_CPU", resource.RLIMIT_CPU),
                             ("SFA_GRADE_FILESIZE", resource.RLIMIT_FSIZE)):
        value = int(environ.get(variable) or 0)
        if value > 0:
            limit(rlimit, value)
    extra = int(environ.get("SFA_GRADE_NPROC") or 0)
    if extra > 0 and os.getuid() != 0 and os.path.isdir("/proc"):
        limit(resource.RLIMIT_NPROC, _user_processes() + extra)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main() -> None:
    if os.environ.get(SANDBOX_VARIABLE) == "1":
        enter_sandbox(os.getcwd())
        # ipykernel ends when its parent changes: the parent is now the sandbox's process 1
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
    apply_limits()
    os.execv(sys.executable, [sys.executable, *SAFE_PYTHON, "-m", "ipykernel_launcher", IGNORE_CWD,
                              NO_FIGURE_IMAGES, *sys.argv[1:]])


if __name__ == "__main__":
    main()
