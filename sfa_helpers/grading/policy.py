"""What a submission's code may do without being flagged for manual review.

The grader runs a student's cells and then the instructor's test cells in the same kernel, as
nbgrader does. Code in the same process can always reach the tests (hook IPython, shadow a
name a test reads, read the reference values a check function computes), so the grader reads
every code cell of a submission *before* running it and flags, for an instructor to look at,
any construct that the exercise sheets never need and that an attack needs:

* **imports** outside a small allowlist (NumPy, SciPy, Brian2, matplotlib, the course package
  and a few pure standard modules): no ``os``, ``sys``, ``subprocess``, ``importlib``,
  ``ctypes``, ``IPython``, ``gc``, ``inspect``, ``pickle``, ...; from the course package not
  its grading, engine or build internals, and from ``sfa_helpers.checks`` only the names the
  instructor sheet itself imports (the checks compute the reference answers);
* **dynamic code and introspection**: ``exec``, ``eval``, ``compile``, ``__import__``,
  ``open``, ``getattr``/``setattr``/``delattr``, ``globals``/``locals``/``vars``,
  ``get_ipython`` (and with it every magic and ``!`` shell escape except ``%matplotlib``,
  ``%time`` and ``%timeit``), ``breakpoint``, ``input``, and any ``__dunder__`` attribute
  (the classic route to ``object.__subclasses__()``);
* **files**: NumPy/SciPy/matplotlib functions that read or write files (``np.load``,
  ``loadtxt``, ``tofile``, ``imread``, ...), except ``savefig`` to a plain relative file name;
* **Brian2's doors to C++ and its configuration**: ``implementation``, ``Function``,
  ``set_device``, ``insert_code``, and setting ``prefs``;
* **changing what the tests use**: assigning to an attribute of an imported module
  (``np.isclose = ...``), or binding a name that the instructor's test cells read but that no
  answer cell of the sheet defines (``abs = ...``, ``theory = ...``, ``neuron_A = ...``), unless
  it is the same import the sheet makes (``import numpy as np`` again is fine).

The check is static and conservative: an honest answer to any sheet of the course is never
flagged (``tests/test_grading_policy.py`` runs it on every solution), and a flag does not
change the score; it puts the submission in front of an instructor. What it cannot see (code
hidden in data and run through an allowed library) is what the kernel's sandbox and resource
limits are for (``docs/grading.md``, threat model).
"""

from __future__ import annotations

import ast
import builtins
import re

#: Top-level modules a submission may import.
ALLOWED_MODULES = frozenset({
    "numpy", "scipy", "brian2", "matplotlib", "sfa_helpers",
    "math", "cmath", "statistics", "random", "itertools", "functools", "operator", "collections",
    "dataclasses", "typing", "fractions", "decimal", "numbers", "time", "warnings", "string",
    "textwrap", "re", "copy", "enum", "bisect", "heapq", "__future__",
})
#: Course modules a submission must not import (grading, the build machinery, the engine's
#: caches and process state).
FORBIDDEN_COURSE_MODULES = ("sfa_helpers.grading", "sfa_helpers.engine", "sfa_helpers.build_worker",
                            "sfa_helpers.unity_build", "sfa_helpers.brian2_state")
#: Names that run code given as data, reach any object or the interpreter's state.
FORBIDDEN_NAMES = {
    "exec": "runs code given as a string", "eval": "runs code given as a string",
    "compile": "compiles code given as a string", "__import__": "imports modules dynamically",
    "open": "opens files", "getattr": "looks attributes up by computed names",
    "setattr": "sets attributes by computed names", "delattr": "deletes attributes",
    "globals": "reaches the namespace as a dictionary", "locals": "reaches the namespace as a dictionary",
    "vars": "reaches namespaces as dictionaries", "breakpoint": "starts a debugger",
    "input": "waits for input", "get_ipython": "reaches IPython's machinery",
    "__builtins__": "touches Python's builtins", "memoryview": "reads raw memory",
    # Brian2: user C++ code, other devices, global preferences
    "implementation": "gives Brian2 a C++ implementation", "Function": "defines a Brian2 function",
    "set_device": "switches Brian2's device", "insert_code": "inserts code into Brian2's program",
    "DEFAULT_FUNCTIONS": "changes Brian2's functions",
}
#: Attributes that read or write files, or reach compiled code, in the allowed libraries.
FILE_ATTRIBUTES = frozenset({
    "load", "loadtxt", "genfromtxt", "fromfile", "fromregex", "memmap", "open_memmap", "save",
    "savez", "savez_compressed", "savetxt", "tofile", "loadmat", "savemat", "whosmat", "imread",
    "imsave", "DataSource", "ctypeslib", "f2py", "distutils", "system", "popen",
})
#: Line magics that only time or draw.
HARMLESS_MAGICS = frozenset({"matplotlib", "time", "timeit"})
#: Dunder attributes with no reach (a name, a docstring, a version).
HARMLESS_DUNDERS = frozenset({"__name__", "__doc__", "__version__", "__init__"})

