# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/notebooks/02_refractoriness.ipynb)
#
# # Lesson 02: Refractoriness
#
# Right after a spike a real neuron cannot fire again (absolute refractoriness) and then fires
# only with a stronger input (relative refractoriness). We give one leaky integrate-and-fire
# neuron three different refractory mechanisms and measure what each changes: traces, firing
# rate, mean membrane potential and the maximum rate.
#
# Base neuron: $C_m \frac{dV}{dt} = \frac{E_L - V}{R_m} + I(t)$ with $C_m$ = 100 pF,
# $R_m$ = 100 MΩ ($\tau_m$ = 10 ms), $E_L$ = −70 mV, $V_{th}$ = −50 mV, $V_{reset}$ = −65 mV.
#
# 1. **Forced voltage clamp**: after a spike $V = V_{reset}$ for $\tau_{vc}$ = 2.5 ms.
# 2. **Threshold increase**: at a spike $V$ is reset to $V_{reset}$ and the threshold jumps to
#    $\Theta_{max}$ = 200 mV and relaxes back, $\tau_\Theta\frac{d\Theta}{dt} = -(\Theta - V_{th})$,
#    with $\tau_\Theta$ = 1 ms.
# 3. **Threshold increase plus refractory conductance, no reset**: the threshold of method 2,
#    but $V$ is not reset; instead $G_{ref}(E_K - V)$ in the membrane equation, $E_K$ = −80 mV,
#    $\tau_{Gref}\frac{dG_{ref}}{dt} = -G_{ref}$ with $\tau_{Gref}$ = 0.2 ms, and
#    $G_{ref} \to G_{ref} + 2\,\mu\text{S}$ at each spike.
#
# The input is a constant current plus white noise $\sigma\,\xi(t)$ with
# $\sigma$ = 3 pA·√s (a membrane-potential SD of about $R_m\sigma/\sqrt{2\tau_m}$ ≈ 2 mV).
# Time step 0.02 ms (the refractory conductance lasts only 0.2 ms). Spikes are drawn up to
# $V_{peak}$ = 50 mV.

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
from brian2 import Hz, Mohm, mV, ms, nA, pA, second, usiemens

from sfa_helpers import analysis, simulate, stimuli, theory
from scipy.optimize import brentq

from sfa_helpers.models import (LIF, ForcedVoltageClamp, NoVoltageReset, RefractoryConductance,
                                ThresholdIncrease)
from sfa_helpers.notebook import setup

setup()

# %%
base = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=100 * Mohm)
V_peak = 50 * mV
methods = {
    "1: voltage clamp": base + ForcedVoltageClamp(tau_vc=2.5 * ms),
    "2: threshold increase": base + ThresholdIncrease(Theta_max=200 * mV, tau_Theta=1 * ms),
    "3: threshold + G_ref": (base + ThresholdIncrease(Theta_max=200 * mV, tau_Theta=1 * ms)
                             + RefractoryConductance(tau_Gref=0.2 * ms, Delta_G_ref=2 * usiemens,
                                                     E_K=-80 * mV)
                             + NoVoltageReset()),
}
dt = 0.02 * ms
sigma = 3 * pA * second ** 0.5
# one NeuronGroup per method: 26 currents from 100 to 600 pA, then 3 very large ones for the
# maximum rate
currents = np.concatenate([np.arange(100, 601, 20), [2000, 5000, 20000]]) * pA
n_sweep = 26
print(f"rheobase {theory.lif_rheobase(base) / pA:.0f} pA; {len(currents)} neurons per method")

# %% [markdown]
# ### The three methods in Brian2
#
# Each method is the base LIF plus a mechanism; `brian2_code()` shows the Brian2 code that runs.
# Names: `v` is $V$, `R` is $R_m$ (the equation is divided by $C_m$: $\tau_m = R_m C_m$),
# `I_total` is the input $I$ (plus the refractory current of method 3), `Theta` is $\Theta$,
# `G_ref` is $G_{ref}$. **Method 1** uses Brian2's own refractoriness: `refractory='tau_vc'`
# stops the equation marked `(unless refractory)` for $\tau_{vc}$ after a spike, so $V$ stays
# at $V_{reset}$.

# %%
methods["1: voltage clamp"].brian2_code()

# %% [markdown]
# **Method 2** keeps the base neuron's reset `v = V_reset` and adds `Theta = Theta_max` to it;
# the threshold condition is `v > Theta`.

# %%
methods["2: threshold increase"].brian2_code()

