# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/solutions/04_adex_phase_plane.ipynb)
#
# # Exercise sheet 04 — AdEx: phase plane and firing patterns
#
# Companion to lesson 04 (`notebooks/04_adex_phase_plane.ipynb`). Each exercise has a cell for
# your answer (replace the line `raise NotImplementedError(...)`) followed by a test cell. Run the
# test cell: it tells you whether your answer is right, or what kind of mistake it is, without
# showing the answer. The grader runs the same test cells plus some hidden tests.
#
# You can also check an answer yourself at any time, e.g. `check_adex_a_transient(a_transient)`.
# Keep the variable names given in each exercise: the tests look for them. Do not edit the test
# cells (the grader uses its own copy).
#
# A **plot task** asks for a figure in a variable (`fig_...`): the test reads the curves back
# from it, in the units your axis labels name, so label every axis with its unit, e.g.
# `"u (mV)"`. A **written task** is a text cell (replace `YOUR ANSWER HERE`); your instructor
# grades it by hand.
#
# Points: 23 in total (2 of them graded by hand).

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
from brian2 import Hz, Mohm, Quantity, amp, mV, ms, nS, pA, pF, second, siemens
from scipy.optimize import brentq

from sfa_helpers import simulate, stimuli
from sfa_helpers.checks import (check_adex_a_transient, check_adex_first_isi,
                                check_adex_fixed_points, check_adex_focus, check_adex_latency,
                                check_adex_pattern_labels, check_adex_phase_plane_figure,
                                check_adex_reset_role, check_adex_rest_eigenvalues,
                                check_adex_saddle_node, check_adex_written, require,
                                sheet_variant)
from sfa_helpers.firing_patterns import classify_pattern
from sfa_helpers.models import AdEx, Brian2Model
from sfa_helpers.notebook import setup
from sfa_helpers.theory.adex import fixed_points, saddle_node_current

setup()

# %% [markdown]
# ## Your numbers
#
# Exercises 1(b), 2, 3(a), 4, 5 and 6 and the order of the multiple-choice options depend on who
# you are: each student has their own numbers (the step of 1(b), the current of 2 and 3(a), the
# currents of 4, the values of $b$ of 5 and the order of the parameter sets of 6), so answers
# cannot be copied. Write your id between the quotes, exactly as your instructor grades you (your
# login, e.g. `"alice"`), and run the cell. The grader always uses the id your submission is
# filed under.

# %% nbgrader={"grade": false, "grade_id": "student_id", "locked": false, "schema_version": 3, "solution": false, "task": false}
STUDENT_ID = ""
variant = sheet_variant("04", STUDENT_ID)

# %% [markdown]
# The AdEx of lesson 04, in the book's symbols (code names in brackets):
#
# $$\tau_m \frac{du}{dt} = -(u - u_{rest}) + \Delta_T \exp\!\left(\frac{u - \vartheta_{rh}}{\Delta_T}\right) - R\,w + R\,I, \qquad
#   \tau_w \frac{dw}{dt} = a\,(u - u_{rest}) - w,$$
#
# and at a spike ($u > V_{peak} = \vartheta_{rh} + 5\Delta_T$) $u \to u_r$, $w \to w + b$.
# Every neuron of this sheet has the values common to Table 6.1 of *Neuronal Dynamics*:
# $R$ = 500 MΩ, $u_{rest}$ = −70 mV (`E_L`), $\vartheta_{rh}$ = −50 mV (`V_T`),
# $\Delta_T$ = 2 mV. `table_neuron(...)` below builds one from the remaining parameters
# (scalars, or arrays for one `NeuronGroup` with one neuron per value). Simulate the AdEx at
# $dt$ = 0.02 ms.

# %% nbgrader={"grade": false, "grade_id": "parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
R, E_L, V_T, Delta_T = 500 * Mohm, -70 * mV, -50 * mV, 2 * mV
DT = 0.02 * ms


