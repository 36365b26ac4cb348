"""Firing-pattern classifier on hand-made spike trains, on the presets, and the pattern map."""

import numpy as np
import pytest
from brian2 import Quantity, amp, mV, ms, nS, pA, second

from sfa_helpers import simulate, stimuli
from sfa_helpers.firing_patterns import (PATTERNS, classify_pattern, pattern_map,
                                         plot_pattern_map)
from sfa_helpers.models import FIRING_PATTERNS
from sfa_helpers.models.adex import PATTERN_NAMES, brette_gerstner_regular_spiking

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
    # latency equal to an ISI is not delayed; longer than all is
    assert _classify(_from_isis(60, [60] * 7)) != "delayed"
    assert _classify(_from_isis(61, [60] * 7)) == "delayed"
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
                          T * ms, dt=0.05 * ms, record=())
        assert classify_pattern(single.spike_trains[0], 0 * ms, T * ms) == pm.labels[j, i]
    ax = plot_pattern_map(pm, marks={"bursting": (-0.5 * nS, -46 * mV)})
    assert ax.get_xlabel() == "a (nS)" and ax.get_ylabel() == "V_reset (mV)"
    with pytest.raises(ValueError, match="different"):
        pattern_map(base, 65 * pA, "a", a, "a", a)
    with pytest.raises(Exception, match="x_values"):
        pattern_map(base, 65 * pA, "a", u_r, "b", a)
