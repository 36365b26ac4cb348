"""The spike-statistics explorer of lessons 05/06: a slider move re-simulates, and the statistics
shown are those of a direct simulation with the same parameters and seed."""

import numpy as np
import pytest
from brian2 import Hz, mV, ms, pA, pF, second

from sfa_helpers import analysis, simulate, stimuli
from sfa_helpers.models import LIF, AdaptiveThreshold
from sfa_helpers.noise_widgets import explore_statistics

MODEL = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
            C_m=250 * pF) + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=5 * mV)
STIMULUS = stimuli.ou(400 * pA, 100 * pA, 2 * ms)


def test_statistics_explorer_follows_its_sliders():
    explorer = explore_statistics(MODEL, STIMULUS, 3 * second, include=("mu", "sigma", "Delta_Theta"),
                                  seed=4, transient=0.5 * second)
    assert set(explorer.sliders) == {"mu", "sigma", "Delta_Theta"}
    before = dict(explorer.statistics)
    assert explorer.sliders["sigma"].description == "sigma (nA)"
    explorer.sliders["sigma"].value = 0.18  # nA, as labelled (default range 0-0.2 nA)
    assert float(explorer.result.stimulus.sigma / pA) == pytest.approx(180)
    after = explorer.statistics
    assert after["cv"] != before["cv"]

    direct = simulate(MODEL, STIMULUS.replace(sigma=180 * pA), 3 * second, seed=4)
    train = direct.spike_trains[0]
    np.testing.assert_array_equal(np.asarray(explorer.result.spike_trains[0]), np.asarray(train))
    late = np.asarray(train)[np.asarray(train) >= 0.5]
    assert after["rate"] == pytest.approx(late.size / 2.5)
    assert after["n_intervals"] == late.size - 1
    assert after["cv"] == pytest.approx(float(analysis.cv(train, start=0.5 * second)))
    assert after["rho_1"] == pytest.approx(
        float(analysis.serial_correlation(train, 1, start=0.5 * second)[0]))


def test_include_rejects_unknown_parameters():
    with pytest.raises(ValueError, match="nonsense"):
        explore_statistics(MODEL, STIMULUS, 1 * second, include=("nonsense",))
