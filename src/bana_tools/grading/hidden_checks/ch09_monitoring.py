"""Hidden checks of ``ch09-monitoring`` (instructors only).

``verdicts-consistent`` compares the student's answers with each other, not with the data:
a PSI the student entered at or above the warning level must come with that feature among
the flagged ones, a PSI at or above the alert level with the status ALERT, "none" must stand
alone, and a status of OK must come with "none" (and the other way round).
"""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome

_PSI_QUESTIONS = {"psi_age": "age", "psi_payer": "payer", "psi_sodium": "sodium"}


def verdicts_consistent(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    from bana_tools.ops.drift import PSI_ALERT, PSI_WARN

    flagged = set(answers.get("drifted_features") or [])
    status = answers.get("batch_status") or ""
    psis = {f: answers.get(q) for q, f in _PSI_QUESTIONS.items() if answers.get(q) is not None}
    if not flagged or not status or not psis:
        return Outcome(0.0, "PSI values, flagged features or status missing: nothing to compare.")
    problems = []
    if "none" in flagged and len(flagged) > 1:
        problems.append("'none' chosen together with features")
    if (status == "ok") != (flagged == {"none"}):
        problems.append(f"status {status!r} does not fit the flagged features")
    for feature, value in psis.items():
        if value >= PSI_WARN and feature not in flagged:
            problems.append(f"PSI of {feature} entered as {value:g} but {feature} not flagged")
        if value >= PSI_ALERT and status != "alert":
            problems.append(f"PSI of {feature} entered as {value:g} but status is {status!r}")
    if problems:
        return Outcome(0.0, "Inconsistent: " + "; ".join(problems) + ".")
    return Outcome(1.0, "PSI values, flagged features and status agree with each other.")


HIDDEN = {"verdicts-consistent": verdicts_consistent}
