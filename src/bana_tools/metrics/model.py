"""Model metrics for a binary risk score: counts at a threshold, ranking and calibration.

Conventions used throughout:

- ``y_true`` holds 0/1 outcomes (1 = readmitted within 30 days); ``score`` holds the
  predicted probability (or any risk score where higher means riskier).
- A patient is **flagged** when ``score >= threshold``.
- When a ratio has a zero denominator (for instance precision when nobody is flagged) it
  is reported as 0.0, as scikit-learn does with ``zero_division=0``.

The threshold-free metrics wrap scikit-learn: :func:`roc_auc` is
:func:`sklearn.metrics.roc_auc_score`, :func:`pr_auc` is
:func:`sklearn.metrics.average_precision_score`, :func:`brier_score` is
:func:`sklearn.metrics.brier_score_loss` and :func:`log_loss` is
:func:`sklearn.metrics.log_loss`. The calibration table uses equal-width (or equal-count)
bins like :func:`sklearn.calibration.calibration_curve`, but keeps the counts the expected
calibration error needs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "Confusion",
    "brier_score",
    "calibration_table",
    "confusion_at",
    "expected_calibration_error",
    "f1_at",
    "log_loss",
    "model_report",
    "pr_auc",
    "precision_at",
    "recall_at",
    "roc_auc",
    "specificity_at",
    "threshold_table",
    "flagged_and_tp",
]


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


def _arrays(y_true: ArrayLike, score: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    s = np.asarray(score, dtype=float)
    if y.ndim != 1 or s.ndim != 1:
        raise ValueError("y_true and score must be one-dimensional")
    if len(y) != len(s):
        raise ValueError(f"y_true has {len(y)} values but score has {len(s)}")
    if np.isnan(s).any():
        raise ValueError("score contains NaN")
    if len(y) and not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must contain only 0 and 1")
    return y.astype(np.int64), s


@dataclass(frozen=True)
class Confusion:
    """Counts of a confusion matrix and the ratios derived from them.

    ``tp`` readmitted and flagged, ``fp`` flagged but not readmitted, ``fn`` readmitted but
    not flagged, ``tn`` neither.
    """

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def n(self) -> int:
        """All patients: TP + FP + TN + FN."""
        return self.tp + self.fp + self.tn + self.fn

    @property
    def flagged(self) -> int:
        """Patients flagged: TP + FP."""
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 0.0 when nobody is flagged."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        """TP / (TP + FN) (sensitivity); 0.0 when nobody is readmitted."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def specificity(self) -> float:
        """TN / (TN + FP); 0.0 when everybody is readmitted."""
        return _ratio(self.tn, self.tn + self.fp)

    @property
    def false_positive_rate(self) -> float:
        """FP / (FP + TN) = 1 - specificity (when there are negatives)."""
        return _ratio(self.fp, self.fp + self.tn)

    @property
    def f1(self) -> float:
        """2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def accuracy(self) -> float:
        """(TP + TN) / N."""
        return _ratio(self.tp + self.tn, self.n)

    @property
    def flag_rate(self) -> float:
        """(TP + FP) / N, the share of patients flagged."""
        return _ratio(self.flagged, self.n)

    def as_dict(self) -> dict[str, float]:
        """Counts and ratios in one flat dictionary."""
        out: dict[str, float] = dict(asdict(self))
        for name in ("n", "flagged", "precision", "recall", "specificity",
                     "false_positive_rate", "f1", "accuracy", "flag_rate"):
            out[name] = getattr(self, name)
        return out


def confusion_at(y_true: ArrayLike, score: ArrayLike, threshold: float) -> Confusion:
    """The confusion matrix when patients with ``score >= threshold`` are flagged.

    >>> confusion_at([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1], 0.5)
    Confusion(tp=1, fp=1, tn=1, fn=1)
    """
    from sklearn.metrics import confusion_matrix

    y, s = _arrays(y_true, score)
    pred = (s >= threshold).astype(np.int64)
    (tn, fp), (fn, tp) = confusion_matrix(y, pred, labels=[0, 1])
    return Confusion(tp=int(tp), fp=int(fp), tn=int(tn), fn=int(fn))


def precision_at(y_true: ArrayLike, score: ArrayLike, threshold: float) -> float:
    """Precision TP / (TP + FP) when ``score >= threshold`` is flagged (0.0 if none)."""
    return confusion_at(y_true, score, threshold).precision


def recall_at(y_true: ArrayLike, score: ArrayLike, threshold: float) -> float:
    """Recall TP / (TP + FN) when ``score >= threshold`` is flagged."""
    return confusion_at(y_true, score, threshold).recall


def specificity_at(y_true: ArrayLike, score: ArrayLike, threshold: float) -> float:
    """Specificity TN / (TN + FP) when ``score >= threshold`` is flagged."""
    return confusion_at(y_true, score, threshold).specificity


def f1_at(y_true: ArrayLike, score: ArrayLike, threshold: float) -> float:
    """F1 = 2PR / (P + R) when ``score >= threshold`` is flagged."""
    return confusion_at(y_true, score, threshold).f1


def _two_classes(y: np.ndarray, metric: str) -> None:
    if len(np.unique(y)) < 2:
        raise ValueError(f"{metric} needs both readmitted and not-readmitted patients")


def roc_auc(y_true: ArrayLike, score: ArrayLike) -> float:
    """Area under the ROC curve (:func:`sklearn.metrics.roc_auc_score`).

    The probability that a random readmitted patient scores higher than a random
    non-readmitted one (ties count half).
    """
    from sklearn.metrics import roc_auc_score

    y, s = _arrays(y_true, score)
    _two_classes(y, "ROC AUC")
    return float(roc_auc_score(y, s))


def pr_auc(y_true: ArrayLike, score: ArrayLike) -> float:
    """Area under the precision-recall curve as average precision
    (:func:`sklearn.metrics.average_precision_score`): sum over thresholds of
    (R_k - R_{k-1}) * P_k. A score with no skill gets about the base rate."""
    from sklearn.metrics import average_precision_score

    y, s = _arrays(y_true, score)
    _two_classes(y, "PR AUC")
    return float(average_precision_score(y, s))


def _probabilities(s: np.ndarray) -> None:
    if len(s) and (s.min() < 0 or s.max() > 1):
        raise ValueError("scores must be probabilities between 0 and 1")


def brier_score(y_true: ArrayLike, score: ArrayLike) -> float:
    """Brier score mean((score - y)^2) (:func:`sklearn.metrics.brier_score_loss`)."""
    from sklearn.metrics import brier_score_loss

    y, s = _arrays(y_true, score)
    _probabilities(s)
    return float(brier_score_loss(y, s))


def log_loss(y_true: ArrayLike, score: ArrayLike) -> float:
    """Log loss -mean(y log p + (1 - y) log(1 - p)) in nats (:func:`sklearn.metrics.log_loss`)."""
    from sklearn.metrics import log_loss as sk_log_loss

    y, s = _arrays(y_true, score)
    _probabilities(s)
    eps = np.finfo(float).eps
    return float(sk_log_loss(y, np.clip(s, eps, 1 - eps), labels=[0, 1]))


def calibration_table(
    y_true: ArrayLike,
    score: ArrayLike,
    bins: int = 10,
    strategy: Literal["uniform", "quantile"] = "uniform",
) -> pd.DataFrame:
    """Predicted against observed readmission rate in score bins.

    ``strategy="uniform"`` cuts [0, 1] into ``bins`` equal-width bins; ``"quantile"`` uses
    score quantiles so bins hold about as many patients. Bins are closed on the right
    (a score equal to an edge goes to the lower bin) and the first also on the left, as in
    :func:`sklearn.calibration.calibration_curve`. Empty bins are dropped.

    Returns:
        One row per non-empty bin: ``bin_lower``, ``bin_upper``, ``n``, ``mean_score``
        (mean predicted probability), ``observed_rate`` (share readmitted) and ``gap``
        (``mean_score - observed_rate``).
    """
    if bins < 1:
        raise ValueError(f"bins must be 1 or more, not {bins}")
    y, s = _arrays(y_true, score)
    _probabilities(s)
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, bins + 1)
    elif strategy == "quantile":
        edges = np.unique(np.quantile(s, np.linspace(0.0, 1.0, bins + 1))) if len(s) else np.array([0.0, 1.0])
        if len(edges) < 2:
            edges = np.array([edges[0], edges[0]])
    else:
        raise ValueError(f"strategy must be 'uniform' or 'quantile', not {strategy!r}")
    idx = np.searchsorted(edges[1:-1], s, side="left")
    k = len(edges) - 1
    n = np.bincount(idx, minlength=k)
    sum_s = np.bincount(idx, weights=s, minlength=k)
    sum_y = np.bincount(idx, weights=y, minlength=k)
    keep = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_s = sum_s / n
        rate = sum_y / n
    table = pd.DataFrame({
        "bin_lower": edges[:-1][keep],
        "bin_upper": edges[1:][keep],
        "n": n[keep].astype(np.int64),
        "mean_score": mean_s[keep],
        "observed_rate": rate[keep],
    })
    table["gap"] = table["mean_score"] - table["observed_rate"]
    return table


def expected_calibration_error(
    y_true: ArrayLike,
    score: ArrayLike,
    bins: int = 10,
    strategy: Literal["uniform", "quantile"] = "uniform",
) -> float:
    """ECE = sum over bins of (n_b / N) * |mean score_b - observed rate_b|.

    Bins as in :func:`calibration_table` (10 equal-width bins by default). 0 is perfectly
    calibrated; the value depends on the binning, so always report it.
    """
    table = calibration_table(y_true, score, bins=bins, strategy=strategy)
    total = table["n"].sum()
    if total == 0:
        return 0.0
    return float((table["n"] * table["gap"].abs()).sum() / total)


def flagged_and_tp(
    y_true: ArrayLike, score: ArrayLike, thresholds: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """How many cases have ``score >= t``, and how many of them are positive, for every
    threshold ``t`` (two sorted searches; the counts :func:`threshold_table` builds on)."""
    y, s = _arrays(y_true, score)
    return _flagged_and_tp(y, s, np.asarray(thresholds, dtype=float))


def _flagged_and_tp(y: np.ndarray, s: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`flagged_and_tp` on arrays already checked by ``_arrays``."""
    pos_sorted = np.sort(s[y == 1])
    flagged = len(s) - np.searchsorted(np.sort(s), t, side="left")
    tp = len(pos_sorted) - np.searchsorted(pos_sorted, t, side="left")
    return flagged, tp


