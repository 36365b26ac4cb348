"""Self-checks for exercise sheet 06 (CV, autocorrelation and serial ISI correlation).

References come from closed forms (CV and LV of hand-made trains, CV = 1/sqrt(k) of gamma
intervals, LV = 3/(2k + 1), the Siegert formula of :mod:`sfa_helpers.theory`) or from small numpy
computations written here (the autocorrelogram as a direct loop over spike pairs), never from the
statistics functions of :mod:`sfa_helpers.analysis` that the student may call. The one exception
is not a reference of correctness: exercise 7's answers must also be what the prescribed run
gives (``_adaptation_run``, which re-runs it with ``simulate`` and the ``analysis`` functions the
prompt names), so that numbers typed in do not pass. The plot task (exercise 8) draws the
autocorrelograms of a prescribed seeded run: its reference is that run, through
``analysis.autocorrelogram`` as the prompt says (``_poisson_acg_run``, cached).

Per-student variants (:mod:`.variants`, ``VARIANTS``): the seeds of exercises 4, 7 and 8 (the
switching train's blocks, the adaptation sweep, the plot task's run), so that their numbers
cannot be copied; seeds are run arguments, so one compiled program serves every variant.
"""

from __future__ import annotations

import functools

import numpy as np
from brian2 import Hz, Quantity, get_dimensions, mV, ms, pA, pF, second
from brian2.units.fundamentalunits import DIMENSIONLESS

from .. import theory
from ..models import LIF
from .core import (Feedback, call_safely, check_choice, check_integers, check_quantity,
                   from_prescribed_run, plain_float)
from .figures import Curve, Level, axes_of, check_figure
from .variants import active

__all__ = ["check_cv_isi", "check_lv_isi", "check_gamma_train", "check_switch_stats",
           "check_nonstationary_metric", "check_autocorrelogram", "check_siegert_rate",
           "check_adaptation_rates", "check_adaptation_rho1", "check_fano_adaptation",
           "check_poisson_acg_figure", "POISSON_ACG",
           "NEURON", "SIEGERT_CASES", "ADAPT_DELTAS", "ADAPT_MU", "ADAPT_SIGMA", "ADAPT_T",
           "ADAPT_T0", "ADAPT_DT", "ACG_CASES", "acg_pair_counts", "acg_poisson_train",
           "VARIANTS", "CHOICES"]

#: The non-adapting neuron of lesson 06 (NEST-compatible LIF, rheobase 375 pA).
NEURON = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
              C_m=250 * pF)
#: (mu, sigma) pairs at which ``siegert_rate`` is tested.
SIEGERT_CASES = ((300 * pA, 20 * pA * second ** 0.5), (400 * pA, 20 * pA * second ** 0.5),
                 (500 * pA, 10 * pA * second ** 0.5))
#: The adaptation sweep: Delta_Theta values, white-noise input, duration, transient, time step.
ADAPT_DELTAS = np.array([0.0, 5.0, 10.0]) * mV
ADAPT_MU = 400 * pA
ADAPT_SIGMA = 20 * pA * second ** 0.5
ADAPT_T = 50 * second
ADAPT_T0 = 1 * second
ADAPT_DT = 0.1 * ms

#: Per-student variants (:mod:`.variants`): the seeds whose runs give the numbers of exercises 4
#: (``switch_seed``: block j of the switching train comes from seed ``switch_seed + j``), 7
#: (``adapt_seed``: the adaptation sweep) and 8 (``acg_seed``: the plot task's run). Variant 0
#: is the sheet's original. Every variant's answers differ from every other's by more than the
#: checks' tolerances (tests/test_variants_sheet06.py); only seeds change, never a simulation's
#: structure, so one compiled program serves every variant (no compiling while grading).
VARIANTS = [dict(switch_seed=switch, adapt_seed=adapt, acg_seed=acg)
            for switch, adapt, acg in zip((0, 100, 200, 300, 400, 500), (3, 13, 23, 33, 43, 53),
                                          (4, 14, 24, 34, 44, 54))]
#: The multiple-choice questions: (right key, {key: option as shown}); each variant shows the
#: options in its own order (variant 0: as listed here).
CHOICES = {
    "nonstationary_metric": ("local", {
        "average": "The CV is the best measure of irregularity here, because it uses all intervals "
                   "at once and so averages the drift out.",
        "local": "The drift inflates the CV; LV and CV2 compare neighbouring intervals only and "
                 "stay near the local value (about 1).",
        "same": "LV is inflated by the drift as much as the CV, because it is computed from "
                "exactly the same set of intervals.",
        "below": "The drift makes both CV and LV fall below 1, because most intervals are short "
                 "while the rate is high.",
    }),
    "fano_adaptation": ("anticorrelated", {
        "renewal": "$F(\\infty) = CV^2$, as for every neuron driven by white noise, whatever its "
                   "threshold does after a spike.",
        "anticorrelated": "$F(\\infty) < CV^2$: negative serial correlations make the counts more "
                          "regular than the intervals suggest.",
        "slow": "$F(\\infty) > CV^2$: adaptation adds slow fluctuations of the rate, which spread "
                "the spike counts further.",
        "poisson": "$F(\\infty) = 1$, because the input is white noise and the counts of a "
                   "noise-driven neuron are Poissonian.",
    }),
}


