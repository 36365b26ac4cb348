# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/solutions/07_glm_likelihood.ipynb)
#
# # Exercise sheet 07 — Escape noise, spike-train likelihood and GLM fitting
#
# Companion to lesson 07 (`notebooks/07_glm_likelihood.ipynb`). Each exercise has a cell for your
# answer (replace the line `raise NotImplementedError(...)`) followed by a test cell. Run the
# test cell: it tells you whether your answer is right, or what kind of mistake it is, without
# showing the answer. The grader runs the same test cells plus some hidden tests.
#
# You can also check an answer yourself at any time, e.g. `check_log_likelihood(log_likelihood)`.
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
import math

import matplotlib.pyplot as plt
import numpy as np
import scipy.signal
from brian2 import Hz, Mohm, mV, ms, pA, second
from scipy.integrate import quad
from scipy.signal import lfilter

from sfa_helpers import glm, simulate, stimuli
from sfa_helpers.checks import (check_bits_per_spike_sine, check_eta_limit, check_eta_minimum,
                                check_eta_peak_time, check_gamma_factor, check_identifiable,
                                check_log_likelihood, check_mean_isi_hazard,
                                check_passive_fit_figure, check_resistance_fit,
                                check_survivor_50ms, check_threshold_fit, require, sheet_variant)
from sfa_helpers.models import LIF, EscapeSRM
from sfa_helpers.notebook import setup
from sfa_helpers.spike_prediction import coincidences

setup()

# %% [markdown]
# ## Your numbers
#
# The parameters of exercises 1 and 3 (`variant.tau_w`, `variant.b`, `variant.rho_0`,
# `variant.tau_r`), the seeds of exercises 4, 5 and 7 (`variant.srm_seed`, `variant.sine_seed`,
# `variant.passive_seed`), the modulation depth of exercise 5 (`variant.sine_depth`), the
# resistance of the membrane of exercise 7 (`variant.passive_R`) and the order of the
# multiple-choice options depend on who you are: each student has their own numbers, so answers
# cannot be copied. Write your id between the quotes, exactly as your instructor grades you
# (your login, e.g. `"alice"`), and run the cell. The grader always uses the id your submission
# is filed under.

# %% nbgrader={"grade": false, "grade_id": "student_id", "locked": false, "schema_version": 3, "solution": false, "task": false}
STUDENT_ID = ""
variant = sheet_variant("07", STUDENT_ID)

# %% [markdown]
# ## Exercise 1 — The spike-afterpotential of the adaptive LIF (3 points)
#
# Lesson 07 split the spike-afterpotential of the adaptive LIF,
# $\tau_m \dot u = -(u - u_{rest}) - R w + R I$, $\tau_w \dot w = -w + b\,\tau_w \sum_f \delta(t - t_f)$,
# into a reset part and an adaptation part. Here only the adaptation part counts (the kernel
# of the same neuron without reset):
#
# $$\eta(s) = -\frac{R b\, \tau_w}{\tau_w - \tau_m}\left(e^{-s/\tau_w} - e^{-s/\tau_m}\right).$$
#
# It starts at 0, dips and relaxes back. For $\tau_m$ = 10 ms, $R$ = 100 MΩ and your numbers
# $\tau_w$ = `variant.tau_w` and $b$ = `variant.b`, find the time $s_{peak}$ after the spike at
# which $\eta$ is most negative and the value $\eta(s_{peak})$ (by calculus, or numerically on a
# fine grid). Store them, with units, in `s_peak` and `eta_min`.

