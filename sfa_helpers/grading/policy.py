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
  ``%config``, ``%autoreload``, ``?`` help and the timing magics, whose code is reviewed too),
  ``breakpoint``, ``input``, and any ``__dunder__`` attribute (the classic route to
  ``object.__subclasses__()``);
* **files**: NumPy/SciPy/matplotlib functions that read or write files (``np.load``,
  ``loadtxt``, ``tofile``, ``imread``, ...), except ``savefig`` to a file name without a
  folder (a string or an f-string);
* **Brian2's doors to C++ and its configuration**: ``implementation``, ``Function``,
  ``set_device``, ``insert_code``, and setting ``prefs``;
* **other roads to the same**: a forbidden module or a private name reached through an
  allowed one (``warnings.sys``, ``from matplotlib import os``, ``random._os``,
  ``operator.attrgetter``), forbidden submodules (``numpy.f2py``, ``scipy.io``);
* **changing what the tests use**: setting or deleting an attribute of anything the code did
  not make itself (``np.isclose = ...``, also through an alias, a list or a function argument;
  ``defaultclock.dt`` is allowed), or binding a name that the instructor's test cells read but
  that no answer cell of the sheet defines (``abs = ...``, ``theory = ...``, ``neuron_A = ...``),
  unless it imports the same object the sheet does (``from brian2.units import ms`` is fine).

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
    "numpy", "scipy", "brian2", "matplotlib", "sfa_helpers", "sympy",
    "math", "cmath", "statistics", "random", "itertools", "functools", "operator", "collections",
    "dataclasses", "typing", "fractions", "decimal", "numbers", "time", "warnings", "string",
    "textwrap", "re", "copy", "enum", "bisect", "heapq", "logging", "__future__",
})
#: Parts of allowed packages a submission must not import: the course's grading, build
#: machinery and engine state; the libraries' file readers, C bridges and internals.
FORBIDDEN_SUBMODULES = ("sfa_helpers.grading", "sfa_helpers.engine", "sfa_helpers.build_worker",
                        "sfa_helpers.unity_build", "sfa_helpers.brian2_state",
                        "numpy.f2py", "numpy.distutils", "numpy.ctypeslib", "numpy.testing",
                        "numpy.lib", "scipy.io", "scipy._lib", "matplotlib.cbook",
                        "brian2.devices", "brian2.codegen", "brian2.core.preferences")
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
#: Forbidden names a student may still use for a variable of their own (``input = ...``).
OWN_VARIABLE_NAMES = frozenset({"input", "vars", "compile"})
#: Brian2 names of :data:`FORBIDDEN_NAMES` (flagged when imported from Brian2).
BRIAN2_DOORS = frozenset({"implementation", "Function", "set_device", "insert_code",
                          "DEFAULT_FUNCTIONS"})
#: Attributes that read or write files, or reach compiled code, in the allowed libraries.
FILE_ATTRIBUTES = frozenset({
    "load", "loadtxt", "genfromtxt", "fromfile", "fromregex", "memmap", "open_memmap", "save",
    "savez", "savez_compressed", "savetxt", "tofile", "loadmat", "savemat", "whosmat", "imread",
    "imsave", "DataSource", "ctypeslib", "f2py", "distutils", "system", "popen", "mmread",
    "mmwrite", "readsav", "wavfile", "netcdf_file", "open_file_cm", "get_sample_data",
    "hb_read", "hb_write", "loadarff", "FileHandler", "RotatingFileHandler", "handlers",
})
#: Attributes that are modules outside the allowlist (``warnings.sys``, ``matplotlib.os``,
#: ``scipy.io``) or stand in for ``getattr``: reached through an allowed module, they are
#: the forbidden import by another road.
FORBIDDEN_ATTRIBUTES = frozenset({
    "sys", "os", "subprocess", "builtins", "importlib", "ctypes", "gc", "inspect", "pickle",
    "marshal", "signal", "socket", "shutil", "pathlib", "io", "threading", "multiprocessing",
    "types", "code", "codeop", "runpy", "pty", "posix", "modules", "attrgetter", "methodcaller",
})
#: Frames and code objects, flagged on any object (also one the code made, a generator): from
#: a frame a function reads its caller's variables, e.g. the reference inside a check.
FRAME_ATTRIBUTES = frozenset({
    "gi_frame", "cr_frame", "ag_frame", "tb_frame", "f_back", "f_locals", "f_globals",
    "f_builtins", "f_code", "gi_code", "cr_code", "ag_code", "tb_next", "gi_yieldfrom",
})
#: Submodules of allowed packages whose names are also those of forbidden modules:
#: ``scipy.signal`` is SciPy's signal processing, not Python's ``signal``.
SCIENTIFIC_SUBMODULES = {"scipy": frozenset({"signal"})}
#: Line magics that only time, draw, configure the display or show help; the code given to
#: ``time``/``timeit`` is reviewed as well.
HARMLESS_MAGICS = frozenset({"matplotlib", "time", "timeit", "config", "pinfo", "pinfo2",
                             "autoreload", "precision"})
