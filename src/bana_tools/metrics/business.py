"""Business metrics of a readmission-prevention programme driven by a risk score.

The hospital flags every discharge with ``score >= threshold`` and enrols it in a
transitional-care intervention (calls, a home visit, an early clinic appointment). Every
figure follows from the confusion counts at that threshold and an explicit
:class:`CostModel`:

=============================  ===============================================================
metric                         formula
=============================  ===============================================================
readmissions prevented         TP x effect
gross savings                  prevented x cost_per_readmission
programme cost                 flagged x intervention_cost + fixed_cost
net savings                    gross savings - programme cost
ROI                            net savings / programme cost
number needed to treat (NNT)   flagged / prevented
cost per readmission avoided   programme cost / prevented
break-even precision           intervention_cost / (effect x cost_per_readmission)
=============================  ===============================================================

where TP are flagged patients who would have been readmitted, flagged = TP + FP, and
``effect`` is the share of those readmissions the intervention prevents. Interventions
given to false positives cost money and prevent nothing. At a precision above the
break-even precision each extra flagged patient pays for itself on average (ignoring the
fixed cost).

Assumptions to state whenever you report these numbers: the effect is the same for every
flagged patient, it applies only to patients who would otherwise be readmitted, and costs
are averages. The default cost of a readmission, $15,200, is the average 2018 cost of an
adult 30-day readmission in the US (Weiss and Jiang 2021, HCUP Statistical Brief #278); the
intervention's cost and effect are illustrative assumptions, to be replaced by your own.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pydantic import BaseModel, Field

__all__ = [
    "BusinessOutcome",
    "CostModel",
    "best_threshold",
    "break_even_precision",
    "cost_per_readmission_avoided",
    "net_savings",
    "number_needed_to_treat",
    "outcome_at",
    "programme_cost",
    "readmissions_prevented",
    "roi",
    "savings_curve",
]


class CostModel(BaseModel, frozen=True):
    """The money side of the programme; every business metric takes one.

    Attributes:
        cost_per_readmission: average cost of one 30-day readmission, USD (default 15,200,
            HCUP Statistical Brief #278, 2018).
        intervention_cost: cost of enrolling one flagged patient, USD (default 1,000,
            an illustrative assumption).
        intervention_effect: share of would-be readmissions among enrolled patients that the
            intervention prevents, 0-1 (default 0.25, an illustrative assumption).
        fixed_cost: fixed cost of running the programme over the evaluated period, USD
            (software, training, a coordinator); default 0.
    """

    cost_per_readmission: float = Field(15_200.0, ge=0)
    intervention_cost: float = Field(1_000.0, ge=0)
    intervention_effect: float = Field(0.25, ge=0, le=1)
    fixed_cost: float = Field(0.0, ge=0)


DEFAULT_COSTS = CostModel()


def readmissions_prevented(tp: float, costs: CostModel = DEFAULT_COSTS) -> float:
    """Readmissions prevented = TP x intervention_effect."""
    return float(tp) * costs.intervention_effect


def programme_cost(flagged: float, costs: CostModel = DEFAULT_COSTS) -> float:
    """Programme cost = flagged x intervention_cost + fixed_cost."""
    return float(flagged) * costs.intervention_cost + costs.fixed_cost


def net_savings(tp: float, flagged: float, costs: CostModel = DEFAULT_COSTS) -> float:
    """Net savings = TP x effect x cost_per_readmission - flagged x intervention_cost -
    fixed_cost.

    >>> net_savings(tp=40, flagged=100, costs=CostModel())
    52000.0
    """
    if tp > flagged:
        raise ValueError(f"true positives ({tp}) cannot exceed flagged patients ({flagged})")
    return readmissions_prevented(tp, costs) * costs.cost_per_readmission - programme_cost(
        flagged, costs)


def roi(tp: float, flagged: float, costs: CostModel = DEFAULT_COSTS) -> float:
    """Return on investment = net savings / programme cost (NaN when the programme costs
    nothing)."""
    cost = programme_cost(flagged, costs)
    return net_savings(tp, flagged, costs) / cost if cost > 0 else math.nan


def number_needed_to_treat(tp: float, flagged: float, costs: CostModel = DEFAULT_COSTS) -> float:
    """Flagged patients enrolled per readmission prevented = flagged / (TP x effect)
    (infinite when nothing is prevented)."""
    prevented = readmissions_prevented(tp, costs)
    return float(flagged) / prevented if prevented > 0 else math.inf


def cost_per_readmission_avoided(
    tp: float, flagged: float, costs: CostModel = DEFAULT_COSTS
) -> float:
    """Programme cost / readmissions prevented (infinite when nothing is prevented)."""
    prevented = readmissions_prevented(tp, costs)
    return programme_cost(flagged, costs) / prevented if prevented > 0 else math.inf


def break_even_precision(costs: CostModel = DEFAULT_COSTS) -> float:
    """The precision at which a flagged patient pays for itself on average:
    intervention_cost / (effect x cost_per_readmission). Above 1 the programme can never pay;
    infinite if the intervention prevents nothing."""
    value = costs.intervention_effect * costs.cost_per_readmission
    return costs.intervention_cost / value if value > 0 else math.inf


@dataclass(frozen=True)
class BusinessOutcome:
    """The business result of flagging ``score >= threshold``."""

    threshold: float
    flagged: int
    tp: int
    readmissions_prevented: float
    gross_savings: float
    programme_cost: float
    net_savings: float
    roi: float
    number_needed_to_treat: float

    def as_dict(self) -> dict[str, float]:
        return dict(asdict(self))


def _counts(y_true: ArrayLike, score: ArrayLike, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from bana_tools.metrics.model import flagged_and_tp

    return flagged_and_tp(y_true, score, thresholds)


def outcome_at(
    y_true: ArrayLike, score: ArrayLike, threshold: float, costs: CostModel = DEFAULT_COSTS
) -> BusinessOutcome:
    """Every business metric when patients with ``score >= threshold`` are enrolled."""
    flagged, tp = (int(a[0]) for a in _counts(y_true, score, np.array([threshold], float)))
    prevented = readmissions_prevented(tp, costs)
    return BusinessOutcome(
        threshold=float(threshold),
        flagged=flagged,
        tp=tp,
        readmissions_prevented=prevented,
        gross_savings=prevented * costs.cost_per_readmission,
        programme_cost=programme_cost(flagged, costs),
        net_savings=net_savings(tp, flagged, costs),
        roi=roi(tp, flagged, costs),
        number_needed_to_treat=number_needed_to_treat(tp, flagged, costs),
    )


def savings_curve(
    y_true: ArrayLike,
    score: ArrayLike,
    costs: CostModel = DEFAULT_COSTS,
    thresholds: ArrayLike | None = None,
) -> pd.DataFrame:
    """Net savings (and its parts) at every threshold.

    Args:
        thresholds: thresholds to evaluate; default 0.00, 0.01, ..., 1.00.

    Returns:
        One row per threshold: ``threshold``, ``flagged``, ``tp``, ``precision``, ``recall``,
        ``readmissions_prevented``, ``gross_savings``, ``programme_cost``, ``net_savings``,
        ``roi``.
    """
    from bana_tools.metrics.model import threshold_table

    t = np.round(np.linspace(0.0, 1.0, 101), 2) if thresholds is None else np.asarray(
        thresholds, dtype=float)
    table = threshold_table(y_true, score, t)
    prevented = table["tp"].to_numpy() * costs.intervention_effect
    gross = prevented * costs.cost_per_readmission
    cost = table["flagged"].to_numpy() * costs.intervention_cost + costs.fixed_cost
    net = gross - cost
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = np.where(cost > 0, net / np.where(cost > 0, cost, 1.0), np.nan)
    return pd.DataFrame({
        "threshold": table["threshold"],
        "flagged": table["flagged"],
        "tp": table["tp"],
        "precision": table["precision"],
        "recall": table["recall"],
        "readmissions_prevented": prevented,
        "gross_savings": gross,
        "programme_cost": cost,
        "net_savings": net,
        "roi": ratio,
    })


def best_threshold(
    y_true: ArrayLike,
    score: ArrayLike,
    costs: CostModel = DEFAULT_COSTS,
    thresholds: ArrayLike | None = None,
) -> BusinessOutcome:
    """The threshold with the highest net savings, and its outcome.

    Searches the same thresholds as :func:`savings_curve` (default 0.00, 0.01, ..., 1.00);
    pass ``thresholds=np.unique(score)`` for the exact optimum over all possible cut-offs.
    Ties go to the highest threshold (the fewest patients to enrol).
    """
    curve = savings_curve(y_true, score, costs, thresholds)
    if curve.empty:
        raise ValueError("no thresholds to search")
    net = curve["net_savings"].to_numpy()
    best = np.flatnonzero(net == net.max())
    row = best[np.argmax(curve["threshold"].to_numpy()[best])]
    return outcome_at(y_true, score, float(curve["threshold"].iloc[row]), costs)
