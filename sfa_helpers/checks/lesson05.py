"""Self-checks for exercise sheet 05 (Ornstein-Uhlenbeck noise).

References come from closed forms (the exact OU step, the stationary variances of the exact and
Euler-Maruyama recursions), from the exact stationary covariance of the discrete (membrane, OU
current) system (a discrete Lyapunov equation), and, for the spike-train statistics, from a small
vectorised numpy simulation written out here (exact membrane update, exact OU update, threshold
decay), never from the course's Brian2 simulations. Tolerances for sampled statistics are a few
standard errors of the estimator, computed from the autocovariance of the sampled sequence.

Where an exercise asks for a statistic of a prescribed seeded simulation, passing theory is not
enough: the check also re-runs that simulation (``_ou_run_statistics``, ``_euler_run_variance``,
``_sd_plot_statistics`` for the plot task's points) and requires the answer to be its statistic,
far more tightly than the sampling error, so a theory value typed in does not pass (issue 17).
Exercise 3 reads exercise 2's run from :func:`ou_membrane_run` (a locked cell), the same cached
run its check compares with, so that a mistake in exercise 2 costs no points there.

The seeds of the prescribed runs and exercise 5's means follow the student's variant
(:data:`VARIANTS`, read through :func:`.variants.active` at every check): each check re-runs
(and caches, keyed by those values) the run of the variant it grades.
"""

from __future__ import annotations

import functools

import numpy as np
from brian2 import Hz, amp, mV, ms, pA, pF, second, volt
from scipy.linalg import solve_discrete_lyapunov

from .core import Feedback, call_safely, check_choice, check_quantity, from_prescribed_run
from .figures import Curve, Points, check_figure
from .variants import active

__all__ = ["check_ou_exact_step", "check_ou_sd_by_tau", "check_ou_sd_meaning",
           "check_ou_membrane_sd", "check_ou_slow_input", "check_ou_euler_variance",
           "check_ou_mu_matched", "check_ou_cv_pair", "check_ou_more_regular",
           "MU", "SIGMA", "DT", "TAUS", "N_PATHS", "T_SD", "T_SKIP", "EULER", "ISI", "REF_MUS",
           "isi_reference", "ISI_REFERENCE", "ou_membrane_run", "check_ou_sd_figure",
           "SD_PLOT_TAUS", "SD_PLOT_PATHS", "SD_PLOT_SEED", "VARIANTS", "CHOICES",
           "ISI_REFERENCES"]

MU, SIGMA, DT = 500 * pA, 200 * pA, 0.1 * ms
#: Free membrane of the sheet (lesson 03/05 neuron without threshold): tau_m 10 ms, C_m 250 pF.
TAU_M, C_M = 10 * ms, 250 * pF
R_M = TAU_M / C_M
#: Correlation times of exercises 2 and 3, paths per value, duration, skipped transient (V).
TAUS = np.array([0.5, 2.0, 20.0]) * ms
N_PATHS = 60
T_SD = 1 * second
T_SKIP = 200 * ms
#: Euler-Maruyama exercise: (tau, dt, paths, duration).
EULER = (2 * ms, 1 * ms, 100, 5 * second)
#: ISI exercise: adaptive neuron (lesson 05) and the non-adapting one on a grid of means.
ISI = dict(n_paths=20, duration=3.5 * second, transient=0.5 * second, mu_adapting=500 * pA,
           mu_grid=np.arange(300.0, 401.0, 10.0) * pA, tau_s=2 * ms, E_L=-70 * mV,
           V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms, tau_Theta=100 * ms,
           Delta_Theta=2 * mV)

#: How many standard errors a sampled answer may be off.
N_SE = 5.0

#: Seeds of the runs exercises 2-3 and 4 prescribe.
OU_SEED, EULER_SEED = 11, 13
#: Plot task (exercise 6): the free membrane's SD against tau, SD_PLOT_PATHS paths per tau of
#: SD_PLOT_TAUS in one group (1 s at DT, seed SD_PLOT_SEED, V from T_SKIP on), and the theory
#: curve over SD_PLOT_SPAN.
SD_PLOT_TAUS = np.array([0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]) * ms
SD_PLOT_PATHS = 20
SD_PLOT_SEED = 21
SD_PLOT_SPAN = (0.2 * ms, 100 * ms)
#: How far (relative) an answer may be from the same statistic of the prescribed seeded run,
#: recomputed by the check: far below the statistic's sampling error (0.03 % to 5 %), so a
#: theory value or a number typed in does not pass, while ``ddof=1`` (a relative change of
#: 1/N, N >= 480000 samples) does, and for ``sd_v`` one time point more or less at the
#: 200 ms boundary.
RUN_RTOL, RUN_RTOL_V = 1e-5, 1e-3
#: Per-student variants (:mod:`.variants`): the seeds of the prescribed runs of exercises 2-3, 4,
#: 5 and 6, and the mean input of exercise 5's adaptive neuron with its grid of means for the
#: non-adapting one (11 means 10 pA apart around the matched mean, which moves by about 20 pA
#: from one variant's mean to the next; a grid value alone would otherwise be the same for
#: every seed). Variant 0 is the sheet's original. Every variant's answers differ from every
#: other's by more than the checks' tolerances (tests/test_variants_sheet05.py). Only seeds and
#: values per neuron change, never a simulation's structure, so grading compiles nothing new.
VARIANTS = [
    dict(ou_seed=ou, euler_seed=euler, isi_seed=isi, mu_adapting=mu * pA,
         mu_grid=(start + 10.0 * np.arange(11)) * pA, sd_plot_seed=plot)
    for ou, euler, isi, mu, start, plot in zip(
        (11, 17, 23, 29, 37, 41), (13, 19, 31, 43, 47, 53), (11, 59, 61, 67, 71, 73),
        (500.0, 400.0, 450.0, 550.0, 600.0, 650.0), (300.0, 260.0, 280.0, 320.0, 340.0, 360.0),
        (21, 79, 83, 89, 97, 101))]
