# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/solutions/02_refractoriness.ipynb)
#
# # Exercise sheet 02 — Refractoriness
#
# Companion to lesson 02 (`notebooks/02_refractoriness.ipynb`). Each exercise has a cell for your
# answer (replace the line `raise NotImplementedError(...)`) followed by a test cell. Run the
# test cell: it tells you whether your answer is right, or what kind of mistake it is, without
# showing the answer. The grader runs the same test cells plus some hidden tests.
#
# You can also check an answer yourself at any time, e.g. `check_clamp_isi(clamp_isi)`.
# Keep the variable names given in each exercise: the tests look for them. Do not edit the test
# cells (the grader uses its own copy).
#
# A **plot task** asks for a figure in a variable (`fig_...`): the test reads the curves back
# from it, in the units your axis labels name, so label every axis with its unit, e.g.
# `"rate (Hz)"`. A **written task** is a text cell (replace `YOUR ANSWER HERE`); your instructor
# grades it by hand.
#
# Points: 16 in total (2 of them graded by hand).

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
from brian2 import Hz, Mohm, mV, ms, nA, pA, second

from sfa_helpers import analysis, simulate, stimuli, theory
from sfa_helpers.checks import (check_clamp_fI_figure, check_clamp_I90, check_clamp_isi,
                                check_clamp_mean_v, check_clamp_rates, check_mean_v_reason,
                                check_threshold_crossover, check_threshold_max_rate, require,
                                sheet_variant)
from sfa_helpers.models import LIF, ForcedVoltageClamp, ThresholdIncrease
from sfa_helpers.notebook import setup

setup()

# %% [markdown]
# ## Your numbers
#
# The reset potential of the base neuron, `variant.V_reset`, and with it the numbers of
# exercises 1 to 4, 6 and 8, and the order of the multiple-choice options depend on who you are:
# each student has their own numbers, so answers cannot be copied. Write your id between the
# quotes, exactly as your instructor grades you (your login, e.g. `"alice"`), and run the cell.
# The grader always uses the id your submission is filed under.

# %% nbgrader={"grade": false, "grade_id": "student_id", "locked": false, "schema_version": 3, "solution": false, "task": false}
STUDENT_ID = ""
variant = sheet_variant("02", STUDENT_ID)

# %% [markdown]
# The base neuron of lesson 02: $C_m \frac{dV}{dt} = \frac{E_L - V}{R_m} + I$ with
# $C_m$ = 100 pF, $R_m$ = 100 MΩ ($\tau_m$ = 10 ms), $E_L$ = −70 mV, $V_{th}$ = −50 mV,
# and the reset potential $V_{reset}$ = `variant.V_reset` of your numbers (rheobase 200 pA).
# **Method 1** (forced voltage clamp): after a spike $V = V_{reset}$ for $\tau_{vc}$ = 2.5 ms.
# **Method 2** (threshold increase): at a spike $V$ is reset to $V_{reset}$ and the threshold
# jumps to $\Theta_{max}$ = 200 mV and relaxes back,
# $\tau_\Theta\frac{d\Theta}{dt} = -(\Theta - V_{th})$, $\tau_\Theta$ = 1 ms. No noise in this
# sheet; time step 0.02 ms throughout.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
base = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=variant.V_reset, R=100 * Mohm)
tau_vc = 2.5 * ms
Theta_max, tau_Theta = 200 * mV, 1 * ms
dt = 0.02 * ms
clamp = base + ForcedVoltageClamp(tau_vc=tau_vc)
threshold_increase = base + ThresholdIncrease(Theta_max=Theta_max, tau_Theta=tau_Theta)
print(f"rheobase {theory.lif_rheobase(base) / pA:.0f} pA, tau_m {base.tau_m / ms:.0f} ms, "
      f"V_reset {base.V_reset / mV:.0f} mV")

# %% [markdown]
# ## Exercise 1 — The interval of the clamped neuron in closed form (2 points)
#
# After a spike, method 1 holds $V$ at $V_{reset}$ for $\tau_{vc}$; then $V$ relaxes towards
# $V_\infty = E_L + R_m I$ and reaches $V_{th}$ after
#
# $$T(I) = \tau_m \ln\frac{V_\infty - V_{reset}}{V_\infty - V_{th}} \quad (V_\infty > V_{th}).$$
#
# Write `clamp_isi(I)`: `I` is one constant current (a Quantity in amp); return the inter-spike
# interval of the clamped neuron, clamp included ($\tau_{vc} + T(I)$), in seconds (a Quantity),
# and `np.inf * second` when the neuron never fires (at or below rheobase). Use the parameters
# of `base` and `tau_vc`.

