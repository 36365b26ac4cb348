"""Sheet 04 checks: right answers pass, typical mistakes get the expected kind of feedback, and
no message shows the reference value. Right answers come from the course's simulations and
phase-plane tools (independent of the check module's quadrature / solve_ivp references)."""

import re

import numpy as np
import pytest
from brian2 import Hz, Mohm, Quantity, amp, mV, ms, nA, nS, pA, pF, second, volt

from sfa_helpers import checks, simulate, stimuli
from sfa_helpers.checks import lesson04
from sfa_helpers.firing_patterns import classify_pattern
from sfa_helpers.models import AdEx
from sfa_helpers.theory.adex import fixed_points, saddle_node_current


def _table(tau_m, a, tau_w, b, V_reset):
    return AdEx(tau_m=tau_m, E_L=-70 * mV, V_T=-50 * mV, Delta_T=2 * mV, V_reset=V_reset, a=a,
                b=b, tau_w=tau_w, R=500 * Mohm)


ADAPTING = _table(20 * ms, 0 * nS, 100 * ms, 5 * pA, -55 * mV)
TRANSIENT = _table(10 * ms, 1 * nS, 100 * ms, 10 * pA, -60 * mV)


def _numbers(text):
    return [float(x) for x in re.findall(r"\d+\.\d+|\d+", text)]


def _hides(message, *values):
    """No number in the message is within 0.5 % of a reference value (in any common unit)."""
    for v in values:
        for scale in (1, 1e3, 1e6, 1e9, 1e12):
            target = abs(v) * scale
            if target == 0:
                continue
            if any(abs(x - target) <= 0.002 * target for x in _numbers(message)):
                return False
    return True


# --- Exercise 1 ----------------------------------------------------------------------------

def _right_saddle(a):
    k = float(1 + a * 500 * Mohm)
    if k <= 0:
        return np.nan * amp
    return saddle_node_current(_table(10 * ms, a, 100 * ms, 0 * pA, -60 * mV))


def test_saddle_node_right_and_mistakes():
    assert checks.check_adex_saddle_node(_right_saddle)

    def no_log(a):
        k = float(1 + a * 500 * Mohm)
        return np.nan * amp if k <= 0 else k * 18 * mV / (500 * Mohm)

    def no_nan(a):
        k = abs(float(1 + a * 500 * Mohm)) + 1e-9
        return k * (18 * mV + 2 * mV * np.log(k)) / (500 * Mohm)

    def plain_float(a):
        return float(_right_saddle(a))

    def in_pA_number(a):
        return _right_saddle(a) / pA * amp

    def crashes(a):
        raise ZeroDivisionError("boom")

    fb = checks.check_adex_saddle_node(no_log)
    assert fb.kind == "wrong" and "a != 0" in fb.message
    assert checks.check_adex_saddle_node(no_nan).kind == "concept"
    assert checks.check_adex_saddle_node(plain_float).kind == "units"
    assert checks.check_adex_saddle_node(in_pA_number).kind == "factor"
    assert checks.check_adex_saddle_node(crashes).kind == "error"
    assert checks.check_adex_saddle_node(None).kind == "type"


def test_a_transient():
    # Independent: bisection on the phase-plane tools' saddle-node current.
    lo, hi = 0.0, 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if float(saddle_node_current(TRANSIENT.replace(a=mid * nS)) / pA) < 65:
            lo = mid
        else:
            hi = mid
    right = lo * nS
    assert checks.check_adex_a_transient(right)
    assert checks.check_adex_a_transient(right * 1.001)
    assert checks.check_adex_a_transient(right * 1.05).kind == "imprecise"
    assert checks.check_adex_a_transient(float(right)).kind == "units"
    assert checks.check_adex_a_transient(float(right) * 1e9 * amp).kind == "units"
    assert checks.check_adex_a_transient(float(right / nS) * 1e-12 * amp / volt).kind == "factor"
    assert checks.check_adex_a_transient(-right).kind == "sign"
    fb = checks.check_adex_a_transient(1.49 * nS)   # the first all-transient column of the map
    assert fb.kind == "imprecise" and _hides(fb.message, float(right))


# --- Exercise 2 and 3 ----------------------------------------------------------------------

