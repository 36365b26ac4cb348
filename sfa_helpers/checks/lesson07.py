"""Self-checks for exercise sheet 07 (escape noise and GLM likelihood).

References come from closed forms (the kernel eta of the adaptive LIF, the survivor function of a
recovering hazard, the GLM bias of the escape SRM) or from small numpy computations written here
(the log-likelihood on a grid, the greedy coincidence count, the sine-modulated Poisson train),
never from the sfa_helpers functions the student is asked to call. The passive membrane of
exercises 7 and 8 is recomputed here with its exact one-step update in numpy (the sheet records it
with Brian2) and its resistance fitted by a numerical minimisation of the squared error (the
sheet's solution uses the closed form).

Per-student variants (:mod:`.variants`, ``VARIANTS``): the parameters of exercises 1 and 3 (the
kernel's tau_w and b, the hazard's rho_0 and tau_r), the seeds of exercises 4, 5 and 7 (the SRM
run, the sine train, the passive recording), the modulation depth of exercise 5 and the true
resistance of exercise 7, so that no number can be copied. Seeds and resistance are run
arguments, so one compiled program serves every variant.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from brian2 import Hz, Mohm, Quantity, amp, get_dimensions, mV, ms, ohm, pA, second, volt
from brian2.units.fundamentalunits import DIMENSIONLESS
from scipy.integrate import quad

from ..spike_prediction import coincidences
from .core import Feedback, call_safely, check_choice, check_quantity, plain_float
from .figures import Curve, check_figure
from .variants import active

__all__ = ["check_eta_limit", "check_eta_peak_time", "check_eta_minimum",
           "check_log_likelihood", "check_survivor_50ms", "check_mean_isi_hazard",
           "check_threshold_fit", "check_identifiable", "check_bits_per_spike_sine",
           "check_gamma_factor", "check_resistance_fit", "check_passive_fit_figure",
           "PASSIVE", "PASSIVE_DATA", "passive_recording",
           "ETA_PARAMS", "HAZARD_PARAMS", "SRM_PARAMS", "SINE_PARAMS", "sine_train",
           "VARIANTS", "CHOICES"]

#: The adaptive LIF of lesson 07: tau_m, tau_w, R, b.
ETA_PARAMS = dict(tau_m=10 * ms, tau_w=100 * ms, R=100 * Mohm, b=20 * pA)
#: Recovering hazard rho(t) = rho_0 (1 - exp(-t/tau_r)) after a spike.
HAZARD_PARAMS = dict(rho_0=50 * Hz, tau_r=20 * ms)
#: The escape SRM whose threshold is recovered from spikes (lesson 07, section 4).
SRM_PARAMS = dict(tau_m=10 * ms, u_rest=-65 * mV, R=100 * Mohm, theta_0=-50 * mV, Delta_u=1 * mV,
                  tau_0=10 * ms, eta_0=-8 * mV, tau_eta=15 * ms, Delta_theta=3 * mV,
                  tau_theta=60 * ms)
#: Sine-modulated Poisson train: mean rate, modulation depth, frequency, duration, seed.
SINE_PARAMS = dict(nu_0=20.0, depth=0.8, frequency=2.0, duration=500.0, seed=7)
#: Per-student variants (:mod:`.variants`): exercise 1's tau_w and b (tau_m and R stay), exercise
#: 3's rho_0 and tau_r, the simulation seed of exercise 4 (``srm_seed``; the frozen current
#: stays), the seed and modulation depth of exercise 5's train, the seed and the true resistance
#: of exercise 7's recording. Variant 0 is the sheet's original. Every variant's answers differ
#: from every other's by more than the checks' tolerances (tests/test_variants_sheet07.py); only
#: values passed to compiled programs change (a seed, R as a per-neuron constant, the values of
#: the recorded current), never a simulation's structure, so grading compiles nothing new.
VARIANTS = [
    dict(tau_w=tau_w * ms, b=b * pA, rho_0=rho_0 * Hz, tau_r=tau_r * ms, srm_seed=srm_seed,
         sine_seed=sine_seed, sine_depth=depth, passive_seed=passive_seed, passive_R=R * Mohm)
    for tau_w, b, rho_0, tau_r, srm_seed, sine_seed, depth, passive_seed, R in (
        (100, 20, 50, 20, 1, 7, 0.8, 11, 80),
        (80, 25, 40, 25, 2, 17, 0.6, 21, 60),
        (120, 15, 60, 15, 3, 27, 0.7, 31, 100),
        (150, 30, 30, 30, 4, 37, 0.9, 41, 70),
        (60, 40, 70, 10, 5, 47, 0.5, 51, 90),
        (200, 10, 45, 35, 6, 57, 0.75, 61, 120))]
#: The multiple-choice questions: (right key, {key: option as shown}); each variant shows the
#: options in its own order (variant 0: as listed here).
CHOICES = {
    "eta_limit": ("alpha", {
        "alpha": "$\\eta(s) = -R b\\, \\dfrac{s}{\\tau_m}\\, e^{-s/\\tau_m}$",
        "exponential": "$\\eta(s) = -R b\\, e^{-s/\\tau_m}$",
        "cancel": "$\\eta(s) = 0$: the two exponentials cancel.",
        "diverges": "$\\eta$ is not defined: the prefactor $\\tau_w/(\\tau_w - \\tau_m)$ diverges.",
    }),
    "identifiable": ("ratios", {
        "separately": "$\\vartheta_0$, $\\Delta_u$ and $\\tau_0$ separately, because each of them "
                      "changes the firing rate in its own way.",
        "ratios": "Only $b$, $\\kappa/\\Delta_u$ and $(\\eta - \\vartheta_1)/\\Delta_u$: scaling all "
                  "voltages with $\\Delta_u$ leaves every spike probability as it is.",
        "kernel": "The membrane filter $\\kappa$ itself (in Ω/s), because the input current is known "
                  "in amperes and the spikes in seconds, so nothing is left free.",
        "nothing": "Nothing reliably: the log-likelihood of a GLM has many local maxima, so each fit "
                   "may end somewhere else.",
    }),
}


def _variant():
    return active("07")


def _choice(question: str, answer) -> Feedback:
    """A multiple-choice answer (a letter) in the order the student's variant shows."""
    variant = _variant()
    right, _ = CHOICES[question]
    letter = variant.letters(question)[variant.order(question).index(right)]
    return check_choice(answer, letter, variant.letters(question), name=question)


