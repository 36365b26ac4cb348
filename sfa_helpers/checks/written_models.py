"""Checking a model that a student writes in Brian2 strings.

The student writes the equations, threshold and reset as strings; the check builds a
:class:`~sfa_helpers.models.Brian2Model` from them with the parameter values *it* chooses (the
hidden tests choose values and inputs the student has not seen), simulates it and a reference
model on the same inputs, and compares the spike times. A string that Brian2 cannot use (syntax,
units, an undefined name) gives a feedback with Brian2's explanation, so one mistake costs that
exercise only.
"""

from __future__ import annotations

import numpy as np
from brian2 import DimensionMismatchError, ms, second

from .core import Feedback

__all__ = ["check_written_model", "build_written_model"]


def build_written_model(equations, threshold, reset, *, parameters, refractory=None, method=None,
                        init=None):
    """(model, None) built from the student's strings, or (None, Feedback) saying what is wrong."""
    from ..models import Brian2Model

    for what, text in (("equations", equations), ("threshold", threshold), ("reset", reset)):
        if text is None or text is Ellipsis:
            return None, Feedback(False, "missing", f"'{what}' is not written yet.")
        if not isinstance(text, str):
            return None, Feedback(False, "type", f"'{what}' must be a string of Brian2 code, got "
                                                 f"{type(text).__name__}.")
    try:
        model = Brian2Model(equations, threshold, reset, refractory=refractory, method=method,
                            init=init, **parameters)
    except (ValueError, TypeError, DimensionMismatchError) as err:
        first = str(err).split("\nequations:")[0].split("\nparameters:")[0].strip()
        return None, Feedback(False, "brian2", f"Brian2 cannot use the model: {first}")
    return model, None


def check_written_model(equations, threshold, reset, *, reference, parameters, cases,
                        refractory=None, method=None, init=None, dt=0.1 * ms,
                        name="your model") -> Feedback:
    """Compare the spikes of a student's Brian2 model with those of ``reference``.

    Parameters
    ----------
    equations, threshold, reset : str
        The student's Brian2 strings.
    reference : NeuronModel
        The model to compare with (a built-in model, or one written by the instructor).
    parameters : dict
        The values the student's model gets (name -> Quantity); its strings must use these names.
    cases : sequence of (Stimulus, duration, description)
        Inputs on which both models are simulated; ``description`` names the input in messages.
    refractory, method, init
        As for :class:`~sfa_helpers.models.Brian2Model`.

    The answer is right when, on every input, both fire the same number of spikes and every
    spike time agrees within one time step.
    """
    from .. import simulate

    model, problem = build_written_model(equations, threshold, reset, parameters=parameters,
                                         refractory=refractory, method=method, init=init)
    if problem is not None:
        return problem
    step = float(dt / second)
    for stimulus, duration, description in cases:
        try:
            ours = simulate(model, stimulus, duration, dt=dt, record=(), seed=0)
        except Exception as err:  # noqa: BLE001 - any failure of the student's model is feedback
            return Feedback(False, "brian2", f"{name} could not be simulated ({description}): "
                                             f"{str(err).splitlines()[0]}")
        ref = simulate(reference, stimulus, duration, dt=dt, record=(), seed=0)
        for k, (a, b) in enumerate(zip(ours.spike_trains, ref.spike_trains)):
            a, b = np.asarray(a / second), np.asarray(b / second)
            who = f" (neuron {k})" if ref.n_neurons > 1 else ""
            if len(a) != len(b):
                more = "more" if len(a) > len(b) else "fewer"
                return Feedback(False, "wrong", f"{name} fires {more} spikes than the reference "
                                                f"model for {description}{who}.")
            if len(a) and np.max(np.abs(a - b)) > 1.001 * step:
                return Feedback(False, "imprecise", f"{name} fires as many spikes as the reference "
                                                    f"for {description}{who}, but at other times.")
    return Feedback(True, "right", f"{name} fires the same spikes as the reference model on "
                                   f"{len(cases)} input(s).")
