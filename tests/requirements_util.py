"""Parse requirement strings the same way for pyproject.toml, environment.yml and Binder files."""

import re


def split_requirement(requirement: str):
    """'numpy>=1.26,<2.4' -> ('numpy', '<2.4,>=1.26'): names normalised, specifiers sorted."""
    requirement = requirement.split(";")[0].split("#")[0].strip()
    match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    spec = ",".join(sorted(s.strip() for s in match.group(2).split(",") if s.strip()))
    return name, spec
