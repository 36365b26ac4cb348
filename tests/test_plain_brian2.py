"""Every model in plain Brian2: ``model.neuron_group()`` and ``model.brian2_code()`` run the same
simulation as :func:`sfa_helpers.simulate`.

Independent truth here is Brian2 itself on its *runtime* device (numpy target, no compiled
engine, no run_args, no seed plumbing): the group that ``neuron_group`` hands out, and the script
that ``brian2_code`` prints, executed as a student would. For deterministic input the spike
times agree within one time step and the traces agree; for noisy input Brian2's targets draw
different random numbers, so the same seed on the runtime target must give the same realisation
twice, and rates and CVs must agree with ``simulate`` within their standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import (Hz, Mohm, Network, SpikeMonitor, StateMonitor, mV, ms, nA, nS, pA, pF, prefs,
                    second, seed, uS)

from sfa_helpers import simulate, stimuli
from sfa_helpers.models import (EIF, LIF, AdaptationCurrent, AdaptiveThreshold, AdEx,
                                AdExDynamicThreshold, Brian2Model, ConductanceSRA, EscapeNoise,
                                EscapeSRM, ForcedVoltageClamp, NESTMLRefractoriness,
                                NoVoltageReset, RefractoryConductance, ThresholdIncrease)

DT = 0.1 * ms


@pytest.fixture(autouse=True)
def numpy_target():
    """Plain Brian2 on its runtime numpy target (no compiler, independent of the engine)."""
    saved = prefs.codegen.target
    prefs.codegen.target = "numpy"
    yield
    prefs.codegen.target = saved


def nest_lif(**kw):
    return LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
               C_m=250 * pF, **kw)


def lesson02_lif():
    return LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=100 * Mohm)


def student_lif(**kw):
    return Brian2Model("dv/dt = (E_L - v + R*I_total)/tau_m : volt (unless refractory)",
                       threshold="v > V_th", reset="v = V_reset", refractory="t_ref",
                       init={"v": -70 * mV}, tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV,
                       V_reset=-70 * mV, R=40 * Mohm, t_ref=2 * ms, **kw)


ADEX = dict(tau_m=20 * ms, E_L=-70 * mV, V_T=-50 * mV, Delta_T=2 * mV, V_reset=-55 * mV,
            R=500 * Mohm)

# (id, model, stimulus, duration, recorded): every model class and every mechanism.
DETERMINISTIC = [
    ("LIF, two currents", LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV,
                              R=10 * Mohm), stimuli.step([1.63, 1.83] * nA, 100 * ms, 400 * ms),
     500 * ms, ("v",)),
    ("LIF + AdaptationCurrent", nest_lif() + AdaptationCurrent(100 * ms, 100 * pA),
     stimuli.constant(500 * pA), 300 * ms, ("v", "I_sfa")),
    ("LIF + AdaptiveThreshold", nest_lif() + AdaptiveThreshold(100 * ms, 2 * mV),
     stimuli.constant(500 * pA), 300 * ms, ("v", "Theta")),
    ("LIF + AdaptiveThreshold + NESTMLRefractoriness (NEST's timing)",
     nest_lif() + AdaptiveThreshold(100 * ms, 2 * mV) + NESTMLRefractoriness(),
     stimuli.constant(500 * pA), 300 * ms, ("v", "Theta")),
    ("LIF + ConductanceSRA",
     LIF(tau_m=10 * ms, E_L=-75 * mV, V_th=-50 * mV, V_reset=-80 * mV, R=100 * Mohm)
     + ConductanceSRA(200 * ms, 1 * nS, -80 * mV), stimuli.step(400 * pA, 50 * ms, 250 * ms),
     300 * ms, ("v", "G_SRA")),
    ("LIF + ForcedVoltageClamp", lesson02_lif() + ForcedVoltageClamp(2.5 * ms),
     stimuli.constant(600 * pA), 200 * ms, ("v",)),
    ("LIF + ThresholdIncrease", lesson02_lif() + ThresholdIncrease(200 * mV, 1 * ms),
     stimuli.constant(600 * pA), 200 * ms, ("v", "Theta")),
    ("LIF + ThresholdIncrease + RefractoryConductance + NoVoltageReset",
     lesson02_lif() + ThresholdIncrease(200 * mV, 1 * ms)
     + RefractoryConductance(0.2 * ms, 2 * uS, -80 * mV) + NoVoltageReset(),
     stimuli.constant(600 * pA), 200 * ms,
     ("v", "G_ref")),
    ("EIF, sine", EIF(**ADEX), stimuli.sine(30 * pA, 5 * Hz, offset=40 * pA), 400 * ms, ("v",)),
    ("AdEx adapting", AdEx(**ADEX, a=0 * nS, b=5 * pA, tau_w=100 * ms),
     stimuli.step(65 * pA, 20 * ms), 400 * ms, ("v", "w")),
    ("AdEx + AdExDynamicThreshold",
     AdEx(**ADEX, a=0 * nS, b=60 * pA, tau_w=30 * ms) + AdExDynamicThreshold(20 * ms, 4 * mV),
     stimuli.ramp(120 * pA, 0 * ms, 400 * ms), 400 * ms, ("v", "w")),
    ("Brian2Model", student_lif(), stimuli.step(500 * pA, 20 * ms, 250 * ms), 300 * ms, ("v",)),
    ("Brian2Model + AdaptationCurrent", student_lif() + AdaptationCurrent(100 * ms, 100 * pA),
     stimuli.constant(500 * pA), 300 * ms, ("v", "I_sfa")),
    ("LIF, sampled input", nest_lif(),
     stimuli.from_array(np.linspace(0, 700, 3000) * pA, DT), 300 * ms, ("v",)),
]


def run_plain(group, duration, record):
    spikes = SpikeMonitor(group)
    state = StateMonitor(group, list(record), record=True) if record else None
    Network(group, spikes, *([state] if state is not None else [])).run(duration)
    return spikes, state


def assert_same_spikes(trains_a, trains_b, dt=DT):
    assert len(trains_a) == len(trains_b)
    for a, b in zip(trains_a, trains_b):
        a, b = np.asarray(a / second), np.asarray(b / second)
        assert len(a) == len(b), (a, b)
        if len(a):
            assert np.max(np.abs(a - b)) <= float(dt) * 1.001


@pytest.mark.parametrize("case", DETERMINISTIC, ids=[c[0] for c in DETERMINISTIC])
def test_neuron_group_reproduces_simulate(case):
    _, model, stimulus, duration, record = case
    engine = simulate(model, stimulus, duration, dt=DT, record=record, seed=1)
    assert sum(len(s) for s in engine.spike_trains) >= 3, "a case that fires tests more"
    group = model.neuron_group(stimulus=stimulus, dt=DT)
    spikes, state = run_plain(group, duration, record)
    assert_same_spikes(engine.spike_trains, list(spikes.spike_trains().values()))
    for var in record:
        plain = np.asarray(getattr(state, var))
        ours = np.asarray(engine[var])
        scale = max(np.max(np.abs(ours)), 1e-30)
        np.testing.assert_allclose(plain, ours, rtol=1e-6, atol=1e-6 * scale, err_msg=var)


@pytest.mark.parametrize("case", [c for c in DETERMINISTIC if "sampled" not in c[0]],
                         ids=[c[0] for c in DETERMINISTIC if "sampled" not in c[0]])
def test_printed_code_runs_and_reproduces_simulate(case):
    """The script a student reads, executed as it stands, gives the same spikes."""
    _, model, stimulus, duration, record = case
    code = model.brian2_code(stimulus, duration=duration, dt=DT, record=record)
    assert "NeuronGroup(" in str(code)
    assert all(line in str(code) for line in code.equations.split("\n"))
    namespace = {}
    exec(compile(str(code), "<brian2_code>", "exec"), namespace)  # noqa: S102 - our own output
    engine = simulate(model, stimulus, duration, dt=DT, record=record, seed=1)
    assert_same_spikes(engine.spike_trains, list(namespace["spikes"].spike_trains().values()))
    np.testing.assert_allclose(np.asarray(namespace["state"].v), np.asarray(engine.v),
                               rtol=1e-6, atol=1e-9)


def test_code_shows_every_piece_with_units():
    model = nest_lif() + AdaptationCurrent(100 * ms, 100 * pA)
    code = model.brian2_code()
    text = str(code)
    spec = model.spec()
    for line in spec.equations:
        assert line in text
    assert f"threshold={spec.threshold!r}" in text
    assert "I_sfa += Delta_I_sfa" in text and "refractory='t_ref'" in text
    assert f"method={spec.method!r}" in text
    assert "neuron.tau_sfa = 100*ms" in text and "neuron.Delta_I_sfa = 100*pA" in text
    assert "neuron.C_m" not in text  # derived values are not parameters of the group
    assert code._repr_markdown_().startswith("```python\n")
    assert "&gt;" in code._repr_html_()  # 'v > V_th' is escaped for HTML


def test_neuron_group_size_and_errors():
    model = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=[-55, -50] * mV, V_reset=-75 * mV, R=10 * Mohm)
    assert len(model.neuron_group()) == 2
    assert len(nest_lif().neuron_group(N=5)) == 5
    with pytest.raises(ValueError, match="'N'"):
        model.neuron_group(N=3)
    with pytest.raises(ValueError, match="'N'"):
        nest_lif().neuron_group(N=0)
    with pytest.raises(ValueError, match="'dt'"):
        nest_lif().neuron_group(dt=20 * ms)
    with pytest.raises(TypeError, match="'stimulus'"):
        nest_lif().neuron_group(stimulus=5 * nA)


def test_neuron_group_without_stimulus_takes_I_stim_from_the_user():
    group = nest_lif().neuron_group(dt=DT)
    group.I_stim = 500 * pA
    spikes, _ = run_plain(group, 300 * ms, ())
    engine = simulate(nest_lif(), stimuli.constant(500 * pA), 300 * ms, dt=DT)
    assert_same_spikes(engine.spike_trains, list(spikes.spike_trains().values()))


def test_neuron_group_leaves_the_engine_working():
    """Building and running plain groups between engine runs changes nothing for the engine."""
    model, stim = nest_lif(), stimuli.constant(500 * pA)
    before = simulate(model, stim, 100 * ms, dt=DT).spike_trains[0]
    run_plain(model.neuron_group(stimulus=stim, dt=DT), 100 * ms, ("v",))
    after = simulate(model, stim, 100 * ms, dt=DT).spike_trains[0]
    np.testing.assert_array_equal(before, after)


# -- noise ------------------------------------------------------------------------------------

N_NOISY = 100
NOISY = [
    ("LIF + EscapeNoise", nest_lif() + EscapeNoise(2 * mV, 10 * ms), stimuli.constant(330 * pA)),
    ("EscapeSRM", EscapeSRM(10 * ms, -70 * mV, 40 * Mohm, -55 * mV, 2 * mV, 10 * ms,  # .., Delta_u, tau_0
                            eta_0=-10 * mV, tau_eta=10 * ms),
     stimuli.constant(330 * pA)),
    ("LIF, white noise", nest_lif(), stimuli.white_noise(350 * pA, 20 * pA * second ** 0.5 / 10)),
    ("LIF + AdaptiveThreshold, OU", nest_lif() + AdaptiveThreshold(100 * ms, 2 * mV),
     stimuli.ou(500 * pA, 200 * pA, 2 * ms)),
]


def _rates_and_cvs(trains, duration):
    rates = np.array([len(t) for t in trains]) / float(duration)
    cvs = []
    for t in trains:
        isi = np.diff(np.asarray(t))
        if len(isi) >= 3:
            cvs.append(np.std(isi) / np.mean(isi))
    return rates, np.array(cvs)


def _agree(a, b, k=4.0):
    se = np.hypot(np.std(a, ddof=1) / np.sqrt(len(a)), np.std(b, ddof=1) / np.sqrt(len(b)))
    return abs(np.mean(a) - np.mean(b)) <= k * se, (np.mean(a), np.mean(b), se)


@pytest.mark.parametrize("case", NOISY, ids=[c[0] for c in NOISY])
def test_noisy_models_same_seed_same_realisation_and_same_statistics(case):
    _, model, stimulus = case
    duration = 2 * second
    runs = []
    for _ in range(2):
        seed(123)
        group = model.neuron_group(N=N_NOISY, stimulus=stimulus, dt=DT)
        spikes, _ = run_plain(group, duration, ())
        runs.append(spikes)
    np.testing.assert_array_equal(runs[0].i[:], runs[1].i[:])
    np.testing.assert_array_equal(runs[0].t[:], runs[1].t[:])
    assert runs[0].num_spikes > 10 * N_NOISY, "the case must fire enough for statistics"
    # the engine needs one array-valued parameter to simulate N neurons
    engine = simulate(model, stimulus + stimuli.constant(np.zeros(N_NOISY) * pA), duration,
                      dt=DT, record=(), seed=7)
    plain_trains = [runs[0].spike_trains()[k] for k in range(N_NOISY)]
    r_plain, cv_plain = _rates_and_cvs(plain_trains, duration)
    r_ours, cv_ours = _rates_and_cvs(engine.spike_trains, duration)
    ok, detail = _agree(r_plain, r_ours)
    assert ok, f"rates differ: {detail}"
    ok, detail = _agree(cv_plain, cv_ours)
    assert ok, f"CVs differ: {detail}"