# %% nbgrader={"grade": false, "grade_id": "eta_peak", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
tau_m, tau_w, R, b = 10 * ms, variant.tau_w, 100 * Mohm, variant.b
# d eta/ds = 0  <=>  e^{-s/tau_w}/tau_w = e^{-s/tau_m}/tau_m
s_peak = tau_m * tau_w / (tau_w - tau_m) * np.log(tau_w / tau_m)
eta_min = -R * b * tau_w / (tau_w - tau_m) * (np.exp(-s_peak / tau_w) - np.exp(-s_peak / tau_m))
print(f"s_peak = {s_peak / ms:.2f} ms, eta_min = {eta_min / mV:.3f} mV")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "eta_peak_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("s_peak", "eta_min")
check_eta_peak_time(s_peak).assert_ok()
check_eta_minimum(eta_min).assert_ok()
### BEGIN HIDDEN TESTS
# Independent truth: forward Euler of the two equations after one spike (step 1 us), with the
# variant's tau_w and b (tau_m = 10 ms, R = 100 MOhm).
h_s, u_h, w_h, best = 1e-6, 0.0, float(variant.b), (0.0, 0.0)
tau_w_h = float(variant.tau_w)
for n_h in range(60000):
    u_h += h_s / 0.01 * (-u_h - 1e8 * w_h)
    w_h -= h_s / tau_w_h * w_h
    if u_h < best[1]:
        best = ((n_h + 1) * h_s, u_h)
assert abs(float(s_peak) / best[0] - 1) < 0.01
assert abs(float(eta_min) / best[1] - 1) < 0.01
### END HIDDEN TESTS

# %% [markdown]
# What is $\eta(s)$ when the adaptation is as fast as the membrane, $\tau_w = \tau_m$? (Take the
# limit of the formula, or integrate the equations again.) The options, in the order of your
# numbers, are shown below. Store `"a"`, `"b"`, `"c"` or `"d"` in `eta_limit`.

# %% nbgrader={"grade": false, "grade_id": "eta_limit_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("eta_limit")

# %% nbgrader={"grade": false, "grade_id": "eta_limit", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
eta_limit = variant.letter_of("eta_limit", "alpha")  # the option -R b (s/tau_m) e^{-s/tau_m}
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "eta_limit_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("eta_limit")
check_eta_limit(eta_limit).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("eta_limit", eta_limit) == "alpha"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — The log-likelihood of a spike train (2 points)
#
# For spike times $t_f$ in $[0, T)$ under a rate $\rho(t)$ held constant over bins
# $[n\Delta, (n+1)\Delta)$, $n = 0 \ldots N-1$, $T = N\Delta$:
#
# $$\ln L = \sum_f \ln\frac{\rho(t_f)}{\mathrm{Hz}} - \int_0^T \rho(t)\,dt
#        = \sum_f \ln\frac{\rho_{n(t_f)}}{\mathrm{Hz}} - \Delta\sum_{n=0}^{N-1}\rho_n .$$
#
# Write `log_likelihood(spikes, rate, dt)` without `sfa_helpers.glm`: `spikes` is a Quantity
# array of spike times, `rate` a Quantity array of the $N$ samples $\rho_n$ (Hz), `dt` the bin
# width; return $\ln L$ as a plain number (nats). A spike at $t$ belongs to bin
# $\lfloor t/\Delta \rfloor$. For a constant rate you should get $n\ln\rho - \rho T$.

# %% nbgrader={"grade": false, "grade_id": "log_likelihood", "locked": false, "schema_version": 3, "solution": true, "task": false}
def log_likelihood(spikes, rate, dt):
    """Point-process log-likelihood (nats) of spike times under a binned rate."""
    ### BEGIN SOLUTION
    t = np.asarray(spikes / second, dtype=float)
    r = np.asarray(rate / Hz, dtype=float)
    step = float(dt / second)
    bins = np.floor(t / step + 1e-9).astype(int)
    return float(np.sum(np.log(r[bins])) - step * np.sum(r))
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "log_likelihood_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("log_likelihood")
check_log_likelihood(log_likelihood).assert_ok()
### BEGIN HIDDEN TESTS
spikes_h = np.array([0.5, 1.5, 2.25, 7.9]) * second
assert abs(log_likelihood(spikes_h, np.full(10, 2.0) * Hz, 1 * second) - (4 * np.log(2.0) - 20.0)) < 1e-9
rate_h = np.array([1.0, 2.0, 4.0, 8.0]) * Hz
assert abs(log_likelihood(np.array([0.9, 1.1, 3.5]) * second, rate_h, 1 * second)
           - (np.log(1.0) + np.log(2.0) + np.log(8.0) - 15.0)) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — Survivor function of a recovering neuron (2 points)
