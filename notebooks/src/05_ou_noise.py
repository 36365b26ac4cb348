# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/notebooks/05_ou_noise.ipynb)
#
# # 05 · Ornstein-Uhlenbeck noise
#
# A neuron in the brain does not receive a clean constant current: thousands of synapses deliver
# small current pulses at random times, each filtered by the synaptic time constant. Summed, this
# input looks like a Gaussian current that fluctuates around a mean and is correlated over a few
# milliseconds. The simplest model of such **coloured noise** is the **Ornstein-Uhlenbeck (OU)
# process**. In this lesson we
#
# 1. simulate the OU process with its exact update and check its mean, standard deviation and
#    autocorrelation against theory,
# 2. see why the Euler-Maruyama update goes wrong as the time step grows,
# 3. drive the adaptive-threshold neuron of lesson 03 with OU current and look at the irregular
#    spike train it produces.

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
from brian2 import Hz, mV, ms, pA, pF, second

from sfa_helpers import analysis, plots, simulate, stimuli, theory, widgets
from sfa_helpers.models import LIF, AdaptiveThreshold
from sfa_helpers.notebook import setup

setup()

# %% [markdown]
# ## 1. The Ornstein-Uhlenbeck process
#
# The input current $I(t)$ (pA) relaxes towards its mean $\mu$ (pA) with the correlation time
# $\tau$ (ms) and is kicked by Gaussian white noise $\xi(t)$ (units $1/\sqrt{\mathrm{s}}$,
# $\langle\xi(t)\xi(t')\rangle = \delta(t-t')$):
#
# $$\frac{dI}{dt} = \frac{\mu - I}{\tau} + \sigma\sqrt{\frac{2}{\tau}}\;\xi(t).$$
#
# With this scaling $\sigma$ (pA) is the standard deviation of $I$ in the stationary state, which
# is Gaussian, $I \sim N(\mu, \sigma^2)$, with the autocovariance
#
# $$C(s) = \langle (I(t) - \mu)(I(t+s) - \mu)\rangle = \sigma^2 e^{-|s|/\tau}.$$
#
# **Exact update.** Over one time step $h$ the equation is linear, so it can be solved exactly:
# the deterministic part decays by $e^{-h/\tau}$ and the noise accumulated during the step is
# Gaussian with variance $\sigma^2(1 - e^{-2h/\tau})$. With $n_k \sim N(0, 1)$:
#
# $$I_{k+1} = \mu + (I_k - \mu)\,e^{-h/\tau} + \sigma\sqrt{1 - e^{-2h/\tau}}\;n_k .$$
#
# This is what `stimuli.ou(mu, sigma, tau)` computes at the start of every time step. Its first
# value is drawn from the stationary distribution, so there is no transient to discard. Every
# neuron of a group gets its own independent realisation, and a seed makes runs reproducible.
#
# Parameters (NEST's default synaptic time constant is 2 ms):

# %%
MU, SIGMA, TAU_S = 500 * pA, 200 * pA, 2 * ms
DT = 0.1 * ms

# A LIF with its threshold at +1 V never fires: we only record its input current I_stim.
QUIET = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=1000 * mV, V_reset=-70 * mV, C_m=250 * pF)

# %% [markdown]
# The Brian2 code of this neuron with the OU current. The stimulus is a state variable `I_ou`
# ($I$), updated by `run_regularly` at the start of every time step with the exact update above
# and copied into `I_stim`: `ou_mu`, `ou_sigma` and `ou_tau` are $\mu$, $\sigma$ and $\tau$,
# `ou_decay` is $e^{-h/\tau}$ and `randn()` is $n_k$. At $t = 0$ `ou_decay` is 0, so the first
# value is $\mu + \sigma n_0$, a draw from the stationary distribution.

# %%
QUIET.brian2_code(stimuli.ou(MU, SIGMA, TAU_S))

# %%
N_PATHS, T_OU = 50, 2 * second
ou_run = simulate(QUIET, stimuli.ou(np.full(N_PATHS, 500.0) * pA, SIGMA, TAU_S),
                  T_OU, dt=DT, record=("I_stim",), seed=5)
current = np.asarray(ou_run.I_stim / pA)  # shape (paths, time steps)
print(current.shape)

# %%
fig, (ax_t, ax_h) = plt.subplots(1, 2, figsize=(9, 3), width_ratios=[3, 1], sharey=True,
                                 layout="constrained")
t_ms = np.asarray(ou_run.t / ms)
show = t_ms < 100
for k in range(3):
    ax_t.plot(t_ms[show], current[k, show], lw=0.8)
