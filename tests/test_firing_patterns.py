"""Firing-pattern classifier on hand-made spike trains, on the presets, and the pattern map."""

import numpy as np
import pytest
from brian2 import Quantity, amp, mV, ms, nS, pA, second

from sfa_helpers import simulate, stimuli
from sfa_helpers.firing_patterns import (PATTERNS, classify_pattern, classify_spikes,
                                         classify_trains, pattern_map, plot_pattern_map)
from sfa_helpers.models import FIRING_PATTERNS
from sfa_helpers.models.presets import PATTERN_NAMES, brette_gerstner_regular_spiking

T = 500.0  # ms


def _train(times_ms):
    return np.asarray(times_ms, dtype=float) * ms


def _from_isis(first, isis):
    return _train(first + np.concatenate([[0], np.cumsum(isis)]))


def _classify(train):
    return classify_pattern(train, 0 * ms, T * ms)


# Hand-made trains: each built to satisfy one definition and violate the others.
HAND_MADE = {
    "tonic": _from_isis(10, [20] * 24),                                   # constant ISIs
    "adapting": _from_isis(10, 10 + 20 * (1 - np.exp(-np.arange(24) / 5))),  # 10 -> 30 ms
    "initial burst": _from_isis(5, [3, 4] + [40] * 12),                  # 2 short, then regular
    "bursting": _train(np.concatenate([b + np.array([0, 2, 4, 6]) for b in np.arange(10, 500, 50)])),
    "irregular": _from_isis(5, np.random.default_rng(1).uniform(4, 40, 30)),  # aperiodic ISIs
    "transient": _train([12, 30, 70]),                                   # stops firing
    "delayed": _from_isis(150, [60] * 5),                                # latency > every ISI
    "silent": _train([]),
}


@pytest.mark.parametrize("label", list(HAND_MADE))
def test_hand_made_trains(label):
    assert _classify(HAND_MADE[label]) == label


def test_criteria_boundaries():
    # adaptation ratio 1.4 is tonic, 1.6 adapting
    assert _classify(_from_isis(10, [20] + [28] * 20)) == "tonic"
    assert _classify(_from_isis(10, [20] + [32] * 20)) == "adapting"
    # delayed: a latency longer than every ISI *and* more than 2.5 steady ISIs; a latency a
    # little longer than the ISIs (from rest instead of from the reset) is normal
    assert _classify(_from_isis(61, [40] * 11)) != "delayed"
    assert _classify(_from_isis(99, [40] * 9)) != "delayed"
    assert _classify(_from_isis(101, [40] * 9)) == "delayed"
    assert _classify(_from_isis(124, [100] * 3)) != "delayed"   # or a quarter of the step
    assert _classify(_from_isis(126, [100] * 3)) == "delayed"
    # initial burst: short first ISIs that end abruptly (a jump > 2x); ISIs that lengthen by
    # smaller steps are adapting, however short the first ones
    assert _classify(_from_isis(5, [3, 4, 8.5] + [40] * 11)) == "initial burst"
    assert _classify(_from_isis(5, [3, 4, 11.5] + [40] * 11)) == "initial burst"
    assert _classify(_from_isis(5, [3, 5, 9, 12, 20, 30] + [40] * 10)) == "adapting"
    assert _classify(_from_isis(5, [3, 4.5, 7, 11, 17, 26] + [40] * 10)) == "adapting"
    # bursts of unequal size are irregular
    unequal = np.concatenate([b + np.arange(n) * 2.0 for b, n in
                              zip(np.arange(10, 500, 50), [4, 3, 5, 2, 4, 3, 5, 2, 4, 3])])
    assert _classify(_train(unequal)) == "irregular"
    # a single late spike is delayed, a single early one transient
    assert _classify(_train([300])) == "delayed"
    assert _classify(_train([20])) == "transient"
    # spikes outside the window are ignored
    assert classify_pattern(_train([5, 600, 700]), 10 * ms, 500 * ms) == "silent"


def test_bad_input():
    with pytest.raises(ValueError, match="sorted"):
        _classify(_train([30, 20, 40]))
    with pytest.raises(ValueError, match="stop"):
        classify_pattern(_train([1]), 10 * ms, 5 * ms)
    with pytest.raises(Exception, match="spike_times"):
        classify_pattern(np.array([1.0, 2.0]) * mV, 0 * ms, 10 * ms)


def test_every_preset_is_labelled_with_its_name():
    presets = [FIRING_PATTERNS[n] for n in PATTERN_NAMES] + [brette_gerstner_regular_spiking()]
    keys = ("tau_m", "E_L", "V_T", "Delta_T", "V_reset", "a", "b", "tau_w", "R")
    from sfa_helpers.models import AdEx

    group = AdEx(**{k: Quantity([float(getattr(p.model, k)) for p in presets],
                                dim=getattr(presets[0].model, k).dim) for k in keys})
    I = Quantity([float(p.current) for p in presets], dim=amp.dim)
    for dt in (0.05 * ms, 0.02 * ms):
        res = simulate(group, stimuli.step(I, 0 * ms), T * ms, dt=dt, record=())
        labels = [classify_pattern(tr, 0 * ms, T * ms) for tr in res.spike_trains]
        assert labels == [p.name for p in presets]


