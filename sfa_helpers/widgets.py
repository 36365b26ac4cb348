"""Interactive explorers: sliders that re-simulate and redraw at once.

:func:`explore` gives every scalar parameter of a model and its stimulus a slider labelled with
its unit. Moving a slider builds a new (validated) parameter set with ``replace``, re-runs the
compiled simulation (a few milliseconds, see :mod:`sfa_helpers.engine`) and updates the lines of
the existing figure instead of drawing a new one. An invalid combination (for example
``V_reset`` above ``V_th``) is reported under the figure and leaves the last valid plot in place.

With ``fi_currents`` the explorer also shows the model's f-I curve: every slider move runs one
:func:`~sfa_helpers.simulation.fi_curve` (one ``NeuronGroup`` with one neuron per current, a
compiled structure like the trace's) next to the trace, with the curve of the starting values in
grey. A model with a moving threshold (a recordable ``Theta``, e.g. ``ThresholdIncrease`` or
``AdaptiveThreshold``) has that threshold drawn instead of the constant ``V_th``.

With the ``ipympl`` backend (``%matplotlib widget``) the figure canvas is itself a widget and is
redrawn in place; with the default inline backend each update renders one PNG into an
``ipywidgets.Image``.

What keeps a slider move cheap (all widgets of the course use these):

* :class:`ResultCache`: simulations are kept by slider values (:func:`slider_key`), so a slider
  moved back to a value seen before is answered without simulating (the seed is fixed, so the
  cached result is the one a new simulation would give).
* :class:`PNGRenderer`: the figure is built once; a move sets the data of its lines, and only
  those are drawn again over a kept picture of the axes, ticks and labels while the axis
  limits stay the same. :func:`nice_limits` rounds the limits outwards so that they usually do.
* :func:`render_png`: one Agg draw and a fast PNG encoder (``savefig`` draws twice when a layout
  engine is set and compresses harder).
"""

from __future__ import annotations

import io
import math
import time

import ipywidgets as W
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, Mohm, amp, farad, mV, ms, nA, nF, nS, ohm, pA, pF, second, siemens, volt
from IPython.display import display

from . import plots
from ._validation import as_quantity
from .simulation import fi_curve, simulate

# (dimension of, display unit, label) in order of preference.
_DISPLAY_UNITS = [
    (second, ms, "ms"), (volt, mV, "mV"), (ohm, Mohm, "MΩ"), (siemens, nS, "nS"), (Hz, Hz, "Hz"),
    (amp * second ** 0.5, nA * ms ** 0.5, "nA·√ms"),
]


def _display_unit(name, value):
    q = value
    dim = getattr(q, "dim", None)
    if dim is amp.dim:
        return (pA, "pA") if 0 < abs(float(q)) < 0.1e-9 else (nA, "nA")
    if dim is farad.dim:
        return (pF, "pF") if float(q) < 0.1e-9 else (nF, "nF")
    for ref, unit, label in _DISPLAY_UNITS:
        if dim is getattr(ref, "dim", None):
            return unit, label
    return None, ""


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


def _default_range(value, dim, min_positive):
    """Slider range (in display units) around a parameter's initial value: voltages +-20 mV,
    currents from 0 (or ``-|2I|``) to 2I, everything else from 0 (time constants: 2 dt) to 3x."""
    v = float(value)
    if dim is volt.dim:
        return v - 20, v + 20
    if dim is amp.dim:
        return (-1.0, 1.0) if v == 0 else (min(0.0, 2 * v), max(0.0, 2 * v))
    if v <= 0:
        return min_positive, 5.0
    return min_positive, 3 * v


