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
# A **plot task** asks for a figure in a variable (`fig_...`): the test reads the curves back
# from it, in the units your axis labels name, so label every axis with its unit, e.g.
# `"SD of V (mV)"`. A **written task** is a text cell (replace `YOUR ANSWER HERE`); your
# instructor grades it by hand.
#
# Points: 19 in total (2 of them graded by hand).

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
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, mV, ms, pA, pF, second

from sfa_helpers import analysis, simulate, stimuli, theory
from sfa_helpers.checks import (check_ou_cv_pair, check_ou_euler_variance, check_ou_exact_step,
                                check_ou_membrane_sd, check_ou_more_regular, check_ou_mu_matched,
                                check_ou_sd_by_tau, check_ou_sd_figure, check_ou_sd_meaning,
                                check_ou_slow_input, require, sheet_variant)
from sfa_helpers.checks.lesson05 import ou_membrane_run
from sfa_helpers.models import LIF, AdaptiveThreshold
from sfa_helpers.notebook import setup

setup()

# %% [markdown]
# ## Your numbers
#
# Exercises 2 to 6 and the order of the multiple-choice options depend on who you are: each
# student has their own numbers (the seeds of the runs of Exercises 2-3, 4, 5 and 6, and the
# mean input of Exercise 5's adaptive neuron with its grid of means), so answers cannot be
# copied. Write your id between the quotes, exactly as your instructor grades you (your login,
# e.g. `"alice"`), and run the cell. The grader always uses the id your submission is filed
# under.

# %% nbgrader={"grade": false, "grade_id": "student_id", "locked": false, "schema_version": 3, "solution": false, "task": false}
STUDENT_ID = ""
variant = sheet_variant("05", STUDENT_ID)

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
# arrays for `mu` and `tau`), for 1 s at `dt=DT` with `seed=variant.ou_seed` (your numbers),
# recording `("I_stim", "v")` (Exercise 3 looks at `v`). Store in `sd_by_tau` the SD of the current for
# each $\tau$, over all samples of its 60 paths (`np.std` of the pooled values), as a Quantity
# array of 3 currents. (The first value of each path is already drawn from the stationary
# distribution: nothing to discard.)

# %% nbgrader={"grade": false, "grade_id": "sd_by_tau", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
taus = np.array([0.5, 2.0, 20.0]) * ms
ou_run = simulate(QUIET, stimuli.ou(np.full(180, 500.0) * pA, SIGMA, np.repeat(taus, 60)),
                  1 * second, dt=DT, record=("I_stim", "v"), seed=variant.ou_seed)
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
# `"b"`, `"c"` or `"d"` in `sd_meaning` (the options, in the order of your numbers, are shown
# below).

# %% nbgrader={"grade": false, "grade_id": "sd_meaning_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("sd_meaning")

# %% nbgrader={"grade": false, "grade_id": "sd_meaning", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
sd_meaning = variant.letter_of("sd_meaning", "constant")  # the option "the SD is sigma for every tau"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "sd_meaning_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("sd_meaning")
check_ou_sd_meaning(sd_meaning).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("sd_meaning", sd_meaning) == "constant"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — The membrane filters the current (3 points)
#
# Without a threshold the membrane potential is the OU current passed through the membrane's
# low-pass filter. Its stationary SD is
#
# $$\sigma_V = R\,\sigma\sqrt{\frac{\tau}{\tau + \tau_m}}$$
#
# (`theory.lif_ou_voltage_sd`). The cell below gives you the membrane potential of Exercise 2's
# run (the same call, `seed=variant.ou_seed`; only `t` and `v`, one row of `membrane_run.v` per
# neuron in the same order), so that this exercise does not depend on your answer to Exercise 2. Store in
# `sd_v` the SD of `v` for each $\tau$, over all samples of its 60 paths **from $t$ = 200 ms on**
# (the membrane starts at $E_L$ and needs a few $\tau_m$ to reach its stationary state), as a
# Quantity array of 3 voltages. Compare with the formula.

