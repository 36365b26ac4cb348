"""Refractoriness mechanisms (lesson 02) against independent truth.

Brian2's time-grid convention, which every closed form below uses (dt = time step, step k runs
from t_k = k dt to t_{k+1}; within a step: record, integrate, test the threshold on the *new*
value, reset; the spike is stamped t_k):

* A spike in step k means that the value integrated to t_{k+1} crossed the threshold.
* Refractory period t_ref (or tau_vc), n = round(t_ref / dt) steps: Brian2 integrates V in step m
  only if ``timestep(t_m - t_spike) >= n``. The spike step counts as the first refractory step:
  V is held at V_reset in steps k+1 ... k+n-1 and integrated again from t_k + n dt on. With
  n = 0 integration restarts in step k+1, so t_ref = dt and t_ref = 0 are the same.
* Hence, for a LIF driven by a constant current that reaches V_th after T from V_reset
  (T = tau_m ln((V_inf - V_reset)/(V_inf - V_th)), V_inf = E_L + R I), every inter-spike interval
  is ``(max(n, 1) + floor(T/dt)) dt``, and the first spike from V(0) = E_L is at
  ``floor(T_0/dt) dt`` (T_0 likewise from E_L). With T < dt the interval is tau_vc itself: the
  maximum rate 1/tau_vc.
* Threshold increase with the voltage reset (method 2): after a spike V climbs from V_reset,
  V(t) = V_inf + (V_reset - V_inf) exp(-t/tau_m), while the threshold falls,
  Theta(t) = V_th + (Theta_max - V_th) exp(-t/tau_Theta); both are exact on the grid, V rises and
  Theta falls, so the next spike is in step floor(T/dt) + 1 after the spike step, T the root of
  V(T) = Theta(T) (found with brentq).
* Threshold increase without reset (``+ NoVoltageReset()``), V held at its steady state
  V = E_L + R I > V_th (V(0) = V):
  the first spike is at t = 0, Theta then jumps to Theta_max and after j steps is
  V_th + (Theta_max - V_th) exp(-j dt/tau_Theta) (exact update). The next spike is in the first step
  j with that below V: j = floor(T/dt) + 1 with T = tau_Theta ln((Theta_max - V_th)/(V - V_th)),
  i.e. T rounded *up* to the grid, and at least one step (V above Theta_max fires every step).
* Method 3 (plus G_ref) has no closed form; it is compared with a step-by-step numpy
  re-implementation of the documented discretisation (exact decay of Theta and G_ref,
  exponential update of V with G_ref held over the step).

All runs share N = 4 neurons, DURATION and DT, so the file compiles six structures once.
"""

import numpy as np
import pytest
from brian2 import DimensionMismatchError, Mohm, Quantity, mV, ms, nS, pA, pF, second, usiemens

from sfa_helpers import simulate, stimuli
from scipy.optimize import brentq

from sfa_helpers.models import (LIF, AdaptiveThreshold, ForcedVoltageClamp, NoVoltageReset,
                                RefractoryConductance, ThresholdIncrease)

DT = 0.02 * ms
DURATION = 100 * ms
# Lesson 02 base neuron (rheobase 200 pA); the last current (1 uA) saturates every mechanism.
TAU_M, E_L, V_TH, V_RESET, R = 10 * ms, -70 * mV, -50 * mV, -65 * mV, 100 * Mohm
CURRENTS = np.array([230.0, 300.0, 700.0, 1e6]) * pA
V_SS = E_L + R * CURRENTS                      # steady state without spikes: -47, -40, 0 mV, 100 V
V_TH_MAX, TAU_VTH = 200 * mV, 1 * ms
TAU_GREF, DELTA_G, E_K = 0.2 * ms, 2 * usiemens, -80 * mV

dt = float(DT)


def base(**changes):
    return LIF(tau_m=TAU_M, E_L=E_L, V_th=V_TH, V_reset=V_RESET, R=R).replace(**changes)


def method2(**changes):
    """Lesson 02's method 2: the voltage reset and the threshold increase."""
    return base(V_init=V_SS) + ThresholdIncrease(Theta_max=changes.get("Theta_max", V_TH_MAX),
                                                 tau_Theta=changes.get("tau_Theta", TAU_VTH))


def threshold_only(**changes):
    """The threshold increase without a voltage reset."""
    return method2(**changes) + NoVoltageReset()


