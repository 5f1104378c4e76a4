"""A tiny Jupyter server extension that serves the built book next to JupyterLab.

JupyterLab's own ``/files/`` handler serves HTML in a sandbox (scripts get a unique origin),
which breaks the book theme's search and navigation state. This extension serves
``book/_build/html`` under ``/bana/book/`` with the server's normal authentication instead.
``bana start`` enables it on the command line; nothing is installed into Jupyter's config.

The folder served is ``$BANA_BOOK_DIR`` if set, else ``<server root>/book/_build/html``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BOOK_ROUTE = "/bana/book/"


def book_dir(root_dir: str | os.PathLike[str]) -> Path:
    """Where the built HTML book is expected for a server rooted at ``root_dir``."""
    env = os.environ.get("BANA_BOOK_DIR")
    return Path(env) if env else Path(root_dir) / "book" / "_build" / "html"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "bana_tools.jupyter_server_ext"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join
    from tornado import web

    directory = book_dir(serverapp.root_dir)

    class BookHandler(JupyterHandler, web.StaticFileHandler):
        """Serve the built book, behind the server's login."""

        @web.authenticated
        async def get(self, path: str, include_body: bool = True) -> None:
            if not (directory / "index.html").exists():
                self.set_status(404)
                self.finish(
                    "The book has not been built yet: run 'make book' in the course folder."
                )
                return
            await web.StaticFileHandler.get(self, path or "index.html", include_body)

        def compute_etag(self) -> str | None:
            return web.StaticFileHandler.compute_etag(self)

    base = url_path_join(serverapp.base_url, BOOK_ROUTE)
    serverapp.web_app.add_handlers(
        ".*$",
        [(base + "(.*)", BookHandler, {"path": str(directory), "default_filename": "index.html"})],
    )
    serverapp.log.info("bana-tools: serving the book from %s at %s", directory, base)
