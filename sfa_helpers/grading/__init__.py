"""Autograding of the exercise sheets: see docs/grading.md."""

from __future__ import annotations

import sys

#: Distributions of the ``grade`` extra (``pip install "sfa-helpers[grade]"``), by module name.
GRADE_EXTRA = {"nbformat": "nbformat", "nbclient": "nbclient", "jupyter_client": "jupyter_client",
               "ipykernel": "ipykernel", "tqdm": "tqdm"}


def main(argv=None) -> int:
    """Entry point of ``sfa-grade``: the grader, or a clear message if its extra is missing."""
    missing = []
    for module in GRADE_EXTRA:
        try:
            __import__(module)
        except ModuleNotFoundError:
            missing.append(GRADE_EXTRA[module])
    if missing:
        print(f"sfa-grade needs {', '.join(missing)}, which a plain install of the course does not "
              "bring: install the grading extra with\n"
              "    python -m pip install \"sfa-helpers[grade]\"   (from a clone: pip install -e \".[grade]\")",
              file=sys.stderr)
        return 2
    from .cli import main as cli_main

    return cli_main(argv)
