# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/solutions/06_cv_autocorrelation.ipynb)
#
# # Exercise sheet 06 — CV, autocorrelation and serial correlations
#
# Companion to lesson 06 (`notebooks/06_cv_autocorrelation.ipynb`). Each exercise has a cell for
# your answer (replace the line `raise NotImplementedError(...)`) followed by a test cell. Run the
# test cell: it tells you whether your answer is right, or what kind of mistake it is, without
# showing the answer. The grader runs the same test cells plus some hidden tests.
#
# You can also check an answer yourself at any time, e.g. `check_cv_isi(cv_isi)`.
# Keep the variable names given in each exercise: the tests look for them. Do not edit the test
# cells (the grader uses its own copy).
#
# A **plot task** asks for a figure in a variable (`fig_...`): the test reads the curves back
# from it, in the units your axis labels name, so label every axis with its unit, e.g.
# `"V (mV)"`. A **written task** is a text cell (replace `YOUR ANSWER HERE`); your instructor
# grades it by hand.
#
# Points: 20 in total (2 of them graded by hand).

# %% nbgrader={"grade": false, "grade_id": "colab_install", "locked": true, "schema_version": 3, "solution": false, "task": false}
# Google Colab only: install the course package there (about a minute, once per session).
# Anywhere else this cell does nothing.
import importlib.util
import sys

if "google.colab" in sys.modules and importlib.util.find_spec("sfa_helpers") is None:
    import importlib.metadata
    import subprocess

    COURSE = "sfa-helpers @ git+https://github.com/sfa-course/single-neuron-modelling"
    keep = []  # Colab's own numpy and ipywidgets stay: a changed numpy needs a runtime restart
    for name in ("numpy", "ipywidgets"):
        try:
            keep.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", COURSE, *keep],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("installing the course failed:\n" + done.stderr[-3000:])
    importlib.invalidate_caches()

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import numpy as np
import matplotlib.pyplot as plt
from brian2 import Hz, Mohm, mV, ms, pA, pF, second
from scipy.integrate import quad
from scipy.special import erfcx

from sfa_helpers import analysis, simulate, stimuli, theory
from sfa_helpers.checks import (check_adaptation_rates, check_adaptation_rho1,
                                check_autocorrelogram, check_cv_isi, check_fano_adaptation,
                                check_gamma_train, check_lv_isi, check_switch_stats,
                                check_nonstationary_metric, check_poisson_acg_figure,
                                check_siegert_rate, require, sheet_variant)
from sfa_helpers.models import LIF, AdaptiveThreshold
from sfa_helpers.notebook import setup

setup()

# %% [markdown]
# ## Your numbers
#
# The seeds of exercises 4, 7 and 8 (`variant.switch_seed`, `variant.adapt_seed`,
# `variant.acg_seed`) and the order of the multiple-choice options depend on who you are: each
# student has their own numbers, so answers cannot be copied. Write your id between the quotes,
# exactly as your instructor grades you (your login, e.g. `"alice"`), and run the cell. The
# grader always uses the id your submission is filed under.

# %% nbgrader={"grade": false, "grade_id": "student_id", "locked": false, "schema_version": 3, "solution": false, "task": false}
STUDENT_ID = ""
variant = sheet_variant("06", STUDENT_ID)

# %% [markdown]
# The neuron of lesson 06 (NEST-compatible LIF): $C_m$ = 250 pF, $\tau_m$ = 10 ms
# ($R = \tau_m / C_m$ = 40 MΩ), $E_L$ = −70 mV, $V_{th}$ = −55 mV, $V_{reset}$ = −70 mV,
# $t_{ref}$ = 2 ms. Its rheobase is 375 pA. Spike trains are Brian2 quantities in seconds,
# sorted in time, as in the lesson.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
neuron = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
             C_m=250 * pF)
print(f"R = {float(neuron.R / Mohm):.0f} MOhm, "
      f"rheobase {float(theory.lif_rheobase(neuron) / pA):.0f} pA")

