"""Old home of the mean-adaptation theory, kept so that older code and saved notebooks still run.

It moved to :mod:`sfa_helpers.theory.adaptation`; import from there.
"""

from .theory.adaptation import adaptive_lif_rate, mean_adaptation

__all__ = ["adaptive_lif_rate", "mean_adaptation"]