class Explorer:
    """Sliders for a model and its stimulus, a live voltage trace and the input current, and
    optionally a live f-I curve of the model.

    Attributes
    ----------
    sliders : dict
        Parameter name -> ``ipywidgets.FloatSlider`` (values in the unit shown in its label).
    result : SimulationResult
        The last simulation shown.
    fi, fi_reference : FICurve or None
        With ``fi_currents``: the f-I curve of the present slider values (``fi.currents``,
        ``fi.rates``) and the one of the starting values (drawn in grey); else None.
    last_update_seconds : float
        Wall time of the last slider response (simulations + redraw).

    Simulations (trace and f-I curve) are cached by slider values (the last 8), see
    :class:`ResultCache`.
    """

    def __init__(self, model, stimulus, duration, *, dt=0.1 * ms, ranges=None, exclude=(),
                 parameters=None, seed=0, fi_currents=None, fi_duration=None,
                 fi_transient=0 * ms, fi_rate="count"):
        self.model, self.stimulus = model, stimulus
        self.duration, self.dt, self.seed = duration, dt, seed
        self.result = None
        self.fi = self.fi_reference = None
        self.last_update_seconds = float("nan")
        # simulations by (model, stimulus): a slider moved back is answered without simulating
        self._cache = ResultCache(8)
        self._setup_fi(fi_currents, fi_duration, fi_transient, fi_rate)
        ranges = dict(ranges or {})
        time_constants = set(model.spec().time_constants)
        self._record = ("v", "I_stim")  # _build_figure may add what it draws
        self._owners = {}
        self.sliders = {}
        self._units = {}
        for owner, name, value in self._slider_parameters(model, stimulus, parameters, exclude):
            unit, label = _display_unit(name, value)
            shown = float(value / unit) if unit is not None else float(value)
            lo, hi = _default_range(shown, getattr(value, "dim", None),
                                    2 * float(dt / ms) if name in time_constants else 0.0)
            if name in ranges:
                lo, hi = (float(r / unit) if unit is not None else float(r) for r in ranges[name])
            step = (hi - lo) / 200
            slider = W.FloatSlider(value=shown, min=lo, max=hi, step=step,
                                   description=f"{name} ({label})" if label else name,
                                   continuous_update=False, readout_format=".3g",
                                   style={"description_width": "initial"},
                                   layout=W.Layout(width="320px"))
            slider.observe(self._on_change, names="value")
            self.sliders[name] = slider
            self._owners[name] = owner
            self._units[name] = unit
        self._build_figure()
        self.status = W.HTML()
        boxes = list(self.sliders.values())
        controls = W.GridBox(boxes, layout=W.Layout(grid_template_columns="repeat(2, 340px)"))
        self.widget = W.VBox([controls, self._figure_widget, self.status])
        self.update()

    @staticmethod
    def _slider_parameters(model, stimulus, parameters, exclude):
        """(owner, name, value) of every parameter that gets a slider: the scalar ones, or only
        those named in ``parameters`` (in that order), minus ``exclude``."""
        available = {}
        for owner, params in (("model", model.parameters), ("stimulus", stimulus.parameters)):
            for name, value in params.items():
                available[name] = (owner, value)
        if parameters is None:
            names = [n for n, (_, v) in available.items() if np.ndim(v) == 0]
        else:
            if isinstance(parameters, str):
                parameters = (parameters,)
            names = list(parameters)
            unknown = [n for n in names if n not in available]
            if unknown:
                raise ValueError(f"'parameters' names {unknown}, which neither the model nor the "
                                 f"stimulus has; available: {list(available)}.")
            arrays = [n for n in names if np.ndim(available[n][1]) != 0]
            if arrays:
                raise ValueError(f"'parameters' names {arrays}, which are arrays (one value per "
                                 "neuron); sliders need single values.")
        return [(available[n][0], n, available[n][1]) for n in names if n not in exclude]

    def _setup_fi(self, fi_currents, fi_duration, fi_transient, fi_rate):
        if fi_currents is None:
            self.fi_currents = None
            return
        currents = as_quantity("fi_currents", fi_currents, amp)
        if currents.ndim != 1 or currents.size < 2:
            raise ValueError("'fi_currents' must be a 1-D array of at least two currents.")
        if fi_rate not in ("count", "isi"):
            raise ValueError(f"'fi_rate' must be 'count' or 'isi', got {fi_rate!r}.")
        duration = self.duration if fi_duration is None else fi_duration
        self.fi_duration = as_quantity("fi_duration", duration, second, positive=True,
                                       allow_array=False)
        self.fi_transient = as_quantity("fi_transient", fi_transient, second, nonnegative=True,
                                        allow_array=False)
        if self.fi_transient >= self.fi_duration:
            raise ValueError(f"'fi_transient' ({self.fi_transient!r}) must be shorter than "
                             f"'fi_duration' ({self.fi_duration!r}).")
        self.fi_currents, self.fi_rate = currents, fi_rate
        self._fi_unit, self._fi_unit_label = (pA, "pA") if np.max(np.abs(np.asarray(currents))) < 1e-9 else (nA, "nA")

    def _fi_x(self, currents):
        return np.asarray(currents / self._fi_unit)

    def _build_figure(self):
        backend = matplotlib.get_backend().lower()
        self._live_canvas = "ipympl" in backend or "widget" in backend
        with plt.ioff():
            if self.fi_currents is None:
                fig, (ax_v, ax_i) = plt.subplots(2, 1, figsize=(7, 4), sharex=True,
                                                 height_ratios=[3, 1], layout="constrained")
            else:
                fig = plt.figure(figsize=(10, 4), layout="constrained")
                grid = fig.add_gridspec(2, 2, height_ratios=[3, 1], width_ratios=[2, 1])
                ax_v = fig.add_subplot(grid[0, 0])
                ax_i = fig.add_subplot(grid[1, 0], sharex=ax_v)
                ax_v.tick_params(labelbottom=False)
                self.ax_fi = fig.add_subplot(grid[:, 1])
        self.figure, self.ax_v, self.ax_i = fig, ax_v, ax_i
        (self._v_line,) = ax_v.plot([], [], lw=1, label="V")
        self._spike_lines = ax_v.vlines([], [], [], lw=1, color=self._v_line.get_color())
        # a moving threshold (ThresholdIncrease, AdaptiveThreshold) is drawn instead of V_th
        moving = "Theta" in self.model.spec().recordable
        if moving:
            self._record = self._record + ("Theta",)
        (self._th_line,) = ax_v.plot([], [], color="C3" if moving else "0.5", ls="-" if moving else "--",
                                     lw=0.8, label=r"threshold $\Theta$" if moving else r"$V_{th}$")
        ax_v.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=2,
                    fontsize="small", borderaxespad=0.1)
        (self._i_line,) = ax_i.plot([], [], lw=1, color="k")
        ax_v.set_ylabel("membrane potential (mV)")
        ax_i.set_ylabel("input (nA)")
        ax_i.set_xlabel("time (ms)")
        width = "700px"
        if self.fi_currents is not None:
            ax = self.ax_fi
            (self._fi_ref_line,) = ax.plot([], [], color="0.7", marker="o", ms=3, label="start values")
            (self._fi_line,) = ax.plot([], [], color="C0", marker="o", ms=3, label="slider values")
            ax.set_xlabel(f"input current ({self._fi_unit_label})")
            ax.set_ylabel("firing rate (Hz)" if self.fi_rate == "count" else "rate, 1 / mean ISI (Hz)")
            ax.set_title(f"f-I: {float(self.fi_duration / second):g} s per current, spikes after "
                         f"{float(self.fi_transient / second):g} s", fontsize="medium")
            ax.legend(frameon=False, loc="upper left")
            width = "950px"
        if self._live_canvas:
            self._figure_widget = fig.canvas
        else:
            # One PNG per update into an Image widget: cheaper than re-displaying the figure
            # (no tight-bbox pass) and updated in place in the browser, without flicker. The
            # figure is closed in pyplot so that a later plt.show() does not draw it again.
            plt.close(fig)
            self._figure_widget = W.Image(format="png", layout=W.Layout(width=width))
        self._layout_frozen = False
        dynamic = [self._v_line, self._spike_lines, self._th_line, self._i_line]
        if self.fi_currents is not None:
            dynamic += [self._fi_ref_line, self._fi_line]
        # (ipympl draws the canvas itself: animated artists would vanish there)
        self._renderer = None if self._live_canvas else PNGRenderer(fig, dynamic)

    def values(self):
        """Current slider values as Brian2 quantities, split into model and stimulus changes."""
        changes = {"model": {}, "stimulus": {}}
        for name, slider in self.sliders.items():
            unit = self._units[name]
            changes[self._owners[name]][name] = slider.value * unit if unit is not None else slider.value
        return changes["model"], changes["stimulus"]

    def _on_change(self, _change):
        self.update()

    def update(self, **overrides):
        """Re-simulate with the slider values (``overrides`` set sliders first) and redraw.

        Runs the trace and, with ``fi_currents``, the f-I curve (skipped when only stimulus
        sliders moved). Returns the :class:`SimulationResult` of the trace."""
        for name, value in overrides.items():
            slider = self.sliders[name]
            slider.unobserve(self._on_change, names="value")
            slider.value = float(value / self._units[name]) if self._units[name] is not None else float(value)
            slider.observe(self._on_change, names="value")
        start = time.perf_counter()
        model_changes, stim_changes = self.values()
        try:
            model = self.model.replace(**model_changes)
            stimulus = self.stimulus.replace(**stim_changes)
            # The model and stimulus differ from the starting ones only by the slider values:
            # those values are the cache key (parameter sets need not compare exactly).
            result = self._cache.get(
                ("trace", self._slider_key()),
                lambda: simulate(model, stimulus, self.duration, dt=self.dt, record=self._record,
                                 seed=self.seed))
            fi = self._simulate_fi(model, self._slider_key("model"))
        except (ValueError, TypeError) as err:
            self.status.value = f"<span style='color:#b00'>Not simulated: {err}</span>"
            return self.result
        self.result, self.fi = result, fi
        if self.fi_reference is None:
            self.fi_reference = fi  # the starting values' curve, kept in grey
        self._redraw(result)
        self.last_update_seconds = time.perf_counter() - start
        rate = float(result.rates()[0])
        self.status.value = (f"{len(result.spike_trains[0])} spikes, mean rate {rate:.1f} Hz "
                             f"(updated in {1000 * self.last_update_seconds:.0f} ms)")
        return result

    def _slider_key(self, owner=None):
        return slider_key(s.value for name, s in self.sliders.items()
                          if owner is None or self._owners[name] == owner)

    def _simulate_fi(self, model, key=None):
        """The f-I curve of ``model`` (one fi_curve call), or a cached one if this model was
        shown before (e.g. only a stimulus slider moved); None without ``fi_currents``."""
        if self.fi_currents is None:
            return None
        if key is None:
            return fi_curve(model, self.fi_currents, self.fi_duration, transient=self.fi_transient,
                            dt=self.dt, rate=self.fi_rate, seed=self.seed)
        return self._cache.get(
            ("fi", key),
            lambda: fi_curve(model, self.fi_currents, self.fi_duration, transient=self.fi_transient,
                             dt=self.dt, rate=self.fi_rate, seed=self.seed))

    def _redraw(self, result):
        t = np.asarray(result.t / ms)
        v = np.asarray(result.v[0] / mV)
        self._v_line.set_data(t, v)
        spikes = np.asarray(result.spike_trains[0] / second)
        idx = np.clip(np.round(spikes / float(result.dt)).astype(int), 0, len(t) - 1)
        v_th = plots._neuron_value(result.model, "V_th", 0)
        top = float(v_th / mV) + 20 if v_th is not None else float(np.max(v))
        self._spike_lines.set_segments([[(t[k], v[k]), (t[k], top)] for k in idx])
        hi = max(v.max(), top)
        if "Theta" in result.traces:
            theta = np.asarray(result.Theta[0] / mV)
            self._th_line.set_data(t, theta)
            # a threshold that jumps far up (ThresholdIncrease: to V_th_max) leaves the plot
            hi = max(hi, min(theta.max(), top + 20))
        elif v_th is not None:
            self._th_line.set_data([t[0], t[-1]], [float(v_th / mV)] * 2)
        else:
            self._th_line.set_data([], [])
        i_stim = np.asarray(result.I_stim[0] / nA)
        self._i_line.set_data(t, i_stim)
        self.ax_v.set_ylim(*nice_limits(min(v.min(), top), hi))
        self.ax_i.set_ylim(*nice_limits(i_stim.min(), i_stim.max()))
        self.ax_v.set_xlim(t[0], t[-1] if len(t) > 1 else 1)
        if self.fi is not None:
            self._redraw_fi()
        self._render()

    def _redraw_fi(self):
        x = self._fi_x(self.fi.currents)
        r = np.asarray(self.fi.rates / Hz)
        ref = np.asarray(self.fi_reference.rates / Hz)
        self._fi_line.set_data(x, r)
        self._fi_ref_line.set_data(self._fi_x(self.fi_reference.currents), ref)
        both = np.concatenate([r, ref])
        top = np.nanmax(both) if np.any(np.isfinite(both)) else 0.0
        self.ax_fi.set_xlim(x.min(), x.max())
        self.ax_fi.set_ylim(0, nice_limits(0, top)[1] if top > 0 else 1.0)

    def _render(self):
        if not self._layout_frozen:
            # Solve the constrained layout once, then keep it: re-solving it on every slider
            # move would double the drawing time.
            # (draw_without_rendering: the closed inline figure's canvas cannot draw itself)
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")
            self._layout_frozen = True
        # Image widget: only the lines are redrawn over the kept frame while the axis limits
        # stay the same (PNGRenderer).
        show_figure(self.figure, self._figure_widget, renderer=getattr(self, "_renderer", None))

    def _ipython_display_(self):
        display(self.widget)


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