def table_neuron(tau_m, a, tau_w, b, V_reset):
    """An AdEx with the common values of Table 6.1 and the given parameters."""
    return AdEx(tau_m=tau_m, E_L=E_L, V_T=V_T, Delta_T=Delta_T, V_reset=V_reset, a=a, b=b,
                tau_w=tau_w, R=R)


adapting = table_neuron(20 * ms, 0 * nS, 100 * ms, 5 * pA, -55 * mV)
transient = table_neuron(10 * ms, 1 * nS, 100 * ms, 10 * pA, -60 * mV)
print(f"spike cut V_peak = {float(adapting.V_peak / mV):.0f} mV")

# %% [markdown]
# ## Exercise 1 — Where the resting state disappears (4 points)
#
# The fixed points lie where the $u$-nullcline $w = \frac{1}{R}\left[-(u - u_{rest}) +
# \Delta_T e^{(u - \vartheta_{rh})/\Delta_T}\right] + I$ meets the $w$-nullcline
# $w = a (u - u_{rest})$. With $k = 1 + aR > 0$ the two fixed points merge and vanish at the
# saddle-node current
#
# $$I_{SN} = \frac{k}{R}\left(\vartheta_{rh} - u_{rest} - \Delta_T + \Delta_T \ln k\right),$$
#
# which for $a = 0$ is the EIF rheobase $(\vartheta_{rh} - u_{rest} - \Delta_T)/R$. For
# $k \le 0$ there is only one fixed point and no saddle-node.
#
# **(a)** Write `saddle_node(a)`: `a` is a conductance (e.g. `0.5 * nS`); use `R`, `E_L`, `V_T`
# and `Delta_T` from above; return $I_{SN}$ in amp (a Brian2 current), and `np.nan * amp` when
# $k \le 0$.

# %% nbgrader={"grade": false, "grade_id": "saddle_node", "locked": false, "schema_version": 3, "solution": true, "task": false}
def saddle_node(a):
    """Saddle-node current (amp) of a Table 6.1 neuron with coupling a; NaN amp if 1 + aR <= 0."""
    ### BEGIN SOLUTION
    k = float(1 + a * R)
    if k <= 0:
        return np.nan * amp
    return k * (V_T - E_L - Delta_T + Delta_T * np.log(k)) / R
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "saddle_node_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("saddle_node")
check_adex_saddle_node(saddle_node).assert_ok()
### BEGIN HIDDEN TESTS
for a_h in (0.0, 0.3, 1.0, -0.5, -1.5, 2.5):
    m_h = table_neuron(10 * ms, a_h * nS, 100 * ms, 0 * pA, -60 * mV)
    assert abs(float(saddle_node(a_h * nS) / saddle_node_current(m_h)) - 1) < 1e-6
assert np.isnan(float(np.asarray(saddle_node(-3 * nS), dtype=float)))
### END HIDDEN TESTS

# %% [markdown]
# **(b)** A larger $a$ raises $I_{SN}$. For which coupling does a step of
# `variant.transient_step` (your numbers; the book's step is 65 pA) stop being strong enough to
# remove the resting state? Find the value of $a$ at which $I_{SN}(a)$ equals that step (e.g.
# with `brentq` on your function; for every larger $a$ the step leaves a fixed point, and once
# it is also below the Hopf current $I_H(a)$, a little further up, that fixed point is stable
# and the firing can stop: 'transient') and store it, with units, in `a_transient`.

