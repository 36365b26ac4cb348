"""Weak-noise serial correlations of adapting LIF neurons (`theory.interval_correlations`,
module `theory.correlations`), checked against Brian2 simulations (noiseless at a fine time step,
and with weak noise), against the map integrated by an ODE solver and differentiated
numerically, against the linearised map iterated with random jitter, and against limits.

Simulation tolerances: the serial correlation coefficient of one train of n intervals has a
sampling SE of about 1/sqrt(n); we use the SE over the neurons of a group (each neuron an
independent train), and allow 4 SE plus 0.01 for what the weak-noise limit leaves out at the
noise levels used (CV 0.01-0.03; the measured |rho_1| shrinks as the noise grows).
"""

import numpy as np
import pytest
from brian2 import DimensionMismatchError, mV, ms, nS, pA, pF, second, us
from scipy.optimize import brentq

from sfa_helpers import analysis, simulate, stimuli, theory
from sfa_helpers.models import LIF, AdaptationCurrent, AdaptiveThreshold, ConductanceSRA
from sfa_helpers.theory import interval_correlations

NEST_LIF = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
               C_m=250 * pF)
MU = 500 * pA


def _z_ok(rho, expected, tol_se=4.0, slack=0.01):
    """Every lag's group mean within tol_se standard errors (+ slack) of the theory."""
    mean = rho.mean(axis=0)
    se = rho.std(axis=0, ddof=1) / np.sqrt(rho.shape[0])
    return np.all(np.abs(mean - expected) < tol_se * se + slack), mean, se


@pytest.mark.parametrize("mechanism", [
    AdaptiveThreshold(tau_Theta=300 * ms, Delta_Theta=1 * mV),
    AdaptationCurrent(tau_sfa=300 * ms, Delta_I_sfa=20 * pA),
], ids=["threshold", "current"])
def test_noiseless_brian2_run_relaxes_to_the_period_with_ratio_alpha_nu(mechanism):
    """Without noise, a Brian2 run at a 1 us step settles at the period T*, and the deviations
    of its intervals from T* shrink by the map's multiplier alpha*nu per spike (the linearised
    map of the theory, seen in a simulation that knows nothing of it)."""
    model = NEST_LIF + mechanism
    corr = interval_correlations(model, MU)
    run = simulate(model, stimuli.constant(MU), 3 * second, dt=1 * us, record=())
    isi = np.diff(np.asarray(run.spike_trains[0]))
    assert abs(isi[-1] - float(corr.period)) < 2e-6
    dev = isi - float(corr.period)
    # the linear regime, well above the 1 us grid: deviations between 0.05 and 0.6 ms
    usable = (np.abs(dev[:-1]) > 5e-5) & (np.abs(dev[:-1]) < 6e-4)
    assert usable.sum() >= 2
    ratios = dev[1:][usable] / dev[:-1][usable]
    assert np.all(np.abs(ratios - corr.ratio) < 0.03), (ratios, corr.ratio)
    assert 0.2 < corr.ratio < 0.6  # the test would notice a multiplier of 0 or 1


BASES = {  # (V_reset, t_ref): the course's neuron, a reset above rest, no and a long refractoriness
    "nest": (-70e-3, 2e-3), "reset-65mV-tref0": (-65e-3, 0.0), "reset-65mV-tref5ms": (-65e-3, 5e-3)}
