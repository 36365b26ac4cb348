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
* a private ``/tmp`` and ``/dev/shm`` (``tmpfs`` of 64 MB, gone with the kernel),
  ``/dev/null``, ``/dev/zero``, ``/dev/full``, ``/dev/urandom``, ``/dev/random``, and a
  ``/proc`` that shows only its own processes; no file descriptor of the process it came from;
* no network at all (a new network namespace with only a loopback that is down); the grader
  talks to the kernel through Unix sockets in its working directory (ZeroMQ ``ipc``);
* its own process-id namespace: it cannot see or signal the grader, the
  fork server or other kernels, and every process it starts dies with it (no background job
  outlives the kernel): the kernel is process 2 there, process 1 only reaps and ends with it;
* a memory control group of its own where the machine has one: all its processes together
  (and its ``/tmp`` and ``/dev/shm``) stay within the memory limit;
* an unprivileged user id of its own (no root, no capabilities, ``no_new_privs``), so the
  resource limits of :mod:`.kernel`, the process limit included, apply; binds are never
  set-uid or device files.

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
#: First user id of the sandboxed kernels; each submission gets its own (this plus the process
#: id of its first kernel, which no other live kernel has), so the per-user process limit counts
#: only its own processes and kernels cannot signal each other.
FIRST_UID = 200_000
#: Sizes of the private ``/tmp`` and ``/dev/shm`` (memory, outside the address-space limit;
#: the kernel's temporary files go to its home).
TMP_SIZE = "64m"
SHM_SIZE = "64m"

_libc = None


class SandboxError(OSError):
    """The sandbox could not be set up."""


def _c():
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL("libc.so.6", use_errno=True)
        except OSError:  # not glibc: look it up (runs ldconfig once)
            _libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
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


#: What :func:`available` runs in a new process: a whole sandbox in a scratch folder, in which
#: the kernel's imports and the compiler must work.
_TRIAL = r"""
import os, subprocess, sys, tempfile
from sfa_helpers.grading import sandbox
work = tempfile.mkdtemp(prefix="sfa-sandbox-trial-")
os.makedirs(os.path.join(work, "home"))
sandbox.enter(work)
assert os.getuid() >= sandbox.FIRST_UID and not os.path.exists("/root/.cache")
import numpy, brian2, ipykernel, sfa_helpers.checks
assert subprocess.run(["g++", "--version"], capture_output=True).returncode == 0
open(os.path.join(work, "home", "ok"), "w").close()
"""


def available() -> "tuple[bool, str]":
    """``(True, '')`` if kernels can be sandboxed here, else ``(False, why)``: a whole sandbox
    is tried in a new process (namespaces, mounts, the unprivileged user, the kernel's imports,
    the compiler), so that a machine where any step fails grades without it (or refuses)
    instead of starting kernels that die."""
    import shutil
    import subprocess
    import tempfile

    if not sys.platform.startswith("linux"):
        return False, "the sandbox needs Linux namespaces"
    if os.geteuid() != 0:
        return False, "the sandbox needs root (run sfa-grade as root, e.g. in a container)"
    if platform_machine() not in _SYS_PIVOT_ROOT:
        return False, f"no sandbox for this processor ({platform_machine()})"
    scratch = tempfile.mkdtemp(prefix="sfa-sandbox-probe-")
    try:
        done = subprocess.run([sys.executable, "-c", _TRIAL], capture_output=True, text=True,
                              timeout=120, env={**os.environ, "TMPDIR": scratch})
    except subprocess.TimeoutExpired:
        return False, "a trial sandbox did not finish within 2 minutes"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return False, f"a trial sandbox failed here ({last[:200]})"
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


def _owner_uid(workdir: str) -> int:
    """The user id of the submission in ``workdir``: the one its folder already has (a
    restarted kernel), else a new one, and the folder is given to it (once, before any of
    its code ran, so the walk meets no link the submission made)."""
    owner = os.lstat(workdir).st_uid
    if owner >= FIRST_UID:
        return owner
    uid = FIRST_UID + os.getpid()
    for folder, dirs, files, fd in os.fwalk(workdir, follow_symlinks=False):
        os.chown(fd, uid, uid)
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            os.chown(name, uid, uid, dir_fd=fd, follow_symlinks=False)
    return uid


def _bind(source: str, root: str, *, writable: bool = False) -> None:
    """Bind ``source`` at the same path under ``root``: read-only unless ``writable``, never
    set-uid or device files, and without the mounts below it (a mount inside ``/usr`` stays
    out of view rather than writable)."""
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
    _mount(source, target, None, MS_BIND)
    _mount(None, target, None,
           MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (0 if writable else MS_RDONLY))


