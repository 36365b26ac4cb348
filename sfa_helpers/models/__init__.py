"""Neuron models: immutable parameter sets with Brian2 units.

Each model turns into a :class:`ModelSpec` (equations, threshold, reset, per-neuron constants)
that :func:`sfa_helpers.simulate` compiles into one Brian2 ``NeuronGroup``.
"""

from .base import ModelSpec, NeuronModel
from .combined import CombinedModel, Mechanism
from .lif import LIF
from .adaptation import AdaptationCurrent, AdaptiveThreshold, ConductanceSRA
from .refractoriness import (ForcedVoltageClamp, NESTMLRefractoriness, NoVoltageReset,
                             RefractoryConductance, ThresholdIncrease)
from .adex import EIF, AdEx, AdExDynamicThreshold, FIRING_PATTERNS, firing_pattern_preset
from .escape import EscapeNoise, EscapeSRM

__all__ = ["LIF", "ModelSpec", "NeuronModel", "Mechanism", "CombinedModel"]
__all__ += ["AdaptationCurrent", "AdaptiveThreshold", "ConductanceSRA"]
__all__ += ["ForcedVoltageClamp", "ThresholdIncrease", "RefractoryConductance", "NoVoltageReset",
            "NESTMLRefractoriness"]
__all__ += ["EIF", "AdEx", "AdExDynamicThreshold", "FIRING_PATTERNS", "firing_pattern_preset"]
__all__ += ["EscapeNoise", "EscapeSRM"]
from .brian2_model import Brian2Model

__all__ += ["Brian2Model"]
