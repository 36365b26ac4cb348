"""Self-checks of sheet 06: right answers pass, typical mistakes get the right kind of feedback,
and no message shows the reference value."""

import re

import numpy as np
import pytest
from brian2 import Hz, kHz, mV, ms, pA, second
from scipy.integrate import quad
from scipy.special import erf

from sfa_helpers import analysis, checks
from sfa_helpers.checks import lesson06


def _numbers(text):
    return [float(x) for x in re.findall(r"\d+\.\d+|\d+", text)]


def _hides(feedback, *references):
    """No number of the message equals a reference (to 3 significant digits)."""
    for ref in references:
        for x in _numbers(feedback.message):
            if ref != 0 and abs(x / abs(ref) - 1) < 1e-3:
                return False
    return True


# --- exercise 1 and 2: CV and LV functions ---------------------------------------------------

def cv_right(train):
    t = np.asarray(train / second, dtype=float)
    if t.size < 3:
        return np.nan
    isi = np.diff(t)
    return isi.std() / isi.mean()


def cv_sample_sd(train):
    t = np.asarray(train / second, dtype=float)
    if t.size < 3:
        return np.nan
    isi = np.diff(t)
    return isi.std(ddof=1) / isi.mean()


def cv_zero_for_short(train):
    t = np.asarray(train / second, dtype=float)
    if t.size < 3:
        return 0.0
    return cv_right(train)


def cv_with_units(train):
    isi = np.diff(train)
    return np.std(isi) if len(train) >= 3 else np.nan * second


def lv_right(train):
    t = np.asarray(train / second, dtype=float)
    if t.size < 3:
        return np.nan
    isi = np.diff(t)
    a, b = isi[:-1], isi[1:]
    return 3 * np.mean(((a - b) / (a + b)) ** 2)


def lv_is_cv2(train):
    t = np.asarray(train / second, dtype=float)
    if t.size < 3:
        return np.nan
    isi = np.diff(t)
    a, b = isi[:-1], isi[1:]
    return np.mean(2 * np.abs(b - a) / (a + b))


def lv_divides_by_n(train):
    t = np.asarray(train / second, dtype=float)
    if t.size < 3:
        return np.nan
    isi = np.diff(t)
    a, b = isi[:-1], isi[1:]
    return 3 / isi.size * np.sum(((a - b) / (a + b)) ** 2)


def test_cv_function():
    assert checks.check_cv_isi(cv_right)
    fb = checks.check_cv_isi(cv_sample_sd)
    assert fb.kind == "concept" and "population" in fb.message
    assert checks.check_cv_isi(cv_zero_for_short).kind == "concept"
    assert checks.check_cv_isi(cv_with_units).kind == "units"
    assert checks.check_cv_isi(lv_right).kind in ("imprecise", "wrong")
    assert checks.check_cv_isi("cv").kind == "type"

    def crashes(train):
        raise ZeroDivisionError("boom")
    fb = checks.check_cv_isi(crashes)
    assert fb.kind == "error" and "ZeroDivisionError" in fb.message

    def not_done(train):
        raise NotImplementedError("not done yet: cv_isi")
    fb = checks.check_cv_isi(not_done)
    assert fb.kind == "missing" and "not done yet" in fb.message


def test_lv_function():
    assert checks.check_lv_isi(lv_right)
    fb = checks.check_lv_isi(lv_is_cv2)
    assert fb.kind == "concept" and "CV2" in fb.message
    assert checks.check_lv_isi(lv_divides_by_n).kind == "concept"
    assert checks.check_lv_isi(cv_right).kind in ("imprecise", "wrong")
    # the alternating 10/30 ms train: LV 0.75, never shown
    assert _hides(checks.check_lv_isi(cv_right), 0.75)


# --- exercise 3: gamma trains -------------------------------------------------------------

def gamma_right(k, rate, n, seed):
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.gamma(k, 1 / (k * float(rate / Hz)), n)) * second


def gamma_scale_wrong(k, rate, n, seed):
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.gamma(k, 1 / float(rate / Hz), n)) * second


def gamma_shape_inverted(k, rate, n, seed):
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.gamma(1 / k, k / float(rate / Hz), n)) * second


def gamma_no_units(k, rate, n, seed):
    return np.asarray(gamma_right(k, rate, n, seed))


def gamma_unseeded(k, rate, n, seed):
    return gamma_right(k, rate, n, None)


