"""The public simulation API: :func:`simulate` and :func:`fi_curve`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import Quantity, amp, get_dimensions, ms, second

from . import engine
from .plain_brian2 import Assembled, assemble  # noqa: F401 - Assembled is part of this API
from .validation import as_quantity, check_seed
from .models.base import NeuronModel
from .stimuli import Stimulus, constant


@dataclass(frozen=True)
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    t : Quantity, shape (T,)
        Sample times of the recorded traces (``0, dt, 2 dt, ...``).
    traces : dict
        Recorded variables by name, each a Quantity of shape (neurons, T). Also available as
        attributes (``result.v``) and items (``result["v"]``).
    spike_trains : list of Quantity
        One array of spike times (second) per neuron.
    model, stimulus, duration, dt, seed
        What was simulated (``seed`` is the seed actually used, also when you passed None).
    """

    t: Quantity
    traces: dict
    spike_trains: list
    model: NeuronModel
    stimulus: Stimulus
    duration: Quantity
    dt: Quantity
    seed: int

    @property
    def n_neurons(self) -> int:
        return len(self.spike_trains)

    def __getattr__(self, name):
        traces = self.__dict__.get("traces", {})
        if name in traces:
            return traces[name]
        raise AttributeError(f"SimulationResult has no attribute or recorded variable '{name}' "
                             f"(recorded: {sorted(traces)})")

    def __getitem__(self, name):
        return self.traces[name]

    def spike_counts(self, start=None, stop=None) -> np.ndarray:
        """Number of spikes of each neuron with ``start <= t < stop``."""
        lo, hi = self._window(start, stop)
        return np.array([np.count_nonzero((np.asarray(st) >= lo) & (np.asarray(st) < hi))
                         for st in self.spike_trains])

    def rates(self, start=None, stop=None) -> Quantity:
        r"""Firing rate of each neuron in the window ``[start, stop)``: the spike count divided
        by the window length, :math:`r = n / (t_{stop} - t_{start})`. Defaults: the whole run."""
        lo, hi = self._window(start, stop)
        return self.spike_counts(start, stop) / ((hi - lo) * second)

    def _window(self, start, stop):
        lo = 0.0 if start is None else float(as_quantity("start", start, second, allow_array=False))
        hi = (float(self.duration) if stop is None
              else float(as_quantity("stop", stop, second, allow_array=False)))
        if hi <= lo:
            raise ValueError(f"'stop' ({hi} s) must be later than 'start' ({lo} s).")
        return lo, hi

    def __repr__(self):
        return (f"SimulationResult({self.n_neurons} neuron(s), duration={self.duration!r}, "
                f"dt={self.dt!r}, recorded={sorted(self.traces)}, "
                f"spikes={sum(len(s) for s in self.spike_trains)})")


def simulate(model, stimulus, duration, *, dt=0.1 * ms, record=("v",), seed=None, method=None):
    """Simulate ``model`` driven by ``stimulus`` for ``duration``.

    All array-valued parameters of the model and the stimulus (one value per neuron) are
    simulated together in one Brian2 ``NeuronGroup``, in one run.

    Parameters
    ----------
    model : NeuronModel
        For example :class:`sfa_helpers.models.LIF`.
    stimulus : Stimulus
        Input current, see :mod:`sfa_helpers.stimuli`.
    duration : Quantity (second)
    dt : Quantity (second)
        Integration time step; must be smaller than every time constant of the model.
    record : sequence of str
        State variables to record for every neuron (``()`` records only spikes). ``'I_stim'``
        records the input current.
    seed : int or None
        Seed for the random numbers of noisy models and stimuli; the same seed gives identical
        results. ``None`` uses the stimulus' own seed if it has one, else a fresh random seed
        (stored in ``result.seed``).
    method : str or None
        Override the model's integration method (e.g. ``'euler'`` instead of ``'exact'``).

    Returns
    -------
    SimulationResult
    """
    if not isinstance(model, NeuronModel):
        raise TypeError(f"'model' must be a neuron model from sfa_helpers.models, got {model!r}")
    if not isinstance(stimulus, Stimulus):
        raise TypeError(f"'stimulus' must be a stimulus from sfa_helpers.stimuli, got {stimulus!r}")
    duration = as_quantity("duration", duration, second, positive=True, allow_array=False)
    dt = as_quantity("dt", dt, second, positive=True, allow_array=False)
    if dt > duration:
        raise ValueError(f"'dt' ({dt!r}) is longer than 'duration' ({duration!r}).")
    seed = _resolve_seed(seed, stimulus)
    a = assemble(model, stimulus, dt=dt, method=method)
    record = _check_record(record, a.recordable)
    steps = _whole_steps(duration, dt)
    n = a.n
    _check_memory(n, steps, record)
    structure = engine.Structure(
        equations=a.equations,
        threshold=a.threshold,
        reset=a.reset,
        refractory=a.refractory,
        method=a.method,
        n=n,
        dt=float(dt),
        steps=steps,
        record=record,
        regular_code=a.regular_code,
        timed_arrays=tuple((name, data.values.shape, data.dt, repr(data.dim))
                           for name, data in a.timed_arrays.items()),
    )
    compiled = engine.get_simulation(
        structure, {k: get_dimensions(v) for k, v in a.values.items()},
        {name: data.dim for name, data in a.timed_arrays.items()})
    raw = compiled.run({k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in a.values.items()},
                       {name: data.values for name, data in a.timed_arrays.items()}, seed)
    trains = _split_spikes(raw.spike_i, raw.spike_t, n)
    return SimulationResult(t=raw.t * second, traces=raw.traces, spike_trains=trains, model=model,
                            stimulus=stimulus, duration=steps * dt, dt=dt, seed=seed)


