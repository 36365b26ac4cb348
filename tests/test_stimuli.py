"""Stimuli: the recorded input current against the formula each stimulus promises."""

import numpy as np
import pytest
from brian2 import Hz, Mohm, mV, ms, nA, second

from sfa_helpers import simulate, stimuli
from sfa_helpers.models import LIF

# A neuron that never fires, so the recorded input is all we look at.
QUIET = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=1000 * mV, V_reset=-75 * mV, R=10 * Mohm)


def recorded_input(stim, duration=50 * ms, dt=0.1 * ms, **kw):
    res = simulate(QUIET, stim, duration, dt=dt, record=("I_stim",), **kw)
    return np.asarray(res.t), np.asarray(res.I_stim)


def test_step_edges_fall_on_the_grid():
    t, current = recorded_input(stimuli.step(2 * nA, 10 * ms, 30 * ms))
    k = np.arange(t.size)
    inside = (k >= 100) & (k < 300)  # 10 ms / 0.1 ms = step 100 ... step 299
    np.testing.assert_array_equal(current[0], np.where(inside, 2e-9, 0.0))


def test_step_without_stop_lasts_to_the_end():
    t, current = recorded_input(stimuli.step(1 * nA, 20 * ms))
    assert np.all(current[0][t >= 0.02 - 1e-12] == 1e-9)
    assert np.all(current[0][t < 0.02 - 1e-12] == 0)


def test_ramp_is_linear_inside_its_window():
    t, current = recorded_input(stimuli.ramp(3 * nA, 10 * ms, 40 * ms, initial=1 * nA))
    inside = (t >= 0.01 - 1e-12) & (t < 0.04 - 1e-12)
    np.testing.assert_allclose(current[0][inside], 1e-9 + 2e-9 * (t[inside] - 0.01) / 0.03, rtol=1e-12)
    assert np.all(current[0][~inside] == 0)


def test_sine_formula():
    t, current = recorded_input(stimuli.sine(1 * nA, 50 * Hz, offset=0.5 * nA, phase=0.3))
    np.testing.assert_allclose(current[0], 0.5e-9 + 1e-9 * np.sin(2 * np.pi * 50 * t + 0.3),
                               rtol=1e-9, atol=1e-18)


def test_from_array_shared_and_per_neuron():
    values = np.linspace(0, 1, 50) * nA  # one sample per ms
    t, current = recorded_input(stimuli.from_array(values, 1 * ms))
    np.testing.assert_allclose(current[0], np.asarray(values)[np.minimum((t / 1e-3 + 1e-9).astype(int), 49)])
    columns = np.stack([np.full(50, 1.0), np.full(50, 2.0)], axis=1) * nA
    _, current = recorded_input(stimuli.from_array(columns, 1 * ms))
    assert current.shape[0] == 2
    np.testing.assert_allclose(current[1], 2e-9)


def test_sum_of_stimuli_is_the_sum_of_currents():
    step = stimuli.step(1 * nA, 10 * ms, 20 * ms)
    sine = stimuli.sine(0.5 * nA, 100 * Hz)
    _, a = recorded_input(step)
    _, b = recorded_input(sine)
    _, both = recorded_input(step + sine)
    np.testing.assert_allclose(both, a + b, rtol=1e-12, atol=1e-21)


def test_array_amplitudes_give_one_neuron_per_value():
    _, current = recorded_input(stimuli.constant([1, 2, 3] * nA))
    np.testing.assert_allclose(current[:, 0], [1e-9, 2e-9, 3e-9])


def test_white_noise_is_reproducible_and_zero_sigma_equals_constant():
    noisy = stimuli.white_noise(1.6 * nA, 0.2 * nA * ms ** 0.5)
    a = simulate(LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm),
                 noisy, 200 * ms, seed=3)
    b = simulate(a.model, noisy, 200 * ms, seed=3)
    c = simulate(a.model, noisy, 200 * ms, seed=4)
    np.testing.assert_array_equal(np.asarray(a.v), np.asarray(b.v))
    assert not np.array_equal(np.asarray(a.v), np.asarray(c.v))
    # seed=None: a seed is chosen, stored, and reproduces the run.
    d = simulate(a.model, noisy, 200 * ms)
    e = simulate(a.model, noisy, 200 * ms, seed=d.seed)
    np.testing.assert_array_equal(np.asarray(d.v), np.asarray(e.v))
    silent = simulate(a.model, stimuli.white_noise(1.6 * nA, 0 * nA * ms ** 0.5), 200 * ms, seed=3)
    plain = simulate(a.model, stimuli.constant(1.6 * nA), 200 * ms)
    np.testing.assert_array_equal(np.asarray(silent.v), np.asarray(plain.v))


def test_stimulus_seed_is_used_and_conflicts_are_errors():
    model = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)
    seeded = stimuli.white_noise(1.6 * nA, 0.2 * nA * ms ** 0.5, seed=11)
    assert simulate(model, seeded, 20 * ms).seed == 11
    with pytest.raises(ValueError, match="conflicts"):
        simulate(model, seeded, 20 * ms, seed=12)


def test_white_noise_free_membrane_variance_matches_theory():
    """Without threshold, tau dV = -(V - E_L) dt + R sigma dW is an Ornstein-Uhlenbeck process
    with stationary SD R sigma / sqrt(2 tau). 40 neurons x 2 s give ~8000 effectively independent
    samples (correlation time tau = 10 ms); the relative standard error of an SD estimate is
    about 1/sqrt(2 * 8000) = 0.8 %, so 4 % is five standard errors."""
    sigma = 0.3 * nA * ms ** 0.5
    model = QUIET
    res = simulate(model, stimuli.white_noise(np.zeros(40) * nA, sigma), 2.1 * second,
                   record=("v",), seed=7)
    v = np.asarray(res.v)[:, res.t >= 100 * ms]
    expected_sd = 10e6 * float(sigma) / np.sqrt(2 * 10e-3)
    assert np.std(v) == pytest.approx(expected_sd, rel=0.04)
    assert np.mean(v) == pytest.approx(-70e-3, abs=4 * expected_sd / np.sqrt(8000))
