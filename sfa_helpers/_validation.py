"""Checks for user-supplied quantities.

Every public function of :mod:`sfa_helpers` validates its arguments here, so that a wrong
dimension, a NaN or a negative time constant is reported with the *name of the parameter* instead
of surfacing later as a cryptic Brian2 code-generation error or, worse, a silently wrong result.
"""

from __future__ import annotations

import numpy as np
from brian2 import DimensionMismatchError, Quantity, get_dimensions
from brian2.units.fundamentalunits import DIMENSIONLESS, get_unit


def unit_name(dim) -> str:
    """Brian2 unit string (usable in equations) for a dimension, e.g. ``'volt'``, ``'amp'``."""
    if dim is DIMENSIONLESS:
        return "1"
    return repr(get_unit(dim))


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