def _variant():
    return active("06")


def _choice(question: str, answer) -> Feedback:
    """A multiple-choice answer (a letter) in the order the student's variant shows."""
    variant = _variant()
    right, _ = CHOICES[question]
    letter = variant.letters(question)[variant.order(question).index(right)]
    return check_choice(answer, letter, variant.letters(question), name=question)


def _is_dimensionless(value):
    return not isinstance(value, Quantity) or get_dimensions(value) is DIMENSIONLESS


def _numpy_cv(t):
    isi = np.diff(t)
    return isi.std() / isi.mean()


def _numpy_lv(t):
    isi = np.diff(t)
    a, b = isi[:-1], isi[1:]
    return 3 * np.mean(((a - b) / (a + b)) ** 2)


def _test_trains():
    """Trains with known statistics (second): regular, hand-made, random, too short."""
    regular = np.arange(1, 200) * 0.025
    rng = np.random.default_rng(606)
    irregular = np.cumsum(rng.exponential(0.05, 400))
    return regular, irregular


def _check_statistic(function, name, closed_forms, numpy_statistic, distractors):
    """Shared checks of cv_isi / lv_isi: closed-form cases, a random train, NaN for < 3 spikes.

    ``closed_forms``: [(intervals in ms, expected)]; ``distractors``: [(intervals, value, message)]
    for typical slips (a sample instead of a population SD, CV2 instead of LV, ...)."""
    regular, irregular = _test_trains()
    value, problem = call_safely(function, regular * second, name=f"{name}(regular train)")
    if problem is not None:
        return problem
    if not _is_dimensionless(value):
        return Feedback(False, "units", f"{name} must return a plain number (dimensionless): "
                                        "intervals divided by intervals.")
    feedback = check_quantity(value, 0.0, atol=1e-6, name=f"{name}(regular train)")
    if not feedback:
        return feedback
    for intervals, expected in closed_forms:
        train = np.concatenate([[5.0], 5.0 + np.cumsum(intervals)]) * ms
        value, problem = call_safely(function, train, name=name)
        if problem is not None:
            return problem
        v = plain_float(value)
        for slip_intervals, slip_value, message in distractors:
            if slip_intervals is intervals and v is not None and abs(v - slip_value) < 1e-6:
                return Feedback(False, "concept", message)
        feedback = check_quantity(value, expected, rtol=1e-6, name=f"{name}(train)")
        if not feedback:
            return feedback
    value, problem = call_safely(function, irregular * second, name=name)
    if problem is not None:
        return problem
    feedback = check_quantity(value, numpy_statistic(irregular), rtol=1e-6,
                              name=f"{name}(random train)")
    if not feedback:
        return feedback
    for short in (np.array([0.1, 0.2]), np.array([0.3]), np.zeros(0)):
        value, problem = call_safely(function, short * second, name=f"{name}(short train)")
        if problem is not None:
            return problem
        v = plain_float(value)
        if v is None or not np.isnan(v):
            return Feedback(False, "concept", f"With fewer than 3 spikes (fewer than 2 intervals) "
                                              f"{name} is undefined: return np.nan.")
    return Feedback(True, "right", f"{name} is right.")


_CV_INTERVALS = np.array([10.0, 20.0, 30.0, 40.0])


def check_cv_isi(cv_isi) -> Feedback:
    """``cv_isi(train)``: SD(ISI)/mean(ISI) with the population SD; NaN for < 3 spikes."""
    sample = np.std(_CV_INTERVALS, ddof=1) / _CV_INTERVALS.mean()
    return _check_statistic(
        cv_isi, "cv_isi", [(_CV_INTERVALS, np.sqrt(125.0) / 25.0)], _numpy_cv,
        [(_CV_INTERVALS, sample, "cv_isi uses the sample SD (ddof=1); the CV of this course uses "
                                 "the population SD (divide by n, numpy's default).")])


_LV_INTERVALS = np.array([10.0, 30.0, 10.0, 30.0, 10.0])


