"""Figures used across the lessons, with axes labelled in physical units.

Every function draws into ``ax`` (a new figure when omitted) and returns the axes, so lessons can
combine them in their own layouts.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, amp, mV, ms, nA, second, volt

from ._validation import as_quantity

#: Display units used on the axes of every figure.
TIME_UNIT, VOLTAGE_UNIT, CURRENT_UNIT, RATE_UNIT = ms, mV, nA, Hz


def _axes(ax, figsize=(7, 3)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def voltage_trace(result, neuron=0, *, ax=None, variable="v", spike_peak=None, threshold=True,
                  label=None, color=None, **line_kwargs):
    """Membrane potential of one neuron (mV) against time (ms), spikes marked.

    Reset models never show the spike itself in ``v``; each spike is drawn as a vertical line from
    the recorded value up to ``spike_peak`` (default: 20 mV above threshold, or the top of the
    trace). ``threshold=True`` draws the model's ``V_th`` as a dashed line when it has one.
    """
    ax = _axes(ax)
    t = np.asarray(result.t / TIME_UNIT)
    v = np.asarray(result.traces[variable][neuron] / VOLTAGE_UNIT)
    (line,) = ax.plot(t, v, lw=1, label=label, color=color, **line_kwargs)
    spikes = np.asarray(result.spike_trains[neuron] / second)
    v_th = _neuron_value(result.model, "V_th", neuron)
    if spikes.size and variable == "v":
        if spike_peak is None:
            peak = (v_th + 20 * mV) / VOLTAGE_UNIT if v_th is not None else float(np.max(v))
        else:
            peak = float(as_quantity("spike_peak", spike_peak, volt, allow_array=False) / VOLTAGE_UNIT)
        idx = np.clip(np.round(spikes / float(result.dt)).astype(int), 0, len(t) - 1)
        ax.vlines(t[idx], v[idx], peak, color=line.get_color(), lw=1)
    if threshold and v_th is not None and variable == "v":
        ax.axhline(v_th / VOLTAGE_UNIT, color="0.5", ls="--", lw=0.8)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("membrane potential (mV)" if variable == "v" else f"{variable}")
    return ax


def current_trace(result, neuron=0, *, ax=None, **line_kwargs):
    """Recorded input current ``I_stim`` (nA) of one neuron against time (ms)."""
    if "I_stim" not in result.traces:
        raise ValueError("Record the input with simulate(..., record=('v', 'I_stim')).")
    ax = _axes(ax, figsize=(7, 1.5))
    ax.plot(result.t / TIME_UNIT, result.traces["I_stim"][neuron] / CURRENT_UNIT, lw=1, **line_kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("input (nA)")
    return ax


def fi_curve(currents, rates, *, theory=None, ax=None, label="simulation", theory_label="theory",
             **marker_kwargs):
    """Firing rate (Hz) against input current (nA): simulation as markers, theory as a line.

    ``theory`` is ``(currents, rates)`` evaluated on a finer grid, or a callable mapping currents
    (amp) to rates (Hz) that is evaluated on 400 points across the plotted range.
    """
    ax = _axes(ax, figsize=(5, 3.5))
    currents = as_quantity("currents", currents, amp)
    rates = as_quantity("rates", rates, Hz)
    if theory is not None:
        if callable(theory):
            grid = np.linspace(float(np.min(currents)), float(np.max(currents)), 400) * amp
            th_i, th_r = grid, theory(grid)
        else:
            th_i, th_r = theory
        ax.plot(th_i / CURRENT_UNIT, th_r / RATE_UNIT, color="k", lw=1.2, label=theory_label)
    style = {"marker": "o", "ls": "none", "ms": 4, **marker_kwargs}
    ax.plot(currents / CURRENT_UNIT, rates / RATE_UNIT, label=label, **style)
    ax.set_xlabel("input current (nA)")
    ax.set_ylabel("firing rate (Hz)")
    ax.legend(frameon=False)
    return ax


def raster(spike_trains, *, ax=None, neurons=None, yvalues=None, ylabel="neuron", **kwargs):
    """Spike raster: one row per spike train (``yvalues`` to place rows, e.g. at their input)."""
    ax = _axes(ax)
    ys = np.arange(len(spike_trains)) if yvalues is None else np.asarray(yvalues)
    rows = range(len(spike_trains)) if neurons is None else neurons
    style = {"marker": "|", "ls": "none", "color": "k", "ms": 6, **kwargs}
    for k in rows:
        train = np.asarray(spike_trains[k] / TIME_UNIT)
        ax.plot(train, np.full(train.shape, ys[k]), **style)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(ylabel)
    return ax


def _neuron_value(model, name, neuron):
    """Scalar value of a (possibly per-neuron) model parameter for one neuron, or None."""
    value = getattr(model, name, None)
    if value is None:
        return None
    arr = np.asarray(value)
    scalar = float(arr.flat[neuron]) if arr.size > 1 else float(arr.flat[0])
    return scalar * volt