def _resolve_seed(seed, stimulus):
    seed = check_seed(seed)
    own = getattr(stimulus, "seed", None)
    if seed is not None and own is not None and seed != own:
        raise ValueError(f"simulate(seed={seed}) conflicts with the stimulus' seed={own}.")
    if seed is None:
        seed = own
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    return seed


#: Largest recording ``simulate`` accepts (bytes of float64 samples): far more than a lesson
#: needs, and less than a laptop can hold twice (the program's file and the array read back).
MAX_RECORDING_BYTES = 2 * 1024 ** 3


def _whole_steps(duration, dt) -> int:
    """The number of time steps in ``duration``; ``ValueError`` unless it is a whole number
    (Brian2 would silently round 0.25 ms at dt = 0.1 ms to 0.2 ms)."""
    exact = float(duration) / float(dt)
    steps = int(round(exact))
    if abs(exact - steps) > 1e-6 or steps < 1:
        raise ValueError(f"'duration' ({duration!r}) is not a whole number of time steps "
                         f"'dt' ({dt!r}); use a multiple of dt, e.g. {steps or 1} steps = "
                         f"{Quantity((steps or 1) * float(dt), dim=second.dim)!r}.")
    return steps


def _check_memory(n, steps, record):
    size = 8 * n * steps * len(record)
    if size > MAX_RECORDING_BYTES:
        raise ValueError(
            f"Recording {list(record)} of {n} neurons for {steps} time steps needs "
            f"{size / 1024 ** 3:.1f} GiB (limit {MAX_RECORDING_BYTES / 1024 ** 3:.0f} GiB): record "
            "fewer variables (record=() keeps only the spikes), fewer neurons or a shorter run.")


def _check_record(record, recordable):
    if record is None:
        return ()
    if isinstance(record, str):
        record = (record,)
    allowed = tuple(recordable)
    record = tuple(record)
    for name in record:
        if name not in allowed:
            raise ValueError(f"Cannot record '{name}'; this model can record {list(allowed)}.")
    return record


def _split_spikes(spike_i, spike_t, n):
    order = np.argsort(spike_i, kind="stable")
    counts = np.bincount(spike_i, minlength=n)
    times = np.split(spike_t[order], np.cumsum(counts)[:-1])
    return [Quantity(t, dim=second.dim) for t in times]


@dataclass(frozen=True)
class FICurve:
    """Firing rate versus input current: ``currents`` (amp) and ``rates`` (Hz), plus the
    underlying :class:`SimulationResult` (``result``) for further analysis."""

    currents: Quantity
    rates: Quantity
    result: SimulationResult


def fi_curve(model, currents, duration, *, transient=0 * ms, dt=0.1 * ms, rate="count",
             seed=None) -> FICurve:
    """Firing rate for each constant input current, all currents in one ``NeuronGroup`` run.

    Parameters
    ----------
    model : NeuronModel
        Any model; its array-valued parameters must match ``len(currents)`` if given.
    currents : Quantity (amp), 1-D
        One neuron per current.
    duration : Quantity (second)
    transient : Quantity (second)
        Spikes before this time are ignored (let adaptation or the initial condition settle).
    rate : {'count', 'isi'}
        ``'count'``: spikes in ``[transient, duration)`` divided by the window length.
        ``'isi'``: inverse of the mean inter-spike interval in that window (the steady-state rate
        that theory predicts); NaN for neurons with fewer than two spikes there, 0 with none.
    """
    currents = as_quantity("currents", currents, amp)
    transient = as_quantity("transient", transient, second, nonnegative=True, allow_array=False)
    if rate not in ("count", "isi"):
        raise ValueError(f"'rate' must be 'count' or 'isi', got {rate!r}")
    duration = as_quantity("duration", duration, second, positive=True, allow_array=False)
    if transient >= duration:
        raise ValueError(f"'transient' ({transient!r}) must be shorter than 'duration' "
                         f"({duration!r}): no spikes would be left to count.")
    result = simulate(model, constant(currents), duration, dt=dt, record=(), seed=seed)
    if rate == "count":
        rates = result.rates(start=transient)
    else:
        from .analysis import isi_rate

        rates = isi_rate(result.spike_trains, start=transient, stop=result.duration)
    return FICurve(currents=currents, rates=rates, result=result)