# --- exercise 1: the kernel eta of the adaptive LIF ------------------------------------------

def check_eta_limit(choice) -> Feedback:
    """Multiple choice: eta(s) when tau_w = tau_m."""
    return _choice("eta_limit", choice)


def _eta_peak(tau_w=ETA_PARAMS["tau_w"], b=ETA_PARAMS["b"]):
    """(s_peak in s, eta_min in V) for the variant's tau_w and b (tau_m and R of ETA_PARAMS)."""
    tau_m, tau_w = float(ETA_PARAMS["tau_m"]), float(tau_w)
    s = tau_m * tau_w / (tau_w - tau_m) * math.log(tau_w / tau_m)
    Rb = float(ETA_PARAMS["R"] * b)
    eta = -Rb * tau_w / (tau_w - tau_m) * (math.exp(-s / tau_w) - math.exp(-s / tau_m))
    return s, eta


def check_eta_peak_time(s_peak) -> Feedback:
    """Time after the spike at which eta is most negative (set d eta/ds = 0)."""
    variant = _variant()
    s, _ = _eta_peak(variant.tau_w, variant.b)
    feedback = check_quantity(s_peak, s * second, rtol=0.01, name="s_peak")
    if not feedback and feedback.kind == "imprecise" and plain_float(s_peak) is not None:
        if abs(plain_float(s_peak) - float(ETA_PARAMS["tau_m"])) < 1e-4 or \
                abs(plain_float(s_peak) - float(variant.tau_w)) < 1e-4:
            return Feedback(False, "concept", "s_peak is one of the two time constants; the "
                                              "extremum of a difference of exponentials lies "
                                              "where its derivative vanishes.")
    return feedback


def check_eta_minimum(eta_min) -> Feedback:
    """Value of eta at its extremum (a negative voltage)."""
    variant = _variant()
    _, eta = _eta_peak(variant.tau_w, variant.b)
    return check_quantity(eta_min, eta * 1e3 * mV, rtol=0.01, name="eta_min")


# --- exercise 2: the log-likelihood on a grid -----------------------------------------------

