"""Write the crafted submissions of sheet 01 that tests/test_grading.py grades.

Each submission starts from the instructor sheet (all answers right: every automatic point, 17;
its written answer, worth 2 more, is graded by hand and scores 0 here) or from the student sheet
(nothing done, 0 points) and breaks one thing. ``expected.json`` lists the exact
score of every exercise and a phrase the feedback must contain. Re-run after changing sheet 01:

    python tests/grading_fixtures/make_fixtures.py
"""

from __future__ import annotations

import json
import pathlib
import random

import nbformat

from sfa_helpers.checks import lesson01, variants

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHEET = "01_lif_basics"
FULL = {"rheobase_formula": 1, "rheobase_sim": 2, "window_rate": 2, "reset_rates": 2,
        "reset_limit": 1, "spikes_halves": 2, "ramp_current": 2, "ramp_lag": 1, "lif_written": 2,
        "four_steps": 2, "reset_written": 0}


def solved():
    return nbformat.read(ROOT / "solutions" / f"{SHEET}.ipynb", as_version=4)


def blank():
    return nbformat.read(ROOT / "exercises" / f"{SHEET}.ipynb", as_version=4)


def cell(nb, gid):
    return next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid)


def set_source(nb, gid, source):
    cell(nb, gid).source = source


def letter(student: str, question: str, right: bool = True) -> str:
    """The letter of the right (or of a wrong) option of a multiple-choice question in the
    variant of ``student`` (the file name is the id the grader gives the kernel)."""
    count = len(lesson01.VARIANTS)
    variant = variants.Variant("01", variants.variant_index("01", student, count), student)
    key = lesson01.CHOICES[question][0]
    if not right:
        key = next(k for k in variant.order(question) if k != key)
    return variant.letter_of(question, key)


def scores(**changes):
    out = dict(FULL)
    out.update(changes)
    return out


