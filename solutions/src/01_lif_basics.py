# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/solutions/01_lif_basics.ipynb)
#
# # Exercise sheet 01 — The leaky integrate-and-fire neuron
#
# Companion to lesson 01 (`notebooks/01_lif_basics.ipynb`). Each exercise has a cell for your
# answer (replace the line `raise NotImplementedError(...)`) followed by a test cell. Run the
# test cell: it tells you whether your answer is right, or what kind of mistake it is, without
# showing the answer. The grader runs the same test cells plus some hidden tests.
#
# You can also check an answer yourself at any time, e.g. `check_rheobase_formula(I_th)`.
# Keep the variable names given in each exercise: the tests look for them. Do not edit the test
# cells (the grader uses its own copy).
#
# A **plot task** asks for a figure in a variable (`fig_...`): the test reads the curves back
# from it, in the units your axis labels name, so label every axis with its unit, e.g.
# `"V (mV)"`. A **written task** is a text cell (replace `YOUR ANSWER HERE`); your instructor
# grades it by hand.
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
import numpy as np
import matplotlib.pyplot as plt
from brian2 import Hz, Mohm, mV, ms, nA, nF, nS, second

from sfa_helpers import fi_curve, simulate, stimuli, theory
from sfa_helpers.checks import (check_four_steps_figure, check_lif_written, check_ramp_current,
                                check_ramp_lag, sheet_variant,
                                check_reset_limit, check_reset_rates, check_rheobase_formula,
                                check_rheobase_sim, check_spikes_halves, check_window_rate, require)
from sfa_helpers.models import LIF, Brian2Model
from sfa_helpers.notebook import setup

setup()

# %% [markdown]
# ## Your numbers
#
# Exercises 2, 4, 5 and 6 and the order of the multiple-choice options depend on who you are:
# each student has their own numbers, so answers cannot be copied. Write your id between the
# quotes, exactly as your instructor grades you (your login, e.g. `"alice"`), and run the cell.
# The grader always uses the id your submission is filed under.

# %% nbgrader={"grade": false, "grade_id": "student_id", "locked": false, "schema_version": 3, "solution": false, "task": false}
STUDENT_ID = ""
variant = sheet_variant("01", STUDENT_ID)

# %% [markdown]
# The two parameter sets of lesson 01. **Set A** (lab tutorial): $E_L$ = −70 mV,
# $V_{th}$ = −55 mV, $V_{reset}$ = −75 mV, $R$ = 10 MΩ, $\tau_m$ = 10 ms, no refractory period.
# **Set B** (textbook): $C_m$ = 2 nF, $R_m$ = 5 MΩ ($\tau_m = R_m C_m$ = 10 ms), $E_L$ = −70 mV,
# $V_{th}$ = −50 mV, $V_{reset}$ = −65 mV. Time step 0.1 ms throughout.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
set_A = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)
set_B = dict(tau_m=10 * ms, C_m=2 * nF, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV)
neuron_A = LIF(**set_A)
neuron_B = LIF(**set_B)
print(f"set B: R = {neuron_B.R / Mohm:.0f} MOhm, tau_m = {neuron_B.tau_m / ms:.0f} ms")

# %% [markdown]
# ## Exercise 1 — Rheobase from the formula (1 point)
#
# A constant current $I$ drives $V$ towards $E_L + R I$. The neuron fires only if this steady
# state lies above threshold, so the **rheobase** is
#
# $$I_{th} = \frac{V_{th} - E_L}{R}.$$
#
# Compute the rheobase of `neuron_B` from its parameters (`neuron_B.V_th`, `neuron_B.E_L`,
# `neuron_B.R`) and store it, with units, in `I_th`.

# %% nbgrader={"grade": false, "grade_id": "rheobase_formula", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
I_th = (neuron_B.V_th - neuron_B.E_L) / neuron_B.R
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "rheobase_formula_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("I_th")
check_rheobase_formula(I_th).assert_ok()
### BEGIN HIDDEN TESTS
assert abs(I_th / (20 * mV / (5 * Mohm)) - 1) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — Rheobase by simulation (2 points)
#
# Now find the rheobase of `neuron_B` *without* the formula. Simulate 21 neurons **in one
# group** (one constant current each, `stimuli.constant(currents)`) for 1 s, with the currents
# from `variant.sweep_start` (your numbers) upwards in steps of 0.01 nA, and store in `I_th_sim`
# the smallest current that produced at least one spike (`result.spike_trains[k]` holds the
# spike times of neuron `k`).
#
# Think before you test: can a simulation fire at *exactly* the formula's rheobase?

