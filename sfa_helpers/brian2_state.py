"""Running Brian2 code without disturbing the user's Brian2 state.

The course runs Brian2 behind the scenes (the compiled engine, the check of a student's
:class:`~sfa_helpers.models.Brian2Model`, the grading of written models) in the same kernel in
which a student writes plain Brian2. Brian2 keeps global state: the active device and its stack,
``defaultclock``, preferences such as ``prefs.codegen.target``, and the log. The two context
managers here change that state for one block and put back exactly what was there.
"""

from __future__ import annotations

import contextlib
import importlib

# ``brian2.devices.device`` is shadowed by Brian2's ``device`` proxy object; take the module itself.
_device_module = importlib.import_module("brian2.devices.device")

__all__ = ["isolated_device", "runtime_numpy"]


@contextlib.contextmanager
def isolated_device(dev):
    """Make ``dev`` the active Brian2 device for the block, then restore exactly what was active
    before (device, its build options, the stack of previous devices and ``defaultclock.dt``)."""
    saved_stack = list(_device_module.previous_devices)
    previous = _device_module.get_device()
    saved_dt = previous.defaultclock.dt_ if previous.defaultclock is not None else None
    _device_module.set_device(dev, build_on_run=False)
    try:
        yield dev
    finally:
        _device_module.reset_device()
        _device_module.previous_devices[:] = saved_stack
        if saved_dt is not None and previous.defaultclock.dt_ != saved_dt:
            previous.defaultclock.dt_ = saved_dt


@contextlib.contextmanager
def runtime_numpy(quiet=True):
    """A fresh Brian2 runtime device on the numpy target (no compiler) for the block; the user's
    device and ``prefs.codegen.target`` are restored afterwards. With ``quiet``, Brian2's log
    messages of the block are caught (they are about throw-away objects, not the user's)."""
    from brian2 import prefs
    from brian2.devices.device import RuntimeDevice
    from brian2.utils.logger import catch_logs

    saved = prefs.codegen.target
    prefs.codegen.target = "numpy"
    try:
        with (catch_logs() if quiet else contextlib.nullcontext()), isolated_device(RuntimeDevice()) as dev:
            yield dev
    finally:
        prefs.codegen.target = saved
