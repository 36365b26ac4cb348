"""The files Binder (repo2docker) reads are consistent with pyproject.toml and can build the course.

repo2docker reads *only* ``binder/`` when that folder exists, creates the conda environment from
``binder/environment.yml`` before the repository is copied into the image (so a ``pip: -e .``
there cannot work), then runs ``binder/postBuild`` in the repository.
"""

import importlib.metadata
import json
import os
import pathlib
import re
import subprocess
import sys
import tomllib

import yaml

from requirements_util import for_python, split_requirement

ROOT = pathlib.Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
# Files repo2docker would read at the top level, and silently ignores once binder/ exists.
REPO2DOCKER_FILES = ["environment.yml", "requirements.txt", "postBuild", "apt.txt", "runtime.txt",
                     "start", "Project.toml", "install.R", "DESCRIPTION", "Dockerfile"]


def _conda(path):
    env = yaml.safe_load(path.read_text())
    return env, dict(split_requirement(d) for d in env["dependencies"] if isinstance(d, str))


def _pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = {k: dict(split_requirement(r) for r in v) for k, v in project["optional-dependencies"].items()}
    # Binder pins Python 3.11: pyproject's requirements as its markers select them there
    return dict(split_requirement(r) for r in for_python(project["dependencies"], "3.11")), extras


def test_binder_folder_holds_all_the_configuration():
    assert (BINDER / "environment.yml").is_file() and (BINDER / "postBuild").is_file()
    present = [f"binder/{name}" for name in REPO2DOCKER_FILES if (BINDER / name).exists()]
    assert sorted(present) == ["binder/environment.yml", "binder/postBuild"], present
    # Top-level files other than environment.yml (kept for conda users) would be ignored by Binder.
    ignored = [n for n in REPO2DOCKER_FILES if n != "environment.yml" and (ROOT / n).exists()]
    assert not ignored, f"Binder ignores these top-level files because binder/ exists: {ignored}"


def test_binder_environment_matches_pyproject_and_environment_yml():
    runtime, extras = _pyproject()
    env, binder = _conda(BINDER / "environment.yml")
    _, top = _conda(ROOT / "environment.yml")
    needed = {**runtime, **extras["lab"]}
    missing = sorted(set(needed) - set(binder))
    assert not missing, f"binder/environment.yml lacks runtime/lab packages: {missing}"
    everything = {**runtime, **{n: s for extra in extras.values() for n, s in extra.items()}}
    for name, spec in binder.items():
        if name in ("python", "pip", "compilers"):
            continue
        assert name in everything, f"binder/environment.yml lists {name}, which pyproject.toml does not"
        assert spec == everything[name], f"{name}: {spec!r} in binder/, {everything[name]!r} in pyproject.toml"
        assert top.get(name) == spec, f"{name}: {spec!r} in binder/, {top.get(name)!r} in environment.yml"
    assert binder["python"] == top["python"] == "=3.11"
    assert "compilers" in binder, "Brian2 needs a C++ compiler on Binder"
    assert env.get("channels") == ["conda-forge"]
    assert not [d for d in env["dependencies"] if isinstance(d, dict)], \
        "no pip section in binder/environment.yml: the repository is not there yet when it is read"


def test_binder_environment_provides_what_the_lessons_import():
    """Every module a lesson (or sfa_helpers) imports comes from a package in the Binder
    environment or from one of their dependencies (as installed here)."""
    _, binder = _conda(BINDER / "environment.yml")
    modules = set()
    # sfa_helpers: module-level imports (an import inside a function is an optional path, e.g.
    # a progress bar of an instructor's tool); lessons: every import.
    for path in (ROOT / "sfa_helpers").rglob("*.py"):
        modules.update(re.findall(r"^(?:from|import)\s+([A-Za-z_]\w*)", path.read_text(), re.M))
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        for text in ("".join(c["source"]) for c in cells if c["cell_type"] == "code"):
            modules.update(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", text, re.M))
    provided = _closure(set(binder))
    owners = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(modules):
        if module in sys.stdlib_module_names or module in ("sfa_helpers", "__future__"):
            continue
        dists = {split_requirement(d)[0] for d in owners.get(module, [])}
        if not dists & provided:
            missing[module] = sorted(dists) or ["(not installed here)"]
    assert not missing, f"imported by lessons or sfa_helpers but not in the Binder environment: {missing}"


def _closure(names):
    """Distributions in ``names`` and, recursively, their installed requirements."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for req in requires:
            if "extra ==" in req:
                continue
            todo.append(split_requirement(req)[0])
    return seen


def test_postbuild_installs_the_package_and_warms_the_cache():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable (git update-index --chmod=+x)"
    text = post.read_text()
    assert text.startswith("#!"), "postBuild needs a shebang line"
    assert "set -e" in text, "postBuild must stop at the first failing step"
    commands = [line.strip() for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#") and not line.startswith("set ")]
    assert re.search(r"pip install .*--no-deps.* (-e )?\.$", commands[0]), \
        "postBuild must first install the package (its dependencies come from conda)"
    assert any("tools/warm_cache.py" in c for c in commands[1:]), "postBuild must warm the build cache"
    assert (ROOT / "tools" / "warm_cache.py").is_file()
    syntax = subprocess.run(["bash", "-n", str(post)], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr
    helped = subprocess.run([sys.executable, str(ROOT / "tools" / "warm_cache.py"), "--help"],
                            capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0, helped.stderr
