"""Hidden checks of ``ch04-validation`` (instructors only)."""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome


def counts_consistent(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    """The count held back equals the ids listed, and held back + scored is the whole batch."""
    from bana_tools.scenarios import expected_for

    held, kept = answers.get("n_quarantined"), answers.get("n_kept")
    ids = {" ".join(str(i).split()).lower() for i in answers.get("quarantined_ids") or []
           if str(i).strip()}
    if held is None or kept is None or not ids:
        return Outcome(0.0, "Counts or ids missing.")
    values = expected_for(exercise, answers)
    if values is None:
        return Outcome(0.0, "No student id, so the batch size is unknown.")
    problems = []
    if int(round(held)) != len(ids):
        problems.append(f"{held:g} rows held back but {len(ids)} distinct ids listed")
    if int(round(held + kept)) != values["_rows"]:
        problems.append(f"held back + scored = {held + kept:g}, not the batch's {values['_rows']} rows")
    if problems:
        return Outcome(0.0, "; ".join(problems) + ".")
    return Outcome(1.0, "Counts agree with the ids listed and with the batch size.")


HIDDEN = {"counts-consistent": counts_consistent}
