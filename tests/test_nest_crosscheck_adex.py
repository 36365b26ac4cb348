"""AdEx spike times against NEST's ``aeif_psc_delta`` (an independent implementation).

Parameter mapping (NEST units pF, nS, mV, ms, pA):

=========  =====================================================
NEST       sfa_helpers AdEx
=========  =====================================================
C_m        C_m = tau_m / R
g_L        g_L = 1 / R
E_L        E_L (u_rest)
V_th       V_T (theta_rh)
Delta_T    Delta_T
V_peak     V_peak (spike cut; same value in both)
V_reset    V_reset (u_r)
a, b       a, b
tau_w      tau_w
t_ref      t_ref (0 ms, as in the presets)
I_e        the step amplitude (switched on at t = 0, neuron at rest, w = 0)
=========  =====================================================

Integrators: NEST integrates with an adaptive Runge-Kutta-Fehlberg 4(5) (GSL) and resets
*inside* the step at the moment V crosses V_peak, but stamps the spike at the end of the step;
Brian2 uses fixed-step rk4, resets at the end of the step that crosses V_peak and stamps the spike
at the start of that step. Both on a 0.01 ms grid, so we compare Brian's ``t + dt`` with NEST's
time. Tolerance: 0.1 ms for each of the first spikes (10 grid steps). Justification: the dt/2
convergence test shows that Brian's spike times move by < 0.05 ms when dt is halved from 0.02 ms,
so at 0.01 ms its error is about that size; NEST's (reset within the step) is smaller; their
difference accumulates slowly over a train, so the first 8 spikes (4 for the chaotic
'irregular' preset, whose differences grow exponentially) are compared.
"""

import os

import numpy as np
import pytest
from brian2 import ms, pA

from sfa_helpers import simulate, stimuli
from sfa_helpers.models import FIRING_PATTERNS
from sfa_helpers.models.presets import PATTERN_NAMES, brette_gerstner_regular_spiking

os.environ["PYNEST_QUIET"] = "1"
nest = pytest.importorskip("nest")

DT = 0.01  # ms
DURATION = 400.0  # ms
TOL = 0.1e-3  # s


def _nest_spikes(preset):
    m = preset.model
    f = lambda q, unit: float(q / unit)
    from brian2 import mV, nS, pF

    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = DT
    params = {"C_m": f(m.C_m, pF), "g_L": f(m.g_L, nS), "E_L": f(m.E_L, mV),
              "V_th": f(m.V_T, mV), "Delta_T": f(m.Delta_T, mV), "V_peak": f(m.V_peak, mV),
              "V_reset": f(m.V_reset, mV), "a": f(m.a, nS), "b": f(m.b, pA),
              "tau_w": f(m.tau_w, ms), "t_ref": 0.0, "I_e": f(preset.current, pA),
              "V_m": f(m.E_L, mV), "w": 0.0}
    neuron = nest.Create("aeif_psc_delta", params=params)
    rec = nest.Create("spike_recorder")
    nest.Connect(neuron, rec)
    nest.Simulate(DURATION)
    return np.sort(np.asarray(rec.get("events")["times"], dtype=float)) * 1e-3


PRESETS = [FIRING_PATTERNS[n] for n in PATTERN_NAMES] + [brette_gerstner_regular_spiking()]


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name if p.model.C_m != PRESETS[-1].model.C_m
                                                 else "regular spiking (B&G 2005)" for p in PRESETS])
def test_spike_times_match_nest(preset):
    res = simulate(preset.model, stimuli.step(preset.current, 0 * ms), DURATION * ms, dt=DT * ms,
                   record=())
    brian = np.asarray(res.spike_trains[0]) + DT * 1e-3
    ref = _nest_spikes(preset)
    assert ref.size > 0
    n = 4 if preset.name == "irregular" else 8
    k = min(n, ref.size)
    assert brian.size >= k
    np.testing.assert_allclose(brian[:k], ref[:k], atol=TOL, rtol=0)
    if preset.name != "irregular":
        # same number of spikes in the whole run (a spike near the end may slip by < TOL)
        assert abs(brian.size - ref.size) <= 1