# %% nbgrader={"grade": false, "grade_id": "membrane_run", "locked": true, "schema_version": 3, "solution": false, "task": false}
membrane_run = ou_membrane_run()
print(membrane_run)

# %% nbgrader={"grade": false, "grade_id": "sd_v", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
late = np.asarray(membrane_run.t) >= 0.2
v_paths = np.asarray(membrane_run.v / mV)[:, late].reshape(3, 60, -1)
sd_v = v_paths.std(axis=(1, 2)) * mV
print("simulated:", np.round(sd_v / mV, 3))
print("theory:   ", np.round(theory.lif_ou_voltage_sd(QUIET, SIGMA, [0.5, 2.0, 20.0] * ms) / mV, 3))
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
# much more than the fast one. Why? Store `"a"`, `"b"`, `"c"` or `"d"` in `slow_input` (the
# options, in the order of your numbers, are shown below).

# %% nbgrader={"grade": false, "grade_id": "slow_input_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("slow_input")

# %% nbgrader={"grade": false, "grade_id": "slow_input", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
slow_input = variant.letter_of("slow_input", "averaging")  # the option "the membrane averages"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "slow_input_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("slow_input")
check_ou_slow_input(slow_input).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("slow_input", slow_input) == "averaging"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — Euler-Maruyama with a coarse step (2 points)
#
# Simulate the OU current with the Euler-Maruyama update (`stimuli.ou(..., method="euler")`),
# $\mu$ = 500 pA, $\sigma$ = 200 pA, $\tau$ = 2 ms, at a time step of **1 ms**
# (`dt=1 * ms`), 100 paths as one group of `QUIET` neurons, 5 s, `seed=variant.euler_seed`
# (your numbers), recording
# `("I_stim",)`. Store the variance of all samples, pooled, in `var_euler` (units: a current
# squared, e.g. `value * pA**2`) and compare with
# `theory.ou_stationary_variance(SIGMA, 2 * ms, dt=1 * ms, method="euler")`.

# %% nbgrader={"grade": false, "grade_id": "var_euler", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
euler_run = simulate(QUIET, stimuli.ou(np.full(100, 500.0) * pA, SIGMA, 2 * ms, method="euler"),
                     5 * second, dt=1 * ms, record=("I_stim",), seed=variant.euler_seed)
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
# mean rate. Simulate **one** group of 240 neurons for 3.5 s at `dt=DT` with
# `seed=variant.isi_seed`, all driven by OU current with $\sigma$ = 200 pA and $\tau$ = 2 ms
# (your numbers: the seed, the mean `variant.mu_adapting` and the grid `mu_grid` below):
#
# * neurons 0-19: `neuron` (adaptive threshold, $\Delta\Theta$ = 2 mV) at
#   $\mu$ = `variant.mu_adapting`;
# * neurons 20-239: the same neuron **without** adaptation ($\Delta\Theta$ = 0), 20 paths for
#   each $\mu$ of `mu_grid`, 11 means 10 pA apart (neurons 20-39 at the first mean, 40-59 at
#   the second, ...). Hint: `neuron.replace(Delta_Theta=...)` with an array of 240 values.
#
# Measure rates and CVs after a transient of 0.5 s (`result.rates(start=...)`,
# `analysis.cv(trains, start=...)`, one value per neuron). Store
#
# * in `mu_matched` the value of `mu_grid` (a current) whose 20 non-adapting neurons have the mean
#   rate closest to the mean rate of the 20 adaptive neurons (cell below);
# * in `cv_pair` the tuple (mean CV of the 20 adaptive neurons, mean CV of the 20 non-adapting
#   neurons at `mu_matched`) (the cell after its test).

# %% nbgrader={"grade": false, "grade_id": "mu_grid", "locked": true, "schema_version": 3, "solution": false, "task": false}
mu_grid = variant.mu_grid
print(f"mu_adapting = {float(variant.mu_adapting / pA):.0f} pA, mu_grid =",
      np.round(np.asarray(mu_grid / pA)).astype(int), "pA")

# %% nbgrader={"grade": false, "grade_id": "mu_matched", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
mus = np.concatenate([np.full(20, float(variant.mu_adapting / pA)),
                      np.repeat(np.asarray(mu_grid / pA), 20)]) * pA
