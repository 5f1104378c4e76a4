"""Diagnose a student's Jupyter setup (the logic behind ``bana doctor``).

The most common problem in a widget-based course is a form that does not show: "Error
displaying widget", a missing or disabled lab extension, or a notebook kernel that runs a
different Python from the one the course was installed into. Each check here returns a
:class:`Finding` with a status and, when something is wrong, one line saying how to fix it.

Statuses:

``ok``
    All good.
``warn``
    Worth knowing, but a student can work (for instance no Chromium for the browser tests).
``fail``
    Something a student needs is broken; ``bana doctor`` exits 1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

Status = Literal["ok", "warn", "fail"]

#: Distributions whose versions ``bana doctor`` reports.
REPORTED_PACKAGES: tuple[str, ...] = (
    "jupyterlab",
    "notebook",
    "ipywidgets",
    "jupyterlab_widgets",
    "nbgrader",
    "jupyter-book",
)
WIDGET_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
NBGRADER_EXTENSION = "@jupyter/nbgrader"
NBGRADER_SERVER_EXTENSIONS: tuple[str, ...] = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",
)
#: ipywidgets releases known to misbehave, with the reason.
BAD_IPYWIDGETS: dict[str, str] = {
    "8.1.9": "renders nothing in VS Code notebooks (vscode-jupyter issue 17504)",
}
#: Environment variable naming the Chromium used by the browser tests.
CHROMIUM_ENV = "BANA_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Finding:
    """The outcome of one check."""

    name: str
    status: Status
    detail: str
    fix: str = ""


def python_version() -> Finding:
    """Python itself: 3.11 or newer is required."""
    version = ".".join(str(v) for v in sys.version_info[:3])
    detail = f"Python {version} at {sys.executable}"
    if sys.version_info < (3, 11):  # noqa: UP036 - doctor may run from an older Python
        return Finding("python", "fail", detail, "install Python 3.11 or newer and rerun 'make start'")
    return Finding("python", "ok", detail)


def package_versions(packages: Iterable[str] = REPORTED_PACKAGES) -> list[Finding]:
    """The installed version of each course package; a missing one is a failure."""
    findings = []
    for dist in packages:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            findings.append(
                Finding(dist, "fail", "not installed", f"run '{sys.executable} -m pip install -e .' in the course folder")
            )
            continue
        reason = BAD_IPYWIDGETS.get(version) if dist == "ipywidgets" else None
        if reason:
            findings.append(
                Finding(dist, "warn", f"{version}: {reason}", f"{sys.executable} -m pip install 'ipywidgets==8.1.8'")
            )
        else:
            findings.append(Finding(dist, "ok", version))
    return findings


def _jupyter() -> str:
    """The ``jupyter`` command of this environment, spelled so it works unactivated."""
    return f"{sys.executable} -m jupyter"


def _lab_extensions() -> tuple[set[str], dict[str, bool]]:
    """Installed federated lab extensions and JupyterLab's disabled map."""
    from jupyter_core.paths import jupyter_path
    from jupyterlab.commands import AppOptions, get_app_info

    info = get_app_info(AppOptions(labextensions_path=jupyter_path("labextensions")))
    return set(info.get("federated_extensions", {})), dict(info.get("disabled", {}))


def _is_disabled(name: str, disabled: dict[str, bool]) -> bool:
    return any(
        flag and (key == name or key.startswith(name + ":")) for key, flag in disabled.items()
    )


def disabled_levels(name: str) -> list[str]:
    """The config levels (``user``, ``sys_prefix``, ``system``) whose page_config disables ``name``."""
    from jupyter_core.paths import jupyter_config_dir, jupyter_config_path

    levels = []
    user_dir = Path(jupyter_config_dir()).resolve()
    prefix = Path(sys.prefix).resolve()
    for folder in jupyter_config_path():
        page_config = Path(folder) / "labconfig" / "page_config.json"
        try:
            disabled = json.loads(page_config.read_text()).get("disabledExtensions", {})
        except (OSError, ValueError, AttributeError):
            continue
        if not isinstance(disabled, dict) or not _is_disabled(name, disabled):
            continue
        resolved = Path(folder).resolve()
        if resolved == user_dir:
            level = "user"
        elif resolved.is_relative_to(prefix):
            level = "sys_prefix"
        else:
            level = "system"
        if level not in levels:
            levels.append(level)
    return levels


