"""Plot tasks: check a student's matplotlib figure from what it draws.

A plot task asks for a figure (``fig_...``, a :class:`matplotlib.figure.Figure`) and names what
it must show. :func:`check_figure` reads the figure back, as a reader would:

* every axis that carries a curve is **labelled with its unit** in parentheses or brackets at
  the end of the label (``"rate (Hz)"``, ``"V [mV]"``); a dimensionless axis needs no unit;
* each required curve is **drawn**: some line or scatter on those axes whose numbers, read in
  the units of the axis labels, are the reference's (so a figure in V or in mV both pass, as
  long as its label says which). A :class:`Points` curve must pass through every reference point
  (simulated values at fixed abscissae); a :class:`Curve` must follow a reference function over
  a span of the x axis at the student's own resolution (theory, a trace); a :class:`Path` is a
  curve in the plane that is not a function of x (a trajectory), matched by a test of its own;
  a :class:`Level` is a horizontal line at a reference value across a span (``ax.plot`` of a
  constant, ``ax.axhline`` or ``ax.hlines``);
* with ``legend=True``, the axes have a **legend** naming each required curve (one entry per
  curve at least).

A panel without an axis label takes the label of a panel sharing that axis
(``plt.subplots(2, 1, sharex=True)`` labels only the bottom time axis), else the figure's
``supxlabel``/``supylabel``. ``"t / ms"`` names a unit as ``"t (ms)"`` does. Messages say which of
these is missing, never the reference numbers. Lines hidden by the
student (``set_visible(False)``) do not count; neither do axes of another figure.

Units in a label are read with Brian2's unit names (``mV``, ``ms``, ``pA``, ``nA``, ``Hz``,
``nS``, ``Mohm``, ...), plus ``s``, ``Ω``/``MΩ``, ``µ`` for ``u`` and ``1/s`` or ``spikes/s``
for Hz.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
from brian2 import Quantity, get_dimensions
from brian2.units import allunits
from brian2.units.fundamentalunits import DIMENSIONLESS

from .core import Feedback, dimension_name

__all__ = ["Points", "Curve", "Path", "Level", "check_figure", "axis_unit", "axis_label", "axes_of"]

_UNIT_AT_END = re.compile(r"[\(\[]\s*([^()\[\]]*?)\s*[\)\]]\s*\$?\s*$")
_UNIT_AFTER_SLASH = re.compile(r"\s/\s*\$?\s*([^\s/$]+)\s*\$?\s*$")   # "t / ms" (ISO style)
_ALIASES = {"sec": "s", "second": "s", "seconds": "s", "Ω": "ohm", "kΩ": "kohm", "MΩ": "Mohm", "GΩ": "Gohm",
            "1/s": "Hz", "spikes/s": "Hz", "sp/s": "Hz", "1/ms": "kHz", "spikes/ms": "kHz",
            "1": "", "-": "", "a.u.": "", "msec": "ms", "millisecond": "ms", "milliseconds": "ms",
            "millivolt": "mV", "millivolts": "mV", "volts": "V", "nanoampere": "nA",
            "picoampere": "pA", "hertz": "Hz", "megaohm": "Mohm", "nanosiemens": "nS",
            "picofarad": "pF"}


def _unit_table() -> dict:
    table = {}
    for unit in allunits.all_units:
        table.setdefault(str(unit), unit)
    for unit in allunits.all_units:  # Brian2's long names too: mvolt, msecond, namp
        table.setdefault(repr(unit), unit)
    return table


_UNITS = _unit_table()


#: What :func:`axis_unit` returns for a label that says it is dimensionless (``"CV (1)"``).
ONE = "1"


def axis_unit(label: str):
    """The unit at the end of an axis label: a Brian2 unit, :data:`ONE` for an explicitly
    dimensionless one (``"(1)"``), or None if the label names no unit it can read."""
    match = _UNIT_AT_END.search(label or "") or _UNIT_AFTER_SLASH.search(label or "")
    if not match:
        return None
    text = match.group(1).replace("µ", "u").replace("μ", "u").replace("\\mu ", "u").replace("$", "")
    text = text.replace("\\mathrm{", "").replace("}", "").replace("\\,", "").strip()
    text = _ALIASES.get(text, text)
    if text == "":
        return ONE
    return _UNITS.get(text)


@dataclass
class Points:
    """Values the figure must pass through: ``y[k]`` at ``x[k]`` (Quantities).

    ``what`` names them in messages ("the simulated rates"). One line or scatter must have, at
    each ``x[k]`` (within ``xtol``, default a thousandth of the x range), points, all within
    ``rtol * |y| + ytol`` of ``y[k]``."""

    what: str
    x: Quantity
    y: Quantity
    rtol: float = 0.01
    ytol: "Quantity | float" = 0.0
    xtol: "Quantity | float | None" = None


@dataclass
class Curve:
    """A function the figure must follow: ``f(x)`` (Quantity in, Quantity out), drawn with at
    least ``min_points`` points covering ``span`` (two Quantities) of the x axis, at least
    ``fraction`` of them within ``rtol * |f| + ytol``. Reference arrays instead of ``f``: give
    ``x`` and ``y`` (interpolated linearly)."""

    what: str
    span: tuple
    f: object = None
    x: "Quantity | None" = None
    y: "Quantity | None" = None
    rtol: float = 0.02
    ytol: "Quantity | float" = 0.0
    fraction: float = 0.95
    min_points: int = 10

    def __call__(self, x_si: np.ndarray) -> np.ndarray:
        if self.f is not None:
            unit = _si_unit(self.span[0])
            return np.asarray(self.f(x_si * unit), dtype=float)
        return np.interp(x_si, np.asarray(self.x, dtype=float), np.asarray(self.y, dtype=float),
                         left=np.nan, right=np.nan)


@dataclass
class Path:
    """A curve in the plane that is not a function of x, such as a phase-plane trajectory
    (it passes the same x many times): one line or scatter must draw it, as decided by
    ``drawn(x, y)``, which gets that artist's numbers in SI units (float arrays, read with the
    axis labels' units) and returns a bool. ``x_unit`` and ``y_unit`` (any quantities of the
    axes' dimensions, e.g. ``volt`` and ``amp``) say what the axes must be labelled in."""

    what: str
    x_unit: Quantity
    y_unit: Quantity
    drawn: Callable


