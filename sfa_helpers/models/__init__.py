"""Neuron models: immutable parameter sets with Brian2 units.

Each model turns into a :class:`ModelSpec` (equations, threshold, reset, per-neuron constants)
that :func:`sfa_helpers.simulate` compiles into one Brian2 ``NeuronGroup``.
"""

from .base import ModelSpec, NeuronModel
from .combined import CombinedModel, Mechanism
from .lif import LIF

__all__ = ["LIF", "ModelSpec", "NeuronModel", "Mechanism", "CombinedModel"]
