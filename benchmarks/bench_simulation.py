"""Speed as a student feels it: sfa_helpers beside plain Brian2 and NEST, in one run.

Prints a Markdown table (paste it into benchmarks/RESULTS.md with the machine line it prints).
Targets (issue 2): slider re-simulation <= 10 ms median, slider-to-redrawn-figure <= 100 ms,
200-current x 10 s f-I sweep <= 0.1 s, first simulation with empty caches <= 5 s.

    python benchmarks/bench_simulation.py            # everything (plain Brian2 cython compiles: slow)
    python benchmarks/bench_simulation.py --quick    # skip the plain-Brian2 cython baseline
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

REPEATS = 30


def machine_line() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import brian2

    return (f"{datetime.date.today().isoformat()}, {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, Brian2 {brian2.__version__}, {platform.system()}")


def median_ms(fn, repeats=REPEATS):
    fn()  # warm: first use compiles or fills caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


# ---- sfa_helpers ---------------------------------------------------------------------------

def sfa_slider():
    from brian2 import Mohm, mV, ms, nA

    from sfa_helpers import simulate, stimuli
    from sfa_helpers.models import LIF

    model = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)
    amps = iter(np.linspace(1.5, 2.5, 10 * REPEATS))
    return median_ms(lambda: simulate(model, stimuli.step(next(amps) * nA, 100 * ms, 400 * ms), 500 * ms))


def sfa_redraw():
    """Slider value change -> simulate -> figure updated and rendered to PNG (what the inline
    backend sends to the browser)."""
    import matplotlib

    matplotlib.use("Agg")
    from brian2 import Mohm, mV, ms, nA

    from sfa_helpers import stimuli
    from sfa_helpers.models import LIF
    from sfa_helpers.widgets import explore

    model = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)
    explorer = explore(model, stimuli.step(1.6 * nA, 100 * ms, 400 * ms), 500 * ms)
    values = iter(np.linspace(1.5, 2.5, 10 * REPEATS))

    def move():  # the slider's observer simulates, updates the artists and renders the PNG
        explorer.sliders["amplitude"].value = float(next(values))

    return median_ms(move)


def sfa_sweep():
    from brian2 import Mohm, mV, ms, nA, second

    from sfa_helpers import fi_curve
    from sfa_helpers.models import LIF

    model = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-75 * mV, R=10 * Mohm)
    currents = np.linspace(0.5, 5, 200) * nA
    return median_ms(lambda: fi_curve(model, currents, 10 * second), repeats=10)


def sfa_cold_first_run(mode="background"):
    """A new process with an empty cache: import, then time the first simulate call.

    ``mode`` is ``SFA_HELPERS_BUILD``: ``background`` (the default: the first short runs are
    answered in runtime mode while a builder process compiles) or ``wait`` (compile first).
    Returns (import, first run, second run, compiled run after the builder finished) in ms."""
    code = (
        "import time\n"
        "t0 = time.perf_counter()\n"
        "from brian2 import ms, mV, nA, Mohm\n"
        "from sfa_helpers import engine, simulate, stimuli\n"
        "from sfa_helpers.models import LIF\n"
        "t1 = time.perf_counter()\n"
        "m = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-75*mV, R=10*Mohm)\n"
        "simulate(m, stimuli.step(1.6*nA, 100*ms, 400*ms), 500*ms)\n"
        "t2 = time.perf_counter()\n"
        "simulate(m, stimuli.step(1.7*nA, 100*ms, 400*ms), 500*ms)\n"
        "t3 = time.perf_counter()\n"
        "engine.wait_for_background_builds()\n"
        "simulate(m, stimuli.step(1.8*nA, 100*ms, 400*ms), 500*ms)\n"
        "simulate(m, stimuli.step(1.9*nA, 100*ms, 400*ms), 500*ms)\n"
        "t4 = time.perf_counter()\n"
        "simulate(m, stimuli.step(2.0*nA, 100*ms, 400*ms), 500*ms)\n"
        "print(t1 - t0, t2 - t1, t3 - t2, time.perf_counter() - t4)\n"
    )
    results = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as cache:
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, env={**os.environ, "SFA_HELPERS_CACHE": cache,
                                                  "SFA_HELPERS_BUILD": mode})
            results.append([float(x) for x in out.stdout.split()])
    return tuple(1000 * np.median(np.array(results), axis=0))


def sfa_warm_new_kernel():
    """A new process whose cache already holds the build (a student's second session)."""
    code = (
        "import time\n"
        "from brian2 import ms, mV, nA, Mohm\n"
        "from sfa_helpers import simulate, stimuli\n"
        "from sfa_helpers.models import LIF\n"
        "m = LIF(tau_m=10*ms, E_L=-70*mV, V_th=-55*mV, V_reset=-75*mV, R=10*Mohm)\n"
        "t = time.perf_counter()\n"
        "simulate(m, stimuli.step(1.6*nA, 100*ms, 400*ms), 500*ms)\n"
        "print(time.perf_counter() - t)\n"
    )
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(3)]
    return 1000 * float(np.median(times))


