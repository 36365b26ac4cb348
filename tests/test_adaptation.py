"""Adaptation mechanisms (lesson 03) against independent truth.

* Limiting case: a jump of 0 reproduces the plain LIF spike train exactly.
* Closed form: the periodic (adapted) firing of a LIF with an adaptive threshold or an
  adaptation current has an inter-spike interval T that solves an explicit equation (derived in
  the test helpers below, solved with scipy's brentq). The simulation lives on a 0.1 ms grid, so
  its last interval must be within one to two steps of T.
* Mean-adaptation theory (sfa_helpers.theory.adaptation) against the core LIF formula and
  against simulation.
* NEST: see test_adaptation_nest.py.
"""

import numpy as np
import pytest
from brian2 import DimensionMismatchError, Hz, Mohm, mV, ms, nS, pA, pF, second
from scipy.optimize import brentq

from sfa_helpers import analysis, simulate, stimuli, theory
from sfa_helpers.theory.adaptation import adaptive_lif_rate, mean_adaptation
from sfa_helpers.models import (LIF, AdaptationCurrent, AdaptiveThreshold, ConductanceSRA,
                                ThresholdIncrease)

DT = 0.1 * ms
DURATION = 1000 * ms
# Two neurons without and two with adaptation, at two currents (one NeuronGroup per model).
CURRENTS = np.array([500.0, 1000.0, 500.0, 1000.0]) * pA
# Lesson 03 Part A (NEST iaf_psc_alpha defaults)
TAU_M, E_L, V_TH, V_RESET, T_REF, C_M = 10 * ms, -70 * mV, -55 * mV, -70 * mV, 2 * ms, 250 * pF
R = float(TAU_M / C_M)


def lif():
    return LIF(tau_m=TAU_M, E_L=E_L, V_th=V_TH, V_reset=V_RESET, t_ref=T_REF, C_m=C_M)


def run(model, record=()):
    return simulate(model, stimuli.constant(CURRENTS), DURATION, dt=DT, record=record, seed=3)


@pytest.fixture(scope="module")
def plain():
    return run(lif())


def periodic_isi_threshold(I, tau_theta, delta_theta):
    """Adapted ISI T (s) of a LIF with an adaptive threshold, continuous time.

    Just after a spike the threshold is V_th + A with A = Delta / (1 - exp(-T/tau)) (the sum of
    all past jumps at period T). V is clamped at V_reset for t_ref, then relaxes to
    V_inf = E_L + R I. The next spike is at V(T) = V_th + A exp(-T/tau)."""
    tm, EL, Vt, Vr, tr = (float(x) for x in (TAU_M, E_L, V_TH, V_RESET, T_REF))
    v_inf = EL + R * I

    def f(T):
        A = delta_theta / (1 - np.exp(-T / tau_theta))
        v = v_inf + (Vr - v_inf) * np.exp(-(T - tr) / tm)
        return v - (Vt + A * np.exp(-T / tau_theta))

    return brentq(f, tr + 1e-6, 1.0)


def periodic_isi_current(I, tau_sfa, delta_i):
    """Adapted ISI T (s) of a LIF with an adaptation current, continuous time.

    Just after a spike I_sfa = B = Delta / (1 - exp(-T/tau_s)); it decays during the clamp to
    B' = B exp(-t_ref/tau_s). With u = s - t_ref the time since the end of the clamp,
    tau_m dV/du = -(V - E_L) + R (I - B' exp(-u/tau_s)), V(0) = V_reset, whose solution is
    V(u) = V_inf + (V_reset - V_inf) e^{-u/tau_m} + C (e^{-u/tau_s} - e^{-u/tau_m}) with
    C = -R B' tau_s / (tau_s - tau_m). The next spike is at V(T - t_ref) = V_th."""
    tm, EL, Vt, Vr, tr = (float(x) for x in (TAU_M, E_L, V_TH, V_RESET, T_REF))
    v_inf = EL + R * I

    def f(T):
        B = delta_i / (1 - np.exp(-T / tau_sfa)) * np.exp(-tr / tau_sfa)
        C = -R * B * tau_sfa / (tau_sfa - tm)
        u = T - tr
        return v_inf + (Vr - v_inf) * np.exp(-u / tm) + C * (np.exp(-u / tau_sfa) - np.exp(-u / tm)) - Vt

    return brentq(f, tr + 1e-6, 1.0)


