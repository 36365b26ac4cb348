# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/notebooks/01_lif_basics.ipynb)
#
# # Lesson 01 — The leaky integrate-and-fire neuron
#
# The leaky integrate-and-fire (LIF) neuron is the simplest model that turns an input current into
# spikes. In this lesson you will
#
# 1. compare its subthreshold response with the closed-form solution,
# 2. see why the *exact* one-step update beats forward Euler,
# 3. add a threshold and a reset, and measure the firing rate against the analytic f-I curve,
# 4. write the same neuron in plain Brian2 (equations, `NeuronGroup`, monitors, `run`), and then
#    as your own model that runs through the course's fast engine,
# 5. find the rheobase, and
# 6. watch noise smooth the f-I curve around rheobase.
#
# Every simulation below is a Brian2 `NeuronGroup` built by `sfa_helpers.simulate`. When a cell
# sweeps a parameter, all values run together as one group, one neuron per value.

# %%
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

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, Mohm, mV, ms, nA, nF, second

from sfa_helpers import fi_curve, plots, simulate, stimuli, theory
from sfa_helpers.models import LIF
from sfa_helpers.notebook import setup

setup()

# %% [markdown]
# ## 1. Subthreshold dynamics
#
# Below threshold the membrane potential $V$ (mV) obeys
#
# $$\tau_m \frac{dV}{dt} = -(V - E_L) + R\,I(t)$$
#
# with membrane time constant $\tau_m$ (ms), resting potential $E_L$ (mV), membrane resistance
# $R$ (MΩ) and input current $I$ (nA). **Parameter set A** (a classic lab tutorial):

# %%
set_A = dict(
    tau_m=10 * ms,     # membrane time constant
    E_L=-70 * mV,      # resting potential
    V_th=-55 * mV,     # firing threshold
    V_reset=-75 * mV,  # reset potential
    R=10 * Mohm,       # membrane resistance
)                      # no refractory period (t_ref = 0 ms)
neuron_A = LIF(**set_A)
neuron_A

# %% [markdown]
# A 1 nA pulse from 100 ms to 400 ms drives $V$ towards $E_L + R I = -60$ mV, below threshold.
# For a constant current switched on at $t_{on}$ the solution is
#
# $$V(t) = E_L + R I \left(1 - e^{-(t - t_{on})/\tau_m}\right),$$
#
# and after the pulse $V$ relaxes back to $E_L$ with the same time constant.

# %%
pulse = stimuli.step(1 * nA, start=100 * ms, stop=400 * ms)
sub = simulate(neuron_A, pulse, 500 * ms, record=("v", "I_stim"))
closed_form = theory.lif_step_response(neuron_A, 1 * nA, 100 * ms, 400 * ms, sub.t)

fig, (ax_v, ax_i) = plt.subplots(2, 1, figsize=(7, 4), sharex=True, height_ratios=[3, 1],
                                 layout="constrained")
plots.voltage_trace(sub, ax=ax_v, label="simulation", threshold=True)
ax_v.plot(sub.t / ms, closed_form / mV, "k:", lw=2, label="closed form")
ax_v.legend(frameon=False)
plots.current_trace(sub, ax=ax_i)
plt.show()

# %%
max_error = np.max(np.abs(sub.v[0] - closed_form))
assert max_error < 1e-9 * mV
print("simulation and closed form agree to better than 1e-9 mV")

# %% [markdown]
# The two curves agree to rounding error. That is not luck: for a current that is constant over
# a time step $\Delta t$, the equation can be solved exactly over that step.
#
# ## 2. The exact update versus forward Euler
#
# $$V(t + \Delta t) = E_L + R I + \big(V(t) - E_L - R I\big)\, e^{-\Delta t/\tau_m} \qquad \text{(exact)}$$
#
# $$V(t + \Delta t) = V(t) + \frac{\Delta t}{\tau_m}\big(-(V(t) - E_L) + R I\big) \qquad \text{(forward Euler)}$$
#
# Both are one line of code. Here they are, written out with plain numbers (mV, ms, nA, MΩ), for a
# 1 nA step switched on at $t=0$ from rest:

# %%
def exact_update(V, I, dt, tau_m=10.0, E_L=-70.0, R=10.0):
    V_inf = E_L + R * I
    return V_inf + (V - V_inf) * np.exp(-dt / tau_m)


