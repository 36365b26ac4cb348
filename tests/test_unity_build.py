"""A structure compiled as one translation unit (``sfa_helpers.unity_build``) is the same program
as Brian2's own per-file build: for every model and mechanism, deterministic and seeded, both
give bit-identical spike times and traces. The per-file build, with Brian2's makefile as Brian2
wrote it, is the independent reference; the unit must also not be recompiled by a later
process, and a unit that fails to compile falls back to the per-file build.
"""

from __future__ import annotations

import glob
import os

import numpy as np
import pytest
from brian2 import pA
from test_plain_brian2 import DETERMINISTIC, DT, NOISY

from sfa_helpers import engine, simulate, stimuli, unity_build


@pytest.fixture(scope="module")
def pch(tmp_path_factory):
    """Standard headers precompiled (waited for) in a directory of this module's own, used by
    every build in it: the units below are compiled with the precompiled header."""
    root = tmp_path_factory.mktemp("pch")
    saved = {k: os.environ.get(k) for k in ("SFA_HELPERS_CACHE", "SFA_HELPERS_PCH_DIR")}
    held = dict(engine._compiled)
    engine.clear_memory_cache()
    os.environ["SFA_HELPERS_CACHE"] = str(root / "cache")
    os.environ["SFA_HELPERS_PCH_DIR"] = str(root)
    try:
        _, model, stimulus, duration, record = DETERMINISTIC[0]
        simulate(model, stimulus, duration, dt=DT, record=record, seed=1)
        [project] = glob.glob(os.path.join(root, "cache", "brian2", "*", ""))
        header = unity_build.precompiled_header(str(root), project, wait=True)
        assert header is not None and os.path.isfile(header + ".gch")
        yield header, project
    finally:
        engine.clear_memory_cache()
        engine._compiled.update(held)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch, pch):
    """An empty cache for this test and no programs held in memory (restored afterwards)."""
    held = dict(engine._compiled)
    engine.clear_memory_cache()
    monkeypatch.setenv("SFA_HELPERS_CACHE", str(tmp_path / "cache"))
    yield tmp_path / "cache"
    engine.clear_memory_cache()
    engine._compiled.update(held)


def per_file(monkeypatch):
    """From now on, builds in this process use Brian2's per-file build."""
    monkeypatch.setattr(unity_build, "write_unity_source", lambda directory, pch=None: False)


def run_both(fresh_cache, monkeypatch, tmp_path, model, stimulus, duration, record, seed, pch):
    unity = simulate(model, stimulus, duration, dt=DT, record=record, seed=seed)
    # built as one unit: its object file exists, no per-file objects, no fallback
    [directory] = glob.glob(os.path.join(fresh_cache, "brian2", "*", ""))
    assert os.path.isfile(os.path.join(directory, "sfa_unity.o"))
    # with the standard headers precompiled, included first
    with open(os.path.join(directory, unity_build.UNITY_SOURCE)) as f:
        assert f.read().splitlines()[1] == f'#include "{pch[0]}"'
    assert not glob.glob(os.path.join(directory, "code_objects", "*.o"))
    assert not os.path.exists(os.path.join(directory, "sfa_unity.failed"))
    engine.clear_memory_cache()
    monkeypatch.setenv("SFA_HELPERS_CACHE", str(tmp_path / "per_file"))
    per_file(monkeypatch)
    reference = simulate(model, stimulus, duration, dt=DT, record=record, seed=seed)
    assert not glob.glob(os.path.join(tmp_path, "per_file", "brian2", "*", unity_build.UNITY_SOURCE))
    assert len(glob.glob(os.path.join(tmp_path, "per_file", "brian2", "*", "code_objects", "*.o"))) >= 3
    return unity, reference


def assert_identical(a, b, record):
    assert len(a.spike_trains) == len(b.spike_trains)
    for x, y in zip(a.spike_trains, b.spike_trains):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    for var in record:
        np.testing.assert_array_equal(np.asarray(a[var]), np.asarray(b[var]), err_msg=var)