#
# After a spike, a neuron's hazard recovers from 0 towards $\rho_0$ = `variant.rho_0` with the
# time constant $\tau_r$ = `variant.tau_r` (your numbers): $\rho(t) = \rho_0\,(1 - e^{-t/\tau_r})$
# ($t$: time since the spike).
# With the survivor function $S(t) = \exp\!\big(-\int_0^t \rho(t')\,dt'\big)$ and the interval
# distribution $P(t) = \rho(t) S(t)$, store
#
# * `S_50ms`: the probability that the neuron stays silent for the first 50 ms (a plain number),
# * `mean_isi`: the mean interval $\int_0^\infty t\,P(t)\,dt$ (with units). Hint: integrate by parts.

# %% nbgrader={"grade": false, "grade_id": "survivor", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
rho_0, tau_r = float(variant.rho_0 / Hz), float(variant.tau_r / second)   # Hz, s


def survivor(t):
    """S(t) for the recovering hazard; t in seconds."""
    return np.exp(-rho_0 * (t - tau_r * (1 - np.exp(-t / tau_r))))


S_50ms = float(survivor(0.050))
mean_isi = quad(survivor, 0, np.inf)[0] * second   # <T> = int t P dt = int S dt
print(f"S(50 ms) = {S_50ms:.3f}, mean ISI {mean_isi / ms:.2f} ms")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "survivor_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("S_50ms", "mean_isi")
check_survivor_50ms(S_50ms).assert_ok()
check_mean_isi_hazard(mean_isi).assert_ok()
### BEGIN HIDDEN TESTS
# Independent truth: the interval density rho(t) S(t) on a fine grid.
t_h = np.arange(1, 2_000_001) * 1e-6          # 1 us steps up to 2 s
rho_h = float(variant.rho_0) * (1 - np.exp(-t_h / float(variant.tau_r)))
S_h = np.exp(-np.cumsum(rho_h) * 1e-6)
assert abs(S_50ms / S_h[49_999] - 1) < 1e-3
assert abs(float(mean_isi) / np.sum(t_h * rho_h * S_h * 1e-6) - 1) < 1e-3
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — The threshold, recovered from spikes alone (3 points)
#
# The spike-response model of lesson 07 with escape noise,
# $\rho = \tau_0^{-1}\exp((u - \vartheta)/\Delta_u)$, is a GLM with the bias
#
# $$b = \ln\frac{1}{\tau_0\cdot\mathrm{Hz}} + \frac{u_{rest} - \vartheta_0}{\Delta_u}.$$
#
# The cell below defines the neuron, a frozen noisy current (120 s, $\Delta$ = 0.5 ms) and the
# two raised-cosine bases. Simulate the neuron (`simulate(srm, stimuli.from_array(current, dt),
# T_fit, dt=dt, record=(), seed=variant.srm_seed)`, your seed), build the design matrix of its
# spikes (`glm.design_matrix(current, spikes, dt, stimulus_basis=stim_basis, history_basis=hist_basis,
# history_window=200 * ms)`), fit it with `glm.fit_glm(..., likelihood="bernoulli")`, and turn
# the fitted bias (`fit.bias`) into the threshold $\vartheta_0$, with $u_{rest}$, $\Delta_u$ and
# $\tau_0$ known. Store it, with units, in `theta_0_hat`.

# %% nbgrader={"grade": false, "grade_id": "srm_data", "locked": true, "schema_version": 3, "solution": false, "task": false}
srm = EscapeSRM(tau_m=10 * ms, u_rest=-65 * mV, R=100 * Mohm, theta_0=-50 * mV, Delta_u=1 * mV,
                tau_0=10 * ms, eta_0=-8 * mV, tau_eta=15 * ms, Delta_theta=3 * mV,
                tau_theta=60 * ms)
dt, T_fit = 0.5 * ms, 120 * second
a_I = math.exp(-float(dt / (3 * ms)))
xi = np.random.default_rng(0).standard_normal(int(round(float(T_fit / dt))))
current = 100 * pA + 150 * pA * scipy.signal.lfilter([math.sqrt(1 - a_I ** 2)], [1, -a_I], xi)
stim_basis = glm.RaisedCosineBasis(8, 60 * ms, dt, stretch=5 * ms)
hist_basis = glm.RaisedCosineBasis(8, 200 * ms, dt, first_lag=dt, stretch=5 * ms)

