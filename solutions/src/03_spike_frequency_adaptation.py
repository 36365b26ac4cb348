# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/solutions/03_spike_frequency_adaptation.ipynb)
#
# # Exercise sheet 03 — Spike-frequency adaptation
#
# Companion to lesson 03 (`notebooks/03_spike_frequency_adaptation.ipynb`). Each exercise has a
# cell for your answer (replace the line `raise NotImplementedError(...)`) followed by a test
# cell. Run the test cell: it tells you whether your answer is right, or what kind of mistake it
# is, without showing the answer. The grader runs the same test cells plus some hidden tests.
#
# You can also check an answer yourself at any time, e.g.
# `check_equivalent_threshold_jump(Delta_Theta_equiv)`. Keep the variable names given in each
# exercise: the tests look for them. Do not edit the test cells (the grader uses its own copy).
#
# A **plot task** asks for a figure in a variable (`fig_...`): the test reads the curves back
# from it, in the units your axis labels name, so label every axis with its unit, e.g.
# `"rate (Hz)"`. A **written task** is a text cell (replace `YOUR ANSWER HERE`); your instructor
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
from brian2 import Hz, Mohm, mV, ms, nA, nS, pA, pF, second
from scipy.optimize import brentq

from sfa_helpers import analysis, simulate, stimuli, theory
from sfa_helpers.theory.adaptation import adaptive_lif_rate
from sfa_helpers.checks import (check_adaptation_time_scale, check_adapted_rate,
                                check_equivalent_threshold_jump, check_sfa_overlap_figure,
                                check_sfa_overlap_rates, check_sfa_theory_gap, check_sfa_written,
                                check_single_spike_current, check_sra_first_steady, require,
                                sheet_variant)
from sfa_helpers.models import (LIF, AdaptationCurrent, AdaptiveThreshold, Brian2Model,
                                ConductanceSRA)
from sfa_helpers.notebook import setup

setup()

# %% [markdown]
# ## Your numbers
#
# The jump of the adaptation current in part A, `variant.Delta_I_sfa` (exercises 1 to 3, 8 and
# 9), the time constant and jump of the conductance in part B, `variant.tau_SRA` and
# `variant.Delta_G_SRA` (exercises 6 and 7), and the order of the multiple-choice options depend
# on who you are: each student has their own numbers, so answers cannot be copied. Write your id
# between the quotes, exactly as your instructor grades you (your login, e.g. `"alice"`), and run
# the cell. The grader always uses the id your submission is filed under.

# %% nbgrader={"grade": false, "grade_id": "student_id", "locked": false, "schema_version": 3, "solution": false, "task": false}
STUDENT_ID = ""
variant = sheet_variant("03", STUDENT_ID)

# %% [markdown]
# **Part A** (the defaults of NEST's `iaf_psc_alpha`): $C_m$ = 250 pF, $\tau_m$ = 10 ms,
# $E_L$ = −70 mV, threshold $\Theta_0$ = −55 mV, $V_{reset}$ = −70 mV, $t_{ref}$ = 2 ms, with
#
# * an **adaptation current**: $\frac{dI_{sfa}}{dt} = -\frac{I_{sfa}}{\tau_{sfa}}$,
#   $I_{sfa} \to I_{sfa} + \Delta I_{sfa}$ at a spike, subtracted from the input; in this sheet
#   $\Delta I_{sfa}$ = `variant.Delta_I_sfa` (**your numbers**) and $\tau_{sfa}$ = 100 ms;
# * or an **adaptive threshold**: $\frac{d\Theta}{dt} = -\frac{\Theta - \Theta_0}{\tau_\Theta}$,
#   $\Theta \to \Theta + \Delta\Theta$ at a spike, with $\tau_\Theta$ = 100 ms.
#
# Time step 0.1 ms throughout.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
lif = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms, C_m=250 * pF)
tau_sfa, Delta_I_sfa = 100 * ms, variant.Delta_I_sfa
tau_Theta = 100 * ms
adapting_current = lif + AdaptationCurrent(tau_sfa=tau_sfa, Delta_I_sfa=Delta_I_sfa)
print(f"rheobase {theory.lif_rheobase(lif) / pA:.0f} pA, Delta_I_sfa {Delta_I_sfa / pA:.0f} pA")