# %% [markdown]
# ## Exercise 1 — The coefficient of variation (2 points)
#
# For the inter-spike intervals $I_1, \ldots, I_n$ of a train,
#
# $$CV = \frac{\mathrm{SD}(I)}{\langle I \rangle}, \qquad
#   \mathrm{SD}(I) = \sqrt{\frac{1}{n}\sum_{i=1}^n \big(I_i - \langle I\rangle\big)^2}$$
#
# (the *population* SD, as `analysis.cv`). Write `cv_isi(train)` without using `sfa_helpers`:
# `train` is a Quantity array of spike times; return the CV as a plain number, and `np.nan` when
# the train has fewer than 3 spikes (fewer than two intervals: no spread to measure).

# %% nbgrader={"grade": false, "grade_id": "cv_isi", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cv_isi(train):
    """Coefficient of variation of the intervals of one spike train (dimensionless)."""
    ### BEGIN SOLUTION
    t = np.asarray(train / second, dtype=float)
    if t.size < 3:
        return np.nan
    isi = np.diff(t)
    return float(isi.std() / isi.mean())
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "cv_isi_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("cv_isi")
check_cv_isi(cv_isi).assert_ok()
### BEGIN HIDDEN TESTS
# Gamma intervals of order 4 have CV = 1/2; 20000 intervals give a standard error of 0.003.
gamma_hidden = np.cumsum(np.random.default_rng(61).gamma(4, 1 / 80, 20000)) * second
assert abs(cv_isi(gamma_hidden) - 0.5) < 0.015
poisson_hidden = analysis.poisson_spike_trains(10 * Hz, 1000 * second, seed=62)[0]
assert abs(cv_isi(poisson_hidden) - 1) < 5 / np.sqrt(poisson_hidden.size)
assert cv_isi(np.arange(1, 50) * 10 * ms) < 1e-9
assert np.isnan(cv_isi(np.array([0.1, 0.2]) * second))
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — A local measure: LV (2 points)
#
# The local variation (Shinomoto et al. 2003) compares each interval only with the next one:
#
# $$LV = \frac{3}{n-1}\sum_{i=1}^{n-1}\left(\frac{I_i - I_{i+1}}{I_i + I_{i+1}}\right)^2 .$$
#
# Write `lv_isi(train)` (same input and output conventions as `cv_isi`, NaN for fewer than
# 3 spikes). Before you test: what are the CV and the LV of a train whose intervals alternate
# 10 ms, 30 ms, 10 ms, 30 ms, ...?

# %% nbgrader={"grade": false, "grade_id": "lv_isi", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lv_isi(train):
    """Local variation of the intervals of one spike train (dimensionless)."""
    ### BEGIN SOLUTION
    t = np.asarray(train / second, dtype=float)
    if t.size < 3:
        return np.nan
    isi = np.diff(t)
    a, b = isi[:-1], isi[1:]
    return float(3 * np.mean(((a - b) / (a + b)) ** 2))
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "lv_isi_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("lv_isi")
check_lv_isi(lv_isi).assert_ok()
### BEGIN HIDDEN TESTS
# Gamma intervals of order k: LV = 3/(2k + 1) (1 for Poisson, 1/3 for k = 4).
gamma_hidden = np.cumsum(np.random.default_rng(63).gamma(4, 1 / 80, 20000)) * second
assert abs(lv_isi(gamma_hidden) - 1 / 3) < 0.02
poisson_hidden = analysis.poisson_spike_trains(10 * Hz, 1000 * second, seed=64)[0]
assert abs(lv_isi(poisson_hidden) - 1) < 0.06
alternating = np.concatenate([[0.0], np.cumsum(np.tile([10.0, 30.0], 20))]) * ms
assert abs(lv_isi(alternating) - 0.75) < 1e-6 and abs(cv_isi(alternating) - 0.5) < 1e-6
assert np.isnan(lv_isi(np.array([0.1]) * second))
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — Gamma trains with a known CV (2 points)
#
# A renewal train whose intervals follow a gamma distribution of order $k$ and rate $r$,
#
# $$p(I) = \frac{(k r)^k I^{k-1}}{(k-1)!}\, e^{-k r I}, \qquad \langle I\rangle = \frac1r, \qquad
#   CV = \frac{1}{\sqrt k},$$
#
# interpolates between Poisson ($k$ = 1) and regular ($k \to \infty$). Write
# `gamma_train(k, rate, n, seed)`: draw `n` such intervals with `np.random.default_rng(seed)`
# (numpy's `gamma(shape, scale)` has mean `shape * scale`) and return the `n` spike times, the
# cumulative sums of the intervals (so the first spike comes one interval after $t = 0$), as a
# Quantity in seconds. The test compares the mean
# interval and the CV of 20000 intervals with theory, within 5 standard errors.

