"""Run an exercise's checks on a set of answers.

The same runner serves the form's "Check my answers", ``bana check`` and the nbgrader
autograder cells. ``visibility="public"`` (the default) never imports the hidden checks.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from bana_tools.exercises import get_exercise
from bana_tools.exercises.schema import CheckSpec, Exercise
from bana_tools.grading.checks import check_function
from bana_tools.grading.results import CheckResult, GradeReport, Outcome

Visibility = Literal["public", "hidden", "all"]


def _hidden_function(exercise: Exercise, spec: CheckSpec):
    hidden = importlib.import_module("bana_tools.grading.hidden")
    return hidden.hidden_check(exercise, spec.id)


def run_check(spec: CheckSpec, answers: dict[str, Any], exercise: Exercise) -> CheckResult:
    """Run one declared check on cleaned ``answers``; a crashing check scores 0, never raises."""
    try:
        if spec.visibility == "hidden":
            outcome = _hidden_function(exercise, spec)(answers, exercise)
        else:
            outcome = check_function(exercise, spec.kind)(answers, exercise=exercise, **spec.params)
    except Exception as exc:  # noqa: BLE001 - one bad check must not stop grading
        outcome = Outcome(0.0, f"This check could not run ({type(exc).__name__}).")
    score = max(0.0, min(1.0, float(outcome.score)))
    return CheckResult(
        id=spec.id,
        title=spec.title,
        visibility=spec.visibility,
        passed=score >= 1.0,
        points=round(score * spec.points, 4),
        max_points=float(spec.points),
        message=outcome.message,
    )


def select_checks(
    exercise: Exercise, visibility: Visibility = "public", check_ids: Iterable[str] | None = None
) -> list[CheckSpec]:
    """The declared checks to run, in declaration order (unknown ids raise ``KeyError``)."""
    if check_ids is not None:
        wanted = list(check_ids)
        known = {c.id: c for c in exercise.checks}
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise KeyError(f"{exercise.id} has no check(s) {', '.join(unknown)}")
        specs = [known[c] for c in wanted]
    else:
        specs = list(exercise.checks)
    if visibility != "all":
        specs = [s for s in specs if s.visibility == visibility]
    return specs


def run_checks(
    exercise: Exercise | str,
    answers: Mapping[str, Any] | None,
    *,
    visibility: Visibility = "public",
    check_ids: Iterable[str] | None = None,
) -> GradeReport:
    """Clean ``answers`` and run the selected checks; returns a :class:`GradeReport`."""
    if isinstance(exercise, str):
        exercise = get_exercise(exercise)
    cleaned, _ = exercise.clean_answers(dict(answers or {}))
    results = [run_check(s, cleaned, exercise) for s in select_checks(exercise, visibility, check_ids)]
    return GradeReport(exercise=exercise.id, checks=results)