# %% nbgrader={"grade": false, "grade_id": "rheobase_sim", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
currents = np.round(variant.sweep_start / nA + 0.01 * np.arange(21), 3) * nA
sweep = simulate(neuron_B, stimuli.constant(currents), 1 * second, record=())
fires = np.array([len(train) > 0 for train in sweep.spike_trains])
I_th_sim = currents[fires][0]
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "rheobase_sim_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("I_th_sim")
check_rheobase_sim(I_th_sim).assert_ok()
### BEGIN HIDDEN TESTS
# At exactly (V_th - E_L)/R the potential only approaches threshold: the first current of the
# grid above 4 nA is the smallest that fires (well within 1 s: tau_m ln(RI / (RI - 20 mV))).
grid_h = float(variant.sweep_start / nA) + 0.01 * np.arange(21)
first_h = grid_h[grid_h > 4.0 + 1e-9][0]
assert abs(I_th_sim / nA - first_h) < 1e-6, "I_th_sim is not the smallest firing current of the sweep"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — A counting window that matches theory (2 points)
#
# In lesson 01 the rate counted in the fixed pulse window (spikes / 300 ms) fell below the theory
# $r = 1/T(I)$, because of the latency of the first spike and because the window holds a whole
# number of spikes. A window that starts at the first spike $t_1$ and ends at the last spike
# $t_n$ contains exactly $n - 1$ whole intervals, so its counted rate
#
# $$r_{window} = \frac{\#\{t_f : t_1 \le t_f < t_n\}}{t_n - t_1}$$
#
# equals $1/\langle \mathrm{ISI} \rangle$. Write `window_rate(train)`: `train` is a Quantity
# array of sorted spike times; return the rate in Hz, and `np.nan * Hz` when the train has fewer
# than two spikes.

# %% nbgrader={"grade": false, "grade_id": "window_rate", "locked": false, "schema_version": 3, "solution": true, "task": false}
def window_rate(train):
    """Spike count in [first spike, last spike) divided by that window (Hz)."""
    ### BEGIN SOLUTION
    t = np.asarray(train / second, dtype=float)
    if t.size < 2:
        return np.nan * Hz
    count = np.count_nonzero((t >= t[0]) & (t < t[-1]))
    return count / ((t[-1] - t[0]) * second)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "window_rate_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("window_rate")
check_window_rate(window_rate).assert_ok()
### BEGIN HIDDEN TESTS
# A perfectly regular train with the simulated interval of set A at 1.63 nA gives 1/ISI.
isi_hidden = theory.lif_isi_on_grid(neuron_A, 1.63 * nA, 0.1 * ms)
train_hidden = 0.1 * second + np.arange(12) * isi_hidden
assert abs(window_rate(train_hidden) * isi_hidden - 1) < 1e-9
assert abs(window_rate(np.array([2.0, 7.0]) * ms) / (200 * Hz) - 1) < 1e-9
assert np.isnan(np.asarray(window_rate(np.array([]) * second), dtype=float))
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — Moving the reset (3 points)
#
# The time from reset to threshold, $T = \tau_m \ln\frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}}$,
# depends on how far below threshold the neuron restarts. Use set A with the five reset
# potentials `V_reset_values` below (**one** `LIF` whose `V_reset` is this array, so all five
# run in one group) at the constant current `variant.reset_current` of your numbers, for 1 s,
# and store the interval-based rates
# (`fi_curve(..., rate="isi")`) in `reset_rates` (a Quantity array in Hz, one per reset value).

# %% nbgrader={"grade": false, "grade_id": "reset_values", "locked": true, "schema_version": 3, "solution": false, "task": false}
V_reset_values = np.array([-75.0, -70.0, -65.0, -60.0, -56.0]) * mV

