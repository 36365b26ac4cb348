"""Spike-statistics explorer (lesson 06): sliders that re-simulate a noisy neuron and update its statistics.

:func:`explore_statistics` is :func:`sfa_helpers.widgets.explore` with a different display: after
every slider move the neuron is simulated again (fixed seed, so only the moved parameter changes)
and the figure shows a piece of the voltage trace, the inter-spike-interval histogram and the
autocorrelogram, with the firing rate, CV, CV2, LV, the serial correlation rho_1 and the Fano
factor listed underneath. It is general: any model and stimulus that :func:`simulate` accepts.

It is an :class:`sfa_helpers.widgets.Explorer` with its own ``_build_figure`` and ``_redraw``;
sliders, units, validation and rendering are the explorer's. The figure is built once: a move
updates the data of its trace, histogram and autocorrelogram (no axes are cleared), and the
axis limits are rounded (:func:`~sfa_helpers.widgets.nice_limits`) and kept while the data still
fill at least half of them, so that the drawn frame can usually be reused.
"""

from __future__ import annotations

import numpy as np
from brian2 import Hz, mV, ms, second

from .. import analysis
from ..simulation import simulate
from .base import nice_limits
from .explore import Explorer

__all__ = ["StatisticsExplorer", "explore_statistics"]


def _sticky(current, wanted, data_lo, data_hi, fill=0.5):
    """Axis limits: the ``current`` ones while the data range ``[data_lo, data_hi]`` lies inside
    them and spans at least ``fill`` of them, else the ``wanted`` (new, rounded) ones. Limits
    that stay let the renderer reuse its picture of the axes (no full draw of ticks and
    labels), so most slider moves only redraw the data."""
    lo, hi = current
    if lo <= data_lo and data_hi <= hi and data_hi - data_lo >= fill * (hi - lo):
        return current
    return wanted


def _fmt(value, digits=2):
    return "–" if not np.isfinite(value) else f"{value:.{digits}f}"


