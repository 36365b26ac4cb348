"""GLM machinery against independent truth: finite differences, closed-form Poisson likelihoods,
scipy's Poisson pmf, ground-truth filters of simulated GLMs, hand-counted coincidences."""

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats
from brian2 import DimensionMismatchError, Hz, mV, ms, nA, pA, second

from sfa_helpers import glm
from sfa_helpers.spike_prediction import coincidence_factor, coincidences, mean_coincidence_factor

DT = 0.5 * ms


def _bases(n_stim=6, n_hist=6):
    sb = glm.RaisedCosineBasis(n_stim, 30 * ms, DT, stretch=4 * ms)
    hb = glm.RaisedCosineBasis(n_hist, 80 * ms, DT, first_lag=DT, stretch=4 * ms)
    return sb, hb


def _true_weights(sb, hb, log_rate=math.log(20)):
    k = 0.08 * np.exp(-np.asarray(sb.lags / ms) / 6)             # per stimulus SD, per bin
    h = -3 * np.exp(-np.asarray(hb.lags / ms) / 8) + 0.3 * np.exp(-np.asarray(hb.lags / ms) / 30)
    return np.concatenate([[log_rate], sb.project(k), hb.project(h)])


def _glm_data(n_bins, seed, sb, hb, weights):
    rng = np.random.default_rng(seed)
    stim = rng.standard_normal(n_bins) * 50 * pA
    template = glm.design_matrix(stim, [] * second, DT, stimulus_basis=sb, history_basis=hb)
    truth = glm.GLMFit(weights=weights, covariance=np.eye(weights.size), log_likelihood=np.nan,
                       converged=True, n_iter=0, newton_decrement=0.0, message="ground truth",
                       seconds=0.0, design=template)
    spikes = glm.simulate_glm(truth, stim, seed=seed + 1)[0]
    return stim, spikes


@pytest.fixture(scope="module")
def small_design():
    sb, hb = _bases(4, 4)
    w = _true_weights(sb, hb)
    stim, spikes = _glm_data(20000, 3, sb, hb, w)
    return glm.design_matrix(stim, spikes, DT, stimulus_basis=sb, history_basis=hb), w


# ---------------------------------------------------------------- basis
def test_raised_cosines_sum_to_two_between_inner_peaks():
    # Closed-form property of the construction: cos(a) + cos(a - pi/2) + cos(a + pi/2) + cos(a - pi) = 0.
    b = glm.RaisedCosineBasis(8, 100 * ms, 0.1 * ms, stretch=5 * ms)
    peaks = np.argmax(b.matrix, axis=0)
    inner = slice(peaks[1] + 1, peaks[-2])  # grid points strictly between the 2nd and 2nd-to-last peak
    np.testing.assert_allclose(b.matrix[inner].sum(axis=1), 2.0, atol=1e-12)
    assert b.uncovered().size == 0
    assert float(b.lags[0]) == 0 and abs(float(b.lags[-1] - 100 * ms)) < 1e-12


def test_projection_reproduces_a_filter_in_the_span():
    b = glm.RaisedCosineBasis(5, 50 * ms, DT)
    w = np.array([0.3, -1.0, 2.0, 0.5, -0.2])
    np.testing.assert_allclose(b.project(b.filter(w)), w, atol=1e-10)


# ---------------------------------------------------------------- likelihood, gradient, Hessian
@pytest.mark.parametrize("likelihood", ["poisson", "bernoulli"])
def test_gradient_matches_central_finite_differences(small_design, likelihood):
    design, w = small_design
    w = w + 0.05 * np.random.default_rng(0).standard_normal(w.size)
    g = design.gradient(w, likelihood)
    eps = 1e-5
    fd = np.array([(design.log_likelihood(w + eps * e, likelihood)
                    - design.log_likelihood(w - eps * e, likelihood)) / (2 * eps)
                   for e in np.eye(w.size)])
    # central differences are accurate to O(eps^2 f''') ~ 1e-7 relative here
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("likelihood", ["poisson", "bernoulli"])
def test_hessian_matches_finite_differences_of_gradient(small_design, likelihood):
    design, w = small_design
    H = design.hessian(w, likelihood)
    eps = 1e-5
    fd = np.array([(design.gradient(w + eps * e, likelihood) - design.gradient(w - eps * e, likelihood))
                   / (2 * eps) for e in np.eye(w.size)])
    np.testing.assert_allclose(H, fd.T, rtol=1e-5, atol=1e-3)
    assert np.all(np.linalg.eigvalsh(H) < 0)  # concave


