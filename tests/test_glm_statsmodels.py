"""fit_glm against statsmodels' Poisson GLM (IRLS) on the same design matrix."""

import math

import numpy as np
import pytest
import statsmodels.api as sm
from brian2 import ms, pA, second

from sfa_helpers import glm

DT = 0.5 * ms


def test_fit_agrees_with_statsmodels_poisson_glm():
    rng = np.random.default_rng(31)
    sb = glm.RaisedCosineBasis(6, 30 * ms, DT, stretch=4 * ms)
    hb = glm.RaisedCosineBasis(6, 80 * ms, DT, first_lag=DT, stretch=4 * ms)
    stim = rng.standard_normal(100_000) * 40 * pA
    template = glm.design_matrix(stim, [] * second, DT, stimulus_basis=sb, history_basis=hb)
    w = np.concatenate([[math.log(25)], sb.project(0.06 * np.exp(-np.asarray(sb.lags / ms) / 5)),
                        hb.project(-2 * np.exp(-np.asarray(hb.lags / ms) / 10))])
    truth = glm.GLMFit(weights=w, covariance=np.eye(w.size), log_likelihood=np.nan, converged=True,
                       n_iter=0, newton_decrement=0, message="", seconds=0, design=template)
    spikes = glm.simulate_glm(truth, stim, seed=4)[0]
    design = glm.design_matrix(stim, spikes, DT, stimulus_basis=sb, history_basis=hb)
    ours = glm.fit_glm(design)
    assert ours.converged, ours.message
    # rate per bin = exp(X w) * dt: the same model with offset log(dt/s)
    ref = sm.GLM(design.y, design.X, family=sm.families.Poisson(),
                 offset=np.full(design.n_bins, math.log(float(DT)))).fit(tol=1e-12, maxiter=100)
    # Both find the unique maximum of a strictly concave function; what remains is the optimisers'
    # stopping error, which must be negligible against the statistical error: < 1e-3 standard errors.
    np.testing.assert_array_less(np.abs(ours.weights - ref.params), 1e-3 * ref.bse)
    np.testing.assert_allclose(np.sqrt(np.diag(ours.covariance)), ref.bse, rtol=1e-4)
    # statsmodels' llf is the log pmf of the counts: ours + sum(y log dt) - sum(log y!)
    from scipy.special import gammaln

    ll_counts = ours.log_likelihood + design.y.sum() * math.log(float(DT)) - gammaln(design.y + 1).sum()
    assert ll_counts == pytest.approx(ref.llf, rel=1e-10)
    assert abs(ll_counts - ref.llf) < 1e-7   # both within the stopping tolerance (1e-8 nats) of the maximum


def test_bernoulli_fit_agrees_with_statsmodels_cloglog_binomial_glm():
    # p = 1 - exp(-rho dt) = 1 - exp(-exp(X w + log dt)): a binomial GLM with cloglog link
    rng = np.random.default_rng(32)
    sb = glm.RaisedCosineBasis(5, 20 * ms, DT, stretch=4 * ms)
    stim = rng.standard_normal(60_000) * 40 * pA
    template = glm.design_matrix(stim, [] * second, DT, stimulus_basis=sb)
    w = np.concatenate([[math.log(60)], sb.project(0.3 * np.exp(-np.asarray(sb.lags / ms) / 4))])
    truth = glm.GLMFit(weights=w, covariance=np.eye(w.size), log_likelihood=np.nan, converged=True,
                       n_iter=0, newton_decrement=0, message="", seconds=0, design=template)
    design = glm.design_matrix(stim, glm.simulate_glm(truth, stim, seed=5)[0], DT, stimulus_basis=sb)
    ours = glm.fit_glm(design, likelihood="bernoulli")
    assert ours.converged, ours.message
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    ref = sm.GLM(design.y, design.X, family=family,
                 offset=np.full(design.n_bins, math.log(float(DT)))).fit(tol=1e-12, maxiter=100)
    np.testing.assert_array_less(np.abs(ours.weights - ref.params), 1e-3 * ref.bse)
    np.testing.assert_allclose(np.sqrt(np.diag(ours.covariance)), ref.bse, rtol=1e-3)
    assert abs(ours.log_likelihood - ref.llf) < 1e-6   # Bernoulli log pmf = our log-likelihood