def check_lv_isi(lv_isi) -> Feedback:
    """``lv_isi(train)``: the local variation of Shinomoto et al. (2003); NaN for < 3 spikes."""
    a, b = _LV_INTERVALS[:-1], _LV_INTERVALS[1:]
    cv2_value = np.mean(2 * np.abs(b - a) / (a + b))
    by_n = 3 / _LV_INTERVALS.size * np.sum(((a - b) / (a + b)) ** 2)
    return _check_statistic(
        lv_isi, "lv_isi", [(_LV_INTERVALS, 0.75)], _numpy_lv,
        [(_LV_INTERVALS, cv2_value, "lv_isi computes CV2 (Holt et al.), not LV: LV averages the "
                                    "squared ratio (I_i - I_{i+1})/(I_i + I_{i+1}) and multiplies "
                                    "by 3."),
         (_LV_INTERVALS, by_n, "lv_isi divides by the number of intervals n; there are only "
                               "n - 1 neighbouring pairs.")])


_GAMMA_CASES = ((1, 20 * Hz, 20000, 0), (9, 50 * Hz, 20000, 1))


def check_gamma_train(gamma_train) -> Feedback:
    """``gamma_train(k, rate, n, seed)``: n spike times whose intervals are gamma of order k
    with mean 1/rate. Tested statistically (5 standard errors) on 20000 intervals."""
    for k, rate, n, seed in _GAMMA_CASES:
        label = f"gamma_train({k}, {float(rate / Hz):g} * Hz, {n}, seed={seed})"
        train, problem = call_safely(gamma_train, k, rate, n, seed, name=label)
        if problem is not None:
            return problem
        if not isinstance(train, Quantity) or get_dimensions(train) is not second.dim:
            return Feedback(False, "units", f"{label} must return spike times with units of "
                                            "time (multiply by second).")
        t = np.asarray(train, dtype=float).ravel()
        if t.size != n:
            return Feedback(False, "type", f"{label} should return {n} spike times, got {t.size}.")
        if not np.all(np.isfinite(t)) or t[0] < 0 or np.any(np.diff(t) < 0):
            return Feedback(False, "concept", f"{label}: spike times must be positive and "
                                              "increasing (the cumulative sum of the intervals, "
                                              "starting at t = 0).")
        again, problem = call_safely(gamma_train, k, rate, n, seed, name=label)
        if problem is not None:
            return problem
        if not np.array_equal(np.asarray(again, dtype=float).ravel(), t):
            return Feedback(False, "concept", f"{label} gives a different train on every call: "
                                              "draw the intervals from np.random.default_rng(seed).")
        isi = np.diff(np.concatenate([[0.0], t]))
        mean_ref = 1 / float(rate)
        tol_mean = 5 / np.sqrt(k * n)
        fb = check_quantity(isi.mean() * second, mean_ref * second, rtol=tol_mean,
                            name=f"the mean interval of {label}")
        if not fb:
            if fb.kind in ("imprecise", "wrong", "factor"):
                return Feedback(False, fb.kind, f"The mean interval of {label} is not 1/rate: "
                                                "numpy's gamma(shape, scale) has mean shape*scale.")
            return fb
        c = 1 / np.sqrt(k)
        tol_cv = 5 * np.sqrt((1 + c * c) / (2 * n))
        fb = check_quantity(isi.std() / isi.mean(), c, rtol=tol_cv, name=f"the CV of {label}")
        if not fb:
            return Feedback(False, fb.kind, f"The CV of {label} does not match gamma intervals of "
                                            "order k: the shape parameter of the gamma "
                                            "distribution is k.")
    return Feedback(True, "right", "gamma_train is right.")


#: The switching train of exercise 4: blocks of gamma intervals of order SWITCH_ORDER, block j
#: from seed ``switch_seed + j`` (the variant's; 0 in variant 0), (rate, intervals) alternating
#: between the two entries.
SWITCH_ORDER, SWITCH_BLOCKS = 4, 20
SWITCH_RATES = ((5 * Hz, 50), (40 * Hz, 400))


def _gamma_intervals_numpy(k, rate, n, seed):
    """Spike times (s) as exercise 3 prescribes gamma_train: numpy's gamma, default_rng(seed)."""
    return np.cumsum(np.random.default_rng(seed).gamma(k, 1 / (k * float(rate / Hz)), n))


def _switching_train(make_block, offset=0) -> np.ndarray:
    """The 20 blocks joined as the sheet says (each starts at the last spike of the previous),
    block j from ``make_block(k, rate, n, offset + j)`` in seconds."""
    blocks, t_end = [], 0.0
    for j in range(SWITCH_BLOCKS):
        rate, n = SWITCH_RATES[j % 2]
        block = np.asarray(make_block(SWITCH_ORDER, rate, n, offset + j), dtype=float).ravel() + t_end
        blocks.append(block)
        t_end = block[-1]
    return np.concatenate(blocks)