def euler_update(V, I, dt, tau_m=10.0, E_L=-70.0, R=10.0):
    return V + dt / tau_m * (-(V - E_L) + R * I)


def integrate(update, dt, duration=30.0, I=1.0):
    V = [-70.0]
    for _ in range(int(round(duration / dt))):
        V.append(update(V[-1], I, dt))
    return np.arange(len(V)) * dt, np.array(V)


true_V = lambda t: -70.0 + 10.0 * (1 - np.exp(-t / 10.0))  # closed form, mV

# %%
fig, (ax_tr, ax_err) = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
t_fine = np.linspace(0, 30, 300)
ax_tr.plot(t_fine, true_V(t_fine), "k", lw=1, label="closed form")
for dt, marker in ((5.0, "o"), (2.0, "s")):
    for update, color in ((exact_update, "C0"), (euler_update, "C3")):
        t, V = integrate(update, dt)
        ax_tr.plot(t, V, marker, color=color, ms=4, mfc="none" if dt == 2.0 else color,
                   label=f"{update.__name__.split('_')[0]}, Δt = {dt:g} ms")
ax_tr.set(xlabel="time (ms)", ylabel="membrane potential (mV)")
ax_tr.legend(frameon=False, fontsize="x-small")

dts = np.array([0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0])
for update, color in ((exact_update, "C0"), (euler_update, "C3")):
    errs = [np.max(np.abs(V - true_V(t))) for t, V in (integrate(update, dt) for dt in dts)]
    ax_err.loglog(dts, np.maximum(errs, 1e-16), "o-", color=color, label=update.__name__.split("_")[0])
ax_err.set(xlabel="time step Δt (ms)", ylabel="largest error (mV)")
ax_err.legend(frameon=False)
plt.show()

# %% [markdown]
# The exact update has no discretisation error at all (its points sit on the curve; what remains
# is floating-point rounding, ~1e-14 mV; printed below as the bound 1e-09 mV). Euler's error is proportional to $\Delta t$: a
# *first-order* method, halving $\Delta t$ halves the error. Brian2 offers both
# (`method='exact'`, `method='euler'`); `simulate(..., method='euler')` switches:

# %%
err_brian = {}
for method in ("exact", "euler"):
    r = simulate(neuron_A, stimuli.step(1 * nA, 0 * ms), 30 * ms, dt=1 * ms, method=method)
    err_brian[method] = np.max(np.abs(r.v[0] / mV - true_V(r.t / ms)))
    print(f"Brian2 '{method}' at dt = 1 ms: largest error {max(err_brian[method], 1e-9):.2g} mV")
_, V_euler = integrate(euler_update, 1.0)
assert err_brian["exact"] < 1e-9
assert abs(err_brian["euler"] - np.max(np.abs(V_euler - true_V(np.arange(31.0))))) < 1e-9

# %% [markdown]
# ## 3. Threshold, spike and reset
#
# When $V$ crosses $V_{th}$ the neuron emits a spike and $V$ is reset to $V_{reset}$. The model
# does not describe the spike's shape; the vertical lines mark spike times.
# A larger pulse (1.6 nA) drives $E_L + RI = -54$ mV above threshold:

# %%
spiking = simulate(neuron_A, stimuli.step(1.6 * nA, 100 * ms, 400 * ms), 500 * ms)
ax = plots.voltage_trace(spiking)
ax.set_title("LIF, parameter set A, 1.6 nA from 100 ms to 400 ms")
print(f"{len(spiking.spike_trains[0])} spikes")

# %% [markdown]
# ### The f-I curve
#
# With constant input $I$, the time from reset to threshold follows from the closed-form
# solution:
#
# $$T(I) = \tau_m \ln\frac{R I + E_L - V_{reset}}{R I + E_L - V_{th}}, \qquad
# r(I) = \frac{1}{t_{ref} + T(I)} \quad \text{for } R I > V_{th} - E_L,$$
#
# and $r = 0$ below. Here are 11 amplitudes from 1.43 nA to 1.83 nA, simulated together (one
# neuron per amplitude). The rate during the pulse is the number of spikes between 100 ms and
# 400 ms divided by 300 ms.

