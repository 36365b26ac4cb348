"""Spike-train statistics against processes whose statistics are known exactly.

Truths used (n = number of intervals, m = number of counting windows):

* Poisson process: CV = CV2 = LV = 1, Fano factor 1 for every window, rho_k = 0, flat
  autocorrelogram r (1 - |s|/T), intervals exponential.
  Standard errors: CV ~ 1/sqrt(n) (delta method for exponential intervals); CV2: the terms
  2|I1 - I2|/(I1 + I2) are uniform on [0, 2] (variance 1/3) and overlap pairwise, so
  SE <= sqrt(3 * (1/3) / n); LV: 3 u^2 with u uniform on [-1, 1] (variance 0.8), SE <=
  sqrt(3 * 0.8 / n); Fano: SE = sqrt((2 + 1/mean) / m); rho_k: 1/sqrt(n).
* Poisson with dead time d: CV = 1 - r d, and for long windows F -> CV^2 (renewal theory).
* AR(1) intervals I_i = m + x_i, x_i = a x_{i-1} + noise: rho_k = a^k, Bartlett SE.
* Regular train of period P: CV = CV2 = LV = 0, autocorrelogram peaks at multiples of P.

Every comparison allows 5 standard errors, so the tests pass for essentially any seed.
"""

import time

import numpy as np
import pytest
from brian2 import DimensionMismatchError, Hz, ms, second

from sfa_helpers import analysis as A

RATES = np.array([2.0, 10.0, 40.0, 150.0]) * Hz
DURATION = 200 * second


@pytest.fixture(scope="module")
def poisson():
    return A.poisson_spike_trains(RATES, DURATION, seed=11)


def test_poisson_generator_rates_and_reproducibility(poisson):
    counts = np.array([len(s) for s in poisson])
    expected = np.asarray(RATES * DURATION)
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))
    again = A.poisson_spike_trains(RATES, DURATION, seed=11)
    for a, b in zip(poisson, again):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    other = A.poisson_spike_trains(RATES, DURATION, seed=12)
    assert not np.array_equal(np.asarray(poisson[0]), np.asarray(other[0]))
    for s in poisson:
        arr = np.asarray(s)
        assert np.all(np.diff(arr) > 0) and arr.min() >= 0 and arr.max() < float(DURATION)
    assert len(A.poisson_spike_trains(5 * Hz, 1 * second, n=3, seed=0)) == 3
    assert len(A.poisson_spike_trains(0 * Hz, 1 * second)[0]) == 0


def test_poisson_cv_cv2_lv_are_one_at_every_rate(poisson):
    n = np.array([len(s) - 1 for s in poisson])
    np.testing.assert_array_less(np.abs(A.cv(poisson) - 1), 5 / np.sqrt(n))
    np.testing.assert_array_less(np.abs(A.cv2(poisson) - 1), 5 * np.sqrt(1 / n))
    np.testing.assert_array_less(np.abs(A.lv(poisson) - 1), 5 * np.sqrt(2.4 / n))


def test_dead_time_poisson_cv_and_long_window_fano():
    rate, d = 50 * Hz, 10 * ms
    trains = A.poisson_spike_trains(rate, 400 * second, n=2, dead_time=d, seed=3)
    expected_cv = 1 - float(rate * d)  # 0.5
    n = len(trains[0]) - 1
    np.testing.assert_array_less(np.abs(A.cv(trains) - expected_cv), 5 / np.sqrt(n))
    assert np.min(np.diff(np.asarray(trains[0]))) >= float(d) - 1e-12
    # Windows of 2 s hold ~100 intervals: the Fano factor approaches CV^2 = 0.25
    # (finite-window correction O(CV^2/(r w)) ~ 1 %, far below the 5-SE band of ~ 25 %).
    windows = 200
    fano = A.fano_factor(trains, 2 * second, stop=400 * second)
    np.testing.assert_array_less(np.abs(fano - expected_cv ** 2),
                                 5 * expected_cv ** 2 * np.sqrt(2 / (windows - 1)))


def test_poisson_fano_factor_is_one_for_any_window(poisson):
    for window in (10 * ms, 100 * ms, 1 * second):
        m = int(DURATION / window)
        mean = np.asarray(RATES * window)
        fano = A.fano_factor(poisson, window, stop=DURATION)
        np.testing.assert_array_less(np.abs(fano - 1), 5 * np.sqrt((2 + 1 / mean) / m))


