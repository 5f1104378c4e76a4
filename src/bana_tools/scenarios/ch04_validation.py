"""Scenario of ``ch04-validation``: one student's delivery of the EHR extract, with defects.

Every student gets their own batch: three weeks of stays cut from a synthetic year
(:func:`bana_tools.data.generate_readmissions`, seeded by the student's id), without the
label (it is a scoring batch), into which this module writes defects chosen from the same
seed:

* three or four kinds of *row-level* defect (an impossible age, an unknown payer code, a
  discharge before its admission, a date in the wrong format, a haemoglobin value in the
  wrong unit, ...), each in one to three rows;
* one to three kinds of *batch-level* defect: encounters delivered twice, or too many
  missing sodium or haemoglobin results (more than the schema's 5%);
* a few missing laboratory values that stay under the 5% limit, which are allowed and
  must not be held back.

``solve`` runs the chapter's own code on the batch (:func:`bana_tools.ops.validation.
readmission_schema`, :func:`~bana_tools.ops.validation.quarantine` and
:func:`~bana_tools.ops.validation.validate_frame`), so the expected answers are what the
hands-on page's pipeline would do with this delivery. :func:`build` also returns what was
injected, for tests that check the pandera result against the defects independently.

``CHECKS`` holds two structural checks of the exercise's rules table.
"""

from __future__ import annotations

from typing import Any

from bana_tools.grading.results import Outcome

#: Row-level defects the scenario can inject: name -> (column, description).
ROW_DEFECTS: dict[str, tuple[str, str]] = {
    "age": ("age", "an impossible age"),
    "sex": ("sex", "a sex code outside F/M"),
    "payer": ("payer", "an unknown payer code"),
    "condition": ("condition", "an unknown condition group"),
    "disposition": ("discharge_disposition", "an unknown discharge disposition"),
    "length_of_stay": ("length_of_stay", "a length of stay outside 1-365 days"),
    "order": ("discharge_date", "a discharge dated before its admission"),
    "date_format": ("discharge_date", "a discharge date not in YYYY-MM-DD form"),
    "hemoglobin": ("hemoglobin", "a haemoglobin value in g/L instead of g/dL"),
    "sodium": ("sodium", "a sodium value ten times too large"),
}

#: Batch-level issues as (column, pandera check) -> option value of the ``batch_issues`` question.
BATCH_OPTIONS: dict[tuple[str, str], str] = {
    ("encounter_id", "field_uniqueness"): "duplicate_encounters",
    ("sodium", "max_missing_share"): "sodium_missing",
    ("hemoglobin", "max_missing_share"): "hemoglobin_missing",
}

_BAD_VALUES: dict[str, tuple[Any, ...]] = {
    "age": (0, 4, 7, 131, 207),
    "sex": ("U", "X", "f"),
    "payer": ("medicare_advantage", "tricare", "unknown"),
    "condition": ("sepsis", "stroke", "HF"),
    "disposition": ("hospice", "transfer", "unknown"),
    "length_of_stay": (-3, -1, 0, 412),
}