def method3(**changes):
    """Lesson 02's method 3: threshold increase, no voltage reset, refractory conductance."""
    return threshold_only(**changes) + RefractoryConductance(
        tau_Gref=changes.get("tau_Gref", TAU_GREF), Delta_G_ref=changes.get("Delta_G_ref", DELTA_G),
        E_K=changes.get("E_K", E_K))


def run(model, record=("v",)):
    return simulate(model, stimuli.constant(CURRENTS), DURATION, dt=DT, record=record, seed=0)


def steps(train):
    """Spike times as integer step indices (they are exact multiples of dt)."""
    k = np.asarray(train) / dt
    np.testing.assert_allclose(k, np.round(k), atol=1e-6)
    return np.round(k).astype(int)


def floor_steps(T):
    """floor(T/dt), refusing near-ties where rounding of the simulation could go either way."""
    x = np.asarray(T) / dt
    assert np.all(np.abs(x - np.round(x)) > 1e-6) or np.all(x < 0), x
    return np.floor(x).astype(int)


def lif_time(v_start, I):
    """Continuous time for a LIF to go from v_start to V_th at constant I (s)."""
    v_inf = float(E_L) + float(R) * I
    return float(TAU_M) * np.log((v_inf - v_start) / (v_inf - float(V_TH)))


# --- 1. forced voltage clamp -------------------------------------------------------------------

@pytest.fixture(scope="module")
def clamp_runs():
    """Scalar tau_vc, one run per value (same structure, re-run without recompiling)."""
    values = [2.5 * ms, 0.5 * ms, DT, 4 * ms]
    return {float(v): run(base(t_ref=0 * ms) + ForcedVoltageClamp(tau_vc=v)) for v in values}


@pytest.mark.parametrize("tau_vc_ms", [2.5, 0.5, 0.02])
def test_forced_clamp_isi_closed_form(clamp_runs, tau_vc_ms):
    res = clamp_runs[tau_vc_ms * 1e-3]
    n = int(round(tau_vc_ms * 1e-3 / dt))
    for k, I in enumerate(np.asarray(CURRENTS)):
        train = steps(res.spike_trains[k])
        assert len(train) >= 4
        assert train[0] == floor_steps(lif_time(float(E_L), I))
        expected_isi = max(n, 1) + floor_steps(lif_time(float(V_RESET), I))
        np.testing.assert_array_equal(np.diff(train), expected_isi)
        # V sits at V_reset exactly from the end of the spike step until t_spike + tau_vc, and
        # is integrated (rises) in the next step unless that step fires again (1 uA)
        v = np.asarray(res.v[k])
        for s, isi in zip(train[:-1], np.diff(train)):
            np.testing.assert_array_equal(v[s + 1:s + max(n, 1) + 1], float(V_RESET))
            if isi > max(n, 1):
                assert v[s + max(n, 1) + 1] > float(V_RESET)
    # at 1 uA the LIF needs less than one step: the interval is the clamp, the maximum rate
    assert np.all(np.diff(steps(res.spike_trains[3])) == max(n, 1))


def test_forced_clamp_is_the_base_models_t_ref(clamp_runs):
    model = base(t_ref=2.5 * ms)
    res = run(model)
    ref = clamp_runs[2.5e-3]
    for k in range(len(CURRENTS)):
        np.testing.assert_array_equal(steps(res.spike_trains[k]), steps(ref.spike_trains[k]))
        np.testing.assert_allclose(np.asarray(res.v[k]), np.asarray(ref.v[k]), rtol=1e-12, atol=1e-12)
    # the convention: the spike step is the first refractory step, so t_ref = dt is t_ref = 0
    res_dt = run(model.replace(t_ref=DT))
    res_0 = run(model.replace(t_ref=0 * ms))
    for k in range(len(CURRENTS)):
        np.testing.assert_array_equal(np.asarray(res_dt.spike_trains[k]), np.asarray(res_0.spike_trains[k]))
        np.testing.assert_array_equal(steps(res_0.spike_trains[k]), steps(clamp_runs[dt].spike_trains[k]))


def test_forced_clamp_array_equals_separate_runs(clamp_runs):
    values = np.array([2.5, 0.5, 0.02, 4.0]) * ms
    res = run(base(t_ref=0 * ms) + ForcedVoltageClamp(tau_vc=values))
    for k, v in enumerate(values):
        single = clamp_runs[float(v)]
        np.testing.assert_array_equal(steps(res.spike_trains[k]), steps(single.spike_trains[k]))
        np.testing.assert_allclose(np.asarray(res.v[k]), np.asarray(single.v[k]), rtol=1e-12, atol=1e-12)
    counts = [len(t) for t in res.spike_trains]
    assert len(set(counts)) > 1  # the values really differ between neurons


