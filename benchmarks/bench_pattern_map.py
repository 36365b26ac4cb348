"""Wall time of a firing-pattern map (sfa_helpers.firing_patterns.pattern_map).

Grid 40 x 40 = 1600 AdEx neurons over (a, V_reset) around the 'bursting' preset, 65 pA step,
500 ms at dt 0.05 ms (10 000 rk4 steps), one NeuronGroup, plus classification. The first call
builds the program (not timed as a recompute); then the median of 5 recomputes with new parameter
values (what a widget does) is printed.

Usage: .venv/bin/python benchmarks/bench_pattern_map.py
"""

import platform
import statistics
import time

import numpy as np
from brian2 import mV, nS, pA

from sfa_helpers.firing_patterns import pattern_map
from sfa_helpers.models import FIRING_PATTERNS


def main():
    base = FIRING_PATTERNS["bursting"].model
    a = np.linspace(-2, 2, 40) * nS
    u_r = np.linspace(-65, -42, 40) * mV
    t0 = time.perf_counter()
    pattern_map(base, 65 * pA, "a", a, "V_reset", u_r)
    first = time.perf_counter() - t0
    times = []
    for k in range(5):
        pm = pattern_map(base.replace(b=(5 + k) * pA), 65 * pA, "a", a, "V_reset", u_r)
        times.append(pm.elapsed)
    print(f"pattern map 40x40 = 1600 AdEx neurons, 500 ms, dt 0.05 ms, one NeuronGroup "
          f"({platform.processor() or platform.machine()}, {platform.python_version()})")
    print(f"first call (build or cache check): {first:.2f} s")
    print(f"recompute, median of 5: {statistics.median(times):.2f} s "
          f"(min {min(times):.2f} s, max {max(times):.2f} s)")


if __name__ == "__main__":
    main()
