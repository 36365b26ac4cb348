"""Per-student variants of sheet 07 (escape noise, GLM likelihood): the parameters of exercises 1
and 3, the seeds of exercises 4, 5 and 7, the modulation depth of exercise 5, the membrane's
resistance of exercise 7 and the order of the multiple-choice options follow the student's id,
and the answers of one variant fail in every other.

The answers of each variant are computed here independently of the checks' references: the
kernel and the survivor function on fine grids in numpy, the GLM fit and the passive recording
with Brian2 (through ``simulate``, as the sheet prescribes) and numpy's least squares, the sine
train and its likelihood gain in numpy. The generic test of tests/test_variants.py grades the
worked solution under every variant."""

import math

import numpy as np
import pytest
import scipy.signal
from brian2 import Hz, Mohm, mV, ms, pA, second, volt

from sfa_helpers.checks import lesson07, variants
from variant_helpers import assert_same_structure, id_of_variant

SHEET = "07"
COUNT = len(lesson07.VARIANTS)


def _id_of_variant(index: int, prefix: str = "student") -> str:
    return id_of_variant("07", index, prefix)


pytestmark = pytest.mark.usefixtures("clean_variants")


# --- (c) the variants keep the structure ----------------------------------------------------

def test_variants_keep_structure():
    """Every variant has the same values, of the same kinds, units and shapes; variant 0 is the
    sheet's original; no two variants share a value that gives an answer."""
    assert 5 <= COUNT <= 6
    first = lesson07.VARIANTS[0]
    assert first["tau_w"] == lesson07.ETA_PARAMS["tau_w"] and first["b"] == lesson07.ETA_PARAMS["b"]
    assert first["rho_0"] == lesson07.HAZARD_PARAMS["rho_0"]
    assert first["tau_r"] == lesson07.HAZARD_PARAMS["tau_r"]
    assert first["srm_seed"] == lesson07.SRM_DATA["seed"]
    assert (first["sine_seed"], first["sine_depth"]) == (lesson07.SINE_PARAMS["seed"],
                                                         lesson07.SINE_PARAMS["depth"])
    assert first["passive_seed"] == lesson07.PASSIVE_DATA["seed"]
    assert first["passive_R"] == lesson07.PASSIVE["R"]
    assert_same_structure(lesson07.VARIANTS)
    for values in lesson07.VARIANTS:
        assert values["tau_w"] > lesson07.ETA_PARAMS["tau_m"]      # eta has a dip
        assert 0 < values["sine_depth"] < 1                        # a rate, never negative
    for key in first:
        assert len({float(v[key]) for v in lesson07.VARIANTS}) == COUNT, key


def test_a_variants_runs_compile_nothing_new():
    """Seeds, the resistance and the values of the recorded current are run arguments: the runs
    of two variants use the same compiled programs."""
    from sfa_helpers import engine

    _passive_recording(lesson07.VARIANTS[0])
    before = set(engine.compiled_keys())
    _passive_recording(lesson07.VARIANTS[4])
    assert set(engine.compiled_keys()) == before


# --- independent answers ----------------------------------------------------------------------

def _eta_answers(v):
    """(s_peak, eta_min) of eta on a 0.1 us grid (numpy), tau_m = 10 ms, R = 100 MOhm."""
    tau_m, tau_w, Rb = 0.01, float(v["tau_w"]), 1e8 * float(v["b"])
    s = np.arange(1, 1_000_001) * 1e-7                       # up to 100 ms
    eta = -Rb * tau_w / (tau_w - tau_m) * (np.exp(-s / tau_w) - np.exp(-s / tau_m))
    k = int(np.argmin(eta))
    return s[k] * second, eta[k] * volt


def _hazard_answers(v):
    """(S(50 ms), mean ISI) from the interval density rho(t) S(t) on a 1 us grid."""
    rho_0, tau_r = float(v["rho_0"]), float(v["tau_r"])
    t = np.arange(1, 3_000_001) * 1e-6
    rho = rho_0 * (1 - np.exp(-t / tau_r))
    S = np.exp(-np.cumsum(rho) * 1e-6)
    return float(S[49_999]), float(np.sum(t * rho * S) * 1e-6) * second


def _threshold_answer(v):
    """Exercise 4 as the sheet prescribes it, written out: Brian2 run and Bernoulli GLM."""
    from sfa_helpers import glm, simulate, stimuli
    from sfa_helpers.models import EscapeSRM

    srm = EscapeSRM(**lesson07.SRM_PARAMS)
    dt, duration = 0.5 * ms, 120 * second
    a = math.exp(-float(dt / (3 * ms)))
    xi = np.random.default_rng(0).standard_normal(int(round(float(duration / dt))))
    current = 100 * pA + 150 * pA * scipy.signal.lfilter([math.sqrt(1 - a ** 2)], [1, -a], xi)
    spikes = simulate(srm, stimuli.from_array(current, dt), duration, dt=dt, record=(),
                      seed=v["srm_seed"]).spike_trains[0]
    design = glm.design_matrix(current, spikes, dt,
                               stimulus_basis=glm.RaisedCosineBasis(8, 60 * ms, dt, stretch=5 * ms),
                               history_basis=glm.RaisedCosineBasis(8, 200 * ms, dt, first_lag=dt,
                                                                   stretch=5 * ms),
                               history_window=200 * ms)
    fit = glm.fit_glm(design, likelihood="bernoulli")
    return srm.u_rest - srm.Delta_u * (fit.bias + math.log(float(srm.tau_0 / second)))


