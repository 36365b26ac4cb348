"""Per-student variants of sheet 05 (OU noise): each variant's answers pass its own checks and
fail every other variant's, the multiple-choice options move per variant, the stored ISI
references of every variant are what their numpy simulation computes, and the variants change
only seeds and values passed to the compiled programs, never a simulation's structure.

The right answers of every variant come from the course's Brian2 simulations with the variant's
seeds and means, run here as the sheet prescribes them (not from the check module's cached
runs). The end-to-end test (the worked solution graded as one student of each variant through
``sfa-grade``) is the generic one of ``tests/test_variants.py``."""

import ast
import functools
import pathlib
import re

import numpy as np
import pytest
from brian2 import Hz, mV, ms, pA, pF, second

from sfa_helpers import analysis, engine, simulate, stimuli, theory
from sfa_helpers.checks import lesson05, variants
from sfa_helpers.models import LIF, AdaptiveThreshold
from variant_helpers import assert_same_structure, id_of_variant

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHEET = "05"
COUNT = len(lesson05.VARIANTS)
SIGMA = 200 * pA
QUIET = LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=1000 * mV, V_reset=-70 * mV, C_m=250 * pF)
NEURON = (LIF(tau_m=10 * ms, E_L=-70 * mV, V_th=-55 * mV, V_reset=-70 * mV, t_ref=2 * ms,
              C_m=250 * pF)
          + AdaptiveThreshold(tau_Theta=100 * ms, Delta_Theta=2 * mV))
TAUS_PLOT = np.array([0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]) * ms


def _id_of_variant(index: int, prefix: str = "student") -> str:
    return id_of_variant("05", index, prefix)


pytestmark = pytest.mark.usefixtures("clean_variants")


def _ou_run(v):
    taus = np.array([0.5, 2.0, 20.0]) * ms
    return simulate(QUIET, stimuli.ou(np.full(180, 500.0) * pA, SIGMA, np.repeat(taus, 60)),
                    1 * second, dt=0.1 * ms, record=("I_stim", "v"), seed=v.ou_seed)


def _euler_run(v):
    return simulate(QUIET, stimuli.ou(np.full(100, 500.0) * pA, SIGMA, 2 * ms, method="euler"),
                    5 * second, dt=1 * ms, record=("I_stim",), seed=v.euler_seed)


def _isi_run(v):
    mus = np.concatenate([np.full(20, float(v.mu_adapting / pA)),
                          np.repeat(np.asarray(v.mu_grid / pA), 20)]) * pA
    jumps = np.concatenate([np.full(20, 2.0), np.zeros(220)]) * mV
    return simulate(NEURON.replace(Delta_Theta=jumps), stimuli.ou(mus, SIGMA, 2 * ms), 3.5 * second,
                    dt=0.1 * ms, record=(), seed=v.isi_seed)


def _sd_plot_run(v):
    return simulate(QUIET, stimuli.ou(500 * pA, SIGMA, np.repeat(TAUS_PLOT, 20)), 1 * second,
                    dt=0.1 * ms, record=("v",), seed=v.sd_plot_seed)


def _sd_figure(points_mV):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tau = np.logspace(-1, np.log10(200), 100) * ms
    fig, ax = plt.subplots()
    ax.plot(tau / ms, theory.lif_ou_voltage_sd(QUIET, SIGMA, tau) / mV, label="theory")
    ax.plot(TAUS_PLOT / ms, points_mV, "o", label="simulation")
    ax.set_xscale("log")
    ax.set_xlabel("tau (ms)")
    ax.set_ylabel("SD of V (mV)")
    ax.legend()
    return fig


@functools.lru_cache(maxsize=None)
def _answers(index: int) -> dict:
    """The right answers of variant ``index``: the statistics of its prescribed Brian2 runs,
    computed as the worked solution does (SD of the plot task's points in mV)."""
    v = variants.Variant(SHEET, index, None)
    ou = _ou_run(v)
    late = np.asarray(ou.t) >= 0.2
    euler = _euler_run(v)
    isi = _isi_run(v)
    rates = np.asarray(isi.rates(start=0.5 * second) / Hz)
    grid = np.asarray(v.mu_grid / pA)
    plain = rates[20:].reshape(grid.size, 20).mean(axis=1)
    best = int(np.argmin(np.abs(plain - rates[:20].mean())))
    cvs = np.asarray(analysis.cv(isi.spike_trains, start=0.5 * second))
    plot = _sd_plot_run(v)
    steady = np.asarray(plot.t) >= 0.2
    return {
        "sd_by_tau": np.asarray(ou.I_stim / pA).reshape(3, 60, -1).std(axis=(1, 2)) * pA,
        "sd_v": np.asarray(ou.v / mV)[:, late].reshape(3, 60, -1).std(axis=(1, 2)) * mV,
        "var_euler": np.var(np.asarray(euler.I_stim / pA)) * pA ** 2,
        "mu_matched": v.mu_grid[best],
        "cv_pair": (cvs[:20].mean(), cvs[20 + 20 * best:40 + 20 * best].mean()),
        "sd_plot": np.asarray(plot.v / mV)[:, steady].reshape(9, 20, -1).std(axis=(1, 2)),
    }


