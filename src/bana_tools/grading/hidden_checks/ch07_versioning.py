"""Hidden checks of ``ch07-versioning`` (run only when grading)."""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome


def promoted_among_eligible(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    """The promoted version is one of the versions the student said qualify."""
    promoted = answers.get("promoted_version")
    chosen = answers.get("eligible_versions") or []
    if promoted is None or not chosen:
        return Outcome(0.0, "Promoted version or qualifying versions missing.")
    if float(promoted) != round(float(promoted)) or f"v{int(promoted)}" not in chosen:
        return Outcome(0.0, "The promoted version is not among the versions marked as qualifying.")
    return Outcome(1.0, "The promoted version is among the qualifying versions.")


HIDDEN = {"promoted-among-eligible": promoted_among_eligible}