#: Cell magics whose body is Python, reviewed like a cell.
TIMING_CELL_MAGICS = frozenset({"time", "timeit"})
#: Dunder attributes with no reach (a name, a docstring, a version).
HARMLESS_DUNDERS = frozenset({"__name__", "__doc__", "__version__", "__init__"})
#: Attribute assignments a notebook commonly makes to Brian2's global clock.
HARMLESS_STORES = frozenset({"defaultclock.dt"})

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
    """A file name given as a string or f-string whose text has no folder in it."""
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        text = "".join(str(p) for p in parts)
        return bool(parts) and not any(c in text for c in "/\\~:\x00") and ".." not in text
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
    while pending:  # the code given to %time / %timeit / %%time is reviewed as well
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
    student_bound, student_imports, own_objects = set(), {}, set()
    for tree in trees:
        student_imports.update(_import_bindings(tree))
        student_bound |= _bound_names(tree)
        own_objects |= _own_objects(tree)
    module_names = {n for n, b in {**context.imports, **student_imports}.items()
                    if b.startswith("module ")}
    imported = set(student_imports) | set(context.imports)
    bindings = {**context.imports, **student_imports}
    assigned = set().union(*(_assigned_names(tree) for tree in trees))
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                _review_import(node, allowed_checks, flag)
            elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
                binding = student_imports.get(node.id, "")
                own = (node.id in OWN_VARIABLE_NAMES and node.id in student_bound
                       and not binding) or (binding.startswith("from ")
                                            and not binding.startswith("from brian2"))
                if not own:
                    flag(f"uses {node.id}: {FORBIDDEN_NAMES[node.id]}")
            elif isinstance(node, ast.Attribute):
                _review_attribute(node, flag, own_objects, module_names | imported, bindings,
                                  assigned)
            elif isinstance(node, ast.Call):
                _review_call(node, flag)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
                root = _root_name(node)
                if root in module_names:  # np.random.__dict__[...] = ..., pkg.TABLE[0] = ...
                    flag(f"changes an item of {_module_of(node.value) or root}, a module's data")
        # rebinding a name the tests read (a builtin, a unit, a given object)
        own_imports = _import_bindings(tree)
        for name in sorted(_bound_names(tree) & context.protected):
            if name in own_imports and _same_object(context.imports.get(name), own_imports[name]):
                continue  # the same object the sheet imports (``from brian2.units import ms``)
            flag(f"redefines {name}, which the tests use")
    if all(_only_harmless_ipython(tree) for tree in trees):
        reasons.pop(f"uses get_ipython: {FORBIDDEN_NAMES['get_ipython']}", None)
    return list(reasons)