def _sine_answer(v):
    """Bits per spike of exercise 5's train (thinning, as the sheet's locked cell), from the
    log-likelihoods on the 1 ms grid written out in numpy."""
    depth = float(v["sine_depth"])
    rng = np.random.default_rng(v["sine_seed"])
    cand = np.sort(rng.uniform(0, 500.0, rng.poisson(20.0 * (1 + depth) * 500.0)))
    accept = (1 + depth * np.sin(2 * np.pi * 2.0 * cand)) / (1 + depth)
    t = cand[rng.uniform(size=cand.size) < accept]
    grid = np.arange(500_000) * 1e-3
    rate = 20.0 * (1 + depth * np.sin(2 * np.pi * 2.0 * grid))
    bins = np.floor(t / 1e-3 + 1e-9).astype(int)
    gain = (np.sum(np.log(rate[bins])) - 1e-3 * rate.sum()) - (t.size * np.log(20.0) - 20.0 * 500.0)
    return float(gain / (t.size * np.log(2))), t.size


def _passive_recording(v):
    """Exercise 7's recording as the sheet's locked cell makes it (Brian2): (t, I, v)."""
    from sfa_helpers import simulate, stimuli
    from sfa_helpers.models import LIF

    membrane = LIF(tau_m=20 * ms, E_L=-65 * mV, V_th=0 * mV, V_reset=-65 * mV, R=v["passive_R"])
    rng = np.random.default_rng(v["passive_seed"])
    current = np.repeat(rng.uniform(-100, 200, 20), 250) * pA
    rec = simulate(membrane, stimuli.from_array(current, 0.1 * ms), 500 * ms, dt=0.1 * ms,
                   record=("v",))
    return rec.t, current, rec.v[0] + rng.normal(0, 1.0, current.size) * mV


def _resistance_answer(recording):
    """numpy's least squares of v - E_L on the filtered current (MOhm = mV / nA)."""
    _, current, v = recording
    a = math.exp(-0.1 / 20)
    x = scipy.signal.lfilter([0, 1 - a], [1, -a], np.asarray(current / pA, dtype=float))
    R = np.linalg.lstsq(x[:, None], np.asarray(v / mV, dtype=float) + 65.0, rcond=None)[0][0]
    return R * 1e3 * Mohm, x


def _answers(index):
    v = lesson07.VARIANTS[index]
    s_peak, eta_min = _eta_answers(v)
    S_50ms, mean_isi = _hazard_answers(v)
    recording = _passive_recording(v)
    R_hat, _ = _resistance_answer(recording)
    bits, spikes = _sine_answer(v)
    return {"s_peak": s_peak, "eta_min": eta_min, "S_50ms": S_50ms, "mean_isi": mean_isi,
            "theta_0_hat": _threshold_answer(v), "bits_sine": bits, "R_hat": R_hat,
            "recording": recording, "sine_spikes": spikes}


CHECKS = {"s_peak": lesson07.check_eta_peak_time, "eta_min": lesson07.check_eta_minimum,
          "S_50ms": lesson07.check_survivor_50ms, "mean_isi": lesson07.check_mean_isi_hazard,
          "theta_0_hat": lesson07.check_threshold_fit,
          "bits_sine": lesson07.check_bits_per_spike_sine,
          "R_hat": lesson07.check_resistance_fit}


@pytest.fixture(scope="module")
def answers():
    return [_answers(i) for i in range(COUNT)]


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_variant_passes_its_own_answers_and_fails_every_other_variants(name, answers):
    for mine in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(mine), quiet=True)
        verdicts = [bool(CHECKS[name](answers[other][name])) for other in range(COUNT)]
        assert verdicts == [other == mine for other in range(COUNT)], (name, mine, verdicts)


