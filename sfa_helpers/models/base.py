"""Building blocks shared by every neuron model.

A *model* in :mod:`sfa_helpers` is an immutable set of parameters with Brian2 units. It knows how
to describe itself to the simulation engine as a :class:`ModelSpec`: Brian2 equations, threshold,
reset and refractoriness, plus the values of its per-neuron constants. The engine adds the
stimulus current ``I_stim`` and builds one ``NeuronGroup``.

Conventions that every model follows (so that new models are small, independent pieces):

* The membrane equation uses the subexpression ``I_total`` (amp), which the engine defines as
  ``I_stim + <sum of ModelSpec.currents>``. A mechanism such as an adaptation current adds
  ``'-I_sfa'`` to ``currents`` instead of editing the membrane equation.
* Every parameter becomes a per-neuron constant of the same name, so any parameter may be an
  array (one neuron per value) without recompiling anything.
* ``time_constants()`` lists the time constants the integration time step must resolve.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Mapping

from brian2 import Quantity

from .._params import ParameterSet


@dataclass(frozen=True)
class ModelSpec:
    """What the simulation engine needs to build a Brian2 ``NeuronGroup`` for a model.

    Attributes
    ----------
    equations : tuple of str
        Brian2 equation lines. They may use ``I_total`` (amp), the sum of the stimulus current
        ``I_stim`` and the entries of ``currents``. Parameters are *not* declared here; the engine
        declares every entry of ``parameters`` as a per-neuron constant.
    threshold : str
        Threshold condition, e.g. ``'v > V_th'``.
    reset : tuple of str
        Reset statements, executed in order at a spike.
    refractory : str or None
        Brian2 refractory expression (e.g. ``'t_ref'``) or None.
    method : str
        Brian2 integration method (``'exact'``, ``'euler'``, ...).
    parameters : dict
        Per-neuron constants: name -> Quantity (scalar or 1-D array).
    initial_values : dict
        State variables at t = 0: name -> Quantity (scalar or 1-D array).
    currents : tuple of str
        Extra membrane currents in amp, added to ``I_stim`` in ``I_total``.
    recordable : tuple of str
        Variables a user may record (``simulate(record=...)``).
    time_constants : dict
        Time constants the time step must resolve: name -> Quantity.
    """

    equations: tuple
    threshold: str
    reset: tuple
    refractory: str | None
    method: str
    parameters: Mapping[str, Quantity]
    initial_values: Mapping[str, Quantity]
    currents: tuple = ()
    recordable: tuple = ()
    time_constants: Mapping[str, Quantity] = field(default_factory=dict)

    def extend(self, *, equations=(), currents=(), reset=(), parameters=None, initial_values=None,
               recordable=(), time_constants=None, **replacements) -> "ModelSpec":
        """A new spec with lines, currents, reset statements and parameters added.

        Keyword arguments that name other fields (``threshold``, ``method``, ``refractory``)
        replace them. Adding a parameter whose name already exists raises ``ValueError``.
        """
        merged_params = dict(self.parameters)
        for name, value in (parameters or {}).items():
            if name in merged_params:
                raise ValueError(f"Parameter '{name}' is defined twice in the model.")
            merged_params[name] = value
        merged_init = {**self.initial_values, **(initial_values or {})}
        merged_tc = {**self.time_constants, **(time_constants or {})}
        return dataclasses.replace(
            self,
            equations=tuple(self.equations) + tuple(equations),
            currents=tuple(self.currents) + tuple(currents),
            reset=tuple(self.reset) + tuple(reset),
            parameters=merged_params,
            initial_values=merged_init,
            recordable=tuple(self.recordable) + tuple(r for r in recordable if r not in self.recordable),
            time_constants=merged_tc,
            **replacements,
        )


class NeuronModel(ParameterSet):
    """Base class of all neuron models: an immutable, validated parameter set with Brian2 units.

    Subclasses validate their constructor arguments, store them with ``self._store(...)`` and
    implement :meth:`spec`.
    """

    def spec(self) -> ModelSpec:  # pragma: no cover - abstract
        raise NotImplementedError

    def brian2_code(self, stimulus=None, **options):
        """The plain Brian2 code this model runs: equations, threshold, reset, refractoriness,
        integration method and parameter values with units, displayed as a code block in a
        notebook. ``options``: ``duration``, ``dt``, ``record``, ``method``, ``name``; see
        :func:`sfa_helpers.plain_brian2.brian2_code`."""
        from ..plain_brian2 import brian2_code

        return brian2_code(self, stimulus, **options)

    def neuron_group(self, N=None, stimulus=None, **options):
        """This model as a plain Brian2 ``NeuronGroup`` on the current device, parameters and
        initial values set, ready for ``StateMonitor``, ``SpikeMonitor`` and ``run``.
        ``options``: ``dt``, ``method``, ``name``; see
        :func:`sfa_helpers.plain_brian2.neuron_group`."""
        from ..plain_brian2 import neuron_group

        return neuron_group(self, N, stimulus, **options)

    def __add__(self, mechanism):
        """``model + mechanism``: the model with a mechanism (adaptation, threshold ...) added."""
        from .combined import CombinedModel, Mechanism

        if not isinstance(mechanism, Mechanism):
            return NotImplemented
        return CombinedModel(self, mechanism)
