"""Shared test configuration: a non-interactive matplotlib backend and quiet Brian2 logs."""

import logging

import matplotlib

matplotlib.use("Agg")

from brian2 import BrianLogger  # noqa: E402

BrianLogger.console_handler.setLevel(logging.WARNING)
