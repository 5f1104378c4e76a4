"""Scenario of ``ch10-devops``: the ML Test Score of the student's own self-assessment.

There is no data to compute from: the student rates the readmission system on the 28 tests
of the ML Test Score rubric (Breck et al., 2017) and then computes the score those ratings
give. The expected score therefore comes from the student's own checklist, not from
``solve`` (which has nothing to add); the check kind ``ml_test_score`` in :data:`CHECKS`
recomputes it at check time. ``data`` hands the notebook the scoring table: the points of
each level and the tests of each group, read from the exercise's declaration.

The paper's scoring: a test done by hand, with its results written up and shared, earns half
a point; a test that runs automatically and repeatedly earns one point; each of the four
groups sums its seven tests; the final score is the smallest of the four sums.
"""

from __future__ import annotations

from typing import Any

from bana_tools.grading.results import Outcome

EXERCISE_ID = "ch10-devops"
#: The checklist question and the score question of the exercise.
CHECKLIST = "ml_test_checklist"
SCORE = "ml_test_score"

#: Points of each level of the checklist (the level values of the declaration).
LEVEL_POINTS: dict[str, float] = {"not_done": 0.0, "manual": 0.5, "automated": 1.0}


def group_sums(question: Any, ratings: dict[str, Any]) -> dict[str, float]:
    """Points per group of a checklist ``question`` for ``ratings`` (item id -> {"level"});
    an unrated item counts as 0."""
    sums: dict[str, float] = {}
    for group, items in question.groups().items():
        sums[group] = sum(
            LEVEL_POINTS.get(str((ratings.get(i.id) or {}).get("level") or ""), 0.0) for i in items
        )
    return sums


def ml_test_score_of(question: Any, ratings: dict[str, Any]) -> float:
    """The ML Test Score of ``ratings``: the smallest of the groups' sums."""
    return min(group_sums(question, ratings).values())


def _groups(exercise: Any) -> dict[str, list[str]]:
    return {group: [i.id for i in items]
            for group, items in exercise.question(CHECKLIST).groups().items()}


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The scoring table: points per level and the item ids of each group."""
    from bana_tools.exercises import get_exercise

    return {"level_points": dict(LEVEL_POINTS), "groups": _groups(get_exercise(EXERCISE_ID))}


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """Nothing: the score's expected value depends on the student's own ratings."""
    return {}


def derived_answers(exercise: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers that follow from other answers: the score of the ratings in ``answers``.

    For simulated complete answers (a simulator that fills the checklist calls this after
    it, so that the score it enters is the one its own ratings give)."""
    question = exercise.question(CHECKLIST)
    ratings, _ = question.clean(answers.get(CHECKLIST))
    if not question.is_complete(ratings):
        return {}
    return {SCORE: ml_test_score_of(question, ratings)}


def ml_test_score_check(answers: dict[str, Any], *, exercise: Any, question: str,
                        checklist: str = CHECKLIST, tolerance: float = 0.01) -> Outcome:
    """The entered score equals the one the student's own ratings give (within
    ``tolerance``). Every item must be rated first."""
    label = exercise.question(question).label
    value = answers.get(question)
    if value is None:
        return Outcome(0.0, f"{label}: not entered yet.")
    rubric = exercise.question(checklist)
    ratings = answers.get(checklist) or {}
    rated = sum(1 for i in rubric.items if (ratings.get(i.id) or {}).get("level"))
    if rated < len(rubric.items):
        return Outcome(0.0, f"{label}: rate all {len(rubric.items)} tests of the checklist first "
                            f"({rated} rated so far); the score is computed from all of them.")
    if abs(float(value) - ml_test_score_of(rubric, ratings)) <= tolerance:
        return Outcome(1.0, f"{label}: matches the score your own ratings give.")
    return Outcome(0.0, f"{label}: does not match the score your own ratings give. Add up the "
                        "points of each group's seven tests, then take the smallest of the four "
                        "sums (not the total, not the average).")


CHECKS = {"ml_test_score": ml_test_score_check}