def test_fixed_points_and_eigenvalues():
    fps = fixed_points(TRANSIENT, 40 * pA)
    u = Quantity([float(fp.v) for fp in fps], dim=mV.dim)
    assert checks.check_adex_fixed_points(u)
    assert checks.check_adex_fixed_points(u / mV * mV)
    assert checks.check_adex_fixed_points(u[::-1]).kind == "order"
    assert checks.check_adex_fixed_points(np.asarray(u)).kind == "units"
    assert checks.check_adex_fixed_points(np.asarray(u / mV) * volt).kind == "factor"
    assert checks.check_adex_fixed_points(u[:1]).kind == "type"
    # Fixed points at 30 pA instead of 40 pA: right order of magnitude, not right.
    wrong_current = Quantity([float(fp.v) for fp in fixed_points(TRANSIENT, 30 * pA)], dim=mV.dim)
    fb = checks.check_adex_fixed_points(wrong_current)
    assert fb.kind == "imprecise" and _hides(fb.message, *np.asarray(u))

    eig = np.sort(fps[0].eigenvalues.real) * Hz
    assert checks.check_adex_rest_eigenvalues(eig)
    assert checks.check_adex_rest_eigenvalues(eig[::-1])          # order is not graded
    assert checks.check_adex_rest_eigenvalues(np.asarray(eig)).kind == "units"
    assert checks.check_adex_rest_eigenvalues(eig / 1000).kind == "factor"
    assert checks.check_adex_rest_eigenvalues(-eig).kind == "sign"
    assert checks.check_adex_rest_eigenvalues(fps[0].eigenvalues).kind == "type"  # complex
    # Jacobian at u_rest instead of the fixed point.
    at_rest = np.sort(np.linalg.eigvals(np.array([[-100.0, -5e10], [1e-8, -10.0]])).real) * Hz
    assert checks.check_adex_rest_eigenvalues(at_rest).kind == "concept"
    fb = checks.check_adex_rest_eigenvalues(eig * 1.2)
    assert fb.kind == "imprecise" and _hides(fb.message, *np.asarray(eig))


def test_focus_choice_matches_phase_plane():
    fps = fixed_points(TRANSIENT.replace(a=8 * nS), 0 * pA)
    assert fps[0].kind == "stable focus"
    assert checks.check_adex_focus("b") and checks.check_adex_focus(" B ")
    assert checks.check_adex_focus("a").kind == "wrong"
    assert checks.check_adex_focus("e").kind == "type"
    assert checks.check_adex_focus(None).kind == "missing"


# --- Exercises 4 to 6: simulations of the course (one group each) --------------------------

@pytest.fixture(scope="module")
def latency_sim():
    run = simulate(ADAPTING, stimuli.step(lesson04.LATENCY_CURRENTS, 0 * ms), 120 * ms,
                   dt=0.02 * ms, record=())
    return Quantity([float(tr[0]) for tr in run.spike_trains], dim=second.dim)


def test_latency(latency_sim):
    assert checks.check_adex_latency(latency_sim)
    assert checks.check_adex_latency(latency_sim / ms * ms)
    assert checks.check_adex_latency(np.asarray(latency_sim / ms)).kind == "units"
    assert checks.check_adex_latency(np.asarray(latency_sim / ms) * second).kind == "factor"
    # Latency of the 0.1 ms-step EIF is off by up to 0.1 ms: at 100 pA that is too imprecise?
    fb = checks.check_adex_latency(latency_sim * 1.02)
    assert fb.kind == "imprecise" and _hides(fb.message, *np.asarray(latency_sim))
    assert checks.check_adex_latency(latency_sim[:3]).kind == "type"


@pytest.fixture(scope="module")
def first_isi_sim():
    run = simulate(ADAPTING.replace(b=lesson04.B_VALUES), stimuli.step(65 * pA, 0 * ms), 200 * ms,
                   dt=0.02 * ms, record=())
    return Quantity([float(tr[1] - tr[0]) for tr in run.spike_trains], dim=second.dim)


def test_first_isi(first_isi_sim):
    assert checks.check_adex_first_isi(first_isi_sim)
    # A typical slip: the time of the second spike instead of the interval.
    run = simulate(ADAPTING.replace(b=lesson04.B_VALUES), stimuli.step(65 * pA, 0 * ms), 200 * ms,
                   dt=0.02 * ms, record=())
    second_spike = Quantity([float(tr[1]) for tr in run.spike_trains], dim=second.dim)
    assert not checks.check_adex_first_isi(second_spike)
    assert checks.check_adex_first_isi(np.asarray(first_isi_sim)).kind == "units"
    assert checks.check_adex_first_isi(first_isi_sim * 1000).kind == "factor"


