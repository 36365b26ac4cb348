"""The comparison engine behind every ``check_<exercise>`` function.

A check compares a student's answer with a reference computed independently (from
:mod:`sfa_helpers.theory` or a closed form) and returns a :class:`Feedback`: whether the answer
is right and one short sentence saying *what kind* of mistake it is. The sentence never contains
the reference value. Kinds, tried in this order:

``missing``      the answer is ``None`` or ``...``
``type``         not a number, a string instead of a Quantity, wrong number of values
``units``        wrong physical dimension (the message names the expected dimension)
``nan``          NaN or infinite values
``right``        within the tolerance
``sign``         right magnitude, wrong sign
``factor``       off by a power of 1000 (mV versus V, nA versus A, ms versus s)
``imprecise``    same order of magnitude (within a factor of 3) but outside the tolerance
``wrong``        anything else
"""

from __future__ import annotations

import numpy as np
from brian2 import Quantity, get_dimensions
from brian2.units.fundamentalunits import DIMENSIONLESS, get_unit

__all__ = ["Feedback", "NotDoneYet", "check_quantity", "check_choice", "check_integers",
           "dimension_name", "require", "call_safely", "plain_float", "from_prescribed_run"]

_DIMENSION_NAMES = {
    "amp": "a current (amp, e.g. nA or pA)",
    "volt": "a voltage (volt, e.g. mV)",
    "second": "a time (second, e.g. ms)",
    "hertz": "a rate (hertz, Hz)",
    "ohm": "a resistance (ohm, e.g. Mohm)",
    "farad": "a capacitance (farad, e.g. nF or pF)",
    "siemens": "a conductance (siemens, e.g. nS)",
}

#: Powers of ten that a unit-prefix slip produces (mV/V, ms/s: 10^3; nA/A: 10^9; ...).
_PREFIX_POWERS = (3, 6, 9, 12)


def dimension_name(dim) -> str:
    """Readable name of a Brian2 dimension: ``'a current (amp, e.g. nA or pA)'``."""
    if dim is DIMENSIONLESS:
        return "a plain number (dimensionless)"
    unit = repr(get_unit(dim))
    return _DIMENSION_NAMES.get(unit, f"a quantity in {unit}")


class Feedback:
    """Result of a check: ``bool(feedback)`` is True when the answer is right.

    In a notebook the feedback displays as one line, ``✓ ...`` or ``✗ ...``. Test cells use
    ``feedback.assert_ok()``, which raises ``AssertionError`` with the same message.
    """

    __slots__ = ("ok", "kind", "message")

    def __init__(self, ok: bool, kind: str, message: str):
        self.ok = bool(ok)
        self.kind = kind
        self.message = message

    def __bool__(self):
        return self.ok

    def __str__(self):
        return ("✓ " if self.ok else "✗ ") + self.message

    __repr__ = __str__

    def assert_ok(self) -> "Feedback":
        """Raise ``AssertionError(message)`` unless the answer is right; print the message."""
        if not self.ok:
            raise AssertionError(self.message)
        print(self)
        return self


def _missing(answer) -> bool:
    return answer is None or answer is Ellipsis


