"""Scenario of ``ch02-pilot-metrics``: one silent pilot quarter and a week of requests.

The same data for every student (the scenario's seeds are fixed). ``solve`` computes every
expected value from the metrics library (:mod:`bana_tools.metrics.model`, ``.system`` and
``.business``).
"""

from __future__ import annotations

from typing import Any

from bana_tools.grading.results import Outcome


def _costs(params: dict[str, Any]):
    from bana_tools.metrics.business import CostModel

    return CostModel(
        cost_per_readmission=float(params["cost_per_readmission"]),
        intervention_cost=float(params["intervention_cost"]),
        intervention_effect=float(params["intervention_effect"]),
        fixed_cost=float(params["fixed_cost"]),
    )


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The pilot's scores and outcomes, the request log, and the threshold."""
    from bana_tools.data import pilot_predictions, request_log

    return {
        "pilot": pilot_predictions(int(params["pilot_seed"])),
        "log": request_log(int(params["log_rows"]), int(params["log_seed"])),
        "threshold": float(params["threshold"]),
    }


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """Recall, precision, p95 latency, net savings at the threshold, and the best threshold."""
    from bana_tools.metrics.business import best_threshold, outcome_at
    from bana_tools.metrics.model import precision_at, recall_at
    from bana_tools.metrics.system import percentile

    frames = data(params, seed)
    costs = _costs(params)
    y = frames["pilot"]["y_true"].to_numpy()
    score = frames["pilot"]["score"].to_numpy()
    t = frames["threshold"]
    log = frames["log"]
    ok = log.loc[log["status"] == 200, "latency_ms"].to_numpy()
    best = best_threshold(y, score, costs)
    return {
        "recall": float(recall_at(y, score, t)),
        "precision": float(precision_at(y, score, t)),
        "p95_latency": percentile(ok, 95, method="linear"),
        "net_savings": float(outcome_at(y, score, t, costs).net_savings),
        "best_threshold": float(best.threshold),
        "_best_savings": float(best.net_savings),
        "_y_true": y,
        "_score": score,
        "_costs": costs,
    }


def best_threshold_check(
    answers: dict[str, Any], *, exercise: Any, question: str, relative: float = 0.01
) -> Outcome:
    """Savings at the entered threshold come within ``relative`` of the best possible."""
    from bana_tools.metrics.business import outcome_at
    from bana_tools.scenarios import expected_for

    label = exercise.question(question).label
    value = answers.get(question)
    if value is None:
        return Outcome(0.0, f"{label}: not entered yet.")
    values = expected_for(exercise, answers)
    at_value = outcome_at(values["_y_true"], values["_score"], float(value), values["_costs"]).net_savings
    best = values["_best_savings"]
    if at_value >= best - relative * abs(best):
        return Outcome(1.0, f"{label}: savings at this threshold are as high as they get.")
    return Outcome(0.0, f"{label}: a different threshold saves noticeably more; scan the "
                        "thresholds again.")


CHECKS = {"pilot_best_threshold": best_threshold_check}