# %% nbgrader={"grade": false, "grade_id": "gamma_train", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gamma_train(k, rate, n, seed):
    """n spike times (second) with gamma intervals of order k and mean 1/rate."""
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    intervals = rng.gamma(k, 1 / (k * float(rate / Hz)), n)
    return np.cumsum(intervals) * second
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "gamma_train_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("gamma_train")
check_gamma_train(gamma_train).assert_ok()
### BEGIN HIDDEN TESTS
train_hidden = np.asarray(gamma_train(4, 10 * Hz, 40000, 65) / second)
isi_hidden = np.diff(np.concatenate([[0.0], train_hidden]))
assert abs(isi_hidden.mean() / 0.1 - 1) < 5 / np.sqrt(4 * 40000)
assert abs(isi_hidden.std() / isi_hidden.mean() - 0.5) < 5 * 0.5 * np.sqrt(1.25 / 80000)
assert np.array_equal(np.asarray(gamma_train(2, 5 * Hz, 10, 3)), np.asarray(gamma_train(2, 5 * Hz, 10, 3)))
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — A train whose rate switches (3 points)
#
# Build a non-stationary train from 20 blocks: block $j$ = 0 … 19 holds gamma intervals of
# order 4 from `gamma_train(4, rate, n, seed=variant.switch_seed + j)` (your numbers), with
# rate 5 Hz and 50 intervals for even $j$, and 40 Hz and 400 intervals for odd $j$ (about 10 s
# each); the blocks follow each other (each block starts at the last spike of the previous
# one). Every block is locally a gamma train of order 4, but the rate jumps between blocks.
#
# Store in `switch_stats` the pair (CV, LV) of the intervals of the whole train (your `cv_isi`
# and `lv_isi`, or `analysis.cv` and `analysis.lv`). For gamma intervals of order $k$,
# $CV = 1/\sqrt k$ and $LV = 3/(2k+1)$: which order does each of your two numbers suggest, and
# which statistic is fooled by the rate switches? (Print both orders; the question after the
# test asks why.)

# %% nbgrader={"grade": false, "grade_id": "switch_stats", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
blocks, t_end = [], 0.0
for j in range(20):
    rate, n = (5 * Hz, 50) if j % 2 == 0 else (40 * Hz, 400)
    block = np.asarray(gamma_train(4, rate, n, seed=variant.switch_seed + j) / second) + t_end
    blocks.append(block)
    t_end = block[-1]
switching = np.concatenate(blocks) * second
switch_stats = (cv_isi(switching), lv_isi(switching))
cv_switch, lv_switch = switch_stats
print(f"CV {cv_switch:.2f}: suggests k = {1 / cv_switch ** 2:.1f}; "
      f"LV {lv_switch:.2f}: suggests k = {(3 / lv_switch - 1) / 2:.1f}")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "switch_stats_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("switch_stats")
check_switch_stats(switch_stats, gamma_train, cv_isi, lv_isi).assert_ok()
### BEGIN HIDDEN TESTS
# The rate switches inflate the CV far beyond one block's 1/2; the LV stays near 3/9.
cv_h, lv_h = (float(x) for x in switch_stats)
assert cv_h > 1.0 and abs(lv_h - 1 / 3) < 0.05
### END HIDDEN TESTS

