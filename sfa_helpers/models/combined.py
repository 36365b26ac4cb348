"""Combining a base neuron with mechanisms: ``LIF(...) + SomeMechanism(...)``.

A :class:`Mechanism` (an adaptation current, a moving threshold, a refractory conductance ...) is
a parameter set that transforms a :class:`ModelSpec`: it adds equations, currents, reset
statements and parameters, or replaces the threshold. ``base + mechanism`` gives a
:class:`CombinedModel`, which behaves like any other model: its parameters are the union of the
parts' parameters, ``replace`` routes each changed parameter to the part that owns it, and any
parameter may be an array (one neuron per value).
"""

from __future__ import annotations

from .._params import ParameterSet
from ..validation import common_size
from .base import ModelSpec, NeuronModel


class Mechanism(ParameterSet):
    """Base class of mechanisms. Subclasses implement :meth:`apply`.

    ``requires`` names the parameters or variables the mechanism needs from the base model's spec
    (for example ``('v', 'V_th')``); combining with a base that lacks them raises ``TypeError``.
    """

    requires: tuple = ()
    #: True for a mechanism that changes how every equation is treated (NESTMLRefractoriness):
    #: it is applied after all the others, wherever it is added.
    applies_last: bool = False

    def apply(self, spec: ModelSpec) -> ModelSpec:  # pragma: no cover - abstract
        raise NotImplementedError

    def __radd__(self, other):
        return NotImplemented


class CombinedModel(NeuronModel):
    """A base model plus one or more mechanisms, applied in order."""

    def __init__(self, base: NeuronModel, *mechanisms: Mechanism):
        if not isinstance(base, NeuronModel) or isinstance(base, CombinedModel):
            raise TypeError(f"'base' must be a plain neuron model, got {base!r}")
        for mech in mechanisms:
            if not isinstance(mech, Mechanism):
                raise TypeError(f"Can only add mechanisms to a model, got {mech!r}")
        owners = {}
        for part in (base, *mechanisms):
            for name in part.parameters:
                if name in owners:
                    raise ValueError(f"Parameter '{name}' is defined by both {type(owners[name]).__name__} "
                                     f"and {type(part).__name__}.")
                owners[name] = part
        spec = base.spec()
        available = set(spec.parameters) | set(spec.initial_values)
        for mech in mechanisms:
            missing = [r for r in mech.requires if r not in available]
            if missing:
                raise TypeError(f"{type(mech).__name__} needs {missing} from the base model, which "
                                f"{type(base).__name__} does not have.")
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "mechanisms", tuple(mechanisms))
        object.__setattr__(self, "_given", {k: v for p in (base, *mechanisms) for k, v in p.parameters.items()})
        object.__setattr__(self, "_values", {k: v for p in (base, *mechanisms) for k, v in p._values.items()})
        object.__setattr__(self, "n_neurons", common_size(self._values))
        self.spec()  # an invalid combination fails here, where it is made, not at simulation

    def spec(self) -> ModelSpec:
        spec = self.base.spec()
        # a mechanism that changes how every equation is treated (``applies_last``, e.g.
        # NESTMLRefractoriness) sees the equations of all the others, wherever it was added
        ordered = sorted(self.mechanisms, key=lambda m: m.applies_last)
        for mech in ordered:
            spec = mech.apply(spec)
        return spec

    def replace(self, **changes) -> "CombinedModel":
        parts = [self.base, *self.mechanisms]
        routed = [{} for _ in parts]
        for name, value in changes.items():
            for k, part in enumerate(parts):
                if name in part._constructor_names():
                    routed[k][name] = value
                    break
            else:
                raise TypeError(f"No part of {self!r} has a parameter '{name}'.")
        new = [part.replace(**ch) if ch else part for part, ch in zip(parts, routed)]
        return CombinedModel(new[0], *new[1:])

    def __add__(self, mechanism):
        if not isinstance(mechanism, Mechanism):
            return NotImplemented
        return CombinedModel(self.base, *self.mechanisms, mechanism)

    def __eq__(self, other):
        if not isinstance(other, CombinedModel):
            return NotImplemented
        return self.base == other.base and self.mechanisms == other.mechanisms

    def __hash__(self):
        return hash((self.base, self.mechanisms))

    def __repr__(self):
        return " + ".join(repr(p) for p in (self.base, *self.mechanisms))
