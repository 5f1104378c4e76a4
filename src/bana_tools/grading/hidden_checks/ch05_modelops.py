"""Hidden checks of ``ch05-modelops`` (run only at grading time)."""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome


def rollback_passes_gate(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    """The version chosen for the rollback is not one the student marked as failing the gate
    (whatever the data say: this is the student's own consistency)."""
    target = answers.get("rollback_to")
    failing = set(answers.get("gate_failures") or [])
    if not target or not failing:
        return Outcome(0.0, "Rollback version or failing versions not given.")
    if target in failing:
        return Outcome(0.0, f"Rolls back to {target}, which the student marked as failing the gate.")
    return Outcome(1.0, "The rollback target is not among the versions marked as failing.")


HIDDEN = {"rollback-passes-gate": rollback_passes_gate}
