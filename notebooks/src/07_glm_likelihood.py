# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sfa-course/single-neuron-modelling/blob/main/notebooks/07_glm_likelihood.ipynb)
#
# # 07 · Escape noise, spike-train likelihood and GLM fitting
#
# So far we built neuron models by hand and compared their voltage traces with our intuition.
# In this lesson a model is **fitted to spike trains**, and judged by how well it predicts spikes
# it has not seen.
#
# What makes a good neuron model?
#
# * it **predicts** spike times (and the subthreshold voltage) of new data,
# * it is **interpretable** (its parts are filters and thresholds with units),
# * it is **flexible** enough for many neurons, and
# * it is **fitted by a systematic procedure**, not by hand.
#
# The spike-response model with escape noise has all four properties: its log-likelihood is
# concave in its parameters, so fitting it is a convex problem with one answer.

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
import math

import matplotlib.pyplot as plt
import numpy as np
import scipy.signal
from brian2 import Hz, Mohm, get_dimensions, mV, ms, nA, pA, second

from sfa_helpers import glm, simulate, stimuli
from sfa_helpers.theory.escape import interval_distribution, lif_escape_hazard
from sfa_helpers.widgets import FilterExplorer
from sfa_helpers.models import LIF, EscapeNoise, EscapeSRM
from sfa_helpers.notebook import setup
from sfa_helpers.spike_prediction import mean_coincidence_factor

setup()

# %% [markdown]
# ## 1 · The spike response model (SRM)
#
# The SRM writes the membrane potential as filtered input plus a stereotyped kernel per spike:
#
# $$u(t) = u_{rest} + \int_0^\infty \kappa(s)\, I(t-s)\, ds + \sum_f \eta(t - t_f), \qquad
#   \vartheta(t) = \vartheta_0 + \sum_f \vartheta_1(t - t_f).$$
#
# $\kappa$ (Ω/s) is the membrane's response to a current pulse, $\eta$ (mV) the
# spike-afterpotential, $\vartheta_1$ (mV) a moving threshold (adaptation).
#
# **Exercise.** Map the adaptive LIF onto the SRM:
# $\tau_m \dot u = -(u - u_{rest}) - R w + R I$ and $\tau_w \dot w = -w$ between spikes; at a
# spike ($u$ reaches $\vartheta$) the reset sets $u \to u_r$ and adds $w \to w + b$. Find
# $\kappa$ and $\eta$. Which $\eta$ is right?
#
# * (A) $\eta(s) = -(\vartheta - u_r)\, e^{-s/\tau_m} - R b\, e^{-s/\tau_w}$
# * (B) $\eta(s) = -(\vartheta - u_r)\, e^{-s/\tau_m}
#   - \dfrac{R b\, \tau_w}{\tau_w - \tau_m}\left(e^{-s/\tau_w} - e^{-s/\tau_m}\right)$
# * (C) $\eta(s) = -\dfrac{R b\, \tau_w}{\tau_w - \tau_m}\left(e^{-s/\tau_w} - e^{-s/\tau_m}\right)$
#
# and $\kappa(s) = \frac{R}{\tau_m} e^{-s/\tau_m}$ in all three (the input does not drive $w$).
# Hint: between spikes the equations are linear, so each effect of a spike adds its own
# response: the jump of $u$ by $-(\vartheta - u_r)$, and the current $-w(s) = -b\,e^{-s/\tau_w}$
# fed into the membrane equation. The cell below integrates the equations numerically (the
# deviation of $u$ from where it would have been without the spike) and checks the candidates.

# %%
tau_m, tau_w, R, b = 10 * ms, 100 * ms, 100 * Mohm, 20 * pA
theta, u_r = -50 * mV, -60 * mV
step = 0.01 * ms
s = np.arange(0, 300 * ms / step) * step
u, w = np.zeros(s.size), np.zeros(s.size)   # deviation from the trajectory without the spike
u[0], w[0] = -float(theta - u_r), float(b)  # the reset's jump, the adaptation's increment
for n in range(s.size - 1):               # forward Euler, fine step
    u[n + 1] = u[n] + float(step / tau_m) * (-u[n] - float(R) * w[n])
    w[n + 1] = w[n] - float(step / tau_w) * w[n]
