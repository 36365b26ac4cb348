"""Old home of the escape-noise theory, kept so that older code and saved notebooks still run.

It moved to :mod:`sfa_helpers.theory.escape`; import from there.
"""

from .theory.escape import IntervalDistribution, escape_rate, interval_distribution, lif_escape_hazard

__all__ = ["escape_rate", "IntervalDistribution", "interval_distribution", "lif_escape_hazard"]