def _ll_reference(spikes, rate, dt):
    idx = np.floor(spikes / dt + 1e-9).astype(int)
    return float(np.sum(np.log(rate[idx])) - dt * np.sum(rate))


def _ll_cases():
    dt = 1e-3
    spikes_a = np.array([0.0127, 0.2503, 0.2519, 0.6001, 0.9876])
    rate_a = np.full(1000, 15.0)
    n = np.arange(500)
    rate_b = 5.0 + 40.0 * (n % 7)
    # spikes 70 % of the way into their bins: floor and round pick different bins
    spikes_b = (np.array([3, 13, 20, 41, 76, 150, 202, 333, 404, 498]) + 0.7) * dt
    return [(spikes_a, rate_a, dt, 5 * math.log(15.0) - 15.0), (spikes_b, rate_b, dt, None)]


def check_log_likelihood(log_likelihood) -> Feedback:
    """``log_likelihood(spikes, rate, dt)``: sum of ln rho at the spikes minus dt * sum(rho)."""
    for spikes, rate, dt, closed in _ll_cases():
        reference = _ll_reference(spikes, rate, dt) if closed is None else closed
        value, problem = call_safely(log_likelihood, spikes * second, rate * Hz, dt * second,
                                     name="log_likelihood")
        if problem is not None:
            return problem
        if isinstance(value, Quantity) and get_dimensions(value) is not DIMENSIONLESS:
            return Feedback(False, "units", "log_likelihood must return a plain number (nats): "
                                            "take the log of rate/Hz and multiply rates by dt.")
        v = plain_float(value)
        if v is not None and np.isfinite(v):
            log_terms = float(np.sum(np.log(rate[np.floor(spikes / dt + 1e-9).astype(int)])))
            if abs(v - log_terms) < 1e-6:
                return Feedback(False, "concept", "log_likelihood leaves out the integral of the "
                                                  "rate (the probability of no spike elsewhere).")
            if abs(v - (log_terms - np.sum(rate))) < 1e-6:
                return Feedback(False, "concept", "log_likelihood: the integral of the rate is "
                                                  "the sum of the samples times dt.")
            rounded = np.minimum(np.round(spikes / dt).astype(int), rate.size - 1)
            if closed is None and abs(v - (np.sum(np.log(rate[rounded])) - dt * np.sum(rate))) < 1e-6:
                return Feedback(False, "concept", "log_likelihood takes the wrong bin: bin n covers "
                                                  "[n dt, (n+1) dt), so use floor, not round.")
        feedback = check_quantity(value, reference, rtol=1e-6, name="log_likelihood")
        if not feedback:
            return feedback
    return Feedback(True, "right", "log_likelihood is right.")


# --- exercise 3: survivor function of a recovering hazard ----------------------------------

def _survivor(t, rho_0=float(HAZARD_PARAMS["rho_0"]), tau_r=float(HAZARD_PARAMS["tau_r"])):
    """S(t) of the recovering hazard (t, tau_r in s, rho_0 in Hz)."""
    return math.exp(-rho_0 * (t - tau_r * (1 - math.exp(-t / tau_r))))


def _hazard():
    """(rho_0 in Hz, tau_r in s) of the active variant."""
    variant = _variant()
    return float(variant.rho_0), float(variant.tau_r)


def check_survivor_50ms(S_50ms) -> Feedback:
    """Probability of no spike in the first 50 ms after a spike."""
    rho_0, tau_r = _hazard()
    feedback = check_quantity(S_50ms, _survivor(0.05, rho_0, tau_r), rtol=0.005, name="S_50ms")
    v = plain_float(S_50ms) if not isinstance(S_50ms, str) else None
    if not feedback and v is not None and abs(v - math.exp(-rho_0 * 0.05)) < 1e-3:
        return Feedback(False, "concept", "S_50ms treats the hazard as constant; integrate the "
                                          "recovering hazard from 0 to 50 ms.")
    return feedback


@functools.lru_cache(maxsize=None)
def _mean_isi(rho_0=float(HAZARD_PARAMS["rho_0"]), tau_r=float(HAZARD_PARAMS["tau_r"])):
    value, _ = quad(_survivor, 0, np.inf, args=(rho_0, tau_r), epsabs=1e-13, epsrel=1e-10)
    return value


