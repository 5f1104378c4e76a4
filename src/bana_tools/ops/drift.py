"""Drift checks between a reference sample and a current one.

* :func:`psi` -- the population stability index over bins fixed on the reference sample
  (deciles for numbers, the categories for strings). Common rules of thumb: below 0.1
  stable, 0.1 to 0.25 a moderate shift worth a look, above 0.25 a major shift.
* :func:`ks_test` -- the two-sample Kolmogorov-Smirnov test (:func:`scipy.stats.ks_2samp`)
  for numeric columns: the largest gap between the two empirical CDFs and its p-value.
* :func:`drift_report` -- both checks for every column, with a status per column;
  :func:`alerts` turns the report into alert messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["PSI_ALERT", "PSI_WARN", "alerts", "drift_report", "ks_test", "psi"]

PSI_WARN = 0.1
PSI_ALERT = 0.25


def _shares(values, edges=None, categories=None):
    import numpy as np

    if categories is not None:
        counts = np.array([(values == c).sum() for c in categories], dtype=float)
    else:
        idx = np.searchsorted(edges, values, side="right")
        counts = np.bincount(idx, minlength=len(edges) + 1).astype(float)
    return counts / max(counts.sum(), 1.0)


def psi(reference, current, bins: int = 10, eps: float = 1e-4) -> float:
    """Population stability index of ``current`` against ``reference``.

    Numeric inputs are cut at the reference's quantiles (``bins`` bins, ties merged);
    anything else is compared category by category (categories of either sample). Empty
    bins get a share of ``eps`` so the logarithm stays finite.
    """
    import numpy as np
    import pandas as pd

    ref = pd.Series(reference).dropna()
    cur = pd.Series(current).dropna()
    if ref.empty or cur.empty:
        raise ValueError("psi needs two non-empty samples")
    if pd.api.types.is_numeric_dtype(ref) and pd.api.types.is_numeric_dtype(cur):
        qs = np.quantile(ref.to_numpy(float), np.linspace(0, 1, bins + 1)[1:-1])
        edges = np.unique(qs)
        p = _shares(ref.to_numpy(float), edges=edges)
        q = _shares(cur.to_numpy(float), edges=edges)
    else:
        cats = sorted(set(ref.astype(str)) | set(cur.astype(str)))
        p = _shares(ref.astype(str).to_numpy(), categories=cats)
        q = _shares(cur.astype(str).to_numpy(), categories=cats)
    p = np.clip(p, eps, None)
    q = np.clip(q, eps, None)
    return float(np.sum((q - p) * np.log(q / p)))


def ks_test(reference, current) -> tuple[float, float]:
    """Two-sample KS statistic and p-value (scipy), ignoring missing values."""
    import pandas as pd
    from scipy.stats import ks_2samp

    ref = pd.Series(reference).dropna().to_numpy(float)
    cur = pd.Series(current).dropna().to_numpy(float)
    if len(ref) == 0 or len(cur) == 0:
        raise ValueError("ks_test needs two non-empty samples")
    result = ks_2samp(ref, cur)
    return float(result.statistic), float(result.pvalue)


def drift_report(reference: pd.DataFrame, current: pd.DataFrame, columns: Sequence[str],
                 *, ks_alpha: float = 0.01, psi_warn: float = PSI_WARN,
                 psi_alert: float = PSI_ALERT) -> pd.DataFrame:
    """PSI for every column and KS for numeric ones, with a status per column.

    ``status`` is ``"alert"`` when PSI reaches ``psi_alert``, ``"warn"`` when PSI reaches
    ``psi_warn`` or the KS p-value is below ``ks_alpha`` (a significant but perhaps small
    shift), else ``"ok"``.
    """
    import pandas as pd

    rows = []
    for col in columns:
        numeric = pd.api.types.is_numeric_dtype(reference[col])
        value = psi(reference[col], current[col])
        stat, p = ks_test(reference[col], current[col]) if numeric else (float("nan"), float("nan"))
        if value >= psi_alert:
            status = "alert"
        elif value >= psi_warn or (numeric and p < ks_alpha):
            status = "warn"
        else:
            status = "ok"
        rows.append({"column": col, "kind": "numeric" if numeric else "categorical",
                     "psi": round(value, 4), "ks_stat": round(stat, 4), "ks_p": p, "status": status})
    return pd.DataFrame(rows)


def alerts(report: pd.DataFrame, *, batch: str = "current batch") -> list[str]:
    """One message per column whose status is not ``ok``, worst first."""
    bad = report[report["status"] != "ok"].sort_values("psi", ascending=False)
    return [f"[{r.status.upper()}] {batch}: {r.column} drifted (PSI {r.psi:.3f}"
            + (f", KS {r.ks_stat:.3f}, p={r.ks_p:.1g})" if r.kind == "numeric" else ")")
            for r in bad.itertuples()]
