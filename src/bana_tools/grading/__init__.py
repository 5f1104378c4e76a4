"""Checks (pure functions of the answers), the runner, reports and nbgrader helpers.

* :func:`run_checks` - run an exercise's public (default), hidden or all checks.
* :class:`CheckResult`, :class:`GradeReport` - results; ``GradeReport.to_dict()`` is the
  JSON of ``bana check --json``.
* :func:`autograde`, :func:`assert_checks`, :func:`points_for` - for nbgrader test cells.
* :func:`render_markdown`, :func:`render_html` - the printable report.

Hidden checks live in :mod:`bana_tools.grading.hidden`, which is imported only when hidden
checks are run.
"""

from __future__ import annotations

from bana_tools.grading.autograde import (
    assert_checks,
    autograde,
    grade,
    load_answers_for_grading,
    points_for,
)
from bana_tools.grading.report import render_html, render_markdown
from bana_tools.grading.results import CheckResult, GradeReport, Outcome
from bana_tools.grading.runner import run_check, run_checks, select_checks

__all__ = [
    "CheckResult",
    "GradeReport",
    "Outcome",
    "assert_checks",
    "autograde",
    "grade",
    "load_answers_for_grading",
    "points_for",
    "render_html",
    "render_markdown",
    "run_check",
    "run_checks",
    "select_checks",
]
