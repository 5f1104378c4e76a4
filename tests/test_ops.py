"""Unit tests for bana_tools.ops: validation, versioning, scoring, roll-outs, drift and
subgroup metrics (MLflow tracking and registry: tests/test_book_mlflow.py). Small data, no
network, a few seconds in all."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from bana_tools.data.readmissions import generate_readmissions
from bana_tools.ops.drift import alerts, drift_report, ks_test, psi
from bana_tools.ops.fairness import age_band, gaps, subgroup_report
from bana_tools.ops.modeling import build_model, split_xy
from bana_tools.ops.rollout import (
    Outputs,
    RollbackRule,
    arm_stats,
    route,
    simulate_blue_green,
    simulate_canary,
    simulate_shadow,
)
from bana_tools.ops.scoring import InvalidRequest, ScoringService
from bana_tools.ops.validation import (
    READMISSION_SCHEMA,
    failure_cases,
    invalid_rows,
    quarantine,
    validate_frame,
)
from bana_tools.ops.versioning import DatasetStore, content_hash


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return generate_readmissions(rows=1500, seed=3)


@pytest.fixture(scope="module")
def model(data):
    return build_model(kind="logistic", C=0.1).fit(*split_xy(data))


def test_importing_ops_pulls_in_no_heavy_library():
    code = ("import sys, bana_tools.ops; "
            "print(sorted(m for m in ('pandas', 'sklearn', 'matplotlib', 'scipy', 'fairlearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- validation


def test_generated_data_passes_the_readmission_schema(data):
    report = validate_frame(data, READMISSION_SCHEMA)
    assert report.ok, report.summary()
    assert "all checks passed" in report.summary()
    assert not data["patient_id"].is_unique  # repeat patients are fine: the key is the encounter


def test_validation_reports_each_broken_check_with_counts(data):
    bad = data.head(200).copy()
    bad.loc[bad.index[:3], "age"] = 0
    bad.loc[bad.index[5:9], "payer"] = "unknown"
    bad.loc[bad.index[10:40], "sodium"] = np.nan
    bad.loc[bad.index[50], "discharge_date"] = "2022-01-01"
    bad = pd.concat([bad, bad.iloc[100:102]], ignore_index=True)
    bad = bad.drop(columns="sex")
    found = {(i.column, i.check.split("(")[0]): i.failed_rows for i in validate_frame(bad).issues}
    assert found == {("encounter_id", "field_uniqueness"): 2, ("age", "in_range"): 3,
                     ("sex", "column_in_dataframe"): 202, ("payer", "isin"): 4,
                     ("sodium", "max_missing_share"): 30, ("(row)", "discharge_not_before_admission"): 1}
    # quarantine: row-level failures only (duplicates and the missing share describe the batch)
    assert int(invalid_rows(bad).sum()) == 3 + 4 + 1
    clean, held = quarantine(bad)
    assert len(clean) + len(held) == len(bad) and set(held.index) == {0, 1, 2, 5, 6, 7, 8, 50}


def test_a_mistyped_column_is_a_batch_failure(data):
    bad = data.head(50).assign(age="x")
    issues = validate_frame(bad).issues
    assert [(i.column, i.check) for i in issues] == [("age", "dtype('int64')")]
    assert not invalid_rows(bad).any()


def test_a_few_missing_labs_pass_and_failure_cases_are_a_frame(data):
    few = data.head(200).copy()
    few.loc[few.index[:5], "hemoglobin"] = np.nan  # 2.5%, under the 5% allowed
    assert validate_frame(few).ok and failure_cases(few).empty
    cases = failure_cases(few.assign(sex="X"))
    assert list(cases.columns) == ["column", "check", "failure_case", "index"] and len(cases) == 200


# ----------------------------------------------------------------------------- versioning


def test_content_hash_is_stable_and_sensitive(data):
    assert content_hash(data) == content_hash(data.copy())
    edited = data.copy()
    edited.loc[0, "age"] += 1
    assert content_hash(edited) != content_hash(data)


def test_dataset_store_round_trip_and_lineage(tmp_path, data):
    store = DatasetStore(tmp_path)
    raw = store.save(data, "raw", step="extract")
    assert store.save(data, "raw", step="extract") == raw  # idempotent
    train = store.save(data.head(1000), "train", step="split", parents=[raw.id])
    assert [v.id for v in store.lineage(train.id)] == [train.id, raw.id]
    back = store.load(train.id)
    assert content_hash(back) == train.id
    assert len(store.versions()) == 2
    with pytest.raises(KeyError):
        store.save(data, "x", step="s", parents=["nope"])
    (tmp_path / "data" / f"{train.id}.csv").write_text("patient_id\nX\n")
    with pytest.raises(ValueError, match="modified"):
        store.load(train.id)


# ----------------------------------------------------------------------------- scoring


def test_scoring_service_validates_and_scores(data, model):
    service = ScoringService(model, version="v1", threshold=0.2)
    request = data.drop(columns="readmitted_30d").iloc[0].to_dict()
    response = service.score(request)
    expected = model.predict_proba(split_xy(data.head(1))[0])[0, 1]
    assert response.risk == pytest.approx(expected, abs=1e-4)
    assert response.flag == (expected >= 0.2) and response.model_version == "v1"
    with pytest.raises(InvalidRequest, match="payer"):
        service.score({**request, "payer": "nobody"})
    with pytest.raises(InvalidRequest, match="age"):
        service.score({k: v for k, v in request.items() if k != "age"})
    with pytest.raises(ValueError):
        ScoringService(model, version="v1", threshold=1.5)


# ----------------------------------------------------------------------------- roll-outs


def _outputs(score, latency=10.0, error=False, n=2000):
    return Outputs(score=np.full(n, score, dtype=float) if np.isscalar(score) else np.asarray(score),
                   latency_ms=np.full(n, latency), error=np.full(n, error))


def test_routing_is_deterministic_nested_and_close_to_the_share():
    ids = [f"P{i}" for i in range(5000)]
    small, large = route(ids, 0.1), route(ids, 0.3)
    assert np.array_equal(small, route(ids, 0.1))
    assert np.all(large[small])  # a larger share contains the smaller one
    assert 0.08 < small.mean() < 0.12
    with pytest.raises(ValueError):
        route(ids, 1.5)


def test_rollback_rule_on_known_cases():
    rule = RollbackRule(max_error_rate=0.01, max_p95_ms=100, max_flag_rate_change=0.05, min_requests=30, noise_z=0)
    cur = {"n": 500, "flag_rate": 0.20, "error_rate": 0.0, "p95_ms": 20.0}
    ok = {"n": 500, "flag_rate": 0.22, "error_rate": 0.0, "p95_ms": 30.0}
    assert not rule.check(cur, ok).rollback
    assert rule.check(cur, {**ok, "flag_rate": 0.30}).rollback
    assert rule.check(cur, {**ok, "p95_ms": 150.0}).reason.startswith("p95 latency")
    assert rule.check(cur, {**ok, "error_rate": 0.02}).reason.startswith("error rate")
    assert not rule.check(cur, {**ok, "n": 10, "error_rate": 0.5}).rollback  # too few requests yet
    noisy = RollbackRule(max_flag_rate_change=0.05, min_requests=30, noise_z=2.0)
    small = {"n": 40, "flag_rate": 0.30, "error_rate": 0.0, "p95_ms": 20.0}
    assert not noisy.check(cur, small).rollback  # within the noise allowance of 40 requests
    assert rule.check(cur, small).rollback


def test_canary_rolls_back_a_bad_candidate_and_completes_a_good_one():
    rng = np.random.default_rng(0)
    ids = [f"P{i}" for i in range(2000)]
    base = rng.random(2000) * 0.4
    current, good, bad = _outputs(base), _outputs(base + 0.001), _outputs(base + 0.5)
    rule = RollbackRule(min_requests=10)
    done = simulate_canary(ids, current, good, threshold=0.2, rule=rule)
    assert list(done["share"]) == [0.05, 0.25, 0.5, 1.0]
    assert not done["decision"].str.startswith("ROLLBACK").any()
    stopped = simulate_canary(ids, current, bad, threshold=0.2, rule=rule)
    assert stopped["decision"].iloc[0].startswith("ROLLBACK: flag rate moved")
    assert "points" in stopped["decision"].iloc[0]   # percentage points, not a relative change
    assert list(stopped["share"]) == [0.05, 0.0, 0.0, 0.0]
    assert stopped["to_candidate"].iloc[1:].sum() == 0


def test_blue_green_flips_back_on_latency_and_shadow_serves_nothing():
    blue, green = _outputs(0.1), _outputs(0.1, latency=400.0)
    table = simulate_blue_green(blue, green, threshold=0.2, rule=RollbackRule(), switch_at=1000, window=200)
    assert table["served_by"].tolist() == ["blue", "green", "blue"]
    assert table["decision"].iloc[1].startswith("ROLLBACK: p95")
    shadow = simulate_shadow(blue, _outputs(0.3), threshold=0.2)
    assert shadow["served_by_candidate"] == 0 and shadow["flag_agreement"] == 0.0
    stats = arm_stats(blue, np.zeros(2000, dtype=bool), 0.2)
    assert stats["n"] == 0 and np.isnan(stats["flag_rate"])


# ----------------------------------------------------------------------------- drift


def test_psi_on_known_cases():
    rng = np.random.default_rng(1)
    ref = rng.normal(0, 1, 20_000)
    assert psi(ref, rng.normal(0, 1, 20_000)) < 0.01
    assert psi(ref, rng.normal(1, 1, 20_000)) > 0.25
    # categorical, computed by hand: shares (0.5, 0.5) -> (0.8, 0.2)
    expected = (0.8 - 0.5) * np.log(0.8 / 0.5) + (0.2 - 0.5) * np.log(0.2 / 0.5)
    assert psi(["a"] * 50 + ["b"] * 50, ["a"] * 80 + ["b"] * 20) == pytest.approx(expected)
    with pytest.raises(ValueError):
        psi([], [1, 2])


def test_ks_on_known_cases():
    stat, p = ks_test([1, 2, 3, 4], [1, 2, 3, 4])
    assert stat == 0.0 and p == 1.0
    stat, p = ks_test(np.arange(100), np.arange(100) + 1000)
    assert stat == 1.0 and p < 1e-10


def test_drift_report_flags_shifted_data_and_alerts_name_the_column(data):
    shifted = generate_readmissions(rows=1500, seed=4, shift="covariate", shift_strength=3.0)
    same = generate_readmissions(rows=1500, seed=5)
    cols = ["age", "charlson", "payer", "sex"]
    stable = drift_report(data, same, cols)
    moved = drift_report(data, shifted, cols).set_index("column")
    assert (stable["status"] == "ok").all()
    assert moved.loc["age", "status"] == "alert" and moved.loc["sex", "status"] == "ok"
    messages = alerts(moved.reset_index(), batch="week 9")
    assert messages[0].startswith("[ALERT] week 9: age drifted")
    assert not any("sex" in m for m in messages)


# ----------------------------------------------------------------------------- fairness


def test_subgroup_report_matches_hand_counts():
    y_true = np.array([1, 1, 0, 0, 1, 0, 1, 1])
    y_pred = np.array([1, 0, 0, 1, 1, 1, 1, 1])
    group = pd.Series(list("AAAABBBB"), name="g")
    frame = subgroup_report(y_true, y_pred, group)
    by = frame.by_group
    assert by.loc["A", "recall"] == 0.5 and by.loc["B", "recall"] == 1.0
    assert by.loc["A", "flag_rate"] == 0.5 and by.loc["B", "flag_rate"] == 1.0
    assert by.loc["A", "n"] == 4 and by.loc["B", "base_rate"] == 0.75
    assert gaps(frame)["recall"] == pytest.approx(0.5)
    assert "n" not in gaps(frame).index


def test_age_bands():
    assert age_band(pd.Series([18, 44, 45, 64, 65, 79, 80, 100])).tolist() == [
        "18-44", "18-44", "45-64", "45-64", "65-79", "65-79", "80+", "80+"]