# --- 2. threshold increase ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def threshold_run():
    return run(threshold_only(), record=("v", "Theta"))


@pytest.fixture(scope="module")
def method2_run():
    return run(method2(), record=("v", "Theta"))


def crossing_time(I):
    """Continuous time from the reset to where the rising V meets the falling threshold (s)."""
    v_inf = float(E_L) + float(R) * I

    def gap(T):
        v = v_inf + (float(V_RESET) - v_inf) * np.exp(-T / float(TAU_M))
        theta = float(V_TH) + (float(V_TH_MAX) - float(V_TH)) * np.exp(-T / float(TAU_VTH))
        return v - theta

    return brentq(gap, 0.0, 1.0, xtol=1e-15)


def test_method2_resets_v_and_fires_where_v_meets_the_falling_threshold(method2_run):
    res = method2_run
    for k, I in enumerate(np.asarray(CURRENTS)):
        train = steps(res.spike_trains[k])
        assert train[0] == 0                      # V(0) = E_L + R I is above V_th
        expected = floor_steps(crossing_time(I)) + 1
        np.testing.assert_array_equal(np.diff(train), expected)
        v, theta = np.asarray(res.v[k]), np.asarray(res.Theta[k])
        for s in train[train + 1 < len(v)]:       # the step after a spike starts from the reset
            assert v[s + 1] == pytest.approx(float(V_RESET), abs=1e-12)
            assert theta[s + 1] == pytest.approx(float(V_TH_MAX), abs=1e-12)
    isis = [np.diff(steps(t))[0] for t in res.spike_trains]
    assert isis[0] > isis[1] > isis[2] > isis[3] > 1  # relative refractoriness, but V must climb


def test_threshold_increase_without_reset_isi_closed_form(threshold_run):
    res = threshold_run
    theta_decay = np.exp(-dt / float(TAU_VTH))
    for k, v_ss in enumerate(np.asarray(V_SS)):
        train = steps(res.spike_trains[k])
        if v_ss < float(V_TH_MAX):
            T = float(TAU_VTH) * np.log((float(V_TH_MAX) - float(V_TH)) / (v_ss - float(V_TH)))
            j = floor_steps(T) + 1
        else:
            j = 1                                   # V above Theta_max: a spike in every step
        np.testing.assert_array_equal(train, j * np.arange(len(train)))
        assert len(train) == int(np.ceil(round(float(DURATION) / dt) / j))
        # no voltage reset: V stays at its steady state through every spike
        np.testing.assert_allclose(np.asarray(res.v[k]), v_ss, rtol=1e-12, atol=1e-12)
        # Theta: Theta_max right after a spike, exact exponential relaxation to V_th otherwise
        theta = np.asarray(res.Theta[k])
        assert theta[0] == pytest.approx(float(V_TH))
        jumped = np.zeros(len(theta), bool)
        jumped[train[train + 1 < len(theta)] + 1] = True
        np.testing.assert_array_equal(theta[jumped], float(V_TH_MAX))
        relax = float(V_TH) + (theta[:-1] - float(V_TH)) * theta_decay
        np.testing.assert_allclose(theta[1:][~jumped[1:]], relax[~jumped[1:]], rtol=1e-12)
    # relative refractoriness: a larger V gives a shorter interval, down to one step
    isis = [np.diff(steps(t))[0] for t in res.spike_trains]
    assert isis[0] > isis[1] > isis[2] > isis[3] == 1


# --- 3. threshold increase plus refractory conductance -----------------------------------------