def explore(model, stimulus, duration, *, dt=0.1 * ms, ranges=None, exclude=(), parameters=None,
            seed=0, fi_currents=None, fi_duration=None, fi_transient=0 * ms,
            fi_rate="count") -> Explorer:
    """Interactive explorer of ``model`` under ``stimulus``: one slider per scalar parameter,
    a live voltage trace (with the threshold) and input current, and optionally a live f-I curve.

    Parameters
    ----------
    ranges : dict, optional
        ``{name: (low, high)}`` with units, to override a slider's default range.
    exclude : sequence of str
        Parameters that get no slider.
    parameters : sequence of str, optional
        Only these parameters (of the model or the stimulus, in this order) get sliders; default:
        every scalar parameter. ``exclude`` still applies.
    seed : int
        Seed for noisy stimuli, fixed so that moving a slider changes only that parameter.
    fi_currents : Quantity (amp), 1-D, optional
        Show the f-I curve at these constant currents, re-simulated at every slider move (one
        :func:`~sfa_helpers.simulation.fi_curve` call, one neuron per current) next to the curve
        of the starting values.
    fi_duration : Quantity (second), optional
        Simulated time per current (default ``duration``).
    fi_transient : Quantity (second)
        Spikes before this time are ignored by the f-I curve (let adaptation settle).
    fi_rate : {'count', 'isi'}
        As :func:`~sfa_helpers.simulation.fi_curve`'s ``rate``: spike count per second, or
        1 / mean inter-spike interval, after ``fi_transient``.
    """
    return Explorer(model, stimulus, duration, dt=dt, ranges=ranges, exclude=exclude,
                    parameters=parameters, seed=seed, fi_currents=fi_currents,
                    fi_duration=fi_duration, fi_transient=fi_transient, fi_rate=fi_rate)
