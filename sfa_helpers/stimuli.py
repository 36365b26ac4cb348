r"""Input currents :math:`I_{stim}(t)` injected into a neuron.

Every stimulus is an immutable parameter set. Any amplitude (or other parameter) may be a 1-D
array: one neuron per value, in one ``NeuronGroup``. Stimuli add up: ``step(...) + white_noise(...)``.

Time windows are defined on the simulation grid: a window ``[start, stop)`` contains the time steps
``t_k = k dt`` with ``start <= t_k < stop`` (comparisons are made half a step early so that
floating-point rounding of ``k dt`` never shifts an edge by one step).

Functions
---------
constant(amplitude)
step(amplitude, start, stop=None)
ramp(amplitude, start, stop, initial=0*amp)
sine(amplitude, frequency, offset=0*amp, phase=0, start=0*second, stop=None)
from_array(values, dt)
white_noise(mu, sigma, seed=None)
ou(mu, sigma, tau, seed=None, method='exact')

Noise stimuli (``white_noise``, ``ou``) give every neuron of the group its own independent
realisation. Their random numbers come from the seed given to ``simulate(..., seed=)`` or, when
that is None, from the stimulus' own ``seed``; the same seed gives the same input.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace as dc_replace
from typing import Mapping

import numpy as np
from brian2 import Hz, Quantity, amp, second
from brian2.utils.stringtools import word_substitute

from ._params import ParameterSet
from .validation import as_quantity, check_seed, common_size

__all__ = ["Stimulus", "StimulusSpec", "constant", "step", "ramp", "sine", "from_array",
           "white_noise", "ou"]

_WINDOW_ON = "int(t >= {on} - 0.5*dt)"
_WINDOW_OFF = "int(t < {off} - 0.5*dt)"


@dataclass(frozen=True)
class TimedArrayData:
    """Sampled values for a Brian2 ``TimedArray``: ``values`` in SI units, shape ``(T,)`` or
    ``(T, N)``, sampled every ``dt`` seconds; ``dim`` is their physical dimension."""

    values: np.ndarray
    dt: float
    dim: object


@dataclass(frozen=True)
class StimulusSpec:
    """What the simulation engine needs to add a stimulus to a ``NeuronGroup``.

    ``current`` is an expression in amp, evaluated at the start of every time step (it may use
    ``t``, ``dt``, ``i`` and ``randn()``) and held for that step as ``I_stim``. Stateful stimuli
    declare their variables in ``equations`` (listed in ``states``, so that summed stimuli can
    rename them) and update them in ``regular_code``, which runs just before ``current`` is
    evaluated.
    """

    current: str
    parameters: Mapping[str, Quantity]
    equations: tuple = ()
    states: tuple = ()
    initial_values: Mapping[str, Quantity] = field(default_factory=dict)
    timed_arrays: Mapping[str, TimedArrayData] = field(default_factory=dict)
    regular_code: tuple = ()
    stochastic: bool = False

    def renamed(self, prefix: str) -> "StimulusSpec":
        """The same stimulus with every identifier it defines prefixed (for sums)."""
        names = list(self.parameters) + list(self.states) + list(self.timed_arrays)
        subs = {name: prefix + name for name in names}

        def sub(text):
            return word_substitute(text, subs)

        return dc_replace(
            self,
            current=sub(self.current),
            parameters={subs[k]: v for k, v in self.parameters.items()},
            equations=tuple(sub(e) for e in self.equations),
            states=tuple(subs[s] for s in self.states),
            initial_values={subs.get(k, k): v for k, v in self.initial_values.items()},
            timed_arrays={subs[k]: v for k, v in self.timed_arrays.items()},
            regular_code=tuple(sub(c) for c in self.regular_code),
        )


class Stimulus(ParameterSet):
    """Base class of all stimuli. Subclasses implement :meth:`spec`."""

    #: Seed for the stimulus' random numbers (noise stimuli only).
    seed = None

    def spec(self) -> StimulusSpec:  # pragma: no cover - abstract
        raise NotImplementedError

    def __add__(self, other):
        if not isinstance(other, Stimulus):
            return NotImplemented
        return SumStimulus(self, other)


class SumStimulus(Stimulus):
    """The sum of several stimuli: ``I_stim = I_1 + I_2 + ...``."""

    def __init__(self, *parts):
        flat = []
        for part in parts:
            if not isinstance(part, Stimulus):
                raise TypeError(f"Can only add stimuli, got {part!r}")
            flat.extend(part.parts if isinstance(part, SumStimulus) else [part])
        sizes = {f"part {k} ({type(p).__name__})": np.zeros(p.n_neurons) for k, p in enumerate(flat)}
        seeds = {p.seed for p in flat if p.seed is not None}
        if len(seeds) > 1:
            raise ValueError(f"Summed noise stimuli were given different seeds {sorted(seeds)}; "
                             "give one seed to simulate() instead.")
        object.__setattr__(self, "parts", tuple(flat))
        object.__setattr__(self, "_given", {})
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "n_neurons", common_size(sizes))
        object.__setattr__(self, "seed", seeds.pop() if seeds else None)

    def replace(self, **changes):
        raise TypeError("Replace parameters in the parts of a summed stimulus, then add them again.")

    def spec(self) -> StimulusSpec:
        specs = [p.spec().renamed(f"s{k}_") for k, p in enumerate(self.parts)]
        return StimulusSpec(
            current=" + ".join(f"({s.current})" for s in specs),
            parameters={k: v for s in specs for k, v in s.parameters.items()},
            equations=tuple(e for s in specs for e in s.equations),
            states=tuple(x for s in specs for x in s.states),
            initial_values={k: v for s in specs for k, v in s.initial_values.items()},
            timed_arrays={k: v for s in specs for k, v in s.timed_arrays.items()},
            regular_code=tuple(c for s in specs for c in s.regular_code),
            stochastic=any(s.stochastic for s in specs),
        )

    def __repr__(self):
        return " + ".join(repr(p) for p in self.parts)


def _window(start_name: str | None, stop_name: str | None) -> str:
    factors = []
    if start_name:
        factors.append(_WINDOW_ON.format(on=start_name))
    if stop_name:
        factors.append(_WINDOW_OFF.format(off=stop_name))
    return "*".join(factors)


def _check_window(start, stop):
    if stop is not None and np.any(np.asarray(stop) <= np.asarray(start)):
        raise ValueError(f"'stop' ({stop!r}) must be later than 'start' ({start!r}).")


def _window_given(start, stop):
    """Validated ``start`` and optional ``stop`` of a stimulus window."""
    given = {"start": as_quantity("start", start, second, nonnegative=True)}
    if stop is not None:
        given["stop"] = as_quantity("stop", stop, second, positive=True)
    _check_window(given["start"], given.get("stop"))
    return given


def _window_spec(stimulus):
    """Parameters ``t_on`` (and ``t_off``) and the 0/1 window factor of a stimulus."""
    params = {"t_on": stimulus.start}
    if "stop" in stimulus._given:
        params["t_off"] = stimulus.stop
    return params, _window("t_on", "t_off" if "t_off" in params else None)


class Constant(Stimulus):
    r"""Constant current :math:`I_{stim}(t) = I_0` for the whole simulation."""

    def __init__(self, amplitude):
        self._store({"amplitude": as_quantity("amplitude", amplitude, amp)})

    def spec(self):
        return StimulusSpec(current="I_amp", parameters={"I_amp": self.amplitude})


class Step(Stimulus):
    r"""Current pulse: :math:`I_{stim}(t) = I_0` for ``start <= t < stop``, 0 otherwise
    (``stop=None``: until the end of the simulation)."""

    def __init__(self, amplitude, start, stop=None):
        self._store({"amplitude": as_quantity("amplitude", amplitude, amp),
                     **_window_given(start, stop)})

    def replace(self, **changes):
        return Step(**{"stop": None, **self._given, **changes})

    def spec(self):
        window_params, window = _window_spec(self)
        return StimulusSpec(current=f"I_amp*{window}",
                            parameters={"I_amp": self.amplitude, **window_params})


class Ramp(Stimulus):
    r"""Linear ramp from ``initial`` at ``start`` to ``amplitude`` at ``stop``; 0 outside
    ``[start, stop)``:

    .. math:: I_{stim}(t) = I_{init} + (I_{end} - I_{init})\,\frac{t - t_{on}}{t_{off} - t_{on}}
    """

    def __init__(self, amplitude, start, stop, initial=0 * amp):
        given = {"amplitude": as_quantity("amplitude", amplitude, amp),
                 "start": as_quantity("start", start, second, nonnegative=True),
                 "stop": as_quantity("stop", stop, second, positive=True),
                 "initial": as_quantity("initial", initial, amp)}
        _check_window(given["start"], given["stop"])
        self._store(given)

    def spec(self):
        return StimulusSpec(
            current=("(I_init + (I_end - I_init)*(t - t_on)/(t_off - t_on))*"
                     + _window("t_on", "t_off")),
            parameters={"I_init": self.initial, "I_end": self.amplitude, "t_on": self.start,
                        "t_off": self.stop},
        )


class Sine(Stimulus):
    r"""Sinusoidal current inside ``[start, stop)``, 0 outside:

    .. math:: I_{stim}(t) = I_{offset} + I_{amp} \sin(2\pi f (t - t_{on}) + \varphi)
    """

    def __init__(self, amplitude, frequency, offset=0 * amp, phase=0.0, start=0 * second, stop=None):
        self._store({"amplitude": as_quantity("amplitude", amplitude, amp),
                     "frequency": as_quantity("frequency", frequency, Hz, nonnegative=True),
                     "offset": as_quantity("offset", offset, amp),
                     "phase": as_quantity("phase", phase, 1),
                     **_window_given(start, stop)})

    def replace(self, **changes):
        return Sine(**{"stop": None, **self._given, **changes})

    def spec(self):
        window_params, window = _window_spec(self)
        params = {"I_amp": self.amplitude, "f_stim": self.frequency, "I_offset": self.offset,
                  "phase": self.phase, **window_params}
        return StimulusSpec(
            current=f"(I_offset + I_amp*sin(2*pi*f_stim*(t - t_on) + phase))*{window}",
            parameters=params,
        )


class FromArray(Stimulus):
    r"""A sampled current: ``values[k]`` is applied for ``k*dt <= t < (k+1)*dt``; after the last
    sample the last value is held. ``values`` of shape ``(T,)`` drive every neuron alike; shape
    ``(T, N)`` gives neuron ``j`` the column ``values[:, j]``."""

    def __init__(self, values, dt):
        vals = as_quantity("values", np.asarray(values, dtype=float).ravel() * _unit_of(values), amp)
        shape = np.shape(values)
        if len(shape) not in (1, 2) or shape[0] == 0:
            raise ValueError(f"'values' must have shape (T,) or (T, N) with T > 0, got {shape}.")
        dt = as_quantity("dt", dt, second, positive=True, allow_array=False)
        n = shape[1] if len(shape) == 2 else 1
        object.__setattr__(self, "_shape", shape)
        self._store({"values": Quantity(np.asarray(vals).reshape(shape), dim=amp.dim), "dt": dt},
                    n_neurons=n)

    def spec(self):
        values = np.asarray(self.values, dtype=float)
        call = "stim_values(t, i)" if values.ndim == 2 else "stim_values(t)"
        return StimulusSpec(
            current=call, parameters={},
            timed_arrays={"stim_values": TimedArrayData(values, float(self.dt), amp.dim)},
        )


class WhiteNoise(Stimulus):
    r"""Gaussian white-noise current around a mean:

    .. math:: I_{stim}(t) = \mu + \sigma\,\xi(t), \qquad \langle \xi(t)\xi(t')\rangle = \delta(t-t')

    ``sigma`` has units of amp·√second (the noise *intensity*). On the simulation grid the current
    is held constant over each step at :math:`\mu + \sigma\, n_k/\sqrt{dt}` with independent
    :math:`n_k \sim N(0, 1)` per neuron and step, which for the LIF gives the Euler-Maruyama
    increment :math:`R\sigma\sqrt{dt}\,n_k/\tau_m` of :math:`\tau_m dV = (\ldots)dt + R\sigma\,dW`.
    For a LIF without threshold the stationary voltage standard deviation is
    :math:`\sigma_V = R\sigma / \sqrt{2\tau_m}`. ``sigma = 0`` reproduces :func:`constant` exactly.
    """

    def __init__(self, mu, sigma, seed=None):
        given = {"mu": as_quantity("mu", mu, amp),
                 "sigma": as_quantity("sigma", sigma, amp * second ** 0.5, nonnegative=True)}
        self._store(given)
        object.__setattr__(self, "seed", check_seed(seed))

    def replace(self, **changes):
        return WhiteNoise(**{"seed": self.seed, **self._given, **changes})

    def spec(self):
        return StimulusSpec(
            current="I_mu + I_sigma*randn()/sqrt(dt)",
            parameters={"I_mu": self.mu, "I_sigma": self.sigma},
            stochastic=True,
        )


def _unit_of(values):
    dim = getattr(values, "dim", None)
    return Quantity(1.0, dim=dim) if dim is not None else 1.0


#: Old private name of :func:`sfa_helpers.validation.check_seed`.
_check_seed = check_seed


def constant(amplitude) -> Constant:
    """Constant current ``amplitude`` (amp; an array gives one neuron per value)."""
    return Constant(amplitude)


def step(amplitude, start, stop=None) -> Step:
    """Current ``amplitude`` for ``start <= t < stop`` (``stop=None``: to the end), else 0."""
    return Step(amplitude, start, stop)


def ramp(amplitude, start, stop, initial=0 * amp) -> Ramp:
    """Current rising linearly from ``initial`` at ``start`` to ``amplitude`` at ``stop``; 0 outside."""
    return Ramp(amplitude, start, stop, initial)


def sine(amplitude, frequency, offset=0 * amp, phase=0.0, start=0 * second, stop=None) -> Sine:
    """``offset + amplitude*sin(2*pi*frequency*(t - start) + phase)`` inside ``[start, stop)``."""
    return Sine(amplitude, frequency, offset, phase, start, stop)


def from_array(values, dt) -> FromArray:
    """Sampled current (amp), shape ``(T,)`` for all neurons or ``(T, N)`` for one per column."""
    return FromArray(values, dt)


def white_noise(mu, sigma, seed=None) -> WhiteNoise:
    """White-noise current with mean ``mu`` (amp) and intensity ``sigma`` (amp*sqrt(second))."""
    return WhiteNoise(mu, sigma, seed)


class OrnsteinUhlenbeck(Stimulus):
    r"""Ornstein-Uhlenbeck (low-pass filtered, "coloured") noise current around a mean:

    .. math:: \frac{dI}{dt} = \frac{\mu - I}{\tau} + \sigma\sqrt{\frac{2}{\tau}}\,\xi(t),
              \qquad \langle \xi(t)\xi(t')\rangle = \delta(t-t')

    In the stationary state :math:`I` is Gaussian with mean :math:`\mu` and standard deviation
    :math:`\sigma` (both amp), and its autocovariance is
    :math:`\langle (I(t)-\mu)(I(t+s)-\mu)\rangle = \sigma^2 e^{-|s|/\tau}`
    (see :func:`sfa_helpers.theory.ou_autocovariance`).

    Update on the simulation grid (once per step, at the start of the step; the value is held for
    the step as ``I_stim``), with :math:`h` the time step and :math:`n_k \sim N(0,1)`
    independent for every neuron and step:

    * ``method='exact'`` (default), the exact discrete solution, valid for any :math:`h`:
      :math:`I_{k+1} = \mu + (I_k - \mu)e^{-h/\tau} + \sigma\sqrt{1 - e^{-2h/\tau}}\, n_k`;
    * ``method='euler'``, Euler-Maruyama, for comparison only:
      :math:`I_{k+1} = I_k + (\mu - I_k)h/\tau + \sigma\sqrt{2h/\tau}\, n_k`, whose stationary
      variance is :math:`\sigma^2/(1 - h/2\tau)` instead of :math:`\sigma^2`
      (:func:`sfa_helpers.theory.ou_stationary_variance`); unstable for :math:`h > 2\tau`.

    Initial value: the first step (:math:`t = 0`) draws :math:`I_0 = \mu + \sigma n_0` from the
    stationary distribution, so the input is stationary from the start and no transient has to be
    discarded; it is part of the same random stream, so it is reproduced by the seed.

    ``sigma = 0`` gives exactly :math:`I = \mu` at every step, i.e. the same spike times as
    :func:`constant` (``mu``). ``mu``, ``sigma`` and ``tau`` may be arrays (one neuron per
    value).
    """

    def __init__(self, mu, sigma, tau, seed=None, method="exact"):
        given = {"mu": as_quantity("mu", mu, amp),
                 "sigma": as_quantity("sigma", sigma, amp, nonnegative=True),
                 "tau": as_quantity("tau", tau, second, positive=True)}
        if method not in ("exact", "euler"):
            raise ValueError(f"'method' must be 'exact' or 'euler', got {method!r}.")
        self._store(given)
        object.__setattr__(self, "seed", check_seed(seed))
        object.__setattr__(self, "method", method)

    def replace(self, **changes):
        return OrnsteinUhlenbeck(**{"seed": self.seed, "method": self.method, **self._given,
                                    **changes})

    def __eq__(self, other):
        same = super().__eq__(other)
        if same is NotImplemented or not same:
            return same
        return self.seed == other.seed and self.method == other.method

    __hash__ = Stimulus.__hash__

    def spec(self):
        # 'first' is 1 only in the first time step: there the update below becomes a draw from
        # the stationary distribution (decay factor 0), afterwards the chosen update rule.
        first = "int(t < 0.5*dt)"
        if self.method == "exact":
            decay = f"exp(-dt/ou_tau)*(1 - {first})"
            update = ("I_ou = ou_mu + (I_ou - ou_mu)*ou_decay"
                      " + ou_sigma*sqrt(1 - ou_decay**2)*randn()")
        else:
            decay = f"(1 - dt/ou_tau)*(1 - {first})"
            update = ("I_ou = ou_mu + (I_ou - ou_mu)*ou_decay"
                      f" + ou_sigma*(sqrt(2*dt/ou_tau)*(1 - {first}) + {first})*randn()")
        return StimulusSpec(
            current="I_ou",
            parameters={"ou_mu": self.mu, "ou_sigma": self.sigma, "ou_tau": self.tau},
            equations=("I_ou : amp", f"ou_decay = {decay} : 1"),
            states=("I_ou", "ou_decay"),
            initial_values={"I_ou": self.mu},
            regular_code=(update,),
            stochastic=True,
        )


def ou(mu, sigma, tau, seed=None, method="exact") -> OrnsteinUhlenbeck:
    """Ornstein-Uhlenbeck current: mean ``mu`` (amp), stationary SD ``sigma`` (amp), correlation
    time ``tau`` (second); exact update unless ``method='euler'``. See
    :class:`OrnsteinUhlenbeck`."""
    return OrnsteinUhlenbeck(mu, sigma, tau, seed, method)