# %%
amplitudes = np.round(np.arange(1.43, 1.8301, 0.04), 2) * nA
sweep = simulate(neuron_A, stimuli.step(amplitudes, 100 * ms, 400 * ms), 500 * ms, record=())
counted = sweep.rates(start=100 * ms, stop=400 * ms)
predicted = theory.lif_rate(neuron_A, amplitudes)

ax = plots.fi_curve(amplitudes, counted, theory=lambda I: theory.lif_rate(neuron_A, I),
                    label="spike count / 300 ms")
ax.set_title("parameter set A: rate during the pulse")
for I_k, r_sim, r_th in zip(amplitudes, counted, predicted):
    print(f"I = {I_k / nA:.2f} nA   counted {r_sim / Hz:5.1f} Hz   theory {r_th / Hz:5.1f} Hz")

# %% [markdown]
# These counted rates are the table of the classic lab tutorial this lesson follows (0, 0, 16.7,
# 26.7, 30.0, ... 50.0 Hz), reproduced exactly:

# %%
lab_table = {1.43: 0.0, 1.47: 0.0, 1.51: 16.7, 1.55: 26.7, 1.59: 30.0, 1.83: 50.0}  # nA: Hz
for I_nA, r_lab in lab_table.items():
    k = int(np.argmin(np.abs(np.asarray(amplitudes / nA) - I_nA)))
    assert round(float(counted[k] / Hz), 1) == r_lab
print("the counted rates match the lab tutorial's table")

# %% [markdown]
# The counted rates sit *below* the theory, in small steps. Two reasons, both about the counting
# window rather than the neuron:
#
# * **Latency.** The first spike comes only after $V$ has climbed from rest; there is no spike at
#   the start of the window.
# * **Integer counts.** A 300 ms window holds a whole number of spikes, so the counted rate moves
#   in steps of $1/300\,\text{ms} \approx 3.3$ Hz, whatever the true interval.
#
# The theory is about the *inter-spike interval*. Measuring $1/\langle \mathrm{ISI}\rangle$
# instead removes both effects:

# %%
from sfa_helpers.analysis import isi_rate

interval_based = isi_rate(sweep.spike_trains, start=100 * ms, stop=400 * ms)
firing = np.asarray(predicted) > 0
gap_count = np.max(np.abs(counted - predicted)[firing])
gap_isi = np.max(np.abs(interval_based - predicted)[firing])
ax = plots.fi_curve(amplitudes, counted, theory=lambda I: theory.lif_rate(neuron_A, I),
                    label="spike count / 300 ms", color="C0")
ax.plot(amplitudes[firing] / nA, interval_based[firing] / Hz, "x", color="C3", ms=6,
        label="1 / mean ISI")
ax.legend(frameon=False)
ax.set_title("parameter set A: two ways to measure the rate")
print(f"largest gap to theory: counting {gap_count / Hz:.1f} Hz, 1/mean ISI {gap_isi / Hz:.2f} Hz")

# %% [markdown]
# The remaining small gap of the interval-based rate has a third reason: the simulation checks
# the threshold only every $\Delta t = 0.1$ ms, so every interval is rounded *up* to a whole
# number of steps, $\Delta t \lceil T/\Delta t \rceil$. That bounds the error of each interval by
# one time step:

# %%
on_grid = theory.lif_isi_on_grid(neuron_A, amplitudes[firing], 0.1 * ms)
continuous = theory.lif_time_to_threshold(neuron_A, amplitudes[firing])
assert np.all(np.abs(1 / interval_based[firing] - on_grid) < 1e-6 * ms)
assert np.all(np.abs(1 / interval_based[firing] - continuous) <= 0.1 * ms)
assert gap_count > 2 * Hz
print("every simulated ISI equals the analytic one rounded up to the 0.1 ms grid")

# %% [markdown]
# ## 4. The same neuron in plain Brian2
#
# `simulate` builds an ordinary Brian2 `NeuronGroup`. Here is parameter set A written by hand:
# the membrane equation as a Brian2 equations string (`v` is $V$, `I` is $I$; every line ends
# with the variable's unit), the threshold and reset as code strings, `method='exact'` for the
# exact update of section 2, monitors for $V$ and the spikes, and `run`. The parameters come
# from the dictionary `set_A` (`namespace=set_A`). The input is a 1.8 nA step from 100 ms to
# 400 ms, set by hand between three runs. Brian2's `numpy` target runs this without a compiler
# (about half a second); we switch back to the previous target afterwards.

