"""Scenario of ``ch06-tracking``: one student's table of tracked readmission runs.

Every student gets the runs of one readmission experiment as ``mlflow.search_runs`` would
return them (columns ``run_id``, ``status``, ``start_time``, ``tags.mlflow.runName``,
``params.*`` as strings, ``metrics.*``), newest first. The runs are simulated, not trained,
so that the table is ready in milliseconds; the scores sit where the chapter's hands-on page
puts them (validation PR AUC around 0.30-0.34, ROC AUC around 0.70-0.73), with
well-regularised logistic regressions a little ahead of deep boosted trees, and validation
and test scores that each carry their own sampling noise.

The data versions are real: the training, validation and test tables are a time split of
the student's own synthetic year (:func:`bana_tools.data.generate_readmissions`), named by
their content hash (:func:`bana_tools.ops.versioning.content_hash`), as section 6.4.2 does.
Three things make the table worth reading carefully, as in practice:

* one run is a re-run of a configuration on an earlier extract of the validation quarter
  (pulled before the quarter's stays were all in), so its ``params.data_valid`` differs
  from the agreed version; its validation score is the highest in the table and means
  nothing next to the others;
* one run failed and has no metrics;
* every finished run was also scored on the test quarter (which the chapter says not to do)
  and the best run by test score is never the best run by validation score.

The selection rule is the chapter's: among finished runs evaluated on the agreed validation
version, the highest ``metrics.val_pr_auc`` wins. ``CHECKS`` holds the check of the chosen run
id, which recognises the usual wrong picks (by test score, on the stale extract, a failed run).
"""

from __future__ import annotations

from typing import Any

from bana_tools.grading.results import Outcome

#: Candidate configurations: (kind, C, max_depth, learning_rate, features, true PR AUC offset).
CONFIGS: tuple[tuple[str, float | None, int | None, float | None, str, float], ...] = (
    ("logistic", 0.01, None, None, "all", -0.010),
    ("logistic", 0.1, None, None, "all", 0.000),
    ("logistic", 1.0, None, None, "all", 0.002),
    ("logistic", 10.0, None, None, "all", 0.001),
    ("logistic", 0.1, None, None, "no_labs", -0.012),
    ("logistic", 1.0, None, None, "no_labs", -0.011),
    ("logistic", 1.0, None, None, "lace_only", -0.055),
    ("boosting", None, 2, 0.1, "all", -0.004),
    ("boosting", None, 3, 0.05, "all", -0.006),
    ("boosting", None, 4, 0.1, "all", -0.018),
    ("boosting", None, 6, 0.2, "all", -0.034),
    ("boosting", None, 3, 0.1, "no_labs", -0.017),
)

SELECTION_METRIC = "metrics.val_pr_auc"


def _run_name(kind: str, c: float | None, depth: int | None, rate: float | None, features: str) -> str:
    name = f"logistic-C{c:g}" if kind == "logistic" else f"boosting-d{depth}-lr{rate:g}"
    return name if features == "all" else f"{name}-{features}"


def _versions(params: dict[str, Any], seed: int) -> dict[str, str]:
    """Content hashes of the student's train / valid / test tables and of the stale extract."""
    from bana_tools.data import generate_readmissions
    from bana_tools.ops.versioning import content_hash

    year = generate_readmissions(rows=int(params.get("rows", 2000)), seed=seed)
    admitted = year["admission_date"]
    train = year[admitted < "2023-07-01"]
    valid = year[(admitted >= "2023-07-01") & (admitted < "2023-10-01")]
    test = year[admitted >= "2023-10-01"]
    # the earlier extract: pulled mid-September, so the quarter's last stays are missing
    stale = valid[valid["admission_date"] < "2023-09-16"]
    return {"data_train": content_hash(train), "data_valid": content_hash(valid),
            "data_test": content_hash(test), "stale_valid": content_hash(stale)}


