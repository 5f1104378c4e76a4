"""The reference readmission model used across the book's hands-on pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from sklearn.pipeline import Pipeline

__all__ = ["CATEGORICAL", "NUMERIC", "TARGET", "build_model", "split_xy"]

NUMERIC: tuple[str, ...] = (
    "age", "emergent", "length_of_stay", "charlson", "ed_visits_6m", "prior_admissions_12m",
    "followup_scheduled", "hemoglobin", "sodium",
)
CATEGORICAL: tuple[str, ...] = ("sex", "payer", "condition", "discharge_disposition")
TARGET = "readmitted_30d"


def split_xy(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Features (the model's columns only) and the readmission label."""
    return df[list(NUMERIC + CATEGORICAL)], df[TARGET]


def build_model(kind: str = "logistic", **params: Any) -> Pipeline:
    """A scikit-learn pipeline: impute and scale numbers, one-hot categories, then a model.

    ``kind`` is ``"logistic"`` (``params`` go to LogisticRegression, e.g. ``C``) or
    ``"boosting"`` (HistGradientBoostingClassifier, e.g. ``max_depth``, ``learning_rate``).
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(NUMERIC)),
        ("cat", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL)),
    ])
    if kind == "logistic":
        model = LogisticRegression(max_iter=1000, **params)
    elif kind == "boosting":
        model = HistGradientBoostingClassifier(random_state=0, **params)
    else:
        raise ValueError(f"unknown model kind {kind!r} (choose logistic or boosting)")
    return Pipeline([("prep", prep), ("model", model)])