def test_pattern_labels():
    sets = np.array(list(lesson04.PATTERN_SETS.values()))
    quartet = _table(sets[:, 0] * ms, sets[:, 1] * nS, sets[:, 2] * ms, sets[:, 3] * pA,
                     sets[:, 4] * mV)
    run = simulate(quartet, stimuli.step(65 * pA, 0 * ms), 500 * ms, dt=0.02 * ms, record=())
    labels = [classify_pattern(tr, 0 * ms, 500 * ms) for tr in run.spike_trains]
    assert labels == ["adapting", "transient", "bursting", "tonic"]
    assert checks.check_adex_pattern_labels(labels)
    assert checks.check_adex_pattern_labels(tuple(x.upper() for x in labels))
    swapped = [labels[2], labels[1], labels[0], labels[3]]
    fb = checks.check_adex_pattern_labels(swapped)
    assert fb.kind == "wrong" and fb.message.startswith("2 of 4")
    assert "bursting" not in fb.message and "adapting" not in fb.message
    assert checks.check_adex_pattern_labels(labels[:3]).kind == "type"
    assert checks.check_adex_pattern_labels("adapting").kind == "type"
    assert checks.check_adex_pattern_labels(["adapting", "transient", "burst", "tonic"]).kind == "type"
    assert checks.check_adex_pattern_labels(None).kind == "missing"


def test_reset_role():
    assert checks.check_adex_reset_role("b")
    for wrong in "acd":
        assert checks.check_adex_reset_role(wrong).kind == "wrong"


# --- exercise 7: the AdEx written in Brian2 ------------------------------------------------

ADEX_RIGHT = ("dv/dt = (-g_L*(v - E_L) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w + I_total)/C_m : volt\n"
              "dw/dt = (a*(v - E_L) - w)/tau_w : amp",
              "v > V_peak", "v = V_reset\nw += b")
#: The built-in's form, v clipped at the spike cut inside the exponential: also right.
ADEX_CLIPPED = ("dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((clip(v, -inf*volt, V_peak) - V_T)/Delta_T)"
                " - w + I_total)/C_m : volt\n"
                "dw/dt = (a*(clip(v, -inf*volt, V_peak) - E_L) - w)/tau_w : amp",
                "v > V_peak", "v = V_reset\nw += b")
#: Other values and an input the student has not seen, as in the sheet's hidden test.
ADEX_HIDDEN = dict(C_m=[281, 200] * pF, g_L=[30, 10] * nS, E_L=[-70.6, -65] * mV,
                   V_T=[-50.4, -52] * mV, Delta_T=[2, 3] * mV, V_peak=[-40.4, -37] * mV,
                   V_reset=[-70.6, -58] * mV, a=[4, 2] * nS, b=[80.5, 40] * pA, tau_w=[144, 80] * ms)


def _adex_hidden_cases():
    return [(stimuli.ramp([1.5, 0.6] * nA, 0 * ms, 200 * ms) + stimuli.sine(0.2 * nA, 8 * Hz),
             200 * ms, "a ramp with a sine on top")]


def test_written_adex_reference_is_the_sheets_rows():
    ref = lesson04.written_adex_reference(lesson04.WRITTEN_ADEX)
    for k, row in enumerate((ADAPTING, TRANSIENT)):
        for name in ("tau_m", "R", "a", "b", "tau_w", "V_reset", "V_peak"):
            values = np.asarray(getattr(ref, name), dtype=float)
            assert np.isclose(values.flat[k] if values.size > 1 else float(values),
                              float(getattr(row, name)), rtol=1e-9, atol=1e-30), name
    assert ref.spec().method == ADAPTING.spec().method


@pytest.mark.parametrize("answer", [ADEX_RIGHT, ADEX_CLIPPED], ids=["textbook", "clipped"])
def test_written_adex_right_answers_pass_visible_and_hidden(answer):
    assert checks.check_adex_written(*answer)
    hidden = checks.check_adex_written(*answer, parameters=ADEX_HIDDEN, cases=_adex_hidden_cases())
    assert hidden, hidden.message


def test_written_adex_hidden_input_makes_both_neurons_adapt():
    ref = simulate(lesson04.written_adex_reference(ADEX_HIDDEN), _adex_hidden_cases()[0][0],
                   200 * ms, dt=lesson04.WRITTEN_ADEX_DT, record=())
    assert all(len(train) >= 5 for train in ref.spike_trains)


def test_written_adex_hard_coded_numbers_pass_visible_fail_hidden():
    hard = ("dv/dt = (2*nS*(-70*mV - v) + 2*nS*2*mV*exp((v + 50*mV)/(2*mV)) - w + I_total)/C_m : volt\n"
            "dw/dt = (a*(v + 70*mV) - w)/tau_w : amp",
            "v > -40*mV", "v = V_reset\nw += b")
    visible = checks.check_adex_written(*hard)
    assert visible and "numbers with units" in visible.message
    hidden = checks.check_adex_written(*hard, parameters=ADEX_HIDDEN, cases=_adex_hidden_cases())
    assert not hidden and hidden.kind == "wrong"