def build():
    subs, expected = {}, {}

    def add(name, nb_or_text, points, notes=()):
        subs[name] = nb_or_text
        expected[name] = {"points": points, "notes": list(notes)}

    add("full_marks", solved(), scores())
    add("untouched", blank(), {k: 0 for k in FULL}, ["not done yet"])

    nb = blank()
    set_source(nb, "rheobase_formula", "I_th = (neuron_B.V_th - neuron_B.E_L) / neuron_B.R")
    set_source(nb, "window_rate", cell(solved(), "window_rate").source)
    set_source(nb, "reset_limit", f'reset_limit = "{letter("partial", "reset_limit", right=False)}"')
    add("partial", nb, {**{k: 0 for k in FULL}, "rheobase_formula": 1, "window_rate": 2},
        ["reset_limit is not right"])

    nb = blank()
    set_source(nb, "rheobase_formula", "I_th = 4  # nA")
    set_source(nb, "ramp_lag", f'ramp_lag = "{letter("wrong_units", "ramp_lag")}"')
    set_source(nb, "ramp_current", "I_ramp_first_spike = 1.56  # forgot the unit")
    add("wrong_units", nb, {**{k: 0 for k in FULL}, "ramp_lag": 1},
        ["plain number without units", "expected a current"])

    nb = blank()
    set_source(nb, "rheobase_formula", "I_th = (neuron_B.V_th - neuron_B.E_L) / neuron_B.R * 1000")
    set_source(nb, "reset_limit", f'reset_limit = "{letter("factor_1000", "reset_limit").upper()}"')
    add("factor_1000", nb, {**{k: 0 for k in FULL}, "reset_limit": 1}, ["factor of 10^3"])

    nb = solved()
    set_source(nb, "rheobase_formula", "I_th = (neuron_B.V_th - neuron_B.E_L / neuron_B.R")
    add("syntax_error", nb, scores(rheobase_formula=0), ["SyntaxError"])

    nb = solved()
    set_source(nb, "lif_written", 'lif_equations = "dv/dt = (g_L*(E_L - v) + I_total/C_m : volt"\n'
                                  'lif_threshold = "v > V_th"\nlif_reset = "v = V_reset"')
    add("brian2_syntax_error", nb, scores(lif_written=0), ["Brian2 cannot read", "never closed"])

    nb = solved()
    set_source(nb, "lif_written", 'lif_equations = "dv/dt = g_L*(E_L - v) + I_total/C_m : volt"\n'
                                  'lif_threshold = "v > V_th"\nlif_reset = "v = V_reset"')
    add("brian2_unit_error", nb, scores(lif_written=0), ["inconsistent units"])

    nb = solved()
    set_source(nb, "rheobase_sim", "I_th_sim = 1 / 0")
    add("exception", nb, scores(rheobase_sim=0), ["ZeroDivisionError"])

    nb = solved()
    set_source(nb, "spikes_halves", "while True:\n    pass")
    add("infinite_loop", nb, scores(spikes_halves=0), ["cell time limit"])

    nb = solved()
    set_source(nb, "reset_rates", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    add("killed_kernel", nb, scores(reset_rates=0), ["killed the kernel", "flagged for manual review"])

    nb = solved()
    set_source(nb, "rheobase_formula", "big = bytearray(16 * 1024 ** 3)\n"
                                       "I_th = (neuron_B.V_th - neuron_B.E_L) / neuron_B.R")
    add("memory_hog", nb, scores(rheobase_formula=0), ["MemoryError"])

    nb = solved()
    nb.cells = [c for c in nb.cells
                if not c.get("metadata", {}).get("nbgrader", {}).get("grade")
                and c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "ramp_current"]
    add("deleted_cells", nb, scores(ramp_current=0), ["missing from the submission"])

    nb = solved()
    random.Random(7).shuffle(nb.cells)
    add("reordered", nb, scores())

    nb = solved()
    set_source(nb, "rheobase_formula", "I_threshold = (neuron_B.V_th - neuron_B.E_L) / neuron_B.R")
    add("renamed_variable", nb, scores(rheobase_formula=0), ["I_th is not defined"])

    nb = solved()
    nb.cells.insert(3, nbformat.v4.new_code_cell("print('x' * 20_000_000)"))
    nb.cells.append(nbformat.v4.new_code_cell("for k in range(200000):\n    print(k)"))
    add("gigantic_output", nb, scores(), ["output was cut short"])

    # a correct function that prints a lot each time the tests call it: the tests' completion
    # line, printed last, must survive the output cap
    nb = solved()
    window = cell(nb, "window_rate")
    window.source = window.source.replace("def window_rate(train):\n",
                                          "def window_rate(train):\n    print('debug ' * 40_000)\n", 1)
    assert "debug" in window.source
    add("debug_prints", nb, scores(), ["output was cut short"])

    nb = solved()
    helper = nbformat.v4.new_code_cell("def rheobase(model):\n    return (model.V_th - model.E_L) / model.R")
    set_source(nb, "rheobase_formula", "I_th = rheobase(neuron_B)")
    index = nb.cells.index(cell(nb, "parameters"))
    nb.cells.insert(index + 1, helper)
    add("extra_helper_cell", nb, scores())

    nb = blank()
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)"))
    add("swallows_errors", nb, {k: 0 for k in FULL}, ["flagged for manual review",
                                                      "did not finish"])

    # Attacks (issue 18), graded in the sandbox: each is flagged, and none reaches a file or a
    # process outside its own working directory.
    nb = blank()
    nb.cells.insert(nb.cells.index(cell(nb, "parameters")) + 1, nbformat.v4.new_code_cell(
        "import json, pathlib, sfa_helpers\n"
        "sheet = pathlib.Path(sfa_helpers.__file__).parents[1] / 'solutions' / '01_lif_basics.ipynb'\n"
        "for c in json.loads(open(sheet).read())['cells']:\n"
        "    if c.get('metadata', {}).get('nbgrader', {}).get('solution'):\n"
        "        exec(''.join(c['source']), globals())"))
    # the sandbox has no solutions/ (without it, this scored the first two exercises)
    add("reads_instructor_sheet", nb, {k: 0 for k in FULL}, ["flagged for manual review: the code uses exec",
                                                 "flagged for manual review: the code uses open"])
    nb = blank()
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import re\n"
        "def _only_token(lines):\n"
        "    found = re.search(r\"print\\('sfa-grade-ok-[0-9a-f]+'\\)\", ''.join(lines))\n"
        "    return [found.group(0) + '\\n'] if found else lines\n"
        "get_ipython().input_transformers_post.append(_only_token)"))
    add("hooks_transform_cell", nb, scores(), ["flagged for manual review: the code uses get_ipython"])
    nb = solved()
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import subprocess\n"
        "subprocess.Popen(['sleep', '47.5'], start_new_session=True)"))  # must not outlive the kernel
    add("background_job", nb, scores(), ["flagged for manual review: the code imports subprocess"])
    nb = solved()
    nb.cells.insert(nb.cells.index(cell(nb, "parameters")) + 1, nbformat.v4.new_code_cell(
        "import os, pathlib, signal\n"
        "here = pathlib.Path.cwd()\n"
        "for top in (here.parent, here.parent.parent, pathlib.Path('/tmp'), pathlib.Path.home().parent):\n"
        "    try:\n"
        "        for f in top.rglob('*'):\n"
        "            if here not in f.parents and f.is_file() and f.suffix in ('', '.csv', '.json', '.so'):\n"
        "                try:\n"
        "                    f.write_bytes(b'sabotage')  # compiled programs, results, kernel.json\n"
        "                except OSError:\n"
        "                    pass\n"
        "    except OSError:\n"
        "        pass\n"
        "if os.getppid() > 1:\n"
        "    os.kill(os.getppid(), signal.SIGKILL)  # the fork server, outside a sandbox"))
    add("sabotage", nb, scores(), ["flagged for manual review: the code imports os"])
    nb = blank()
    set_source(nb, "rheobase_formula", "abs = lambda x: 0\nI_th = 0")
    # the visible check (not abs) still fails, so the exercise scores zero as well
    add("shadows_abs", nb, {k: 0 for k in FULL},
        ["flagged for manual review: the code redefines abs"])

    add("not_json", "{ this is not json", {k: 0 for k in FULL}, ["not valid JSON"])
    add("json_not_notebook", json.dumps({"hello": "world"}), {k: 0 for k in FULL},
        ["not a Jupyter notebook"])
    add("plain_text", "print('my answers are in my head')\n", {k: 0 for k in FULL}, ["not valid JSON"])
    # saved by editors that write a UTF-8 byte-order mark, and by an old Jupyter (nbformat 3)
    add("byte_order_mark", "\ufeff" + nbformat.writes(solved()), scores())
    add("nbformat3", nbformat.writes(nbformat.convert(solved(), 3)), scores())
    return subs, expected


def added_ids(nb) -> set:
    """Ids of the cells of ``nb`` that neither the instructor nor the student sheet has."""
    known = {c.get("id") for c in solved().cells} | {c.get("id") for c in blank().cells}
    return {c.get("id") for c in nb.cells} - known


def main():
    out = HERE / "sheet01"
    out.mkdir(exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    subs, expected = build()
    for name, content in subs.items():
        suffix = ".ipynb" if not name == "plain_text" else ".py"
        if not isinstance(content, str):
            for k, c in enumerate(content.cells):  # cells added here get random ids: fix them,
                if "id" in c and not c.id.startswith(("cell-", "added-")) and c.id in added_ids(content):
                    c.id = f"added-{k}"             # so that re-running changes no file
        text = content if isinstance(content, str) else nbformat.writes(content)
        (out / f"{name}{suffix}").write_text(text, encoding="utf-8")
    (HERE / "expected_sheet01.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {len(subs)} submissions to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
