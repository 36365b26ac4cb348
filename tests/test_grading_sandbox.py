"""The grading sandbox (sfa_helpers.grading.sandbox), probed from inside as a submission would.

A process forks, enters the sandbox in a fresh working directory and reports what it can see
and do; each assertion is something an attack of issue 18 relied on. Needs root (CI runs as
root); without it the sandbox is unavailable and sfa-grade says so (tested at the end).
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

from sfa_helpers.grading import sandbox

ROOT = pathlib.Path(__file__).resolve().parents[1]
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox needs root")

PROBE = r'''
import json, os, pathlib, socket, subprocess, sys
from sfa_helpers.grading import sandbox
work, other, marker = sys.argv[1], sys.argv[2], sys.argv[3]
pid = os.fork()
if pid == 0:
    leaked = os.open(other, os.O_RDONLY)  # a descriptor of the host, opened before entering
    sandbox.enter(work)
    try:
        os.listdir(leaked)
        inherited = True
    except OSError:
        inherited = False
    out = {"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(),
           "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
           "solutions": os.path.exists(sys.argv[4]), "other": os.path.exists(other),
           "host_tmp_file": os.path.exists(marker), "inherited_fd": inherited}
    for name, path in (("write_usr", "/usr/sandbox-probe"), ("write_root", "/probe"),
                       ("write_home", os.path.join(work, "home", "probe.txt"))):
        try:
            with open(path, "w") as f:
                f.write("x")
            out[name] = True
        except OSError:
            out[name] = False
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=1)
        out["network"] = True
    except OSError:
        out["network"] = False
    import numpy, brian2, sfa_helpers.checks  # what a kernel imports
    out["compiler"] = subprocess.run(["g++", "--version"], capture_output=True).returncode == 0
    # a background job in a session of its own, as in the 'background_job' submission
    subprocess.Popen(["sleep", "31.25"], start_new_session=True)
    with open(os.path.join(work, "report.json"), "w") as f:
        json.dump(out, f)
    os._exit(0)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
'''


@needs_root
def test_a_sandboxed_process_sees_and_reaches_only_its_own_folder(tmp_path):
    work = tmp_path / "sub-a"
    (work / "home").mkdir(parents=True)
    other = tmp_path / "sub-b"
    other.mkdir()
    (other / "result.json").write_text("{}")
    marker = pathlib.Path(f"/tmp/sfa-sandbox-marker-{os.getpid()}")
    marker.write_text("host /tmp")
    try:
        done = subprocess.run([sys.executable, "-c", PROBE, str(work), str(other), str(marker),
                               str(ROOT / "solutions")], capture_output=True, text=True, timeout=120)
    finally:
        marker.unlink()
    assert done.stdout.strip() == "0", done.stderr
    report = json.loads((work / "report.json").read_text())
    assert report["uid"] >= sandbox.FIRST_UID          # not root
    assert report["pid"] == 2 and report["processes"][:2] == [1, 2]  # its own namespace
    assert report["cwd"] == str(work)
    assert report["solutions"] is False and report["other"] is False
    assert report["host_tmp_file"] is False             # a private /tmp
    assert report["write_usr"] is False and report["write_root"] is False
    assert report["write_home"] is True and (work / "home" / "probe.txt").read_text() == "x"
    assert report["network"] is False
    assert report["inherited_fd"] is False              # no descriptor of the host inside
    assert report["compiler"] is True
    # the background job died with the sandbox
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        jobs = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p) == [b"sleep", b"31.25"]]
        if not jobs:
            break
        time.sleep(0.1)
    assert not jobs, "a process started in the sandbox outlived it"
    assert (other / "result.json").read_text() == "{}"


def _cmdline(pid: str) -> list:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(bytes(1))[:2]
    except OSError:
        return []


@needs_root
def test_sandbox_is_available_here():
    assert sandbox.available() == (True, "")


def test_without_root_grading_says_so_or_refuses(monkeypatch, capsys):
    from sfa_helpers.grading import cli

    monkeypatch.setattr(sandbox, "available", lambda: (False, "the sandbox needs root"))
    assert cli.use_sandbox("auto") is False
    assert "WITHOUT a sandbox" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="needs root"):
        cli.use_sandbox("on")
    assert cli.use_sandbox("off") is False
    with pytest.raises(ValueError, match="sandbox"):
        cli.use_sandbox("maybe")


MEMORY_PROBE = r'''
import os, subprocess, sys
from sfa_helpers.grading import sandbox
work, limit = sys.argv[1], int(sys.argv[2])
pid = os.fork()
if pid == 0:
    sandbox.enter(work, memory=limit)
    # three processes of 160 MB each, alive at the same time: each within any per-process
    # limit. They mark themselves as the kernel's first choice when memory runs out (any
    # process may raise its own oom_score_adj): this process, which reports, has imported the
    # package and is not much smaller, so without it the kernel sometimes took it instead.
    hog = ("import time; open('/proc/self/oom_score_adj', 'w').write('1000'); "
           "b = bytearray(160 * 2**20); b[::4096] = b'x' * len(range(0, len(b), 4096)); "
           "time.sleep(1.5)")
    children = [subprocess.Popen([sys.executable, "-c", hog]) for _ in range(3)]
    finished = sum(child.wait() == 0 for child in children)
    with open(os.path.join(work, "finished"), "w") as f:
        f.write(str(finished))
    os._exit(0)
os.waitpid(pid, 0)
'''


@needs_root
@pytest.mark.skipif(not os.path.isdir(sandbox.CGROUP_ROOT), reason="no control groups here")
@pytest.mark.parametrize("limit, most", [(400 * 2 ** 20, 2), (0, 3)], ids=["bounded", "unbounded"])
def test_memory_bounds_all_processes_of_a_submission_together(tmp_path, limit, most):
    """480 MB in three processes: under a 400 MB bound for the whole sandbox at least one is
    killed; without it (the control) all three finish."""
    work = tmp_path / "sub"
    (work / "home").mkdir(parents=True)
    subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(work), str(limit)], timeout=120, check=True)
    finished = int((work / "finished").read_text())
    assert finished <= most if limit else finished == most
    uid = os.lstat(work).st_uid                          # the submission's user
    assert uid >= sandbox.FIRST_UID
    assert not any(os.path.exists(p) for p in sandbox._group_folders(uid))  # group removed


@needs_root
def test_cleanup_removes_what_a_killed_sandbox_leaves(tmp_path):
    """The grader kills a kernel's session with SIGKILL: the process outside cannot clean up,
    so sandbox.cleanup removes its mount point and control group."""
    uid = sandbox.FIRST_UID + 4_000_000 + os.getpid() % 1000   # not a live kernel's
    mount_point = pathlib.Path(f"/tmp/sfa-root-{uid}-probe")
    mount_point.mkdir()
    groups = sandbox._memory_group(uid, 2 ** 30)   # moves this process in: move it back
    for folder in groups:
        with open(os.path.join(os.path.dirname(folder), "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    sandbox.cleanup(uid)
    assert not mount_point.exists()
    assert not any(os.path.exists(p) for p in sandbox._group_folders(uid))


@needs_root
def test_stale_leftovers_of_a_killed_batch_are_removed_and_live_ones_kept(tmp_path):
    """A batch killed with SIGKILL leaves empty mount points, control groups and socket folders;
    a later batch removes those of users with no process left once they are old enough (a new
    sandbox has its folders before its first process), and keeps a live sandbox's."""
    dead = sandbox.FIRST_UID + 4_100_000 + os.getpid() % 1000
    mount_point = pathlib.Path(f"/tmp/sfa-root-{dead}-stale")
    mount_point.mkdir()
    sockets = pathlib.Path(f"/tmp/sfa-kstale{os.getpid()}")
    (sockets / "k0.json").parent.mkdir()
    (sockets / "k0.json").write_text("{}")
    os.chown(sockets, dead, dead)
    # socket folders given back to the grader once their kernel answered: root's, with the
    # sandbox user's sockets inside (a dead user's, and a live one's)
    closed = pathlib.Path(f"/tmp/sfa-kclosed{os.getpid()}")
    closed_live = pathlib.Path(f"/tmp/sfa-kclosedlive{os.getpid()}")
    for folder, user in ((closed, dead), (closed_live, sandbox.FIRST_UID)):
        folder.mkdir()
        (folder / "k0-1").write_text("")
        os.chown(folder / "k0-1", user, user)
    kept = pathlib.Path(f"/tmp/sfa-root-{sandbox.FIRST_UID}-kept-{os.getpid()}")
    kept.mkdir()
    # a live process of user FIRST_UID: its folders must stay
    probe = subprocess.Popen(["sleep", "30"], preexec_fn=lambda: os.setuid(sandbox.FIRST_UID))
    try:
        time.sleep(0.2)
        sandbox.cleanup_stale()  # all are new: a sandbox being set up looks like this
        assert mount_point.exists() and sockets.exists() and kept.exists() and closed.exists()
        sandbox.cleanup_stale(min_age=0)
        assert not mount_point.exists() and not sockets.exists() and not closed.exists()
        assert kept.exists(), "a folder of a user with a live process was removed"
        assert closed_live.exists(), "a socket folder of a live kernel was removed"
    finally:
        probe.kill()
        probe.wait()
        kept.rmdir()
        shutil.rmtree(closed_live, ignore_errors=True)