# --- limiting case and closed forms ---------------------------------------------------------

def test_adaptive_threshold_zero_jump_is_plain_lif_and_periodic_isi(plain):
    model = lif() + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=np.array([0, 0, 2, 2]) * mV)
    res = run(model, record=("v", "Theta"))
    for k in (0, 1):
        np.testing.assert_array_equal(np.asarray(res.spike_trains[k]), np.asarray(plain.spike_trains[k]))
        np.testing.assert_allclose(np.asarray(res.Theta[k]), float(V_TH), rtol=0, atol=1e-15)
    for k in (2, 3):
        assert len(res.spike_trains[k]) < len(plain.spike_trains[k])
        last_isi = float(np.diff(np.asarray(res.spike_trains[k]))[-1])
        expected = periodic_isi_threshold(float(CURRENTS[k]), 0.1, 2e-3)
        # grid: the crossing is detected up to one step late, and the clamp ends one step early
        assert abs(last_isi - expected) <= 1.0 * float(DT) + 1e-9, (last_isi, expected)
    # Theta starts at V_th and jumps by Delta_Theta in the step of each spike
    theta = np.asarray(res.Theta[2])
    k_spike = int(round(float(res.spike_trains[2][1]) / float(DT)))
    jump = theta[k_spike + 1] - theta[k_spike] * 1.0
    decay = np.exp(-float(DT) / 0.1)
    expected_jump = (theta[k_spike] - float(V_TH)) * (decay - 1) + 2e-3
    assert theta[0] == pytest.approx(float(V_TH))
    assert jump == pytest.approx(expected_jump, rel=1e-6)


def test_adaptation_current_zero_jump_is_plain_lif_and_periodic_isi(plain):
    model = lif() + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=np.array([0, 0, 100, 100]) * pA)
    res = run(model, record=("I_sfa",))
    for k in (0, 1):
        np.testing.assert_allclose(np.asarray(res.spike_trains[k]), np.asarray(plain.spike_trains[k]),
                                   rtol=0, atol=1e-12)
        assert np.all(np.asarray(res.I_sfa[k]) == 0)
    for k in (2, 3):
        assert len(res.spike_trains[k]) < len(plain.spike_trains[k])
        last_isi = float(np.diff(np.asarray(res.spike_trains[k]))[-1])
        expected = periodic_isi_current(float(CURRENTS[k]), 0.1, 100e-12)
        # grid (one step) plus holding I_sfa over each step: V error ~ R Delta dt/tau_sfa
        assert abs(last_isi - expected) <= 1.5 * float(DT), (last_isi, expected)
    # the current decays with tau_sfa between spikes
    i_sfa = np.asarray(res.I_sfa[3])
    k_spike = int(round(float(res.spike_trains[3][-1]) / float(DT)))
    segment = i_sfa[k_spike + 2:k_spike + 12]
    np.testing.assert_allclose(segment[1:] / segment[:-1], np.exp(-float(DT) / 0.1), rtol=1e-9)


def test_conductance_sra_zero_jump_is_plain_lif_and_adapts(plain):
    model = lif() + ConductanceSRA(tau_SRA=100 * ms, Delta_G_SRA=np.array([0, 0, 5, 5]) * nS, E_K=-80 * mV)
    res = run(model, record=("G_SRA",))
    for k in (0, 1):
        np.testing.assert_allclose(np.asarray(res.spike_trains[k]), np.asarray(plain.spike_trains[k]),
                                   rtol=0, atol=1e-12)
    for k in (2, 3):
        isi = np.diff(np.asarray(res.spike_trains[k]))
        assert isi[-1] > isi[0] * 1.2  # adaptation: intervals lengthen
    # mean conductance during steady firing equals tau_SRA * Delta_G_SRA * rate (exact for a
    # periodic train: each jump contributes Delta * tau to the integral)
    st = np.asarray(res.spike_trains[3])
    t0, t1 = st[-6], st[-1]
    t = np.asarray(res.t)
    sel = (t >= t0 + 0.5 * float(DT)) & (t < t1 + 0.5 * float(DT))
    measured = np.mean(np.asarray(res.G_SRA[3])[sel])
    predicted = 0.1 * 5e-9 * 5 / (t1 - t0)
    assert measured == pytest.approx(predicted, rel=0.02)


# --- mean-adaptation theory -------------------------------------------------------------------

