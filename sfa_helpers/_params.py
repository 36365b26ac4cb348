"""Immutable, validated parameter sets: the common base of models and stimuli."""

from __future__ import annotations

import inspect

import numpy as np

from .validation import common_size, new_keywords


class ParameterSet:
    """Immutable set of named Brian2 quantities.

    Subclasses validate their constructor arguments and call :meth:`_store`. Instances cannot be
    modified; :meth:`replace` returns a validated copy with some arguments changed (this is what
    a widget does on every slider move). Any parameter may be a 1-D array: ``n_neurons`` is the
    common length of the array-valued parameters (1 if all are scalars).
    """

    #: Renamed constructor parameters, old name -> new name (set by
    #: :func:`sfa_helpers.validation.renamed_keywords`): the old names still work for one release.
    _renamed: dict = {}

    def _store(self, given: dict, derived: dict | None = None, n_neurons: int | None = None) -> None:
        """Store validated values. ``given`` are the constructor arguments the user passed (what
        :meth:`replace` starts from); ``derived`` are values computed from them."""
        values = {**(derived or {}), **given}
        object.__setattr__(self, "_given", dict(given))
        object.__setattr__(self, "_values", values)
        n = common_size(values) if n_neurons is None else n_neurons
        object.__setattr__(self, "n_neurons", n)

    def __getattr__(self, name):
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        if not name.startswith("_"):
            # an old parameter name (renamed for consistency) still reads, with a warning
            parts = [self, self.__dict__.get("base"), *self.__dict__.get("mechanisms", ())]
            for part in parts:
                new = getattr(type(part), "_renamed", {}).get(name)
                if new is not None and new in values:
                    import warnings

                    warnings.warn(f"{type(part).__name__}: the parameter '{name}' is now called "
                                  f"'{new}' (read .{new}); the old name still works in this "
                                  "release only.", FutureWarning, stacklevel=2)
                    return values[new]
        raise AttributeError(f"{type(self).__name__} has no parameter '{name}'")

    def __setattr__(self, name, value):
        raise AttributeError(
            f"{type(self).__name__} is immutable; use .replace({name}=...) to get a modified copy."
        )

    @property
    def parameters(self) -> dict:
        """The parameters as given to the constructor (name -> Quantity)."""
        return dict(self._given)

    def replace(self, **changes):
        """Return a copy with some constructor parameters changed (validated again)."""
        changes = new_keywords(f"{type(self).__name__}.replace", self._renamed, changes)
        unknown = set(changes) - set(self._constructor_names())
        if unknown:
            raise TypeError(f"{type(self).__name__} has no parameter(s) {sorted(unknown)}")
        return type(self)(**{**self._given, **changes})

    @classmethod
    def _constructor_names(cls):
        names = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        return names + [old for old in cls._renamed if old not in names]

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        if self._given.keys() != other._given.keys():
            return False
        return all(same_value(self._given[k], other._given[k]) for k in self._given)

    def __hash__(self):
        return hash((type(self).__name__, tuple(sorted(self._given))))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._given.items())
        return f"{type(self).__name__}({args})"


def same_value(a, b) -> bool:
    """True if two parameter values are equal: same dimension and the same numbers."""
    if getattr(a, "dim", None) != getattr(b, "dim", None):
        return False
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except TypeError:
        return a == b


_same_value = same_value  # old private name