def gamma_intervals_only(k, rate, n, seed):
    rng = np.random.default_rng(seed)
    return rng.gamma(k, 1 / (k * float(rate / Hz)), n) * second


def test_gamma_train_function():
    assert checks.check_gamma_train(gamma_right)
    # a different generator of the same distribution passes as well
    def via_exponentials(k, rate, n, seed):
        rng = np.random.default_rng(seed + 100)
        return np.cumsum(rng.exponential(1 / (k * float(rate / Hz)), (n, k)).sum(axis=1)) * second
    assert checks.check_gamma_train(via_exponentials)
    fb = checks.check_gamma_train(gamma_scale_wrong)
    assert not fb and "mean interval" in fb.message
    fb = checks.check_gamma_train(gamma_shape_inverted)
    assert not fb and "shape" in fb.message
    assert checks.check_gamma_train(gamma_no_units).kind == "units"
    assert checks.check_gamma_train(gamma_unseeded).kind == "concept"
    assert checks.check_gamma_train(gamma_intervals_only).kind == "concept"


# --- exercise 4: the switching train ------------------------------------------------------

def _switching(make_block, offset=0, join=True):
    """The sheet's construction, written out: 20 blocks, block j from seed offset + j."""
    blocks, t_end = [], 0.0
    for j in range(20):
        rate, n = (5 * Hz, 50) if j % 2 == 0 else (40 * Hz, 400)
        block = np.asarray(make_block(4, rate, n, offset + j) / second) + (t_end if join else 0.0)
        blocks.append(block)
        t_end = block[-1]
    return np.concatenate(blocks) * second


def test_switch_stats():
    train = _switching(gamma_right)
    stats = (cv_right(train), lv_right(train))
    assert stats[0] > 1.0 and abs(stats[1] - 1 / 3) < 0.05  # the hidden test's claim
    assert checks.check_switch_stats(stats)
    assert checks.check_switch_stats(list(stats), gamma_right)
    assert checks.check_switch_stats(np.array(stats))
    # computed with the course's analysis functions
    assert checks.check_switch_stats((float(analysis.cv([train])[0]), float(analysis.lv([train])[0])))
    # one block's theory (typed in), swapped, one of the two wrong, another seed, blocks not joined
    fb = checks.check_switch_stats((0.5, 1 / 3))
    assert fb.kind == "concept" and _hides(fb, *stats)
    assert checks.check_switch_stats(stats[::-1]).kind == "order"
    assert "LV is not" in checks.check_switch_stats((stats[0], 0.4)).message
    assert "CV is not" in checks.check_switch_stats((1.5, stats[1])).message
    other = _switching(gamma_right, offset=1000)
    assert checks.check_switch_stats((cv_right(other), lv_right(other))).kind == "wrong"
    loose = np.sort(np.asarray(_switching(gamma_right, join=False) / second)) * second
    assert checks.check_switch_stats((cv_right(loose), lv_right(loose))).kind == "wrong"
    assert checks.check_switch_stats(1.2).kind == "type"
    assert checks.check_switch_stats(None).kind == "missing"
    assert checks.check_switch_stats((np.nan, 0.3)).kind == "nan"
    assert checks.check_switch_stats(np.array(stats) * second).kind == "units"


def test_switch_stats_follow_the_students_own_valid_sampler():
    """A gamma_train that samples differently (sum of k exponentials: valid, other numbers)
    gives its own train; its statistics count, with that function passed to the check, and a
    broken gamma_train leaves the prescribed train as the reference."""
    def gamma_from_exponentials(k, rate, n, seed):
        rng = np.random.default_rng(seed)
        return np.cumsum(rng.exponential(1 / (k * float(rate / Hz)), (n, k)).sum(axis=1)) * second

    def broken(k, rate, n, seed):
        raise NotImplementedError("not done yet: gamma_train")

    train = _switching(gamma_from_exponentials)
    stats = (cv_right(train), lv_right(train))
    assert checks.check_switch_stats(stats, gamma_from_exponentials)
    assert checks.check_switch_stats(stats).kind == "wrong"
    prescribed = _switching(gamma_right)
    assert checks.check_switch_stats((cv_right(prescribed), lv_right(prescribed)), broken)
    # a cv_isi with ddof=1 (wrong in exercise 1) used here too: its numbers count here

    def cv_sample_sd(train):
        isi = np.diff(np.asarray(train / second))
        return float(isi.std(ddof=1) / isi.mean())

    own = (cv_sample_sd(prescribed), lv_right(prescribed))
    assert checks.check_switch_stats(own).kind != "right"
    assert checks.check_switch_stats(own, gamma_right, cv_sample_sd, lv_right)


