"""Every exercise sheet through the grader: the worked solution gets full marks, the untouched
student version zero, with a 'not done yet' note on every exercise, and answers that take no
work zero on their exercise (one batch per sheet)."""

import pathlib
import shutil

import nbformat
import pytest

from sfa_helpers.grading import cli, runner, sheets

ROOT = pathlib.Path(__file__).resolve().parents[1]
LIMITS = runner.Limits(cell_timeout=60, notebook_timeout=300)

SHEETS = sorted((ROOT / "solutions").glob("*.ipynb"))

#: Answers that take no work (issue 17): a theory value where a simulation's statistic is asked,
#: the value printed in a locked cell. Each replaces one answer cell of the worked solution,
#: and must score zero on that exercise (the sheet's other exercises keep their points).
NO_WORK = {
    "05": {"sd_by_tau": "taus = np.array([0.5, 2.0, 20.0]) * ms\nsd_by_tau = [200] * 3 * pA",
           "sd_v": "sd_v = theory.lif_ou_voltage_sd(QUIET, SIGMA, taus)",
           "var_euler": "var_euler = theory.ou_stationary_variance(SIGMA, 2 * ms, dt=1 * ms, "
                        "method='euler')"},
    "06": {"switch_stats": "switch_stats = (0.5, 1 / 3)",
           "adaptation_sweep": "rates_sfa = np.array([57.0, 18.8, 12.6]) * Hz\n"
                               "rho1_sfa = np.array([0.0, -0.18, -0.3])"},
    "07": {"theta_fit": "theta_0_hat = srm.theta_0",
           "bits_sine": "bits_sine = 0.188  # as the worked solution prints it for this student",
           # the true resistance typed in instead of the least-squares fit (the regressor is kept,
           # so the plot task that follows still has what it needs)
           "resistance_fit": "a_rec = float(np.exp(-dt_rec / membrane.tau_m))\n"
                             "x_reg = lfilter([0, 1 - a_rec], [1, -a_rec], np.asarray(I_rec / pA)) * pA\n"
                             "R_hat = membrane.R"},
}


def _no_work(sheet: pathlib.Path, answers: dict):
    nb = nbformat.read(sheet, as_version=4)
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers.pop(gid)
    assert not answers, f"no answer cell {sorted(answers)} in {sheet.name}"
    return nb


@pytest.mark.parametrize("sheet", SHEETS, ids=[s.stem[:2] for s in SHEETS])
def test_every_sheet_grades_its_solution_full_and_its_exercise_zero(sheet, tmp_path):
    """For each sheet, the grader gives the worked solution every point and the untouched student
    version none, with a 'not done yet' note on every exercise and no other note."""
    submissions = tmp_path / "subs"
    submissions.mkdir()
    shutil.copy(sheet, submissions / "solution.ipynb")
    shutil.copy(ROOT / "exercises" / sheet.name, submissions / "untouched.ipynb")
    no_work = NO_WORK.get(sheet.stem[:2], {})
    if no_work:
        nbformat.write(_no_work(sheet, dict(no_work)), submissions / "no_work.ipynb")
    results = {r.student: r for r in cli.run_batch(submissions, sheet, tmp_path / "g.csv", jobs=2,
                                                   limits=LIMITS, progress=False)}
    exercises = sheets.validate(nbformat.read(sheet, as_version=4))
    expected_max = sum(e.points for e in exercises if not e.manual)
    solution, untouched = results["solution"], results["untouched"]
    assert solution.total == solution.max_automatic == expected_max, cli.feedback_text(solution)
    # the model answers of the written tasks are collected for grading by hand, unscored
    assert [e.exercise for e in solution.exercises if e.awaits_grading] == [
        e.name for e in exercises if e.manual]
    assert not solution.notes
    assert untouched.total == 0 and not untouched.notes, cli.feedback_text(untouched)
    assert all("not done yet" in e.feedback for e in untouched.exercises), cli.feedback_text(untouched)
    if no_work:
        got = {e.exercise: e.points for e in results["no_work"].exercises}
        want = {e.exercise: 0 if e.exercise in no_work or e.manual else e.max_points
                for e in results["no_work"].exercises}
        assert got == want, cli.feedback_text(results["no_work"])