# %% [markdown]
# **Method 3** drops `v = V_reset` from the reset (`NoVoltageReset()`), adds `G_ref*(E_K - v)`
# to `I_total` and `G_ref += Delta_G_ref` to the reset. The conductance multiplies $V$, so the
# update is no longer exact: Brian2 integrates it with `exponential_euler`.

# %%
methods["3: threshold + G_ref"].brian2_code()

# %%
runs = {}
for k, (name, model) in enumerate(methods.items()):
    record = ("v", "Theta") if "Theta" in model.spec().recordable else ("v",)
    stim = stimuli.constant(currents) + stimuli.white_noise(0 * pA, sigma)
    runs[name] = simulate(model, stim, 2 * second, dt=dt, record=record, seed=10 + k)
print({name: round(float(r.rates()[n_sweep - 1] / Hz)) for name, r in runs.items()}, "Hz at 600 pA")

# %% [markdown]
# ## Noisy traces at 220 pA and 600 pA
#
# The first 100 ms of each run. Spikes are drawn as lines up to $V_{peak}$. The threshold is drawn
# for every method: the fixed $V_{th}$ for method 1 (grey, dotted) and the moving threshold
# $\Theta$ for methods 2 and 3 (red), which jumps to 200 mV at each spike, far above the plotted
# range, and falls back with $\tau_\Theta$ = 1 ms.

# %%
show = {220: int(np.argmin(np.abs(currents - 220 * pA))), 600: int(np.argmin(np.abs(currents - 600 * pA)))}
fig, axes = plt.subplots(3, 2, figsize=(10, 7.5), sharex=True, sharey=True, layout="constrained")
for row, (name, r) in enumerate(runs.items()):
    for col, (amp_pA, k) in enumerate(show.items()):
        ax = axes[row, col]
        sel = r.t < 100 * ms
        t = r.t[sel] / ms
        ax.plot(t, r.v[k][sel] / mV, lw=0.7, color="C0", label="membrane potential V")
        sp = r.spike_trains[k][r.spike_trains[k] < 100 * ms]
        idx = np.round(np.asarray(sp / dt)).astype(int)
        ax.vlines(sp / ms, r.v[k][idx] / mV, V_peak / mV, lw=0.7, color="C0", zorder=3)
        if "Theta" in r.traces:
            # not clipped by hand: the axes cut the jumps to 200 mV off at the top
            ax.plot(t, r.Theta[k][sel] / mV, color="C3", lw=0.8,
                    label=r"threshold $\Theta$ (jumps to 200 mV)")
        else:
            ax.axhline(base.V_th / mV, color="0.5", ls=":", lw=1, label=r"fixed threshold $V_{th}$")
        ax.set_title(f"{name}, {amp_pA} pA", fontsize="medium")
        ax.set_ylim(-85, 60)
for ax in axes[:, 0]:
    ax.set_ylabel("V (mV)")
for ax in axes[-1]:
    ax.set_xlabel("time (ms)")
handles = [axes[0, 0].get_lines()[0], axes[0, 0].get_lines()[1], axes[1, 0].get_lines()[1]]
fig.legend(handles, [h.get_label() for h in handles], loc="outside upper center", ncols=3,
           frameon=False)
plt.show()
after = {}
for name, r in runs.items():  # V one step after each spike at 600 pA
    k = show[600]
    idx = np.round(np.asarray(r.spike_trains[k] / dt)).astype(int) + 1
    after[name] = np.asarray(r.v[k][idx[idx < len(r.t)]] / mV)
    print(f"{name:22s} V one step after a spike: {after[name].min():6.1f} to {after[name].max():6.1f} mV")
assert np.allclose(after["1: voltage clamp"], -65) and np.allclose(after["2: threshold increase"], -65)
assert np.all(after["3: threshold + G_ref"] > -65)  # no reset: G_ref pulls V down over ~0.1 ms

# %% [markdown]
# Method 1 resets $V$ and holds it for 2.5 ms. Method 2 resets $V$ too, but does not hold it:
# $V$ climbs at once, and the neuron fires again where it meets the falling threshold.
# Method 3 has the same threshold but no reset: within a fraction of a millisecond the
# conductance pulls $V$ from the spike down towards $E_K$ = −80 mV, below $V_{reset}$.
#
# ## Rate and mean membrane potential versus current

# %%
I_sweep = currents[:n_sweep]
rate = {name: r.rates(start=0.2 * second)[:n_sweep] for name, r in runs.items()}
mean_v = {name: analysis.mean_potential(r, start=0.2 * second)[:n_sweep] for name, r in runs.items()}


