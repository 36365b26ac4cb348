"""What every live figure of the course shares: :class:`LiveFigure`, the base class of the
explorers, and what keeps a slider move cheap.

:class:`LiveFigure` carries the plumbing of every explorer: the choice between an ipympl canvas
(``%matplotlib widget``, redrawn in place) and one PNG per update in an ``ipywidgets.Image``
(the inline backend, Colab), the sliders and the setting of a slider from code without
triggering it, the status line under the figure, the constrained layout solved once and then
frozen, and ``_ipython_display_``. A subclass builds its figure once, and a move updates the data
of its artists. Slider units come from :func:`display_unit` (Brian2 units: mV, pA, nS, ms ...).

What keeps a move cheap:

* :class:`ResultCache`: results are kept by slider values (:func:`slider_key`), so a slider
  moved back to a value seen before is answered without computing (the seed is fixed, so the
  cached result is the one a new computation would give).
* :class:`PNGRenderer`: the figure is built once; a move sets the data of its lines, and only
  those are drawn again over a kept picture of the axes, ticks and labels while the axis
  limits stay the same. :func:`nice_limits` rounds the limits outwards so that they usually do.
* :func:`render_png`: one Agg draw and a fast PNG encoder (``savefig`` draws twice when a layout
  engine is set and compresses harder).
"""

from __future__ import annotations

import io
import math

import ipywidgets as W
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from ..plots import display_unit

__all__ = ["LiveFigure", "ResultCache", "slider_key", "nice_limits", "show_figure",
           "render_png", "PNGRenderer", "PNG_COMPRESS_LEVEL"]


class LiveFigure:
    """Base class of the explorers: sliders over a figure that is built once and updated.

    A subclass creates its sliders with :meth:`_slider` (or any ``ipywidgets`` control watched
    with :meth:`_watch`), its figure with :meth:`_new_figure` and :meth:`_attach_figure`, the
    artists a move changes with :meth:`_use_renderer`, and implements ``update(**values)``;
    after changing the artists it calls :meth:`_render`. ``widget`` is what the notebook shows.

    Attributes
    ----------
    figure : matplotlib Figure
    status : ipywidgets.HTML
        The line under the figure (what was computed and how long it took, or why not).
    widget : ipywidgets.Box
    """

    #: False: always one PNG per update in an Image widget, also with ipympl.
    LIVE_CANVAS = True

    # -- controls ----------------------------------------------------------------------------
    def _slider(self, name, value, low, high, label="", **layout):
        """A float slider for ``name`` (value and range in display units, labelled
        ``name (label)``), watched by :meth:`_on_change`. 200 steps over its range."""
        slider = W.FloatSlider(value=value, min=low, max=high, step=(high - low) / 200,
                               description=f"{name} ({label})" if label else name,
                               continuous_update=False, readout_format=".3g",
                               style={"description_width": "initial"},
                               **({"layout": W.Layout(**layout)} if layout else {}))
        self._watch(slider)
        return slider

    def _watch(self, *controls):
        for control in controls:
            control.observe(self._on_change, names="value")

    def _on_change(self, _change):
        self.update()

    def _set_quietly(self, control, value):
        """Set ``control.value`` from code without triggering :meth:`_on_change` (the caller
        recomputes once after setting all its values)."""
        control.unobserve(self._on_change, names="value")
        try:
            control.value = value
        finally:
            control.observe(self._on_change, names="value")

    def _new_status(self):
        self.status = W.HTML()
        return self.status

    def _report_error(self, err, what="Not simulated"):
        """Show why the values could not be used; the last valid figure stays."""
        self.status.value = f"<span style='color:#b00'>{what}: {err}</span>"

    # -- figure ------------------------------------------------------------------------------
    @staticmethod
    def _new_figure(*args, empty=False, **kwargs):
        """``plt.subplots(*args, **kwargs)`` (``empty=True``: ``plt.figure(**kwargs)``, for a
        grid of axes added by the caller) with pyplot's interactive mode off: the figure is
        not shown by itself."""
        with plt.ioff():
            return plt.figure(**kwargs) if empty else plt.subplots(*args, **kwargs)

    def _attach_figure(self, figure, **image_layout):
        """Choose where ``figure`` is shown: its own canvas with the ipympl backend (redrawn in
        place), else an ``ipywidgets.Image`` (laid out with ``image_layout``) that receives one
        PNG per update -- cheaper than re-displaying the figure, updated in place in the
        browser without flicker, and nothing is printed into the notebook when no front end is
        attached. The figure is then closed in pyplot so that a later ``plt.show()`` does not
        draw it again. Sets ``figure``, ``_live_canvas`` and ``_figure_widget``."""
        backend = matplotlib.get_backend().lower()
        self.figure = figure
        self._live_canvas = self.LIVE_CANVAS and ("ipympl" in backend or "widget" in backend)
        self._layout_frozen = False
        self._renderer = None
        if self._live_canvas:
            self._figure_widget = figure.canvas
        else:
            plt.close(figure)
            self._figure_widget = W.Image(format="png", layout=W.Layout(**image_layout))
        return self._figure_widget

    def _use_renderer(self, dynamic, key=None):
        """Image widget: a :class:`PNGRenderer` that redraws only the ``dynamic`` artists over
        a kept picture of the rest. (ipympl draws the canvas itself: animated artists would
        vanish there, so it gets none.)"""
        self._renderer = None if self._live_canvas else PNGRenderer(self.figure, dynamic, key=key)
        return self._renderer

    def _freeze_layout(self):
        """Solve the constrained layout once, then keep it: re-solving it on every slider move
        would double the drawing time. (``draw_without_rendering``: the closed inline figure's
        canvas cannot draw itself.)"""
        if not self._layout_frozen:
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")
            self._layout_frozen = True

    def _render(self):
        """Put the present state of the figure on screen (see :func:`show_figure`)."""
        self._freeze_layout()
        show_figure(self.figure, self._figure_widget, renderer=self._renderer)

    def _ipython_display_(self):
        display(self.widget)


