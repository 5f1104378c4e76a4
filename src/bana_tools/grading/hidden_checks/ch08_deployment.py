"""Hidden checks of ``ch08-deployment`` (run only when grading)."""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome


def canary_answers_consistent(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    """Outcome, stage and reason tell one story: promoted with stage 0 and no reason, or
    rolled back at a stage 1-4 for a named limit."""
    decision = answers.get("canary_decision")
    stage = answers.get("rollback_stage")
    reason = answers.get("rollback_reason")
    if not decision or stage is None or not reason:
        return Outcome(0.0, "Outcome, stage or reason missing.")
    if decision == "promote":
        ok = stage == 0 and reason == "none"
    else:
        ok = stage in (1, 2, 3, 4) and reason != "none"
    if ok:
        return Outcome(1.0, "Outcome, stage and reason agree.")
    return Outcome(0.0, "Outcome, stage and reason contradict each other.")


HIDDEN = {"canary-answers-consistent": canary_answers_consistent}
