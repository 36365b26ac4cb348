"""Shared test configuration: a non-interactive matplotlib backend, quiet Brian2 logs, and
compiled builds that happen where the tests look for them."""

import logging
import os

import matplotlib

matplotlib.use("Agg")

# Most tests (and the lessons under nbval, whose kernels inherit this environment) are about
# results, or about the build path itself: they compile each new structure before its first run
# (SFA_HELPERS_BUILD=wait), so no builder process outlives a test. The students' default, short
# first runs answered in runtime mode while a builder compiles, is tested on its own in
# tests/test_background_build.py and on a whole lesson there.
os.environ["SFA_HELPERS_BUILD"] = "wait"

from brian2 import BrianLogger  # noqa: E402

BrianLogger.console_handler.setLevel(logging.WARNING)
