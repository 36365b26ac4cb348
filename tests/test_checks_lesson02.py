"""Sheet 02 (refractoriness): every check accepts the right answer, computed here independently
(by simulation or a closed form), and classifies the typical mistakes without showing the answer."""

import re

import numpy as np
import pytest
from brian2 import Hz, Mohm, amp, kHz, mV, ms, nA, pA, second, volt
from scipy.optimize import brentq

from sfa_helpers import analysis, checks, simulate, stimuli
from sfa_helpers.checks import lesson02, variants
from sfa_helpers.models import LIF, ForcedVoltageClamp, ThresholdIncrease

BASE = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=100 * Mohm)
CLAMP = BASE + ForcedVoltageClamp(tau_vc=2.5 * ms)
DT = 0.02 * ms


@pytest.fixture(autouse=True)
def _variant_0(monkeypatch):
    """These tests are about the sheet's original numbers (variant 0; the other variants:
    tests/test_variants_sheet02.py), whatever id the environment or an earlier test picked."""
    monkeypatch.delenv(variants.ENV, raising=False)
    variants._ACTIVE.pop("02", None)
    yield
    variants._ACTIVE.pop("02", None)


def _no_reference_in(message, reference, unit):
    """The message shows no number equal to the reference (in the unit students would use)."""
    values = np.atleast_1d(np.asarray(reference / unit, dtype=float))
    numbers = [float(x) for x in re.findall(r"-?\d+\.\d+|-?\d+", message)]
    return not any(abs(n - v) <= 0.01 * abs(v) + 1e-9 for n in numbers for v in values if v != 0)


def _isi(I, with_clamp=True):
    v_inf = -70 * mV + 100 * Mohm * I
    if v_inf <= -50 * mV:
        return np.inf * second
    T = 10 * ms * np.log((v_inf + 65 * mV) / (v_inf + 50 * mV))
    return T + (2.5 * ms if with_clamp else 0 * ms)


@pytest.fixture(scope="module")
def clamp_sweep():
    return simulate(CLAMP, stimuli.constant(lesson02.CLAMP_CURRENTS), 1 * second, dt=DT, record=())


@pytest.fixture(scope="module")
def mean_run():
    return simulate(CLAMP, stimuli.constant(lesson02.MEAN_V_CURRENTS), 1 * second, dt=DT,
                    record=("v",))


def test_clamp_isi_function():
    assert checks.check_clamp_isi(_isi)
    no_clamp = checks.check_clamp_isi(lambda I: _isi(I, with_clamp=False))
    assert no_clamp.kind == "concept" and "clamp" in no_clamp.message
    zero_below = checks.check_clamp_isi(lambda I: 0 * second if I <= 200 * pA else _isi(I))
    assert zero_below.kind == "concept" and "infinite" in zero_below.message
    assert checks.check_clamp_isi(lambda I: float(_isi(I) / ms)).kind == "units"
    assert checks.check_clamp_isi(lambda I: float(_isi(I) / ms) * second).kind == "factor"
    assert checks.check_clamp_isi(lambda I: 1 / _isi(I)).kind == "units"

    def crashes(I):
        raise ZeroDivisionError("oops")

    assert checks.check_clamp_isi(crashes).kind == "error"
    assert checks.check_clamp_isi(None).kind == "type"

    def not_done(I):
        raise NotImplementedError("not done yet: replace this line")

    fb = checks.check_clamp_isi(not_done)
    assert fb.kind == "missing" and "not done yet" in fb.message


def test_clamp_rates(clamp_sweep):
    rates = analysis.isi_rate(clamp_sweep.spike_trains)
    assert checks.check_clamp_rates(rates)
    # the reference itself: the grid interval lies within one step below the continuous one
    continuous = np.array([float(_isi(I)) for I in lesson02.CLAMP_CURRENTS])
    grid = 1 / np.asarray(lesson02._clamp_rates_on_grid())
    assert np.all((grid <= continuous + 1e-12) & (grid > continuous - float(DT)))
    theory_rates = 1 / continuous * Hz
    assert checks.check_clamp_rates(theory_rates).kind == "imprecise"
    counted = clamp_sweep.rates()                        # spikes / 1 s: latency, whole spikes
    assert not checks.check_clamp_rates(counted)
    assert checks.check_clamp_rates(rates / kHz * Hz).kind == "factor"
    assert checks.check_clamp_rates(np.asarray(rates)).kind == "units"
    assert checks.check_clamp_rates(rates[:-1]).kind == "type"
    fb = checks.check_clamp_rates(rates * 1.02)
    assert fb.kind == "imprecise" and _no_reference_in(fb.message, rates, Hz)
    assert checks.check_clamp_rates(rates * 1.05).kind == "concept"     # above 1/tau_vc