def test_switching_train_lv_recovers_k_4_and_cv_does_not_for_many_seeds():
    """What the exercise teaches holds for any seeds: the LV of the switching train implies
    order 4, the CV order 0 or 1."""
    for offset in range(5):
        train = _switching(gamma_right, offset=1000 * offset)
        assert int(round((3 / lv_right(train) - 1) / 2)) == 4, offset
        assert int(round(1 / cv_right(train) ** 2)) in (0, 1)


def test_multiple_choices():
    assert checks.check_nonstationary_metric("b")
    assert checks.check_nonstationary_metric(" B ")
    for wrong in "acd":
        assert checks.check_nonstationary_metric(wrong).kind == "wrong"
    assert checks.check_nonstationary_metric("e").kind == "type"
    assert checks.check_fano_adaptation("b")
    for wrong in "acd":
        assert checks.check_fano_adaptation(wrong).kind == "wrong"


# --- exercise 5: the Siegert rate ----------------------------------------------------------

TAU, R, E_L, V_TH, V_RESET, T_REF = 0.01, 40e6, -0.070, -0.055, -0.070, 0.002


def _siegert(mu, sigma, t_ref=T_REF, sigma_scale=None):
    """The textbook integrand, written out independently (SI units)."""
    mu_v = E_L + R * float(mu)
    s_b = R * float(sigma) / np.sqrt(TAU) if sigma_scale is None else sigma_scale * float(sigma)
    value, _ = quad(lambda u: np.exp(u * u) * (1 + erf(u)), (V_RESET - mu_v) / s_b, (V_TH - mu_v) / s_b)
    return 1 / (t_ref + TAU * np.sqrt(np.pi) * value)


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_siegert_function():
    assert checks.check_siegert_rate(lambda mu, sigma: _siegert(mu, sigma) * Hz)
    fb = checks.check_siegert_rate(lambda mu, sigma: _siegert(mu, sigma, t_ref=0) * Hz)
    assert fb.kind == "concept" and "t_ref" in fb.message
    assert not checks.check_siegert_rate(lambda mu, sigma: _siegert(mu, sigma, sigma_scale=R) * Hz)
    assert checks.check_siegert_rate(lambda mu, sigma: _siegert(mu, sigma)).kind == "units"
    assert checks.check_siegert_rate(lambda mu, sigma: _siegert(mu, sigma) * kHz).kind == "factor"
    fb = checks.check_siegert_rate(lambda mu, sigma: 1.05 * _siegert(mu, sigma) * Hz)
    assert fb.kind == "imprecise"
    assert _hides(fb, *[_siegert(mu, s) for mu, s in lesson06.SIEGERT_CASES])


# --- exercise 6: the adaptation sweep -----------------------------------------------------

def _siegert_rate_dt():
    """Reference rate of the non-adapting neuron with the time-step correction, written out."""
    h = float(lesson06.ADAPT_DT)
    mu_v = E_L + R * float(lesson06.ADAPT_MU)
    s_b = R * float(lesson06.ADAPT_SIGMA) / np.sqrt(TAU)
    shift = 0.5826 * np.sqrt(h / TAU)
    value, _ = quad(lambda u: np.exp(u * u) * (1 + erf(u)), (V_RESET - mu_v) / s_b,
                    (V_TH - mu_v) / s_b + shift)
    return 1 / (T_REF + TAU * np.sqrt(np.pi) * value)


def test_adaptation_rates():
    r0 = _siegert_rate_dt()
    assert abs(lesson06._adapt_reference()[0] / r0 - 1) < 1e-3
    good = np.array([r0 * 1.02, 18.8, 12.6]) * Hz
    # plausible rates typed in (right size, order and closeness to Siegert) are not the run's
    fb = checks.check_adaptation_rates(good)
    assert fb.kind == "not the run" and "seed=3" in fb.message
    assert checks.check_adaptation_rates(np.asarray(good)).kind == "units"
    assert checks.check_adaptation_rates(np.asarray(good) * kHz).kind == "factor"
    assert checks.check_adaptation_rates(np.array([r0 * 1.3, 18.8, 12.6]) * Hz).kind == "imprecise"
    fb = checks.check_adaptation_rates(np.array([r0, 60.0, 70.0]) * Hz)
    assert fb.kind == "concept"
    assert checks.check_adaptation_rates(good[:2]).kind == "type"
    assert checks.check_adaptation_rates(None).kind == "missing"
    assert _hides(checks.check_adaptation_rates(np.array([r0 * 1.3, 18.8, 12.6]) * Hz), r0)


