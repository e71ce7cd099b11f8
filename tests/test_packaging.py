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


def _specs(reqs) -> dict[str, str]:
    return {_name(r): re.sub(r"^[A-Za-z0-9_.\-\[\]]+", "", r.split(";")[0]).replace(" ", "")
            for r in reqs}


def test_environment_yml_has_the_same_version_ranges():
    project = _pyproject()
    wanted = _specs(project["dependencies"])
    for extra in ("test", "lab", "comtrade"):
        wanted.update(_specs(project["optional-dependencies"][extra]))
    have = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s*-\s+([A-Za-z0-9_.\-]+)([<>=!~][^#\s]*)?", line)
        if m and m.group(1) not in ("pip", "python", "-e"):
            have[CONDA_NAMES.get(m.group(1).lower(), m.group(1).lower())] = m.group(2) or ""
    differ = {n: (wanted[n], have.get(n)) for n in wanted if have.get(n) != wanted[n]}
    assert not differ, f"pyproject vs environment.yml ranges differ: {differ}"


def test_constraints_pin_every_dependency_inside_its_range():
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.version import Version

    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            spec, _, marker = line.partition(";")
            name, _, ver = spec.partition("==")
            if marker and not Marker(marker).evaluate():
                continue  # the pin for another 3.11.x (e.g. before 3.11.5)
            pins[_name(name)] = Version(ver.strip())
    project = _pyproject()
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    for text in reqs:
        req = Requirement(text)
        name = _name(req.name)
        assert name in pins, f"constraints.txt does not pin {name}: run bash tools/lock.sh"
        assert pins[name] in req.specifier, (f"constraints.txt pins {name}=={pins[name]} "
                                             f"outside pyproject's {req.specifier}")


def test_readme_and_ci_install_with_the_constraints():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert readme.count("pip install -c constraints.txt -e") >= 2
    assert "-c constraints.txt" in ci


def test_python_floor_is_311():
    assert _pyproject()["requires-python"] == ">=3.11"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    m = re.search(r"pip install -c constraints\.txt -e \"\.\[test\]\" && (pytest[^\n`]*)",
                  readme)
    assert m, ("README has no test command of the form: pip install -c constraints.txt -e "
               "\".[test]\" && pytest ...")
    assert m.group(1).strip() in ci


def test_package_data_files_exist():
    from esc.config import package_data_dir

    for name in ("sectors.csv", "partner_groups.csv", "initiatives.csv"):
        assert (package_data_dir() / name).is_file(), name