# %% nbgrader={"grade": false, "grade_id": "clamp_isi", "locked": false, "schema_version": 3, "solution": true, "task": false}
def clamp_isi(I):
    """Inter-spike interval of the forced-clamp LIF at a constant current I (second)."""
    ### BEGIN SOLUTION
    v_inf = base.E_L + base.R * I
    if v_inf <= base.V_th:
        return np.inf * second
    return tau_vc + base.tau_m * np.log((v_inf - base.V_reset) / (v_inf - base.V_th))
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "clamp_isi_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("clamp_isi")
check_clamp_isi(clamp_isi).assert_ok()
### BEGIN HIDDEN TESTS
# 600 pA: V_inf = -10 mV, T = 10 ms ln((V_inf - V_reset)/40 mV); 5 nA: V_inf = 430 mV,
# T = 10 ms ln((V_inf - V_reset)/480 mV) (in mV).
vr_h = float(variant.V_reset / mV)
assert abs(float(clamp_isi(600 * pA)) - (2.5e-3 + 1e-2 * np.log((-10 - vr_h) / 40))) < 1e-9
assert abs(float(clamp_isi(5 * nA)) - (2.5e-3 + 1e-2 * np.log((430 - vr_h) / 480))) < 1e-9
assert np.isposinf(float(clamp_isi(100 * pA)))
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — The clamp's f-I curve by simulation (2 points)
#
# Simulate `clamp` for 1 s with `dt` = 0.02 ms at the eight constant currents `clamp_currents`
# below, **all in one group** (`stimuli.constant(clamp_currents)`), without noise, and store the
# interval-based rates $1/\langle \mathrm{ISI}\rangle$ (`analysis.isi_rate(...)`) in
# `clamp_rates` (a Quantity array in Hz, one per current). Compare them with your
# `clamp_isi`: the simulated rates are slightly *higher* than $1/(\tau_{vc} + T)$. Why? (Exercise 9
# asks you to explain it.)

# %% nbgrader={"grade": false, "grade_id": "clamp_currents", "locked": true, "schema_version": 3, "solution": false, "task": false}
clamp_currents = np.array([250, 300, 400, 600, 1000, 2000, 5000, 20000]) * pA

# %% nbgrader={"grade": false, "grade_id": "clamp_rates", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
clamp_run = simulate(clamp, stimuli.constant(clamp_currents), 1 * second, dt=dt, record=())
clamp_rates = analysis.isi_rate(clamp_run.spike_trains)
print(np.round(clamp_rates / Hz, 1))
print(np.round([float(1 / clamp_isi(I) / Hz) for I in clamp_currents], 1))
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "clamp_rates_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("clamp_rates")
check_clamp_rates(clamp_rates).assert_ok()
### BEGIN HIDDEN TESTS
# Within one time step (0.02 ms) of the continuous interval, and below 1/tau_vc = 400 Hz.
T_h = 1e-2 * np.log((np.asarray(clamp_currents) * 1e8 - 0.07 - float(variant.V_reset))
                    / (np.asarray(clamp_currents) * 1e8 - 0.07 + 0.05))
isi_h = 1 / np.asarray(clamp_rates, dtype=float)
assert np.all(np.abs(isi_h - (2.5e-3 + T_h)) <= 2e-5 + 1e-9)
assert np.all(np.asarray(clamp_rates) < 400) and np.all(np.diff(np.asarray(clamp_rates)) > 0)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — How slowly the bound is approached (2 points)
#
# The clamp is **absolute** refractoriness: no input can fire the neuron within $\tau_{vc}$, so
# $r < 1/\tau_{vc}$ = 400 Hz. Find the current `I_90` (with units) at which the clamped neuron
# fires at 90 % of this bound, $r = 0.9/\tau_{vc}$ = 360 Hz (continuous time, the formula of
# exercise 1). Solve for $V_\infty$ by hand, or numerically (e.g. `scipy.optimize.brentq` on
# your `clamp_isi`).