class ResultCache:
    """The last ``maxsize`` results of a deterministic computation, looked up by their inputs.

    Keys are compared with ``==`` (parameter sets and quantities need not be hashable), most
    recent first. A widget asks the cache before recomputing, so moving a slider back to a value
    seen before shows the same result at once; a fixed seed makes the simulations deterministic,
    so a cached result is the one a fresh computation would give.
    """

    def __init__(self, maxsize=16):
        self.maxsize = int(maxsize)
        self._items = []  # [(key, value)], most recent first
        self.hits = self.misses = 0

    @staticmethod
    def _same(a, b):
        if a is b:
            return True
        if isinstance(a, tuple) and isinstance(b, tuple):
            return len(a) == len(b) and all(ResultCache._same(x, y) for x, y in zip(a, b))
        try:
            same = a == b
            return bool(np.all(same)) if not isinstance(same, bool) else same
        except Exception:  # noqa: BLE001 - e.g. quantities of different dimensions
            return False

    def get(self, key, compute):
        """The cached value for ``key``, or ``compute()`` (then stored)."""
        for k, (stored, value) in enumerate(self._items):
            if type(stored) is type(key) and self._same(stored, key):
                self.hits += 1
                if k:
                    self._items.insert(0, self._items.pop(k))
                return value
        self.misses += 1
        value = compute()
        self._items.insert(0, (key, value))
        del self._items[self.maxsize:]
        return value

    def clear(self):
        self._items.clear()

    def __len__(self):
        return len(self._items)


def slider_key(values) -> tuple:
    """Slider values as a cache key: rounded to 12 significant digits, so that a slider moved
    up and back down by the same step (0.1 + 0.5 - 0.5 = 0.09999999999999998) finds its
    earlier result."""
    return tuple(float(f"{float(v):.12g}") for v in values)


