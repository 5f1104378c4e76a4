"""Helpers for nbgrader autograder test cells.

A test cell worth the summed points of its checks ends with a call to :func:`autograde`::

    from bana_tools.grading import autograde
    autograde("ch02-readmission", ["metrics-three-kinds", "metrics-complete"])

It prints one line per check (on stdout: nbgrader gives zero to a cell that writes to
stderr) and returns the points earned as a plain ``float``. nbgrader 0.9 reads a test
cell's single numeric output as partial credit, so the cell earns exactly what the
checks give. The cell's ``points`` must equal the checks' summed ``max_points``
(:func:`points_for` computes it).

:func:`assert_checks` is the all-or-nothing variant: it raises ``AssertionError`` when any
check fails.

The answers are read from ``answers/<exercise_id>.json`` beside the notebook (the working
folder of an autograded notebook). If that file is missing, they are restored from the
copy the form keeps inside ``<exercise_id>.ipynb``. Unreadable answers earn 0 points with
a one-line explanation; nothing here raises on bad student input.

Hidden checks print their title and points only, never their message, unless
``show_hidden_messages=True`` (for instructors working outside feedback).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bana_tools.answers import answers_path
from bana_tools.exercises import get_exercise
from bana_tools.grading.results import GradeReport, format_points
from bana_tools.grading.runner import run_checks


def load_answers_for_grading(
    exercise_id: str,
    answers_file: Path | str | None = None,
    notebook_path: Path | str | None = None,
) -> tuple[dict[str, Any], str | None]:
    """The answers to grade and a problem line (None when the file was read fine).

    Restores a missing file from the notebook copy first. Never raises on bad input.
    """
    from bana_tools.answers.resolve import copy_in_notebook, resolve, write_back

    path = Path(answers_file) if answers_file is not None else answers_path(exercise_id)
    nb = Path(notebook_path) if notebook_path is not None else path.parent.parent / f"{exercise_id}.ipynb"
    copy = copy_in_notebook(nb, exercise_id) if not path.exists() and nb.exists() else None
    resolved = resolve(exercise_id, path, copy)
    if resolved.source == "notebook":
        with contextlib.suppress(OSError):  # a read-only folder still gets its grade
            write_back(resolved, path)
        return resolved.answers, None
    return resolved.answers, resolved.problem


def _print_report(report: GradeReport, show_hidden_messages: bool) -> None:
    for c in report.checks:
        mark = "PASS" if c.passed else "FAIL"
        if c.visibility == "hidden" and not show_hidden_messages:
            print(f"[{mark}] {c.title}: {format_points(c.points)}/{format_points(c.max_points)}")
        else:
            print(f"[{mark}] {c.title}: {format_points(c.points)}/{format_points(c.max_points)} - {c.message}")


def grade(
    exercise_id: str,
    check_ids: Iterable[str] | None = None,
    *,
    answers_path: Path | str | None = None,
    notebook_path: Path | str | None = None,
) -> tuple[GradeReport, str | None]:
    """Run the given checks (public and hidden) on the student's answers."""
    exercise = get_exercise(exercise_id)
    answers, problem = load_answers_for_grading(exercise_id, answers_path, notebook_path)
    report = run_checks(exercise, answers, visibility="all", check_ids=check_ids)
    return report, problem


def points_for(exercise_id: str, check_ids: Iterable[str]) -> float:
    """The summed points of ``check_ids``: the ``points`` of their nbgrader test cell."""
    exercise = get_exercise(exercise_id)
    wanted = set(check_ids)
    return float(sum(c.points for c in exercise.checks if c.id in wanted))


def autograde(
    exercise_id: str,
    check_ids: Iterable[str] | None = None,
    *,
    answers_path: Path | str | None = None,
    notebook_path: Path | str | None = None,
    show_hidden_messages: bool = False,
) -> float:
    """Print one line per check and return the points earned (nbgrader partial credit)."""
    report, problem = grade(
        exercise_id, check_ids, answers_path=answers_path, notebook_path=notebook_path
    )
    if problem:
        print(f"No usable answers: {problem}.")
    _print_report(report, show_hidden_messages)
    return float(report.score)


def assert_checks(
    exercise_id: str,
    check_ids: Iterable[str] | None = None,
    *,
    answers_path: Path | str | None = None,
    notebook_path: Path | str | None = None,
    show_hidden_messages: bool = False,
) -> None:
    """Like :func:`autograde`, but all-or-nothing: raise ``AssertionError`` if a check fails."""
    report, problem = grade(
        exercise_id, check_ids, answers_path=answers_path, notebook_path=notebook_path
    )
    if problem:
        print(f"No usable answers: {problem}.")
    _print_report(report, show_hidden_messages)
    failed = [c.title for c in report.checks if not c.passed]
    if failed:
        raise AssertionError("not yet passing: " + "; ".join(failed))