def test_regular_train_statistics():
    period = 25 * ms
    train = np.arange(1, 400) * period
    assert A.cv(train) == pytest.approx(0, abs=1e-9)
    assert A.cv2(train) == pytest.approx(0, abs=1e-9)
    assert A.lv(train) == pytest.approx(0, abs=1e-9)
    lags, acg = A.autocorrelogram(train, window=100 * ms, bins=41, normalize="count")
    peaks = np.sort(np.asarray(lags[np.argsort(acg)[-6:]] / ms))
    # Peaks at +-25, +-50, +-75 ms (bin centres within half a bin width, 200/41/2 ms).
    np.testing.assert_allclose(peaks, [-75, -50, -25, 25, 50, 75], atol=200 / 41 / 2 + 1e-9)
    assert acg[20] == 0  # no spike at lag 0 apart from the spike itself
    with pytest.warns(A.UndefinedStatisticWarning, match="zero variance"):
        rho = A.serial_correlation(train, 2)
    assert np.all(np.isnan(rho))


def test_serial_correlation_of_ar1_intervals():
    """Intervals I_i = 20 ms + x_i with x_i = a x_{i-1} + e_i: rho_k = a^k."""
    rng = np.random.default_rng(5)
    n, a = 20000, -0.4
    trains = []
    for _ in range(4):
        e = rng.normal(0, 1.0, n)
        x = np.empty(n)
        x[0] = e[0] / np.sqrt(1 - a * a)
        for i in range(1, n):
            x[i] = a * x[i - 1] + e[i]
        trains.append(np.cumsum(20 + x) * ms)  # SD of x ~ 1.1 ms: intervals stay positive
    lags = np.arange(1, 5)
    rho = A.serial_correlation(trains, 4)
    se = np.sqrt(((1 + a ** 2) * (1 - a ** (2 * lags)) / (1 - a ** 2) - 2 * lags * a ** (2 * lags)) / n)
    assert rho.shape == (4, 4)
    assert np.all(np.abs(rho - a ** lags) < 5 * se)


def test_poisson_serial_correlation_is_zero(poisson):
    rho = A.serial_correlation(poisson, 3)
    n = np.array([len(s) - 1 for s in poisson])[:, None]
    assert np.all(np.abs(rho) < 5 / np.sqrt(n))


def test_poisson_autocorrelogram_is_flat_at_the_rate(poisson):
    window, bins = 50 * ms, 41
    lags, counts = A.autocorrelogram(poisson, window, bins, normalize="count")
    _, rate = A.autocorrelogram(poisson, window, bins)
    b = float(2 * window / bins)
    for k, r in enumerate(np.asarray(RATES)):
        n_spikes = len(poisson[k])
        expected = n_spikes * r * b * (1 - np.abs(np.asarray(lags)) / float(DURATION))
        assert np.all(np.abs(counts[k] - expected) < 5 * np.sqrt(expected))
        np.testing.assert_allclose(np.asarray(rate[k]), counts[k] / (n_spikes * b))
    np.testing.assert_array_equal(counts, counts[:, ::-1])  # symmetric
    np.testing.assert_allclose(np.asarray(lags / ms), np.linspace(-50, 50, 42)[:-1] + 50 / 41,
                               atol=1e-12)


def test_autocorrelogram_bin_convention_on_a_tiny_example():
    train = [0, 1, 3] * ms  # differences +-1, +-2, +-3 ms
    lags, counts = A.autocorrelogram(train, window=3.5 * ms, bins=7, normalize="count")
    np.testing.assert_allclose(np.asarray(lags / ms), [-3, -2, -1, 0, 1, 2, 3])
    np.testing.assert_array_equal(counts, [1, 1, 1, 0, 1, 1, 1])
    # |d| = window is excluded; half-open bins [e_k, e_k+1).
    _, counts = A.autocorrelogram(train, window=3 * ms, bins=2, normalize="count")
    np.testing.assert_array_equal(counts, [2, 2])


def test_isi_histogram_of_poisson_is_exponential(poisson):
    r = float(RATES[2])
    edges, density = A.isi_histogram(poisson[2], bins=20, range=(0 * ms, 100 * ms))
    e = np.asarray(edges)
    n = len(poisson[2]) - 1
    inside = n * (1 - np.exp(-r * e[-1]))
    expected_counts = n * (np.exp(-r * e[:-1]) - np.exp(-r * e[1:]))
    counts = np.asarray(density) * inside * np.diff(e)
    assert np.all(np.abs(counts - expected_counts) < 5 * np.sqrt(expected_counts))
    assert np.sum(np.asarray(density) * np.diff(e)) == pytest.approx(1.0)
    _, raw = A.isi_histogram(poisson, bins=10, density=False)
    assert raw.sum() == sum(len(s) - 1 for s in poisson)


