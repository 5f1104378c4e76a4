"""Hidden checks: run only at grading time; instructors alone see their messages.

Nothing a student runs imports this module: the form and ``bana check`` run public checks
only, and :func:`bana_tools.grading.autograde` prints just the title and points of a
hidden check unless an instructor asks for the messages. Each function takes the cleaned
answers and the exercise and returns an :class:`~bana_tools.grading.results.Outcome`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome

HiddenCheck = Callable[[dict[str, Any], Exercise], Outcome]


def _norm(text: Any) -> str:
    return " ".join(str(text or "").lower().split())


def _near_duplicates(texts: list[str], ratio: float = 0.9) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, whose first 3,000 characters are at least ``ratio`` alike
    (difflib's ratio of ``texts[i]`` against ``texts[j]``).

    RapidFuzz's Indel similarity, ``2 * LCS / (len(a) + len(b))``, is an upper bound of
    difflib's ratio (difflib's matching blocks are one common subsequence, never longer than
    the longest), and it is computed in compiled code: it rules out almost every pair before
    difflib's comparison, which alone decides the pairs that pass (same result, much faster).
    """
    from rapidfuzz.distance import Indel

    bound = ratio - 1e-9  # the two libraries round differently; the bound must not cut a tie
    cut = [t[:3000] for t in texts]
    pairs = []
    for j in range(1, len(cut)):
        if not cut[j]:
            continue
        for i in range(j):
            if not cut[i]:
                continue
            if Indel.normalized_similarity(cut[i], cut[j], score_cutoff=bound) < bound:
                continue
            if SequenceMatcher(None, cut[i], cut[j]).ratio() >= ratio:
                pairs.append((i, j))
    return sorted(pairs)


def _distinct_texts(answers: dict[str, Any], exercise: Exercise, qids: list[str]) -> Outcome:
    texts = [_norm(answers.get(q)) for q in qids]
    if not all(texts):
        return Outcome(0.0, "Not all of the answers compared are given.")
    pairs = _near_duplicates(texts)
    if pairs:
        names = "; ".join(
            f"{exercise.question(qids[i]).label} ~ {exercise.question(qids[j]).label}"
            for i, j in pairs
        )
        return Outcome(0.0, f"Near-identical answers: {names}.")
    return Outcome(1.0, "Answers are distinct.")


def _distinct_column(answers: dict[str, Any], question: str, column: str) -> Outcome:
    texts = [_norm(r.get(column)) for r in answers.get(question) or []]
    texts = [t for t in texts if t]
    if not texts:
        return Outcome(0.0, f"No {column} given.")
    pairs = _near_duplicates(texts)
    if pairs:
        return Outcome(0.0, f"{len(pairs)} pair(s) of near-identical {column} entries.")
    return Outcome(1.0, f"All {len(texts)} {column} entries are distinct.")


# --- ch01-case-study ------------------------------------------------------------------------

def ch01_ops_distinct(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    return _distinct_texts(answers, exercise, ["dataops", "modelops", "devops"])


def ch01_principle_examples_distinct(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    return _distinct_column(answers, "principles", "example")


# --- ch02-readmission -----------------------------------------------------------------------

def ch02_verdict_consistent(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    marks = [answers.get(f"criterion_{k}") for k in ("patterns", "data", "unseen")]
    verdict = answers.get("verdict")
    if not verdict or not all(marks):
        return Outcome(0.0, "Verdict or criteria missing.")
    if verdict == "suitable" and any(m == "no" for m in marks):
        return Outcome(0.0, "Verdict 'suitable' although a criterion is marked 'no'.")
    if verdict == "not_suitable" and all(m == "yes" for m in marks):
        return Outcome(0.0, "Verdict 'not suitable' although every criterion is met.")
    return Outcome(1.0, "Verdict is consistent with the criteria.")


def ch02_requirements_cover_data(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    for row in answers.get("requirements") or []:
        if row.get("area") == "data" and _norm(row.get("requirement")) and _norm(row.get("gap")):
            return Outcome(1.0, "A data requirement with a gap is listed.")
    return Outcome(0.0, "No data requirement (with its gap) is listed.")


def ch02_prose_not_duplicated(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    qids = [q.id for q in exercise.questions.values() if q.type == "long_text"]
    texts = [_norm(answers.get(q)) for q in qids]
    if sum(bool(t) for t in texts) < len(texts) / 2:
        return Outcome(0.0, "Fewer than half of the long answers are given.")
    pairs = _near_duplicates(texts)
    if pairs:
        return Outcome(0.0, f"{len(pairs)} pair(s) of near-identical long answers.")
    return Outcome(1.0, "No long answer is a copy of another.")


# --- ch02-metrics ---------------------------------------------------------------------------

def ch02m_north_star_in_table(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    from bana_tools.metrics.catalog import lookup, normalise

    star = str(answers.get("north_star") or "")
    if not star.strip():
        return Outcome(0.0, "No headline metric named.")
    names = [str(r.get("name") or "") for r in answers.get("metrics") or []]
    star_entry = lookup(star)
    for name in names:
        if normalise(name) == normalise(star):
            return Outcome(1.0, "Headline metric is in the table.")
        if star_entry is not None and lookup(name) == star_entry:
            return Outcome(1.0, "Headline metric is in the table (as a synonym).")
    return Outcome(0.0, "Headline metric does not match any row of the table.")


def ch02m_definitions_distinct(answers: dict[str, Any], exercise: Exercise) -> Outcome:
    return _distinct_column(answers, "metrics", "definition")


#: (exercise id, check id) -> function. A test keeps this in step with the declarations.
HIDDEN_CHECKS: dict[tuple[str, str], HiddenCheck] = {
    ("ch01-case-study", "ops-distinct"): ch01_ops_distinct,
    ("ch01-case-study", "principle-examples-distinct"): ch01_principle_examples_distinct,
    ("ch02-readmission", "verdict-consistent"): ch02_verdict_consistent,
    ("ch02-readmission", "requirements-cover-data"): ch02_requirements_cover_data,
    ("ch02-readmission", "prose-not-duplicated"): ch02_prose_not_duplicated,
    ("ch02-metrics", "north-star-in-table"): ch02m_north_star_in_table,
    ("ch02-metrics", "definitions-distinct"): ch02m_definitions_distinct,
}


def hidden_check(exercise: Exercise, check_id: str) -> HiddenCheck:
    """The function of a hidden check: from :data:`HIDDEN_CHECKS`, else from the exercise's
    own module ``bana_tools.grading.hidden_checks.<module>`` (its ``HIDDEN`` dict, keyed by
    check id; ``<module>`` is the declaration's module name, e.g. ``ch04_validation``).
    Raises ``KeyError`` when neither has it."""
    try:
        return HIDDEN_CHECKS[(exercise.id, check_id)]
    except KeyError:
        pass
    from bana_tools.exercises import EXERCISE_MODULES

    name = EXERCISE_MODULES[exercise.id].rsplit(".", 1)[-1]
    try:
        module = importlib.import_module(f"bana_tools.grading.hidden_checks.{name}")
    except ModuleNotFoundError:
        raise KeyError((exercise.id, check_id)) from None
    return module.HIDDEN[check_id]