@pytest.mark.parametrize("answer,kind,phrase", [
    ((ADEX_RIGHT[0], ADEX_RIGHT[1], "v = V_reset"), "wrong", "more spikes"),       # reset misses w
    ((ADEX_RIGHT[0], ADEX_RIGHT[1], ""), "missing", "adex_reset"),
    (("", ADEX_RIGHT[1], ADEX_RIGHT[2]), "missing", "adex_equations"),             # empty string
    ((ADEX_RIGHT[0].replace("-g_L*(v - E_L)", "g_L*(v - E_L)"), ADEX_RIGHT[1], ADEX_RIGHT[2]),
     "wrong", "more spikes"),                                                       # leak sign
    ((ADEX_RIGHT[0].replace("- w + I_total", "- w*mV + I_total"), ADEX_RIGHT[1], ADEX_RIGHT[2]),
     "units", "inconsistent units"),                                                # unit error
    ((ADEX_RIGHT[0], "v > V_peak*mV", ADEX_RIGHT[2]), "units", "units"),
    ((ADEX_RIGHT[0].replace("exp((v", "exp(v"), ADEX_RIGHT[1], ADEX_RIGHT[2]), "syntax",
     "adex_equations"),                                                             # syntax error
    ((ADEX_RIGHT[0].replace("C_m", "C"), ADEX_RIGHT[1], ADEX_RIGHT[2]), "name", "C_m, Delta_T"),
])
def test_written_adex_mistakes(answer, kind, phrase):
    feedback = checks.check_adex_written(*answer)
    assert not feedback and feedback.kind == kind, feedback.message
    assert phrase in feedback.message, feedback.message


def test_written_adex_pasted_builtin_code_fails():
    code = ADAPTING.brian2_code()
    pasted = checks.check_adex_written(code.equations, code.threshold, code.reset)
    assert not pasted and pasted.kind == "input"
    lines = "\n".join(line for line in code.equations.splitlines() if line.strip().startswith("d"))
    fb = checks.check_adex_written(lines, code.threshold, code.reset)
    assert not fb and fb.kind == "name"


def test_phase_plane_quiz_check_is_right_about_the_simulated_patterns():
    """The quiz's answers are the patterns the panels' neurons really fire (simulated and
    classified here), and the check says right/wrong per panel without naming the answer."""
    from sfa_helpers import simulate, stimuli
    from sfa_helpers.firing_patterns import classify_pattern

    panels = lesson04.phase_plane_quiz_panels()
    truth = {}
    for letter, (model, current) in panels.items():
        run = simulate(model, stimuli.step(current, 0 * ms), 500 * ms, dt=0.02 * ms, record=())
        truth[letter] = classify_pattern(run.spike_trains[0], 0 * ms, 500 * ms)
    assert set(truth.values()) == set(lesson04.QUIZ_CHOICES)  # four different patterns
    assert checks.check_phase_plane_quiz(truth)
    wrong = dict(truth, A=next(c for c in lesson04.QUIZ_CHOICES if c != truth["A"]))
    fb = checks.check_phase_plane_quiz(wrong)
    assert not fb and "A: not this one" in fb.message and "B: right" in fb.message
    assert truth["A"] not in fb.message.split("A:")[1].split(";")[0]  # no answer given away
    empty = checks.check_phase_plane_quiz({"A": "", "B": None, "C": "tonic?", "D": "Tonic"})
    assert not empty and "A: no prediction yet" in empty.message and "choose one of" in empty.message
    assert checks.check_phase_plane_quiz(["bursting"]).kind == "type"


# --- Exercise 8: the phase plane (plot task) -------------------------------------------------