def plain_float(value):
    """A student's scalar answer as a float in SI units, or None if it is not a number."""
    try:
        return float(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        return None


def _as_array(answer):
    """Plain float array of the answer's values, or None if it is not numeric."""
    if isinstance(answer, (str, bytes, dict, set)) or callable(answer):
        return None
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None
    return arr


def _classify(a: float, e: float, rtol: float, atol: float) -> str:
    def close(x):
        return abs(x - e) <= rtol * abs(e) + atol

    if close(a):
        return "right"
    if e != 0 and close(-a):
        return "sign"
    if e != 0 and a != 0:
        for p in _PREFIX_POWERS:
            if close(a / 10 ** p) or close(a * 10 ** p):
                return f"factor{p}"
        ratio = a / e
        if 1 / 3 <= ratio <= 3:
            return "imprecise"
    elif e == 0 and abs(a) <= 3 * (atol if atol > 0 else 0):
        return "imprecise"
    return "wrong"


def _message(kind: str, name: str, rtol: float, count: str = "") -> str:
    tol = f"{rtol:.2g}" if rtol >= 0.1 else f"{100 * rtol:.2g} %"
    if kind == "sign":
        return f"{count}{name} has the wrong sign."
    if kind.startswith("factor"):
        p = int(kind[6:])
        hint = {3: "a unit prefix slipped (mV versus V, ms versus s, pA versus nA)?", 6: "check the unit prefixes (µ versus plain, or k versus m).",
                9: "nA versus A, or nS versus S?", 12: "pA versus A, or pF versus F?"}[p]
        return f"{count}{name} is off by a factor of 10^{p}: {hint}"
    if kind == "imprecise":
        return (f"{count}{name} has the right order of magnitude but is not precise enough "
                f"(needed: within {tol}).")
    return f"{count}{name} is wrong (not even the right order of magnitude)."


def check_quantity(answer, expected, *, rtol: float = 0.01, atol=None,
                   name: str = "your answer") -> Feedback:
    """Compare a number or Quantity (scalar or array) with the reference ``expected``.

    Parameters
    ----------
    answer : Quantity, number or array
        What the student computed.
    expected : Quantity, number or array
        The reference; its dimension is the one required.
    rtol : float
        Relative tolerance (0.01 = 1 %).
    atol : Quantity or number, optional
        Absolute tolerance (same dimension as ``expected``), for references that are zero.
    name : str
        How to call the answer in the message (``"I_th_sim"``).
    """
    if _missing(answer):
        return Feedback(False, "missing", f"{name}: no answer yet.")
    want_dim = get_dimensions(expected)
    got_dim = get_dimensions(answer) if isinstance(answer, Quantity) else DIMENSIONLESS
    values = _as_array(answer)
    if values is None:
        return Feedback(False, "type", f"{name} must be a number or a Brian2 quantity, "
                                       f"got {type(answer).__name__}.")
    if got_dim is not want_dim:
        if got_dim is DIMENSIONLESS:
            msg = (f"{name} is a plain number without units; expected {dimension_name(want_dim)}. "
                   "Multiply the number by its unit (for example value * mV).")
        else:
            msg = (f"{name} has the wrong units: expected {dimension_name(want_dim)}, "
                   f"got {dimension_name(got_dim)}.")
        return Feedback(False, "units", msg)
    ref = np.asarray(expected, dtype=float)
    if values.shape != ref.shape:
        if values.size == ref.size:
            values = values.reshape(ref.shape)
        else:
            want = "one value" if ref.ndim == 0 else f"{ref.size} values"
            return Feedback(False, "type", f"{name} should hold {want}, got {values.size}.")
    if not np.all(np.isfinite(values)):
        return Feedback(False, "nan", f"{name} contains NaN or infinite values.")
    atol_value = 0.0 if atol is None else float(np.asarray(atol, dtype=float))
    kinds = [_classify(float(a), float(e), rtol, atol_value)
             for a, e in zip(values.ravel(), ref.ravel())]
    bad = [k for k in kinds if k != "right"]
    if not bad:
        return Feedback(True, "right", f"{name} is right.")
    count = ""
    if ref.ndim > 0:
        count = f"{len(bad)} of {len(kinds)} values: "
    kind = bad[0] if len(set(bad)) == 1 else "wrong"
    return Feedback(False, "factor" if kind.startswith("factor") else kind,
                    _message(kind, name, rtol, count))


def check_integers(answer, expected, *, name: str = "your answer") -> Feedback:
    """Exact comparison of whole numbers (spike counts): scalar or sequence."""
    if _missing(answer):
        return Feedback(False, "missing", f"{name}: no answer yet.")
    if isinstance(answer, Quantity) and get_dimensions(answer) is not DIMENSIONLESS:
        return Feedback(False, "units", f"{name} should be a plain count (dimensionless), "
                                        f"got {dimension_name(get_dimensions(answer))}.")
    values = _as_array(answer)
    ref = np.asarray(expected)
    if values is None or values.size != ref.size:
        want = "one whole number" if ref.ndim == 0 else f"{ref.size} whole numbers"
        return Feedback(False, "type", f"{name} should be {want}.")
    values = values.reshape(ref.shape)
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        return Feedback(False, "type", f"{name} should contain whole numbers (counts).")
    wrong = int(np.count_nonzero(values != ref))
    if wrong == 0:
        return Feedback(True, "right", f"{name} is right.")
    close = np.all(np.abs(values - ref) <= 1)
    count = "" if ref.ndim == 0 else f"{wrong} of {ref.size} values: "
    if close:
        return Feedback(False, "imprecise", f"{count}{name} is off by one: check which spikes "
                                            "fall inside the window (start <= t < stop).")
    return Feedback(False, "wrong", f"{count}{name} is wrong.")


def from_prescribed_run(feedback: Feedback, answer, references, name: str, run: str, *,
                        rtol: float, atol: float = 0.0) -> Feedback:
    """``feedback`` (a check against independent truth) unless it passed and ``answer`` is none
    of ``references`` within ``atol + rtol * |reference|``: then a 'not the run' feedback.

    For answers that are statistics of a seeded simulation the exercise prescribes:
    ``references`` are callables giving that run's values in SI units (computed only when
    needed; several where the prompt allows several equivalent calls), ``run`` says in a few
    words which run it is. The tolerance is far below the statistic's sampling error, so a
    theory value or a number typed in fails although it is close to the truth.
    """
    if not feedback:
        return feedback
    for reference in references:
        reference = np.asarray(reference(), dtype=float)
        values = np.asarray(answer, dtype=float).reshape(np.shape(reference))
        if np.all(np.abs(values - reference) <= atol + rtol * np.abs(reference)):
            return feedback
    return Feedback(False, "not the run",
                    f"{name} is close to the reference, but it is not what the run the exercise "
                    f"prescribes gives ({run}): compute it from that simulation; a theory value "
                    "or a number typed in does not count.")


def check_choice(answer, correct, options, *, name: str = "your choice") -> Feedback:
    """Multiple choice: ``answer`` is one of ``options`` (letters, case-insensitive)."""
    if _missing(answer):
        return Feedback(False, "missing", f"{name}: no answer yet.")
    options = [str(o).lower() for o in options]
    if not isinstance(answer, str) or answer.strip().lower() not in options:
        return Feedback(False, "type", f"{name} must be one of {', '.join(repr(o) for o in options)} "
                                       "(a string).")
    if answer.strip().lower() == str(correct).lower():
        return Feedback(True, "right", f"{name} is right.")
    return Feedback(False, "wrong", f"{name} is not right; re-read the question and try again.")


class NotDoneYet(NotImplementedError):
    """Raised by an exercise whose solution has not been written yet."""


def require(*names: str) -> None:
    """Raise :class:`NotDoneYet` unless every name is defined in the calling notebook.

    Test cells start with ``require("I_th_sim")``, so that an exercise that has not been solved
    yet says "not done yet" instead of a ``NameError``.
    """
    import sys

    namespace = sys._getframe(1).f_globals
    missing = [n for n in names if n not in namespace]
    if missing:
        raise NotDoneYet(f"not done yet: {', '.join(missing)} is not defined; solve the exercise "
                         "cell above and run it.")


def call_safely(function, *args, name: str = "your function"):
    """Call a student's function; return ``(value, None)`` or ``(None, Feedback)`` if it raised."""
    if not callable(function):
        return None, Feedback(False, "type", f"{name} must be a function.")
    try:
        return function(*args), None
    except NotImplementedError as err:
        return None, Feedback(False, "missing", f"{name}: {err}")
    except Exception as err:  # noqa: BLE001 - any error of the student's code is feedback
        return None, Feedback(False, "error", f"{name} raised {type(err).__name__}: {err}")
