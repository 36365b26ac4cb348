"""Speed of the spike-train statistics and of lesson 06's CV-versus-rate sweep.

Usage::

    python benchmarks/bench_analysis.py            # analysis only (Poisson trains, no Brian2 run)
    python benchmarks/bench_analysis.py --sweep    # also the 40 neurons x 25 s simulation

The analysis of 40 trains x 25 s (CV, CV2, LV, rho_1..5, Fano factor, autocorrelogram +-200 ms,
ISI histogram) must take well under a second (issue 5).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from brian2 import Hz, mV, ms, pA, pF, second

from sfa_helpers import analysis


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def analyse(trains, duration):
    analysis.cv(trains, warn=False)
    analysis.cv2(trains, warn=False)
    analysis.lv(trains, warn=False)
    analysis.serial_correlation(trains, 5, warn=False)
    analysis.fano_factor(trains, 100 * ms, stop=duration, warn=False)
    analysis.autocorrelogram(trains, 200 * ms, 41, warn=False)
    analysis.isi_histogram(trains)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sweep", action="store_true", help="also time the Brian2 sweep")
    args = parser.parse_args(argv)
    duration = 25 * second
    for top_rate in (20, 100):
        trains = analysis.poisson_spike_trains(np.linspace(1, top_rate, 40) * Hz, duration, seed=0)
        spikes = sum(len(t) for t in trains)
        print(f"analysis, 40 Poisson trains x 25 s, rates 1-{top_rate} Hz ({spikes} spikes): "
              f"{1000 * best_of(lambda: analyse(trains, duration)):.0f} ms")
    if args.sweep:
        from sfa_helpers import simulate, stimuli
        from sfa_helpers.models import LIF, AdaptiveThreshold

        neuron = (LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
                      C_m=250 * pF) + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=5 * mV))
        stim = stimuli.ou(np.geomspace(150, 700, 40) * pA, 200 * pA, 2 * ms)
        start = time.perf_counter()
        simulate(neuron, stim, duration, record=(), seed=1)
        print(f"sweep, first call (may build): {time.perf_counter() - start:.2f} s")
        print(f"sweep, re-run: {best_of(lambda: simulate(neuron, stim, duration, record=(), seed=1), 3):.2f} s")


if __name__ == "__main__":
    main()
