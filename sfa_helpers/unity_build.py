"""Compile a Brian2 standalone project as one C++ translation unit.

Brian2's ``cpp_standalone`` device writes about 12 ``.cpp`` files per model structure (one per
code object, plus ``main``, ``objects``, ``network``, ``run`` and ``synapses_classes``) and
compiles each separately. Nearly all of that time is the compiler reading the same standard
headers again for every file: a code object takes about 0.4 s of CPU at ``-O3``, of which
0.3-0.35 s is spent on its ``#include`` lines, and a whole structure 5-6 s. Compiled as one unit
(:func:`write_unity_source`), the headers are read once, and the files that only set up a run
are compiled without optimisation (``_SET_UP_ONLY``): about 1 s of CPU for the whole
structure, and the program computes exactly the same results (``tests/test_unity_build.py``;
measurements in ``docs/architecture.md``).

One unit cannot simply ``#include`` every file, because each code object keeps its helper
functions (``_timestep``, ``_brian_mod``, ...) in an anonymous namespace under the same names.
So each code object is included inside a namespace of its own, after every header it needs has
been included at file scope (first of all, so that functions defined in headers are compiled
with the same optimisation as in the per-file build) (their include guards then make the inner ``#include`` lines
empty), and the functions its header declares (``_run_<name>()`` etc.) are defined at file
scope as calls into that namespace. This is plain C++; only the ``#pragma GCC optimize`` of
the set-up files is GCC's (other compilers ignore it and optimise those files too).

Brian2's own makefile does the build, read through a copy whose ``SRCS`` line names the one
unit (``sfa_unity.mk``, passed to ``make -f``): Brian2's ``makefile`` itself is left as Brian2
wrote it, and neither file is rewritten unless its content changes, so ``make`` finds nothing to
do for a finished project. If a project has a shape this module does not recognise,
:func:`write_unity_source` returns ``False`` and Brian2's per-file build runs unchanged; if
compiling the unit fails, :func:`compile_project` builds per file instead and remembers that
for the project (``sfa_unity.failed``).
"""

from __future__ import annotations

import os
import re

UNITY_SOURCE = "sfa_unity.cpp"
_SRCS = re.compile(r"^SRCS = (.*)$", re.M)
_INCLUDE = re.compile(r'^\s*#\s*include\s*([<"][^>"]+[>"])', re.M)
_DECLARATION = re.compile(r"^\s*void\s+(\w+)\s*\(\s*(?:void)?\s*\)\s*;", re.M)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


UNITY_MAKEFILE = "sfa_unity.mk"
#: Files that only set up and tear down a run (allocate and load arrays, parse the command
#: line, write results): compiled without optimisation, which takes a third of the unit's
#: compile time off and no run time one can measure (``benchmarks/RESULTS.md``). The time-step
#: loop (``network.cpp``) and the code objects keep Brian2's ``-O3``. GCC reads the pragma;
#: other compilers ignore it and optimise everything.
_SET_UP_ONLY = ("main.cpp", "objects.cpp", "run.cpp", "synapses_classes.cpp")
_FAILED = "sfa_unity.failed"


def _write_if_changed(path: str, text: str) -> None:
    """Write ``text`` unless the file holds it already (its time stamp is what make compares)."""
    if os.path.isfile(path) and _read(path) == text:
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def write_unity_source(directory: str) -> bool:
    """Write ``sfa_unity.cpp`` and ``sfa_unity.mk`` (Brian2's makefile with ``SRCS`` naming the
    unit; C sources, if any, stay as they are) into the Brian2 project ``directory``. Returns
    ``False``, writing nothing, if the project does not have the expected shape."""
    makefile = os.path.join(directory, "makefile")
    if not os.path.isfile(makefile):
        return False
    text = _read(makefile)
    match = _SRCS.search(text)
    if match is None:
        return False
    sources = match.group(1).split()
    cpp = [s for s in sources if s.endswith(".cpp")]
    others = [s for s in sources if not s.endswith(".cpp")]
    code_objects = [s for s in cpp if s.startswith("code_objects/")]
    plain = [s for s in cpp if not s.startswith("code_objects/")]
    if not code_objects or "main.cpp" not in plain or UNITY_SOURCE in plain:
        return False
    headers, wrapped = [], []

    def hoist(source):
        """Read the headers ``source`` includes at the top of the unit: system headers, and the
        project's own where the name resolves from the project directory (a file in a
        subdirectory may include a neighbour by its bare name; that one stays where it is)."""
        for include in _INCLUDE.findall(_read(os.path.join(directory, source))):
            name = include[1:-1]
            own = include.startswith('"')
            if include in headers or name.endswith(".cpp") or (
                    own and not os.path.isfile(os.path.join(directory, name))):
                continue
            headers.append(include)

    for source in plain:  # the set-up files' headers, too, are compiled with optimisation
        hoist(source)
    for k, source in enumerate(code_objects):
        header = source[:-len(".cpp")] + ".h"
        if not os.path.isfile(os.path.join(directory, header)):
            return False
        hoist(source)  # every header the code object includes is read at file scope first
        declared = _DECLARATION.findall(_read(os.path.join(directory, header)))
        if not declared:
            return False
        wrapped.append(f"namespace sfa_unit_{k} {{\n#include \"{source}\"\n}}")
        wrapped.extend(f"void {name}() {{ sfa_unit_{k}::{name}(); }}" for name in declared)
    # The headers come first, at file scope and outside the unoptimised region below: functions
    # defined in them (the random number generator, the math helpers) are used by the code
    # objects and must be compiled exactly as in Brian2's per-file build.
    lines = ["// Written by sfa_helpers.unity_build: the whole program as one translation unit.",
             *(f"#include {h}" for h in headers)]
    for source in plain:
        if source in _SET_UP_ONLY:
            lines += ["#pragma GCC push_options", '#pragma GCC optimize ("O0")',
                      f"#include \"{source}\"", "#pragma GCC pop_options"]
        else:
            lines.append(f"#include \"{source}\"")
    lines += wrapped
    _write_if_changed(os.path.join(directory, UNITY_SOURCE), "\n".join(lines) + "\n")
    unity_make = text[:match.start(1)] + " ".join([UNITY_SOURCE, *others]) + text[match.end(1):]
    # the per-file build's dependency list would name object files the unit never makes
    unity_make = unity_make.replace("make.deps", "sfa_unity.deps")
    _write_if_changed(os.path.join(directory, UNITY_MAKEFILE), unity_make)
    return True


def compile_project(compile_source, directory, compiler, debug, clean):
    """Brian2's ``compile_source`` for ``directory``, as one unit where possible (see the module
    docstring); Windows' MSVC build (``win_makefile``) is left to Brian2 unchanged."""
    from brian2 import prefs

    if compiler == "msvc" or os.path.exists(os.path.join(directory, _FAILED)):
        return compile_source(directory, compiler, debug, clean)
    try:
        written = write_unity_source(directory)
    except (OSError, UnicodeError):
        written = False
    if not written:
        return compile_source(directory, compiler, debug, clean)
    make_args = prefs.devices.cpp_standalone.extra_make_args_unix
    prefs.devices.cpp_standalone.extra_make_args_unix = [*make_args, "-f", UNITY_MAKEFILE]
    try:
        return compile_source(directory, compiler, debug, clean)
    except RuntimeError:
        open(os.path.join(directory, _FAILED), "w").close()
    finally:
        prefs.devices.cpp_standalone.extra_make_args_unix = make_args
    return compile_source(directory, compiler, debug, clean)
