"""Self-checks for the exercise sheets: ``check_<exercise>(answer)`` says whether it is right.

>>> from sfa_helpers.checks import check_rheobase_formula
>>> check_rheobase_formula(4 * volt)        # doctest: +SKIP
✗ I_th has the wrong units: expected a current (amp, e.g. nA or pA), got a voltage (volt, e.g. mV).

A check returns a :class:`Feedback` (``bool(feedback)`` is True when right) with one short,
specific sentence: right; wrong units (naming the expected dimension); off by a factor of 1000
(mV versus V); right order of magnitude but imprecise; wrong sign. It never shows the reference
value. Test cells of the sheets call ``check_...(answer).assert_ok()``.

Each sheet has a module ``lessonNN`` whose references come from closed forms; adding a sheet
adds a module and one import line below.
"""

from .core import (Feedback, NotDoneYet, call_safely, check_choice, check_integers, check_quantity,
                   dimension_name, require)
from .lesson01 import (check_ramp_current, check_ramp_lag, check_reset_limit, check_reset_rates,
                       check_rheobase_formula, check_rheobase_sim, check_spikes_halves,
                       check_window_rate)

__all__ = ["Feedback", "NotDoneYet", "call_safely", "check_choice", "check_integers",
           "check_quantity", "dimension_name", "require",
           "check_rheobase_formula", "check_rheobase_sim", "check_window_rate", "check_reset_rates",
           "check_reset_limit", "check_spikes_halves", "check_ramp_current", "check_ramp_lag"]