def test_adaptation_rho1():
    assert checks.check_adaptation_rho1(np.array([0.004, -0.2, -0.31])).kind == "not the run"
    assert checks.check_adaptation_rho1(np.array([0.004, 0.2, 0.31])).kind == "sign"
    assert checks.check_adaptation_rho1(np.array([0.3, -0.2, -0.31])).kind == "wrong"
    assert checks.check_adaptation_rho1(np.array([0.0, -0.01, -0.31])).kind == "wrong"
    assert checks.check_adaptation_rho1(np.array([0.0, -2.0, -3.0])).kind == "wrong"
    assert checks.check_adaptation_rho1(np.array([0.0, -0.2, -0.3]) * mV).kind == "units"
    assert checks.check_adaptation_rho1(np.array([np.nan, -0.2, -0.3])).kind == "nan"
    assert checks.check_adaptation_rho1([0.0, -0.2]).kind == "type"


def test_adaptation_sweep_simulated():
    """The sheet's own procedure (simulate() of one group) passes both checks."""
    from sfa_helpers import analysis, simulate, stimuli
    from sfa_helpers.models import LIF, AdaptiveThreshold

    model = LIF(**lesson06.NEURON) + AdaptiveThreshold(tau_Theta=100 * ms,
                                                       Delta_Theta=lesson06.ADAPT_DELTAS)
    noise = stimuli.white_noise(np.full(3, 400.0) * pA, np.full(3, 20.0) * pA * second ** 0.5)
    res = simulate(model, noise, 50 * second, dt=0.1 * ms, record=(), seed=3)
    assert checks.check_adaptation_rates(res.rates(start=1 * second))
    rho = analysis.serial_correlation(res.spike_trains, 1, start=1 * second)[:, 0]
    assert checks.check_adaptation_rho1(rho)
    # another seed: as plausible, but another run; values rounded as printed are not it either
    other = simulate(model, noise, 50 * second, dt=0.1 * ms, record=(), seed=4)
    assert checks.check_adaptation_rates(other.rates(start=1 * second)).kind == "not the run"
    assert checks.check_adaptation_rho1(np.round(rho, 2)).kind == "not the run"


# --- exercise 5: the autocorrelogram -------------------------------------------------------

def acg_right(train, window, bins):
    t = np.asarray(train / second, dtype=float)
    W = float(window / second)
    d = np.subtract.outer(t, t)[~np.eye(t.size, dtype=bool)]
    counts, edges = np.histogram(d[np.abs(d) < W], bins=bins, range=(-W, W))
    return (edges[:-1] + edges[1:]) / 2 * second, counts


