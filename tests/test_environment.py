"""pyproject.toml and environment.yml (conda, Binder) list the same packages and versions."""

import pathlib
import tomllib

import yaml

from requirements_util import for_python, split_requirement

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # conda pins Python 3.11: pyproject's requirements as its markers select them there
    wanted = dict(split_requirement(r) for r in for_python(project["dependencies"], "3.11"))
    for extra in ("lab", "grade", "test", "docs"):
        wanted.update(split_requirement(r) for r in project["optional-dependencies"][extra])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(split_requirement(d) for d in env["dependencies"] if isinstance(d, str))
    # Packages conda-forge lacks come from the pip section (not its "-e ." line).
    conda.update(split_requirement(p) for d in env["dependencies"] if isinstance(d, dict)
                 for p in d.get("pip", []) if not p.startswith("-"))
    missing = {n: s for n, s in wanted.items() if n not in conda}
    different = {n: (s, conda[n]) for n, s in wanted.items() if n in conda and conda[n] != s}
    assert not missing, f"in pyproject.toml but not in environment.yml: {missing}"
    assert not different, f"version specifiers differ (pyproject, environment.yml): {different}"
    assert conda["python"] == "=3.11"
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section and "-e ." in pip_section[0]["pip"], "environment.yml must install the package"