def test_homogeneous_poisson_likelihood_closed_form():
    rng = np.random.default_rng(5)
    T, nu = 20.0, 13.0
    n = rng.poisson(nu * T)
    times = np.sort(rng.uniform(0, T, n)) * second
    closed = n * math.log(nu) - nu * T            # log of nu^n e^{-nu T}
    assert glm.point_process_log_likelihood(times, nu * Hz, T * second) == pytest.approx(closed, rel=1e-12)
    rate = np.full(int(T / float(DT)), nu) * Hz   # the same rate as samples
    assert glm.point_process_log_likelihood(times, rate, T * second, DT) == pytest.approx(closed, rel=1e-9)
    counts = glm.bin_spikes(times, rate.size, DT)
    assert glm.binned_log_likelihood(counts, rate, DT) == pytest.approx(closed, rel=1e-9)
    # the maximum-likelihood rate of a homogeneous process is n/T, with ln L = n ln(n/T) - n
    sb = glm.RaisedCosineBasis(2, 5 * ms, DT)
    design = glm.design_matrix(np.zeros(rate.size) * nA, times, DT, stimulus_basis=sb)
    assert design.log_likelihood(np.array([math.log(nu), 0, 0])) == pytest.approx(closed, rel=1e-9)


def test_binned_likelihood_against_scipy_poisson_pmf():
    rng = np.random.default_rng(8)
    rate = rng.uniform(1, 200, 5000) * Hz
    counts = rng.poisson(np.asarray(rate) * float(DT))
    logpmf = scipy.stats.poisson.logpmf(counts, np.asarray(rate) * float(DT)).sum()
    # ln L = sum log pmf + sum log y! - sum y log(dt / s)
    expected = logpmf + scipy.special.gammaln(counts + 1).sum() - counts.sum() * math.log(float(DT))
    assert glm.binned_log_likelihood(counts, rate, DT) == pytest.approx(expected, rel=1e-10)


# ---------------------------------------------------------------- fitting
def test_bernoulli_likelihood_closed_form():
    # one bin with a spike and one without, rates 100 Hz and 40 Hz, dt 0.5 ms
    d = glm.design_matrix(np.array([1.0, -1.0]) * nA, [0.1] * ms, DT,
                          stimulus_basis=glm.RaisedCosineBasis(1, DT, DT))
    w = np.array([math.log(100), 0.0])
    expected = math.log(1 - math.exp(-100 * 5e-4)) - 100 * 5e-4
    assert d.log_likelihood(w, "bernoulli") == pytest.approx(expected, rel=1e-12)
    assert d.log_likelihood(w, "poisson") == pytest.approx(math.log(100) - 2 * 100 * 5e-4, rel=1e-12)