def test_clamp_I90():
    right = brentq(lambda i: float(_isi(i * amp)) - 2.5e-3 / 0.9, 2.01e-10, 1e-6, xtol=1e-18) * amp
    assert abs(right / nA - 5.525) < 0.001
    assert checks.check_clamp_I90(right)
    assert checks.check_clamp_I90(5.6 * nA).kind == "imprecise"
    assert checks.check_clamp_I90(float(right / nA) * pA).kind == "factor"
    assert checks.check_clamp_I90(float(right / nA)).kind == "units"
    assert checks.check_clamp_I90(-right).kind == "sign"
    fb = checks.check_clamp_I90(50 * nA)
    assert fb.kind == "wrong" and _no_reference_in(fb.message, right, nA)


def test_threshold_crossover():
    # by simulation: just below I_cross method 2 fires below 400 Hz, just above it faster (2 %
    # either side: on the 0.02 ms grid an interval is rounded up by up to one step)
    model = BASE + ThresholdIncrease(Theta_max=200 * mV, tau_Theta=1 * ms)
    run = simulate(model, stimuli.constant(np.array([1.62, 1.70]) * nA), 0.3 * second, dt=DT,
                   record=())
    below, above = analysis.isi_rate(run.spike_trains, start=0.1 * second)
    assert below < 400 * Hz < above
    # V_inf (1 - e^{-0.25}) = V_th + 250 mV e^{-2.5} - V_reset e^{-0.25}, worked by hand
    q = np.exp(-0.25)
    right = ((-50 * mV + 250 * mV * np.exp(-2.5) + 65 * mV * q) / (1 - q) + 70 * mV) / (100 * Mohm)
    assert abs(right / nA - 1.656) < 0.001
    assert checks.check_threshold_crossover(right)
    assert checks.check_threshold_crossover(1.7 * nA).kind == "imprecise"
    assert checks.check_threshold_crossover(right / pA * nA).kind == "factor"
    assert checks.check_threshold_crossover(-right).kind == "sign"
    assert checks.check_threshold_crossover(right * 100 * Mohm).kind == "units"
    no_reset = (-50 * mV + 250 * mV * np.exp(-2.5) + 70 * mV) / (100 * Mohm)
    fb = checks.check_threshold_crossover(no_reset)
    assert fb.kind == "concept" and _no_reference_in(fb.message, right, pA)
    fb = checks.check_threshold_crossover(5 * nA)
    assert fb.kind == "wrong" and _no_reference_in(fb.message, right, pA)


def test_mean_v(mean_run):
    simulated = analysis.mean_potential(mean_run, start=0.2 * second)
    assert checks.check_clamp_mean_v(simulated)
    assert checks.check_clamp_mean_v(lesson02._clamp_mean_v())
    free = -70 * mV + 100 * Mohm * lesson02.MEAN_V_CURRENTS
    assert checks.check_clamp_mean_v(free).kind == "concept"
    assert checks.check_clamp_mean_v(simulated / mV * volt).kind == "factor"
    assert checks.check_clamp_mean_v(-simulated).kind == "sign"
    assert checks.check_clamp_mean_v(np.asarray(simulated / mV)).kind == "units"
    fb = checks.check_clamp_mean_v(simulated + 1 * mV)
    assert fb.kind == "imprecise" and _no_reference_in(fb.message, simulated, mV)


@pytest.mark.parametrize("check,right", [(checks.check_threshold_max_rate, "b"),
                                         (checks.check_mean_v_reason, "c")])
def test_choices(check, right):
    assert check(right) and check(f" {right.upper()} ")
    for wrong in sorted(set("abcd") - {right}):
        fb = check(wrong)
        assert fb.kind == "wrong" and f"'{right}'" not in fb.message
    assert check("e").kind == "type"
    assert check(None).kind == "missing"