x_m, x_w = np.asarray(s / tau_m), np.asarray(s / tau_w)
reset_part = -float(theta - u_r) * np.exp(-x_m)
adaptation_part = -float(R * b) * float(tau_w / (tau_w - tau_m)) * (np.exp(-x_w) - np.exp(-x_m))
candidates = {  # all in volt
    "A": reset_part - float(R * b) * np.exp(-x_w),
    "B": reset_part + adaptation_part,
    "C": adaptation_part,
}
errors = {k: np.max(np.abs(v - u)) / np.max(np.abs(u)) for k, v in candidates.items()}
print({k: round(float(e), 3) for k, e in errors.items()})
assert errors["B"] < 0.01 and min(errors["A"], errors["C"]) > 0.1

# %% [markdown]
# Candidate **B** matches (to the accuracy of the Euler integration). $\eta$ has two parts:
#
# * the **reset**: $u$ drops by $\vartheta - u_r$ and the membrane forgets the drop with
#   $\tau_m$. This part is exact for the LIF because the membrane equation is linear and every
#   reset starts from the same $\vartheta$ (an absolute refractory period would add a clamp
#   that a fixed kernel only approximates);
# * the **adaptation**: a spike-triggered current that decays with $\tau_w$ is itself low-pass
#   filtered by the membrane, so this part rises with $\tau_m$ and decays with $\tau_w$
#   (candidate C alone, the kernel of the adaptive LIF without reset).
#
# ### κ in practice: its units, and R from a voltage recording
#
# $\kappa$ turns a current into a voltage: $\int\kappa(s)\,I(t-s)\,ds$ is in volts, so with
# $ds$ in seconds and $I$ in amperes, $\kappa$ is in ohms per second (Ω/s). Brian2's units say
# the same:

# %%
kappa = lambda lag: R / tau_m * np.exp(-lag / tau_m)
print(f"kappa(0) = R/tau_m = {float(kappa(0 * ms) / (Mohm / ms)):.0f} MOhm/ms, in SI base units "
      f"{kappa(0 * ms).dim};  kappa(0) x 1 nA x 1 ms = {kappa(0 * ms) * nA * ms!r}")
assert get_dimensions(kappa(0 * ms)) == get_dimensions(Mohm / ms)
assert get_dimensions(kappa(0 * ms) * nA * ms) == get_dimensions(mV)

# %% [markdown]
# For a passive membrane (no spikes) the SRM is just $u(t) = u_{rest} + R\,x(t)$ with
# $x(t) = \int \frac{1}{\tau_m}e^{-s/\tau_m} I(t-s)\,ds$: linear in $R$. Knowing $\tau_m$, a
# noisy voltage recording then gives $R$ by least squares with one free parameter,
# $\hat R = \sum_n x_n (u_n - u_{rest}) / \sum_n x_n^2$, with standard error
# $\sigma_{noise}/\sqrt{\sum_n x_n^2}$. A Brian2 LIF whose threshold is never reached is such a
# membrane; we add 1 mV of recording noise:

# %%
passive = LIF(tau_m=tau_m, E_L=-70 * mV, V_th=1000 * mV, V_reset=-70 * mV, R=R)
rng_fit = np.random.default_rng(3)
step_fit = 0.1 * ms
I_rec = rng_fit.normal(100, 100, 5000) * pA                       # 500 ms of fluctuating current
rec = simulate(passive, stimuli.from_array(I_rec, step_fit), 500 * ms, dt=step_fit, record=("v",))
u_rec = np.asarray((rec.v[0] - passive.E_L) / mV) + rng_fit.normal(0, 1.0, 5000)
a = float(np.exp(-step_fit / tau_m))  # the exact one-step filter of x, as Brian2 integrates u
x = scipy.signal.lfilter([0, 1 - a], [1, -a], np.asarray(I_rec / nA))  # nA
R_hat = np.sum(x * u_rec) / np.sum(x * x) * Mohm                 # mV / nA = MOhm
R_se = 1.0 / np.sqrt(np.sum(x * x)) * Mohm
print(f"R fitted: {float(R_hat / Mohm):.2f} ± {float(R_se / Mohm):.2f} MOhm, true {float(R / Mohm):.0f} MOhm")
assert abs(float((R_hat - R) / R_se)) < 4