# %%
from brian2 import NeuronGroup, Network, SpikeMonitor, StateMonitor, prefs

previous_target = prefs.codegen.target
prefs.codegen.target = "numpy"

equations = """
dv/dt = (E_L - v + R*I)/tau_m : volt
I : amp
"""
group = NeuronGroup(1, equations, threshold="v > V_th", reset="v = V_reset", method="exact",
                    namespace=set_A)
group.v = set_A["E_L"]                  # start at rest
state = StateMonitor(group, "v", record=True)
spikes = SpikeMonitor(group)
net = Network(group, state, spikes)     # an explicit network: no clash with other runs
net.run(100 * ms)                       # no input
group.I = 1.8 * nA
net.run(300 * ms)                       # the step
group.I = 0 * nA
net.run(100 * ms)

prefs.codegen.target = previous_target
print(f"plain Brian2: {spikes.num_spikes} spikes, the first at {spikes.t[0] / ms:.1f} ms")

# %% [markdown]
# The helper gives the same neuron, to the time step and to rounding error in $V$:

# %%
helper = simulate(neuron_A, stimuli.step(1.8 * nA, 100 * ms, 400 * ms), 500 * ms)
def steps(times):
    """Spike times as time-step indices (dt = 0.1 ms)."""
    return np.round(np.asarray(times / (0.1 * ms))).astype(int)


assert np.array_equal(steps(spikes.t), steps(helper.spike_trains[0]))
assert np.max(np.abs(state.v[0] - helper.v[0])) < 1e-9 * mV
print(f"identical spike times ({len(helper.spike_trains[0])} spikes) and traces")

# %% [markdown]
# What the helper adds: every parameter may be an array, so a sweep is one `NeuronGroup` in one
# run; the model is compiled once and re-runs with new parameter values in milliseconds (sliders,
# fitting); and every value is checked for its units and range before anything runs. It hides
# nothing: `model.brian2_code()` shows the Brian2 code that `simulate` runs. Compare it with the
# code above: the same equation, with `I_total` (the input: the stimulus `I_stim` plus the
# currents of mechanisms added in later lessons) in place of `I`, the parameters declared as
# constants of the group, and a refractory period (0 ms here).

# %%
neuron_A.brian2_code()

# %% [markdown]
# ### Your own model, at the helper's speed
#
# `Brian2Model` takes the Brian2 strings you write, with the parameters as keyword arguments
# with units, and runs them through the same engine as the built-in models: sweeps, `fi_curve`
# and sliders work on it. Brian2 checks your strings when the model is made (a unit error or an
# undefined name gives a clear error at once). The input current is called `I_total`. Below, the
# LIF with a refractory period of 2 ms: during `t_ref` after a spike the equation marked
# `(unless refractory)` is not integrated, so $V$ stays at $V_{reset}$. Edit it: change the
# equation, add a parameter (with its value below), and run the cell.

# %%
from sfa_helpers.models import Brian2Model

my_lif = Brian2Model(
    "dv/dt = (E_L - v + R*I_total)/tau_m : volt (unless refractory)",
    threshold="v > V_th",
    reset="v = V_reset",
    refractory="t_ref",
    method="exact",
    init={"v": -70 * mV},
    t_ref=2 * ms,
    **set_A,
)
step_18 = stimuli.step(1.8 * nA, 100 * ms, 400 * ms)
mine = simulate(my_lif, step_18, 500 * ms)
builtin = simulate(LIF(t_ref=2 * ms, **set_A), step_18, 500 * ms)
assert np.array_equal(steps(mine.spike_trains[0]), steps(builtin.spike_trains[0]))
print(f"my_lif: {len(mine.spike_trains[0])} spikes, the same as LIF(t_ref=2 ms) "
      f"({len(helper.spike_trains[0])} without refractory period)")

# %% [markdown]
# A slider for every parameter of your model (and the amplitude of the step):

# %% tags=["nbval-ignore-output"]
from sfa_helpers.widgets import explore

