"""The "Open in Colab" badge and the Colab install cell at the top of every lesson and sheet.

Every lesson source (``notebooks/src``) and instructor sheet source (``solutions/src``) starts
with its title cell, which carries the badge, followed by the install cell below. This file is
their one definition; ``tests/test_colab.py`` checks that every source carries exactly these
cells, and ``python tools/colab.py`` rewrites them (after the repository address in
``pyproject.toml``'s ``[project.urls] Repository`` changes, for example). The student sheets in
``exercises/`` get the badge of their own path from ``sfa_helpers.grading.sheets.student_version``.

What the install cell does on Google Colab (nothing elsewhere): installs the course package from
the repository with pip, keeping the numpy and ipywidgets that Colab ships (Colab's runtime must
be restarted when numpy changes under it; with its numpy 2.1.3 pip then picks Brian2 2.10.1, which
runs on numpy >= 2.0). Already installed: it does nothing. Colab has g++ and make, so the
simulations compile there as on a laptop.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("notebooks/src", "solutions/src")
# Sources are jupytext percent files; their notebooks live one folder up (notebooks/, solutions/).
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_RE = re.compile(r"^\[!\[Open in Colab\]\([^)]*\)\]\([^)]*\)\n?", re.M)
PACKAGES_KEPT = ("numpy", "ipywidgets")

INSTALL_CELL = '''\
# Google Colab only: install the course package there (about a minute, once per session).
# Anywhere else this cell does nothing.
import importlib.util
import sys

if "google.colab" in sys.modules and importlib.util.find_spec("sfa_helpers") is None:
    import importlib.metadata
    import subprocess

    COURSE = "sfa-helpers @ git+{repository}"
    keep = []  # Colab's own numpy and ipywidgets stay: a changed numpy needs a runtime restart
    for name in {kept}:
        try:
            keep.append(f"{{name}}=={{importlib.metadata.version(name)}}")
        except importlib.metadata.PackageNotFoundError:
            pass
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", COURSE, *keep],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("installing the course failed:\\n" + done.stderr[-3000:])
    importlib.invalidate_caches()'''


def repository() -> str:
    """The course repository's address (``[project.urls] Repository`` in pyproject.toml)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["urls"]["Repository"].rstrip("/")


def badge(notebook_path: str) -> str:
    """Markdown of the badge that opens ``notebook_path`` (relative to the repository) on Colab."""
    github = repository().removeprefix("https://github.com/")
    return (f"[![Open in Colab]({BADGE_IMAGE})]"
            f"(https://colab.research.google.com/github/{github}/blob/main/{notebook_path})")


def install_cell() -> str:
    kept = "(" + ", ".join(f'"{p}"' for p in PACKAGES_KEPT) + ")"
    return INSTALL_CELL.format(repository=repository(), kept=kept)


def notebook_path(source: pathlib.Path) -> str:
    """``notebooks/src/01_x.py`` -> ``notebooks/01_x.ipynb`` (relative to the repository)."""
    return source.parent.parent.relative_to(ROOT).joinpath(source.stem + ".ipynb").as_posix()


_HEADER_END = "# ---\n\n"
_INSTALL_MARK = "# Google Colab only: install the course package there"


def _cell_header(sheet: bool) -> str:
    if not sheet:
        return "# %%\n"
    return ('# %% nbgrader={"grade": false, "grade_id": "colab_install", "locked": true, '
            '"schema_version": 3, "solution": false, "task": false}\n')


def with_colab_cells(text: str, source: pathlib.Path) -> str:
    """The jupytext source ``text`` with the badge as the first line of its title cell and the
    install cell right after the title cell (replacing earlier versions of both)."""
    sheet = source.parent.parent.name == "solutions"
    head, sep, body = text.partition(_HEADER_END)
    if not sep:
        raise ValueError(f"{source}: no jupytext header")
    cells = re.split(r"(?m)^(?=# %%)", body)
    cells = [c for c in cells if c]
    # drop an earlier install cell
    cells = [c for c in cells if _INSTALL_MARK not in c]
    title = cells[0]
    if not title.startswith("# %% [markdown]\n"):
        raise ValueError(f"{source}: the first cell must be the title (markdown)")
    lines = title.split("\n", 1)[1]
    lines = re.sub(r"^# \[!\[Open in Colab\]\([^)]*\)\]\([^)]*\)\n#\n", "", lines)
    title = f"# %% [markdown]\n# {badge(notebook_path(source))}\n#\n{lines}"
    install = _cell_header(sheet) + install_cell() + "\n\n"
    return head + sep + title + install + "".join(cells[1:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a source is out of date")
    args = parser.parse_args(argv)
    stale = []
    for folder in SOURCE_DIRS:
        for source in sorted((ROOT / folder).glob("*.py")):
            text = source.read_text(encoding="utf-8")
            new = with_colab_cells(text, source)
            if new != text:
                stale.append(source)
                if not args.check:
                    source.write_text(new, encoding="utf-8")
                    print(source.relative_to(ROOT))
    if args.check and stale:
        print("out of date (run python tools/colab.py):",
              *[s.relative_to(ROOT) for s in stale], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
