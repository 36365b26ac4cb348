"""``NESTMLRefractoriness``: the course's models with NEST's refractory convention reproduce the
spike times that the NESTML spike-frequency-adaptation tutorial publishes.

Independent truth: the spike times printed by the NESTML tutorial
(nest/nestml, ``doc/tutorials/spike_frequency_adaptation/``), for its ``iaf_psc_alpha``-based
neurons (C_m = 250 pF, tau_m = 10 ms, E_L = V_reset = -70 mV, V_th = -55 mV, t_ref = 2 ms) with a
constant 500 pA for 300 ms at dt = 0.1 ms. NEST stamps a spike at the end of its time step,
Brian2 at the start: the course's times plus dt are compared.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import Mohm, mV, ms, pA, pF

from sfa_helpers import simulate, stimuli
from sfa_helpers.models import (LIF, AdaptationCurrent, AdaptiveThreshold, Brian2Model,
                                NESTMLRefractoriness)

DT = 0.1 * ms
NESTML_SPIKES_MS = {
    "no adaptation": [13.9, 29.8, 45.7, 61.6, 77.5, 93.4, 109.3, 125.2, 141.1, 157.0, 172.9,
                      188.8, 204.7, 220.6, 236.5, 252.4, 268.3, 284.2],
    "adaptation current": [13.9, 39.4, 89.8, 154.8, 220.6, 286.4],
    "adaptive threshold": [13.9, 33.9, 58.6, 88.3, 122.2, 158.8, 196.7, 235.2, 273.9],
}


def nest_lif():
    return LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
               C_m=250 * pF)


def tutorial_models():
    lif = nest_lif()
    return {"no adaptation": lif,
            "adaptation current": lif + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=100 * pA),
            "adaptive threshold": lif + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV)}


def stamped_like_nest(model, method=None, record=()):
    result = simulate(model, stimuli.constant(500 * pA), 300 * ms, dt=DT, method=method,
                      record=record)
    return np.asarray(result.spike_trains[0] / ms) + float(DT / ms), result


@pytest.mark.parametrize("name", list(NESTML_SPIKES_MS))
def test_nest_convention_reproduces_the_published_spike_times(name):
    model = tutorial_models()[name] + NESTMLRefractoriness()
    # NESTML propagates the coupled V-I_sfa pair exactly: with Brian2's 'exact' method the
    # course does too, and every spike falls on the published time step
    method = "exact" if name == "adaptation current" else None
    times, _ = stamped_like_nest(model, method)
    np.testing.assert_allclose(times, NESTML_SPIKES_MS[name], rtol=0, atol=1e-6)


def test_with_the_course_method_the_adaptation_current_is_within_one_step():
    """The default ``exponential_euler`` holds I_sfa over a step: at most one step late."""
    times, _ = stamped_like_nest(tutorial_models()["adaptation current"] + NESTMLRefractoriness())
    published = np.asarray(NESTML_SPIKES_MS["adaptation current"])
    assert times.size == published.size
    assert np.max(np.abs(times - published)) <= float(DT / ms) + 1e-6


@pytest.mark.parametrize("name", list(NESTML_SPIKES_MS))
def test_the_default_convention_differs_from_nest(name):
    """Brian2's convention (only V frozen, t_ref from the start of the spike's step) fires
    earlier after the first spike: the option changes the result, as the lesson says."""
    times, _ = stamped_like_nest(tutorial_models()[name], "exact" if name != "no adaptation" else None)
    published = np.asarray(NESTML_SPIKES_MS[name])
    n = min(times.size, published.size)
    assert times[0] == pytest.approx(published[0])  # nothing differs before the first spike
    assert np.all(times[1:n] < published[1:n] - 0.05)


def test_every_state_variable_is_frozen_while_refractory():
    model = (nest_lif() + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=100 * pA)
             + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV) + NESTMLRefractoriness())
    result = simulate(model, stimuli.constant(500 * pA), 100 * ms, dt=DT,
                      record=("v", "I_sfa", "Theta"))
    steps = int(round(float(2 * ms / DT)))
    first = int(round(float(result.spike_trains[0][0] / DT)))
    # the spike's own step applies the reset; the next 20 steps (2 ms after its end) hold
    for name in ("v", "I_sfa", "Theta"):
        trace = np.asarray(getattr(result, name)[0])
        held = trace[first + 1:first + steps + 2]
        assert np.ptp(held) == 0, name
        assert trace[first + steps + 2] != held[-1], name  # and then it moves again


def test_position_does_not_matter_and_the_code_shows_the_convention():
    lif = nest_lif()
    adaptation = AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=100 * pA)
    assert (lif + NESTMLRefractoriness() + adaptation).spec() == (lif + adaptation + NESTMLRefractoriness()).spec()
    code = str((lif + adaptation + NESTMLRefractoriness()).brian2_code())
    assert "dI_sfa/dt = -I_sfa/tau_sfa : amp (unless refractory)" in code
    assert "refractory='t_ref + dt'" in code


def test_a_model_without_an_absolute_refractory_period_is_refused():
    no_ref = Brian2Model("dv/dt = (E_L - v + R*I_total)/tau_m : volt", threshold="v > V_th",
                         reset="v = E_L", init={"v": -70 * mV}, tau_m=10 * ms, E_L=-70 * mV,
                         V_th=-55 * mV, R=40 * Mohm)
    with pytest.raises((TypeError, ValueError), match="t_ref"):
        no_ref + NESTMLRefractoriness()