# %% nbgrader={"grade": false, "grade_id": "theta_fit", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
spikes = simulate(srm, stimuli.from_array(current, dt), T_fit, dt=dt, record=(),
                  seed=variant.srm_seed).spike_trains[0]
design = glm.design_matrix(current, spikes, dt, stimulus_basis=stim_basis, history_basis=hist_basis,
                           history_window=200 * ms)
fit = glm.fit_glm(design, likelihood="bernoulli")
theta_0_hat = srm.u_rest - srm.Delta_u * (fit.bias + math.log(float(srm.tau_0 / second)))
print(f"{spikes.size} spikes; converged: {fit.converged}; theta_0_hat = {theta_0_hat / mV:.1f} mV")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "theta_fit_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("theta_0_hat")
check_threshold_fit(theta_0_hat).assert_ok()
### BEGIN HIDDEN TESTS
assert abs(float(theta_0_hat / mV) + 50) < 0.75
### END HIDDEN TESTS

# %% [markdown]
# Which quantities do the spikes alone (no voltage recording) determine? The options, in the
# order of your numbers, are shown below. Store `"a"`, `"b"`, `"c"` or `"d"` in `identifiable`.

# %% nbgrader={"grade": false, "grade_id": "identifiable_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("identifiable")

# %% nbgrader={"grade": false, "grade_id": "identifiable", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
identifiable = variant.letter_of("identifiable", "ratios")  # "only b, kappa/Delta_u, ..."
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "identifiable_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("identifiable")
check_identifiable(identifiable).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("identifiable", identifiable) == "ratios"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — Bits per spike (2 points)
#
# The train `sine_spikes` below comes from an inhomogeneous Poisson process with the rate
# $\rho(t) = \nu_0\,(1 + m \sin 2\pi f t)$, $\nu_0$ = 20 Hz, $m$ = `variant.sine_depth` (your
# number), $f$ = 2 Hz, over $T$ = 500 s. How much better does the true rate predict these spikes
# than a homogeneous Poisson process with the mean rate $\nu_0$? Compute the log-likelihood gain
# per spike in bits,
#
# $$\frac{\ln L_{\rho} - \ln L_{\nu_0}}{n \ln 2},$$
#
# with your `log_likelihood` on a grid of $\Delta$ = 1 ms (rate sampled at the bin starts), and
# store it in `bits_sine` (a plain number). (The test also accepts exactly what your own
# `log_likelihood` gives on that grid, so a mistake in Exercise 2 does not cost points here.)

# %% nbgrader={"grade": false, "grade_id": "sine_data", "locked": true, "schema_version": 3, "solution": false, "task": false}
rng_sine = np.random.default_rng(variant.sine_seed)
T_sine, nu_0, depth, f_mod = 500.0, 20.0, variant.sine_depth, 2.0       # s, Hz, -, Hz
candidates = np.sort(rng_sine.uniform(0, T_sine, rng_sine.poisson(nu_0 * (1 + depth) * T_sine)))
accept = (1 + depth * np.sin(2 * np.pi * f_mod * candidates)) / (1 + depth)
sine_spikes = candidates[rng_sine.uniform(size=candidates.size) < accept] * second
print(f"{sine_spikes.size} spikes in {T_sine:.0f} s")

# %% nbgrader={"grade": false, "grade_id": "bits_sine", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
grid = np.arange(int(round(T_sine / 1e-3))) * 1e-3
rate_true = nu_0 * (1 + depth * np.sin(2 * np.pi * f_mod * grid)) * Hz
rate_flat = np.full(grid.size, nu_0) * Hz
gain = (log_likelihood(sine_spikes, rate_true, 1 * ms)
        - log_likelihood(sine_spikes, rate_flat, 1 * ms))
