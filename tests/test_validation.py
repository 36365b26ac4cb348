"""Bad input gets a clear error that names the parameter."""

import numpy as np
import pytest
from brian2 import DimensionMismatchError, Mohm, mV, ms, nA, nF, second

from sfa_helpers import fi_curve, simulate, stimuli
from sfa_helpers.models import LIF

BASE = dict(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)


@pytest.mark.parametrize("name,value", [
    ("tau_m", 10 * mV), ("E_L", -70 * ms), ("V_th", 1.0), ("R", 10 * nF), ("t_ref", 2 * mV),
])
def test_wrong_dimension_names_the_parameter(name, value):
    with pytest.raises(DimensionMismatchError, match=name):
        LIF(**{**BASE, name: value})


@pytest.mark.parametrize("name,value,message", [
    ("tau_m", -10 * ms, "positive"),
    ("tau_m", 0 * ms, "positive"),
    ("t_ref", -1 * ms, "negative"),
    ("E_L", np.nan * mV, "NaN"),
    ("R", np.inf * Mohm, "NaN or infinite"),
    ("V_reset", -50 * mV, "below 'V_th'"),
    ("tau_m", np.array([]) * ms, "empty"),
    ("tau_m", np.ones((2, 2)) * ms, "1-D"),
])
def test_bad_values_raise_value_error(name, value, message):
    with pytest.raises(ValueError, match=message):
        LIF(**{**BASE, name: value})


def test_exactly_one_of_R_C_gL():
    args = {k: v for k, v in BASE.items() if k != "R"}
    with pytest.raises(ValueError, match="exactly one"):
        LIF(**args)
    with pytest.raises(ValueError, match="exactly one"):
        LIF(**args, R=10 * Mohm, C_m=1 * nF)


def test_models_are_immutable_and_replace_validates():
    model = LIF(**BASE)
    with pytest.raises(AttributeError, match="immutable"):
        model.tau_m = 5 * ms
    assert model.replace(tau_m=20 * ms).tau_m == 20 * ms
    assert model.tau_m == 10 * ms
    with pytest.raises(ValueError, match="tau_m"):
        model.replace(tau_m=-1 * ms)
    assert float(model.replace(C_m=2 * nF).R) == pytest.approx(5e6)


def test_mismatched_array_lengths_name_both_parameters():
    with pytest.raises(ValueError, match="tau_m.*E_L|E_L.*tau_m"):
        LIF(**{**BASE, "tau_m": [10, 20] * ms, "E_L": [-70, -65, -60] * mV})
    model = LIF(**{**BASE, "tau_m": [10, 20] * ms})
    with pytest.raises(ValueError, match="same length"):
        simulate(model, stimuli.constant([1, 2, 3] * nA), 10 * ms)


def test_simulate_rejects_bad_time_arguments():
    model = LIF(**BASE)
    stim = stimuli.constant(1 * nA)
    with pytest.raises(ValueError, match="fastest time constant"):
        simulate(model, stim, 100 * ms, dt=20 * ms)
    with pytest.raises(ValueError, match="duration"):
        simulate(model, stim, -1 * ms)
    with pytest.raises(DimensionMismatchError, match="dt"):
        simulate(model, stim, 100 * ms, dt=0.1 * mV)
    with pytest.raises(ValueError, match="Cannot record 'w'"):
        simulate(model, stim, 10 * ms, record=("w",))
    with pytest.raises(TypeError, match="stimulus"):
        simulate(model, 1 * nA, 10 * ms)
    with pytest.raises(ValueError, match="seed"):
        simulate(model, stim, 10 * ms, seed=-3)


def test_stimulus_errors():
    with pytest.raises(DimensionMismatchError, match="amplitude"):
        stimuli.step(1 * mV, 0 * ms, 10 * ms)
    with pytest.raises(ValueError, match="later than 'start'"):
        stimuli.step(1 * nA, 10 * ms, 5 * ms)
    with pytest.raises(ValueError, match="NaN"):
        stimuli.constant(np.nan * nA)
    with pytest.raises(DimensionMismatchError, match="values"):
        stimuli.from_array(np.ones(10), 1 * ms)
    with pytest.raises(ValueError, match="sigma"):
        stimuli.white_noise(1 * nA, -1 * nA * second ** 0.5)


def test_fi_curve_errors():
    with pytest.raises(ValueError, match="rate"):
        fi_curve(LIF(**BASE), [1, 2] * nA, 100 * ms, rate="mean")
    with pytest.raises(DimensionMismatchError, match="currents"):
        fi_curve(LIF(**BASE), [1, 2] * mV, 100 * ms)