# %% [markdown]
# A recording in which the firing rate drifts slowly (over tens of seconds) while the firing is
# locally Poisson-like. Which statement is right (the options, in the order of your numbers,
# are shown below)? Store `"a"`, `"b"`, `"c"` or `"d"` in `nonstationary_metric`.

# %% nbgrader={"grade": false, "grade_id": "nonstationary_metric_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("nonstationary_metric")

# %% nbgrader={"grade": false, "grade_id": "nonstationary_metric", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
nonstationary_metric = variant.letter_of("nonstationary_metric", "local")  # "LV and CV2 stay local"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "nonstationary_metric_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("nonstationary_metric")
check_nonstationary_metric(nonstationary_metric).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("nonstationary_metric", nonstationary_metric) == "local"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — The autocorrelogram (2 points)
#
# The autocorrelogram shows where the *other* spikes of a train lie relative to each spike. It is
# the histogram of the differences $d = t_j - t_i$ over all ordered pairs of distinct spikes
# ($i \ne j$, so every pair appears twice, as $d$ and as $-d$, and the histogram is symmetric)
# with $|d| < W$, in `bins` equal bins of width $b = 2W/\text{bins}$ covering $[-W, W)$:
# bin $k$ ($k = 0, \ldots, \text{bins} - 1$) holds the differences with
# $-W + k b \le d < -W + (k + 1) b$.
#
# Write `autocorrelogram(train, window, bins)` without using `sfa_helpers`
# (`analysis.autocorrelogram` does this; do not call it): `train` is a Quantity array of sorted
# spike times, `window` is $W$ (a time), `bins` a positive integer. Return a tuple
# `(lags, counts)`: `lags` the bin centres $-W + (k + \frac12) b$ as a Quantity array of `bins`
# times, `counts` a numpy array of `bins` whole numbers, the number of differences in each bin
# (not normalised). Hint: `np.subtract.outer(t, t)` holds all differences $t_i - t_j$ (the
# diagonal is $i = j$); `np.histogram(d, bins=bins, range=(-W, W))` uses the bins above (its last
# bin would also take $d = W$, which $|d| < W$ excludes).
#
# The test compares your counts with a direct count of the pairs for small trains (for example
# spikes at 5, 8, 9 and 13.5 ms with $W$ = 10 ms and 5 bins: work this one out by hand first),
# and checks the two properties of the lesson with 41 bins in ±50 ms: a regular train peaks at
# the multiples of its period (and is 0 elsewhere, even at lag 0), a Poisson train is flat within
# its statistical error.

