# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/solutions/05_ou_noise.ipynb)
#
# # Exercise sheet 05 — Ornstein-Uhlenbeck noise
#
# Companion to lesson 05 (`notebooks/05_ou_noise.ipynb`). Each exercise has a cell for your
# answer (replace the line `raise NotImplementedError(...)`) followed by a test cell. Run the
# test cell: it tells you whether your answer is right, or what kind of mistake it is, without
# showing the answer. The grader runs the same test cells plus some hidden tests.
#
# You can also check an answer yourself at any time, e.g. `check_ou_euler_variance(var_euler)`.
# Keep the variable names given in each exercise: the tests look for them. Do not edit the test
# cells (the grader uses its own copy). Answers that come from random numbers are checked
# against theory with a tolerance of a few standard errors of the estimate, and against the
# run the exercise prescribes: use exactly the seeds, sizes and calls given (a number typed in
# from theory, or from another run, does not pass).
#
# Points: 15 in total.

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
from brian2 import Hz, mV, ms, pA, pF, second

from sfa_helpers import analysis, simulate, stimuli, theory
from sfa_helpers.checks import (check_ou_cv_pair, check_ou_euler_variance, check_ou_exact_step,
                                check_ou_membrane_sd, check_ou_more_regular, check_ou_mu_matched,
                                check_ou_sd_by_tau, check_ou_sd_meaning, check_ou_slow_input,
                                require)
from sfa_helpers.models import LIF, AdaptiveThreshold
from sfa_helpers.notebook import setup

setup()

# %% [markdown]
# The OU current of lesson 05, with mean $\mu$, stationary SD $\sigma$ and correlation time
# $\tau$:
#
# $$\frac{dI}{dt} = \frac{\mu - I}{\tau} + \sigma\sqrt{\frac{2}{\tau}}\;\xi(t), \qquad
#   \langle I \rangle = \mu,\quad \mathrm{Var}(I) = \sigma^2,\quad C(s) = \sigma^2 e^{-|s|/\tau}.$$
#
# `QUIET` is the lesson's membrane without a threshold ($\tau_m$ = 10 ms, $C_m$ = 250 pF, so
# $R = \tau_m/C_m$ = 40 MΩ; $V_{th}$ = +1 V is never reached): it records the input current
# (`record=("I_stim",)`) and the free membrane potential `v`. `neuron` is the adaptive-threshold
# neuron of lesson 05. Time step 0.1 ms unless stated otherwise.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
MU, SIGMA, DT = 500 * pA, 200 * pA, 0.1 * ms
QUIET = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=1000 * mV, V_reset=-70 * mV, C_m=250 * pF)
neuron = (LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
              C_m=250 * pF)
          + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV))
print(f"R = {float(QUIET.tau_m / QUIET.C_m) / 1e6:.0f} MOhm")

# %% [markdown]
# ## Exercise 1 — The exact update as a function (2 points)
#
# Over one time step $h$ the OU equation can be solved exactly: with $n \sim N(0, 1)$,
#
# $$I(t + h) = \mu + \bigl(I(t) - \mu\bigr)\,e^{-h/\tau} + \sigma\sqrt{1 - e^{-2h/\tau}}\;n .$$
#
# Write `ou_step(I, mu, sigma, tau, h, n)`: `I`, `mu`, `sigma` are currents, `tau` and `h` times
# (Brian2 quantities; `I` and `n` may be arrays of the same shape), `n` is a plain number or
# array of standard normal numbers. Return the next value of the current (a current). The test
# tries several steps, including $h = \tau$, where the Euler-Maruyama step
# $I + (\mu - I)h/\tau + \sigma\sqrt{2h/\tau}\,n$ is far off.

# %% nbgrader={"grade": false, "grade_id": "ou_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def ou_step(I, mu, sigma, tau, h, n):
    """One exact Ornstein-Uhlenbeck update of the current I over the time step h."""
    ### BEGIN SOLUTION
    decay = np.exp(-h / tau)
    return mu + (I - mu) * decay + sigma * np.sqrt(1 - decay ** 2) * n
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "ou_step_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("ou_step")
check_ou_exact_step(ou_step).assert_ok()
### BEGIN HIDDEN TESTS
# k steps without noise: the mean relaxes as e^{-k h / tau}.
I_h = 900 * pA
for _ in range(10):
    I_h = ou_step(I_h, MU, SIGMA, 2 * ms, 0.5 * ms, 0.0)