def reference_method3(v_th_max, tau_Theta, tau_gref, delta_g, e_k):
    """Numpy re-implementation of method 3 on Brian2's grid, one column per neuron: V updated
    with the exact exponential solution for G_ref held over the step, Theta and G_ref decayed
    exactly, the threshold tested on the new values, then Theta -> Theta_max, G_ref += Delta."""
    n_steps = int(round(float(DURATION) / dt))
    I, g_l, c_m = np.asarray(CURRENTS), 1 / float(R), float(TAU_M) / float(R)
    v, theta, g = np.array(V_SS, float), np.full(len(I), float(V_TH)), np.zeros(len(I))
    trace_v, trace_theta, trace_g, spikes = [], [], [], [[] for _ in I]
    for k in range(n_steps):
        trace_v.append(v.copy()), trace_theta.append(theta.copy()), trace_g.append(g.copy())
        g_tot = g_l + g
        v_inf = (g_l * float(E_L) + g * e_k + I) / g_tot
        v = v_inf + (v - v_inf) * np.exp(-dt * g_tot / c_m)
        theta = float(V_TH) + (theta - float(V_TH)) * np.exp(-dt / tau_Theta)
        g = g * np.exp(-dt / tau_gref)
        fired = v > theta
        theta = np.where(fired, v_th_max, theta)
        g = np.where(fired, g + delta_g, g)
        for i in np.flatnonzero(fired):
            spikes[i].append(k)
    return (np.array(trace_v).T, np.array(trace_theta).T, np.array(trace_g).T,
            [np.array(s, int) for s in spikes])


@pytest.fixture(scope="module")
def method3_runs():
    """Scalar parameters; two parameter sets of the same structure."""
    record = ("v", "Theta", "G_ref")
    return {"lesson": run(method3(), record=record),
            "zero": run(method3(Delta_G_ref=0 * nS), record=record),
            "other": run(method3(Theta_max=100 * mV, tau_Theta=3 * ms, tau_Gref=0.5 * ms,
                                 Delta_G_ref=50 * nS, E_K=-90 * mV), record=record)}


def test_zero_refractory_conductance_is_threshold_increase_without_reset(method3_runs, threshold_run):
    res = method3_runs["zero"]
    for k in range(len(CURRENTS)):
        np.testing.assert_array_equal(steps(res.spike_trains[k]), steps(threshold_run.spike_trains[k]))
        np.testing.assert_allclose(np.asarray(res.v[k]), np.asarray(threshold_run.v[k]), rtol=1e-12,
                                   atol=1e-12)
        np.testing.assert_allclose(np.asarray(res.Theta[k]), np.asarray(threshold_run.Theta[k]),
                                   rtol=1e-12)
        assert np.all(np.asarray(res.G_ref[k]) == 0)