MECHANISMS = {
    "threshold": AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV),
    "current": AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=50 * pA),
    "current-tau-equals-tau_m": AdaptationCurrent(tau_sfa=10 * ms, Delta_I_sfa=100 * pA),
    "current-strong-fast": AdaptationCurrent(tau_sfa=30 * ms, Delta_I_sfa=1500 * pA),  # nu < 0
}


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("mech", MECHANISMS)
def test_nu_agrees_with_a_numerical_derivative_of_a_numerically_integrated_map(mech, base):
    """T*, alpha and nu = 1 - a* T'(a*)/tau, with T(a) found here by integrating the neuron's
    equations with scipy's ODE solver (an event at the threshold) and differentiating
    numerically; for a reset above rest and with no or a long refractory period too."""
    from scipy.integrate import solve_ivp

    mechanism = MECHANISMS[mech]
    V_r, t_ref = BASES[base]
    tau_m, E_L, V_th, R = 10e-3, -70e-3, -55e-3, 40e6
    current = 3000 * pA if mech == "current-strong-fast" else MU
    model = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV,
                V_reset=V_r * 1e3 * mV, t_ref=t_ref * second, C_m=250 * pF) + mechanism
    corr = interval_correlations(model, current)
    is_threshold = isinstance(mechanism, AdaptiveThreshold)
    tau = float(mechanism.tau_Theta if is_threshold else mechanism.tau_sfa)
    I = float(current)

    def passage(a0):
        a_ref = a0 * np.exp(-t_ref / tau)  # decays during the refractory period

        def rhs(t, y):
            v, a = y
            drive = 0.0 if is_threshold else a
            return [(E_L - v + R * (I - drive)) / tau_m, -a / tau]

        def crossing(t, y):
            return y[0] - (V_th + y[1] if is_threshold else V_th)
        crossing.terminal, crossing.direction = True, 1
        sol = solve_ivp(rhs, (t_ref, 5.0), [V_r, a_ref], events=crossing, rtol=1e-12,
                        atol=1e-15, method="DOP853")
        return sol.t_events[0][0]

    delta = float(mechanism.Delta_Theta if is_threshold else mechanism.Delta_I_sfa)
    a_fix = brentq(lambda a: a * (1 - np.exp(-passage(a) / tau)) - delta, delta, 50 * delta,
                   xtol=1e-12 * delta)
    assert a_fix == pytest.approx(float(corr.adaptation), rel=1e-6)
    assert passage(a_fix) == pytest.approx(float(corr.period), rel=1e-7)
    h = 1e-4 * a_fix
    slope = (passage(a_fix + h) - passage(a_fix - h)) / (2 * h)
    assert 1 - a_fix * slope / tau == pytest.approx(corr.nu, abs=1e-5)
    assert corr.alpha == pytest.approx(np.exp(-float(corr.period) / tau), rel=1e-12)
    if mech == "current-strong-fast":
        assert corr.nu < -0.05  # the alternating pattern, seen by the ODE too


@pytest.mark.parametrize("mech", ["threshold", "current", "current-strong-fast"])
def test_the_coefficients_are_those_of_the_linearised_map(mech):
    """The formula for rho_n, checked against the linearised map itself, iterated with random
    jitter: delta_T_i = beta delta_a_i + eta_i, delta_a_{i+1} = alpha nu delta_a_i
    - (alpha a*/tau) eta_i (beta from nu), 400 000 intervals: SE of each rho about 0.0016."""
    mechanism = MECHANISMS[mech]
    current = 3000 * pA if mech == "current-strong-fast" else MU
    corr = interval_correlations(NEST_LIF + mechanism, current, lags=3)
    tau = float(getattr(mechanism, "tau_Theta", None) or mechanism.tau_sfa)
    a_star = float(corr.adaptation)
    beta = (1 - corr.nu) * tau / a_star
    rng = np.random.default_rng(7)
    eta = rng.normal(0, 1e-4, 400_000)
    da, dT = 0.0, np.empty_like(eta)
    for i, e in enumerate(eta):
        dT[i] = beta * da + e
        da = corr.alpha * corr.nu * da - corr.alpha * a_star / tau * e
    dT = dT[1000:] - dT[1000:].mean()
    sample = [np.mean(dT[:-k] * dT[k:]) / np.var(dT) for k in (1, 2, 3)]
    assert np.allclose(sample, corr.rho, atol=5 / np.sqrt(dT.size)), (sample, corr.rho)


@pytest.fixture(scope="module")
def weak_noise_runs():
    """One NeuronGroup per mechanism: three adaptation strengths x 12 neurons, weak OU input
    (sigma 5 pA, tau 2 ms: CV about 0.02), 25 s."""
    runs = {}
    for name, mech in (
            ("threshold", AdaptiveThreshold(tau_Theta=100 * ms,
                                            Delta_Theta=np.repeat([1.0, 2.0, 5.0], 12) * mV)),
            ("current", AdaptationCurrent(tau_sfa=100 * ms,
                                          Delta_I_sfa=np.repeat([25.0, 50.0, 100.0], 12) * pA))):
        runs[name] = simulate(NEST_LIF + mech, stimuli.ou(MU, 5 * pA, 2 * ms), 25 * second,
                              record=(), seed=21)
    return runs


@pytest.mark.parametrize("name, deltas", [
    ("threshold", [1 * mV, 2 * mV, 5 * mV]),
    ("current", [25 * pA, 50 * pA, 100 * pA]),
])
def test_weak_noise_simulation_matches_the_serial_correlations(weak_noise_runs, name, deltas):
    trains = weak_noise_runs[name].spike_trains
    rho = analysis.serial_correlation(trains, 3, start=1 * second)
    for j, delta in enumerate(deltas):
        mech = (AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=delta) if name == "threshold"
                else AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=delta))
        expected = interval_correlations(NEST_LIF + mech, MU, lags=3).rho
        ok, mean, se = _z_ok(rho[12 * j:12 * (j + 1)], expected)
        assert ok, (name, delta, mean, se, expected)
        assert expected[0] < -0.1  # clearly negative: a wrong sign or a zero would fail