assert abs(float((I_h - MU) / (400 * pA)) - np.exp(-2.5)) < 1e-9
# Started in the stationary state, one step (any h) keeps the variance sigma^2: 200000 samples,
# standard error of the sample variance sqrt(2/N) sigma^2, tolerance 5 of them.
rng_h = np.random.default_rng(7)
start_h = MU + SIGMA * rng_h.standard_normal(200000)
after_h = ou_step(start_h, MU, SIGMA, 2 * ms, 3 * ms, rng_h.standard_normal(200000))
assert abs(float(np.var(np.asarray(after_h)) / float(SIGMA) ** 2) - 1) < 5 * np.sqrt(2 / 200000)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — The stationary SD for three correlation times (3 points)
#
# Simulate `QUIET` driven by OU current with $\mu$ = 500 pA, $\sigma$ = 200 pA and
# $\tau$ = 0.5, 2 and 20 ms, 60 independent paths for each $\tau$, as **one** group of 180
# neurons (neurons 0-59: $\tau$ = 0.5 ms, 60-119: 2 ms, 120-179: 20 ms; `stimuli.ou` accepts
# arrays for `mu` and `tau`), for 1 s at `dt=DT` with `seed=11`, recording
# `("I_stim", "v")` (you need `v` in Exercise 3). Store in `sd_by_tau` the SD of the current for
# each $\tau$, over all samples of its 60 paths (`np.std` of the pooled values), as a Quantity
# array of 3 currents. (The first value of each path is already drawn from the stationary
# distribution: nothing to discard.)

# %% nbgrader={"grade": false, "grade_id": "sd_by_tau", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
taus = np.array([0.5, 2.0, 20.0]) * ms
ou_run = simulate(QUIET, stimuli.ou(np.full(180, 500.0) * pA, SIGMA, np.repeat(taus, 60)),
                  1 * second, dt=DT, record=("I_stim", "v"), seed=11)
I_paths = np.asarray(ou_run.I_stim / pA).reshape(3, 60, -1)
sd_by_tau = I_paths.std(axis=(1, 2)) * pA
print(np.round(sd_by_tau / pA, 1))
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "sd_by_tau_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("sd_by_tau")
check_ou_sd_by_tau(sd_by_tau).assert_ok()
### BEGIN HIDDEN TESTS
# AR(1) standard error of the sample variance, a = exp(-h/tau), N = 60 * 10000 samples.
for tau_h, sd_h in zip((0.5, 2.0, 20.0), np.asarray(sd_by_tau / pA, dtype=float)):
    a_h = np.exp(-0.1 / tau_h)
    se_h = np.sqrt(2 * (1 + a_h ** 2) / (6e5 * (1 - a_h ** 2)))
    assert abs(sd_h ** 2 / 200 ** 2 - 1) < 5 * se_h
### END HIDDEN TESTS

# %% [markdown]
# Does the SD depend on $\tau$? What is the $\sqrt{2/\tau}$ in the equation for? Store `"a"`,
# `"b"`, `"c"` or `"d"` in `sd_meaning`.
#
# * **a** The SD grows like $\sqrt\tau$: slower noise has more time to accumulate before the
#   decay pulls the current back to $\mu$.
# * **b** The SD shrinks like $1/\sqrt\tau$, because the factor $\sqrt{2/\tau}$ scales down
#   the noise that drives the current.
# * **c** The SD is $\sigma$ for every $\tau$: the intensity $\sigma\sqrt{2/\tau}$ gives
#   variance $\sigma^2$; $\tau$ sets how long a fluctuation lasts.
# * **d** The SD depends on $\tau$ only through the ratio $h/\tau$ of the exact update, so it
#   changes with the time step too.

# %% nbgrader={"grade": false, "grade_id": "sd_meaning", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
sd_meaning = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "sd_meaning_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("sd_meaning")
check_ou_sd_meaning(sd_meaning).assert_ok()
### BEGIN HIDDEN TESTS
assert sd_meaning.strip().lower() == "c"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — The membrane filters the current (3 points)
#
# Without a threshold the membrane potential is the OU current passed through the membrane's
# low-pass filter. Its stationary SD is
#
# $$\sigma_V = R\,\sigma\sqrt{\frac{\tau}{\tau + \tau_m}}$$
#
# (`theory.lif_ou_voltage_sd`). From the run of Exercise 2, store in `sd_v` the SD of `v` for
# each $\tau$, over all samples of its 60 paths **from $t$ = 200 ms on** (the membrane starts at
# $E_L$ and needs a few $\tau_m$ to reach its stationary state), as a Quantity array of 3
# voltages. Compare with the formula.