# %% nbgrader={"grade": false, "grade_id": "autocorrelogram", "locked": false, "schema_version": 3, "solution": true, "task": false}
def autocorrelogram(train, window, bins):
    """Histogram (lags, counts) of all differences t_j - t_i, i != j, with |t_j - t_i| < window."""
    ### BEGIN SOLUTION
    t = np.asarray(train / second, dtype=float)
    W = float(window / second)
    d = np.subtract.outer(t, t)[~np.eye(t.size, dtype=bool)]
    counts, edges = np.histogram(d[np.abs(d) < W], bins=bins, range=(-W, W))
    return (edges[:-1] + edges[1:]) / 2 * second, counts
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "autocorrelogram_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("autocorrelogram")
check_autocorrelogram(autocorrelogram).assert_ok()
### BEGIN HIDDEN TESTS
# By hand: differences +-1, +-2.5, +-3.5 ms in 4 bins of 2 ms.
lags_h, counts_h = autocorrelogram(np.array([1.0, 2.0, 4.5]) * ms, 4 * ms, 4)
assert np.allclose(np.asarray(lags_h / ms, dtype=float), [-3.0, -1.0, 1.0, 3.0])
assert np.array_equal(np.asarray(counts_h), [2, 1, 1, 2])
# 20 spikes every 10 ms, bins of 10 ms centred on 0, +-10, +-20, +-30 ms: n - 1, n - 2, n - 3
# pairs at one, two, three periods, none at lag 0.
lags_h, counts_h = autocorrelogram((2.0 + 10.0 * np.arange(20)) * ms, 35 * ms, 7)
assert np.allclose(np.asarray(lags_h / ms, dtype=float), [-30, -20, -10, 0, 10, 20, 30])
assert np.array_equal(np.asarray(counts_h), [17, 18, 19, 0, 19, 18, 17])
# Poisson (n spikes uniform on [0, T]): E = n (n - 1) b (T - |s|) / T^2 ordered pairs per bin,
# Var ~ 2 E (1 + 4 r b) (each pair twice, pairs sharing a spike); every bin within 5 SD.
t_h = np.sort(np.random.default_rng(66).uniform(0.0, 20.0, 1000))
lags_h, counts_h = autocorrelogram(t_h * second, 50 * ms, 41)
b_h = 0.1 / 41
E_h = 1000 * 999 * b_h * (20.0 - np.abs(np.asarray(lags_h, dtype=float))) / 20.0 ** 2
assert np.all(np.abs(np.asarray(counts_h) - E_h) < 5 * np.sqrt(2 * E_h * (1 + 4 * 50 * b_h)))
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — The Siegert rate (2 points)
#
# For the LIF driven by white noise $I(t) = \mu + \sigma\xi(t)$ ($\sigma$ in pA·√s), with the
# mean free potential $\mu_V = E_L + R\mu$ and $\sigma_B = R\sigma/\sqrt{\tau_m}$,
#
# $$\frac{1}{r} = t_{ref} + \tau_m\sqrt\pi\int_{y_r}^{y_{th}} e^{u^2}\big(1 + \mathrm{erf}\,u\big)\,du,
#   \qquad y_{th} = \frac{V_{th} - \mu_V}{\sigma_B}, \quad y_r = \frac{V_{reset} - \mu_V}{\sigma_B}.$$
#
# Write `siegert_rate(mu, sigma)` for `neuron` (use its attributes `neuron.tau_m`, `neuron.R`,
# ...) that returns the rate in Hz, computing the integral with `scipy.integrate.quad` (do not
# call `theory.lif_white_noise_rate`, which the test uses). Hint:
# $e^{u^2}(1 + \mathrm{erf}\,u) = \mathrm{erfcx}(-u)$ (`scipy.special.erfcx`) does not overflow.

# %% nbgrader={"grade": false, "grade_id": "siegert_rate", "locked": false, "schema_version": 3, "solution": true, "task": false}
def siegert_rate(mu, sigma):
    """Stationary rate (Hz) of `neuron` under white noise with mean mu and intensity sigma."""
    ### BEGIN SOLUTION
    mu_V = neuron.E_L + neuron.R * mu
    sigma_B = neuron.R * sigma / np.sqrt(neuron.tau_m)
    y_th = float((neuron.V_th - mu_V) / sigma_B)
    y_r = float((neuron.V_reset - mu_V) / sigma_B)
    integral, _ = quad(lambda u: erfcx(-u), y_r, y_th)
    return 1 / (neuron.t_ref + neuron.tau_m * np.sqrt(np.pi) * integral)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "siegert_rate_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("siegert_rate")
check_siegert_rate(siegert_rate).assert_ok()
### BEGIN HIDDEN TESTS
# Direct quadrature of the textbook integrand (mV, ms): mu = 450 pA, sigma = 15 pA*sqrt(s).
from scipy.special import erf

