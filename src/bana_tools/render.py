"""One HTML renderer for the package's pages: Jinja2 templates with autoescape.

Templates live in ``bana_tools/templates/``. Every value a template prints is HTML-escaped
unless the template marks it safe, so student text (answers, ids, file names) can never
become markup. Jinja2 is imported on first use, not with this module.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


def one_line(text: Any) -> Any:
    """``text`` escaped, on one line (newlines as ``<br>``): the ``one_line`` filter.

    In a Markdown cell, an HTML block that stays on one line is passed through as it is,
    so no Markdown syntax in a student's text is interpreted (no links, headings, images).
    """
    from markupsafe import Markup, escape

    return Markup(str(escape("" if text is None else str(text)))
                  .replace("\r\n", "\n").replace("\n", "<br>"))


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bana_tools", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["one_line"] = one_line
    return env


def render(template: str, **context: Any) -> str:
    """``templates/<template>`` rendered with ``context`` (all values escaped)."""
    return _environment().get_template(template).render(**context)


def fragment(template: str, macro: str, **context: Any) -> str:
    """One macro of ``templates/<template>`` rendered with ``context`` (all values escaped):
    a small piece of a page, such as a form's status line."""
    return str(getattr(_environment().get_template(template).module, macro)(**context))