SOCKET_ATTACK = r'''
import glob, os
folder = os.environ["SFA_GRADE_SOCKETS"]
sockets = sorted(glob.glob(os.path.join(folder, "k0-*")))
tried = {}
for name, attempt in (("unlink", lambda: os.unlink(sockets[0])),
                      ("link", lambda: os.symlink("/run", os.path.join(folder, "k1-1"))),
                      ("rename", lambda: os.rename(sockets[0], sockets[0] + ".old")),
                      ("file", lambda: open(os.path.join(folder, "k1.json"), "w").close())):
    try:
        attempt()
        tried[name] = "done"
    except OSError as err:
        tried[name] = type(err).__name__
print("SOCKETS", len(sockets), sorted(tried.items()))
'''


@needs_root
def test_a_sandboxed_kernel_cannot_swap_its_sockets_once_running(tmp_path):
    """The kernel makes its sockets in a folder it may write; once it answers, the grader takes
    the folder back, so student code cannot replace a socket with a link the grader would
    follow on reconnecting (or plant the next kernel's connection file). The kernel goes on."""
    import nbformat

    from sfa_helpers.grading import grader, runner

    spec = runner.kernel_spec_dir(str(tmp_path))
    workdir = runner.make_workdir(str(tmp_path))
    env = grader.kernel_env(workdir, None, None)
    cells = [nbformat.v4.new_code_cell(SOCKET_ATTACK), nbformat.v4.new_code_cell("print('ALIVE', 6 * 7)")]
    runs, notes = runner.execute(cells, workdir, env, runner.Limits(cell_timeout=60, sandbox=True), spec)
    assert not notes and [r.status for r in runs] == ["ok", "ok"], (runs, notes)
    line = next(s for s in runs[0].stdout.splitlines() if s.startswith("SOCKETS"))
    count, tried = line.split(" ", 2)[1:]
    assert int(count) >= 5  # shell, iopub, stdin, control, heartbeat
    assert tried == str(sorted({"unlink": "PermissionError", "link": "PermissionError",
                                "rename": "PermissionError", "file": "PermissionError"}.items()))
    assert "ALIVE 42" in runs[1].stdout


