"""Grading speed: N submissions of one sheet, graded in parallel on all cores.

Every submission is a copy of the instructor sheet (the worst case: every cell runs, every
simulation too). The figure includes the batch's reference run (grading the instructor sheet
once) and the per-submission copy of the compiled-simulation cache.

    python benchmarks/bench_grading.py            # 100 submissions of sheet 01
    python benchmarks/bench_grading.py -n 20 --sheet 05 --jobs 2
    python benchmarks/bench_grading.py -n 20 --no-fork-server   # every kernel a new process
    python benchmarks/bench_grading.py -n 20 --sandbox off      # without the sandbox
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import shutil
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sfa_helpers.grading import cli, runner  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100, help="number of submissions")
    parser.add_argument("--sheet", default="01")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-fork-server", action="store_true")
    parser.add_argument("--sandbox", choices=("auto", "on", "off"), default="auto")
    args = parser.parse_args(argv)
    sheet = cli.find_sheet(args.sheet, ROOT / "solutions")
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        subs = pathlib.Path(tmp) / "subs"
        subs.mkdir()
        for k in range(args.n):
            shutil.copy(sheet, subs / f"student{k:03d}.ipynb")
        out = pathlib.Path(tmp) / "grades.csv"
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        start = time.perf_counter()
        results = cli.run_batch(subs, sheet, out, jobs=args.jobs, limits=runner.Limits(), progress=True,
                                fork_server=not args.no_fork_server, sandbox=args.sandbox)
        elapsed = time.perf_counter() - start
    full = sum(r.total == r.max_automatic for r in results)  # written answers: graded by hand
    per = [r.seconds for r in results]
    print(f"sheet {sheet.stem}: {args.n} submissions in {elapsed:.1f} s on {os.cpu_count()} cores "
          f"({args.jobs or os.cpu_count()} workers, {'new-process' if args.no_fork_server else 'forked'} "
          f"kernels, sandbox {args.sandbox}), {full}/{args.n} all automatic points; "
          f"per notebook {min(per):.1f}-{max(per):.1f} s, median {sorted(per)[len(per) // 2]:.1f} s; "
          f"load average at start {load:.1f}; {platform.python_version()}, {platform.machine()}")
    return 0 if full == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
