r"""Generalized linear models (GLMs) of spike trains: design matrices, likelihood, fitting.

The model (Truccolo et al. 2005; Pillow et al. 2008) describes the firing rate (hazard) in time
bin :math:`n` of width :math:`\Delta` (``dt``) as

.. math::

    \rho_n = \exp\Big(b + \sum_{j} k_j\, I_{n-j} + \sum_{j \ge 1} h_j\, y_{n-j}\Big) \quad (\mathrm{Hz}),

with the stimulus :math:`I_n` (e.g. a current in amp), the spike counts :math:`y_n`, a stimulus
filter :math:`k` (lags from 0), a spike-history filter :math:`h` (lags from one bin) and a bias
:math:`b = \ln(\rho_0 / 1\,\mathrm{Hz})`. The filters are sums of raised-cosine basis functions,
:math:`k_j = \sum_b B_{jb} w_b`, so :math:`\ln\rho = X w` is linear in the weights: the columns of
the *design matrix* :math:`X` are a constant, the stimulus filtered by each basis function and the
spike train filtered by each history basis function.

A spike-response model with exponential escape noise,
:math:`\rho = \tau_0^{-1}\exp((u - \vartheta)/\Delta_u)` with
:math:`u = u_{rest} + \kappa * I + \sum_f \eta(t - t_f)`, is exactly such a model with
:math:`k = \kappa/\Delta_u`, :math:`h = (\eta - \vartheta_1)/\Delta_u` and
:math:`b = \ln(1/\tau_0) + (u_{rest} - \vartheta_0)/\Delta_u`.

Log-likelihood of a spike train (in nats; rates in Hz, so it is the log density of the spike times
measured in seconds):

.. math::

    \ln L = \sum_f \ln \rho(t_f) - \int_0^T \rho(t)\,dt
          = \sum_n \big(y_n \ln\rho_n - \rho_n \Delta\big) \text{ for a rate held constant over each bin.}

It is concave in :math:`w` (gradient :math:`X^T(y - \rho\Delta)`, Hessian
:math:`-X^T \mathrm{diag}(\rho\Delta) X`), so :func:`fit_glm` (Newton's method with the exact
Hessian and a backtracking line search) finds the unique maximum. For a neuron that fires with
probability :math:`1 - e^{-\rho_n\Delta}` per bin (the escape-noise models of
:mod:`sfa_helpers.models.escape` and :func:`simulate_glm`), ``likelihood='bernoulli'`` uses the
exact likelihood of that process,
:math:`\sum_{y_n=1}\ln(1 - e^{-\rho_n\Delta}) - \sum_{y_n=0}\rho_n\Delta` (also concave; equal to
the above to first order in :math:`\rho\Delta`).

Functions and classes
---------------------
RaisedCosineBasis, design_matrix, GLMDesign, fit_glm, GLMFit, simulate_glm,
point_process_log_likelihood, binned_log_likelihood, bin_spikes, fit_subthreshold, SubthresholdFit
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.signal
from brian2 import Hz, Quantity, amp, get_dimensions, second, volt

from .validation import as_quantity, check_spike_times

__all__ = ["RaisedCosineBasis", "GLMDesign", "GLMFit", "SubthresholdFit", "bin_spikes",
           "design_matrix", "fit_glm", "simulate_glm", "point_process_log_likelihood",
           "binned_log_likelihood", "fit_subthreshold"]

#: A basis "covers" a lag if some basis function there exceeds this fraction of its maximum.
_COVERAGE = 1e-3
#: reuse_hessian keeps a Hessian only if it was evaluated where the Newton decrement was below
#: this (nats): within about two standard errors of the optimum, where the Hessian differs from
#: the one at the optimum by little.
_CHORD_MAX_DECREMENT = 2.0
_CHUNK = 1 << 13  # rows per chunk of X (~1.4 MB for 21 columns: stays in cache)


# --------------------------------------------------------------------------------------------
# Basis
# --------------------------------------------------------------------------------------------
class RaisedCosineBasis:
    r"""Raised-cosine bumps on a logarithmically stretched time axis (after Pillow et al. 2005).

    On the lags :math:`s_j = s_{first} + j\Delta`, :math:`j = 0 \ldots`, up to ``window``
    (inclusive), with the stretched time :math:`y(s) = \ln(s - s_{first} + c)`:

    .. math::

        B_{jb} = \tfrac12\Big(1 + \cos\big(\mathrm{clip}(\pi\,\frac{y(s_j) - y_b}{2\,\delta y},
        -\pi, \pi)\big)\Big),

    with peaks :math:`y_b = y(s_{first}) + b\,\delta y`, :math:`b = 0 \ldots n-1`, and spacing
    :math:`\delta y = (y(\text{window}) - y(s_{first}))/n_{basis}`. Neighbouring bumps overlap so
    that between the second and the second-to-last peak they sum to exactly 2; the last bump is at
    half height at ``window``. Bumps are narrow at short lags (sharp features such as
    refractoriness) and broad at long lags.

    Parameters
    ----------
    n_basis : int
        Number of basis functions (>= 1).
    window : Quantity (second)
        Longest lag represented.
    dt : Quantity (second)
        Bin width; must equal the bin width of the design matrix.
    first_lag : Quantity (second)
        Shortest lag: 0 for a stimulus filter (the input of the current bin counts), ``dt`` for a
        spike-history filter (only past spikes count).
    stretch : Quantity (second), optional
        The offset :math:`c` of the logarithm; small values concentrate bumps at short lags.
        Default: a tenth of ``window - first_lag``.
    """

    def __init__(self, n_basis, window, dt, *, first_lag=0 * second, stretch=None):
        if isinstance(n_basis, (bool, np.bool_)) or not isinstance(n_basis, (int, np.integer)) \
                or n_basis < 1:
            raise ValueError(f"'n_basis' must be a positive integer, got {n_basis!r}.")
        dt = as_quantity("dt", dt, second, positive=True, allow_array=False)
        window = as_quantity("window", window, second, positive=True, allow_array=False)
        first_lag = as_quantity("first_lag", first_lag, second, nonnegative=True, allow_array=False)
        if float(window) <= float(first_lag):
            raise ValueError(f"'window' ({window!r}) must be longer than 'first_lag' ({first_lag!r}).")
        span = float(window - first_lag)
        stretch = (span / 10 * second if stretch is None
                   else as_quantity("stretch", stretch, second, positive=True, allow_array=False))
        n_lags = int(round(span / float(dt))) + 1
        j0 = float(first_lag) / float(dt)
        if abs(j0 - round(j0)) > 1e-6:
            raise ValueError(f"'first_lag' ({first_lag!r}) must be a whole number of bins of 'dt'.")
        if n_lags < n_basis:
            raise ValueError(f"A window of {n_lags} bins cannot hold {n_basis} basis functions; "
                             "use fewer basis functions, a longer 'window' or a smaller 'dt'.")
        c = float(stretch)
        s = np.arange(n_lags) * float(dt)
        y = np.log(s + c)
        dy = (np.log(span + c) - np.log(c)) / n_basis
        peaks = np.log(c) + dy * np.arange(n_basis)
        arg = np.clip(np.pi * (y[:, None] - peaks[None, :]) / (2 * dy), -np.pi, np.pi)
        self.n_basis = int(n_basis)
        self.dt = dt
        self.window = window
        self.first_lag = first_lag
        self.stretch = stretch
        self.first_bin = int(round(j0))
        self.matrix = 0.5 * (1 + np.cos(arg))
        self.matrix.setflags(write=False)

    @property
    def lags(self) -> Quantity:
        """Lags of the rows of :attr:`matrix` (second)."""
        return (self.first_bin + np.arange(self.matrix.shape[0])) * self.dt

    @property
    def n_lags(self) -> int:
        return self.matrix.shape[0]

    def uncovered(self) -> Quantity:
        """Lags at which every basis function is below 0.1 % of its maximum (second)."""
        covered = np.max(self.matrix / self.matrix.max(axis=0), axis=1) > _COVERAGE
        return self.lags[~covered]

    def filter(self, weights) -> np.ndarray:
        """The filter :math:`\\sum_b B_{jb} w_b` on :attr:`lags` (plain numbers)."""
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (self.n_basis,):
            raise ValueError(f"'weights' must have shape ({self.n_basis},), got {weights.shape}.")
        return self.matrix @ weights

    def project(self, values) -> np.ndarray:
        """Least-squares weights whose filter is closest to ``values`` given on :attr:`lags`."""
        values = np.asarray(values, dtype=float)
        return np.linalg.lstsq(self.matrix, values, rcond=None)[0]

    def __repr__(self):
        return (f"RaisedCosineBasis(n_basis={self.n_basis}, window={self.window!r}, dt={self.dt!r}, "
                f"first_lag={self.first_lag!r}, stretch={self.stretch!r})")


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------
def _check_stimulus(stimulus, name="stimulus"):
    dim = get_dimensions(stimulus)
    arr = np.asarray(stimulus, dtype=float)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"'{name}' must be a 1-D array with at least 2 samples, got shape {arr.shape}.")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"'{name}' contains NaN or infinite values (first at sample "
                         f"{int(np.argmax(bad))} of {arr.size}).")
    return arr, dim


#: Old private name of :func:`sfa_helpers.validation.check_spike_times`.
_check_spike_times = check_spike_times


def bin_spikes(spikes, n_bins, dt) -> np.ndarray:
    """Spike counts in ``n_bins`` bins of width ``dt`` starting at 0 (bin ``n`` holds
    ``n dt <= t < (n+1) dt``; a time within 1e-6 bins below an edge counts as on it, so spike
    times produced on a simulation grid land in their own bin)."""
    dt = float(as_quantity("dt", dt, second, positive=True, allow_array=False))
    arr = check_spike_times(spikes, n_bins * dt)
    idx = np.minimum(np.floor(arr / dt + 1e-6).astype(np.int64), n_bins - 1)
    return np.bincount(idx, minlength=n_bins).astype(float)


def _causal_filter(x, kernels, first_bin):
    """out[n, b] = sum_j kernels[j, b] x[n - first_bin - j] (zero before the start)."""
    n = x.size
    out = np.empty((n, kernels.shape[1]))
    for b in range(kernels.shape[1]):
        full = scipy.signal.oaconvolve(x, kernels[:, b]) if kernels.shape[0] > 1 \
            else x * kernels[0, b]
        out[:, b] = 0.0
        if first_bin < n:
            out[first_bin:, b] = full[: n - first_bin]
    return out


def _history_features(y, basis):
    """Spike-history columns built spike by spike (exact zeros where no spike is in range)."""
    n = y.size
    out = np.zeros((n, basis.n_basis))
    bins = np.repeat(np.flatnonzero(y), y[y > 0].astype(int))
    if bins.size == 0:
        return out
    rows = bins[:, None] + basis.first_bin + np.arange(basis.n_lags)[None, :]
    keep = rows < n
    for b in range(basis.n_basis):
        w = np.broadcast_to(basis.matrix[:, b], rows.shape)[keep]
        out[:, b] = np.bincount(rows[keep], weights=w, minlength=n)
    return out


# --------------------------------------------------------------------------------------------
# Design matrix and likelihood
# --------------------------------------------------------------------------------------------
LIKELIHOODS = ("poisson", "bernoulli")


def _check_likelihood(likelihood, y=None):
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"'likelihood' must be one of {LIKELIHOODS}, got {likelihood!r}.")
    if likelihood == "bernoulli" and y is not None and np.any(y > 1):
        raise ValueError("The 'bernoulli' likelihood allows at most one spike per bin; use a "
                         "smaller dt or likelihood='poisson'.")


def _terms(eta, y, dt, likelihood, order=2, lam=None, spikes=None):
    r"""Per-bin log-likelihood and its first two derivatives with respect to :math:`\eta = \ln\rho`.

    poisson:   l = y eta - lam,                       lam = dt e^eta
    bernoulli: l = y ln(1 - e^-lam) - (1 - y) lam    (exact for 1 - exp(-rho dt) per bin)
    Returns (value sum, dl/deta, -d2l/deta2) (the last two per bin, or None if not requested).
    ``lam`` may be passed if already computed, and ``spikes`` (``np.flatnonzero(y)``).
    """
    if lam is None:
        with np.errstate(over="ignore"):
            lam = dt * np.exp(eta)
    if likelihood == "poisson":
        value = float(y @ eta - lam.sum())
        return value, (y - lam if order >= 1 else None), (lam if order >= 2 else None)
    # Bins without a spike contribute -lam, -lam and lam; only the (few) bins with a spike need
    # the exact expressions, evaluated on those bins alone.
    if spikes is None:
        spikes = np.flatnonzero(y)
    ls = lam[spikes]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        q = -np.expm1(-ls)                        # 1 - e^-lam, accurate for small lam
        rest = float(lam.sum() - ls.sum())
        if not np.isfinite(rest):  # an overflowing rate: sum the bins without a spike alone
            mask = np.ones(lam.shape, bool)
            mask[spikes] = False
            rest = float(lam[mask].sum())
        value = float(np.log(q).sum() - rest)
        if order < 1:
            return value, None, None
        e = np.exp(-ls)
        d1s = ls * e / q                            # lam / (e^lam - 1) for a spike
        d1s[ls == 0] = 1.0
        d1s[~np.isfinite(d1s)] = 0.0                # lam = inf: a certain spike
        d1 = -lam
        d1[spikes] = d1s
        if order < 2:
            return value, d1, None
        # -d2l/deta2 for a spike: lam e^-lam (lam - q) / q^2 >= 0
        ws = ls * e * (ls - q) / q ** 2
        ws[~np.isfinite(ws)] = 0.0
        w = lam.copy()
        w[spikes] = np.clip(ws, 0.0, None)
    return value, d1, w


@dataclass(frozen=True, eq=False)
class GLMDesign:
    r"""A design matrix with its spike counts.

    Attributes
    ----------
    X : ndarray (N, p)
        Columns: a constant (the bias), the stimulus filtered by each stimulus basis function
        (stimulus in units of ``stimulus_scale``), the spike counts filtered by each history basis
        function.
    y : ndarray (N,)
        Spike counts per bin.
    dt : Quantity (second)
    stimulus_basis, history_basis : RaisedCosineBasis (history may be None)
    stimulus_scale : Quantity
        Unit in which the stimulus enters ``X`` (default: its standard deviation), which keeps the
        columns of order 1 for a well-conditioned Hessian.
    """

    X: np.ndarray
    y: np.ndarray
    dt: Quantity
    stimulus_basis: RaisedCosineBasis
    history_basis: RaisedCosineBasis | None
    stimulus_scale: Quantity
    columns: dict = field(default_factory=dict)

    @property
    def n_bins(self) -> int:
        return self.X.shape[0]

    @property
    def duration(self) -> Quantity:
        return self.n_bins * self.dt

    @property
    def n_spikes(self) -> int:
        return int(self.y.sum())

    def _eta(self, weights):
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (self.X.shape[1],):
            raise ValueError(f"'weights' must have shape ({self.X.shape[1]},), got {weights.shape}.")
        return self.X @ weights

    def log_likelihood(self, weights, likelihood="poisson") -> float:
        r"""Log-likelihood (nats) at ``weights``, with :math:`\eta = Xw = \ln(\rho/\mathrm{Hz})`.

        ``'poisson'`` (point process, rate held over each bin):
        :math:`\ln L = \sum_n y_n \eta_n - \Delta \sum_n e^{\eta_n}`.
        ``'bernoulli'`` (exact for an escape neuron firing with probability
        :math:`1 - e^{-\rho\Delta}` per bin): :math:`\ln L = \sum_{y_n=1}\ln(1 - e^{-\rho_n\Delta})
        - \sum_{y_n=0}\rho_n\Delta`; the two agree to first order in :math:`\rho\Delta`.
        """
        _check_likelihood(likelihood, self.y)
        return _terms(self._eta(weights), self.y, float(self.dt), likelihood, order=0)[0]

    def gradient(self, weights, likelihood="poisson") -> np.ndarray:
        r""":math:`\partial \ln L / \partial w = X^T \ell'(\eta)`; for ``'poisson'``
        :math:`X^T (y - \Delta e^{Xw})`."""
        _check_likelihood(likelihood, self.y)
        return self.X.T @ _terms(self._eta(weights), self.y, float(self.dt), likelihood, order=1)[1]

    def hessian(self, weights, likelihood="poisson") -> np.ndarray:
        r""":math:`\partial^2 \ln L / \partial w\, \partial w^T = X^T \mathrm{diag}(\ell''(\eta)) X`;
        for ``'poisson'`` :math:`-X^T \mathrm{diag}(\Delta e^{Xw}) X`. Negative semi-definite for
        both likelihoods: the log-likelihood is concave."""
        _check_likelihood(likelihood, self.y)
        return -_weighted_gram(self.X, _terms(self._eta(weights), self.y, float(self.dt), likelihood)[2])


def _weighted_gram(X, mu, residual=None):
    """X^T diag(mu) X (and X^T residual if given) in one pass over X, chunk by chunk: no N x p
    temporary, each chunk of X is read once while in cache, and A.T @ A uses BLAS syrk."""
    p = X.shape[1]
    out = np.zeros((p, p))
    grad = np.zeros(p)
    buf = np.empty((min(_CHUNK, X.shape[0]), p))
    root = np.sqrt(mu)
    for a in range(0, X.shape[0], _CHUNK):
        b = min(a + _CHUNK, X.shape[0])
        z = buf[: b - a]
        np.multiply(X[a:b], root[a:b, None], out=z)
        out += z.T @ z
        if residual is not None:
            grad += residual[a:b] @ X[a:b]
    return out if residual is None else (out, grad)


def design_matrix(stimulus, spikes, dt, *, stimulus_basis, history_basis=None,
                  history_window=None, stimulus_scale=None) -> GLMDesign:
    """Build the design matrix of a GLM from a sampled stimulus and a spike train.

    Parameters
    ----------
    stimulus : Quantity, shape (N,)
        The stimulus in each bin (e.g. a current in amp; any unit, plain numbers are
        dimensionless). Zero before the first bin.
    spikes : Quantity (second) or empty
        Sorted spike times inside ``[0, N dt)``.
    dt : Quantity (second)
        Bin width; both bases must use the same ``dt``.
    stimulus_basis : RaisedCosineBasis
    history_basis : RaisedCosineBasis or None
        None fits a model without spike history (an inhomogeneous Poisson, "LNP", model).
        Its lags must start at ``dt`` or later (a spike cannot influence its own bin).
    history_window : Quantity (second), optional
        The spike-history window the model must represent; ``ValueError`` if ``history_basis``
        does not cover it (ends earlier, or leaves lags with no basis function).
    stimulus_scale : Quantity, optional
        Unit of the stimulus columns; default its standard deviation. Use the training design's
        scale for held-out data (:meth:`GLMFit.design_for` does this).
    """
    dt = as_quantity("dt", dt, second, positive=True, allow_array=False)
    values, dim = _check_stimulus(stimulus)
    n = values.size
    for label, basis in (("stimulus_basis", stimulus_basis), ("history_basis", history_basis)):
        if basis is None and label == "history_basis":
            continue
        if not isinstance(basis, RaisedCosineBasis):
            raise TypeError(f"'{label}' must be a RaisedCosineBasis, got {basis!r}.")
        if not math.isclose(float(basis.dt), float(dt), rel_tol=1e-9):
            raise ValueError(f"'{label}' was built for dt={basis.dt!r}, but the data have dt={dt!r}.")
        gaps = basis.uncovered()
        if gaps.size:
            raise ValueError(f"'{label}' does not cover its window: no basis function at lags "
                             f"{float(gaps[0] / second) * 1e3:g}-{float(gaps[-1] / second) * 1e3:g} ms.")
    if history_basis is not None and history_basis.first_bin < 1:
        raise ValueError("'history_basis' must start at a lag of at least one bin "
                         "(first_lag=dt): a spike cannot predict itself.")
    if history_window is not None:
        history_window = as_quantity("history_window", history_window, second, positive=True,
                                     allow_array=False)
        if history_basis is None:
            raise ValueError("'history_window' was given but 'history_basis' is None.")
        longest = float(history_basis.lags[-1])
        if float(history_window) > longest + 0.5 * float(dt):
            raise ValueError(f"'history_basis' covers lags up to {longest * 1e3:g} ms only, but the "
                             f"history window is {float(history_window) * 1e3:g} ms; build the basis "
                             "with a longer 'window'.")
    y = bin_spikes(spikes, n, dt)
    if stimulus_scale is None:
        sd = float(np.std(values))
        stimulus_scale = Quantity(sd if sd > 0 else 1.0, dim=dim)
    elif get_dimensions(stimulus_scale) is not dim:
        raise ValueError(f"'stimulus_scale' ({stimulus_scale!r}) must have the stimulus' units.")
    scale = float(np.asarray(stimulus_scale))
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"'stimulus_scale' must be positive and finite, got {stimulus_scale!r}.")
    blocks = [np.ones((n, 1)),
              _causal_filter(values / scale, stimulus_basis.matrix, stimulus_basis.first_bin)]
    columns = {"bias": slice(0, 1), "stimulus": slice(1, 1 + stimulus_basis.n_basis)}
    if history_basis is not None:
        start = columns["stimulus"].stop
        blocks.append(_history_features(y, history_basis))
        columns["history"] = slice(start, start + history_basis.n_basis)
    X = np.ascontiguousarray(np.hstack(blocks))
    return GLMDesign(X=X, y=y, dt=dt, stimulus_basis=stimulus_basis, history_basis=history_basis,
                     stimulus_scale=stimulus_scale, columns=columns)


# --------------------------------------------------------------------------------------------
# Fit
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GLMFit:
    """Result of :func:`fit_glm`.

    Attributes
    ----------
    weights : ndarray
        Maximum-likelihood (or penalised) weights, in the column order of the design matrix.
    covariance : ndarray
        Inverse of the negative Hessian at the optimum (asymptotic covariance of ``weights``).
    log_likelihood : float
        Training log-likelihood (nats) at ``weights`` (without the penalty).
    converged : bool
        True when the Newton decrement :math:`\\lambda^2/2 = g^T H^{-1} g/2` (the predicted gain
        of another Newton step, in nats) fell below ``tol``.
    n_iter : int
        Newton iterations taken.
    newton_decrement : float
        :math:`\\lambda^2/2` at the last iterate (nats).
    message : str
    seconds : float
        Wall time of the fit.
    """

    weights: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    converged: bool
    n_iter: int
    newton_decrement: float
    message: str
    seconds: float
    design: GLMDesign = field(repr=False)
    l2: float = 0.0
    likelihood: str = "poisson"

    # --- parameters with units ---
    @property
    def bias(self) -> float:
        r"""The bias :math:`b = \ln(\rho_0/\mathrm{Hz})` (dimensionless)."""
        return float(self.weights[0])

    @property
    def baseline_rate(self) -> Quantity:
        """Rate without stimulus and spike history, :math:`e^b` (Hz)."""
        return math.exp(self.bias) * Hz

    def _block(self, name, values):
        sl = self.design.columns.get(name)
        if sl is None:
            raise ValueError(f"This model has no {name} filter.")
        return values[sl]

    def stimulus_filter(self):
        r"""``(lags, k)``: the stimulus filter :math:`k(s)` on the lags of the basis, as a
        continuous-time kernel, :math:`\ln\rho(t) \ni \int k(s) I(t-s) ds`, so ``k`` has units of
        1/(stimulus unit * second) (1/(amp*second) for a current)."""
        basis = self.design.stimulus_basis
        per_bin = basis.filter(self._block("stimulus", self.weights))
        unit = 1 / (self.design.stimulus_scale * self.design.dt)
        return basis.lags, per_bin * unit

    def stimulus_filter_se(self) -> Quantity:
        """Pointwise standard error of :meth:`stimulus_filter` (same units)."""
        sl = self.design.columns["stimulus"]
        B = self.design.stimulus_basis.matrix
        se = np.sqrt(np.einsum("ij,jk,ik->i", B, self.covariance[sl, sl], B))
        return se / (self.design.stimulus_scale * self.design.dt)

    def history_filter(self):
        r"""``(lags, h)``: the spike-history filter, a dimensionless gain: a spike :math:`s` ago
        multiplies the rate by :math:`e^{h(s)}`."""
        basis = self.design.history_basis
        return basis.lags, basis.filter(self._block("history", self.weights))

    def history_filter_se(self) -> np.ndarray:
        """Pointwise standard error of :meth:`history_filter`."""
        sl = self._block("history", np.arange(self.weights.size))
        sl = slice(sl[0], sl[-1] + 1)
        B = self.design.history_basis.matrix
        return np.sqrt(np.einsum("ij,jk,ik->i", B, self.covariance[sl, sl], B))

    # --- prediction ---
    def design_for(self, stimulus, spikes) -> GLMDesign:
        """Design matrix of new data (held-out) with this fit's bases and stimulus scale."""
        d = self.design
        return design_matrix(stimulus, spikes, d.dt, stimulus_basis=d.stimulus_basis,
                             history_basis=d.history_basis, stimulus_scale=d.stimulus_scale)

    def rate(self, design=None) -> Quantity:
        """Conditional intensity :math:`\\rho_n` (Hz) on ``design`` (default: the training data)."""
        design = self.design if design is None else design
        return np.exp(design.X @ self.weights) * Hz

    def log_likelihood_on(self, design) -> float:
        """Log-likelihood (nats) of the spikes in ``design`` under this fit."""
        return design.log_likelihood(self.weights, self.likelihood)

    def bits_per_spike(self, design=None, baseline_rate=None) -> float:
        r"""Log-likelihood gain over a homogeneous Poisson process, per spike, in bits:

        .. math:: \frac{\ln L_{model} - \ln L_{\nu_0}}{n \ln 2},
        \qquad \ln L_{\nu_0} = n \ln\nu_0 - \nu_0 T \ \text{(Poisson)},

        with :math:`n` spikes in :math:`T` and :math:`\nu_0` the mean rate of the *training* data
        (``baseline_rate`` to override). Evaluate on held-out data (``design``) to compare models.
        """
        design = self.design if design is None else design
        if baseline_rate is None:
            nu0 = self.design.n_spikes / float(self.design.duration)
        else:
            nu0 = float(as_quantity("baseline_rate", baseline_rate, Hz, positive=True,
                                    allow_array=False))
        n = design.n_spikes
        if n == 0:
            raise ValueError("The data contain no spike; bits per spike are undefined.")
        ll0 = _terms(np.full(design.n_bins, math.log(nu0)), design.y, float(design.dt),
                     self.likelihood, order=0)[0]
        return (design.log_likelihood(self.weights, self.likelihood) - ll0) / (n * math.log(2))