# %% nbgrader={"grade": false, "grade_id": "sd_v", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
late = np.asarray(ou_run.t) >= 0.2
v_paths = np.asarray(ou_run.v / mV)[:, late].reshape(3, 60, -1)
sd_v = v_paths.std(axis=(1, 2)) * mV
print("simulated:", np.round(sd_v / mV, 3))
print("theory:   ", np.round(theory.lif_ou_voltage_sd(QUIET, SIGMA, taus) / mV, 3))
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "sd_v_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("sd_v")
check_ou_membrane_sd(sd_v).assert_ok()
### BEGIN HIDDEN TESTS
# R sigma = 40 MOhm * 200 pA = 8 mV. Tolerance: the normalised autocorrelation of V,
# rho(s) = (tau e^(-|s|/tau) - tau_m e^(-|s|/tau_m)) / (tau - tau_m), gives a relative variance
# of the sample variance of (2 / (N h)) * integral of rho^2 ds, for N = 60 * 8000 samples h = 0.1 ms
# apart; 5 standard errors of the SD (half that of the variance).
tau_h, tau_m_h = np.array([0.5, 2.0, 20.0]), 10.0
sd_theory_h = 8.0 * np.sqrt(tau_h / (tau_h + tau_m_h))
int_rho2_h = (tau_h ** 3 + tau_m_h ** 3 - 4 * tau_h ** 2 * tau_m_h ** 2 / (tau_h + tau_m_h)) / (tau_h - tau_m_h) ** 2
rtol_h = 5 * 0.5 * np.sqrt(2 * int_rho2_h / (60 * 8000 * 0.1))
assert np.all(np.abs(np.asarray(sd_v / mV, dtype=float) / sd_theory_h - 1) < rtol_h)
assert np.all(np.diff(np.asarray(sd_v, dtype=float)) > 0)
### END HIDDEN TESTS

# %% [markdown]
# The input SD is the same for all three, yet the slow input ($\tau$ = 20 ms) moves the membrane
# much more than the fast one. Why? Store `"a"`, `"b"`, `"c"` or `"d"` in `slow_input`.
#
# * **a** The slow input has a larger SD, because an OU current with a longer correlation time
#   wanders further from its mean.
# * **b** The membrane resonates at the frequency $1/\tau$, which for $\tau$ = 20 ms lies close
#   to its own frequency $1/\tau_m$.
# * **c** The time step of 0.1 ms is too coarse for the fast input, so part of its fluctuation
#   is lost in the simulation.
# * **d** The membrane averages its input over about $\tau_m$: faster fluctuations cancel in
#   that window, slower ones are followed.

# %% nbgrader={"grade": false, "grade_id": "slow_input", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
slow_input = "d"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "slow_input_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("slow_input")
check_ou_slow_input(slow_input).assert_ok()
### BEGIN HIDDEN TESTS
assert slow_input.strip().lower() == "d"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — Euler-Maruyama with a coarse step (2 points)
#
# Simulate the OU current with the Euler-Maruyama update (`stimuli.ou(..., method="euler")`),
# $\mu$ = 500 pA, $\sigma$ = 200 pA, $\tau$ = 2 ms, at a time step of **1 ms**
# (`dt=1 * ms`), 100 paths as one group of `QUIET` neurons, 5 s, `seed=13`, recording
# `("I_stim",)`. Store the variance of all samples, pooled, in `var_euler` (units: a current
# squared, e.g. `value * pA**2`) and compare with
# `theory.ou_stationary_variance(SIGMA, 2 * ms, dt=1 * ms, method="euler")`.

# %% nbgrader={"grade": false, "grade_id": "var_euler", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
euler_run = simulate(QUIET, stimuli.ou(np.full(100, 500.0) * pA, SIGMA, 2 * ms, method="euler"),
                     5 * second, dt=1 * ms, record=("I_stim",), seed=13)
var_euler = np.var(np.asarray(euler_run.I_stim / pA)) * pA ** 2
var_theory = theory.ou_stationary_variance(SIGMA, 2 * ms, dt=1 * ms, method="euler")
print(f"simulated {float(var_euler / pA ** 2):.0f} pA^2, theory {float(var_theory / pA ** 2):.0f} pA^2, "
      f"exact update {float(SIGMA / pA) ** 2:.0f} pA^2")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "var_euler_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("var_euler")
