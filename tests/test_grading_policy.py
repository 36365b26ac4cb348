"""The grader's static review of submitted code (sfa_helpers.grading.policy).

Two directions, each able to fail: every honest answer of every sheet (the instructor's own
answer cells, which is what a correct student writes) passes unflagged, and each attack a
hostile student could make on in-kernel tests is flagged with a reason that names it.
"""

import pathlib

import nbformat
import pytest

from sfa_helpers.grading import policy, sheets

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
SHEET01 = nbformat.read(ROOT / "solutions" / "01_lif_basics.ipynb", as_version=4)
CONTEXT01 = policy.SheetContext(SHEET01)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_honest_answers_of_every_sheet_are_not_flagged(path):
    master = nbformat.read(path, as_version=4)
    answers = [c.source for c in master.cells if c.cell_type == "code" and sheets.is_solution(c)]
    assert len(answers) >= 5
    assert policy.review(answers, policy.SheetContext(master)) == []


@pytest.mark.parametrize("code", [
    "%matplotlib inline\nimport numpy as np\nx = np.linspace(0, 1, 5)",
    "import numpy as np\nfrom brian2 import mV, ms",          # the sheet's own imports again
    "input = 3\nprint(input + 1)",                             # a variable called like a builtin
    "%time y = sum(range(10))",
    "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.savefig('figure.png')",
    "from scipy.optimize import brentq\nimport math\nroot = brentq(lambda x: x - 1, 0, 2)",
    "class Helper:\n    def __init__(self, x):\n        self.x = x\nh = Helper(3)",
    "from sfa_helpers.checks import check_rheobase_formula",   # imported by the sheet itself
    # found by review (each would cost an instructor a look)
    "%%time\nx = sum(range(10))",
    "%%timeit\nnp_sum = sum(range(10))",
    "%config InlineBackend.figure_format = 'retina'",
    "import numpy as np\nnp.linspace?",
    "%load_ext autoreload\n%autoreload 2",
    "from brian2 import defaultclock, ms\ndefaultclock.dt = 0.05 * ms",
    "from brian2.units import ms\nT = 10 * ms",                # ms is the sheet's ms
    "import sympy\nu = sympy.Symbol('u')",
    "import logging\nlogging.getLogger('brian2').setLevel(logging.WARNING)",
    "import matplotlib.pyplot as plt\nfor i in range(2):\n    plt.savefig(f'fig{i}.png')",
    "from re import compile as rx\nfrom re import compile\npattern = compile('a+')",
    "class Trace:\n    def __init__(self):\n        self.data = []\n"
    "    def save(self):\n        return list(self.data)\nt = Trace()\nt.save()",
    "from brian2 import NeuronGroup\nG = NeuronGroup(2, 'dv/dt = -v/(10*ms) : volt')\nG.v = 0 * mV",
    # SciPy's signal processing is not Python's signal module
    "import scipy.signal\ny = scipy.signal.lfilter([1], [1, -0.5], [1.0, 0.0, 0.0])",
    "import scipy as sp\ny = sp.signal.lfilter([1], [1, -0.5], [1.0, 0.0])",
    "from scipy import signal\ny = signal.lfilter([1], [1, -0.5], [1.0, 0.0])",
    "import numpy as np\nrates = np.zeros(3)\nrates[0] = 1.0",          # an item of its own array
])
def test_ordinary_code_is_not_flagged(code):
    assert policy.review([code], CONTEXT01) == []