def nice_limits(lo, hi, pad=0.05):
    """Axis limits around ``[lo, hi]``: 5 % padding, then rounded outwards to a multiple of a
    round step (1, 2 or 5 x 10^k, about a tenth of the span). A small change of the data leaves
    them unchanged, so the frame of a plot does not jump at every slider move (and the widget's
    :class:`PNGRenderer` can reuse the drawn frame)."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return -1.0, 1.0
    if not hi > lo:
        return lo - 1.0, hi + 1.0
    lo, hi = lo - pad * (hi - lo), hi + pad * (hi - lo)
    raw = (hi - lo) / 10
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def show_figure(figure, target, dpi=None, *, renderer=None) -> None:
    """Put the current state of ``figure`` on screen in its widget ``target``: an ipympl canvas
    (``target is figure.canvas``) redraws in place; otherwise ``target`` is an
    ``ipywidgets.Image`` and receives one PNG from :func:`render_png` (or from ``renderer``, a
    :class:`PNGRenderer` of this figure that redraws only what changed). No tight-bbox pass, no
    flicker, and nothing is printed into the notebook when no front end is attached."""
    if target is figure.canvas:
        figure.canvas.draw_idle()
        return
    target.value = renderer.render() if renderer is not None else render_png(figure, dpi)


#: zlib level of the PNGs sent to the browser: 1 encodes 2x faster than matplotlib's default 6
#: for a file about 10 % larger (the same pixels: PNG is lossless).
PNG_COMPRESS_LEVEL = 1


def _agg_canvas(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = figure.canvas
    return canvas if isinstance(canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)


def _encode_png(canvas) -> bytes:
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def render_png(figure, dpi=None) -> bytes:
    """The figure as PNG bytes (RGB), drawn once by Agg at ``dpi`` (default: the figure's).

    Cheaper than ``savefig``, which draws the figure twice whenever a layout engine is set (even
    a frozen one) and compresses harder."""
    old = figure.dpi
    if dpi is not None and dpi != old:
        figure.dpi = dpi
    try:
        canvas = _agg_canvas(figure)
        canvas.draw()
        return _encode_png(canvas)
    finally:
        if figure.dpi != old:
            figure.dpi = old


class PNGRenderer:
    """Renders a figure whose data artists change but whose frame mostly does not.

    The ``dynamic`` artists (lines, collections, texts) are marked *animated*: a full draw
    leaves them out, and its picture (axes, ticks, labels, legends) is kept as a background.
    Each :meth:`render` restores the background and draws only the dynamic artists over it.
    Backgrounds are kept by key -- the view limits of every axes, the figure size and dpi, and
    ``key()`` (optional callable, for any other text the caller changes) -- the last
    ``backgrounds`` of them, so a slider moved back and forth needs no full draw either. The
    result is the same picture as a full draw, except that dynamic artists are drawn above the
    static ones (keep them from overlapping legends and annotations).
    """

    def __init__(self, figure, dynamic, key=None, backgrounds=8):
        self.figure, self.dynamic, self._extra_key = figure, list(dynamic), key
        for artist in self.dynamic:
            artist.set_animated(True)
        self._backgrounds = {}  # key -> saved region, oldest first
        self._size = None
        self._max_backgrounds = int(backgrounds)
        self.full_draws = 0

    def _current_key(self):
        fig = self.figure
        limits = tuple((tuple(ax.viewLim.get_points().ravel()), ax.get_visible()) for ax in fig.axes)
        extra = self._extra_key() if self._extra_key is not None else None
        return (tuple(fig.get_size_inches()), fig.dpi, limits, extra)

    def render(self) -> bytes:
        canvas = _agg_canvas(self.figure)
        key = self._current_key()
        background = self._backgrounds.pop(key, None)
        if background is None or canvas.get_width_height(physical=True) != self._size:
            canvas.draw()  # every artist but the animated ones
            background = canvas.copy_from_bbox(self.figure.bbox)
            self.full_draws += 1
            self._size = canvas.get_width_height(physical=True)
        else:
            canvas.restore_region(background)
        self._backgrounds[key] = background  # now the most recent
        while len(self._backgrounds) > self._max_backgrounds:
            self._backgrounds.pop(next(iter(self._backgrounds)))
        renderer = canvas.get_renderer()
        for artist in sorted(self.dynamic, key=lambda a: a.get_zorder()):
            if artist.get_visible() and artist.figure is self.figure:
                artist.draw(renderer)
        return _encode_png(canvas)
