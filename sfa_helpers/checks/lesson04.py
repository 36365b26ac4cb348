"""Self-checks for exercise sheet 04 (AdEx phase plane and firing patterns).

Every reference is computed here without the course's Brian2 simulations: closed forms (the
saddle-node current), root finding on the fixed-point equation (``brentq``), the analytic
Jacobian, quadrature of the EIF's ``du/dt`` for the latency, and ``scipy.integrate.solve_ivp``
(adaptive step, tight tolerances, an event at the spike cut) for spike trains and for the
trajectory of the phase-plane plot task (whose nullclines are the closed forms). The firing-pattern
labels apply :func:`sfa_helpers.firing_patterns.classify_pattern` (a pure function of spike times)
to those independently integrated spike trains. The exception is the AdEx the student writes in
Brian2 (:func:`check_adex_written`): there the answer *is* a model, and its spikes are compared with
those of the built-in ``AdEx`` with the same values.
"""

from __future__ import annotations

import functools

import numpy as np
from brian2 import Hz, Mohm, Quantity, amp, mV, ms, nS, pA, pF, second, siemens, volt
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq

from .. import stimuli
from ..firing_patterns import PATTERNS, classify_pattern
from .core import Feedback, call_safely, check_choice, check_quantity
from .figures import Curve, Path, check_figure
from .variants import active
from .written_models import check_written_model

__all__ = ["check_adex_saddle_node", "check_adex_a_transient", "check_adex_fixed_points",
           "check_adex_rest_eigenvalues", "check_adex_focus", "check_adex_latency",
           "check_adex_first_isi", "check_adex_pattern_labels", "check_adex_reset_role",
           "check_adex_written", "written_adex_reference", "WRITTEN_ADEX",
           "COMMON", "SADDLE_TEST_A", "STEP", "FIXED_POINT_CURRENT", "LATENCY_CURRENTS",
           "B_VALUES", "PATTERN_SETS", "phase_plane_quiz_panels", "check_phase_plane_quiz",
           "QUIZ_CHOICES", "check_adex_phase_plane_figure", "PHASE_PLANE_ROW", "PHASE_PLANE_STEP",
           "PHASE_PLANE_DURATION", "PHASE_PLANE_U", "VARIANTS", "CHOICES"]

