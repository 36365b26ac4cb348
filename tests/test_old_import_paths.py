"""Names the lessons, solutions and exercise checks imported before the package was split into
layers (issue 16) still import from their old paths, as the same objects as at the new ones, so
a student's saved notebook keeps running. Renamed parameters keep working for one release with a
FutureWarning that names the new name."""

import importlib
import warnings

import pytest
from brian2 import Mohm, mV, ms

# old module -> {name: new module}
MOVED = {
    "sfa_helpers.phase_plane": {
        **{n: "sfa_helpers.theory.adex" for n in (
            "FixedPoint", "v_nullcline", "w_nullcline", "fixed_points", "saddle_node_current",
            "rheobase", "jacobian", "vector_field")},
        "plot_phase_plane": "sfa_helpers.plots",
        "PhasePlaneExplorer": "sfa_helpers.widgets.phase_plane",
        "explore_phase_plane": "sfa_helpers.widgets.phase_plane"},
    "sfa_helpers.firing_patterns": {
        "PATTERN_COLORS": "sfa_helpers.plots", "plot_pattern_map": "sfa_helpers.plots",
        "PatternMapExplorer": "sfa_helpers.widgets.pattern_map",
        "explore_pattern_map": "sfa_helpers.widgets.pattern_map"},
    "sfa_helpers.adaptation_theory": {n: "sfa_helpers.theory.adaptation"
                                      for n in ("adaptive_lif_rate", "mean_adaptation")},
    "sfa_helpers.escape_theory": {n: "sfa_helpers.theory.escape" for n in (
        "escape_rate", "IntervalDistribution", "interval_distribution", "lif_escape_hazard")},
    "sfa_helpers.noise_widgets": {n: "sfa_helpers.widgets.statistics"
                                  for n in ("StatisticsExplorer", "explore_statistics")},
    "sfa_helpers.glm_widget": {"FilterExplorer": "sfa_helpers.widgets.glm"},
    "sfa_helpers.models.adex": {n: "sfa_helpers.models.presets" for n in (
        "PatternPreset", "FIRING_PATTERNS", "PATTERN_NAMES", "BOOK_TABLE_6_1", "book_table_model",
        "firing_pattern_preset", "brette_gerstner_regular_spiking")},
    "sfa_helpers.models": {"FIRING_PATTERNS": "sfa_helpers.models.presets",
                           "firing_pattern_preset": "sfa_helpers.models.presets"},
    "sfa_helpers._validation": {n: "sfa_helpers.validation"
                                for n in ("as_quantity", "common_size", "unit_name")},
    "sfa_helpers.stimuli": {"_check_seed": "sfa_helpers.validation:check_seed"},
    "sfa_helpers.glm": {"_check_spike_times": "sfa_helpers.validation:check_spike_times"},
    "sfa_helpers.plots": {"_neuron_value": "sfa_helpers.plots:neuron_value"},
    "sfa_helpers.widgets": {n: "sfa_helpers.widgets.base" for n in (
        "ResultCache", "slider_key", "nice_limits", "show_figure", "render_png", "PNGRenderer")}
    | {"Explorer": "sfa_helpers.widgets.explore", "explore": "sfa_helpers.widgets.explore"},
}
CASES = [(old, name, new) for old, names in MOVED.items() for name, new in names.items()]


@pytest.mark.parametrize("old, name, new", CASES, ids=[f"{o}.{n}" for o, n, _ in CASES])
def test_old_path_gives_the_same_object(old, name, new):
    new_module, _, new_name = new.partition(":")
    assert getattr(importlib.import_module(old), name) is getattr(
        importlib.import_module(new_module), new_name or name)


def test_theory_keeps_its_flat_names_and_exposes_its_modules():
    from sfa_helpers import theory

    for name in ("lif_rheobase", "lif_time_to_threshold", "lif_rate", "lif_isi_on_grid",
                 "lif_step_response", "ou_stationary_variance", "ou_autocovariance",
                 "lif_ou_voltage_sd", "lif_white_noise_rate", "lif_white_noise_cv"):
        module = theory.lif if name in theory.lif.__all__ else theory.noise
        assert getattr(theory, name) is getattr(module, name)
    for sub in ("lif", "noise", "adaptation", "adex", "escape"):
        assert importlib.import_module(f"sfa_helpers.theory.{sub}") is getattr(theory, sub)