def interval_method2(I, m=methods["2: threshold increase"]):
    """Method 2 without noise: the time T (s) from the reset to where V meets the threshold,
    V_inf + (V_reset - V_inf) e^{-T/tau_m} = V_th + (Theta_max - V_th) e^{-T/tau_Theta}."""
    v_inf, v_r, v_th = float(m.E_L + m.R * I), float(m.V_reset), float(m.V_th)
    tau, jump, tau_th = float(m.tau_m), float(m.Theta_max - m.V_th), float(m.tau_Theta)
    gap = lambda T: v_inf + (v_r - v_inf) * np.exp(-T / tau) - v_th - jump * np.exp(-T / tau_th)
    return brentq(gap, 0, 1)  # V rises, Theta falls: one crossing


fine = np.linspace(205, 600, 200) * pA
theory_rate = {"1: voltage clamp": 1 / (2.5 * ms + theory.lif_time_to_threshold(base, fine)),
               "2: threshold increase": np.array([1 / interval_method2(I) for I in fine]) * Hz}
fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
for k, name in enumerate(methods):
    a1.plot(I_sweep / pA, rate[name] / Hz, "o", ms=3, color=f"C{k}", label=name)
    if name in theory_rate:
        a1.plot(fine / pA, theory_rate[name] / Hz, color=f"C{k}", lw=1)
    a2.plot(I_sweep / pA, mean_v[name] / mV, "o-", ms=3)
    a3.plot(rate[name] / Hz, mean_v[name] / mV, "o-", ms=3)
a1.plot([], [], color="0.3", lw=1, label="theory without noise")
a2.plot(I_sweep / pA, (base.E_L + base.R * I_sweep) / mV, color="0.8", lw=4, zorder=0,
        label=r"$E_L + R_m I$ (no spikes)")
a1.set(xlabel="input current (pA)", ylabel="firing rate (Hz)", title="rate")
a2.set(xlabel="input current (pA)", ylabel="mean V (mV)", title="mean membrane potential")
a3.set(xlabel="firing rate (Hz)", ylabel="mean V (mV)", title="mean potential versus rate")
a1.legend(frameon=False, fontsize="small")
a2.legend(frameon=False)
plt.show()

for name in methods:
    mv = np.asarray(mean_v[name] / mV)
    print(f"{name:22s} rate {float(rate[name][0] / Hz):5.1f} -> {float(rate[name][-1] / Hz):5.1f} Hz, "
          f"mean V max {mv.max():6.1f} mV at {float(I_sweep[np.argmax(mv)] / pA):.0f} pA, "
          f"at 600 pA {mv[-1]:6.1f} mV")
mv = {name: np.asarray(mean_v[name] / mV) for name in methods}
for name in ("1: voltage clamp", "3: threshold + G_ref"):
    assert 0 < np.argmax(mv[name]) < n_sweep - 1 and np.argmin(mv[name][5:]) == n_sweep - 6
m2 = mv["2: threshold increase"]
low = int(np.argmin(m2[5:])) + 5                      # method 2: down, then up again
assert 0 < np.argmax(m2[:low]) < low < n_sweep - 1 and m2[-1] > m2[low] + 1
print(f"method 2: lowest mean V {m2[low]:.1f} mV at {float(I_sweep[low] / pA):.0f} pA")
# well above rheobase the noise hardly matters: simulation and theory agree within 3 %
strong = I_sweep >= 300 * pA
for name in theory_rate:
    expected = np.interp(np.asarray(I_sweep[strong] / pA), np.asarray(fine / pA),
                         np.asarray(theory_rate[name] / Hz))
    assert np.all(np.abs(np.asarray(rate[name][strong] / Hz) / expected - 1) < 0.03), name

# %% [markdown]
# **Why is the mean potential non-monotonic?** Below rheobase (200 pA) the mean potential is the
# steady state $E_L + R_m I$, rising with the current (noise makes a few spikes near rheobase).
# Above rheobase every spike brings $V$ down, to $V_{reset}$ (methods 1 and 2) or towards $E_K$
# (method 3), and it then spends much of the interval on the way back up. More current means
# more spikes per second and so more time near the bottom: the mean potential *falls* as the
# current grows, and the voltage becomes a signal anticorrelated with the rate (right panel).
# Method 1 adds 2.5 ms at $V_{reset}$ to every interval, method 3 pulls $V$ 15 mV further down,
# below $V_{reset}$: both keep falling up to 600 pA.
#
# Method 2 turns back up above about 350 pA. Its threshold has no time to relax at high rates:
# at 600 pA the next spike comes 4 ms after the last, when $\Theta$ is still a few mV above
# $V_{th}$, so $V$ climbs from $V_{reset}$ to an ever higher crossing point, and it climbs
# nearly in a straight line (the interval is short against $\tau_m$). The mean of such a ramp is
# about halfway between $V_{reset}$ and the crossing point, and that rises with the current.
# With a clamp (method 1) the same effect is outweighed by the 2.5 ms at $V_{reset}$.
#
# ## Maximum rates: absolute versus relative refractoriness

