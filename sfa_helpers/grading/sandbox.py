"""Run a grading kernel in a sandbox: its own mount, network, process, IPC and host namespaces.

What the kernel of a submission sees after :func:`enter`:

* a new root file system on a ``tmpfs`` with, read-only, ``/usr`` (and the ``/bin``, ``/lib``
  links of a merged ``/usr``), a few files of ``/etc`` (the dynamic linker's cache, fonts,
  ``passwd``), the Python installation and its virtual environment, and the course package's
  own folder; **not** the project around it (``solutions/``), the grader's batch folder, other
  submissions, the instructor's caches or anything in the home directories;
* read-write only its own working directory (its home, its private copy of the compiled
  simulations, the connection file) and a short-named folder for the kernel's sockets (a Unix
  socket's path may not exceed 107 bytes), each at the same path as outside;
* a private ``/tmp`` and ``/dev/shm`` (``tmpfs`` of bounded size, gone with the kernel),
  ``/dev/null``, ``/dev/zero``, ``/dev/urandom``, ``/dev/random``, and a ``/proc`` that shows
  only its own processes;
* no network at all (a new network namespace with only a loopback that is down); the grader
  talks to the kernel through Unix sockets in its working directory (ZeroMQ ``ipc``);
* its own process-id namespace: it is process 1 there, cannot see or signal the grader, the
  fork server or other kernels, and every process it starts dies with it (no background job
  outlives the kernel);
* an unprivileged user id of its own (no root, no capabilities, ``no_new_privs``), so the
  resource limits of :mod:`.kernel`, the process limit included, apply.

It uses the Linux system calls directly (``unshare``, ``mount``, ``pivot_root``), as Debian's
``bubblewrap`` does, because the kernel is *forked* from the pre-warmed fork server and must
enter the sandbox in that forked process; a helper program could only sandbox a new process.
It needs root (a container's root is enough if it may create namespaces). Without it,
:func:`available` says why, and ``sfa-grade`` grades without a sandbox and says so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import signal
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41}

#: Files and folders of ``/etc`` the kernel needs (dynamic linker, users, fonts, time zone,
#: the compiler's alternatives); the rest of ``/etc`` stays out of view.
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf",
       "localtime", "timezone", "fonts", "alternatives", "mime.types")
#: First user id of the sandboxed kernels; each kernel gets its own, so the per-user process
#: limit counts only its own processes.
FIRST_UID = 200_000
UID_RANGE = 60_000
#: Sizes of the private ``/tmp`` and ``/dev/shm``.
TMP_SIZE = "256m"
SHM_SIZE = "256m"

_libc = None


class SandboxError(OSError):
    """The sandbox could not be set up."""


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise SandboxError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    enc = (lambda s: s.encode() if isinstance(s, str) else s)
    _check(_c().mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {source} on {target}")


def _pivot_root(new_root: str, put_old: str) -> None:
    import platform

    number = _SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise SandboxError(errno.ENOSYS, f"pivot_root: unknown machine {platform.machine()}")
    _check(_c().syscall(ctypes.c_long(number), new_root.encode(), put_old.encode()), "pivot_root")


def available() -> "tuple[bool, str]":
    """``(True, '')`` if kernels can be sandboxed here, else ``(False, why)``."""
    if not sys.platform.startswith("linux"):
        return False, "the sandbox needs Linux namespaces"
    if os.geteuid() != 0:
        return False, "the sandbox needs root (run sfa-grade as root, e.g. in a container)"
    if platform_machine() not in _SYS_PIVOT_ROOT:
        return False, f"no sandbox for this processor ({platform_machine()})"
    pid = os.fork()
    if pid == 0:  # try in a child, which then leaves
        try:
            _check(_c().unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID),
                   "unshare")
            _mount(None, "/", None, MS_REC | MS_PRIVATE)
            os._exit(0)
        except BaseException:  # noqa: BLE001
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return False, "creating namespaces is not allowed here (a container without CAP_SYS_ADMIN?)"
    return True, ""


def platform_machine() -> str:
    import platform

    return platform.machine()


def readonly_paths() -> list:
    """What a kernel reads: ``/usr`` and friends, the Python installation, the virtual
    environment and the course package's folder (not the project around it)."""
    import sfa_helpers

    paths = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
    paths += [os.path.join("/etc", name) for name in ETC]
    paths += [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix),
              os.path.dirname(os.path.realpath(sfa_helpers.__file__))]
    return [p for p in dict.fromkeys(paths) if os.path.lexists(p)]


