r"""Spike-frequency adaptation mechanisms, to add to a base neuron: ``LIF(...) + Mechanism(...)``.

Three mechanisms make a neuron fire more slowly the longer it fires (lesson 03). Each one has a
slow variable that jumps at every spike and decays between spikes:

=========================  ======================================================  ==============
mechanism                  slow variable and its effect                            recordable
=========================  ======================================================  ==============
:class:`AdaptationCurrent`  current :math:`I_{sfa}` (amp) subtracted from the input  ``'I_sfa'``
:class:`AdaptiveThreshold`  threshold :math:`\Theta` (volt) that moves up            ``'Theta'``
:class:`ConductanceSRA`     potassium conductance :math:`G_{SRA}` (siemens)          ``'G_SRA'``
=========================  ======================================================  ==============

Between spikes each slow variable relaxes exponentially to its resting value; it is integrated
exactly. A mechanism that feeds a current back into the membrane equation switches an ``'exact'``
base model to Brian2's ``'exponential_euler'`` method: the membrane potential is then still
updated with the exact exponential solution, holding the slow current (or conductance) at its value
at the start of the time step. This is the same discretisation that NEST uses for its adaptive
integrate-and-fire models (see ``tests/test_adaptation_nest.py``), it is unconditionally stable
for stiff conductances, and it has no special cases (the fully exact solution of the coupled
linear system is singular for :math:`\tau_{sfa} = \tau_m`). With the jump set to zero the slow
variable stays at rest and every mechanism reproduces the base model.

Every parameter may be a 1-D array (one neuron per value), like the parameters of the base model.
"""

from __future__ import annotations

from brian2 import amp, second, siemens, volt

from ..validation import as_quantity
from .base import ModelSpec
from .combined import Mechanism

__all__ = ["AdaptationCurrent", "AdaptiveThreshold", "ConductanceSRA"]


def _exponential_method(spec: ModelSpec) -> str:
    """The integration method once a current that depends on a state variable is added."""
    return "exponential_euler" if spec.method == "exact" else spec.method


def _add_spike_triggered_conductance(spec: ModelSpec, mechanism: str, G: str, tau: str,
                                     delta: str, values: dict) -> ModelSpec:
    r"""Add a conductance ``G`` towards ``E_K`` that jumps at each spike and decays:
    :math:`dG/dt = -G/\tau`, :math:`G \to G + \Delta G`, membrane current :math:`G (E_K - v)`.
    ``values`` holds the quantities named ``tau``, ``delta`` and ``'E_K'``. Used by both the
    spike-rate adaptation conductance and the refractory conductance."""
    _check_free(spec, (G,), mechanism)
    return spec.extend(
        equations=(f"d{G}/dt = -{G}/{tau} : siemens",),
        currents=(f"{G}*(E_K - v)",),
        reset=(f"{G} += {delta}",),
        parameters={tau: values[tau], delta: values[delta], "E_K": values["E_K"]},
        initial_values={G: 0 * siemens},
        recordable=(G,),
        time_constants={tau: values[tau]},
        method=_exponential_method(spec),
    )


def _check_free(spec: ModelSpec, names, mechanism: str) -> None:
    """Raise ``ValueError`` if the base model already defines one of ``names``."""
    taken = [n for n in names if n in spec.parameters or n in spec.initial_values
             or any(line.lstrip().startswith(f"d{n}/dt") for line in spec.equations)]
    if taken:
        raise ValueError(f"{mechanism} defines {taken}, which the model already has; a mechanism "
                         "of this kind can be added only once.")


class AdaptationCurrent(Mechanism):
    r"""Spike-triggered adaptation current, subtracted from the input.

    .. math::

        \frac{dI_{sfa}}{dt} = -\frac{I_{sfa}}{\tau_{sfa}}, \qquad
        I_{sfa} \to I_{sfa} + \Delta I_{sfa} \text{ at each spike},

    and the base neuron receives :math:`I_{stim} - I_{sfa}` (for a LIF,
    :math:`\tau_m\, dV/dt = -(V - E_L) + R\,(I - I_{sfa})`). Firing at a steady rate :math:`r`
    gives a mean adaptation current :math:`\langle I_{sfa}\rangle = \tau_{sfa}\,\Delta I_{sfa}\, r`
    (see :func:`sfa_helpers.theory.adaptation.adaptive_lif_rate`).

    Parameters
    ----------
    tau_sfa : Quantity (second)
        Decay time constant of the adaptation current, > 0 (lesson 03: 100 ms).
    Delta_I_sfa : Quantity (amp)
        Increment at each spike, >= 0 (lesson 03: 100 pA). 0 gives the base model back.
    I_sfa_init : Quantity (amp), optional
        Adaptation current at t = 0 (default 0 pA).

    Recordable: ``'I_sfa'``. The reset happens in the same time step as the spike, after the
    base model's own reset.

    Examples
    --------
    >>> from brian2 import ms, mV, pA, pF
    >>> from sfa_helpers.models import LIF, AdaptationCurrent
    >>> neuron = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-70*mV, t_ref=2*ms,
    ...              C_m=250*pF) + AdaptationCurrent(tau_sfa=100*ms, Delta_I_sfa=100*pA)
    """

    requires = ("v",)

    def __init__(self, tau_sfa, Delta_I_sfa, I_sfa_init=0 * amp):
        self._store({
            "tau_sfa": as_quantity("tau_sfa", tau_sfa, second, positive=True),
            "Delta_I_sfa": as_quantity("Delta_I_sfa", Delta_I_sfa, amp, nonnegative=True),
            "I_sfa_init": as_quantity("I_sfa_init", I_sfa_init, amp),
        })

    def apply(self, spec: ModelSpec) -> ModelSpec:
        _check_free(spec, ("I_sfa",), "AdaptationCurrent")
        return spec.extend(
            equations=("dI_sfa/dt = -I_sfa/tau_sfa : amp",),
            currents=("-I_sfa",),
            reset=("I_sfa += Delta_I_sfa",),
            parameters={"tau_sfa": self.tau_sfa, "Delta_I_sfa": self.Delta_I_sfa},
            initial_values={"I_sfa": self.I_sfa_init},
            recordable=("I_sfa",),
            time_constants={"tau_sfa": self.tau_sfa},
            method=_exponential_method(spec),
        )


