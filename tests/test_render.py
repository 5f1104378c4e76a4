"""The package's one HTML renderer: Jinja2 templates with autoescape."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import jinja2
import pytest

from bana_tools.render import fragment, one_line, render

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "bana_tools" / "templates"


def test_one_line_escapes_and_keeps_a_block_on_one_line():
    out = str(one_line('<img src=x onerror="a()">\r\n# heading\n[l](u) & \'q\''))
    assert "\n" not in out and "<img" not in out
    assert out.count("<br>") == 2 and "&amp;" in out and "&#34;" in out and "&#39;" in out
    assert str(one_line(None)) == ""


def test_values_are_escaped_and_a_missing_value_is_an_error():
    page = render("course_report.html", assignment="<script>x()</script>", stats=[],
                  attempts=[], png_name='"><b>', max_score=10.0, count=0, mean=0.0,
                  median=0.0, points=lambda v: f"{v:g}")
    assert "<script>x()" not in page and "&lt;script&gt;" in page and '"><b>' not in page
    with pytest.raises(jinja2.UndefinedError):
        render("course_report.html", assignment="a")


def test_the_form_pieces_escape_what_they_show_and_stay_on_one_line():
    bad = '<img src=x onerror="a()">'
    pieces = [
        fragment("form.html", "header", title=bad, intro=bad),
        fragment("form.html", "part_intro", text=bad),
        fragment("form.html", "self_check", score="1", max_score="2", checks=[
            {"passed": False, "title": bad, "message": bad, "points": "0", "max_points": "1"}]),
        fragment("form.html", "status", text=bad, error=True),
        fragment("form.html", "notice", text=bad),
    ]
    for piece in pieces:
        assert "<img" not in piece and "&lt;img" in piece and "\n" not in piece
    assert "class='bana-check-fail'" in pieces[2] and "&#10007;" in pieces[2]
    assert fragment("form.html", "progress", done=2, total=3) == (
        "<span aria-live='polite'><b>2 of 3 parts complete</b></span>")
    with pytest.raises(jinja2.UndefinedError):
        fragment("form.html", "status", text="saved")  # a missing value is an error


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.iterdir()))
def test_every_template_ships_with_the_package(template):
    pyproject = tomllib.loads((TEMPLATES.parents[2] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["bana_tools"]
    assert any(fnmatch.fnmatch(f"templates/{template}", p) for p in patterns)
