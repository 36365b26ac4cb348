"""Self-checks for exercise sheet 05 (Ornstein-Uhlenbeck noise).

References come from closed forms (the exact OU step, the stationary variances of the exact and
Euler-Maruyama recursions), from the exact stationary covariance of the discrete (membrane, OU
current) system (a discrete Lyapunov equation), and, for the spike-train statistics, from a small
vectorised numpy simulation written out here (exact membrane update, exact OU update, threshold
decay), never from the course's Brian2 simulations. Tolerances for sampled statistics are a few
standard errors of the estimator, computed from the autocovariance of the sampled sequence.

Where an exercise asks for a statistic of a prescribed seeded simulation, passing theory is not
enough: the check also re-runs that simulation (``_ou_run_statistics``, ``_euler_run_variance``)
and requires the answer to be its statistic, far more tightly than the sampling error, so a
theory value typed in does not pass (issue 17).
"""

from __future__ import annotations

import functools

import numpy as np
from brian2 import Hz, amp, mV, ms, pA, pF, second, volt
from scipy.linalg import solve_discrete_lyapunov

from .core import Feedback, call_safely, check_choice, check_quantity, from_prescribed_run

__all__ = ["check_ou_exact_step", "check_ou_sd_by_tau", "check_ou_sd_meaning",
           "check_ou_membrane_sd", "check_ou_slow_input", "check_ou_euler_variance",
           "check_ou_mu_matched", "check_ou_cv_pair", "check_ou_more_regular",
           "MU", "SIGMA", "DT", "TAUS", "N_PATHS", "T_SD", "T_SKIP", "EULER", "ISI", "REF_MUS",
           "isi_reference", "ISI_REFERENCE"]

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
#: How far (relative) an answer may be from the same statistic of the prescribed seeded run,
#: recomputed by the check: far below the statistic's sampling error (0.03 % to 5 %), so a
#: theory value or a number typed in does not pass, while ``ddof=1`` (a relative change of
#: 1/N, N >= 480000 samples) does, and for ``sd_v`` one time point more or less at the
#: 200 ms boundary.
RUN_RTOL, RUN_RTOL_V = 1e-5, 1e-3


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
def _ou_run_statistics(one_mu: bool = False):
    """SD of the current (A) and of V from T_SKIP on (V) per tau, from exercise 2's run; with
    ``one_mu``, the same run with ``mu`` given as one current rather than one per neuron (a
    different stimulus structure: accepted too, whether or not its noise realisation differs
    on a given Brian2 version and code path)."""
    from .. import stimuli
    from ..simulation import simulate

    taus = np.repeat(np.asarray(TAUS / ms, dtype=float), N_PATHS) * ms
    mu = MU if one_mu else np.full(taus.size, float(MU / pA)) * pA
    run = simulate(_quiet(), stimuli.ou(mu, SIGMA, taus),
                   T_SD, dt=DT, record=("I_stim", "v"), seed=OU_SEED)
    sd_i = np.asarray(run.I_stim, dtype=float).reshape(TAUS.size, N_PATHS, -1).std(axis=(1, 2))
    late = np.asarray(run.t, dtype=float) >= float(T_SKIP)
    v = np.asarray(run.v, dtype=float)[:, late]
    return sd_i, v.reshape(TAUS.size, N_PATHS, -1).std(axis=(1, 2))


@functools.lru_cache(maxsize=None)
def _euler_run_variance():
    """Pooled variance (A^2) of the Euler-Maruyama current of exercise 4's run."""
    from .. import stimuli
    from ..simulation import simulate

    tau, h, paths, duration = EULER
    run = simulate(_quiet(), stimuli.ou(np.full(paths, float(MU / pA)) * pA, SIGMA, tau,
                                        method="euler"),
                   duration, dt=h, record=("I_stim",), seed=EULER_SEED)
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
    return from_prescribed_run(feedback, sd_by_tau, [lambda: _ou_run_statistics()[0],
                                                     lambda: _ou_run_statistics(True)[0]],
                               "sd_by_tau", f"seed={OU_SEED}, all samples of each tau's paths pooled",
                               rtol=RUN_RTOL)


def check_ou_sd_meaning(choice) -> Feedback:
    """Multiple choice: what the sqrt(2/tau) in the OU equation is for."""
    return check_choice(choice, "c", "abcd", name="sd_meaning")


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
    return from_prescribed_run(feedback, sd_v, [lambda: _ou_run_statistics()[1],
                                                lambda: _ou_run_statistics(True)[1]],
                               "sd_v", f"exercise 2's run, seed={OU_SEED}, from t = 200 ms on",
                               rtol=RUN_RTOL_V)


def check_ou_slow_input(choice) -> Feedback:
    """Multiple choice: why a slower input moves the membrane more."""
    return check_choice(choice, "d", "abcd", name="slow_input")


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
    return from_prescribed_run(feedback, var_euler, [_euler_run_variance], "var_euler",
                               f"method='euler', dt = 1 ms, seed={EULER_SEED}", rtol=RUN_RTOL)


# --- exercise 5: regularity with and without adaptation at the same rate ---------------------

#: Means (A) of the non-adapting reference neurons (the matched mean lies between them), and
#: the size of the reference simulation (paths per group, duration in s, seed).
REF_MUS = (330e-12, 350e-12, 370e-12, 390e-12)
REF_PATHS, REF_DURATION, REF_SEED = 80, 3.5, 12345