# %% [markdown]
# ## 2 · Escape noise
#
# Real neurons do not fire exactly at threshold. In the **escape-noise** model the neuron fires
# with an instantaneous rate (hazard) that grows exponentially with the distance to threshold:
#
# $$\rho(t) = \frac{1}{\tau_0}\exp\!\left(\frac{u(t) - \vartheta(t)}{\Delta_u}\right).$$
#
# In Brian2 the threshold condition is tested once per time step $\Delta t$ as
# `rand() < 1 - exp(-rho*dt)`: the exact probability that a Poisson process of rate $\rho$ has an
# event in the step.
#
# After a spike at $\hat t$ the probability to *survive* (stay silent) until $t$ and the density
# of the next spike are
#
# $$S(t|\hat t) = \exp\!\left(-\int_{\hat t}^{t} \rho(t'|\hat t)\,dt'\right), \qquad
#   P(t|\hat t) = \rho(t|\hat t)\, S(t|\hat t).$$
#
# For a LIF with escape noise and constant input, $u(t|\hat t)$ relaxes from the reset, so the
# hazard, $S$ and $P$ follow in closed form. We simulate 40 such neurons (one `NeuronGroup`) and
# compare their interval histogram with $P$.

# %%
lif_escape = (LIF(tau_m=10 * ms, E_L=-65 * mV, V_th=-50 * mV, V_reset=-70 * mV, R=100 * Mohm)
              + EscapeNoise(Delta_u=2 * mV, tau_0=5 * ms))
lif_escape.brian2_code()

# %% [markdown]
# In the Brian2 code above, `rho` is the hazard $\rho$ (a subexpression in Hz), `v` is $u$,
# `V_th` is $\vartheta$, `Delta_u` and `tau_0` are $\Delta_u$ and $\tau_0$; the threshold
# condition `rand() < 1 - exp(-rho*dt)` draws a fresh uniform number for every neuron and step.

# %%
I_const, dt_isi = 140 * pA, 0.1 * ms
res_isi = simulate(lif_escape, stimuli.constant(np.full(40, float(I_const / pA)) * pA), 10 * second,
                   dt=dt_isi, record=(), seed=5)
isi_all = np.concatenate([np.diff(np.asarray(t)) for t in res_isi.spike_trains]) * second
grid = np.arange(1, 3001) * dt_isi
theory = interval_distribution(lif_escape_hazard(lif_escape, I_const, grid), dt_isi)
print(f"{isi_all.size} intervals; mean ISI simulated {float(np.mean(isi_all) / ms):.1f} ms, "
      f"theory {float(theory.mean() / ms):.1f} ms")

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3), layout="constrained")
axes[0].plot(grid / ms, theory.hazard / Hz)
axes[0].set(xlabel="time since spike (ms)", ylabel="hazard ρ (Hz)", xlim=(0, 100))
axes[1].plot(grid / ms, theory.survivor)
axes[1].set(xlabel="time since spike (ms)", ylabel="survivor S", xlim=(0, 100))
axes[2].hist(isi_all / ms, bins=np.arange(0, 100.5, 2), density=True, color="0.75", label="simulation")
axes[2].plot(grid / ms, theory.density / Hz * 1e-3, color="k", label="ρ S (theory)")
axes[2].set(xlabel="interval (ms)", ylabel="density (1/ms)", xlim=(0, 100))
axes[2].legend(frameon=False)
plt.show()
k_isi = np.round(np.asarray(isi_all / dt_isi)).astype(int)
cdf_sim = np.searchsorted(np.sort(k_isi), np.arange(1, grid.size + 1), side="right") / k_isi.size
ks = float(np.max(np.abs(cdf_sim - theory.cdf())))
print(f"largest CDF difference {ks:.3f} (bound for chance deviations {1.95 / math.sqrt(k_isi.size):.3f})")
assert ks < 1.95 / math.sqrt(k_isi.size)

# %% [markdown]
# ## 3 · The likelihood of a spike train
#
# For spike times $t_1 \dots t_n$ in $[0, T]$ under a rate $\rho(t)$, the probability density is
#
# $$L = \prod_f \rho(t_f)\; \exp\!\left(-\int_0^T \rho(t)\, dt\right), \qquad
#   \ln L = \sum_f \ln \rho(t_f) - \int_0^T \rho(t)\, dt.$$
#
# Spikes must occur where the rate is high (first term) and the rate must stay low where there
# are no spikes (second term). For a homogeneous Poisson process, $\ln L = n \ln\nu - \nu T$,
# maximal at $\nu = n/T$:

# %%
rng = np.random.default_rng(1)
T_p = 10 * second
poisson_train = np.sort(rng.uniform(0, float(T_p), rng.poisson(15 * float(T_p)))) * second
rates = np.linspace(5, 30, 251) * Hz
loglik = np.array([glm.point_process_log_likelihood(poisson_train, r, T_p) for r in rates])
best = rates[np.argmax(loglik)]
print(f"{poisson_train.size} spikes in {T_p}: maximum-likelihood rate {float(best):.1f} Hz, "
      f"n/T = {poisson_train.size / float(T_p):.1f} Hz")
assert abs(float(best) - poisson_train.size / float(T_p)) <= 0.1
fig, ax = plt.subplots(figsize=(4.5, 3), layout="constrained")
ax.plot(rates / Hz, loglik)
ax.axvline(float(best), color="0.5", ls="--")
ax.set(xlabel="rate ν (Hz)", ylabel="log-likelihood (nats)")
plt.show()

# %% [markdown]
# **SRM + escape noise is a GLM.** Insert $u$ and $\vartheta$ into $\rho$:
#
# $$\ln \rho(t) = \underbrace{\ln\tfrac{1}{\tau_0} + \tfrac{u_{rest} - \vartheta_0}{\Delta_u}}_{b}
#   + \int \underbrace{\tfrac{\kappa(s)}{\Delta_u}}_{k(s)} I(t-s)\,ds
#   + \sum_f \underbrace{\tfrac{\eta(t-t_f) - \vartheta_1(t-t_f)}{\Delta_u}}_{h(t - t_f)}.$$
#
# The log-rate is *linear* in $b$, $k$ and $h$: a generalised linear model (Truccolo et al. 2005;
# Pillow et al. 2008). We write $k$ and $h$ as sums of raised-cosine basis functions, so
# $\ln\rho = X w$ with a design matrix $X$, and $\ln L(w) = \sum_n y_n (Xw)_n - \Delta t\sum_n e^{(Xw)_n}$
# is **concave**: Newton's method finds the unique maximum. Without $h$ the model is the
# linear-nonlinear-Poisson (LNP) model.
#
# ## 4 · Recover the filters of a simulated neuron from its spikes
#
# Ground truth: an SRM with escape noise, a hyperpolarising afterpotential and a dynamic
# threshold, driven by a frozen noisy current: mean $\mu$ = 100 pA plus coloured noise of
# SD $\sigma$ = 150 pA and correlation time $\tau_I$ = 3 ms (an AR(1) sequence,
# $x_{n+1} = a x_n + \sqrt{1 - a^2}\,\xi_n$, $a = e^{-\Delta t/\tau_I}$).

# %%
neuron = EscapeSRM(tau_m=10 * ms, u_rest=-65 * mV, R=100 * Mohm, theta_0=-50 * mV, Delta_u=1 * mV,
                   tau_0=10 * ms, eta_0=-8 * mV, tau_eta=15 * ms, Delta_theta=3 * mV,
                   tau_theta=60 * ms)
neuron.brian2_code()

# %% [markdown]
# With exponential kernels the SRM is a set of ODEs, which is how Brian2 runs it: `v` is the
# filtered input $u_{rest} + \int\kappa(s) I(t-s)\,ds$ (the membrane equation without reset),
# `eta` is $\sum_f \eta(t - t_f)$ (jumps by `eta_0` at a spike, decays with `tau_eta`), `theta_1`
# is $\sum_f \vartheta_1(t - t_f)$; `u = v + eta` and `theta = theta_0 + theta_1` are
# subexpressions, and the threshold is the escape noise of section 2.

# %%
dt = 0.5 * ms
T_train, T_test = 200 * second, 50 * second
n_train, n_test = int(T_train / dt), int(T_test / dt)
mu_I, sigma_I, tau_I = 100 * pA, 150 * pA, 3 * ms
a_I = math.exp(-float(dt / tau_I))
xi = np.random.default_rng(0).standard_normal(n_train + n_test)
noise = scipy.signal.lfilter([math.sqrt(1 - a_I ** 2)], [1, -a_I], xi)   # unit-variance AR(1)
current = mu_I + sigma_I * noise
run = simulate(neuron, stimuli.from_array(current, dt), T_train + T_test, dt=dt, record=(), seed=1)
spikes = run.spike_trains[0]
train_spikes = spikes[spikes < T_train]
test_spikes = spikes[spikes >= T_train] - T_train
print(f"{train_spikes.size} training spikes ({float(train_spikes.size / T_train):.1f} Hz), "
      f"{test_spikes.size} test spikes")

