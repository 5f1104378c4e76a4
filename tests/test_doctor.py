"""``bana --version`` and ``bana doctor`` against this environment, healthy and broken."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bana_tools
from bana_tools import doctor

BANA = [sys.executable, "-m", "bana_tools"]
WIDGETS = "@jupyter-widgets/jupyterlab-manager"


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(BANA + args, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def user_config_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose user-level Jupyter config lives in a temporary folder."""
    env = dict(os.environ)
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter-config")
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")
    return env


def test_version_matches_package():
    out = run(["--version"])
    assert out.returncode == 0
    assert out.stdout.strip() == f"bana-tools {bana_tools.__version__}"


def test_doctor_is_healthy_here(user_config_env):
    out = run(["doctor"], env=user_config_env)
    assert out.returncode == 0, out.stdout + out.stderr
    for name in ("python", "jupyterlab", "notebook", "ipywidgets", "nbgrader", "jupyter-book",
                 "widgets extension", "nbgrader extension", "kernel", "chromium"):
        assert name in out.stdout
    assert "FAIL" not in out.stdout
    assert out.stdout.strip().endswith("healthy")


def test_doctor_json_lists_every_finding(user_config_env):
    out = run(["doctor", "--json"], env=user_config_env)
    report = json.loads(out.stdout)
    assert report["healthy"] is (out.returncode == 0)
    names = {f["name"] for f in report["findings"]}
    assert {"python", "ipywidgets", "widgets extension", "kernel"} <= names
    assert all(f["status"] in {"ok", "warn", "fail"} for f in report["findings"])


def test_disabled_widget_extension_fails_with_the_fix(user_config_env):
    disable = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "disable", "--level=user", WIDGETS],
        capture_output=True, text=True, env=user_config_env, timeout=120,
    )
    assert disable.returncode == 0, disable.stderr
    out = run(["doctor"], env=user_config_env)
    assert out.returncode == 1
    line = next(ln for ln in out.stdout.splitlines() if "widgets extension" in ln)
    assert line.startswith("[FAIL]")
    assert f"jupyter labextension enable --level=user {WIDGETS}" in line

    enable = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "enable", "--level=user", WIDGETS],
        capture_output=True, text=True, env=user_config_env, timeout=120,
    )
    assert enable.returncode == 0, enable.stderr
    assert run(["doctor"], env=user_config_env).returncode == 0


def test_kernel_from_another_environment_is_reported(user_config_env, tmp_path):
    # JUPYTER_PATH outranks the environment's own kernels, as a stray user setting would.
    user_config_env["JUPYTER_PATH"] = str(tmp_path / "jupyter-path")
    spec_dir = tmp_path / "jupyter-path" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    # A kernel spec pointing at a Python that is not this environment's.
    other = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "/does/not/exist/python"
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [other, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (elsewhere)", "language": "python",
    }))
    out = run(["doctor"], env=user_config_env)
    assert out.returncode == 1
    line = next(ln for ln in out.stdout.splitlines() if ln.split("]")[1].strip().startswith("kernel"))
    assert line.startswith("[FAIL]")
    assert "ipykernel install --sys-prefix" in line


def test_missing_chromium_is_a_warning_not_a_failure(monkeypatch):
    monkeypatch.setenv(doctor.CHROMIUM_ENV, "/nowhere/chromium")
    finding = doctor.chromium()
    assert finding.status == "warn"
    assert "apt-get install chromium" in finding.fix


def test_known_bad_ipywidgets_release_is_flagged(monkeypatch):
    monkeypatch.setattr(doctor.metadata, "version", lambda dist: "8.1.9")
    (finding,) = doctor.package_versions(["ipywidgets"])
    assert finding.status == "warn"
    assert "VS Code" in finding.detail


def test_exit_code_reflects_failures():
    ok = doctor.Finding("a", "ok", "")
    warn = doctor.Finding("b", "warn", "")
    fail = doctor.Finding("c", "fail", "")
    assert doctor.exit_code([ok, warn]) == 0
    assert doctor.exit_code([ok, fail]) == 1