ax_t.axhline(float(MU / pA), color="k", ls="--", lw=0.8)
ax_t.set_xlabel("time (ms)")
ax_t.set_ylabel("input current $I$ (pA)")
ax_t.set_title(r"three OU realisations, $\mu$ = 500 pA, $\sigma$ = 200 pA, $\tau$ = 2 ms")
grid = np.linspace(-300, 1300, 200)
ax_h.hist(current.ravel(), bins=60, density=True, orientation="horizontal", color="0.7")
gauss = np.exp(-(grid - 500) ** 2 / (2 * 200 ** 2)) / (np.sqrt(2 * np.pi) * 200)
ax_h.plot(gauss, grid, "k", lw=1.2, label="N(μ, σ²)")
ax_h.set_xlabel("density (1/pA)")
ax_h.legend(frameon=False)
plt.show()

# %% [markdown]
# **Mean and standard deviation against theory.** The samples are correlated, so their number
# overstates the information they carry. The recorded sequence is an AR(1) process with
# coefficient $a = e^{-h/\tau}$; for $N$ samples the standard errors are
#
# $$\mathrm{SE}(\bar I) = \sigma\sqrt{\frac{1 + a}{N(1 - a)}}, \qquad
#   \mathrm{SE}(\hat\sigma^2) = \sigma^2\sqrt{\frac{2(1 + a^2)}{N(1 - a^2)}}.$$
#
# We require agreement within 5 standard errors (a chance failure has probability below
# $10^{-6}$).

# %%
a = np.exp(-float(DT / TAU_S))
n_samples = current.size
se_mean = 200 * np.sqrt((1 + a) / (n_samples * (1 - a)))
se_var = 200 ** 2 * np.sqrt(2 * (1 + a ** 2) / (n_samples * (1 - a ** 2)))
mean, var = current.mean(), current.var()
print(f"mean {mean:.1f} pA   (theory 500 pA, SE {se_mean:.1f} pA)")
print(f"SD   {np.sqrt(var):.1f} pA   (theory 200 pA, SE {se_var / (2 * 200):.1f} pA)")
assert abs(mean - 500) < 5 * se_mean
assert abs(var - 200 ** 2) < 5 * se_var

# %% [markdown]
# **Autocorrelation.** We estimate $C(s)/C(0)$ from all pairs of samples $s$ apart and compare
# with $e^{-|s|/\tau}$ (`theory.ou_autocovariance`). Bartlett's formula gives the standard error
# of an estimated AR(1) autocorrelation at lag $k$ steps:
# $\mathrm{SE}_k^2 = \frac{1}{N}\left[\frac{(1 + a^2)(1 - a^{2k})}{1 - a^2} - 2k a^{2k}\right]$.

# %%
lag_steps = np.arange(0, 81, 4)  # 0 ... 8 ms
x = current - current.mean(axis=1, keepdims=True)
acf = np.array([1.0] + [np.mean(x[:, :-k] * x[:, k:]) / np.mean(x * x) for k in lag_steps[1:]])
lags = lag_steps * DT
acf_theory = np.asarray(theory.ou_autocovariance(SIGMA, TAU_S, lags) / SIGMA ** 2)
k = lag_steps
se_acf = np.sqrt(((1 + a ** 2) * (1 - a ** (2 * k)) / (1 - a ** 2) - 2 * k * a ** (2 * k))
                 / n_samples)

fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
ax.plot(lags / ms, acf_theory, "k", lw=1.2, label=r"theory $e^{-s/\tau}$")
ax.errorbar(lags / ms, acf, yerr=5 * se_acf, fmt="o", ms=4, label="simulation (±5 SE)")
ax.set_xlabel("lag $s$ (ms)")
ax.set_ylabel("autocorrelation $C(s)/C(0)$")
ax.legend(frameon=False)
assert np.all(np.abs(acf - acf_theory) < 5 * se_acf + 1e-12)
print(f"at s = tau: simulated {acf[lag_steps == 20][0]:.3f}, theory {np.exp(-1):.3f}")

