"""The LIF model and the simulation engine against closed-form truth.

Independent references used here:
* the closed-form solution of tau dV/dt = -(V - E_L) + R I for a current pulse;
* the analytic time from reset to threshold, T = tau ln((RI + E_L - V_reset)/(RI + E_L - V_th));
* separate single-neuron runs (for the vectorised run);
* first-order convergence of forward Euler.
"""

import numpy as np
import pytest
from brian2 import Hz, Mohm, mV, ms, nA, nF, nS, second

from sfa_helpers import fi_curve, simulate, stimuli
from sfa_helpers.models import LIF

SET_A = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)


def analytic_T(I, tau=10e-3, E_L=-70e-3, V_th=-55e-3, V_reset=-75e-3, R=10e6):
    """Time from reset to threshold in seconds, written out here independently of theory.py."""
    drive = R * I + E_L
    return tau * np.log((drive - V_reset) / (drive - V_th))


def test_subthreshold_pulse_matches_closed_form():
    # Threshold far away: the trace is the linear response to a 1 nA pulse from 100 to 400 ms.
    model = LIF(**{**SET_A, "V_th": 0 * mV})
    res = simulate(model, stimuli.step(1 * nA, 100 * ms, 400 * ms), 500 * ms)
    t = np.asarray(res.t)
    tau, E_L, RI = 10e-3, -70e-3, 10e6 * 1e-9
    on = np.clip(t - 0.1, 0, 0.3)
    expected = E_L + RI * (1 - np.exp(-on / tau)) * np.exp(-np.clip(t - 0.4, 0, None) / tau)
    # The exact integrator is exact at grid points for input that is constant over each step.
    np.testing.assert_allclose(np.asarray(res.v[0]), expected, atol=1e-9)
    assert res.spike_trains[0].size == 0


def test_theory_step_response_agrees_with_simulation():
    from sfa_helpers.theory import lif_step_response

    model = LIF(**{**SET_A, "V_th": 0 * mV})
    res = simulate(model, stimuli.step(1 * nA, 100 * ms, 400 * ms), 500 * ms)
    np.testing.assert_allclose(np.asarray(res.v[0]),
                               np.asarray(lif_step_response(model, 1 * nA, 100 * ms, 400 * ms, res.t)),
                               atol=1e-9)


def test_euler_converges_to_exact_at_first_order():
    model = LIF(**{**SET_A, "V_th": 0 * mV})
    stim = stimuli.step(1 * nA, 10 * ms, 40 * ms)
    errors = []
    for dt in (0.4 * ms, 0.2 * ms, 0.1 * ms):
        exact = simulate(model, stim, 50 * ms, dt=dt)
        euler = simulate(model, stim, 50 * ms, dt=dt, method="euler")
        errors.append(np.max(np.abs(np.asarray(euler.v[0] - exact.v[0]))))
    assert errors[0] > 0
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    # Halving dt halves the global error of a first-order method (ratio 2 +- 10 %).
    np.testing.assert_allclose(ratios, 2.0, rtol=0.1)


@pytest.mark.parametrize("current_nA", [1.55, 1.7, 2.3, 4.0])
def test_steady_state_isi_equals_analytic_interval_rounded_up_to_the_grid(current_nA):
    """Without refractoriness, the exact integrator's ISI is the continuous interval T rounded up
    to whole time steps (the threshold is checked at grid points only). Tolerance: 1 ns, i.e.
    floating-point error only."""
    dt = 1e-4
    res = simulate(LIF(**SET_A), stimuli.constant(current_nA * nA), 300 * ms, record=())
    isis = np.diff(np.asarray(res.spike_trains[0]))[1:]  # the first interval starts from E_L
    T = analytic_T(current_nA * 1e-9)
    frac = T / dt - np.floor(T / dt)
    assert 1e-6 < frac < 1 - 1e-6, "choose a current whose interval is not on the grid"
    assert isis.size >= 5
    np.testing.assert_allclose(isis, np.ceil(T / dt) * dt, atol=1e-9)


def test_rates_with_refractory_period_within_one_time_step_of_theory():
    """With t_ref = 2 ms the simulated ISI differs from t_ref + T by at most one step dt,
    because both the end of refractoriness and the threshold crossing fall on the grid."""
    currents = np.array([1.6, 2.0, 3.0, 5.0, 8.0]) * nA
    model = LIF(**{**SET_A, "t_ref": 2 * ms})
    fi = fi_curve(model, currents, 500 * ms, transient=50 * ms, rate="isi")
    expected_isi = 2e-3 + analytic_T(np.asarray(currents))
    measured_isi = 1 / np.asarray(fi.rates)
    assert np.all(np.abs(measured_isi - expected_isi) <= 1e-4 + 1e-9)


def test_below_rheobase_no_spikes_above_spikes():
    model = LIF(**SET_A)
    rheobase = 1.5 * nA  # (V_th - E_L)/R = 15 mV / 10 MOhm
    res = simulate(model, stimuli.constant(np.array([0.99, 1.01]) * rheobase), 1 * second, record=())
    assert res.spike_trains[0].size == 0
    assert res.spike_trains[1].size > 0


def test_vectorised_run_equals_separate_runs():
    amps = np.array([1.45, 1.6, 1.75, 2.5]) * nA
    model = LIF(**{**SET_A, "t_ref": 1 * ms})
    together = simulate(model, stimuli.step(amps, 100 * ms, 400 * ms), 500 * ms)
    for k, amp in enumerate(amps):
        alone = simulate(model, stimuli.step(amp, 100 * ms, 400 * ms), 500 * ms)
        np.testing.assert_array_equal(np.asarray(together.spike_trains[k]),
                                      np.asarray(alone.spike_trains[0]))
        np.testing.assert_array_equal(np.asarray(together.v[k]), np.asarray(alone.v[0]))


def test_array_valued_model_parameter_gives_one_neuron_per_value():
    taus = np.array([5, 10, 20]) * ms
    res = simulate(LIF(**{**SET_A, "tau_m": taus}), stimuli.constant(2 * nA), 200 * ms, record=())
    for k, tau in enumerate(np.asarray(taus)):
        T = analytic_T(2e-9, tau=tau)
        isis = np.diff(np.asarray(res.spike_trains[k]))[1:]
        np.testing.assert_allclose(isis, np.ceil(T / 1e-4) * 1e-4, atol=1e-9)


def test_rates_window_counts_spikes_in_half_open_interval():
    res = simulate(LIF(**SET_A), stimuli.step(1.8 * nA, 100 * ms, 400 * ms), 500 * ms, record=())
    train = np.asarray(res.spike_trains[0])
    n = np.count_nonzero((train >= 0.1) & (train < 0.4))
    assert float(res.rates(100 * ms, 400 * ms)[0]) == pytest.approx(n / 0.3)
    assert res.rates().dim == Hz.dim


def test_capacitance_and_conductance_give_the_same_neuron():
    by_R = LIF(tau_m=20 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=5 * Mohm)
    by_C = LIF(tau_m=20 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, C_m=4 * nF)
    by_g = LIF(tau_m=20 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, g_L=200 * nS)
    for m in (by_C, by_g):
        assert float(m.R) == pytest.approx(5e6)
    spikes = [simulate(m, stimuli.constant(5 * nA), 200 * ms, record=()).spike_trains[0]
              for m in (by_R, by_C, by_g)]
    np.testing.assert_allclose(np.asarray(spikes[1]), np.asarray(spikes[0]), atol=1e-12)
    np.testing.assert_allclose(np.asarray(spikes[2]), np.asarray(spikes[0]), atol=1e-12)