#: Values shared by every row of Table 6.1 (R 500 MOhm, u_rest -70 mV, theta_rh -50 mV,
#: Delta_T 2 mV); the spike cut is the default V_T + 5 Delta_T.
COMMON = dict(R=500 * Mohm, E_L=-70 * mV, V_T=-50 * mV, Delta_T=2 * mV)
#: Values of a at which saddle_node(a) is tried (nS); k = 1 + aR <= 0 for the last two.
SADDLE_TEST_A = (0.0, 0.5, -0.5, 1.0, 3.0, -1.9, -2.0, -4.0)
#: The step current of the table (65 pA).
STEP = 65 * pA
#: Current of the fixed-point exercise (the 'transient' row: tau_m 10 ms, a 1 nS, tau_w 100 ms).
FIXED_POINT_CURRENT = 40 * pA
TRANSIENT_ROW = dict(tau_m=10 * ms, a=1 * nS, tau_w=100 * ms)
#: Latency exercise: the 'adapting' row (tau_m 20 ms, a = 0), currents in pA.
LATENCY_CURRENTS = np.array([40.0, 50.0, 65.0, 100.0]) * pA
ADAPTING_ROW = dict(tau_m=20 * ms, a=0 * nS, tau_w=100 * ms, b=5 * pA, V_reset=-55 * mV)
#: First-ISI exercise: the 'adapting' row at 65 pA with these b (pA).
B_VALUES = np.array([0.0, 5.0, 20.0, 60.0]) * pA
#: Predict-and-classify exercise: (tau_m ms, a nS, tau_w ms, b pA, u_r mV), all at 65 pA.
PATTERN_SETS = {
    "A": (5.0, -0.5, 100.0, 7.0, -55.0),   # the 'bursting' row with a low reset
    "B": (20.0, 1.5, 100.0, 5.0, -55.0),   # the 'adapting' row with a = 1.5 nS
    "C": (5.0, -0.5, 100.0, 7.0, -46.0),   # the 'bursting' row
    "D": (20.0, 0.0, 30.0, 60.0, -55.0),   # the 'tonic' row
}
PATTERN_DURATION = 500 * ms
#: Per-student variants (:mod:`.variants`): the numbers of exercises 1(b), 2 (and with it 3(a)),
#: 4, 5 and 6, whose answers could otherwise be copied. Variant 0 is the sheet's original. Each
#: variant has its own step for a_transient, its own current for the fixed points (every one
#: below I_SN = 56.4 pA, where the lower fixed point is a stable node with real eigenvalues),
#: its own four latency currents (all with a first spike within the 120 ms run), its own b values
#: (0 first: the EIF of the hidden test; the second spike within the 200 ms run) and its own
#: order of the four parameter sets of exercise 6 (set A of one variant is set C of another).
#: Every variant's answers differ from every other's by more than the checks' tolerances
#: (tests/test_variants_sheet04.py). Only values passed to compiled programs change (currents
#: and parameters per neuron), never a simulation's structure, so grading compiles nothing new.
_PATTERN_ROWS = tuple(PATTERN_SETS.values())
VARIANTS = [
    dict(transient_step=step * pA, fixed_point_current=fixed * pA,
         latency_currents=np.array(latency) * pA, b_values=np.array(bs) * pA,
         pattern_sets=tuple(_PATTERN_ROWS[k] for k in order))
    for step, fixed, latency, bs, order in zip(
        (65.0, 60.0, 70.0, 75.0, 58.0, 80.0),
        (40.0, 30.0, 45.0, 35.0, 50.0, 25.0),
        ((40.0, 50.0, 65.0, 100.0), (39.0, 48.0, 60.0, 90.0), (42.0, 55.0, 70.0, 120.0),
         (41.0, 52.0, 75.0, 110.0), (44.0, 58.0, 80.0, 95.0), (45.0, 60.0, 68.0, 85.0)),
        ((0.0, 5.0, 20.0, 60.0), (0.0, 10.0, 30.0, 50.0), (0.0, 8.0, 25.0, 70.0),
         (0.0, 3.0, 15.0, 45.0), (0.0, 12.0, 40.0, 80.0), (0.0, 6.0, 35.0, 55.0)),
        ((0, 1, 2, 3), (2, 3, 0, 1), (1, 0, 3, 2), (3, 2, 1, 0), (1, 3, 0, 2), (2, 0, 3, 1)))]
#: The multiple-choice questions: (right key, {key: option as shown}); each variant shows the
#: options in its own order (variant 0: as listed here).
CHOICES = {
    "focus_choice": ("focus", {
        "node": "a stable node: after a small kick $u$ relaxes to rest without any overshoot, as "
                "it does for $a$ = 1 nS;",
        "focus": "a stable focus: complex eigenvalues, negative real part: a small kick decays in "
                 "a damped oscillation;",
        "saddle": "a saddle: a large $a$ makes rest unstable in one direction, so a small kick "
                  "that way starts spiking;",
        "unstable": "an unstable focus: complex eigenvalues with a positive real part, so the "
                    "neuron starts to oscillate by itself.",
    }),
    "reset_role": ("knee", {
        "smaller_jump": "A lower $u_r$ makes the jump $b$ of $w$ at each spike smaller, so "
                        "adaptation builds up less and the spikes come in one burst instead of a "
                        "regular train.",
        "knee": "From −55 mV the trajectory restarts left of the $u$-nullcline's minimum "
                "(−50 mV) and must go round it, so each jump of $w$ delays the next spike; "
                "from −46 mV it restarts to the right and fires at once.",
        "saddle_node": "A lower $u_r$ raises the saddle-node current above the 65 pA input, so "
                       "after the first few spikes the neuron stops firing and stays at rest.",
        "coupling": "A lower $u_r$ turns the negative $a$ into an effectively positive coupling "
                    "of $u$ and $w$: $w$ then grows while $u$ recovers, which damps every spike "
                    "after the first one and stretches all the later intervals of the train.",
    }),
}


def _variant():
    return active("04")


def _choice(question: str, answer) -> Feedback:
    """A multiple-choice answer (a letter) in the order the student's variant shows."""
    variant = _variant()
    right, _ = CHOICES[question]
    letter = variant.letters(question)[variant.order(question).index(right)]
    return check_choice(answer, letter, variant.letters(question), name=question)

