"""Checking a model that a student writes in Brian2 strings.

The student writes the equations, threshold and reset as strings; the check builds a
:class:`~sfa_helpers.models.Brian2Model` from them with the parameter values *it* chooses (the
hidden tests choose values and inputs the student has not seen), simulates it and a reference
model on the same inputs, and compares the spike times. A string that Brian2 cannot use (syntax,
units, an undefined name) gives a feedback with Brian2's explanation, so one mistake costs that
exercise only.

Kinds of feedback (``Feedback.kind``), tried in this order:

``missing``    a string is None, ``...`` or empty
``type``       not a string
``syntax``     Brian2 cannot parse the equations, the threshold or the reset
``input``      the equations define the input ``I_total``/``I_stim`` (a built-in model's
               ``brian2_code()`` pasted whole) or never use ``I_total``
``name``       a name that is neither a parameter of the exercise nor a variable; a state
               variable the exercise needs (``v``) is missing
``units``      inconsistent units (Brian2's dimension check), or ``v`` declared in other units
``brian2``     anything else Brian2 refuses
``wrong``      the model runs but fires a different number of spikes than the reference
``imprecise``  as many spikes, at other times (more than one time step apart)
``right``      the same spikes on every input
"""

from __future__ import annotations

import re

import numpy as np
from brian2 import DimensionMismatchError, Equations, Quantity, get_dimensions, ms, second

from .core import Feedback

__all__ = ["check_written_model", "build_written_model", "hard_coded_numbers"]

#: The input of every course model; the engine defines it, a student's equations must not.
_INPUT_NAMES = ("I_total", "I_stim")

#: Brian2 prints dimensions in SI base units; the readable unit is added after these.
_READABLE_DIMENSIONS = {
    "m^2 kg s^-3 A^-1": "volt", "m^2 kg s^-4 A^-1": "volt/second", "m^2 kg s^-3 A^-2": "ohm",
    "m^-2 kg^-1 s^3 A^2": "siemens", "m^-2 kg^-1 s^4 A^2": "farad", "m^-2 kg^-1 s^3 A": "1/volt",
}


def _readable(text: str) -> str:
    """Brian2's message with the common SI dimensions named (``m^2 kg s^-3 A^-1 (volt)``)."""
    for dim, name in _READABLE_DIMENSIONS.items():
        text = re.sub(re.escape(dim) + r"(?![\d^])", f"{dim} (= {name})", text)
    return text


def hard_coded_numbers(*texts) -> list:
    """Numbers with units written into Brian2 strings (``'10*ms'``, ``'-70*mV'``), in order."""
    from brian2 import units

    found = []
    for text in texts:
        if not isinstance(text, str):
            continue
        for number, unit in re.findall(r"(?<![\w.])(-?\d+\.?\d*(?:[eE][-+]?\d+)?)\s*\*\s*([A-Za-z]\w*)",
                                       text):
            if isinstance(getattr(units, unit, None), Quantity):
                found.append(f"{number}*{unit}")
    return found


def _empty(text) -> bool:
    return text is None or text is Ellipsis


def _feedback_from_error(err, label_eq, parameters) -> Feedback:
    """Feedback for an exception of Brian2Model: the first part of its message, classified."""
    text = str(err)
    first = text.split("\nequations:")[0].split("\nparameters:")[0].strip()
    first = first.replace("Brian2 rejected the model: ", "")
    if isinstance(err, DimensionMismatchError):
        kind = "units"
    elif "never use the input current" in first:
        kind = "input"
    elif "could not be resolved" in first or "not defined" in first:
        kind = "name"
        first = first.split("\nEvery name must be")[0]
        first += (f" Use the parameter names of this exercise ({', '.join(sorted(parameters))}), "
                  "the state variables of your equations, Brian2 units and functions, and "
                  "'I_total' for the input current.")
    elif ("could not be read" in first or "Parsing" in first or "not a boolean" in first
          or "SyntaxError" in first or "invalid syntax" in first
          or re.search(r"\bExpected .*, found\b", first)):
        kind = "syntax"
        if "Parsing" not in first and "Expected" in first:
            # Brian2 2.10+ reports pyparsing's own message; say what it is about, as 2.9 did
            first = f"Parsing the statement failed: {first}"
    elif "unit" in first.lower() or "dimension" in first.lower():
        kind = "units"
    else:
        kind = "brian2"
    return Feedback(False, kind, f"Brian2 cannot use your model: {_readable(first)}")