def fit_glm(design, *, likelihood="poisson", l2=0.0, max_iter=50, tol=1e-8, weights=None,
            final_step_tol=0.0, reuse_hessian=False) -> GLMFit:
    r"""Maximum-likelihood weights of a Poisson GLM by Newton's method.

    Maximises :math:`\ln L(w) - \tfrac{\lambda_2}{2}\lVert w_{1:}\rVert^2` (the bias is not
    penalised). Each iteration solves :math:`H \delta = -g` with the exact Hessian (Cholesky) and
    halves the step until the objective increases (Armijo condition), which also rejects steps
    whose rates would overflow. It stops when the Newton decrement
    :math:`\lambda^2/2 = -g^T H^{-1} g / 2` (the gain a full Newton step would still bring, in
    nats) is below ``tol``. Starting point: all weights 0 except the bias at the log mean rate.

    Parameters
    ----------
    design : GLMDesign
    likelihood : {'poisson', 'bernoulli'}
        ``'poisson'``: the point-process likelihood (Poisson counts per bin, the continuous-time
        limit). ``'bernoulli'``: the exact likelihood of a neuron that fires with probability
        :math:`1 - e^{-\rho\Delta}` per bin, as the escape-noise models and :func:`simulate_glm`
        do (a binomial GLM with complementary log-log link). See :meth:`GLMDesign.log_likelihood`.
    l2 : float
        Ridge penalty :math:`\lambda_2 \ge 0` on the filter weights (0: plain maximum likelihood).
    max_iter : int
    tol : float
        Convergence threshold on the Newton decrement (nats).
    weights : array, optional
        Starting weights.
    final_step_tol : float
        Default 0 (off). If the Newton decrement falls below ``final_step_tol`` (nats) but not
        below ``tol``, the fit takes that last Newton step (with the line search) and stops
        without evaluating the Hessian again: Newton's method converges quadratically, so the
        step lands about ``decrement**2`` from the optimum, and the covariance is that of the
        Hessian one small step before it. This saves one pass over the design matrix per fit
        (an interactive view uses 1e-2 nats: the weights then differ from the exact optimum by
        about 1e-4 standard errors).
    reuse_hessian : bool
        Default False. If True, after a step with a freshly evaluated Hessian the next steps keep
        its Cholesky factor (the chord method) and pass over the design matrix only for the
        gradient, about a third of the cost of a Hessian pass, for as long as each such step
        shrinks the Newton decrement (estimated with the kept Hessian) at least tenfold; when one
        does not, the Hessian is evaluated afresh. Only a Hessian evaluated at a decrement below
        2 nats (within about two standard errors of the optimum) is kept. The gradient is exact,
        so the fit converges to the same optimum. The covariance is the inverse of the last
        Hessian evaluated: standard errors within about 1 % of those at the optimum with
        thousands of spikes, a few percent with a few hundred. An interactive view
        warm-started from a nearby fit uses it: one Hessian pass per refit instead of two or
        three.

    Returns
    -------
    GLMFit
        ``converged`` and ``message`` report whether the optimum was reached.
    """
    if not isinstance(design, GLMDesign):
        raise TypeError(f"'design' must be a GLMDesign (see design_matrix), got {type(design).__name__}.")
    _check_likelihood(likelihood, design.y)
    l2 = float(l2)
    if not np.isfinite(l2) or l2 < 0:
        raise ValueError(f"'l2' must be a non-negative number, got {l2!r}.")
    final_step_tol = float(final_step_tol)
    if not final_step_tol >= 0:
        raise ValueError(f"'final_step_tol' must be a non-negative number, got {final_step_tol!r}.")
    if not isinstance(reuse_hessian, (bool, np.bool_)):
        raise ValueError(f"'reuse_hessian' must be True or False, got {reuse_hessian!r}.")
    if design.n_spikes == 0:
        raise ValueError("The spike train is empty: the maximum-likelihood rate is 0 and the "
                         "weights diverge. Use more data.")
    start = time.perf_counter()
    X, y, dt = design.X, design.y, float(design.dt)
    p = X.shape[1]
    penalty = np.full(p, l2)
    penalty[0] = 0.0
    if weights is None:
        w = np.zeros(p)
        w[0] = math.log(y.sum() / (y.size * dt))
    else:
        w = np.array(weights, dtype=float)
        if w.shape != (p,):
            raise ValueError(f"'weights' must have shape ({p},), got {w.shape}.")

    spikes = np.flatnonzero(y)  # bins with a spike (the Bernoulli terms need them)

    def objective(eta, w):
        with np.errstate(over="ignore"):
            lam = dt * np.exp(eta)
        value = (_terms(eta, y, dt, likelihood, order=0, lam=lam, spikes=spikes)[0]
                 - 0.5 * (penalty * w) @ w)
        return (value if np.isfinite(value) else -np.inf), lam

    eta = X @ w
    value, lam = objective(eta, w)
    converged, message, decrement, it = False, "", np.inf, 0
    last_step = False
    factor = None  # Cholesky factor of the negative Hessian in use (reuse_hessian)
    chord_from = np.inf  # the Newton decrement where that Hessian was evaluated
    for it in range(1, max_iter + 1):
        _, d1, curvature = _terms(eta, y, dt, likelihood, lam=lam, spikes=spikes)
        if reuse_hessian and factor is not None and chord_from <= _CHORD_MAX_DECREMENT:
            # a chord step: the gradient alone
            grad = d1 @ X - penalty * w
            step = scipy.linalg.cho_solve(factor, grad, check_finite=False)
            previous, decrement = decrement, 0.5 * float(grad @ step)
            if decrement >= tol and decrement > 0.1 * previous:  # too slow: a fresh Hessian
                factor = None
        if not reuse_hessian or factor is None or chord_from > _CHORD_MAX_DECREMENT:
            neg_hess, grad = _weighted_gram(X, curvature, d1)
            neg_hess += np.diag(penalty)
            grad -= penalty * w
            try:
                factor = scipy.linalg.cho_factor(neg_hess, check_finite=False)
                step = scipy.linalg.cho_solve(factor, grad, check_finite=False)
            except np.linalg.LinAlgError:
                message = ("Hessian is singular: some columns of the design matrix are (nearly) "
                           "collinear or never active; add an l2 penalty or more data.")
                break
            decrement = chord_from = 0.5 * float(grad @ step)
        if decrement < tol:
            converged, message = True, f"converged: Newton decrement {decrement:.1e} < tol {tol:g}"
            break
        last_step = decrement < final_step_tol
        t = 1.0
        d_eta = X @ step
        while t > 1e-10:
            new_value, new_lam = objective(eta + t * d_eta, w + t * step)
            # Armijo condition; the slack absorbs rounding in sums over ~1e6 bins near the optimum
            if new_value >= value + 0.25 * t * 2 * decrement - 1e-13 * abs(value):
                break
            t *= 0.5
        else:
            message = "line search failed (the objective did not increase along the Newton step)"
            break
        w = w + t * step
        eta = eta + t * d_eta
        value, lam = new_value, new_lam
        if last_step and t == 1.0:
            converged = True
            message = (f"converged: a last full Newton step at decrement {decrement:.1e} < "
                       f"final_step_tol {final_step_tol:g}")
            break
    else:
        message = f"not converged after {max_iter} iterations (Newton decrement {decrement:.1e})"
        it = max_iter
    if not converged:
        neg_hess = (_weighted_gram(X, _terms(eta, y, dt, likelihood, lam=lam, spikes=spikes)[2])
                    + np.diag(penalty))
    try:
        cov = np.linalg.inv(neg_hess)
    except np.linalg.LinAlgError:
        cov = np.full((p, p), np.nan)
    if converged and np.max(np.abs(w[1:])) > 30:
        converged = False
        message = ("weights diverge (|w| > 30): some filter lags never coincide with a spike, so "
                   "the likelihood keeps growing as their weights go to -inf; use more data or an "
                   "l2 penalty")
    loglik = _terms(eta, y, dt, likelihood, order=0, lam=lam, spikes=spikes)[0]
    return GLMFit(weights=w, covariance=cov, log_likelihood=loglik,
                  converged=converged, n_iter=it, newton_decrement=decrement, message=message,
                  seconds=time.perf_counter() - start, design=design, l2=l2, likelihood=likelihood)


