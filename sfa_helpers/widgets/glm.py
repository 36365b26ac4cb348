"""Interactive view of GLM filter recovery: how the amount of data and the basis size shape the
filters recovered from a spike train (lesson 07).

``FilterExplorer`` refits :func:`sfa_helpers.glm.fit_glm` on the first ``seconds`` of the data with
``n_basis`` raised cosines per filter and redraws the recovered stimulus and spike-history filters
(with +-2 standard errors) over the ground truth.

What makes a move cheap: the filtered stimulus and spike-history columns are computed once per
basis size on the *whole* data set (both filters are causal, so the first ``n`` rows are exactly
the columns of the first ``n`` bins), the stimulus in units of its standard deviation over the
whole data set; a move only takes a view of the first rows (no copy). The last Newton step is
taken without evaluating the Hessian after it (``final_step_tol``). The fit starts from the weights of
the previous fit with the same basis (Newton then needs a few steps instead of ~9; it converges to
the same optimum), and steps after the first keep its Hessian while they converge fast
(``reuse_hessian``: a gradient pass over the data instead of a Hessian pass). Results are kept by ``(seconds, n_basis)``, so moving a slider back refits
nothing. The figure is built once and its lines are updated.
"""

from __future__ import annotations

import dataclasses
import time

import ipywidgets as W
import numpy as np
from brian2 import ms, nA, second

from .. import glm
from .base import LiveFigure, ResultCache, nice_limits

__all__ = ["FilterExplorer"]