@dataclass
class Level:
    """A horizontal line at ``y`` (a Quantity) across at least 90 % of ``span`` (two Quantities)
    of the x axis, within ``rtol * |y|``: a plotted constant, an ``ax.axhline`` (which spans the
    axes whatever the x units) or an ``ax.hlines`` segment. For a reference value drawn beside a
    curve: an expected rate, a threshold."""

    what: str
    y: Quantity
    span: tuple
    rtol: float = 0.03


def _si_unit(q):
    dim = get_dimensions(q)
    return 1 if dim is DIMENSIONLESS else Quantity(1, dim=dim)


def _lines(ax):
    """``(line, x, y)`` of each visible line of an axes with numeric data (float arrays)."""
    for line in ax.get_lines():
        if not line.get_visible() or line.get_alpha() == 0:
            continue
        try:
            x = np.asarray(line.get_xdata(orig=False), dtype=float)
            y = np.asarray(line.get_ydata(orig=False), dtype=float)
        except (TypeError, ValueError):
            continue
        yield line, x, y


def _artists(ax):
    """``[(label, x, y)]`` of the visible lines and scatters of an axes, as float arrays."""
    out = [(line.get_label(), x, y) for line, x, y in _lines(ax)]
    for coll in ax.collections:
        offsets = getattr(coll, "get_offsets", None)
        if not coll.get_visible() or coll.get_alpha() == 0 or offsets is None:
            continue
        xy = np.asarray(offsets(), dtype=float)
        if xy.ndim == 2 and xy.shape[1] == 2 and len(xy):
            out.append((coll.get_label(), xy[:, 0], xy[:, 1]))
    return out


def _matches_points(spec: Points, x, y, xs, ys) -> bool:
    rx, ry = np.asarray(spec.x, dtype=float), np.asarray(spec.y, dtype=float)
    span = float(np.ptp(rx)) if rx.size > 1 else abs(float(rx[0])) or 1.0
    xtol = 1e-3 * span if spec.xtol is None else float(np.asarray(spec.xtol, dtype=float))
    ytol = float(np.asarray(spec.ytol, dtype=float))
    px, py = x * xs, y * ys
    finite = np.isfinite(px) & np.isfinite(py)
    px, py = px[finite], py[finite]
    if px.size == 0:
        return False
    for a, b in zip(rx, ry):
        near = np.abs(px - a) <= xtol
        # every point the artist draws at that abscissa must be right: a "carpet" of values
        # at each x (one of which is bound to be close) is not a curve
        if not np.any(near) or not np.all(np.abs(py[near] - b) <= spec.rtol * abs(b) + ytol):
            return False
    return True


