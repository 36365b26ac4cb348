"""pyproject.toml and environment.yml (conda, Binder) list the same packages and versions."""

import pathlib
import re
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _split(requirement: str):
    """'numpy>=1.26,<2.4' -> ('numpy', '>=1.26,<2.4'); names normalised, specifiers sorted."""
    requirement = requirement.split(";")[0].split("#")[0].strip()
    match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    spec = ",".join(sorted(s.strip() for s in match.group(2).split(",") if s.strip()))
    return name, spec


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(r) for r in project["dependencies"])
    for extra in ("lab", "test", "docs"):
        wanted.update(_split(r) for r in project["optional-dependencies"][extra])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    # Packages conda-forge lacks come from the pip section (not its "-e ." line).
    conda.update(_split(p) for d in env["dependencies"] if isinstance(d, dict)
                 for p in d.get("pip", []) if not p.startswith("-"))
    missing = {n: s for n, s in wanted.items() if n not in conda}
    different = {n: (s, conda[n]) for n, s in wanted.items() if n in conda and conda[n] != s}
    assert not missing, f"in pyproject.toml but not in environment.yml: {missing}"
    assert not different, f"version specifiers differ (pyproject, environment.yml): {different}"
    assert conda["python"] == "=3.11"
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section and "-e ." in pip_section[0]["pip"], "environment.yml must install the package"
