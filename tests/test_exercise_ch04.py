"""The chapter 4 exercise: the defective batch, its expected values and its checks."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import get_exercise
from bana_tools.exercises.ch04_validation import EXTRACT_COLUMNS
from bana_tools.exercises.keys import decode_matching
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading.hidden import hidden_check
from bana_tools.grading.runner import run_checks
from bana_tools.scenarios import ch04_validation as scenario
from bana_tools.scenarios import expected_for_student, load

EXERCISE = get_exercise("ch04-validation")
PARAMS = dict(EXERCISE.scenario.params)
STUDENTS = ["alice", "bob", "smithj2", "sample-student", "nb-student"]


def _unusable_from_scratch(batch: pd.DataFrame) -> pd.Series:
    """Rows that break a row-level rule of the chapter's schema, written with plain pandas."""
    admit = pd.to_datetime(batch["admission_date"], format="%Y-%m-%d", errors="coerce")
    out = pd.to_datetime(batch["discharge_date"], format="%Y-%m-%d", errors="coerce")
    lab_bad = ~batch["hemoglobin"].between(3, 25) & batch["hemoglobin"].notna()
    lab_bad |= ~batch["sodium"].between(100, 180) & batch["sodium"].notna()
    return (
        ~batch["age"].between(18, 110)
        | ~batch["sex"].isin(["F", "M"])
        | ~batch["payer"].isin(["medicare", "medicaid", "private", "self_pay"])
        | ~batch["condition"].isin(["ami", "heart_failure", "pneumonia", "copd", "hip_knee", "cabg", "other"])
        | ~batch["discharge_disposition"].isin(["home", "home_health", "skilled_nursing", "rehab",
                                                "against_advice"])
        | ~batch["length_of_stay"].between(1, 365)
        | admit.isna() | out.isna() | (out < admit)
        | lab_bad
    )


@pytest.mark.parametrize("student", STUDENTS)
def test_solve_agrees_with_the_injected_defects_and_plain_pandas(student):
    seed = variant_seed(EXERCISE.id, student)
    batch, truth = scenario.build(PARAMS, seed)
    expected = scenario.solve(PARAMS, seed)
    injected = sorted(i for ids in truth["defect_ids"].values() for i in ids)
    assert expected["quarantined_ids"] == injected
    assert sorted(batch.loc[_unusable_from_scratch(batch), "encounter_id"]) == injected
    assert expected["n_quarantined"] == len(injected)
    assert expected["n_kept"] + expected["n_quarantined"] == len(batch) == expected["_rows"]
    broken = truth["batch_broken"]
    want = sorted({"duplicates": "duplicate_encounters", "sodium": "sodium_missing",
                   "hemoglobin": "hemoglobin_missing"}[k] for k, v in broken.items() if v)
    assert expected["batch_issues"] == want
    # the allowed missing values (under 5%) are not a reason to hold a row back
    for lab, info in truth["missing"].items():
        share = batch[lab].isna().mean()
        assert (share > 0.05) == info["over_limit"], (lab, share)
    gaps = batch.loc[batch["sodium"].isna() | batch["hemoglobin"].isna(), "encounter_id"]
    assert not set(gaps) & set(injected)
    # duplicates: both copies present, neither held back
    for eid in truth["duplicated"]:
        assert (batch["encounter_id"] == eid).sum() == 2 and eid not in injected


def test_every_batch_has_defects_of_both_kinds_over_many_students():
    for i in range(15):
        expected = scenario.solve(PARAMS, variant_seed(EXERCISE.id, f"student{i}"))
        assert 3 <= expected["n_quarantined"] <= 12
        assert 200 <= expected["_rows"] <= 400
        assert 1 <= len(expected["batch_issues"]) <= 3
        assert len(set(expected["quarantined_ids"])) == expected["n_quarantined"]


