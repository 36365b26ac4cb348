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
# Points: 12 in total.

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
from brian2 import Hz, Mohm, mV, ms, nA, pA, second

from sfa_helpers import analysis, simulate, stimuli, theory
from sfa_helpers.checks import (check_clamp_I90, check_clamp_isi, check_clamp_mean_v,
                                check_clamp_rates, check_mean_v_reason, check_threshold_crossover,
                                check_threshold_max_rate, require)
from sfa_helpers.models import LIF, ForcedVoltageClamp, ThresholdIncrease
from sfa_helpers.notebook import setup

setup()

# %% [markdown]
# The base neuron of lesson 02: $C_m \frac{dV}{dt} = \frac{E_L - V}{R_m} + I$ with
# $C_m$ = 100 pF, $R_m$ = 100 MΩ ($\tau_m$ = 10 ms), $E_L$ = −70 mV, $V_{th}$ = −50 mV,
# $V_{reset}$ = −65 mV (rheobase 200 pA). **Method 1** (forced voltage clamp): after a spike
# $V = V_{reset}$ for $\tau_{vc}$ = 2.5 ms. **Method 2** (threshold increase): at a spike $V$ is
# reset to $V_{reset}$ and the threshold jumps to $\Theta_{max}$ = 200 mV and relaxes back,
# $\tau_\Theta\frac{d\Theta}{dt} = -(\Theta - V_{th})$, $\tau_\Theta$ = 1 ms. No noise in this
# sheet; time step 0.02 ms throughout.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
base = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=100 * Mohm)
tau_vc = 2.5 * ms
Theta_max, tau_Theta = 200 * mV, 1 * ms
dt = 0.02 * ms
clamp = base + ForcedVoltageClamp(tau_vc=tau_vc)
threshold_increase = base + ThresholdIncrease(Theta_max=Theta_max, tau_Theta=tau_Theta)
print(f"rheobase {theory.lif_rheobase(base) / pA:.0f} pA, tau_m {base.tau_m / ms:.0f} ms")

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
# 600 pA: V_inf = -10 mV, T = 10 ms ln(55/40); 5 nA: V_inf = 430 mV, T = 10 ms ln(495/480).
assert abs(float(clamp_isi(600 * pA)) - (2.5e-3 + 1e-2 * np.log(55 / 40))) < 1e-9
assert abs(float(clamp_isi(5 * nA)) - (2.5e-3 + 1e-2 * np.log(495 / 480))) < 1e-9
assert np.isposinf(float(clamp_isi(100 * pA)))
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — The clamp's f-I curve by simulation (2 points)
#
# Simulate `clamp` for 1 s with `dt` = 0.02 ms at the eight constant currents `clamp_currents`
# below, **all in one group** (`stimuli.constant(clamp_currents)`), without noise, and store the
# interval-based rates $1/\langle \mathrm{ISI}\rangle$ (`analysis.isi_rate(...)`) in
# `clamp_rates` (a Quantity array in Hz, one per current). Compare them with your
# `clamp_isi`: why are the simulated rates slightly *higher* than $1/(\tau_{vc} + T)$?

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
T_h = 1e-2 * np.log((np.asarray(clamp_currents) * 1e8 - 0.07 + 0.065)
                    / (np.asarray(clamp_currents) * 1e8 - 0.07 + 0.05))
isi_h = 1 / np.asarray(clamp_rates, dtype=float)
assert np.all(np.abs(isi_h - (2.5e-3 + T_h)) <= 2e-5 + 1e-9)
assert np.all(np.asarray(clamp_rates) < 400) and np.all(np.diff(np.asarray(clamp_rates)) > 0)
### END HIDDEN TESTS

# %% [markdown]
# The simulated intervals are shorter by less than one time step: on the grid the spike's own
# step already counts as the first clamped step (the clamp lasts one step less), while noticing
# the threshold crossing only at the end of the step in which it happens adds back less than
# one step.
#
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

I_90_h = brentq(lambda i: 2.5e-3 + 1e-2 * np.log((i * 1e8 - 0.005) / (i * 1e8 - 0.02)) - 2.5e-3 / 0.9,
                2.01e-10, 1e-6, xtol=1e-16)
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
v_h = -0.07 + 1e8 * float(I_cross)
gap_h = lambda t_h: v_h + (-0.065 - v_h) * np.exp(-t_h / 0.01) - (-0.05 + 0.25 * np.exp(-t_h / 1e-3))
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
# Store `"a"`, `"b"`, `"c"` or `"d"` in `max_rate_threshold`.
#
# * **a** $1/\tau_\Theta$ = 1 kHz: after each spike the threshold must relax for about
#   $\tau_\Theta$ first.
# * **b** No fixed bound: $V$ climbs from $V_{reset}$ to the falling threshold faster and faster.
# * **c** $1/\tau_{vc}$ = 400 Hz, because a reset acts like the clamp's dead time after every
#   spike.
# * **d** The rate drops to zero: $V_\infty$ is above $\Theta_{max}$, and $V$ cannot cross it
#   from there.

# %% nbgrader={"grade": false, "grade_id": "max_rate_threshold", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
max_rate_threshold = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "max_rate_threshold_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("max_rate_threshold")
check_threshold_max_rate(max_rate_threshold).assert_ok()
### BEGIN HIDDEN TESTS
assert max_rate_threshold.strip().lower() == "b"
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
for i_h in (150e-12, 300e-12, 600e-12):
    vi_h = -0.07 + 1e8 * i_h
    if vi_h <= -0.05:
        ref_h.append(vi_h)
        continue
    T_h = 1e-2 * np.log((vi_h + 0.065) / (vi_h + 0.05))
    ref_h.append((2.5e-3 * -0.065 + vi_h * T_h - 1e-2 * 0.015) / (2.5e-3 + T_h))
assert np.all(np.abs(np.asarray(mean_V, dtype=float) - np.array(ref_h)) < 1e-4)
assert np.all(np.diff(np.asarray(mean_V)) < 0), "the mean potential must fall with the current"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 7 — Why the mean potential falls (1 point)
#
# Below rheobase the mean potential rises with the current ($E_L + R_m I$), above it falls, for
# the clamp and for the threshold increase with refractory conductance (lesson 02). Why does it
# fall? Store `"a"`, `"b"`, `"c"` or `"d"` in `mean_v_reason`.
#
# * **a** Noise makes $V$ fluctuate, and at high currents a potential that fluctuates more
#   strongly has a lower time average.
# * **b** The threshold rises with the rate, so $V$ has to climb higher between spikes, and
#   that lowers its mean.
# * **c** More current means more spikes, each putting $V$ far below threshold: that time
#   spent low outweighs the higher asymptote $E_L + R_m I$.
# * **d** The clamp lasts longer at higher currents, and a clamped $V$ is held below its
#   resting value $E_L$.

# %% nbgrader={"grade": false, "grade_id": "mean_v_reason", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
mean_v_reason = "c"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "mean_v_reason_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("mean_v_reason")
check_mean_v_reason(mean_v_reason).assert_ok()
### BEGIN HIDDEN TESTS
assert mean_v_reason.strip().lower() == "c"
### END HIDDEN TESTS