bits_sine = gain / (sine_spikes.size * np.log(2))
print(f"{bits_sine:.3f} bits/spike")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "bits_sine_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("bits_sine")
check_bits_per_spike_sine(bits_sine, log_likelihood).assert_ok()
### BEGIN HIDDEN TESTS
# Expected gain per spike: the mean of g = log2(rho/nu_0) over spikes, whose phases have the
# density (1 + m sin x)/(2 pi) (about 0.255 bits for m = 0.8); given their number n the spikes
# are independent, so the gain lies within 5 standard errors sqrt(Var g / n) of it. With a wrong
# log_likelihood (Exercise 2's points) the gain is what that function gives, checked above.
m_h = float(variant.sine_depth)
moments_h = [quad(lambda x: (1 + m_h * np.sin(x)) * np.log2(1 + m_h * np.sin(x)) ** k, 0,
                  2 * np.pi)[0] / (2 * np.pi) for k in (1, 2)]
se_h = np.sqrt((moments_h[1] - moments_h[0] ** 2) / sine_spikes.size)
if check_log_likelihood(log_likelihood):
    assert abs(float(bits_sine) - moments_h[0]) < 5 * se_h
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — The coincidence factor (2 points)
#
# With $N_{data}$ spikes in the recorded train, $N_{model}$ in the predicted one (rate
# $\nu = N_{model}/T$) and $N_{coinc}$ data spikes matched one-to-one with a model spike at most
# $\Delta$ away,
#
# $$\Gamma = \frac{N_{coinc} - 2\nu\Delta N_{data}}{\tfrac12 (N_{data} + N_{model})}\,
#   \frac{1}{1 - 2\nu\Delta}.$$
#
# Write `gamma_factor(data, model, duration, delta)` (Quantities in seconds; return a plain
# number). Count $N_{coinc}$ with `coincidences(data, model, delta)` (imported above), and write
# the rest yourself. Before you test: what is $\Gamma$ of a train with itself?

# %% nbgrader={"grade": false, "grade_id": "gamma_factor", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gamma_factor(data, model, duration, delta):
    """Coincidence factor of a predicted spike train against the recorded one."""
    ### BEGIN SOLUTION
    n_data, n_model = len(data), len(model)
    nu_delta = float(n_model / duration * delta)
    chance = 2 * nu_delta * n_data
    n_coinc = coincidences(data, model, delta)
    return (n_coinc - chance) / (0.5 * (n_data + n_model)) / (1 - 2 * nu_delta)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "gamma_factor_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("gamma_factor")
check_gamma_factor(gamma_factor).assert_ok()
### BEGIN HIDDEN TESTS
# Hand-counted: data 10, 50, 90 ms; model 11, 52.5, 70, 130 ms; T = 1 s, delta = 2 ms:
# one coincidence (10/11), nu = 4 Hz.
value_h = gamma_factor(np.array([10, 50, 90]) * ms, np.array([11, 52.5, 70, 130]) * ms,
                       1 * second, 2 * ms)
assert abs(value_h - (1 - 2 * 4 * 0.002 * 3) / 3.5 / (1 - 2 * 4 * 0.002)) < 1e-9
train_h = np.sort(np.random.default_rng(5).uniform(0, 9.9, 200)) * second
assert abs(gamma_factor(train_h, train_h, 10 * second, 2 * ms) - 1) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 7 — The resistance of a passive membrane, by least squares (2 points)
#
# A passive membrane (no spikes), $\tau_m \dot V = -(V - E_L) + R\,I(t)$, with $\tau_m$ and
# $E_L$ known: how large is $R$? The cell below records 500 ms of it (a LIF whose threshold is
# never reached, $\Delta t$ = 0.1 ms) under a current that steps every 25 ms, and adds 1 mV of
# recording noise: `v_rec` at the times `t_rec`, driven by `I_rec` (sample $n$ of the current
# acts during the step from $t_n$ to $t_{n+1}$).
#
# The current is constant during each step, so the exact update from $V_0 = E_L$ is
# $V_n - E_L = a\,(V_{n-1} - E_L) + (1 - a)\,R\,I_{n-1}$ with $a = e^{-\Delta t/\tau_m}$, that is
#
# $$V_n - E_L = R\,x_n, \qquad x_0 = 0, \quad x_n = a\,x_{n-1} + (1 - a)\,I_{n-1}:$$
#
# linear in $R$, with the **regressor** $x_n$, the current low-pass filtered by the membrane
# (it is a current). Compute `x_reg` (a Quantity array, one value per sample of `v_rec`: a loop,
# or `lfilter([0, 1 - a], [1, -a], ...)` on plain numbers, imported in the setup cell) and the
# $R$ that minimises the squared error of the voltage,
#
# $$E(R) = \sum_n \big(v_n - E_L - R\,x_n\big)^2$$
#
# (set $dE/dR = 0$: one free parameter, no intercept, since $E_L$ is known). Store it, with
# units, in `R_hat`. The test repeats the fit with another method on the same data; the $R$ of
# `membrane` does not pass: the noise moves the fit away from it.

