"""Noise stimuli (Ornstein-Uhlenbeck and white noise) against the analytic OU process.

Statistical tolerances: the recorded current of one neuron is a Gaussian AR(1) sequence with
coefficient a = exp(-h/tau) (h the time step). For N samples of such a sequence,

* the sample mean has variance  sigma^2 (1 + a) / (N (1 - a)),
* the sample variance has variance  2 sigma^4 (1 + a^2) / (N (1 - a^2)),
* the sample autocorrelation at lag k has Bartlett variance
  [(1 + a^2)(1 - a^(2k)) / (1 - a^2) - 2 k a^(2k)] / N,

and independent neurons divide these by their number. Every check allows 5 of these standard
errors (a two-sided 5-sigma band fails by chance with probability 6e-7), so it passes for
essentially any seed; the fixed seeds only make the runs reproducible.
"""

import numpy as np
import pytest
from brian2 import DimensionMismatchError, Mohm, mV, ms, nA, pA, pF, second

from sfa_helpers import simulate, stimuli, theory
from sfa_helpers.models import LIF, AdaptiveThreshold

QUIET = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=1000 * mV, V_reset=-75 * mV, R=10 * Mohm)
NEST_LIF = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
               C_m=250 * pF)

N_NEURONS, DURATION, DT = 100, 2 * second, 0.1 * ms
MU, SIGMA, TAU = 500 * pA, 200 * pA, 2 * ms
# Means differ per neuron (one neuron per value) to check that arrays reach the right neuron.
MUS = np.linspace(-200, 800, N_NEURONS) * pA


def ar1_standard_errors(a, n_samples, n_independent, sigma):
    """Standard errors (mean, variance, autocorrelation at lag k -> function) of an AR(1)."""
    n = n_samples * n_independent
    se_mean = sigma * np.sqrt((1 + a) / ((1 - a) * n))
    se_var = sigma ** 2 * np.sqrt(2 * (1 + a ** 2) / ((1 - a ** 2) * n))

    def se_rho(k):
        return np.sqrt(((1 + a ** 2) * (1 - a ** (2 * k)) / (1 - a ** 2) - 2 * k * a ** (2 * k)) / n)

    return se_mean, se_var, se_rho


def autocorrelation(x, lags):
    """Sample autocorrelation of each row of x (mean and variance of each row removed)."""
    x = x - x.mean(axis=1, keepdims=True)
    var = np.mean(x * x)
    return np.array([np.mean(x[:, :-k] * x[:, k:]) / var for k in lags])


@pytest.fixture(scope="module")
def exact_run():
    return simulate(QUIET, stimuli.ou(MUS, SIGMA, TAU), DURATION, dt=DT, record=("I_stim", "v"),
                    seed=2024)


def test_ou_stationary_mean_and_sd(exact_run):
    current = np.asarray(exact_run.I_stim)
    a = np.exp(-float(DT / TAU))
    se_mean, se_var, _ = ar1_standard_errors(a, current.shape[1], 1, float(SIGMA))
    # Per neuron: the mean follows that neuron's mu (5 standard errors of one neuron).
    np.testing.assert_allclose(current.mean(axis=1), np.asarray(MUS), atol=5 * se_mean)
    # Pooled over neurons: variance sigma^2.
    _, se_var_all, _ = ar1_standard_errors(a, current.shape[1], N_NEURONS, float(SIGMA))
    residual = current - np.asarray(MUS)[:, None]
    assert np.mean(residual ** 2) == pytest.approx(float(SIGMA) ** 2, abs=5 * se_var_all)
    assert np.all(np.abs(current.var(axis=1) - float(SIGMA) ** 2) < 5 * se_var)