# %% nbgrader={"grade": false, "grade_id": "I_90", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
# tau_vc + T = tau_vc / 0.9  =>  T = tau_vc / 9  =>  (V_inf - V_reset)/(V_inf - V_th) = q
q = np.exp(tau_vc / 9 / base.tau_m)
v_inf_90 = (q * base.V_th - base.V_reset) / (q - 1)
I_90 = (v_inf_90 - base.E_L) / base.R
print(f"I_90 = {I_90 / nA:.2f} nA, {float(I_90 / theory.lif_rheobase(base)):.0f} x rheobase")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "I_90_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("I_90")
check_clamp_I90(I_90).assert_ok()
### BEGIN HIDDEN TESTS
from scipy.optimize import brentq

vr_h = float(variant.V_reset)  # volt
I_90_h = brentq(lambda i: 2.5e-3 + 1e-2 * np.log((i * 1e8 - 0.07 - vr_h) / (i * 1e8 - 0.02))
                - 2.5e-3 / 0.9, 2.01e-10, 1e-6, xtol=1e-16)
assert abs(float(I_90) / I_90_h - 1) < 0.005
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — Relative refractoriness beats the bound (2 points)
#
# After a spike of method 2, $V$ climbs back from $V_{reset}$,
# $V(t) = V_\infty + (V_{reset} - V_\infty)\,e^{-t/\tau_m}$ with $V_\infty = E_L + R_m I$, while
# the threshold falls, $\Theta(t) = V_{th} + (\Theta_{max} - V_{th})\,e^{-t/\tau_\Theta}$; the
# next spike comes where they meet (no noise). Find the current `I_cross` (with units) **above
# which method 2 fires faster than the clamp neuron could fire at any current** (interval
# shorter than $\tau_{vc}$). Hint: at the interval $\tau_{vc}$ the condition
# $V(\tau_{vc}) = \Theta(\tau_{vc})$ is linear in $V_\infty$.
# You can check your answer by simulating `threshold_increase` just below and above it.

# %% nbgrader={"grade": false, "grade_id": "I_cross", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
# V_inf + (V_reset - V_inf) q = Theta(tau_vc), with q = exp(-tau_vc / tau_m)
q = np.exp(-tau_vc / base.tau_m)
theta_at_tau_vc = base.V_th + (Theta_max - base.V_th) * np.exp(-tau_vc / tau_Theta)
v_inf_cross = (theta_at_tau_vc - base.V_reset * q) / (1 - q)
I_cross = (v_inf_cross - base.E_L) / base.R
print(f"I_cross = {I_cross / pA:.1f} pA")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "I_cross_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("I_cross")
check_threshold_crossover(I_cross).assert_ok()
### BEGIN HIDDEN TESTS
# At I_cross the rising V and the falling threshold meet after tau_vc (bisection on the gap).
v_h, vr_h = -0.07 + 1e8 * float(I_cross), float(variant.V_reset)
gap_h = lambda t_h: v_h + (vr_h - v_h) * np.exp(-t_h / 0.01) - (-0.05 + 0.25 * np.exp(-t_h / 1e-3))
lo_h, hi_h = 1e-6, 0.05
for _ in range(60):
    mid_h = 0.5 * (lo_h + hi_h)
    lo_h, hi_h = (lo_h, mid_h) if gap_h(mid_h) > 0 else (mid_h, hi_h)
assert abs(lo_h - 2.5e-3) < 2e-5
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — The maximum rate of method 2 (1 point)
#
# At 20 nA the free potential $V_\infty = E_L + R_m I$ is about 1.93 V, far above
# $\Theta_{max}$ = 200 mV. What limits the firing rate of method 2 as the current grows further?
# (The options, in the order of your numbers, are shown below.) Store `"a"`, `"b"`, `"c"` or
# `"d"` in `max_rate_threshold`.

# %% nbgrader={"grade": false, "grade_id": "max_rate_threshold_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("max_rate_threshold")

# %% nbgrader={"grade": false, "grade_id": "max_rate_threshold", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
max_rate_threshold = variant.letter_of("max_rate_threshold", "no_bound")  # "no fixed bound"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "max_rate_threshold_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("max_rate_threshold")
check_threshold_max_rate(max_rate_threshold).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("max_rate_threshold", max_rate_threshold) == "no_bound"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — The mean potential of the clamped neuron (2 points)
#
# Simulate `clamp` for 1 s (`dt` = 0.02 ms, no noise) at the three currents `mean_v_currents`
# below in one group, recording `"v"`, and store the mean membrane potential from 0.2 s on
# (`analysis.mean_potential(result, start=0.2 * second)`) in `mean_V` (a Quantity array in mV).
# Check yourself against the closed form: over one interval $V$ spends $\tau_{vc}$ at $V_{reset}$
# and $T$ on the exponential, so
#
# $$\bar V = \frac{\tau_{vc} V_{reset} + V_\infty T - \tau_m (V_{th} - V_{reset})}{\tau_{vc} + T}.$$