# %% [markdown]
# ## Exercise 1 — The equivalent threshold jump (2 points)
#
# When the slow variables change little within one interval, each sits near its mean, $\tau\Delta r$
# at rate $r$. The adaptation current then lowers the drive $R I$ by $R\,\tau_{sfa}\Delta I_{sfa}\,r$
# and the adaptive threshold raises $\Theta$ by $\tau_\Theta\Delta\Theta\,r$. Compute the threshold
# jump `Delta_Theta_equiv` (with units) for which both shrink the distance between the
# asymptotic potential and the threshold by the same amount, for the adaptation current of this
# sheet ($\Delta I_{sfa}$ = `Delta_I_sfa`, your numbers) and $\tau_\Theta = \tau_{sfa}$. (You
# need $R$; `lif.R` has it, but work it out from $C_m$ and $\tau_m$ first.)

# %% nbgrader={"grade": false, "grade_id": "Delta_Theta_equiv", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
R = lif.tau_m / lif.C_m                       # 40 MOhm
Delta_Theta_equiv = R * tau_sfa * Delta_I_sfa / tau_Theta
print(f"R = {R / Mohm:.0f} MOhm, Delta_Theta_equiv = {Delta_Theta_equiv / mV:.1f} mV")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "Delta_Theta_equiv_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("Delta_Theta_equiv")
check_equivalent_threshold_jump(Delta_Theta_equiv).assert_ok()
### BEGIN HIDDEN TESTS
assert abs(float(Delta_Theta_equiv) - 0.01 / 250e-12 * float(variant.Delta_I_sfa)) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — Do the two f-I curves overlap? (2 points)
#
# Simulate both adapting neurons at the five currents `overlap_currents` below, **all ten in
# one group**: a LIF with both mechanisms whose jumps are arrays with one value per neuron
# ($\Delta I_{sfa}$ = `Delta_I_sfa` and $\Delta\Theta$ = 0 for the first five neurons,
# $\Delta I_{sfa}$ = 0 and $\Delta\Theta$ = `Delta_Theta_equiv` for the last five; a jump of zero
# switches a mechanism off), with `stimuli.constant(np.tile(overlap_currents, 2))`, for 3 s.
# Store the steady-state rates $1/\langle\mathrm{ISI}\rangle$ of the spikes from 1 s on
# (`analysis.isi_rate(..., start=1 * second)`) in `rates_sfa_current` and
# `rates_sfa_threshold` (Quantity arrays in Hz, five values each). The test also accepts the
# threshold neuron's rates for the jump you computed in exercise 1, so a mistake there costs no
# points here (but then the curves will not overlap).

# %% nbgrader={"grade": false, "grade_id": "overlap_currents", "locked": true, "schema_version": 3, "solution": false, "task": false}
overlap_currents = np.array([400, 500, 600, 800, 1000]) * pA

# %% nbgrader={"grade": false, "grade_id": "overlap_rates", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
n = len(overlap_currents)
both = (lif + AdaptationCurrent(tau_sfa=tau_sfa, Delta_I_sfa=np.repeat([1, 0], n) * Delta_I_sfa)
        + AdaptiveThreshold(tau_Theta=tau_Theta,
                            Delta_Theta=np.repeat([0, float(Delta_Theta_equiv / mV)], n) * mV))
overlap_run = simulate(both, stimuli.constant(np.tile(overlap_currents, 2)), 3 * second, record=())
overlap_rates = analysis.isi_rate(overlap_run.spike_trains, start=1 * second)
rates_sfa_current, rates_sfa_threshold = overlap_rates[:n], overlap_rates[n:]
print("current:  ", np.round(rates_sfa_current / Hz, 1), "Hz")
print("threshold:", np.round(rates_sfa_threshold / Hz, 1), "Hz")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "overlap_rates_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("rates_sfa_current", "rates_sfa_threshold")
check_sfa_overlap_rates(rates_sfa_current, rates_sfa_threshold,
                        globals().get("Delta_Theta_equiv")).assert_ok()
