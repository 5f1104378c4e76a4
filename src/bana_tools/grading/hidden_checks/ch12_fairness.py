"""Hidden checks of ``ch12-fairness`` (instructors only).

``evidence-distinct``: the evidence given for the practices rated above "not in place" is
not one text pasted under every item (no two pieces of evidence are near-identical).
"""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.hidden import _near_duplicates, _norm
from bana_tools.grading.results import Outcome


def evidence_distinct(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    question = exercise.question("practices")
    lowest = question.levels[0].value
    value = answers.get("practices") or {}
    texts = [_norm(v.get("evidence")) for v in value.values()
             if v.get("level") not in ("", None, lowest)]
    texts = [t for t in texts if t]
    if len(texts) < 2:
        return Outcome(0.0, "Fewer than two practices with evidence: nothing to compare.")
    pairs = _near_duplicates(texts)
    if pairs:
        return Outcome(0.0, f"{len(pairs)} pair(s) of near-identical evidence.")
    return Outcome(1.0, f"All {len(texts)} pieces of evidence are distinct.")


HIDDEN = {"evidence-distinct": evidence_distinct}