#: The multiple-choice questions: (right key, {key: option as shown}); each variant shows the
#: options in its own order (variant 0: as listed here).
CHOICES = {
    "sd_meaning": ("constant", {
        "grows": "The SD grows like $\\sqrt\\tau$: slower noise has more time to accumulate before "
                 "the decay pulls the current back to $\\mu$.",
        "shrinks": "The SD shrinks like $1/\\sqrt\\tau$, because the factor $\\sqrt{2/\\tau}$ scales "
                   "down the noise that drives the current.",
        "constant": "The SD is $\\sigma$ for every $\\tau$: the intensity $\\sigma\\sqrt{2/\\tau}$ "
                    "gives variance $\\sigma^2$; $\\tau$ sets how long a fluctuation lasts.",
        "time_step": "The SD depends on $\\tau$ only through the ratio $h/\\tau$ of the exact "
                     "update, so it changes with the time step too.",
    }),
    "slow_input": ("averaging", {
        "larger_sd": "The slow input has a larger SD, because an OU current with a longer "
                     "correlation time wanders further from its mean.",
        "resonance": "The membrane resonates at the frequency $1/\\tau$, which for $\\tau$ = 20 ms "
                     "lies close to its own frequency $1/\\tau_m$.",
        "time_step": "The time step of 0.1 ms is too coarse for the fast input, so part of its "
                     "fluctuation is lost in the simulation.",
        "averaging": "The membrane averages its input over about $\\tau_m$: faster fluctuations "
                     "cancel in that window, slower ones are followed.",
    }),
    "more_regular": ("adaptive", {
        "adaptive": "The adaptive one: an early spike finds a higher threshold, which delays the "
                    "next one and pulls the intervals towards their mean.",
        "second_source": "The non-adapting one: the moving threshold of the adaptive neuron adds "
                         "a second source of variability to the noise of its input.",
        "neither": "Neither: at the same rate and with the same noise statistics the CV of the "
                   "intervals must be exactly the same.",
        "smaller_mean": "The non-adapting one, because it receives a smaller mean input and so "
                        "sits closer to the regime where the mean drives it.",
    }),
}


def _variant():
    return active("05")


def _choice(question: str, answer) -> Feedback:
    """A multiple-choice answer (a letter) in the order the student's variant shows."""
    variant = _variant()
    right, _ = CHOICES[question]
    letter = variant.letters(question)[variant.order(question).index(right)]
    return check_choice(answer, letter, variant.letters(question), name=question)


def _check_each(answer, reference, rtols, name):
    """check_quantity with one relative tolerance per element (units, factor, sign first)."""
    rtols = np.asarray(rtols, dtype=float)
    coarse = check_quantity(answer, reference, rtol=float(np.max(rtols)), name=name)
    if not coarse:
        return coarse
    values = np.asarray(answer, dtype=float).reshape(np.shape(reference))
    ref = np.asarray(reference, dtype=float)
    bad = np.abs(values - ref) > rtols * np.abs(ref)
    if not np.any(bad):
        return coarse
    return Feedback(False, "imprecise", f"{int(bad.sum())} of {bad.size} values: {name} has the "
                                        "right order of magnitude but is further from theory "
                                        f"than {N_SE:.0f} standard errors of the estimate.")


# --- the prescribed runs ---------------------------------------------------------------------
# The theory references above are independent of the course's simulations; these are not meant
# to be: they answer "is this number the statistic of the run the exercise asks for?", so that
# a statistic must be computed from a simulation, not typed in from theory.

def _quiet():
    from ..models import LIF

    return LIF(tau_m=TAU_M, E_L=-70 * mV, V_th=1000 * mV, V_reset=-70 * mV, C_m=C_M)


