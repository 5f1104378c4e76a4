"""`bana start` as a student meets it: the real command, JupyterLab in headless Chromium.

The course server runs offline, so JupyterLab must not ask "Would you like to get notified
about official Jupyter news?" (a toast over the file browser). The environment's
``share/jupyter/lab/settings/overrides.json`` answers it; this checks the page a student
sees, with fresh user settings, after JupyterLab has had time to show the prompt.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_start import free_port, read_urls

from support.lab import screenshot

pytestmark = pytest.mark.browser


def test_jupyterlab_shows_no_news_toast(tmp_path: Path, page):
    (tmp_path / "exercises").mkdir()
    html = tmp_path / "book" / "_build" / "html"  # a built book, so all three URLs print
    html.mkdir(parents=True)
    (html / "index.html").write_text("<html><body>book</body></html>")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / ".config"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / ".settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / ".workspaces"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bana_tools", "start", "--root", str(tmp_path),
         "--port", str(free_port())],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        start_new_session=True,
    )
    try:
        urls = read_urls(proc, after="bana-tools course is ready")
        page.goto(urls["Exercises"])
        page.locator("#jp-main-dock-panel").wait_for(state="visible", timeout=90_000)
        page.locator(".jp-DirListing-content").wait_for(state="visible", timeout=60_000)
        # JupyterLab asks its news question a few seconds after start-up: give it time.
        page.wait_for_timeout(8_000)
        screenshot(page, "start-no-news-toast")
        assert page.get_by_text("official Jupyter news").count() == 0
        assert page.locator(".Toastify__toast").count() == 0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