class AdaptiveThreshold(Mechanism):
    r"""Moving firing threshold :math:`\Theta` that jumps up at each spike and relaxes back.

    .. math::

        \frac{d\Theta}{dt} = -\frac{\Theta - \Theta_0}{\tau_\Theta}, \qquad
        \Theta \to \Theta + \Delta\Theta \text{ at each spike},

    and the neuron fires when :math:`V > \Theta`. The resting threshold :math:`\Theta_0` is the
    base model's ``V_th`` (so sliders and arrays of ``V_th`` move it), and :math:`\Theta` starts
    at :math:`\Theta_0`. The base model's voltage reset is kept. Firing at a steady rate
    :math:`r` raises the mean threshold by :math:`\tau_\Theta\,\Delta\Theta\, r`.

    Parameters
    ----------
    tau_Theta : Quantity (second)
        Relaxation time constant of the threshold, > 0 (lesson 03: 100 ms).
    Delta_Theta : Quantity (volt)
        Threshold increment at each spike, >= 0 (lesson 03: 2 mV). 0 gives the base model back
        (spike times identical to the base model).

    Recordable: ``'Theta'``. Needs a base model with ``v`` and ``V_th`` (e.g. :class:`LIF`).

    Examples
    --------
    >>> from brian2 import ms, mV, pF
    >>> from sfa_helpers.models import LIF, AdaptiveThreshold
    >>> neuron = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-70*mV, t_ref=2*ms,
    ...              C_m=250*pF) + AdaptiveThreshold(tau_Theta=100*ms, Delta_Theta=2*mV)
    """

    requires = ("v", "V_th")

    def __init__(self, tau_Theta, Delta_Theta):
        self._store({
            "tau_Theta": as_quantity("tau_Theta", tau_Theta, second, positive=True),
            "Delta_Theta": as_quantity("Delta_Theta", Delta_Theta, volt, nonnegative=True),
        })

    def apply(self, spec: ModelSpec) -> ModelSpec:
        _check_free(spec, ("Theta",), "AdaptiveThreshold")
        # Theta does not act on v, so the base model's method (e.g. 'exact') stays valid.
        return spec.extend(
            equations=("dTheta/dt = -(Theta - V_th)/tau_Theta : volt",),
            reset=("Theta += Delta_Theta",),
            parameters={"tau_Theta": self.tau_Theta, "Delta_Theta": self.Delta_Theta},
            initial_values={"Theta": spec.parameters["V_th"]},
            recordable=("Theta",),
            time_constants={"tau_Theta": self.tau_Theta},
            threshold="v > Theta",
        )


class ConductanceSRA(Mechanism):
    r"""Conductance-based spike-rate adaptation: a potassium conductance opened by each spike.

    .. math::

        \frac{dG_{SRA}}{dt} = -\frac{G_{SRA}}{\tau_{SRA}}, \qquad
        G_{SRA} \to G_{SRA} + \Delta G_{SRA} \text{ at each spike},

    adding the current :math:`G_{SRA}\,(E_K - V)` to the membrane, so that a LIF becomes
    :math:`C_m\, dV/dt = (E_L - V)/R_m + G_{SRA}(E_K - V) + I` (lesson 03 Part B). Unlike an
    adaptation current, its effect shrinks as :math:`V` approaches :math:`E_K`.

    Parameters
    ----------
    tau_SRA : Quantity (second)
        Decay time constant of the conductance, > 0 (lesson 03: 200 ms).
    Delta_G_SRA : Quantity (siemens)
        Increment at each spike, >= 0 (lesson 03: 1 nS).
    E_K : Quantity (volt)
        Reversal potential of the potassium current (lesson 03: -80 mV).

    Recordable: ``'G_SRA'``.
    """

    requires = ("v",)

    def __init__(self, tau_SRA, Delta_G_SRA, E_K):
        self._store({
            "tau_SRA": as_quantity("tau_SRA", tau_SRA, second, positive=True),
            "Delta_G_SRA": as_quantity("Delta_G_SRA", Delta_G_SRA, siemens, nonnegative=True),
            "E_K": as_quantity("E_K", E_K, volt),
        })

    def apply(self, spec: ModelSpec) -> ModelSpec:
        return _add_spike_triggered_conductance(spec, "ConductanceSRA", "G_SRA", "tau_SRA",
                                                "Delta_G_SRA", self._values)