def threshold_table(
    y_true: ArrayLike, score: ArrayLike, thresholds: ArrayLike | None = None
) -> pd.DataFrame:
    """Confusion counts and ratios at many thresholds at once (vectorised).

    Args:
        thresholds: thresholds to evaluate; default 0.00, 0.01, ..., 1.00.

    Returns:
        One row per threshold: ``threshold``, ``flagged``, ``tp``, ``fp``, ``tn``, ``fn``,
        ``precision``, ``recall``, ``specificity``, ``f1``, ``flag_rate``. Each row equals
        :func:`confusion_at` at that threshold.
    """
    y, s = _arrays(y_true, score)
    t = np.round(np.linspace(0.0, 1.0, 101), 2) if thresholds is None else np.asarray(
        thresholds, dtype=float)
    flagged, tp = _flagged_and_tp(y, s, t)
    fp = flagged - tp
    positives = int((y == 1).sum())
    negatives = len(s) - positives
    fn = positives - tp
    tn = negatives - fp
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(flagged > 0, tp / np.maximum(flagged, 1), 0.0)
        recall = np.where(positives > 0, tp / max(positives, 1), 0.0)
        specificity = np.where(negatives > 0, tn / max(negatives, 1), 0.0)
        f1_den = 2 * tp + fp + fn
        f1 = np.where(f1_den > 0, 2 * tp / np.maximum(f1_den, 1), 0.0)
        flag_rate = flagged / len(s) if len(s) else np.zeros_like(t)
    return pd.DataFrame({
        "threshold": t,
        "flagged": flagged.astype(np.int64),
        "tp": tp.astype(np.int64),
        "fp": fp.astype(np.int64),
        "tn": tn.astype(np.int64),
        "fn": fn.astype(np.int64),
        "precision": precision,
        "recall": recall,
        "specificity": specificity,
        "f1": f1,
        "flag_rate": flag_rate,
    })


def model_report(y_true: ArrayLike, score: ArrayLike, threshold: float) -> dict[str, float]:
    """Every model metric of the catalog for one score and threshold, keyed by catalog id.

    Threshold metrics (precision, recall, specificity, false_positive_rate, f1, accuracy)
    use ``score >= threshold``; the rest are threshold-free.
    """
    c = confusion_at(y_true, score, threshold)
    return {
        "threshold": float(threshold),
        "precision": c.precision,
        "recall": c.recall,
        "specificity": c.specificity,
        "false_positive_rate": c.false_positive_rate,
        "f1": c.f1,
        "accuracy": c.accuracy,
        "roc_auc": roc_auc(y_true, score),
        "pr_auc": pr_auc(y_true, score),
        "brier_score": brier_score(y_true, score),
        "log_loss": log_loss(y_true, score),
        "expected_calibration_error": expected_calibration_error(y_true, score),
    }