#: The AdEx the student writes in Brian2, in Brette & Gerstner's form (C_m = tau_m/R, g_L = 1/R):
#: three neurons, the 'adapting', 'transient' and 'tonic' rows of the table, spike cut V_T + 5 Delta_T.
WRITTEN_ADEX = dict(C_m=np.array([40.0, 20.0, 40.0]) * pF, g_L=2 * nS, E_L=-70 * mV, V_T=-50 * mV,
                    Delta_T=2 * mV, V_peak=-40 * mV, V_reset=np.array([-55.0, -60.0, -55.0]) * mV,
                    a=np.array([0.0, 1.0, 0.0]) * nS, b=np.array([5.0, 10.0, 60.0]) * pA,
                    tau_w=np.array([100.0, 100.0, 30.0]) * ms)
#: Time step and duration of the written AdEx's check. The student's model runs in Brian2's
#: runtime mode (no compiler, about 80 us per step): 0.05 ms and 150 ms keep the check under
#: half a second, so that a class's sheets grade in time (benchmarks/RESULTS.md), and both
#: models integrate the same equations with the same method, so their spikes still agree
#: within one step (tests/test_checks_lesson04.py, also against the clipped built-in form).
WRITTEN_ADEX_DT = 0.05 * ms
WRITTEN_ADEX_DURATION = 150 * ms
#: Plot task (the phase plane): the 'transient' row with a smaller jump, b = 3 pA, under a 55 pA
#: step from rest (u = E_L, w = 0), 300 ms at dt = 0.02 ms. 55 pA lies below the Hopf current
#: (56.2 pA) and the saddle-node current (56.4 pA): a stable focus and a saddle; four spikes, then
#: rest. The nullclines are asked over PHASE_PLANE_U.
PHASE_PLANE_ROW = dict(tau_m=10 * ms, a=1 * nS, tau_w=100 * ms, b=3 * pA, V_reset=-60 * mV)
PHASE_PLANE_STEP = 55 * pA
PHASE_PLANE_DURATION = 300 * ms
PHASE_PLANE_U = (-75 * mV, -40 * mV)

_R, _EL, _VT, _D = (float(COMMON[k]) for k in ("R", "E_L", "V_T", "Delta_T"))
_VPEAK = _VT + 5 * _D


def _saddle_node_value(a_siemens: float) -> float:
    """I_SN = k (V_T - E_L - Delta_T + Delta_T ln k)/R with k = 1 + aR (amp); NaN for k <= 0."""
    k = 1 + a_siemens * _R
    if k <= 0:
        return float("nan")
    return k * (_VT - _EL - _D + _D * np.log(k)) / _R


def check_adex_saddle_node(saddle_node) -> Feedback:
    """``saddle_node(a)``: the saddle-node current of the table's neurons for coupling ``a``."""
    for a in SADDLE_TEST_A:
        value, problem = call_safely(saddle_node, a * nS, name="saddle_node(a)")
        if problem is not None:
            return problem
        ref = _saddle_node_value(a * 1e-9)
        if np.isnan(ref):
            try:
                arr = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                return Feedback(False, "type", "saddle_node(a) must return a current (amp).")
            if arr.size != 1 or not np.isnan(arr).all():
                return Feedback(False, "concept", "For k = 1 + aR <= 0 the two fixed points never "
                                                  "merge (there is only one): saddle_node(a) "
                                                  "should return NaN amp there.")
            continue
        feedback = check_quantity(value, ref * amp, rtol=1e-6, name="saddle_node(a)")
        if not feedback:
            if a == 0.0 or feedback.kind in ("units", "type", "nan"):
                return feedback
            return Feedback(False, "wrong", "saddle_node(a) is right for a = 0 but not for a != 0: "
                                            "check how k = 1 + aR enters the formula.")
    return Feedback(True, "right", "saddle_node(a) is right.")


@functools.lru_cache(maxsize=None)
def _a_transient_reference(step: float = float(STEP)) -> float:
    """The coupling a (siemens) at which I_SN(a) equals the step (amp; the variant's)."""
    return brentq(lambda a: _saddle_node_value(a) - step, 0.0, 20e-9, xtol=1e-18)


def check_adex_a_transient(a_transient) -> Feedback:
    """Smallest a for which the variant's step (65 pA in variant 0) leaves a fixed point (a
    conductance)."""
    ref = _a_transient_reference(float(_variant().transient_step))
    return check_quantity(a_transient, ref * siemens, rtol=0.002, name="a_transient")