def _cv_lv(t) -> np.ndarray:
    """CV (population SD) and LV of the intervals of the spike times ``t`` (s)."""
    return np.array([_numpy_cv(t), _numpy_lv(t)])


def check_switch_stats(switch_stats, gamma_train=None, cv_isi=None, lv_isi=None) -> Feedback:
    """(CV, LV) of the whole switching train of exercise 4.

    Accepted: the statistics of the train built with the prescribed gamma sampler, or with the
    student's own ``gamma_train``, computed by the reference formulas or by the student's own
    ``cv_isi`` and ``lv_isi`` (so that a mistake in exercises 1-3 costs no points here). The
    order k of the blocks is given in the prompt; the numbers are not, and a single block's
    theory values (CV = 1/sqrt(k), LV = 3/(2k + 1)) are the mistake to diagnose.
    """
    name = "switch_stats"
    if switch_stats is None or switch_stats is Ellipsis:
        return Feedback(False, "missing", f"{name}: no answer yet.")
    if isinstance(switch_stats, (str, bytes, dict, set)) or np.size(switch_stats) != 2:
        return Feedback(False, "type", f"{name} should be a pair (CV, LV) of two numbers.")
    if isinstance(switch_stats, Quantity) and not _is_dimensionless(switch_stats):
        return Feedback(False, "units", f"{name}: the CV and the LV are plain numbers.")
    values = np.asarray(switch_stats, dtype=float).ravel()
    if not np.all(np.isfinite(values)):
        return Feedback(False, "nan", f"{name} contains NaN or infinity.")
    offset = int(_variant().switch_seed)
    trains = [_switching_train(_gamma_intervals_numpy, offset)]
    if callable(gamma_train):
        def own(k, rate, n, seed):
            out, problem = call_safely(gamma_train, k, rate, n, seed, name="gamma_train(...)")
            if problem is not None:
                raise ValueError(problem.message)
            return np.asarray(out / second if isinstance(out, Quantity) else out, dtype=float)
        try:
            trains.append(_switching_train(own, offset))
        except Exception:  # noqa: BLE001 - a broken gamma_train: only the prescribed train counts
            pass
    references = [_cv_lv(t) for t in trains]
    if callable(cv_isi) and callable(lv_isi):
        for t in trains:
            cv, problem_cv = call_safely(cv_isi, t * second, name="cv_isi(...)")
            lv, problem_lv = call_safely(lv_isi, t * second, name="lv_isi(...)")
            own_values = [plain_float(cv), plain_float(lv)] if problem_cv is problem_lv is None else []
            if len(own_values) == 2 and None not in own_values:
                references.append(np.array(own_values))
    for ref in references:
        if np.allclose(values, ref, rtol=1e-6, atol=0):
            return Feedback(True, "right", f"{name} is right.")
        if np.allclose(values[::-1], ref, rtol=1e-6, atol=0):
            return Feedback(False, "order", f"{name} seems to be in the wrong order: (CV, LV).")
    k = SWITCH_ORDER
    if np.allclose(values, [1 / np.sqrt(k), 3 / (2 * k + 1)], rtol=0.05):
        return Feedback(False, "concept", f"{name} is what one block would give in theory; the "
                                          "exercise asks for the statistics of the whole switching "
                                          "train: compute them from its spike times.")
    if any(np.isclose(values[0], ref[0], rtol=1e-6) for ref in references):
        return Feedback(False, "wrong", f"{name}: the CV is right, the LV is not: it compares each "
                                        "interval with the next one only.")
    if any(np.isclose(values[1], ref[1], rtol=1e-6) for ref in references):
        return Feedback(False, "wrong", f"{name}: the LV is right, the CV is not: the SD and mean of "
                                        "all intervals of the train.")
    return Feedback(False, "wrong", f"{name} is not the (CV, LV) of the 20-block train: check the "
                                    "seeds (variant.switch_seed + j), rates and numbers of "
                                    "intervals of the blocks, and that each block starts at the "
                                    "last spike of the previous one.")


def check_nonstationary_metric(choice) -> Feedback:
    """Multiple choice: what a slow rate drift does to CV and LV."""
    return _choice("nonstationary_metric", choice)


# --- the autocorrelogram ------------------------------------------------------------------