def lab_extension(name: str, label: str, *, required: bool = True) -> Finding:
    """Whether the JupyterLab extension ``name`` is installed and enabled."""
    try:
        installed, disabled = _lab_extensions()
    except Exception as exc:  # noqa: BLE001 - jupyterlab missing or broken
        return Finding(label, "fail", f"cannot read JupyterLab's extensions ({exc})",
                       f"run '{sys.executable} -m pip install -e .' in the course folder")
    bad: Status = "fail" if required else "warn"
    if name not in installed:
        return Finding(label, bad, f"{name} is not installed",
                       f"{sys.executable} -m pip install --force-reinstall "
                       + ("jupyterlab_widgets" if name == WIDGET_EXTENSION else "nbgrader"))
    if _is_disabled(name, disabled):
        levels = disabled_levels(name) or ["sys_prefix"]
        fix = " && ".join(f"{_jupyter()} labextension enable --level={lvl} {name}" for lvl in levels)
        return Finding(label, bad, f"{name} is disabled",
                       f"{fix}, then restart JupyterLab and reload the page")
    return Finding(label, "ok", f"{name} installed and enabled")


def nbgrader_server_extensions() -> Finding:
    """Whether nbgrader's server extensions (formgrader, assignment list ...) are enabled."""
    try:
        from jupyter_core.paths import jupyter_config_path
        from jupyter_server.extension.config import ExtensionConfigManager

        enabled = ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions()
    except Exception as exc:  # noqa: BLE001
        return Finding("nbgrader server", "warn", f"cannot read server extensions ({exc})")
    off = [ext for ext in NBGRADER_SERVER_EXTENSIONS if not enabled.get(ext)]
    if off:
        return Finding("nbgrader server", "warn", "disabled: " + ", ".join(off),
                       f"{_jupyter()} server extension enable --sys-prefix " + " ".join(off))
    return Finding("nbgrader server", "ok", "formgrader and assignment list enabled")


_PROBE = (
    "import json, sys\n"
    "try:\n    import ipywidgets; w = ipywidgets.__version__\n"
    "except Exception:\n    w = None\n"
    "print(json.dumps({'prefix': sys.prefix, 'executable': sys.executable, 'ipywidgets': w}))\n"
)


def default_kernel(kernel_name: str = "python3") -> Finding:
    """Whether the ``python3`` kernel runs this environment's Python (and has ipywidgets)."""
    label = "kernel"
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        return Finding(label, "fail", f"no '{kernel_name}' kernel",
                       f"{sys.executable} -m ipykernel install --sys-prefix")
    except Exception as exc:  # noqa: BLE001
        return Finding(label, "fail", f"cannot read kernels ({exc})",
                       f"{sys.executable} -m ipykernel install --sys-prefix")
    exe = spec.argv[0] if spec.argv else ""
    if exe in ("python", "python3", "{python}"):
        exe = sys.executable  # ipykernel's own spec: resolved to the server's Python
    try:
        out = subprocess.run([exe, "-c", _PROBE], capture_output=True, text=True, timeout=60)
        probe = json.loads(out.stdout.strip().splitlines()[-1])
    except Exception:  # noqa: BLE001 - a missing or broken interpreter
        return Finding(label, "fail", f"'{kernel_name}' kernel runs {exe}, which does not start",
                       f"{sys.executable} -m ipykernel install --sys-prefix")
    same = Path(probe["prefix"]).resolve() == Path(sys.prefix).resolve()
    if not same:
        return Finding(
            label, "fail",
            f"'{kernel_name}' kernel runs {probe['executable']}, not this environment ({sys.prefix})",
            f"{sys.executable} -m ipykernel install --sys-prefix  (and remove the other spec: "
            f"{spec.resource_dir})",
        )
    if not probe["ipywidgets"]:
        return Finding(label, "fail", "kernel cannot import ipywidgets",
                       f"{sys.executable} -m pip install -e .")
    return Finding(label, "ok", f"'{kernel_name}' runs this environment ({probe['executable']})")


def chromium() -> Finding:
    """Whether Chromium is there for the browser tests (only developers need it)."""
    path = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    found = shutil.which(path)
    if found:
        return Finding("chromium", "ok", f"{found} (browser tests can run)")
    return Finding(
        "chromium", "warn", f"{path} not found: browser tests will be skipped",
        f"sudo apt-get install chromium  (or set {CHROMIUM_ENV}=/path/to/chromium)",
    )


def run_all() -> list[Finding]:
    """Run every check, in the order ``bana doctor`` prints them."""
    checks: list[Callable[[], Finding | list[Finding]]] = [
        python_version,
        package_versions,
        lambda: lab_extension(WIDGET_EXTENSION, "widgets extension"),
        lambda: lab_extension(NBGRADER_EXTENSION, "nbgrader extension", required=False),
        nbgrader_server_extensions,
        default_kernel,
        chromium,
    ]
    findings: list[Finding] = []
    for check in checks:
        result = check()
        findings.extend(result if isinstance(result, list) else [result])
    return findings


def exit_code(findings: Iterable[Finding]) -> int:
    """1 when any finding failed, else 0."""
    return 1 if any(f.status == "fail" for f in findings) else 0
