"""Parse requirement strings the same way for pyproject.toml, environment.yml and Binder files."""

import re


def split_requirement(requirement: str):
    """'numpy>=1.26,<2.4' -> ('numpy', '<2.4,>=1.26'): names normalised, specifiers sorted."""
    requirement = requirement.split(";")[0].split("#")[0].strip()
    match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    spec = ",".join(sorted(s.strip() for s in match.group(2).split(",") if s.strip()))
    return name, spec


def for_python(requirements, python_version: str) -> list:
    """The requirements whose environment marker holds on ``python_version`` (e.g. '3.11')."""
    from packaging.requirements import Requirement

    kept = []
    for text in requirements:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"python_version": python_version,
                                                      "python_full_version": python_version + ".0"}):
            kept.append(text)
    return kept