# ---- plain Brian2 ----------------------------------------------------------------------------

def brian_plain(target, n, duration_ms, record):
    """The same LIF written in plain Brian2 runtime mode; returns median ms per run."""
    import brian2 as b

    b.prefs.codegen.target = target
    eqs = """dv/dt = (E_L - v + R*I)/tau_m : volt
             I : amp"""
    ns = dict(E_L=-70 * b.mV, R=10 * b.Mohm, tau_m=10 * b.ms, V_th=-55 * b.mV, V_reset=-75 * b.mV)

    def run():
        b.start_scope()
        group = b.NeuronGroup(n, eqs, threshold="v > V_th", reset="v = V_reset", method="exact",
                              namespace=ns, name="plain_lif")
        group.v = -70 * b.mV
        group.I = np.linspace(0.5, 5, n) * b.nA if n > 1 else 1.6 * b.nA
        monitors = [b.SpikeMonitor(group, name="plain_spikes")]
        if record:
            monitors.append(b.StateMonitor(group, "v", record=True, name="plain_state"))
        net = b.Network(group, *monitors)
        net.run(duration_ms * b.ms, namespace=ns)

    return median_ms(run, repeats=10 if n == 1 else 3)


# ---- NEST ------------------------------------------------------------------------------------

def nest_run(n, duration_ms, record):
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    def run():
        nest.ResetKernel()
        nest.set_verbosity("M_ERROR")
        nest.resolution = 0.1
        group = nest.Create("iaf_psc_alpha", n, params={
            "C_m": 1000.0, "tau_m": 10.0, "E_L": -70.0, "V_th": -55.0, "V_reset": -75.0,
            "t_ref": 0.1, "V_m": -70.0})  # C_m = tau_m / R = 1 nF
        group.I_e = list(np.linspace(500.0, 5000.0, n)) if n > 1 else 1600.0
        spikes = nest.Create("spike_recorder")
        nest.Connect(group, spikes)
        if record:
            vm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
            nest.Connect(vm, group)
        nest.Simulate(float(duration_ms))

    return median_ms(run, repeats=10 if n == 1 else 5)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the plain-Brian2 cython baseline")
    args = parser.parse_args(argv)

    rows = []
    imp, first, second, compiled = sfa_cold_first_run("background")
    rows.append(("first simulation, empty cache (new process), default mode", f"{first:.0f}",
                 "<= 1500", f"runtime mode answers while a builder compiles; import {imp:.0f} ms; "
                 f"second run {second:.0f} ms; once compiled {compiled:.1f} ms"))
    imp, first, second, _ = sfa_cold_first_run("wait")
    rows.append(("first simulation, empty cache, SFA_HELPERS_BUILD=wait", f"{first:.0f}", "",
                 f"compiled first (one C++ unit); second run {second:.1f} ms"))
    rows.append(("first simulation, new kernel, build cached on disk", f"{sfa_warm_new_kernel():.0f}",
                 "", "code generation + up-to-date check"))
    rows.append(("slider re-simulation, 1 neuron x 500 ms, V recorded", f"{sfa_slider():.1f}", "<= 10", ""))
    rows.append(("slider move to redrawn figure (PNG rendered)", f"{sfa_redraw():.0f}", "<= 100", "inline backend path"))
    rows.append(("f-I sweep, 200 currents x 10 s", f"{sfa_sweep():.0f}", "<= 100", "one NeuronGroup"))

    base = []
    base.append(("plain Brian2 runtime numpy, 1 neuron x 500 ms, V", brian_plain("numpy", 1, 500, True)))
    base.append(("plain Brian2 runtime numpy, 200 x 10 s", brian_plain("numpy", 200, 10_000, False)))
    if not args.quick:
        try:
            import Cython  # noqa: F401

            base.append(("plain Brian2 runtime cython (warm), 1 neuron x 500 ms, V",
                         brian_plain("cython", 1, 500, True)))
            base.append(("plain Brian2 runtime cython (warm), 200 x 10 s",
                         brian_plain("cython", 200, 10_000, False)))
        except ImportError:
            base.append(("plain Brian2 cython", float("nan")))
    try:
        base.append(("NEST iaf_psc_alpha, 1 neuron x 500 ms, V", nest_run(1, 500, True)))
        base.append(("NEST iaf_psc_alpha, 200 x 10 s (1 thread)", nest_run(200, 10_000, False)))
    except ImportError:
        base.append(("NEST (not installed)", float("nan")))

    print(f"Machine: {machine_line()}\n")
    print("| sfa_helpers | median (ms) | target (ms) | note |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("\n| baseline, same work, same run | median (ms) |")
    print("| --- | --- |")
    for name, value in base:
        print(f"| {name} | {value:.1f} |")


if __name__ == "__main__":
    main()
