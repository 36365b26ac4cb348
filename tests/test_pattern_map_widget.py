"""The firing-pattern map widget (sfa_helpers.widgets.explore_pattern_map)."""

import numpy as np
import pytest
from brian2 import mV, ms, nS, pA

from sfa_helpers import engine
from sfa_helpers.firing_patterns import PATTERNS, pattern_map
from sfa_helpers.widgets import explore_pattern_map
from sfa_helpers.models import FIRING_PATTERNS

BASE = FIRING_PATTERNS["bursting"].model
A = np.linspace(-2, 2, 16) * nS
U_R = np.linspace(-65, -42, 16) * mV


@pytest.fixture(scope="module")
def explorer():
    # the full grid (the coarse default grid is tested below)
    return explore_pattern_map(BASE, 65 * pA, "a", A, "V_reset", U_R, stride=1)


def _direct(**changes):
    current = changes.pop("I", 65 * pA)
    return pattern_map(BASE.replace(**changes), current, "a", A, "V_reset", U_R).labels


def test_layout_sliders_and_marks(explorer):
    # no slider for the parameters on the axes; the presets of this plane are marked
    assert list(explorer.sliders) == ["b", "tau_w", "Delta_T", "I"]
    assert set(explorer.marks) == {"bursting", "initial burst"}
    assert explorer.pmap.labels.shape == (16, 16)
    assert set(explorer.pmap.labels.ravel()) <= set(PATTERNS)
    assert explorer.pmap.label_at(-0.5 * nS, -46 * mV) == "bursting"
    assert explorer._figure_widget.value[:4] == b"\x89PNG"
    assert "256 neurons" in explorer.status.value
    assert explorer.ax.get_xlabel() == "a (nS)" and explorer.ax.get_ylabel() == "V_reset (mV)"
    with pytest.raises(ValueError, match="No slider"):
        explore_pattern_map(BASE, 65 * pA, "a", A, "V_reset", U_R, sliders=("tau_x",))


def test_slider_move_recomputes_and_redraws_without_recompiling(explorer):
    explorer.update(I=65 * pA, tau_w=100 * ms)
    before, png_before = explorer.pmap.labels.copy(), explorer._figure_widget.value
    n_compiled = len(engine._compiled)
    explorer.sliders["I"].value = 100.0  # pA, as a student would move it
    assert explorer.pmap.current == 100 * pA
    assert np.mean(explorer.pmap.labels != before) > 0.1
    assert "transient" in before and "transient" not in explorer.pmap.labels
    assert explorer._figure_widget.value != png_before
    assert len(engine._compiled) == n_compiled  # the compiled program was reused
    assert set(explorer.last_timings) == {"simulate", "classify", "draw"}
    assert explorer.last_update_seconds == pytest.approx(sum(explorer.last_timings.values()))


def test_update_matches_a_direct_pattern_map_call(explorer):
    changes = dict(tau_w=30 * ms, b=20 * pA, I=80 * pA)
    pm = explorer.update(**changes)
    assert explorer.sliders["tau_w"].value == pytest.approx(30.0)
    np.testing.assert_array_equal(pm.labels, _direct(**changes))
    np.testing.assert_array_equal(explorer.update(tau_w=100 * ms, b=7 * pA, I=65 * pA).labels,
                                  _direct())


def test_invalid_values_keep_the_last_map(explorer):
    last = explorer.update(Delta_T=2 * mV)
    # Delta_T = 1 mV puts the spike cut V_T + 5 Delta_T = -45 mV below the grid's highest reset
    assert explorer.update(Delta_T=1 * mV) is last
    assert "V_reset" in explorer.status.value and "Not computed" in explorer.status.value
    with pytest.raises(ValueError, match="No slider"):
        explorer.update(a=1 * nS)  # on an axis
    with pytest.raises(Exception, match="tau_w"):
        explorer.update(tau_w=30 * mV)
    explorer.update(Delta_T=2 * mV)


def test_a_slider_moved_back_takes_the_map_from_the_cache(explorer):
    first = explorer.update(I=65 * pA, tau_w=100 * ms, b=7 * pA)
    png = explorer._figure_widget.value
    moved = explorer.update(b=40 * pA)
    assert moved is not first
    np.testing.assert_array_equal(moved.labels, _direct(b=40 * pA))
    back = explorer.update(b=7 * pA)
    assert back is first  # the same map, not simulated again
    np.testing.assert_array_equal(back.labels, _direct())
    assert explorer.last_timings["simulate"] == 0 and "cache" in explorer.status.value
    assert explorer._figure_widget.value == png


def test_coarse_grid_is_every_stride_th_point_of_the_full_map_and_can_be_switched():
    """The default widget simulates every 3rd grid point: the labels there are those of the full
    map, the title says which grid is shown, and the check box switches to the full grid."""
    coarse = explore_pattern_map(BASE, 65 * pA, "a", A, "V_reset", U_R)
    assert coarse.stride == 3 and not coarse.full_grid.value
    assert coarse.full_grid in coarse.widget.children
    assert coarse.pmap.labels.shape == (6, 6)  # indices 0, 3, ..., 15: both ends of the grid
    assert "36 neurons" in coarse.status.value
    assert "6 x 6 grid (every 3rd point of the 16 x 16 grid)" in coarse.ax.get_title()
    full = _direct()
    np.testing.assert_array_equal(coarse.pmap.labels, full[::3, ::3])
    moved = coarse.update(b=40 * pA)
    np.testing.assert_array_equal(moved.labels, _direct(b=40 * pA)[::3, ::3])
    png = coarse._figure_widget.value
    coarse.full_grid.value = True  # the full grid, in a new mesh
    assert coarse.pmap.labels.shape == (16, 16)
    np.testing.assert_array_equal(coarse.pmap.labels, _direct(b=40 * pA))
    assert coarse._mesh.get_array().size == 256 and coarse._mesh in coarse.ax.collections
    assert len(coarse.ax.collections) == 1
    assert "full 16 x 16 grid" in coarse.ax.get_title()
    assert coarse._figure_widget.value != png
    misses = coarse._cache.misses
    coarse.full_grid.value = False  # back: from the cache
    assert coarse._cache.misses == misses and coarse.pmap is moved
    assert coarse._figure_widget.value == png
    with pytest.raises(ValueError, match="stride"):
        explore_pattern_map(BASE, 65 * pA, "a", A, "V_reset", U_R, stride=0)