@pytest.mark.parametrize("which, params", [
    ("lesson", (V_TH_MAX, TAU_VTH, TAU_GREF, DELTA_G, E_K)),
    ("other", (100 * mV, 3 * ms, 0.5 * ms, 50 * nS, -90 * mV)),
])
def test_refractory_conductance_matches_stepwise_reference(method3_runs, which, params):
    res = method3_runs[which]
    v, theta, g, spikes = reference_method3(*(float(p) for p in params))
    for k in range(len(CURRENTS)):
        np.testing.assert_array_equal(steps(res.spike_trains[k]), spikes[k])
        np.testing.assert_allclose(np.asarray(res.v[k]), v[k], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(np.asarray(res.Theta[k]), theta[k], rtol=1e-9)
        np.testing.assert_allclose(np.asarray(res.G_ref[k]), g[k], rtol=1e-9, atol=1e-21)


def test_refractory_conductance_pulls_v_towards_e_k_and_lowers_the_rate(method3_runs, threshold_run):
    res = method3_runs["lesson"]
    for k in range(3):  # up to 700 pA
        train = steps(res.spike_trains[k])
        v = np.asarray(res.v[k])
        assert 1 < len(train) < len(threshold_run.spike_trains[k])
        # C_m/Delta_G_ref = 0.05 ms << tau_Gref: within 1 ms of each spike V comes close to
        # E_K (the input and the leak only move the conductance's equilibrium by
        # (g_L (E_L - E_K) + I)/G_ref < 1 mV while G_ref > 1 uS), but never below it
        for s in train[train + 51 < len(v)]:
            assert float(E_K) < v[s + 1:s + 51].min() < float(E_K) + 5e-3


def test_method3_array_parameters_equal_separate_runs(method3_runs):
    """One neuron per value: arrays of all five mechanism parameters at once."""
    lesson = (V_TH_MAX, TAU_VTH, TAU_GREF, DELTA_G, E_K)
    other = (100 * mV, 3 * ms, 0.5 * ms, 50 * nS, -90 * mV)
    names = ("Theta_max", "tau_Theta", "tau_Gref", "Delta_G_ref", "E_K")
    pick = ["lesson", "other", "other", "lesson"]  # the parameter set of each neuron
    arrays = {}
    for name, a, b in zip(names, lesson, other):
        values = [a if p == "lesson" else b for p in pick]
        arrays[name] = Quantity([float(x) for x in values], dim=a.dim)
    res = run(method3(**arrays), record=("v", "Theta", "G_ref"))
    for k, p in enumerate(pick):
        single = method3_runs[p]
        np.testing.assert_array_equal(steps(res.spike_trains[k]), steps(single.spike_trains[k]))
        for var in ("v", "Theta", "G_ref"):
            np.testing.assert_allclose(np.asarray(res[var][k]), np.asarray(single[var][k]),
                                       rtol=1e-12, atol=1e-12 if var != "G_ref" else 1e-21)


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("factory, kwargs, name", [
    (ForcedVoltageClamp, dict(tau_vc=0 * ms), "tau_vc"),
    (ForcedVoltageClamp, dict(tau_vc=[1, -1] * ms), "tau_vc"),
    (ThresholdIncrease, dict(Theta_max=200 * mV, tau_Theta=-1 * ms), "tau_Theta"),
    (ThresholdIncrease, dict(Theta_max=float("nan") * mV, tau_Theta=1 * ms), "Theta_max"),
    (RefractoryConductance, dict(tau_Gref=0 * ms, Delta_G_ref=2 * usiemens, E_K=-80 * mV), "tau_Gref"),
    (RefractoryConductance, dict(tau_Gref=0.2 * ms, Delta_G_ref=-1 * nS, E_K=-80 * mV), "Delta_G_ref"),
    (RefractoryConductance, dict(tau_Gref=0.2 * ms, Delta_G_ref=1 * nS, E_K=[] * mV), "E_K"),
])
def test_bad_values_name_the_parameter(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)


@pytest.mark.parametrize("factory, kwargs, name", [
    (ForcedVoltageClamp, dict(tau_vc=2.5 * mV), "tau_vc"),
    (ThresholdIncrease, dict(Theta_max=200 * pA, tau_Theta=1 * ms), "Theta_max"),
    (ThresholdIncrease, dict(Theta_max=200 * mV, tau_Theta=1), "tau_Theta"),
    (RefractoryConductance, dict(tau_Gref=0.2 * ms, Delta_G_ref=2 * pF, E_K=-80 * mV), "Delta_G_ref"),
    (RefractoryConductance, dict(tau_Gref=0.2 * ms, Delta_G_ref=2 * nS, E_K=-80 * second), "E_K"),
])
def test_wrong_units_name_the_parameter(factory, kwargs, name):
    with pytest.raises(DimensionMismatchError, match=name):
        factory(**kwargs)


def test_invalid_combinations_name_the_parameter():
    with pytest.raises(ValueError, match="t_ref.*tau_vc"):  # the clamp duration defined twice
        (base(t_ref=2 * ms) + ForcedVoltageClamp(tau_vc=2.5 * ms)).spec()
    with pytest.raises(ValueError, match="t_ref"):
        (base(t_ref=[0, 1] * ms) + ForcedVoltageClamp(tau_vc=2.5 * ms)).spec()
    with pytest.raises(ValueError, match="Theta_max"):  # the threshold must jump *up*
        (base() + ThresholdIncrease(Theta_max=-60 * mV, tau_Theta=1 * ms)).spec()
    with pytest.raises(ValueError, match="Theta_max"):
        (base(V_th=[-50, -40] * mV) + ThresholdIncrease(Theta_max=-45 * mV, tau_Theta=1 * ms)).spec()
    with pytest.raises(ValueError, match="Theta"):  # one moving threshold only
        (base() + ThresholdIncrease(200 * mV, 1 * ms) + AdaptiveThreshold(100 * ms, 1 * mV)).spec()
    with pytest.raises(ValueError, match="tau_Gref"):  # dt must resolve the conductance
        simulate(method3(), stimuli.constant(CURRENTS), DURATION, dt=0.2 * ms)
    with pytest.raises(ValueError, match="Theta"):  # method 1 has no moving threshold
        simulate(base() + ForcedVoltageClamp(2.5 * ms), stimuli.constant(CURRENTS), DURATION,
                 dt=DT, record=("Theta",))
    # an array that disagrees in length with the base model's arrays
    with pytest.raises(ValueError, match="same length"):
        base(V_init=V_SS) + ForcedVoltageClamp(tau_vc=[1, 2] * ms)
    with pytest.raises(ValueError, match="NoVoltageReset"):  # nothing to remove
        (base() + NoVoltageReset() + NoVoltageReset()).spec()
