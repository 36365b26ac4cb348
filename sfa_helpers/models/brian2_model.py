r"""A neuron model written in plain Brian2: equations, threshold and reset as strings.

:class:`Brian2Model` takes the same strings a Brian2 ``NeuronGroup`` takes, plus parameter values
with units, and behaves like every built-in model: :func:`sfa_helpers.simulate` compiles it once
per structure and re-runs it in milliseconds, any parameter may be an array (one neuron per value,
one group), ``widgets.explore`` gives every parameter a slider, ``fi_curve`` and stimuli work, and
``model + Mechanism`` adds a mechanism where the model has what the mechanism needs.

Conventions (the same as the built-in models follow; ``model.brian2_code()`` of any built-in model
shows them):

* The input current is ``I_total`` (amp): the stimulus ``I_stim`` plus the currents of added
  mechanisms. Write, for example, ``dv/dt = (E_L - v + R*I_total)/tau_m : volt``.
* Parameters are keyword arguments with units; do not declare them in the equations (a
  declaration such as ``tau_m : second`` of a parameter you pass is dropped, since the engine
  declares every parameter as a constant of the group).
* Initial values of state variables go in ``init`` (default 0 in the variable's unit).
* A parameter whose name starts with ``tau`` and has units of time is a time constant: the
  time step must be shorter, and a slider for it starts at two time steps.
* Call the membrane potential ``v`` to get the plots and the trace widget of the course.

Every model is checked when it is made, by Brian2 itself (parsing and unit checks in a quick
dry run on the numpy target, no compiler): a syntax error, inconsistent units, an undefined name
or a threshold or reset that uses a missing variable raises ``ValueError`` (or
``DimensionMismatchError``) with Brian2's explanation and the piece of your code it is about,
before anything is compiled. The check is done once per structure and remembered, so a slider
move does not repeat it.
"""

from __future__ import annotations

import re

import numpy as np
from brian2 import DimensionMismatchError, Equations, Quantity, get_dimensions, second
from brian2.equations.equations import (BOOLEAN, DIFFERENTIAL_EQUATION, INTEGER, PARAMETER,
                                        SUBEXPRESSION)

from .._params import same_value
from ..brian2_state import runtime_numpy
from ..validation import unit_name
from .base import ModelSpec, NeuronModel

__all__ = ["Brian2Model"]

_INPUTS = ("I_total", "I_stim")
_RESERVED = {"t", "dt", "i", "N", "xi", "I_total", "I_stim", "lastspike", "not_refractory"}
_checked: dict = {}  # structure key -> (method, state variable units) of models already checked