def test_empty_and_one_spike_trains_give_nan_with_a_reason():
    trains = [[] * second, [1.0] * second, [1.0, 2.0] * second, [1.0, 2.0, 3.5] * second]
    with pytest.warns(A.UndefinedStatisticWarning, match="fewer than 3 spikes"):
        values = A.cv(trains)
    assert np.isnan(values[:3]).all() and values[3] == pytest.approx(0.25 / 1.25)
    for f in (A.cv2, A.lv):
        with pytest.warns(A.UndefinedStatisticWarning, match="index 0, 1, 2"):
            assert np.isnan(f(trains)[:3]).all()
    with pytest.warns(A.UndefinedStatisticWarning, match="no spikes"):
        fano = A.fano_factor(trains, 1 * second, stop=4 * second)
    assert np.isnan(fano[0]) and fano[1] == pytest.approx(0.1875 / 0.25)  # counts 0, 1, 0, 0
    with pytest.warns(A.UndefinedStatisticWarning, match="no spikes"):
        _, acg = A.autocorrelogram(trains, 2 * ms, 3)
    assert np.isnan(acg[0]).all() and np.all(acg[1] == 0)
    with pytest.warns(A.UndefinedStatisticWarning, match="fewer than 3 intervals"):
        assert np.isnan(A.serial_correlation(trains, 1)).all()
    with pytest.raises(ValueError, match="fewer than 2 spikes"):
        A.isi_histogram(trains[:2])
    assert np.isnan(A.cv(trains, warn=False)[0])
    assert len(A.isis(trains[1])) == 0
    rates = A.isi_rate(trains)
    assert rates[0] == 0 * Hz and np.isnan(rates[1]) and rates[2] == 1 * Hz


def test_start_stop_windows():
    train = [0.1, 0.2, 0.3, 0.5, 0.9] * second
    assert A.cv(train, start=0.1 * second, stop=0.5 * second) == pytest.approx(0.0, abs=1e-12)
    assert A.cv(train, start=0.15 * second) == pytest.approx(np.std([0.1, 0.2, 0.4]) / np.mean([0.1, 0.2, 0.4]))
    with pytest.raises(ValueError, match="later"):
        A.cv(train, start=1 * second, stop=0.5 * second)


def test_bad_input_is_reported_with_the_parameter_name():
    with pytest.raises(DimensionMismatchError, match=r"spike_trains\[0\]"):
        A.cv([[0.1, 0.2, 0.3]])
    with pytest.raises(DimensionMismatchError, match=r"spike_trains\[1\]"):
        A.lv([[0.1, 0.2, 0.3] * second, [1, 2, 3] * Hz])
    with pytest.raises(ValueError, match="not sorted"):
        A.cv([0.3, 0.1, 0.2] * second)
    with pytest.raises(ValueError, match="empty sequence"):
        A.cv([])
    with pytest.raises(DimensionMismatchError, match="'window'"):
        A.fano_factor([0.1] * second, 10 * Hz, stop=1 * second)
    with pytest.raises(ValueError, match="'stop'"):
        A.fano_factor([0.1] * second, 10 * ms)
    with pytest.raises(ValueError, match="at least twice"):
        A.fano_factor([0.1] * second, 0.6 * second, stop=1 * second)
    with pytest.raises(ValueError, match="'bins'"):
        A.autocorrelogram([0.1] * second, 10 * ms, 0)
    with pytest.raises(ValueError, match="'normalize'"):
        A.autocorrelogram([0.1] * second, 10 * ms, normalize="pdf")
    with pytest.raises(ValueError, match="'lags'"):
        A.serial_correlation([0.1] * second, 0)
    with pytest.raises(ValueError, match="dead_time"):
        A.poisson_spike_trains(200 * Hz, 1 * second, dead_time=5 * ms)
    with pytest.raises(DimensionMismatchError, match="'rate'"):
        A.poisson_spike_trains(5 * ms, 1 * second)
    with pytest.raises(ValueError, match="'seed'"):
        A.poisson_spike_trains(5 * Hz, 1 * second, seed=-2)


def test_a_40_neuron_25_s_sweep_is_analysed_well_under_a_second():
    """The CV-versus-rate sweep of lesson 06 (40 trains x 25 s); measured ~0.05 s on 2 loaded
    cores, so the 1 s bound leaves a 20-fold margin."""
    trains = A.poisson_spike_trains(np.linspace(1, 80, 40) * Hz, 25 * second, seed=1)
    start = time.perf_counter()
    A.cv(trains), A.cv2(trains), A.lv(trains), A.serial_correlation(trains, 5)
    A.fano_factor(trains, 100 * ms, stop=25 * second)
    A.autocorrelogram(trains, 200 * ms, 41)
    A.isi_histogram(trains)
    assert time.perf_counter() - start < 1.0