# --------------------------------------------------------------------------------------------
# Simulating a fitted GLM
# --------------------------------------------------------------------------------------------
def simulate_glm(fit, stimulus, *, n_trials=1, seed=0):
    r"""Spike trains of a fitted GLM driven by ``stimulus`` (same bin width as the fit).

    In every bin the model fires with probability :math:`1 - e^{-\rho_n \Delta}` (the probability
    that a Poisson process of rate :math:`\rho_n` held over the bin has at least one event; at
    most one spike per bin), where :math:`\rho_n` includes the history filter applied to the
    trial's own earlier spikes. Between two spikes the rate is fixed by the past, so the next spike
    is found with one vectorised draw per stretch of bins instead of a loop over bins.

    Returns a list of ``n_trials`` spike-time arrays (second), spikes at the start of their bin.
    """
    if not isinstance(fit, GLMFit):
        raise TypeError(f"'fit' must be a GLMFit, got {type(fit).__name__}.")
    if isinstance(n_trials, bool) or not isinstance(n_trials, (int, np.integer)) or n_trials < 1:
        raise ValueError(f"'n_trials' must be a positive integer, got {n_trials!r}.")
    d = fit.design
    values, dim = _check_stimulus(stimulus)
    if dim is not get_dimensions(d.stimulus_scale):
        raise ValueError(f"'stimulus' must have the units of the training stimulus ({d.stimulus_scale!r}).")
    n = values.size
    dt = float(d.dt)
    sb = d.stimulus_basis
    drive = fit.bias + _causal_filter(values / float(np.asarray(d.stimulus_scale)), sb.matrix,
                                      sb.first_bin) @ fit._block("stimulus", fit.weights)
    rng = np.random.default_rng(seed)
    trains = []
    if d.history_basis is None:
        p = -np.expm1(-dt * np.exp(drive))
        for _ in range(n_trials):
            trains.append(np.flatnonzero(rng.random(n) < p) * dt * second)
        return trains
    hb = d.history_basis
    h = hb.filter(fit._block("history", fit.weights))
    offset, L = hb.first_bin, hb.n_lags
    chunk = max(4 * (offset + L), 256)
    for _ in range(n_trials):
        hist = np.zeros(n + offset + L)
        spikes = []
        pos = 0
        while pos < n:
            stop = min(pos + chunk, n)
            p = -np.expm1(-dt * np.exp(drive[pos:stop] + hist[pos:stop]))
            hits = np.flatnonzero(rng.random(stop - pos) < p)
            if hits.size == 0:
                pos = stop
                continue
            m = pos + int(hits[0])
            spikes.append(m)
            hist[m + offset: m + offset + L] += h
            pos = m + 1
        trains.append(np.asarray(spikes, dtype=float) * dt * second)
    return trains


