"""Our spike-train statistics against Elephant's on the same spike trains.

Elephant (the Electrophysiology Analysis Toolkit, a test-only dependency: the course does not need
it) is an independent implementation. The comparisons are exact up to floating-point rounding:

* CV, CV2, LV: ``elephant.statistics.cv`` (scipy's ``variation``, population SD like ours),
  ``cv2`` and ``lv`` applied to ``elephant.statistics.isi`` of the same train.
* Fano factor: Elephant computes var/mean of the spike counts of a list of trains ("trials"); we
  count in consecutive windows of one train, so the train is cut into one trial per window.
* Autocorrelogram: Elephant's cross-correlation histogram of a binned train with itself. With
  spike times in the middle of 1 ms bins, every time difference is a whole number of
  milliseconds, so binning first (Elephant) and histogramming exact differences in bins centred on
  whole milliseconds (ours: 2M + 1 bins in +-(M + 1/2) ms) count the same pairs. Elephant's lag-0
  bin also counts each spike with itself, which ours leaves out.
"""

import numpy as np
import pytest
from brian2 import Hz, ms, second

# Plain imports, not importorskip: a missing Elephant must fail the test run, not skip it.
import neo  # noqa: E402
import quantities as pq  # noqa: E402
from elephant import statistics as es  # noqa: E402
from elephant.conversion import BinnedSpikeTrain  # noqa: E402
from elephant.spike_train_correlation import cross_correlation_histogram  # noqa: E402

from sfa_helpers import analysis as A  # noqa: E402

DURATION = 20 * second

# Elephant 1.2 passes a deprecated argument to the quantities package (not our concern).
pytestmark = pytest.mark.filterwarnings("ignore:The 'copy' argument in Quantity is deprecated")


@pytest.fixture(scope="module")
def trains():
    """Poisson trains with and without dead time, at several rates (a mix of CVs)."""
    plain = A.poisson_spike_trains([3, 20, 60] * Hz, DURATION, seed=21)
    refractory = A.poisson_spike_trains([20, 60] * Hz, DURATION, dead_time=8 * ms, seed=22)
    return plain + refractory


def as_pq(train):
    return np.asarray(train / second) * pq.s


def test_cv_cv2_lv_match_elephant(trains):
    ours = np.array([A.cv(trains), A.cv2(trains), A.lv(trains)])
    theirs = np.array([[es.cv(es.isi(as_pq(t))), es.cv2(es.isi(as_pq(t))), es.lv(es.isi(as_pq(t)))]
                       for t in trains]).T
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    assert np.ptp(ours[0]) > 0.2  # the trains really differ (CV 1 and ~0.5-0.85)


@pytest.mark.parametrize("window", [50 * ms, 400 * ms])
def test_fano_factor_matches_elephant(trains, window):
    n_windows = int(DURATION / window)
    ours = A.fano_factor(trains, window, stop=DURATION)
    w = float(window)
    for train, value in zip(trains, ours):
        arr = np.asarray(train / second)
        trials = [(arr[(arr >= j * w) & (arr < (j + 1) * w)] - j * w) * pq.s for j in range(n_windows)]
        assert value == pytest.approx(es.fanofactor(trials), rel=1e-10)


def test_autocorrelogram_matches_elephant_cross_correlation_histogram():
    rng = np.random.default_rng(23)
    T_ms, M = 20000, 30
    for p in (0.02, 0.08):  # ~20 and ~80 Hz, at most one spike per 1 ms bin
        bins_with_spike = np.flatnonzero(rng.random(T_ms) < p)
        times_ms = bins_with_spike + 0.5
        binned = BinnedSpikeTrain(neo.SpikeTrain(times_ms * pq.ms, t_start=0 * pq.ms, t_stop=T_ms * pq.ms),
                                  bin_size=1 * pq.ms)
        cch, lags = cross_correlation_histogram(binned, binned, window=[-M, M], border_correction=False,
                                                binary=False, kernel=None, method="memory")
        theirs = np.asarray(cch.magnitude).ravel()
        our_lags, ours = A.autocorrelogram(times_ms * ms, window=(M + 0.5) * ms, bins=2 * M + 1,
                                           normalize="count")
        np.testing.assert_allclose(np.asarray(our_lags / ms), lags, atol=1e-9)
        zero = M
        theirs[zero] -= times_ms.size  # Elephant counts every spike with itself at lag 0
        np.testing.assert_array_equal(ours, theirs)
        assert ours.sum() > 300  # a real comparison, not of two empty histograms
