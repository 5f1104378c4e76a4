"""Smoke test of the harness: a widget typed into and clicked in real JupyterLab."""

from __future__ import annotations

import json
import time

import pytest

from support.lab import open_notebook, run_all_cells, screenshot

pytestmark = pytest.mark.browser

SMOKE_CELL = """\
import pathlib
import ipywidgets as widgets

name_box = widgets.Text(description="Name", placeholder="your name")
save_button = widgets.Button(description="Save name")

def on_save(_):
    pathlib.Path("smoke-result.txt").write_text(name_box.value)

save_button.on_click(on_save)
widgets.VBox([name_box, save_button])
"""


def smoke_notebook() -> dict:
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                   "outputs": [], "source": SMOKE_CELL}],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                    "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def test_typing_and_clicking_a_widget_reaches_the_kernel(lab_server, page):
    nb = lab_server.root / "smoke" / "smoke.ipynb"
    nb.parent.mkdir(parents=True, exist_ok=True)
    nb.write_text(json.dumps(smoke_notebook()))
    result = nb.parent / "smoke-result.txt"

    open_notebook(page, lab_server, "smoke/smoke.ipynb")
    run_all_cells(page)
    text_input = page.locator(".widget-text input").first
    text_input.wait_for(state="visible")
    text_input.fill("Ada Lovelace")
    page.get_by_role("button", name="Save name").click()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not result.exists():
        time.sleep(0.2)
    screenshot(page, "smoke-widget")
    assert result.exists(), "the button's callback never ran in the kernel"
    assert result.read_text() == "Ada Lovelace"