### BEGIN HIDDEN TESTS
# Both curves rise with the current, and the adaptation current's lies far below the plain LIF.
# With the equivalent jump (R Delta_I_sfa: 6 mV for 150 pA) the curves overlap within about
# 1.5 Hz; a run with the student's own, other jump of exercise 1 (accepted above) is not held to
# that.
rc_h, rt_h = np.asarray(rates_sfa_current, dtype=float), np.asarray(rates_sfa_threshold, dtype=float)
assert np.all(rc_h < 0.5 * np.asarray(theory.lif_rate(lif, overlap_currents)))
assert np.all(np.diff(rc_h) > 0) and np.all(np.diff(rt_h) > 0)
try:
    equiv_h = 0.01 / 250e-12 * float(variant.Delta_I_sfa)
    jump_h = float(globals().get("Delta_Theta_equiv")) / equiv_h
    own_jump_h = abs(jump_h - 1) > 0.005
except (TypeError, ValueError):
    own_jump_h = False
if not own_jump_h:
    assert np.all(np.abs(rc_h - rt_h) < 1.5)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — The steady-state rate from theory (2 points)
#
# For the adaptation-current neuron (`adapting_current`) the mean-adaptation theory says that the
# steady-state rate $r$ solves
#
# $$r = \frac{1}{t_{ref} + \tau_m \ln\frac{R I_{eff} + E_L - V_{reset}}{R I_{eff} + E_L - \Theta_0}},
# \qquad I_{eff} = I - \tau_{sfa}\,\Delta I_{sfa}\, r,$$
#
# with $r = 0$ when $R I_{eff} + E_L \le \Theta_0$. The right-hand side falls as $r$ grows, so there
# is exactly one solution between 0 and the plain LIF rate $r_{LIF}(I)$. Write
# `adapted_rate(I)`: `I` is one current (Quantity in amp); return the solution in Hz (a Quantity),
# 0 Hz at or below rheobase. Solve it yourself (e.g. `brentq`, with `theory.lif_rate(lif, I_eff)`
# for the LIF rate); you can compare with `adaptive_lif_rate(adapting_current, I)` and with your
# `rates_sfa_current`.

# %% nbgrader={"grade": false, "grade_id": "adapted_rate", "locked": false, "schema_version": 3, "solution": true, "task": false}
def adapted_rate(I):
    """Self-consistent steady-state rate of the adaptation-current neuron (Hz)."""
    ### BEGIN SOLUTION
    upper = float(theory.lif_rate(lif, I) / Hz)
    if upper == 0:
        return 0 * Hz

    def mismatch(r):
        return r - float(theory.lif_rate(lif, I - tau_sfa * Delta_I_sfa * r * Hz) / Hz)

    return brentq(mismatch, 0, upper, xtol=1e-10) * Hz
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "adapted_rate_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("adapted_rate")
check_adapted_rate(adapted_rate).assert_ok()
### BEGIN HIDDEN TESTS
def mismatch_h(r, i):
    """r - r_LIF(I - tau_sfa Delta_I_sfa r), written out in SI units (R I_eff against 15 mV)."""
    drive = 4e7 * (i - 0.1 * float(variant.Delta_I_sfa) * r)
    return r - (0.0 if drive <= 0.015 else 1 / (2e-3 + 0.01 * np.log(drive / (drive - 0.015))))


for i_h in (450e-12, 700e-12, 900e-12):
    r_h = float(adapted_rate(i_h * 1e12 * pA))
    # the solution of the fixed-point equation (within 0.1 %): the mismatch, which rises with r,
    # changes sign there (a residual test is ill-conditioned where I_eff sits near rheobase)
    assert mismatch_h(r_h * 0.999 - 1e-9, i_h) < 0 < mismatch_h(r_h * 1.001 + 1e-9, i_h)
assert float(adapted_rate(200 * pA)) == 0
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — Simulation versus theory (1 point)
#
# Compare `rates_sfa_current` with `adapted_rate`: the simulated rates lie *above* the theory at
# every current (by about 3 Hz at 600 pA). Why? (The options, in the order of your numbers, are
# shown below.) Store `"a"`, `"b"`, `"c"` or `"d"` in `theory_gap`.

# %% nbgrader={"grade": false, "grade_id": "theory_gap_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("theory_gap")