# %% nbgrader={"grade": false, "grade_id": "a_transient", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
step_pA = float(variant.transient_step / pA)
a_transient = brentq(lambda a_nS: float(saddle_node(a_nS * nS) / pA) - step_pA, 0, 10) * nS
print(f"a_transient = {float(a_transient / nS):.3f} nS")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "a_transient_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("a_transient")
check_adex_a_transient(a_transient).assert_ok()
### BEGIN HIDDEN TESTS
# Just above a_transient the variant's step leaves two fixed points, just below none.
a_h = float(a_transient / nS)
step_h = variant.transient_step
assert len(fixed_points(table_neuron(10 * ms, (a_h * 1.01) * nS, 100 * ms, 0 * pA, -60 * mV), step_h)) == 2
assert len(fixed_points(table_neuron(10 * ms, (a_h * 0.99) * nS, 100 * ms, 0 * pA, -60 * mV), step_h)) == 0
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — The fixed points under a weak step (2 points)
#
# The 'transient' row (`transient`: $\tau_m$ = 10 ms, $a$ = 1 nS, $\tau_w$ = 100 ms) under the
# constant current `variant.fixed_point_current` (your numbers), which is below its $I_{SN}$.
# On the $w$-nullcline $w = a(u - u_{rest})$, so the fixed points are the roots of
#
# $$g(u) = -(1 + aR)(u - u_{rest}) + \Delta_T e^{(u - \vartheta_{rh})/\Delta_T} + R I = 0 .$$
#
# Find both (closed form with the Lambert W function, root finding on $g$ on either side of its
# minimum at $u = \vartheta_{rh} + \Delta_T \ln(1 + aR)$, or `theory.adex.fixed_points`) and store
# them as a Quantity array of two voltages, **lower one first**, in `u_fixed`.

# %% nbgrader={"grade": false, "grade_id": "u_fixed", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
u_fixed = Quantity([float(fp.v) for fp in fixed_points(transient, variant.fixed_point_current)],
                   dim=mV.dim)
print(np.round(u_fixed / mV, 2))
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "u_fixed_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("u_fixed")
check_adex_fixed_points(u_fixed).assert_ok()
### BEGIN HIDDEN TESTS
# Lambert W: x = (u - V_T)/Delta_T solves k Delta_T x + k (V_T - E_L) - R I = Delta_T e^x.
from scipy.special import lambertw

