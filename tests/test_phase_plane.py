"""Phase plane: fixed points and saddle-node current against root finders applied to the
equations, stability against simulation."""

import numpy as np
import pytest
from brian2 import Quantity, amp, mV, ms, nS, pA, volt
from scipy.optimize import brentq, fsolve

from sfa_helpers import simulate, stimuli
from sfa_helpers.models import FIRING_PATTERNS, AdEx
from sfa_helpers.theory.adex import (fixed_points, hopf_current, jacobian, saddle_node_current,
                                     v_nullcline, vector_field, w_nullcline)


def _rhs(model, I):
    p = {k: float(getattr(model, k)) for k in ("tau_m", "E_L", "V_T", "Delta_T", "R", "a", "tau_w")}

    def f(x):
        v, w = x
        return [(-(v - p["E_L"]) + p["Delta_T"] * np.exp((v - p["V_T"]) / p["Delta_T"])
                 - p["R"] * w + p["R"] * I) / p["tau_m"] * 1e3,
                (p["a"] * (v - p["E_L"]) - w) / p["tau_w"] * 1e12]
    return f, p


CASES = [(name, I) for name in ("adapting", "initial burst", "bursting", "transient", "delayed")
         for I in (0 * pA, 20 * pA, 50 * pA)]


@pytest.mark.parametrize("name,I", CASES)
def test_fixed_points_solve_the_equations(name, I):
    """Each fixed point is a zero of the vector field (checked by fsolve started next to it and
    by brentq on the reduced equation), and every sign change of the reduced equation on a fine
    grid is one of the fixed points returned."""
    model = FIRING_PATTERNS[name].model
    f, p = _rhs(model, float(I))
    fps = fixed_points(model, I)
    g = lambda v: f([v, p["a"] * (v - p["E_L"])])[0]
    grid = np.linspace(-0.1, -0.035, 20001)
    vals = np.array([g(v) for v in grid])
    roots = [brentq(g, grid[k], grid[k + 1]) for k in np.flatnonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))]
    assert len(roots) == len(fps)
    for fp, root in zip(fps, sorted(roots)):
        assert float(fp.v) == pytest.approx(root, abs=1e-9)
        sol = fsolve(f, [float(fp.v) + 1e-4, float(fp.w) + 1e-12], xtol=1e-13)
        assert sol[0] == pytest.approx(float(fp.v), abs=1e-8)
        assert sol[1] == pytest.approx(float(fp.w), abs=1e-15)


def test_jacobian_against_finite_differences():
    model = FIRING_PATTERNS["bursting"].model
    v0, w0 = -0.052, 3e-12
    J = jacobian(model, v0 * volt, w0 * amp)
    h = (1e-7, 1e-16)
    for col, (dv, dw) in enumerate(((h[0], 0), (0, h[1]))):
        plus = vector_field(model, 30 * pA, (v0 + dv) * volt, (w0 + dw) * amp)
        minus = vector_field(model, 30 * pA, (v0 - dv) * volt, (w0 - dw) * amp)
        num = [(float(plus[r]) - float(minus[r])) / (2 * (dv or dw)) for r in (0, 1)]
        np.testing.assert_allclose(J[:, col], num, rtol=1e-5)


@pytest.mark.parametrize("name", ["adapting", "initial burst", "transient", "delayed"])
def test_saddle_node_current(name):
    """Just below I_SN there are two fixed points, just above none (counted by sign changes of
    the reduced equation, independent of the closed form)."""
    model = FIRING_PATTERNS[name].model
    I_sn = float(saddle_node_current(model))
    for factor, expected in ((0.999, 2), (1.001, 0)):
        f, p = _rhs(model, I_sn * factor)
        g = np.array([f([v, p["a"] * (v - p["E_L"])])[0] for v in np.linspace(-0.1, -0.03, 70001)])
        assert np.count_nonzero(np.sign(g[:-1]) != np.sign(g[1:])) == expected
        assert len(fixed_points(model, I_sn * factor * amp)) == expected


