"""Pre-warmed grading kernels (sfa_helpers.grading.forkserver): a forked kernel behaves like a
fresh, limited kernel of its own, reuses the warm-up's compiled programs from its private copy of
the cache, and the grader falls back to new processes when there is no server."""

import json
import os

import nbformat
import pytest

from sfa_helpers.grading import forkserver, grader, runner

WARM_UP = [
    "import numpy as np\nfrom brian2 import ms, mV, nA, Mohm\nfrom sfa_helpers import simulate, stimuli\n"
    "from sfa_helpers.models import LIF",
    "warm_secret = 42\nmodel = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-75*mV, R=10*Mohm)\n"
    "result = simulate(model, stimuli.constant(1.9*nA), 63*ms, record=())",
    "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()",
    "%matplotlib inline\nraise RuntimeError('a failing warm-up cell is not fatal')",
]

PROBE = """
import os, resource, random
import numpy as np
from brian2 import ms, mV, nA, Mohm
from sfa_helpers import engine, simulate, stimuli
from sfa_helpers.models import LIF
model = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-75*mV, R=10*Mohm)
n_before = len(engine.compiled_keys())
spikes = [round(float(t), 6) for t in simulate(model, stimuli.constant(1.9*nA), 63*ms, record=()).spike_trains[0]]
sim = next(iter(engine._compiled.values()))
print('PROBE ' + json.dumps({
    'pid': os.getpid(), 'ppid': os.getppid(), 'sid': os.getsid(0), 'cwd': os.getcwd(),
    'limits': [resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CPU)[0]],
    'warm_secret_visible': 'warm_secret' in globals(), 'env_secret': 'SFA_TEST_SECRET' in os.environ,
    'n_before': n_before, 'n_after': len(engine.compiled_keys()),
    'directory': sim.directory, 'scratch': sim._scratch, 'spikes': spikes,
    'random': random.random(), 'np_random': float(np.random.random())}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("forkserver")
    sheet = base / "warmup.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in WARM_UP]),
                   sheet)
    cache = base / "cache"
    os.environ["SFA_TEST_SECRET"] = "x"          # must not reach the kernels
    try:
        env = grader.kernel_env(str(base / "server"), str(cache), None, shared=True)
        with forkserver.start(str(sheet), str(base), env) as srv:
            yield srv, base, cache
    finally:
        del os.environ["SFA_TEST_SECRET"]


def _probe(tmp_path, socket_path, cache):
    workdir = runner.make_workdir(str(tmp_path))
    spec = runner.kernel_spec_dir(str(tmp_path))
    env = grader.kernel_env(workdir, str(cache), None)
    limits = runner.Limits(memory=3 * 1024 ** 3, cpu=77, cell_timeout=60)
    cells = [nbformat.v4.new_code_cell("import json\n" + PROBE)]
    runs, notes = runner.execute(cells, workdir, env, limits, spec, socket_path)
    assert not notes and runs[0].status == "ok", (notes, runs[0])
    line = next(l for l in runs[0].stdout.splitlines() if l.startswith("PROBE "))
    return json.loads(line[len("PROBE "):]), workdir


def test_warm_up_reports_its_programs_and_survives_failing_cells(server):
    srv, _, cache = server
    assert srv.report["cells"] == 4 and srv.report["failed"] == 1
    assert len(srv.keys) == 1
    assert (cache / "brian2" / srv.keys[0] / "main").is_file()


def test_forked_kernels_are_fresh_limited_and_isolated(server, tmp_path):
    srv, _, cache = server
    a, workdir_a = _probe(tmp_path, srv.socket_path, cache)
    b, _ = _probe(tmp_path, srv.socket_path, cache)
    for p in (a, b):
        assert p["ppid"] == srv.process.pid, "the kernel was not forked from the server"
        assert p["sid"] == p["pid"], "the kernel does not lead its own session"
        assert p["limits"] == [3 * 1024 ** 3, 77]
        assert not p["warm_secret_visible"] and not p["env_secret"]
        # the warm-up's program was inherited and reused: nothing new was built ...
        assert p["n_before"] == 1 and p["n_after"] == 1
    # ... and it runs from the kernel's private copy of the cache, with its own scratch
    assert a["cwd"] == workdir_a
    assert a["directory"] == os.path.join(workdir_a, "home", "sfa_cache", "brian2", srv.keys[0])
    assert a["scratch"] != b["scratch"] and a["pid"] != b["pid"]
    assert a["spikes"] == b["spikes"] and len(a["spikes"]) > 0
    # random generators are re-seeded in every kernel, as in a new process
    assert a["random"] != b["random"] and a["np_random"] != b["np_random"]


def test_forked_and_new_process_kernels_compute_the_same(server, tmp_path):
    srv, _, cache = server
    forked, _ = _probe(tmp_path, srv.socket_path, cache)
    fresh, _ = _probe(tmp_path, None, cache)
    assert fresh["ppid"] != srv.process.pid
    assert fresh["n_before"] == 0 and fresh["n_after"] == 1
    assert forked["spikes"] == fresh["spikes"]
    assert fresh["limits"] == forked["limits"]


def test_without_a_server_the_kernel_is_a_new_process(server, tmp_path):
    """A socket nobody listens on: the provisioner falls back to starting a new process."""
    _, _, cache = server
    probe, _ = _probe(tmp_path, str(tmp_path / "no-server.sock"), cache)
    assert probe["n_before"] == 0 and probe["n_after"] == 1 and probe["spikes"]


def test_killed_forked_kernel_is_noticed_and_the_notebook_goes_on(server, tmp_path):
    """A cell that kills its (forked) kernel is recorded as dead; the next cell runs in a new
    kernel forked from the same server."""
    srv, _, cache = server
    workdir = runner.make_workdir(str(tmp_path))
    spec = runner.kernel_spec_dir(str(tmp_path))
    env = grader.kernel_env(workdir, str(cache), None)
    cells = [nbformat.v4.new_code_cell("import os\nx = 1"),
             nbformat.v4.new_code_cell("import signal\nopen('killed', 'w').write(str(os.getpid()))\n"
                                       "os.kill(os.getpid(), signal.SIGKILL)"),
             nbformat.v4.new_code_cell("print('AFTER', os.getppid(), x, int(open('killed').read()) != os.getpid())")]
    runs, notes = runner.execute(cells, workdir, env, runner.Limits(cell_timeout=30), spec,
                                 srv.socket_path)
    assert [r.status for r in runs] == ["ok", "dead", "ok"], (runs, notes)
    assert f"AFTER {srv.process.pid} 1 True" in runs[2].stdout  # state replayed in a new kernel


def test_forked_kernels_show_and_close_figures_like_new_ones(server, tmp_path):
    """The warm-up imported matplotlib's inline backend before any kernel existed; a forked
    kernel still shows a figure left open at the end of a cell and closes it, as a new one does.
    Neither renders it to an image (the grader discards outputs; rendering cost 0.1-0.9 s per
    figure), not even after the submission's own ``%matplotlib inline``, and a figure kept in a
    variable is still there to be checked in a later cell."""
    srv, _, cache = server
    cells = [nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2]);"),
             nbformat.v4.new_code_cell("print('OPEN', len(plt.get_fignums()))"),
             nbformat.v4.new_code_cell("%matplotlib inline\nfig, ax = plt.subplots()\n"
                                       "ax.plot([1, 2], [3, 4.5]); ax.set_xlabel('t (ms)')"),
             nbformat.v4.new_code_cell("print('KEPT', fig.axes[0].lines[0].get_xydata().tolist(),\n"
                                       "      fig.axes[0].get_xlabel(), len(plt.get_fignums()))")]
    shown = {}
    for socket_path in (srv.socket_path, None):
        workdir = runner.make_workdir(str(tmp_path))
        runs, notes = runner.execute(cells, workdir, grader.kernel_env(workdir, str(cache), None),
                                     runner.Limits(cell_timeout=60), runner.kernel_spec_dir(str(tmp_path)),
                                     socket_path)
        assert not notes and [r.status for r in runs] == ["ok"] * 4, (notes, runs)
        shown[bool(socket_path)] = ([sorted(o.get("data", {})) for o in runs[0].outputs + runs[2].outputs],
                                    runs[1].stdout, runs[3].stdout)
    assert shown[True] == shown[False]
    figures, open_after, kept = shown[True]
    assert ["text/plain"] in figures and not any("image/png" in data for data in figures), figures
    assert open_after == "OPEN 0\n"
    assert kept == "KEPT [[1.0, 3.0], [2.0, 4.5]] t (ms) 0\n"


def test_the_server_listens_before_it_says_it_is_ready(tmp_path, monkeypatch):
    """The grader connects as soon as it reads the ready line: the socket must exist by then
    (it was bound after the line, and a kernel request made at once failed with 'no such file'
    under load: the flaky test of issue 18)."""
    import signal
    import sys

    socket_path = str(tmp_path / "server.sock")
    seen = []

    class Stdout:
        def write(self, text):
            if '"ready"' in text:
                seen.append(os.path.exists(socket_path))
            return len(text)

        def flush(self):
            pass

    monkeypatch.setattr(forkserver, "_warm_up", lambda sheet: {"keys": []})
    monkeypatch.setattr(forkserver, "_serve", lambda server, path: server.close())
    monkeypatch.setattr(sys, "stdout", Stdout())
    previous = signal.getsignal(signal.SIGCHLD)
    try:
        forkserver.main([socket_path, "unused.ipynb"])
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert seen == [True]
