"""Generate the student exercise sheets (exercises/) from the instructor sheets (solutions/).

For every ``solutions/NN_name.ipynb`` this writes ``exercises/NN_name.ipynb`` with each
``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block replaced by a placeholder that raises
``NotImplementedError("not done yet: ...")``, the ``### BEGIN HIDDEN TESTS`` ...
``### END HIDDEN TESTS`` blocks removed, and all outputs cleared. The nbgrader cell metadata is
kept, so the student notebooks are also valid nbgrader release versions.

Usage::

    python tools/make_exercises.py            # regenerate every sheet
    python tools/make_exercises.py 01 03      # only sheets whose name starts with 01 or 03
    python tools/make_exercises.py --check    # exit 1 if exercises/ differs from what it would write
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sfa_helpers.grading.sheets import dumps, student_version  # noqa: E402


def generate(solution: pathlib.Path) -> str:
    """The exact text of the student version of one instructor sheet."""
    return dumps(student_version(nbformat.read(solution, as_version=4)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="only sheets whose name starts with these")
    parser.add_argument("--solutions", default="solutions", help="folder of instructor sheets")
    parser.add_argument("--out", default="exercises", help="folder for the student sheets")
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    src, out = ROOT / args.solutions, ROOT / args.out
    sheets = sorted(p for p in src.glob("*.ipynb")
                    if not args.prefixes or any(p.name.startswith(x) for x in args.prefixes))
    if not sheets:
        print(f"no instructor sheets matched in {src}", file=sys.stderr)
        return 1
    stale = []
    for sheet in sheets:
        text = generate(sheet)
        target = out / sheet.name
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target)
            continue
        out.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".ipynb.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        print(target.relative_to(ROOT))
    if stale:
        for target in stale:
            print(f"out of date: {target.relative_to(ROOT)}", file=sys.stderr)
        print("run: python tools/make_exercises.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
