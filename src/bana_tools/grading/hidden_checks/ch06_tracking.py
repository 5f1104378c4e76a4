"""Hidden checks of ``ch06-tracking`` (instructors only)."""

from __future__ import annotations

import math
from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome


def _named_run(answers: dict[str, Any], exercise: Exercise) -> tuple[str | None, dict[str, Any] | None]:
    from bana_tools.scenarios import expected_for
    from bana_tools.scenarios.ch06_tracking import resolve_run

    values = expected_for(exercise, answers)
    if values is None:
        return None, None
    return resolve_run(answers.get("chosen_run"), list(values["_scores"])), values


def not_chosen_on_test(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    """The run named is not the comparable run with the best test score."""
    run, values = _named_run(answers, exercise)
    if values is None or run is None:
        return Outcome(0.0, "No run of the student's table is named.")
    if run == values["_best_by_test"] and run != values["chosen_run"]:
        return Outcome(0.0, "The run named is the best comparable run by TEST score: chosen on test.")
    return Outcome(1.0, "The run named is not the best-by-test run.")


def scores_of_named_run(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    """The validation and test scores entered are those of the run named (right or wrong)."""
    run, values = _named_run(answers, exercise)
    val, test = answers.get("chosen_val_score"), answers.get("chosen_test_score")
    if values is None or run is None or val is None or test is None:
        return Outcome(0.0, "Run or scores missing.")
    logged_val, logged_test = values["_scores"][run]
    if any(isinstance(v, float) and math.isnan(v) for v in (logged_val, logged_test)):
        return Outcome(0.0, "The run named has no metrics (a failed run).")
    wrong = [name for name, given, logged in (("validation", val, logged_val),
                                               ("test", test, logged_test))
             if abs(float(given) - float(logged)) > 0.0006]
    if wrong:
        return Outcome(0.0, f"The {' and '.join(wrong)} score(s) entered are not those of the run named.")
    return Outcome(1.0, "Both scores are those of the run named.")


HIDDEN = {"not-chosen-on-test": not_chosen_on_test, "scores-of-named-run": scores_of_named_run}