# %% nbgrader={"grade": false, "grade_id": "reset_rates", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
reset_model = LIF(**{**set_A, "V_reset": V_reset_values})
reset_currents = np.full(V_reset_values.size, 1.0) * variant.reset_current
reset_rates = fi_curve(reset_model, reset_currents, 1 * second, rate="isi").rates
print(np.round(reset_rates / Hz, 1))
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "reset_rates_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("reset_rates")
check_reset_rates(reset_rates).assert_ok()
### BEGIN HIDDEN TESTS
# The interval from the closed form, counted in whole 0.1 ms steps (a crossing is seen at the
# end of the step it happens in).
drive = 10 * Mohm * variant.reset_current - 70 * mV
T_hidden = np.ceil(np.log((drive - V_reset_values) / (drive + 55 * mV)) * 100 - 1e-9) * 0.1 * ms
assert np.all(np.abs(np.asarray(reset_rates * T_hidden) - 1) < 0.005)
assert np.all(np.diff(np.asarray(reset_rates)) > 0), "the rate must grow as V_reset rises"
### END HIDDEN TESTS

# %% [markdown]
# Now give the neuron an absolute refractory period $t_{ref}$ = 2 ms. As $V_{reset}$ approaches
# $V_{th}$ from below (at a fixed current above rheobase), the firing rate
#
# (the options, in the order of your numbers, are shown below). Store your choice as a string
# (`"a"`, `"b"`, `"c"` or `"d"`) in `reset_limit`.

# %% nbgrader={"grade": false, "grade_id": "reset_limit_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("reset_limit")

# %% nbgrader={"grade": false, "grade_id": "reset_limit", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
reset_limit = variant.letter_of("reset_limit", "cap")  # the option "approaches 1/t_ref"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "reset_limit_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("reset_limit")
check_reset_limit(reset_limit).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("reset_limit", reset_limit) == "cap"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — A current that changes halfway (2 points)
#
# Drive `neuron_A` for 500 ms with the current `variant.halves[0]` that jumps to
# `variant.halves[1]` at 250 ms (your numbers; hint: stimuli add up,
# `stimuli.constant(...) + stimuli.step(...)`). Store the number of spikes in
# $[0, 250)$ ms and in $[250, 500)$ ms as a tuple of two integers in `spikes_halves`
# (`result.spike_counts(start, stop)`).

# %% nbgrader={"grade": false, "grade_id": "spikes_halves", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
first_I, second_I = variant.halves
halves = simulate(neuron_A, stimuli.constant(first_I) + stimuli.step(second_I - first_I, 250 * ms),
                  500 * ms, record=())
spikes_halves = (int(halves.spike_counts(0 * ms, 250 * ms)[0]),
                 int(halves.spike_counts(250 * ms, 500 * ms)[0]))
print(spikes_halves)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "spikes_halves_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("spikes_halves")
check_spikes_halves(spikes_halves).assert_ok()
### BEGIN HIDDEN TESTS
# Independent truth: the exact one-step update written out (mV, ms, nA, MOhm).
v_h, counts_h = -70.0, [0, 0]
a_h, b_h = (float(x / nA) for x in variant.halves)
for k in range(5000):
    v_inf = -70.0 + 10.0 * (a_h if k < 2500 else b_h)
    v_h = v_inf + (v_h - v_inf) * np.exp(-0.1 / 10.0)
    if v_h > -55.0:
        counts_h[k >= 2500] += 1
        v_h = -75.0
assert tuple(int(n) for n in spikes_halves) == tuple(counts_h)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — A current that changes continuously (3 points)
#
# A slow ramp from 0 nA at $t = 0$ to `variant.ramp_top` at $t$ = 500 ms
# (`stimuli.ramp(variant.ramp_top, 0 * ms, 500 * ms)`) drives `neuron_A` (rheobase 1.5 nA).
# Simulate 500 ms and store in `I_ramp_first_spike` the input current at the time of the first
# spike.

# %% nbgrader={"grade": false, "grade_id": "ramp_current", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
ramp_run = simulate(neuron_A, stimuli.ramp(variant.ramp_top, 0 * ms, 500 * ms), 500 * ms, record=())
t_first = ramp_run.spike_trains[0][0]
I_ramp_first_spike = variant.ramp_top / (500 * ms) * t_first
print(f"first spike at {t_first / ms:.1f} ms, I = {I_ramp_first_spike / nA:.3f} nA")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "ramp_current_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("I_ramp_first_spike")
check_ramp_current(I_ramp_first_spike).assert_ok()
### BEGIN HIDDEN TESTS
# V(t) - E_L = R s (t - tau (1 - exp(-t/tau))) from rest; first crossing of 15 mV.
from scipy.optimize import brentq

