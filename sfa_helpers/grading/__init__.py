"""Autograding of the exercise sheets: see docs/grading.md."""

from __future__ import annotations

import sys

#: What the ``grade`` extra (``pip install "sfa-helpers[grade]"``) brings (module = distribution).
GRADE_EXTRA = ("nbformat", "nbclient", "jupyter_client", "ipykernel", "tqdm")


def main(argv=None) -> int:
    """Entry point of ``sfa-grade``: the grader, or a clear message if its extra is missing."""
    missing = []
    for module in GRADE_EXTRA:
        try:
            __import__(module)
        except ModuleNotFoundError:
            missing.append(module)
    if missing:
        print(f"sfa-grade needs {', '.join(missing)}, which a plain install of the course does not "
              "bring: install the grading extra with\n"
              "    python -m pip install \"sfa-helpers[grade]\"   (from a clone: pip install -e \".[grade]\")",
              file=sys.stderr)
        return 2
    from .cli import main as cli_main

    return cli_main(argv)