def _fixed_point_reference(a=float(TRANSIENT_ROW["a"]), current=float(FIXED_POINT_CURRENT)):
    """Both roots of -(1 + aR)(u - E_L) + Delta_T exp((u - V_T)/Delta_T) + R I = 0 (volt)."""
    k = 1 + a * _R

    def g(u):
        return -k * (u - _EL) + _D * np.exp((u - _VT) / _D) + _R * current

    u_min = _VT + _D * np.log(k)  # minimum of g: one root on each side
    lower = brentq(g, _EL - 0.1, u_min, xtol=1e-15)
    upper = brentq(g, u_min, _VT + 40 * _D, xtol=1e-15)
    return np.array([lower, upper])


def _fixed_point_current() -> float:
    """The current (amp) of exercises 2 and 3(a) in the active variant (40 pA in variant 0)."""
    return float(_variant().fixed_point_current)


def check_adex_fixed_points(u_fixed) -> Feedback:
    """The two fixed-point voltages of the 'transient' row at the variant's current (40 pA in
    variant 0), lower one first."""
    ref = _fixed_point_reference(current=_fixed_point_current())
    feedback = check_quantity(u_fixed, ref * volt, rtol=2e-4, name="u_fixed")
    if not feedback and feedback.kind not in ("units", "type", "missing", "nan"):
        flipped = check_quantity(np.asarray(u_fixed, dtype=float)[::-1] * volt, ref * volt,
                                 rtol=2e-4, name="u_fixed")
        if flipped:
            return Feedback(False, "order", "u_fixed holds the right values in the wrong order: "
                                            "put the lower fixed point first.")
    return feedback


def _eigenvalues(a, tau_m, tau_w, u):
    """Eigenvalues (1/s, ascending) of the AdEx Jacobian at voltage u, from trace and determinant."""
    j11 = (np.exp((u - _VT) / _D) - 1) / tau_m
    j12, j21, j22 = -_R / tau_m, a / tau_w, -1 / tau_w
    tr, det = j11 + j22, j11 * j22 - j12 * j21
    disc = tr ** 2 / 4 - det
    root = np.sqrt(complex(disc))
    return np.array([tr / 2 - root, tr / 2 + root])


def _rest_eigenvalue_reference(current=float(FIXED_POINT_CURRENT)):
    u_rest = _fixed_point_reference(current=current)[0]
    eig = _eigenvalues(float(TRANSIENT_ROW["a"]), float(TRANSIENT_ROW["tau_m"]),
                       float(TRANSIENT_ROW["tau_w"]), u_rest)
    return np.sort(eig.real)


def check_adex_rest_eigenvalues(eig_rest) -> Feedback:
    """Eigenvalues (Hz, ascending) of the Jacobian at the stable fixed point of the exercise."""
    ref = _rest_eigenvalue_reference(_fixed_point_current())
    answer = eig_rest
    if isinstance(answer, (np.ndarray, list, tuple)) and np.iscomplexobj(np.asarray(answer)):
        arr = np.asarray(answer)
        if np.all(np.abs(arr.imag) < 1e-9 * np.maximum(np.abs(arr.real), 1)):
            return Feedback(False, "type", "eig_rest is complex: these eigenvalues are real; "
                                           "store their real parts, with units (… * Hz).")
    try:
        if isinstance(answer, Quantity) and np.size(answer) == 2:
            answer = np.sort(np.asarray(answer, dtype=float)) * Quantity(1, dim=answer.dim)
    except (TypeError, ValueError):
        pass
    feedback = check_quantity(answer, ref * Hz, rtol=2e-3, name="eig_rest")
    if not feedback and feedback.kind == "wrong" and isinstance(answer, Quantity):
        flipped = np.sort(-np.asarray(answer, dtype=float)) * Quantity(1, dim=answer.dim)
        if check_quantity(flipped, ref * Hz, rtol=2e-3):
            return Feedback(False, "sign", "eig_rest has the wrong sign.")
    if not feedback and feedback.kind == "imprecise":
        at_rest = np.sort(_eigenvalues(float(TRANSIENT_ROW["a"]), float(TRANSIENT_ROW["tau_m"]),
                                       float(TRANSIENT_ROW["tau_w"]), _EL).real)
        if check_quantity(answer, at_rest * Hz, rtol=2e-3):
            return Feedback(False, "concept", "eig_rest looks like the Jacobian at u = u_rest; "
                                              "evaluate it at the fixed point of exercise 2's "
                                              "current.")
    return feedback


