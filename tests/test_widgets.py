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
    (dict(potential_symbol=""), ValueError, "potential_symbol"),
    (dict(potential_symbol=3), ValueError, "potential_symbol"),
])
def test_bad_arguments_name_the_argument(kwargs, error, name):
    with pytest.raises(error, match=name):
        explore(MODEL, stimuli.constant(500 * pA), 100 * ms, **kwargs)


def test_potential_symbol_names_the_trace_in_the_legend(explorer):
    """Lesson 04 writes the potential u (Neuronal Dynamics); its widget must say u too."""
    default = [t.get_text() for t in explorer.ax_v.get_legend().get_texts()]
    u_explorer = explore(MODEL, stimuli.constant(500 * pA), 100 * ms, parameters=["amplitude"],
                         potential_symbol="u")
    texts = [t.get_text() for t in u_explorer.ax_v.get_legend().get_texts()]
    assert "$V$" in default and "$u$" not in default
    assert "$u$" in texts and "$V$" not in texts


def test_array_parameter_cannot_get_a_slider():
    model = MODEL.replace(Delta_Theta=[1, 2] * mV)
    with pytest.raises(ValueError, match="Delta_Theta"):
        explore(model, stimuli.constant([500, 600] * pA), 100 * ms, parameters=["Delta_Theta"])


# --- cheaper redraws: result cache, rounded limits, partial re-rendering ---------------------

def _pixels(png):
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_result_cache_hits_equal_fresh_computations_and_evicts_the_oldest():
    from sfa_helpers.widgets import ResultCache

    cache, calls = ResultCache(2), []

    def compute(x):
        calls.append(x)
        return [x]

    first = cache.get((1.0, "a"), lambda: compute(1.0))
    assert cache.get((1.0, "a"), lambda: compute(1.0)) is first  # a hit: not recomputed
    assert cache.get((2.0, "a"), lambda: compute(2.0)) == [2.0]  # a changed value: computed
    assert calls == [1.0, 2.0] and (cache.hits, cache.misses) == (1, 2)
    cache.get((1.0, "a"), lambda: compute(1.0))  # a hit: now the most recent
    cache.get((3.0, "a"), lambda: compute(3.0))  # evicts (2.0, 'a'), the least recently used
    cache.get((1.0, "a"), lambda: compute(1.0))
    assert calls == [1.0, 2.0, 3.0]
    cache.get((2.0, "a"), lambda: compute(2.0))
    assert calls == [1.0, 2.0, 3.0, 2.0] and len(cache) == 2
    # keys compare by value, also with quantities and arrays; different dimensions never match
    assert cache.get((np.array([1.0, 2.0]),), lambda: "arr") == "arr"
    assert cache.get((np.array([1.0, 2.0]),), lambda: "again") == "arr"
    assert cache.get((1 * mV,), lambda: "mV") == "mV"
    assert cache.get((1 * ms,), lambda: "ms") == "ms"


def test_nice_limits_cover_the_data_and_ignore_small_changes():
    from sfa_helpers.widgets import nice_limits

    for lo, hi in [(-75.3, -35.0), (0.0, 163.0), (-0.2, 1.7), (1e-3, 2e-3), (-5.0, 5.0)]:
        a, b = nice_limits(lo, hi)
        assert a <= lo and b >= hi
        assert b - a <= 2.5 * (hi - lo)
    assert nice_limits(-75.3, -35.0) == nice_limits(-75.1, -34.6)  # same frame after a small move
    assert nice_limits(3.0, 3.0) == (2.0, 4.0)
    assert nice_limits(0, np.nan) == (-1.0, 1.0)


def test_png_renderer_gives_the_full_drawing_and_reuses_its_frame():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sfa_helpers.widgets import PNGRenderer, render_png

    fig, ax = plt.subplots(figsize=(4, 3), dpi=80)
    (line,) = ax.plot([0.1, 0.9], [0.1, 0.9])  # inside the axes, off the spines
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    renderer = PNGRenderer(fig, [line])
    first = renderer.render()
    line.set_data([0.1, 0.9], [0.9, 0.2])  # same limits: only the line is drawn again
    second = renderer.render()
    assert renderer.full_draws == 1
    line.set_animated(False)
    assert np.array_equal(_pixels(second), _pixels(render_png(fig)))  # = a full draw
    line.set_animated(True)
    ax.set_ylim(0, 2)  # new limits: new frame
    renderer.render()
    assert renderer.full_draws == 2
    ax.set_ylim(0, 1)  # back to the first frame: kept, not drawn again
    line.set_data([0.1, 0.9], [0.1, 0.9])
    assert np.array_equal(_pixels(renderer.render()), _pixels(first))
    assert renderer.full_draws == 2
    plt.close(fig)


def test_render_png_matches_savefig():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sfa_helpers.widgets import render_png

    fig, ax = plt.subplots(figsize=(3, 2), dpi=70, layout="constrained")
    ax.plot([0, 1, 2], [1, 3, 2])
    ax.set_title("title")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=70)
    assert np.array_equal(_pixels(render_png(fig)), _pixels(buffer.getvalue()))
    assert _pixels(render_png(fig, dpi=35)).shape == (70, 105, 3)
    assert fig.dpi == 70
    plt.close(fig)


def test_moving_a_slider_back_shows_the_cached_result_and_the_same_picture(explorer):
    explorer.update(Delta_Theta=2 * mV, tau_Theta=100 * ms, amplitude=500 * pA)
    result, fi, png = explorer.result, explorer.fi, explorer._figure_widget.value
    explorer.sliders["tau_Theta"].value = 150.0
    assert explorer.result is not result and explorer.fi is not fi
    assert explorer.result.model.tau_Theta == 150 * ms
    assert explorer._figure_widget.value != png
    hits = explorer._cache.hits
    explorer.sliders["tau_Theta"].value = 100.0
    assert explorer._cache.hits == hits + 2  # trace and f-I curve from the cache
    assert explorer.result is result and explorer.fi is fi
    np.testing.assert_array_equal(np.asarray(fi.rates), np.asarray(direct(MODEL).rates))
    assert np.array_equal(_pixels(explorer._figure_widget.value), _pixels(png))
