"""Self-checks for the exercise sheets: ``check_<exercise>(answer)`` says whether it is right.

>>> from sfa_helpers.checks import check_rheobase_formula
>>> check_rheobase_formula(4 * volt)        # doctest: +SKIP
✗ I_th has the wrong units: expected a current (amp, e.g. nA or pA), got a voltage (volt, e.g. mV).

A check returns a :class:`Feedback` (``bool(feedback)`` is True when right) with one short,
specific sentence: right; wrong units (naming the expected dimension); off by a factor of 1000
(mV versus V); right order of magnitude but imprecise; wrong sign. It never shows the reference
value. Test cells of the sheets call ``check_...(answer).assert_ok()``.

Each sheet has a module ``lessonNN`` whose references come from closed forms and whose
``__all__`` lists its check functions; adding a sheet adds a module and its name to ``SHEETS``.
Where an exercise asks for a statistic of a seeded simulation it prescribes, the check also
requires the answer to be that run's value (:func:`.core.from_prescribed_run`), so a value typed
in from theory does not pass.
:func:`check_figure` (module ``figures``) checks a plot task's figure from what it draws: the
curves, in the units its axis labels name, and a legend.
:func:`sheet_variant` (module ``variants``) picks a student's own numbers on a sheet with
per-student variants; the grader's student id overrides the one the notebook gives.
:func:`check_written_model` (module ``written_models``) compares a model the student writes in
Brian2 strings with a reference by spike times; the sheets' ``check_*_written`` use it.
"""

import importlib

from .core import (Feedback, NotDoneYet, call_safely, check_choice, check_integers, check_quantity,
                   dimension_name, require)
from .figures import Curve, Level, Path, Points, check_figure
from .variants import sheet_variant
from .written_models import check_written_model

#: The sheet modules, one per lesson with an exercise sheet.
SHEETS = ("lesson01", "lesson02", "lesson03", "lesson04", "lesson05", "lesson06", "lesson07")

__all__ = ["Curve", "Feedback", "Level", "NotDoneYet", "Path", "Points", "call_safely",
           "check_choice", "check_figure", "check_integers", "sheet_variant", "check_quantity",
           "check_written_model", "dimension_name", "require"]

for _name in SHEETS:
    _module = importlib.import_module(f".{_name}", __name__)
    for _check in _module.__all__:
        if not _check.startswith("check_"):
            continue
        if _check in globals():
            raise ImportError(f"sfa_helpers.checks: {_check} is defined by two sheets")
        globals()[_check] = getattr(_module, _check)
        __all__.append(_check)
del _name, _module, _check