def test_every_variants_answers_keep_what_the_hidden_tests_claim(answers):
    """In every variant the GLM fit recovers the threshold within 0.75 mV, the gain per spike is
    within 5 standard errors of its expectation (about 10000 spikes; the depth of the
    modulation varies, so a fixed relative tolerance would be 1 SE for some variants and 2 for
    others), and the fitted R is off the true R by more than rounding."""
    from scipy.integrate import quad

    for index, a in enumerate(answers):
        v = lesson07.VARIANTS[index]
        assert abs(float(a["theta_0_hat"] / mV) + 50) < 0.75, index
        m = float(v["sine_depth"])
        g1, g2 = (quad(lambda x: (1 + m * np.sin(x)) * np.log2(1 + m * np.sin(x)) ** k, 0,
                       2 * np.pi)[0] / (2 * np.pi) for k in (1, 2))
        assert abs(a["bits_sine"] - g1) < 5 * np.sqrt((g2 - g1 ** 2) / a["sine_spikes"]), index
        R, R_true = float(a["R_hat"] / Mohm), float(v["passive_R"] / Mohm)
        assert 1e-3 < abs(R - R_true) < 0.01 * R_true, index


def test_the_not_the_fit_messages_follow_the_variant(answers):
    variants.sheet_variant(SHEET, _id_of_variant(3), quiet=True)
    feedback = lesson07.check_threshold_fit(-50 * mV)
    assert feedback.kind == "not the fit" and f"seed={lesson07.VARIANTS[3]['srm_seed']}" in feedback.message
    feedback = lesson07.check_resistance_fit(lesson07.VARIANTS[3]["passive_R"])   # the true R
    assert feedback.kind == "not the fit"


def _passive_figure(recording, R_hat):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t, current, v = recording
    _, x = _resistance_answer(recording)
    fig, ax = plt.subplots()
    ax.plot(t / ms, v / mV, label="recording")
    ax.plot(t / ms, (-65 * mV + R_hat * x * pA) / mV, label="fit")
    ax.set_xlabel("t (ms)")
    ax.set_ylabel("V (mV)")
    ax.legend()
    return fig


def test_each_variants_figure_passes_its_own_check_only(answers):
    import matplotlib.pyplot as plt

    figures = [_passive_figure(a["recording"], a["R_hat"]) for a in answers]
    for mine in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(mine), quiet=True)
        verdicts = [bool(lesson07.check_passive_fit_figure(fig, answers[other]["R_hat"]))
                    for other, fig in enumerate(figures)]
        assert verdicts == [other == mine for other in range(COUNT)], (mine, verdicts)
        # without the student's R_hat the reference fit alone decides
        assert lesson07.check_passive_fit_figure(figures[mine])
    plt.close("all")


def test_the_bits_check_follows_the_students_own_log_likelihood_in_every_variant(answers):
    """A wrong log_likelihood (no integral term) used on the variant's train counts in that
    variant only."""
    def ll_no_integral(spikes, rate, dt):
        t = np.asarray(spikes / second)
        r = np.asarray(rate / Hz)
        return float(np.sum(np.log(r[np.floor(t / float(dt / second) + 1e-9).astype(int)])))

    own = []
    for v in lesson07.VARIANTS:
        t = lesson07.sine_train(v["sine_seed"], v["sine_depth"]) * second
        grid = np.arange(500_000) * 1e-3
        rate = 20.0 * (1 + v["sine_depth"] * np.sin(2 * np.pi * 2.0 * grid)) * Hz
        flat = np.full(grid.size, 20.0) * Hz
        own.append((ll_no_integral(t, rate, 1 * ms) - ll_no_integral(t, flat, 1 * ms))
                   / (t.size * math.log(2)))
    for mine in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(mine), quiet=True)
        verdicts = [bool(lesson07.check_bits_per_spike_sine(x, ll_no_integral)) for x in own]
        assert verdicts == [other == mine for other in range(COUNT)], (mine, verdicts)


# --- (b) multiple choice ----------------------------------------------------------------------

@pytest.mark.parametrize("question", sorted(lesson07.CHOICES))
def test_options_are_shuffled_per_variant_and_checked_in_that_order(question):
    right, options = lesson07.CHOICES[question]
    check = getattr(lesson07, f"check_{question}")
    letters = []
    for index in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(index), quiet=True)
        v = variants.active(SHEET)
        assert v.index == index and sorted(v.order(question)) == sorted(options)
        assert [v.chosen_key(question, v.letter_of(question, k)) for k in options] == list(options)
        letters.append(v.letter_of(question, right))
        assert [bool(check(x)) for x in "abcd"] == [x == letters[-1] for x in "abcd"]
        assert check(f" {letters[-1].upper()} ")
    assert set(letters) == set("abcd")  # the right answer is not always under one letter
    assert variants.Variant(SHEET, 0, None).order(question) == list(options)  # as written


def test_variant_0_shows_the_options_as_the_sheet_did():
    v = variants.Variant(SHEET, 0, None)
    assert v.letter_of("eta_limit", "alpha") == "a" and v.letter_of("identifiable", "ratios") == "b"
    text = v.choices_markdown("eta_limit")
    assert "* **a** $\\eta(s) = -R b\\, \\dfrac{s}{\\tau_m}\\, e^{-s/\\tau_m}$" in text