# %% [markdown]
# Bases: 8 raised cosines for the stimulus filter (lags 0–60 ms) and 8 for the history filter
# (lags 0.5–200 ms), narrow at short lags and broad at long ones.
#
# The neuron fires in a bin with probability $1 - e^{-\rho\Delta t}$, so we maximise the exact
# likelihood of that process, $\sum_{\text{spike bins}} \ln(1 - e^{-\rho_n\Delta t})
# - \sum_{\text{silent bins}} \rho_n \Delta t$ (`likelihood="bernoulli"`). It equals the
# point-process likelihood above to first order in $\rho\Delta t$, and is also concave.

# %%
stim_basis = glm.RaisedCosineBasis(8, 60 * ms, dt, stretch=5 * ms)
hist_basis = glm.RaisedCosineBasis(8, 200 * ms, dt, first_lag=dt, stretch=5 * ms)
design = glm.design_matrix(current[:n_train], train_spikes, dt, stimulus_basis=stim_basis,
                           history_basis=hist_basis, history_window=200 * ms)
fit = glm.fit_glm(design, likelihood="bernoulli")
print(f"{design.n_bins} bins x {design.X.shape[1]} weights; converged: {fit.converged} "
      f"after {fit.n_iter} Newton steps")
assert fit.converged

# %%
truth = neuron.glm_filters(dt, stim_basis.lags, hist_basis.lags)
lags_k, k_hat = fit.stimulus_filter()
lags_h, h_hat = fit.history_filter()
k_se, h_se = fit.stimulus_filter_se(), fit.history_filter_se()
unit_k = 1 / (nA * ms)
panels = ((lags_k, k_hat / unit_k, k_se / unit_k, truth["stimulus"] / unit_k, stim_basis,
           "stimulus filter k = κ/Δu (1/(nA·ms))"),
          (lags_h, h_hat, h_se, truth["history"], hist_basis, "history filter h = (η − ϑ₁)/Δu"))
fig, axes = plt.subplots(2, 2, figsize=(10, 5.6), sharex="col", height_ratios=[2, 1],
                         layout="constrained")
miss = {}
for (ax, ax_d), (lags, est, se, true, basis, label) in zip(axes.T, panels):
    x, est, se, true = np.asarray(lags / ms), np.asarray(est), np.asarray(se), np.asarray(true)
    # the closest the basis' 8 smooth functions can come to the truth (least squares)
    B = np.asarray(basis.matrix)
    best = B @ np.linalg.lstsq(B, true, rcond=None)[0]
    ax.plot(x, true, color="k", lw=1.5, label="ground truth")
    ax.plot(x, est, color="C1", label="fit from spikes")
    ax.set(ylabel=label)
    ax_d.fill_between(x, -2 * se, 2 * se, color="C1", alpha=0.3, lw=0, label="± 2 SE of the fit")
    ax_d.plot(x, est - true, color="C1", label="fit − truth")
    ax_d.plot(x, best - true, color="0.4", ls="--", label="best in the basis − truth")
    ax_d.axhline(0, color="k", lw=0.6)
    ax_d.set(xlabel="lag (ms)", ylabel="difference (same unit)")
    short = x < 2
    miss[label.split()[0]] = (np.max(np.abs(est - true)[short] / se[short]),
                              np.max(np.abs(best - true)[short] / se[short]),
                              np.mean(np.abs(est - best)[~short] < 2 * se[~short]))
axes[0, 0].legend(frameon=False)
axes[1, 1].legend(frameon=False, fontsize="small", loc="upper right")
plt.show()
err_k = float(np.linalg.norm(np.asarray(k_hat) - np.asarray(truth["stimulus"]))
              / np.linalg.norm(np.asarray(truth["stimulus"])))