PLANT = r'''
import os
escaped, here = ESCAPED, os.getcwd()
payload = ("import os\n"
           f"open({escaped!r}, 'w').write(str(os.getuid()))\n"
           f"open(os.path.join({here!r}, 'ran-' + __name__), 'w').write(str(os.getuid()))\n")
os.makedirs("sfa_helpers", exist_ok=True)
for path in ("sfa_helpers/__init__.py", "ipykernel_launcher.py", "numpy.py"):
    with open(path, "w") as f:
        f.write(payload)
for folder in (os.path.join(os.environ["IPYTHONDIR"], "profile_default", "startup"),
               os.path.join(os.environ["HOME"], ".ipython", "profile_default", "startup"),
               os.path.join(os.environ["HOME"], ".jupyter")):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "00-planted.py" if "startup" in folder
                           else "ipython_kernel_config.py"), "w") as f:
        f.write(payload)
print("PLANTED")
'''


@needs_root
def test_files_a_kernel_leaves_are_not_run_by_the_next_kernel(tmp_path):
    """A kernel that plants modules in its working directory (the next kernel's, which starts
    as root outside the sandbox: issue 18's review), a kernel launcher, IPython startup files and
    a Jupyter kernel configuration, then kills itself: the next kernel of the submission (a new
    process, no fork server) runs none of them, as root or inside."""
    import nbformat

    from sfa_helpers.grading import grader, runner

    escaped = tmp_path / "escaped-as-root"
    spec = runner.kernel_spec_dir(str(tmp_path))
    workdir = runner.make_workdir(str(tmp_path))
    env = grader.kernel_env(workdir, None, None)
    cells = [nbformat.v4.new_code_cell(PLANT.replace("ESCAPED", repr(str(escaped)))),
             nbformat.v4.new_code_cell("import os\nos._exit(1)"),
             nbformat.v4.new_code_cell("import os, sys\nprint('NEXT', os.getuid() > 0, "
                                       "sorted(n for n in os.listdir('.') if n.startswith('ran-')))")]
    runs, notes = runner.execute(cells, workdir, env, runner.Limits(cell_timeout=60, sandbox=True), spec)
    assert [r.status for r in runs] == ["ok", "dead", "ok"], (runs, notes)
    assert "PLANTED" in runs[0].stdout
    assert "NEXT True []" in runs[2].stdout, runs[2]
    assert not escaped.exists()