# %% nbgrader={"grade": false, "grade_id": "theory_gap", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
theory_gap = variant.letter_of("theory_gap", "mean_current")  # "the theory uses its mean"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "theory_gap_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("theory_gap")
check_sfa_theory_gap(theory_gap).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("theory_gap", theory_gap) == "mean_current"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — Quiz: the adaptation time constant (1 point)
#
# A neuron's membrane time constant is 20 ms. What is a good order of magnitude for its
# adaptation time constant? (The options, in the order of your numbers, are shown below.) Store
# `"a"`, `"b"`, `"c"` or `"d"` in `tau_adaptation`.

# %% nbgrader={"grade": false, "grade_id": "tau_adaptation_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("tau_adaptation")

# %% nbgrader={"grade": false, "grade_id": "tau_adaptation", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
tau_adaptation = variant.letter_of("tau_adaptation", "slow")  # "about 200 ms"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "tau_adaptation_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("tau_adaptation")
check_adaptation_time_scale(tau_adaptation).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("tau_adaptation", tau_adaptation) == "slow"
### END HIDDEN TESTS

# %% [markdown]
# **Part B**: the conductance-based neuron of lesson 03,
# $C_m \frac{dV}{dt} = \frac{E_L - V}{R_m} + G_{SRA}(E_K - V) + I$ with $C_m$ = 100 pF,
# $R_m$ = 100 MΩ, $E_L$ = −75 mV, $E_K$ = −80 mV, $V_{th}$ = −50 mV, $V_{reset}$ = −80 mV,
# $\frac{dG_{SRA}}{dt} = -\frac{G_{SRA}}{\tau_{SRA}}$, $G_{SRA} \to G_{SRA} + \Delta G_{SRA}$ at
# a spike, with $\tau_{SRA}$ = `variant.tau_SRA` and $\Delta G_{SRA}$ = `variant.Delta_G_SRA`
# (your numbers); no refractory period. Rheobase 250 pA.

# %% nbgrader={"grade": false, "grade_id": "part_b", "locked": true, "schema_version": 3, "solution": false, "task": false}
sra = (LIF(tau_m=10 * ms, E_L=-75 * mV, V_th=-50 * mV, V_reset=-80 * mV, R=100 * Mohm)
       + ConductanceSRA(tau_SRA=variant.tau_SRA, Delta_G_SRA=variant.Delta_G_SRA, E_K=-80 * mV))
sra_currents = np.array([260, 300, 350]) * pA
print(f"tau_SRA {variant.tau_SRA / ms:.0f} ms, Delta_G_SRA {variant.Delta_G_SRA / nS:.1f} nS")

# %% [markdown]
# ## Exercise 6 — Initial and steady-state rates (2 points)
#
# Simulate `sra` at the three constant currents `sra_currents` (one group) for 5 s from rest, and
# store the initial rates (1 / first inter-spike interval, `analysis.first_isi_rate`) in
# `first_rates` and the steady-state rates (1 / last interval,
# `analysis.steady_state_isi_rate`) in `steady_rates` (Quantity arrays in Hz). Look at the
# ratio: where is adaptation strongest?

# %% nbgrader={"grade": false, "grade_id": "first_steady", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
sra_run = simulate(sra, stimuli.constant(sra_currents), 5 * second, record=())
first_rates = analysis.first_isi_rate(sra_run.spike_trains)
steady_rates = analysis.steady_state_isi_rate(sra_run.spike_trains)
print("first: ", np.round(first_rates / Hz, 1), "Hz")
print("steady:", np.round(steady_rates / Hz, 1), "Hz; theory",
      np.round(adaptive_lif_rate(sra, sra_currents) / Hz, 1), "Hz")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "first_steady_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("first_rates", "steady_rates")