s_B = 40.0 * 15e-3 / np.sqrt(0.01)          # R sigma / sqrt(tau_m), in mV (R in MOhm, pA*sqrt(s))
mu_V_h = -70.0 + 40.0 * 0.45                # E_L + R mu in mV
I_h, _ = quad(lambda u: np.exp(u * u) * (1 + erf(u)), (-70.0 - mu_V_h) / s_B, (-55.0 - mu_V_h) / s_B)
r_h = 1 / (2e-3 + 10e-3 * np.sqrt(np.pi) * I_h)
assert abs(float(siegert_rate(450 * pA, 15 * pA * second ** 0.5) / Hz) / r_h - 1) < 1e-3
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 7 — Adaptation makes neighbouring intervals anti-correlated (3 points)
#
# Give `neuron` an adaptive threshold, $\tau_\Theta$ = 100 ms and the three values of
# $\Delta\Theta$ in `delta_thetas` below, as **one** model
# (`neuron + AdaptiveThreshold(tau_Theta=..., Delta_Theta=delta_thetas)`: three neurons in one
# group). Drive all three with the same white noise statistics,
# `stimuli.white_noise(mu, sigma)` with $\mu$ = 400 pA and $\sigma$ = 20 pA·√s (give arrays of
# three values), and simulate 50 s with `dt=0.1 * ms`, `record=()` and `seed=variant.adapt_seed`
# (your numbers). From the spikes after 1 s (`start=1 * second`) store
#
# * `rates_sfa`: the three firing rates (Hz), from `result.rates(start=...)`,
# * `rho1_sfa`: the three serial correlation coefficients $\rho_1$ of neighbouring intervals
#   (plain numbers), from `analysis.serial_correlation(trains, 1, start=...)`.
#
# The test compares the non-adapting neuron with the Siegert rate corrected for the time step,
# and your numbers with the run described here.

# %% nbgrader={"grade": false, "grade_id": "delta_thetas", "locked": true, "schema_version": 3, "solution": false, "task": false}
delta_thetas = np.array([0.0, 5.0, 10.0]) * mV

# %% nbgrader={"grade": false, "grade_id": "adaptation_sweep", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
adaptive = neuron + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=delta_thetas)
noise = stimuli.white_noise(np.full(3, 400.0) * pA, np.full(3, 20.0) * pA * second ** 0.5)
sweep = simulate(adaptive, noise, 50 * second, dt=0.1 * ms, record=(), seed=variant.adapt_seed)
rates_sfa = sweep.rates(start=1 * second)
rho1_sfa = analysis.serial_correlation(sweep.spike_trains, 1, start=1 * second)[:, 0]
cv_sfa = analysis.cv(sweep.spike_trains, start=1 * second)
for d, r, c, rho in zip(delta_thetas / mV, rates_sfa / Hz, cv_sfa, rho1_sfa):
    print(f"Delta_Theta = {d:4.1f} mV: rate {r:5.1f} Hz, CV {c:.2f}, rho_1 {rho:+.2f}")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "adaptation_sweep_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("rates_sfa", "rho1_sfa")
check_adaptation_rates(rates_sfa).assert_ok()
check_adaptation_rho1(rho1_sfa).assert_ok()
### BEGIN HIDDEN TESTS
# The Siegert integral written out (mV, s): mu_V = E_L + R mu = -54 mV, sigma_B = R sigma /
# sqrt(tau_m) = 8 mV; on the 0.1 ms grid the threshold acts as if raised by 0.5826 sqrt(dt/tau_m)
# sigma_B (mean overshoot of a Gaussian random walk). Tolerance: 5 standard errors of a rate
# measured from r T intervals with CV <= 1, plus 2 % for the grid correction.
from scipy.special import erf

y_r_h, y_th_h = (-70.0 + 54.0) / 8.0, (-55.0 + 54.0) / 8.0 + 0.5826 * np.sqrt(0.1 / 10.0)
I_h, _ = quad(lambda u: np.exp(u * u) * (1 + erf(u)), y_r_h, y_th_h)
r_hidden = 1 / (2e-3 + 10e-3 * np.sqrt(np.pi) * I_h)
rates_h = np.asarray(rates_sfa / Hz, dtype=float)
assert abs(rates_h[0] / r_hidden - 1) < 5 / np.sqrt(r_hidden * 49.0) + 0.02
assert rates_h[2] < 0.5 * rates_h[0]
rho_h = np.asarray(rho1_sfa, dtype=float)
assert abs(rho_h[0]) < 0.1 and rho_h[2] < rho_h[1] < 0
### END HIDDEN TESTS

