"""Per-student variants of sheet 06 (CV, autocorrelation): the seeds of exercises 4, 7 and 8 and
the order of the multiple-choice options follow the student's id, and the answers of one variant
fail in every other.

The answers of each variant are computed here independently of the checks' references: the
switching train with numpy, the adaptation sweep and the plot task's run with Brian2 (through
``simulate``, as the sheet prescribes) and their statistics written out in numpy. The generic
test of tests/test_variants.py grades the worked solution under every variant."""

import importlib

import numpy as np
import pytest
from brian2 import Hz, mV, ms, pA, second

from sfa_helpers.checks import lesson06, variants
from variant_helpers import assert_same_structure, id_of_variant

SHEET = "06"
COUNT = len(lesson06.VARIANTS)


def _id_of_variant(index: int, prefix: str = "student") -> str:
    return id_of_variant("06", index, prefix)


pytestmark = pytest.mark.usefixtures("clean_variants")


# --- (c) the variants keep the structure ----------------------------------------------------

def test_variants_keep_structure():
    """Every variant has the same values, of the same kinds and shapes; variant 0 is the sheet's
    original (seeds 0 + j, 3 and 4), and no two variants share a seed."""
    assert 5 <= COUNT <= 6
    first = lesson06.VARIANTS[0]
    assert first == dict(switch_seed=0, adapt_seed=lesson06.ADAPT_SEED,
                         acg_seed=lesson06.POISSON_ACG["seed"])
    assert_same_structure(lesson06.VARIANTS)
    assert all(isinstance(v, int) for values in lesson06.VARIANTS for v in values.values())
    for key in first:
        assert len({v[key] for v in lesson06.VARIANTS}) == COUNT, key
    # the switching blocks of two variants never share a seed (blocks use seed + 0 ... 19)
    offsets = sorted(v["switch_seed"] for v in lesson06.VARIANTS)
    assert min(np.diff(offsets)) >= lesson06.SWITCH_BLOCKS


def test_a_variants_runs_compile_nothing_new():
    """The seeds are run arguments: the runs of two variants use the same compiled program."""
    from sfa_helpers import engine

    _adaptation_run(lesson06.VARIANTS[0]["adapt_seed"])
    before = set(engine.compiled_keys())
    _adaptation_run(lesson06.VARIANTS[3]["adapt_seed"])
    assert set(engine.compiled_keys()) == before


# --- (a) each variant passes its own answers and fails every other's ------------------------

def _switching_stats(offset):
    """(CV, LV) of exercise 4's train, block j from numpy's gamma with seed offset + j."""
    blocks, t_end = [], 0.0
    for j in range(20):
        rate, n = (5.0, 50) if j % 2 == 0 else (40.0, 400)
        block = np.cumsum(np.random.default_rng(offset + j).gamma(4, 1 / (4 * rate), n)) + t_end
        blocks.append(block)
        t_end = block[-1]
    isi = np.diff(np.concatenate(blocks))
    a, b = isi[:-1], isi[1:]
    return float(isi.std() / isi.mean()), float(3 * np.mean(((a - b) / (a + b)) ** 2))


_RUNS: dict = {}


def _adaptation_run(seed):
    """Exercise 7 with ``seed`` (Brian2, as the sheet prescribes): spike trains in s."""
    if ("adapt", seed) not in _RUNS:
        from sfa_helpers import simulate, stimuli
        from sfa_helpers.models import LIF, AdaptiveThreshold

        model = LIF(**lesson06.NEURON) + AdaptiveThreshold(
            tau_Theta=100 * ms, Delta_Theta=np.array([0.0, 5.0, 10.0]) * mV)
        noise = stimuli.white_noise(np.full(3, 400.0) * pA, np.full(3, 20.0) * pA * second ** 0.5)
        run = simulate(model, noise, 50 * second, dt=0.1 * ms, record=(), seed=seed)
        _RUNS["adapt", seed] = [np.asarray(t / second, dtype=float) for t in run.spike_trains]
    return _RUNS["adapt", seed]


def _adaptation_answers(seed):
    """(rates in Hz, rho_1) of the spikes after 1 s, written out in numpy: the count over 49 s,
    and rho_1 = <(I_i - I)(I_(i+1) - I)> / <(I_i - I)^2> of each train's intervals."""
    rates, rho = [], []
    for t in _adaptation_run(seed):
        t = t[t >= 1.0]
        rates.append(t.size / 49.0)
        isi = np.diff(t)
        dev = isi - isi.mean()
        rho.append(np.mean(dev[:-1] * dev[1:]) / np.mean(dev * dev))
    return np.array(rates) * Hz, np.array(rho)


def _answers(index):
    v = lesson06.VARIANTS[index]
    rates, rho = _adaptation_answers(v["adapt_seed"])
    return {"switch_stats": _switching_stats(v["switch_seed"]), "rates_sfa": rates, "rho1_sfa": rho}


CHECKS = {"switch_stats": lesson06.check_switch_stats,
          "rates_sfa": lesson06.check_adaptation_rates,
          "rho1_sfa": lesson06.check_adaptation_rho1}


@pytest.fixture(scope="module")
def answers():
    return [_answers(i) for i in range(COUNT)]


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_variant_passes_its_own_answers_and_fails_every_other_variants(name, answers):
    for mine in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(mine), quiet=True)
        verdicts = [bool(CHECKS[name](answers[other][name])) for other in range(COUNT)]
        assert verdicts == [other == mine for other in range(COUNT)], (name, mine, verdicts)