def test_theory_without_adaptation_is_lif_rate():
    currents = np.linspace(300, 1000, 8) * pA
    for mech in (AdaptationCurrent(100 * ms, 0 * pA), AdaptiveThreshold(100 * ms, 0 * mV),
                 ConductanceSRA(100 * ms, 0 * nS, -80 * mV)):
        np.testing.assert_allclose(np.asarray(adaptive_lif_rate(lif() + mech, currents)),
                                   np.asarray(theory.lif_rate(lif(), currents)), rtol=1e-9)


def test_theory_solves_self_consistency_with_core_lif_formula():
    # (away from rheobase: there lif_rate(I - <I_sfa>) is too steep to evaluate at the solution)
    currents = np.array([600.0, 800.0, 1000.0]) * pA
    model = lif() + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=100 * pA)
    rates = adaptive_lif_rate(model, currents)
    mean_i = mean_adaptation(model, rates)["I_sfa"]
    np.testing.assert_allclose(np.asarray(theory.lif_rate(lif(), currents - mean_i)),
                               np.asarray(rates), rtol=1e-8)
    thr = lif() + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV)
    r_thr = adaptive_lif_rate(thr, currents)
    shifted = lif().replace(V_th=mean_adaptation(thr, r_thr)["Theta"])
    np.testing.assert_allclose(np.asarray(theory.lif_rate(shifted, currents)), np.asarray(r_thr),
                               rtol=1e-8)
    assert np.all(np.asarray(rates) < np.asarray(theory.lif_rate(lif(), currents)))


def test_theory_linearises_near_rheobase():
    """Just above rheobase the LIF rate rises with infinite slope, so the adapted rate is set by
    the adaptation alone: I - tau Delta r = I_th, i.e. r = (I - I_th)/(tau_sfa Delta_I_sfa)."""
    model = lif() + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=100 * pA)
    i_th = theory.lif_rheobase(lif())
    currents = i_th + np.array([5.0, 10.0, 20.0]) * pA
    expected = (currents - i_th) / (100 * ms * 100 * pA)
    np.testing.assert_allclose(np.asarray(adaptive_lif_rate(model, currents)), np.asarray(expected),
                               rtol=1e-3)
    assert float(adaptive_lif_rate(model, i_th - 1 * pA)) == 0.0


def test_theory_matches_simulated_steady_state():
    """Slow adaptation (tau 1 s) makes the mean-adaptation approximation accurate: within 3 %."""
    currents = np.array([500.0, 700.0, 1000.0]) * pA
    model = lif() + AdaptationCurrent(tau_sfa=1000 * ms, Delta_I_sfa=10 * pA)
    res = simulate(model, stimuli.constant(currents), 6000 * ms, dt=DT, record=(), seed=0)
    simulated = analysis.isi_rate(res.spike_trains, start=5000 * ms)
    predicted = adaptive_lif_rate(model, currents)
    np.testing.assert_allclose(np.asarray(simulated), np.asarray(predicted), rtol=0.03)


def test_theory_bad_input():
    with pytest.raises(DimensionMismatchError, match="currents"):
        adaptive_lif_rate(lif(), 5 * mV)
    with pytest.raises(TypeError, match="ThresholdIncrease"):
        adaptive_lif_rate(lif().replace(V_reset=-60 * mV) + ThresholdIncrease(0 * mV, 1 * ms), 1 * pA)
    with pytest.raises(ValueError, match="neurons"):
        adaptive_lif_rate(lif().replace(tau_m=[10, 20] * ms), [1, 2, 3] * pA)


# --- validation -------------------------------------------------------------------------------

@pytest.mark.parametrize("factory, kwargs, name", [
    (AdaptiveThreshold, dict(tau_Theta=-1 * ms, Delta_Theta=2 * mV), "tau_Theta"),
    (AdaptiveThreshold, dict(tau_Theta=100 * ms, Delta_Theta=-2 * mV), "Delta_Theta"),
    (AdaptiveThreshold, dict(tau_Theta=float("nan") * ms, Delta_Theta=2 * mV), "tau_Theta"),
    (AdaptationCurrent, dict(tau_sfa=0 * ms, Delta_I_sfa=1 * pA), "tau_sfa"),
    (AdaptationCurrent, dict(tau_sfa=100 * ms, Delta_I_sfa=np.array([]) * pA), "Delta_I_sfa"),
    (ConductanceSRA, dict(tau_SRA=100 * ms, Delta_G_SRA=-1 * nS, E_K=-80 * mV), "Delta_G_SRA"),
])
def test_bad_values_name_the_parameter(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)


