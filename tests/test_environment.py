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


def _installed_closure(names: list[str]) -> set[str]:
    """The distributions that installing ``names`` (runtime only, no extras) pulls in."""
    from importlib.metadata import PackageNotFoundError, requires

    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = requires(name) or []
        except PackageNotFoundError:
            continue
        for text in reqs:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    return seen


def _book_code_imports() -> dict[str, set[str]]:
    """Top-level modules imported by the executed code cells of the book: module -> pages."""
    pattern = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)
    imports: dict[str, set[str]] = {}
    for page in sorted((ROOT / "book").rglob("*.md")):
        if "_build" in page.parts:
            continue
        for cell in pattern.findall(page.read_text(encoding="utf-8")):
            for match in re.finditer(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", cell, re.M):
                imports.setdefault(match.group(1), set()).add(page.relative_to(ROOT).as_posix())
    return imports


def test_the_book_builds_with_runtime_dependencies_only():
    # `make start` builds the book with the runtime install (no dev extra): every package the
    # book's code imports must come with the runtime dependencies.
    import sys
    from importlib.metadata import packages_distributions

    providers = packages_distributions()
    runtime = _installed_closure(["bana-tools"])
    missing = {}
    for module, pages in _book_code_imports().items():
        if module in sys.stdlib_module_names or module not in providers:
            continue  # the standard library, or a module the page writes itself
        if not {canonicalize_name(d) for d in providers[module]} & runtime:
            missing[module] = sorted(pages)
    assert not missing, f"the book imports packages that only the dev extra installs: {missing}"
