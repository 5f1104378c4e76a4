"""Sphinx extension for the bana-tools book: the launch panel of each exercise section.

Jupyter Book 1 shows launch buttons (Binder, Colab, JupyterHub) only on pages that are
notebooks, while our exercises are separate notebooks in ``exercises/``. The
``exercise-links`` directive puts a panel in the exercise section of a chapter with:

* a prominent link that opens the notebook in the JupyterLab started by ``make start``
  (the book is served by that same server under ``/bana/book/``, so the link is relative);
* a download link for the notebook (Sphinx ``download_reference``: the file is copied
  into the built book, so it works offline too);
* launch links for Binder, Colab and a JupyterHub, composed from the
  ``sphinx.config.bana_exercise_launchers`` and ``repository`` settings of ``_config.yml``
  (falling back to ``launch_buttons``, which Jupyter Book passes to Sphinx as
  ``html_theme_options``), and a link to the notebook's source in the repository.

A launcher whose URL is empty in ``_config.yml`` is left out.

Usage in MyST::

    ```{exercise-links} exercises/ch02/ch02-readmission.ipynb
    ```

The path is relative to the repository root (the folder above the book).
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import quote

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

#: Where ``bana start`` serves the built book, relative to the Jupyter server's base URL.
BOOK_ROUTE = "bana/book"


def _theme_options(config: Any) -> dict[str, Any]:
    """Theme options, with the exercise launchers of ``bana_exercise_launchers`` (if set)
    in place of the page-level ``launch_buttons``."""
    options = dict(getattr(config, "html_theme_options", None) or {})
    launchers = getattr(config, "bana_exercise_launchers", None)
    if launchers:
        options["launch_buttons"] = {**dict(options.get("launch_buttons") or {}), **launchers}
    return options


def launch_urls(theme_options: dict[str, Any], notebook: str) -> dict[str, str]:
    """The external launch URLs for ``notebook`` (a path relative to the repository root).

    Returns an ordered mapping of label to URL; launchers that are not configured are
    omitted. Follows the URL forms sphinx-book-theme uses for its own launch buttons.
    """
    repo_url = str(theme_options.get("repository_url") or "").rstrip("/")
    branch = str(theme_options.get("repository_branch") or "main")
    launch = dict(theme_options.get("launch_buttons") or {})
    interface = launch.get("notebook_interface") or "jupyterlab"
    ui_prefix = "lab/tree" if interface == "jupyterlab" else "tree"
    urls: dict[str, str] = {}
    if not repo_url.startswith("https://github.com/"):
        return urls
    org, repo = repo_url.removeprefix("https://github.com/").split("/")[:2]
    binder = str(launch.get("binderhub_url") or "").rstrip("/")
    if binder:
        urls["Binder"] = f"{binder}/v2/gh/{org}/{repo}/{branch}?urlpath={ui_prefix}/{notebook}"
    colab = str(launch.get("colab_url") or "").rstrip("/")
    if colab:
        urls["Colab"] = f"{colab}/github/{org}/{repo}/blob/{branch}/{notebook}"
    hub = str(launch.get("jupyterhub_url") or "").rstrip("/")
    if hub:
        urls["JupyterHub"] = (
            f"{hub}/hub/user-redirect/git-pull?repo={quote(repo_url, safe='')}"
            f"&urlpath={ui_prefix}/{repo}/{notebook}&branch={branch}"
        )
    urls["Source on GitHub"] = f"{repo_url}/blob/{branch}/{notebook}"
    return urls


def local_lab_url(docname: str, notebook: str) -> str:
    """A link from page ``docname`` to ``notebook`` in the JupyterLab of ``make start``.

    The built page is served at ``<base>/bana/book/<docname>.html``, so going up the
    page's folders and the two route segments reaches the server's base URL.
    """
    depth = docname.count("/") + BOOK_ROUTE.count("/") + 1
    return "../" * depth + "lab/tree/" + notebook


class ExerciseLinks(SphinxDirective):
    """``exercise-links``: the panel that opens an exercise notebook."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec = {"title": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        notebook = posixpath.normpath(self.arguments[0].strip())
        if notebook.startswith(("/", "..")):
            raise self.error(f"exercise-links wants a path inside the repository: {notebook}")
        srcdir = Path(self.env.srcdir)
        repo_root = srcdir.parent
        docdir = (srcdir / self.env.docname).parent
        target = repo_root / notebook
        name = target.name

        panel = nodes.container(classes=["bana-exercise-panel"])
        title = self.options.get("title") or "Work on this exercise in its notebook"
        panel += nodes.paragraph("", "", nodes.strong(title, title), classes=["bana-panel-title"])

        # 1. The prominent link: the notebook in the course's own JupyterLab.
        lab = nodes.reference(
            "", f"Open {name} in JupyterLab", refuri=local_lab_url(self.env.docname, notebook),
            classes=["bana-button", "bana-button-primary", "bana-lab-link"],
        )
        hint = nodes.inline(
            "", " (works when the book is opened from the JupyterLab of make start)",
            classes=["bana-hint"],
        )
        panel += nodes.paragraph("", "", lab, hint)

        # 2. Download: Sphinx copies the notebook into the built book (_downloads/).
        reftarget = posixpath.relpath(target.as_posix(), docdir.as_posix())
        download = addnodes.download_reference(
            "", "", nodes.inline("", f"Download {name}"),
            reftarget=reftarget, refdoc=self.env.docname, refexplicit=True,
            classes=["bana-button", "bana-download"],
        )
        row = nodes.paragraph("", "", classes=["bana-launch-row"])
        row += download
        # 3. Launchers from _config.yml.
        for label, url in launch_urls(_theme_options(self.config), notebook).items():
            row += nodes.Text(" ")
            row += nodes.reference(
                "", f"Open on {label}" if label != "Source on GitHub" else label,
                refuri=url, classes=["bana-button", "bana-launch", f"bana-launch-{label.split()[0].lower()}"],
            )
        panel += row
        return [panel]


def setup(app: Sphinx) -> dict[str, Any]:
    # The exercise notebooks' launchers live in their own setting: the page-level launch
    # buttons of Jupyter Book would open the book's MyST pages, which Colab cannot read.
    app.add_config_value("bana_exercise_launchers", {}, "html")
    app.add_directive("exercise-links", ExerciseLinks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
