"""pyproject.toml, environment.yml and constraints.txt must describe the same environment."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def runtime_requirements() -> dict[str, SpecifierSet]:
    reqs = [Requirement(r) for r in pyproject()["project"]["dependencies"]]
    return {canonicalize_name(r.name): r.specifier for r in reqs}


def conda_requirements() -> tuple[dict[str, SpecifierSet], list]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda: dict[str, SpecifierSet] = {}
    pip_section: list = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section = dep.get("pip", [])
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", dep.strip())
        assert match, f"unparseable conda dependency: {dep!r}"
        conda[canonicalize_name(match.group(1))] = SpecifierSet(match.group(2).replace(" ", ""))
    return conda, pip_section


def test_environment_yml_has_the_same_dependencies_as_pyproject():
    conda, _ = conda_requirements()
    conda.pop("pip", None)
    python = conda.pop("python")
    assert python == SpecifierSet(pyproject()["project"]["requires-python"])
    runtime = runtime_requirements()
    assert set(conda) == set(runtime), (
        f"only in environment.yml: {sorted(set(conda) - set(runtime))}; "
        f"only in pyproject.toml: {sorted(set(runtime) - set(conda))}"
    )
    for name, spec in runtime.items():
        assert conda[name] == spec, f"{name}: pyproject says '{spec}', environment.yml says '{conda[name]}'"


def test_environment_yml_installs_the_package_itself():
    _, pip_section = conda_requirements()
    assert "-e ." in pip_section or "." in pip_section


def test_constraints_pin_every_dependency_inside_its_range():
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt must pin exact versions: {line!r}"
            pins[canonicalize_name(name)] = Version(version)
    extras = pyproject()["project"]["optional-dependencies"]["dev"]
    wanted = list(runtime_requirements().items()) + [
        (canonicalize_name(Requirement(r).name), Requirement(r).specifier) for r in extras
    ]
    for name, spec in wanted:
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert spec.contains(pins[name], prereleases=True), f"{name}=={pins[name]} is outside '{spec}'"