def check_mean_isi_hazard(mean_isi) -> Feedback:
    """Mean interval = integral of the survivor function."""
    rho_0, tau_r = _hazard()
    feedback = check_quantity(mean_isi, _mean_isi(rho_0, tau_r) * second, rtol=0.005, name="mean_isi")
    v = plain_float(mean_isi) if not isinstance(mean_isi, str) else None
    if not feedback and v is not None and abs(v - 1 / rho_0) < 1e-5:
        return Feedback(False, "concept", "mean_isi is 1/rho_0, the mean of a constant hazard; "
                                          "the recovery after the spike makes intervals longer.")
    return feedback


# --- exercise 4: the threshold from a GLM fit ---------------------------------------------

def _true_bias():
    p = SRM_PARAMS
    return math.log(1 / float(p["tau_0"])) + float((p["u_rest"] - p["theta_0"]) / p["Delta_u"])


#: The data of exercise 4, as the sheet's locked cell makes them: time step, duration, the frozen
#: current (mean, SD, correlation time, numpy seed), the seed of the simulation (variant 0's; the
#: variant's ``srm_seed``).
SRM_DATA = dict(dt=0.5 * ms, duration=120 * second, I_0=100 * pA, sigma_I=150 * pA,
                tau_I=3 * ms, current_seed=0, seed=1)
#: How close (volt) theta_0_hat must be to the threshold the prescribed fit gives: far below the
#: fit's error (about 0.1 mV), so the true threshold printed in the locked cell does not pass.
FIT_ATOL = 1e-6


@functools.lru_cache(maxsize=None)
def _prescribed_threshold_fit(seed=SRM_DATA["seed"]) -> float:
    """theta_0 (volt) from the fit exercise 4 prescribes (simulation ``seed``: the variant's):
    simulate the escape SRM on the frozen
    current, Bernoulli GLM with the sheet's raised-cosine bases, threshold from the bias. Not a
    reference of correctness (that is the true theta_0 above): it tells a fitted value from
    one typed in."""
    import scipy.signal

    from .. import glm, stimuli
    from ..models import EscapeSRM
    from ..simulation import simulate

    d = SRM_DATA
    srm = EscapeSRM(**SRM_PARAMS)
    dt = d["dt"]
    a = math.exp(-float(dt / d["tau_I"]))
    xi = np.random.default_rng(d["current_seed"]).standard_normal(int(round(float(d["duration"] / dt))))
    current = d["I_0"] + d["sigma_I"] * scipy.signal.lfilter([math.sqrt(1 - a ** 2)], [1, -a], xi)
    stim_basis = glm.RaisedCosineBasis(8, 60 * ms, dt, stretch=5 * ms)
    hist_basis = glm.RaisedCosineBasis(8, 200 * ms, dt, first_lag=dt, stretch=5 * ms)
    spikes = simulate(srm, stimuli.from_array(current, dt), d["duration"], dt=dt, record=(),
                      seed=int(seed)).spike_trains[0]
    design = glm.design_matrix(current, spikes, dt, stimulus_basis=stim_basis,
                               history_basis=hist_basis, history_window=200 * ms)
    fit = glm.fit_glm(design, likelihood="bernoulli")
    return float(srm.u_rest - srm.Delta_u * (fit.bias + math.log(float(srm.tau_0 / second))))


def check_threshold_fit(theta_0_hat) -> Feedback:
    """Threshold recovered from the fitted bias: within 0.75 mV of the true -50 mV, and the
    value the prescribed fit gives (not the true threshold typed in)."""
    p = SRM_PARAMS
    feedback = check_quantity(theta_0_hat, p["theta_0"], rtol=0.015, name="theta_0_hat")
    if feedback:
        seed = int(_variant().srm_seed)
        if abs(plain_float(theta_0_hat) - _prescribed_threshold_fit(seed)) <= FIT_ATOL:
            return feedback
        return Feedback(False, "not the fit", "theta_0_hat is near the true threshold but is not "
                                              "what the prescribed fit gives: simulate with "
                                              f"seed={seed}, fit the Bernoulli GLM and convert its "
                                              "bias; the threshold of the model typed in does "
                                              "not count.")
    v = plain_float(theta_0_hat) if isinstance(theta_0_hat, Quantity) else None
    if not feedback and feedback.kind == "imprecise" and v is not None:
        u_rest, du, b = float(p["u_rest"]), float(p["Delta_u"]), _true_bias()
        if abs(v - (u_rest - du * b)) < 0.75e-3:
            return Feedback(False, "concept", "theta_0_hat leaves out ln(tau_0) of the bias "
                                              "b = ln(1/tau_0) + (u_rest - theta_0)/Delta_u.")
        if abs(v - (u_rest - du * (b + math.log(float(p["tau_0"] / ms))))) < 0.75e-3:
            return Feedback(False, "concept", "theta_0_hat: the bias is ln(rho/Hz), so tau_0 "
                                              "enters in seconds, not in ms.")
    return feedback