def _matches_curve(spec: Curve, x, y, xs, ys) -> bool:
    lo, hi = (float(np.asarray(v, dtype=float)) for v in spec.span)
    px, py = x * xs, y * ys
    inside = np.isfinite(px) & np.isfinite(py) & (px >= lo - 1e-9 * abs(hi - lo)) & (px <= hi + 1e-9 * abs(hi - lo))
    if np.count_nonzero(inside) < spec.min_points:
        return False
    px, py = px[inside], py[inside]
    if px.max() - px.min() < 0.9 * (hi - lo):
        return False
    with np.errstate(all="ignore"):
        ref = spec(px)
    ok = np.abs(py - ref) <= spec.rtol * np.abs(ref) + float(np.asarray(spec.ytol, dtype=float))
    return np.count_nonzero(ok & np.isfinite(ref)) >= spec.fraction * px.size


def _covers(x, lo, hi) -> bool:
    x = x[np.isfinite(x)]
    return x.size >= 2 and min(x.max(), hi) - max(x.min(), lo) >= 0.9 * (hi - lo)


def _flat(y) -> bool:
    y = y[np.isfinite(y)]
    return y.size >= 2 and np.ptp(y) <= 1e-9 * max(abs(y[0]), 1e-12)


def _levels(ax, xs, lo, hi) -> list:
    """The y values (in the y axis' unit) of the visible horizontal lines of ``ax`` across at
    least 90 % of [lo, hi] (SI; ``xs`` is the x axis' SI factor, None if its label names none):
    lines of a constant, ``axhline`` (x in axes coordinates: it spans the axes), ``hlines``."""
    levels = []
    for line, x, y in _lines(ax):
        if not _flat(y):
            continue
        if line.get_transform() != ax.transData:     # axhline: x runs over the axes' width
            x = x[np.isfinite(x)]
            if x.size and x.min() <= 0.05 and x.max() >= 0.95:
                levels.append(float(y[np.isfinite(y)][0]))
        elif xs is not None and _covers(x * xs, lo, hi):
            levels.append(float(y[np.isfinite(y)][0]))
    for coll in ax.collections:
        segments = getattr(coll, "get_segments", None)
        if not coll.get_visible() or coll.get_alpha() == 0 or segments is None or xs is None:
            continue
        for seg in segments():
            seg = np.asarray(seg, dtype=float)
            if seg.ndim == 2 and len(seg) >= 2 and _flat(seg[:, 1]) and _covers(seg[:, 0] * xs, lo, hi):
                levels.append(float(seg[0, 1]))
    return levels


def _drawn(spec, ax, xs, ys) -> bool:
    """Whether ``ax`` draws ``spec``, its numbers read with the SI factors ``xs``, ``ys`` of its
    axis labels (None where a label names no unit of the right dimension)."""
    if isinstance(spec, Level):
        lo, hi = (float(np.asarray(v, dtype=float)) for v in spec.span)
        ref = float(np.asarray(spec.y, dtype=float))
        return any(abs(level * (ys or 1.0) - ref) <= spec.rtol * abs(ref)
                   for level in _levels(ax, xs, lo, hi))
    xs, ys = xs or 1.0, ys or 1.0
    for _, x, y in _artists(ax):
        if isinstance(spec, Path):
            finite = np.isfinite(x) & np.isfinite(y)
            if finite.any() and spec.drawn(x[finite] * xs, y[finite] * ys):
                return True
        elif (_matches_points if isinstance(spec, Points) else _matches_curve)(spec, x, y, xs, ys):
            return True
    return False


def _dims(spec) -> tuple:
    """(x, y) dimensions of a spec."""
    if isinstance(spec, Path):
        return get_dimensions(spec.x_unit), get_dimensions(spec.y_unit)
    if isinstance(spec, Level):
        return get_dimensions(spec.span[0]), get_dimensions(spec.y)
    if isinstance(spec, Points):
        return get_dimensions(spec.x), get_dimensions(spec.y)
    return get_dimensions(spec.span[0]), get_dimensions(spec.y if spec.y is not None
                                                        else spec.f(spec.span[0]))


def _scale(unit, dim):
    """SI factor of an axis unit for a reference of dimension ``dim``; None if they disagree."""
    if unit is None:
        return None
    if unit is ONE:
        return 1.0 if dim is DIMENSIONLESS else None
    if get_dimensions(unit) is not dim:
        return None
    return float(np.asarray(unit, dtype=float))


def _is_a(obj, module: str, name: str) -> bool:
    return any(c.__name__ == name and c.__module__.startswith(module) for c in type(obj).__mro__)