err_h = float(np.linalg.norm(h_hat - truth["history"]) / np.linalg.norm(truth["history"]))
print(f"relative error: stimulus filter {100 * err_k:.0f} %, history filter {100 * err_h:.0f} %")
for name, (fit_miss, basis_miss, inside) in miss.items():
    print(f"{name} filter below 2 ms: fit - truth up to {fit_miss:.0f} SE, best in the basis - "
          f"truth up to {basis_miss:.0f} SE; beyond 2 ms the fit is within 2 SE of the best in "
          f"the basis at {100 * inside:.0f} % of the lags")
assert err_k < 0.15 and err_h < 0.15
for fit_miss, basis_miss, inside in miss.values():
    assert fit_miss > basis_miss > 2  # below 2 ms even the basis' best is off, the fit more
    assert inside > 0.7                     # beyond, the fit follows the basis' best

# %% [markdown]
# At this scale the fit lies on the truth and its ± 2 SE band is too narrow to see, so the lower
# panels show the differences. Beyond about 2 ms the fit follows, within about 2 SE, the best
# approximation the 8 raised cosines allow, ripples included: the remaining error there is the
# basis', not the data's. Below 2 ms both filters change faster than the narrowest raised
# cosine can follow (the stimulus filter starts at its peak, the history filter falls to −11 at
# the first lag), so even the basis' best misses the truth by several SE, and the fit, which
# weighs each lag by how much the spikes say about it rather than by least squares, misses it
# by more. The standard errors measure only the scatter from a finite recording *within* the
# basis; a bias of the basis is invisible to them. More or narrower functions at short lags
# would remove it, at the price of more weights to estimate.

# %% [markdown]
# The threshold is hidden in the bias $b = \ln(1/\tau_0) + (u_{rest} - \vartheta_0)/\Delta_u$.
# From spikes alone only $b$, $\kappa/\Delta_u$ and $(\eta - \vartheta_1)/\Delta_u$ are
# identifiable: $\Delta_u$ only sets the scale, and $\tau_0$ and $\vartheta_0$ enter only through
# $b$. With $u_{rest}$, $\Delta_u$ and $\tau_0$ known (section 5 shows how a voltage recording
# provides $u_{rest}$ and $\Delta_u$; $\tau_0$ is a convention) we get
# $\vartheta_0 = u_{rest} - \Delta_u (b + \ln \tau_0)$:

# %%
theta_hat = neuron.u_rest - neuron.Delta_u * (fit.bias + math.log(float(neuron.tau_0 / second)))
theta_se = neuron.Delta_u * math.sqrt(fit.covariance[0, 0])   # standard error from the Hessian
print(f"bias b: fitted {fit.bias:.2f}, true {truth['bias']:.2f};  threshold ϑ0: fitted "
      f"{float(theta_hat / mV):.1f} ± {float(theta_se / mV):.1f} mV, true {float(neuron.theta_0 / mV):.1f} mV")
assert abs(float((theta_hat - neuron.theta_0) / theta_se)) < 3

# %% [markdown]
# **Which likelihood?** The point-process (Poisson) likelihood assumes $\rho\Delta t \ll 1$. Here
# the neuron is driven hard: in the 1 % most active bins $\rho\Delta t$ is above 0.1. Fitting the
# same design matrix with the Poisson likelihood then biases the filters:

# %%
p99 = float(np.percentile(np.asarray(fit.rate() * dt), 99))
print(f"99th percentile of rho*dt over the training bins: {p99:.2f}")
assert p99 > 0.1
fit_poisson = glm.fit_glm(design, likelihood="poisson")
err_poisson = float(np.linalg.norm(fit_poisson.history_filter()[1] - truth["history"])
                    / np.linalg.norm(truth["history"]))
print(f"history-filter error: Bernoulli likelihood {100 * err_h:.0f} %, Poisson {100 * err_poisson:.0f} %")
assert err_poisson > err_h

# %% [markdown]
# ## 5 · Subthreshold voltage by linear regression
#
# If the voltage is recorded, $\kappa$ and $u_{rest}$ follow from linear regression
# (Mensi et al. 2012): $u_n = u_{rest} + \sum_j \kappa_j I_{n-j}$ is linear in the unknowns, so
# the quadratic error has one minimum. We record 20 s of the input part $v$ of the model's
# potential and add 0.5 mV of measurement noise.

