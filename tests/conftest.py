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

# Tests that use a cache of their own still share the session's precompiled standard headers
# (sfa_helpers.unity_build.precompiled_header), instead of each starting a build of its own.
from sfa_helpers import engine as _engine  # noqa: E402

os.environ.setdefault("SFA_HELPERS_PCH_DIR", _engine.cache_dir())

from brian2 import BrianLogger  # noqa: E402

BrianLogger.console_handler.setLevel(logging.WARNING)


import pytest  # noqa: E402


@pytest.fixture
def clean_variants(monkeypatch):
    """No student id in the environment and no active variant, before and after the test
    (the variant tests use it for every test: ``pytestmark``)."""
    from sfa_helpers.checks import variants

    monkeypatch.delenv(variants.ENV, raising=False)
    variants._ACTIVE.clear()
    yield
    variants._ACTIVE.clear()
