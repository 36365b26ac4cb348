"""Sphinx configuration of the static course site (``make site`` -> docs/_build/html).

The site is built from the notebooks' *stored* outputs (nothing is executed) and works offline:
the theme is Sphinx's built-in alabaster and MathJax 3 is copied from the
``django-static-mathjax`` wheel into the site, so neither building nor reading it downloads anything.

Generated at every build (and git-ignored), so that the site follows ``notebooks/*.ipynb`` and
the modules of ``sfa_helpers`` without hand edits:

* ``docs/lessons/*.ipynb``  copies of the lesson notebooks (Sphinx reads sources only from here)
* ``docs/_course_map.md``   the course-map table on the landing page
* ``docs/api/*.md``         one API page per public module of ``sfa_helpers``
"""

from __future__ import annotations

import importlib
import json
import pathlib
import pkgutil
import re
import shutil
import sys

DOCS = pathlib.Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

project = "Single-neuron modelling, by doing it"
author = "The course authors"
copyright = "the course authors, MIT licence"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
exclude_patterns = ["_build", "_course_map.md", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# Notebooks: render what is stored, never execute.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

# API reference from the docstrings (numpy style).
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = False
napoleon_numpy_docstring = True

# Offline theme and maths.
html_theme = "alabaster"
html_title = project
html_theme_options = {"page_width": "1100px", "sidebar_width": "240px", "fixed_sidebar": False}
# MathJax 3 from the django-static-mathjax wheel (plain static files, no Django needed): its
# single-file TeX/CHTML build and fonts are copied into the site, so maths renders offline.
mathjax_path = "mathjax/tex-chtml.js"
html_static_path: list[str] = []
html_copy_source = False
html_show_sourcelink = False

# ---- generated sources ---------------------------------------------------------------------


def _lessons() -> list[pathlib.Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def _copy_lessons() -> None:
    target = DOCS / "lessons"
    target.mkdir(exist_ok=True)
    wanted = {p.name for p in _lessons()}
    for stale in target.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
    for path in _lessons():
        copy = target / path.name
        text = _offline_badge(path.read_text(encoding="utf-8"))
        if not copy.exists() or copy.read_text(encoding="utf-8") != text:
            copy.write_text(text, encoding="utf-8")


#: The "Open in Colab" badge is an image on colab.research.google.com; the offline site shows a
#: plain link instead (it loads nothing from the network).
_BADGE = re.compile(r"\[!\[Open in Colab\]\([^)]*\)\]\((https://colab\.research\.google\.com/[^)]*)\)")


def _offline_badge(notebook_json: str) -> str:
    return _BADGE.sub(r"[Open in Colab](\1)", notebook_json)


def _title_and_summary(path: pathlib.Path) -> tuple[str, str]:
    """The first Markdown heading of a notebook and its first paragraph after it."""
    cells = json.loads(path.read_text())["cells"]
    title, summary = path.stem, ""
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"]).strip()
        heading = re.match(r"^#\s+(.+)$", text, re.M)
        if heading and title == path.stem:
            title = heading.group(1).strip()
            rest = text[heading.end():].strip()
        elif title != path.stem:
            rest = text
        else:
            continue
        paragraph = rest.split("\n\n")[0].strip()
        if paragraph and not paragraph.startswith("#"):
            summary = " ".join(paragraph.split())
            break
    return title, summary


def _readme_rows() -> dict[str, str]:
    """README's course map: notebook name -> 'what it teaches'."""
    rows = {}
    readme = ROOT / "README.md"
    for line in readme.read_text().splitlines() if readme.exists() else []:
        match = re.match(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|.*notebooks/([\w.-]+\.ipynb)", line)
        if match:
            rows[match.group(3)] = match.group(2)
    return rows


def _write_course_map() -> None:
    readme = _readme_rows()
    lines = ["| lesson | what it teaches |", "| --- | --- |"]
    for path in _lessons():
        title, summary = _title_and_summary(path)
        teaches = readme.get(path.name) or summary or ""
        if len(teaches) > 400:
            teaches = teaches[:397].rsplit(" ", 1)[0] + " ..."
        teaches = teaches.replace("|", "\\|")
        lines.append(f"| [{title.replace('|', '/')}](lessons/{path.name}) | {teaches} |")
    _write_if_changed(DOCS / "_course_map.md", "\n".join(lines) + "\n")


def _public_modules() -> list[str]:
    import sfa_helpers

    names = ["sfa_helpers"]
    for info in pkgutil.walk_packages(sfa_helpers.__path__, "sfa_helpers."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        # Old import paths (thin re-exports kept for saved notebooks) are not API: each object is
        # documented once, at its new home.
        if (importlib.import_module(info.name).__doc__ or "").startswith("Old home of"):
            continue
        names.append(info.name)
    return sorted(names)


def _write_api_pages() -> None:
    target = DOCS / "api"
    target.mkdir(exist_ok=True)
    modules = _public_modules()
    wanted = {f"{m}.md" for m in modules}
    for stale in target.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for module in modules:
        # A package re-exports what its modules define; document each object once, where it is
        # defined, so that cross-references are unambiguous.
        is_package = hasattr(importlib.import_module(module), "__path__")
        options = "   :no-members:\n" if is_package else "   :members:\n   :show-inheritance:\n"
        text = f"# `{module}`\n\n```{{eval-rst}}\n.. automodule:: {module}\n{options}```\n"

        _write_if_changed(target / f"{module}.md", text)


def _write_if_changed(path: pathlib.Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import mathjax  # the django-static-mathjax wheel: MathJax's own distribution under static/

    es5 = pathlib.Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / "tex-chtml.js").exists():
        raise RuntimeError(f"MathJax 3 not found at {es5}: install the docs extra (.[docs])")
    target = pathlib.Path(app.outdir) / "_static" / "mathjax"
    fonts = pathlib.Path("output") / "chtml" / "fonts" / "woff-v2"
    (target / fonts).mkdir(parents=True, exist_ok=True)
    shutil.copy2(es5 / "tex-chtml.js", target / "tex-chtml.js")
    shutil.copytree(es5 / fonts, target / fonts, dirs_exist_ok=True)


def setup(app):
    _copy_lessons()
    _write_course_map()
    _write_api_pages()
    app.connect("build-finished", _copy_mathjax)
