"""The project's own files install everything: pyproject.toml and environment.yml agree,
and the data files the package needs ship with it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"python-duckdb": "duckdb"}  # conda-forge name -> PyPI name


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _environment_names() -> set[str]:
    names = set()
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s*-\s+([A-Za-z0-9_.\-]+)", line)
        if m and m.group(1) not in ("pip", "python", "conda-forge", "-e"):
            names.add(CONDA_NAMES.get(m.group(1).lower(), m.group(1).lower()))
    return names


def test_environment_yml_lists_every_pyproject_dependency():
    project = _pyproject()
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in ("test", "lab", "comtrade"):
        wanted |= {_name(r) for r in project["optional-dependencies"][extra]}
    have = _environment_names()
    assert wanted - have == set(), f"missing from environment.yml: {sorted(wanted - have)}"
    assert have - wanted == set(), f"only in environment.yml: {sorted(have - wanted)}"


def test_python_floor_is_311():
    assert _pyproject()["requires-python"] == ">=3.11"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    m = re.search(r"pip install -e \"\.\[test\]\" && (pytest[^\n`]*)", readme)
    assert m, "README has no test command of the form: pip install -e \".[test]\" && pytest ..."
    assert m.group(1).strip() in ci


def test_package_data_files_exist():
    from esc.config import package_data_dir

    for name in ("sectors.csv", "partner_groups.csv", "initiatives.csv"):
        assert (package_data_dir() / name).is_file(), name