def test_data_is_deterministic_and_students_differ():
    seed = variant_seed(EXERCISE.id, "alice")
    a, b = scenario.data(PARAMS, seed)["batch"], scenario.data(PARAMS, seed)["batch"]
    pd.testing.assert_frame_equal(a, b)
    ids = {s: tuple(expected_for_student(EXERCISE, s)["quarantined_ids"]) for s in STUDENTS}
    assert len(set(ids.values())) == len(STUDENTS)
    loaded = load(EXERCISE.id, student="alice", quiet=True)
    pd.testing.assert_frame_equal(loaded.batch, a)
    assert "readmitted_30d" not in a.columns and list(a.columns) == list(EXTRACT_COLUMNS)



def test_declaration_matches_the_scenario():
    options = {o.value for o in EXERCISE.question("batch_issues").options}
    assert set(scenario.BATCH_OPTIONS.values()) < options
    columns = {o.value for o in EXERCISE.question("rules").column("column").options}
    assert {column for column, _ in scenario.ROW_DEFECTS.values()} <= columns
    rules = {o.value for o in EXERCISE.question("rules").column("rule").options}
    assert rules >= scenario.NUMERIC_RULES | scenario.DETAIL_RULES
    levels = decode_matching(EXERCISE.question("failure_level"))
    assert set(levels.values()) == {"row", "batch"} and len(levels) == 8


def test_checks_judge_without_revealing_ids():
    good = complete_answers(EXERCISE, random.Random(3), "alice")
    expected = expected_for_student(EXERCISE, "alice")
    half = expected["quarantined_ids"][: len(expected["quarantined_ids"]) // 2]
    wrong = dict(good, quarantined_ids=[*half, "E9999999"], n_quarantined=len(half) + 1,
                 n_kept=good["n_kept"] + 1, batch_issues=["age_range"])
    report = run_checks(EXERCISE, wrong, visibility="all")
    by_id = {c.id: c for c in report.checks}
    assert 0 < by_id["quarantined-ids"].points < by_id["quarantined-ids"].max_points
    assert not by_id["quarantined-count"].passed and not by_id["kept-count"].passed
    assert by_id["batch-issues"].points == 0
    assert not by_id["counts-consistent"].passed
    text = " ".join(c.message for c in report.checks if c.visibility == "public")
    for eid in expected["quarantined_ids"]:
        assert eid.lower() not in text.lower()
    # a student who drops every row with a missing value holds back too many
    batch = scenario.data(PARAMS, variant_seed(EXERCISE.id, "alice"))["batch"]
    dropped = batch[batch.isna().any(axis=1)]["encounter_id"].tolist()
    naive = run_checks(EXERCISE, dict(good, quarantined_ids=dropped), check_ids=["quarantined-ids"])
    assert not naive.checks[0].passed


def test_rules_table_checks():
    rows = [
        {"column": "age", "rule": "minimum", "threshold": "18", "detail": "", "catches": "children"},
        {"column": "age", "rule": "maximum", "threshold": "", "detail": "", "catches": "typos"},
        {"column": "age", "rule": "max_missing", "threshold": "250", "detail": "", "catches": "gaps"},
        {"column": "payer", "rule": "allowed", "threshold": "", "detail": "", "catches": "new codes"},
    ]
    report = run_checks(EXERCISE, {"rules": rows}, check_ids=["rules-complete", "rules-columns",
                                                               "rules-details"])
    complete, columns, details = report.checks
    assert complete.passed
    assert not columns.passed and "2 different column(s)" in columns.message
    assert details.points == pytest.approx(1 / 4)
    assert "rule 2 needs a number" in details.message and "rule 4 needs" in details.message
    fixed = [dict(rows[0]), dict(rows[1], threshold="110"), dict(rows[2], column="sodium", threshold="5"),
             dict(rows[3], detail="medicare, medicaid, private, self_pay")]
    report = run_checks(EXERCISE, {"rules": fixed}, check_ids=["rules-columns", "rules-details"])
    assert all(c.passed for c in report.checks)


def test_hidden_check_catches_inconsistent_counts():
    good = complete_answers(EXERCISE, random.Random(4), "bob")
    check = hidden_check(EXERCISE, "counts-consistent")
    assert check(good, EXERCISE).score == 1.0
    assert check(dict(good, n_kept=good["n_kept"] - 2), EXERCISE).score == 0.0
    assert check({}, EXERCISE).score == 0.0