# %% [markdown]
# ## 2. Exact update versus Euler-Maruyama
#
# The Euler-Maruyama scheme replaces the exact decay and noise by their first-order versions:
#
# $$I_{k+1} = I_k + \frac{(\mu - I_k)\,h}{\tau} + \sigma\sqrt{\frac{2h}{\tau}}\;n_k .$$
#
# This is again an AR(1) sequence, now with coefficient $a_{EM} = 1 - h/\tau$ instead of
# $e^{-h/\tau}$ and noise variance $2\sigma^2 h/\tau$ per step. Its stationary variance follows
# from $\mathrm{Var} = a_{EM}^2\,\mathrm{Var} + 2\sigma^2 h/\tau$:
#
# $$\mathrm{Var}_{EM} = \frac{2\sigma^2 h/\tau}{1 - (1 - h/\tau)^2} = \frac{\sigma^2}{1 - h/2\tau},$$
#
# too large by a factor that grows with $h/\tau$ (and infinite at $h = 2\tau$, where the scheme
# becomes unstable). The exact update has variance $\sigma^2$ for every $h$. Below, both updates
# are written out in numpy (the same recursions that `stimuli.ou(..., method='exact')` and
# `method='euler'` run inside Brian2) for 400 paths of 2000 steps each, started from the
# stationary distribution.

# %%
def ou_paths(h_over_tau, method, n_paths=400, n_steps=2000, seed=0):
    """OU paths in units of sigma around mu = 0 (so the stationary variance should be 1)."""
    rng = np.random.default_rng(seed)
    if method == "exact":
        decay, kick = np.exp(-h_over_tau), np.sqrt(1 - np.exp(-2 * h_over_tau))
    else:
        decay, kick = 1 - h_over_tau, np.sqrt(2 * h_over_tau)
    paths = np.empty((n_paths, n_steps))
    paths[:, 0] = rng.standard_normal(n_paths)
    for step in range(1, n_steps):
        paths[:, step] = paths[:, step - 1] * decay + kick * rng.standard_normal(n_paths)
    return paths, decay


ratios = np.array([0.05, 0.1, 0.25, 0.5, 1.0, 1.5])  # h / tau
measured = {"exact": [], "euler": []}
standard_errors = {"exact": [], "euler": []}
for method in measured:
    for r in ratios:
        paths, decay = ou_paths(r, method)
        expected = 1.0 if method == "exact" else 1 / (1 - r / 2)
        n = paths.size
        se = expected * np.sqrt(2 * (1 + decay ** 2) / (n * (1 - decay ** 2)))
        measured[method].append(np.mean(paths ** 2))
        standard_errors[method].append(se)
measured = {m: np.array(v) for m, v in measured.items()}
standard_errors = {m: np.array(v) for m, v in standard_errors.items()}

# %%
fine = np.linspace(0.01, 1.6, 200)
fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
ax.plot(fine, np.ones_like(fine), "C0", lw=1.2, label=r"exact update: $\sigma^2$")
ax.plot(fine, 1 / (1 - fine / 2), "C1", lw=1.2, label=r"Euler-Maruyama: $\sigma^2/(1 - h/2\tau)$")
ax.plot(ratios, measured["exact"], "o", color="C0", ms=5)
ax.plot(ratios, measured["euler"], "s", color="C1", ms=5)
ax.set_xlabel(r"time step / correlation time $h/\tau$")
ax.set_ylabel(r"stationary variance / $\sigma^2$")
ax.legend(frameon=False)
euler_theory = 1 / (1 - ratios / 2)
assert np.all(np.abs(measured["exact"] - 1) < 5 * standard_errors["exact"])
assert np.all(np.abs(measured["euler"] - euler_theory) < 5 * standard_errors["euler"])
for r, v in zip(ratios, measured["euler"]):
    print(f"h/tau = {r:4.2f}:  Euler-Maruyama variance {v:.2f} sigma^2 (theory {1 / (1 - r / 2):.2f})")

# %% [markdown]
# With the course's $h = 0.1$ ms and $\tau = 2$ ms ($h/\tau = 0.05$) Euler-Maruyama would
# overestimate the variance by only 2.6 %, but with $h = \tau$ the error is a factor of 2, and
# the correlation per step, $1 - h/\tau = 0$, is gone completely. The exact update has neither
# problem, at no extra cost. (`theory.ou_stationary_variance` and `theory.ou_autocovariance`
# give both versions, with `method='euler'` and `dt`.)
#
# ## 3. The adaptive-threshold neuron under OU input
#
# The neuron of lesson 03 (NEST's `iaf_psc_alpha` defaults: $C_m$ = 250 pF, $\tau_m$ = 10 ms,
# $E_L$ = −70 mV, $V_{reset}$ = −70 mV, $t_{ref}$ = 2 ms) with an adaptive threshold
# ($\Theta_0 = V_{th}$ = −55 mV, $\tau_\Theta$ = 100 ms, $\Delta\Theta$ = 2 mV):
#
# $$\tau_m\frac{dV}{dt} = -(V - E_L) + R\,I(t), \qquad
#   \tau_\Theta\frac{d\Theta}{dt} = -(\Theta - \Theta_0),$$
#
# a spike when $V > \Theta$, then $V \to V_{reset}$ and $\Theta \to \Theta + \Delta\Theta$.
# The input is the OU current with $\mu$ = 500 pA, $\sigma$ = 200 pA, $\tau$ = 2 ms, for 10 s.