# --------------------------------------------------------------------------------------------
# Likelihood of spike trains
# --------------------------------------------------------------------------------------------
def point_process_log_likelihood(spikes, rate, duration, dt=None) -> float:
    r"""Log-likelihood of spike times under an inhomogeneous Poisson process (nats):

    .. math:: \ln L = \sum_f \ln\frac{\rho(t_f)}{\mathrm{Hz}} - \int_0^T \rho(t)\,dt .

    ``rate`` is a scalar rate (Hz; homogeneous process, :math:`\ln L = n\ln\nu - \nu T`) or
    samples :math:`\rho_n` held constant over bins ``[n dt, (n+1) dt)`` that cover ``[0, T)``
    (then ``dt`` is required and the integral is :math:`\Delta\sum_n\rho_n`, exact for such a
    rate). With the rate in Hz, :math:`L` is the density of the spike times measured in seconds.
    A spike where the rate is 0 gives :math:`-\infty`.
    """
    duration = float(as_quantity("duration", duration, second, positive=True, allow_array=False))
    times = check_spike_times(spikes, duration)
    rate = as_quantity("rate", rate, Hz, nonnegative=True)
    r = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore"):
        if r.ndim == 0:
            return float(times.size * np.log(r) - r * duration)
        if dt is None:
            raise ValueError("'dt' is required when 'rate' is an array of samples.")
        dt = float(as_quantity("dt", dt, second, positive=True, allow_array=False))
        n = int(round(duration / dt))
        if r.size != n:
            raise ValueError(f"'rate' has {r.size} samples but 'duration'/'dt' gives {n} bins.")
        idx = np.minimum(np.floor(times / dt + 1e-6).astype(np.int64), n - 1)
        return float(np.log(r[idx]).sum() - dt * r.sum())