def build_written_model(equations, threshold, reset, *, parameters, refractory=None, method=None,
                        init=None, labels=("equations", "threshold", "reset")):
    """(model, None) built from the student's strings, or (None, Feedback) saying what is wrong.

    ``labels`` name the three strings in messages (the variable names of the exercise).
    """
    from ..models import Brian2Model
    from ..validation import unit_name

    label_eq = labels[0]
    for label, text in zip(labels, (equations, threshold, reset)):
        if _empty(text):
            return None, Feedback(False, "missing", f"'{label}' is not written yet.")
        if not isinstance(text, str):
            return None, Feedback(False, "type", f"'{label}' must be a string of Brian2 code, got "
                                                 f"{type(text).__name__}.")
        if not text.strip():
            return None, Feedback(False, "missing", f"'{label}' is an empty string: write the "
                                                    "Brian2 code there.")
    try:
        eqs = Equations(equations)
    except Exception as err:  # noqa: BLE001 - Brian2 raises several kinds for bad syntax
        from ..models.brian2_model import brian2_message

        hint = ""
        lines = [line.strip() for line in equations.splitlines() if line.strip()
                 and not line.strip().startswith("#")]
        if any(":" not in line for line in lines):
            hint = " Every equation ends with its unit after a colon, e.g. '... : volt'."
        elif any(re.match(r"^\w+\s*\*\s*d\w+/dt", line) for line in lines):
            hint = (" The left-hand side must be 'dv/dt' alone: divide the right-hand side by "
                    "the factor instead (e.g. 'dv/dt = (...)/C_m : volt').")
        return None, Feedback(False, "syntax", f"Brian2 cannot read '{label_eq}': "
                                               f"{brian2_message(err)}.{hint}")
    defined = [name for name in _INPUT_NAMES if name in eqs.names]
    if defined:
        return None, Feedback(False, "input", (
            f"'{label_eq}' define(s) {', '.join(repr(n) for n in defined)}: the course provides "
            "the input current I_total (the stimulus plus the currents of added mechanisms), so do "
            "not define or declare it, only use it. If you pasted a built-in model's "
            "brian2_code(), write the model this exercise asks for instead."))
    from brian2.equations.equations import PARAMETER

    foreign = sorted(name for name, eq in eqs.items()
                     if eq.type == PARAMETER and name not in parameters and "constant" in eq.flags)
    if foreign:
        return None, Feedback(False, "name", (
            f"'{label_eq}' declare(s) the constant(s) {', '.join(foreign)}, which are not "
            f"parameters of this exercise: its parameters are {', '.join(sorted(parameters))} "
            "(given by the check, do not declare them)."))
    for name, value in (init or {}).items():
        if name not in eqs.names:
            states = sorted(n for n, eq in eqs.items() if eq.type != "subexpression")
            return None, Feedback(False, "name", (
                f"'{label_eq}' must have the state variable '{name}' (the check sets its initial "
                f"value); your equations define {states or 'none'}."))
        want = get_dimensions(value)
        if eqs[name].dim is not want:
            return None, Feedback(False, "units", (
                f"'{name}' must be declared in {unit_name(want)} (': {unit_name(want)}'); your "
                f"equations declare it in {unit_name(eqs[name].dim)}."))
    try:
        model = Brian2Model(equations, threshold, reset, refractory=refractory, method=method,
                            init=init, **parameters)
    except (ValueError, TypeError, DimensionMismatchError) as err:
        return None, _feedback_from_error(err, label_eq, parameters)
    except Exception as err:  # noqa: BLE001 - anything else Brian2 raises is feedback too
        return None, Feedback(False, "brian2", f"Brian2 cannot use your model: "
                                               f"{type(err).__name__}: {str(err).splitlines()[0]}")
    return model, None


