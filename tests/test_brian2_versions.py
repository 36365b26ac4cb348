"""Results do not depend on the Brian2 version (2.9.0 on Python 3.11, 2.10/2.11 from 3.12).

``tests/data/reference_spikes.json`` holds the spike steps of a few deterministic and seeded runs,
recorded once with Brian2 2.9.0 (its header says when and with what). CI runs this file on
Python 3.11 (Brian2 2.9.0) and on Python 3.13 (Brian2 2.11), and both must reproduce them:
deterministic runs within one time step, seeded runs step for step (the same realisation). The
deterministic LIF case is also checked against the closed-form interval on the time grid, so the
stored numbers are not just whatever the code once printed.

Regenerate (only after a deliberate change of the models or the engine's random numbers):
``python tests/test_brian2_versions.py --write``.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import platform
import sys

import numpy as np
import pytest
from brian2 import Mohm, mV, ms, nS, pA, pF, second

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sfa_helpers import engine, simulate, stimuli, theory  # noqa: E402
from sfa_helpers.models import (LIF, AdaptationCurrent, AdaptiveThreshold, AdEx,  # noqa: E402
                                EscapeNoise)

REFERENCE = ROOT / "tests" / "data" / "reference_spikes.json"
DT = 0.1 * ms


def _nest_lif():
    return LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
               C_m=250 * pF)


def cases():
    """name -> (model, stimulus, duration, seed, deterministic)."""
    return {
        "LIF, three constant currents": (_nest_lif(), stimuli.constant([400, 500, 700] * pA),
                                         300 * ms, 1, True),
        "LIF + AdaptationCurrent, step": (_nest_lif() + AdaptationCurrent(100 * ms, 100 * pA),
                                          stimuli.step(500 * pA, 20 * ms, 280 * ms), 300 * ms, 1,
                                          True),
        "AdEx, initial burst": (AdEx(tau_m=5 * ms, R=500 * Mohm, E_L=-70 * mV, V_T=-50 * mV,
                                     Delta_T=2 * mV, V_reset=-51 * mV, a=0.5 * nS, b=7 * pA,
                                     tau_w=100 * ms),
                                stimuli.step(65 * pA, 10 * ms), 300 * ms, 1, True),
        "LIF, white noise (seeded)": (_nest_lif(), stimuli.white_noise(
            [350, 380] * pA, 20 * pA * second ** 0.5 / 10), 1 * second, 12345, False),
        "LIF + AdaptiveThreshold, OU (seeded)": (
            _nest_lif() + AdaptiveThreshold(100 * ms, 2 * mV),
            stimuli.ou(500 * pA, 200 * pA, 2 * ms), 1 * second, 2024, False),
        "LIF + EscapeNoise (seeded)": (_nest_lif() + EscapeNoise(2 * mV, 10 * ms),
                                       stimuli.constant([320, 340] * pA), 1 * second, 7, False),
    }


def spike_steps(name):
    model, stimulus, duration, seed, _ = cases()[name]
    result = simulate(model, stimulus, duration, dt=DT, record=(), seed=seed)
    return [np.rint(np.asarray(t / DT)).astype(int).tolist() for t in result.spike_trains]


def _reference():
    return json.loads(REFERENCE.read_text())


@pytest.mark.parametrize("name", list(cases()))
def test_spike_times_match_the_stored_reference(name):
    stored = _reference()["cases"][name]
    ours = spike_steps(name)
    deterministic = cases()[name][4]
    assert len(ours) == len(stored)
    for k, (a, b) in enumerate(zip(ours, stored)):
        assert len(b) >= 3, "a reference case must fire"
        assert len(a) == len(b), f"neuron {k}: {len(a)} spikes, reference {len(b)}"
        if deterministic:
            assert np.max(np.abs(np.subtract(a, b))) <= 1, f"neuron {k}: more than one step off"
        else:
            assert a == b, f"neuron {k}: another realisation than the reference's for this seed"


def test_the_stored_lif_reference_is_the_closed_form_interval_on_the_grid():
    """Independent check of the stored numbers: a LIF from rest under a constant current fires
    every ISI on the grid (refractory period included), first spike at the time to threshold."""
    model, stimulus, *_ = cases()["LIF, three constant currents"]
    stored = _reference()["cases"]["LIF, three constant currents"]
    # V_init = E_L = V_reset: the first spike and every interval after the refractory period
    # take the time to threshold from V_reset, rounded up to the grid (within one step)
    to_threshold = np.ceil(np.asarray(theory.lif_time_to_threshold(model, [400, 500, 700] * pA)
                                      / DT) - 1e-9)
    refractory = round(float(model.t_ref / DT))
    for steps, k in zip(stored, to_threshold):
        assert abs(steps[0] - k) <= 1
        np.testing.assert_allclose(np.diff(steps), k + refractory, atol=1)


def test_reference_file_says_where_it_came_from():
    header = _reference()["recorded_with"]
    assert header["brian2"] == "2.9.0" and header["dt_ms"] == float(DT / ms)


def _write():
    import brian2

    data = {"recorded_with": {"brian2": brian2.__version__, "numpy": np.__version__,
                              "python": platform.python_version(),
                              "date": datetime.date.today().isoformat(),
                              "dt_ms": float(DT / ms), "engine": engine.ENGINE_VERSION},
            "cases": {name: spike_steps(name) for name in cases()}}
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {REFERENCE}")


if __name__ == "__main__":
    if "--write" in sys.argv:
        _write()