check_sra_first_steady(first_rates, steady_rates).assert_ok()
### BEGIN HIDDEN TESTS
# The first interval starts from V_reset with G_SRA = Delta_G_SRA that decays: integrate it finely.
f_h, s_h = np.asarray(first_rates, dtype=float), np.asarray(steady_rates, dtype=float)
tau_h, dG_h = float(variant.tau_SRA), float(variant.Delta_G_SRA)
for k, i_h in enumerate((260e-12, 300e-12, 350e-12)):
    v, g, t, h = -0.08, dG_h, 0.0, 1e-6
    while v <= -0.05:
        v += h * ((-0.075 - v) / 1e8 + g * (-0.08 - v) + i_h) / 100e-12
        g -= h * g / tau_h
        t += h
    assert abs(f_h[k] * t - 1) < 0.01
assert np.all(f_h > s_h) and np.all(np.diff(s_h) > 0)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 7 — Currents that give a single spike (2 points)
#
# Just above rheobase the first spike opens enough conductance to silence the neuron for a long
# time. Simulate `sra` for 0.5 s from rest at the ten currents `single_currents` below (one
# group) and store in `I_single_max` (with units) the **largest** of them that gives exactly one
# spike in those 0.5 s.

# %% nbgrader={"grade": false, "grade_id": "single_currents", "locked": true, "schema_version": 3, "solution": false, "task": false}
single_currents = np.arange(251, 261) * pA

# %% nbgrader={"grade": false, "grade_id": "I_single_max", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
single_run = simulate(sra, stimuli.constant(single_currents), 0.5 * second, record=())
single_counts = single_run.spike_counts()
I_single_max = single_currents[single_counts == 1].max()
print("spikes:", single_counts, "-> I_single_max =", I_single_max)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "I_single_max_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("I_single_max")
check_single_spike_current(I_single_max).assert_ok()
### BEGIN HIDDEN TESTS
# Independent: time of the second spike by fine Euler integration, for the answer and 1 pA more.
def second_spike_h(i_amp, h=2e-6):
    tau_h, dG_h = float(variant.tau_SRA), float(variant.Delta_G_SRA)
    v, g, t, spikes = -0.075, 0.0, 0.0, 0
    while t < 0.5:
        v += h * ((-0.075 - v) / 1e8 + g * (-0.08 - v) + i_amp) / 100e-12
        g -= h * g / tau_h
        t += h
        if v > -0.05:
            spikes += 1
            if spikes == 2:
                return t
            v, g = -0.08, g + dG_h
    return np.inf


i_h = float(I_single_max)
assert 250.5e-12 < i_h < 260.5e-12 and abs(i_h * 1e12 - round(i_h * 1e12)) < 1e-6
assert second_spike_h(i_h) > 0.5 - 2e-3 and second_spike_h(i_h + 1e-12) < 0.5 + 2e-3
### END HIDDEN TESTS

# %% [markdown]
# At 5 s no current of this grid gives a single spike: $G_{SRA}$ decays back to zero, so any
# current above rheobase fires again eventually; the silence after the first spike only grows
# without bound as the current approaches rheobase.

# %% [markdown]
# **Part C**: the adapting neuron of part A, written by you in Brian2.
#
# ## Exercise 8 — The adaptation current in Brian2 (3 points)
#
# NEST writes the LIF of part A with its capacitance instead of $R$; with the adaptation current
# subtracted from the input it reads
#
# $$\frac{dv}{dt} = \frac{E_L - v}{\tau_m} + \frac{I - I_{sfa}}{C_m}, \qquad
#   \frac{dI_{sfa}}{dt} = -\frac{I_{sfa}}{\tau_{sfa}},$$
#
# and at a spike ($v > \Theta_0$) $v \to V_{reset}$ and $I_{sfa} \to I_{sfa} + \Delta I_{sfa}$;
# for $t_{ref}$ after a spike $v$ stays at $V_{reset}$ (the adaptation current keeps decaying).
# Write this model as Brian2 code, in three strings:
#
# * `sfa_equations`: the two differential equations, `v` in `volt` and `I_sfa` in `amp`, with the
#   input current called `I_total`;
# * `sfa_threshold`: the condition for a spike;
# * `sfa_reset`: what happens at a spike (one statement per line).
#
# Use the parameter names `tau_m`, `C_m`, `E_L`, `V_th`, `V_reset`, `t_ref`, `tau_sfa` and
# `Delta_I_sfa` (there is no `R` here), never numbers: the check fills in the values of part A
# (`sfa_parameters` below), passes `refractory="t_ref"` and `method="exponential_euler"` to Brian2
# (the built-in model's method), starts `v` at $E_L$ and `I_sfa` at 0, and compares your
# neuron's spike times with those of `adapting_current` (`lif + AdaptationCurrent(...)`) under
# three current steps. The hidden tests use other values and inputs. Do not define `I_total` or
# declare the parameters in the equations. To watch your model run:
# `simulate(Brian2Model(sfa_equations, sfa_threshold, sfa_reset, refractory="t_ref",
# method="exponential_euler", init={"v": -70 * mV}, **sfa_parameters), stimuli.constant(600 * pA),
# 500 * ms, record=("v", "I_sfa"))`.