def acg_pair_counts(t, window, bins):
    """Reference autocorrelogram by a direct loop over spike pairs (times and window in second).

    Every ordered pair i != j with ``|t_j - t_i| < window`` is counted once, in bin
    k = floor((d + window) / b) of ``bins`` bins of width b = 2 window / bins covering
    [-window, window). ``t`` must be sorted."""
    t = np.asarray(t, dtype=float)
    b = 2 * window / bins
    counts = np.zeros(bins, dtype=int)
    for i in range(t.size):
        for j in range(i + 1, t.size):
            d = t[j] - t[i]
            if d >= window:
                break  # sorted: later spikes are further away
            for signed in (d, -d):
                counts[min(int(np.floor((signed + window) / b)), bins - 1)] += 1
    return counts


#: Duration (s) of the Poisson train of the autocorrelogram check.
ACG_POISSON_DURATION = 20.0


def acg_poisson_train(rate=50.0, duration=ACG_POISSON_DURATION, seed=616):
    """A Poisson train (second) of the given rate on [0, duration): exponential intervals."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.exponential(1 / rate, int(3 * rate * duration) + 100))
    return t[t < duration]


#: Trains of the autocorrelogram check: (label, spike times in s, window in s, bins, kind).
#: No pairwise difference lies within 1e-7 s of a bin edge or of +-window (tested), so every
#: correct binning gives the same counts.
ACG_CASES = (
    ("[5, 8, 9, 13.5] * ms", np.array([5.0, 8.0, 9.0, 13.5]) * 1e-3, 10e-3, 5, "hand"),
    ("[2, 3, 10, 31] * ms", np.array([2.0, 3.0, 10.0, 31.0]) * 1e-3, 20e-3, 4, "hand"),
    ("a regular train (60 spikes, period 12 ms)", (3.0 + 12.0 * np.arange(60)) * 1e-3, 50e-3, 41, "regular"),
    ("a Poisson train (50 Hz, 20 s)", None, 50e-3, 41, "poisson"),
)


@functools.lru_cache(maxsize=None)
def _acg_reference(case):
    label, t, window, bins, kind = ACG_CASES[case]
    if t is None:
        t = acg_poisson_train()
    b = 2 * window / bins
    return t, acg_pair_counts(t, window, bins), -window + (np.arange(bins) + 0.5) * b


def _acg_flat_violations(t, counts, window, bins, duration):
    """Bins of a Poisson autocorrelogram further than 5 SD from the flat expectation.

    Given n spikes on [0, T], ordered pairs at lag s have density n (n - 1) ``(T - |s|)`` / T^2; a
    bin of width b expects E = n (n - 1) b ``(T - |s|)`` / T^2 pairs. Each pair is counted at +d and
    -d, and pairs sharing a spike are correlated, so Var ~ 2 E (1 + 4 r b), r = n / T."""
    n, T = t.size, duration
    b = 2 * window / bins
    lags = -window + (np.arange(bins) + 0.5) * b
    expected = n * (n - 1) * b * (T - np.abs(lags)) / T ** 2
    sd = np.sqrt(2 * expected * (1 + 4 * n / T * b))
    return int(np.count_nonzero(np.abs(np.asarray(counts, dtype=float) - expected) > 5 * sd))


def _acg_mistake(call, values, ref, ref_lags, n_spikes, bins):
    """Feedback for a typical slip in the counts, or None."""
    centre = bins // 2 if bins % 2 else None
    if centre is not None and values[centre] - ref[centre] == n_spikes and np.array_equal(
            np.delete(values, centre), np.delete(ref, centre)):
        return Feedback(False, "concept", f"{call} pairs each spike with itself (d = 0): leave "
                                          "out i = j.")
    positive, negative = ref_lags > 0, ref_lags < 0
    if np.array_equal(values[positive], ref[positive]) and not np.any(values[negative]):
        return Feedback(False, "concept", f"{call} counts only t_j - t_i with j > i: count both "
                                          "orders, so that the histogram is symmetric.")
    if np.array_equal(values[negative], ref[negative]) and not np.any(values[positive]):
        return Feedback(False, "concept", f"{call} counts only one order of each pair: count "
                                          "both t_j - t_i and t_i - t_j.")
    if np.array_equal(2 * values, ref):
        return Feedback(False, "concept", f"{call} counts every pair once; count both orders "
                                          "(t_j - t_i and t_i - t_j).")
    return None


def check_autocorrelogram(autocorrelogram) -> Feedback:
    """``autocorrelogram(train, window, bins)`` returns ``(lags, counts)``: bin centres (second)
    and the number of ordered spike pairs i != j whose difference t_j - t_i falls in each of
    ``bins`` equal bins covering [-window, window) (pairs with ``|t_j - t_i| < window`` only).
    Checked on hand-computable trains against a direct count of the pairs, on a regular train
    (peaks only at multiples of the period) and on a Poisson train (flat within statistics)."""
    for case, (label, _, window, bins, kind) in enumerate(ACG_CASES):
        t, ref, ref_lags = _acg_reference(case)
        call = f"autocorrelogram({label}, {window * 1e3:g} * ms, {bins})"
        result, problem = call_safely(autocorrelogram, t * second, window * second, bins,
                                      name=call)
        if problem is not None:
            return problem
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return Feedback(False, "type", f"{call} must return a tuple (lags, counts).")
        lags, counts = result
        if (isinstance(counts, Quantity) and get_dimensions(counts) is second.dim
                and _is_dimensionless(lags)):
            return Feedback(False, "order", f"{call} returns (counts, lags); return (lags, counts).")
        if np.size(lags) == bins + 1:
            return Feedback(False, "concept", f"{call}: the lags are the {bins} bin centres, not "
                                              f"the {bins + 1} bin edges.")
        fb = check_quantity(lags, ref_lags * second, rtol=1e-9, atol=1e-12 * second,
                            name=f"the lags of {call}")
        if not fb:
            return fb
        fb = check_integers(counts, ref, name=f"the counts of {call}")
        if fb:
            continue
        if fb.kind in ("missing", "units", "type"):
            return fb
        values = np.asarray(counts, dtype=float).ravel()
        mistake = _acg_mistake(call, values, ref, ref_lags, t.size, bins)
        if mistake is not None:
            return mistake
        if kind == "regular":
            period, b = 12e-3, 2 * window / bins
            k = np.round(ref_lags / period)
            peaks = (np.abs(ref_lags - k * period) < b / 2) & (k != 0)
            if np.any(values[~peaks] != 0) or np.any(values[peaks] <= 0):
                return Feedback(False, "concept", f"{call}: a regular train has pairs only at "
                                                  "multiples of its period; the counts must peak "
                                                  "in those bins and be 0 elsewhere.")
        if kind == "poisson":
            bad = _acg_flat_violations(t, values, window, bins, ACG_POISSON_DURATION)
            if bad:
                return Feedback(False, "concept", f"{call} is not flat: {bad} of {bins} bins are "
                                                  "further than 5 standard errors from the "
                                                  "constant level that a Poisson train gives.")
        if fb.kind == "imprecise":
            return Feedback(False, "imprecise", f"{fb.message.split(':')[0]}: "
                                                f"the counts of {call} are off by one; check the "
                                                "bins: bin k holds -window + k b <= d < "
                                                "-window + (k + 1) b, and only |d| < window "
                                                "counts.")
        return fb
    return Feedback(True, "right", "autocorrelogram is right.")


def check_siegert_rate(siegert_rate) -> Feedback:
    """``siegert_rate(mu, sigma)``: the Siegert rate of the lesson's LIF (continuous time)."""
    model = LIF(**NEURON)
    for mu, sigma in SIEGERT_CASES:
        label = (f"siegert_rate({float(mu / pA):g} * pA, "
                 f"{float(sigma / (pA * second ** 0.5)):g} * pA * second ** 0.5)")
        value, problem = call_safely(siegert_rate, mu, sigma, name=label)
        if problem is not None:
            return problem
        reference = theory.lif_white_noise_rate(model, mu, sigma)
        feedback = check_quantity(value, reference, rtol=2e-3, name=label)
        if not feedback:
            if feedback.kind == "imprecise":
                no_ref = 1 / (1 / reference - NEURON["t_ref"])
                if abs(plain_float(value) / float(no_ref) - 1) < 2e-3:
                    return Feedback(False, "concept", f"{label} leaves out the refractory period "
                                                      "t_ref: it adds to the mean interval.")
            return feedback
    return Feedback(True, "right", "siegert_rate is right.")