def build(params: dict[str, Any], seed: int) -> tuple[Any, dict[str, str]]:
    """The runs table and the agreed data versions: ``(runs, agreed)``."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng([seed, 6])
    versions = _versions(params, seed)
    agreed = {k: versions[k] for k in ("data_train", "data_valid", "data_test")}
    n_runs = int(rng.integers(int(params.get("min_runs", 7)), int(params.get("max_runs", 9)) + 1))
    picked = [CONFIGS[i] for i in rng.choice(len(CONFIGS), size=n_runs, replace=False)]
    base = 0.325 + rng.normal(0, 0.008)           # the student's quarter: its own base level
    quality = np.array([base + cfg[5] for cfg in picked])
    val = np.round(quality + rng.normal(0, 0.010, n_runs), 4)
    test = np.round(quality - 0.008 + rng.normal(0, 0.010, n_runs), 4)

    # a unique best on validation, and a different run best on test
    best = int(np.argmax(val))
    val[best] = round(max(val[best], np.sort(val)[-2] + 0.0015), 4)
    others = [i for i in range(n_runs) if i != best]
    if test[best] >= test[others].max():
        runner_up = max(others, key=lambda i: val[i])
        test[best], test[runner_up] = test[runner_up], test[best]
    top_test = others[int(np.argmax(test[others]))]
    test[top_test] = round(max(test[top_test], test[best] + 0.0015), 4)

    def roc(pr: np.ndarray) -> np.ndarray:
        return np.round(0.715 + 0.9 * (pr - 0.325) + rng.normal(0, 0.006, len(pr)), 4)

    rows = []
    for i, (kind, c, depth, rate, features, _) in enumerate(picked):
        rows.append({"status": "FINISHED", "kind": kind, "C": c, "max_depth": depth,
                     "learning_rate": rate, "features": features,
                     "data_valid": agreed["data_valid"], "val_pr_auc": val[i],
                     "test_pr_auc": test[i]})
    val_roc, test_roc = roc(val), roc(test)
    for i, row in enumerate(rows):
        row["val_roc_auc"], row["test_roc_auc"] = val_roc[i], test_roc[i]

    # the run on the earlier validation extract: the configuration of one of the three best
    # runs, re-run later on the agreed version; its validation score is the highest of all
    # (the truncated quarter is easier), and it is not comparable with the others
    strong = np.argsort(-quality, kind="stable")[:3]
    stale = dict(rows[int(rng.choice(strong))])
    stale.update(data_valid=versions["stale_valid"],
                 val_pr_auc=round(float(val.max()) + rng.uniform(0.008, 0.025), 4),
                 test_pr_auc=round(float(np.median(test)) + rng.normal(0, 0.004), 4))
    stale["val_roc_auc"] = round(float(val_roc.max()) + rng.uniform(0.004, 0.012), 4)
    stale["test_roc_auc"] = round(float(np.median(test_roc)), 4)
    # a run that failed before it logged any metric (a misspelt parameter)
    failed = {"status": "FAILED", "kind": "logistic", "C": None, "max_depth": None,
              "learning_rate": None, "features": "all", "data_valid": agreed["data_valid"],
              "val_pr_auc": np.nan, "val_roc_auc": np.nan, "test_pr_auc": np.nan,
              "test_roc_auc": np.nan}

    # the stale run is among the first ones; the rest in a random order; newest first
    middle = [rows[i] for i in rng.permutation(n_runs)]
    cut = int(rng.integers(1, n_runs))
    ordered = [stale] + middle[:cut] + [failed] + middle[cut:]
    start = pd.Timestamp("2024-01-15 09:00") + pd.Timedelta(days=int(rng.integers(0, 30)))
    gaps = np.cumsum(rng.integers(25, 240, len(ordered)))
    records = []
    for row, minutes in zip(ordered, gaps, strict=True):
        name = "logistic-typo" if row["status"] == "FAILED" else _run_name(
            row["kind"], row["C"], row["max_depth"], row["learning_rate"], row["features"])
        records.append({
            "run_id": rng.bytes(16).hex(),
            "status": row["status"],
            "start_time": (start + pd.Timedelta(minutes=int(minutes))).strftime("%Y-%m-%d %H:%M"),
            "tags.mlflow.runName": name,
            "params.kind": row["kind"],
            "params.C": None if row["C"] is None else f"{row['C']:g}",
            "params.max_depth": None if row["max_depth"] is None else str(row["max_depth"]),
            "params.learning_rate": None if row["learning_rate"] is None else f"{row['learning_rate']:g}",
            "params.features": row["features"],
            "params.data_train": agreed["data_train"],
            "params.data_valid": row["data_valid"],
            "params.data_test": agreed["data_test"],
            "metrics.val_pr_auc": row["val_pr_auc"],
            "metrics.val_roc_auc": row["val_roc_auc"],
            "metrics.test_pr_auc": row["test_pr_auc"],
            "metrics.test_roc_auc": row["test_roc_auc"],
        })
    runs = pd.DataFrame(records).iloc[::-1].reset_index(drop=True)   # newest first
    return runs, agreed


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The runs (``runs``), the agreed data versions (``agreed``) and the selection metric."""
    runs, agreed = build(params, seed)
    return {"runs": runs, "agreed": agreed, "selection_metric": SELECTION_METRIC}


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The run the selection rule picks, its validation and test score, and the comparable runs."""
    runs, agreed = build(params, seed)
    comparable = runs[(runs["status"] == "FINISHED") & (runs["params.data_valid"] == agreed["data_valid"])]
    chosen = comparable.loc[comparable[SELECTION_METRIC].idxmax()]
    by_test = comparable.loc[comparable["metrics.test_pr_auc"].idxmax()]
    finished = runs[runs["status"] == "FINISHED"]
    return {
        "chosen_run": chosen["run_id"],
        "chosen_val_score": float(chosen[SELECTION_METRIC]),
        "chosen_test_score": float(chosen["metrics.test_pr_auc"]),
        "n_comparable": len(comparable),
        "_best_by_test": by_test["run_id"],
        "_best_val_any_data": finished.loc[finished[SELECTION_METRIC].idxmax(), "run_id"],
        "_failed": runs.loc[runs["status"] == "FAILED", "run_id"].tolist(),
        "_scores": {r.run_id: (r[SELECTION_METRIC], r["metrics.test_pr_auc"])
                    for _, r in runs.iterrows()},
    }


# --- the chosen run -----------------------------------------------------------------------

def resolve_run(text: Any, run_ids: list[str]) -> str | None:
    """The run id ``text`` names: the whole id, or a prefix of 8+ characters that only one
    run has (case and surrounding spaces ignored); ``None`` if it names none or several."""
    given = "".join(str(text or "").split()).lower()
    if len(given) < 8:
        return None
    if given in run_ids:
        return given
    hits = [r for r in run_ids if r.startswith(given)]
    return hits[0] if len(hits) == 1 else None


def chosen_run_check(answers: dict[str, Any], *, exercise: Any, question: str) -> Outcome:
    """The run id given is the one the selection rule picks; common wrong picks get a hint
    about the rule (never the right id)."""
    from bana_tools.scenarios import expected_for

    label = exercise.question(question).label
    text = answers.get(question)
    if not str(text or "").strip():
        return Outcome(0.0, f"{label}: not entered yet.")
    values = expected_for(exercise, answers)
    if values is None:
        return Outcome(0.0, f"{label}: enter your student id in the form first: your runs, and "
                            "so the expected run, depend on it.")
    run = resolve_run(text, list(values["_scores"]))
    if run is None:
        return Outcome(0.0, f"{label}: no run in your table has this id; copy it from the "
                            "run_id column (the first 8 characters are enough).")
    if run == values[question]:
        return Outcome(1.0, f"{label}: the run your selection rule picks.")
    if run in values["_failed"]:
        return Outcome(0.0, f"{label}: this run failed and logged no metrics.")
    if run == values["_best_val_any_data"]:
        return Outcome(0.0, f"{label}: this run was validated on a different version of the "
                            "validation table than the agreed one, so its score cannot be "
                            "compared with the others.")
    if run == values["_best_by_test"]:
        return Outcome(0.0, f"{label}: this run has the best test score, but runs are chosen "
                            "on validation scores; the test set only reports the chosen one.")
    return Outcome(0.0, f"{label}: not the run your selection rule picks; filter the runs and "
                        "sort them by the selection metric again.")


CHECKS = {"ch06_chosen_run": chosen_run_check}