class FilterExplorer(LiveFigure):
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
    final_step_tol : float
        Passed to :func:`sfa_helpers.glm.fit_glm` (default 1e-2 nats): the last Newton step is
        taken without a Hessian after it, which saves one of the two to four passes over the
        data per fit; the weights stay within about 1e-3 standard errors of the optimum.

    Attributes
    ----------
    fit : GLMFit
        The fit shown (its design matrix is rebuilt on first access after a cached result).
    errors : dict
        Relative L2 error of the last recovered ``'stimulus'`` and ``'history'`` filters.
    last_update_seconds : float
        Wall time of the last update (fit or cache look-up, and redraw).
    """

    def __init__(self, stimulus, spikes, dt, truth, *, stimulus_window=60 * ms,
                 history_window=200 * ms, stretch=5 * ms, seconds=20, n_basis=8, max_seconds=None,
                 likelihood="poisson", l2=1.0, final_step_tol=1e-2):
        self.likelihood, self.l2 = likelihood, l2
        self.final_step_tol = final_step_tol
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
        self._watch(*self.sliders.values())
        # whole-data columns per basis size (two kept: each is N x 2 n_basis floats)
        self._features = ResultCache(2)
        # shown results by (seconds, n_basis): filters, errors and the fit without its design
        self._results = ResultCache(32)
        self._warm = {}  # n_basis -> weights of the last fit with that basis
        self._fit = self._fit_key = None
        self.last_update_seconds = float("nan")
        self._build_figure()
        self._new_status()
        self.widget = W.VBox([W.HBox(list(self.sliders.values())), self.image, self.status])
        self.errors = {}
        self._show()

    # -- data --------------------------------------------------------------------------------
    def _bases(self, n_basis):
        stim_window, hist_window, stretch = self.windows
        sb = glm.RaisedCosineBasis(n_basis, stim_window, self.dt, stretch=stretch)
        hb = glm.RaisedCosineBasis(n_basis, hist_window, self.dt, first_lag=self.dt,
                                   stretch=stretch)
        return sb, hb

    def _whole_data_columns(self, n_basis):
        """Bases and the design matrix of the whole data set for ``n_basis`` (cached)."""
        def compute():
            sb, hb = self._bases(n_basis)
            # design_matrix validates and builds the columns, the stimulus in units of its
            # standard deviation over the whole data set (the same unit for every slice)
            full = glm.design_matrix(self.stimulus, self.spikes, self.dt, stimulus_basis=sb,
                                     history_basis=hb)
            return sb, hb, full
        return self._features.get(n_basis, compute)

    def design(self, seconds, n_basis) -> glm.GLMDesign:
        """The design matrix of the first ``seconds`` of data with ``n_basis`` functions per
        filter, the stimulus in units of its standard deviation over the *whole* data set:
        equal to ``glm.design_matrix`` on that data with that ``stimulus_scale``, without
        filtering it again or copying it (``X`` is a view of the first rows)."""
        sb, hb, full = self._whole_data_columns(n_basis)
        n = int(round(seconds / float(self.dt)))
        return dataclasses.replace(full, X=full.X[:n], y=full.y[:n])

    @property
    def fit(self):
        if self._fit is None and self._fit_key is not None:
            record = self._results.get(self._fit_key, self._compute)
            self._fit = glm.GLMFit(design=self.design(*self._fit_key), **record["fit"])
        return self._fit

    def _compute(self):
        seconds, n_basis = self._fit_key
        design = self.design(seconds, n_basis)
        start = None
        if n_basis in self._warm:
            start = self._warm[n_basis].copy()  # the same columns, on fewer or more rows
        fit = glm.fit_glm(design, likelihood=self.likelihood, l2=self.l2, weights=start,
                          final_step_tol=self.final_step_tol, reuse_hessian=True)
        if not fit.converged and start is not None:  # e.g. a line search that stalled
            fit = glm.fit_glm(design, likelihood=self.likelihood, l2=self.l2,
                              final_step_tol=self.final_step_tol)
        self._warm[n_basis] = fit.weights
        self._fit = fit
        sb, hb = design.stimulus_basis, design.history_basis
        true = self.truth(self.dt, sb.lags, hb.lags)
        (lk, k), (lh, h) = fit.stimulus_filter(), fit.history_filter()
        k_true, h_true = np.asarray(true["stimulus"]), np.asarray(true["history"])
        unit = 1 / (nA * ms)
        return {
            "fit": {f.name: getattr(fit, f.name) for f in dataclasses.fields(fit) if f.name != "design"},
            "errors": {"stimulus": float(np.linalg.norm(np.asarray(k) - k_true) / np.linalg.norm(k_true)),
                       "history": float(np.linalg.norm(h - h_true) / np.linalg.norm(h_true))},
            "n_spikes": design.n_spikes,
            "curves": ((np.asarray(lk / ms), np.asarray(k / unit), np.asarray(fit.stimulus_filter_se() / unit),
                        k_true / float(unit)),
                       (np.asarray(lh / ms), np.asarray(h), np.asarray(fit.history_filter_se()), h_true)),
        }

    # -- figure ------------------------------------------------------------------------------
    #: The figure is always shown as a PNG in an Image widget: updating it is a widget-state
    #: change, not a display message, so driving the explorer from code prints nothing into the
    #: cell.
    LIVE_CANVAS = False

    def _build_figure(self):
        figure, (self.ax_k, self.ax_h) = self._new_figure(1, 2, figsize=(9, 3.2), dpi=90,
                                                          layout="constrained")
        self._artists = []
        for ax, ylabel in ((self.ax_k, "stimulus filter k (1/(nA ms))"),
                           (self.ax_h, "history filter h")):
            (truth,) = ax.plot([], [], color="k", lw=1.5, label="ground truth")
            (est,) = ax.plot([], [], color="C1", lw=1.2, label="GLM fit")
            band = ax.fill_between([0.0, 1.0], [0.0, 0.0], [0.0, 0.0], color="C1", alpha=0.25,
                                   lw=0, label="fit ± 2 SE")
            ax.set_xlabel("lag (ms)")
            ax.set_ylabel(ylabel)
            self._artists.append((truth, est, band))
        self.ax_k.legend(frameon=False, loc="upper right")
        self.image = self._attach_figure(figure)
        self._use_renderer([a for group in self._artists for a in group])

    def _on_change(self, _change):
        self._show()  # (update() would also rebuild the fit it returns)

    def update(self, **values):
        """Refit with the slider values (``values`` set sliders first, e.g. ``seconds=100``) and
        redraw. Returns the fit shown."""
        for name, value in values.items():
            self._set_quietly(self.sliders[name], value)
        self._show()
        return self.fit

    def _show(self):
        t0 = time.perf_counter()
        seconds, n_basis = self.sliders["seconds"].value, self.sliders["n_basis"].value
        self._fit_key, self._fit = (seconds, n_basis), None
        record = self._results.get(self._fit_key, self._compute)
        self.errors = dict(record["errors"])
        for (truth, est, band), (x, e, se, tru) in zip(self._artists, record["curves"]):
            truth.set_data(x, tru)
            est.set_data(x, e)
            band.set_data(x, e - 2 * se, e + 2 * se)
            ax = truth.axes
            lo = min(np.min(tru), np.min(e - 2 * se))
            hi = max(np.max(tru), np.max(e + 2 * se))
            ax.set_xlim(x[0], x[-1])
            ax.set_ylim(*nice_limits(lo, hi))
        self._render()
        self.last_update_seconds = time.perf_counter() - t0
        self.status.value = (f"{seconds} s, {record['n_spikes']} spikes, {n_basis} basis functions per "
                             f"filter: relative error k {100 * self.errors['stimulus']:.0f} %, "
                             f"h {100 * self.errors['history']:.0f} % ({record['fit']['message']}; "
                             f"updated in {1000 * self.last_update_seconds:.0f} ms)")
