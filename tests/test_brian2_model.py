"""A model a student writes in Brian2 strings works wherever a built-in model works.

Independent truth: the analytic LIF rate (``theory.lif_rate``), the built-in ``LIF`` (written and
tested separately, including against NEST), and Brian2's own error messages.
"""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import DimensionMismatchError, Hz, Mohm, mV, ms, nA, pA, second

from sfa_helpers import engine, fi_curve, simulate, stimuli, theory
from sfa_helpers.models import LIF, AdaptationCurrent, AdaptiveThreshold, Brian2Model
from sfa_helpers.models import brian2_model as b2m

LIF_EQ = "dv/dt = (E_L - v + R*I_total)/tau_m : volt (unless refractory)"
PARAMS = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm,
              t_ref=2 * ms)


def student_lif(**changes):
    return Brian2Model(LIF_EQ, threshold="v > V_th", reset="v = V_reset", refractory="t_ref",
                       init={"v": -70 * mV}, **{**PARAMS, **changes})


def builtin_lif(**changes):
    return LIF(**{**PARAMS, **changes})


def test_same_spikes_as_the_builtin_lif_including_sweeps():
    currents = [1.5, 1.6, 1.7, 1.8] * nA
    ours = simulate(student_lif(tau_m=[8, 10, 12, 14] * ms), stimuli.step(currents, 100 * ms, 400 * ms),
                    500 * ms, record=("v",))
    ref = simulate(builtin_lif(tau_m=[8, 10, 12, 14] * ms), stimuli.step(currents, 100 * ms, 400 * ms),
                   500 * ms, record=("v",))
    assert ours.n_neurons == 4
    for a, b in zip(ours.spike_trains, ref.spike_trains):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(ours.v, ref.v)


def test_fi_curve_matches_the_analytic_lif_rate():
    currents = np.linspace(1.6, 3.0, 8) * nA
    fi = fi_curve(student_lif(t_ref=0 * ms), currents, 2 * second, transient=100 * ms, rate="isi")
    # the simulated interval is the analytic one rounded up to the time grid
    expected = theory.lif_isi_on_grid(builtin_lif(t_ref=0 * ms), currents, 0.1 * ms)
    np.testing.assert_allclose(1 / np.asarray(fi.rates / Hz), np.asarray(expected), rtol=1e-9)


def test_parameter_changes_reuse_the_compiled_program_and_the_check(monkeypatch):
    stim = stimuli.constant(2 * nA)
    simulate(student_lif(), stim, 200 * ms)
    keys = engine.compiled_keys()
    calls = []
    monkeypatch.setattr(b2m, "_dry_run", lambda *a: calls.append(a) or "exact")
    for tau in (9, 11, 13) * ms:
        simulate(student_lif().replace(tau_m=tau), stim, 200 * ms)
    assert engine.compiled_keys() == keys  # no new structure
    assert calls == []  # Brian2's check ran once for this structure, not per slider move


def test_mechanisms_add_to_a_student_model():
    stim = stimuli.constant(500 * pA)
    kw = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, R=40 * Mohm,
              t_ref=2 * ms)
    for mech in (AdaptationCurrent(100 * ms, 100 * pA), AdaptiveThreshold(100 * ms, 2 * mV)):
        ours = simulate(student_lif(**kw) + mech, stim, 300 * ms)
        ref = simulate(builtin_lif(**kw) + mech, stim, 300 * ms)
        np.testing.assert_array_equal(ours.spike_trains[0], ref.spike_trains[0])
    without_v = Brian2Model("du/dt = (E_L - u + R*I_total)/tau_m : volt", threshold="u > V_th",
                            reset="u = E_L", tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV,
                            R=10 * Mohm)
    with pytest.raises(TypeError, match="needs"):
        without_v + AdaptiveThreshold(100 * ms, 2 * mV)


def test_any_variable_can_be_recorded_and_the_method_is_chosen_like_brian2():
    model = Brian2Model("""dv/dt = (E_L - v + R*(I_total - w))/tau_m : volt
                           dw/dt = -w/tau_w : amp
                           I_leak = (E_L - v)/R : amp""",
                        threshold="v > V_th", reset="v = E_L\nw += b", init={"v": -70 * mV},
                        tau_m=10 * ms, tau_w=100 * ms, E_L=-70 * mV, V_th=-55 * mV,
                        R=10 * Mohm, b=50 * pA)
    assert model.spec().method == "exact"  # linear: Brian2's first choice applies
    result = simulate(model, stimuli.constant(2 * nA), 200 * ms, record=("v", "w", "I_leak"))
    np.testing.assert_allclose(result.I_leak, (-70 * mV - result.v) / (10 * Mohm))
    w = np.asarray(result.w[0])
    assert len(result.spike_trains[0]) >= 2 and np.all(w >= 0)
    # after the first spike w jumped by b (50 pA) and then decays with tau_w
    k = int(round(float(result.spike_trains[0][0] / ms) * 10)) + 2
    assert 40e-12 < w[k] <= 50e-12
    noisy = Brian2Model("dv/dt = (E_L - v + R*I_total)/tau_m + sigma*sqrt(2/tau_m)*xi : volt",
                        threshold="v > V_th", reset="v = E_L", init={"v": -70 * mV},
                        tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, R=10 * Mohm, sigma=3 * mV)
    assert noisy.spec().method == "euler"  # 'exact' cannot integrate xi


