"""Scenario of ``ch03-dataops``: one night's discharge extract with quality problems.

Every student gets their own extract: ``generate_readmissions(rows, seed)`` for the student's
seed, then damaged deterministically from the same seed the way real deliveries go wrong
(chapter 3, section 3.2.3; the same kinds of damage as the bad night of section 4.4.4):

* a block of encounters delivered twice (the copies are appended at the end);
* a few discharges dated before their admission;
* missing laboratory results: one column (haemoglobin or sodium) lost a share of its values,
  above or clearly below the 5% the pipeline tolerates, the other a handful;
* for some students, impossible ages (0) and/or an unknown payer code.

``solve`` computes the profile a student is asked for with plain pandas: the repeated
encounter ids, the discharges before admission, the laboratory column with the most missing
values and its share, the patients with more than one stay (which are *not* duplicates),
the rules the extract breaks, and the rows left after removing duplicate copies and
quarantining the rows that break a row-level rule (the policy of section 3.3.3).

``CHECKS`` adds one check kind this exercise needs: ``distinct_choices`` (a records answer
uses at least ``n`` different options of a choice column, e.g. four validation families).
"""

from __future__ import annotations

from typing import Any

from bana_tools.grading.results import Outcome

#: The payer codes a valid extract may contain (the data card's four).
PAYERS = ("medicare", "medicaid", "private", "self_pay")
#: The rules of the computed part, in the order of the form's options.
RULES = ("encounter_unique", "labs_missing", "dates_order", "age_range", "payer_known")
LABS = ("hemoglobin", "sodium")
UNKNOWN_PAYER = "medicare_advantage"
_STREAM = 303  # key of the random stream that damages the extract


def _damage_plan(n: int, seed: int) -> dict[str, Any]:
    """Which rows get which damage, drawn from the student's seed (disjoint row sets)."""
    import numpy as np

    rng = np.random.default_rng([int(seed), _STREAM])
    plan: dict[str, Any] = {}
    k_dup = int(rng.integers(12, 41))
    start = int(rng.integers(0, n - k_dup))
    plan["dup_block"] = (start, start + k_dup)
    rest = np.setdiff1d(np.arange(n), np.arange(start, start + k_dup))
    rest = rng.permutation(rest)
    m_dates = int(rng.integers(3, 13))
    n_ages = int(rng.integers(4, 16)) if rng.random() < 0.5 else 0
    n_payer = int(rng.integers(8, 31)) if rng.random() < 0.5 else 0
    plan["dates"] = np.sort(rest[:m_dates])
    plan["date_shift"] = rng.integers(1, 6, size=m_dates)
    plan["ages"] = np.sort(rest[m_dates:m_dates + n_ages])
    plan["payer"] = np.sort(rest[m_dates + n_ages:m_dates + n_ages + n_payer])
    broken = LABS[int(rng.integers(0, 2))]
    share = rng.uniform(0.07, 0.15) if rng.random() < 0.5 else rng.uniform(0.015, 0.035)
    plan["broken_lab"] = broken
    plan["lab_missing"] = {
        broken: np.sort(rng.choice(n, size=round(share * n), replace=False)),
        next(c for c in LABS if c != broken): np.sort(
            rng.choice(n, size=max(1, round(rng.uniform(0.002, 0.008) * n)), replace=False)),
    }
    return plan


def extract_for(rows: int, seed: int):
    """The damaged extract of ``seed`` (a DataFrame of ``rows`` + the repeated block)."""
    import pandas as pd

    from bana_tools.data import generate_readmissions

    base = generate_readmissions(rows=rows, seed=seed)
    plan = _damage_plan(len(base), seed)
    df = base.copy()
    for lab, rows_missing in plan["lab_missing"].items():
        df[lab] = df[lab].astype(float)
        df.loc[df.index[rows_missing], lab] = float("nan")
    idx = df.index[plan["dates"]]
    early = pd.to_datetime(df.loc[idx, "admission_date"]) - pd.to_timedelta(plan["date_shift"], unit="D")
    df.loc[idx, "discharge_date"] = early.dt.strftime("%Y-%m-%d").to_numpy()
    df.loc[df.index[plan["ages"]], "age"] = 0
    df.loc[df.index[plan["payer"]], "payer"] = UNKNOWN_PAYER
    lo, hi = plan["dup_block"]
    return pd.concat([df, df.iloc[lo:hi]], ignore_index=True)


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The student's extract and the pipeline's tolerance for missing laboratory values."""
    return {
        "extract": extract_for(int(params["rows"]), seed),
        "max_missing_share": float(params["max_missing_share"]),
    }


def row_problems(df) -> Any:
    """A boolean Series: rows that break a row-level rule (dates, age, payer)."""
    import pandas as pd

    admit = pd.to_datetime(df["admission_date"], format="%Y-%m-%d")
    out = pd.to_datetime(df["discharge_date"], format="%Y-%m-%d")
    return (out < admit) | ~df["age"].between(18, 110) | ~df["payer"].isin(PAYERS)


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The quality profile of the student's extract, keyed by question id."""
    import pandas as pd

    frames = data(params, seed)
    df = frames["extract"]
    limit = frames["max_missing_share"]
    admit = pd.to_datetime(df["admission_date"], format="%Y-%m-%d")
    out = pd.to_datetime(df["discharge_date"], format="%Y-%m-%d")
    missing = df[list(LABS)].isna().mean()
    broken = str(missing.idxmax())
    breaks = {
        "encounter_unique": bool(df["encounter_id"].duplicated().any()),
        "labs_missing": bool((missing > limit).any()),
        "dates_order": bool((out < admit).any()),
        "age_range": bool((~df["age"].between(18, 110)).any()),
        "payer_known": bool((~df["payer"].isin(PAYERS)).any()),
    }
    once = df.drop_duplicates("encounter_id")
    return {
        "duplicate_rows": int(df["encounter_id"].duplicated().sum()),
        "discharge_before_admission": int((out < admit).sum()),
        "broken_lab": broken,
        "missing_share": float(missing[broken]),
        "repeat_patients": int((df.groupby("patient_id")["encounter_id"].nunique() >= 2).sum()),
        "failing_rules": [r for r in RULES if breaks[r]],
        "clean_rows": int((~row_problems(once)).sum()),
        "_rows": len(df),
    }


def distinct_choices(answers: dict[str, Any], *, exercise: Any, question: str, column: str,
                     n: int) -> Outcome:
    """The rows of a records answer use at least ``n`` different options of ``column``."""
    q = exercise.question(question)
    col = q.column(column)
    used = {str(r.get(column) or "") for r in answers.get(question) or []} - {""}
    name = col.label.lower()
    if len(used) >= n:
        return Outcome(1.0, f"{q.label}: {len(used)} different {name} values used.")
    if not used:
        return Outcome(0.0, f"{q.label}: no {name} chosen yet (use at least {n} different ones).")
    return Outcome(min(1.0, len(used) / n),
                   f"{q.label}: {len(used)} different {name} value(s); cover at least {n}.")


CHECKS = {"distinct_choices": distinct_choices}
