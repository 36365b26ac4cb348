"""check_figure reads a figure back: units from the axis labels, curves from the drawn data,
the legend; every way a plot task goes wrong gets its own message."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from brian2 import Hz, mV, ms, nA, pA, second, uA, volt  # noqa: E402

from sfa_helpers.checks import Curve, Level, Path, Points, check_figure  # noqa: E402
from sfa_helpers.checks.figures import ONE, axis_unit  # noqa: E402

CURRENTS = np.array([100.0, 250.0, 400.0]) * pA
RATES = np.array([0.0, 12.5, 31.0]) * Hz
LINEAR = Curve("the theory", (0 * pA, 400 * pA), f=lambda i: i / (10 * pA) * Hz)
SPECS = [Points("the simulated rates", CURRENTS, RATES), LINEAR]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _figure(xscale=1 / pA, yscale=1 / Hz, xlabel="current (pA)", ylabel="rate (Hz)", legend=True,
            theory=True, rates=RATES):
    fig, ax = plt.subplots()
    ax.plot(CURRENTS * xscale, rates * yscale, "o", label="simulation")
    if theory:
        i = np.linspace(0, 400, 41) * pA
        ax.plot(i * xscale, (i / (10 * pA) * Hz) * yscale, label="theory")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend()
    return fig


@pytest.mark.parametrize("label, unit", [("rate (Hz)", Hz), ("V [mV]", mV), ("$V$ (mV)", mV),
                                         ("t (s)", second), ("I (µA)", uA),
                                         ("r (1/s)", Hz), ("CV (1)", ONE), ("rate", None),
                                         ("t / ms", ms), ("V (millivolt)", mV), ("t (msec)", ms),
                                         ("x (furlongs)", None)])
def test_axis_units_are_read_from_the_end_of_the_label(label, unit):
    got = axis_unit(label)
    if unit is None or unit is ONE:
        assert got is unit
    else:
        assert float(got) == pytest.approx(float(unit)) and got.dim is unit.dim


def test_a_right_figure_passes_in_any_consistent_units():
    assert check_figure(_figure(), SPECS, legend=True)
    assert check_figure(_figure(1 / nA, 1 / Hz, "I (nA)", "f (1/s)"), SPECS, legend=True)
    assert check_figure(_figure().axes[0], SPECS)  # an Axes is accepted too


@pytest.mark.parametrize("kwargs, kind, words", [
    ({"xlabel": "current"}, "units", "names no unit"),
    ({"ylabel": "rate (ms)"}, "units", "labelled in ms"),
    ({"xlabel": "current (nA)"}, "wrong", "does not show"),          # label and data disagree
    ({"rates": RATES * 1.1}, "wrong", "the simulated rates"),
    ({"theory": False}, "wrong", "the theory"),
    ({"legend": False}, "legend", "legend"),
])
def test_each_mistake_gets_its_message(kwargs, kind, words):
    feedback = check_figure(_figure(**kwargs), SPECS, legend=True, name="fig_fI")
    assert not feedback and feedback.kind == kind and words in feedback.message
    assert "31" not in feedback.message  # no reference value is shown


def test_not_a_figure():
    feedback = check_figure(np.zeros(3), SPECS, name="fig_fI")
    assert feedback.kind == "type" and "plt.subplots" in feedback.message
    assert check_figure(None, SPECS).kind == "missing"


def test_hidden_lines_and_short_curves_do_not_count():
    fig = _figure()
    fig.axes[0].get_lines()[1].set_visible(False)
    assert not check_figure(fig, SPECS)
    fig, ax = plt.subplots()
    ax.plot(CURRENTS / pA, RATES / Hz, "o")
    ax.plot([0, 40], [0, 4])  # only a tenth of the span
    ax.set_xlabel("I (pA)")
    ax.set_ylabel("r (Hz)")
    assert not check_figure(fig, SPECS)


def test_a_trace_given_as_arrays_is_compared_at_the_students_resolution():
    t = np.arange(0, 100, 0.1) * ms
    v = (-70 + 10 * np.sin(t / (10 * ms))) * mV
    spec = [Curve("V(t)", (0 * ms, 99 * ms), x=t, y=v, ytol=0.5 * mV)]
    fig, ax = plt.subplots()
    ax.plot(t[::7] / second, v[::7] / volt)
    ax.set_xlabel("t (s)")
    ax.set_ylabel("V (V)")
    assert check_figure(fig, spec)
    ax.lines[0].set_ydata(ax.lines[0].get_ydata() + 0.002)  # 2 mV off
    assert not check_figure(fig, spec)


def test_scatter_points_count():
    fig, ax = plt.subplots()
    ax.scatter(CURRENTS / pA, RATES / Hz)
    ax.set_xlabel("I (pA)")
    ax.set_ylabel("r (Hz)")
    assert check_figure(fig, SPECS[:1])


def test_a_panel_takes_the_label_of_the_axis_it_shares():
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True)
    top.plot(CURRENTS / pA, RATES / Hz, "o")
    top.set_ylabel("r (Hz)")
    bottom.set_xlabel("I (pA)")
    assert check_figure(fig, SPECS[:1])
    _, (left, right) = plt.subplots(1, 2)  # not shared: the unlabelled axis is a mistake
    left.plot(CURRENTS / pA, RATES / Hz, "o")
    left.set_ylabel("r (Hz)")
    right.set_xlabel("I (pA)")
    assert check_figure(left.figure, SPECS[:1]).kind == "units"


def test_a_carpet_of_points_is_not_a_curve():
    """Scattering many values at each required abscissa (one is bound to be close) fails."""
    fig, ax = plt.subplots()
    x = np.repeat(CURRENTS / pA, 400)
    y = np.tile(np.geomspace(0.01, 100, 400), CURRENTS.size)
    ax.scatter(x, y)
    ax.plot(x, y, ".", alpha=0)
    ax.set_xlabel("I (pA)")
    ax.set_ylabel("r (Hz)")
    assert not check_figure(fig, SPECS[:1])
    fig2, ax2 = plt.subplots()  # the right points drawn fully transparent do not count either
    ax2.plot(CURRENTS / pA, RATES / Hz, "o", alpha=0)
    ax2.set_xlabel("I (pA)")
    ax2.set_ylabel("r (Hz)")
    assert not check_figure(fig2, SPECS[:1])


def test_a_figure_wide_label_counts():
    fig, ax = plt.subplots()
    ax.plot(CURRENTS / pA, RATES / Hz, "o")
    fig.supxlabel("I (pA)")
    fig.supylabel("r (Hz)")
    assert check_figure(fig, SPECS[:1])


# --- Path (a trajectory) and Level (a flat reference line) ------------------------------------

def _circle(n=400, radius=10.0):
    """A closed path in (mV, pA) that is not a function of x."""
    phi = np.linspace(0, 2 * np.pi, n)
    return -60 + radius * np.cos(phi), 50 + 2 * radius * np.sin(phi)


def _on_the_circle(x, y):
    """Independent test of a drawn path (SI numbers): every point within 0.2 mV / 0.4 pA of the
    circle of radius 10 mV / 20 pA around (-60 mV, 50 pA), and the whole circle covered."""
    u, w = (x - (-60e-3)) / 10e-3, (y - 50e-12) / 20e-12
    r = np.hypot(u, w)
    angles = np.sort(np.arctan2(w, u))
    gaps = np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))
    return bool(np.all(np.abs(r - 1) < 0.02) and gaps.max() < 0.2)


PATH = Path("the closed path", volt, pA, _on_the_circle)


@pytest.mark.parametrize("xscale, xlabel", [(1, "u (mV)"), (1e-3, "u (V)")])
def test_a_path_is_read_in_the_units_of_the_labels(xscale, xlabel):
    fig, ax = plt.subplots()
    x, y = _circle()
    ax.plot(x * xscale, y, label="path")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("w (pA)")
    ax.legend()
    assert check_figure(fig, [PATH], legend=True)


def test_a_wrong_or_partial_path_or_wrong_units_fail():
    x, y = _circle()
    for xs, ys, xlabel, kind in ((x + 1, y, "u (mV)", "wrong"),        # shifted by 1 mV
                                 (x[:200], y[:200], "u (mV)", "wrong"),  # half of it
                                 (x, y, "u (ms)", "units")):
        fig, ax = plt.subplots()
        ax.plot(xs, ys)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("w (pA)")
        feedback = check_figure(fig, [PATH])
        assert not feedback and feedback.kind == kind, (xlabel, feedback)
    fig, ax = plt.subplots()
    ax.plot(x, y)
    ax.set_xlabel("u (mV)")
    ax.set_ylabel("w (pA)")
    assert check_figure(fig, [PATH], legend=True).kind == "legend"


RATE_LEVEL = Level("the mean rate", 12 * Hz, (-50 * ms, 50 * ms))


@pytest.mark.parametrize("draw", ["plot", "axhline", "hlines", "plot in s"])
def test_a_level_may_be_a_constant_an_axhline_or_hlines(draw):
    fig, ax = plt.subplots()
    scale = 1e-3 if draw == "plot in s" else 1.0   # the x axis in seconds instead of ms
    lags = np.linspace(-50, 50, 101) * scale
    ax.plot(lags, 12 + np.sin(lags / scale), label="data")
    if draw in ("plot", "plot in s"):
        ax.plot([-50 * scale, 50 * scale], [12, 12])
    elif draw == "axhline":
        ax.axhline(12.2)
    else:
        ax.hlines(11.8, -48, 49)
    ax.set_xlabel("lag (s)" if draw == "plot in s" else "lag (ms)")
    ax.set_ylabel("rate (Hz)")
    assert check_figure(fig, [RATE_LEVEL])


@pytest.mark.parametrize("draw", ["too high", "too short", "sloped", "hidden"])
def test_a_level_at_another_value_short_sloped_or_hidden_fails(draw):
    fig, ax = plt.subplots()
    if draw == "too high":
        ax.axhline(12.5)                      # 4 % off
    elif draw == "too short":
        ax.plot([-50, 30], [12, 12])          # 80 % of the span
    elif draw == "sloped":
        ax.plot([-50, 50], [11.9, 12.1])
    else:
        ax.axhline(12).set_visible(False)
    ax.set_xlabel("lag (ms)")
    ax.set_ylabel("rate (Hz)")
    feedback = check_figure(fig, [RATE_LEVEL])
    assert not feedback and feedback.kind == "wrong"