def check_identifiable(choice) -> Feedback:
    """Multiple choice: what spikes alone determine."""
    return _choice("identifiable", choice)


# --- exercise 5: held-out bits per spike of a sine-modulated Poisson train -----------------

def sine_train(seed=SINE_PARAMS["seed"], depth=SINE_PARAMS["depth"]):
    """The sine-modulated Poisson train of exercise 5 (spike times in s), by thinning, with the
    variant's ``seed`` and modulation ``depth`` (variant 0's by default)."""
    p = SINE_PARAMS
    rng = np.random.default_rng(seed)
    peak = p["nu_0"] * (1 + depth)
    candidates = np.sort(rng.uniform(0, p["duration"], rng.poisson(peak * p["duration"])))
    rate = p["nu_0"] * (1 + depth * np.sin(2 * np.pi * p["frequency"] * candidates))
    keep = rng.uniform(size=candidates.size) < rate / peak
    return candidates[keep]


def _sine():
    """(seed, depth) of exercise 5 in the active variant."""
    variant = _variant()
    return int(variant.sine_seed), float(variant.sine_depth)


@functools.lru_cache(maxsize=None)
def _bits_reference(seed=SINE_PARAMS["seed"], depth=SINE_PARAMS["depth"]):
    """Exact gain over a homogeneous Poisson process of rate nu_0 (the integrals of both rates
    agree over whole periods), per spike, in bits."""
    p = SINE_PARAMS
    t = sine_train(seed, depth)
    gain = np.sum(np.log1p(depth * np.sin(2 * np.pi * p["frequency"] * t)))
    return float(gain / (t.size * math.log(2)))


def _bits_on_grid(log_likelihood, seed=SINE_PARAMS["seed"],
                  depth=SINE_PARAMS["depth"]) -> "float | None":
    """The gain per spike (bits) that exercise 5 asks for, computed with ``log_likelihood``
    (the reference, or the student's function: Quantities in, nats out) on the 1 ms grid with
    the rate sampled at the bin starts; None if the function fails."""
    p = SINE_PARAMS
    t = sine_train(seed, depth) * second
    grid = np.arange(int(round(p["duration"] / 1e-3))) * 1e-3
    rate_true = p["nu_0"] * (1 + depth * np.sin(2 * np.pi * p["frequency"] * grid)) * Hz
    rate_flat = np.full(grid.size, p["nu_0"]) * Hz
    values = []
    for rate in (rate_true, rate_flat):
        value, problem = call_safely(log_likelihood, t, rate, 1 * ms, name="log_likelihood")
        value = plain_float(value) if problem is None else None
        if value is None or not np.isfinite(value):
            return None
        values.append(value)
    return (values[0] - values[1]) / (t.size * math.log(2))


def _ll_reference_quantities(spikes, rate, dt):
    return _ll_reference(np.asarray(spikes / second, dtype=float),
                         np.asarray(rate / Hz, dtype=float), float(dt / second))


