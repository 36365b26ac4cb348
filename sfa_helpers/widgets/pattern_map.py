"""The firing-pattern map explorer of lesson 04: a map of firing patterns over two parameters
(:func:`sfa_helpers.firing_patterns.pattern_map`, drawn as :func:`sfa_helpers.plots.plot_pattern_map`
draws it), recomputed when a slider for another parameter moves."""

from __future__ import annotations

import time

import ipywidgets as W
import numpy as np
from brian2 import amp, mV, ms, nS, pA

from ..firing_patterns import PATTERN_MAP_DT, PATTERNS, pattern_map, presets_in_plane
from ..plots import draw_pattern_map, pattern_codes, pattern_legend, pattern_mesh
from ..validation import as_quantity
from .base import LiveFigure, ResultCache, display_unit, slider_key

__all__ = ["PatternMapExplorer", "explore_pattern_map"]


def _ordinal(n):
    return {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else n % 10, "th")


class PatternMapExplorer(LiveFigure):
    """A firing-pattern map with sliders for parameters that are *not* on its axes.

    Every slider move recomputes the whole map -- one ``NeuronGroup`` run of all grid points
    (:func:`pattern_map`; the grid, ``duration`` and ``dt`` are fixed, so the compiled program
    is reused and only new values are passed) -- and updates the colours of the existing mesh.
    To answer a move quickly the widget simulates every ``stride``-th point of the grid in each
    direction (default 3; the title states the grid shown); a check box switches to the full
    grid.
    Maps are kept by slider values (:class:`sfa_helpers.widgets.ResultCache`, the last 16), so
    a slider moved back to a value seen before recolours at once without simulating. The figure
    is rendered as one PNG into an ``ipywidgets.Image`` (inline backend), or redrawn in place
    with ``%matplotlib widget``.

    ``update(tau_w=50*ms, I=80*pA)`` sets sliders from code (Brian2 quantities) and recomputes.

    Attributes
    ----------
    sliders : dict of ipywidgets.FloatSlider
    full_grid : ipywidgets.Checkbox
        Ticked: the full grid (every point of ``x_values`` and ``y_values``).
    pmap : PatternMap
        The map shown (on the grid shown, see :meth:`grid`).
    last_update_seconds : float
        Wall time of the last update (simulate + classify + redraw);
        ``last_timings`` splits it (``'simulate'``, ``'classify'``, ``'draw'``;
        simulate and classify are 0 for a map taken from the cache).
    """

    #: name -> (display unit, default slider range in display units).
    SLIDER_SPECS = {"a": (nS, (-2.0, 2.0)), "b": (pA, (0.0, 100.0)), "tau_w": (ms, (10.0, 300.0)),
                    "V_reset": (mV, (-70.0, -42.0)), "Delta_T": (mV, (0.5, 5.0)),
                    "tau_m": (ms, (2.0, 30.0)), "I": (pA, (0.0, 200.0))}
    #: Sliders shown by default (those on the map's axes are left out).
    DEFAULT_SLIDERS = ("a", "b", "tau_w", "V_reset", "Delta_T", "I")

    def __init__(self, model, current, x_name, x_values, y_name, y_values, *, sliders=None,
                 ranges=None, marks="presets", duration=500 * ms, dt=PATTERN_MAP_DT, stride=3):
        self.model, self.duration, self.dt = model, duration, dt
        self.x_name, self.y_name = x_name, y_name
        self.x_values, self.y_values = x_values, y_values
        stride = int(stride)
        if stride < 1:
            raise ValueError(f"'stride' must be a positive integer, got {stride!r}.")
        self.stride = stride
        current = as_quantity("current", current, amp, allow_array=False)
        self._current = current
        names = [s for s in (self.DEFAULT_SLIDERS if sliders is None else sliders)
                 if s not in (x_name, y_name)]
        for name in names:
            if name not in self.SLIDER_SPECS:
                raise ValueError(f"No slider for '{name}'; choose from {list(self.SLIDER_SPECS)}.")
        if marks == "presets":
            marks = presets_in_plane(model, current, x_name, y_name)
        self.marks = dict(marks or {})
        ranges = dict(ranges or {})
        self.pmap = None
        self.last_update_seconds = float("nan")
        self.last_timings = {}
        self._cache = ResultCache(16)
        self.sliders, self._units, self._labels = {}, {}, {}
        for name in names:
            unit, (lo, hi) = self.SLIDER_SPECS[name]
            start = current if name == "I" else getattr(model, name)
            if np.size(start) != 1:
                raise ValueError(f"Parameter '{name}' of the model must be a single value.")
            unit, label = display_unit(start, unit)
            val = float(start / unit)
            if name in ranges:
                lo, hi = (float(r / unit) for r in ranges[name])
            self.sliders[name] = self._slider(name, val, min(lo, val), max(hi, val), label,
                                              width="320px")
            self._units[name], self._labels[name] = unit, label
        self._new_status()
        nx, ny = np.size(x_values), np.size(y_values)
        self.full_grid = W.Checkbox(
            value=stride == 1, indent=False, layout=W.Layout(width="auto"),
            description=f"full {nx} x {ny} grid ({nx * ny} neurons, about 0.5 s per move)")
        self._watch(self.full_grid)
        pmap = self._compute()
        if pmap is None:
            raise ValueError(f"Cannot compute the map: {self.status.value}")
        self._build_figure(pmap)
        controls = W.GridBox(list(self.sliders.values()),
                             layout=W.Layout(grid_template_columns="repeat(2, 340px)"))
        children = [controls] + ([self.full_grid] if stride > 1 else [])
        self.widget = W.VBox(children + [self._figure_widget, self.status])
        self._show(pmap, self.last_timings)

    def values(self) -> dict:
        """Slider values as Brian2 quantities."""
        return {name: s.value * self._units[name] for name, s in self.sliders.items()}

    def grid(self):
        """The grid values shown: every ``stride``-th point of ``x_values`` and ``y_values``
        (all of them with the 'full grid' box ticked). The points are a subset of the full
        grid, so their labels are those of the full map."""
        step = 1 if self.full_grid.value else self.stride
        return self.x_values[::step], self.y_values[::step]

    def _compute(self):
        vals = self.values()
        current = vals.pop("I", self._current)
        xs, ys = self.grid()
        key = (slider_key(s.value for s in self.sliders.values()), len(xs), len(ys))
        misses = self._cache.misses
        try:
            model = self.model.replace(**vals)
            pmap = self._cache.get(key, lambda: pattern_map(
                model, current, self.x_name, xs, self.y_name, ys,
                duration=self.duration, dt=self.dt))
        except (ValueError, TypeError) as err:
            self._report_error(err, "Not computed")
            return None
        self.pmap = pmap
        cached = self._cache.misses == misses
        # a cached map took no simulation now
        self.last_timings = ({"simulate": 0.0, "classify": 0.0, "cached": True} if cached
                             else dict(pmap.timings))
        return pmap

    def _build_figure(self, pmap):
        figure, self.ax = self._new_figure(figsize=(7.5, 4.5), layout="constrained")
        self._mesh = draw_pattern_map(self.ax, pmap, self.marks)
        # All labels in the legend; those absent from the map are dimmed.
        self._legend = pattern_legend(self.ax)
        self.ax.set_title(self._title(pmap), fontsize="small")
        self._attach_figure(figure, width="750px")
        self._freeze_layout()
        # Image widget: the mesh (and the marks above it) are drawn over a kept picture of the
        # axes. Title (the grid) and legend are part of the kept picture: the slider values and the
        # shares of the grid are listed in the status line, as drawing text costs more than the
        # mesh. Labels absent from the map are dimmed, which draws the picture anew.
        legend_texts = self._legend.get_texts()
        self._use_renderer([self._mesh, *self.ax.lines, *self.ax.texts],
                           key=lambda: (self.ax.get_title(), tuple(t.get_alpha() for t in legend_texts)))

    def _values_text(self, pmap):
        parts = [f"I = {float(pmap.current / pA):.4g} pA"]
        for name in self.sliders:
            if name != "I":
                parts.append(f"{name} = {self.sliders[name].value:.4g} {self._labels[name]}")
        return ", ".join(parts)

    def _title(self, pmap):
        ny, nx = pmap.labels.shape
        fx, fy = np.size(self.x_values), np.size(self.y_values)
        if (nx, ny) == (fx, fy):
            return f"firing patterns on the full {nx} x {ny} grid"
        return (f"firing patterns on a {nx} x {ny} grid "
                f"(every {self.stride}{_ordinal(self.stride)} point of the {fx} x {fy} grid)")

    def _show(self, pmap, timings):
        t0 = time.perf_counter()
        if self._mesh.get_array().size == pmap.labels.size:
            self._mesh.set_array(pattern_codes(pmap.labels).ravel())
        else:  # the other grid: a new mesh in place of the old one
            old, self._mesh = self._mesh, pattern_mesh(self.ax, pmap)
            self._mesh.set_zorder(old.get_zorder())
            old.remove()
            if self._renderer is not None:
                self._mesh.set_animated(True)
                self._renderer.dynamic[self._renderer.dynamic.index(old)] = self._mesh
        fractions = pmap.fractions()
        for text, p in zip(self._legend.get_texts(), PATTERNS):
            text.set_alpha(1.0 if p in fractions else 0.4)
        self.ax.set_title(self._title(pmap), fontsize="small")
        self._render()
        cached = timings.get("cached", False)
        timings = {k: v for k, v in timings.items() if k != "cached"}
        timings["draw"] = time.perf_counter() - t0
        self.last_timings = timings
        self.last_update_seconds = sum(timings.values())
        ny, nx = pmap.labels.shape
        computed = ("map seen before, taken from the cache" if cached else
                    f"simulated in {1000 * timings['simulate']:.0f} ms, classified in "
                    f"{1000 * timings['classify']:.0f} ms")
        shares = ", ".join(f"{p} {100 * fractions[p]:.0f} %" for p in PATTERNS if p in fractions)
        self.status.value = (
            f"{self._values_text(pmap)}: {shares}<br>"
            f"{nx} x {ny} = {nx * ny} neurons in one NeuronGroup; {computed}, drawn "
            f"in {1000 * timings['draw']:.0f} ms")

    def update(self, **quantities):
        """Set sliders from ``quantities`` (Brian2 quantities, e.g. ``tau_w=50*ms``), recompute
        the map and redraw. Returns the new :class:`PatternMap` (the last valid one if the
        parameters are invalid; the reason is shown in ``status``)."""
        for name, value in quantities.items():
            if name not in self.sliders:
                raise ValueError(f"No slider '{name}'; sliders: {list(self.sliders)}")
            as_quantity(name, value, self._units[name], allow_array=False)
        for name, value in quantities.items():
            self._set_quietly(self.sliders[name], float(value / self._units[name]))
        pmap = self._compute()
        if pmap is None:
            return self.pmap
        self._show(pmap, self.last_timings)
        return pmap


