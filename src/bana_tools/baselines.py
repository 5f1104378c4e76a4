"""Baseline readmission models: the LACE index and a logistic-regression pipeline.

The LACE index (van Walraven et al. 2010, CMAJ 182(6):551-557) adds points for four things
known at discharge:

====================  ===================================================  ==========
Component             Points                                               Range
====================  ===================================================  ==========
L  length of stay     <1 day 0; 1 day 1; 2 days 2; 3 days 3; 4-6 days 4;    0-7
                      7-13 days 5; 14 days or more 7
A  acuity             emergent (unplanned) admission 3, elective 0          0 or 3
C  comorbidity        Charlson index 0-3 -> 0-3 points; 4 or more -> 5      0-5
E  ED visits          visits in the prior 6 months, capped at 4             0-4
====================  ===================================================  ==========

The total runs from 0 to 19; a higher score means a higher risk of death or unplanned
readmission within 30 days. Being a fixed points table, it needs no training, which makes
it the baseline a learned model has to beat.

:func:`logistic_pipeline` returns an unfitted scikit-learn pipeline that one-hot encodes the
categorical columns, scales the numeric ones and fits a logistic regression on
:data:`FEATURES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from sklearn.pipeline import Pipeline

__all__ = [
    "CATEGORICAL",
    "FEATURES",
    "NUMERIC",
    "lace_score",
    "logistic_pipeline",
]

#: Numeric columns the logistic pipeline scales.
NUMERIC: tuple[str, ...] = (
    "age",
    "length_of_stay",
    "charlson",
    "ed_visits_6m",
    "prior_admissions_12m",
    "hemoglobin",
    "sodium",
    "emergent",
    "followup_scheduled",
)
#: Categorical columns the logistic pipeline one-hot encodes.
CATEGORICAL: tuple[str, ...] = ("sex", "payer", "condition", "discharge_disposition")
#: Every input column of the logistic pipeline.
FEATURES: tuple[str, ...] = NUMERIC + CATEGORICAL


def _los_points(days: np.ndarray) -> np.ndarray:
    bins = np.array([1, 2, 3, 4, 7, 14])           # lower edges of 1, 2, 3, 4, 5, 7 points
    points = np.array([0, 1, 2, 3, 4, 5, 7])
    return points[np.searchsorted(bins, days, side="right")]


def lace_score(df: pd.DataFrame) -> pd.Series:
    """The LACE index of every row of ``df`` (integers 0-19).

    Uses the columns ``length_of_stay`` (days), ``emergent`` (0/1), ``charlson`` and
    ``ed_visits_6m``.

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"length_of_stay": [0, 5, 20], "emergent": [0, 1, 1],
    ...                      "charlson": [0, 2, 7], "ed_visits_6m": [0, 1, 9]})
    >>> lace_score(rows).tolist()
    [0, 10, 19]

    Raises:
        KeyError: if a required column is missing.
    """
    missing = [c for c in ("length_of_stay", "emergent", "charlson", "ed_visits_6m")
               if c not in df.columns]
    if missing:
        raise KeyError(f"lace_score needs the column(s) {', '.join(missing)}")
    los = _los_points(df["length_of_stay"].to_numpy())
    acuity = 3 * (df["emergent"].to_numpy() > 0)
    charlson = df["charlson"].to_numpy()
    comorbidity = np.where(charlson >= 4, 5, np.clip(charlson, 0, 3))
    ed = np.clip(df["ed_visits_6m"].to_numpy(), 0, 4)
    return pd.Series((los + acuity + comorbidity + ed).astype(np.int64), index=df.index,
                     name="lace")


def logistic_pipeline(C: float = 1.0) -> Pipeline:
    """An unfitted pipeline: scale :data:`NUMERIC`, one-hot :data:`CATEGORICAL`, then a
    logistic regression (L2 penalty of inverse strength ``C``, lbfgs solver).

    Fit it on ``df[list(FEATURES)]`` and ``df["readmitted_30d"]``; score with
    ``predict_proba(...)[:, 1]``. Unknown categories at scoring time are ignored.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    prep = ColumnTransformer(
        [
            ("numeric", StandardScaler(), list(NUMERIC)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL)),
        ]
    )
    return Pipeline([("prep", prep), ("model", LogisticRegression(C=C, max_iter=1000))])