# --- exercise 8: the clamp's f-I curve, a plot task -------------------------------------------

def _fI_figure(model=CLAMP, dt=DT, points="simulation", line=_isi, xunit=nA, yunit=Hz,
               xlabel="I (nA)", ylabel="rate (Hz)", legend=True, n_line=150):
    """The plot task drawn from a Brian2 run of ``model`` (the check's points come from the
    exact grid interval, its line from theory.lif_time_to_threshold: two other methods) and the
    closed form written out in this file (``_isi``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    currents = lesson02.FI_CURRENTS
    if points == "simulation":
        run = simulate(model, stimuli.constant(currents), 0.5 * second, dt=dt, record=())
        rates = analysis.isi_rate(run.spike_trains)
    else:                                    # the closed form drawn as points
        rates = np.array([float(1 / _isi(I)) for I in currents]) * Hz
    fig, ax = plt.subplots()
    ax.plot(currents / xunit, rates / yunit, "o", label="simulation")
    if line is not None:
        fine = np.geomspace(220, 20000, n_line) * pA
        ax.plot(fine / xunit, [float(1 / line(I) / yunit) for I in fine], label="theory")
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend()
    return fig


@pytest.fixture
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_fI_figure_of_a_brian2_run_passes_in_any_units(_close_figures):
    assert checks.check_clamp_fI_figure(_fI_figure())
    assert checks.check_clamp_fI_figure(_fI_figure(xunit=pA, yunit=kHz, xlabel="current (pA)",
                                                   ylabel="r (kHz)"), _isi)


def _isi_without_clamp(I):
    return _isi(I, with_clamp=False)


@pytest.mark.parametrize("kwargs, kind, words", [
    # another clamp (2 ms): the simulated points are not those of the sheet's neuron
    ({"model": BASE + ForcedVoltageClamp(tau_vc=2 * ms)}, "wrong", "simulated rates"),
    # the default time step (0.1 ms): other grid intervals
    ({"dt": 0.1 * ms}, "wrong", "simulated rates"),
    # the closed form drawn as points instead of the simulation
    ({"points": "theory"}, "wrong", "simulated rates"),
    # the line without the clamp
    ({"line": _isi_without_clamp}, "wrong", "closed form"),
    # no line, or a line through a dozen points only
    ({"line": None}, "wrong", "closed form"),
    ({"n_line": 12}, "wrong", "closed form"),
    # rates in Hz, the label says kHz
    ({"ylabel": "rate (kHz)"}, "wrong", "does not show"),
    ({"ylabel": "rate (ms)"}, "units", "labelled in ms"),
    ({"xlabel": "current"}, "units", "names no unit"),
    ({"legend": False}, "legend", "legend"),
])
def test_fI_figure_mistakes_fail(_close_figures, kwargs, kind, words):
    feedback = checks.check_clamp_fI_figure(_fI_figure(**kwargs), _isi)
    assert not feedback and feedback.kind == kind and words in feedback.message, feedback.message
    rates = lesson02._clamp_rates_on_grid(lesson02.FI_CURRENTS)
    assert _no_reference_in(feedback.message, rates, Hz)


def test_fI_figure_counts_the_students_own_clamp_isi(_close_figures):
    """A wrong clamp_isi of exercise 1 drawn faithfully costs no points here; without that
    function (or with one that is not done) the line must be the closed form."""
    def off(I):                                      # e.g. tau_vc taken as 3 ms
        return _isi(I) + 0.5 * ms

    fig = _fI_figure(line=off)
    assert checks.check_clamp_fI_figure(fig, off)
    assert checks.check_clamp_fI_figure(fig).kind == "wrong"
    assert checks.check_clamp_fI_figure(fig, _isi).kind == "wrong"

    def not_done(I):
        raise NotImplementedError("not done yet: replace this line")

    assert checks.check_clamp_fI_figure(fig, not_done).kind == "wrong"
    assert checks.check_clamp_fI_figure(_fI_figure(), not_done)
    # own function, but the legend is missing: the legend is what is asked for
    assert checks.check_clamp_fI_figure(_fI_figure(line=off, legend=False), off).kind == "legend"


def test_fI_figure_not_a_figure():
    assert checks.check_clamp_fI_figure(None).kind == "missing"
    assert checks.check_clamp_fI_figure(np.zeros(3)).kind == "type"
