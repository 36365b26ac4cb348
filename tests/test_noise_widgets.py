"""The spike-statistics explorer of lessons 05/06: a slider move re-simulates, and the statistics
shown are those of a direct simulation with the same parameters and seed."""

import numpy as np
import pytest
from brian2 import Hz, mV, ms, pA, pF, second

from sfa_helpers import analysis, simulate, stimuli
from sfa_helpers.models import LIF, AdaptiveThreshold
from sfa_helpers.widgets import explore_statistics

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


def test_histograms_are_those_of_the_train_and_a_slider_moved_back_is_cached():
    explorer = explore_statistics(MODEL, STIMULUS, 2 * second, include=("mu", "Delta_Theta"),
                                  seed=1)
    start_stats, start_result = dict(explorer.statistics), explorer.result
    train = start_result.spike_trains[0]
    edges, density = analysis.isi_histogram(train, bins=30, start=explorer.transient)
    values, drawn_edges = explorer._isi_patch.get_data()[:2]
    np.testing.assert_allclose(values, np.asarray(density / Hz))
    np.testing.assert_allclose(drawn_edges, np.asarray(edges / ms))
    lags, acg = analysis.autocorrelogram(train, explorer.acg_window, explorer.acg_bins,
                                         start=explorer.transient, warn=False)
    np.testing.assert_allclose(explorer._acg_patch.get_data()[0], np.asarray(acg / Hz))
    png = explorer._figure_widget.value

    explorer.sliders["mu"].value = 0.6  # nA
    assert explorer.statistics != start_stats
    assert explorer._figure_widget.value != png
    explorer.sliders["mu"].value = 0.4  # back: the same simulation, from the cache
    assert explorer.result is start_result
    assert explorer.statistics == start_stats
    fresh = simulate(MODEL, STIMULUS, 2 * second, record=("v", "I_stim", "Theta"), seed=1)
    np.testing.assert_array_equal(np.asarray(fresh.spike_trains[0]), np.asarray(train))
    assert explorer._figure_widget.value[:4] == b"\x89PNG"


def test_too_few_spikes_are_said_in_the_panels():
    explorer = explore_statistics(MODEL, STIMULUS, 1 * second, include=("mu",), seed=1)
    explorer.update(mu=0 * pA)
    assert explorer.statistics["n_intervals"] < 3 or np.isnan(explorer.statistics["cv"])
    assert all(t.get_visible() for t in explorer._few_spikes)
    assert not explorer._isi_patch.get_visible()


def test_sticky_limits_keep_the_frame_while_the_data_fill_it():
    from sfa_helpers.widgets.statistics import _sticky

    assert _sticky((0, 100), (0, 50), 0, 60) == (0, 100)      # inside and fills 60 %: kept
    assert _sticky((0, 100), (0, 50), 0, 40) == (0, 50)       # fills 40 %: tighter limits
    assert _sticky((0, 100), (0, 150), 0, 120) == (0, 150)    # outside: wider limits
    assert _sticky((-70, -40), (-80, -40), -75, -45) == (-80, -40)


def test_small_moves_mostly_redraw_the_data_over_the_kept_frame():
    # 10 s as in lesson 06 (in 2 s the ISI histogram is too noisy for stable limits)
    explorer = explore_statistics(MODEL, STIMULUS, 10 * second, include=("mu", "Delta_Theta"),
                                  seed=1)
    renderer = explorer._renderer
    draws, pngs = renderer.full_draws, {explorer._figure_widget.value}
    for mu in (0.41, 0.42, 0.43, 0.44, 0.45, 0.46):  # nA: moves by 10 pA
        explorer.sliders["mu"].value = mu
        pngs.add(explorer._figure_widget.value)
        # every datum is inside its axes
        v = explorer._v_line.get_ydata()
        lo, hi = explorer.ax_trace.get_ylim()
        assert lo <= v.min() and v.max() <= hi
        density, edges = explorer._isi_patch.get_data()[:2]
        assert edges[-1] <= explorer.ax_isi.get_xlim()[1]
        assert density.max() <= explorer.ax_isi.get_ylim()[1]
        assert explorer._acg_patch.get_data()[0].max() <= explorer.ax_acg.get_ylim()[1]
    assert len(pngs) == 7
    # limits kept while the data fill them: most moves only draw the data
    assert renderer.full_draws - draws <= 2


def test_the_trace_shown_is_the_start_of_the_long_run():
    """The long run records no trace; the trace drawn comes from a short run with the same seed,
    which must be the first ``trace`` of the long run."""
    explorer = explore_statistics(MODEL, STIMULUS, 2 * second, include=("mu",), seed=2)
    explorer.sliders["mu"].value = 0.45
    assert "v" not in explorer.result.traces
    model = MODEL
    stimulus = stimuli.ou(450 * pA, 100 * pA, 2 * ms)
    full = simulate(model, stimulus, 2 * second, record=("v",), seed=2)
    n = int(round(float(explorer.trace / explorer.result.dt)))
    np.testing.assert_allclose(explorer._v_line.get_ydata(), np.asarray(full.v[0] / mV)[:n],
                               rtol=0, atol=1e-9)
    long_spikes = np.asarray(explorer.result.spike_trains[0])
    short = explorer.trace_result()
    np.testing.assert_array_equal(np.asarray(short.spike_trains[0]),
                                  long_spikes[long_spikes < float(explorer.trace)])
