"""Drift checks between a reference sample and a current one.

* :func:`feature_kind` -- ``"continuous"``, ``"discrete"`` (whole numbers with few distinct
  values: counts, days, scores) or ``"categorical"``; it decides which test a column gets.
* :func:`psi_table` and :func:`psi` -- the population stability index over bins fixed on the
  reference sample (deciles for numbers, ties merged; the categories for strings), bin by
  bin and in total. Common rules of thumb: below 0.1 stable, 0.1 to 0.25 a moderate shift
  worth a look, above 0.25 a major shift.
* :func:`ks_test` -- the two-sample Kolmogorov-Smirnov test (:func:`scipy.stats.ks_2samp`):
  the largest gap between the two empirical CDFs and its p-value. Its p-values assume
  continuous data; on whole numbers with many ties they are too large (the test is
  conservative), so it is used for continuous columns only.
* :func:`chi_square_test` -- a chi-square test of homogeneity
  (:func:`scipy.stats.chi2_contingency`) on the counts in the PSI bins: the test for discrete
  and categorical columns.
* :func:`drift_report` -- PSI and the right test for every column, with a status per column;
  :func:`alerts` turns the report into alert messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["MAX_DISCRETE_LEVELS", "PSI_ALERT", "PSI_WARN", "alerts", "chi_square_test", "drift_report",
           "feature_kind", "ks_test", "psi", "psi_table"]

PSI_WARN = 0.1
PSI_ALERT = 0.25
#: Whole-number columns with at most this many distinct reference values count as discrete.
MAX_DISCRETE_LEVELS = 50


def _clean(values) -> pd.Series:
    import pandas as pd

    return pd.Series(values).dropna().reset_index(drop=True)


def _is_numeric(ref: pd.Series, cur: pd.Series) -> bool:
    import pandas as pd

    def numeric(s: pd.Series) -> bool:
        return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)

    return numeric(ref) and numeric(cur)


def feature_kind(values, *, max_levels: int = MAX_DISCRETE_LEVELS) -> str:
    """``"categorical"`` for non-numbers, ``"discrete"`` for whole numbers with at most
    ``max_levels`` distinct values, else ``"continuous"``."""
    import numpy as np
    import pandas as pd

    s = _clean(values)
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return "categorical"
    x = s.to_numpy(float)
    if np.all(np.isfinite(x)) and np.all(x == np.round(x)) and len(np.unique(x)) <= max_levels:
        return "discrete"
    return "continuous"


def _bins(ref: pd.Series, cur: pd.Series, bins: int):
    """Bin labels, and reference and current counts per bin (numpy arrays)."""
    import numpy as np

    if _is_numeric(ref, cur):
        r, c = ref.to_numpy(float), cur.to_numpy(float)
        edges = np.unique(np.quantile(r, np.linspace(0, 1, bins + 1)[1:-1]))
        n_bins = len(edges) + 1
        ref_counts = np.bincount(np.searchsorted(edges, r, side="right"), minlength=n_bins)
        cur_counts = np.bincount(np.searchsorted(edges, c, side="right"), minlength=n_bins)
        bounds = [-np.inf, *edges, np.inf]
        labels = [f"< {hi:g}" if lo == -np.inf else f">= {lo:g}" if hi == np.inf else f"[{lo:g}, {hi:g})"
                  for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
        return labels, ref_counts.astype(float), cur_counts.astype(float)
    r, c = ref.astype(str).to_numpy(), cur.astype(str).to_numpy()
    labels = sorted(set(r) | set(c))
    ref_counts = np.array([(r == k).sum() for k in labels], dtype=float)
    cur_counts = np.array([(c == k).sum() for k in labels], dtype=float)
    return labels, ref_counts, cur_counts


def psi_table(reference, current, bins: int = 10, eps: float = 1e-4) -> pd.DataFrame:
    """The PSI computation laid out bin by bin.

    Numeric inputs are cut at the reference's quantiles (``bins`` bins, ties merged, so a
    whole-number column gets fewer bins); anything else is compared category by category
    (categories of either sample). One row per bin with the counts, the shares ``p``
    (reference) and ``q`` (current), and the bin's term ``(q - p) * ln(q / p)``; empty bins
    get a share of ``eps`` so the logarithm stays finite. The terms add up to :func:`psi`.
    """
    import numpy as np
    import pandas as pd

    ref, cur = _clean(reference), _clean(current)
    if ref.empty or cur.empty:
        raise ValueError("psi needs two non-empty samples")
    labels, ref_counts, cur_counts = _bins(ref, cur, bins)
    p = np.clip(ref_counts / ref_counts.sum(), eps, None)
    q = np.clip(cur_counts / cur_counts.sum(), eps, None)
    return pd.DataFrame({"bin": labels, "ref_count": ref_counts.astype(int), "cur_count": cur_counts.astype(int),
                         "p": p, "q": q, "term": (q - p) * np.log(q / p)})


def psi(reference, current, bins: int = 10, eps: float = 1e-4) -> float:
    """Population stability index of ``current`` against ``reference``: the sum over bins
    of ``(q - p) * ln(q / p)`` (see :func:`psi_table`)."""
    return float(psi_table(reference, current, bins=bins, eps=eps)["term"].sum())


def ks_test(reference, current) -> tuple[float, float]:
    """Two-sample KS statistic and p-value (scipy), ignoring missing values.

    Meant for continuous data: with many tied values the p-value is too large.
    """
    from scipy.stats import ks_2samp

    ref = _clean(reference).to_numpy(float)
    cur = _clean(current).to_numpy(float)
    if len(ref) == 0 or len(cur) == 0:
        raise ValueError("ks_test needs two non-empty samples")
    result = ks_2samp(ref, cur)
    return float(result.statistic), float(result.pvalue)


def chi_square_test(reference, current, bins: int = 10) -> tuple[float, float]:
    """Chi-square test of homogeneity on the counts of the two samples in the PSI bins.

    Bins empty in both samples are dropped; with fewer than two bins left there is nothing
    to compare and the result is ``(0.0, 1.0)``. Returns the statistic and its p-value.
    """
    import numpy as np
    from scipy.stats import chi2_contingency

    ref, cur = _clean(reference), _clean(current)
    if ref.empty or cur.empty:
        raise ValueError("chi_square_test needs two non-empty samples")
    _, ref_counts, cur_counts = _bins(ref, cur, bins)
    table = np.vstack([ref_counts, cur_counts])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 0.0, 1.0
    result = chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)


def drift_report(reference: pd.DataFrame, current: pd.DataFrame, columns: Sequence[str],
                 *, alpha: float = 0.01, bonferroni: bool = True, psi_warn: float = PSI_WARN,
                 psi_alert: float = PSI_ALERT, max_levels: int = MAX_DISCRETE_LEVELS) -> pd.DataFrame:
    """PSI for every column, and a significance test chosen by the column's kind.

    Continuous columns get the KS test; discrete and categorical ones the chi-square test
    on the PSI bins (see :func:`feature_kind`). ``alpha`` is the false-warning rate for the
    whole batch: with ``bonferroni`` (the default) each of the ``m`` tests runs at
    ``alpha / m``, otherwise at ``alpha``. ``status`` is ``"alert"`` when PSI reaches
    ``psi_alert``, ``"warn"`` when PSI reaches ``psi_warn`` or the test's p-value is below
    its level (a significant but perhaps small shift), else ``"ok"``.
    """
    import pandas as pd

    level = alpha / max(len(columns), 1) if bonferroni else alpha
    rows = []
    for col in columns:
        kind = feature_kind(reference[col], max_levels=max_levels)
        value = psi(reference[col], current[col])
        if kind == "continuous":
            test, (stat, p) = "KS", ks_test(reference[col], current[col])
        else:
            test, (stat, p) = "chi-square", chi_square_test(reference[col], current[col])
        if value >= psi_alert:
            status = "alert"
        elif value >= psi_warn or p < level:
            status = "warn"
        else:
            status = "ok"
        rows.append({"column": col, "kind": kind, "psi": round(value, 4), "test": test,
                     "stat": round(stat, 4), "p_value": p, "status": status})
    return pd.DataFrame(rows)


def alerts(report: pd.DataFrame, *, batch: str = "current batch") -> list[str]:
    """One message per column whose status is not ``ok``, worst first."""
    bad = report[report["status"] != "ok"].sort_values("psi", ascending=False)
    return [f"[{r.status.upper()}] {batch}: {r.column} drifted (PSI {r.psi:.3f}, {r.test} {r.stat:.3g}, "
            f"p={r.p_value:.1g})" for r in bad.itertuples()]