@pytest.mark.parametrize("factory, kwargs, name", [
    (AdaptiveThreshold, dict(tau_Theta=100 * ms, Delta_Theta=2 * pA), "Delta_Theta"),
    (AdaptationCurrent, dict(tau_sfa=100, Delta_I_sfa=1 * pA), "tau_sfa"),
    (ConductanceSRA, dict(tau_SRA=100 * ms, Delta_G_SRA=1 * nS, E_K=-80 * pA), "E_K"),
])
def test_wrong_units_name_the_parameter(factory, kwargs, name):
    with pytest.raises(DimensionMismatchError, match=name):
        factory(**kwargs)


def test_combination_rules():
    model = lif() + AdaptationCurrent(100 * ms, 10 * pA) + AdaptiveThreshold(100 * ms, 1 * mV)
    assert set(model.spec().recordable) >= {"v", "I_sfa", "Theta"}
    assert model.replace(Delta_Theta=3 * mV).Delta_Theta == 3 * mV
    with pytest.raises(ValueError, match="Delta_Theta"):
        model.replace(Delta_Theta=-1 * mV)
    with pytest.raises(ValueError):  # two mechanisms of the same kind
        lif() + AdaptiveThreshold(100 * ms, 1 * mV) + AdaptiveThreshold(50 * ms, 1 * mV)
    with pytest.raises(ValueError, match="same length"):
        lif().replace(tau_m=[10, 20] * ms) + AdaptiveThreshold([100, 50, 20] * ms, 1 * mV)
    with pytest.raises(ValueError, match="Cannot record 'I_sfa'"):
        simulate(lif() + AdaptiveThreshold(100 * ms, 1 * mV), stimuli.constant(1 * pA), 10 * ms,
                 record=("I_sfa",))
    with pytest.raises(ValueError, match="tau_Theta"):  # dt must resolve the new time constant
        simulate(lif() + AdaptiveThreshold(0.05 * ms, 1 * mV), stimuli.constant(1 * pA), 10 * ms)


# --- analysis helpers -------------------------------------------------------------------------

def test_first_and_steady_state_isi_rates():
    trains = [np.array([0.1, 0.11, 0.13, 0.16, 0.20, 0.24]) * second, np.array([0.3]) * second,
              np.array([]) * second]
    first = analysis.first_isi_rate(trains)
    last = analysis.steady_state_isi_rate(trains)
    two = analysis.steady_state_isi_rate(trains, n_last=2)
    assert float(first[0]) == pytest.approx(100.0)
    assert float(last[0]) == pytest.approx(25.0)
    assert float(two[0]) == pytest.approx(25.0)
    assert np.isnan(float(first[1])) and np.isnan(float(last[1]))  # one spike: no interval
    assert float(first[2]) == 0 and float(last[2]) == 0
    windowed = analysis.first_isi_rate(trains, start=0.12 * second, stop=0.21 * second)
    assert float(windowed[0]) == pytest.approx(1 / 0.03)
    with pytest.raises(DimensionMismatchError, match="spike_trains"):
        analysis.first_isi_rate([np.array([1.0, 2.0]) * mV])
    with pytest.raises(ValueError, match="n_last"):
        analysis.steady_state_isi_rate(trains, n_last=0)
    with pytest.raises(ValueError, match="stop"):
        analysis.first_isi_rate(trains, start=1 * second, stop=0.5 * second)


def test_mean_potential_matches_subthreshold_closed_form():
    model = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=100 * Mohm)
    res = simulate(model, stimuli.constant([0, 100] * pA), 200 * ms, dt=DT, record=("v",), seed=0)
    mean_v = analysis.mean_potential(res, start=100 * ms)
    # after 10 tau_m the subthreshold potential sits at E_L + R I (10 mV above rest at 100 pA)
    np.testing.assert_allclose(np.asarray(mean_v), [-70e-3, -60e-3], atol=1e-6)
    with pytest.raises(ValueError, match="Theta"):
        analysis.mean_potential(res, variable="Theta")
    with pytest.raises(ValueError, match="window"):
        analysis.mean_potential(res, start=300 * ms, stop=400 * ms)
    assert analysis.mean_potential(res).dim == mV.dim
    assert Hz  # noqa: B018 (unit import used in other tests)
