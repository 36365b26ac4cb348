"""Time of a firing-pattern map and of its widget (sfa_helpers.firing_patterns).

Grid n x n AdEx neurons over (a, V_reset) around the 'bursting' preset (default n = 40: 1600
neurons), 65 pA step, 500 ms at dt 0.1 ms (5000 rk4 steps), one NeuronGroup recording spikes
only, then the vectorised classifier. Printed:

* grid size and number of neurons;
* first call (build, or the check of the disk cache when the program was built before);
* recompute (what a slider move does: new parameter values, same compiled program), median of
  ``--repeats``: wall time, and CPU time split into the compiled simulation (the child process,
  ``RUSAGE_CHILDREN``, the same figure as ``perf stat -e task-clock`` on the binary) and this
  Python process (``time.process_time``: preparing the run, reading spikes, classifying);
* the same recompute with the settings before the speed-up (dt 0.05 ms and the per-neuron
  ``classify_pattern`` loop), for comparison (``--no-reference`` skips it);
* the widget update (``explore_pattern_map(...).update(tau_w=...)``: simulate + classify +
  redraw into a PNG), median wall and CPU.

The machine's load average is printed too: wall times on a shared machine are inflated by other
processes; CPU times are not (much).

Usage: .venv/bin/python benchmarks/bench_pattern_map.py [--grid 40] [--repeats 5]
"""

import argparse
import os
import platform
import resource
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from brian2 import mV, ms, nS, pA, siemens, volt  # noqa: E402

from sfa_helpers import simulate, stimuli  # noqa: E402
from sfa_helpers.firing_patterns import classify_pattern, pattern_map  # noqa: E402
from sfa_helpers.widgets import explore_pattern_map  # noqa: E402
from sfa_helpers.models import FIRING_PATTERNS  # noqa: E402


def _child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _measure(fn, repeats):
    """Median wall, Python CPU and child (compiled program) CPU over ``repeats`` calls."""
    walls, pys, kids = [], [], []
    for k in range(repeats):
        w0, p0, c0 = time.perf_counter(), time.process_time(), _child_cpu()
        fn(k)
        walls.append(time.perf_counter() - w0)
        pys.append(time.process_time() - p0)
        kids.append(_child_cpu() - c0)
    return statistics.median(walls), statistics.median(pys), statistics.median(kids), walls


def _line(name, wall, py, kid):
    return (f"{name}: wall {wall:.3f} s | CPU {py + kid:.3f} s "
            f"(compiled simulation {kid:.3f} s + Python {py:.3f} s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=40, help="grid points per axis (default 40)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the dt 0.05 ms / per-neuron-classifier comparison")
    args = parser.parse_args()
    n, reps = args.grid, args.repeats
    base = FIRING_PATTERNS["bursting"].model
    a = np.linspace(-2, 2, n) * nS
    u_r = np.linspace(-65, -42, n) * mV
    load = os.getloadavg()
    print(f"pattern map {n} x {n} = {n * n} AdEx neurons, 500 ms, one NeuronGroup, spikes only "
          f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f})")

    t0 = time.perf_counter()
    pattern_map(base, 65 * pA, "a", a, "V_reset", u_r)
    print(f"first call (build or cache check): {time.perf_counter() - t0:.2f} s")

    timings = []

    def recompute(k):
        pm = pattern_map(base.replace(b=(5 + k) * pA), 65 * pA, "a", a, "V_reset", u_r)
        timings.append(pm.timings)

    wall, py, kid, walls = _measure(recompute, reps)
    print(_line(f"recompute, dt 0.1 ms, median of {reps}", wall, py, kid)
          + f"; wall min {min(walls):.3f} s, max {max(walls):.3f} s")
    print(f"  of which simulate {statistics.median(t['simulate'] for t in timings):.3f} s, "
          f"classify {statistics.median(t['classify'] for t in timings):.3f} s (wall)")

    if not args.no_reference:
        pattern_map(base, 65 * pA, "a", a, "V_reset", u_r, dt=0.05 * ms)  # build

        def reference(k):
            model = base.replace(b=(5 + k) * pA)
            X, Y = np.meshgrid(np.asarray(a), np.asarray(u_r))
            res = simulate(model.replace(a=X.ravel() * siemens, V_reset=Y.ravel() * volt),
                           stimuli.step(65 * pA, 0 * ms), 500 * ms, dt=0.05 * ms, record=(),
                           seed=0)
            [classify_pattern(tr, 0 * ms, 500 * ms) for tr in res.spike_trains]

        wall, py, kid, _ = _measure(reference, reps)
        print(_line("  before the speed-up (dt 0.05 ms, per-neuron classify_pattern)", wall, py,
                    kid))

    explorer = explore_pattern_map(base, 65 * pA, "a", a, "V_reset", u_r)
    draws = []

    def widget(k):
        explorer.update(tau_w=(60 + 10 * k) * ms)
        draws.append(explorer.last_timings["draw"])

    wall, py, kid, _ = _measure(widget, reps)
    print(_line(f"widget update (simulate + classify + redraw PNG), median of {reps}", wall, py,
                kid) + f"; redraw alone {statistics.median(draws):.3f} s wall")


if __name__ == "__main__":
    main()