def _as_parameter(name, value):
    """A parameter value as a float Quantity (plain numbers are dimensionless)."""
    if isinstance(value, str):
        raise TypeError(f"Parameter '{name}' must be a number with units (e.g. 10*ms), "
                        f"got the string {value!r}.")
    try:
        q = value if isinstance(value, Quantity) else Quantity(np.asarray(value, dtype=float))
        arr = np.asarray(q, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Parameter '{name}' must be a number with units, got {value!r}.") from err
    if arr.ndim > 1 or arr.size == 0:
        raise ValueError(f"Parameter '{name}' must be a single value or a 1-D array (one value "
                         f"per neuron), got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"Parameter '{name}' must be finite, got {value!r}.")
    return Quantity(arr, dim=get_dimensions(q))


class Brian2Model(NeuronModel):
    r"""A neuron model from Brian2 strings and parameters with units.

    Parameters
    ----------
    equations : str
        Brian2 equations (as for ``NeuronGroup``), using ``I_total`` (amp) for the input.
    threshold : str or None
        Threshold condition, e.g. ``'v > V_th'`` (None: the model never spikes).
    reset : str or None
        Reset statements, one per line, e.g. ``'v = V_reset'``.
    refractory : str or None
        Brian2 refractory condition or period, e.g. ``'t_ref'`` (a parameter).
    method : str or None
        Brian2 integration method; None lets Brian2 choose as ``NeuronGroup`` does (``'exact'``
        for linear equations, else ``'euler'`` or ``'heun'``), and the choice is kept.
    init : dict, optional
        Initial values of state variables, name -> Quantity (scalar or array).
    **parameters : Quantity
        Every constant the strings use, with units; arrays give one neuron per value.

    Examples
    --------
    >>> from brian2 import ms, mV, Mohm
    >>> lif = Brian2Model('dv/dt = (E_L - v + R*I_total)/tau_m : volt (unless refractory)',
    ...                   threshold='v > V_th', reset='v = V_reset', refractory='t_ref',
    ...                   method='exact', init={'v': -70*mV}, tau_m=10*ms, E_L=-70*mV,
    ...                   V_th=-55*mV, V_reset=-75*mV, R=10*Mohm, t_ref=2*ms)
    """

    def __init__(self, equations, /, threshold=None, reset=None, *, refractory=None, method=None,
                 init=None, **parameters):
        if not isinstance(equations, (str, Equations)):
            raise TypeError(f"'equations' must be a Brian2 equations string, got {equations!r}")
        for what, text in (("threshold", threshold), ("reset", reset)):
            if text is not None and not isinstance(text, str):
                raise TypeError(f"'{what}' must be a Brian2 code string or None, got {text!r}")
        if refractory is not None and not isinstance(refractory, (str, Quantity)):
            raise TypeError(f"'refractory' must be a string such as 't_ref' or a time, got {refractory!r}")
        if isinstance(refractory, Quantity):
            if get_dimensions(refractory) is not second.dim or np.ndim(refractory) != 0:
                raise DimensionMismatchError(f"'refractory' must be a single time, got {refractory!r}")
            if not float(refractory) >= 0:
                raise ValueError(f"'refractory' must not be negative, got {refractory!r}.")
            refractory = f"{float(refractory)!r}*second"
        if method is not None and not isinstance(method, str):
            raise TypeError(f"'method' must be a Brian2 method name or None, got {method!r}")
        if method is not None and method.lower() not in _methods():
            raise ValueError(f"Unknown integration method 'method={method!r}'; Brian2 knows "
                             f"{sorted(_methods())}.")
        params = {name: _as_parameter(name, value) for name, value in parameters.items()}
        reserved = sorted(set(params) & (_RESERVED | _group_attributes()))
        if reserved:
            raise ValueError(f"Parameter name(s) {reserved} are reserved (Brian2 or the course "
                             "define them); choose other names.")
        try:
            eqs = Equations(str(equations))
        except Exception as err:  # noqa: BLE001 - Brian2 raises several kinds for bad syntax
            raise ValueError(f"The equations could not be read by Brian2: {brian2_message(err)}\n"
                             f"equations: {str(equations).strip()!r}") from None
        declared = {name for name, eq in eqs.items() if eq.type == PARAMETER and name in params}
        lines = tuple(_equation_line(eq) for name, eq in eqs.items() if name not in declared)
        code = "\n".join(line.split("#")[0] for line in str(equations).split("\n"))
        if not any(re.search(rf"\b{name}\b", code) for name in _INPUTS):
            raise ValueError("The equations never use the input current: write it as 'I_total' "
                             "(amp; the stimulus plus mechanism currents), e.g. "
                             "'dv/dt = (E_L - v + R*I_total)/tau_m : volt'.")
        clash = sorted(set(params) & (set(eqs.names) - declared))
        if clash:
            raise ValueError(f"{clash} are both parameters and variables of the equations.")
        state_units = {name: eq.dim for name, eq in eqs.items()
                       if eq.type in (DIFFERENTIAL_EQUATION, PARAMETER) and name not in declared}
        discrete = {name for name, eq in eqs.items()
                    if eq.var_type in (BOOLEAN, INTEGER) and name in state_units}
        init = dict(init or {})
        arrays = sorted(name for name in discrete if np.ndim(init.get(name, 0)) > 0)
        if arrays:
            raise ValueError(f"init{arrays}: integer and boolean variables take one initial value "
                             "for all neurons here (the compiled engine passes values as floats).")
        zero_taus = sorted(k for k, v in params.items() if k.startswith("tau")
                           and get_dimensions(v) is second.dim and np.any(np.asarray(v) <= 0))
        if zero_taus:
            raise ValueError(f"Time constant(s) {zero_taus} must be positive.")
        unknown = sorted(set(init) - set(state_units))
        if unknown:
            raise ValueError(f"'init' names {unknown}, which are not state variables of the "
                             f"equations (those are {sorted(state_units)}).")
        initial = {}
        for name, dim in state_units.items():
            value = _as_parameter(f"init['{name}']", init.get(name, Quantity(0.0, dim=dim)))
            if get_dimensions(value) is not dim:
                raise DimensionMismatchError(
                    f"init['{name}'] must have units of {unit_name(dim)}, got {init[name]!r}.")
            initial[name] = value
        subexpressions = tuple(name for name, eq in eqs.items() if eq.type == SUBEXPRESSION)
        reset_lines = tuple(line.strip() for line in (reset or "").split("\n") if line.strip())
        for line in reset_lines:
            # Brian2 takes an assignment to an unknown name as a new temporary variable, so a
            # typo in a reset would silently do nothing: refuse it here.
            target = re.match(r"(\w+)\s*(=|\+=|-=|\*=|/=)(?!=)", line)
            if target and target.group(1) not in state_units:
                raise ValueError(f"The reset assigns to '{target.group(1)}', which is not a state "
                                 f"variable of the equations (those are {sorted(state_units)}): "
                                 f"reset line {line!r}.")
        given = dict(params)
        structure = (lines, threshold, reset_lines, refractory, method,
                     tuple((k, repr(get_dimensions(v)), np.ndim(v)) for k, v in params.items()),
                     tuple((k, repr(get_dimensions(v)), np.ndim(v)) for k, v in initial.items()))
        chosen = _checked.get(structure)
        if chosen is None:
            chosen = _dry_run(lines, threshold, reset_lines, refractory, method, params, initial)
            _checked[structure] = chosen
        object.__setattr__(self, "_source", {
            "equations": str(equations), "threshold": threshold, "reset": reset,
            "refractory": refractory, "method": method, "init": dict(init)})
        object.__setattr__(self, "_lines", lines)
        object.__setattr__(self, "_threshold", threshold)
        object.__setattr__(self, "_reset", reset_lines)
        object.__setattr__(self, "_refractory", refractory)
        object.__setattr__(self, "_method", chosen)
        object.__setattr__(self, "_initial", initial)
        object.__setattr__(self, "_recordable",
                           tuple(state_units) + tuple(n for n in subexpressions))
        self._store(given, {**given, **initial})

    def spec(self) -> ModelSpec:
        values = self._values
        return ModelSpec(
            equations=self._lines,
            threshold=self._threshold or "",
            reset=self._reset,
            refractory=self._refractory,
            method=self._method,
            parameters={k: values[k] for k in self._given},
            initial_values=dict(self._initial),
            recordable=self._recordable,
            time_constants={k: v for k, v in self._given.items()
                            if k.startswith("tau") and get_dimensions(v) is second.dim},
        )

    def replace(self, **changes):
        """Copy with some parameters (or ``init``, ``method`` ...) changed, validated again."""
        source = dict(self._source)
        for key in ("threshold", "reset", "refractory", "method"):
            if key in changes:
                source[key] = changes.pop(key)
        if "init" in changes:  # new initial values for the variables named, the others kept
            source["init"] = {**source["init"], **dict(changes.pop("init") or {})}
        unknown = sorted(set(changes) - set(self._given))
        if unknown:
            raise TypeError(f"Brian2Model has no parameter(s) {unknown}; its parameters are "
                            f"{sorted(self._given)}.")
        equations = source.pop("equations")
        return Brian2Model(equations, **source, **{**self._given, **changes})

    def _constructor_names(self):
        """What ``replace`` accepts (``CombinedModel.replace`` routes changes by these)."""
        return list(self._given) + ["threshold", "reset", "refractory", "method", "init"]

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._lines == other._lines and self.spec().threshold == other.spec().threshold \
            and self._reset == other._reset and self._refractory == other._refractory \
            and self._method == other._method and super().__eq__(other) \
            and _same_values(self._initial, other._initial)

    def __hash__(self):
        return hash((type(self).__name__, self._lines, tuple(sorted(self._given))))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._given.items())
        return f"Brian2Model({' / '.join(self._lines)!r}, {args})"


def _group_attributes():
    """Names a parameter cannot have: attributes of a ``NeuronGroup`` (``name``, ``clock``,
    ``when`` ...) would be overwritten instead of set."""
    from brian2 import NeuronGroup

    instance = {"when", "order", "events", "namespace", "variables", "thresholder", "resetter",
                "state_updater", "event_codes", "method_choice", "equations"}
    return {name for name in dir(NeuronGroup) if not name.startswith("_")} | instance


def _methods():
    from brian2.stateupdaters.base import StateUpdateMethod

    return set(StateUpdateMethod.stateupdaters)


def _same_values(a, b):
    return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)