@functools.lru_cache(maxsize=None)
def _ou_run(one_mu: bool = False, seed: int = OU_SEED):
    """Exercise 2's run with ``seed`` (the variant's; recording the current and V); with
    ``one_mu``, the same run with ``mu`` given as one current rather than one per neuron (a
    different stimulus structure: accepted too, whether or not its noise realisation differs on
    a given Brian2 version and code path)."""
    from .. import stimuli
    from ..simulation import simulate

    taus = np.repeat(np.asarray(TAUS / ms, dtype=float), N_PATHS) * ms
    mu = MU if one_mu else np.full(taus.size, float(MU / pA)) * pA
    return simulate(_quiet(), stimuli.ou(mu, SIGMA, taus),
                    T_SD, dt=DT, record=("I_stim", "v"), seed=seed)


def ou_membrane_run():
    """Exercise 2's run with the membrane potential only, for exercise 3, so that a mistake in
    exercise 2 costs no points there: a :class:`~sfa_helpers.simulation.SimulationResult` with
    ``t`` and ``v`` (180 neurons, 60 per tau of :data:`TAUS`), without the input current and its
    stimulus (exercise 2's answer), with the seed of the active variant. The same run the check
    of exercise 3 compares with (cached: computed once per process and seed)."""
    import dataclasses

    # a copy of v: changing it in the notebook leaves the check's run intact
    run = _ou_run(False, _variant().ou_seed)
    return dataclasses.replace(run, traces={"v": run.traces["v"].copy()}, stimulus=None)


@functools.lru_cache(maxsize=None)
def _ou_run_statistics(one_mu: bool = False, seed: int = OU_SEED):
    """SD of the current (A) and of V from T_SKIP on (V) per tau, from exercise 2's run
    (:func:`_ou_run`) with ``seed``."""
    run = _ou_run(one_mu, seed)
    sd_i = np.asarray(run.I_stim, dtype=float).reshape(TAUS.size, N_PATHS, -1).std(axis=(1, 2))
    late = np.asarray(run.t, dtype=float) >= float(T_SKIP)
    v = np.asarray(run.v, dtype=float)[:, late]
    return sd_i, v.reshape(TAUS.size, N_PATHS, -1).std(axis=(1, 2))


@functools.lru_cache(maxsize=None)
def _euler_run_variance(seed: int = EULER_SEED):
    """Pooled variance (A^2) of the Euler-Maruyama current of exercise 4's run with ``seed``."""
    from .. import stimuli
    from ..simulation import simulate

    tau, h, paths, duration = EULER
    run = simulate(_quiet(), stimuli.ou(np.full(paths, float(MU / pA)) * pA, SIGMA, tau,
                                        method="euler"),
                   duration, dt=h, record=("I_stim",), seed=seed)
    return float(np.var(np.asarray(run.I_stim, dtype=float)))


# --- exercise 1: the exact update ------------------------------------------------------------

def _exact_step(I, mu, sigma, tau, h, n):
    decay = np.exp(-h / tau)
    return mu + (I - mu) * decay + sigma * np.sqrt(1 - decay ** 2) * n


def check_ou_exact_step(ou_step) -> Feedback:
    """``ou_step(I, mu, sigma, tau, h, n)``: one exact OU update (Quantities in, amp out)."""
    name = "ou_step(...)"
    n3 = np.array([-1.2, 0.0, 2.5])
    deterministic = [(700 * pA, MU, SIGMA, 2 * ms, 0.1 * ms, 0.0),
                     (np.array([100.0, 500.0, 900.0]) * pA, MU, SIGMA, 2 * ms, 2 * ms, 0.0)]
    noisy = [(700 * pA, MU, SIGMA, 2 * ms, 2 * ms, 1.5),
             (np.array([100.0, 500.0, 900.0]) * pA, MU, SIGMA, 20 * ms, 0.1 * ms, n3),
             (300 * pA, -50 * pA, 80 * pA, 5 * ms, 1 * ms, -0.7)]
    for case, args in enumerate(deterministic + noisy):
        value, problem = call_safely(ou_step, *args, name=name)
        if problem is not None:
            return problem
        ref = _exact_step(*(np.asarray(x, dtype=float) for x in args)) * amp
        feedback = check_quantity(value, ref, rtol=1e-6, name=name)
        if feedback:
            continue
        if feedback.kind in ("units", "type", "nan", "missing"):
            return feedback
        I, mu, sigma, tau, h, n = (np.asarray(x, dtype=float) for x in args)
        euler = I + (mu - I) * h / tau + sigma * np.sqrt(2 * h / tau) * n
        if check_quantity(value, euler * amp, rtol=1e-6):
            return Feedback(False, "concept", f"{name} is the Euler-Maruyama step; use the exact "
                                              "decay e^(-h/tau) and the exact noise variance.")
        if case < len(deterministic) or np.all(n == 0):
            return Feedback(False, "wrong", f"{name} is wrong without noise (n = 0): the distance "
                                            "to mu must shrink by the factor e^(-h/tau) per step.")
        return Feedback(False, "wrong", f"{name} has the right decay but a wrong noise term: the "
                                        "noise gathered during one step has variance "
                                        "sigma^2 (1 - e^(-2h/tau)).")
    return Feedback(True, "right", f"{name} is right.")