jumps = np.concatenate([np.full(20, 2.0), np.zeros(220)]) * mV
isi_run = simulate(neuron.replace(Delta_Theta=jumps), stimuli.ou(mus, SIGMA, 2 * ms), 3.5 * second,
                   dt=DT, record=(), seed=variant.isi_seed)
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
# A value of the grid, well below the adaptive neuron's own mean: within the visible check's
# tolerance around the stored reference of the variant's mean (for 500 pA: 362 pA +- 17 pA), so
# both accept the same grid values. Windows (pA) per adaptive mean (pA).
window_h = {500: (345, 378), 400: (298, 334), 450: (323, 358), 550: (368, 399), 600: (388, 419),
            650: (407, 439)}[int(round(float(variant.mu_adapting / pA)))]
assert np.any(np.abs(np.asarray(mu_grid) - float(mu_matched)) < 1e-15)
assert window_h[0] * pA <= mu_matched <= window_h[1] * pA
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
assert cv_h.shape == (2,) and 0.2 < cv_h[0] < cv_h[1] < 0.9
### END HIDDEN TESTS

# %% [markdown]
# Which neuron fires more regularly at the same rate, and why? Store `"a"`, `"b"`, `"c"` or
# `"d"` in `more_regular` (the options, in the order of your numbers, are shown below).

# %% nbgrader={"grade": false, "grade_id": "more_regular_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("more_regular")

# %% nbgrader={"grade": false, "grade_id": "more_regular", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
more_regular = variant.letter_of("more_regular", "adaptive")  # the option "the adaptive one"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "more_regular_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("more_regular")
check_ou_more_regular(more_regular).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("more_regular", more_regular) == "adaptive"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — The membrane's SD against the correlation time (plot task, 2 points)
#
# Exercise 3 checked $\sigma_V = R\,\sigma\sqrt{\tau/(\tau + \tau_m)}$ at three correlation
# times; now the whole curve. Simulate `QUIET` under OU current with $\mu$ = 500 pA,
# $\sigma$ = 200 pA and the nine correlation times `taus_plot` below, 20 paths each, as **one**
# group of 180 neurons (neurons 0-19: $\tau$ = 0.2 ms, 20-39: 0.5 ms, ...):
# `stimuli.ou(MU, SIGMA, np.repeat(taus_plot, 20))`, for 1 s at `dt=DT` with
# `seed=variant.sd_plot_seed` (your numbers), recording `("v",)`. For each $\tau$ compute the SD of `v` over its 20 paths from $t$ = 200 ms
# on, as in Exercise 3. Draw a figure `fig_sd` with one axes showing
#
# * the nine simulated SDs as markers against $\tau$;
# * the theory $\sigma_V(\tau)$ (`theory.lif_ou_voltage_sd(QUIET, SIGMA, tau)`) as a line over
#   $\tau$ from 0.1 ms to 200 ms, with many values on each decade
#   (`np.logspace(-1, np.log10(200), 100) * ms`);
#
# with a logarithmic $\tau$ axis (`ax.set_xscale("log")`), $\tau$ in ms, $\sigma_V$ in mV, and a
# legend. Where does the membrane follow its input, and where does it average it out?

# %% nbgrader={"grade": false, "grade_id": "taus_plot", "locked": true, "schema_version": 3, "solution": false, "task": false}
taus_plot = np.array([0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]) * ms

# %% nbgrader={"grade": false, "grade_id": "sd_figure", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
sd_run = simulate(QUIET, stimuli.ou(MU, SIGMA, np.repeat(taus_plot, 20)), 1 * second, dt=DT,
                  record=("v",), seed=variant.sd_plot_seed)
steady = np.asarray(sd_run.t) >= 0.2
sd_sim = np.asarray(sd_run.v / mV)[:, steady].reshape(taus_plot.size, 20, -1).std(axis=(1, 2)) * mV
tau_fine = np.logspace(-1, np.log10(200), 100) * ms
R_sigma = QUIET.tau_m / QUIET.C_m * SIGMA
fig_sd, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
ax.plot(tau_fine / ms, theory.lif_ou_voltage_sd(QUIET, SIGMA, tau_fine) / mV, color="k", lw=1.2,
        label=r"theory $R\sigma\sqrt{\tau/(\tau + \tau_m)}$")
