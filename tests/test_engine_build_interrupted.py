"""A build that is killed (a student restarting the kernel during the first compile) or broken
leaves nothing that breaks the next run: the next process rebuilds and gets correct results.

Each case runs real processes on a private, empty build cache; the reference spike times are
the closed-form LIF intervals on the time grid (``theory.lif_isi_on_grid``), not the engine.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from brian2 import Mohm, mV, ms, nA

from sfa_helpers import theory
from sfa_helpers.models import LIF

# Every test uses its own empty cache, so the build really compiles.
SCRIPT = """
import json, sys
from brian2 import ms, mV, nA, Mohm
from sfa_helpers import simulate, stimuli
from sfa_helpers.models import LIF
m = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-75*mV, R=10*Mohm)
r = simulate(m, stimuli.constant(2*nA), 123.4*ms, record=())
print(json.dumps([float(t) for t in r.spike_trains[0]]))
"""


def expected_isi():
    """The interval after a reset, from the closed form rounded up to the time grid."""
    model = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)
    return float(theory.lif_isi_on_grid(model, 2 * nA, 0.1 * ms))


def run(cache, timeout=300):
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=timeout, env={**os.environ, "SFA_HELPERS_CACHE": str(cache)})
    assert out.returncode == 0, out.stderr[-2000:]
    return np.array(json.loads(out.stdout.strip().splitlines()[-1]))


def assert_correct(spikes):
    assert len(spikes) >= 5
    np.testing.assert_allclose(np.diff(spikes), expected_isi(), atol=1e-9)


def project(cache):
    dirs = [d for d in glob.glob(os.path.join(cache, "brian2", "*")) if os.path.isdir(d)]
    assert len(dirs) == 1
    return dirs[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A cache holding one finished build (and its spike times)."""
    cache = tmp_path_factory.mktemp("cache")
    spikes = run(cache)
    assert_correct(spikes)
    return cache, spikes


def copy_cache(src, dst):
    import shutil

    shutil.copytree(src, dst, symlinks=True)
    return dst


@pytest.mark.parametrize("damage", ["empty main, no marker", "no main, no objects, no marker",
                                    "sources only"])
def test_half_finished_builds_are_rebuilt(built, tmp_path, damage):
    cache = copy_cache(built[0], tmp_path / "cache")
    directory = project(cache)
    os.remove(os.path.join(directory, "sfa_build_complete"))
    main = os.path.join(directory, "main")
    if damage == "empty main, no marker":
        open(main, "w").close()  # what a kill during linking left: make thinks it is up to date
    else:
        os.remove(main)
        for obj in glob.glob(os.path.join(directory, "**", "*.o"), recursive=True):
            if damage == "sources only" or obj.endswith("main.o"):
                os.remove(obj)
    spikes = run(cache)
    np.testing.assert_array_equal(spikes, built[1])
    assert os.path.isfile(os.path.join(directory, "sfa_build_complete"))


def _kill_when(cache, ready, limit=120):
    """Start a build and SIGKILL its process group as soon as ``ready(cache)`` is true."""
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "SFA_HELPERS_CACHE": str(cache)})
    start = time.monotonic()
    try:
        while time.monotonic() - start < limit and proc.poll() is None:
            if ready(cache):
                break
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # the build was really interrupted: killed, and not marked complete
    assert proc.returncode == -signal.SIGKILL
    assert not glob.glob(os.path.join(cache, "brian2", "*", "sfa_build_complete"))


def _any(pattern):
    return lambda cache: bool(glob.glob(os.path.join(cache, "brian2", "*", pattern), recursive=True))


@pytest.mark.parametrize("stage, ready", [
    ("code generation", _any("*.cpp")),
    ("compile", _any("**/*.o")),
    ("link", _any("main")),
])
def test_a_build_killed_at_each_stage_leaves_a_cache_that_works(tmp_path, stage, ready):
    cache = tmp_path / "cache"
    _kill_when(cache, ready)
    spikes = run(cache)
    assert_correct(spikes)
    assert os.path.isfile(os.path.join(project(cache), "sfa_build_complete"))
