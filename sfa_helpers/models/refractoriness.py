r"""Three ways to make an integrate-and-fire neuron refractory (lesson 02).

All three are mechanisms, added to a base neuron such as :class:`~sfa_helpers.models.LIF`:

1. ``LIF(...) + ForcedVoltageClamp(tau_vc)``: after each spike :math:`V` is held at
   :math:`V_{reset}` for :math:`\tau_{vc}` (absolute refractoriness).
2. ``LIF(...) + ThresholdIncrease(Theta_max, tau_Theta)``: at each spike :math:`V` is reset to
   :math:`V_{reset}` and the threshold :math:`\Theta` jumps to :math:`\Theta_{max}` and relaxes
   back to :math:`V_{th}` (relative refractoriness: a strong input can fire the neuron again
   early).
3. ``LIF(...) + ThresholdIncrease(...) + RefractoryConductance(tau_Gref, Delta_G_ref, E_K)
   + NoVoltageReset()``: the threshold increase, no voltage reset, and a potassium conductance
   :math:`G_{ref}` opened by each spike, which pulls :math:`V` down towards :math:`E_K` instead
   of the hard reset.

Every parameter may be a 1-D array (one neuron per value).

A fourth mechanism changes no dynamics but the *convention*: ``+ NESTMLRefractoriness()`` makes a
model with an absolute refractory period (``t_ref``) time it as models written in NESTML do, so
that the course reproduces the NESTML tutorial's published spike times (lesson 03).
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
from brian2 import second, siemens, volt

from ..validation import as_quantity, renamed_keywords
from .adaptation import _add_spike_triggered_conductance, _check_free
from .base import ModelSpec
from .combined import Mechanism

__all__ = ["ForcedVoltageClamp", "ThresholdIncrease", "RefractoryConductance", "NoVoltageReset",
           "NESTMLRefractoriness"]


class ForcedVoltageClamp(Mechanism):
    r"""Absolute refractoriness: after a spike :math:`V` is clamped at :math:`V_{reset}` for
    :math:`\tau_{vc}`.

    .. math::

        V \to V_{reset} \text{ at a spike}, \qquad \frac{dV}{dt} = 0
        \text{ for } t_{spike} \le t < t_{spike} + \tau_{vc}.

    The neuron cannot fire during the clamp, so its rate is at most :math:`1/\tau_{vc}`.
    This is the same as the base model's own ``t_ref`` (which must be 0 when this mechanism is
    added, so that the clamp duration is defined in one place). Time-grid convention (Brian2): the
    spike time step counts as the first clamped step, so :math:`V` is integrated again from
    :math:`t_{spike} + \tau_{vc}` on.

    Parameters
    ----------
    tau_vc : Quantity (second)
        Duration of the clamp, > 0 (lesson 02: 2.5 ms).
    """

    requires = ("v", "V_reset", "t_ref")

    def __init__(self, tau_vc):
        self._store({"tau_vc": as_quantity("tau_vc", tau_vc, second, positive=True)})

    def apply(self, spec: ModelSpec) -> ModelSpec:
        if np.any(np.asarray(spec.parameters["t_ref"]) != 0):
            raise ValueError("ForcedVoltageClamp replaces the base model's refractory period: create "
                             "the base model with t_ref=0*ms and set 'tau_vc' instead.")
        if not any("unless refractory" in line for line in spec.equations):
            raise TypeError("ForcedVoltageClamp needs a base model whose voltage equation is "
                            "marked '(unless refractory)'.")
        return spec.extend(parameters={"tau_vc": self.tau_vc}, refractory="tau_vc")


@renamed_keywords(V_th_max="Theta_max", tau_vth="tau_Theta")
class ThresholdIncrease(Mechanism):
    r"""Relative refractoriness by a threshold jump, on top of the voltage reset.

    .. math::

        \frac{d\Theta}{dt} = -\frac{\Theta - V_{th}}{\tau_\Theta}, \qquad
        \Theta \to \Theta_{max} \text{ at each spike},

    and the neuron fires when :math:`V > \Theta`. The base model's voltage reset stays
    (:math:`V \to V_{reset}`): after a spike :math:`V` climbs back from :math:`V_{reset}` while
    the threshold falls from :math:`\Theta_{max}`, and the neuron fires again where the two meet,
    earlier the stronger the input. :math:`\Theta` starts at :math:`V_{th}`. Add
    :class:`NoVoltageReset` to drop the reset (lesson 02's method 3, where a refractory
    conductance pulls :math:`V` down instead).

    Parameters
    ----------
    Theta_max : Quantity (volt)
        Threshold just after a spike; must be above ``V_th`` (lesson 02: 200 mV).
    tau_Theta : Quantity (second)
        Relaxation time constant of the threshold, > 0 (lesson 02: 1 ms).

    The threshold is called :math:`\Theta` as in :class:`~sfa_helpers.models.AdaptiveThreshold`
    (``tau_Theta``); the old names ``V_th_max`` and ``tau_vth`` still work in this release,
    with a ``FutureWarning``.

    Recordable: ``'Theta'``.
    """

    requires = ("v", "V_th")

    def __init__(self, Theta_max, tau_Theta):
        self._store({
            "Theta_max": as_quantity("Theta_max", Theta_max, volt),
            "tau_Theta": as_quantity("tau_Theta", tau_Theta, second, positive=True),
        })

    def apply(self, spec: ModelSpec) -> ModelSpec:
        _check_free(spec, ("Theta",), "ThresholdIncrease")
        if np.any(np.asarray(self.Theta_max) <= np.asarray(spec.parameters["V_th"])):
            raise ValueError(f"'Theta_max' ({self.Theta_max!r}) must be above the base threshold "
                             f"'V_th' ({spec.parameters['V_th']!r}).")
        return spec.extend(
            equations=("dTheta/dt = -(Theta - V_th)/tau_Theta : volt",),
            reset=("Theta = Theta_max",),
            parameters={"Theta_max": self.Theta_max, "tau_Theta": self.tau_Theta},
            initial_values={"Theta": spec.parameters["V_th"]},
            recordable=("Theta",),
            time_constants={"tau_Theta": self.tau_Theta},
            threshold="v > Theta",
        )


class RefractoryConductance(Mechanism):
    r"""A fast potassium conductance opened by each spike (refractoriness without a hard reset).

    .. math::

        \frac{dG_{ref}}{dt} = -\frac{G_{ref}}{\tau_{Gref}}, \qquad
        G_{ref} \to G_{ref} + \Delta G_{ref} \text{ at each spike},

    adding the current :math:`G_{ref}(E_K - V)` to the membrane. A large, brief conductance
    drives :math:`V` close to :math:`E_K` within a fraction of a millisecond (the time constant
    :math:`C_m/G_{ref}`); the membrane update is exact for :math:`G_{ref}` held over a step, so it
    stays stable even when :math:`C_m/G_{ref}` is shorter than the time step.

    Parameters
    ----------
    tau_Gref : Quantity (second)
        Decay time constant, > 0 (lesson 02: 0.2 ms; use dt well below it).
    Delta_G_ref : Quantity (siemens)
        Increment at each spike, >= 0 (lesson 02: 2 uS).
    E_K : Quantity (volt)
        Potassium reversal potential (lesson 02: -80 mV).

    Recordable: ``'G_ref'``.
    """

    requires = ("v",)

    def __init__(self, tau_Gref, Delta_G_ref, E_K):
        self._store({
            "tau_Gref": as_quantity("tau_Gref", tau_Gref, second, positive=True),
            "Delta_G_ref": as_quantity("Delta_G_ref", Delta_G_ref, siemens, nonnegative=True),
            "E_K": as_quantity("E_K", E_K, volt),
        })

    def apply(self, spec: ModelSpec) -> ModelSpec:
        return _add_spike_triggered_conductance(spec, "RefractoryConductance", "G_ref", "tau_Gref",
                                                "Delta_G_ref", self._values)


class NoVoltageReset(Mechanism):
    r"""Remove the base model's voltage reset: :math:`V` integrates through the spike.

    On its own this lets :math:`V` rise towards :math:`E_L + R I` and the neuron fire whenever
    it is above threshold; it is meant for mechanisms that bring :math:`V` down by other means,
    as in lesson 02's method 3: ``LIF(...) + ThresholdIncrease(...) + RefractoryConductance(...)
    + NoVoltageReset()``, where the refractory conductance pulls :math:`V` towards :math:`E_K`.
    Every other reset statement (threshold jumps, conductance increments) stays. It has no
    parameters.
    """

    requires = ("v",)

    def __init__(self):
        self._store({})

    def apply(self, spec: ModelSpec) -> ModelSpec:
        keep = tuple(s for s in spec.reset if not s.replace(" ", "").startswith("v="))
        if len(keep) == len(spec.reset):
            raise ValueError("NoVoltageReset: the model has no voltage reset ('v = ...') to remove.")
        return dataclasses.replace(spec, reset=keep)


_DIFFERENTIAL = re.compile(r"^(?P<lhs>\s*d\w+/dt\s*=.*?:\s*[^():]+?)\s*(\((?P<flags>[^()]*)\))?\s*$")


class NESTMLRefractoriness(Mechanism):
    r"""The absolute refractory period as NESTML's integrate-and-fire models time it.

    The course's default is Brian2's convention: during :math:`t_{ref}` only the membrane
    potential is held (``(unless refractory)`` on ``dv/dt``); every other variable (an
    adaptation current :math:`I_{sfa}`, a threshold :math:`\Theta`) keeps relaxing, and
    :math:`t_{ref}` counts from the start of the time step in which :math:`V` crossed the
    threshold, the time Brian2 records as the spike time. Models written in NESTML (for example
    the NESTML spike-frequency-adaptation tutorial's ``iaf_psc_alpha_adapt_curr`` and
    ``iaf_psc_alpha_adapt_thresh``) instead

    * integrate *no* equation while the neuron is refractory (``if is_refractory: ... else:
      integrate_odes()``): :math:`I_{sfa}` and :math:`\Theta` are frozen along with :math:`V`;
    * stamp the spike at the *end* of the step in which :math:`V` crossed, and count
      :math:`t_{ref}` from there.

    (NEST's built-in models share only the second point: ``iaf_psc_alpha``, ``gif_psc_exp`` or
    ``aeif_psc_delta`` hold :math:`V` and keep integrating their adaptation variables, so for
    them the course's models need just ``t_ref + dt``; ``tests/test_adaptation_nest.py``.)

    Adding this mechanism (last; it is applied after every other mechanism wherever it is
    written) gives every differential equation the ``(unless refractory)`` flag and makes the
    refractory period :math:`t_{ref} + dt` from the step's start, which is :math:`t_{ref}` from
    its end. Brian2 still records the spike at the start of its step: **add** ``dt`` **to the
    spike times** to compare them with NESTML's. With ``dt`` = 0.1 ms and the tutorial's
    parameters this reproduces its three spike trains: the plain and the adaptive-threshold
    neuron exactly; the adaptation-current neuron exactly with ``method='exact'`` (NESTML
    propagates the coupled :math:`V`-:math:`I_{sfa}` pair exactly) and within one step with the
    course's ``exponential_euler``, which holds :math:`I_{sfa}` over a step (see
    :mod:`sfa_helpers.models.adaptation`); ``tests/test_nestml_convention.py``.

    Needs a base model with an absolute refractory period (``refractory='t_ref'``, e.g.
    :class:`~sfa_helpers.models.LIF`); it has no parameters.
    """

    requires = ("t_ref",)
    applies_last = True

    def __init__(self):
        self._store({})

    def apply(self, spec: ModelSpec) -> ModelSpec:
        if spec.refractory != "t_ref":
            raise ValueError("NESTMLRefractoriness needs a model with an absolute refractory period "
                             f"'t_ref' (Brian2 refractory='t_ref'); this one has {spec.refractory!r}.")
        equations = []
        for line in spec.equations:
            match = _DIFFERENTIAL.match(line)
            if match is None:
                equations.append(line)
                continue
            flags = [f.strip() for f in (match["flags"] or "").split(",") if f.strip()]
            if "unless refractory" not in flags:
                flags.append("unless refractory")
            equations.append(f"{match['lhs']} ({', '.join(flags)})")
        return dataclasses.replace(spec, equations=tuple(equations), refractory="t_ref + dt")
