"""The package's layers (docs/architecture.md): which module may import which.

Each check runs in a fresh interpreter, so that what another test imported earlier cannot hide
an import. Brian2 itself imports matplotlib (``brian2`` loads ``pylab``), so the modules that
``import brian2`` loads are not counted against a layer. Computation modules (models, stimuli, simulation, theory, analysis, firing patterns,
GLM, spike prediction, exercise checks) must not pull in matplotlib, ipywidgets, the figures
(``sfa_helpers.plots``) or the widgets; models must not import theory; figures must not import
widgets. The source is checked too: every import statement, also those inside functions, against
the layers, and the top-level imports for cycles.
"""

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import sfa_helpers

UI = ("matplotlib", "ipywidgets", "sfa_helpers.plots", "sfa_helpers.widgets")
COMPUTATION = ["sfa_helpers.models", "sfa_helpers.models.presets", "sfa_helpers.stimuli",
               "sfa_helpers.simulation", "sfa_helpers.theory", "sfa_helpers.analysis",
               "sfa_helpers.firing_patterns", "sfa_helpers.glm", "sfa_helpers.spike_prediction",
               "sfa_helpers.validation", "sfa_helpers.checks.lesson04"]
# (module, modules it must not import, directly or indirectly)
RULES = [(m, UI) for m in COMPUTATION]


def _imported_after(module):
    code = ("import json, sys\n"
            f"import {module}\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def brian2_modules():
    return _imported_after("brian2")


@pytest.mark.parametrize("module, forbidden", RULES, ids=[f"{m}-{len(f)}" for m, f in RULES])
def test_layer_does_not_import_a_layer_above(module, forbidden, brian2_modules):
    loaded = _imported_after(module) - brian2_modules
    wrong = sorted(name for name in loaded
                   if any(name == f or name.startswith(f + ".") for f in forbidden))
    assert not wrong, f"{module} imports {wrong}"


def _all_modules():
    return sorted(info.name for info in pkgutil.walk_packages(sfa_helpers.__path__, "sfa_helpers."))


def test_every_module_imports():
    modules = _all_modules()
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    out = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]


# -- the same rules on the source, every import statement (also those inside functions) --------

ROOT = Path(sfa_helpers.__file__).parent

#: The old homes of moved names, kept for saved notebooks: they import every layer.
SHIMS = ("sfa_helpers.phase_plane", "sfa_helpers.noise_widgets", "sfa_helpers.glm_widget",
         "sfa_helpers.adaptation_theory", "sfa_helpers.escape_theory")

#: (modules, what they must not import)
STATIC_RULES = [
    (("sfa_helpers.models", "sfa_helpers.plain_brian2"),
     ("sfa_helpers.theory", "sfa_helpers.plots", "sfa_helpers.widgets", "sfa_helpers.checks",
      "sfa_helpers.grading", "sfa_helpers.simulation", "sfa_helpers.engine",
      "sfa_helpers.unity_build", "sfa_helpers.build_worker")),
    (("sfa_helpers.brian2_state", "sfa_helpers.validation", "sfa_helpers._params"),
     ("sfa_helpers.models", "sfa_helpers.stimuli", "sfa_helpers.plain_brian2",
      "sfa_helpers.simulation", "sfa_helpers.engine", "sfa_helpers.unity_build",
      "sfa_helpers.build_worker")),
    (("sfa_helpers.theory",), ("sfa_helpers.simulation", "sfa_helpers.plots", "sfa_helpers.widgets")),
    (("sfa_helpers.stimuli", "sfa_helpers.simulation", "sfa_helpers.engine",
      "sfa_helpers.unity_build", "sfa_helpers.build_worker", "sfa_helpers.analysis",
      "sfa_helpers.firing_patterns", "sfa_helpers.glm", "sfa_helpers.spike_prediction",
      "sfa_helpers.validation", "sfa_helpers.checks"),
     ("sfa_helpers.plots", "sfa_helpers.widgets", "matplotlib", "ipywidgets")),
    (("sfa_helpers.plots",), ("sfa_helpers.widgets", "ipywidgets")),
]
STATIC_RULES = [(owners, forbidden + SHIMS) for owners, forbidden in STATIC_RULES]


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path, top_level_only=False):
    """Modules named by the import statements of ``path`` (relative imports resolved; for
    ``from X import y`` both X and X.y, in case y is a module)."""
    tree = ast.parse(path.read_text())
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = ".".join(x for x in (base if node.level else "", node.module or "") if x)
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return found


def _sources():
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _inside(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_no_import_statement_goes_up_a_layer():
    wrong = []
    for module, path in _sources().items():
        for owners, forbidden in STATIC_RULES:
            if _inside(module, owners):
                wrong += [(module, name) for name in sorted(_imports(path)) if _inside(name, forbidden)]
    assert not wrong, wrong


def test_no_import_cycle_between_modules():
    """Top-level imports between modules of the package form no cycle (a package's
    ``__init__`` importing its own modules does not count)."""
    sources = _sources()
    graph = {m: {n for n in _imports(p, top_level_only=True) if n in sources and n != m
                 and not m.startswith(n + ".")}
             for m, p in sources.items()}
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])


def test_models_do_not_import_the_modules_built_on_them():
    """The one cycle there was: models/adex.py imported phase_plane for an unused method."""
    from sfa_helpers.models import AdEx, EIF

    assert not hasattr(AdEx, "rheobase") and not hasattr(EIF, "rheobase")
