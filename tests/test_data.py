"""Synthetic readmission data: determinism, calibration bands, shift, baselines, request log."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from bana_tools.baselines import FEATURES, lace_score, logistic_pipeline
from bana_tools.data import SAMPLE_ROWS, SAMPLE_SEED, load_sample, sample_path
from bana_tools.data.card import CITATIONS, data_card
from bana_tools.data.pilot import pilot_predictions
from bana_tools.data.readmissions import (
    COLUMNS,
    CONDITIONS,
    DISPOSITIONS,
    PAYERS,
    generate_readmissions,
)
from bana_tools.data.requests import TIMEOUT_MS, VERSIONS, request_log

REPO = Path(__file__).resolve().parents[1]
SEEDS = (11, 12, 13)
ROWS = 40_000


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n").encode()


@pytest.fixture(scope="module", params=SEEDS)
def cohort(request: pytest.FixtureRequest) -> pd.DataFrame:
    return generate_readmissions(ROWS, request.param)


# ------------------------------------------------------------------ determinism


def test_same_seed_gives_same_bytes() -> None:
    assert csv_bytes(generate_readmissions(3000, 5)) == csv_bytes(generate_readmissions(3000, 5))


def test_different_seed_gives_different_rows() -> None:
    assert csv_bytes(generate_readmissions(3000, 5)) != csv_bytes(generate_readmissions(3000, 6))


def test_committed_sample_is_the_documented_generation() -> None:
    assert sample_path().is_file()
    expected = csv_bytes(generate_readmissions(SAMPLE_ROWS, SAMPLE_SEED))
    assert sample_path().read_bytes() == expected
    sample = load_sample()
    assert list(sample.columns) == list(COLUMNS) and len(sample) == SAMPLE_ROWS


def test_zero_rows_gives_an_empty_table_with_all_columns() -> None:
    df = generate_readmissions(0, 1)
    assert df.empty and list(df.columns) == list(COLUMNS)


# ------------------------------------------------------------------ patients and encounters


def test_repeat_stays_are_coherent_readmissions() -> None:
    df = generate_readmissions(20_000, 5)
    dates = df.assign(admit=pd.to_datetime(df["admission_date"]), out=pd.to_datetime(df["discharge_date"]))
    stays = dates.sort_values(["patient_id", "admit"], kind="stable")
    nxt = stays.groupby("patient_id").shift(-1)
    has_next = nxt["admit"].notna()
    assert has_next.sum() > 500  # a readmitted patient's second stay shows in the extract
    gap = (nxt.loc[has_next, "admit"] - stays.loc[has_next, "out"]).dt.days
    assert gap.between(0, 30).all()
    assert (stays.loc[has_next, "readmitted_30d"] == 1).all()
    assert (nxt.loc[has_next, "sex"] == stays.loc[has_next, "sex"]).all()
    assert (nxt.loc[has_next, "age"] - stays.loc[has_next, "age"]).isin([0, 1]).all()
    assert (nxt.loc[has_next, "prior_admissions_12m"] >= 1).all()
    # patients are numbered in order of their first stay
    first = df.drop_duplicates("patient_id")["patient_id"].str[1:].astype(int)
    assert first.tolist() == list(range(1, len(first) + 1))


def test_encounter_ids_follow_the_patient_prefix() -> None:
    df = generate_readmissions(50, 1, id_prefix="Q")
    assert df["encounter_id"].iloc[0] == "QE0000001" and df["patient_id"].str.startswith("Q").all()
    own = generate_readmissions(50, 1, id_prefix="Q", encounter_prefix="V")
    assert own["encounter_id"].iloc[-1] == "V0000050"


# ------------------------------------------------------------------ shape and ranges


def test_columns_types_and_ranges() -> None:
    df = generate_readmissions(20_000, 3)
    assert list(df.columns) == list(COLUMNS)
    assert df["encounter_id"].is_unique and df["encounter_id"].iloc[0] == "E0000001"
    assert df["patient_id"].iloc[0] == "P0000001" and not df["patient_id"].is_unique
    assert set(df["payer"]) == set(PAYERS)
    assert set(df["condition"]) == set(CONDITIONS)
    assert set(df["discharge_disposition"]) == set(DISPOSITIONS)
    assert set(df["sex"]) == {"F", "M"}
    for col in ("emergent", "followup_scheduled", "readmitted_30d"):
        assert set(df[col].unique()) == {0, 1}, col
    assert df["age"].between(18, 100).all()
    assert df["length_of_stay"].between(1, 60).all()
    assert (df["charlson"] >= 0).all() and (df["ed_visits_6m"] >= 0).all()
    assert df["hemoglobin"].between(6, 18.5).all() and df["sodium"].between(118, 156).all()
    admit = pd.to_datetime(df["admission_date"])
    discharge = pd.to_datetime(df["discharge_date"])
    assert admit.is_monotonic_increasing
    assert ((discharge - admit).dt.days == df["length_of_stay"]).all()
    assert admit.min() >= pd.Timestamp("2023-01-01") and admit.max() <= pd.Timestamp("2023-12-31")
    medicare = df[df["payer"] == "medicare"]
    assert (medicare["age"] >= 65).mean() > 0.85
    assert df.loc[df["condition"] == "hip_knee", "emergent"].mean() < 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": -1}, "rows must be zero or more"),
        ({"rows": 10, "shift": "seasonal"}, "unknown shift"),
        ({"rows": 10, "shift": "concept", "shift_strength": 3.5}, "shift_strength"),
        ({"rows": 10, "days": 0}, "days must be 1 or more"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_readmissions(**kwargs)


def test_rows_must_be_an_integer() -> None:
    with pytest.raises(TypeError):
        generate_readmissions(10.5)  # type: ignore[arg-type]


# ------------------------------------------------------------------ calibration bands


def test_all_payer_readmission_rate_is_near_14_percent(cohort: pd.DataFrame) -> None:
    assert 0.13 <= cohort["readmitted_30d"].mean() <= 0.15


def test_medicare_rate_is_near_17_percent_and_ordered_by_payer(cohort: pd.DataFrame) -> None:
    rate = cohort.groupby("payer")["readmitted_30d"].mean()
    assert 0.155 <= rate["medicare"] <= 0.19
    assert rate["medicare"] > rate["medicaid"] > rate["self_pay"] > rate["private"]


def test_condition_rates_follow_the_published_order(cohort: pd.DataFrame) -> None:
    rate = cohort.groupby("condition")["readmitted_30d"].mean()
    assert rate["heart_failure"] > rate["other"] > rate["hip_knee"]
    assert rate["hip_knee"] < 0.07


def test_risk_rises_with_each_lace_component(cohort: pd.DataFrame) -> None:
    y = cohort["readmitted_30d"]
    assert y[cohort["emergent"] == 1].mean() > y[cohort["emergent"] == 0].mean()
    for col in ("length_of_stay", "charlson", "ed_visits_6m"):
        low = y[cohort[col] <= cohort[col].median()].mean()
        high = y[cohort[col] > cohort[col].median()].mean()
        assert high > low, col


def test_lace_auc_is_between_065_and_070(cohort: pd.DataFrame) -> None:
    auc = roc_auc_score(cohort["readmitted_30d"], lace_score(cohort))
    assert 0.65 <= auc <= 0.70


def test_logistic_auc_is_between_070_and_076(cohort: pd.DataFrame) -> None:
    train, test = cohort.iloc[: ROWS // 2], cohort.iloc[ROWS // 2:]
    model = logistic_pipeline().fit(train[list(FEATURES)], train["readmitted_30d"])
    auc = roc_auc_score(test["readmitted_30d"], model.predict_proba(test[list(FEATURES)])[:, 1])
    assert 0.70 <= auc <= 0.76
    assert auc > roc_auc_score(test["readmitted_30d"], lace_score(test))


# ------------------------------------------------------------------ shift


def test_strength_zero_is_no_shift() -> None:
    base = csv_bytes(generate_readmissions(2000, 4))
    for shift in ("covariate", "concept", "both"):
        assert csv_bytes(generate_readmissions(2000, 4, shift=shift, shift_strength=0)) == base


def test_covariate_shift_moves_the_population_and_raises_the_rate() -> None:
    base = generate_readmissions(ROWS, 21)
    moved = generate_readmissions(ROWS, 21, shift="covariate")
    assert moved["age"].mean() > base["age"].mean() + 2
    assert (moved["payer"] == "medicare").mean() > (base["payer"] == "medicare").mean() + 0.08
    assert moved["charlson"].mean() > base["charlson"].mean()
    assert moved["readmitted_30d"].mean() > base["readmitted_30d"].mean() + 0.02
    stronger = generate_readmissions(ROWS, 21, shift="covariate", shift_strength=2)
    assert stronger["age"].mean() > moved["age"].mean()


def test_concept_shift_keeps_the_population_and_changes_the_outcome() -> None:
    base = generate_readmissions(ROWS, 22)
    moved = generate_readmissions(ROWS, 22, shift="concept")
    # patient_id follows the outcomes (a readmitted patient's next stay carries it), so it moves too
    features = [c for c in COLUMNS if c not in ("readmitted_30d", "patient_id")]
    pd.testing.assert_frame_equal(base[features], moved[features])
    assert moved["readmitted_30d"].mean() < base["readmitted_30d"].mean() - 0.02
    followed = moved["followup_scheduled"] == 1
    gap_base = base.loc[~followed, "readmitted_30d"].mean() - base.loc[followed, "readmitted_30d"].mean()
    gap_moved = moved.loc[~followed, "readmitted_30d"].mean() - moved.loc[followed, "readmitted_30d"].mean()
    assert gap_moved > gap_base


def test_both_shift_combines_population_and_outcome_changes() -> None:
    base = generate_readmissions(10_000, 23)
    both = generate_readmissions(10_000, 23, shift="both")
    assert both["age"].mean() > base["age"].mean()
    assert not both["readmitted_30d"].equals(generate_readmissions(10_000, 23, shift="covariate")["readmitted_30d"])


# ------------------------------------------------------------------ LACE


def test_lace_points_follow_van_walraven() -> None:
    rows = pd.DataFrame({
        "length_of_stay": [0, 1, 2, 3, 4, 6, 7, 13, 14, 30],
        "emergent": [0] * 10,
        "charlson": [0] * 10,
        "ed_visits_6m": [0] * 10,
    })
    assert lace_score(rows).tolist() == [0, 1, 2, 3, 4, 4, 5, 5, 7, 7]
    rows = pd.DataFrame({
        "length_of_stay": [0] * 6, "emergent": [1, 0, 0, 0, 0, 0],
        "charlson": [0, 1, 3, 4, 9, 0], "ed_visits_6m": [0, 0, 0, 0, 0, 7],
    })
    assert lace_score(rows).tolist() == [3, 1, 3, 5, 5, 4]


def test_lace_score_range_and_missing_column() -> None:
    scores = lace_score(generate_readmissions(5000, 9))
    assert scores.between(0, 19).all() and scores.dtype == np.int64
    with pytest.raises(KeyError, match="charlson"):
        lace_score(pd.DataFrame({"length_of_stay": [1], "emergent": [1], "ed_visits_6m": [0]}))


# ------------------------------------------------------------------ request log


def test_request_log_is_deterministic_and_well_formed() -> None:
    log = request_log(5000, 3)
    assert csv_bytes(log) == csv_bytes(request_log(5000, 3))
    assert csv_bytes(log) != csv_bytes(request_log(5000, 4))
    assert list(log.columns) == ["request_id", "timestamp", "latency_ms", "status", "outcome",
                                 "model_version"]
    assert log["timestamp"].is_monotonic_increasing
    assert log["timestamp"].min() >= pd.Timestamp("2024-03-04")
    assert log["timestamp"].max() < pd.Timestamp("2024-03-11")
    assert set(log["status"]) <= {200, 500, 503, 504} and {200, 500, 503} <= set(log["status"])
    assert (log["latency_ms"] > 0).all() and (log["latency_ms"] <= TIMEOUT_MS).all()
    assert (log.loc[log["status"] == 504, "latency_ms"] == TIMEOUT_MS).all()
    assert set(log["model_version"]) == set(VERSIONS)
    assert log["model_version"].is_monotonic_increasing
    assert 0.95 < (log["status"] == 200).mean() < 1.0
    assert 60 < log["latency_ms"].median() < 120
    assert log["latency_ms"].quantile(0.99) > 3 * log["latency_ms"].median()
    outcome = {200: "ok", 500: "server_error", 503: "unavailable", 504: "timeout"}
    assert (log["status"].map(outcome) == log["outcome"]).all()


def test_request_log_without_outage_has_no_503_and_validates_input() -> None:
    assert 503 not in set(request_log(3000, 1, outage=False)["status"])
    assert request_log(0, 1).empty
    with pytest.raises(ValueError):
        request_log(-1)
    with pytest.raises(ValueError):
        request_log(10, days=0)


# ------------------------------------------------------------------ pilot


def test_pilot_predictions_are_deterministic_and_plausible() -> None:
    pilot = pilot_predictions()
    again = pilot_predictions()
    pd.testing.assert_frame_equal(pilot, again)
    assert list(pilot.columns) == ["patient_id", "y_true", "score"]
    assert len(pilot) == 2000 and pilot["patient_id"].str.startswith("Q").all()
    assert pilot["score"].between(0, 1).all()
    assert 0.10 < pilot["y_true"].mean() < 0.18
    assert 0.68 < roc_auc_score(pilot["y_true"], pilot["score"]) < 0.78
    other = pilot_predictions(seed=1)
    assert not other["score"].equals(pilot["score"])


def test_pilot_with_features_and_shift() -> None:
    pilot = pilot_predictions(n_train=2000, n_pilot=500, with_features=True, shift="covariate")
    assert {"age", "payer", "readmitted_30d"} <= set(pilot.columns)
    assert (pilot["y_true"] == pilot["readmitted_30d"]).all()
    with pytest.raises(ValueError):
        pilot_predictions(n_train=10)


# ------------------------------------------------------------------ data card and imports


def test_data_card_cites_its_sources_in_both_styles() -> None:
    text = data_card()
    myst = data_card("myst")
    for column in COLUMNS:
        assert f"`{column}`" in text, column
    assert "(van Walraven et al. 2010)" in text and "{cite}" not in text
    # a citation never lands next to another parenthesis: "(CMS, ...) (`ami` ..." read badly
    assert ") (" not in text and "))" not in text
    keys = set(re.findall(r"\{cite\}`([^`]+)`", myst))
    assert keys == set(CITATIONS)
    bib = (REPO / "book" / "_data_card_refs.bib").read_text()
    for key in keys:
        assert re.search(r"@\w+\{" + key + ",", bib), key
    with pytest.raises(ValueError):
        data_card("latex")  # type: ignore[arg-type]


def test_importing_the_data_package_is_light() -> None:
    code = (
        "import json, sys; import bana_tools.data, bana_tools.data.card; "
        "print(json.dumps([m for m in ('numpy', 'pandas', 'sklearn', 'matplotlib') "
        "if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_lazy_attributes_resolve() -> None:
    import bana_tools.data as data

    assert data.generate_readmissions is generate_readmissions
    assert "request_log" in dir(data)
    with pytest.raises(AttributeError):
        data.no_such_thing  # noqa: B018