# --- exercise 2: the stationary SD does not depend on tau ------------------------------------

def _ar1_var_se(var, a, n):
    """Standard error of the sample variance of n samples of an AR(1) sequence (coefficient a)."""
    return var * np.sqrt(2 * (1 + a ** 2) / (n * (1 - a ** 2)))


def _sd_rtols_current():
    n = N_PATHS * int(round(float(T_SD / DT)))
    a = np.exp(-float(DT) / np.asarray(TAUS, dtype=float))
    return N_SE * _ar1_var_se(1.0, a, n) / 2  # relative SE of the SD is half that of the variance


def check_ou_sd_by_tau(sd_by_tau) -> Feedback:
    """Sampled stationary SD of the OU current (pA) for the three TAUS."""
    ref = np.full(TAUS.size, float(SIGMA)) * amp
    feedback = _check_each(sd_by_tau, ref, _sd_rtols_current(), "sd_by_tau")
    seed = _variant().ou_seed
    return from_prescribed_run(feedback, sd_by_tau, [lambda: _ou_run_statistics(False, seed)[0],
                                                     lambda: _ou_run_statistics(True, seed)[0]],
                               "sd_by_tau", f"seed={seed}, all samples of each tau's paths pooled",
                               rtol=RUN_RTOL)


def check_ou_sd_meaning(choice) -> Feedback:
    """Multiple choice: what the sqrt(2/tau) in the OU equation is for."""
    return _choice("sd_meaning", choice)


# --- exercise 3: the free membrane filters the current ---------------------------------------

def _membrane_system(tau_s):
    """Transition matrix and noise covariance of x_k = ((V_k - <V>)/(R sigma), (I_k - mu)/sigma)
    on the time grid (exact membrane step with the current held over the step)."""
    h, tau_m = float(DT), float(TAU_M)
    d, a = np.exp(-h / tau_m), np.exp(-h / tau_s)
    A = np.array([[d, 1 - d], [0.0, a]])
    Q = np.array([[0.0, 0.0], [0.0, 1 - a ** 2]])
    return A, Q


@functools.lru_cache(maxsize=None)
def _membrane_reference():
    """Stationary SD of V (volt) for each tau and its N_SE-standard-error relative tolerance."""
    sds, rtols = [], []
    n = N_PATHS * int(round(float((T_SD - T_SKIP) / DT)))
    for tau_s in np.asarray(TAUS, dtype=float):
        A, Q = _membrane_system(tau_s)
        S = solve_discrete_lyapunov(A, Q)
        var = S[0, 0]
        # Var(sample variance) ~ (2/n) sum_j C(j)^2 with C(j) = (A^j S)[0, 0].
        total, M = var ** 2, S.copy()
        for _ in range(200000):
            M = A @ M
            c = M[0, 0]
            total += 2 * c ** 2
            if abs(c) < 1e-8 * var:
                break
        se_var = np.sqrt(2 * total / n)
        sds.append(float(R_M * SIGMA) * np.sqrt(var))
        rtols.append(N_SE * se_var / (2 * var))
    return np.array(sds), np.array(rtols)


def check_ou_membrane_sd(sd_v) -> Feedback:
    """Sampled SD of the free membrane potential (mV) for the three TAUS."""
    sds, rtols = _membrane_reference()
    feedback = _check_each(sd_v, sds * volt, rtols, "sd_v")
    seed = _variant().ou_seed
    return from_prescribed_run(feedback, sd_v, [lambda: _ou_run_statistics(False, seed)[1],
                                                lambda: _ou_run_statistics(True, seed)[1]],
                               "sd_v", f"exercise 2's run, seed={seed}, from t = 200 ms on",
                               rtol=RUN_RTOL_V)


def check_ou_slow_input(choice) -> Feedback:
    """Multiple choice: why a slower input moves the membrane more."""
    return _choice("slow_input", choice)


# --- exercise 4: Euler-Maruyama at h = 1 ms --------------------------------------------------

def _euler_reference():
    tau, h, paths, duration = EULER
    var = float(SIGMA) ** 2 / (1 - float(h) / (2 * float(tau)))
    a = 1 - float(h) / float(tau)
    n = paths * int(round(float(duration / h)))
    return var, N_SE * _ar1_var_se(1.0, a, n)


def check_ou_euler_variance(var_euler) -> Feedback:
    """Sampled variance (pA^2) of the Euler-Maruyama OU current at h = 1 ms, tau = 2 ms."""
    var, rtol = _euler_reference()
    feedback = check_quantity(var_euler, var * amp ** 2, rtol=rtol, name="var_euler")
    if not feedback and feedback.kind == "imprecise":
        if check_quantity(var_euler, float(SIGMA) ** 2 * amp ** 2, rtol=rtol):
            return Feedback(False, "concept", "var_euler matches the exact update's variance: "
                                              "simulate with method='euler' and dt = 1 ms.")
    if not feedback and feedback.kind == "units":
        try:
            from brian2 import get_dimensions
            if get_dimensions(var_euler) is amp.dim:
                return Feedback(False, "units", "var_euler is a current: a variance has the "
                                                "units of a current squared (pA**2).")
        except Exception:  # noqa: BLE001
            pass
    seed = _variant().euler_seed
    return from_prescribed_run(feedback, var_euler, [lambda: _euler_run_variance(seed)],
                               "var_euler", f"method='euler', dt = 1 ms, seed={seed}",
                               rtol=RUN_RTOL)