# %% nbgrader={"grade": false, "grade_id": "passive_data", "locked": true, "schema_version": 3, "solution": false, "task": false}
membrane = LIF(tau_m=20 * ms, E_L=-65 * mV, V_th=0 * mV, V_reset=-65 * mV, R=variant.passive_R)
dt_rec = 0.1 * ms
rng_rec = np.random.default_rng(variant.passive_seed)
I_rec = np.repeat(rng_rec.uniform(-100, 200, 20), 250) * pA        # 20 steps of 25 ms
recording = simulate(membrane, stimuli.from_array(I_rec, dt_rec), 500 * ms, dt=dt_rec,
                     record=("v",))
t_rec = recording.t
v_rec = recording.v[0] + rng_rec.normal(0, 1.0, I_rec.size) * mV  # 1 mV recording noise
print(f"{v_rec.size} samples; tau_m = {membrane.tau_m / ms:.0f} ms, E_L = {membrane.E_L / mV:.0f} mV")

# %% nbgrader={"grade": false, "grade_id": "resistance_fit", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
a_rec = float(np.exp(-dt_rec / membrane.tau_m))
x_reg = lfilter([0, 1 - a_rec], [1, -a_rec], np.asarray(I_rec / pA)) * pA
y_rec = v_rec - membrane.E_L
R_hat = np.sum(x_reg * y_rec) / np.sum(x_reg * x_reg)   # dE/dR = 0
R_se = 1 * mV / np.sqrt(np.sum(x_reg * x_reg))          # noise SD / sqrt(sum x^2)
print(f"R_hat = {R_hat / Mohm:.2f} ± {R_se / Mohm:.2f} MOhm (true {membrane.R / Mohm:.0f} MOhm)")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "resistance_fit_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("R_hat")
check_resistance_fit(R_hat).assert_ok()
### BEGIN HIDDEN TESTS
# Independent truth: the exact update written out (mV, pA, MOhm), numpy's least squares.
x_h, state_h = np.empty(I_rec.size), 0.0
for n_h, i_h in enumerate(np.asarray(I_rec / pA)):
    x_h[n_h] = state_h
    state_h = np.exp(-0.1 / 20) * state_h + (1 - np.exp(-0.1 / 20)) * i_h
R_h = np.linalg.lstsq(x_h[:, None], np.asarray(v_rec / mV) + 65.0, rcond=None)[0][0] * 1e3  # MOhm
assert abs(float(R_hat / Mohm) / R_h - 1) < 1e-6
assert abs(float(R_hat / Mohm) - float(variant.passive_R / Mohm)) > 1e-3
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 8 — The data and the fitted model (plot task, 2 points)
#
# Draw a figure `fig_passive` with, on **one** axes, the recording `v_rec` and the fitted
# model's voltage $E_L + \hat R\,x_n$ (your `R_hat` and `x_reg`), in mV against the time in ms,
# with a legend naming the two curves. Does the model follow the data after each step of the
# current? What is left between them?

# %% nbgrader={"grade": false, "grade_id": "passive_figure", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
fig_passive, ax_passive = plt.subplots(figsize=(8, 3.2), layout="constrained")
ax_passive.plot(t_rec / ms, v_rec / mV, color="0.65", lw=0.6, label="recording (1 mV noise)")
ax_passive.plot(t_rec / ms, (membrane.E_L + R_hat * x_reg) / mV, color="C3", lw=1.5,
                label=f"fit, R = {R_hat / Mohm:.2f} MΩ")