def binned_log_likelihood(counts, rate, dt) -> float:
    r"""Point-process log-likelihood of a binned spike train (nats):

    .. math:: \ln L = \sum_n \big(y_n \ln\frac{\rho_n}{\mathrm{Hz}} - \rho_n\Delta\big),

    the value of :func:`point_process_log_likelihood` when every spike sits in its bin. (The
    Poisson probability of the counts is :math:`\ln L + \sum_n (y_n\ln(\Delta/\mathrm{s}) - \ln y_n!)`.)
    """
    dt = float(as_quantity("dt", dt, second, positive=True, allow_array=False))
    y = np.asarray(counts, dtype=float)
    if y.ndim != 1 or np.any(~np.isfinite(y)) or np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError("'counts' must be a 1-D array of non-negative integers.")
    r = np.asarray(as_quantity("rate", rate, Hz, nonnegative=True), dtype=float)
    r = np.broadcast_to(r, y.shape) if r.ndim == 0 else r
    if r.shape != y.shape:
        raise ValueError(f"'rate' has shape {r.shape} but 'counts' has shape {y.shape}.")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, y * np.log(r), 0.0)
    return float(terms.sum() - dt * r.sum())


# --------------------------------------------------------------------------------------------
# Subthreshold voltage by linear regression
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SubthresholdFit:
    r"""Result of :func:`fit_subthreshold`: :math:`u_n = u_{rest} + \sum_j \kappa_j I_{n-j}
    + \sum_{j\ge1} \eta_j y_{n-j}`.

    Attributes
    ----------
    u_rest : Quantity (volt)
    kappa_lags : Quantity (second)
    kappa : Quantity (ohm/second)
        Continuous-time kernel, :math:`u \ni \int \kappa(s) I(t-s)\,ds`.
    eta_lags : Quantity (second) or None
    eta : Quantity (volt) or None
        Spike-afterpotential: each spike adds :math:`\eta(s)` at lag :math:`s`.
    rms_error : Quantity (volt)
        Root-mean-square residual of the fit.
    """

    u_rest: Quantity
    kappa_lags: Quantity
    kappa: Quantity
    eta_lags: Quantity | None
    eta: Quantity | None
    rms_error: Quantity
    coefficients: np.ndarray