# --- exercise 5: regularity with and without adaptation at the same rate ---------------------

#: Means (A) of the non-adapting reference neurons (the matched mean lies between them), and
#: the size of the reference simulation (paths per group, duration in s, seed).
REF_MUS = (330e-12, 350e-12, 370e-12, 390e-12)
REF_PATHS, REF_DURATION, REF_SEED = 80, 3.5, 12345


#: The means (A) of the non-adapting reference neurons for each variant's adaptive mean (pA):
#: four means 20 pA apart around the matched mean.
REF_MUS_OF = {500.0: REF_MUS, 400.0: (290e-12, 310e-12, 330e-12, 350e-12),
              450.0: (310e-12, 330e-12, 350e-12, 370e-12),
              550.0: (350e-12, 370e-12, 390e-12, 410e-12),
              600.0: (370e-12, 390e-12, 410e-12, 430e-12),
              650.0: (390e-12, 410e-12, 430e-12, 450e-12)}


def isi_reference(n_paths=REF_PATHS, duration=REF_DURATION, seed=REF_SEED, mu_adapting=None,
                  ref_mus=REF_MUS):
    """Rates and CVs from a numpy simulation of the sheet's neurons (exact membrane and OU
    updates on the 0.1 ms grid, threshold decay, 2 ms dead time), independent of Brian2.

    Groups of ``n_paths`` neurons: the adaptive neuron at ``mu_adapting`` (A; default
    ``ISI["mu_adapting"]``), then the non-adapting one at each mean of ``ref_mus`` (A; default
    :data:`REF_MUS`). Returns four arrays with one value per
    group: mean rate (Hz), SD of the per-neuron rates, mean per-neuron CV, SD of the per-neuron
    CVs (all measured after the transient). About 3 s of CPU time for the defaults, so the
    checks use the stored result :data:`ISI_REFERENCE` (``tests/test_checks_lesson05.py``
    recomputes it).
    """
    p = {k: (float(np.asarray(v)) if hasattr(v, "dim") and np.ndim(v) == 0 else v)
         for k, v in ISI.items()}
    if mu_adapting is not None:
        p["mu_adapting"] = float(mu_adapting)
    ref_mus = tuple(float(m) for m in ref_mus)
    mus = np.repeat(np.concatenate([[p["mu_adapting"]], ref_mus]), n_paths)
    jumps = np.repeat(np.concatenate([[p["Delta_Theta"]], np.zeros(len(ref_mus))]), n_paths)
    n = mus.size
    h, tau_m, R = float(DT), float(TAU_M), float(R_M)
    leak = 1 - np.exp(-h / tau_m)
    d_s = np.exp(-h / p["tau_s"])
    th_leak = 1 - np.exp(-h / p["tau_Theta"])
    kick = float(SIGMA) * np.sqrt(1 - d_s ** 2)
    E_L, V_th, V_reset = p["E_L"], p["V_th"], p["V_reset"]
    ref_steps = int(round(p["t_ref"] / h))
    rng = np.random.default_rng(seed)
    I = mus + float(SIGMA) * rng.standard_normal(n)
    V = np.full(n, E_L)
    Theta = np.full(n, V_th)
    hold = np.zeros(n)
    steps = int(round(duration / h))
    t_spk, i_spk = [], []
    block = 1000
    for k0 in range(0, steps, block):
        noise = kick * rng.standard_normal((block, n))
        for k in range(k0, min(k0 + block, steps)):
            active = hold <= 0
            V += active * ((E_L + R * I - V) * leak)
            Theta -= (Theta - V_th) * th_leak
            hold -= 1
            fired = np.flatnonzero(active & (V > Theta))
            if fired.size:
                V[fired] = V_reset
                Theta[fired] += jumps[fired]
                hold[fired] = ref_steps - 1
                t_spk.append(np.full(fired.size, k * h))
                i_spk.append(fired)
            I = mus + (I - mus) * d_s + noise[k - k0]
    t_spk, i_spk = np.concatenate(t_spk), np.concatenate(i_spk)
    t0 = p["transient"]
    keep = t_spk >= t0
    t_spk, i_spk = t_spk[keep], i_spk[keep]
    rates, cvs = np.empty(n), np.empty(n)
    for j in range(n):
        isi = np.diff(t_spk[i_spk == j])
        rates[j] = (isi.size + 1) / (duration - t0)
        cvs[j] = np.std(isi) / np.mean(isi)
    groups = [slice(g * n_paths, (g + 1) * n_paths) for g in range(1 + len(ref_mus))]
    return (np.array([rates[g].mean() for g in groups]),
            np.array([rates[g].std(ddof=1) for g in groups]),
            np.array([cvs[g].mean() for g in groups]),
            np.array([cvs[g].std(ddof=1) for g in groups]))