def uid_for(pid: int) -> int:
    """The unprivileged user id of the kernel whose outer process id is ``pid``."""
    return FIRST_UID + pid % UID_RANGE


def _own(path: str, uid: int) -> None:
    """Give ``path`` and everything under it to ``uid`` (without following links)."""
    os.chown(path, uid, uid, follow_symlinks=False)
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)


def _bind(source: str, root: str, *, writable: bool = False, recursive: bool = True) -> None:
    target = root + source
    if os.path.islink(source) and os.path.dirname(source) == "/":
        # /bin -> usr/bin on a merged /usr: the same link in the new root
        os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | (MS_REC if recursive else 0))
    if not writable:
        _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def enter(workdir: str, readonly=None, writable=()) -> None:
    """Move the calling process into a new sandbox (see the module docstring); return in it.

    The caller must be root and single-threaded (the fork server's child, or the kernel
    launcher). Three processes result: the caller stays outside, waits and exits with the
    kernel's status (and passes on SIGINT, and SIGTERM as SIGKILL); inside, process 1 of the
    new process-id namespace sets up the file system, drops root and then only reaps
    processes until the kernel ends (killing process 1 ends every process of the sandbox);
    process 2 returns from this function, in ``workdir``, unprivileged. Each dies with its
    parent.
    """
    workdir = os.path.realpath(workdir)
    readonly = readonly_paths() if readonly is None else list(readonly)
    writable = [workdir] + [os.path.realpath(p) for p in writable]
    uid = uid_for(os.getpid())
    for path in writable:
        _own(path, uid)
    _check(_c().unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID),
           "unshare")
    pid = os.fork()
    if pid:
        _wait_and_exit(pid, outside=True)
    _check(_c().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    _build_root(writable, readonly)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _check(_c().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    os.chdir(workdir)
    pid = os.fork()
    if pid:
        _wait_and_exit(pid, outside=False)
    _check(_c().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")


def _build_root(writable, readonly) -> None:
    """Mount the sandbox's file system and make it the root (see the module docstring);
    ``writable[0]`` is the working directory."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = os.path.join(writable[0], ".sandbox-root")
    os.makedirs(root, exist_ok=True)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m")
    for folder, size in (("/tmp", TMP_SIZE), ("/dev/shm", SHM_SIZE)):
        os.makedirs(root + folder, exist_ok=True)
        _mount("tmpfs", root + folder, "tmpfs", MS_NOSUID | MS_NODEV,
               f"mode=1777,size={size}")
    for path in readonly:
        _bind(path, root)
    # after /tmp: the working directory is usually below it; not recursive: not the new root
    # mounted inside it
    for path in writable:
        _bind(path, root, writable=True, recursive=False)
    for device in ("null", "zero", "urandom", "random", "full"):
        if os.path.exists(f"/dev/{device}"):
            target = f"{root}/dev/{device}"
            open(target, "a").close()
            _mount(f"/dev/{device}", target, None, MS_BIND)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + "/.old-root", exist_ok=True)
    _pivot_root(root, root + "/.old-root")
    os.chdir("/")
    _check(_c().umount2(b"/.old-root", MNT_DETACH), "umount old root")
    os.rmdir("/.old-root")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _wait_and_exit(child: int, *, outside: bool) -> None:
    """Wait for ``child`` and exit with its status, dying with our own parent. Outside the
    sandbox: pass SIGINT on (the grader's interrupt) and turn SIGTERM into SIGKILL. As process
    1 inside: also reap every orphan of the sandbox, and pass SIGINT on to the kernel."""
    _c().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def forward(signum, _frame):
        try:
            os.kill(child, signal.SIGKILL if signum == signal.SIGTERM and outside else signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    status = 0
    while True:
        try:
            pid, status_now = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            break
        if pid == child:
            status = status_now
            break
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)
