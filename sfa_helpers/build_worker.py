"""The background builder: compiles the simulations a kernel queues, one after another.

Started by :func:`sfa_helpers.engine.get_simulation` (one per kernel, ``python -m
sfa_helpers.build_worker``), it reads pickled ``(structure, parameter_dims, timed_dims)``
tuples from its standard input and compiles each into the build cache with
:func:`sfa_helpers.engine.build_queued`, the same locked, atomically completed build a kernel
does in the foreground, one structure at a time (one core; the kernel keeps the other). It
runs at normal priority, because a kernel that needs a program the builder is compiling waits
for it (at a lower priority, that kernel would wait behind every other process of the machine).
It exits when its input closes (the kernel ended) and the queue is done. While it lives it holds
an exclusive lock on a file in ``<cache>/builders``, taken by the kernel and handed over
(:func:`sfa_helpers.engine._start_builder`, :func:`sfa_helpers.engine.wait_for_background_builds`).

Only a kernel of the same user writes to its input (an anonymous pipe), so unpickling it is safe.
"""

from __future__ import annotations

import os
import pickle
import sys


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    lock_fd, lock_path = int(argv[0]), argv[1]
    # The kernel took an exclusive lock on lock_path and handed it over as this descriptor:
    # holding it says "a builder is at work" (engine.wait_for_background_builds). The compilers
    # this process starts need not hold it too.
    os.set_inheritable(lock_fd, False)
    from . import engine

    source = sys.stdin.buffer
    try:
        while True:
            try:
                structure, parameter_dims, timed_dims = pickle.load(source)
            except EOFError:
                return 0
            try:
                engine.build_queued(structure, parameter_dims, timed_dims)
            except Exception:  # noqa: BLE001 - the kernel compiles it itself and reports why
                pass
    finally:
        try:
            os.remove(lock_path)
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main())
