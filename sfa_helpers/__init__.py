"""sfa_helpers: Brian2 building blocks for a hands-on course in single-neuron modelling.

Public API::

    simulate(model, stimulus, duration, *, dt, record, seed)  -> SimulationResult
    fi_curve(model, currents, duration, ...)                  -> FICurve
    models     neuron models and mechanisms (LIF, AdEx, adaptation, refractoriness, escape noise;
               models.presets: Table 6.1 and the firing-pattern presets)
    stimuli    input currents (constant, step, ramp, sine, from_array, white_noise, ou)
    theory     closed forms, one module per topic: lif, noise, adaptation, adex, escape
               (theory.lif_rate etc. also directly)
    analysis   spike-train statistics; firing_patterns, glm, spike_prediction beside it
    plots      every static figure (imported on first use: needs matplotlib)
    widgets    interactive explorers (imported on first use: needs ipywidgets)
    validation argument checks (as_quantity ...), for your own mechanisms

docs/architecture.md lists every module and which layer may import which.
"""

from __future__ import annotations

import importlib

from . import analysis, models, stimuli, theory
from .simulation import FICurve, SimulationResult, fi_curve, simulate

__version__ = "0.1.0"

__all__ = ["simulate", "fi_curve", "SimulationResult", "FICurve", "models", "stimuli", "theory",
           "analysis", "plots", "widgets"]


def __getattr__(name):
    if name in ("plots", "widgets"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'sfa_helpers' has no attribute '{name}'")
