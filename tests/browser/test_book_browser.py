"""The built book in a real browser: chapter 2 renders its sidebar, callouts, figures, citations.

The book is built once per session by ``test_book.build_book`` (shared with
``tests/test_book.py``) and served by a small ``http.server`` on loopback, the way a reader's
browser would load it from a web server.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator

import pytest
import test_book as book_build

from support.lab import ARTIFACTS

pytestmark = pytest.mark.browser


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture(scope="module")
def book_url() -> Iterator[str]:
    built = book_build.build_book()
    assert built.returncode == 0, f"the book failed to build:\n{built.log[-4000:]}"
    handler = functools.partial(QuietHandler, directory=str(built.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def viewport_screenshot(page, name: str) -> None:
    """Save what the reader sees (the chapter is too long for a useful full-page shot)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_chapter_two_renders_sidebar_callouts_figures_and_citations(book_url, page):
    page.goto(f"{book_url}/part1/ch02-before-we-build.html")
    page.wait_for_load_state("load")

    # Sidebar: the book's navigation with Part I's two chapters, chapter 2 marked current.
    sidebar = page.locator("nav.bd-docs-nav")
    assert sidebar.is_visible()
    assert sidebar.get_by_text("Part I: Laying the Foundation").is_visible()
    current = sidebar.locator("li.current > a").first
    assert current.inner_text().strip() == "2 Before We Build"

    # A callout (admonition): the project-manager aside of section 2.1.
    # (Sphinx typesets the apostrophe of "Isn't" as a typographic one.)
    aside = page.locator("div.admonition", has_text="this a project manager").first
    aside.scroll_into_view_if_needed()
    assert aside.is_visible()
    assert aside.locator(".admonition-title").inner_text().startswith("Isn")

    # A figure executed at build time: its image has loaded and has a real size.
    figure = page.locator("#fig-net-savings")
    figure.scroll_into_view_if_needed()
    image = figure.locator("img").first
    assert image.is_visible()
    width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
    assert width > 300
    assert "Figure" in figure.locator("figcaption").inner_text()
    viewport_screenshot(page, "book-ch02-figure")

    # A citation: rendered as author and year, linking to the bibliography entry.
    citation = page.locator("span.bibtex-citation a", has_text="Saito").first
    citation.scroll_into_view_if_needed()
    assert citation.is_visible()
    assert "2015" in citation.inner_text()
    href = citation.get_attribute("href")
    assert href and "bibliography.html#" in href
    page.goto(f"{book_url}/part1/{href}")
    target = page.locator(f"[id='{href.split('#', 1)[1]}']")
    assert "Saito" in target.inner_text()

    # Back on the chapter: the exercise launch panel is there, with its main button.
    page.goto(f"{book_url}/part1/ch02-before-we-build.html#ch02-exercise")
    panel = page.locator("div.bana-exercise-panel").first
    panel.scroll_into_view_if_needed()
    assert panel.locator("a.bana-lab-link").is_visible()
    viewport_screenshot(page, "book-ch02-exercise")
