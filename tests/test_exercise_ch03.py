"""The chapter 3 exercise (ch03-dataops): its damaged extracts, expected values and checks."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import get_exercise
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading import run_checks
from bana_tools.scenarios import ch03_dataops as scenario
from bana_tools.scenarios import expected_for_student, load

EX = "ch03-dataops"
PARAMS = get_exercise(EX).scenario.params


def seed_of(student: str) -> int:
    return variant_seed(EX, student)


def test_the_extract_is_deterministic_and_personal():
    a = scenario.data(PARAMS, seed_of("alice"))["extract"]
    again = scenario.data(PARAMS, seed_of("alice"))["extract"]
    bob = scenario.data(PARAMS, seed_of("bob"))["extract"]
    pd.testing.assert_frame_equal(a, again)
    assert not a.equals(bob)
    assert len(a) <= 5000
    values = [expected_for_student(get_exercise(EX), s) for s in ("alice", "bob", "carol", "dan")]
    keys = ("duplicate_rows", "discharge_before_admission", "missing_share", "repeat_patients",
            "clean_rows")
    assert len({tuple(v[k] for k in keys) for v in values}) == 4


@pytest.mark.parametrize("student", ["alice", "bob", "carol", "dan", "erin", "frank"])
def test_solve_agrees_with_the_damage_plan_and_with_pandera(student):
    """Two independent routes to the same numbers: the damage that was injected, and the
    course's pandera schema (ops.validation, as in chapter 4) run on the extract."""
    from bana_tools.ops.validation import quarantine, readmission_schema, validate_frame

    seed = seed_of(student)
    values = scenario.solve(PARAMS, seed)
    extract = scenario.data(PARAMS, seed)["extract"]
    plan = scenario._damage_plan(int(PARAMS["rows"]), seed)
    lo, hi = plan["dup_block"]
    assert values["duplicate_rows"] == hi - lo
    assert values["discharge_before_admission"] == len(plan["dates"])
    assert values["broken_lab"] == plan["broken_lab"]
    assert values["_rows"] == int(PARAMS["rows"]) + hi - lo

    schema = readmission_schema(max_missing_labs=PARAMS["max_missing_share"])
    issues = {(i.column, i.check): i.failed_rows for i in validate_frame(extract, schema).issues}
    assert issues[("encounter_id", "field_uniqueness")] == values["duplicate_rows"]
    assert issues[("(row)", "discharge_not_before_admission")] == values["discharge_before_admission"]
    by_rule = {
        "labs_missing": any(check == "max_missing_share" for _, check in issues),
        "age_range": any(col == "age" for col, _ in issues),
        "payer_known": any(col == "payer" for col, _ in issues),
    }
    for rule, broken in by_rule.items():
        assert (rule in values["failing_rules"]) == broken, rule
    assert {"encounter_unique", "dates_order"} <= set(values["failing_rules"])

    once = extract.drop_duplicates("encounter_id")
    kept, _ = quarantine(once, schema)
    assert len(kept) == values["clean_rows"]


def test_the_missing_share_is_never_near_the_tolerance():
    limit = PARAMS["max_missing_share"]
    shares = [scenario.solve(PARAMS, seed)["missing_share"] for seed in range(40)]
    assert all(abs(s - limit) > 0.01 for s in shares)
    assert any(s > limit for s in shares) and any(s < limit for s in shares)


def test_repeat_patients_are_not_duplicates():
    values = scenario.solve(PARAMS, seed_of("alice"))
    extract = scenario.data(PARAMS, seed_of("alice"))["extract"]
    naive = int(extract["patient_id"].duplicated().sum())
    assert values["repeat_patients"] > 0
    assert naive != values["duplicate_rows"]  # counting on the patient key gives another answer


def test_the_form_loads_the_data_for_the_saved_student(tmp_path):
    data = load(EX, tmp_path, student="alice", quiet=True)
    assert set(data) == {"extract", "max_missing_share"}
    assert data.variant and data.student == "alice"


def test_wrong_numbers_fail_without_revealing_the_expected_values():
    exercise = get_exercise(EX)
    good = complete_answers(exercise, random.Random(0), "alice")
    assert run_checks(exercise, good, visibility="all").passed
    wrong = dict(good, duplicate_rows=good["duplicate_rows"] + 3, missing_share=0.5,
                 clean_rows=good["clean_rows"] - 10, broken_lab="sodium" if
                 good["broken_lab"] == "hemoglobin" else "hemoglobin",
                 failing_rules=["encounter_unique"])
    report = run_checks(exercise, wrong)
    failed = {c.id for c in report.checks if not c.passed}
    assert failed == {"duplicates-value", "missing-value", "clean-value", "lab-choice",
                      "rules-broken"}
    text = " ".join(c.message for c in report.checks)
    for key in ("duplicate_rows", "clean_rows", "repeat_patients"):
        assert f" {good[key]} " not in f" {text} "
    assert f"{good['missing_share']:.3f}" not in text


def test_rules_table_checks_and_hidden_consistency():
    exercise = get_exercise(EX)
    rows = [{"rule": f"rule {i}", "family": fam, "limit": "", "level": "row",
             "training": "stop", "scoring": "quarantine"}
            for i, fam in enumerate(["content", "content", "schema", "cross_field", "content",
                                     "schema"])]
    report = run_checks(exercise, {"rules": rows}, visibility="all",
                        check_ids=["rules-complete", "rules-families", "policies-consistent"])
    complete, families, policies = report.checks
    assert complete.passed and policies.passed
    assert not families.passed and 0 < families.points < families.max_points
    rows[1].update(family="statistical", level="batch", scoring="quarantine")
    report = run_checks(exercise, {"rules": rows}, visibility="all",
                        check_ids=["rules-families", "policies-consistent"])
    families, policies = report.checks
    assert families.passed
    assert not policies.passed and policies.points == pytest.approx(policies.max_points * 5 / 6, abs=1e-3)


def test_profile_consistency_uses_the_students_own_numbers():
    exercise = get_exercise(EX)
    answers = {"duplicate_rows": 4, "discharge_before_admission": 0, "missing_share": 0.02,
               "failing_rules": ["encounter_unique"]}
    ids = ["profile-consistent"]
    assert run_checks(exercise, answers, visibility="all", check_ids=ids).checks[0].passed
    answers["failing_rules"] = ["encounter_unique", "labs_missing"]
    result = run_checks(exercise, answers, visibility="all", check_ids=ids).checks[0]
    assert not result.passed and result.points == pytest.approx(result.max_points * 2 / 3, abs=1e-3)
    assert run_checks(exercise, {}, visibility="all", check_ids=ids).checks[0].points == 0
