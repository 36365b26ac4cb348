"""Old home of the GLM filter explorer, kept so that older code and saved notebooks still run.

It moved to :mod:`sfa_helpers.widgets.glm`; import from there (or from :mod:`sfa_helpers.widgets`).
"""

from .widgets.glm import FilterExplorer

__all__ = ["FilterExplorer"]