s_h, tau_h = float(variant.ramp_top) / 0.5, 0.01  # slope (A/s), tau_m = 0.01 s
t_h = brentq(lambda t: 1e7 * s_h * (t - tau_h * (1 - np.exp(-t / tau_h))) - 0.015, 1e-3, 1.0)
assert abs(float(I_ramp_first_spike) / (s_h * t_h) - 1) < 0.005
### END HIDDEN TESTS

# %% [markdown]
# The first spike comes at a current *above* the rheobase. Why? Store `"a"`, `"b"`, `"c"` or
# `"d"` in `ramp_lag`.

# %% nbgrader={"grade": false, "grade_id": "ramp_lag_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("ramp_lag")

# %% nbgrader={"grade": false, "grade_id": "ramp_lag", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
ramp_lag = variant.letter_of("ramp_lag", "lag")  # the option "the membrane low-pass filters the ramp"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "ramp_lag_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("ramp_lag")
check_ramp_lag(ramp_lag).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("ramp_lag", ramp_lag) == "lag"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 7 — The LIF in Brian2 (2 points)
#
# Lesson 01 wrote the LIF with $\tau_m$ and $R$. Written with the capacitance $C_m$ and the leak
# conductance $g_L = 1/R$, and given an absolute refractory period $t_{ref}$ (after a spike, $v$
# stays at $V_{reset}$ for $t_{ref}$), it reads
#
# $$C_m \frac{dv}{dt} = g_L\,(E_L - v) + I, \qquad v > V_{th}:\ v \to V_{reset}.$$
#
# Write this model as Brian2 code, in three strings:
#
# * `lif_equations`: the differential equation of `v` (in `volt`). Brian2 wants `dv/dt` alone
#   on the left, so divide by `C_m`; the input current is called `I_total`; while the neuron is
#   refractory `v` must not change;
# * `lif_threshold`: the condition for a spike;
# * `lif_reset`: what happens at a spike.
#
# Use the parameter names `C_m`, `g_L`, `E_L`, `V_th`, `V_reset` and `t_ref`, never numbers: the
# check fills in the values (`lif_parameters` below: set B with $t_{ref}$ = 2 ms), passes
# `refractory="t_ref"` to Brian2, starts `v` at $E_L$, and compares your neuron's spike times
# with those of the built-in `LIF` under four current steps. The hidden tests use other values
# and inputs. Do not define `I_total` or declare the parameters in the equations. To watch your
# model run: `simulate(Brian2Model(lif_equations, lif_threshold, lif_reset, refractory="t_ref",
# init={"v": -70 * mV}, **lif_parameters), stimuli.constant(5 * nA), 100 * ms)`.

# %% nbgrader={"grade": false, "grade_id": "lif_parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
lif_parameters = dict(C_m=2 * nF, g_L=200 * nS, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV,
                      t_ref=2 * ms)

# %% nbgrader={"grade": false, "grade_id": "lif_written", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
lif_equations = "dv/dt = (g_L*(E_L - v) + I_total)/C_m : volt (unless refractory)"
lif_threshold = "v > V_th"
lif_reset = "v = V_reset"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "lif_written_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("lif_equations", "lif_threshold", "lif_reset")
check_lif_written(lif_equations, lif_threshold, lif_reset).assert_ok()
### BEGIN HIDDEN TESTS
# Other values (three neurons: tau_m = 15, 20 and 10 ms, t_ref 3, 1.5 and 5 ms) and an input the
# student has not seen: numbers written into the strings fail here.
from brian2 import pF

hidden_lif = dict(C_m=[150, 300, 100] * pF, g_L=[10, 15, 10] * nS, E_L=[-65, -72, -60] * mV,
                  V_th=[-50, -52, -45] * mV, V_reset=[-60, -75, -62] * mV, t_ref=[3, 1.5, 5] * ms)