def _rest_eigenvalues(model, I):
    """Eigenvalues at the lower fixed point, all numerical: brentq on the reduced equation and
    a central-difference Jacobian of the raw right-hand side (no closed form used)."""
    f, p = _rhs(model, I)
    g = lambda v: f([v, p["a"] * (v - p["E_L"])])[0]
    grid = np.linspace(-0.1, -0.03, 70001)
    vals = np.array([g(v) for v in grid])
    k = np.flatnonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))[0]
    v0 = brentq(g, grid[k], grid[k + 1], xtol=1e-15)
    x0 = np.array([v0, p["a"] * (v0 - p["E_L"])])
    h = np.array([1e-7, 1e-15])
    J = np.column_stack([(np.array(f(x0 + e)) - np.array(f(x0 - e))) / (2 * e.sum())
                         for e in np.diag(h)])
    return np.linalg.eigvals(J / np.array([[1e3], [1e12]]))  # _rhs scales its rows


# a > C/tau_w: the side-by-side AdEx of lesson 04 and the 'transient' and 'initial burst' presets
HOPF_MODELS = {
    "lesson 04 comparison": AdEx(tau_m=10 * ms, E_L=-75 * mV, V_T=-55 * mV, Delta_T=1 * mV,
                                 V_reset=-75 * mV, a=6 * nS, b=10 * pA, tau_w=100 * ms,
                                 g_L=10 * nS, t_ref=2 * ms),
    "transient": FIRING_PATTERNS["transient"].model,
    "initial burst": FIRING_PATTERNS["initial burst"].model,
}


@pytest.mark.parametrize("name", list(HOPF_MODELS))
def test_hopf_current_is_where_the_rest_state_loses_stability(name):
    model = HOPF_MODELS[name]
    I_h, I_sn = float(hopf_current(model)), float(saddle_node_current(model))
    assert I_h < I_sn
    below = _rest_eigenvalues(model, I_h - 1e-3 * abs(I_h))
    above = _rest_eigenvalues(model, I_h + 1e-3 * abs(I_h))
    assert np.all(below.real < 0) and np.all(above.real > 0)  # a pair crosses the axis
    assert np.all(above.imag != 0)                           # as a complex pair: Hopf
    # the closed-form stability agrees
    assert fixed_points(model, (I_h - 1e-3 * abs(I_h)) * amp)[0].stable
    assert not fixed_points(model, (I_h + 1e-3 * abs(I_h)) * amp)[0].stable


def test_without_a_hopf_the_rest_state_is_stable_up_to_the_saddle_node():
    model = FIRING_PATTERNS["adapting"].model  # a = 0: a R < tau_m / tau_w
    assert np.isnan(float(hopf_current(model)))
    I_sn = float(saddle_node_current(model))
    for factor in (0.5, 0.9, 0.999):
        assert np.all(_rest_eigenvalues(model, I_sn * factor).real < 0)


def test_hopf_in_simulation_rest_below_oscillation_above():
    """Started at the rest fixed point plus a small push: below I_H the push dies out, above
    I_H (still below I_SN, so the rest state exists) it grows into spikes."""
    model = HOPF_MODELS["lesson 04 comparison"]
    I_h = float(hopf_current(model))
    currents = np.array([I_h - 0.4e-12, I_h + 0.4e-12])  # I_SN is only 1 pA above I_H
    starts = [fixed_points(model, c * amp)[0] for c in currents]
    assert all(fp.kind.endswith("focus") for fp in starts)
    group = model.replace(V_init=Quantity([float(fp.v) + 0.1e-3 for fp in starts], dim=volt.dim),
                          w_init=Quantity([float(fp.w) for fp in starts], dim=amp.dim))
    res = simulate(group, stimuli.constant(currents * amp), 2000 * ms, dt=0.02 * ms, record=())
    assert len(res.spike_trains[0]) == 0
    assert len(res.spike_trains[1]) > 0


def test_transient_preset_current_lies_between_the_two_rheobases():
    model = FIRING_PATTERNS["transient"].model
    assert float(saddle_node_current(model) / pA) == pytest.approx(56.43, abs=0.01)
    assert FIRING_PATTERNS["transient"].current < saddle_node_current(model)
    assert len(fixed_points(model, 65 * pA)) == 0  # the book's 65 pA: no rest state