def build(params: dict[str, Any], seed: int) -> tuple[Any, dict[str, Any]]:
    """The batch and what was injected into it: ``(batch, truth)``.

    ``truth`` holds ``defect_ids`` (encounter ids with a row-level defect, by kind),
    ``duplicated`` (encounter ids delivered twice) and ``missing`` (lab -> number of rows
    made missing, and whether it breaks the limit).
    """
    import numpy as np
    import pandas as pd

    from bana_tools.data import generate_readmissions

    rng = np.random.default_rng([seed, 4])
    year = generate_readmissions(rows=int(params.get("year_rows", 5000)), seed=seed)
    days = int(params.get("days", 21))
    first = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(20, 365 - days - 40)))
    admitted = pd.to_datetime(year["admission_date"])
    window = (admitted >= first) & (admitted < first + pd.Timedelta(days=days))
    batch = year.loc[window].drop(columns="readmitted_30d").reset_index(drop=True)
    n = len(batch)

    free = list(rng.permutation(n))          # rows not touched yet, in a random order

    def take(k: int) -> list[int]:
        return sorted(int(free.pop()) for _ in range(k))

    # row-level defects
    kinds = [str(k) for k in rng.choice(list(ROW_DEFECTS), size=int(rng.integers(3, 5)), replace=False)]
    defect_ids: dict[str, list[str]] = {}
    for kind in kinds:
        rows = take(int(rng.integers(1, 4)))
        column = ROW_DEFECTS[kind][0]
        for r in rows:
            if kind in _BAD_VALUES:
                values = _BAD_VALUES[kind]
                batch.loc[r, column] = values[int(rng.integers(len(values)))]
            elif kind == "order":
                admit = pd.Timestamp(batch.loc[r, "admission_date"])
                batch.loc[r, "discharge_date"] = (admit - pd.Timedelta(days=int(rng.integers(1, 6)))).strftime("%Y-%m-%d")
            elif kind == "date_format":
                batch.loc[r, "discharge_date"] = pd.Timestamp(batch.loc[r, "discharge_date"]).strftime("%d/%m/%Y")
            elif kind == "hemoglobin":
                batch.loc[r, "hemoglobin"] = max(round(float(batch.loc[r, "hemoglobin"]) * 10, 1), 30.0)
            elif kind == "sodium":
                batch.loc[r, "sodium"] = int(batch.loc[r, "sodium"]) * 10
        defect_ids[kind] = batch.loc[rows, "encounter_id"].tolist()

    # batch-level defects: at least one of the three
    broken = {name: bool(rng.random() < 0.5) for name in ("duplicates", "sodium", "hemoglobin")}
    if not any(broken.values()):
        broken[str(rng.choice(list(broken)))] = True

    missing: dict[str, dict[str, Any]] = {}
    for lab in ("sodium", "hemoglobin"):
        share = rng.uniform(0.07, 0.14) if broken[lab] else rng.uniform(0.0, 0.03)
        rows = take(int(np.ceil(share * n)) if broken[lab] else int(share * n))
        batch[lab] = batch[lab].astype(float)
        batch.loc[rows, lab] = np.nan
        missing[lab] = {"rows": len(rows), "over_limit": broken[lab]}

    duplicated: list[str] = []
    if broken["duplicates"]:
        rows = take(int(rng.integers(2, 6)))
        duplicated = batch.loc[rows, "encounter_id"].tolist()
        copies = batch.loc[rows]
        # each copy is delivered right after its original
        order = np.concatenate([np.arange(n, dtype=float), np.array(rows, dtype=float) + 0.5])
        batch = pd.concat([batch, copies], ignore_index=True)
        batch = batch.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)

    truth = {"defect_ids": defect_ids, "duplicated": duplicated, "missing": missing,
             "batch_broken": broken}
    return batch, truth


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The student's batch (``batch``) and the schema's limit on missing lab values."""
    batch, _ = build(params, seed)
    return {"batch": batch, "max_missing_labs": 0.05}


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """What the chapter's pipeline does with the batch: ids held back, counts, batch issues."""
    from bana_tools.ops.validation import (
        BATCH_CHECKS,
        quarantine,
        readmission_schema,
        validate_frame,
    )

    batch, _ = build(params, seed)
    schema = readmission_schema()
    scorable, held_back = quarantine(batch, schema)
    report = validate_frame(batch, schema)
    batch_issues = sorted({BATCH_OPTIONS[(i.column, i.check)] for i in report.issues
                           if i.check in BATCH_CHECKS})
    return {
        "quarantined_ids": sorted(held_back["encounter_id"].tolist()),
        "n_quarantined": len(held_back),
        "n_kept": len(scorable),
        "batch_issues": batch_issues,
        "_rows": len(batch),
    }


# --- checks of the rules table (structure only: the content is graded by hand) ----------------

#: Rules that need a number, and rules that need a detail (values, format, other column).
NUMERIC_RULES = frozenset({"minimum", "maximum", "max_missing"})
DETAIL_RULES = frozenset({"allowed", "format", "cross_column"})


def _filled(value: Any) -> bool:
    return bool(str(value or "").strip())


def _rows(answers: dict[str, Any], question: str) -> list[dict[str, str]]:
    return [r for r in answers.get(question) or [] if any(_filled(v) for v in r.values())]


def rules_cover_columns(answers: dict[str, Any], *, exercise: Any, question: str, n: int) -> Outcome:
    """Complete rows (column, rule and what it catches) name at least ``n`` different columns."""
    q = exercise.question(question)
    required = [c.id for c in q.columns if c.required]
    columns = {r["column"] for r in _rows(answers, question) if all(_filled(r.get(c)) for c in required)}
    if len(columns) >= n:
        return Outcome(1.0, f"{q.label}: complete rules for {len(columns)} different columns.")
    return Outcome(len(columns) / n, f"{q.label}: complete rules for {len(columns)} different "
                                     f"column(s); cover at least {n}.")


def rules_have_details(answers: dict[str, Any], *, exercise: Any, question: str) -> Outcome:
    """Numeric rules have a number (a percentage 0-100 for the missing share); value, format and
    cross-column rules say what they allow."""
    from bana_tools.grading.checks import first_number

    q = exercise.question(question)
    rows = [r for r in _rows(answers, question) if r.get("rule")]
    if not rows:
        return Outcome(0.0, f"{q.label}: no rules yet.")
    problems = []
    for index, row in enumerate(rows, start=1):
        rule = row["rule"]
        number = first_number(row.get("threshold"))
        if rule in NUMERIC_RULES and number is None:
            problems.append(f"rule {index} needs a number in the threshold column")
        elif rule == "max_missing" and not 0 <= number <= 100:
            problems.append(f"rule {index}: the missing share is a percentage between 0 and 100")
        elif rule in DETAIL_RULES and not _filled(row.get("detail")):
            problems.append(f"rule {index} needs the allowed values, format or other column in "
                            "the detail column")
    if not problems:
        return Outcome(1.0, f"{q.label}: every rule has the threshold or detail it needs.")
    return Outcome((len(rows) - len(problems)) / len(rows), f"{q.label}: " + "; ".join(problems[:5]) + ".")


CHECKS = {"ch04_rules_cover_columns": rules_cover_columns,
          "ch04_rules_have_details": rules_have_details}