@pytest.mark.parametrize("code, reason", [
    # reaching the instructor sheet and running its answers
    ("import json, pathlib, sfa_helpers\nsrc = open(pathlib.Path(sfa_helpers.__file__).parent)", "uses open"),
    ("exec(answer_code)", "uses exec"),
    ("getattr(__builtins__, 'ex' + 'ec')('x = 1')", "uses getattr"),
    ("().__class__.__base__.__subclasses__()", "special attribute __class__"),
    ("import importlib\nos = importlib.import_module('os')", "imports importlib"),
    ("__import__('os').system('cat /etc/passwd')", "uses __import__"),
    ("vars()['I_th'] = 1", "uses vars"),
    # subverting the tests inside the kernel
    ("get_ipython().input_transformers_post.append(lambda lines: lines)", "uses get_ipython"),
    ("ip = get_ipython()\nip.events.register('pre_run_cell', print)", "uses get_ipython"),
    ("abs = lambda x: 0", "redefines abs"),
    ("def float(x):\n    return 0.0", "redefines float"),
    ("theory = None", "redefines theory"),
    ("neuron_A = None", "redefines neuron_A"),
    ("import math as np", "redefines np"),
    ("import numpy as np\nnp.isclose = lambda *a, **k: True", "changes np.isclose"),
    ("from sfa_helpers import checks\nchecks.check_rheobase_formula = print", "sfa_helpers.checks"),
    ("from sfa_helpers.checks.lesson01 import _smallest_firing_current", "the checks' reference code"),
    ("import sfa_helpers.checks.lesson01 as ref", "the checks' reference code"),
    ("from sfa_helpers.grading import grader", "course's internals"),
    ("from sfa_helpers import engine", "course's internals"),
    # processes, shell, magics
    ("import subprocess\nsubprocess.Popen(['sleep', '60'], start_new_session=True)", "imports subprocess"),
    ("import os\nos.fork()", "imports os"),
    ("import sys\nsys.modules['numpy'] = None", "imports sys"),
    ("import ctypes", "imports ctypes"),
    ("!cat /etc/passwd", "system"),
    ("%run ../solutions/01_lif_basics.ipynb", "run_line_magic('run'"),
    ("%%bash\nkill -9 1", "run_cell_magic('bash'"),
    ("%time exec('x = 1')", "uses exec"),
    ("%timeit -n1 __import__('os')", "uses __import__"),
    # files, Brian2's doors to C++ and its settings
    ("import numpy as np\nx = np.load('/tmp/answers.npy')", "np.load"),
    ("import numpy as np\nnp.zeros(3).tofile('/tmp/x')", "tofile"),
    ("import matplotlib.pyplot as plt\nplt.savefig('/tmp/../etc/x.png')", "outside path"),
    ("from brian2 import implementation", "imports implementation"),
    ("from brian2 import *\n@implementation('cpp', 'int f(){system(\"id\");return 0;}')\ndef f(): pass",
     "uses implementation"),
    ("from brian2 import prefs\nprefs.codegen.target = 'numpy'", "changes prefs.codegen.target"),
    ("from brian2 import *\nset_device('cpp_standalone')", "uses set_device"),
    # found by review: roads around the import list and the module check
    ("import warnings\nwarnings.sys.modules['__main__'].check_rheobase_formula = print", "warnings.sys"),
    ("import numpy as np\nnp.signal.signal(2, print)", "np.signal"),   # only scipy's is allowed
    ("import scipy, brian2\nscipy = brian2\nscipy.signal.raise_signal(15)", "scipy.signal"),
    # reading a check's reference from its frame
    ("def f():\n    def g():\n        yield\n    gen = g()\n    return gen.gi_frame.f_back.f_locals",
     "gi_frame"),
    # another student's numbers: the variants' table reached through the package
    ("import sfa_helpers\nsfa_helpers.checks.lesson01.VARIANTS[3].update(ramp_top=3)", "sfa_helpers.checks.lesson01"),
    ("import numpy as np\nnp.__dict__['isclose'] = print", "special attribute"),
    ("import sfa_helpers\nsfa_helpers.theory.TABLE = {}", "changes"),
    ("import numpy as np\nnp.random.mtrand[0] = 1", "changes an item"),
    ("from matplotlib import os", "imports os from matplotlib"),
    ("import random\nrandom._os.system('id')", "private attribute _os"),
    ("import operator, numpy as np\noperator.attrgetter('lo' + 'ad')(np)", "attrgetter"),
    ("import numpy as np\nx = np\nx.isclose = lambda *a, **k: True", "changes x.isclose"),
    ("import numpy as np\ndef f(m):\n    m.isclose = print\nf(np)", "changes m.isclose"),
    ("import numpy as np\n[np][0].isclose = print", "on an object it did not make"),
    ("import numpy as np\ny = np.random\ndel y.seed", "changes y.seed"),
    ("from numpy import load, fromfile", "imports load from numpy"),
    ("from scipy.io import loadmat", "imports scipy.io"),
    ("import numpy as np\nnp.lib._datasource.open('/etc/hostname')", "private attribute _datasource"),
    ("import numpy.f2py", "imports numpy.f2py"),
    ("from numpy.f2py import run_main", "imports numpy.f2py"),
    ("exec = print\nexec('x = 1')", "uses exec"),
    ("%%bash\nid", "run_cell_magic('bash'"),
    ("%%time\nimport subprocess", "imports subprocess"),
])
def test_attacks_are_flagged_with_a_reason(code, reason):
    reasons = policy.review(["I_th = 1", code], CONTEXT01)
    assert any(reason in r for r in reasons), reasons


def test_a_cell_that_does_not_parse_is_not_reviewed_and_does_not_raise():
    assert policy.review(["def (:", "x = 1"], CONTEXT01) == []


def test_flags_read_only_the_cells_the_grader_runs():
    """A student's copies of locked cells (which import sys and subprocess for Colab) are never
    run, so they must not flag; the same code in an added cell must."""
    from sfa_helpers.grading import grader

    student = nbformat.read(ROOT / "exercises" / "01_lif_basics.ipynb", as_version=4)
    cells, roles, _ = grader.assemble(SHEET01, student.cells, "token")
    assert grader.flags(SHEET01, cells, roles) == []
    student.cells.insert(3, nbformat.v4.new_code_cell("import subprocess"))
    cells, roles, _ = grader.assemble(SHEET01, student.cells, "token")
    assert grader.flags(SHEET01, cells, roles) == [
        "flagged for manual review: the code imports subprocess"]