def fit_subthreshold(current, voltage, dt, *, kernel_basis, spikes=None,
                     history_basis=None) -> SubthresholdFit:
    r"""Fit :math:`\kappa` and :math:`u_{rest}` (and optionally :math:`\eta`) to a voltage trace
    by linear least squares (Mensi et al. 2012):

    .. math:: \min \sum_n \Big(V_n - u_{rest} - \sum_j \kappa_j I_{n-j} - \sum_{j\ge 1}\eta_j y_{n-j}\Big)^2 .

    ``current`` (amp) and ``voltage`` (volt) are sampled every ``dt``; ``spikes`` (second) with a
    ``history_basis`` adds the spike-triggered kernel :math:`\eta`. The voltage is a linear
    function of the unknowns, so the quadratic error has one minimum, found in one step.
    """
    dt = as_quantity("dt", dt, second, positive=True, allow_array=False)
    as_quantity("current", current, amp)
    as_quantity("voltage", voltage, volt)
    v, _ = _check_stimulus(voltage, "voltage")
    i_vals, _ = _check_stimulus(current, "current")
    if v.size != i_vals.size:
        raise ValueError(f"'voltage' ({v.size} samples) and 'current' ({i_vals.size}) differ in length.")
    if (spikes is None) != (history_basis is None):
        raise ValueError("Give both 'spikes' and 'history_basis' to fit eta, or neither.")
    d = design_matrix(current, [] if spikes is None else spikes, dt, stimulus_basis=kernel_basis,
                      history_basis=history_basis)
    coef, *_ = np.linalg.lstsq(d.X, v, rcond=None)
    resid = v - d.X @ coef
    kappa = kernel_basis.filter(coef[d.columns["stimulus"]]) / (d.stimulus_scale * dt) * volt
    eta_lags = eta = None
    if history_basis is not None:
        eta_lags = history_basis.lags
        eta = history_basis.filter(coef[d.columns["history"]]) * volt
    return SubthresholdFit(u_rest=coef[0] * volt, kappa_lags=kernel_basis.lags, kappa=kappa,
                           eta_lags=eta_lags, eta=eta, rms_error=float(np.sqrt(np.mean(resid ** 2))) * volt,
                           coefficients=coef)