def check_bits_per_spike_sine(bits, log_likelihood=None) -> Feedback:
    """Log-likelihood gain of the true rate over the homogeneous one, bits per spike.

    Near the exact gain of these spikes (1 %), and exactly the gain on the prompt's 1 ms grid
    (so that the expected value typed in does not pass); a value that is exactly what the
    student's own ``log_likelihood`` gives on that grid counts too, so that a mistake in
    exercise 2 costs no points here.
    """
    seed, depth = _sine()
    v = plain_float(bits) if not isinstance(bits, (str, Quantity)) else None
    if v is not None and np.isfinite(v) and callable(log_likelihood):
        own = _bits_on_grid(log_likelihood, seed, depth)
        if own is not None and abs(v - own) <= 1e-6 * max(abs(own), 1e-9):
            return Feedback(True, "right", "bits_sine is right.")
    reference = _bits_reference(seed, depth)
    feedback = check_quantity(bits, reference, rtol=0.01, name="bits_sine")
    if feedback:
        on_grid = _bits_on_grid(_ll_reference_quantities, seed, depth)
        if abs(plain_float(bits) - on_grid) <= 1e-6 * abs(on_grid):
            return feedback
        return Feedback(False, "not the data", "bits_sine is close to the expected gain but is not "
                                               "the gain of these spikes on the 1 ms grid: "
                                               "compute it with your log_likelihood; a value "
                                               "typed in does not count.")
    v = plain_float(bits) if not isinstance(bits, str) else None
    if not feedback and v is not None and v != 0:
        if abs(v / (reference * math.log(2)) - 1) < 0.01:
            return Feedback(False, "concept", "bits_sine is in nats: divide by ln 2 for bits.")
        n = sine_train(seed, depth).size
        if abs(v / (reference * n) - 1) < 0.01 or abs(v / (reference * n * math.log(2)) - 1) < 0.01:
            return Feedback(False, "concept", "bits_sine is the total gain; divide by the number "
                                              "of spikes.")
    return feedback


# --- exercise 6: the coincidence factor -----------------------------------------------------

def _coincidences(d, m, delta):
    """Coincidence count: the exercise asks for the formula of Gamma around this count, which
    the students take from ``spike_prediction.coincidences`` too."""
    return coincidences(d * second, m * second, delta * second)


def _gamma(d, m, T, delta):
    nu = m.size / T
    expected = 2 * nu * delta * d.size
    return (_coincidences(d, m, delta) - expected) / (0.5 * (d.size + m.size)) / (1 - 2 * nu * delta)


def _gamma_cases():
    rng = np.random.default_rng(707)
    data = np.sort(rng.uniform(0, 5.0, 60))
    jitter = data + rng.normal(0, 0.002, data.size)
    model = np.sort(np.concatenate([jitter[(jitter > 0) & (jitter < 5)][::2],
                                    rng.uniform(0, 5.0, 15)]))
    return [(np.array([0.010, 0.050, 0.090]), np.array([0.011, 0.0525, 0.070, 0.130]), 1.0, 0.002),
            (data, model, 5.0, 0.002), (data, model, 5.0, 0.005), (data, data.copy(), 5.0, 0.002)]


def check_gamma_factor(gamma_factor) -> Feedback:
    """``gamma_factor(data, model, duration, delta)``: Kistler's coincidence factor."""
    for d, m, T, delta in _gamma_cases():
        value, problem = call_safely(gamma_factor, d * second, m * second, T * second,
                                     delta * second, name="gamma_factor")
        if problem is not None:
            return problem
        if isinstance(value, Quantity) and get_dimensions(value) is not DIMENSIONLESS:
            return Feedback(False, "units", "gamma_factor must return a plain number "
                                            "(dimensionless).")
        v = plain_float(value)
        if v is not None and np.isfinite(v) and d.size != m.size:
            swapped = _gamma(m, d, T, delta) if m.size else None
            nu_d = d.size / T
            data_rate = ((_coincidences(d, m, delta) - 2 * nu_d * delta * d.size)
                         / (0.5 * (d.size + m.size)) / (1 - 2 * nu_d * delta))
            if abs(v - data_rate) < 1e-9 or (swapped is not None and abs(v - swapped) < 1e-9):
                return Feedback(False, "concept", "gamma_factor: the chance level uses the rate "
                                                  "of the *model* train, nu = N_model / T.")
        feedback = check_quantity(value, _gamma(d, m, T, delta), rtol=1e-6, atol=1e-9,
                                  name="gamma_factor")
        if not feedback:
            return feedback
    return Feedback(True, "right", "gamma_factor is right.")


# --- exercises 7 and 8: the resistance of a passive membrane, by least squares --------------