@functools.lru_cache(maxsize=None)
def _adapt_reference():
    """Siegert rate and CV (with the time-step correction) of the non-adapting neuron."""
    model = LIF(**NEURON)
    rate = float(theory.lif_white_noise_rate(model, ADAPT_MU, ADAPT_SIGMA, dt=ADAPT_DT))
    cv = float(theory.lif_white_noise_cv(model, ADAPT_MU, ADAPT_SIGMA, dt=ADAPT_DT))
    return rate, cv


#: Seed of the adaptation sweep the sheet prescribes (variant 0's; see VARIANTS), and how close (relative) an answer must be
#: to what that run gives: far below the sampling error (about 2 % for a rate, 0.03 absolute
#: for rho_1), so values typed in within the checks' tolerances do not pass.
ADAPT_SEED = 3
RUN_RTOL = 1e-6
#: The tolerance against the run: relative, with a floor for values near zero (rho_1 without
#: adaptation).
_RUN_TOL = dict(rtol=RUN_RTOL, atol=RUN_RTOL * 1e-3)


def _adapt_run_text(seed) -> str:
    return f"one group, seed={seed}, spikes after 1 s"


@functools.lru_cache(maxsize=None)
def _adaptation_run(seed=ADAPT_SEED):
    """(rates in Hz, rho_1) of the sweep exercise 7 prescribes (one group, ``seed``: the
    variant's, ADAPT_SEED in variant 0).

    Unlike the references above, this re-runs the course's simulation: it tells numbers that
    came from the prescribed run from numbers typed in (issue 17)."""
    from .. import analysis, stimuli
    from ..models import AdaptiveThreshold
    from ..simulation import simulate

    n = ADAPT_DELTAS.size
    model = LIF(**NEURON) + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=ADAPT_DELTAS)
    noise = stimuli.white_noise(np.full(n, float(ADAPT_MU / pA)) * pA,
                                np.full(n, float(ADAPT_SIGMA / (pA * second ** 0.5))) * pA * second ** 0.5)
    run = simulate(model, noise, ADAPT_T, dt=ADAPT_DT, record=(), seed=int(seed))
    rates = np.asarray(run.rates(start=ADAPT_T0) / Hz, dtype=float)
    rho1 = np.asarray(analysis.serial_correlation(run.spike_trains, 1, start=ADAPT_T0), dtype=float)[:, 0]
    return rates, rho1