def _bernoulli_terms_reference(eta, y, dt):
    """The Bernoulli terms written out on every bin (the textbook form)."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        lam = dt * np.exp(eta)
        spike = y > 0
        q = -np.expm1(-lam)
        value = np.log(q[spike]).sum() - lam[~spike].sum()
        e = np.exp(-lam)
        d1 = np.where(spike, lam * e / q, -lam)
        d1[spike & (lam == 0)] = 1.0
        d1[spike & ~np.isfinite(d1)] = 0.0
        w = np.where(spike, lam * e * (lam - q) / q ** 2, lam)
        w[spike & ~np.isfinite(w)] = 0.0
    return value, d1, np.clip(w, 0.0, None)


def test_bernoulli_terms_on_spike_bins_only_equal_the_full_expressions():
    rng = np.random.default_rng(5)
    eta = rng.normal(3.0, 2.0, 50_000)
    y = (rng.random(eta.size) < 0.02).astype(float)
    eta[:4], y[:4] = [800.0, -60.0, 0.0, 9.0], [1, 1, 0, 1]  # a certain spike, lam ~ 0, ...
    ref = _bernoulli_terms_reference(eta, y, 5e-4)
    value, d1, w = glm._terms(eta, y, 5e-4, "bernoulli")
    assert value == pytest.approx(ref[0], rel=1e-12)
    np.testing.assert_allclose(d1, ref[1], rtol=1e-13, atol=0)
    np.testing.assert_allclose(w, ref[2], rtol=1e-13, atol=0)
    assert glm._terms(eta, y, 5e-4, "bernoulli", order=0)[0] == value
    # a spike bin with lam = 0 makes the log-likelihood -inf, as in the full expressions
    eta[1] = -1e4
    assert glm._terms(eta, y, 5e-4, "bernoulli")[0] == -np.inf == _bernoulli_terms_reference(eta, y, 5e-4)[0]


@pytest.mark.parametrize("likelihood", ["poisson", "bernoulli"])
def test_a_last_newton_step_without_hessian_lands_on_the_optimum(small_design, likelihood):
    design, w_true = small_design
    ref = glm.fit_glm(design, likelihood=likelihood)
    start = ref.weights + 0.05 * np.sqrt(np.diag(ref.covariance))  # a warm start nearby
    exact = glm.fit_glm(design, likelihood=likelihood, weights=start)
    quick = glm.fit_glm(design, likelihood=likelihood, weights=start, final_step_tol=1e-2)
    assert quick.converged and "final_step_tol" in quick.message, quick.message
    assert quick.n_iter == exact.n_iter - 1  # one Hessian less
    se = np.sqrt(np.diag(ref.covariance))
    assert np.max(np.abs(quick.weights - ref.weights) / se) < 1e-3
    np.testing.assert_allclose(quick.covariance, ref.covariance, rtol=1e-2, atol=1e-3 * se.max() ** 2)
    assert quick.log_likelihood == pytest.approx(ref.log_likelihood, abs=1e-4)
    with pytest.raises(ValueError, match="final_step_tol"):
        glm.fit_glm(design, final_step_tol=-1)


@pytest.mark.parametrize("likelihood", ["poisson", "bernoulli"])
def test_chord_steps_reach_the_same_optimum_with_fewer_hessian_passes(small_design, likelihood,
                                                                      monkeypatch):
    """reuse_hessian keeps the Hessian of a full Newton step for the following steps: the
    gradient is exact, so the optimum is the same as plain Newton's (from a cold and a warm
    start), with fewer passes that evaluate a Hessian."""
    design, _ = small_design
    passes = []
    real = glm._weighted_gram
    monkeypatch.setattr(glm, "_weighted_gram", lambda *a, **k: passes.append(1) or real(*a, **k))
    ref = glm.fit_glm(design, likelihood=likelihood)
    se = np.sqrt(np.diag(ref.covariance))
    for start in (None, ref.weights + 0.5 * se):
        passes.clear()
        exact = glm.fit_glm(design, likelihood=likelihood, weights=start)
        n_exact = len(passes)
        passes.clear()
        chord = glm.fit_glm(design, likelihood=likelihood, weights=start, reuse_hessian=True)
        assert chord.converged, chord.message
        assert len(passes) < n_exact
        assert np.max(np.abs(chord.weights - exact.weights) / se) < 1e-3
        assert chord.log_likelihood == pytest.approx(exact.log_likelihood, abs=1e-6)
        # the kept Hessian was evaluated within ~2 SE of the optimum: standard errors within a
        # few percent (this design has few spikes; see the explorer's test for thousands)
        np.testing.assert_allclose(np.sqrt(np.diag(chord.covariance)), se, rtol=5e-2)
    with pytest.raises(ValueError, match="reuse_hessian"):
        glm.fit_glm(design, reuse_hessian="yes")


@pytest.mark.parametrize("likelihood", ["poisson", "bernoulli"])
def test_fit_recovers_ground_truth_weights_within_five_standard_errors(likelihood):
    sb, hb = _bases()
    w_true = _true_weights(sb, hb)
    stim, spikes = _glm_data(400_000, 11, sb, hb, w_true)
    design = glm.design_matrix(stim, spikes, DT, stimulus_basis=sb, history_basis=hb)
    fit = glm.fit_glm(design, likelihood=likelihood)
    assert fit.converged and fit.newton_decrement < 1e-8, fit.message
    se = np.sqrt(np.diag(fit.covariance))
    # Each weight is asymptotically normal around the truth; |z| < 5 for all 13 weights fails
    # with probability ~1e-5. The data are Bernoulli (1 - exp(-rho dt)), the exact model for
    # 'bernoulli'; the Poisson fit is biased by about rho*dt/2 ~ 0.01 in log-rate, well below one
    # standard error here.
    z = (fit.weights - w_true) / se
    assert np.max(np.abs(z)) < 5, np.round(z, 2)
    # and the statistical error is small enough for this to be a meaningful check
    assert np.max(se[1:7]) < 0.05 and np.max(se[7:]) < 0.5
    lags, k = fit.stimulus_filter()
    assert k.dim == (1 / (nA * second)).dim and lags.dim == second.dim


def test_fit_reports_non_convergence_and_bad_arguments(small_design):
    design, _ = small_design
    fit = glm.fit_glm(design, max_iter=1)
    assert not fit.converged and "not converged" in fit.message
    with pytest.raises(ValueError, match="l2"):
        glm.fit_glm(design, l2=-1)
    with pytest.raises(TypeError, match="design"):
        glm.fit_glm(design.X)


def test_held_out_bits_per_spike_prefers_the_true_model():
    sb, hb = _bases()
    w_true = _true_weights(sb, hb)
    stim, spikes = _glm_data(300_000, 21, sb, hb, w_true)
    half = 150_000
    train_spikes = spikes[spikes < half * DT]
    test_spikes = spikes[spikes >= half * DT] - half * DT
    with_h = glm.fit_glm(glm.design_matrix(stim[:half], train_spikes, DT, stimulus_basis=sb,
                                           history_basis=hb))
    without = glm.fit_glm(glm.design_matrix(stim[:half], train_spikes, DT, stimulus_basis=sb))
    b_with = with_h.bits_per_spike(with_h.design_for(stim[half:], test_spikes))
    b_without = without.bits_per_spike(without.design_for(stim[half:], test_spikes))
    assert b_with > b_without > 0


def test_simulated_glm_without_history_has_expected_count():
    sb, _ = _bases()
    rng = np.random.default_rng(2)
    stim = rng.standard_normal(100_000) * nA
    design = glm.design_matrix(stim, [] * second, DT, stimulus_basis=sb)
    w = np.concatenate([[math.log(30)], sb.project(0.05 * np.exp(-np.asarray(sb.lags / ms) / 5))])
    fit = glm.GLMFit(weights=w, covariance=np.eye(w.size), log_likelihood=np.nan, converged=True,
                     n_iter=0, newton_decrement=0, message="", seconds=0, design=design)
    p = -np.expm1(-float(DT) * np.asarray(fit.rate(design)))
    trains = glm.simulate_glm(fit, stim, n_trials=4, seed=9)
    total = sum(len(t) for t in trains)
    mean, sd = 4 * p.sum(), math.sqrt(4 * (p * (1 - p)).sum())
    assert abs(total - mean) < 5 * sd
    again = glm.simulate_glm(fit, stim, n_trials=4, seed=9)
    assert all(np.array_equal(a, b) for a, b in zip(trains, again))


# ---------------------------------------------------------------- bad input
def test_bad_inputs_give_clear_errors():
    sb, hb = _bases()
    stim = np.random.default_rng(0).standard_normal(1000) * nA
    with pytest.raises(ValueError, match="outside the stimulus window"):
        glm.design_matrix(stim, [10, 600] * ms, DT, stimulus_basis=sb)
    with pytest.raises(ValueError, match="outside the stimulus window"):
        glm.design_matrix(stim, [-1, 10] * ms, DT, stimulus_basis=sb)
    with pytest.raises(ValueError, match="sorted"):
        glm.design_matrix(stim, [30, 10] * ms, DT, stimulus_basis=sb)
    bad = np.asarray(stim).copy()
    bad[17] = np.nan
    with pytest.raises(ValueError, match="'stimulus' contains NaN"):
        glm.design_matrix(bad * nA, [10] * ms, DT, stimulus_basis=sb)
    with pytest.raises(ValueError, match="covers lags up to 80 ms only"):
        glm.design_matrix(stim, [10] * ms, DT, stimulus_basis=sb, history_basis=hb,
                          history_window=200 * ms)
    with pytest.raises(DimensionMismatchError, match="'spikes'"):
        glm.design_matrix(stim, [10] * mV, DT, stimulus_basis=sb)
    with pytest.raises(ValueError, match="dt"):
        glm.design_matrix(stim, [10] * ms, 0.1 * ms, stimulus_basis=sb)
    with pytest.raises(ValueError, match="at least one bin"):
        glm.design_matrix(stim, [10] * ms, DT, stimulus_basis=sb, history_basis=sb)
    with pytest.raises(ValueError, match="n_basis"):
        glm.RaisedCosineBasis(0, 10 * ms, DT)
    two_in_a_bin = glm.design_matrix(stim, [10, 10.1, 50] * ms, DT, stimulus_basis=sb)
    assert two_in_a_bin.y.max() == 2
    with pytest.raises(ValueError, match="at most one spike per bin"):
        glm.fit_glm(two_in_a_bin, likelihood="bernoulli")
    with pytest.raises(ValueError, match="likelihood"):
        glm.fit_glm(two_in_a_bin, likelihood="gaussian")


def test_basis_with_a_gap_is_rejected():
    # Narrow bumps (tiny stretch) leave no gap, but a hand-made basis with an empty row must fail.
    sb, hb = _bases()
    gap = glm.RaisedCosineBasis(6, 80 * ms, DT, first_lag=DT, stretch=4 * ms)
    m = gap.matrix.copy()
    m[40:60] = 0
    object.__setattr__(gap, "matrix", m)
    with pytest.raises(ValueError, match="does not cover its window"):
        glm.design_matrix(np.ones(500) * nA, [] * second, DT, stimulus_basis=sb, history_basis=gap)


# ---------------------------------------------------------------- subthreshold regression
def test_subthreshold_regression_recovers_kappa_and_rest():
    # Independent truth: the exact one-step update of tau dV/dt = E - V + R I for a current held
    # over each step, V_{n+1} = a V_n + (1 - a)(E + R I_n), written out here in numpy.
    rng = np.random.default_rng(4)
    n, tau, R, E = 40_000, 8e-3, 1e8, -0.065
    a = math.exp(-float(DT) / tau)
    current = rng.standard_normal(n) * 1e-10
    v = np.empty(n)
    v[0] = E
    for k in range(n - 1):
        v[k + 1] = a * v[k] + (1 - a) * (E + R * current[k])
    v_noisy = v + rng.standard_normal(n) * 0.2e-3
    # the recorded V_n depends on I up to step n-1: the kernel starts one step after the input
    basis = glm.RaisedCosineBasis(10, 60 * ms, DT, first_lag=DT, stretch=2 * ms)
    fit = glm.fit_subthreshold(current * 1e9 * nA, v_noisy * 1e3 * mV, DT, kernel_basis=basis)
    lags = np.asarray(fit.kappa_lags)
    truth = np.where(lags > 0, R * (1 - a) * a ** (np.round(lags / float(DT)) - 1), 0) / float(DT)
    err = np.linalg.norm(np.asarray(fit.kappa) - truth) / np.linalg.norm(truth)
    best = np.linalg.norm(basis.filter(basis.project(truth)) - truth) / np.linalg.norm(truth)
    assert best < 0.05             # what the basis can represent at best
    assert err < best + 0.05, (err, best)
    assert abs(float(fit.u_rest) - E) < 0.2e-3
    assert float(fit.rms_error) < 0.3e-3   # close to the 0.2 mV measurement noise


# ---------------------------------------------------------------- coincidence factor
def test_coincidence_factor_identical_trains_is_one():
    t = np.sort(np.random.default_rng(1).uniform(0, 10, 100)) * second
    assert coincidence_factor(t, t, 10 * second) == pytest.approx(1.0, abs=1e-12)


def test_coincidence_factor_hand_counted_example():
    data = [10, 20, 30, 40] * ms
    model = [11, 25, 30.5] * ms
    # pairs within 2 ms: 10-11 and 30-30.5 -> 2 coincidences; nu = 3/0.1 s = 30 Hz
    assert coincidences(data, model, 2 * ms) == 2
    nu, delta = 30.0, 0.002
    expected = (2 - 2 * nu * delta * 4) / (0.5 * (4 + 3)) / (1 - 2 * nu * delta)
    assert coincidence_factor(data, model, 100 * ms) == pytest.approx(expected, rel=1e-12)
    # one-to-one: two data spikes near one model spike count once
    assert coincidences([10, 12] * ms, [11] * ms, 2 * ms) == 1


def test_coincidence_factor_of_independent_poisson_trains_is_near_zero():
    rng = np.random.default_rng(12)
    T, nu = 20.0, 20.0
    trains = [np.sort(rng.uniform(0, T, rng.poisson(nu * T))) * second for _ in range(20)]
    g = mean_coincidence_factor(trains[:10], trains[10:], T * second)
    # Per pair: N_coinc ~ Binomial(400, 2 nu delta = 0.08): SD of Gamma ~ sqrt(400*0.08)/400/0.92
    # ~ 0.015; the mean of 100 (correlated) pairs is within 0.05 of 0 essentially always.
    assert abs(g) < 0.05


def test_coincidence_factor_errors():
    with pytest.raises(ValueError, match="empty"):
        coincidence_factor([] * second, [] * second, 1 * second)
    with pytest.raises(ValueError, match="outside"):
        coincidence_factor([2] * second, [0.5] * second, 1 * second)
    with pytest.raises(ValueError, match="too wide"):
        coincidence_factor([0.1] * second, np.arange(0, 1, 0.003) * second, 1 * second)
