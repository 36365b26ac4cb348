"""The GLM filter explorer of lesson 07 (sfa_helpers.widgets.FilterExplorer).

Truth: what it shows after a slider move must be what a direct design_matrix + fit_glm on the
first ``seconds`` of the data gives (its sliced whole-data columns, warm starts and cache are
only shortcuts)."""

import numpy as np
import pytest
from brian2 import ms, nA, second

from sfa_helpers import glm
from sfa_helpers.widgets import FilterExplorer

DT = 1 * ms
N = 40_000  # 40 s


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    stimulus = rng.normal(0.0, 0.5, N)
    drive = np.convolve(stimulus, np.exp(-np.arange(20) / 5.0) / 5.0)[:N]
    p = 1 - np.exp(-np.exp(np.log(20.0) + 1.5 * drive) * float(DT))
    spikes = (np.flatnonzero(rng.random(N) < p) * float(DT)) * second
    return stimulus * nA, spikes


def truth(dt, stim_lags, hist_lags):
    return {"stimulus": np.ones(len(stim_lags)) / (nA * ms), "history": -np.ones(len(hist_lags))}


def direct(stimulus, spikes, seconds, n_basis):
    n = int(round(seconds / float(DT)))
    sb = glm.RaisedCosineBasis(n_basis, 60 * ms, DT, stretch=5 * ms)
    hb = glm.RaisedCosineBasis(n_basis, 200 * ms, DT, first_lag=DT, stretch=5 * ms)
    # the explorer's unit of the stimulus: its standard deviation over the whole data set
    design = glm.design_matrix(stimulus[:n], spikes[np.asarray(spikes) < n * float(DT)], DT,
                               stimulus_basis=sb, history_basis=hb, stimulus_scale=np.std(stimulus))
    return design, glm.fit_glm(design, likelihood="bernoulli", l2=1.0)


@pytest.fixture(scope="module")
def explorer(data):
    return FilterExplorer(*data, DT, truth, seconds=10, n_basis=6, likelihood="bernoulli")


def test_sliced_design_equals_a_direct_design_matrix(explorer, data):
    for seconds, n_basis in ((10, 6), (25, 6), (15, 9)):
        mine = explorer.design(seconds, n_basis)
        ref, _ = direct(*data, seconds, n_basis)
        np.testing.assert_allclose(mine.X, ref.X, rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(mine.y, ref.y)
        assert float(mine.stimulus_scale) == pytest.approx(float(ref.stimulus_scale), rel=1e-12)
        assert mine.columns == ref.columns
        # a view of the whole-data columns, not a copy
        assert np.shares_memory(mine.X, explorer._whole_data_columns(n_basis)[2].X)


def test_moves_refit_like_a_direct_fit_and_moves_back_are_cached(explorer, data):
    explorer.update(seconds=10, n_basis=6)
    errors_10, png_10 = dict(explorer.errors), explorer.image.value
    assert png_10[:4] == b"\x89PNG"
    explorer.sliders["seconds"].value = 30  # warm-started from the 10 s fit
    _, ref = direct(*data, 30, 6)
    # the explorer stops at a decrement of 1e-2 nats (final_step_tol, chord steps): its weights
    # and filters agree with the exact optimum to a small fraction of a standard error
    se = np.sqrt(np.diag(ref.covariance))
    assert np.max(np.abs(explorer.fit.weights - ref.weights) / se) < 1e-2
    assert explorer.fit.converged
    assert explorer.errors != errors_10 and explorer.image.value != png_10
    lags, k = ref.stimulus_filter()
    k_se = np.asarray(ref.stimulus_filter_se() * nA * ms)
    assert np.max(np.abs(explorer._artists[0][1].get_ydata() - np.asarray(k * nA * ms)) / k_se) < 1e-2
    misses = explorer._results.misses
    explorer.sliders["seconds"].value = 10  # back: nothing refitted
    assert explorer._results.misses == misses
    assert explorer.errors == errors_10 and explorer.image.value == png_10
    # the fit shown is still available, its design rebuilt on demand
    _, ref10 = direct(*data, 10, 6)
    assert explorer.fit.design.n_bins == 10_000
    assert np.max(np.abs(explorer.fit.weights - ref10.weights) / np.sqrt(np.diag(ref10.covariance))) < 1e-2
    explorer.sliders["n_basis"].value = 9  # another basis: a new fit
    assert explorer.fit.weights.size == 1 + 2 * 9


def test_last_newton_step_without_a_hessian_stays_at_the_optimum(explorer, data):
    """The explorer stops after a Newton step taken at a decrement below final_step_tol: the
    weights must agree with a fully converged fit to a small fraction of a standard error."""
    explorer.update(seconds=20, n_basis=6)
    explorer.sliders["seconds"].value = 35
    _, ref = direct(*data, 35, 6)
    fit = explorer.fit
    assert fit.converged and "final_step_tol" in fit.message
    se = np.sqrt(np.diag(ref.covariance))
    assert np.max(np.abs(fit.weights - ref.weights) / se) < 1e-2
    np.testing.assert_allclose(np.sqrt(np.diag(fit.covariance)), se, rtol=1e-2)