class StatisticsExplorer(Explorer):
    """Sliders for some parameters of a model and its stimulus; a voltage trace, the ISI
    histogram, the autocorrelogram and the spike statistics of the simulated train.

    Attributes
    ----------
    sliders : dict
        Parameter name -> slider (see :class:`sfa_helpers.widgets.Explorer`).
    result : SimulationResult
        The last simulation (spikes only; :meth:`trace_result` has the trace shown).
    statistics : dict
        ``rate`` (Hz), ``cv``, ``cv2``, ``lv``, ``rho_1``, ``fano`` of the last simulation, from
        the spikes after ``transient``; NaN where undefined (too few spikes).
    """

    def __init__(self, model, stimulus, duration, *, dt=0.1 * ms, include=None, ranges=None,
                 exclude=(), seed=0, transient=0.5 * second, trace=500 * ms,
                 acg_window=200 * ms, acg_bins=41, fano_window=100 * ms):
        self.transient, self.trace = transient, trace
        self.acg_window, self.acg_bins, self.fano_window = acg_window, acg_bins, fano_window
        self.statistics = {}
        super().__init__(model, stimulus, duration, dt=dt, ranges=ranges, exclude=exclude,
                         parameters=include, seed=seed)

    def _build_figure(self):
        # The statistics need only the spikes of the long run: it records no trace (writing
        # and reading 10 s of samples costs twice the simulation). The trace shown is that of
        # a run of ``trace`` alone with the same seed and values: the same noise, so the same
        # first ``trace`` of the long run (tested).
        self._record = ()
        fig = self._new_figure(empty=True, figsize=(8, 5), layout="constrained")
        grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.2])
        self.ax_trace = fig.add_subplot(grid[0, :])
        self.ax_isi = fig.add_subplot(grid[1, 0])
        self.ax_acg = fig.add_subplot(grid[1, 1])
        (self._v_line,) = self.ax_trace.plot([], [], lw=0.8)
        self.ax_trace.set_xlabel("time (ms)")
        self.ax_trace.set_ylabel("membrane potential (mV)")
        # Artists kept for the life of the widget; every update only sets their data.
        self._isi_patch = self.ax_isi.stairs([0.0], [0.0, 1.0], fill=True, color="0.6")
        self._acg_patch = self.ax_acg.stairs([0.0], [0.0, 1.0], fill=True, color="0.6")
        (self._rate_line,) = self.ax_acg.plot([], [], color="k", ls="--", lw=0.8)
        self._few_spikes = [ax.text(0.5, 0.5, "fewer than 3 spikes", ha="center",
                                    transform=ax.transAxes, visible=False)
                            for ax in (self.ax_isi, self.ax_acg)]
        window = float(self.acg_window / ms)
        self.ax_acg.set_xlim(-window, window)
        self.ax_isi.set_xlabel("inter-spike interval (ms)")
        self.ax_isi.set_ylabel("density (1/s)")
        self.ax_acg.set_xlabel("lag (ms)")
        self.ax_acg.set_ylabel("autocorrelogram (Hz)")
        self._attach_figure(fig, width="760px")
        self._use_renderer([self._v_line, self._isi_patch, self._acg_patch, self._rate_line,
                            *self._few_spikes])

    def update(self, **overrides):
        """Re-simulate with the slider values (``overrides`` set sliders first), recompute the
        statistics and redraw. Returns the :class:`SimulationResult`."""
        previous = self.result
        result = super().update(**overrides)
        if result is not previous and self.statistics:  # else: invalid values, error shown
            s = self.statistics
            self.status.value = (
                f"rate {_fmt(s['rate'], 1)} Hz · CV {_fmt(s['cv'])} · CV2 {_fmt(s['cv2'])} · "
                f"LV {_fmt(s['lv'])} · ρ<sub>1</sub> {_fmt(s['rho_1'])} · "
                f"Fano ({self.fano_window / ms:.0f} ms) {_fmt(s['fano'])} · "
                f"{s['n_intervals']} intervals after {float(self.transient / ms):.0f} ms "
                f"(updated in {1000 * self.last_update_seconds:.0f} ms)")
        return result

    def _statistics(self, result):
        train = result.spike_trains[0]
        start = self.transient
        kw = {"start": start, "warn": False}
        intervals = analysis.isis(train[train >= start])
        return {
            "rate": float(result.rates(start=start)[0] / Hz),
            "cv": float(analysis.cv(train, **kw)),
            "cv2": float(analysis.cv2(train, **kw)),
            "lv": float(analysis.lv(train, **kw)),
            "rho_1": float(analysis.serial_correlation(train, 1, **kw)[0]),
            "fano": float(analysis.fano_factor(train, self.fano_window, start=start,
                                               stop=result.duration, warn=False)),
            "n_intervals": int(len(intervals)),
        }

    def trace_result(self, result=None):
        """The simulation of the first ``trace`` of ``result`` (default: the last one), with
        the membrane potential recorded (cached like the long runs)."""
        result = self.result if result is None else result
        duration = min(self.trace, result.duration)
        return self._cache.get(
            ("trace only", self._slider_key(), float(duration)),
            lambda: simulate(result.model, result.stimulus, duration, dt=result.dt,
                             record=("v",), seed=result.seed))

    def _redraw(self, result):
        self.statistics = self._statistics(result)
        trace = self.trace_result(result)
        t = np.asarray(trace.t / ms)
        show = t < float(self.trace / ms)
        v = np.asarray(trace.v[0] / mV)[show]
        self._v_line.set_data(t[show], v)
        self.ax_trace.set_xlim(0, float(self.trace / ms))
        self.ax_trace.set_ylim(*_sticky(self.ax_trace.get_ylim(),
                                        nice_limits(v.min() - 2, v.max() + 5, pad=0),
                                        v.min() - 2, v.max() + 5))

        train = result.spike_trains[0]
        n_after = np.count_nonzero(np.asarray(train) >= float(self.transient))
        enough = n_after >= 3
        for artist in (self._isi_patch, self._acg_patch, self._rate_line):
            artist.set_visible(enough)
        for text in self._few_spikes:
            text.set_visible(not enough)
        if enough:
            edges, density = analysis.isi_histogram(train, bins=30, start=self.transient)
            edges, density = np.asarray(edges / ms), np.asarray(density / Hz)
            self._isi_patch.set_data(density, edges)
            # new limits leave 20 % headroom, so that the next small move keeps them
            self.ax_isi.set_xlim(_sticky(self.ax_isi.get_xlim(),
                                         (0, nice_limits(0, 1.2 * edges[-1], pad=0)[1]), 0, edges[-1]))
            self.ax_isi.set_ylim(_sticky(self.ax_isi.get_ylim(),
                                         (0, nice_limits(0, 1.2 * density.max())[1]), 0, density.max()))
            lags, acg = analysis.autocorrelogram(train, self.acg_window, self.acg_bins,
                                                 start=self.transient, warn=False)
            lags, acg = np.asarray(lags / ms), np.asarray(acg / Hz)
            half = float(self.acg_window / self.acg_bins / ms)  # bars one bin wide, centred
            self._acg_patch.set_data(acg, np.append(lags - half, lags[-1] + half))
            rate = self.statistics["rate"]
            window = float(self.acg_window / ms)
            self._rate_line.set_data([-window, window], [rate, rate])
            top = max(np.nanmax(acg), rate)
            self.ax_acg.set_ylim(_sticky(self.ax_acg.get_ylim(), (0, nice_limits(0, 1.2 * top)[1]),
                                         0, top))
        self._render()


def explore_statistics(model, stimulus, duration, *, include=None, dt=0.1 * ms, ranges=None,
                       exclude=(), seed=0, transient=0.5 * second, acg_window=200 * ms,
                       acg_bins=41, fano_window=100 * ms) -> StatisticsExplorer:
    """Interactive spike statistics of ``model`` under a (noisy) ``stimulus``.

    Parameters
    ----------
    include : sequence of str, optional
        Parameters that get a slider (default: every scalar parameter not in ``exclude``).
    duration : Quantity (second)
        Length of every simulation (longer: smoother statistics, slower response).
    transient : Quantity (second)
        Spikes before this time are left out of the statistics (adaptation builds up).
    acg_window, acg_bins : autocorrelogram range (+-window) and number of bins.
    fano_window : counting window of the Fano factor.
    seed : int
        Fixed noise seed: moving a slider changes only that parameter.
    """
    return StatisticsExplorer(model, stimulus, duration, dt=dt, include=include, ranges=ranges,
                              exclude=exclude, seed=seed, transient=transient,
                              acg_window=acg_window, acg_bins=acg_bins, fano_window=fano_window)