def check_adex_focus(choice) -> Feedback:
    """Multiple choice: the kind of the resting state with a = 8 nS (a stable focus)."""
    return _choice("focus_choice", choice)


def _eif_latency(current, tau_m=float(ADAPTING_ROW["tau_m"]), u0=_EL):
    """Time (s) from u0 to the spike cut for the EIF: integral of tau_m du / (f(u) + R I)."""
    value, _ = quad(lambda u: tau_m / (-(u - _EL) + _D * np.exp((u - _VT) / _D) + _R * current),
                    u0, _VPEAK, limit=200, epsabs=1e-13, epsrel=1e-11)
    return value


@functools.lru_cache(maxsize=None)
def _latency_reference(currents=tuple(np.asarray(LATENCY_CURRENTS, dtype=float))):
    """Latencies (s) for the currents (amp, a tuple: the cache's key)."""
    return np.array([_eif_latency(float(I)) for I in currents])


def _as_key(values) -> tuple:
    """A Quantity array as a tuple of floats (SI), for the caches' keys."""
    return tuple(float(x) for x in np.asarray(values, dtype=float).ravel())


def check_adex_latency(latency) -> Feedback:
    """First-spike latencies (ms) of the 'adapting' row for the variant's four currents
    (:data:`LATENCY_CURRENTS` in variant 0)."""
    ref = _latency_reference(_as_key(_variant().latency_currents))
    return check_quantity(latency, ref * second, rtol=0.003, name="latency")


def _spike_train(tau_m, a, tau_w, b, u_r, current, duration, max_spikes=1000):
    """Spike times (s) of the AdEx from rest (u = E_L, w = 0), by solve_ivp between spikes."""

    def rhs(t, y):
        u, w = y
        uc = min(u, _VPEAK)
        return [(-(u - _EL) + _D * np.exp((uc - _VT) / _D) - _R * w + _R * current) / tau_m,
                (a * (uc - _EL) - w) / tau_w]

    def cut(t, y):
        return y[0] - _VPEAK

    cut.terminal, cut.direction = True, 1
    t, y, spikes = 0.0, [_EL, 0.0], []
    while t < duration and len(spikes) < max_spikes:
        sol = solve_ivp(rhs, (t, duration), y, events=cut, method="LSODA", rtol=1e-8,
                        atol=[1e-9, 1e-15])
        if sol.t_events[0].size == 0:
            break
        t = float(sol.t_events[0][0])
        spikes.append(t)
        y = [u_r, float(sol.y_events[0][0][1]) + b]
    return np.array(spikes)


@functools.lru_cache(maxsize=None)
def _first_isi_reference(b_values=tuple(np.asarray(B_VALUES, dtype=float))):
    """First ISIs (s) of the 'adapting' row at 65 pA for the b values (amp, a tuple)."""
    row = {k: float(v) for k, v in ADAPTING_ROW.items()}
    out = []
    for b in b_values:
        train = _spike_train(row["tau_m"], row["a"], row["tau_w"], float(b), row["V_reset"],
                             float(STEP), 0.4, max_spikes=2)
        out.append(train[1] - train[0])
    return np.array(out)


def check_adex_first_isi(first_isi) -> Feedback:
    """First inter-spike interval (ms) of the 'adapting' row at 65 pA for each of the variant's
    four b (:data:`B_VALUES` in variant 0)."""
    ref = _first_isi_reference(_as_key(_variant().b_values))
    return check_quantity(first_isi, ref * second, rtol=0.004, name="first_isi")


@functools.lru_cache(maxsize=None)
def _pattern_reference(sets=_PATTERN_ROWS):
    """The classifier's labels of the parameter sets (rows (tau_m ms, a nS, tau_w ms, b pA,
    u_r mV), in order), from independently integrated spike trains."""
    labels = []
    for tau_m, a, tau_w, b, u_r in sets:
        train = _spike_train(tau_m * 1e-3, a * 1e-9, tau_w * 1e-3, b * 1e-12, u_r * 1e-3,
                             float(STEP), float(PATTERN_DURATION))
        labels.append(classify_pattern(train * second, 0 * ms, PATTERN_DURATION))
    return tuple(labels)