#: isi_reference() with its defaults (recomputed and compared in tests/test_checks_lesson05.py).
ISI_REFERENCE = (
    np.array([28.954166666666662, 21.8125, 26.195833333333336, 30.833333333333332,
              35.12083333333333]),
    np.array([0.9364380999560122, 1.8302380852402382, 1.945598913860364, 1.9659549595434753,
              1.5913300171958962]),
    np.array([0.4269281407711537, 0.6411931694889962, 0.6138992298946151, 0.568448132953428,
              0.5457264590481999]),
    np.array([0.03278725108128549, 0.06797175076965556, 0.06702118874240404,
              0.06355185228490585, 0.06050185498553843]),
)
#: isi_reference(mu_adapting=..., ref_mus=REF_MUS_OF[...]) for the adaptive mean of every
#: variant (pA; 500 pA: :data:`ISI_REFERENCE`), recomputed in tests/test_variants_sheet05.py.
ISI_REFERENCES = {
    500.0: ISI_REFERENCE,
    400.0: (
        np.array([18.991666666666667, 13.8, 17.729166666666668, 21.9625, 26.191666666666663]),
        np.array([1.006274268954571, 1.645519852109038, 1.768686648709172, 2.0745553469315827,
                  1.4942694097508047]),
        np.array([0.5056539906158682, 0.741131941329839, 0.712056260629813, 0.6601834706366534,
                  0.6218641752638202]),
        np.array([0.04701580319894474, 0.10931719035163107, 0.09051522447196349,
                  0.09856433067657187, 0.0752503790673664]),
    ),
    450.0: (
        np.array([24.029166666666665, 17.741666666666667, 21.733333333333334, 26.179166666666667,
                  30.645833333333336]),
        np.array([1.0051817225550062, 1.5822281285940423, 1.8918732112746557, 2.0561346924308537,
                  1.6028664109539124]),
        np.array([0.46405486022224096, 0.6939959478983176, 0.6630840831490727, 0.6198661253511191,
                  0.5823343257947936]),
        np.array([0.04235800387249774, 0.09118715198241428, 0.07202270426768487,
                  0.08787053604966027, 0.061335794388169475]),
    ),
    550.0: (
        np.array([33.80833333333334, 26.0625, 30.75, 35.3375, 39.67916666666666]),
        np.array([0.7699982647431449, 2.070551507281043, 1.7377256908535945, 1.8867319321955212,
                  1.5728388606514172]),
        np.array([0.38886519820090787, 0.5994573879430276, 0.5709786095779834, 0.5270972777399037,
                  0.5114461454131012]),
        np.array([0.03192037811651628, 0.06115417123842636, 0.05348696295918992,
                  0.05015381734565713, 0.044991939567783974]),
    ),
    600.0: (
        np.array([38.4875, 30.625, 35.37916666666666, 39.92916666666667, 44.30833333333334]),
        np.array([0.7901356503737579, 1.8784251416168354, 1.7779266595534964, 1.8139122850286278,
                  1.611120810873367]),
        np.array([0.3504577790055271, 0.5696592206437586, 0.5384254801895042, 0.49526663617936356,
                  0.4812108844330091]),
        np.array([0.0253658770649829, 0.05775387033598471, 0.05129219653562113,
                  0.04467029842917647, 0.04236208914732868]),
    ),
    650.0: (
        np.array([43.00833333333333, 35.17916666666666, 39.916666666666664, 44.62083333333333,
                  48.979166666666664]),
        np.array([0.8584403480869409, 2.0188588705604227, 1.906757544085473, 1.9135638065221408,
                  1.606372462865159]),
        np.array([0.3175677942756253, 0.5353585365549134, 0.5000388786303587, 0.46445505583020186,
                  0.4482264665539993]),
        np.array([0.023897559259391108, 0.05156034511449505, 0.04450457120181657,
                  0.04238637163880626, 0.03812918885863286]),
    ),
}


def _mu_key(mu_adapting) -> float:
    """The adaptive mean (a current) as the key of :data:`ISI_REFERENCES` (pA)."""
    return round(float(np.asarray(mu_adapting, dtype=float)) * 1e12, 6)