def test_a_strong_fast_adaptation_current_gives_alternating_correlations():
    """nu < 0 (a large, fast adaptation current that drives V below the reset after each spike):
    rho_2 > 0, the oscillating pattern of Schwalger & Lindner's abstract. The simulation must
    show the positive rho_2 clearly (> 4 SE), and agree with the theory at every lag."""
    model = NEST_LIF + AdaptationCurrent(tau_sfa=30 * ms, Delta_I_sfa=1500 * pA)
    current = 3000 * pA
    corr = interval_correlations(model, current, lags=3)
    assert corr.nu < -0.1 and corr.rho[1] > 0.03 and corr.rho[2] < 0
    run = simulate(model, stimuli.ou(np.full(12, float(current / pA)) * pA, 50 * pA, 2 * ms),
                   25 * second, record=(), seed=1)
    rho = analysis.serial_correlation(run.spike_trains, 3, start=1 * second)
    ok, mean, se = _z_ok(rho, corr.rho)
    assert ok, (mean, se, corr.rho)
    assert mean[1] > 4 * se[1]


def test_white_noise_gives_the_same_correlations():
    """The theory does not depend on the kind of noise as long as it is weak and forgets faster
    than an interval: white noise (free-membrane SD R sigma / sqrt(2 tau_m) = 0.07 mV) gives
    the same rho_n."""
    mech = AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV)
    run = simulate(NEST_LIF + mech,
                   stimuli.white_noise(np.full(12, float(MU / pA)) * pA, 0.25 * pA * second ** 0.5),
                   25 * second, record=(), seed=5)
    rho = analysis.serial_correlation(run.spike_trains, 3, start=1 * second)
    expected = interval_correlations(NEST_LIF + mech, MU, lags=3).rho
    ok, mean, se = _z_ok(rho, expected)
    assert ok, (mean, se, expected)


def test_no_adaptation_is_a_renewal_process_and_the_period_is_the_lif_one():
    for mech in (AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=0 * mV),
                 AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=0 * pA)):
        corr = interval_correlations(NEST_LIF + mech, MU)
        assert np.all(corr.rho == 0) and corr.nu == 1 and corr.rho_sum == 0
        expected = float(theory.lif_time_to_threshold(NEST_LIF, MU) + NEST_LIF.t_ref)
        assert float(corr.period) == pytest.approx(expected, rel=1e-12)


def test_the_period_matches_the_mean_adaptation_theory_when_adaptation_is_slow():
    """For tau -> infinity at fixed tau*Delta the adaptation stops fluctuating within an
    interval, and the mean-adaptation rate of lesson 03 becomes exact."""
    for tau in (1, 10) * second:
        model = NEST_LIF + AdaptiveThreshold(tau_Theta=tau, Delta_Theta=0.5 * mV * second / tau)
        corr = interval_correlations(model, MU)
        rate = float(theory.adaptation.adaptive_lif_rate(model, MU))
        assert 1 / float(corr.period) == pytest.approx(rate, rel=0.1 * float(second / tau))


def test_bad_arguments_are_refused_with_their_names():
    model = NEST_LIF + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV)
    with pytest.raises(DimensionMismatchError, match="current"):
        interval_correlations(model, 500 * mV)
    with pytest.raises(ValueError, match="current"):
        interval_correlations(model, 300 * pA)  # below the 375 pA rheobase
    with pytest.raises(ValueError, match="current"):
        interval_correlations(model, [500, 600] * pA)
    for lags in (0, -1, 2.5, True, "3", 10**10):
        with pytest.raises(ValueError, match="lags"):
            interval_correlations(model, MU, lags=lags)
    with pytest.raises(ValueError, match="Delta_Theta"):
        interval_correlations(NEST_LIF + AdaptiveThreshold(tau_Theta=100 * ms,
                                                           Delta_Theta=[1, 2] * mV), MU)
    for other in (NEST_LIF, NEST_LIF + ConductanceSRA(tau_SRA=100 * ms, Delta_G_SRA=1 * nS,
                                                      E_K=-80 * mV),
                  NEST_LIF + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV)
                  + AdaptationCurrent(tau_sfa=100 * ms, Delta_I_sfa=50 * pA)):
        with pytest.raises(TypeError, match="AdaptiveThreshold"):
            interval_correlations(other, MU)