def check_adaptation_rates(rates) -> Feedback:
    """Rates of the three neurons of the adaptation sweep (Hz); the first (no adaptation) is
    compared with the Siegert formula within 5 standard errors plus 2 %."""
    rate, cv = _adapt_reference()
    T = float(ADAPT_T - ADAPT_T0)
    tol = (5 * cv * np.sqrt(rate / T) + 0.02 * rate) / rate
    n = ADAPT_DELTAS.size
    if rates is None or rates is Ellipsis:
        return Feedback(False, "missing", "rates_sfa: no answer yet.")
    shape_ok = np.size(rates) == n if not isinstance(rates, (str, bytes)) else False
    if not shape_ok:
        return Feedback(False, "type", f"rates_sfa should hold {n} rates, one per neuron.")
    fb = check_quantity(rates, np.full(n, rate) * Hz, rtol=np.inf, name="rates_sfa")
    if fb.kind in ("units", "type", "nan"):
        return fb
    values = np.asarray(rates, dtype=float).ravel()
    fb = check_quantity(values[0] * Hz, rate * Hz, rtol=tol,
                        name="the rate of the non-adapting neuron (rates_sfa[0])")
    if not fb:
        return fb
    if np.any(values[1:] <= 0) or np.any(np.diff(values) >= 0):
        return Feedback(False, "concept", "rates_sfa must fall as Delta_Theta grows: each spike "
                                          "raises the threshold.")
    seed = int(_variant().adapt_seed)
    return from_prescribed_run(Feedback(True, "right", "rates_sfa is right."), values,
                               [lambda: _adaptation_run(seed)[0]], "rates_sfa",
                               _adapt_run_text(seed), **_RUN_TOL)


def check_adaptation_rho1(rho1) -> Feedback:
    """rho_1 of the three neurons: about 0 without adaptation (renewal), clearly negative with."""
    rate, _ = _adapt_reference()
    n = ADAPT_DELTAS.size
    if rho1 is None or rho1 is Ellipsis:
        return Feedback(False, "missing", "rho1_sfa: no answer yet.")
    fb = check_quantity(rho1, np.zeros(n), rtol=np.inf, atol=np.inf, name="rho1_sfa")
    if fb.kind in ("units", "type", "nan"):
        return fb
    values = np.asarray(rho1, dtype=float).ravel()
    if np.any(np.abs(values) > 1):
        return Feedback(False, "wrong", "rho1_sfa: a correlation coefficient lies between -1 "
                                        "and 1.")
    bound = 5 / np.sqrt(rate * float(ADAPT_T - ADAPT_T0)) + 0.02
    if abs(values[0]) > bound:
        return Feedback(False, "wrong", "rho1_sfa[0] is too far from 0: without adaptation the "
                                        "LIF with white noise is a renewal process.")
    if np.all(values[1:] > 0.05):
        return Feedback(False, "sign", "rho1_sfa of the adapting neurons has the wrong sign.")
    if np.any(values[1:] > -0.05):
        return Feedback(False, "wrong", "rho1_sfa of the adapting neurons should be clearly "
                                        "different from 0.")
    seed = int(_variant().adapt_seed)
    return from_prescribed_run(Feedback(True, "right", "rho1_sfa is right."), values,
                               [lambda: _adaptation_run(seed)[1]], "rho1_sfa",
                               _adapt_run_text(seed), **_RUN_TOL)