def test_stable_fixed_point_is_the_simulated_steady_state_below_rheobase():
    """Below I_SN a neuron started at rest settles at the stable fixed point (nullcline
    intersection), and at the saddle a small push decides between rest and firing."""
    names = ["adapting", "initial burst", "transient", "delayed"]
    models = [FIRING_PATTERNS[n].model for n in names]
    currents = [0.8 * saddle_node_current(m) for m in models]
    keys = ("tau_m", "E_L", "V_T", "Delta_T", "V_reset", "a", "b", "tau_w", "R")
    group = AdEx(**{k: Quantity([float(getattr(m, k)) for m in models], dim=getattr(models[0], k).dim)
                    for k in keys})
    I = Quantity([float(c) for c in currents], dim=amp.dim)
    res = simulate(group, stimuli.constant(I), 1500 * ms, dt=0.05 * ms, record=("v", "w"))
    for k, (m, c) in enumerate(zip(models, currents)):
        stable = [fp for fp in fixed_points(m, c) if fp.stable]
        assert len(stable) == 1
        assert float(res.v[k, -1]) == pytest.approx(float(stable[0].v), abs=0.01e-3)
        assert float(res.w[k, -1]) == pytest.approx(float(stable[0].w), abs=0.05e-12)
        # the fixed point lies on both nullclines
        assert float(v_nullcline(m, c, stable[0].v)) == pytest.approx(float(stable[0].w), abs=1e-18)
        assert float(w_nullcline(m, stable[0].v)) == pytest.approx(float(stable[0].w), abs=1e-18)


def test_bad_input():
    model = FIRING_PATTERNS["tonic"].model
    with pytest.raises(Exception, match="current"):
        fixed_points(model, 1 * mV)
    with pytest.raises(ValueError, match="scalar"):
        fixed_points(model.replace(a=np.array([0.0, 1.0]) * nS), 10 * pA)
    with pytest.raises(TypeError):
        fixed_points("not a model", 10 * pA)


# --- the interactive explorer --------------------------------------------------------------

def test_phase_plane_explorer_draws_the_model_of_its_sliders_and_caches_moves_back():
    from sfa_helpers.widgets import explore_phase_plane

    model = FIRING_PATTERNS["adapting"].model
    explorer = explore_phase_plane(model, 65 * pA)
    first, png = explorer.result, explorer._figure_widget.value
    assert png[:4] == b"\x89PNG"
    explorer.sliders["V_reset"].value = -46.0  # mV
    moved = model.replace(V_reset=-46 * mV)
    assert explorer.current_model == moved
    fresh = simulate(moved, stimuli.step(65 * pA, 20 * ms), 400 * ms, dt=0.02 * ms,
                     record=("v", "w"), seed=0)
    np.testing.assert_array_equal(np.asarray(explorer.result.spike_trains[0]),
                                  np.asarray(fresh.spike_trains[0]))
    # the drawn nullclines and trace are those of the moved model
    v = explorer._v_null.get_xdata() * 1e-3 * volt
    np.testing.assert_allclose(explorer._v_null.get_ydata(),
                               np.asarray(v_nullcline(moved, 65 * pA, v) / pA))
    np.testing.assert_allclose(explorer._trace.get_ydata(), np.asarray(fresh.v[0] / mV))
    n_fixed = len(explorer._fp_stable.get_xdata()) + len(explorer._fp_unstable.get_xdata())
    assert n_fixed == len(fixed_points(moved, 65 * pA))
    assert explorer._figure_widget.value != png
    assert len(explorer.result.spike_trains[0]) != len(first.spike_trains[0])
    explorer.sliders["V_reset"].value = float(model.V_reset / mV)  # back: cached
    assert explorer.result is first
    assert explorer._cache.hits >= 1
    with pytest.raises(ValueError, match="No slider"):
        explorer.update(tau_m=5 * ms)