# %%
for name, r in runs.items():
    big = r.rates(start=0.2 * second)[n_sweep:]
    print(f"{name:22s} rate at 2, 5, 20 nA: {np.round(np.asarray(big / Hz)).astype(int)} Hz")
r1 = runs["1: voltage clamp"].rates(start=0.2 * second)[n_sweep:]
assert np.all(r1 < 1 / (2.5 * ms))                    # absolute bound 1/tau_vc = 400 Hz
r2 = runs["2: threshold increase"].rates(start=0.2 * second)[n_sweep:]
assert r2[-1] > 1 / (2.5 * ms)                        # relative refractoriness: no hard bound
assert np.all(np.diff(r2) > 0)                        # ... and still growing with the current
theory_20nA = 1 / interval_method2(20 * nA)
print(f"method 2 at 20 nA without noise: {theory_20nA:.0f} Hz")
assert abs(float(r2[-1] / Hz) / theory_20nA - 1) < 0.03

# %% [markdown]
# * The **voltage clamp** is absolute: no input can fire the neuron within $\tau_{vc}$, so
#   $r < 1/\tau_{vc}$ = 400 Hz.
# * The **threshold increase** is relative: the threshold is finite at every moment, so a
#   strong enough input crosses it earlier. The interval is the time $V$ needs to climb from
#   $V_{reset}$ to the falling threshold, the root of
#   $V_\infty + (V_{reset} - V_\infty)e^{-T/\tau_m} = V_{th} + (\Theta_{max} - V_{th})e^{-T/\tau_\Theta}$
#   (`interval_method2` above), which shrinks without bound as the current grows: about 1.4 kHz
#   at 20 nA, already above $1/\tau_\Theta$.
# * The **refractory conductance** pulls $V$ far down after each spike; a stronger input then has
#   to recharge the membrane first, so the rate grows much more slowly with the current than
#   with method 2, but it is still not bounded by a fixed dead time (about 1 kHz at 20 nA).
#
# ## Explore
#
# Move the refractory parameters of method 3 (or the input) and watch the trace, with the moving
# threshold $\Theta$ in red, and the rate-current curve on the right: 1 s per current, rate from
# the spike count after 0.2 s, one `NeuronGroup` for all currents at every slider move; the
# curve of the starting values stays in grey. (Without noise, unlike the figures above.)

# %% tags=["nbval-ignore-output"]
from sfa_helpers.widgets import explore

explorer = explore(
    methods["3: threshold + G_ref"], stimuli.constant(600 * pA), 100 * ms, dt=dt,
    parameters=["tau_Theta", "Delta_G_ref", "amplitude"],
    ranges={"tau_Theta": (0.2 * ms, 5 * ms), "Delta_G_ref": (0 * usiemens, 5 * usiemens),
            "amplitude": (100 * pA, 1000 * pA)},
    fi_currents=np.arange(100, 601, 50) * pA, fi_duration=1 * second, fi_transient=0.2 * second)
explorer

# %% tags=["nbval-ignore-output"]
# move a slider from code (the redraw leaks into this cell's output under nbval; checked below)
before = explorer.fi
result = explorer.update(tau_Theta=4 * ms)

# %%
print("f-I rate at 600 pA:", round(float(before.rates[-1] / Hz)), "->",
      round(float(explorer.fi.rates[-1] / Hz)), "Hz")
assert explorer.fi.result.model.tau_Theta == 4 * ms
assert explorer.fi.rates[-1] < before.rates[-1]       # a slower threshold recovery lowers the rate
assert np.all(explorer.fi_reference.rates == before.rates)  # the grey curve keeps the start values

# %% [markdown]
# ## Exercise sheet
#
# The exercise sheet for this lesson (`exercises/02_refractoriness.ipynb`) asks you to derive the
# interval of the clamped neuron in closed form, simulate its f-I curve and see how slowly it
# approaches the $1/\tau_{vc}$ bound, find where relative refractoriness beats that bound, and
# explain why the mean potential falls. A plot task (the clamp's f-I curve, simulated and in closed
# form) is checked from your figure; a written task (how each kind of refractoriness bounds the
# rate) is graded by your instructor. Each student works with their own numbers: set `STUDENT_ID`
# under "Your numbers" at the top of the sheet.