# %% nbgrader={"grade": false, "grade_id": "mean_v_currents", "locked": true, "schema_version": 3, "solution": false, "task": false}
mean_v_currents = np.array([150, 300, 600]) * pA

# %% nbgrader={"grade": false, "grade_id": "mean_V", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
mean_run = simulate(clamp, stimuli.constant(mean_v_currents), 1 * second, dt=dt, record=("v",))
mean_V = analysis.mean_potential(mean_run, start=0.2 * second)
print(np.round(mean_V / mV, 2), "mV; without spikes:",
      np.round((base.E_L + base.R * mean_v_currents) / mV, 1), "mV")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "mean_V_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("mean_V")
check_clamp_mean_v(mean_V).assert_ok()
### BEGIN HIDDEN TESTS
ref_h = []
vr_h = float(variant.V_reset)  # volt
for i_h in (150e-12, 300e-12, 600e-12):
    vi_h = -0.07 + 1e8 * i_h
    if vi_h <= -0.05:
        ref_h.append(vi_h)
        continue
    T_h = 1e-2 * np.log((vi_h - vr_h) / (vi_h + 0.05))
    ref_h.append((2.5e-3 * vr_h + vi_h * T_h - 1e-2 * (-0.05 - vr_h)) / (2.5e-3 + T_h))
assert np.all(np.abs(np.asarray(mean_V, dtype=float) - np.array(ref_h)) < 1e-4)
assert np.all(np.diff(np.asarray(mean_V)) < 0), "the mean potential must fall with the current"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 7 — Why the mean potential falls (1 point)
#
# Below rheobase the mean potential rises with the current ($E_L + R_m I$), above it falls, for
# the clamp and for the threshold increase with refractory conductance (lesson 02). Why does it
# fall? (The options, in the order of your numbers, are shown below.) Store `"a"`, `"b"`, `"c"`
# or `"d"` in `mean_v_reason`.

# %% nbgrader={"grade": false, "grade_id": "mean_v_reason_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("mean_v_reason")

# %% nbgrader={"grade": false, "grade_id": "mean_v_reason", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
mean_v_reason = variant.letter_of("mean_v_reason", "time_low")  # "the time spent low outweighs"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "mean_v_reason_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("mean_v_reason")
check_mean_v_reason(mean_v_reason).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("mean_v_reason", mean_v_reason) == "time_low"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 8 — The clamp's f-I curve in one figure (plot task, 2 points)
#
# Simulate `clamp` again, now at the thirteen currents `fI_currents` below, all in one group,
# for 0.5 s with `dt` = 0.02 ms and without noise, and compute the interval-based rates
# (`analysis.isi_rate(...)`) as in exercise 2. Draw a figure `fig_clamp_fI` with one axes,
# rate against current:
#
# * the simulated rates as points (markers);
# * the closed form $1/(\tau_{vc} + T(I))$ (your `clamp_isi`) as a line through at least 100
#   currents from the smallest to the largest of `fI_currents`;
# * a legend naming both, and the unit on both axes.
#
# A logarithmic current axis (`ax.set_xscale("log")`) shows the whole range; you may add the
# bound $1/\tau_{vc}$ as a horizontal line. How close do the points come to the bound at 20 nA?

# %% nbgrader={"grade": false, "grade_id": "fI_currents", "locked": true, "schema_version": 3, "solution": false, "task": false}
fI_currents = np.array([220, 250, 300, 400, 500, 700, 1000, 1500, 2000, 3000, 5000, 10000,
                        20000]) * pA