def test_every_variants_answers_keep_what_the_sheet_teaches(answers):
    """The hidden tests' claims hold in every variant: the switching train's CV far above one
    block's, its LV near 3/9; rho_1 about 0 without adaptation, negative and falling with it,
    the rate falling as Delta_Theta grows."""
    for index, a in enumerate(answers):
        cv, lv = a["switch_stats"]
        assert cv > 1.0 and abs(lv - 1 / 3) < 0.05, index
        rates, rho = np.asarray(a["rates_sfa"] / Hz), a["rho1_sfa"]
        assert abs(rho[0]) < 0.1 and rho[2] < rho[1] < 0, index
        assert rates[2] < 0.5 * rates[0], index


def test_the_not_the_run_message_names_the_variants_seed(answers):
    variants.sheet_variant(SHEET, _id_of_variant(2), quiet=True)
    typed = np.round(np.asarray(answers[2]["rates_sfa"] / Hz), 1) * Hz
    feedback = lesson06.check_adaptation_rates(typed)
    assert feedback.kind == "not the run"
    assert f"seed={lesson06.VARIANTS[2]['adapt_seed']}" in feedback.message


# --- the plot task: each variant's autocorrelograms --------------------------------------------

def _acg_hz(t, window=0.2, bins=81):
    """Autocorrelogram (Hz) of spike times ``t`` (s): all differences |d| < window of distinct
    spikes, counted by shifting the train (no analysis.autocorrelogram), per spike and bin."""
    d = []
    for k in range(1, t.size):
        step = t[k:] - t[:-k]
        step = step[step < window]
        if not step.size:
            break
        d.extend(step)
    d = np.asarray(d)
    counts = np.histogram(np.concatenate([d, -d]), bins=bins, range=(-window, window))[0]
    b = 2 * window / bins
    return -window + (np.arange(bins) + 0.5) * b, counts / (t.size * b)


def _acg_figure(seed):
    """The plot task of exercise 8 with ``seed``, drawn from an independent computation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sfa_helpers import simulate, stimuli
    from sfa_helpers.models import LIF, AdaptiveThreshold

    model = LIF(**lesson06.NEURON) + AdaptiveThreshold(tau_Theta=100 * ms,
                                                       Delta_Theta=np.array([0.0, 10.0]) * mV)
    noise = stimuli.white_noise(np.full(2, 400.0) * pA, np.full(2, 20.0) * pA * second ** 0.5)
    run = simulate(model, noise, 200 * second, dt=0.1 * ms, record=(), seed=seed)
    fig, axes = plt.subplots(1, 2)
    for k, (ax, train) in enumerate(zip(axes, run.spike_trains)):
        t = np.asarray(train / second, dtype=float)
        t = t[t >= 1.0]
        lags, acg = _acg_hz(t)
        ax.step(lags * 1e3, acg, where="mid", label=f"neuron {k}")
        ax.axhline(t.size / 199.0, ls="--", label="Poisson")
        ax.set_xlabel("lag (ms)")
        ax.set_ylabel("autocorrelogram (Hz)")
        ax.legend()
    return fig


def test_each_variants_figure_passes_its_own_check_only():
    import matplotlib.pyplot as plt

    figures = [_acg_figure(v["acg_seed"]) for v in lesson06.VARIANTS]
    for mine in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(mine), quiet=True)
        verdicts = [bool(lesson06.check_poisson_acg_figure(fig)) for fig in figures]
        assert verdicts == [other == mine for other in range(COUNT)], (mine, verdicts)
    plt.close("all")


# --- (b) multiple choice ----------------------------------------------------------------------

@pytest.mark.parametrize("question", sorted(lesson06.CHOICES))
def test_options_are_shuffled_per_variant_and_checked_in_that_order(question):
    right, options = lesson06.CHOICES[question]
    check = getattr(lesson06, f"check_{question}")
    letters = []
    for index in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(index), quiet=True)
        v = variants.active(SHEET)
        assert v.index == index and sorted(v.order(question)) == sorted(options)
        assert [v.chosen_key(question, v.letter_of(question, k)) for k in options] == list(options)
        letters.append(v.letter_of(question, right))
        assert [bool(check(x)) for x in "abcd"] == [x == letters[-1] for x in "abcd"]
        assert check(letters[-1].upper())
    assert set(letters) == set("abcd")  # the right answer is not always under one letter
    assert variants.Variant(SHEET, 0, None).order(question) == list(options)  # as written


def test_the_sheets_options_are_the_choices_listed():
    """Variant 0 shows the options as the sheet showed them before (b was right in both)."""
    for question in lesson06.CHOICES:
        v = variants.Variant(SHEET, 0, None)
        assert v.letter_of(question, lesson06.CHOICES[question][0]) == "b"
        text = v.choices_markdown(question)
        assert text.count("* **") == 4
    assert "$F(\\infty) < CV^2$" in variants.Variant(SHEET, 0, None).choices_markdown("fano_adaptation")


def test_the_checks_module_lists_its_variants():
    module = importlib.import_module("sfa_helpers.checks.lesson06")
    assert "VARIANTS" in module.__all__ and "CHOICES" in module.__all__
