"""Old name of :mod:`sfa_helpers.validation` (kept so that older code and saved notebooks run).

Import from :mod:`sfa_helpers.validation` instead.
"""

from .validation import *  # noqa: F401,F403
from .validation import __all__  # noqa: F401