CHECKS = {"sd_by_tau": lesson05.check_ou_sd_by_tau,
          "sd_v": lesson05.check_ou_membrane_sd,
          "var_euler": lesson05.check_ou_euler_variance,
          "mu_matched": lesson05.check_ou_mu_matched,
          "cv_pair": lesson05.check_ou_cv_pair}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_variant_passes_its_own_answers_and_fails_every_other_variants(name):
    answers = [_answers(i)[name] for i in range(COUNT)]
    for mine in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(mine), quiet=True)
        verdicts = [bool(CHECKS[name](answers[other])) for other in range(COUNT)]
        assert verdicts == [other == mine for other in range(COUNT)], (name, mine, verdicts)


def test_each_variants_plot_passes_its_own_check_and_fails_every_other_variants():
    """The plot task's points are the statistics of the variant's seeded run: a figure drawn
    from another variant's run (a copied figure, or its numbers) fails."""
    import matplotlib.pyplot as plt

    figures = [_sd_figure(_answers(i)["sd_plot"]) for i in range(COUNT)]
    for mine in range(COUNT):
        variants.sheet_variant(SHEET, _id_of_variant(mine), quiet=True)
        verdicts = [bool(lesson05.check_ou_sd_figure(fig)) for fig in figures]
        assert verdicts == [other == mine for other in range(COUNT)], (mine, verdicts)
    plt.close("all")


def test_the_given_membrane_run_is_the_variants_exercise_2_run():
    """Exercise 3's locked cell gives the run of the active variant's seed."""
    for index in (0, 3):
        variants.sheet_variant(SHEET, _id_of_variant(index), quiet=True)
        given = lesson05.ou_membrane_run()
        assert np.array_equal(np.asarray(given.v), np.asarray(_ou_run(variants.active(SHEET)).v))


def test_variant_0_is_the_sheets_original_numbers():
    v = variants.Variant(SHEET, 0, None)
    assert (v.ou_seed, v.euler_seed, v.isi_seed, v.sd_plot_seed) == (
        lesson05.OU_SEED, lesson05.EULER_SEED, lesson05.OU_SEED, lesson05.SD_PLOT_SEED)
    assert float(v.mu_adapting) == float(lesson05.ISI["mu_adapting"])
    assert np.allclose(np.asarray(v.mu_grid), np.asarray(lesson05.ISI["mu_grid"]), rtol=1e-12)
    assert lesson05.ISI_REFERENCES[500.0] is lesson05.ISI_REFERENCE


@pytest.mark.parametrize("mu", sorted(k for k in lesson05.ISI_REFERENCES if k != 500.0))
def test_the_stored_isi_references_of_the_variants_are_reproducible(mu):
    """Each variant's stored reference is what the numpy simulation computes (variant 0's is
    recomputed in tests/test_checks_lesson05.py)."""
    fresh = lesson05.isi_reference(mu_adapting=mu * 1e-12, ref_mus=lesson05.REF_MUS_OF[mu])
    for stored, new in zip(lesson05.ISI_REFERENCES[mu], fresh):
        assert np.allclose(stored, new, rtol=1e-9, atol=1e-12)


def _hidden_windows() -> dict:
    """The hidden test's window for mu_matched per adaptive mean (pA), read from the sheet."""
    source = (ROOT / "solutions" / "src" / "05_ou_noise.py").read_text()
    found = re.search(r"window_h = (\{.*?\})\[", source, re.S)
    return ast.literal_eval(found.group(1))