# %% [markdown]
# For long counting windows $F(w\to\infty) = CV^2\big(1 + 2\sum_{k\ge1}\rho_k\big)$. For the
# neuron with $\Delta\Theta$ = 10 mV, which statement is right (the options, in the order of
# your numbers, are shown below)? Store `"a"`, `"b"`, `"c"` or `"d"` in `fano_adaptation`.

# %% nbgrader={"grade": false, "grade_id": "fano_adaptation_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("fano_adaptation")

# %% nbgrader={"grade": false, "grade_id": "fano_adaptation", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
fano_adaptation = variant.letter_of("fano_adaptation", "anticorrelated")  # F < CV^2
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "fano_adaptation_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("fano_adaptation")
check_fano_adaptation(fano_adaptation).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("fano_adaptation", fano_adaptation) == "anticorrelated"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 8 — Are the neurons Poissonian? (plot task, 2 points)
#
# A Poisson process of rate $r$ has a flat autocorrelogram: given a spike at lag 0, the other
# spikes come at the rate $r$ at every lag. Compare a neuron without and one with adaptation
# under noise. Build, **in this exercise's cell** (so that it does not depend on your answer to
# exercise 7), `neuron + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=...)` with
# $\Delta\Theta$ = 0 and 10 mV (two neurons in one group), drive both with
# `stimuli.white_noise(mu, sigma)`, $\mu$ = 400 pA and $\sigma$ = 20 pA·√s (arrays of two values),
# and simulate 200 s with `dt=0.1 * ms`, `record=()` and `seed=variant.acg_seed` (your numbers).
# From the spikes after 1 s compute
#
# * the autocorrelograms, `analysis.autocorrelogram(result.spike_trains, window=200 * ms,
#   bins=81, start=1 * second)` (in Hz: the rate of spikes at each lag given a spike at 0),
# * the rates, `result.rates(start=1 * second)`.
#
# Draw a figure `fig_acg` with the two autocorrelograms (Hz) against the lag (ms), each with the
# Poisson expectation, a flat line at that neuron's rate, and a legend naming the curves: both
# neurons on one panel, or one panel each. Draw lines (`ax.plot`, `ax.step(..., where="mid")`
# or `ax.axhline`), not bars: the test does not read bar charts. Print also the CV
# (`analysis.cv`) and the Fano factor of the spike counts in 1 s windows
# (`analysis.fano_factor(trains, 1 * second, start=1 * second, stop=200 * second)`) of both
# neurons: exercise 9 asks about them.

# %% nbgrader={"grade": false, "grade_id": "poisson_acg", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
pair_model = neuron + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=np.array([0.0, 10.0]) * mV)
pair_noise = stimuli.white_noise(np.full(2, 400.0) * pA, np.full(2, 20.0) * pA * second ** 0.5)
pair_run = simulate(pair_model, pair_noise, 200 * second, dt=0.1 * ms, record=(),
                    seed=variant.acg_seed)
lags_acg, acg_pair = analysis.autocorrelogram(pair_run.spike_trains, window=200 * ms, bins=81,
                                              start=1 * second)
rates_pair = pair_run.rates(start=1 * second)
cv_pair = analysis.cv(pair_run.spike_trains, start=1 * second)
fano_pair = analysis.fano_factor(pair_run.spike_trains, 1 * second, start=1 * second,
                                 stop=200 * second)
fig_acg, axes_acg = plt.subplots(1, 2, figsize=(9, 3.2), sharex=True, layout="constrained")
for ax, k, title, color in ((axes_acg[0], 0, "without adaptation", "C0"),
                            (axes_acg[1], 1, "with adaptation (ΔΘ = 10 mV)", "C3")):
    ax.step(lags_acg / ms, acg_pair[k] / Hz, where="mid", color=color, label="autocorrelogram")
    ax.axhline(rates_pair[k] / Hz, color="k", ls="--", lw=1, label="Poisson")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.set_xlabel("lag (ms)")
    ax.set_ylabel("autocorrelogram (Hz)")
    ax.legend(frameon=False, loc="lower right")
