"""One call at the top of every lesson: quiet logs and consistent figures.

``setup()`` is the only function in :mod:`sfa_helpers` that changes global settings on purpose:
Brian2's console log level (so that informational messages do not clutter the lesson), numpy's
print precision (so that printed numbers are short and identical from run to run) and a few
matplotlib style defaults.
"""

from __future__ import annotations


def setup(*, dpi: int = 100, precision: int = 4) -> None:
    """Prepare a notebook kernel for a lesson (see the module docstring)."""
    import logging

    import matplotlib as mpl
    import numpy as np
    from brian2 import BrianLogger

    BrianLogger.console_handler.setLevel(logging.WARNING)
    np.set_printoptions(precision=precision, suppress=True)
    mpl.rcParams.update({
        "figure.dpi": dpi,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": "medium",
        "legend.fontsize": "small",
    })