_BUILTIN_NAMES = frozenset(dir(builtins))


def _ipython_to_python(source: str) -> str:
    """The Python IPython would run for ``source`` (magics become ``get_ipython()`` calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # IPython is a dependency of the grader; without it, read as Python
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - malformed input: parse what was given
        return source


def _parse(source: str):
    try:
        return ast.parse(_ipython_to_python(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # a cell that does not parse never runs


def _import_bindings(tree) -> dict:
    """``{name: what it is bound to}`` for every import in ``tree`` (``'module numpy'``,
    ``'from sfa_helpers.checks import check_x'``)."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                bound[name] = f"module {alias.name if alias.asname else alias.name.split('.')[0]}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"from {node.module} import {alias.name}"
    return bound


def _bound_names(tree) -> set:
    """Every name ``tree`` binds at any level (assignments, definitions, imports, loops, ...)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.MatchAs) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _read_names(tree) -> set:
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


class SheetContext:
    """What the policy needs to know of an instructor sheet: the names its test cells read that
    no answer cell defines (a submission must not rebind them), and the imports it makes."""

    def __init__(self, master=None):
        from . import sheets

        self.protected: set = set()
        self.imports: dict = {}
        if master is None:
            return
        answers, tests = set(), set()
        for cell in master.cells:
            if cell.cell_type != "code":
                continue
            tree = _parse(cell.source)
            if tree is None:
                continue
            if sheets.is_solution(cell):
                answers |= _bound_names(tree)
            else:
                self.imports.update(_import_bindings(tree))
                if sheets.is_test(cell):
                    tests |= _read_names(tree) - _bound_names(tree)
        self.protected = tests - answers

    def allowed_checks(self) -> set:
        """``(module, name)`` pairs the sheet imports from ``sfa_helpers.checks``."""
        out = set()
        for binding in self.imports.values():
            if binding.startswith("from sfa_helpers.checks"):
                module, name = binding[5:].split(" import ")
                out.add((module, name))
        return out


def _module_of(node) -> "str | None":
    """The dotted name of an attribute chain rooted in a name (``np.random.seed`` ->
    ``np.random.seed``), or None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_plain_relative_name(node) -> bool:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    value = node.value
    return bool(value) and not value.startswith(("/", "~", "\\")) and ".." not in value \
        and ":" not in value and "\x00" not in value


