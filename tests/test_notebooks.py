"""Notebook hygiene: stored notebooks match their sources and were executed cleanly.

nbval (run by `make test`) re-executes every notebook and compares outputs; these checks catch
what nbval cannot: a source edited without rebuilding the notebook, cells run out of order,
saved widget state, or warnings shown to students.
"""

import json
import pathlib

import jupytext
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAIRS = [(src, ROOT / "notebooks" / (src.stem + ".ipynb"))
         for src in sorted((ROOT / "notebooks" / "src").glob("*.py"))]


def test_every_lesson_has_a_source_and_a_notebook():
    sources = {s.stem for s, _ in PAIRS}
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert sources, "no lesson sources found"
    assert sources == notebooks


@pytest.mark.parametrize("source,notebook", PAIRS, ids=[s.stem for s, _ in PAIRS])
def test_notebook_matches_source_and_was_run_top_to_bottom(source, notebook):
    expected = [c.source for c in jupytext.read(source).cells if c.cell_type == "code"]
    doc = json.loads(notebook.read_text())
    code = [c for c in doc["cells"] if c["cell_type"] == "code"]
    assert ["".join(c["source"]) for c in code] == expected, \
        f"{notebook.name} is out of date: run tools/build_notebooks.py {source.stem[:2]}"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "cells were not executed once, top to bottom"
    assert "widgets" not in doc.get("metadata", {}), "saved widget state must be stripped"
    for k, cell in enumerate(code):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"cell {k} stores an error"
            if out.get("name") == "stderr":
                assert "arning" not in "".join(out["text"]), f"cell {k} shows a warning"


@pytest.mark.parametrize("source,notebook", PAIRS, ids=[s.stem for s, _ in PAIRS])
def test_nbval_markers_are_cell_tags_not_visible_comments(source, notebook):
    for k, cell in enumerate(c for c in jupytext.read(source).cells if c.cell_type == "code"):
        assert not cell.source.lstrip().startswith("# NBVAL"), \
            f"code cell {k} shows an nbval marker to students: use '# %% tags=[\"nbval-ignore-output\"]'"