plt.show()
for label, r, c, f in zip(("no adaptation", "ΔΘ = 10 mV"), rates_pair / Hz, cv_pair, fano_pair):
    print(f"{label:14s}: rate {r:5.1f} Hz, CV {c:.2f} (CV² {c * c:.2f}), Fano factor (1 s) {f:.2f}")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "poisson_acg_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("fig_acg")
check_poisson_acg_figure(fig_acg).assert_ok()

# %% [markdown]
# ## Exercise 9 — Are they Poissonian? (written task, 2 points)
#
# The source tutorial asks: are the neurons with and without adaptation Poissonian under noise?
# Answer in a few sentences, with your figure of exercise 8 and the numbers printed there (and
# $\rho_1$ of exercise 7) as evidence:
#
# 1. What would a Poisson process show in the autocorrelogram, the CV and the Fano factor?
# 2. What does the neuron **without** adaptation show instead, and why (what happens right after
#    a spike)?
# 3. What does the neuron **with** adaptation show, and why is its Fano factor for long windows
#    so much smaller than its $CV^2$?
# 4. Is either Poissonian? At which lags, or under which conditions, would a Poisson description
#    be good enough?

# %% [markdown] nbgrader={"grade": true, "grade_id": "poisson_written", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# 1. A Poisson process has no memory: its autocorrelogram is flat at the rate $r$ at every lag
#    (no dip at 0), its intervals are exponential ($CV = 1$) and its spike counts have
#    $F(w) = 1$ for every window.
# 2. Without adaptation (55 Hz) the autocorrelogram has a narrow **refractory dip**: 0 within a
#    few ms of a spike (reset to −70 mV and 2 ms refractory period, then the membrane must charge
#    back to threshold), and flat at the rate from about 10-15 ms on. The intervals are more
#    regular than Poisson, $CV \approx 0.55$, and since the neuron is a renewal process (reset
#    erases everything, $\rho_1 \approx 0$) the Fano factor for long windows is about
#    $CV^2 \approx 0.3$, not 1.
# 3. With adaptation (12.5 Hz) the dip becomes a wide **adaptation trough**: each spike raises
#    the threshold by 10 mV, which decays with $\tau_\Theta$ = 100 ms, so the autocorrelogram
#    stays near 0 for tens of ms and recovers to the rate only after about 50-80 ms (with a
#    small peak near the preferred interval, about 80-90 ms). $CV \approx 0.4$. The threshold
#    carries memory across spikes: a short interval leaves it high and makes the next interval
#    long ($\rho_1 \approx -0.3$ in exercise 7), so the counts are more regular than the
#    intervals: $F(1\,\mathrm{s}) \approx 0.08 \ll CV^2 \approx 0.16$
#    ($F(\infty) = CV^2(1 + 2\sum_k \rho_k)$).
# 4. Neither neuron is Poissonian: both are more regular ($CV < 1$, $F < 1$) and both have a hole
#    in the autocorrelogram after each spike. Beyond the dip or trough the autocorrelogram is
#    flat: spikes far apart are uncorrelated, so a Poisson description is fair only on time
#    scales much longer than every memory of a spike (reset, refractoriness, adaptation), e.g.
#    for a neuron firing at a very low rate, whose intervals are long compared with these.
#
# **Rubric (2 points).** 0.5 point: the Poisson signature (flat autocorrelogram at the rate,
# $CV = 1$, $F = 1$). 0.5 point: without adaptation, the narrow refractory dip with its cause
# (reset, refractory period) and $CV < 1$ with $F \approx CV^2$. 0.5 point: with adaptation,
# the wide trough (the threshold decaying with $\tau_\Theta$) and $F$ well below $CV^2$ because
# of the negative serial correlations. 0.5 point: the conclusion that neither is Poissonian,
# with a condition under which Poisson is a fair description (long lags or low rates). Numbers
# need not match these exactly (another run gives other digits), but each claim must be
# supported by the figure or the printed values.
# ### END SOLUTION
