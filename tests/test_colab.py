"""Every lesson and sheet opens on Google Colab from a badge, and its install cell works there.

The Colab runtime itself is emulated in CI by ``tools/colab_emulation.py`` (Python 3.13 with
Colab's numpy and ipywidgets, lessons under nbval); these tests check the cells themselves.
"""

from __future__ import annotations

import importlib.metadata
import json
import pathlib
import re
import subprocess
import sys
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import colab  # noqa: E402

SOURCES = [p for d in colab.SOURCE_DIRS for p in sorted((ROOT / d).glob("*.py"))]
NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("solutions/*.ipynb")) \
    + sorted(ROOT.glob("exercises/*.ipynb"))
BADGE = re.compile(r"\(https://colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/main/([^)]+)\)")


@pytest.mark.parametrize("source", SOURCES, ids=[f"{s.parent.parent.name}/{s.stem}" for s in SOURCES])
def test_every_source_carries_the_current_badge_and_install_cell(source):
    text = source.read_text(encoding="utf-8")
    assert colab.with_colab_cells(text, source) == text, "run: python tools/colab.py"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[f"{n.parent.name}/{n.stem}" for n in NOTEBOOKS])
def test_the_first_cell_has_a_badge_that_opens_this_very_notebook(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    first = "".join(cells[0]["source"])
    match = BADGE.search(first)
    assert match, "no Colab badge in the first cell"
    repo, path = match.groups()
    assert f"https://github.com/{repo}" == colab.repository()
    assert path == notebook.relative_to(ROOT).as_posix()
    # the second cell installs the course on Colab
    assert "google.colab" in "".join(cells[1]["source"])


def _install_cell_code() -> str:
    return colab.install_cell()


def _run_install_cell(monkeypatch, *, installed: bool):
    calls = []
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    def fake_run(cmd, **kw):
        calls.append((cmd, kw))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: (real(name, *a) if installed or name != "sfa_helpers"
                                          else None))
    exec(compile(_install_cell_code(), "<colab cell>", "exec"), {})  # noqa: S102 - our own cell
    return calls


def test_on_colab_the_cell_installs_the_course_keeping_colabs_numpy_and_ipywidgets(monkeypatch):
    calls = _run_install_cell(monkeypatch, installed=False)
    assert len(calls) == 1
    cmd, kw = calls[0]
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    assert f"sfa-helpers @ git+{colab.repository()}" in cmd
    for package in ("numpy", "ipywidgets"):
        assert f"{package}=={importlib.metadata.version(package)}" in cmd
    assert not any(arg.startswith(("-U", "--upgrade", "--force")) for arg in cmd)


def test_on_colab_with_the_course_installed_the_cell_does_nothing(monkeypatch):
    assert _run_install_cell(monkeypatch, installed=True) == []


def test_a_failed_install_says_why(monkeypatch):
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(
        cmd, 1, "", "ERROR: Could not find a version that satisfies brian2"))
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "sfa_helpers" else real(name, *a))
    with pytest.raises(RuntimeError, match="(?s)installing the course failed.*satisfies brian2"):
        exec(compile(_install_cell_code(), "<colab cell>", "exec"), {})  # noqa: S102


def test_elsewhere_the_cell_does_nothing(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd))
    exec(compile(_install_cell_code(), "<colab cell>", "exec"), {})  # noqa: S102
    assert calls == []


def test_exercise_sheets_badge_points_at_the_student_sheet_not_the_solution():
    for exercise in sorted(ROOT.glob("exercises/*.ipynb")):
        text = exercise.read_text(encoding="utf-8")
        assert "blob/main/solutions/" not in text, exercise.name
