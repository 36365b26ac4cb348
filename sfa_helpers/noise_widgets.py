"""Old home of the spike-statistics explorer, kept so that older code and saved notebooks still
run.

It moved to :mod:`sfa_helpers.widgets.statistics`; import from there (or from
:mod:`sfa_helpers.widgets`).
"""

from .widgets.statistics import StatisticsExplorer, _sticky, explore_statistics  # noqa: F401

__all__ = ["StatisticsExplorer", "explore_statistics"]