def test_pattern_map_is_one_group_and_agrees_with_single_runs():
    base = FIRING_PATTERNS["bursting"].model
    a = np.linspace(-1, 1, 5) * nS
    u_r = np.array([-60.0, -51.0, -46.0]) * mV
    pm = pattern_map(base, 65 * pA, "a", a, "V_reset", u_r)
    assert pm.labels.shape == (3, 5)
    assert set(pm.labels.ravel()) <= set(PATTERNS)
    # the two presets of this plane are found where they belong
    assert pm.label_at(0.5 * nS, -51 * mV) == "initial burst"
    assert pm.label_at(-0.5 * nS, -46 * mV) == "bursting"
    # independent check of two grid points by separate simulations
    for i, j in ((0, 0), (4, 2)):
        single = simulate(base.replace(a=a[i], V_reset=u_r[j]), stimuli.step(65 * pA, 0 * ms),
                          T * ms, dt=pm.dt, record=())
        assert classify_pattern(single.spike_trains[0], 0 * ms, T * ms) == pm.labels[j, i]
    ax = plot_pattern_map(pm, marks={"bursting": (-0.5 * nS, -46 * mV)})
    assert ax.get_xlabel() == "a (nS)" and ax.get_ylabel() == "V_reset (mV)"
    with pytest.raises(ValueError, match="different"):
        pattern_map(base, 65 * pA, "a", a, "a", a)
    with pytest.raises(Exception, match="x_values"):
        pattern_map(base, 65 * pA, "a", u_r, "b", a)


# ---- the vectorised classifier must give exactly the labels of classify_pattern -------------

def _boundary_trains():
    """Trains at or near every threshold of the criteria (where rounding could matter)."""
    out = [_from_isis(10, [20] + [30] * 20), _from_isis(10, [20] + [30.000001] * 20),
           _from_isis(60, [60] * 7), _from_isis(61, [60] * 7), _train([250]), _train([249.999]),
           _from_isis(99.999, [40] * 9), _from_isis(100, [40] * 9), _from_isis(125, [100] * 3),
           _from_isis(125.001, [100] * 3), _from_isis(5, [3, 5, 10] + [40] * 9), _from_isis(5, [3, 5, 10.001] + [40] * 9),
           _train([100, 249.9, 250.1]), _from_isis(5, [2.5, 2.5] + [10] * 40),
           _from_isis(5, [2.5, 2.6] + [10] * 40), _train([10, 20]), _train([10, 300]),
           _train([260, 270, 280, 290])]
    for n_burst in (1, 2, 3, 6):  # bursts of n spikes, period 50 ms, with and without jitter
        for jitter in (0.0, 1.0, 6.0):
            rng = np.random.default_rng(n_burst)
            starts = np.arange(10, 500, 50) + jitter * rng.standard_normal(10)
            out.append(_train(np.sort(np.concatenate([b + 3.0 * np.arange(n_burst)
                                                      for b in starts]))))
    return out


def _random_trains(n, seed):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        kind, k = rng.integers(5), int(rng.integers(0, 60))
        if kind == 0:    # Poisson-like, also spikes outside the window
            t = np.sort(rng.uniform(-50, 600, k))
        elif kind == 1:  # two interval classes (bursts of random length)
            t = rng.uniform(0, 100) + np.cumsum(rng.choice([2.0, 40.0], k, p=[0.7, 0.3]))
        elif kind == 2:  # regular bursts
            nb, period = int(rng.integers(1, 6)), rng.uniform(20, 80)
            t = np.concatenate([b + np.arange(nb) * rng.uniform(1, 4)
                                for b in np.arange(rng.uniform(0, 100), 500, period)])
        elif kind == 3:  # adapting / accelerating
            t = rng.uniform(0, 300) + np.cumsum(rng.uniform(5, 60) * np.linspace(1, rng.uniform(0.5, 3), k))
        else:            # ISIs on a 0.1 ms grid (ties between intervals)
            t = np.round(np.cumsum(rng.uniform(1, 30, k)), 1)
        out.append(_train(np.sort(t)))
    return out


@pytest.mark.parametrize("window", [(0, 500), (10, 400), (100, 300)])
def test_vectorised_classifier_equals_classify_pattern_on_made_trains(window):
    trains = list(HAND_MADE.values()) + _boundary_trains() + _random_trains(1500, seed=7)
    start, stop = window[0] * ms, window[1] * ms
    expected = [classify_pattern(tr, start, stop) for tr in trains]
    got = classify_trains(trains, start, stop)
    assert list(got) == expected
    assert set(expected) == set(PATTERNS)  # every label is exercised