def test_lesson_star_names_still_import():
    """The exact import lines of the lessons and exercise sheets before the split."""
    namespace = {}
    exec("from sfa_helpers import noise_widgets, widgets, plots, theory\n"
         "from sfa_helpers.widgets import explore\n"
         "from sfa_helpers.firing_patterns import (PATTERN_COLORS, classify_pattern, "
         "explore_pattern_map, pattern_map, plot_pattern_map)\n"
         "from sfa_helpers.models.adex import FIRING_PATTERNS, PATTERN_NAMES, book_table_model\n"
         "from sfa_helpers.phase_plane import (explore_phase_plane, fixed_points, "
         "plot_phase_plane, saddle_node_current)\n"
         "from sfa_helpers.adaptation_theory import adaptive_lif_rate\n"
         "from sfa_helpers.escape_theory import interval_distribution, lif_escape_hazard\n"
         "from sfa_helpers.glm_widget import FilterExplorer\n"
         "from sfa_helpers._validation import as_quantity\n", namespace)
    assert namespace["noise_widgets"].explore_statistics is namespace["widgets"].explore_statistics


# (class or function, old keywords, new keywords)
def _renamed_cases():
    from sfa_helpers.models import EscapeNoise, EscapeSRM, ThresholdIncrease

    srm = dict(tau_m=10 * ms, u_rest=-65 * mV, R=100 * Mohm, theta_0=-50 * mV, tau_0=10 * ms)
    return [
        (ThresholdIncrease, dict(V_th_max=200 * mV, tau_vth=1 * ms),
         dict(Theta_max=200 * mV, tau_Theta=1 * ms)),
        (EscapeNoise, dict(delta_u=2 * mV, tau_0=5 * ms), dict(Delta_u=2 * mV, tau_0=5 * ms)),
        (EscapeSRM, dict(srm, delta_u=1 * mV, delta_theta=3 * mV),
         dict(srm, Delta_u=1 * mV, Delta_theta=3 * mV)),
    ]


@pytest.mark.parametrize("case", range(3))
def test_renamed_parameters_keep_working_with_a_future_warning(case):
    cls, old, new = _renamed_cases()[case]
    renamed = {k: v for k, v in new.items() if k not in old}
    with pytest.warns(FutureWarning) as record:
        made = cls(**old)
    messages = " ".join(str(w.message) for w in record)
    for name in renamed:
        assert f"'{name}'" in messages  # the warning says the new name
    assert made == cls(**new)
    assert set(new) <= set(made.parameters) and not set(old) - set(new) & set(made.parameters)
    # replace with an old name: the value is used, with the warning
    old_name = next(k for k in old if k not in new)
    new_name = cls._renamed[old_name]
    with pytest.warns(FutureWarning, match=f"'{new_name}'"):
        changed = made.replace(**{old_name: 2 * old[old_name]})
    assert changed == cls(**{**new, new_name: 2 * new[new_name]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new names warn about nothing
        cls(**new).replace(**{new_name: new[new_name]})
    with pytest.raises(TypeError, match="both"):
        cls(**new, **{old_name: old[old_name]})


def test_renamed_parameter_through_a_combined_model():
    from sfa_helpers.models import LIF, ThresholdIncrease

    base = LIF(tau_m=10 * ms, E_L=-65 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=100 * Mohm)
    model = base + ThresholdIncrease(Theta_max=200 * mV, tau_Theta=1 * ms)
    with pytest.warns(FutureWarning, match="tau_Theta"):
        changed = model.replace(tau_vth=4 * ms)
    assert changed.tau_Theta == 4 * ms


def test_escape_rate_old_keyword():
    from sfa_helpers.theory.escape import escape_rate

    with pytest.warns(FutureWarning, match="Delta_u"):
        old = escape_rate(-55 * mV, -50 * mV, delta_u=2 * mV, tau_0=5 * ms)
    assert old == escape_rate(-55 * mV, -50 * mV, Delta_u=2 * mV, tau_0=5 * ms)


def test_renamed_parameters_still_read_as_attributes_with_a_warning():
    from sfa_helpers.models import LIF, EscapeSRM, ThresholdIncrease

    base = LIF(tau_m=10 * ms, E_L=-65 * mV, V_th=-50 * mV, V_reset=-65 * mV, R=100 * Mohm)
    model = base + ThresholdIncrease(Theta_max=200 * mV, tau_Theta=1 * ms)
    with pytest.warns(FutureWarning, match="tau_Theta"):
        assert model.tau_vth == 1 * ms
    srm = EscapeSRM(10 * ms, -70 * mV, 40 * Mohm, -55 * mV, 2 * mV, 10 * ms)
    with pytest.warns(FutureWarning, match="Delta_u"):
        assert srm.delta_u == 2 * mV
    with pytest.raises(AttributeError):
        model.no_such_parameter