#: The passive membrane of exercise 7 (a LIF whose threshold is never reached); R is variant 0's
#: (the variant's ``passive_R``).
PASSIVE = dict(tau_m=20 * ms, E_L=-65 * mV, R=80 * Mohm)
#: Its recording, as the sheet's locked cell makes it: time step, number of current steps and
#: samples per step, the range of the step amplitudes (uniform, pA), the SD of the recording noise
#: (mV) and the numpy seed (amplitudes first, then the noise; variant 0's, the variant's
#: ``passive_seed``).
PASSIVE_DATA = dict(dt=0.1 * ms, steps=20, samples_per_step=250, low=-100.0, high=200.0,
                    noise=1.0, seed=11)
#: How close (relative) R_hat must be to the least-squares fit of these data: far below the
#: fit's standard error (about 0.3 %), so the true R typed in (about 0.04 % away) does not pass.
RESISTANCE_RTOL = 1e-6


_PASSIVE_SEED, _PASSIVE_R = PASSIVE_DATA["seed"], float(PASSIVE["R"])


def _passive_variant():
    """(seed, R in ohm) of the recording in the active variant."""
    variant = _variant()
    return int(variant.passive_seed), float(variant.passive_R)


@functools.lru_cache(maxsize=None)
def _passive_arrays(seed=_PASSIVE_SEED, R=_PASSIVE_R):
    """(t in s, I in A, v in V with noise, v without noise) of the recording with the numpy
    ``seed`` and the resistance ``R`` (ohm), from numpy: v_0 = E_L and the exact update
    v_n = E_L + a (v_(n-1) - E_L) + (1 - a) R I_(n-1)."""
    d, p = PASSIVE_DATA, PASSIVE
    rng = np.random.default_rng(seed)
    current = np.repeat(rng.uniform(d["low"], d["high"], d["steps"]), d["samples_per_step"]) * 1e-12
    n = current.size
    dt, tau = float(d["dt"]), float(p["tau_m"])
    E_L, R = float(p["E_L"]), float(R)
    a = math.exp(-dt / tau)
    clean = np.empty(n)
    v = E_L
    for k in range(n):
        clean[k] = v
        v = E_L + a * (v - E_L) + (1 - a) * R * current[k]
    noisy = clean + rng.normal(0, d["noise"], n) * 1e-3
    return np.arange(n) * dt, current, noisy, clean


def passive_recording(seed=_PASSIVE_SEED, R=_PASSIVE_R):
    """The recording of exercise 7: ``(t, I, v)`` as Quantities (second, amp, volt), with the
    variant's ``seed`` and resistance ``R`` (ohm; variant 0's by default)."""
    t, current, noisy, _ = _passive_arrays(int(seed), float(R))
    return t * second, current * amp, noisy * volt


def _regressor(current, dt, tau, *, early=False, euler=False):
    """The filtered current as a loop: x_0 = 0, x_n = a x_(n-1) + (1 - a) I_(n-1), with
    a = exp(-dt/tau) (the prescribed regressor). ``early``: x_n = a x_(n-1) + (1 - a) I_n (one
    step early); ``euler``: a = 1 - dt/tau."""
    a = 1 - dt / tau if euler else math.exp(-dt / tau)
    x = np.empty(current.size)
    state = 0.0
    for k in range(current.size):
        if early:
            state = a * state + (1 - a) * current[k]
            x[k] = state
        else:
            x[k] = state
            state = a * state + (1 - a) * current[k]
    return x


@functools.lru_cache(maxsize=None)
def _passive_fit(seed=_PASSIVE_SEED, R=_PASSIVE_R) -> float:
    """R (ohm) minimising sum (v_n - E_L - R x_n)^2 on the recording of ``seed`` and ``R``, by
    Brent's method on the squared error (the error is quadratic in R, so the minimiser is found
    to rounding precision)."""
    from scipy.optimize import minimize_scalar

    _, current, noisy, _ = _passive_arrays(seed, R)
    x = _regressor(current, float(PASSIVE_DATA["dt"]), float(PASSIVE["tau_m"]))
    y = noisy - float(PASSIVE["E_L"])
    scale = float(Mohm)
    guess = R / scale
    result = minimize_scalar(lambda r: float(np.sum((y - r * scale * x) ** 2)),
                             bracket=(0.5 * guess, 1.5 * guess), method="brent", tol=1e-12)
    return float(result.x) * scale