def check_fano_adaptation(choice) -> Feedback:
    """Multiple choice: the long-window Fano factor of the adapting neuron versus CV^2."""
    return _choice("fano_adaptation", choice)


# --- exercise 8 (plot task): are the neurons Poissonian? ---------------------------------------

#: The run of the plot task: the lesson's LIF with an adaptive threshold (tau_Theta = 100 ms),
#: Delta_Theta = 0 and 10 mV in one group, white noise (ADAPT_MU, ADAPT_SIGMA), 200 s, seed 4
#: (variant 0's; the variant's ``acg_seed``); autocorrelograms of the spikes after ``start`` in
#: ``bins`` bins on [-window, window).
POISSON_ACG = dict(deltas=np.array([0.0, 10.0]) * mV, duration=200 * second, seed=4,
                   start=1 * second, window=200 * ms, bins=81)
#: What the two autocorrelograms are called in messages.
_ACG_NAMES = ("the autocorrelogram without adaptation",
              "the autocorrelogram with adaptation (Delta_Theta = 10 mV)")


@functools.lru_cache(maxsize=None)
def _poisson_acg_run(seed=POISSON_ACG["seed"]):
    """(lags in s, autocorrelograms in Hz (2, bins), rates in Hz) of the plot task's run with
    ``seed`` (the variant's), as the prompt prescribes it: ``simulate`` and
    ``analysis.autocorrelogram`` (cached per seed: computed once per grading batch for the
    variant of the fork server's warm-up, once per kernel for the others)."""
    from .. import analysis, stimuli
    from ..models import AdaptiveThreshold
    from ..simulation import simulate

    p = POISSON_ACG
    n = p["deltas"].size
    model = LIF(**NEURON) + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=p["deltas"])
    noise = stimuli.white_noise(np.full(n, float(ADAPT_MU / pA)) * pA,
                                np.full(n, float(ADAPT_SIGMA / (pA * second ** 0.5))) * pA * second ** 0.5)
    run = simulate(model, noise, p["duration"], dt=ADAPT_DT, record=(), seed=int(seed))
    lags, acg = analysis.autocorrelogram(run.spike_trains, window=p["window"], bins=p["bins"],
                                         start=p["start"])
    rates = np.asarray(run.rates(start=p["start"]) / Hz, dtype=float)
    return np.asarray(lags, dtype=float), np.asarray(acg / Hz, dtype=float), rates


def _acg_curve(k, seed=POISSON_ACG["seed"]):
    """The Curve spec of autocorrelogram ``k``. Its span leaves out the outermost bin on each
    side: a spike pair exactly one window apart (spike times lie on the 0.1 ms grid, and so does
    the window's edge) falls inside or outside the window by rounding, depending on how the
    differences are computed (seconds or ms, np.histogram or a loop), so those two bins may
    differ by a pair or two between correct computations."""
    lags, acg, _ = _poisson_acg_run(seed)
    b = lags[1] - lags[0]
    span = ((lags[0] + 0.5 * b) * second, (lags[-1] - 0.5 * b) * second)
    return Curve(_ACG_NAMES[k], span, x=lags * second, y=acg[k] * Hz, rtol=0.02, ytol=0.05 * Hz)


def check_poisson_acg_figure(fig) -> Feedback:
    """Plot task: the autocorrelograms (Hz, against the lag) of the neuron without and with
    adaptation of the prescribed run, each with the Poisson expectation (a flat line at that
    neuron's rate, within 3 %: the rate of the spikes after 1 s, or of the whole run), a legend
    and units. One panel for both or one panel each; lines, steps or markers (not bars)."""
    name = "fig_acg"
    seed = int(_variant().acg_seed)
    lags, _, rates = _poisson_acg_run(seed)
    lo, hi = lags[0], lags[-1]
    holders = []
    for k in range(2):
        pair = [_acg_curve(k, seed),
                Level(f"the Poisson expectation beside {_ACG_NAMES[k]} (a flat line at that rate)",
                      rates[k] * Hz, (lo * second, hi * second), rtol=0.03)]
        feedback = check_figure(fig, pair, name=name)
        if not feedback:
            return feedback
        holders.append(next(ax for ax in axes_of(fig) if check_figure(ax, pair, name=name)))
    for ax in set(holders):
        needed = holders.count(ax) + 1
        legend = ax.get_legend()
        texts = [t.get_text().strip() for t in legend.get_texts()] if legend is not None else []
        if len([t for t in texts if t]) < needed:
            return Feedback(False, "legend", f"{name} needs a legend naming the autocorrelograms "
                                             "and the Poisson expectation (label=... and "
                                             "ax.legend()).")
    return Feedback(True, "right", f"{name} shows both autocorrelograms and the Poisson "
                                   "expectation, with units and a legend.")
