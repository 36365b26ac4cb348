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

__all__ = ["isolated_device", "memoize_method_splitting", "runtime_numpy"]


def memoize_method_splitting() -> bool:
    """Make Brian2 split each stage of an explicit integration method once per process.

    Every time Brian2 applies an explicit method (``'rk4'``, ``'euler'``, ``'heun'``,
    ``'milstein'``, ...) to a model, :func:`brian2.stateupdaters.explicit.split_expression`
    separates each stage of the *method* (``k_1 = dt*f(x,t)``, ...; the same few strings for
    every model) into its deterministic and stochastic parts by sympy pattern matching: about
    0.06 s per stage, 0.3 s of every ``rk4`` model's code generation, and in lesson 04 some
    3 s in all, the same work again and again. The function is pure (a string in, two
    immutable sympy expressions out), so its results are kept per expression
    (``functools.lru_cache``); the code Brian2 generates is unchanged
    (``tests/test_engine.py``). It applies to the whole process, a student's own Brian2 code
    included. Returns False, changing nothing, if this Brian2 has no such function."""
    import functools

    from brian2.stateupdaters import explicit

    original = getattr(explicit, "split_expression", None)
    if original is None or hasattr(original, "cache_info"):
        return original is not None
    cached = functools.lru_cache(maxsize=256)(original)

    @functools.wraps(original)
    def split_expression(expr):
        try:
            return cached(expr)
        except TypeError:  # an unhashable argument: not ours to remember
            return original(expr)

    split_expression.cache_info = cached.cache_info
    split_expression.uncached = original
    explicit.split_expression = split_expression
    return True


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
