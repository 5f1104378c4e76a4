"""Checks of the computational exercise ``ch02-pilot-metrics``.

Expected values are computed here, from the same seeded data the students use, each time
a check runs (memoised per scenario within a process). They are never stored in the
notebook, the answers file or a message: messages say only whether a value is within
tolerance.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bana_tools.exercises.schema import Exercise
from bana_tools.grading.results import Outcome


def _scenario_key(exercise: Exercise) -> tuple[tuple[str, float], ...]:
    from bana_tools.exercises.ch02_pilot_metrics import SCENARIO

    return tuple(sorted((k, float(v)) for k, v in SCENARIO.items()))


def _costs(s: dict[str, float]):
    from bana_tools.metrics.business import CostModel

    return CostModel(
        cost_per_readmission=s["cost_per_readmission"],
        intervention_cost=s["intervention_cost"],
        intervention_effect=s["intervention_effect"],
        fixed_cost=s["fixed_cost"],
    )


@lru_cache(maxsize=4)
def expected_values(key: tuple[tuple[str, float], ...]) -> dict[str, Any]:
    """Every expected value of the scenario ``key`` (see ``SCENARIO``), from the metrics
    library: :mod:`bana_tools.metrics.model`, ``.system`` and ``.business``."""
    from bana_tools.data import pilot_predictions, request_log
    from bana_tools.metrics.business import best_threshold, outcome_at
    from bana_tools.metrics.model import precision_at, recall_at
    from bana_tools.metrics.system import percentile

    s = dict(key)
    costs = _costs(s)
    pilot = pilot_predictions(int(s["pilot_seed"]))
    y = pilot["y_true"].to_numpy()
    score = pilot["score"].to_numpy()
    t = s["threshold"]
    log = request_log(int(s["log_rows"]), int(s["log_seed"]))
    ok = log.loc[log["status"] == 200, "latency_ms"].to_numpy()
    return {
        "recall": float(recall_at(y, score, t)),
        "precision": float(precision_at(y, score, t)),
        "p95_latency": percentile(ok, 95, method="linear"),
        "net_savings": float(outcome_at(y, score, t, costs).net_savings),
        "best_savings": float(best_threshold(y, score, costs).net_savings),
        "y_true": y,
        "score": score,
        "costs": costs,
    }


def _within(value: float, expected: float, tolerance: float, relative: float) -> bool:
    return abs(value - expected) <= max(tolerance, relative * abs(expected))


def pilot_value(
    answers: dict[str, Any], *, exercise: Exercise, question: str,
    tolerance: float = 0.0, relative: float = 0.0,
) -> Outcome:
    """The entered number is within tolerance of the value computed from the data."""
    label = exercise.question(question).label
    value = answers.get(question)
    if value is None:
        return Outcome(0.0, f"{label}: not entered yet.")
    expected = expected_values(_scenario_key(exercise))[question]
    if _within(float(value), expected, tolerance, relative):
        return Outcome(1.0, f"{label}: matches the value computed from the data.")
    return Outcome(0.0, f"{label}: does not match the value computed from the data; "
                        "check the definition, the threshold and the rows you used.")


def pilot_best_threshold(
    answers: dict[str, Any], *, exercise: Exercise, question: str, relative: float = 0.01
) -> Outcome:
    """Savings at the entered threshold come within ``relative`` of the best possible."""
    label = exercise.question(question).label
    value = answers.get(question)
    if value is None:
        return Outcome(0.0, f"{label}: not entered yet.")
    values = expected_values(_scenario_key(exercise))
    from bana_tools.metrics.business import outcome_at

    at_value = outcome_at(values["y_true"], values["score"], float(value), values["costs"]).net_savings
    best = values["best_savings"]
    if at_value >= best - relative * abs(best):
        return Outcome(1.0, f"{label}: savings at this threshold are as high as they get.")
    return Outcome(0.0, f"{label}: a different threshold saves noticeably more; scan the "
                        "thresholds again.")