# %%
neuron = (LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
              C_m=250 * pF)
          + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV))
T_RUN = 10 * second
RECORD = ("v", "Theta", "I_stim")
noisy = simulate(neuron, stimuli.ou(MU, SIGMA, TAU_S), T_RUN, record=RECORD, seed=1)
print(noisy)

# %% [markdown]
# **Sanity check.** With $\sigma = 0$ the exact update returns $\mu$ at every step, so the neuron
# must produce *exactly* the spike times of a constant 500 pA input: not approximately, the same
# floating-point numbers.

# %%
quiet_ou = simulate(neuron, stimuli.ou(MU, 0 * pA, TAU_S), T_RUN, record=RECORD, seed=1)
constant = simulate(neuron, stimuli.constant(MU), T_RUN, record=())
same = np.array_equal(np.asarray(quiet_ou.spike_trains[0]), np.asarray(constant.spike_trains[0]))
print(f"{len(constant.spike_trains[0])} spikes with constant input; identical spike times: {same}")
assert same and len(constant.spike_trains[0]) > 100

# %%
fig, (ax_v, ax_i) = plt.subplots(2, 1, figsize=(8, 4.5), sharex=True, height_ratios=[3, 1],
                                 layout="constrained")
window = noisy.t < 400 * ms
plots.voltage_trace(noisy, ax=ax_v, threshold=False, label="$V$")
ax_v.plot(noisy.t / ms, noisy.Theta[0] / mV, color="C3", lw=1.2, label=r"threshold $\Theta$")
ax_v.plot(quiet_ou.t / ms, quiet_ou.Theta[0] / mV, color="C3", lw=1, ls=":",
          label=r"$\Theta$ with $\sigma$ = 0")
ax_v.set_xlabel("")
ax_v.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=3)
ax_i.plot(noisy.t / ms, noisy.I_stim[0] / pA, color="k", lw=0.6)
ax_i.set_ylabel("input (pA)")
ax_i.set_xlabel("time (ms)")
ax_i.set_xlim(0, 400)
plt.show()

# %% [markdown]
# The noisy input makes the membrane potential jitter, so the threshold is crossed at irregular
# times. The threshold $\Theta$ builds up over the first few hundred milliseconds ($5\tau_\Theta$
# = 500 ms) and then fluctuates around a plateau. In the steady state, averaging
# $\tau_\Theta\,d\Theta/dt = -(\Theta - \Theta_0) + \tau_\Theta\Delta\Theta\sum_f\delta(t - t_f)$
# over time gives exactly
#
# $$\langle\Theta\rangle - \Theta_0 = \tau_\Theta\,\Delta\Theta\; r ,$$
#
# up to the boundary term $\tau_\Theta[\Theta(T) - \Theta(t_0)]/(T - t_0)$. We check it after a
# transient of 0.5 s, allowing for that term, for one spike at the window's edge
# ($\tau_\Theta\Delta\Theta/(T - t_0)$) and for sampling $\Theta$ once per step
# (relative error $h/\tau_\Theta$ = 0.1 %):

# %%
T0 = 0.5 * second
steady = noisy.t >= T0
rate = noisy.rates(start=T0)[0]
raised = np.mean(noisy.Theta[0][steady]) - (-55 * mV)
predicted = 100 * ms * 2 * mV * rate
theta = np.asarray(noisy.Theta[0][steady])
window_s = float(T_RUN - T0)
allowance = (0.1 * abs(theta[-1] - theta[0]) / window_s + 0.1 * 2e-3 / window_s
             + float(DT / (100 * ms)) * float(raised))
print(f"rate {float(rate):.1f} Hz: mean threshold raised by {float(raised / mV):.2f} mV, "
      f"predicted {float(predicted / mV):.2f} mV")
assert abs(float(raised - predicted)) <= allowance

# %% [markdown]
# ## 4. Inter-spike intervals
#
# The histogram of the inter-spike intervals (ISIs) after the transient, with their mean and
# standard deviation. Their ratio, the coefficient of variation
# $CV = \mathrm{SD}(ISI)/\langle ISI\rangle$, is the subject of lesson 06.

