"""Every model in plain Brian2: the code it runs, and a ``NeuronGroup`` of your own.

:func:`sfa_helpers.simulate` compiles a model into a fast standalone program (see
:mod:`sfa_helpers.engine`), but what it compiles is an ordinary Brian2 ``NeuronGroup``. This
module shows that group and hands it out:

* :func:`brian2_code` (also ``model.brian2_code(...)``) returns a :class:`Brian2Code`: the
  equations string, threshold, reset, refractory condition, integration method and parameter
  values with units, as a script that runs with ``from brian2 import *``. In a notebook it is
  displayed as a highlighted code block.
* :func:`neuron_group` (also ``model.neuron_group(...)``) builds that very ``NeuronGroup`` on the
  *current* Brian2 device (runtime by default), with every parameter and initial value set, so
  that a student can add ``StateMonitor``/``SpikeMonitor`` and ``run()`` it with plain Brian2.

Both are made from :func:`assemble`, the same function that feeds the compiled engine
(:func:`sfa_helpers.simulate`), so the code shown, the group handed out and the program that ``simulate`` runs
cannot drift apart (``tests/test_plain_brian2.py`` runs all three and compares spike times).

Random numbers: ``brian2.seed(s)`` makes plain Brian2 runs repeatable. Whether a noisy model
gives the same realisation in plain Brian2 as in ``simulate(..., seed=s)`` depends on the code
generation target (``simulate``'s own runtime route, :class:`sfa_helpers.engine.RuntimeSimulation`,
does reproduce it on the numpy target); rates and other statistics agree in any case.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np
from brian2 import NeuronGroup, Quantity, TimedArray, amp, get_dimensions, second

from .models.base import NeuronModel
from .stimuli import Stimulus
from .validation import as_quantity, common_size, unit_name

__all__ = ["Assembled", "assemble", "Brian2Code", "brian2_code", "neuron_group"]


@dataclass(frozen=True)
class Assembled:
    """A model and a stimulus joined into the pieces of one Brian2 ``NeuronGroup``.

    This is what :func:`simulate` compiles, what :func:`neuron_group` builds on the user's own
    Brian2 device and what :func:`brian2_code` prints: one source for all three, so the code a
    student reads is the code that runs.

    Attributes
    ----------
    equations : str
        The model's equations, ``I_total = I_stim + <mechanism currents> : amp``, ``I_stim : amp``,
        the stimulus' own equations, and one declaration per parameter:
        ``name : unit (constant, shared)`` for a single value, ``(constant)`` for an array
        and for a stimulus amplitude (a current that only the current expression uses).
    threshold, reset, refractory, method : str (refractory may be None)
    n : int
        Number of neurons (the common length of all array-valued parameters).
    parameters, initial_values : dict
        name -> Quantity (scalar or length-``n`` array), model and stimulus merged.
    regular_code : str
        Run at the start of every time step (``when='start', order=-1``): the stimulus' state
        updates, then ``I_stim = <current expression>``.
    timed_arrays : dict
        name -> :class:`sfa_helpers.stimuli.TimedArrayData` (sampled stimuli).
    recordable : tuple of str
        What ``record=`` accepts.
    stochastic : bool
        True if the model or the stimulus draws random numbers.
    """

    equations: str
    threshold: str
    reset: str
    refractory: str | None
    method: str
    n: int
    parameters: dict
    initial_values: dict
    regular_code: str
    timed_arrays: dict
    recordable: tuple
    stochastic: bool

    @property
    def values(self) -> dict:
        """Parameters and initial values together (what the engine passes on its command line)."""
        return {**self.parameters, **self.initial_values}


_RANDOM = re.compile(r"\brand\(\)|\brandn\(\)|\bxi(_\w+)?\b")


def assemble(model, stimulus=None, *, dt=None, method=None) -> Assembled:
    """Join ``model`` and ``stimulus`` (None: ``I_stim`` is a variable you set yourself) into
    the pieces of one ``NeuronGroup``; see :class:`Assembled`.

    ``dt`` (if given) is checked against the model's time constants; ``method`` overrides the
    model's integration method. Raises ``TypeError``/``ValueError`` naming the bad argument.
    """
    from .stimuli import StimulusSpec

    if not isinstance(model, NeuronModel):
        raise TypeError(f"'model' must be a neuron model from sfa_helpers.models, got {model!r}")
    if stimulus is not None and not isinstance(stimulus, Stimulus):
        raise TypeError(f"'stimulus' must be a stimulus from sfa_helpers.stimuli, got {stimulus!r}")
    _check_method(method)
    mspec = model.spec()
    sspec = stimulus.spec() if stimulus is not None else StimulusSpec(current="I_stim", parameters={})
    if dt is not None:
        for name, tau in mspec.time_constants.items():
            if float(dt) >= float(np.min(np.asarray(tau))):
                raise ValueError(
                    f"'dt' ({dt!r}) must be smaller than the fastest time constant of the model "
                    f"('{name}' = {Quantity(np.min(np.asarray(tau)), dim=tau.dim)!r}); "
                    "choose a smaller dt.")
    clash = set(mspec.parameters) & set(sspec.parameters)
    if clash:
        raise ValueError(f"Model and stimulus both define {sorted(clash)}.")
    parameters = {**mspec.parameters, **sspec.parameters}
    initial_values = {**mspec.initial_values, **sspec.initial_values}
    sizes = {k: np.asarray(v) for k, v in {**parameters, **initial_values}.items()}
    for name, data in sspec.timed_arrays.items():
        if data.values.ndim == 2:
            sizes[f"{name} (columns)"] = np.zeros(data.values.shape[1])
    n = common_size(sizes)
    currents = " + ".join(("I_stim",) + tuple(f"({c})" for c in mspec.currents))
    # A parameter with one value for all neurons is a *shared* constant: Brian2 then hoists
    # expressions of it out of the neuron loop (exp(-dt/tau_m) is computed once per step instead
    # of once per neuron and step). Which parameters are arrays is part of the compiled structure.
    # A stimulus amplitude (a current that the current expression only multiplies or adds, such
    # as a step's I_amp) gains nothing from hoisting: it is always declared per neuron, so that
    # one amplitude for all neurons and one amplitude per neuron run on the same compiled
    # program. Other stimulus constants (times, frequencies, phases, and everything the
    # stimulus' own update uses) stay shared when scalar, for Brian2 to hoist.
    per_neuron = {name for name, q in sspec.parameters.items()
                  if get_dimensions(q) == amp.dim
                  and not any(re.search(rf"\b{re.escape(name)}\b", text)
                              for text in (*sspec.equations, *sspec.regular_code))}
    declarations = [
        f"{name} : {unit_name(get_dimensions(q))} "
        f"(constant{', shared' if np.size(q) == 1 and name not in per_neuron else ''})"
        for name, q in parameters.items()]
    # The stimulus is evaluated once at the start of every time step and held for the step, the
    # assumption behind the exact one-step update of linear models.
    equations = "\n".join(
        list(mspec.equations) + [f"I_total = {currents} : amp", "I_stim : amp"]
        + list(sspec.equations) + declarations)
    regular_code = "\n".join(tuple(sspec.regular_code) + (f"I_stim = {sspec.current}",)) \
        if stimulus is not None else ""
    text = "\n".join([equations, mspec.threshold or "", *mspec.reset])
    stochastic = bool(getattr(sspec, "stochastic", False)) or bool(_RANDOM.search(text))
    return Assembled(
        equations=equations, threshold=mspec.threshold, reset="\n".join(mspec.reset),
        refractory=mspec.refractory, method=method or mspec.method, n=n, parameters=parameters,
        initial_values=initial_values, regular_code=regular_code,
        timed_arrays=dict(sspec.timed_arrays),
        recordable=tuple(mspec.recordable) + ("I_stim", "I_total"), stochastic=stochastic)


def _check_method(method):
    from brian2.stateupdaters.base import StateUpdateMethod

    known = sorted(StateUpdateMethod.stateupdaters)
    if method is not None and (not isinstance(method, str) or method.lower() not in known):
        raise ValueError(f"Unknown integration method 'method={method!r}'; Brian2 knows {known}.")


# Units a student reads most easily, by dimension (the names exist under ``from brian2 import *``).
_READABLE_UNITS = {"s": ("ms",), "V": ("mV",), "A": ("nA", "pA"), "ohm": ("Mohm",),
                   "S": ("nS",), "F": ("pF",), "Hz": ("Hz",)}


def _readable_unit(q):
    """(unit, name) in which to write ``q``: ms, mV, nA or pA, Mohm, nS, pF, Hz; else Brian2's
    own choice."""
    import brian2

    for names in _READABLE_UNITS.values():
        unit = getattr(brian2, names[0])
        if unit.dim is q.dim:
            if len(names) > 1 and np.all(np.abs(np.asarray(q / unit)) < 0.1):
                return getattr(brian2, names[1]), names[1]
            return unit, names[0]
    ref = q if np.ndim(q) == 0 else Quantity(np.asarray(q).flat[0], dim=q.dim)
    unit = ref.get_best_unit()
    return unit, repr(unit)


def _value_code(q) -> str:
    """A quantity as Python source that evaluates to it under ``from brian2 import *``."""
    if not isinstance(q, Quantity):
        q = Quantity(q)
    arr = np.asarray(q)
    if q.is_dimensionless:
        return f"{float(arr):.10g}" if arr.ndim == 0 else \
            "array([" + ", ".join(f"{float(x):.10g}" for x in arr) + "])"
    unit, name = _readable_unit(q)
    scaled = np.asarray(q / unit)
    if scaled.ndim == 0:
        return f"{float(scaled):.10g}*{name}"
    return "array([" + ", ".join(f"{float(x):.10g}" for x in scaled) + f"])*{name}"


def _string_code(text: str, indent: int) -> str:
    """A Brian2 code string as a literal: one line as '...', several as a triple-quoted block."""
    if "\n" not in text:
        return repr(text)
    pad = " " * indent
    return "'''\n" + "\n".join(pad + line for line in text.split("\n")) + "\n" + pad + "'''"


@dataclass(frozen=True)
class Brian2Code:
    """The plain Brian2 code of a model (and stimulus): what :func:`sfa_helpers.simulate` runs.

    ``str(code)`` (and the notebook display) is a script for ``from brian2 import *``; the
    attributes hold its pieces: ``equations``, ``threshold``, ``reset``, ``refractory``,
    ``method`` (Brian2 strings), ``parameters`` and ``initial_values`` (name -> Quantity),
    ``regular_code`` (the stimulus, run at the start of every step; empty without a stimulus)
    and ``n`` (number of neurons).
    """

    source: str
    equations: str
    threshold: str
    reset: str
    refractory: str | None
    method: str
    parameters: dict
    initial_values: dict
    regular_code: str
    n: int

    def __str__(self):
        return self.source

    def __repr__(self):
        return self.source

    def _repr_markdown_(self):
        return "```python\n" + self.source + "\n```"

    def _repr_html_(self):
        return ("<pre style='font-size:0.85em;line-height:1.3'><code class='language-python'>"
                + html.escape(self.source) + "</code></pre>")


def brian2_code(model, stimulus=None, *, duration=None, dt=None, record=("v",), method=None,
                name="neuron") -> Brian2Code:
    """The Brian2 code that :func:`sfa_helpers.simulate` runs for ``model`` (and ``stimulus``).

    Parameters
    ----------
    model : NeuronModel
        Any model of :mod:`sfa_helpers.models`, a ``model + Mechanism`` or a
        :class:`~sfa_helpers.models.Brian2Model`.
    stimulus : Stimulus or None
        Without one, ``I_stim`` is a plain variable of the group that you set yourself
        (``neuron.I_stim = 1*nA``); with one, the code evaluates the stimulus at the start of
        every time step with ``run_regularly``, as ``simulate`` does.
    duration : Quantity (second) or None
        With a duration the script also creates monitors for ``record`` and calls ``run``.
    dt : Quantity (second) or None
        Time step (``defaultclock.dt``); checked against the model's time constants.
    record : sequence of str
        Variables for the ``StateMonitor`` (with ``duration``).
    method : str or None
        Override the model's integration method.
    name : str
        Python name of the group in the script.
    """
    if dt is not None:
        dt = as_quantity("dt", dt, second, positive=True, allow_array=False)
    if duration is not None:
        duration = as_quantity("duration", duration, second, positive=True, allow_array=False)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"'name' must be a Python identifier, got {name!r}")
    a = assemble(model, stimulus, dt=dt, method=method)
    lines = ["from brian2 import *", ""]
    if dt is not None:
        lines += [f"defaultclock.dt = {_value_code(dt)}", ""]
    for tname, data in a.timed_arrays.items():
        lines.append(f"# {tname}: the sampled input, {data.values.shape[0]} samples"
                     + (f" x {data.values.shape[1]} neurons" if data.values.ndim == 2 else "")
                     + " (stimulus.values)")
        lines.append(f"{tname} = TimedArray({tname}_samples, dt={_value_code(data.dt * second)})")
    if a.timed_arrays:
        lines.append("")
    lines.append("equations = " + _string_code(a.equations, 4))
    args = [str(a.n), "equations"]
    if a.threshold:
        args.append(f"threshold={a.threshold!r}")
    if a.reset:
        args.append(f"reset={_string_code(a.reset, 8)}")
    if a.refractory:
        args.append(f"refractory={a.refractory!r}")
    args.append(f"method={a.method!r}")
    lines.append(f"{name} = NeuronGroup(" + ", ".join(args) + ")")
    lines.append("# parameters (constants of the group) and initial values")
    for pname, value in a.parameters.items():
        lines.append(f"{name}.{pname} = {_value_code(value)}")
    for vname, value in a.initial_values.items():
        lines.append(f"{name}.{vname} = {_value_code(value)}")
    if a.regular_code:
        lines.append("# the input current: evaluated at the start of every time step, held for the step")
        lines.append(f"{name}.run_regularly({_string_code(a.regular_code, 8)}, when='start', order=-1)")
    else:
        lines.append(f"{name}.I_stim = 0*amp  # the input current: set it, or pass a stimulus")
    if duration is not None:
        record = () if record is None else ((record,) if isinstance(record, str) else tuple(record))
        bad = [r for r in record if r not in a.recordable]
        if bad:
            raise ValueError(f"Cannot record {bad}; this model can record {list(a.recordable)}.")
        lines.append("")
        lines.append(f"spikes = SpikeMonitor({name})")
        if record:
            lines.append(f"state = StateMonitor({name}, {list(record)!r}, record=True)")
        lines.append(f"run({_value_code(duration)})")
    source = "\n".join(lines)
    return Brian2Code(source=source, equations=a.equations, threshold=a.threshold, reset=a.reset,
                      refractory=a.refractory, method=a.method, parameters=dict(a.parameters),
                      initial_values=dict(a.initial_values), regular_code=a.regular_code, n=a.n)


def neuron_group(model, N=None, stimulus=None, *, dt=None, method=None, name=None) -> NeuronGroup:
    """A plain Brian2 ``NeuronGroup`` for ``model``, on the current Brian2 device.

    Every parameter and initial value is set; with ``stimulus`` the input current is evaluated at
    the start of every time step (``run_regularly``), exactly as in :func:`sfa_helpers.simulate`;
    without one, ``I_stim`` is a variable of the group that you set yourself. Add monitors and
    call ``run`` (or use a ``Network``) as with any Brian2 group; :func:`brian2_code` shows the
    same group as code.

    Parameters
    ----------
    model : NeuronModel
    N : int or None
        Number of neurons; default: the length of the model's (and stimulus') array-valued
        parameters, 1 if there are none. A scalar parameter has one value for all ``N`` neurons.
    stimulus : Stimulus or None
    dt : Quantity (second) or None
        The group's time step (default: ``defaultclock.dt``); checked against the model's time
        constants.
    method : str or None
        Override the model's integration method.
    name : str or None
        Brian2 name of the group (default: Brian2 chooses one).
    """
    if dt is not None:
        dt = as_quantity("dt", dt, second, positive=True, allow_array=False)
    a = assemble(model, stimulus, dt=dt, method=method)
    n = _group_size(a, N)
    namespace = {tname: TimedArray(Quantity(data.values, dim=data.dim), dt=data.dt * second)
                 for tname, data in a.timed_arrays.items()}
    kwargs = {"threshold": a.threshold or None, "reset": a.reset or None,
              "refractory": a.refractory if a.refractory else False, "method": a.method}
    if dt is not None:
        kwargs["dt"] = dt
    if name is not None:
        kwargs["name"] = name
    if namespace:
        kwargs["namespace"] = namespace
    group = NeuronGroup(n, a.equations, **kwargs)
    for pname, value in {**a.parameters, **a.initial_values}.items():
        setattr(group, pname, value if np.size(value) == 1 else Quantity(value))
    if a.regular_code:
        group.run_regularly(a.regular_code, when="start", order=-1)
    return group


def _group_size(a: Assembled, N) -> int:
    if N is None:
        return a.n
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 1:
        raise ValueError(f"'N' must be a positive whole number of neurons, got {N!r}")
    if a.n != 1 and int(N) != a.n:
        raise ValueError(f"'N' ({N}) does not match the model's and stimulus' array-valued "
                         f"parameters, which describe {a.n} neurons.")
    return int(N)