@functools.lru_cache(maxsize=None)
def _resistance_slips(seed=_PASSIVE_SEED, R=_PASSIVE_R):
    """(R in ohm, message) of typical slips, all on the same data."""
    _, current, noisy, _ = _passive_arrays(seed, R)
    dt, tau, E_L = float(PASSIVE_DATA["dt"]), float(PASSIVE["tau_m"]), float(PASSIVE["E_L"])
    y = noisy - E_L
    x = _regressor(current, dt, tau)

    def slope(x_, y_):
        return float(np.sum(x_ * y_) / np.sum(x_ * x_))

    with_intercept = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[0][0]
    derivative = tau * np.diff(noisy) / dt + y[:-1]
    return (
        (float(with_intercept), "R_hat comes from a fit with an intercept; E_L is known, so the "
                                "model has one free parameter: fit v - E_L = R x without a "
                                "constant term."),
        (slope(current, y), "R_hat regresses on the current itself; the membrane low-pass filters "
                            "the current, so the regressor is the filtered current x_n."),
        (slope(x, noisy), "R_hat fits v instead of v - E_L: subtract the known resting "
                          "potential first."),
        (slope(_regressor(current, dt, tau, early=True), y),
         "R_hat uses a regressor one step early: V_n depends on the currents up to I_(n-1)."),
        (slope(_regressor(current, dt, tau, euler=True), y),
         "R_hat uses the Euler step a = 1 - dt/tau_m; the exact update has a = exp(-dt/tau_m)."),
        (slope(current[:-1], derivative), "R_hat fits the differential equation with a "
                                          "finite-difference derivative of the noisy voltage; "
                                          "minimise the squared error of the voltage itself, "
                                          "with the regressor x_n."),
    )


def check_resistance_fit(R_hat) -> Feedback:
    """The least-squares resistance of the passive membrane's recording: within 2 % of the true
    R, and the fit of these data (relative 1e-6), not the true R typed in."""
    name = "R_hat"
    seed, R = _passive_variant()
    feedback = check_quantity(R_hat, R * ohm, rtol=0.02, name=name)
    if feedback.kind in ("missing", "type", "units", "nan"):
        return feedback
    value = plain_float(R_hat)
    for slip, message in _resistance_slips(seed, R):
        if value is not None and abs(value / slip - 1) <= RESISTANCE_RTOL:
            return Feedback(False, "concept", message)
    if not feedback or abs(value / _passive_fit(seed, R) - 1) <= RESISTANCE_RTOL:
        return feedback
    return Feedback(False, "not the fit", "R_hat is near the true resistance but is not the "
                                          "least-squares fit of these data: fit v_rec - E_L = "
                                          "R x_n (one parameter) with the regressor x_n of the "
                                          "exercise; the R of the model typed in does not count.")


def check_passive_fit_figure(fig, R_hat=None) -> Feedback:
    """Plot task: the recording v(t) and the fitted model's voltage E_L + R x_n on one axes, with
    a legend and units. The model may use the reference fit or the student's own ``R_hat`` (if
    it is within 10 % of the truth), so that a mistake in exercise 7 costs no points here."""
    name = "fig_passive"
    seed, R_true = _passive_variant()
    t, current, noisy, _ = _passive_arrays(seed, R_true)
    x = _regressor(current, float(PASSIVE_DATA["dt"]), float(PASSIVE["tau_m"]))
    E_L = float(PASSIVE["E_L"])
    span = (0 * second, t[-1] * second)
    data = Curve("the recorded voltage v_rec", span, x=t * second, y=noisy * volt, rtol=0,
                 ytol=0.01 * mV)
    candidates = [_passive_fit(seed, R_true)]
    own = plain_float(R_hat) if isinstance(R_hat, Quantity) and \
        get_dimensions(R_hat) is get_dimensions(ohm) and np.size(R_hat) == 1 else None
    if own is not None and np.isfinite(own) and abs(own / R_true - 1) < 0.1:
        candidates.append(own)
    feedback = None
    for R in candidates:
        model = Curve("the fitted model's voltage", span, x=t * second, y=(E_L + R * x) * volt,
                      rtol=0, ytol=0.1 * mV)
        fb = check_figure(fig, [data, model], legend=True, name=name)
        if fb:
            return fb
        feedback = feedback or fb
    return feedback
