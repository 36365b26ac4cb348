"""Requests that would give a silently wrong or very late answer are refused up front, naming the
argument (issue 15, "the build path must survive what students do")."""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import Mohm, mV, ms, nA, second

from sfa_helpers import analysis, fi_curve, simulate, stimuli
from sfa_helpers.models import LIF

NEURON = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)


def test_a_duration_that_is_not_whole_steps_is_refused():
    with pytest.raises(ValueError, match="'duration'.*whole number of time steps"):
        simulate(NEURON, stimuli.constant(2 * nA), 0.25 * ms, dt=0.1 * ms)
    # floating-point noise in an exact multiple is fine
    assert simulate(NEURON, stimuli.constant(2 * nA), 0.3 * ms, dt=0.1 * ms).t.size == 3


def test_a_recording_that_cannot_fit_in_memory_is_refused_at_once(monkeypatch):
    from sfa_helpers import engine

    built = []
    monkeypatch.setattr(engine, "get_simulation", lambda *a: built.append(a))
    with pytest.raises(ValueError, match=r"GiB.*record=\(\)"):
        simulate(NEURON, stimuli.constant(np.linspace(1, 2, 100_000) * nA), 1 * second,
                 record=("v",))
    assert built == []  # refused before anything is built


def test_unknown_method_names_the_valid_ones():
    with pytest.raises(ValueError, match="bogus.*euler.*exact"):
        simulate(NEURON, stimuli.constant(2 * nA), 10 * ms, method="bogus")


@pytest.mark.parametrize("seed", [2 ** 63, 2 ** 64 - 1, 2 ** 64, 10 ** 30])
def test_seeds_beyond_64_bits_are_refused(seed):
    with pytest.raises(ValueError, match="'seed'"):
        simulate(NEURON, stimuli.white_noise(2 * nA, 0.01 * nA * second ** 0.5), 10 * ms, seed=seed)


def test_largest_seed_still_works_and_differs_from_its_neighbour():
    noisy = stimuli.white_noise(1.5 * nA, 0.05 * nA * second ** 0.5)
    a = simulate(NEURON, noisy, 50 * ms, seed=2 ** 63 - 1).v
    b = simulate(NEURON, noisy, 50 * ms, seed=2 ** 63 - 2).v
    assert not np.array_equal(np.asarray(a), np.asarray(b))


def test_fi_curve_checks_the_transient_before_simulating():
    with pytest.raises(ValueError, match="'transient'"):
        fi_curve(NEURON, [1, 2] * nA, 100 * ms, transient=200 * ms)


def test_isi_rate_refuses_an_empty_window():
    trains = [np.array([0.01, 0.02, 0.03]) * second]
    with pytest.raises(ValueError, match="'stop'"):
        analysis.isi_rate(trains, start=50 * ms, stop=10 * ms)
