"""A model a student writes in Brian2 strings beside the built-in LIF: is it as fast?

Same LIF, same stimulus, same engine: the built-in ``models.LIF`` and a ``models.Brian2Model``
with the equations a student would type. Prints a Markdown table for benchmarks/RESULTS.md.

    python benchmarks/bench_brian2_model.py
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from bench_simulation import REPEATS, machine_line, median_ms  # noqa: E402


def models():
    from brian2 import Mohm, mV, ms

    from sfa_helpers.models import LIF, Brian2Model

    params = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)
    written = Brian2Model("dv/dt = (E_L - v + R*I_total)/tau_m : volt (unless refractory)",
                          threshold="v > V_th", reset="v = V_reset", refractory="t_ref",
                          method="exact", init={"v": -70 * mV}, t_ref=0 * ms, **params)
    return {"built-in `LIF`": LIF(**params), "student's `Brian2Model`": written}


def slider(model, parameter="tau_m"):
    """A slider move on a model parameter: replace (validated) + simulate, 1 neuron x 500 ms."""
    from brian2 import ms, nA

    from sfa_helpers import simulate, stimuli

    values = iter(np.linspace(8, 12, 10 * REPEATS) * ms)
    stim = stimuli.step(1.6 * nA, 100 * ms, 400 * ms)
    return median_ms(lambda: simulate(model.replace(**{parameter: next(values)}), stim, 500 * ms))


def redraw(model):
    """Slider moved in ``widgets.explore`` -> simulate -> figure rendered to PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from brian2 import ms, nA

    from sfa_helpers import stimuli
    from sfa_helpers.widgets import explore

    explorer = explore(model, stimuli.step(1.6 * nA, 100 * ms, 400 * ms), 500 * ms)
    values = iter(np.linspace(8, 12, 10 * REPEATS))

    def move():
        explorer.sliders["tau_m"].value = float(next(values))

    return median_ms(move)


def sweep(model):
    from brian2 import nA, second

    from sfa_helpers import fi_curve

    currents = np.linspace(0.5, 5, 200) * nA
    return median_ms(lambda: fi_curve(model, currents, 10 * second), repeats=10)


def main():
    import logging

    from brian2 import BrianLogger

    BrianLogger.console_handler.setLevel(logging.WARNING)
    print(machine_line(), f"load average {os.getloadavg()[0]:.2f}")
    print()
    print("| model | slider re-simulation (ms) | slider move to redrawn PNG (ms) | 200 x 10 s sweep (ms) |")
    print("| --- | ---: | ---: | ---: |")
    for name, model in models().items():
        print(f"| {name} | {slider(model):.1f} | {redraw(model):.0f} | {sweep(model):.0f} |")


if __name__ == "__main__":
    main()
