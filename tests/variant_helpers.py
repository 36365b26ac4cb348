"""What the per-sheet variant tests (``tests/test_variants*.py``) share: a student id for a
wanted variant, the structure every variant must keep, and the structure of a compiled program.
The fixture that leaves no variant active between tests is ``clean_variants`` in conftest.py."""

import importlib

import numpy as np
from brian2 import Quantity, get_dimensions

from sfa_helpers.checks import variants
from sfa_helpers.plain_brian2 import assemble


def id_of_variant(sheet: str, index: int, prefix: str = "student") -> str:
    """A student id (``prefix`` + a number) whose variant on ``sheet`` ("01" ... "07") is
    ``index``."""
    count = len(importlib.import_module(f"sfa_helpers.checks.lesson{sheet}").VARIANTS)
    return next(f"{prefix}{k}" for k in range(10_000)
                if variants.variant_index(sheet, f"{prefix}{k}", count) == index)


def value_shape(value):
    """Type, array shape and physical dimensions of a variant's value."""
    dims = get_dimensions(value) if isinstance(value, Quantity) else None
    return type(value).__name__, np.shape(value), dims


def assert_same_structure(table) -> None:
    """Every variant of ``table`` (a check module's ``VARIANTS``) has variant 0's keys, and
    each value its type, shape and units: a variant changes numbers, never what they are."""
    first = table[0]
    for values in table[1:]:
        assert sorted(values) == sorted(first), values
        for key, value in values.items():
            assert value_shape(value) == value_shape(first[key]), (key, value, first[key])


def program_structure(model, stimulus, dt):
    """What makes a compiled program (equations, threshold, reset, refractoriness, method, group
    size, regular code, timed arrays, parameter names and units), without the values: two runs
    with the same structure share one program."""
    a = assemble(model, stimulus, dt=dt)
    units = sorted((k, repr(get_dimensions(v))) for k, v in a.parameters.items())
    return repr((a.equations, a.threshold, a.reset, a.refractory, a.method, a.n, a.regular_code,
                 sorted(a.timed_arrays), units))