def brian2_message(err) -> str:
    """The useful part of a Brian2 error: the original error of a BrianObjectException, without
    the 'object was created here' traceback."""
    original = getattr(err, "__cause__", None) or getattr(err, "original_error", None)
    seen = set()
    while original is not None and id(original) not in seen:
        seen.add(id(original))
        err = original
        original = getattr(err, "__cause__", None)
    text = str(err).strip()
    return text.split("\nObject was created here")[0]


def _equation_line(eq) -> str:
    """One equation of a parsed ``Equations`` as a Brian2 line with a full unit name (``volt``,
    not ``V``), so that the text shown and compiled does not depend on Brian2's abbreviations."""
    from brian2.equations.equations import BOOLEAN, INTEGER

    unit = {BOOLEAN: "boolean", INTEGER: "integer"}.get(eq.var_type) or unit_name(eq.dim)
    flags = f" ({', '.join(eq.flags)})" if eq.flags else ""
    if eq.type == DIFFERENTIAL_EQUATION:
        return f"d{eq.varname}/dt = {eq.expr.code} : {unit}{flags}"
    if eq.type == SUBEXPRESSION:
        return f"{eq.varname} = {eq.expr.code} : {unit}{flags}"
    return f"{eq.varname} : {unit}{flags}"


def _dry_run(lines, threshold, reset, refractory, method, params, initial) -> str:
    """Let Brian2 check the model (parse, resolve names, units) on the numpy target, without a
    compiler and without touching the user's Brian2 state; return the integration method (the
    first of Brian2's default choice 'exact', 'euler', 'heun' that applies, if none was given)."""
    from brian2 import NeuronGroup, Network, ms
    from brian2.stateupdaters.base import UnsupportedEquationsException

    declarations = [f"{name} : {unit_name(get_dimensions(q))} (constant, shared)"
                    for name, q in params.items()]
    equations = "\n".join(list(lines) + ["I_total = I_stim : amp", "I_stim : amp"] + declarations)
    candidates = [method] if method else ["exact", "euler", "heun"]
    for k, candidate in enumerate(candidates):
        with runtime_numpy():  # Brian2's warnings about this throw-away group are not the user's
            group = None
            try:
                group = NeuronGroup(1, equations, threshold=threshold or None,
                                    reset="\n".join(reset) or None,
                                    refractory=refractory if refractory else False,
                                    method=candidate, name="sfa_check_group")
                for name, value in {**params, **initial}.items():
                    group.state(name)[:] = Quantity(np.asarray(value).flat[0],
                                                    dim=get_dimensions(value))
                Network(group, name="sfa_check_network").run(0 * ms, namespace={})
                return candidate
            except Exception as err:  # noqa: BLE001 - every Brian2 complaint is reported
                if group is not None:
                    group._network = "checked"  # a throw-away group: no 'unused' warning
                if isinstance(_root(err), UnsupportedEquationsException) and k + 1 < len(candidates):
                    continue
                raise _model_error(err, lines, threshold, reset, params) from None