def check_adex_pattern_labels(pattern_labels) -> Feedback:
    """Labels of the classifier for the variant's four parameter sets, in the order A, B, C, D
    (:data:`PATTERN_SETS` in variant 0)."""
    name = "pattern_labels"
    if pattern_labels is None or pattern_labels is Ellipsis:
        return Feedback(False, "missing", f"{name}: no answer yet.")
    if isinstance(pattern_labels, str) or not hasattr(pattern_labels, "__len__"):
        return Feedback(False, "type", f"{name} must be a list of {len(PATTERN_SETS)} strings.")
    labels = list(pattern_labels)
    if len(labels) != len(PATTERN_SETS) or not all(isinstance(x, str) for x in labels):
        return Feedback(False, "type", f"{name} must be a list of {len(PATTERN_SETS)} strings "
                                       "(one label per parameter set, in the order A, B, C, D).")
    unknown = [x for x in labels if x.strip().lower() not in PATTERNS]
    if unknown:
        return Feedback(False, "type", f"{name} contains labels the classifier never returns; use "
                                       f"the names in sfa_helpers.firing_patterns.PATTERNS.")
    ref = _pattern_reference(tuple(tuple(float(x) for x in row) for row in _variant().pattern_sets))
    wrong = [k for k, (x, r) in enumerate(zip(labels, ref)) if x.strip().lower() != r]
    if not wrong:
        return Feedback(True, "right", f"{name} is right.")
    which = ", ".join("ABCD"[k] for k in wrong)
    return Feedback(False, "wrong", f"{len(wrong)} of {len(ref)} labels are not what the classifier "
                                    f"gives (set {which}): simulate 500 ms at dt = 0.02 ms from rest "
                                    "and classify each train on [0, 500 ms).")


def check_adex_reset_role(choice) -> Feedback:
    """Multiple choice: why lowering u_r turns the burster into an adapting neuron."""
    return _choice("reset_role", choice)


# --- exercise 7: the AdEx written in Brian2 ---------------------------------------------------

def written_adex_reference(parameters):
    """The built-in AdEx with the values of a written AdEx (C_m, g_L, E_L, V_T, Delta_T, V_peak,
    V_reset, a, b, tau_w)."""
    from ..models import AdEx

    p = dict(parameters)
    return AdEx(tau_m=p["C_m"] / p["g_L"], g_L=p["g_L"], E_L=p["E_L"], V_T=p["V_T"],
                Delta_T=p["Delta_T"], V_reset=p["V_reset"], V_peak=p["V_peak"], a=p["a"], b=p["b"],
                tau_w=p["tau_w"])


def check_adex_written(equations, threshold, reset, *, parameters=None, cases=None) -> Feedback:
    """The AdEx written in Brian2 strings, in Brette & Gerstner's form with C_m and g_L.

    The check builds the student's model with the built-in AdEx's integration method (its
    ``spec().method``), ``v`` starting at E_L and ``w`` at 0, with :data:`WRITTEN_ADEX` (or
    ``parameters``), and compares its spikes with the built-in AdEx's at dt = 0.05 ms under a
    65 pA step for 150 ms (or ``cases``: (stimulus, duration, description) tuples).
    """
    parameters = dict(WRITTEN_ADEX if parameters is None else parameters)
    if cases is None:
        cases = [(stimuli.step(STEP, 0 * ms), WRITTEN_ADEX_DURATION, "the 65 pA step")]
    reference = written_adex_reference(parameters)
    return check_written_model(equations, threshold, reset, reference=reference,
                               parameters=parameters, cases=cases, method=reference.spec().method,
                               init={"v": parameters["E_L"]}, dt=WRITTEN_ADEX_DT,
                               name="your AdEx", labels=("adex_equations", "adex_threshold", "adex_reset"))


# --- lesson 04, section 5: the phase-plane quiz ------------------------------------------------

#: The lesson's quiz, panel letter -> preset of Table 6.1. Kept here, out of the lesson's view,
#: so that the cell that draws the panels does not give the answers away.
_PHASE_PLANE_QUIZ = {"A": "bursting", "B": "adapting", "C": "tonic", "D": "initial burst"}
#: The patterns a student chooses from.
QUIZ_CHOICES = ("adapting", "bursting", "initial burst", "tonic")