def acg_loop(train, window, bins):
    """A different correct approach: loop over spikes, searchsorted for the neighbours."""
    t = np.asarray(train / ms, dtype=float)
    W = float(window / ms)
    b = 2 * W / bins
    counts = np.zeros(bins, dtype=int)
    for i, ti in enumerate(t):
        lo, hi = np.searchsorted(t, ti - W, "right"), np.searchsorted(t, ti + W, "left")
        for j in range(lo, hi):
            if j != i:
                counts[int((t[j] - ti + W) // b)] += 1
    return (-W + (np.arange(bins) + 0.5) * b) * ms, counts.astype(float)


def acg_with_self(train, window, bins):
    lags, counts = acg_right(train, window, bins)
    if bins % 2:
        counts = counts.copy()
        counts[bins // 2] += len(train)
    return lags, counts


def acg_one_sided(train, window, bins):
    t = np.asarray(train / second, dtype=float)
    W = float(window / second)
    d = np.subtract.outer(t, t)
    d = d[(d > 0) & (d < W)]
    counts, edges = np.histogram(d, bins=bins, range=(-W, W))
    return (edges[:-1] + edges[1:]) / 2 * second, counts


def acg_edges(train, window, bins):
    t = np.asarray(train / second, dtype=float)
    W = float(window / second)
    d = np.subtract.outer(t, t)[~np.eye(t.size, dtype=bool)]
    counts, edges = np.histogram(d[np.abs(d) < W], bins=bins, range=(-W, W))
    return edges * second, counts


def acg_rate(train, window, bins):
    lags, counts = acg_right(train, window, bins)
    return lags, counts / (len(train) * 2 * window / bins)


def acg_shifted_bins(train, window, bins):
    """Bins of the wrong width: range (-W, W) split into bins + 1 bins, first `bins` kept."""
    t = np.asarray(train / second, dtype=float)
    W = float(window / second)
    d = np.subtract.outer(t, t)[~np.eye(t.size, dtype=bool)]
    counts, edges = np.histogram(d[np.abs(d) < W], bins=bins, range=(-W, W + 2 * W / bins))
    return (edges[:-1] + edges[1:]) / 2 * second, counts


def test_autocorrelogram_function():
    assert checks.check_autocorrelogram(acg_right)
    assert checks.check_autocorrelogram(acg_loop)
    fb = checks.check_autocorrelogram(acg_with_self)
    assert fb.kind == "concept" and "itself" in fb.message
    fb = checks.check_autocorrelogram(acg_one_sided)
    assert fb.kind == "concept" and "both orders" in fb.message
    fb = checks.check_autocorrelogram(acg_edges)
    assert fb.kind == "concept" and "centres" in fb.message
    assert checks.check_autocorrelogram(acg_rate).kind == "units"
    assert checks.check_autocorrelogram(lambda t, w, b: acg_right(t, w, b)[::-1]).kind == "order"
    assert checks.check_autocorrelogram(
        lambda t, w, b: (np.asarray(acg_right(t, w, b)[0] / ms), acg_right(t, w, b)[1])).kind == "units"
    assert checks.check_autocorrelogram(
        lambda t, w, b: (acg_right(t, w, b)[0] * 1e3, acg_right(t, w, b)[1])).kind == "factor"
    assert not checks.check_autocorrelogram(acg_shifted_bins)
    assert checks.check_autocorrelogram(lambda t, w, b: acg_right(t, w, b)[1]).kind == "type"
    assert checks.check_autocorrelogram("acg").kind == "type"

    def not_done(train, window, bins):
        raise NotImplementedError("not done yet: autocorrelogram")
    assert checks.check_autocorrelogram(not_done).kind == "missing"


def test_autocorrelogram_reference_is_a_direct_count():
    """The brute-force reference agrees with a vectorised count and with sfa_helpers.analysis,
    on every case; no difference is near a bin edge, so every correct binning agrees."""
    from sfa_helpers import analysis

    for case, (label, _, window, bins, kind) in enumerate(lesson06.ACG_CASES):
        t, ref, lags = lesson06._acg_reference(case)
        assert np.array_equal(acg_right(t * second, window * second, bins)[1], ref), label
        a_lags, a_counts = analysis.autocorrelogram(t * second, window * second, bins,
                                                    normalize="count")
        assert np.array_equal(np.asarray(a_counts), ref) and np.allclose(np.asarray(a_lags), lags)
        d = np.subtract.outer(t, t)[~np.eye(t.size, dtype=bool)]
        d = d[np.abs(d) < window + 1e-6]
        edges = -window + np.arange(bins + 1) * 2 * window / bins
        assert np.min(np.abs(d[:, None] - edges[None, :])) > 1e-7, label
        assert ref.sum() == np.count_nonzero(np.abs(d) < window)
        assert np.array_equal(ref, ref[::-1])  # symmetric
    # hand-computed values of the two small trains
    assert list(lesson06._acg_reference(0)[1]) == [1, 4, 2, 4, 1]
    assert list(lesson06._acg_reference(1)[1]) == [0, 3, 3, 0]
    # the Poisson train is flat within statistics, and the self-pair slip is far from flat
    t, ref, _ = lesson06._acg_reference(3)
    assert lesson06._acg_flat_violations(t, ref, 50e-3, 41, lesson06.ACG_POISSON_DURATION) == 0
    bumped = ref.copy()
    bumped[20] += t.size
    assert lesson06._acg_flat_violations(t, bumped, 50e-3, 41, lesson06.ACG_POISSON_DURATION) == 1


def test_autocorrelogram_messages_hide_the_counts():
    def wrong_on_regular(train, window, bins):
        lags, counts = acg_right(train, window, bins)
        return lags, counts + (len(train) == 60)
    fb = checks.check_autocorrelogram(wrong_on_regular)
    assert not fb and "regular" in fb.message
    _, ref, _ = lesson06._acg_reference(2)
    assert _hides(fb, *[c for c in ref if c])
    fb = checks.check_autocorrelogram(acg_shifted_bins)
    assert not fb and "lags" in fb.message and "-4" not in fb.message


# --- exercise 8 (plot task): autocorrelograms with and without adaptation -------------------

@pytest.fixture(scope="module")
def _pair_runs():
    """The plot task's run (seed 4) and the same neurons with another seed, and with
    Delta_Theta = 5 mV instead of 10 mV: spike trains after 1 s, in seconds."""
    from sfa_helpers import simulate, stimuli
    from sfa_helpers.models import LIF, AdaptiveThreshold

    def run(deltas, seed):
        model = LIF(**lesson06.NEURON) + AdaptiveThreshold(tau_Theta=100 * ms,
                                                           Delta_Theta=np.array(deltas) * mV)
        noise = stimuli.white_noise(np.full(2, 400.0) * pA, np.full(2, 20.0) * pA * second ** 0.5)
        res = simulate(model, noise, 200 * second, dt=0.1 * ms, record=(), seed=seed)
        trains = [np.asarray(t / second, dtype=float) for t in res.spike_trains]
        run.whole_run_rates[(tuple(deltas), seed)] = [t.size / 200.0 for t in trains]
        trains = [t[t >= 1.0] for t in trains]
        return [(t, *_acg_numpy_ms(t)) for t in trains]

    run.whole_run_rates = {}

    return {"right": run([0.0, 10.0], 4), "seed": run([0.0, 10.0], 5),
            "delta": run([0.0, 5.0], 4), "whole": run.whole_run_rates[((0.0, 10.0), 4)]}


def _acg_numpy_ms(t_s, window_ms=200.0, bins=81):
    """Autocorrelogram in Hz computed independently of analysis.autocorrelogram: differences
    in ms from np.subtract.outer, np.histogram, divided by (spikes x bin width)."""
    t = t_s * 1e3
    lags, counts = [], np.zeros(bins)
    for chunk in np.array_split(np.arange(t.size), max(1, t.size // 2000)):
        d = np.subtract.outer(t[chunk], t)
        d = d[(np.abs(d) < window_ms) & (d != 0)]
        counts += np.histogram(d, bins=bins, range=(-window_ms, window_ms))[0]
    b = 2 * window_ms / bins
    lags = -window_ms + (np.arange(bins) + 0.5) * b
    return lags, counts / (t.size * b * 1e-3)


def _acg_figure(trains, *, panels=2, x_unit="ms", y_label="autocorrelogram (Hz)", poisson=True,
                poisson_levels=None, legend=True, normalise=False, style="step", poisson_style="axhline"):
    """The plot task drawn from (train, lags in ms, autocorrelogram in Hz) of each neuron: one
    panel per neuron or both on one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    duration = 199.0
    fig, axes = plt.subplots(1, panels, squeeze=False)
    axes = list(axes[0]) * (2 // panels)
    for k, (ax, (t, lags, acg)) in enumerate(zip(axes, trains)):
        rate = t.size / duration
        if normalise:
            acg = acg / rate
        x = lags / 1e3 if x_unit == "s" else lags
        if style == "step":
            ax.step(x, acg, where="mid", label=f"neuron {k}")
        elif style == "bar":
            ax.bar(x, acg, width=x[1] - x[0], label=f"neuron {k}")
        else:
            ax.plot(x, acg, "o", label=f"neuron {k}")
        if poisson:
            level = rate if poisson_levels is None else poisson_levels[k]
            if poisson_style == "axhline":
                ax.axhline(level, ls="--", label=f"Poisson {k}")
            elif poisson_style == "hlines":
                ax.hlines(level, x[0], x[-1], linestyles="--", label=f"Poisson {k}")
            else:
                ax.plot([x[0], x[-1]], [level, level], ls="--", label=f"Poisson {k}")
        ax.set_xlabel(f"lag ({x_unit})")
        ax.set_ylabel(y_label)
        if legend:
            ax.legend()
    return fig


def test_poisson_acg_figure_drawn_independently_passes(_pair_runs):
    import matplotlib.pyplot as plt

    right = _pair_runs["right"]
    for kwargs in ({}, {"panels": 1}, {"x_unit": "s", "poisson_style": "plot"}, {"style": "markers", "poisson_style": "hlines"},
                   {"y_label": "rate at lag s (kHz)"}):
        fig = _acg_figure(right, **kwargs)
        if kwargs.get("y_label", "").endswith("(kHz)"):
            for ax in fig.axes:      # redraw the same numbers in kHz
                for line in ax.get_lines():
                    line.set_ydata(np.asarray(line.get_ydata(), dtype=float) / 1e3)
        assert checks.check_poisson_acg_figure(fig), (kwargs, checks.check_poisson_acg_figure(fig))
        plt.close(fig)
    # the rate over the whole run (first second included) is a fair Poisson level too
    assert checks.check_poisson_acg_figure(_acg_figure(right, poisson_levels=_pair_runs["whole"]))
    # but a level 5 % off is not the rate
    off = [0.95 * t.size / 199.0 for t, _, _ in right]
    assert checks.check_poisson_acg_figure(_acg_figure(right, poisson_levels=off)).kind == "wrong"
    plt.close("all")


@pytest.mark.parametrize("kwargs, kind, words", [
    ({"which": "seed"}, "wrong", "autocorrelogram without adaptation"),     # another seed
    ({"which": "delta"}, "wrong", "with adaptation"),                        # 5 mV, not 10 mV
    ({"normalise": True}, "wrong", "without adaptation"),                  # divided by the rate
    ({"normalise": True, "y_label": "autocorrelogram / rate (1)"}, "units", "y axis"),
    ({"y_label": "autocorrelogram"}, "units", "names no unit"),
    ({"x_unit": "s_label_ms"}, "wrong", "autocorrelogram"),                  # numbers in s, label ms
    ({"poisson": False}, "wrong", "Poisson expectation"),
    ({"poisson_levels": [1.0, 1.0]}, "wrong", "Poisson expectation"),       # flat at 1
    ({"poisson_levels": "swapped"}, "wrong", "Poisson expectation"),
    ({"legend": False}, "legend", "legend"),
    ({"style": "bar"}, "wrong", "autocorrelogram"),
])
def test_poisson_acg_figure_mistakes_fail(_pair_runs, kwargs, kind, words):
    import matplotlib.pyplot as plt

    kwargs = dict(kwargs)
    trains = _pair_runs[kwargs.pop("which", "right")]
    if kwargs.get("poisson_levels") == "swapped":
        kwargs["poisson_levels"] = [trains[1][0].size / 199.0, trains[0][0].size / 199.0]
    relabel = kwargs.get("x_unit") == "s_label_ms"
    if relabel:
        kwargs["x_unit"] = "s"
    fig = _acg_figure(trains, **kwargs)
    if relabel:
        for ax in fig.axes:
            ax.set_xlabel("lag (ms)")
    feedback = checks.check_poisson_acg_figure(fig)
    assert not feedback and feedback.kind == kind and words in feedback.message, feedback
    lags, acg, rates = lesson06._poisson_acg_run()
    assert _hides(feedback, *rates, *np.asarray(acg).max(axis=1))
    plt.close("all")


def test_poisson_acg_figure_refuses_what_is_not_a_figure():
    assert checks.check_poisson_acg_figure(None).kind == "missing"
    assert checks.check_poisson_acg_figure([1, 2]).kind == "type"


def test_poisson_acg_reference_is_the_prescribed_run(_pair_runs):
    """The check's reference (analysis.autocorrelogram of the run) agrees with the independent
    numpy histogram inside the span it checks (the outermost bins may differ by rounding)."""
    lags, acg, rates = lesson06._poisson_acg_run()
    for k, (t, own_lags, own) in enumerate(_pair_runs["right"]):
        assert np.allclose(own_lags / 1e3, lags)
        assert np.allclose(own[1:-1], acg[k][1:-1], rtol=1e-9, atol=1e-9)
        assert abs(rates[k] * 199.0 - t.size) < 1e-6
    # the two neurons are not Poissonian: the adapting one's trough is deep and wide
    centre = np.abs(lags) < 0.03
    assert np.all(acg[1][centre] < 0.5 * rates[1]) and acg[0][lags.size // 2] < 0.1 * rates[0]