def review(sources, context: "SheetContext | None" = None) -> list:
    """Reasons to review a submission whose code cells are ``sources`` (strings), each a short
    phrase ("imports subprocess", "uses exec: runs code given as a string"); empty if nothing
    is flagged. ``context``: the instructor sheet (:class:`SheetContext`)."""
    context = context or SheetContext()
    allowed_checks = context.allowed_checks()
    reasons: dict = {}

    def flag(text):
        reasons.setdefault(text, None)

    trees, pending = [], [(source, False) for source in sources]
    while pending:  # the code inside %time / %timeit is reviewed as well
        source, timed = pending.pop()
        tree = _parse(source)
        if tree is None and timed:  # options first: %timeit -n1 -r 3 code
            tree = _parse(re.sub(r"^\s*(-[A-Za-z]+\s*\d*\s+)+", "", source))
            if tree is None:
                flag("times code the grader cannot read")
        if tree is None:
            continue
        trees.append(tree)
        pending.extend((code, True) for code in _timed_code(tree))
    module_aliases, student_bound, student_imports = set(), set(), {}
    for tree in trees:
        student_imports.update(_import_bindings(tree))
        student_bound |= _bound_names(tree)
    module_aliases = {n for n, b in student_imports.items() if b.startswith("module ")}
    module_aliases |= {n for n, b in context.imports.items() if b.startswith("module ")}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                _review_import(node, allowed_checks, flag)
            elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
                # a student's own variable called `input` or `vars` is fine; the builtin or a
                # star-imported Brian2 name is not
                if node.id.startswith("__") or node.id not in student_bound \
                        or student_imports.get(node.id):
                    flag(f"uses {node.id}: {FORBIDDEN_NAMES[node.id]}")
            elif isinstance(node, ast.Attribute):
                if node.attr.startswith("__") and node.attr.endswith("__") \
                        and node.attr not in HARMLESS_DUNDERS:
                    flag(f"reaches the special attribute {node.attr}")
                elif node.attr in FILE_ATTRIBUTES:
                    flag(f"uses {_module_of(node) or node.attr}: reads or writes files or compiled code")
                if isinstance(node.ctx, (ast.Store, ast.Del)):
                    root = _module_of(node)
                    base = root.split(".")[0] if root else None
                    if base in module_aliases or base == "prefs" or base in student_imports \
                            or base in context.imports:
                        flag(f"changes {root}, which other code (the tests) uses")
            elif isinstance(node, ast.Call):
                _review_call(node, flag)
        # rebinding a name the tests read (a builtin, a unit, a given object)
        own_imports = _import_bindings(tree)
        for name in sorted(_bound_names(tree) & context.protected):
            if name in own_imports and context.imports.get(name) == own_imports[name]:
                continue  # the same import the sheet makes
            flag(f"redefines {name}, which the tests use")
    if all(_only_harmless_ipython(tree) for tree in trees):
        reasons.pop(f"uses get_ipython: {FORBIDDEN_NAMES['get_ipython']}", None)
    return list(reasons)


def _review_import(node, allowed_checks, flag) -> None:
    if isinstance(node, ast.ImportFrom) and node.level:
        flag("uses a relative import")
        return
    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    for module in modules:
        top = module.split(".")[0]
        if top not in ALLOWED_MODULES:
            flag(f"imports {top}")
        elif any(module == m or module.startswith(m + ".") for m in FORBIDDEN_COURSE_MODULES):
            flag(f"imports the course's internals ({module})")
        elif module.startswith("sfa_helpers.checks"):
            names = [a.name for a in node.names] if isinstance(node, ast.ImportFrom) else ["*"]
            for name in names:
                if (module, name) not in allowed_checks:
                    flag(f"imports {name} from {module} (the checks' reference code)")
        elif isinstance(node, ast.ImportFrom) and module == "sfa_helpers":
            if any(a.name in ("checks", "grading", "engine") for a in node.names):
                flag("imports the course's internals (sfa_helpers.checks/grading/engine)")
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in FORBIDDEN_NAMES:
                    flag(f"imports {alias.name}: {FORBIDDEN_NAMES[alias.name]}")


def _review_call(node, flag) -> None:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "savefig":
        target = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "fname"), None)
        if target is None or not _is_plain_relative_name(target):
            flag("saves a figure to a computed or outside path")
    if isinstance(func, ast.Attribute) and func.attr in ("run_line_magic", "run_cell_magic",
                                                        "system", "getoutput"):
        magic = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        if func.attr == "run_line_magic" and magic in HARMLESS_MAGICS:
            return
        flag(f"uses the IPython command {func.attr}({magic!r})" if magic
             else f"uses IPython's {func.attr}")


def _timed_code(tree) -> list:
    """The code strings given to ``%time`` / ``%timeit`` in ``tree`` (reviewed like cells)."""
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run_line_magic" and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant) and node.args[0].value in ("time", "timeit")):
            code = node.args[1]
            out.append(code.value if isinstance(code, ast.Constant) and isinstance(code.value, str)
                       else "get_ipython().system('computed %time code')")
    return out


def _only_harmless_ipython(tree) -> bool:
    """True if every use of ``get_ipython`` in ``tree`` is ``get_ipython().run_line_magic(m,
    ...)`` with a harmless magic ``m`` (what ``%matplotlib inline`` becomes)."""
    allowed = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run_line_magic" and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "get_ipython"
                and not node.func.value.args and node.args and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in HARMLESS_MAGICS):
            allowed.add(id(node.func.value.func))
    return all(id(node) in allowed for node in ast.walk(tree)
               if isinstance(node, ast.Name) and node.id == "get_ipython")
