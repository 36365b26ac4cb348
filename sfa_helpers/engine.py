"""Fast, repeatable Brian2 simulation: compile once per model structure, re-run in milliseconds.

Why this module exists
----------------------
Students re-simulate on every slider move. Plain Brian2 runtime mode spends 130-240 ms on a
500 ms single-neuron run, mostly in its per-time-step Python scheduling loop. Brian2's
``cpp_standalone`` device runs the whole simulation as a compiled C++ program instead, and
since Brian2 2.6 a built program can be re-run with new parameter values passed on its command
line (``run_args``) without recompiling. This module builds on that documented mechanism:

* A *structure* (equations, threshold, reset, number of neurons, time step, duration, recorded
  variables, stimulus shape) is compiled once into a project directory in a persistent cache
  (:func:`cache_dir`), with stable object names so that a new kernel finds the compiled program
  and only re-checks it (``make`` finds nothing to do).
* Every model and stimulus parameter is a per-neuron constant of the ``NeuronGroup``, so all
  values, including arrays with one value per neuron, are passed as ``run_args``.
* Each compiled project gets its own ``CPPStandaloneDevice`` instance, which keeps the Brian2
  objects alive for reading results; the user's active device, ``defaultclock``, preferences and
  magic network are left untouched (:func:`_isolated_device`).
* The random seed is read by the program from an environment variable at start-up (one line of
  C++ inserted with ``device.insert_code``), so changing the seed does not recompile either.
* Results of each run go to a per-process scratch directory (tmpfs where available), so several
  kernels can share one compiled project safely; directories left by killed kernels are
  removed by the next process that creates one.
* Brian2 2.9's generated network loop calls ``std::clock()`` (a system call) on every time step
  only to measure the total run time; :class:`_FastStandaloneDevice` moves that call after the
  loop, which cuts a 5000-step run from about 9 ms to under 2 ms of simulation time. Brian2
  2.10 and later do this themselves, and get Brian2's own device.
* Where no C++ compiler works (:func:`compiler_status`), the same structure runs in Brian2's
  runtime mode on the numpy target instead (:class:`RuntimeSimulation`), after one notice.

Everything here is private to :mod:`sfa_helpers`; :func:`sfa_helpers.simulate` is the public
entry point.
"""

from __future__ import annotations

import atexit
import errno
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections import OrderedDict
from dataclasses import dataclass

import brian2
import numpy as np
from brian2 import Clock, Network, NeuronGroup, SpikeMonitor, StateMonitor, TimedArray, second
from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
from brian2.units.fundamentalunits import Quantity
from filelock import FileLock

from . import unity_build
from .brian2_state import isolated_device, memoize_method_splitting

memoize_method_splitting()  # the same sympy work for every model using 'rk4', 'euler', ...

# "4": one translation unit (unity_build); "3": builds are marked complete (COMPLETE_MARKER).
# Older cache entries are left alone.
ENGINE_VERSION = "4"
SEED_VARIABLE = "SFA_HELPERS_SEED"
_MAX_COMPILED = 48


def cache_dir() -> str:
    """Directory holding compiled simulations (``$SFA_HELPERS_CACHE``, else
    ``$XDG_CACHE_HOME/sfa_helpers``, else ``~/.cache/sfa_helpers``)."""
    path = os.environ.get("SFA_HELPERS_CACHE")
    if not path:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = os.path.join(base, "sfa_helpers")
    return path


def pch_dir() -> "str | None":
    """Directory of the precompiled standard headers shared by every structure's build
    (:func:`sfa_helpers.unity_build.precompiled_header`): ``$SFA_HELPERS_PCH_DIR``, else
    :func:`cache_dir`; None (no precompiled header) if ``SFA_HELPERS_PCH_DIR=off``, as in the
    grader's kernels (no build process outlives a kernel, and no 45 MB file lands in a
    submission's private cache)."""
    path = os.environ.get("SFA_HELPERS_PCH_DIR") or cache_dir()
    return None if path == "off" else path


def project_dir(key: str) -> str:
    """The directory of the compiled project of the structure with cache key ``key``."""
    return os.path.join(cache_dir(), "brian2", key)


_scratch_root: str | None = None
_SCRATCH_PREFIX = "sfa_helpers-"


