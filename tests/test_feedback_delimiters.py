"""Feedback stays clean when an instructor changes nbgrader's region delimiters.

A course whose ``nbgrader_config.py`` sets its own ``ClearHiddenTests``, ``ClearSolutions``
and ``ClearMarkScheme`` delimiters, with source notebooks written with them, goes through
real ``nbgrader generate_assignment``, ``autograde`` and ``generate_feedback``. The hidden
checks are in the instructor's graded notebook (so the test could fail) and nowhere in the
release notebook or the feedback.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from bana_tools.course import layout
from bana_tools.course.build_source import build
from bana_tools.course.demo import write_config, write_submission
from bana_tools.course.nbgrader_run import run_nbgrader
from bana_tools.exercises import get_exercise

CUSTOM = {
    "### BEGIN HIDDEN TESTS": "## >>> SECRET CHECKS",
    "### END HIDDEN TESTS": "## <<< SECRET CHECKS",
    "### BEGIN SOLUTION": "## >>> MODEL ANSWER",
    "### END SOLUTION": "## <<< MODEL ANSWER",
}
CONFIG = """
c.ClearHiddenTests.begin_test_delimeter = ">>> SECRET CHECKS"
c.ClearHiddenTests.end_test_delimeter = "<<< SECRET CHECKS"
c.ClearSolutions.begin_solution_delimeter = ">>> MODEL ANSWER"
c.ClearSolutions.end_solution_delimeter = "<<< MODEL ANSWER"
c.ClearMarkScheme.begin_mark_scheme_delimeter = ">>> MARKING"
c.ClearMarkScheme.end_mark_scheme_delimeter = "<<< MARKING"
"""
ASSIGNMENT = "ch01"


def _with_hidden_checks() -> list[str]:
    return [e for e in layout.assignments()[ASSIGNMENT] if get_exercise(e).hidden_checks()]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("delims") / "course"
    build(course)
    write_config(course)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write(CONFIG)
    for path in (course / "source" / ASSIGNMENT).glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        for old, new in CUSTOM.items():
            text = text.replace(old, new)
        assert "HIDDEN TESTS" not in text
        path.write_text(text, encoding="utf-8")
    run_nbgrader(course, ["generate_assignment", ASSIGNMENT, "--force"])
    when = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    write_submission(course, ASSIGNMENT, "s001", "complete", random.Random(3), when)
    run_nbgrader(course, ["autograde", ASSIGNMENT])
    run_nbgrader(course, ["generate_feedback", ASSIGNMENT])
    return course


def test_the_assignment_has_hidden_checks_to_hide():
    assert _with_hidden_checks(), "no exercise of ch01 declares a hidden check"


def test_hidden_checks_reach_the_graded_notebook_but_not_the_release(course):
    for exercise_id in _with_hidden_checks():
        hidden_ids = [c.id for c in get_exercise(exercise_id).hidden_checks()]
        graded = (course / "autograded" / "s001" / ASSIGNMENT / f"{exercise_id}.ipynb").read_text()
        assert all(check_id in graded for check_id in hidden_ids)
        release = (course / "release" / ASSIGNMENT / f"{exercise_id}.ipynb").read_text()
        assert not any(check_id in release for check_id in hidden_ids)
        assert "SECRET CHECKS" not in release


def test_feedback_uses_the_configured_delimiters(course):
    for exercise_id in layout.assignments()[ASSIGNMENT]:
        exercise = get_exercise(exercise_id)
        page = (course / "feedback" / "s001" / ASSIGNMENT / f"{exercise_id}.html").read_text()
        assert "SECRET CHECKS" not in page and "MODEL ANSWER" not in page
        for check in exercise.hidden_checks():
            assert check.id not in page and check.title not in page
        for item in exercise.rubric():
            assert item.text not in page
        if exercise.hidden_checks():
            assert "Hidden check:" in page


def test_graded_notebook_holds_the_custom_regions(course):
    """The regions really were written with the custom delimiters (not nbgrader's defaults)."""
    exercise_id = _with_hidden_checks()[0]
    nb = json.loads((course / "autograded" / "s001" / ASSIGNMENT / f"{exercise_id}.ipynb").read_text())
    sources = ["".join(c["source"]) for c in nb["cells"]]
    assert any(">>> SECRET CHECKS" in s for s in sources)
