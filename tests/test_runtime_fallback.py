"""Without a working C++ compiler, ``simulate`` runs the same structure in Brian2's runtime mode.

The compiled program is the independent truth here: for every model of ``sfa_helpers.models`` (the
cases of ``test_plain_brian2``), the runtime route must give its spike times within one time step
and its traces, and for the noisy ones the same realisation for the same seed. The compiler is hidden the way a student's machine lacks one: ``CXX`` names
a command that fails, or does not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from brian2 import pA, second
from test_plain_brian2 import DETERMINISTIC, DT, NOISY, assert_same_spikes

from sfa_helpers import engine, fi_curve, simulate, stimuli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hide_compiler(monkeypatch) -> list:
    """From now on this process behaves as on a machine without a compiler (notice already
    shown); returns a list that counts the runs the runtime route answers."""
    runs = []
    real = engine.RuntimeSimulation.run

    def counted(self, *args, **kwargs):
        runs.append(self.structure.key())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(engine, "_compiler_status", (False, "hidden by the test"))
    monkeypatch.setattr(engine, "_runtime_notice_shown", True)
    monkeypatch.setattr(engine.RuntimeSimulation, "run", counted)
    return runs


def _env(**extra):
    env = dict(os.environ)
    env.pop(engine.RUNTIME_VARIABLE, None)
    env.update(extra)
    return env


def _probe(**extra):
    code = "from sfa_helpers import engine; ok, why = engine.compiler_status(); print(ok); print(why)"
    done = subprocess.run([sys.executable, "-c", code], env=_env(**extra), capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    ok, why = done.stdout.splitlines()[:2]
    return ok == "True", why


def test_compiler_status_finds_this_machines_compiler():
    assert _probe() == (True, "")


@pytest.mark.parametrize("cxx, reason", [("false", "failed to compile"),
                                         ("/nonexistent/g++", "no '/nonexistent/g++' on PATH")])
def test_compiler_status_reports_a_missing_or_broken_compiler(cxx, reason):
    ok, why = _probe(CXX=cxx)
    assert not ok and reason in why


def test_runtime_mode_can_be_asked_for():
    ok, why = _probe(**{engine.RUNTIME_VARIABLE: "numpy"})
    assert not ok and engine.RUNTIME_VARIABLE in why


@pytest.mark.parametrize("case", DETERMINISTIC, ids=[c[0] for c in DETERMINISTIC])
def test_runtime_route_gives_the_compiled_spike_times_and_traces(case, monkeypatch):
    _, model, stimulus, duration, record = case
    compiled = simulate(model, stimulus, duration, dt=DT, record=record, seed=1)
    keys = engine.compiled_keys()
    runs = hide_compiler(monkeypatch)
    runtime = simulate(model, stimulus, duration, dt=DT, record=record, seed=1)
    assert len(runs) == 1 and engine.compiled_keys() == keys, "the runtime route did not answer"
    assert sum(len(s) for s in compiled.spike_trains) >= 3, "a case that fires tests more"
    assert_same_spikes(compiled.spike_trains, runtime.spike_trains)
    np.testing.assert_allclose(np.asarray(runtime.t), np.asarray(compiled.t), rtol=0, atol=1e-12)
    for var in record:
        ours, theirs = np.asarray(runtime[var]), np.asarray(compiled[var])
        scale = max(np.max(np.abs(theirs)), 1e-30)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6 * scale, err_msg=var)


N = 40


@pytest.mark.parametrize("seed", [7, 2 ** 40 + 3])
@pytest.mark.parametrize("case", NOISY, ids=[c[0] for c in NOISY])
def test_runtime_route_gives_the_compiled_realisation_of_a_seed(case, seed, monkeypatch):
    """Both routes draw from a Mersenne Twister seeded with the seed's low 32 bits and make
    normal numbers the same way (numpy's legacy generator, Brian2's randomkit), in the same
    order: the same seed gives the same noise, spike for spike."""
    _, model, stimulus = case
    stimulus = stimulus + stimuli.constant(np.zeros(N) * pA)  # N neurons in one group
    duration = 1 * second
    compiled = simulate(model, stimulus, duration, dt=DT, record=("v",), seed=seed)
    runs = hide_compiler(monkeypatch)
    state = np.random.get_state()
    runtime = simulate(model, stimulus, duration, dt=DT, record=("v",), seed=seed)
    other = simulate(model, stimulus, duration, dt=DT, record=(), seed=seed + 1)
    assert len(runs) == 2, "the runtime route did not answer"
    # the student's own numpy generator is left as it was
    after = np.random.get_state()
    assert np.array_equal(after[1], state[1]) and after[2:] == state[2:]
    assert sum(len(t) for t in compiled.spike_trains) > 5 * N, "must fire"
    for a, b in zip(runtime.spike_trains, compiled.spike_trains):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_allclose(np.asarray(runtime.v), np.asarray(compiled.v), rtol=0, atol=1e-12)
    assert any(len(a) != len(b) or np.any(np.asarray(a) != np.asarray(b))
               for a, b in zip(runtime.spike_trains, other.spike_trains)), "seed has no effect"


def test_the_notice_is_printed_once_and_says_what_changes(monkeypatch, capsys):
    from test_plain_brian2 import nest_lif

    runs = hide_compiler(monkeypatch)
    monkeypatch.setattr(engine, "_compiler_status", (False, "'false' failed to compile"))
    monkeypatch.setattr(engine, "_runtime_notice_shown", False)
    simulate(nest_lif(), stimuli.constant(400 * pA), 50 * DT * 10)
    fi_curve(nest_lif(), [300, 400] * pA, 50 * DT * 10)
    assert len(runs) == 2
    err = capsys.readouterr().err
    assert err.count("sfa_helpers: no working C++ compiler") == 1
    for words in ("'false' failed to compile", "runtime mode", "instead of milliseconds",
                  "same results", "apt install g++",
                  "xcode-select", "Visual Studio"):
        assert words in err, words


def _run_without_compiler(args, timeout, cache):
    env = _env(CXX="false", SFA_HELPERS_CACHE=str(cache))
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_simulate_unit_tests_pass_without_a_compiler(tmp_path):
    """The unit tests of ``simulate`` (closed-form LIF theory, refusals) in runtime mode."""
    done = _run_without_compiler(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
                                  "no:xdist", "tests/test_lif.py",
                                  "tests/test_simulation_refusals.py"], timeout=900,
                                 cache=tmp_path / "cache")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout


def test_lesson_01_runs_top_to_bottom_without_a_compiler(tmp_path):
    """Every cell of lesson 01 runs (its asserted claims hold) with the compiler hidden, and the
    kernel showed the notice once, in its first simulating cell."""
    script = textwrap.dedent(f"""
        import json, nbformat
        from nbclient import NotebookClient
        nb = nbformat.read({os.path.join(ROOT, 'notebooks', '01_lif_basics.ipynb')!r}, as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={{"metadata": {{"path": {os.path.join(ROOT, 'notebooks')!r}}}}}).execute()
        notices = sum(o.get("text", "").count("no working C++ compiler")
                      for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if o.get("name") == "stderr")
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                  if o.get("output_type") == "error"]
        print(json.dumps({{"notices": notices, "errors": len(errors)}}))
    """)
    done = _run_without_compiler(["-c", script], timeout=900, cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stdout.strip().splitlines()[-1] == '{"notices": 1, "errors": 0}'
    # nothing was compiled
    assert not (tmp_path / "cache").exists()