# %%
n_v = int(20 * second / dt)
run_v = simulate(neuron, stimuli.from_array(current[:n_v], dt), n_v * dt, dt=dt, record=("v",), seed=2)
v_measured = run_v.v[0] + 0.5 * mV * np.random.default_rng(3).standard_normal(n_v)
kernel_basis = glm.RaisedCosineBasis(10, 60 * ms, dt, first_lag=dt, stretch=2 * ms)
vfit = glm.fit_subthreshold(current[:n_v], v_measured, dt, kernel_basis=kernel_basis)
kappa_true = neuron.kappa(vfit.kappa_lags - dt)   # the recorded v lags its input by one step
fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
ax.plot(vfit.kappa_lags / ms, kappa_true / (Mohm / ms), color="k", lw=1.5, label="κ(s) = (R/τm) e^(−s/τm)")
ax.plot(vfit.kappa_lags / ms, vfit.kappa / (Mohm / ms), color="C2", label="regression")
ax.set(xlabel="lag (ms)", ylabel="κ (MΩ/ms)")
ax.legend(frameon=False)
plt.show()
err_kappa = float(np.linalg.norm(np.asarray(vfit.kappa - kappa_true)) / np.linalg.norm(np.asarray(kappa_true)))
print(f"u_rest = {float(vfit.u_rest / mV):.1f} mV (true -65.0 mV), κ error {100 * err_kappa:.0f} %, "
      f"residual {float(vfit.rms_error / mV):.1f} mV")
assert abs(float(vfit.u_rest / mV) + 65) < 0.2 and err_kappa < 0.1

# %% [markdown]
# **Voltage and spikes together.** The spike fit gave $k = \kappa/\Delta_u$, the regression gave
# $\kappa$; the ratio of their areas is the threshold softness, $\Delta_u = \int\kappa\,ds / \int k\,ds$:

# %%
area_kappa = np.sum(vfit.kappa) * dt     # ohm (the input resistance R)
area_k = np.sum(k_hat) * dt               # 1/amp
delta_u_hat = area_kappa / area_k         # volt
print(f"∫κ ds = {float(area_kappa / Mohm):.0f} MΩ (R = {float(neuron.R / Mohm):.0f} MΩ)")
print(f"Δu from voltage + spikes: {float(delta_u_hat / mV):.2f} mV (true {float(neuron.Delta_u / mV):.2f} mV)")
assert abs(float(delta_u_hat / neuron.Delta_u) - 1) < 0.1

# %% [markdown]
# ## 6 · Model comparison
#
# ### Held-out likelihood
# A model with more parameters always fits the training data better. Compare models on the
# **test** data instead, in bits per spike gained over a homogeneous Poisson process:
# $\big(\ln L_{model} - \ln L_{Poisson}\big)/(n \ln 2)$.

# %%
fit_lnp = glm.fit_glm(glm.design_matrix(current[:n_train], train_spikes, dt, stimulus_basis=stim_basis),
                      likelihood="bernoulli")
test_full = fit.design_for(current[n_train:], test_spikes)
test_lnp = fit_lnp.design_for(current[n_train:], test_spikes)
bits = {"without spike history (LNP)": fit_lnp.bits_per_spike(test_lnp),
        "with spike history (GLM)": fit.bits_per_spike(test_full)}
for name, value in bits.items():
    print(f"{name:28s} {value:.2f} bits/spike on held-out data")
assert bits["with spike history (GLM)"] > bits["without spike history (LNP)"] > 0

# %% [markdown]
# ### Spike-time prediction: the coincidence factor Γ
# Repeat the first 10 s of the test stimulus 10 times for the neuron (10 neurons, one group) and
# for each fitted model. With precision $\Delta = 2$ ms (Kistler et al. 1997; Jolivet et al. 2008)
#
# $$\Gamma = \frac{N_{coinc} - 2\nu\Delta N_{data}}{\tfrac12 (N_{data} + N_{model})}\,\frac{1}{1 - 2\nu\Delta},$$
#
# 1 for a perfect prediction, 0 for chance. The neuron's own trial-to-trial reliability
# $\Gamma_{intrinsic}$ bounds what any model can reach (up to sampling noise).

# %%
n_rep, T_rep = 10, 10 * second
rep_current = current[n_train:n_train + int(T_rep / dt)]
repeats = simulate(neuron, stimuli.from_array(np.tile(np.asarray(rep_current / pA)[:, None], n_rep) * pA, dt),
                   T_rep, dt=dt, record=(), seed=7).spike_trains