# %% nbgrader={"grade": false, "grade_id": "sfa_parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
sfa_parameters = dict(tau_m=10 * ms, C_m=250 * pF, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV,
                      t_ref=2 * ms, tau_sfa=tau_sfa, Delta_I_sfa=Delta_I_sfa)

# %% nbgrader={"grade": false, "grade_id": "sfa_written", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
sfa_equations = """
dv/dt = (E_L - v)/tau_m + (I_total - I_sfa)/C_m : volt (unless refractory)
dI_sfa/dt = -I_sfa/tau_sfa : amp
"""
sfa_threshold = "v > V_th"
sfa_reset = """
v = V_reset
I_sfa += Delta_I_sfa
"""
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "sfa_written_test", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
require("sfa_equations", "sfa_threshold", "sfa_reset")
check_sfa_written(sfa_equations, sfa_threshold, sfa_reset).assert_ok()
### BEGIN HIDDEN TESTS
# Other values (two neurons: slow weak and fast strong adaptation, other membranes) and an input
# the student has not seen: numbers written into the strings fail here.
from brian2 import nA

hidden_sfa = dict(tau_m=[15, 8] * ms, C_m=[200, 300] * pF, E_L=[-65, -72] * mV,
                  V_th=[-50, -54] * mV, V_reset=[-68, -60] * mV, t_ref=[3, 1] * ms,
                  tau_sfa=[200, 50] * ms, Delta_I_sfa=[50, 300] * pA)
hidden_input = stimuli.ramp([0.6, 1.5] * nA, 0 * ms, 600 * ms) + stimuli.sine(50 * pA, 5 * Hz)
check_sfa_written(sfa_equations, sfa_threshold, sfa_reset, parameters=hidden_sfa,
                  cases=[(hidden_input, 600 * ms, "a ramp with a sine on top")]).assert_ok()
### END HIDDEN TESTS

# %% [markdown]
# **Part D**: the two adapting neurons of part A over a wider range of currents.
#
# ## Exercise 9 — Make the two f-I curves overlap (plot task, 2 points)
#
# Exercise 2 compared the two neurons at five currents. Now draw their steady-state f-I curves
# over a wider range: simulate both (the adaptation current with your `Delta_I_sfa`, the
# adaptive threshold with your `Delta_Theta_equiv`) at the twelve currents `sweep_currents`
# below, all 24 neurons in one group as in exercise 2, for 2 s, and compute the rates
# $1/\langle\mathrm{ISI}\rangle$ of the spikes from 1 s on
# (`analysis.isi_rate(..., start=1 * second)`). Draw a figure `fig_overlap` with one axes, rate
# against current: both f-I curves (markers joined by lines), a legend naming each neuron, and
# the unit on both axes. Where do the two curves overlap, and where do they part?

# %% nbgrader={"grade": false, "grade_id": "sweep_currents", "locked": true, "schema_version": 3, "solution": false, "task": false}
sweep_currents = np.arange(400, 1501, 100) * pA

# %% nbgrader={"grade": false, "grade_id": "overlap_figure", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
m = len(sweep_currents)
jumps = np.repeat([0, float(Delta_Theta_equiv / mV)], m) * mV
sweep_model = (lif + AdaptationCurrent(tau_sfa=tau_sfa,
                                       Delta_I_sfa=np.repeat([1, 0], m) * Delta_I_sfa)
               + AdaptiveThreshold(tau_Theta=tau_Theta, Delta_Theta=jumps))
sweep_run = simulate(sweep_model, stimuli.constant(np.tile(sweep_currents, 2)), 2 * second,
                     record=())
