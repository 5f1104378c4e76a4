"""Hidden checks of ``ch10-devops`` (run only at grading time)."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome


def _norm(text: Any) -> str:
    return " ".join(str(text or "").lower().split())


def answers_distinct(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    """The two written answers are given and are not (near) copies of each other."""
    first, second = _norm(answers.get("next_steps")), _norm(answers.get("reply"))
    if not first or not second:
        return Outcome(0.0, "Not both written answers are given.")
    if SequenceMatcher(None, first[:3000], second[:3000]).ratio() >= 0.9:
        return Outcome(0.0, "The next-steps answer and the reply are near-identical.")
    return Outcome(1.0, "The two written answers are distinct.")


HIDDEN = {"answers-distinct": answers_distinct}
