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

The C++ standard headers every project includes are also parsed once per machine rather than
once per structure: :func:`precompiled_header` keeps them precompiled (GCC's ``.gch``) next to
the cache, and the unit includes them first once they are ready (about a quarter of the unit's
compile time; the machine code is the same).
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import time

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


#: The standard headers every Brian2 standalone project includes (the union over the course's
#: models and Brian2 2.9-2.11), precompiled once per compiler and set of flags
#: (:func:`precompiled_header`). Parsing them is about 0.3 s of the unit's 1.2 s of CPU.
PCH_HEADERS = ("algorithm", "climits", "cmath", "csignal", "cstdlib", "ctime", "fstream",
               "iostream", "map", "random", "set", "stdint.h", "stdlib.h", "string", "time.h",
               "tuple", "utility", "vector")
_PCH_NAME = "sfa_std.h"
#: A precompiled header build that has not finished after this long is taken to have died.
_PCH_BUILD_SECONDS = 120


def _compiler_flags(directory: str) -> "list[str] | None":
    """The compiler flags of Brian2's makefile in ``directory`` (``CXXFLAGS`` with
    ``$(OPTIMISATIONS)`` expanded, without ``-c``), or None if they cannot be read."""
    try:
        text = _read(os.path.join(directory, "makefile"))
    except (OSError, UnicodeError):
        return None
    opt = re.search(r"^OPTIMISATIONS = (.*)$", text, re.M)
    cxx = re.search(r"^CXXFLAGS = (.*)$", text, re.M)
    if opt is None or cxx is None:
        return None
    try:
        flags = shlex.split(cxx.group(1).replace("$(OPTIMISATIONS)", opt.group(1)))
    except ValueError:
        return None
    if any("$" in f for f in flags):  # another make variable: not ours to expand
        return None
    return [f for f in flags if f != "-c"]


def precompiled_header(root: str, directory: str, *, wait: bool = False) -> "str | None":
    """The path of a header of :data:`PCH_HEADERS` whose precompiled form (``.gch``) matches
    the compiler and flags of the Brian2 project ``directory``, if it is ready; else None.

    The header and its ``.gch`` live in ``root/pch/<key>/``, one per compiler (path and time
    stamp) and flags, shared by every project built with them. If the ``.gch`` is missing, it
    is built by a detached process (about 1.4 s; this call does not wait unless ``wait``),
    aside and moved into place when complete, so a reader sees a whole file or none; a
    second caller meanwhile starts no second build. GCC checks a ``.gch`` before using it and
    reads the header's text instead if it does not match; the program is the same either way
    (``tests/test_unity_build.py``). POSIX and GCC-compatible compilers only.
    """
    flags = _compiler_flags(directory)
    compiler = shutil.which(os.environ.get("CXX", "g++"))
    if os.name != "posix" or flags is None or compiler is None:
        return None
    identity = repr((compiler, os.stat(compiler).st_mtime_ns, flags, PCH_HEADERS))
    folder = os.path.join(root, "pch", hashlib.sha1(identity.encode()).hexdigest()[:16])
    header, gch = os.path.join(folder, _PCH_NAME), os.path.join(folder, _PCH_NAME + ".gch")
    if os.path.isfile(gch):
        return header
    failed, building = os.path.join(folder, "failed"), os.path.join(folder, "building")
    try:  # a failed build is tried again a day later (it may have been a full disk)
        if time.time() - os.path.getmtime(failed) < 86400:
            return None
        os.remove(failed)
    except FileNotFoundError:
        pass
    os.makedirs(folder, exist_ok=True)
    if not os.path.isfile(header):
        aside = f"{header}.{os.getpid()}.{time.monotonic_ns()}"
        with open(aside, "w", encoding="utf-8") as f:
            f.write("// Written by sfa_helpers.unity_build: precompiled once, included first.\n")
            f.writelines(f"#include <{h}>\n" for h in PCH_HEADERS)
        os.replace(aside, header)
    try:  # one build at a time; a marker older than a build can take belongs to a dead one
        if time.time() - os.path.getmtime(building) < _PCH_BUILD_SECONDS:
            return _wait_for(gch, building) if wait else None
        os.remove(building)
    except FileNotFoundError:
        pass
    try:
        os.close(os.open(building, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return _wait_for(gch, building) if wait else None
    aside = f"{gch}.{os.getpid()}.{time.monotonic_ns()}"
    command = " ".join(map(shlex.quote, [compiler, *flags, "-x", "c++-header", header,
                                         "-o", aside]))
    script = (f"{command} && mv -f {shlex.quote(aside)} {shlex.quote(gch)} "
              f"|| {{ rm -f {shlex.quote(aside)}; touch {shlex.quote(failed)}; }}; "
              f"rm -f {shlex.quote(building)}")
    # Run in the pch folder, not the caller's: the flags hold ``-I.``, and a file named
    # ``random`` or ``map`` in a student's notebook folder would stand in for the standard one.
    if wait:
        subprocess.run(["sh", "-c", script], stdin=subprocess.DEVNULL, cwd=folder,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return header if os.path.isfile(gch) else None
    # Detached: its own session (a kernel interrupt or restart does not stop it), and the
    # shell that starts it exits at once, so no child is left for this process to reap.
    subprocess.run(["sh", "-c", f"( {script} ) >/dev/null 2>&1 &"], stdin=subprocess.DEVNULL,
                   cwd=folder, start_new_session=True)
    return None


def _wait_for(gch: str, building: str) -> "str | None":
    """Wait (at most a build's time) for another process's build of ``gch``."""
    deadline = time.monotonic() + _PCH_BUILD_SECONDS
    while os.path.exists(building) and time.monotonic() < deadline:
        time.sleep(0.05)
    return gch[:-len(".gch")] if os.path.isfile(gch) else None


def write_unity_source(directory: str, pch: "str | None" = None) -> bool:
    """Write ``sfa_unity.cpp`` and ``sfa_unity.mk`` (Brian2's makefile with ``SRCS`` naming the
    unit; C sources, if any, stay as they are) into the Brian2 project ``directory``; the unit
    includes ``pch`` (see :func:`precompiled_header`) first if given. Returns ``False``,
    writing nothing, if the project does not have the expected shape."""
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
             *([f'#include "{pch}"'] if pch else []),
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


def compile_project(compile_source, directory, compiler, debug, clean, pch_root=None):
    """Brian2's ``compile_source`` for ``directory``, as one unit where possible (see the module
    docstring), with the standard headers precompiled under ``pch_root`` once they are ready
    (:func:`precompiled_header`); Windows' MSVC build (``win_makefile``) is left to Brian2
    unchanged. A unit that fails with the precompiled header is tried once without it (if
    that succeeds, the header was at fault and is deleted, to be built again), then per
    file."""
    from brian2 import prefs

    if compiler == "msvc" or os.path.exists(os.path.join(directory, _FAILED)):
        return compile_source(directory, compiler, debug, clean)
    try:
        pch = precompiled_header(pch_root, directory) if pch_root else None
    except OSError:
        pch = None
    try:
        written = write_unity_source(directory, pch)
    except (OSError, UnicodeError):
        written = False
    if not written:
        return compile_source(directory, compiler, debug, clean)
    make_args = prefs.devices.cpp_standalone.extra_make_args_unix
    prefs.devices.cpp_standalone.extra_make_args_unix = [*make_args, "-f", UNITY_MAKEFILE]
    try:
        try:
            return compile_source(directory, compiler, debug, clean)
        except RuntimeError:
            if pch is None:
                raise
        try:
            os.remove(os.path.join(directory, "sfa_unity.deps"))  # it names the header
        except OSError:
            pass
        write_unity_source(directory)
        result = compile_source(directory, compiler, debug, clean)
        try:  # it was the header (a truncated file): to be built anew
            os.remove(pch + ".gch")
        except OSError:
            pass
        return result
    except RuntimeError:
        open(os.path.join(directory, _FAILED), "w").close()
    finally:
        prefs.devices.cpp_standalone.extra_make_args_unix = make_args
    return compile_source(directory, compiler, debug, clean)