def test_vectorised_classifier_equals_classify_pattern_on_simulated_trains():
    # A map with every kind of border (and the per-neuron classifier as the reference).
    base = FIRING_PATTERNS["bursting"].model
    X, Y = np.meshgrid(np.linspace(-2, 2, 15), np.linspace(-65e-3, -42e-3, 15))
    res = simulate(base.replace(a=Quantity(X.ravel() * 1e-9, dim=nS.dim),
                                V_reset=Quantity(Y.ravel(), dim=mV.dim)),
                   stimuli.step(65 * pA, 0 * ms), T * ms, dt=0.1 * ms, record=())
    expected = [classify_pattern(tr, 0 * ms, T * ms) for tr in res.spike_trains]
    assert len(set(expected)) >= 5
    assert list(classify_trains(res.spike_trains, 0 * ms, T * ms)) == expected
    # the flat SpikeMonitor form, in any spike order across neurons
    i = np.concatenate([np.full(len(tr), k) for k, tr in enumerate(res.spike_trains)])
    t = np.concatenate([np.asarray(tr) for tr in res.spike_trains])
    order = np.argsort(t, kind="stable")
    assert list(classify_spikes(i[order], t[order] * second, len(expected), 0 * ms, T * ms)) == expected


def test_vectorised_classifier_bad_input():
    with pytest.raises(ValueError, match="sorted"):
        classify_trains([_train([1, 2]), _train([30, 20, 40])], 0 * ms, T * ms)
    with pytest.raises(ValueError, match="stop"):
        classify_trains([_train([1])], 10 * ms, 5 * ms)
    with pytest.raises(Exception, match="spike_times"):
        classify_trains([np.array([1.0, 2.0]) * mV], 0 * ms, 10 * ms)
    with pytest.raises(ValueError, match="spike_i"):
        classify_spikes([0, 3], [1, 2] * ms, 2, 0 * ms, 10 * ms)
    assert list(classify_trains([_train([]), _train([])], 0 * ms, T * ms)) == ["silent", "silent"]
    assert list(classify_spikes([], [] * ms, 3, 0 * ms, T * ms)) == ["silent"] * 3


# Naud, Marcille, Clopath & Gerstner (2008), Biol Cybern 99:335, Table 1: AdEx parameters for
# eight firing patterns (C pF, g_L nS, E_L mV, a nS, tau_w ms, b pA, V_r mV, I pA; V_T = -50 mV
# and Delta_T = 2 mV throughout), a second table beside the book's Table 6.1 (the classifier's
# thresholds were chosen so that both get their labels). Both delayed patterns of the paper are
# 'delayed' here.
NAUD_2008 = {
    "tonic spiking": (200, 10, -70, 2, 30, 0, -58, 500, "tonic"),
    "adaptation": (200, 12, -70, 2, 300, 60, -58, 500, "adapting"),
    "initial burst": (130, 18, -58, 4, 150, 120, -50, 400, "initial burst"),
    "regular bursting": (200, 10, -58, 2, 120, 100, -46, 210, "bursting"),
    "delayed accelerating": (200, 12, -70, -10, 300, 0, -58, 300, "delayed"),
    "delayed regular bursting": (100, 10, -65, -10, 90, 30, -47, 110, "delayed"),
    "transient spiking": (100, 10, -65, 10, 90, 100, -47, 180, "transient"),
    "irregular spiking": (100, 12, -60, -11, 130, 30, -48, 160, "irregular"),
}


@pytest.fixture(scope="module")
def naud_run():
    from brian2 import pF
    from sfa_helpers.models import AdEx

    rows = list(NAUD_2008.values())
    col = lambda k, unit: Quantity([r[k] for r in rows], dim=unit.dim) * float(unit)
    group = AdEx(tau_m=col(0, pF) / col(1, nS), g_L=col(1, nS), E_L=col(2, mV), V_T=-50 * mV,
                 Delta_T=2 * mV, a=col(3, nS), tau_w=col(4, ms), b=col(5, pA), V_reset=col(6, mV),
                 V_peak=0 * mV)
    return simulate(group, stimuli.step(col(7, pA), 0 * ms), 500 * ms, dt=0.02 * ms, record=())


@pytest.mark.parametrize("k, name", list(enumerate(NAUD_2008)))
def test_naud_2008_parameter_sets_get_their_published_pattern(naud_run, k, name):
    train = naud_run.spike_trains[k]
    assert _classify(train) == NAUD_2008[name][-1]
    assert classify_trains([train], 0 * ms, 500 * ms)[0] == NAUD_2008[name][-1]
