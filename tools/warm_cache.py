"""Compile every simulation the lessons and exercise sheets use, so that no cell waits for a
compiler in class.

Each lesson notebook and each worked exercise sheet (``solutions/``, whose simulations are the
ones students' answers build) is executed once in a fresh kernel and its outputs are discarded (the
notebook files are not written); every Brian2 program it builds lands in the persistent cache
(``$SFA_HELPERS_CACHE``, else ``$XDG_CACHE_HOME/sfa_helpers``, else ``~/.cache/sfa_helpers``),
where later kernels find it. Executing the notebooks themselves, rather than a list of models kept
by hand, means a new lesson or a changed model is warmed without anyone remembering to add it.

Run it after installing and before students arrive (``make warm``; Binder's ``postBuild`` runs it
while building the image). It is safe to run again: only missing builds are compiled. It exits
non-zero, naming the lesson and cell, if a lesson fails to execute.

Usage::

    python tools/warm_cache.py               # every lesson and sheet, two at a time
    python tools/warm_cache.py 01 03 -j 1    # lessons and sheets starting with 01 or 03, one by one
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import pathlib
import re
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def cache_dir() -> pathlib.Path:
    """Where the compiled simulations go (the same rule as ``sfa_helpers.engine.cache_dir``)."""
    path = os.environ.get("SFA_HELPERS_CACHE")
    if path:
        return pathlib.Path(path)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "sfa_helpers"


def count_builds() -> int:
    """Number of finished compiled simulation projects in the cache (a directory without the
    engine's completion marker is a build that did not finish, and is rebuilt on next use)."""
    from sfa_helpers.engine import COMPLETE_MARKER

    root = cache_dir() / "brian2"
    return sum(1 for p in root.iterdir() if (p / COMPLETE_MARKER).is_file()) if root.is_dir() else 0


def execute(path: pathlib.Path, timeout: int = 900) -> tuple[str, float, str | None]:
    """Run one notebook top to bottom in a fresh kernel; returns (name, seconds, error or None)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    sockets = tempfile.TemporaryDirectory(prefix="sfa-kernel-")
    km = ipc_kernel_manager(sockets.name)
    client = NotebookClient(nb, timeout=timeout, km=km,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        last_line = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()[-1]
        return path.name, time.perf_counter() - start, last_line[:300]
    except Exception as exc:  # noqa: BLE001 - a dead kernel or a timeout: report, go on
        return path.name, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"[:300]
    finally:
        shutdown(km)
        sockets.cleanup()
    return path.name, time.perf_counter() - start, None


def shutdown(km) -> None:
    """End the kernel of ``km`` (nbclient leaves a kernel it did not start itself running)."""
    if km.has_kernel:
        km.shutdown_kernel(now=True)


def ipc_kernel_manager(folder: str):
    """A manager for a python3 kernel that talks over Unix sockets in ``folder`` instead of TCP
    on localhost: no "running over TCP without encryption" warning on every start, and no other
    process on the machine can reach (or collide with) the kernel's ports."""
    from jupyter_client.manager import KernelManager

    return KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(folder, "k"))


def notebooks(prefixes=(), folder: str = "notebooks") -> list[pathlib.Path]:
    """The notebooks of ``folder`` (lessons by default) whose name starts with one of ``prefixes``."""
    return sorted(p for p in (ROOT / folder).glob("*.ipynb")
                  if not prefixes or any(p.name.startswith(x) for x in prefixes))


def execute_all(paths, jobs: int = 2, timeout: int = 900, log=print) -> list[tuple[str, float, str | None]]:
    """Execute ``paths`` with ``jobs`` kernels at a time (builds of one structure take a file lock,
    so two kernels never compile the same program twice)."""
    results = []
    if jobs <= 1:
        for path in paths:
            results.append(execute(path, timeout))
            _report(results[-1], log)
        return results
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(execute, path, timeout) for path in paths]
        for future in concurrent.futures.as_completed(futures):
            results.append(future.result())
            _report(results[-1], log)
    return sorted(results)


def _report(result, log) -> None:
    name, seconds, error = result
    log(f"{'FAILED' if error else 'warmed'} {name} ({seconds:.1f} s)" + (f": {error}" if error else ""),
        flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="warm only lessons and sheets whose name starts with these")
    parser.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="notebooks executed at the same time (default: 2, or 1 on one core)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    paths = notebooks(args.prefixes) + notebooks(args.prefixes, "solutions")
    if not paths:
        print("no notebooks matched", file=sys.stderr)
        return 1
    # Compile before running, in the kernels themselves: when the last kernel ends, every
    # program is in the cache (no builder process still at work, see sfa_helpers.engine).
    os.environ["SFA_HELPERS_BUILD"] = "wait"
    before = count_builds()
    start = time.perf_counter()
    results = execute_all(paths, args.jobs, args.timeout)
    failed = [r for r in results if r[2]]
    print(f"{len(paths) - len(failed)}/{len(paths)} notebooks executed in "
          f"{time.perf_counter() - start:.1f} s; {count_builds() - before} new builds, "
          f"{count_builds()} in {cache_dir()}")
    if failed:
        print("failed: " + ", ".join(name for name, _, _ in failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