def test_ou_autocorrelation_is_exponential(exact_run):
    current = np.asarray(exact_run.I_stim)
    lag_steps = np.array([5, 10, 20, 40, 60])  # 0.5 ms ... 6 ms = 3 tau
    measured = autocorrelation(current, lag_steps)
    lags = lag_steps * DT
    expected = np.asarray(theory.ou_autocovariance(SIGMA, TAU, lags) / SIGMA ** 2)
    a = np.exp(-float(DT / TAU))
    _, _, se_rho = ar1_standard_errors(a, current.shape[1], N_NEURONS, 1.0)
    assert np.all(np.abs(measured - expected) < 5 * se_rho(lag_steps) + 1e-3), (measured, expected)


def test_ou_starts_in_the_stationary_distribution(exact_run):
    """The first sample is a stationary draw: across 100 neurons its residuals are N(0, sigma^2)."""
    first = np.asarray(exact_run.I_stim)[:, 0] - np.asarray(MUS)
    n = first.size
    assert abs(first.mean()) < 5 * float(SIGMA) / np.sqrt(n)
    # Var of the sample variance of n Gaussian values: 2 sigma^4 / (n - 1).
    assert abs(first.var(ddof=1) - float(SIGMA) ** 2) < 5 * float(SIGMA) ** 2 * np.sqrt(2 / (n - 1))
    assert np.std(first) > 0.5 * float(SIGMA)  # not started at mu


def test_ou_neurons_are_independent(exact_run):
    """Correlation between different neurons' currents: 0 within 5 standard errors
    (SE of a cross-correlation of two AR(1) series: sqrt((1 + a^2)/((1 - a^2) N)))."""
    current = np.asarray(exact_run.I_stim)
    x = current - current.mean(axis=1, keepdims=True)
    x /= x.std(axis=1, keepdims=True)
    corr = (x @ x.T) / x.shape[1]
    off_diagonal = corr[~np.eye(N_NEURONS, dtype=bool)]
    a = np.exp(-float(DT / TAU))
    se = np.sqrt((1 + a ** 2) / ((1 - a ** 2) * x.shape[1]))
    # 4950 pairs: the maximum gets 6 standard errors (chance failure < 1e-5).
    assert np.max(np.abs(off_diagonal)) < 6 * se
    assert np.max(np.abs(off_diagonal)) > 0  # genuinely different realisations


def test_euler_maruyama_variance_and_correlation_match_the_discrete_theory():
    """Euler-Maruyama with h = tau/4 is an AR(1) with coefficient 1 - h/tau and stationary
    variance sigma^2/(1 - h/(2 tau)) = 1.143 sigma^2: measurably wrong, as theory predicts."""
    h = 0.5 * ms
    res = simulate(QUIET, stimuli.ou(np.zeros(N_NEURONS) * pA, SIGMA, TAU, method="euler"),
                   DURATION, dt=h, record=("I_stim",), seed=5)
    current = np.asarray(res.I_stim)[:, 1:]  # first sample: stationary draw of the true process
    a = 1 - float(h / TAU)
    var_theory = float(theory.ou_stationary_variance(SIGMA, TAU, dt=h, method="euler"))
    assert var_theory == pytest.approx(float(SIGMA) ** 2 / (1 - 0.125))
    sd_em = np.sqrt(var_theory)
    _, se_var, se_rho = ar1_standard_errors(a, current.shape[1], N_NEURONS, sd_em)
    assert np.mean(current ** 2) == pytest.approx(var_theory, abs=5 * se_var)
    assert abs(np.mean(current ** 2) - float(SIGMA) ** 2) > 10 * se_var  # exact value excluded
    lag_steps = np.array([1, 2, 4, 8])
    measured = autocorrelation(current, lag_steps)
    expected = np.asarray(theory.ou_autocovariance(SIGMA, TAU, lag_steps * h, dt=h, method="euler")
                          ) / var_theory
    np.testing.assert_allclose(expected, a ** lag_steps, rtol=1e-12)
    assert np.all(np.abs(measured - expected) < 5 * se_rho(lag_steps))