def _phase_plane_figure(b=3 * pA, current=55 * pA, nullcline_current=55 * pA, u_unit=mV,
                        w_unit=pA, u_label="u (mV)", w_label="w (pA)", curves=("u", "w", "traj"),
                        legend=True, dt=0.02 * ms):
    """The plot task's figure drawn from a Brian2 run and the phase-plane tools' nullclines (the
    check's references are solve_ivp and the closed forms written out: two methods)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sfa_helpers.theory.adex import v_nullcline, w_nullcline

    model = _table(10 * ms, 1 * nS, 100 * ms, b, -60 * mV)
    run = simulate(model, stimuli.step(current, 0 * ms), 300 * ms, dt=dt, record=("v", "w"))
    u = np.linspace(-76, -40, 250) * mV
    fig, ax = plt.subplots()
    if "u" in curves:
        ax.plot(u / u_unit, v_nullcline(model, nullcline_current, u) / w_unit, label="u-nullcline")
    if "w" in curves:
        ax.plot(u / u_unit, w_nullcline(model, u) / w_unit, label="w-nullcline")
    if "traj" in curves:
        ax.plot(run.v[0] / u_unit, run.w[0] / w_unit, lw=0.8, label="trajectory")
    ax.set_ylim(-5 * pA / w_unit, 40 * pA / w_unit)
    ax.set_xlabel(u_label)
    ax.set_ylabel(w_label)
    if legend:
        ax.legend()
    return fig


def test_phase_plane_figure_of_a_brian2_run_passes_in_any_units():
    assert checks.check_adex_phase_plane_figure(_phase_plane_figure())
    assert checks.check_adex_phase_plane_figure(_phase_plane_figure(
        u_unit=volt, w_unit=nA, u_label="membrane potential u (V)", w_label="w (nA)"))
    # the default time step: the same path in the plane, a few samples fewer
    assert checks.check_adex_phase_plane_figure(_phase_plane_figure(dt=0.1 * ms))
    import matplotlib.pyplot as plt

    plt.close("all")


def test_phase_plane_figure_carpet_of_points_fails():
    """The trajectory is a path in the plane: a 'carpet' of points over the plane (one of which
    is near every reference point) is not it, nor is the trajectory drawn with a carpet in the
    same scatter; the run's path drawn as a scatter is."""
    import matplotlib.pyplot as plt

    fig = _phase_plane_figure(curves=("u", "w"))
    ax = fig.axes[0]
    u, w = np.meshgrid(np.arange(-70, -44, 0.1), np.arange(-1, 25, 0.1))
    ax.scatter(u.ravel(), w.ravel(), s=1, label="trajectory")
    ax.legend()
    feedback = checks.check_adex_phase_plane_figure(fig)
    assert not feedback and "trajectory" in feedback.message, feedback.message
    model = _table(10 * ms, 1 * nS, 100 * ms, 3 * pA, -60 * mV)
    run = simulate(model, stimuli.step(55 * pA, 0 * ms), 300 * ms, dt=0.02 * ms, record=("v", "w"))
    path = np.column_stack([np.asarray(run.v[0] / mV), np.asarray(run.w[0] / pA)])
    both = _phase_plane_figure(curves=("u", "w"))
    both.axes[0].scatter(*np.vstack([path, np.column_stack([u.ravel(), w.ravel()])]).T, s=1,
                         label="trajectory")
    both.axes[0].legend()
    assert not checks.check_adex_phase_plane_figure(both)
    alone = _phase_plane_figure(curves=("u", "w"))
    alone.axes[0].scatter(*path.T, s=1, label="trajectory")
    alone.axes[0].legend()
    assert checks.check_adex_phase_plane_figure(alone)
    assert checks.check_adex_phase_plane_figure(alone.axes[0])  # the axes instead of the figure
    plt.close("all")


def test_phase_plane_reference_trajectory_is_the_runs_four_spikes_and_rest():
    u, w = lesson04._trajectory_reference()
    assert u.size > 100 and np.all(np.isfinite(u)) and np.all(np.isfinite(w))
    rest = fixed_points(_table(10 * ms, 1 * nS, 100 * ms, 3 * pA, -60 * mV), 55 * pA)[0]
    assert rest.kind == "stable focus"
    assert abs(u[-1] - float(rest.v)) < 1e-4 and abs(w[-1] - float(rest.w)) < 0.05e-12


@pytest.mark.parametrize("kwargs, words", [
    ({"b": 3.2 * pA}, "trajectory"),                          # another parameter
    ({"current": 54 * pA}, "trajectory"),                     # another step
    ({"nullcline_current": 0 * pA}, "u-nullcline"),           # the nullcline without the input
    ({"nullcline_current": 65 * pA}, "u-nullcline"),
    ({"w_unit": pA, "w_label": "w (nA)"}, "does not show"),   # numbers in pA, label says nA
    ({"u_label": "membrane potential"}, "names no unit"),
    ({"curves": ("u", "traj")}, "w-nullcline"),
    ({"curves": ("u", "w")}, "trajectory"),
    ({"legend": False}, "legend"),
])
def test_phase_plane_figure_mistakes_fail(kwargs, words):
    feedback = checks.check_adex_phase_plane_figure(_phase_plane_figure(**kwargs))
    assert not feedback and words in feedback.message, feedback.message
    assert _hides(feedback.message, 55e-12, -0.0507505, 19.2495e-12), feedback.message
    import matplotlib.pyplot as plt

    plt.close("all")