@pytest.mark.parametrize("case", DETERMINISTIC, ids=[c[0] for c in DETERMINISTIC])
def test_one_unit_gives_the_per_file_program_results(case, fresh_cache, monkeypatch, tmp_path, pch):
    _, model, stimulus, duration, record = case
    unity, reference = run_both(fresh_cache, monkeypatch, tmp_path, model, stimulus, duration,
                                record, seed=1, pch=pch)
    assert sum(len(t) for t in reference.spike_trains) >= 3, "a case that fires tests more"
    assert_identical(unity, reference, record)


@pytest.mark.parametrize("case", NOISY, ids=[c[0] for c in NOISY])
def test_one_unit_gives_the_per_file_realisation_of_a_seed(case, fresh_cache, monkeypatch, tmp_path,
                                                           pch):
    _, model, stimulus = case
    stimulus = stimulus + stimuli.constant(np.zeros(10) * pA)
    unity, reference = run_both(fresh_cache, monkeypatch, tmp_path, model, stimulus,
                                300 * DT * 10, ("v",), seed=2 ** 33 + 5, pch=pch)
    assert sum(len(t) for t in reference.spike_trains) > 10
    assert_identical(unity, reference, ("v",))


NEW_KERNEL = """
import json
from brian2 import ms, mV, nA, Mohm
from sfa_helpers import simulate, stimuli
from sfa_helpers.models import LIF
m = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-75*mV, R=10*Mohm)
r = simulate(m, stimuli.step([1.63, 1.83]*nA, 100*ms, 400*ms), 500*ms, record=('v',), seed=1)
print(json.dumps([[float(t) for t in train] for train in r.spike_trains]))
"""