def test_every_variants_grid_and_references_fit_what_the_sheet_asks():
    """For every variant: the adaptive mean has its stored reference; the matched mean lies well
    inside the variant's grid and between the reference means; the visible check's theory
    window admits the same grid values as the hidden test's window; the matched means of the
    variants lie further apart than the window's half-width, and the CVs of the reference fit
    the hidden test's bounds."""
    windows = _hidden_windows()
    stars = []
    for index in range(COUNT):
        v = variants.Variant(SHEET, index, None)
        mu = lesson05._mu_key(v.mu_adapting)
        assert mu in lesson05.ISI_REFERENCES and mu in lesson05.REF_MUS_OF
        mu_star, mu_tol, cvs, cv_tol = lesson05._matched(v.mu_adapting)
        grid = np.asarray(v.mu_grid, dtype=float)
        assert grid.size == 11 and np.allclose(np.diff(grid), 10e-12)
        assert grid[2] < mu_star - mu_tol and mu_star + mu_tol < grid[-3]
        ref_mus = lesson05.REF_MUS_OF[mu]
        assert ref_mus[1] < mu_star < ref_mus[2]
        lo, hi = windows[int(round(mu))]
        visible = {round(g * 1e12) for g in grid if abs(g - mu_star) <= mu_tol}
        hidden = {round(g * 1e12) for g in grid if lo <= g * 1e12 <= hi}
        assert visible == hidden, (index, visible, hidden)
        assert 0.2 < cvs[0] - cv_tol[0] and cvs[0] < cvs[1] and cvs[1] + cv_tol[1] < 0.9
        stars.append(mu_star)
    assert np.min(np.diff(np.sort(stars))) > 15e-12


def test_the_variants_seeds_differ():
    for key in ("ou_seed", "euler_seed", "isi_seed", "sd_plot_seed"):
        assert len({v[key] for v in lesson05.VARIANTS}) == COUNT, key


@pytest.mark.parametrize("question", sorted(lesson05.CHOICES))
def test_options_are_shuffled_per_variant_and_checked_in_that_order(question):
    right, options = lesson05.CHOICES[question]
    check = {"sd_meaning": lesson05.check_ou_sd_meaning, "slow_input": lesson05.check_ou_slow_input,
             "more_regular": lesson05.check_ou_more_regular}[question]
    letters = []
    for index in range(COUNT):
        v = variants.Variant(SHEET, index, None)
        assert sorted(v.order(question)) == sorted(options)
        assert [v.chosen_key(question, v.letter_of(question, k)) for k in options] == list(options)
        letters.append(v.letter_of(question, right))
        variants._ACTIVE[SHEET] = v
        assert [bool(check(x)) for x in "abcd"] == [x == letters[-1] for x in "abcd"]
    assert set(letters) == set("abcd")  # the right answer is not always under one letter
    assert variants.Variant(SHEET, 0, None).order(question) == list(options)  # as written
    assert letters[0] == {"sd_meaning": "c", "slow_input": "d", "more_regular": "a"}[question]


def test_variants_keep_the_structure_of_every_value():
    """Every variant has the same values, with the same shapes and units, as variant 0."""
    assert_same_structure(lesson05.VARIANTS)


def test_variants_run_on_the_programs_compiled_for_variant_0():
    """The runs of every variant use the programs compiled for variant 0 (new seeds and means
    are run arguments): grading a class compiles nothing per student."""
    v0 = variants.Variant(SHEET, 0, None)
    for run in (_ou_run, _euler_run, _isi_run, _sd_plot_run):
        run(v0)
    before = set(engine.compiled_keys())
    for index in range(1, COUNT):
        v = variants.Variant(SHEET, index, None)
        for run in (_ou_run, _euler_run, _isi_run, _sd_plot_run):
            run(v)
    assert set(engine.compiled_keys()) == before


def test_the_not_the_run_messages_name_the_variants_seeds():
    """A number typed in from a print fails as 'not the run', naming the variant's own seed."""
    index = 2
    v = variants.Variant(SHEET, index, None)
    variants.sheet_variant(SHEET, _id_of_variant(index), quiet=True)
    answers = _answers(index)
    for check, typed, seed in (
            (lesson05.check_ou_sd_by_tau, np.round(np.asarray(answers["sd_by_tau"] / pA), 1) * pA,
             v.ou_seed),
            (lesson05.check_ou_euler_variance, round(float(answers["var_euler"] / pA ** 2), -1) * pA ** 2,
             v.euler_seed),
            (lesson05.check_ou_cv_pair, tuple(round(c, 2) for c in answers["cv_pair"]), v.isi_seed)):
        feedback = check(typed)
        assert feedback.kind == "not the run" and f"seed={seed}" in feedback.message, feedback.message
