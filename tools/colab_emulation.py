"""Run the course as on Google Colab: the emulation leg of CI (``make test-colab``).

Colab cannot be reached from CI, so this builds what a Colab session starts from and does what a
student's notebook does there:

1. a new virtual environment with Colab's Python (3.13) and the packages Colab ships that the
   course depends on, at Colab's versions (``COLAB_BASELINE``: numpy 2.1.3, ipywidgets 7.7.1; no
   ipympl), plus pytest and nbval to drive the notebooks;
2. the lessons' own install cell (``tools/colab.py``), run with ``google.colab`` present, with
   the course taken from this checkout instead of GitHub; it must install the course without
   changing numpy or ipywidgets (a changed numpy forces a restart of Colab's runtime), and pip
   must pick a Brian2 that runs on Colab's numpy;
3. the lessons under nbval (outputs compared with the stored ones), the widget tests and the
   tests that depend on the Brian2 version, with an empty build cache, as every Colab session has.

What this does not cover (the remaining risk, see README): Colab's front end (its widget manager
renders ipywidgets 7 core widgets, which is all the course uses), its other preinstalled
packages' versions, and its network to GitHub.

Usage: ``python tools/colab_emulation.py PYTHON3.13 VENV_DIR [pytest args...]``
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import colab  # noqa: E402

#: What Google Colab ships (August 2026) of the course's dependencies.
COLAB_BASELINE = {"numpy": "2.1.3", "ipywidgets": "7.7.1"}
#: Colab's own kernel and plotting stack (versions as pip resolves them beside the baseline).
COLAB_ALSO = ["ipykernel", "matplotlib", "scipy"]
DRIVERS = ["pytest>=8", "pytest-xdist>=3.5", "nbval>=0.11", "nbformat>=5.9", "nbclient>=0.10"]
# The widgets on ipywidgets 7.7, and what depends on the Brian2 version (Colab gets 2.10.1,
# which no other leg runs): reference spike times, the network loop, the runtime route.
UNIT_TESTS = ["tests/test_widgets.py", "tests/test_noise_widgets.py",
              "tests/test_pattern_map_widget.py", "tests/test_glm_widget.py",
              "tests/test_brian2_versions.py", "tests/test_engine.py",
              "tests/test_runtime_fallback.py"]


def run(cmd, **kw):
    print("+", " ".join(map(str, cmd)), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def versions(py, *names) -> dict:
    code = ("import importlib.metadata as m, json, sys; "
            "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))")
    import json

    return json.loads(subprocess.run([py, "-c", code, *names], check=True, capture_output=True,
                                     text=True).stdout)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    python, venv, pytest_args = argv[0], pathlib.Path(argv[1]).resolve(), argv[2:]
    if venv.exists():
        shutil.rmtree(venv)
    run([python, "-m", "venv", str(venv)])
    py = str(venv / "bin" / "python")
    run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"])
    baseline = [f"{n}=={v}" for n, v in COLAB_BASELINE.items()]
    run([py, "-m", "pip", "install", "-q", *baseline, *COLAB_ALSO, *DRIVERS])
    before = versions(py, *COLAB_BASELINE)
    assert before == COLAB_BASELINE, before

    # The lesson's install cell, as Colab runs it (google.colab imported by the kernel).
    cell = colab.install_cell().replace(f"sfa-helpers @ git+{colab.repository()}", str(ROOT))
    assert str(ROOT) in cell, "the install cell no longer names the course package"
    fake_colab = ("import sys, types; sys.modules['google'] = types.ModuleType('google'); "
                  "sys.modules['google.colab'] = types.ModuleType('google.colab')\n")
    run([py, "-c", fake_colab + cell], cwd=tempfile.gettempdir())
    after = versions(py, *COLAB_BASELINE, "brian2", "sfa-helpers")
    for name, version in COLAB_BASELINE.items():
        assert after[name] == version, f"the install cell changed {name}: {version} -> {after[name]}"
    print("Colab emulation:", after, flush=True)
    # Running the cell again does nothing (the course is importable now).
    refuse_pip = ("import subprocess\n"
                  "def _refuse(*args, **kwargs):\n"
                  "    raise SystemExit('installed twice: ' + ' '.join(map(str, args[0])))\n"
                  "subprocess.run = _refuse\n")
    done = subprocess.run([py, "-c", fake_colab + refuse_pip + cell], cwd=tempfile.gettempdir())
    assert done.returncode == 0, "the install cell re-installed an installed course"

    env = dict(os.environ)
    env["SFA_HELPERS_CACHE"] = str(venv / "sfa-cache")  # every Colab session starts cold
    env.pop("PYTHONPATH", None)
    lessons = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("notebooks/*.ipynb"))
    cmd = [py, "-m", "pytest", "-p", "no:cacheprovider", "-c", os.devnull, "--rootdir", str(ROOT),
           "--nbval", "--nbval-current-env", "--nbval-cell-timeout=600", "-q",
           *pytest_args, *lessons, *UNIT_TESTS]
    run(cmd, cwd=ROOT, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