def _root(err):
    seen = set()
    while getattr(err, "__cause__", None) is not None and id(err) not in seen:
        seen.add(id(err))
        err = err.__cause__
    return err


def _model_error(err, lines, threshold, reset, params):
    """A ValueError (or DimensionMismatchError) that names the student's code, from Brian2's."""
    message = brian2_message(err)
    where = "\n".join(["equations:"] + [f"    {line}" for line in lines]
                      + ([f"threshold: {threshold!r}"] if threshold else [])
                      + ([f"reset: {' / '.join(reset)!r}"] if reset else []))
    hint = ""
    if "could not be resolved" in message or "not defined" in message:
        hint = ("\nEvery name must be a state variable of the equations, a parameter passed with "
                "units (keyword argument), or a Brian2 unit or function; the input current is "
                "'I_total'.")
    unitless = [name for name, value in params.items() if get_dimensions(value).is_dimensionless]
    if unitless and ("unit" in message.lower() or "dimension" in message.lower()):
        hint += (f"\nParameter(s) {unitless} were given without units: did you forget a unit "
                 "(for example tau_m=10*ms, not 10)?")
    text = f"Brian2 rejected the model: {message}{hint}\n{where}"
    if params:
        text += "\nparameters: " + ", ".join(f"{k}={v!r}" for k, v in params.items())
    if isinstance(_root(err), DimensionMismatchError) or "unit" in message.lower():
        return DimensionMismatchError(text)
    return ValueError(text)