def phase_plane_quiz_panels() -> dict:
    """Panel letter -> ``(model, step current)`` of the four quiz neurons (presets of Table 6.1)."""
    from ..models.presets import FIRING_PATTERNS

    return {letter: (FIRING_PATTERNS[name].model, FIRING_PATTERNS[name].current)
            for letter, name in _PHASE_PLANE_QUIZ.items()}


def check_phase_plane_quiz(answers) -> Feedback:
    """The quiz answers, ``{"A": "bursting", ...}``: says for each panel whether the prediction
    is right, without naming the right pattern of a wrong one."""
    if not isinstance(answers, dict):
        return Feedback(False, "type", "answers must be a dict {'A': pattern, 'B': ..., ...}.")
    lines, right = [], 0
    for letter, correct in _PHASE_PLANE_QUIZ.items():
        given = answers.get(letter)
        if given is None or (isinstance(given, str) and not given.strip()):
            lines.append(f"{letter}: no prediction yet")
        elif not isinstance(given, str) or given.strip().lower() not in QUIZ_CHOICES:
            lines.append(f"{letter}: choose one of {', '.join(QUIZ_CHOICES)}")
        elif given.strip().lower() == correct:
            lines.append(f"{letter}: right")
            right += 1
        else:
            lines.append(f"{letter}: not this one; look at the reset line and b again")
    ok = right == len(_PHASE_PLANE_QUIZ)
    summary = f"{right} of {len(_PHASE_PLANE_QUIZ)} right. " + "; ".join(lines)
    return Feedback(ok, "right" if ok else "wrong", summary)


# --- exercise 8: the phase plane (plot task) ---------------------------------------------------

def _u_nullcline_value(u, current=float(PHASE_PLANE_STEP)):
    """w (amp) on the u-nullcline at u (volt): [-(u - E_L) + Delta_T e^((u - V_T)/Delta_T)]/R + I."""
    u = np.asarray(u, dtype=float)
    return (-(u - _EL) + _D * np.exp(np.minimum((u - _VT) / _D, 700))) / _R + current


def _w_nullcline_value(u, a=float(PHASE_PLANE_ROW["a"])):
    """w (amp) on the w-nullcline at u (volt): a (u - E_L)."""
    return a * (np.asarray(u, dtype=float) - _EL)


#: Where the trajectory is sampled for the check: only where it is slow (|du/dt| below this, in
#: V/s = mV/ms), so that a recording at dt = 0.02 ms (or 0.1 ms) has a sample close to each
#: reference point, at least this far apart in time (s).
_SLOW, _SAMPLE_GAP = 1.0, 1e-3
#: How close (V, A) a drawn point of the trajectory must be to the reference path, in u and in w.
_PATH_UTOL, _PATH_WTOL = 0.15e-3, 0.15e-12
#: The share of the drawn points in the slow part of the plane (|du/dt| < _SLOW there) that may
#: lie off the reference path (none does for a run at dt = 0.02 or 0.1 ms; a "carpet" of points
#: over the plane has most of them off it).
_PATH_STRAY = 0.02


def _du_dt(u, w, current=float(PHASE_PLANE_STEP), tau_m=float(PHASE_PLANE_ROW["tau_m"])):
    """du/dt (V/s) of the plot task's neuron at (u, w) (volt, amp), u clipped at the cut."""
    u = np.minimum(np.asarray(u, dtype=float), _VPEAK)
    return (-(u - _EL) + _D * np.exp((u - _VT) / _D) - _R * np.asarray(w, dtype=float)
            + _R * current) / tau_m