def _matched(mu_adapting=ISI["mu_adapting"]):
    """Reference matched mean, its tolerance (A), and the reference CVs with tolerances, for
    the adaptive mean ``mu_adapting`` of a variant (variant 0's by default)."""
    key = _mu_key(mu_adapting)
    mean, rate_sd, cv_mean, cv_sd = (np.asarray(x) for x in ISI_REFERENCES[key])
    r_a, plain = mean[0], mean[1:]
    mus = np.array(REF_MUS_OF[key])
    mu_star = float(np.interp(r_a, plain, mus))
    slope = float(np.interp(mu_star, (mus[1:] + mus[:-1]) / 2, np.diff(plain) / np.diff(mus)))
    # Standard errors of the group means: reference plus the student's sample (n_paths neurons
    # of the same duration).
    scale = np.sqrt(1 / REF_PATHS + 1 / ISI["n_paths"])
    k = int(np.clip(np.searchsorted(mus, mu_star), 1, len(mus) - 1))
    se_rate = np.hypot(rate_sd[0], rate_sd[1 + k]) * scale
    grid_step = float(np.diff(np.asarray(ISI["mu_grid"], dtype=float))[0])
    mu_tol = grid_step / 2 + N_SE * se_rate / slope
    cv_plain = float(np.interp(mu_star, mus, cv_mean[1:]))
    cv_slope = abs(float((cv_mean[-1] - cv_mean[1]) / (mus[-1] - mus[0])))
    cv_tol = N_SE * np.array([cv_sd[0], cv_sd[1 + k]]) * scale
    cv_tol[1] += cv_slope * mu_tol
    return mu_star, mu_tol, np.array([cv_mean[0], cv_plain]), cv_tol


def _isi_key():
    """The active variant's exercise 5: (adaptive mean in pA, grid in pA as a tuple, seed)."""
    v = _variant()
    return (float(v.mu_adapting / pA), tuple(float(x) for x in np.asarray(v.mu_grid / pA)),
            int(v.isi_seed))


@functools.lru_cache(maxsize=None)
def _isi_run_statistics(mu_adapting=float(ISI["mu_adapting"] / pA),
                        grid=tuple(float(x) for x in np.asarray(ISI["mu_grid"] / pA)),
                        seed=OU_SEED):
    """From exercise 5's prescribed run (the adaptive neurons at ``mu_adapting`` pA, the grid
    of means ``grid`` pA, ``seed``: a variant's): the grid mean (A) whose non-adapting neurons'
    mean rate is closest to the adaptive neurons', the adaptive neurons' mean CV, and each grid
    mean's mean CV (as the sheet computes them)."""
    from .. import analysis, stimuli
    from ..models import LIF, AdaptiveThreshold
    from ..simulation import simulate

    p = ISI
    grid = np.asarray(grid, dtype=float)
    n = p["n_paths"]
    neuron = (LIF(tau_m=TAU_M, E_L=p["E_L"], V_th=p["V_th"], V_reset=p["V_reset"], t_ref=p["t_ref"],
                  C_m=C_M)
              + AdaptiveThreshold(tau_Theta=p["tau_Theta"], Delta_Theta=p["Delta_Theta"]))
    mus = np.concatenate([np.full(n, float(mu_adapting)), np.repeat(grid, n)]) * pA
    jumps = np.concatenate([np.full(n, float(p["Delta_Theta"] / mV)), np.zeros(n * grid.size)]) * mV
    run = simulate(neuron.replace(Delta_Theta=jumps), stimuli.ou(mus, SIGMA, p["tau_s"]),
                   p["duration"], dt=DT, record=(), seed=seed)
    rates = np.asarray(run.rates(start=p["transient"]) / Hz)
    plain = rates[n:].reshape(grid.size, n).mean(axis=1)
    best = int(np.argmin(np.abs(plain - rates[:n].mean())))
    cvs = np.asarray(analysis.cv(run.spike_trains, start=p["transient"]), dtype=float)
    return float(grid[best]) * 1e-12, cvs[:n].mean(), cvs[n:].reshape(grid.size, n).mean(axis=1)


def check_ou_mu_matched(mu_matched) -> Feedback:
    """Mean input (pA, a grid value) at which the non-adapting neuron fires at the adaptive
    neuron's rate: near the reference, a value of the variant's grid, and the one of the
    prescribed run."""
    variant = _variant()
    key = _isi_key()
    mu_star, mu_tol, _, _ = _matched(variant.mu_adapting)
    feedback = check_quantity(mu_matched, mu_star * amp, rtol=mu_tol / mu_star, name="mu_matched")
    grid = np.asarray(variant.mu_grid, dtype=float)
    if feedback and not np.any(np.abs(grid - float(np.asarray(mu_matched, dtype=float))) < 1e-15):
        # the sheet asks for a value of mu_grid (the hidden test checks that too)
        return Feedback(False, "type", "mu_matched must be one of the values of mu_grid (the mean "
                                       "inputs you simulated), not an interpolated one.")
    if feedback:
        return from_prescribed_run(feedback, mu_matched, [lambda: _isi_run_statistics(*key)[0]],
                                   "mu_matched", f"seed={key[2]}, mean rates from 0.5 s on",
                                   rtol=RUN_RTOL)
    if not feedback and feedback.kind in ("imprecise", "wrong") and abs(
            float(np.asarray(mu_matched, dtype=float)) - float(variant.mu_adapting)) < 1e-15:
        return Feedback(False, "concept", "mu_matched is the adaptive neuron's own mean input: "
                                          "without adaptation the neuron fires faster there; "
                                          "find the mean that gives the same rate.")
    return feedback


