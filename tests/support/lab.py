"""Test harness: a real JupyterLab server and real headless Chromium (Playwright).

``LabServer`` starts ``jupyter lab`` on a free loopback port with a temporary root folder
and a random token, waits until it answers, and stops it. The helpers below drive the
JupyterLab UI the way a student does: open a notebook, run all cells, wait for the kernel
to go idle. They use only what JupyterLab shows on screen (menus, prompts, status), so a
test fails when a student would be stuck.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

#: Flags that let Chromium start and stay quiet on a machine with no network.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
CHROMIUM_ENV = "BANA_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("BANA_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))


def chromium_path() -> str | None:
    """The Chromium executable for browser tests, or None when there is none."""
    return shutil.which(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    """A running ``jupyter lab`` on loopback, rooted at ``root``."""

    root: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lab_url(self, path: str = "", workspace: str | None = None) -> str:
        """The JupyterLab URL of ``path``; a ``workspace`` name gives a fresh layout."""
        tail = f"/tree/{path}" if path else ""
        ws = f"/workspaces/{workspace}" if workspace else ""
        return f"{self.url}/lab{ws}{tail}?token={self.token}"

    def start(self, timeout: float = 90, extra_args: list[str] | None = None) -> LabServer:
        state = self.root.parent / f"{self.root.name}-jupyter-state"
        state.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        # Isolate from the developer's own settings and workspaces, keep sys-prefix config.
        env.update(
            JUPYTER_CONFIG_DIR=str(state / "config"),
            JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
            JUPYTER_RUNTIME_DIR=str(state / "runtime"),
            PYTHONUNBUFFERED="1",
        )
        cmd = [
            sys.executable, "-m", "jupyter", "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            *(extra_args or []),
        ]
        # No user settings: the "get notified about official Jupyter news?" toast must be kept
        # away by the environment's own overrides.json (as for a student), not by the harness.
        self.log_path = state / "server.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"jupyter lab did not answer within {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# --- driving JupyterLab in the browser -------------------------------------------------

#: The notebook panel in the tab that is showing (hidden tabs carry ``lm-mod-hidden``).
ACTIVE_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
_CODE_PROMPTS = f"[...document.querySelectorAll('{ACTIVE_PANEL} .jp-CodeCell .jp-InputPrompt')]"

def open_notebook(page, server: LabServer, path: str, timeout: float = 60_000) -> None:
    """Open ``path`` (relative to the server root) and wait until its kernel is idle.

    Each call uses a new JupyterLab workspace, so tabs left open by an earlier test on the
    same server are not restored next to it.
    """
    page.goto(server.lab_url(path, workspace=f"t{secrets.token_hex(6)}"))
    page.locator(ACTIVE_PANEL).first.wait_for(state="visible", timeout=timeout)
    page.locator(f"{ACTIVE_PANEL} .jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=timeout)
    wait_for_kernel_idle(page, timeout=timeout)


def wait_for_kernel_idle(page, timeout: float = 120_000) -> None:
    """Wait until the notebook's kernel is idle and no cell is queued or running."""
    page.locator(f"{ACTIVE_PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        state="attached", timeout=timeout
    )
    page.wait_for_function(
        f"() => !{_CODE_PROMPTS}.some(el => el.textContent.includes('[*]'))", timeout=timeout
    )


def menu(page, *labels: str) -> None:
    """Click through JupyterLab's main menu: ``menu(page, "Run", "Run All Cells")``."""
    first, *rest = labels
    page.locator(".lm-MenuBar-itemLabel", has_text=first).first.click()
    for label in rest:
        page.locator(".lm-Menu-itemLabel", has_text=label).first.click()


_RUN_STARTED = f"""() => {_CODE_PROMPTS}.some(el => /\\[(\\d+|\\*)\\]/.test(el.textContent))"""


def run_all_cells(page, timeout: float = 120_000, attempts: int = 3) -> None:
    """Run every cell of the open notebook and wait until nothing is queued or running.

    Outputs are cleared first, so every code cell's prompt is blank until it runs again;
    a Run All that JupyterLab dropped while still settling (it happens under load) is
    detected by no prompt changing, and retried.
    """
    for attempt in range(attempts):
        page.locator(f"{ACTIVE_PANEL} .jp-Notebook").first.click()
        menu(page, "Edit", "Clear Outputs of All Cells")
        page.wait_for_function(
            f"() => !{_CODE_PROMPTS}.some(el => /\\[\\d+\\]/.test(el.textContent))",
            timeout=10_000,
        )
        menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_function(_RUN_STARTED, timeout=20_000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; retried below
            if attempt == attempts - 1:
                raise AssertionError(f"Run All Cells did not start after {attempts} tries") from None
    # Queued and running cells both show [*]: none left and the kernel idle means done.
    # (Not "every prompt numbered": after an error the kernel skips the remaining cells.)
    wait_for_kernel_idle(page, timeout=timeout)


def restart_kernel(page, timeout: float = 60_000) -> None:
    """Restart the kernel of the open notebook (confirming the dialog)."""
    menu(page, "Kernel", "Restart Kernel…")
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(state="visible", timeout=timeout)
    dialog.locator("button.jp-mod-accept").click()
    page.wait_for_timeout(500)
    wait_for_kernel_idle(page, timeout=timeout)


def save_notebook(page) -> None:
    """Save the open notebook with the keyboard shortcut, as a student would."""
    page.keyboard.press("Control+s")
    page.wait_for_timeout(500)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under the test-artifacts folder and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