def test_a_finished_unit_is_not_compiled_again_by_a_new_kernel(tmp_path):
    import json
    import subprocess
    import sys

    env = {**os.environ, "SFA_HELPERS_CACHE": str(tmp_path / "cache"),
           engine.BUILD_VARIABLE: "wait"}

    def new_kernel():
        out = subprocess.run([sys.executable, "-c", NEW_KERNEL], env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    first = new_kernel()
    files = [p for p in glob.glob(os.path.join(tmp_path, "cache", "brian2", "*", "**"),
                                  recursive=True) if os.path.isfile(p)]
    assert any(p.endswith("sfa_unity.o") for p in files)
    # Brian2 writes its static arrays (data the program reads, not sources) on every build
    stamps = {p: os.stat(p).st_mtime_ns for p in files
              if not p.endswith("sfa_build_complete") and os.sep + "static_arrays" + os.sep not in p}
    assert new_kernel() == first
    # code generation wrote nothing new and make found nothing to do
    assert {p: os.stat(p).st_mtime_ns for p in stamps} == stamps


def test_a_unit_that_does_not_compile_falls_back_to_the_per_file_build(fresh_cache, monkeypatch):
    real = unity_build.write_unity_source

    def broken(directory, pch=None):
        assert real(directory, pch)
        with open(os.path.join(directory, unity_build.UNITY_SOURCE), "a") as f:
            f.write("this is not C++;\n")
        return True

    monkeypatch.setattr(unity_build, "write_unity_source", broken)
    _, model, stimulus, duration, record = DETERMINISTIC[0]
    result = simulate(model, stimulus, duration, dt=DT, record=record, seed=1)
    [directory] = glob.glob(os.path.join(fresh_cache, "brian2", "*", ""))
    assert os.path.exists(os.path.join(directory, "sfa_unity.failed"))
    assert glob.glob(os.path.join(directory, "code_objects", "*.o"))
    monkeypatch.setattr(unity_build, "write_unity_source", real)
    engine.clear_memory_cache()
    per_file_run = simulate(model, stimulus, duration, dt=DT, record=record, seed=1)
    assert_identical(result, per_file_run, record)
    assert sum(len(t) for t in result.spike_trains) > 5


def test_the_compiler_uses_the_precompiled_header(pch, tmp_path):
    """GCC reports each header it reads with -H; '!' marks a precompiled header it used, 'x'
    one it found and rejected (flags or compiler that do not match)."""
    import subprocess

    header, project = pch
    flags = [f for f in unity_build._compiler_flags(project) if f != "-w"]
    source = tmp_path / "probe.cpp"
    source.write_text(f'#include "{header}"\nint main() {{ return 0; }}\n')
    out = subprocess.run(["g++", *flags, "-H", "-c", str(source), "-o", str(tmp_path / "probe.o")],
                         cwd=project,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"! {header}.gch" in out.stderr.splitlines(), out.stderr[:2000]


def test_a_broken_precompiled_header_costs_time_not_results(fresh_cache, monkeypatch, tmp_path, pch):
    """A truncated .gch (a disk that filled up) makes GCC fail: the unit is compiled again
    without it, the results are those of the per-file build, and the header is built anew."""
    import shutil

    root = tmp_path / "pch"
    folder = os.path.dirname(pch[0])
    shutil.copytree(folder, root / "pch" / os.path.basename(folder))
    gch = root / "pch" / os.path.basename(folder) / (os.path.basename(pch[0]) + ".gch")
    gch.write_bytes(gch.read_bytes()[:100_000])
    monkeypatch.setenv("SFA_HELPERS_PCH_DIR", str(root))
    _, model, stimulus, duration, record = DETERMINISTIC[0]
    result = simulate(model, stimulus, duration, dt=DT, record=record, seed=1)
    [directory] = glob.glob(os.path.join(fresh_cache, "brian2", "*", ""))
    assert os.path.isfile(os.path.join(directory, "sfa_unity.o"))
    assert not os.path.exists(os.path.join(directory, "sfa_unity.failed"))
    assert not gch.exists()  # removed, to be built again
    engine.clear_memory_cache()
    monkeypatch.setenv("SFA_HELPERS_CACHE", str(tmp_path / "per_file"))
    per_file(monkeypatch)
    assert_identical(result, simulate(model, stimulus, duration, dt=DT, record=record, seed=1),
                     record)


def test_a_precompiled_header_is_built_once_and_a_dead_build_is_taken_over(pch, tmp_path):
    header, project = pch
    root = str(tmp_path)
    # first call: not ready, a detached build starts; the marker says so
    assert unity_build.precompiled_header(root, project) is None
    [folder] = glob.glob(os.path.join(root, "pch", "*", ""))
    building = os.path.join(folder, "building")
    # a caller meanwhile waits for that build instead of starting its own
    assert unity_build.precompiled_header(root, project, wait=True) == os.path.join(
        folder, os.path.basename(header))
    assert not os.path.exists(building)
    # a marker left by a build that died long ago does not block a new one
    os.remove(os.path.join(folder, os.path.basename(header) + ".gch"))
    open(building, "w").close()
    old = os.path.getmtime(building) - 2 * unity_build._PCH_BUILD_SECONDS
    os.utime(building, (old, old))
    assert unity_build.precompiled_header(root, project, wait=True) is not None


def test_precompiled_headers_can_be_switched_off(fresh_cache, monkeypatch):
    """SFA_HELPERS_PCH_DIR=off (the grader's kernels): no header built, none included."""
    monkeypatch.setenv("SFA_HELPERS_PCH_DIR", "off")
    _, model, stimulus, duration, record = DETERMINISTIC[1]
    simulate(model, stimulus, duration, dt=DT, record=record, seed=1)
    [directory] = glob.glob(os.path.join(fresh_cache, "brian2", "*", ""))
    with open(os.path.join(directory, unity_build.UNITY_SOURCE)) as f:
        assert "sfa_std.h" not in f.read()
    assert not os.path.exists(os.path.join(fresh_cache, "pch"))