def explore_pattern_map(model, current, x_name, x_values, y_name, y_values, *, sliders=None,
                        ranges=None, marks="presets", duration=500 * ms,
                        dt=PATTERN_MAP_DT, stride=3) -> PatternMapExplorer:
    """Interactive firing-pattern map (see :class:`PatternMapExplorer`).

    Parameters
    ----------
    model, current, x_name, x_values, y_name, y_values, duration, dt
        As for :func:`pattern_map`; the grid stays fixed.
    sliders : sequence of str, optional
        Parameters with a slider, from ``'a'``, ``'b'``, ``'tau_w'``, ``'V_reset'``,
        ``'Delta_T'``, ``'tau_m'`` and ``'I'`` (the step current). Default: all of
        :attr:`PatternMapExplorer.DEFAULT_SLIDERS` that are not on an axis.
    ranges : dict, optional
        ``{name: (low, high)}`` with units, to override a slider's range.
    marks : dict or 'presets'
        Points to mark, ``{name: (x, y)}``; ``'presets'`` (default) marks the presets of
        :data:`~sfa_helpers.models.presets.FIRING_PATTERNS` lying in the starting plane
        (:func:`presets_in_plane`).
    stride : int
        The widget simulates every ``stride``-th point of the grid in each direction (default
        3: 14 x 14 = 196 of the 1600 neurons of a 40 x 40 grid, about 70 ms per move instead of
        about 0.5 s); the grid shown is stated in the title. Its points are points of the full
        grid, with the same labels. A check box switches to the full grid; ``stride=1`` starts
        there.

    Examples
    --------
    >>> ex = explore_pattern_map(FIRING_PATTERNS["bursting"].model, 65*pA,  # doctest: +SKIP
    ...                          "a", np.linspace(-2, 2, 40)*nS, "V_reset", np.linspace(-65, -42, 40)*mV)
    >>> ex.update(tau_w=50*ms)  # doctest: +SKIP
    """
    return PatternMapExplorer(model, current, x_name, x_values, y_name, y_values,
                              sliders=sliders, ranges=ranges, marks=marks, duration=duration, dt=dt,
                              stride=stride)