def test_seeded_noise_in_a_student_model():
    noisy = Brian2Model("dv/dt = (E_L - v + R*I_total)/tau_m + sigma*sqrt(2/tau_m)*xi : volt",
                        threshold="v > V_th", reset="v = E_L", init={"v": -70 * mV},
                        tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, R=10 * Mohm, sigma=3 * mV)
    stim = stimuli.constant(1.4 * nA)
    a = simulate(noisy, stim, 1 * second, seed=3)
    b = simulate(noisy, stim, 1 * second, seed=3)
    c = simulate(noisy, stim, 1 * second, seed=4)
    np.testing.assert_array_equal(a.spike_trains[0], b.spike_trains[0])
    assert len(a.spike_trains[0]) > 5
    assert not np.array_equal(a.spike_trains[0], c.spike_trains[0])


def test_declared_parameters_are_accepted_and_replace_validates():
    model = Brian2Model(LIF_EQ + "\ntau_m : second\nR : ohm (constant)", threshold="v > V_th",
                        reset="v = V_reset", refractory="t_ref", **PARAMS)
    assert "tau_m : second (constant, shared)" in str(model.brian2_code())
    assert model.replace(tau_m=20 * ms).tau_m == 20 * ms
    with pytest.raises(TypeError, match="no parameter"):
        model.replace(tau=20 * ms)
    with pytest.raises(DimensionMismatchError):
        model.replace(tau_m=20 * mV)


@pytest.mark.parametrize("equations, kwargs, error, words", [
    ("dv/dt = (E_L - v + R*I_total)/tau_m) : volt", {}, ValueError, ["could not be read", "tau_m)"]),
    ("dv/dt = (E_L - v + R*I_total)/tau_m : amp", {}, DimensionMismatchError, ["inconsistent units", "E_L - v"]),
    (LIF_EQ, {"threshold": "v > V_thr"}, ValueError, ["V_thr", "could not be resolved", "threshold"]),
    (LIF_EQ, {"reset": "w = V_reset"}, ValueError, ["'w'", "not a state variable"]),
    (LIF_EQ, {"tau_m": 10}, DimensionMismatchError, ["without units", "tau_m"]),
    ("dv/dt = (E_L - v + R*I)/tau_m : volt", {}, ValueError, ["I_total"]),
    (LIF_EQ, {"init": {"u": 0 * mV}}, ValueError, ["'init'", "'u'"]),
    (LIF_EQ, {"init": {"v": 1 * nA}}, DimensionMismatchError, ["init['v']", "volt"]),
    (LIF_EQ, {"method": "bogus"}, ValueError, ["bogus", "euler", "exact"]),
    (LIF_EQ, {"tau_m": "10*ms"}, TypeError, ["tau_m", "string"]),
    (LIF_EQ, {"t": 1 * ms}, ValueError, ["reserved"]),
])
def test_bad_models_are_refused_with_a_message_about_the_students_code(equations, kwargs, error, words):
    args = {"threshold": "v > V_th", "reset": "v = V_reset", "refractory": "t_ref", **PARAMS,
            **kwargs}
    with pytest.raises(error) as info:
        Brian2Model(equations, **args)
    text = str(info.value)
    for word in words:
        assert word in text, text
    assert "g++" not in text and "error:" not in text  # never a compiler dump


def test_a_refused_model_leaves_nothing_broken():
    with pytest.raises(DimensionMismatchError):
        Brian2Model("dv/dt = (E_L - v + R*I_total)/tau_m : amp", threshold="v > V_th",
                    reset="v = V_reset", **PARAMS)
    fixed = student_lif()
    result = simulate(fixed, stimuli.constant(2 * nA), 100 * ms)
    ref = simulate(builtin_lif(), stimuli.constant(2 * nA), 100 * ms)
    np.testing.assert_array_equal(result.spike_trains[0], ref.spike_trains[0])


def test_a_refused_model_never_reaches_the_engine(monkeypatch):
    built = []
    monkeypatch.setattr(engine, "CompiledSimulation", lambda *a: built.append(a))
    with pytest.raises(ValueError):
        Brian2Model(LIF_EQ, threshold="v > V_thr", reset="v = V_reset", **PARAMS)
    assert built == []