def check_written_model(equations, threshold, reset, *, reference, parameters, cases,
                        refractory=None, method=None, init=None, dt=0.1 * ms,
                        name="your model", labels=("equations", "threshold", "reset")) -> Feedback:
    """Compare the spikes of a student's Brian2 model with those of ``reference``.

    Parameters
    ----------
    equations, threshold, reset : str
        The student's Brian2 strings.
    reference : NeuronModel
        The model to compare with (a built-in model, or one written by the instructor), with the
        same parameter values as ``parameters``.
    parameters : dict
        The values the student's model gets (name -> Quantity, scalar or one value per neuron);
        its strings must use these names.
    cases : sequence of (Stimulus, duration, description)
        Inputs on which both models are simulated; ``description`` names the input in messages.
    refractory, method, init
        As for :class:`~sfa_helpers.models.Brian2Model` (the check, not the student, sets them).
    labels : tuple of 3 str
        How messages call the three strings (the exercise's variable names).

    The answer is right when, on every input, both fire the same number of spikes and every
    spike time agrees within one time step. Numbers with units written into the strings are
    pointed out (also when right: the hidden tests use other parameter values).
    """
    from .. import simulate

    model, problem = build_written_model(equations, threshold, reset, parameters=parameters,
                                         refractory=refractory, method=method, init=init,
                                         labels=labels)
    if problem is not None:
        return problem
    numbers = hard_coded_numbers(equations, threshold, reset)
    numbers_note = ""
    if numbers:
        numbers_note = (f" Your strings contain numbers with units ({', '.join(numbers[:3])}): "
                        "write the parameter names instead, other tests use other values.")
    hints = numbers_note
    if refractory is not None and not re.search(r"unless\s+refractory", equations):
        hints += (" During the refractory period v must not change: mark its equation "
                  "'(unless refractory)'.")
    step = float(dt / second)
    from ..plain_brian2 import assemble

    for stimulus, duration, description in cases:
        if assemble(reference, stimulus).stochastic or assemble(model, stimulus).stochastic:
            # the student's model runs on Brian2's runtime target, the reference on the engine:
            # their random numbers differ, so spike times of noisy cases cannot be compared
            raise ValueError(f"check_written_model compares spike times of deterministic inputs "
                             f"only; {description!r} draws random numbers.")
        try:
            ours = _plain_spike_trains(model, stimulus, duration, dt)
        except Exception as err:  # noqa: BLE001 - any failure of the student's model is feedback
            return Feedback(False, "brian2", f"{name} could not be simulated ({description}): "
                                             f"{str(err).splitlines()[0]}")
        ref = simulate(reference, stimulus, duration, dt=dt, record=(), seed=0)
        for k, (a, b) in enumerate(zip(ours, ref.spike_trains)):
            a, b = np.asarray(a / second), np.asarray(b / second)
            who = f" (neuron {k})" if ref.n_neurons > 1 else ""
            if len(a) != len(b):
                more = "more" if len(a) > len(b) else "fewer"
                return Feedback(False, "wrong", f"{name} fires {more} spikes than the reference "
                                                f"model for {description}{who}.{hints}")
            if len(a) and np.max(np.abs(a - b)) > 1.001 * step:
                return Feedback(False, "imprecise", f"{name} fires as many spikes as the reference "
                                                    f"for {description}{who}, but at other times."
                                                    f"{hints}")
    return Feedback(True, "right", f"{name} fires the same spikes as the reference model on "
                                   f"{len(cases)} input(s).{numbers_note}")


def _plain_spike_trains(model, stimulus, duration, dt):
    """Spike trains of ``model`` run as a plain Brian2 ``NeuronGroup`` on the runtime numpy
    target: no compiler, so a student's new model costs no build in a grading kernel (a compiled
    build takes seconds per structure), and the run is independent of the course's engine, which
    simulates the reference (the two agree within one time step: tests/test_plain_brian2.py)."""
    from brian2 import Network, SpikeMonitor

    from ..brian2_state import runtime_numpy

    with runtime_numpy():
        group = model.neuron_group(stimulus=stimulus, dt=dt)
        if not model.spec().threshold:
            return [np.zeros(0) * second for _ in range(len(group))]
        monitor = SpikeMonitor(group)
        Network(group, monitor).run(duration)
        trains = monitor.spike_trains()
        return [trains[k] for k in range(len(group))]