sweep_rates = analysis.isi_rate(sweep_run.spike_trains, start=1 * second)
fig_overlap, ax = plt.subplots(figsize=(6, 4))
ax.plot(sweep_currents / nA, sweep_rates[:m] / Hz, "o-", ms=5,
        label=fr"adaptation current, $\Delta I_{{sfa}}$ = {float(Delta_I_sfa / pA):.0f} pA")
ax.plot(sweep_currents / nA, sweep_rates[m:] / Hz, "s--", ms=4, mfc="none",
        label=fr"adaptive threshold, $\Delta\Theta$ = {float(Delta_Theta_equiv / mV):.1f} mV")
ax.set_xlabel("input current (nA)")
ax.set_ylabel("steady-state rate (Hz)")
ax.legend(frameon=False)
plt.show()
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "overlap_figure_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("fig_overlap")
check_sfa_overlap_figure(fig_overlap, globals().get("Delta_Theta_equiv")).assert_ok()

# %% [markdown]
# ## Exercise 10 — How far the equivalence goes (written task, 2 points)
#
# Look at your figure and, if you like, at the first intervals of both neurons at 1 nA (from
# rest, `np.diff(train)[:3]`). In a few sentences:
#
# 1. What does the comparison show, and why does the equivalent jump of exercise 1 make the
#    steady-state curves (nearly) overlap?
# 2. Where does the equivalence of the two mechanisms break down, and why? Think of high rates,
#    and of the first intervals after the current is switched on.

# %% [markdown] nbgrader={"grade": true, "grade_id": "equivalence_written", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# (The numbers below are those of $\Delta I_{sfa}$ = 150 pA; other variants differ a little.)
#
# 1. Up to about 1 nA (40 Hz) the two curves lie within about 1.5 Hz of each other: the steady
#    rate cannot tell an adaptation current from an adaptive threshold. In the steady state each
#    slow variable stays near its mean $\tau\Delta\,r$; the current lowers the asymptotic
#    potential by $R\,\tau_{sfa}\Delta I_{sfa}\,r$, the threshold rises by
#    $\tau_\Theta\Delta\Theta\,r$. With $\tau_\Theta\Delta\Theta = R\,\tau_{sfa}\Delta I_{sfa}$
#    both shrink the gap between $V_\infty$ and the threshold by the same amount, at every rate,
#    and that gap mostly sets the interval.
# 2. At high rates the curves part: the threshold neuron fires more and more slowly (about
#    58 Hz against 67 Hz at 1.5 nA; the mean-adaptation theory gives the same split). The
#    current acts on $V$ only through the membrane: after a reset it lowers $V(t)$ by
#    $a\,(1 - e^{-t/\tau_m})$ (it moves $V_\infty$, and with it the distance from $V_{reset}$,
#    $T = \tau_m\ln\frac{V_\infty - V_{reset}}{V_\infty - \Theta}$), whereas the threshold jump
#    counts in full at once. Once the interval is no longer long against $\tau_m$ = 10 ms the
#    same mean shift $a$ lengthens the threshold neuron's interval more, and $a$ grows with the
#    rate. The equivalence is also one of means in the steady state only, not spike by spike:
#    the first spike comes at the same time, but the first intervals after it differ (at 1 nA
#    about 7.7 ms with the current and 9.1 ms with the threshold), because the threshold acts
#    at once and the current with the membrane's delay (and both need $\tau_\Theta = \tau_{sfa}$).
#
# **Rubric (2 points).** 1 point for part 1: half a point for the observation (the curves
# overlap closely at low and moderate currents), half a point for the reason (mean adaptation
# $\tau\Delta r$; equal shifts of the gap between $V_\infty$ and the threshold when
# $\tau_\Theta\Delta\Theta = R\,\tau_{sfa}\Delta I_{sfa}$). 1 point for part 2: half a point for
# the high-rate split with a reason (the current acts through the membrane / moves the distance
# from the reset, the threshold at once; it matters when intervals are comparable to
# $\tau_m$), half a point for the transient (the first intervals differ although the first
# spike does not; equivalence of steady-state means only).
# ### END SOLUTION