def test_zero_sigma_reproduces_constant_input_spike_times_exactly():
    model = NEST_LIF + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV)
    mus = np.array([400, 600, 900]) * pA
    plain = simulate(model, stimuli.constant(mus), 1 * second, record=())
    quiet_ou = simulate(model, stimuli.ou(mus, 0 * pA, TAU), 1 * second, record=(), seed=9)
    assert [len(s) for s in plain.spike_trains] == [len(s) for s in quiet_ou.spike_trains]
    assert min(len(s) for s in plain.spike_trains) >= 5
    for a, b in zip(plain.spike_trains, quiet_ou.spike_trains):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_seeded_runs_are_identical_and_seeds_matter():
    stim = stimuli.ou([400, 600] * pA, SIGMA, TAU)
    a = simulate(NEST_LIF, stim, 300 * ms, record=("v", "I_stim"), seed=1)
    b = simulate(NEST_LIF, stim, 300 * ms, record=("v", "I_stim"), seed=1)
    c = simulate(NEST_LIF, stim, 300 * ms, record=("v", "I_stim"), seed=2)
    np.testing.assert_array_equal(np.asarray(a.I_stim), np.asarray(b.I_stim))
    for x, y in zip(a.spike_trains, b.spike_trains):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    assert not np.array_equal(np.asarray(a.I_stim), np.asarray(c.I_stim))
    # The stimulus' own seed is used when simulate gets none, and conflicts are errors.
    own = simulate(NEST_LIF, stimuli.ou([400, 600] * pA, SIGMA, TAU, seed=1), 300 * ms,
                   record=("v", "I_stim"))
    assert own.seed == 1
    np.testing.assert_array_equal(np.asarray(own.I_stim), np.asarray(a.I_stim))
    with pytest.raises(ValueError, match="conflicts"):
        simulate(NEST_LIF, stimuli.ou(MU, SIGMA, TAU, seed=1), 10 * ms, seed=3)


def test_ou_sums_with_other_stimuli():
    """step + ou: the states of the OU part are renamed, the sum is recorded."""
    step = stimuli.step(300 * pA, 20 * ms)
    noise = stimuli.ou(0 * pA, SIGMA, TAU)
    both = simulate(QUIET, step + noise, 50 * ms, record=("I_stim",), seed=4)
    alone = simulate(QUIET, noise, 50 * ms, record=("I_stim",), seed=4)
    t = np.asarray(both.t)
    expected = np.asarray(alone.I_stim[0]) + np.where(t >= 0.02 - 1e-12, 300e-12, 0.0)
    np.testing.assert_allclose(np.asarray(both.I_stim[0]), expected, rtol=1e-12, atol=1e-21)


def test_ou_and_white_noise_validate_their_arguments():
    with pytest.raises(DimensionMismatchError, match="'sigma'"):
        stimuli.ou(MU, 200 * pA * ms ** 0.5, TAU)  # white-noise units are not an OU SD
    with pytest.raises(DimensionMismatchError, match="'tau'"):
        stimuli.ou(MU, SIGMA, 2 * mV)
    with pytest.raises(ValueError, match="'tau'"):
        stimuli.ou(MU, SIGMA, 0 * ms)
    with pytest.raises(ValueError, match="'sigma'"):
        stimuli.ou(MU, -SIGMA, TAU)
    with pytest.raises(ValueError, match="'method'"):
        stimuli.ou(MU, SIGMA, TAU, method="milstein")
    with pytest.raises(ValueError, match="same length"):
        stimuli.ou([1, 2] * nA, [1, 2, 3] * pA, TAU)
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ValueError, match="'seed'"):
            stimuli.ou(MU, SIGMA, TAU, seed=bad)
        with pytest.raises(ValueError, match="'seed'"):
            stimuli.white_noise(MU, 1 * pA * second ** 0.5, seed=bad)
    with pytest.raises(DimensionMismatchError, match="'sigma'"):
        stimuli.white_noise(MU, 1 * pA)


