"""Turn the lesson sources into executed notebooks.

The source of every notebook is a plain-text Python file in jupytext's "percent" format
(``notebooks/src/NN_name.py``): it diffs and reviews like code. This script converts each source
into ``notebooks/NN_name.ipynb``, executes it top to bottom in a fresh kernel, and stores the
outputs, which ``nbval`` later compares in CI. Saved widget state is stripped.

Usage::

    python tools/build_notebooks.py                 # every source in notebooks/src
    python tools/build_notebooks.py 01 03           # sources whose name starts with 01 or 03
    python tools/build_notebooks.py --src solutions/src --out solutions
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from warm_cache import ipc_kernel_manager, shutdown  # noqa: E402


def build(source: pathlib.Path, out_dir: pathlib.Path, timeout: int = 600) -> pathlib.Path:
    nb = jupytext.read(source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    with tempfile.TemporaryDirectory(prefix="sfa-kernel-") as sockets:
        km = ipc_kernel_manager(sockets)
        client = NotebookClient(nb, timeout=timeout, km=km,
                                resources={"metadata": {"path": str(out_dir)}})
        try:
            client.execute()
        finally:
            shutdown(km)
    nb.metadata.pop("widgets", None)
    target = out_dir / (source.stem + ".ipynb")
    nbformat.write(nb, target)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="build only sources whose name starts with these")
    parser.add_argument("--src", default="notebooks/src", help="folder of jupytext sources")
    parser.add_argument("--out", default="notebooks", help="folder for the executed notebooks")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    src, out = ROOT / args.src, ROOT / args.out
    sources = sorted(p for p in src.glob("*.py")
                     if not args.prefixes or any(p.name.startswith(x) for x in args.prefixes))
    if not sources:
        print(f"no sources matched in {src}", file=sys.stderr)
        return 1
    for source in sources:
        start = time.perf_counter()
        target = build(source, out, args.timeout)
        print(f"{target.relative_to(ROOT)}  ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