ax.plot(taus_plot / ms, sd_sim / mV, "o", color="C3", label="simulation (20 paths each)")
ax.axhline(R_sigma / mV, color="0.6", ls="--", lw=0.8, label=r"$R\sigma$ (input unfiltered)")
ax.set_xscale("log")
ax.set_ylim(0, 1.1 * float(R_sigma / mV))
ax.set_xlabel(r"correlation time $\tau$ (ms)")
ax.set_ylabel(r"SD of the membrane potential $\sigma_V$ (mV)")
ax.legend(loc="lower right")
plt.show()
print("simulated:", np.round(sd_sim / mV, 2))
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "sd_figure_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("fig_sd")
check_ou_sd_figure(fig_sd).assert_ok()

# %% [markdown]
# ## Exercise 7 — Is the CV the right measure? (written task, 2 points)
#
# Exercise 5 compared the regularity of two neurons by their mean CV of the inter-spike
# intervals, at the same firing rate. Comment, in a few sentences, on whether the CV is an
# appropriate metric for this comparison:
#
# 1. Why must the two neurons fire at the same rate, and what else did the exercise do (or
#    should one check) so that the two CVs can be compared fairly?
# 2. What does the CV not see? Think of what the adaptive threshold carries from one interval
#    to the next, and name a measure that would show it.

# %% [markdown] nbgrader={"grade": true, "grade_id": "cv_written", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# 1. The CV does not measure the noise alone: with the same input noise it depends on where
#    the neuron operates. Driven hard (mean input above threshold, high rate) a neuron fires
#    almost regularly (CV near 0); near threshold it fires only when a fluctuation carries it
#    across (CV towards 1); the 2 ms dead time adds to every interval and lowers the CV more,
#    the higher the rate.
#    Two neurons at different rates would differ in CV for that reason alone, so the exercise
#    lowered the non-adapting neuron's mean input until its rate matched. Fair also needs:
#    stationary trains (the threshold builds up over about $5\tau_\Theta$ = 0.5 s, and the
#    lengthening intervals of that transient would inflate the CV: hence the 0.5 s discarded),
#    enough intervals per neuron (about 60 to 130 here, depending on the variant's mean; the SE
#    of one CV is about $CV/\sqrt n$, and 20 neurons are averaged), and the same statistic for both (the mean of per-neuron CVs, not the
#    CV of intervals pooled over neurons with different rates).
# 2. The CV sees only the distribution of the intervals, not their order: shuffling the
#    intervals leaves it unchanged. The adaptive threshold carries memory across spikes: a short
#    interval leaves a higher threshold, so the next interval tends to be long, and vice versa.
#    Successive intervals are negatively correlated ($\rho_1 < 0$), which the non-adapting
#    neuron's are hardly at all. The CV therefore understates the difference: over long windows
#    the adaptive neuron's spike counts are even more regular than its CV suggests, since
#    $F(\infty) = CV^2(1 + 2\sum_k \rho_k) < CV^2$. The serial correlation coefficients
#    $\rho_k$ and the Fano factor of the counts show it (lesson 06); for trains whose rate
#    drifts, local measures (CV2, LV) are more appropriate than the CV.
#
# **Rubric (2 points).** One point: the CV depends on the rate (operating point: mean- versus
# fluctuation-driven firing, refractoriness), so the rates must be matched, plus one more
# condition of a fair comparison (stationarity, i.e. the discarded transient; enough intervals;
# per-neuron CVs averaged); half a point for only one of the two. One point: the CV ignores
# the order of the intervals, while adaptation makes successive intervals negatively
# correlated, so it misses part of the regularising effect (counts, Fano factor), with a
# measure that shows it ($\rho_k$, Fano factor; CV2 or LV for a drifting rate); half a point for
# a limitation named without what it means for this comparison.
# ### END SOLUTION