def test_replace_keeps_seed_and_method():
    stim = stimuli.ou(MU, SIGMA, TAU, seed=7, method="euler")
    changed = stim.replace(sigma=100 * pA)
    assert changed.seed == 7 and changed.method == "euler"
    assert changed.sigma == 100 * pA and changed.mu == MU
    assert changed != stim and stim.replace() == stim
    wn = stimuli.white_noise(MU, 1 * pA * second ** 0.5, seed=5).replace(mu=1 * nA)
    assert wn.seed == 5


def test_white_noise_seed_is_used_and_neurons_are_independent():
    sigma = 20 * pA * second ** 0.5
    a = simulate(QUIET, stimuli.white_noise(np.zeros(N_NEURONS) * pA, sigma, seed=3), 200 * ms,
                 record=("I_stim",))
    b = simulate(QUIET, stimuli.white_noise(np.zeros(N_NEURONS) * pA, sigma), 200 * ms,
                 record=("I_stim",), seed=3)
    assert a.seed == b.seed == 3
    np.testing.assert_array_equal(np.asarray(a.I_stim), np.asarray(b.I_stim))
    # Per step the current is mu + sigma n_k / sqrt(dt): SD sigma/sqrt(dt), white across neurons.
    current = np.asarray(a.I_stim)
    sd = float(sigma / np.sqrt(DT))
    n = current.size
    assert np.var(current) == pytest.approx(sd ** 2, abs=5 * sd ** 2 * np.sqrt(2 / n))
    corr = np.corrcoef(current)[~np.eye(N_NEURONS, dtype=bool)]
    assert np.max(np.abs(corr)) < 6 / np.sqrt(current.shape[1])  # max over 9900 pairs


def test_free_membrane_sd_under_ou_input_matches_theory(exact_run):
    """A LIF without threshold filters the OU current: sigma_V = R sigma sqrt(tau_s/(tau_s+tau_m))
    (theory.lif_ou_voltage_sd). The voltage decorrelates with tau_m = 10 ms, so 100 neurons x
    1.9 s (after 100 ms of settling from V = E_L) give about 100 * 1.9 s / (2 * 10 ms) = 9500
    independent samples: relative SE of the SD 1/sqrt(2 * 9500) = 0.7 %; 5 SE = 3.6 %."""
    v = np.asarray(exact_run.v)[:, np.asarray(exact_run.t) >= 0.1]
    mean_v = -70e-3 + 10e6 * np.asarray(MUS)[:, None]
    expected = float(theory.lif_ou_voltage_sd(QUIET, SIGMA, TAU))
    assert expected == pytest.approx(10e6 * 200e-12 * np.sqrt(2 / 12))
    assert np.sqrt(np.mean((v - mean_v) ** 2)) == pytest.approx(expected, rel=5 / np.sqrt(2 * 9500))


def test_every_ou_parameter_may_be_an_array():
    """Per-neuron sigma and tau (same compiled program as ``exact_run``): each neuron's variance
    is its own sigma^2 and its lag-1 correlation its own exp(-dt/tau) (5 SE per neuron)."""
    sigmas = np.linspace(50, 400, N_NEURONS) * pA
    taus = np.linspace(1, 10, N_NEURONS) * ms
    res = simulate(QUIET, stimuli.ou(np.zeros(N_NEURONS) * pA, sigmas, taus), DURATION, dt=DT,
                   record=("I_stim", "v"), seed=8)
    current = np.asarray(res.I_stim)
    a = np.exp(-float(DT) / np.asarray(taus))
    n = current.shape[1]
    s = np.asarray(sigmas)
    se_var = s ** 2 * np.sqrt(2 * (1 + a ** 2) / ((1 - a ** 2) * n))
    assert np.all(np.abs(np.mean(current ** 2, axis=1) - s ** 2) < 5 * se_var)
    x = current - current.mean(axis=1, keepdims=True)
    rho1 = np.mean(x[:, :-1] * x[:, 1:], axis=1) / np.mean(x * x, axis=1)
    assert np.all(np.abs(rho1 - a) < 5 * np.sqrt((1 - a ** 2) / n))
