"""Subgroup error analysis for the readmission model (fairlearn's MetricFrame).

:func:`subgroup_report` computes, for each group of one or more sensitive columns, the
group size, base rate, selection (flag) rate, recall (true positive rate), false negative
rate and precision, and :func:`gaps` the largest between-group difference of each metric.
fairlearn is used because its MetricFrame is the reference implementation of "the same
metric, per group" and its difference/ratio conventions are documented and widely cited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["age_band", "gaps", "subgroup_report"]


def age_band(age: pd.Series) -> pd.Series:
    """Age bands used in the book: 18-44, 45-64, 65-79, 80+."""
    import pandas as pd

    return pd.cut(age, bins=[0, 44, 64, 79, 200], labels=["18-44", "45-64", "65-79", "80+"]).astype(str)


def _metrics():
    from fairlearn.metrics import count, false_negative_rate, selection_rate, true_positive_rate
    from sklearn.metrics import precision_score

    def base_rate(y_true, y_pred):
        return float(y_true.mean()) if len(y_true) else float("nan")

    def precision(y_true, y_pred):
        return precision_score(y_true, y_pred, zero_division=0)

    return {"n": count, "base_rate": base_rate, "flag_rate": selection_rate,
            "recall": true_positive_rate, "fnr": false_negative_rate, "precision": precision}


def subgroup_report(y_true, y_pred, groups: pd.DataFrame | pd.Series):
    """The fairlearn MetricFrame of the book's subgroup metrics (``.overall``, ``.by_group``)."""
    from fairlearn.metrics import MetricFrame

    return MetricFrame(metrics=_metrics(), y_true=y_true, y_pred=y_pred, sensitive_features=groups)


def gaps(frame) -> pd.Series:
    """Largest between-group difference of every metric but the count."""
    return frame.difference(method="between_groups").drop(labels=["n"])
