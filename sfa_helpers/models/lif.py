"""The leaky integrate-and-fire neuron."""

from __future__ import annotations

import numpy as np
from brian2 import farad, ms, ohm, second, siemens, volt

from ..validation import as_quantity
from .base import ModelSpec, NeuronModel


class LIF(NeuronModel):
    r"""Leaky integrate-and-fire neuron.

    Subthreshold dynamics (the membrane potential :math:`V` in volt, the input current
    :math:`I(t)` in amp):

    .. math::

        \tau_m \frac{dV}{dt} = -(V - E_L) + R\, I(t)

    When :math:`V` crosses :math:`V_{th}` from below a spike is emitted at that time step,
    :math:`V` is set to :math:`V_{reset}` and held there for the absolute refractory period
    :math:`t_{ref}`. Integration uses the exact solution of the linear equation for a piecewise
    constant input (Brian2 method ``'exact'``), i.e. the one-step update
    :math:`V(t+dt) = E_L + R I + (V(t) - E_L - R I)\, e^{-dt/\tau_m}`.

    Parameters
    ----------
    tau_m : Quantity (second)
        Membrane time constant, > 0.
    E_L : Quantity (volt)
        Resting (leak reversal) potential.
    V_th : Quantity (volt)
        Firing threshold.
    V_reset : Quantity (volt)
        Reset potential, must be below ``V_th``.
    t_ref : Quantity (second), optional
        Absolute refractory period (default 0 ms).
    R, C_m, g_L : Quantity (ohm, farad, siemens)
        Give exactly one: membrane resistance, capacitance (``R = tau_m / C_m``) or leak
        conductance (``R = 1 / g_L``). All three are available as attributes afterwards.
    V_init : Quantity (volt), optional
        Membrane potential at t = 0 (default ``E_L``).

    Every parameter may be a 1-D array: one neuron per value, simulated in one ``NeuronGroup``.

    Examples
    --------
    >>> from brian2 import ms, mV, Mohm
    >>> neuron = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-75*mV, R=10*Mohm)
    >>> neuron.C_m
    1. * nfarad
    """

    def __init__(self, tau_m, E_L, V_th, V_reset, t_ref=0 * ms, *, R=None, C_m=None, g_L=None,
                 V_init=None):
        given = {
            "tau_m": as_quantity("tau_m", tau_m, second, positive=True),
            "E_L": as_quantity("E_L", E_L, volt),
            "V_th": as_quantity("V_th", V_th, volt),
            "V_reset": as_quantity("V_reset", V_reset, volt),
            "t_ref": as_quantity("t_ref", t_ref, second, nonnegative=True),
        }
        passive = {k: v for k, v in (("R", R), ("C_m", C_m), ("g_L", g_L)) if v is not None}
        if len(passive) != 1:
            detail = "none was given" if not passive else f"got {sorted(passive)}"
            raise ValueError(
                "LIF needs exactly one of 'R' (membrane resistance), 'C_m' (capacitance) or "
                f"'g_L' (leak conductance) besides 'tau_m'; {detail}."
            )
        (name, value), = passive.items()
        unit = {"R": ohm, "C_m": farad, "g_L": siemens}[name]
        given[name] = as_quantity(name, value, unit, positive=True)
        if V_init is not None:
            given["V_init"] = as_quantity("V_init", V_init, volt)
        if np.any(np.asarray(given["V_reset"]) >= np.asarray(given["V_th"])):
            raise ValueError(
                f"'V_reset' ({V_reset!r}) must be below 'V_th' ({V_th!r}); otherwise the neuron "
                "would fire again immediately after every reset."
            )
        tau = given["tau_m"]
        R_value = {"R": lambda: given["R"], "C_m": lambda: tau / given["C_m"],
                   "g_L": lambda: 1 / given["g_L"]}[name]()
        derived = {"R": R_value, "C_m": tau / R_value, "g_L": 1 / R_value}
        derived.setdefault("V_init", given["E_L"])
        derived.update({k: v for k, v in given.items()})
        self._store(given, derived)

    def replace(self, **changes):
        """Copy with changed parameters; giving one of R/C_m/g_L replaces the one used before."""
        if {"R", "C_m", "g_L"} & set(changes):
            base = {k: v for k, v in self._given.items() if k not in ("R", "C_m", "g_L")}
            return LIF(**{**base, **changes})
        return super().replace(**changes)

    def spec(self) -> ModelSpec:
        return ModelSpec(
            equations=("dv/dt = (E_L - v + R*I_total)/tau_m : volt (unless refractory)",),
            threshold="v > V_th",
            reset=("v = V_reset",),
            refractory="t_ref",
            method="exact",
            parameters={k: self._values[k] for k in ("tau_m", "E_L", "V_th", "V_reset", "t_ref", "R")},
            initial_values={"v": self._values["V_init"]},
            recordable=("v",),
            time_constants={"tau_m": self._values["tau_m"]},
        )