def test_explore_gives_every_parameter_a_slider_with_units():
    from sfa_helpers.widgets import explore

    explorer = explore(student_lif(), stimuli.step(2 * nA, 50 * ms, 250 * ms), 300 * ms)
    assert set(PARAMS) <= set(explorer.sliders)
    assert explorer.sliders["tau_m"].description == "tau_m (ms)"
    assert explorer.sliders["V_th"].description == "V_th (mV)"
    before = len(explorer.result.spike_trains[0])
    explorer.update(V_th=-50 * mV)
    assert len(explorer.result.spike_trains[0]) < before
    ref = simulate(builtin_lif(V_th=-50 * mV), stimuli.step(2 * nA, 50 * ms, 250 * ms), 300 * ms,
                   seed=0)
    np.testing.assert_array_equal(explorer.result.spike_trains[0], ref.spike_trains[0])


def test_a_passive_membrane_without_threshold_follows_the_closed_form():
    passive = Brian2Model("dv/dt = (E_L - v + R*I_total)/tau_m : volt", init={"v": -70 * mV},
                          tau_m=10 * ms, E_L=-70 * mV, R=10 * Mohm)
    result = simulate(passive, stimuli.step(1 * nA, 100 * ms, 400 * ms), 500 * ms)
    assert result.spike_trains[0].size == 0
    expected = theory.lif_step_response(builtin_lif(), 1 * nA, 100 * ms, 400 * ms, result.t)
    np.testing.assert_allclose(np.asarray(result.v[0]), np.asarray(expected), atol=1e-9)


def test_sliders_and_replace_work_on_a_student_model_with_a_mechanism():
    from sfa_helpers.widgets import explore

    kw = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, R=40 * Mohm,
              t_ref=2 * ms)
    mech = AdaptationCurrent(100 * ms, 100 * pA)
    model = student_lif(**kw) + mech
    changed = model.replace(tau_m=15 * ms, tau_sfa=50 * ms)
    assert changed.tau_m == 15 * ms and changed.tau_sfa == 50 * ms
    stim = stimuli.constant(500 * pA)
    explorer = explore(model, stim, 300 * ms)
    explorer.update(tau_m=15 * ms)
    assert "Not simulated" not in explorer.status.value
    ref = simulate(builtin_lif(**{**kw, "tau_m": 15 * ms}) + mech, stim, 300 * ms, seed=0)
    np.testing.assert_array_equal(explorer.result.spike_trains[0], ref.spike_trains[0])


def test_replace_init_changes_only_the_variables_named():
    model = Brian2Model("dv/dt = (E_L - v + R*(I_total - w))/tau_m : volt\ndw/dt = -w/tau_w : amp",
                        threshold="v > V_th", reset="v = E_L", init={"v": -70 * mV},
                        tau_m=10 * ms, tau_w=100 * ms, E_L=-70 * mV, V_th=-55 * mV, R=10 * Mohm)
    changed = model.replace(init={"w": 10 * pA})
    assert changed.spec().initial_values["v"] == -70 * mV
    assert changed.spec().initial_values["w"] == 10 * pA


def test_units_without_a_brian2_name_are_written_so_brian2_reads_them():
    model = Brian2Model("""dv/dt = (E_L - v + R*I_total)/tau_m : volt
                           v2 = (v - E_L)**2 : volt**2""",
                        threshold="v2 > s2 and v > E_L", reset="v = E_L", init={"v": -70 * mV},
                        tau_m=10 * ms, E_L=-70 * mV, R=10 * Mohm, s2=(15 * mV) ** 2)
    result = simulate(model, stimuli.constant(2 * nA), 100 * ms, record=("v2",))
    ref = simulate(builtin_lif(V_reset=-70 * mV, t_ref=0 * ms), stimuli.constant(2 * nA), 100 * ms)
    np.testing.assert_array_equal(result.spike_trains[0], ref.spike_trains[0])
    v = simulate(model, stimuli.constant(2 * nA), 100 * ms).v
    np.testing.assert_allclose(np.asarray(result.v2), np.asarray((v + 70 * mV) ** 2), rtol=1e-9)


@pytest.mark.parametrize("kwargs, words", [
    ({"name": 1 * ms}, ["reserved", "name"]),
    ({"when": 1 * ms}, ["reserved", "when"]),
    ({"refractory": -1 * ms}, ["refractory", "negative"]),
    ({"tau_m": 0 * ms}, ["tau_m", "positive"]),
])
def test_more_refusals(kwargs, words):
    args = {"threshold": "v > V_th", "reset": "v = V_reset", "refractory": "t_ref", **PARAMS, **kwargs}
    with pytest.raises(ValueError) as info:
        Brian2Model(LIF_EQ, **args)
    for word in words:
        assert word in str(info.value)


def test_integer_state_variables_take_one_initial_value():
    eq = LIF_EQ + "\ncount : integer"
    Brian2Model(eq, threshold="v > V_th", reset="v = V_reset\ncount += 1", refractory="t_ref",
                init={"count": 2}, **PARAMS)
    with pytest.raises(ValueError, match="integer"):
        Brian2Model(eq, threshold="v > V_th", reset="v = V_reset\ncount += 1",
                    refractory="t_ref", init={"count": [1, 2]}, **PARAMS)