# %%
intervals = analysis.isis(noisy.spike_trains[0][noisy.spike_trains[0] >= T0])
isi_mean, isi_sd = np.mean(intervals), np.std(intervals)
edges, density = analysis.isi_histogram(noisy.spike_trains[0], bins=25, start=T0)
const_isis = analysis.isis(constant.spike_trains[0][constant.spike_trains[0] >= T0])

fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
ax.stairs(density / Hz, edges / ms, fill=True, color="0.75", label="OU input")
ax.axvline(isi_mean / ms, color="C3", lw=1.5, label="mean")
ax.axvspan((isi_mean - isi_sd) / ms, (isi_mean + isi_sd) / ms, color="C3", alpha=0.15,
           label="mean ± SD")
ax.axvline(np.mean(const_isis) / ms, color="k", ls="--", lw=1, label="constant input (σ = 0)")
ax.set_xlabel("inter-spike interval (ms)")
ax.set_ylabel("probability density (1/s)")
ax.legend(frameon=False)
cv_noisy = analysis.cv(noisy.spike_trains[0], start=T0)
cv_const = analysis.cv(constant.spike_trains[0], start=T0)
print(f"OU input:       mean ISI {float(isi_mean / ms):.1f} ms, SD {float(isi_sd / ms):.1f} ms, "
      f"CV {cv_noisy:.2f}")
print(f"constant input: mean ISI {float(np.mean(const_isis) / ms):.1f} ms, "
      f"SD {float(np.std(const_isis) / ms):.2f} ms, CV {cv_const:.3f}")
assert cv_noisy > 0.2 and cv_const < 0.05

# %% [markdown]
# With constant input the adapted neuron fires almost regularly (the small spread comes from the
# threshold still creeping up). OU input spreads the intervals widely: a CV of about 0.4. The
# mean interval changes much less than the spread does, so noise mainly changes *when* the neuron
# fires, not how often.
#
# ## 5. Explore
#
# Move $\sigma$, $\tau$ and $\mu$ of the input and the adaptation parameters. The noise seed is
# fixed, so a slider changes only its own parameter. What does $\sigma$ = 0 look like? What
# happens to the irregularity when $\tau$ grows from 2 ms to 20 ms?

# %% tags=["nbval-ignore-output"]
explorer = widgets.explore(neuron, stimuli.ou(MU, SIGMA, TAU_S), 500 * ms, seed=3,
                           exclude=("tau_m", "E_L", "V_reset", "t_ref", "C_m"),
                           ranges={"sigma": (0 * pA, 400 * pA), "tau": (0.5 * ms, 20 * ms)})
explorer

# %% [markdown]
# The widget can also be driven from code: switching the noise off must make the recorded input
# constant.

# %% tags=["nbval-ignore-output"]
# (re-drawing the widget figure prints it when no front end is attached)
before = np.asarray(explorer.result.I_stim[0] / pA)
explorer.update(sigma=0 * pA)
after = np.asarray(explorer.result.I_stim[0] / pA)

# %%
print(f"SD of the input: {np.std(before):.0f} pA with sigma = 200 pA, "
      f"{np.std(after):.0f} pA with sigma = 0")
assert np.std(before) > 100 and np.all(after == after[0])

# %% tags=["nbval-ignore-output"]
_ = explorer.update(sigma=SIGMA)  # back to the noisy input

# %% [markdown]
# ## Exercises
#
# The exercise sheet for this lesson (`exercises/05_ou_noise.ipynb`) poses these four, with
# self-checks, plus the exact OU update written as a function, a plot task (the membrane's SD
# against $\tau$, simulation and theory, checked from your figure) and a written task (is the CV
# the right measure? graded by your instructor). Each student works with their own numbers: set
# `STUDENT_ID` under "Your numbers" at the top of the sheet.
#
# 1. Measure the stationary SD of the OU current for $\tau$ = 0.5, 2 and 20 ms. Does it depend on
#    $\tau$? Why is this the point of the $\sqrt{2/\tau}$ in the equation?
# 2. The free membrane potential (no threshold) filters the OU current. Show by simulation that its
#    SD is $R\sigma\sqrt{\tau/(\tau + \tau_m)}$ (`theory.lif_ou_voltage_sd`) and explain why a
#    slower input ($\tau$ larger) moves the membrane more.
# 3. Simulate the OU current with `method='euler'` and $h$ = 1 ms and compare its variance with
#    `theory.ou_stationary_variance(..., dt=1*ms, method='euler')`.
# 4. Repeat the ISI histogram with $\Delta\Theta$ = 0 (no adaptation) at the same mean rate (find
#    the $\mu$ that gives it). Which neuron is more regular?