def isi_reference(n_paths=REF_PATHS, duration=REF_DURATION, seed=REF_SEED):
    """Rates and CVs from a numpy simulation of the sheet's neurons (exact membrane and OU
    updates on the 0.1 ms grid, threshold decay, 2 ms dead time), independent of Brian2.

    Groups of ``n_paths`` neurons: the adaptive neuron at ``mu_adapting``, then the
    non-adapting one at each mean of :data:`REF_MUS`. Returns four arrays with one value per
    group: mean rate (Hz), SD of the per-neuron rates, mean per-neuron CV, SD of the per-neuron
    CVs (all measured after the transient). About 3 s of CPU time for the defaults, so the
    checks use the stored result :data:`ISI_REFERENCE` (``tests/test_checks_lesson05.py``
    recomputes it).
    """
    p = {k: (float(np.asarray(v)) if hasattr(v, "dim") and np.ndim(v) == 0 else v)
         for k, v in ISI.items()}
    mus = np.repeat(np.concatenate([[p["mu_adapting"]], REF_MUS]), n_paths)
    jumps = np.repeat(np.concatenate([[p["Delta_Theta"]], np.zeros(len(REF_MUS))]), n_paths)
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
    groups = [slice(g * n_paths, (g + 1) * n_paths) for g in range(1 + len(REF_MUS))]
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


def _matched():
    """Reference matched mean, its tolerance (A), and the reference CVs with tolerances."""
    mean, rate_sd, cv_mean, cv_sd = (np.asarray(x) for x in ISI_REFERENCE)
    r_a, plain = mean[0], mean[1:]
    mus = np.array(REF_MUS)
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


@functools.lru_cache(maxsize=None)
def _isi_run_statistics():
    """From exercise 5's prescribed run: the grid mean (A) whose non-adapting neurons' mean rate
    is closest to the adaptive neurons', the adaptive neurons' mean CV, and each grid mean's
    mean CV (as the sheet computes them)."""
    from .. import analysis, stimuli
    from ..models import LIF, AdaptiveThreshold
    from ..simulation import simulate

    p = ISI
    grid = np.asarray(p["mu_grid"] / pA, dtype=float)
    n = p["n_paths"]
    neuron = (LIF(tau_m=TAU_M, E_L=p["E_L"], V_th=p["V_th"], V_reset=p["V_reset"], t_ref=p["t_ref"],
                  C_m=C_M)
              + AdaptiveThreshold(tau_Theta=p["tau_Theta"], Delta_Theta=p["Delta_Theta"]))
    mus = np.concatenate([np.full(n, float(p["mu_adapting"] / pA)), np.repeat(grid, n)]) * pA
    jumps = np.concatenate([np.full(n, float(p["Delta_Theta"] / mV)), np.zeros(n * grid.size)]) * mV
    run = simulate(neuron.replace(Delta_Theta=jumps), stimuli.ou(mus, SIGMA, p["tau_s"]),
                   p["duration"], dt=DT, record=(), seed=OU_SEED)
    rates = np.asarray(run.rates(start=p["transient"]) / Hz)
    plain = rates[n:].reshape(grid.size, n).mean(axis=1)
    best = int(np.argmin(np.abs(plain - rates[:n].mean())))
    cvs = np.asarray(analysis.cv(run.spike_trains, start=p["transient"]), dtype=float)
    return float(np.asarray(p["mu_grid"], dtype=float)[best]), cvs[:n].mean(), cvs[n:].reshape(grid.size, n).mean(axis=1)


def check_ou_mu_matched(mu_matched) -> Feedback:
    """Mean input (pA, a grid value) at which the non-adapting neuron fires at the adaptive
    neuron's rate: near the reference, a value of the grid, and the one of the prescribed run."""
    mu_star, mu_tol, _, _ = _matched()
    feedback = check_quantity(mu_matched, mu_star * amp, rtol=mu_tol / mu_star, name="mu_matched")
    grid = np.asarray(ISI["mu_grid"], dtype=float)
    if feedback and not np.any(np.abs(grid - float(np.asarray(mu_matched, dtype=float))) < 1e-15):
        # the sheet asks for a value of mu_grid (the hidden test checks that too)
        return Feedback(False, "type", "mu_matched must be one of the values of mu_grid (the mean "
                                       "inputs you simulated), not an interpolated one.")
    if feedback:
        return from_prescribed_run(feedback, mu_matched, [lambda: _isi_run_statistics()[0]],
                                   "mu_matched", f"seed={OU_SEED}, mean rates from 0.5 s on",
                                   rtol=RUN_RTOL)
    if not feedback and feedback.kind in ("imprecise", "wrong") and abs(
            float(np.asarray(mu_matched, dtype=float)) - float(ISI["mu_adapting"])) < 1e-15:
        return Feedback(False, "concept", "mu_matched is the adaptive neuron's own mean input: "
                                          "without adaptation the neuron fires faster there; "
                                          "find the mean that gives the same rate.")
    return feedback


def check_ou_cv_pair(cv_pair) -> Feedback:
    """(CV with adaptation, CV without adaptation at the matched rate), mean per-neuron CVs."""
    _, _, cvs, tol = _matched()
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
    _, cv_adapting, cv_grid = _isi_run_statistics()
    return from_prescribed_run(feedback, cv_pair,
                               [lambda c=c: np.array([cv_adapting, c]) for c in cv_grid], name,
                               f"exercise 5's run, seed={OU_SEED}, mean CV per group from 0.5 s on",
                               rtol=RUN_RTOL)


def check_ou_more_regular(choice) -> Feedback:
    """Multiple choice: which neuron fires more regularly at the same rate."""
    return check_choice(choice, "a", "abcd", name="more_regular")
