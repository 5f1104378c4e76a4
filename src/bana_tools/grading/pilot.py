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


def _net_savings(y_true, flagged, s: dict[str, float]) -> float:
    import numpy as np

    tp = int(np.sum(flagged & (y_true == 1)))
    prevented = tp * s["intervention_effect"]
    return float(prevented * s["cost_per_readmission"]
                 - int(np.sum(flagged)) * s["intervention_cost"] - s["fixed_cost"])


@lru_cache(maxsize=4)
def expected_values(key: tuple[tuple[str, float], ...]) -> dict[str, Any]:
    """Every expected value of the scenario ``key`` (see ``SCENARIO``)."""
    import numpy as np

    from bana_tools.data import pilot_predictions, request_log
    from bana_tools.metrics.model import precision_at, recall_at

    s = dict(key)
    pilot = pilot_predictions(int(s["pilot_seed"]))
    y = pilot["y_true"].to_numpy()
    score = pilot["score"].to_numpy()
    t = s["threshold"]
    log = request_log(int(s["log_rows"]), int(s["log_seed"]))
    ok = log.loc[log["status"] == 200, "latency_ms"].to_numpy()
    grid = np.round(np.arange(0.0, 1.0001, 0.01), 2)
    curve = np.array([_net_savings(y, score >= g, s) for g in grid])
    return {
        "recall": float(recall_at(y, score, t)),
        "precision": float(precision_at(y, score, t)),
        "p95_latency": float(np.percentile(ok, 95)),
        "net_savings": _net_savings(y, score >= t, s),
        "best_savings": float(curve.max()),
        "y_true": y,
        "score": score,
        "scenario": s,
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
    at_value = _net_savings(values["y_true"], values["score"] >= float(value), values["scenario"])
    best = values["best_savings"]
    if at_value >= best - relative * abs(best):
        return Outcome(1.0, f"{label}: savings at this threshold are as high as they get.")
    return Outcome(0.0, f"{label}: a different threshold saves noticeably more; scan the "
                        "thresholds again.")
