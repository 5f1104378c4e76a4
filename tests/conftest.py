"""Shared fixtures: a real JupyterLab server and a real headless Chromium page.

Browser tests are marked ``browser``. Without Chromium they are skipped with a reason on a
user's machine, and fail in CI (``CI=true``), where a missing browser is a broken setup.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.lab import ARTIFACTS, CHROMIUM_ARGS, CHROMIUM_ENV, LabServer, chromium_path, screenshot

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config, items):
    """Run browser tests last.

    Playwright's sync API keeps an asyncio loop running on the main thread for as long as
    the session-scoped Playwright instance lives; code under test that schedules work on
    "the running loop" (as the forms' autosave does inside a kernel) would then wait on
    Playwright's loop. Browser tests last means the other tests never see that loop.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def demo_class(tmp_path_factory) -> dict:
    """One simulated class, graded once for the session and shared by the robustness matrix
    and the in-process comparison: every robustness profile in every assignment the
    declarations define, graded with `bana course grade --jobs 2` as configured.

    ``pristine`` is an ungraded copy for tests that grade again in their own way.
    """
    from bana_tools.cli.main import main
    from bana_tools.course import layout
    from bana_tools.course.demo import PROFILES, make_demo

    assignments = list(layout.assignments())
    root = tmp_path_factory.mktemp("class")
    course = root / "course"
    subs = make_demo(course, students=len(PROFILES), seed=11, assignments=assignments)
    pristine = root / "pristine"
    shutil.copytree(course, pristine)
    # every assignment in one command: one set of workers for the whole class
    exit_code = main(["course", "grade", *assignments, "--jobs", "2", "--course", str(course)])
    return {"root": root, "course": course, "pristine": pristine, "exit": exit_code,
            "subs": {(s.assignment, s.profile): s for s in subs}}


@pytest.fixture(scope="session")
def postgres() -> Iterator:
    """A PostgreSQL server on loopback for the session (Debian's ``postgresql``). Missing
    binaries skip the tests on a user's machine and fail them in CI, as for Chromium."""
    from support.postgres import PostgresServer, postgres_bin

    bindir = postgres_bin()
    if bindir is None:
        message = "PostgreSQL not found (apt-get install postgresql)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs the PostgreSQL tests: {message}", pytrace=False)
        pytest.skip(message)
    server = PostgresServer(bindir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = chromium_path()
    if path is None:
        wanted = os.environ.get(CHROMIUM_ENV) or "/usr/bin/chromium"
        message = f"Chromium not found at {wanted} (apt-get install chromium, or set {CHROMIUM_ENV})"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs the browser tests: {message}", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory) -> Iterator[LabServer]:
    """A JupyterLab server for the whole session, on a temporary root folder."""
    root = tmp_path_factory.mktemp("lab-root")
    server = LabServer(root=root).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def playwright_instance(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def page(request, playwright_instance, chromium_executable, tmp_path):
    """A fresh headless Chromium page (new user-data-dir); screenshots any failure."""
    context = playwright_instance.chromium.launch_persistent_context(
        user_data_dir=str(tmp_path / "chromium-profile"),
        executable_path=chromium_executable,
        headless=True,
        args=list(CHROMIUM_ARGS),
        viewport={"width": 1400, "height": 1000},
    )
    context.set_default_timeout(60_000)
    pg = context.pages[0] if context.pages else context.new_page()
    try:
        yield pg
    finally:
        failed = any(
            getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
            for when in ("setup", "call")
        )
        if failed:
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            with contextlib.suppress(Exception):  # the page may be gone
                screenshot(pg, f"FAILED-{name}")
        context.close()


@pytest.fixture
def lab_copy(lab_server):
    """Copy files into the server's root: ``lab_copy(src, "dest/name.ipynb")``."""

    def copy(src: Path | str, dest: str) -> Path:
        target = lab_server.root / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, target)
        return target

    return copy


__all__ = ["ARTIFACTS"]