k_h = 1.5
c_h = (500e6 * float(variant.fixed_point_current) - k_h * 0.020) / (k_h * 0.002)
roots_h = sorted(-0.050 + 0.002 * (c_h - lambertw(-np.exp(c_h) / k_h, br).real) for br in (0, -1))
assert np.allclose(np.asarray(u_fixed, dtype=float), roots_h, rtol=0, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — Stability from the Jacobian (3 points)
#
# Near a fixed point $(u^*, w^*)$ the dynamics is linear, with the Jacobian
#
# $$J = \begin{pmatrix} \dfrac{e^{(u^* - \vartheta_{rh})/\Delta_T} - 1}{\tau_m} & -\dfrac{R}{\tau_m} \\[2mm]
#       \dfrac{a}{\tau_w} & -\dfrac{1}{\tau_w} \end{pmatrix}.$$
#
# The fixed point is stable when both eigenvalues have a negative real part; complex eigenvalues
# mean that the state spirals (a *focus*: damped oscillations), real ones that it slides in (a
# *node*). **(a)** Compute the two eigenvalues of $J$ at the **lower** fixed point of Exercise 2
# (they are real here). Store them in ascending order, in Hz (1/s), in `eig_rest`.

# %% nbgrader={"grade": false, "grade_id": "eig_rest", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
u_star = u_fixed[0]
tau_m_tr, a_tr, tau_w_tr = 10 * ms, 1 * nS, 100 * ms
J = np.array([[float((np.exp((u_star - V_T) / Delta_T) - 1) / tau_m_tr), float(-R / tau_m_tr)],
              [float(a_tr / tau_w_tr), float(-1 / tau_w_tr)]])
eig_rest = np.sort(np.linalg.eigvals(J).real) * Hz
print(np.round(eig_rest / Hz, 2))
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "eig_rest_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("eig_rest")
check_adex_rest_eigenvalues(eig_rest).assert_ok()
### BEGIN HIDDEN TESTS
lower_h = fixed_points(transient, variant.fixed_point_current)[0]
assert lower_h.kind == "stable node"
assert np.allclose(np.sort(np.asarray(eig_rest, dtype=float)), np.sort(lower_h.eigenvalues.real), rtol=1e-3)
### END HIDDEN TESTS

# %% [markdown]
# **(b)** Keep the 'transient' row but raise the coupling to $a$ = 8 nS (same $\tau_m$ = 10 ms,
# $\tau_w$ = 100 ms) and look at the resting state without input ($I$ = 0). Use the Jacobian
# (at rest the exponential term is negligible: compare $\mathrm{tr}(J)^2/4$ with $\det J$).
# The resting state is
#
# (the options, in the order of your numbers, are shown below). Store `"a"`, `"b"`, `"c"` or
# `"d"` in `focus_choice`.

# %% nbgrader={"grade": false, "grade_id": "focus_choice_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("focus_choice")

# %% nbgrader={"grade": false, "grade_id": "focus_choice", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
focus_choice = variant.letter_of("focus_choice", "focus")  # the option "a stable focus"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "focus_choice_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("focus_choice")
check_adex_focus(focus_choice).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("focus_choice", focus_choice) == "focus"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — The latency of the first spike (2 points)
#
# In the 'adapting' row (`adapting`) $a = 0$, so $w$ stays 0 until the first spike: up to
# then the neuron is an EIF, and the time from rest to the spike cut is
# $t_1 = \int_{u_{rest}}^{V_{peak}} \frac{\tau_m\,du}{f(u) + R I}$, which grows without bound as
# $I$ approaches the rheobase (36 pA). Simulate `adapting` under steps (switched on at
# $t$ = 0) of the four currents `variant.latency_currents` (your numbers) — **one** group:
# `stimuli.step(currents, 0 * ms)` with the array of currents — for 120 ms at `dt=DT`, and store
# the time of each neuron's first spike in `latency` (a Quantity array of 4 times, in the order
# of the currents).

# %% nbgrader={"grade": false, "grade_id": "latency", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
currents = variant.latency_currents
lat_run = simulate(adapting, stimuli.step(currents, 0 * ms), 120 * ms, dt=DT, record=())
latency = Quantity([float(train[0]) for train in lat_run.spike_trains], dim=second.dim)
print(np.round(latency / ms, 2))
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "latency_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("latency")
check_adex_latency(latency).assert_ok()
### BEGIN HIDDEN TESTS
# Trapezoidal rule for t1 = int tau_m du / (f(u) + R I) on a fine voltage grid (SI units).
u_h = np.linspace(-0.070, -0.040, 300001)
for I_h, t_sim in zip(np.asarray(variant.latency_currents, dtype=float), np.asarray(latency, dtype=float)):
    speed = (-(u_h + 0.070) + 0.002 * np.exp((u_h + 0.050) / 0.002) + 500e6 * I_h) / 0.020
    t_h = np.sum(np.diff(u_h) * 0.5 * (1 / speed[1:] + 1 / speed[:-1]))
    assert t_h - 0.05e-3 < t_sim <= t_h + 1e-9
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — What $b$ does (2 points)
#
# After the first spike $w$ jumps to $b$ and then decays, $w(t) = b\,e^{-t/\tau_w}$ (for
# $a$ = 0), and holds the next spike back. Simulate `adapting` with the four values of $b$ of
# `variant.b_values` (your numbers; **one** group: `adapting.replace(b=...)` with the array)
# under a 65 pA step for 200 ms at `dt=DT`, and store each neuron's first inter-spike interval
# $t_2 - t_1$ in `first_isi` (a Quantity array of 4 times, in the order of the values of $b$).

# %% nbgrader={"grade": false, "grade_id": "first_isi", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
b_values = variant.b_values
b_run = simulate(adapting.replace(b=b_values), stimuli.step(65 * pA, 0 * ms), 200 * ms, dt=DT,
                 record=())
first_isi = Quantity([float(train[1] - train[0]) for train in b_run.spike_trains], dim=second.dim)
print(np.round(first_isi / ms, 2))
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "first_isi_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("first_isi")
check_adex_first_isi(first_isi).assert_ok()
### BEGIN HIDDEN TESTS
isi_h = np.asarray(first_isi, dtype=float)
assert np.all(np.diff(isi_h) > 0), "a larger b must delay the second spike"
# b = 0 (the first value in every variant): the EIF from u_r = -55 mV to the cut (trapezoidal rule).
assert float(variant.b_values[0]) == 0.0
u_h = np.linspace(-0.055, -0.040, 300001)
speed = (-(u_h + 0.070) + 0.002 * np.exp((u_h + 0.050) / 0.002) + 500e6 * 65e-12) / 0.020
t_h = np.sum(np.diff(u_h) * 0.5 * (1 / speed[1:] + 1 / speed[:-1]))
assert abs(isi_h[0] - t_h) < 0.05e-3
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — Predict the pattern, then classify (3 points)
#
# Four parameter sets, all with the common values above and a 65 pA step: the sets A, B, C and D
# of your numbers (`variant.pattern_sets`, one row $(\tau_m, a, \tau_w, b, u_r)$ per set, in
# ms, nS, ms, pA and mV), shown as a table by the cell below.
#
# First **predict** each pattern on paper from the phase plane (where does the reset line
# $u = u_r$ lie relative to the minimum of the $u$-nullcline at $u = \vartheta_{rh}$? how big is
# $b$, how fast is $\tau_w$? is 65 pA above $I_{SN}(a)$, Exercise 1?). Then check: simulate the
# four as **one** group (`table_neuron` with arrays) for 500 ms at `dt=DT`, from rest, and
# classify each spike train with `classify_pattern(train, 0 * ms, 500 * ms)`. Store the four
# labels, in the order A, B, C, D, as a list of strings in `pattern_labels`.

# %% nbgrader={"grade": false, "grade_id": "pattern_sets", "locked": true, "schema_version": 3, "solution": false, "task": false}
columns = ("tau_m (ms)", "a (nS)", "tau_w (ms)", "b (pA)", "u_r (mV)")
print("set" + "".join(f"{name:>12}" for name in columns))
for letter, row in zip("ABCD", variant.pattern_sets):
    print(f"{letter:<3}" + "".join(f"{x:>12g}" for x in row))

# %% nbgrader={"grade": false, "grade_id": "pattern_labels", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
sets = np.array(variant.pattern_sets, dtype=float)
quartet = table_neuron(sets[:, 0] * ms, sets[:, 1] * nS, sets[:, 2] * ms, sets[:, 3] * pA,
                       sets[:, 4] * mV)
pattern_run = simulate(quartet, stimuli.step(65 * pA, 0 * ms), 500 * ms, dt=DT, record=())
pattern_labels = [classify_pattern(train, 0 * ms, 500 * ms) for train in pattern_run.spike_trains]
print(pattern_labels)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "pattern_labels_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("pattern_labels")
check_adex_pattern_labels(pattern_labels).assert_ok()
### BEGIN HIDDEN TESTS
# Each row of the table is one of four sets, whatever its letter in this variant.
labels_h = {(5.0, -0.5, 100.0, 7.0, -55.0): "adapting", (20.0, 1.5, 100.0, 5.0, -55.0): "transient",
            (5.0, -0.5, 100.0, 7.0, -46.0): "bursting", (20.0, 0.0, 30.0, 60.0, -55.0): "tonic"}
assert [x.strip().lower() for x in pattern_labels] == [labels_h[tuple(float(x) for x in row)]
                                                       for row in variant.pattern_sets]
### END HIDDEN TESTS

# %% [markdown]
# The two sets with $\tau_m$ = 5 ms differ only in $u_r$: lowering the reset from −46 mV to
# −55 mV turned the burster into an adapting neuron. Why? Store `"a"`, `"b"`, `"c"` or `"d"`
# in `reset_role` (the options, in the order of your numbers, are shown below).

# %% nbgrader={"grade": false, "grade_id": "reset_role_options", "locked": true, "schema_version": 3, "solution": false, "task": false}
variant.show_choices("reset_role")

# %% nbgrader={"grade": false, "grade_id": "reset_role", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
reset_role = variant.letter_of("reset_role", "knee")  # the option "must go round the minimum"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "reset_role_test", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
require("reset_role")
check_adex_reset_role(reset_role).assert_ok()
### BEGIN HIDDEN TESTS
assert variant.chosen_key("reset_role", reset_role) == "knee"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 7 — The AdEx in Brian2 (3 points)
#
# Brette & Gerstner (2005) write the AdEx with the capacitance $C_m = \tau_m/R$ and the leak
# conductance $g_L = 1/R$ (the equation above divided by $R$):
#
# $$C_m \frac{du}{dt} = -g_L (u - u_{rest}) + g_L \Delta_T e^{(u - \vartheta_{rh})/\Delta_T} - w + I,
#   \qquad \tau_w \frac{dw}{dt} = a\,(u - u_{rest}) - w,$$
#
# and at the spike cut ($u > V_{peak}$) $u \to u_r$, $w \to w + b$. Write this model as Brian2
# code, in three strings:
#
# * `adex_equations`: the two differential equations, `v` (for $u$) in `volt` and `w` in `amp`,
#   with the input current called `I_total` (Brian2 wants `dv/dt` alone on the left);
# * `adex_threshold`: the spike cut;
# * `adex_reset`: what happens at a spike (one statement per line).
#
# Use the parameter names `C_m`, `g_L`, `E_L`, `V_T`, `Delta_T`, `V_peak`, `V_reset`, `a`, `b` and
# `tau_w`, never numbers: the check fills in the values (`adex_parameters` below: the 'adapting',
# 'transient' and 'tonic' rows as one group of three neurons, $V_{peak} = \vartheta_{rh} + 5\Delta_T$),
# integrates with the built-in AdEx's method (`adapting.spec().method`) at $dt$ = 0.05 ms,
# starts `v` at $E_L$ and `w` at 0, and compares your spike times with those of the built-in
# `AdEx` under the 65 pA step for 150 ms. The hidden tests use other values and inputs. Do not
# define `I_total` or declare the parameters in the equations. (The built-in AdEx clips `v` at
# `V_peak` inside the
# exponential so that the integrator's intermediate steps cannot overflow; you need not.) To
# watch your model run: `simulate(Brian2Model(adex_equations, adex_threshold, adex_reset,
# method="rk4", init={"v": E_L}, **adex_parameters), stimuli.step(65 * pA, 0 * ms), 300 * ms,
# dt=DT, record=("v", "w"))`.

# %% nbgrader={"grade": false, "grade_id": "adex_parameters", "locked": true, "schema_version": 3, "solution": false, "task": false}
adex_parameters = dict(C_m=[40, 20, 40] * pF, g_L=1 / R, E_L=E_L, V_T=V_T, Delta_T=Delta_T,
                       V_peak=V_T + 5 * Delta_T, V_reset=[-55, -60, -55] * mV, a=[0, 1, 0] * nS,
                       b=[5, 10, 60] * pA, tau_w=[100, 100, 30] * ms)
print(f"integration method of the built-in AdEx: {adapting.spec().method}")

# %% nbgrader={"grade": false, "grade_id": "adex_written", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
adex_equations = """
dv/dt = (-g_L*(v - E_L) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w + I_total)/C_m : volt
dw/dt = (a*(v - E_L) - w)/tau_w : amp
"""
adex_threshold = "v > V_peak"
adex_reset = """
v = V_reset
w += b
"""
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "adex_written_test", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
require("adex_equations", "adex_threshold", "adex_reset")
check_adex_written(adex_equations, adex_threshold, adex_reset).assert_ok()
### BEGIN HIDDEN TESTS
# Other values (two neurons: Brette & Gerstner's regular-spiking cell and one with a larger slope
# factor) and an input the student has not seen: numbers written into the strings fail here.
from brian2 import nA

hidden_adex = dict(C_m=[281, 200] * pF, g_L=[30, 10] * nS, E_L=[-70.6, -65] * mV,
                   V_T=[-50.4, -52] * mV, Delta_T=[2, 3] * mV, V_peak=[-40.4, -37] * mV,
                   V_reset=[-70.6, -58] * mV, a=[4, 2] * nS, b=[80.5, 40] * pA, tau_w=[144, 80] * ms)
hidden_input = stimuli.ramp([1.5, 0.6] * nA, 0 * ms, 200 * ms) + stimuli.sine(0.2 * nA, 8 * Hz)
check_adex_written(adex_equations, adex_threshold, adex_reset, parameters=hidden_adex,
                   cases=[(hidden_input, 200 * ms, "a ramp with a sine on top")]).assert_ok()
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 8 — The phase plane of a transient response (plot task, 2 points)
#
# The 'transient' row with a smaller jump, $b$ = 3 pA (`settling` below: $\tau_m$ = 10 ms,
# $a$ = 1 nS, $\tau_w$ = 100 ms, $u_r$ = −60 mV), under a step of 55 pA switched on at $t = 0$:
# a current below its saddle-node current (Exercise 1). Simulate it for 300 ms at `dt=DT` from
# rest, recording `("v", "w")`, and draw a figure `fig_phase` with **one** axes showing
#
# * the $u$-nullcline $w = \frac{1}{R}\left[-(u - u_{rest}) + \Delta_T e^{(u - \vartheta_{rh})/\Delta_T}\right] + I$
#   at $I$ = 55 pA and the $w$-nullcline $w = a\,(u - u_{rest})$, both computed by you from
#   these formulas (not with `plot_phase_plane`) for $u$ from −75 mV to −40 mV;
# * the trajectory: `result.w[0]` against `result.v[0]`;
#
# with $u$ in mV on the x axis, $w$ in pA on the y axis, and a legend naming the three curves.
# The $u$-nullcline shoots up to hundreds of pA near −40 mV: limit the $w$ axis
# (`ax.set_ylim(...)`) so that the part the trajectory visits shows. You may mark the fixed
# points too (`fixed_points(settling, 55 * pA)`). The straight lines from the right edge back to
# $u_r$ are the resets. Look at the figure before Exercise 9.

# %% nbgrader={"grade": false, "grade_id": "phase_plane_neuron", "locked": true, "schema_version": 3, "solution": false, "task": false}
settling = table_neuron(10 * ms, 1 * nS, 100 * ms, 3 * pA, -60 * mV)

# %% nbgrader={"grade": false, "grade_id": "phase_plane_figure", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
I_pp = 55 * pA
u_grid = np.linspace(-75, -40, 400) * mV
u_null = (-(u_grid - E_L) + Delta_T * np.exp((u_grid - V_T) / Delta_T)) / R + I_pp
w_null = settling.a * (u_grid - E_L)
pp_run = simulate(settling, stimuli.step(I_pp, 0 * ms), 300 * ms, dt=DT, record=("v", "w"))
fig_phase, ax = plt.subplots(figsize=(6.5, 4.5), layout="constrained")
ax.plot(u_grid / mV, u_null / pA, color="C3", label="$u$-nullcline (55 pA)")
ax.plot(u_grid / mV, w_null / pA, color="C2", label="$w$-nullcline")
ax.plot(pp_run.v[0] / mV, pp_run.w[0] / pA, color="C0", lw=0.8, label="trajectory from rest")
for fp in fixed_points(settling, I_pp):
    ax.plot(float(fp.v / mV), float(fp.w / pA), "o", color="k", mfc="k" if fp.stable else "w",
            zorder=5)
ax.set_ylim(-5, 40)
ax.set_xlabel("membrane potential u (mV)")
ax.set_ylabel("adaptation current w (pA)")
ax.legend(loc="upper left")
plt.show()
print(f"{len(pp_run.spike_trains[0])} spikes, at", np.round(pp_run.spike_trains[0] / ms, 1), "ms")
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "phase_plane_figure_test", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
require("fig_phase")
check_adex_phase_plane_figure(fig_phase).assert_ok()

# %% [markdown]
# ## Exercise 9 — What the phase plane tells you (written task, 2 points)
#
# Use your figure of Exercise 8 (and `fixed_points(settling, 55 * pA)`). In a few sentences:
#
# 1. How many fixed points are there at 55 pA, and of which kind? What does this say about how
#    the response to the step must end?
# 2. Why does the neuron fire at all, although it has a stable resting state at 55 pA, and why
#    does it stop after a few spikes? (Hint: what is the sign of $du/dt$ everywhere below the
#    lowest point of the $u$-nullcline? What does each spike, and the time between spikes, do
#    to $w$?)
# 3. Predict, without simulating, the response of the same neuron to a step of 65 pA, and say
#    what in the phase plane tells you.

# %% [markdown] nbgrader={"grade": true, "grade_id": "phase_plane_written", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# 1. Two fixed points, where the nullclines cross near the minimum of the $u$-nullcline: the
#    lower one ($u \approx$ −50.8 mV, $w \approx$ 19 pA) is a **stable focus** (complex
#    eigenvalues with a negative real part), the upper one (−47.9 mV) a **saddle**, the
#    threshold. A stable fixed point means the neuron *can* rest at 55 pA: once the trajectory
#    is in its basin of attraction it spirals in and no spike follows. The response must be
#    transient. (55 pA lies below both the Hopf current, 56.2 pA, and $I_{SN}$ = 56.4 pA.)
# 2. The step starts the trajectory at the old resting state $(u_{rest}, 0)$. That point lies
#    below the lowest point of the $u$-nullcline (at $u = \vartheta_{rh}$ = −50 mV, $w$ = 19 pA),
#    and below the $u$-nullcline $du/dt > 0$ at every $u$: nothing stops $u$ before the spike
#    cut. Each spike resets $u$ to −60 mV and adds $b$ = 3 pA to $w$, and between spikes $w$
#    grows further, because the trajectory runs below the $w$-nullcline ($a(u - u_{rest}) > w$).
#    Each cycle therefore starts higher and passes closer to the knee of the $u$-nullcline,
#    where the motion is slow: the intervals lengthen (17, 24, 41 ms). After the fourth spike
#    the reset lands above the minimum of the $u$-nullcline: the trajectory meets its left
#    branch ($du/dt = 0$), cannot get past the saddle and spirals into the stable focus.
#    Four spikes, then rest at about −50.8 mV.
# 3. At 65 pA the $u$-nullcline moves up by 10 pA and no longer crosses the $w$-nullcline
#    (65 pA > $I_{SN}$ = 56.4 pA): no fixed point is left, the neuron cannot rest and fires for
#    ever. $w$ still builds up spike by spike, so the intervals lengthen until a steady cycle is
#    reached: adapting. (Here $a$ = 1 nS > $C/\tau_w$ = 0.2 nS, so the resting state already
#    loses its stability at the Hopf current, 56.2 pA, a little below $I_{SN}$; at 65 pA, above
#    both, there is no resting state at all.)
#
# **Rubric (2 points).** Half a point: two fixed points, a stable one (focus) and a saddle, and
# the conclusion that the neuron can come to rest, so the firing must stop (transient). One
# point: why it fires (the start lies below the $u$-nullcline's minimum, where $du/dt > 0$
# everywhere) and why it stops ($b$ and the subthreshold growth of $w$ raise each cycle until
# the trajectory is caught by the stable fixed point); half of it for only one of the two. Half
# a point: 65 pA is above $I_{SN}$, no fixed point, repetitive firing that does not stop (with
# adaptation). No point for a pattern name without a reason from the phase plane.
# ### END SOLUTION
