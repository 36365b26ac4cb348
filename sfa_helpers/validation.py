"""Checks for user-supplied quantities (public: lessons use :func:`as_quantity` to write their
own mechanisms).

Every public function of :mod:`sfa_helpers` validates its arguments here, so that a wrong
dimension, a NaN or a negative time constant is reported with the *name of the parameter* instead
of surfacing later as a cryptic Brian2 code-generation error or, worse, a silently wrong result.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
from brian2 import DimensionMismatchError, Quantity, get_dimensions, second
from brian2.units.fundamentalunits import DIMENSIONLESS, get_unit

__all__ = ["as_quantity", "common_size", "unit_name", "check_seed", "check_spike_times",
           "renamed_keywords", "new_keywords"]


@functools.lru_cache(maxsize=256)
def unit_name(dim) -> str:
    """Brian2 unit string (usable in equations) for a dimension, e.g. ``'volt'``, ``'amp'``.

    Brian2's own name of a derived unit is used where its equation parser reads it back
    (``'volt / second'``); names it cannot read (``'volt2'`` for volt squared) are written in
    base units instead (``'metre ** 4 * kilogram ** 2 * second ** -6 * amp ** -2'``)."""
    if dim is DIMENSIONLESS:
        return "1"
    from brian2 import Equations

    name = repr(get_unit(dim))
    try:
        if Equations(f"x : {name}")["x"].dim == dim:
            return name
    except Exception:  # noqa: BLE001 - Brian2 cannot parse its own name of this unit
        pass
    return dim._str_representation(python_code=True)


def as_quantity(name: str, value, unit, *, positive: bool = False, nonnegative: bool = False,
                allow_array: bool = True) -> Quantity:
    """Return ``value`` as a float64 Brian2 quantity with the dimensions of ``unit``.

    Parameters
    ----------
    name : str
        Parameter name used in error messages.
    value : Quantity, number or array
        The user's value. Plain numbers are accepted only for dimensionless parameters.
    unit : Unit or Quantity
        Any quantity with the expected dimension (``mV``, ``nA``, ``ms`` ...).
    positive, nonnegative : bool
        Require ``value > 0`` (or ``>= 0``) element-wise.
    allow_array : bool
        Accept a 1-D array (one value per neuron); otherwise only a scalar.

    Raises
    ------
    brian2.DimensionMismatchError
        Wrong physical dimension (message names the parameter and the expected unit).
    ValueError
        NaN or infinite values, a violated sign constraint, an empty or multi-dimensional array.
    """
    expected = get_dimensions(unit)
    if value is None:
        raise ValueError(f"Parameter '{name}' is required (expected a value in {unit_name(expected)}).")
    got = get_dimensions(value)
    if got is not expected:
        raise DimensionMismatchError(
            f"Parameter '{name}' must have units of {unit_name(expected)}, "
            f"but got {value!r} (dimensions {got})"
        )
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Parameter '{name}' must be numeric, got {value!r}.") from err
    if arr.ndim > 1:
        raise ValueError(f"Parameter '{name}' must be a scalar or a 1-D array, got shape {arr.shape}.")
    if arr.ndim == 1:
        if not allow_array:
            raise ValueError(f"Parameter '{name}' must be a single value, not an array.")
        if arr.size == 0:
            raise ValueError(f"Parameter '{name}' is an empty array.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"Parameter '{name}' contains NaN or infinite values: {value!r}.")
    if positive and np.any(arr <= 0):
        raise ValueError(f"Parameter '{name}' must be positive, got {value!r}.")
    if nonnegative and np.any(arr < 0):
        raise ValueError(f"Parameter '{name}' must not be negative, got {value!r}.")
    return Quantity(arr, dim=expected)


def common_size(values: dict) -> int:
    """Number of neurons implied by a set of parameters: 1, or the common length of the arrays.

    Raises ``ValueError`` naming the parameters when two arrays have different lengths.
    """
    sizes = {}
    for key, val in values.items():
        arr = np.asarray(val)
        if arr.ndim == 1 and arr.size != 1:
            sizes[key] = arr.size
    distinct = set(sizes.values())
    if len(distinct) > 1:
        listing = ", ".join(f"{k} ({n})" for k, n in sizes.items())
        raise ValueError(
            "Array-valued parameters must all have the same length (one value per neuron); "
            f"got lengths {listing}."
        )
    return distinct.pop() if distinct else 1


#: The largest seed accepted (the program's generators take seed + k as a 64-bit number).
MAX_SEED = 2 ** 63 - 1


def check_seed(seed):
    """A random seed: ``None`` (fresh randomness) or a non-negative integer, returned as ``int``.

    Raises ``ValueError`` for anything else (floats, negative numbers, booleans)."""
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"'seed' must be a non-negative integer or None, got {seed!r}.")
    if seed > MAX_SEED:
        # The compiled program reads the seed as an unsigned 64-bit number and adds the index of
        # each random generator: larger values would all saturate to the same realisation.
        raise ValueError(f"'seed' must be at most 2**63 - 1 ({MAX_SEED}), got {seed}.")
    return int(seed)


def check_spike_times(spikes, duration, name="spikes"):
    """Spike times in seconds as a 1-D float array; sorted, finite and inside
    ``[0, duration)`` (``duration`` in seconds, a float; ``np.inf`` for no upper bound).

    Raises ``DimensionMismatchError`` for times that are not in seconds and ``ValueError``
    naming ``name`` for unsorted times or times outside the window."""
    if np.size(spikes) == 0:
        if isinstance(spikes, Quantity) and spikes.dim is not second.dim:
            as_quantity(name, spikes, second)  # raises the dimension error
        arr = np.zeros(0)
    else:
        arr = np.asarray(as_quantity(name, spikes, second), dtype=float).ravel()
    if arr.size and np.any(np.diff(arr) < 0):
        k = int(np.argmax(np.diff(arr) < 0))
        raise ValueError(f"'{name}' must be sorted in time; spike {k + 1} ({arr[k + 1]} s) comes "
                         f"before spike {k} ({arr[k]} s).")
    outside = (arr < 0) | (arr >= duration)
    if outside.any():
        raise ValueError(f"'{name}' has {int(outside.sum())} spike(s) outside the stimulus window "
                         f"[0 s, {duration:g} s), e.g. {arr[outside][0]:g} s.")
    return arr


def new_keywords(owner: str, renamed: dict, kwargs: dict, stacklevel: int = 3) -> dict:
    """``kwargs`` with every old keyword of ``renamed`` (old name -> new name) replaced by its
    new name, each with a ``FutureWarning`` that names the new one (shown in notebooks).
    ``TypeError`` if both the old and the new name are given. ``owner`` names the function or
    class in the message."""
    if not renamed or not renamed.keys() & kwargs.keys():
        return kwargs
    out = {}
    for name, value in kwargs.items():
        new = renamed.get(name)
        if new is None:
            out[name] = value
            continue
        if new in kwargs:
            raise TypeError(f"{owner} got both '{name}' and its new name '{new}'; pass only '{new}'.")
        warnings.warn(f"{owner}: the parameter '{name}' is now called '{new}' (write {new}=...); "
                      f"the old name '{name}' still works in this release only.", FutureWarning,
                      stacklevel=stacklevel)
        out[new] = value
    return out


def renamed_keywords(**old_to_new):
    """Decorator for a function or a parameter-set class whose keyword arguments were renamed:
    the old keywords keep working for one release, with a ``FutureWarning`` naming the new one.

    On a class it wraps ``__init__`` and records the renames in ``cls._renamed`` (so that
    ``replace`` and ``model + mechanism`` accept the old names too). The signature shown by
    ``help()`` is the new one.

    >>> @renamed_keywords(delta_u="Delta_u")
    ... def escape_rate(u, theta, Delta_u, tau_0): ...
    """
    def decorate(obj):
        if isinstance(obj, type):
            init = obj.__init__

            @functools.wraps(init)
            def __init__(self, *args, **kwargs):
                init(self, *args, **new_keywords(type(self).__name__, old_to_new, kwargs))

            obj.__init__ = __init__
            obj._renamed = {**getattr(obj, "_renamed", {}), **old_to_new}
            return obj

        @functools.wraps(obj)
        def wrapper(*args, **kwargs):
            return obj(*args, **new_keywords(obj.__name__, old_to_new, kwargs))

        return wrapper

    return decorate