# %% nbgrader={"grade": false, "grade_id": "clamp_fI_figure", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
fI_run = simulate(clamp, stimuli.constant(fI_currents), 0.5 * second, dt=dt, record=())
fI_rates = analysis.isi_rate(fI_run.spike_trains)
fine = np.geomspace(220, 20000, 200) * pA
closed_form = np.array([float(1 / clamp_isi(I) / Hz) for I in fine])
fig_clamp_fI, ax = plt.subplots(figsize=(6, 4))
ax.plot(fine / nA, closed_form, color="C0", label=r"closed form $1/(\tau_{vc} + T)$")
ax.plot(fI_currents / nA, fI_rates / Hz, "o", color="C1", ms=5, label="simulation (dt = 0.02 ms)")
ax.axhline(1 / tau_vc / Hz, ls="--", color="0.5", lw=0.8, label=r"bound $1/\tau_{vc}$")
ax.set_xscale("log")
ax.set_xticks([0.2, 0.5, 1, 2, 5, 10, 20], ["0.2", "0.5", "1", "2", "5", "10", "20"])
ax.set_xlabel("input current (nA)")
ax.set_ylabel("firing rate (Hz)")
ax.legend(frameon=False)
plt.show()
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "clamp_fI_figure_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("fig_clamp_fI")
check_clamp_fI_figure(fig_clamp_fI, clamp_isi).assert_ok()

# %% [markdown]
# ## Exercise 9 — How refractoriness bounds the rate (written task, 2 points)
#
# In a few sentences:
#
# 1. Why can the clamped neuron (method 1) never fire faster than $1/\tau_{vc}$, however strong
#    the input? And why are the simulated rates of exercise 2 nevertheless slightly *higher*
#    than $1/(\tau_{vc} + T)$, and still not above the bound?
# 2. Method 2 also resets $V$ to $V_{reset}$ at every spike, but holds nothing fixed. How does its
#    rate behave at strong input, and why can it exceed the clamp's bound (exercises 4 and 5)?
#    Which kind of refractoriness is each method?

# %% [markdown] nbgrader={"grade": true, "grade_id": "rate_bound_written", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# 1. For $\tau_{vc}$ after every spike $V$ is held at $V_{reset}$: no input, however strong, can
#    move it, so every interval is $\tau_{vc} + T(I)$ with $T(I) > 0$ ($T \to 0$ only as
#    $I \to \infty$) and $r = 1/(\tau_{vc} + T) < 1/\tau_{vc}$ = 400 Hz. This is **absolute**
#    refractoriness, and the bound is approached slowly (90 % only at the `I_90` of exercise 3:
#    about 5.5 nA, 28 times the rheobase, for $V_{reset}$ = −65 mV). On the 0.02 ms grid the
#    spike's own step already counts as the first clamped step (the clamp lasts one step less),
#    while the crossing is noticed only at the end of the step in which it happens, which adds
#    back less than one step: the simulated interval is
#    $\tau_{vc} + (\lceil T/dt \rceil - 1)\,dt$, shorter than $\tau_{vc} + T$ by less than one
#    step but never shorter than $\tau_{vc}$.
# 2. Method 2 resets $V$ too, but its threshold, after jumping to $\Theta_{max}$, is finite at
#    every moment and falls back with $\tau_\Theta$ = 1 ms: a strong input can cross it early.
#    This is **relative** refractoriness. The interval is the time $V$ needs to climb from
#    $V_{reset}$ to the falling threshold, and that climb gets faster and faster as
#    $V_\infty = E_L + R_m I$ grows (the initial slope is $(V_\infty - V_{reset})/\tau_m$), so there
#    is no fixed maximum: above $I_{cross}$ (exercise 4; about 1.66 nA for $V_{reset}$ = −65 mV)
#    method 2 fires faster than 400 Hz, about 1.4 kHz at 20 nA, even faster than $1/\tau_\Theta$.
#
# **Rubric (2 points).** 1 point for method 1: half a point for the clamp holding $V$ for
# $\tau_{vc}$ whatever the input, so the interval is $\tau_{vc} + T$ with $T > 0$ (absolute
# refractoriness); half a point for the grid effect (the spike's step counts as a clamped step,
# the crossing is detected at the end of a step: shorter by less than one step, never below
# $\tau_{vc}$). 1 point for method 2: half a point for relative refractoriness (a high but finite,
# decaying threshold that strong input crosses early); half a point for the reset: $V$ must
# climb back from $V_{reset}$, the climb shrinks without a fixed bound as the input grows, so
# the rate exceeds 400 Hz above $I_{cross}$ (exercise 4, the student's own $V_{reset}$).
# ### END SOLUTION
