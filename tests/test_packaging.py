"""``python -m build`` makes a wheel and an sdist that install and work in a fresh environment.

The smoke test is what a student or a hub administrator does with the wheel: a new virtual
environment, ``pip install`` of the wheel alone (the course's dependencies come from the package
index, as resolved for this Python), then a simulation checked against the closed-form LIF rate,
and ``sfa-grade`` explaining that the grading extra is missing.
"""

from __future__ import annotations

import email
import os
import pathlib
import subprocess
import sys
import tarfile
import textwrap
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return wheels[0], sdists[0]


def test_wheel_holds_the_package_and_spdx_license_metadata(dist):
    wheel, _ = dist
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_string(z.read(meta_name).decode())
    assert "sfa_helpers/__init__.py" in names and "sfa_helpers/engine.py" in names
    assert "sfa_helpers/grading/cli.py" in names and "sfa_helpers/theory/lif.py" in names
    assert not [n for n in names if n.startswith(("tests/", "notebooks/", "solutions/"))]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert meta["License-Expression"] == "MIT"
    requires = meta.get_all("Requires-Dist")
    assert "brian2==2.9.0; python_version < \"3.12\"" in requires
    assert "brian2<2.12,>=2.10.1; python_version >= \"3.12\"" in requires
    assert any(r.startswith("nbclient") and 'extra == "grade"' in r for r in requires)


def test_sdist_holds_what_builds_the_wheel(dist):
    _, sdist = dist
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    assert {"pyproject.toml", "LICENSE", "README.md", "sfa_helpers/engine.py"} <= names


def test_the_wheel_installs_and_simulates_in_a_fresh_environment(dist, tmp_path):
    wheel, _ = dist
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    done = subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(wheel)],
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    script = textwrap.dedent("""
        import numpy as np
        from brian2 import ms, mV, nA, Mohm
        from sfa_helpers import simulate, stimuli, theory
        from sfa_helpers.models import LIF
        lif = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-75*mV, R=10*Mohm, t_ref=2*ms)
        currents = [2.0, 3.0] * nA
        r = simulate(lif, stimuli.constant(currents), 1000*ms, dt=0.01*ms, record=())
        # counted rate within one spike of the closed form (which ignores the time grid)
        from brian2 import Hz
        np.testing.assert_allclose(r.rates() / Hz, theory.lif_rate(lif, currents) / Hz, atol=1.01)
        print("simulated", r.rates())
    """)
    env = dict(os.environ, SFA_HELPERS_CACHE=str(tmp_path / "cache"))
    env.pop("PYTHONPATH", None)
    done = subprocess.run([str(py), "-c", script], capture_output=True, text=True, timeout=600,
                          cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "simulated" in done.stdout
    # the installed package is the wheel's, not this checkout
    where = subprocess.run([str(py), "-c", "import sfa_helpers; print(sfa_helpers.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env).stdout
    assert str(venv) in where
    # without the grade extra, sfa-grade says what to install (instead of a traceback)
    done = subprocess.run([str(venv / "bin" / "sfa-grade"), "--help"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 2 and 'sfa-helpers[grade]' in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