predicted = {"LNP": glm.simulate_glm(fit_lnp, rep_current, n_trials=n_rep, seed=8),
             "GLM": glm.simulate_glm(fit, rep_current, n_trials=n_rep, seed=8)}
gamma = {name: mean_coincidence_factor(repeats, trains, T_rep) for name, trains in predicted.items()}
gamma_intrinsic = mean_coincidence_factor(repeats, None, T_rep)
print(f"Γ intrinsic {gamma_intrinsic:.2f};  LNP {gamma['LNP']:.2f};  GLM {gamma['GLM']:.2f}")
print(f"rates (Hz): data {np.mean([len(t) for t in repeats]) / float(T_rep):.1f}, "
      + ", ".join(f"{k} {np.mean([len(t) for t in v]) / float(T_rep):.1f}" for k, v in predicted.items()))
assert gamma["GLM"] > gamma["LNP"] + 0.2 and abs(gamma["GLM"] - gamma_intrinsic) < 0.1

# %%
fig, ax = plt.subplots(figsize=(9, 3), layout="constrained")
for row, (label, trains) in enumerate((("neuron", repeats), ("GLM", predicted["GLM"]),
                                       ("LNP", predicted["LNP"]))):
    for k, t in enumerate(trains):
        y = row * (n_rep + 2) + k
        ax.plot(t / ms, np.full(len(t), y), "|", color=f"C{row}", ms=3)
ax.set(xlabel="time (ms)", ylabel="trial", xlim=(0, 2000),
       yticks=[n_rep / 2, 1.5 * n_rep + 2, 2.5 * n_rep + 4], yticklabels=["neuron", "GLM", "LNP"])
plt.show()

# %% [markdown]
# ## 7 · How much data, how many basis functions?
#
# Move the sliders: with a few seconds of data the recovered filters are noisy (wide ± 2 SE
# band); with more data they sharpen around the truth. Too few basis functions cannot follow the
# fast parts of the filters, too many need more data. (The explorer adds a weak ridge penalty,
# $\tfrac{1}{2}\lambda_2\lVert w\rVert^2$ with $\lambda_2 = 1$: with 5 s of data some history lags
# never see a spike and their maximum-likelihood weight would be $-\infty$; with little data the
# penalty also pulls the filters towards zero.)

# %% tags=["nbval-ignore-output"]
explorer = FilterExplorer(current[:n_train], train_spikes, dt, neuron.glm_filters, seconds=10,
                          n_basis=8, likelihood="bernoulli", l2=1.0)
explorer

# %%
before = dict(explorer.errors)
explorer.update(seconds=200)
after = dict(explorer.errors)
print(f"history filter error: 10 s of data {100 * before['history']:.0f} %, "
      f"200 s {100 * after['history']:.0f} %")
assert after["history"] < before["history"] and after["stimulus"] < before["stimulus"]

# %% [markdown]
# ## 8 · Where GLMs lead
#
# * **Receptive fields.** With a visual stimulus, $k$ becomes a spatio-temporal receptive field;
#   the LNP model is the classic description of retinal and thalamic cells.
# * **Coupled populations.** Adding filters of *other* neurons' spikes gives coupled GLMs that
#   capture the correlated firing of retinal ganglion cells (Pillow et al. 2008).
# * **Decoding.** The same likelihood, maximised over the stimulus instead of the weights, reads
#   out intended movements from motor cortex for neuroprosthetics (Truccolo et al. 2005).
#
# **Take-away.** Escape noise turns a threshold model into a probabilistic one; its likelihood is
# concave, so fitting is reliable and fast; held-out likelihood and Γ tell whether a model
# predicts what it has not seen.

# %% [markdown]
# ## Exercise sheet
#
# The exercise sheet for this lesson (`exercises/07_glm_likelihood.ipynb`) asks you to derive the
# adaptive LIF's spike-afterpotential, write the log-likelihood of a spike train, compute a
# survivor function, recover a threshold from spikes alone with a GLM fit, score predictions in
# bits per spike and with the coincidence factor, and fit the resistance of a passive membrane by
# least squares. A plot task (the recording and the fitted model's voltage) is checked from your
# figure; a written task (the units of $\kappa$) is graded by your instructor. Each student works
# with their own numbers: set `STUDENT_ID` under "Your numbers" at the top of the sheet.