ax_passive.set_xlabel("t (ms)")
ax_passive.set_ylabel("V (mV)")
ax_passive.legend(frameon=False, loc="lower right")
plt.show()
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "passive_figure_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("fig_passive", "R_hat")
check_passive_fit_figure(fig_passive, R_hat).assert_ok()

# %% [markdown]
# ## Exercise 9 — The units of κ (written task, 2 points)
#
# Lesson 07 writes the membrane potential of the SRM as
# $u(t) = u_{rest} + \int_0^\infty \kappa(s)\, I(t-s)\, ds + \sum_f \eta(t - t_f)$, and for the
# passive membrane of exercise 7 $\kappa(s) = \frac{R}{\tau_m} e^{-s/\tau_m}$. In a few sentences:
#
# 1. What are the units of $\kappa$, and why? Give them in two equivalent forms (one with Ω,
#    one with V, A and s), and say what $\int_0^\infty \kappa(s)\,ds$ is for this membrane.
# 2. How do they change if the input is written as a **charge**: the charge
#    $Q_n = I_n\,\Delta t$ delivered in each time step, $u_n = u_{rest} + \sum_j \kappa_j Q_{n-j}$?
#    And if instead the current of each step is used directly, $u_n = u_{rest} + \sum_j k_j I_{n-j}$
#    (as the columns of a design matrix do)?
# 3. How do they change if $\kappa$ is **normalised**, written as $\kappa(s) = R\,\hat\kappa(s)$
#    with $\int_0^\infty \hat\kappa(s)\,ds = 1$?

# %% [markdown] nbgrader={"grade": true, "grade_id": "kappa_units", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# 1. $\int \kappa(s)\,I(t-s)\,ds$ is added to a voltage, so it is in volts; $I$ is in amperes
#    and $ds$ in seconds, so $\kappa$ is in $\mathrm{V/(A\,s)} = \Omega/\mathrm{s}$: a resistance
#    per time (e.g. MΩ/ms). It is the voltage response to a unit current pulse per unit time:
#    for the passive membrane $\kappa(0) = R/\tau_m$, e.g. 80 MΩ / 20 ms = 4 MΩ/ms. Since
#    Ω/s = V/(A s) = V/C = 1/F, this is also $1/C$: indeed $R/\tau_m = 1/C_m$. The integral
#    $\int_0^\infty \kappa\,ds = R$ (Ω) is the steady response to a constant current, the
#    input resistance.
# 2. A charge is current × time (C = A s), so $\kappa_j Q_{n-j}$ is in volts when $\kappa_j$ is
#    in V/C = Ω/s: **the same units**, and $\kappa_j = \kappa(j\Delta t)$ (the sum with
#    $Q = I\,\Delta t$ is the Riemann sum of the integral). With the current itself,
#    $k_j I_{n-j}$ must be in volts, so $k_j$ is in V/A = **Ω**, and $k_j = \kappa(j\Delta t)\,\Delta t$:
#    the time step has moved into the kernel (its values depend on $\Delta t$, their sum is $R$).
# 3. Normalised, the shape $\hat\kappa$ is in **1/s** (its integral over seconds is a pure
#    number) and the amplitude $R$ carries the Ω. (Normalised to its peak instead,
#    $\kappa(s)/\kappa(0) = e^{-s/\tau_m}$ is dimensionless and the amplitude $R/\tau_m$ keeps
#    Ω/s.)
#
# **Rubric (2 points).** 1 point: κ in Ω/s = V/(A s), with the reason (the integral of κ times a
# current over time must be a voltage); half of it without the reason. 0.5 point: charge input:
# the same units V/C (= Ω/s), with the current per step the kernel is in Ω, the time step folded
# in. 0.5 point: normalised: the shape in 1/s, R (Ω) carries the units (or dimensionless when
# normalised to the peak, amplitude in Ω/s). Equivalent forms (1/F, kg m² s⁻⁴ A⁻²) count.
# ### END SOLUTION