@functools.lru_cache(maxsize=None)
def _trajectory_samples():
    """The plot task's trajectory from ``solve_ivp`` (dense output between spikes, an event at
    the spike cut), not from Brian2: ``(u, w)`` (volt, amp) at times where it moves slowly, at
    least :data:`_SAMPLE_GAP` apart, and ``(u, w)`` every 50 us wherever |du/dt| < 2 _SLOW (the
    path a drawn point in the slow part of the plane must lie on)."""
    row = {k: float(v) for k, v in PHASE_PLANE_ROW.items()}
    tau_m, a, tau_w, b, u_r = (row[k] for k in ("tau_m", "a", "tau_w", "b", "V_reset"))
    current, duration = float(PHASE_PLANE_STEP), float(PHASE_PLANE_DURATION)

    def rhs(t, y):
        u, w = y
        uc = min(u, _VPEAK)
        return [(-(u - _EL) + _D * np.exp((uc - _VT) / _D) - _R * w + _R * current) / tau_m,
                (a * (uc - _EL) - w) / tau_w]

    def cut(t, y):
        return y[0] - _VPEAK

    cut.terminal, cut.direction = True, 1
    t, y, us, ws, dense_u, dense_w = 0.0, [_EL, 0.0], [], [], [], []
    last = -np.inf
    while t < duration:
        sol = solve_ivp(rhs, (t, duration), y, events=cut, method="LSODA", rtol=1e-9,
                        atol=[1e-10, 1e-16], dense_output=True)
        end = float(sol.t_events[0][0]) if sol.t_events[0].size else duration
        grid = np.arange(t, end, 5e-5)
        u, w = sol.sol(grid)
        speed = np.abs(_du_dt(u, w, current, tau_m))
        for k in np.flatnonzero(speed < _SLOW):
            if grid[k] - last >= _SAMPLE_GAP:
                us.append(u[k])
                ws.append(w[k])
                last = grid[k]
        dense_u.append(u[speed < 2 * _SLOW])
        dense_w.append(w[speed < 2 * _SLOW])
        if not sol.t_events[0].size:
            break
        t = end
        y = [u_r, float(sol.y_events[0][0][1]) + b]
    return np.array(us), np.array(ws), np.concatenate(dense_u), np.concatenate(dense_w)


def _trajectory_reference():
    """``(u, w)`` (volt, amp) of the plot task's trajectory at times where it moves slowly."""
    return _trajectory_samples()[:2]


def _draws_the_trajectory(u, w) -> bool:
    """Whether one line or scatter, ``(u, w)`` in SI units, draws the prescribed trajectory: a
    drawn point near every reference point (within _PATH_UTOL in u and _PATH_WTOL in w), and
    the drawn points in the slow part of the plane on the reference path (all but
    :data:`_PATH_STRAY`). The trajectory is a path, not a function of u (it passes the same u
    many times), so it is matched in the plane rather than by :class:`figures.Points`."""
    from scipy.spatial import cKDTree

    finite = np.isfinite(u) & np.isfinite(w)
    u, w = u[finite], w[finite]
    if u.size == 0:
        return False
    ref_u, ref_w, path_u, path_w = _trajectory_samples()
    drawn = np.column_stack([u / _PATH_UTOL, w / _PATH_WTOL])
    gaps, _ = cKDTree(drawn).query(np.column_stack([ref_u / _PATH_UTOL, ref_w / _PATH_WTOL]),
                                   p=np.inf)
    if np.any(gaps > 1):
        return False
    with np.errstate(over="ignore", invalid="ignore"):
        slow = np.abs(_du_dt(u, w)) < _SLOW
    if not np.any(slow):
        return True
    off, _ = cKDTree(np.column_stack([path_u / _PATH_UTOL, path_w / _PATH_WTOL])).query(
        drawn[slow], p=np.inf)
    return np.count_nonzero(off > 1) <= _PATH_STRAY * off.size


def check_adex_phase_plane_figure(fig) -> Feedback:
    """Plot task: the phase plane of the 'transient' row with b = 3 pA under the 55 pA step, on
    one axes with a legend: the u-nullcline and the w-nullcline (closed forms, over
    :data:`PHASE_PLANE_U`) and the simulated trajectory (u(t), w(t)). The trajectory is compared
    in the plane (:func:`_draws_the_trajectory`) where it moves slowly (the jumps at the resets
    and the upstrokes of the spikes are not), so the straight lines a plot of ``result.v[0]``
    against ``result.w[0]`` draws from each spike to its reset do not matter."""
    name = "fig_phase"
    nullclines = [Curve("the u-nullcline", PHASE_PLANE_U, f=lambda u: _u_nullcline_value(u) * amp,
                        rtol=0.01, ytol=0.5 * pA),
                  Curve("the w-nullcline", PHASE_PLANE_U, f=lambda u: _w_nullcline_value(u) * amp,
                        rtol=0.01, ytol=0.5 * pA)]
    trajectory = Path("the trajectory of the prescribed run", volt, amp, _draws_the_trajectory)
    return check_figure(fig, [*nullclines, trajectory], legend=True, name=name)