my_explorer = explore(my_lif, step_18, 500 * ms)
my_explorer

# %% tags=["nbval-ignore-output"]
my_before = len(my_explorer.result.spike_trains[0])
my_explorer.update(t_ref=5 * ms)  # as if the t_ref slider were moved to 5 ms

# %%
my_after = len(my_explorer.result.spike_trains[0])
print(f"spikes with t_ref = 2 ms: {my_before}, with 5 ms: {my_after}")
assert my_after < my_before

# %% [markdown]
# ## 5. Rheobase
#
# The **rheobase** is the smallest constant current that makes the neuron fire. With threshold
# $V_{th}$ the steady state $E_L + R I$ must exceed it:
#
# $$I_{th} = \frac{V_{th} - E_L}{R}.$$
#
# **Parameter set B** (textbook style) describes the membrane by its capacitance $C_m$ and
# resistance $R_m$; the time constant is their product, $\tau_m = R_m C_m$.

# %%
R_m = 5 * Mohm     # membrane resistance
C_m = 2 * nF       # membrane capacitance
set_B = dict(
    tau_m=R_m * C_m,   # = 10 ms
    C_m=C_m,
    E_L=-70 * mV,
    V_th=-50 * mV,
    V_reset=-65 * mV,
)
neuron_B = LIF(**set_B)
I_th = theory.lif_rheobase(neuron_B)
print(f"R_m = {neuron_B.R / Mohm:.0f} MOhm, tau_m = {neuron_B.tau_m / ms:.0f} ms, "
      f"rheobase I_th = {I_th / nA:.2f} nA")

# %%
near = simulate(neuron_B, stimuli.constant(np.array([0.99, 1.01]) * I_th), 300 * ms)
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
for k, label in enumerate(["0.99 × rheobase", "1.01 × rheobase"]):
    plots.voltage_trace(near, neuron=k, ax=ax, label=label, threshold=(k == 0))
ax.legend(frameon=False, loc="lower right")
print("spikes at 0.99 and 1.01 x rheobase:", [len(s) for s in near.spike_trains])
assert len(near.spike_trains[0]) == 0 and len(near.spike_trains[1]) > 0

# %% [markdown]
# Just below rheobase $V$ creeps up to 0.2 mV under threshold and stays there. Just above, the
# approach is so slow that the first interval is long (about $\tau_m \ln 100 \approx 46$ ms here),
# which is why the f-I curve of a LIF rises steeply from zero at rheobase.
#
# The f-I curve from 2 nA to 10 nA, one neuron per current, 1 s each:

# %%
currents_B = np.linspace(2, 10, 33) * nA
fi_B = fi_curve(neuron_B, currents_B, 1 * second, rate="isi")
plots.fi_curve(currents_B, fi_B.rates, theory=lambda I: theory.lif_rate(neuron_B, I),
               label="simulation, 1/mean ISI")
above = currents_B > I_th
interval_error = np.abs(1 / fi_B.rates[above] - 1 / theory.lif_rate(neuron_B, currents_B[above]))
print(f"largest interval error: {np.max(interval_error) / ms:.3f} ms (time step 0.1 ms)")
assert np.max(interval_error) <= 0.1 * ms
plt.show()

# %% [markdown]
# ## 6. Noise smooths the f-I curve
#
# Real input fluctuates. We add Gaussian white noise to the current,
#
# $$I(t) = \mu + \sigma\,\xi(t),$$
#
# where $\sigma$ has units of nA·√ms. Without a threshold $V$ would fluctuate around
# $E_L + R\mu$ with standard deviation $\sigma_V = R\sigma/\sqrt{2\tau_m}$. The simulation uses
# the Euler-Maruyama scheme: over each step the current is held at $\mu + \sigma n_k/\sqrt{\Delta t}$
# with independent standard normal $n_k$. Two noise strengths, giving $\sigma_V = 1$ mV and
# $4$ mV, plus the noiseless curve — all 3 × 41 neurons in one group:

# %%
sigma_V = np.array([0.0, 1.0, 4.0]) * mV
sigma_I = sigma_V * np.sqrt(2 * neuron_B.tau_m) / neuron_B.R
mu = np.linspace(2, 10, 41) * nA
noise_unit = nA * ms ** 0.5
all_mu = np.tile(mu / nA, sigma_V.size) * nA                 # 3 x 41 neurons: mu varies fastest
all_sigma = np.repeat(sigma_I / noise_unit, mu.size) * noise_unit
noisy = simulate(neuron_B, stimuli.white_noise(all_mu, all_sigma), 2 * second, record=(), seed=2024)
noisy_rates = noisy.rates(start=200 * ms).reshape(sigma_V.size, mu.size)

fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
for k, s in enumerate(sigma_V):
    ax.plot(mu / nA, noisy_rates[k] / Hz, "o-", ms=3, label=f"σ_V = {s / mV:.0f} mV")
ax.plot(mu / nA, theory.lif_rate(neuron_B, mu) / Hz, "k:", label="theory, no noise")
ax.axvline(I_th / nA, color="0.6", lw=0.8)
ax.set(xlabel="mean input current μ (nA)", ylabel="firing rate (Hz)")
ax.legend(frameon=False)
plt.show()

# %%
below = mu < 0.95 * I_th
print("mean rate below 0.95 x rheobase (Hz):", np.round(noisy_rates[:, below].mean(axis=1) / Hz, 1))
assert np.all(noisy_rates[0, below] == 0 * Hz)
assert noisy_rates[2, below].mean() > noisy_rates[1, below].mean() > 0 * Hz
high = mu >= 8 * nA
change_at_high = np.abs(noisy_rates[2, high] - noisy_rates[0, high]) / noisy_rates[0, high]
assert np.max(change_at_high) < 0.15

# %% [markdown]
# Noise lets the neuron fire *below* rheobase: fluctuations occasionally carry $V$ over
# threshold. The stronger the noise, the smoother the curve near rheobase, while far above
# rheobase (where the drive dominates) the rate hardly changes. The sharp corner of the
# deterministic f-I curve is a property of the noiseless model, not of neurons.
#
# ## 7. Explore
#
# Move the sliders: every change re-simulates the neuron (a few milliseconds) and redraws the
# trace. Try to make the neuron fire with the smallest pulse, or find the amplitude at which the
# first spike appears.

# %% tags=["nbval-ignore-output"]
explorer = explore(neuron_A, stimuli.step(1.6 * nA, 100 * ms, 400 * ms), 500 * ms)
explorer

# %% [markdown]
# The sliders call the same `simulate` as above. The explorer can also be driven from code:

# %% tags=["nbval-ignore-output"]
before = len(explorer.result.spike_trains[0])
explorer.update(amplitude=2.0 * nA)  # as if the amplitude slider were moved to 2 nA

# %%
after = len(explorer.result.spike_trains[0])
print(f"spikes at 1.6 nA: {before}, at 2.0 nA: {after}")
assert after > before

# %% [markdown]
# ## Summary
#
# * Below threshold the LIF is a linear low-pass filter with time constant $\tau_m$; the exact
#   update integrates it without discretisation error, forward Euler with an error $\propto \Delta t$.
# * Threshold and reset turn it into a spiking neuron with the f-I curve
#   $r = 1/(t_{ref} + \tau_m \ln\frac{RI + E_L - V_{reset}}{RI + E_L - V_{th}})$ above rheobase
#   $I_{th} = (V_{th} - E_L)/R$.
# * A rate counted in a fixed window differs from this interval-based theory (latency, integer
#   counts); simulated intervals are rounded up to the time grid.
# * Noise makes the neuron fire below rheobase and smooths the f-I curve.
# * In Brian2 the model is an equations string, a threshold and a reset in a `NeuronGroup`;
#   `model.brian2_code()` shows that code for every model of the course, and `Brian2Model` runs
#   the code you write through the same fast engine.
#
# The exercise sheet for this lesson (`exercises/01_lif_basics.ipynb`) asks you to find the
# rheobase by simulation, to choose a counting window that matches theory, to move $V_{reset}$
# towards $V_{th}$ or $E_L$, to drive the neuron with currents that change in time, and to write
# the refractory LIF in Brian2 yourself. A plot task (the voltage under a current that changes four
# times, with units on both axes) is checked from your figure; a written task (where the reset
# should sit) is graded by your instructor. Each student works with their own numbers: set
# `STUDENT_ID` under "Your numbers" at the top of the sheet.