#: Where the control groups are (cgroup v2: one tree; v1: one tree per controller).
CGROUP_ROOT = "/sys/fs/cgroup"


def _memory_group(uid: int, limit: int) -> list:
    """Put the calling process (and so everything the sandbox will start) into a memory control
    group of its own, at most ``limit`` bytes in all: every process of the submission together,
    its ``/tmp`` and ``/dev/shm`` included, where the address-space limit bounds each process
    alone. Returns the group folders to remove afterwards ([] where control groups cannot be
    used: then only the per-process limit applies)."""
    if limit <= 0 or not os.path.isdir(CGROUP_ROOT):
        return []
    name = f"sfa-grade-{uid}"
    try:
        if os.path.exists(os.path.join(CGROUP_ROOT, "cgroup.controllers")):  # cgroup v2
            try:
                with open(os.path.join(CGROUP_ROOT, "cgroup.subtree_control"), "w") as f:
                    f.write("+memory")
            except OSError:
                pass
            folder, limit_file = os.path.join(CGROUP_ROOT, name), "memory.max"
        else:  # cgroup v1
            folder, limit_file = os.path.join(CGROUP_ROOT, "memory", name), "memory.limit_in_bytes"
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, limit_file), "w") as f:
            f.write(str(int(limit)))
        with open(os.path.join(folder, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
        return [folder]
    except OSError:
        return []


_ROOT_PARENT = "/tmp" if os.path.isdir("/tmp") else None


def _group_folders(uid: int) -> list:
    name = f"sfa-grade-{uid}"
    return [os.path.join(CGROUP_ROOT, name), os.path.join(CGROUP_ROOT, "memory", name)]


def cleanup(uid: int, wait: float = 2.0) -> None:
    """Remove what the sandboxes of user ``uid`` leave when they are killed, not ended (the
    grader kills a kernel's session with SIGKILL, and the process outside then cannot clean up):
    the empty mount points of their roots and their memory control groups (which can be removed
    only once their processes are gone: tried for up to ``wait`` seconds)."""
    import glob
    import time

    if uid < FIRST_UID:
        return
    for folder in glob.glob(os.path.join(_ROOT_PARENT or "/tmp", f"sfa-root-{uid}-*")):
        try:
            os.rmdir(folder)
        except OSError:
            pass
    end = time.monotonic() + wait
    for folder in _group_folders(uid):
        while os.path.isdir(folder):
            try:
                os.rmdir(folder)
            except OSError:
                if time.monotonic() > end:
                    break
                time.sleep(0.02)


def _live_uids() -> set:
    """The real user ids of the processes running now."""
    uids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as f:
                    for line in f:
                        if line.startswith("Uid:"):
                            uids.add(int(line.split()[1]))
                            break
            except (OSError, ValueError, IndexError):
                pass
    return uids


#: Age in seconds after which :func:`cleanup_stale` may remove a sandbox's leftovers: longer
#: than any notebook's time limit, because a sandbox being set up, or between two kernels of
#: one submission, has folders but not yet a process of its user.
STALE_AFTER = 3600.0


def cleanup_stale(min_age: float = STALE_AFTER) -> None:
    """Remove what sandboxes of earlier batches left because the grader itself was killed
    (SIGKILL, a power cut): mount points, control groups and socket folders at least
    ``min_age`` seconds old of sandbox users that have no process left. Sandboxes of a batch
    running beside this one keep theirs."""
    import glob
    import re as _re
    import shutil
    import time

    parent = _ROOT_PARENT or "/tmp"
    candidates = {}
    for path in glob.glob(os.path.join(parent, "sfa-root-*")):
        match = _re.match(r"sfa-root-(\d+)-", os.path.basename(path))
        if match:
            candidates.setdefault(int(match.group(1)), []).append(path)
    for path in glob.glob(os.path.join(parent, "sfa-k*")):
        # a socket folder is the sandbox user's while its kernel starts, the grader's (root's)
        # once it answers (runner._close_socket_folder): then its sockets tell the user
        try:
            owners = {os.lstat(path).st_uid} | {os.lstat(os.path.join(path, name)).st_uid
                                                for name in os.listdir(path)}
        except OSError:
            continue
        users = sorted(o for o in owners if o >= FIRST_UID)
        candidates.setdefault(users[0] if users else FIRST_UID - 1, []).append(path)
    for base in (CGROUP_ROOT, os.path.join(CGROUP_ROOT, "memory")):
        for path in glob.glob(os.path.join(base, "sfa-grade-*")):
            match = _re.fullmatch(r"sfa-grade-(\d+)", os.path.basename(path))
            if match:
                candidates.setdefault(int(match.group(1)), []).append(path)
    if not candidates:
        return
    live = _live_uids()
    now = time.time()
    for uid, paths in candidates.items():
        # FIRST_UID - 1: socket folders of the grader's where no kernel ever made a socket
        if uid < FIRST_UID - 1 or uid in live:
            continue
        for path in paths:
            try:
                if now - os.lstat(path).st_mtime < min_age:
                    continue
            except OSError:
                continue
            if os.path.basename(path).startswith("sfa-k") and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.rmdir(path)
                except OSError:
                    pass


def _leave_groups(folders) -> None:
    """Move the calling process back to the parent groups and remove ``folders``."""
    for folder in folders:
        try:
            with open(os.path.join(os.path.dirname(folder), "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
            os.rmdir(folder)
        except OSError:
            pass


def enter(workdir: str, readonly=None, writable=(), memory: int = 0) -> None:
    """Move the calling process into a new sandbox (see the module docstring); return in it.

    The caller must be root and single-threaded (the fork server's child, or the kernel
    launcher). Three processes result: the caller stays outside, waits and exits with the
    kernel's status (and passes on SIGINT, and SIGTERM as SIGKILL); inside, process 1 of the
    new process-id namespace sets up the file system, drops root and then only reaps
    processes until the kernel ends (killing process 1 ends every process of the sandbox);
    process 2 returns from this function, in ``workdir``, unprivileged. Each dies with its
    parent. ``memory`` (bytes, 0: none) bounds all the sandbox's processes together
    (:func:`_memory_group`).
    """
    import tempfile

    workdir = os.path.realpath(workdir)
    readonly = readonly_paths() if readonly is None else list(readonly)
    writable = [workdir] + [os.path.realpath(p) for p in writable]
    uid = _owner_uid(workdir)
    for path in writable[1:]:  # the socket folder: new files of the grader's (connection file)
        os.chown(path, uid, uid, follow_symlinks=False)
        for name in os.listdir(path):
            os.chown(os.path.join(path, name), uid, uid, follow_symlinks=False)
    # the new root's mount point: a fresh folder of root's, not one the submission could replace
    # (named by the user id, so that the grader can remove it after killing the sandbox: cleanup)
    root = tempfile.mkdtemp(prefix=f"sfa-root-{uid}-", dir=_ROOT_PARENT)
    # the caller stays in the machine's namespaces (only its children get the new process-id
    # namespace), so that it can remove the mount point once the sandbox has gone
    groups = _memory_group(uid, memory)
    _check(_c().unshare(CLONE_NEWPID), "unshare(pid)")
    pid = os.fork()
    if pid:
        _set_oom_score(-1000)  # out of memory, the submission's own processes go, not this one
        _wait_and_exit(pid, outside=True, cleanup=root, groups=groups)
    _die_with_parent()
    _set_oom_score(-1000)      # nor process 1 (it sets this while root; the kernel resets it)
    _check(_c().unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    _build_root(root, writable, readonly)
    # nothing the caller had open (a log file of Brian2's, the server's /dev/null) goes inside
    os.closerange(3, _max_fd())
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _check(_c().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    os.chdir(workdir)
    pid = os.fork()
    if pid:
        _wait_and_exit(pid, outside=False)
    _die_with_parent()
    _set_oom_score(0)


def _set_oom_score(value: int) -> None:
    """This process's ``oom_score_adj`` (-1000: never chosen when memory runs out)."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(value))
    except OSError:
        pass


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 20)
    except (ValueError, OSError):
        return 4096


def _die_with_parent() -> None:
    """SIGKILL this process when its parent ends, and end now if it already has (in a new
    process-id namespace the parent of process 1 shows as 0, of process 2 as 1)."""
    parent = os.getppid()
    _check(_c().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    if os.getppid() != parent:
        os._exit(1)


def _build_root(root: str, writable, readonly) -> None:
    """Mount the sandbox's file system on the empty folder ``root`` and make it the root (see
    the module docstring)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m")
    for folder, size in (("/tmp", TMP_SIZE), ("/dev/shm", SHM_SIZE)):
        os.makedirs(root + folder, exist_ok=True)
        _mount("tmpfs", root + folder, "tmpfs", MS_NOSUID | MS_NODEV,
               f"mode=1777,size={size}")
    for path in readonly:
        _bind(path, root)
    # after /tmp: the working directory is usually below it
    for path in writable:
        _bind(path, root, writable=True)
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


def _wait_and_exit(child: int, *, outside: bool, cleanup: "str | None" = None,
                   groups=()) -> None:
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
    if cleanup:
        try:
            os.rmdir(cleanup)
        except OSError:
            pass
    _leave_groups(groups)
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)