def check_ou_cv_pair(cv_pair) -> Feedback:
    """(CV with adaptation, CV without adaptation at the matched rate), mean per-neuron CVs."""
    key = _isi_key()
    _, _, cvs, tol = _matched(_variant().mu_adapting)
    name = "cv_pair"
    if cv_pair is None or cv_pair is Ellipsis:
        return Feedback(False, "missing", f"{name}: no answer yet.")
    feedback = check_quantity(cv_pair, cvs, rtol=float(np.max(tol / cvs)), name=name)
    if feedback.kind in ("missing", "type", "units", "nan"):
        return feedback
    values = np.asarray(cv_pair, dtype=float).ravel()
    if np.all(np.abs(values[::-1] - cvs) <= tol) and not np.all(np.abs(values - cvs) <= tol):
        return Feedback(False, "order", f"{name} seems to be in the wrong order: the CV with "
                                        "adaptation comes first.")
    if not feedback:
        return feedback
    bad = np.abs(values - cvs) > tol
    if np.any(bad):
        return Feedback(False, "imprecise", f"{int(bad.sum())} of 2 values: {name} is further "
                                            f"from the reference than {N_SE:.0f} standard errors.")
    # the CVs of the prescribed run: with adaptation, and without at a mean of the grid (any
    # mean near the reference passed above, so a wrong mu_matched costs only its own points)
    _, cv_adapting, cv_grid = _isi_run_statistics(*key)
    return from_prescribed_run(feedback, cv_pair,
                               [lambda c=c: np.array([cv_adapting, c]) for c in cv_grid], name,
                               f"exercise 5's run, seed={key[2]}, mean CV per group from 0.5 s on",
                               rtol=RUN_RTOL)


def check_ou_more_regular(choice) -> Feedback:
    """Multiple choice: which neuron fires more regularly at the same rate."""
    return _choice("more_regular", choice)


# --- exercise 6: the membrane's SD against tau (plot task) ------------------------------------

@functools.lru_cache(maxsize=None)
def _sd_plot_statistics(one_mu: bool = False, seed: int = SD_PLOT_SEED):
    """SD of V (volt) from T_SKIP on, per tau of :data:`SD_PLOT_TAUS`, from the plot task's
    prescribed run with ``seed`` (the variant's; ``one_mu``: ``mu`` as one current, as the sheet
    writes it, else one per neuron; both accepted)."""
    from .. import stimuli
    from ..simulation import simulate

    taus = np.repeat(np.asarray(SD_PLOT_TAUS / ms, dtype=float), SD_PLOT_PATHS) * ms
    mu = MU if one_mu else np.full(taus.size, float(MU / pA)) * pA
    run = simulate(_quiet(), stimuli.ou(mu, SIGMA, taus), T_SD, dt=DT, record=("v",),
                   seed=seed)
    late = np.asarray(run.t, dtype=float) >= float(T_SKIP)
    v = np.asarray(run.v, dtype=float)[:, late]
    return v.reshape(SD_PLOT_TAUS.size, SD_PLOT_PATHS, -1).std(axis=(1, 2))


def _membrane_sd_theory(tau):
    """R sigma sqrt(tau / (tau + tau_m)) (volt), the free membrane's stationary SD."""
    tau = np.asarray(tau, dtype=float)
    return float(R_M * SIGMA) * np.sqrt(tau / (tau + float(TAU_M))) * volt


def check_ou_sd_figure(fig) -> Feedback:
    """Plot task: on one axes with a legend, the SD of the free membrane potential against tau,
    the simulated points of the prescribed run (:data:`SD_PLOT_TAUS`, the variant's seed,
    :data:`SD_PLOT_SEED` in variant 0; as tightly as :func:`check_ou_membrane_sd`, so theory
    values drawn as points do not pass) and the theory curve R sigma sqrt(tau / (tau + tau_m)) over
    :data:`SD_PLOT_SPAN` (also on its first decade: a log axis shows it)."""
    theory = Curve("the theory curve", SD_PLOT_SPAN, f=_membrane_sd_theory, rtol=0.01)
    low = Curve("the theory curve", (SD_PLOT_SPAN[0], 10 * SD_PLOT_SPAN[0]), f=_membrane_sd_theory,
                rtol=0.01, min_points=5)
    feedback = None
    seed = _variant().sd_plot_seed
    for one_mu in (True, False):  # as the sheet writes it first
        points = Points("the simulated SDs of the prescribed run", SD_PLOT_TAUS,
                        _sd_plot_statistics(one_mu, seed) * volt, rtol=RUN_RTOL_V,
                        xtol=0.005 * ms)
        feedback = check_figure(fig, [points, theory], legend=True, name="fig_sd")
        if feedback or feedback.kind != "wrong" or "simulated" not in feedback.message:
            break
    if not feedback:
        return feedback
    lows = check_figure(fig, [low], name="fig_sd")
    if not lows:
        return Feedback(False, "wrong", "fig_sd: draw the theory curve over the whole range of "
                                        "tau asked for, with many values on each decade "
                                        "(np.logspace).")
    return feedback