check_ou_euler_variance(var_euler).assert_ok()
### BEGIN HIDDEN TESTS
# sigma^2 / (1 - h/(2 tau)) = 40000 / 0.75 pA^2; AR(1) with a = 1 - h/tau = 0.5, N = 500000.
se_h = np.sqrt(2 * (1 + 0.25) / (5e5 * (1 - 0.25)))
assert abs(float(var_euler / pA ** 2) / (40000 / 0.75) - 1) < 5 * se_h
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — Regularity with and without adaptation, at the same rate (4 points)
#
# Does adaptation make firing more regular? To compare fairly, both neurons must fire at the same
# mean rate. Simulate **one** group of 240 neurons for 3.5 s at `dt=DT` with `seed=11`, all
# driven by OU current with $\sigma$ = 200 pA and $\tau$ = 2 ms:
#
# * neurons 0-19: `neuron` (adaptive threshold, $\Delta\Theta$ = 2 mV) at $\mu$ = 500 pA;
# * neurons 20-239: the same neuron **without** adaptation ($\Delta\Theta$ = 0), 20 paths for
#   each $\mu$ of `mu_grid` = 300, 310, ..., 400 pA (neurons 20-39 at 300 pA, 40-59 at 310 pA,
#   ...). Hint: `neuron.replace(Delta_Theta=...)` with an array of 240 values.
#
# Measure rates and CVs after a transient of 0.5 s (`result.rates(start=...)`,
# `analysis.cv(trains, start=...)`, one value per neuron). Store
#
# * in `mu_matched` the value of `mu_grid` (a current) whose 20 non-adapting neurons have the mean
#   rate closest to the mean rate of the 20 adaptive neurons (cell below);
# * in `cv_pair` the tuple (mean CV of the 20 adaptive neurons, mean CV of the 20 non-adapting
#   neurons at `mu_matched`) (the cell after its test).

# %% nbgrader={"grade": false, "grade_id": "mu_grid", "locked": true, "schema_version": 3, "solution": false, "task": false}
mu_grid = np.arange(300.0, 401.0, 10.0) * pA

# %% nbgrader={"grade": false, "grade_id": "mu_matched", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
mus = np.concatenate([np.full(20, 500.0), np.repeat(np.asarray(mu_grid / pA), 20)]) * pA
jumps = np.concatenate([np.full(20, 2.0), np.zeros(220)]) * mV
isi_run = simulate(neuron.replace(Delta_Theta=jumps), stimuli.ou(mus, SIGMA, 2 * ms), 3.5 * second,
                   dt=DT, record=(), seed=11)
T0 = 0.5 * second
rates = np.asarray(isi_run.rates(start=T0) / Hz)
rate_adapting = rates[:20].mean()
rate_plain = rates[20:].reshape(len(mu_grid), 20).mean(axis=1)
best = int(np.argmin(np.abs(rate_plain - rate_adapting)))
mu_matched = mu_grid[best]
print(f"adaptive: {rate_adapting:.1f} Hz; non-adapting at {float(mu_matched / pA):.0f} pA: "
      f"{rate_plain[best]:.1f} Hz")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "mu_matched_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("mu_matched")
check_ou_mu_matched(mu_matched).assert_ok()
### BEGIN HIDDEN TESTS
# A value of the grid, well below the adaptive neuron's own 500 pA: within the visible check's
# tolerance around the stored reference (362 pA +- 17 pA), so both accept the same grid values.
assert np.any(np.abs(np.asarray(mu_grid) - float(mu_matched)) < 1e-15)
assert 345 * pA <= mu_matched <= 378 * pA
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "cv_pair", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
cvs = np.asarray(analysis.cv(isi_run.spike_trains, start=T0))
k0 = 20 + 20 * best
cv_pair = (cvs[:20].mean(), cvs[k0:k0 + 20].mean())
print(f"CV with adaptation {cv_pair[0]:.2f}, without {cv_pair[1]:.2f}")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "cv_pair_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("cv_pair")
check_ou_cv_pair(cv_pair).assert_ok()
### BEGIN HIDDEN TESTS
cv_h = np.asarray(cv_pair, dtype=float)
assert cv_h.shape == (2,) and 0.3 < cv_h[0] < cv_h[1] < 0.8
### END HIDDEN TESTS

# %% [markdown]
# Which neuron fires more regularly at the same rate, and why? Store `"a"`, `"b"`, `"c"` or
# `"d"` in `more_regular`.
#
# * **a** The adaptive one: an early spike finds a higher threshold, which delays the next one
#   and pulls the intervals towards their mean.
# * **b** The non-adapting one: the moving threshold of the adaptive neuron adds a second
#   source of variability to the noise of its input.
# * **c** Neither: at the same rate and with the same noise statistics the CV of the intervals
#   must be exactly the same.
# * **d** The non-adapting one, because it receives a smaller mean input and so sits closer
#   to the regime where the mean drives it.

# %% nbgrader={"grade": false, "grade_id": "more_regular", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
more_regular = "a"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "more_regular_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("more_regular")
check_ou_more_regular(more_regular).assert_ok()
### BEGIN HIDDEN TESTS
assert more_regular.strip().lower() == "a"
### END HIDDEN TESTS