hidden_input = stimuli.ramp([0.8, 1.2, 1.0] * nA, 0 * ms, 400 * ms) + stimuli.sine(0.1 * nA, 10 * Hz)
check_lif_written(lif_equations, lif_threshold, lif_reset, parameters=hidden_lif,
                  cases=[(hidden_input, 400 * ms, "a ramp with a sine on top")]).assert_ok()
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 8 — A current that changes four times (plot task, 2 points)
#
# Drive `neuron_A` (rheobase 1.5 nA) for 500 ms with a current that changes four times:
#
# | from | to | current |
# | --- | --- | --- |
# | 0 ms | 100 ms | 1.2 nA |
# | 100 ms | 200 ms | 2.0 nA |
# | 200 ms | 300 ms | 3.0 nA |
# | 300 ms | 400 ms | 1.6 nA |
# | 400 ms | 500 ms | 0 |
#
# (`stimuli.step(amplitude, start, stop)` is one segment; segments add up with `+`). Record the
# membrane potential and the input current (`record=("v", "I_stim")`), and draw a figure
# `fig_steps` with two panels, one above the other: $V(t)$ on top, $I(t)$ below
# (`result.v[0]` and `result.I_stim[0]` against `result.t`). Label each axis with its unit.
# Look at it: in which segment does the neuron fire fastest, and why does it fire in the
# 1.6 nA segment, but slowly?

# %% nbgrader={"grade": false, "grade_id": "four_steps", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
four_steps = (stimuli.step(1.2 * nA, 0 * ms, 100 * ms) + stimuli.step(2.0 * nA, 100 * ms, 200 * ms)
              + stimuli.step(3.0 * nA, 200 * ms, 300 * ms) + stimuli.step(1.6 * nA, 300 * ms, 400 * ms))
steps_run = simulate(neuron_A, four_steps, 500 * ms, record=("v", "I_stim"))
fig_steps, (ax_v, ax_i) = plt.subplots(2, 1, sharex=True, figsize=(7, 4.5))
ax_v.plot(steps_run.t / ms, steps_run.v[0] / mV)
ax_v.axhline(neuron_A.V_th / mV, ls="--", color="0.5", lw=0.8)
ax_v.set_ylabel("V (mV)")
ax_i.plot(steps_run.t / ms, steps_run.I_stim[0] / nA, color="C1")
ax_i.set_ylabel("I (nA)")
ax_i.set_xlabel("t (ms)")
plt.show()
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "four_steps_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("fig_steps")
check_four_steps_figure(fig_steps).assert_ok()

# %% [markdown]
# ## Exercise 9 — Where the reset sits (written task, 2 points)
#
# Exercise 4 moved $V_{reset}$ with a refractory period. Now take set A **without** a refractory
# period, at a fixed current above rheobase. In a few sentences, using the interval
# $T = \tau_m \ln\frac{RI + E_L - V_{reset}}{RI + E_L - V_{th}}$:
#
# 1. what happens to the firing rate as $V_{reset}$ approaches $V_{th}$ from below, and why is
#    that not what a real neuron does?
# 2. what changes when $V_{reset}$ is set to $E_L$ instead of −75 mV: is the rate higher or
#    lower, and what does the neuron "remember" of its last spike in each case?

# %% [markdown] nbgrader={"grade": true, "grade_id": "reset_written", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# 1. The logarithm's argument tends to 1, so $T \to 0$ and the rate grows without bound (a
#    neuron reset just below threshold crosses it again in the next instant). Real neurons have
#    a refractory period (and a reset well below threshold), which caps the rate near
#    $1/t_{ref}$; the LIF without one has no such limit.
# 2. With $V_{reset} = E_L$ = −70 mV the neuron restarts 5 mV closer to threshold than at −75 mV,
#    so each interval is shorter and the rate higher (e.g. at 2 nA: $T$ = 10 ms ln(20/5) =
#    13.9 ms, 72 Hz, instead of 10 ms ln(25/5) = 16.1 ms, 62 Hz). With $V_{reset} = E_L$ the
#    neuron restarts exactly as from rest: it keeps no trace of its last spike beyond the
#    restart time. A reset below $E_L$ is an after-hyperpolarisation: every spike pushes the
#    next one later.
#
# **Rubric (2 points).** 1 point: $T \to 0$ (the rate diverges) as $V_{reset} \to V_{th}$, with
# a reason why this is unphysical (no refractoriness, nothing bounds the rate). 1 point:
# $V_{reset} = E_L$ gives a *higher* rate than −75 mV, with the reason (a shorter way to
# threshold) and the idea that a reset below $E_L$ acts as an after-hyperpolarisation. Half a
# point for a right direction without a reason.
# ### END SOLUTION