def _remove_stale_scratch(base: str) -> None:
    """Delete scratch directories left by processes that no longer exist.

    Jupyter ends kernels with SIGKILL, so a kernel never gets to remove its own scratch
    directory; without this sweep, every kernel that ever ran a simulation would leave its
    results behind in ``/dev/shm`` (i.e. in memory) until the machine reboots.
    """
    if sys.platform == "win32":
        return  # os.kill(pid, 0) would end the process there, not test it
    try:
        entries = os.listdir(base)
    except OSError:
        return
    for entry in entries:
        parts = entry.split("-")
        if not entry.startswith(_SCRATCH_PREFIX) or len(parts) < 3 or not parts[1].isdigit():
            continue
        try:
            os.kill(int(parts[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(os.path.join(base, entry), ignore_errors=True)
        except (PermissionError, OSError):
            pass  # alive (another user's process) or not ours to judge


def _scratch() -> str:
    """Per-process scratch directory for results and parameter files (tmpfs when possible)."""
    global _scratch_root
    if _scratch_root is None or not os.path.isdir(_scratch_root):
        base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        _remove_stale_scratch(base or tempfile.gettempdir())
        _scratch_root = tempfile.mkdtemp(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-", dir=base)
        atexit.register(shutil.rmtree, _scratch_root, True)
    return _scratch_root


class _PatchingWriter:
    """Wraps Brian2's CPPWriter to take the per-step ``std::clock()`` out of the network loop."""

    _IN_LOOP = (
        "        current = std::clock();\n"
        "        elapsed_realtime = (double)(current - start)/(1 * CLOCKS_PER_SEC);\n"
    )
    _AFTER_LOOP = "    Network::_globally_running = false;\n"

    def __init__(self, writer):
        self._writer = writer

    def write(self, filename, contents):
        if filename == "network.*":
            cpp = str(contents.cpp_file)
            if self._IN_LOOP in cpp and self._AFTER_LOOP in cpp:
                cpp = cpp.replace(self._IN_LOOP, "", 1).replace(
                    self._AFTER_LOOP, self._IN_LOOP.replace("        ", "    ") + self._AFTER_LOOP, 1)
            self._writer.write("network.cpp", cpp)
            self._writer.write("network.h", str(contents.h_file))
            return
        self._writer.write(filename, contents)

    def __getattr__(self, name):
        return getattr(self._writer, name)


class _FastStandaloneDevice(CPPStandaloneDevice):
    """``CPPStandaloneDevice`` whose network loop does not ask the OS for the time every step."""

    def generate_network_source(self, writer, compiler):
        super().generate_network_source(_PatchingWriter(writer), compiler)


def _brian2_version() -> tuple:
    parts = []
    for part in brian2.__version__.split(".")[:2]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


#: Brian2 2.10 took the per-step clock call out of its network loop itself (it now times with
#: ``std::chrono`` only when a progress report or a maximum run time asks for it); the patch is
#: applied only to older versions. ``tests/test_engine.py`` checks the generated loop on each.
NETWORK_LOOP_NEEDS_PATCH = _brian2_version() < (2, 10)
_DEVICE_CLASS = _FastStandaloneDevice if NETWORK_LOOP_NEEDS_PATCH else CPPStandaloneDevice


# Kept under its old name for the engine's own use and its tests.
_isolated_device = isolated_device


@dataclass(frozen=True)
class Structure:
    """Everything that is compiled into the program (changing any of it needs a new build)."""

    equations: str
    threshold: str
    reset: str
    refractory: str | None
    method: str
    n: int
    dt: float
    steps: int
    record: tuple
    regular_code: str
    timed_arrays: tuple  # (name, shape, dt, dim repr)

    def key(self) -> str:
        text = repr((self, ENGINE_VERSION, brian2.__version__, sys.version_info[:2], sys.executable))
        return hashlib.sha1(text.encode()).hexdigest()[:20]


@dataclass
class RawResult:
    t: np.ndarray            # seconds, shape (T,)
    traces: dict             # name -> Quantity, shape (N, T)
    spike_i: np.ndarray
    spike_t: np.ndarray      # seconds


def _network_objects(holder, s: "Structure", timed_dims: dict, prefix: str | None,
                     timed_values: dict | None = None) -> list:
    """Create the Brian2 objects of structure ``s`` on the active device: the ``NeuronGroup``,
    its stimulus ``run_regularly``, a ``SpikeMonitor`` (if the model has a threshold) and a
    ``StateMonitor`` of ``s.record``. They are stored on ``holder`` (``group``, ``spikes``,
    ``state``, and ``namespace``: the sampled stimuli by name) and returned as a list. ``prefix`` None lets
    Brian2 number the names (runtime mode, where names are not part of a cache). The sampled
    stimuli hold ``timed_values`` (name -> SI array) if given, else zeros (a compiled program
    receives its samples on the command line)."""
    def name(suffix):  # Brian2 numbers a name that ends in '*' to keep it unique
        return f"sfa_runtime{suffix}*" if prefix is None else f"{prefix}{suffix}"

    clock = Clock(dt=s.dt * second, name=name("_clock"))
    namespace = {}
    for ta_name, shape, ta_dt, _ in s.timed_arrays:
        samples = np.zeros(shape) if timed_values is None else timed_values[ta_name]
        namespace[ta_name] = TimedArray(Quantity(samples, dim=timed_dims[ta_name]),
                                        dt=ta_dt * second, name=name(f"_{ta_name}"))
    group = NeuronGroup(s.n, s.equations, threshold=s.threshold or None, reset=s.reset or None,
                        refractory=s.refractory if s.refractory else False, method=s.method,
                        clock=clock, name=name(""), namespace=namespace)
    # order=-1: the input of step k is set before the monitor records step k.
    objects = [group, group.run_regularly(s.regular_code, when="start", order=-1,
                                          name=name("_input"))]
    # a model without threshold (a passive membrane) has no spikes to monitor
    holder.spikes = SpikeMonitor(group, name=name("_spikes")) if s.threshold else None
    if holder.spikes is not None:
        objects.append(holder.spikes)
    holder.state = None
    if s.record:
        holder.state = StateMonitor(group, list(s.record), record=True, clock=clock,
                                    name=name("_state"))
        objects.append(holder.state)
    holder.group = group
    holder.namespace = namespace
    return objects


def _read_results(holder, s: "Structure") -> "RawResult":
    if holder.spikes is None:
        spike_i, spike_t = np.zeros(0, dtype=int), np.zeros(0)
    else:
        spike_i = np.asarray(holder.spikes.i[:], dtype=int)
        spike_t = np.asarray(holder.spikes.t_[:], dtype=float)
    traces = {}
    t = np.arange(s.steps) * s.dt
    if holder.state is not None:
        t = np.asarray(holder.state.t_[:], dtype=float)
        for var in s.record:
            traces[var] = getattr(holder.state, var)[:]
    return RawResult(t=t, traces=traces, spike_i=spike_i, spike_t=spike_t)


#: Written into a project directory as the last step of a successful build; a directory without
#: it is a build that did not finish, and is removed and rebuilt by the next process. It holds
#: the project's manifest (:func:`project_manifest`), which :func:`verify_project` checks.
COMPLETE_MARKER = "sfa_build_complete"


def _write_atomically(path: str, text: str) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def is_complete(directory: str) -> bool:
    """True if ``directory`` holds a project whose build finished (its marker records the
    manifest; a marker of an older version does not, and the project is rebuilt like an
    unfinished one, in the background where that is the route)."""
    return recorded_manifest(directory) is not None


def project_manifest(directory: str) -> dict:
    """SHA-256 of every file of a compiled project: ``{relative path: hex digest}``.

    The program, its object files, sources and static arrays, everything but the completion
    marker. A link or any other non-regular entry is listed as ``"not a regular file"``, so that
    replacing a file by a link to one elsewhere changes the manifest too.
    """
    manifest = {}
    for root, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, directory)
            if rel == COMPLETE_MARKER or (name in dirs and not os.path.islink(path)):
                continue
            if os.path.islink(path) or not os.path.isfile(path):
                manifest[rel] = "not a regular file"
                continue
            digest = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            manifest[rel] = digest.hexdigest()
    return manifest


def recorded_manifest(directory: str) -> "dict | None":
    """The manifest written with the completion marker when the project was built (None if
    the build did not finish, or the marker is of an older version or unreadable)."""
    try:
        with open(os.path.join(directory, COMPLETE_MARKER)) as f:
            files = json.load(f).get("files")
    except (OSError, ValueError, AttributeError):
        return None
    return files if isinstance(files, dict) else None


def verify_project(directory: str) -> bool:
    """True if the project's files are those its build left (:func:`project_manifest` equals
    the manifest recorded when it was built).

    A finished project whose program, static arrays or sources were changed since (by hand, a
    damaged disk, or another program writing into the cache) is not run: the next process
    rebuilds it. This guards against accidents; someone who may write into the cache may also
    rewrite the marker, which is why the grader makes every copy it hands to a submission
    from the manifests it took itself (:func:`sfa_helpers.grading.grader.copy_programs`).
    """
    recorded = recorded_manifest(directory)
    try:
        return recorded is not None and recorded == project_manifest(directory)
    except OSError:  # a file unreadable, or gone while it was read
        return False


class CompiledSimulation:
    """A compiled standalone program for one :class:`Structure`, re-runnable with new values."""

    def __init__(self, structure: Structure, parameter_dims: dict, timed_dims: dict):
        self.structure = structure
        self.directory = project_dir(structure.key())
        os.makedirs(os.path.dirname(self.directory), exist_ok=True)
        self.device = _DEVICE_CLASS()
        with FileLock(self.directory + ".lock"), _isolated_device(self.device):
            marker = os.path.join(self.directory, COMPLETE_MARKER)
            if os.path.isdir(self.directory) and not os.path.isfile(marker):
                # Left by a build that was killed (a kernel restarted during the first compile)
                # or failed: a half-written 'main' would look up to date to make. Start afresh.
                shutil.rmtree(self.directory, ignore_errors=True)
            elif os.path.isfile(marker) and not verify_project(self.directory):
                # Changed since it was built (verify_project): make would trust a newer 'main'.
                shutil.rmtree(self.directory, ignore_errors=True)
            elif os.path.isfile(marker):
                # A finished build is checked again by make (normally nothing to do); should this
                # process die while make works, the next one must not trust the directory.
                os.remove(marker)
            self._build(parameter_dims, timed_dims)
            main = os.path.join(self.directory, "main")
            if not (os.path.isfile(main) and os.path.getsize(main) > 0):
                raise RuntimeError(f"The compiled program {main} is missing after the build.")
            _write_atomically(marker, json.dumps({"key": structure.key(),
                                                  "files": project_manifest(self.directory)}))
        self._scratch = tempfile.mkdtemp(prefix="run-", dir=_scratch())
        self._results_rel = os.path.relpath(self._scratch, self.directory)

    def _build(self, parameter_dims, timed_dims):
        # Names unique to the structure: Brian2 appends a process-wide counter to clashing
        # code-object names, which would make the generated files (and so the cache) depend on
        # what else the process built before.
        objects = _network_objects(self, self.structure, timed_dims,
                                   prefix="sfa" + self.structure.key()[:12])
        self.device.insert_code(
            "main",
            f'if (const char* _sfa_seed = std::getenv("{SEED_VARIABLE}")) '
            "{ for (size_t _i = 0; _i < brian::_random_generators.size(); _i++) "
            "brian::_random_generators[_i].seed(std::strtoul(_sfa_seed, 0, 10) + _i); }",
        )
        s = self.structure
        net = Network(*objects, name=f"sfa{s.key()[:12]}_network")
        net.run(s.steps * s.dt * second, namespace=self.namespace)
        # compiled as one translation unit: the headers are read once, not once per file
        self.device.compile_source = functools.partial(
            unity_build.compile_project, self.device.compile_source, pch_root=pch_dir())
        self.device.build(directory=self.directory, compile=True, run=False, with_output=False)

    def run(self, values: dict, timed_values: dict, seed: int) -> RawResult:
        """Run the compiled program. ``values`` map variable names to float arrays in SI units
        (length 1 or N); ``timed_values`` map TimedArray names to their sample arrays."""
        args = []
        files = []
        for name, arr in values.items():
            arr = np.asarray(arr, dtype=np.float64)
            if arr.size == 1 or np.all(arr == arr.flat[0]):
                args.append(f"{self.group.name}.{name}={float(arr.flat[0])!r}")
            else:
                path = os.path.join(self._scratch, f"{name}.dat")
                arr.tofile(path)
                files.append(path)
                args.append(f"{self.group.name}.{name}={path}")
        for name, arr in timed_values.items():
            path = os.path.join(self._scratch, f"timed_{name}.dat")
            np.ascontiguousarray(arr, dtype=np.float64).tofile(path)
            args.append(f"{self.namespace[name].name}.values={path}")
        old_seed = os.environ.get(SEED_VARIABLE)
        os.environ[SEED_VARIABLE] = str(int(seed))
        try:
            self.device.run(directory=self.directory, results_directory=self._results_rel,
                            with_output=False, run_args=args)
        finally:
            if old_seed is None:
                os.environ.pop(SEED_VARIABLE, None)
            else:
                os.environ[SEED_VARIABLE] = old_seed
        info = os.path.join(self._scratch, "last_run_info.txt")
        if os.path.exists(info) and os.path.getsize(info) == 0:
            self._clear_scratch()
            raise OSError(errno.ENOSPC, "the simulation could not write its results (no space left "
                                        f"in the temporary folder {self._scratch})")
        try:
            return _read_results(self, self.structure)
        finally:
            # The results are in memory now: free the scratch space (a tmpfs, small in the
            # grader's sandbox), so that a process's later runs do not fill it up.
            self._clear_scratch()

    def _clear_scratch(self) -> None:
        for entry in os.scandir(self._scratch):
            if entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass


class RuntimeSimulation:
    """The same :class:`Structure` run by Brian2's runtime mode on the numpy target.

    No compiler is involved: this is how :func:`get_simulation` answers where no working C++
    compiler was found (:func:`compiler_status`). Each run builds the Brian2 objects afresh
    (about 0.1-0.5 s for one neuron over 500 ms, versus milliseconds for a compiled program).
    It gives the compiled program's spike times and traces, and for noisy models the same
    realisation for the same seed: both draw from a Mersenne Twister seeded with the seed's low
    32 bits (numpy's legacy generator here, Brian2's randomkit there) and make normal numbers
    with the same polar method, neuron by neuron in the same order
    (``tests/test_runtime_fallback.py`` checks every model, on each Brian2 version CI runs).
    """

    def __init__(self, structure: Structure, parameter_dims: dict, timed_dims: dict):
        self.structure = structure
        self._timed_dims = dict(timed_dims)

    def run(self, values: dict, timed_values: dict, seed: int) -> RawResult:
        """Same arguments and result as :meth:`CompiledSimulation.run`."""
        import time

        start = time.perf_counter()
        try:
            return self._run(values, timed_values, seed)
        finally:
            _runtime_ran(self.structure.key(), time.perf_counter() - start)

    def _run(self, values: dict, timed_values: dict, seed: int) -> RawResult:
        from brian2 import seed as brian2_seed

        from .brian2_state import runtime_numpy

        s = self.structure
        saved_state = np.random.get_state()
        try:
            with runtime_numpy():
                timed = {name: np.ascontiguousarray(arr, dtype=np.float64)
                         for name, arr in timed_values.items()}
                objects = _network_objects(self, s, self._timed_dims, prefix=None,
                                           timed_values=timed)
                for name, arr in values.items():
                    arr = np.asarray(arr, dtype=np.float64)
                    if self.group.variables[name].scalar:  # '(shared)': one value for all
                        arr = float(arr.flat[0])
                    setattr(self.group, name + "_", arr)
                # Brian2's numpy target draws from numpy's global generator (32-bit seed, like
                # the compiled program's Mersenne Twister).
                brian2_seed(int(seed) % 2 ** 32)
                net = Network(*objects)
                net.run(s.steps * s.dt * second, namespace=self.namespace)
                return _read_results(self, s)
        finally:
            np.random.set_state(saved_state)


_compiled: "OrderedDict[str, CompiledSimulation]" = OrderedDict()


_runtime_notice_shown = False

#: Shown once per process when simulations fall back to Brian2's runtime mode.
RUNTIME_NOTICE = (
    "sfa_helpers: no working C++ compiler was found ({reason}), so simulations run in Brian2's "
    "runtime mode (numpy) instead of as compiled programs. You get the same results (the same "
    "noise for the same seed), but each run takes about 0.1-1 s instead of milliseconds (sliders "
    "lag, sweeps take longer). To compile: on "
    "Debian/Ubuntu 'sudo apt install g++ make', on macOS 'xcode-select --install', on Windows "
    "the Visual Studio Build Tools (see the course README); then restart the kernel."
)


#: ``SFA_HELPERS_BUILD=wait`` compiles every new structure before its first run (the grader,
#: ``make warm`` and the tests of the build path use it); the default, ``background``, answers
#: the first short runs of a new structure in runtime mode while a builder process compiles it.
BUILD_VARIABLE = "SFA_HELPERS_BUILD"

#: Wall-clock seconds a new structure's compiled build takes on a 2-core laptop (code
#: generation and one translation unit, about 2 s; ``benchmarks/RESULTS.md``). While a
#: structure's runs in runtime mode have cost less than this in total (each estimated
#: beforehand, by :func:`runtime_seconds` or by what the structure's last runtime-mode run took,
#: and booked at what it took), they are answered in runtime mode; the run that would
#: take the total past it waits for the compiled program. Whatever the sequence of calls, the
#: waiting is then at most about twice what the best choice in hindsight would have cost (the
#: "ski rental" argument), and a single short run never waits for the compiler.
BUILD_SECONDS = 2.0

# Runtime-mode cost, measured on the project's VM (benchmarks/RESULTS.md): about 0.1 s to build
# the Brian2 objects, 45-170 us per time step (Brian2's Python scheduling loop; the high end
# under load), and a few ns per neuron and step (numpy's vectorised update).
_RUNTIME_SETUP_S = 0.15
_RUNTIME_STEP_S = 100e-6
_RUNTIME_NEURON_STEP_S = 0.03e-6


def runtime_seconds(structure: Structure) -> float:
    """Estimated wall-clock seconds of one run of ``structure`` in runtime mode."""
    return (_RUNTIME_SETUP_S
            + structure.steps * (_RUNTIME_STEP_S + structure.n * _RUNTIME_NEURON_STEP_S))


def build_in_background() -> bool:
    """False if ``SFA_HELPERS_BUILD=wait`` asks to compile every structure before its first run
    (and on Windows)."""
    mode = os.environ.get(BUILD_VARIABLE, "background").strip().lower() or "background"
    if mode not in ("background", "wait"):
        raise ValueError(f"{BUILD_VARIABLE}={mode!r}: use 'background' (the default) or 'wait'.")
    # Windows: no builder process yet (its liveness check uses POSIX file locks), and Brian2's
    # MSVC build is not compiled as one unit; every structure is compiled before its first run.
    return mode == "background" and sys.platform != "win32"


#: Runtime-mode seconds spent so far on each structure that is still being compiled (each run
#: counted with its estimate when it is decided, corrected by what it took once it has run).
_runtime_spent: "dict[str, float]" = {}
#: Seconds the last runtime-mode run of each structure took: the estimate of its next run (the
#: model's own cost per step, which :func:`runtime_seconds` can only guess: an ``rk4`` AdEx
#: costs about twice a LIF's per step).
_runtime_cost: "dict[str, float]" = {}
#: The estimate each structure's pending runtime-mode run was counted with.
_runtime_pending: "dict[str, float]" = {}


def _runtime_ran(key: str, seconds: float) -> None:
    """Book what a runtime-mode run of structure ``key`` took, in place of its estimate."""
    _runtime_cost[key] = seconds
    estimate = _runtime_pending.pop(key, None)
    if estimate is not None and key in _runtime_spent:
        _runtime_spent[key] += seconds - estimate


def get_simulation(structure: Structure, parameter_dims: dict, timed_dims: dict):
    """What runs ``structure``.

    * No working C++ compiler (:func:`compiler_status`): a :class:`RuntimeSimulation`, after
      printing :data:`RUNTIME_NOTICE` once.
    * Compiled already (in this process, or on disk by any process): the compiled program.
    * Not compiled yet: while this structure's runs in runtime mode stay within
      :data:`BUILD_SECONDS` in total, a :class:`RuntimeSimulation` answers at once and a
      builder process (:mod:`sfa_helpers.build_worker`) compiles the structure in the
      background; the first run that would take the total past it, or any run with
      ``SFA_HELPERS_BUILD=wait``, waits for the compiled program (:func:`get_compiled`).

    Both routes give the same spike times, traces and, for a seed, the same noise
    (:class:`RuntimeSimulation`), so which one answered never changes a result.
    """
    global _runtime_notice_shown
    available, reason = compiler_status()
    if not available:
        if not _runtime_notice_shown:
            print(RUNTIME_NOTICE.format(reason=reason), file=sys.stderr)
            _runtime_notice_shown = True
        return RuntimeSimulation(structure, parameter_dims, timed_dims)
    key = structure.key()
    if key in _compiled or not build_in_background():
        return get_compiled(structure, parameter_dims, timed_dims)
    if is_complete(project_dir(key)):
        _runtime_spent.pop(key, None)
        return get_compiled(structure, parameter_dims, timed_dims)
    cost = _runtime_cost.get(key) or runtime_seconds(structure)
    spent = _runtime_spent.get(key, 0.0)
    if spent + cost > BUILD_SECONDS or not _background_builder().submit(
            structure, parameter_dims, timed_dims):
        _runtime_spent.pop(key, None)
        return get_compiled(structure, parameter_dims, timed_dims)
    _runtime_spent[key] = spent + cost
    _runtime_pending[key] = cost
    return RuntimeSimulation(structure, parameter_dims, timed_dims)


#: Structures a kernel may have waiting in its builder's queue (a pipe holds about 64 KiB).
_MAX_QUEUED = 8


class _BackgroundBuilder:
    """One builder process per kernel (:mod:`sfa_helpers.build_worker`), fed structures to
    compile through a pipe, one at a time.

    The builder imports Brian2 once and then compiles each structure exactly as
    :class:`CompiledSimulation` does in the foreground (same lock, same atomic completion
    marker), so a kernel that needs a program the builder is still compiling waits on the
    lock, and one that needs it before the builder got to it compiles it itself (the builder
    then finds it complete and skips it). The builder runs in its own session: restarting the
    kernel does not kill it, so the cache is complete for the next kernel; it exits when its
    queue is done and the kernel has gone.
    """

    def __init__(self):
        self._proc = None
        self._submitted: "set[str]" = set()

    def submit(self, structure, parameter_dims, timed_dims) -> bool:
        """Queue ``structure`` (once per process); False if no builder could be started."""
        import pickle

        key = structure.key()
        if key in self._submitted:
            return True
        if self._proc is None or self._proc.poll() is not None:
            self._proc = _start_builder()
            if self._proc is None:
                return False
            atexit.register(self.close)
        # A pipe holds about 64 KiB (some 20 queued structures); a kernel that makes new
        # structures faster than the builder compiles them compiles the rest itself.
        pending = [k for k in self._submitted
                   if not is_complete(project_dir(k))]
        if len(pending) >= _MAX_QUEUED:
            return False
        try:
            pickle.dump((structure, parameter_dims, timed_dims), self._proc.stdin)
            self._proc.stdin.flush()
        except (OSError, pickle.PicklingError):
            return False
        self._submitted.add(key)
        return True

    def close(self) -> None:
        """Close the queue; the builder finishes what it was given and exits."""
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
            # Not waited for: it finishes its queue, possibly after this process has gone.


_builder: "_BackgroundBuilder | None" = None


def _background_builder() -> _BackgroundBuilder:
    global _builder
    if _builder is None:
        _builder = _BackgroundBuilder()
    return _builder


def _start_builder():
    """Start a builder process (POSIX), or return None. The builder holds an exclusive
    ``flock`` on a file in ``<cache>/builders`` for as long as it lives: the lock is taken here,
    before the process starts, and handed to it as an inherited file descriptor, so
    :func:`wait_for_background_builds` sees it from the first moment, and the kernel (which
    then closes its copy) never holds it. A builder that crashes or is killed releases it."""
    import fcntl
    import subprocess

    folder = _builders_folder()
    try:
        os.makedirs(folder, exist_ok=True)
        fd, path = tempfile.mkstemp(prefix="builder-", dir=folder)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return subprocess.Popen(
            [sys.executable, "-m", "sfa_helpers.build_worker", str(fd), path],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, pass_fds=(fd,))
    except OSError:
        try:
            os.remove(path)
        except OSError:
            pass
        return None
    finally:
        os.close(fd)


def build_queued(structure: Structure, parameter_dims: dict, timed_dims: dict) -> None:
    """Compile ``structure`` into the cache unless it is there (what the builder process does
    with each structure it is given). The check is repeated under the structure's lock, so a
    program a kernel compiled while the builder waited for the lock is not checked again."""
    directory = project_dir(structure.key())
    if is_complete(directory):
        return
    os.makedirs(os.path.dirname(directory), exist_ok=True)
    with FileLock(directory + ".lock"):
        if is_complete(directory):
            return
    CompiledSimulation(structure, parameter_dims, timed_dims)


def _builders_folder() -> str:
    return os.path.join(cache_dir(), "builders")


def wait_for_background_builds(timeout: float = 600.0) -> bool:
    """Wait until the builder processes writing to :func:`cache_dir` have finished (for tools
    that time or copy a cache); False if some still run after ``timeout``. This process's own
    builder is told that its queue is complete (a later new structure starts another one)."""
    import time

    if _builder is not None:
        _builder.close()  # this process's builder exits once its queue is done
    if sys.platform == "win32":
        return True  # no builders there (build_in_background)
    import fcntl

    deadline = time.monotonic() + timeout
    folder = _builders_folder()
    while True:
        alive = 0
        for entry in os.listdir(folder) if os.path.isdir(folder) else []:
            path = os.path.join(folder, entry)
            try:
                fd = os.open(path, os.O_RDWR)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                alive += 1  # held: the builder is at work
            else:
                try:
                    os.remove(path)  # free: its builder has exited (or died)
                except OSError:
                    pass
            finally:
                os.close(fd)
        if not alive:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


#: Set to ``numpy`` to run every simulation in Brian2's runtime mode (as without a compiler).
RUNTIME_VARIABLE = "SFA_HELPERS_RUNTIME"
_compiler_status: "tuple[bool, str] | None" = None

# Small on purpose (about 0.06 s): it shows that the compiler, the C++ headers and the linker work.
_COMPILER_PROBE = """#include <cstdlib>
int main() { return std::getenv("SFA_HELPERS_NEVER_SET") != nullptr; }
"""


def compiler_status(refresh: bool = False) -> "tuple[bool, str]":
    """``(True, '')`` if Brian2's standalone device can compile here, else ``(False, reason)``.

    On Linux and macOS Brian2 builds with ``make`` and ``$CXX`` (default ``g++``): both must
    exist and compile and link a small C++ program (checked once per process, under 0.1 s).
    On Windows, Brian2 must find the Visual Studio Build Tools. ``SFA_HELPERS_RUNTIME=numpy``
    answers ``False`` without looking (runtime mode on purpose).
    """
    global _compiler_status
    if _compiler_status is not None and not refresh:
        return _compiler_status
    _compiler_status = _probe_compiler()
    return _compiler_status


def _probe_compiler() -> "tuple[bool, str]":
    import shlex
    import subprocess

    forced = os.environ.get(RUNTIME_VARIABLE, "").strip().lower()
    if forced in ("numpy", "runtime"):
        return False, f"{RUNTIME_VARIABLE}={forced} asks for runtime mode"
    if sys.platform == "win32":
        try:
            from brian2.codegen.cpp_prefs import get_msvc_env

            get_msvc_env()
        except Exception as exc:  # Brian2 raises various errors when MSVC is missing
            return False, f"Visual Studio Build Tools not found: {exc}"
        return True, ""
    if shutil.which("make") is None:
        return False, "no 'make' on PATH"
    cxx = shlex.split(os.environ.get("CXX") or "g++")
    if not cxx or shutil.which(cxx[0]) is None:
        return False, f"no '{' '.join(cxx) or 'g++'}' on PATH"
    with tempfile.TemporaryDirectory(prefix="sfa_helpers-cxx-") as tmp:
        src = os.path.join(tmp, "probe.cpp")
        with open(src, "w") as f:
            f.write(_COMPILER_PROBE)
        try:
            done = subprocess.run([*cxx, src, "-o", os.path.join(tmp, "probe")], cwd=tmp,
                                  capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"'{' '.join(cxx)}' did not run: {exc}"
        if done.returncode != 0:
            first = (done.stderr or done.stdout).strip().splitlines()[:1]
            return False, f"'{' '.join(cxx)}' failed to compile a test program" + (
                f": {first[0]}" if first else "")
    return True, ""


def get_compiled(structure: Structure, parameter_dims: dict, timed_dims: dict) -> CompiledSimulation:
    """The compiled program for ``structure``, built on first use (kept for the session)."""
    key = structure.key()
    sim = _compiled.get(key)
    if sim is None:
        sim = CompiledSimulation(structure, parameter_dims, timed_dims)
        _compiled[key] = sim
        while len(_compiled) > _MAX_COMPILED:
            _compiled.popitem(last=False)
    else:
        _compiled.move_to_end(key)
    return sim


def clear_memory_cache() -> None:
    """Forget the compiled programs held in this process (the disk cache stays)."""
    _compiled.clear()


def compiled_keys() -> list:
    """Cache keys of the compiled programs held in this process, oldest first."""
    return list(_compiled)


def relocate_after_fork() -> None:
    """Re-point this process's compiled programs at its own cache directory and scratch.

    For a process forked from one that already built programs (the grader's pre-warmed kernel
    server): each program is taken from :func:`cache_dir` of *this* process, which must hold a
    copy of the compiled project (programs whose copy is missing, or differs from what its
    build left, :func:`verify_project`, are dropped and rebuilt on first use), and results go
    to a new scratch directory of this process, never the parent's.
    """
    global _scratch_root, _builder
    _scratch_root = None
    _builder = None  # the parent's builder is the parent's (its pipe is not ours to write)
    _runtime_spent.clear()
    _runtime_pending.clear()
    for key, sim in list(_compiled.items()):
        directory = project_dir(key)
        if not (verify_project(directory) and os.path.isfile(os.path.join(directory, "main"))):
            del _compiled[key]
            continue
        sim.directory = directory
        sim.device.project_dir = directory
        sim._scratch = tempfile.mkdtemp(prefix="run-", dir=_scratch())
        sim._results_rel = os.path.relpath(sim._scratch, directory)
