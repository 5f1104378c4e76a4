"""Hidden checks of ``ch03-dataops`` (run only at grading time)."""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome


def policies_consistent(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    """A batch-level failure describes the delivery, not a row: setting rows aside cannot fix
    it, so no batch-level rule may have "set the failing rows aside" as its scoring policy."""
    rows = [r for r in answers.get("rules") or [] if r.get("level") and r.get("scoring")]
    if not rows:
        return Outcome(0.0, "No rule has both a failure level and a scoring policy.")
    wrong = [i for i, r in enumerate(rows, start=1)
             if r.get("level") == "batch" and r.get("scoring") == "quarantine"]
    if not wrong:
        return Outcome(1.0, f"All {len(rows)} rules have a policy that fits their level.")
    return Outcome((len(rows) - len(wrong)) / len(rows),
                   f"{len(wrong)} batch-level rule(s) would quarantine rows while scoring.")


def profile_consistent(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    """The rules marked as broken agree with the student's own numbers (whatever they are):
    repeated encounters <-> uniqueness, early discharges <-> date order, share missing above
    the tolerance <-> the missing-values rule."""
    chosen = set(answers.get("failing_rules") or [])
    if not chosen:
        return Outcome(0.0, "No broken rule selected.")
    limit = float(exercise.scenario.params.get("max_missing_share", 0.05)) if exercise.scenario else 0.05
    pairs = (
        ("duplicate_rows", "encounter_unique", 0.0),
        ("discharge_before_admission", "dates_order", 0.0),
        ("missing_share", "labs_missing", limit),
    )
    compared = agree = 0
    for qid, rule, above in pairs:
        value = answers.get(qid)
        if value is None:
            continue
        compared += 1
        agree += (float(value) > above) == (rule in chosen)
    if compared == 0:
        return Outcome(0.0, "No number entered to compare the broken rules with.")
    if agree == compared:
        return Outcome(1.0, f"The broken rules agree with all {compared} numbers entered.")
    return Outcome(agree / compared,
                   f"{compared - agree} of {compared} numbers disagree with the rules marked broken.")


HIDDEN = {
    "policies-consistent": policies_consistent,
    "profile-consistent": profile_consistent,
}