def axes_of(fig) -> "list | None":
    """The axes of a matplotlib Figure (or ``[ax]`` for an Axes); None for anything else.
    Recognised by class, without importing matplotlib: the checks are a computation layer
    (``tests/test_layers.py``), and a figure exists only where matplotlib was imported."""
    if _is_a(fig, "matplotlib.axes", "Axes"):
        return [fig]
    if _is_a(fig, "matplotlib.figure", "Figure"):
        return list(fig.axes)
    return None


def axis_label(ax, axis: str) -> str:
    """An axes' ``axis`` ("x" or "y") label; for a panel without one, that of a panel sharing
    the axis (the usual ``sharex=True`` figure labels only the bottom panel's time axis), else
    the figure's ``supxlabel``/``supylabel``."""
    own = ax.get_xlabel() if axis == "x" else ax.get_ylabel()
    if own.strip():
        return own
    shared = ax.get_shared_x_axes() if axis == "x" else ax.get_shared_y_axes()
    for other in shared.get_siblings(ax):
        label = other.get_xlabel() if axis == "x" else other.get_ylabel()
        if label.strip():
            return label
    # a label for the whole figure (fig.supxlabel / supylabel)
    figure = ax.get_figure()
    text = getattr(figure, "_supxlabel" if axis == "x" else "_supylabel", None)
    if text is not None and text.get_text().strip():
        return text.get_text()
    return own


def _axis_problem(axis: str, label: str, unit, dim) -> "str | None":
    if _scale(unit, dim) is not None or (dim is DIMENSIONLESS and unit is None):
        return None
    if unit is None:
        return (f"the {axis} axis label {label!r} names no unit that can be read: end it with the "
                f"unit in parentheses, as in 'V (mV)' or 'rate (Hz)'; this axis shows "
                f"{dimension_name(dim)}.")
    return (f"the {axis} axis is labelled in {'no unit' if unit is ONE else unit}, but it should show "
            f"{dimension_name(dim)}.")


def check_figure(fig, curves, *, legend: bool = False, name: str = "the figure") -> Feedback:
    """Check a student's figure: axes labelled with units, each of ``curves`` drawn, a legend.

    Parameters
    ----------
    fig : matplotlib Figure (or Axes)
        The student's figure.
    curves : list of :class:`Points`, :class:`Curve`, :class:`Path` or :class:`Level`
        What must be drawn, all on one axes of the figure (for a figure of several panels, call
        it once per panel's curves), all with the x dimension of the first.
    legend : bool
        Whether that axes needs a legend with an entry per curve.
    name : str
        How to call the figure in messages (``"fig_fI"``).
    """
    if fig is None or fig is Ellipsis:
        return Feedback(False, "missing", f"{name}: no figure yet.")
    axes = axes_of(fig)
    if axes is None:
        return Feedback(False, "type", f"{name} must be a matplotlib figure (for example "
                                       f"`{name}, ax = plt.subplots()`), got {type(fig).__name__}.")
    if not axes:
        return Feedback(False, "wrong", f"{name} has no axes: draw into it (ax.plot(...)).")
    xdim = _dims(curves[0])[0]
    best = None
    for ax in axes:
        xlabel, ylabel = axis_label(ax, "x"), axis_label(ax, "y")
        xunit, yunit = axis_unit(xlabel), axis_unit(ylabel)
        missing, problems = [], []
        for spec in curves:
            ydim = _dims(spec)[1]
            for axis, label, unit, dim in (("x", xlabel, xunit, xdim), ("y", ylabel, yunit, ydim)):
                problem = _axis_problem(axis, label, unit, dim)
                if problem and problem not in problems:
                    problems.append(problem)
            if not _drawn(spec, ax, _scale(xunit, xdim), _scale(yunit, ydim)):
                missing.append(spec.what)
        score = (len(problems) + len(missing), len(missing))
        if best is None or score < best[0]:
            best = (score, ax, missing, problems)
    _, ax, missing, problems = best
    if problems:
        return Feedback(False, "units", f"{name}: {problems[0]}")
    if missing:
        return Feedback(False, "wrong", f"{name} does not show {_and(missing)} (read in the units "
                                        "its axis labels name).")
    if legend:
        handles = ax.get_legend()
        texts = [t.get_text().strip() for t in handles.get_texts()] if handles is not None else []
        texts = [t for t in texts if t]
        if len(texts) < len(curves):
            return Feedback(False, "legend", f"{name} needs a legend naming each of its "
                                             f"{len(curves)} curves (label=... and ax.legend()).")
    return Feedback(True, "right", f"{name} shows {_and([c.what for c in curves])}, with units.")


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