def _own_objects(tree) -> set:
    """Names the code binds only to objects it makes itself (a call's result, a literal, a
    comprehension), plus ``self``: setting their attributes changes nothing the tests use."""
    made, other = {"self"}, set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            fresh = isinstance(node.value, (ast.Call, ast.List, ast.Dict, ast.Set, ast.Tuple,
                                            ast.Constant, ast.ListComp, ast.DictComp, ast.SetComp,
                                            ast.BinOp))
            for target in targets:
                if isinstance(target, ast.Name):
                    (made if fresh else other).add(target.id)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.NamedExpr)):
            for sub in ast.walk(node.target if hasattr(node, "target") else node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    other.add(sub.id)
    return made - other


def _root_name(node) -> "str | None":
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _assigned_names(tree) -> set:
    """Names bound other than by an import (assignments, loops, definitions, ...)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _review_attribute(node, flag, own_objects, modules, bindings=None, assigned=None) -> None:
    attr, root = node.attr, _root_name(node)
    own = root in own_objects and root not in modules
    parent = node.value.id if isinstance(node.value, ast.Name) else None
    package = (bindings or {}).get(parent, "").removeprefix("module ")
    if attr in SCIENTIFIC_SUBMODULES.get(package, ()) and parent not in (assigned or ()):
        return
    chain = _module_of(node) or ""
    head = chain.split(".")[0]
    path = (bindings or {}).get(head, "").removeprefix("module ")
    dotted = (path + chain[len(head):]) if path and not path.startswith("from ") else ""
    if dotted.startswith("sfa_helpers.checks.") and dotted.count(".") == 2:
        flag(f"reaches {dotted} (the checks' reference code) through the package")
    if attr.startswith("__") and attr.endswith("__"):
        if attr not in HARMLESS_DUNDERS:
            flag(f"reaches the special attribute {attr}")
    elif attr.startswith("_") and not own:
        flag(f"reaches the private attribute {attr}")
    elif attr in FRAME_ATTRIBUTES:
        flag(f"reaches {attr}: a frame or code object (another function's variables)")
    elif attr in FORBIDDEN_ATTRIBUTES and not own:
        flag(f"reaches {_module_of(node) or attr}: another road to a forbidden module or getattr")
    elif attr in FILE_ATTRIBUTES and not own:
        flag(f"uses {_module_of(node) or attr}: reads or writes files or compiled code")
    if isinstance(node.ctx, (ast.Store, ast.Del)) and not own:
        chain = _module_of(node)
        if chain not in HARMLESS_STORES:
            flag(f"changes {chain or attr} on an object it did not make (a module, or an "
                 "object the tests use)")


def _same_object(binding_a: "str | None", binding_b: "str | None") -> bool:
    """Whether two import bindings (``'module numpy'``, ``'from brian2 import ms'``) name the
    same object, looked up in this process; False if either cannot be resolved."""
    if not binding_a or not binding_b:
        return False
    if binding_a == binding_b:
        return True
    try:
        return _resolve(binding_a) is _resolve(binding_b)
    except Exception:  # noqa: BLE001 - an unknown module or name: not the same
        return False


def _resolve(binding: str):
    import importlib

    if binding.startswith("module "):
        return importlib.import_module(binding[7:])
    module, name = binding[5:].split(" import ")
    if not module.split(".")[0] in ALLOWED_MODULES:
        raise ImportError(module)
    base = importlib.import_module(module)
    return getattr(base, name) if hasattr(base, name) else importlib.import_module(f"{module}.{name}")


def _review_import(node, allowed_checks, flag) -> None:
    if isinstance(node, ast.ImportFrom) and node.level:
        flag("uses a relative import")
        return
    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    if isinstance(node, ast.ImportFrom):  # from numpy import f2py: the submodule counts too
        modules += [f"{node.module}.{a.name}" for a in node.names]
    for module in modules:
        top = module.split(".")[0]
        if top not in ALLOWED_MODULES:
            flag(f"imports {top}")
        elif any(module == m or module.startswith(m + ".") for m in FORBIDDEN_SUBMODULES):
            flag(f"imports the course's internals ({module})" if top == "sfa_helpers"
                 else f"imports {module}, outside what the exercises use")
        elif module.startswith("sfa_helpers.checks") and module.count(".") >= 2 \
                and isinstance(node, ast.Import):
            flag(f"imports {module} (the checks' reference code)")
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        for alias in node.names:
            name = alias.name
            if module.startswith("sfa_helpers.checks") and (module, name) not in allowed_checks:
                flag(f"imports {name} from {module} (the checks' reference code)")
            elif module == "sfa_helpers" and name in ("checks", "grading", "engine"):
                flag(f"imports the course's internals (sfa_helpers.{name})")
            if name.startswith("_") and name != "__future__":
                flag(f"imports the private name {name}")
            if (name in FORBIDDEN_ATTRIBUTES or name in FILE_ATTRIBUTES) \
                    and name not in SCIENTIFIC_SUBMODULES.get(module, ()):
                flag(f"imports {name} from {module}: a forbidden module, getattr or a file function")
            if name in BRIAN2_DOORS and module.startswith("brian2"):
                flag(f"imports {name}: {FORBIDDEN_NAMES[name]}")


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
        arg = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else None
        if func.attr == "run_line_magic" and (magic in HARMLESS_MAGICS or (
                magic == "load_ext" and isinstance(arg, str) and arg.strip() == "autoreload")):
            return
        if func.attr == "run_cell_magic" and magic in TIMING_CELL_MAGICS:
            return  # its body is reviewed as code (_timed_code)
        flag(f"uses the IPython command {func.attr}({magic!r})" if magic
             else f"uses IPython's {func.attr}")


def _timed_code(tree) -> list:
    """The code given to ``%time``/``%timeit`` and to ``%%time``/``%%timeit`` cells in
    ``tree`` (reviewed like cells)."""
    out = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        magic = node.args[0].value
        if node.func.attr == "run_line_magic" and magic in ("time", "timeit") and len(node.args) >= 2:
            code = node.args[1]
        elif node.func.attr == "run_cell_magic" and magic in TIMING_CELL_MAGICS and len(node.args) >= 3:
            code = node.args[2]
        else:
            continue
        out.append(code.value if isinstance(code, ast.Constant) and isinstance(code.value, str)
                   else "get_ipython().system('computed %time code')")
    return out


def _only_harmless_ipython(tree) -> bool:
    """True if every use of ``get_ipython`` in ``tree`` is a harmless magic (what
    ``%matplotlib inline``, ``%%time`` or ``np.linspace?`` become)."""
    allowed = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("run_line_magic", "run_cell_magic")
                and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "get_ipython"
                and not node.func.value.args and node.args and isinstance(node.args[0], ast.Constant)):
            magic = node.args[0].value
            arg = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else None
            if (node.func.attr == "run_line_magic" and (magic in HARMLESS_MAGICS or (
                    magic == "load_ext" and isinstance(arg, str) and arg.strip() == "autoreload"))) \
                    or (node.func.attr == "run_cell_magic" and magic in TIMING_CELL_MAGICS):
                allowed.add(id(node.func.value.func))
    return all(id(node) in allowed for node in ast.walk(tree)
               if isinstance(node, ast.Name) and node.id == "get_ipython")
