"""The explorer widget with its live f-I panel (sfa_helpers.widgets.explore(..., fi_currents=)).

Truth: the f-I panel after a slider move must show exactly what a direct fi_curve call with the
slider's value returns (same currents, duration, transient, rate definition, seed).
"""

import numpy as np
import pytest
from brian2 import DimensionMismatchError, Hz, mV, ms, pA, pF

from sfa_helpers import fi_curve, stimuli
from sfa_helpers.models import LIF, AdaptiveThreshold
from sfa_helpers.widgets import explore

MODEL = (LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms, C_m=250 * pF)
         + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV))
CURRENTS = np.array([300.0, 500.0, 800.0]) * pA
FI = dict(fi_currents=CURRENTS, fi_duration=500 * ms, fi_transient=200 * ms, fi_rate="isi")


def direct(model):
    return fi_curve(model, CURRENTS, FI["fi_duration"], transient=FI["fi_transient"], rate="isi",
                    seed=0)


@pytest.fixture(scope="module")
def explorer():
    return explore(MODEL, stimuli.constant(500 * pA), 100 * ms,
                   parameters=["Delta_Theta", "tau_Theta", "amplitude"],
                   ranges={"tau_Theta": (0 * ms, 300 * ms)}, **FI)


def test_parameters_whitelist_sets_sliders_in_order(explorer):
    assert list(explorer.sliders) == ["Delta_Theta", "tau_Theta", "amplitude"]
    assert explorer.sliders["Delta_Theta"].description == "Delta_Theta (mV)"
    assert (explorer.sliders["tau_Theta"].min, explorer.sliders["tau_Theta"].max) == (0, 300)  # ms
    without = explore(MODEL, stimuli.constant(500 * pA), 100 * ms, exclude=("E_L", "t_ref"))
    assert {"tau_m", "V_th", "Delta_Theta", "amplitude"} <= set(without.sliders)
    assert not {"E_L", "t_ref"} & set(without.sliders)
    assert without.fi is None and not hasattr(without, "ax_fi")


def test_slider_move_recomputes_the_fi_panel(explorer):
    start = direct(MODEL)
    np.testing.assert_array_equal(np.asarray(explorer.fi_reference.rates), np.asarray(start.rates))
    np.testing.assert_array_equal(explorer._fi_line.get_ydata(), np.asarray(start.rates / Hz))
    png_before = explorer._figure_widget.value
    assert png_before[:4] == b"\x89PNG"

    explorer.sliders["Delta_Theta"].value = 6.0  # mV, as the label says
    expected = direct(MODEL.replace(Delta_Theta=6 * mV))
    assert explorer.fi.result.model.Delta_Theta == 6 * mV
    np.testing.assert_array_equal(np.asarray(explorer.fi.rates), np.asarray(expected.rates))
    np.testing.assert_array_equal(explorer._fi_line.get_ydata(), np.asarray(expected.rates / Hz))
    np.testing.assert_allclose(explorer._fi_line.get_xdata(), [300, 500, 800])  # pA
    # a larger threshold jump lowers the adapted rate wherever the neuron fires
    fires = np.asarray(start.rates) > 0
    assert np.all(np.asarray(explorer.fi.rates)[fires] < np.asarray(start.rates)[fires])
    # the grey reference curve stays; the picture changed
    np.testing.assert_array_equal(explorer._fi_ref_line.get_ydata(), np.asarray(start.rates / Hz))
    assert explorer._figure_widget.value != png_before
    # the moving threshold is drawn from the trace's Theta
    np.testing.assert_allclose(explorer._th_line.get_ydata(), np.asarray(explorer.result.Theta[0] / mV))
    assert explorer._th_line.get_ydata().max() > -55 + 5


def test_stimulus_slider_keeps_the_fi_curve(explorer):
    fi = explorer.fi
    n_before = len(explorer.result.spike_trains[0])
    explorer.update(amplitude=900 * pA)
    assert explorer.fi is fi                       # the f-I curve does not depend on the stimulus
    assert len(explorer.result.spike_trains[0]) > n_before


def test_invalid_values_keep_the_last_curve(explorer):
    fi = explorer.fi
    explorer.update(tau_Theta=0 * ms)              # refused: time constants must be positive
    assert explorer.fi is fi
    assert "tau_Theta" in explorer.status.value


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(parameters=["Delta_theta"]), ValueError, "Delta_theta"),
    (dict(parameters=["tau_m"], fi_currents=[1, 2] * mV), DimensionMismatchError, "fi_currents"),
    (dict(fi_currents=300 * pA), ValueError, "fi_currents"),
    (dict(fi_currents=CURRENTS, fi_transient=1 * ms, fi_duration=1 * ms), ValueError, "fi_transient"),
    (dict(fi_currents=CURRENTS, fi_rate="last"), ValueError, "fi_rate"),
])
def test_bad_arguments_name_the_argument(kwargs, error, name):
    with pytest.raises(error, match=name):
        explore(MODEL, stimuli.constant(500 * pA), 100 * ms, **kwargs)


def test_array_parameter_cannot_get_a_slider():
    model = MODEL.replace(Delta_Theta=[1, 2] * mV)
    with pytest.raises(ValueError, match="Delta_Theta"):
        explore(model, stimuli.constant([500, 600] * pA), 100 * ms, parameters=["Delta_Theta"])
