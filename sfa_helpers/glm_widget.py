"""Interactive view of GLM filter recovery: how the amount of data and the basis size shape the
filters recovered from a spike train (lesson 07).

``FilterExplorer`` refits :func:`sfa_helpers.glm.fit_glm` on the first ``seconds`` of the data with
``n_basis`` raised cosines per filter and redraws the recovered stimulus and spike-history filters
(with +-2 standard errors) over the ground truth.
"""

from __future__ import annotations

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from brian2 import ms, nA, second
from IPython.display import display

from . import glm
from .widgets import show_figure


class FilterExplorer:
    """Sliders for the amount of data (s) and the number of basis functions per filter.

    Parameters
    ----------
    stimulus : Quantity (amp), spikes : Quantity (second), dt : Quantity (second)
        Training data (the full set; the slider picks how much of it is used).
    truth : callable
        ``truth(dt, stimulus_lags, history_lags)`` -> dict with ``'stimulus'`` and ``'history'``
        ground-truth filters (e.g. :meth:`sfa_helpers.models.EscapeSRM.glm_filters`).
    stimulus_window, history_window, stretch : Quantity (second)
        Basis settings, kept fixed.
    likelihood : {'poisson', 'bernoulli'}
        Passed to :func:`sfa_helpers.glm.fit_glm`.
    l2 : float
        Ridge penalty on the filter weights (default 1): with a few seconds of data some history
        lags never see a spike and their maximum-likelihood weights are minus infinity; a weak
        penalty keeps the fit finite and barely matters once there is enough data.

    Attributes
    ----------
    fit : GLMFit
        The last fit shown.
    errors : dict
        Relative L2 error of the last recovered ``'stimulus'`` and ``'history'`` filters.
    """

    def __init__(self, stimulus, spikes, dt, truth, *, stimulus_window=60 * ms,
                 history_window=200 * ms, stretch=5 * ms, seconds=20, n_basis=8, max_seconds=None,
                 likelihood="poisson", l2=1.0):
        self.likelihood, self.l2 = likelihood, l2
        self.stimulus, self.spikes, self.dt, self.truth = stimulus, spikes, dt, truth
        self.windows = (stimulus_window, history_window, stretch)
        total = float(len(stimulus) * dt / second)
        max_seconds = int(total if max_seconds is None else min(max_seconds, total))
        self.sliders = {
            "seconds": W.IntSlider(value=seconds, min=5, max=max_seconds, step=5,
                                   description="data (s)", continuous_update=False),
            "n_basis": W.IntSlider(value=n_basis, min=2, max=16, step=1,
                                   description="basis functions", continuous_update=False,
                                   style={"description_width": "initial"}),
        }
        for s in self.sliders.values():
            s.observe(lambda _change: self.update(), names="value")
        with plt.ioff():
            self.figure, (self.ax_k, self.ax_h) = plt.subplots(1, 2, figsize=(9, 3.2),
                                                               layout="constrained")
        self.status = W.HTML()
        # The figure is shown as a PNG in an Image widget: updating it is a widget-state change,
        # not a display message, so driving the explorer from code prints nothing into the cell.
        self.image = W.Image(format="png")
        self.widget = W.VBox([W.HBox(list(self.sliders.values())), self.image, self.status])
        self.fit, self.errors = None, {}
        self.update()

    def update(self, **values):
        """Refit with the slider values (``values`` set sliders first, e.g. ``seconds=100``)."""
        for name, value in values.items():
            slider = self.sliders[name]
            with slider.hold_trait_notifications():
                slider.unobserve_all()
                slider.value = value
                slider.observe(lambda _change: self.update(), names="value")
        seconds, n_basis = self.sliders["seconds"].value, self.sliders["n_basis"].value
        n = int(round(seconds / float(self.dt)))
        spikes = self.spikes[np.asarray(self.spikes) < n * float(self.dt)]
        stim_window, hist_window, stretch = self.windows
        sb = glm.RaisedCosineBasis(n_basis, stim_window, self.dt, stretch=stretch)
        hb = glm.RaisedCosineBasis(n_basis, hist_window, self.dt, first_lag=self.dt, stretch=stretch)
        design = glm.design_matrix(self.stimulus[:n], spikes, self.dt, stimulus_basis=sb,
                                   history_basis=hb)
        self.fit = glm.fit_glm(design, likelihood=self.likelihood, l2=self.l2)
        true = self.truth(self.dt, sb.lags, hb.lags)
        (lk, k), (lh, h) = self.fit.stimulus_filter(), self.fit.history_filter()
        k_true, h_true = np.asarray(true["stimulus"]), np.asarray(true["history"])
        self.errors = {"stimulus": float(np.linalg.norm(np.asarray(k) - k_true) / np.linalg.norm(k_true)),
                       "history": float(np.linalg.norm(h - h_true) / np.linalg.norm(h_true))}
        unit = 1 / (nA * ms)
        for ax, lags, est, se, tru, ylabel in (
                (self.ax_k, lk, np.asarray(k / unit), np.asarray(self.fit.stimulus_filter_se() / unit),
                 k_true / float(unit), "stimulus filter k (1/(nA ms))"),
                (self.ax_h, lh, h, self.fit.history_filter_se(), h_true, "history filter h")):
            ax.clear()
            x = np.asarray(lags / ms)
            ax.plot(x, tru, color="k", lw=1.5, label="ground truth")
            ax.plot(x, est, color="C1", lw=1.2, label="GLM fit")
            ax.fill_between(x, est - 2 * se, est + 2 * se, color="C1", alpha=0.25, lw=0,
                            label="fit ± 2 SE")
            ax.set_xlabel("lag (ms)")
            ax.set_ylabel(ylabel)
        self.ax_k.legend(frameon=False)
        show_figure(self.figure, self.image, dpi=90)
        self.status.value = (f"{seconds} s, {design.n_spikes} spikes, {n_basis} basis functions per "
                             f"filter: relative error k {100 * self.errors['stimulus']:.0f} %, "
                             f"h {100 * self.errors['history']:.0f} % ({self.fit.message})")
        return self.fit

    def _ipython_display_(self):
        display(self.widget)
