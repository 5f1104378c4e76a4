"""The chapter 6 exercise: the table of tracked runs, its expected values and its checks."""

from __future__ import annotations

import math
import random
import re

import pandas as pd
import pytest

from bana_tools.course.answers_sim import complete_answers
from bana_tools.data import generate_readmissions
from bana_tools.exercises import get_exercise
from bana_tools.exercises.keys import decode_matching
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading.hidden import hidden_check
from bana_tools.grading.runner import run_checks
from bana_tools.ops.versioning import content_hash
from bana_tools.scenarios import ch06_tracking as scenario
from bana_tools.scenarios import expected_for_student, load

EXERCISE = get_exercise("ch06-tracking")
PARAMS = dict(EXERCISE.scenario.params)
STUDENTS = ["alice", "bob", "smithj2", "sample-student", "nb-student"]


def _choose_from_scratch(runs: pd.DataFrame, agreed_valid: str) -> tuple[dict, dict, int]:
    """The chapter's rule with plain Python: (chosen by validation, best by test, count)."""
    rows = [r for r in runs.to_dict("records")
            if r["status"] == "FINISHED" and r["params.data_valid"] == agreed_valid]
    by_val = sorted(rows, key=lambda r: r["metrics.val_pr_auc"], reverse=True)[0]
    by_test = sorted(rows, key=lambda r: r["metrics.test_pr_auc"], reverse=True)[0]
    return by_val, by_test, len(rows)


@pytest.mark.parametrize("student", STUDENTS)
def test_solve_agrees_with_an_independent_choice(student):
    seed = variant_seed(EXERCISE.id, student)
    frames = scenario.data(PARAMS, seed)
    expected = scenario.solve(PARAMS, seed)
    by_val, by_test, count = _choose_from_scratch(frames["runs"], frames["agreed"]["data_valid"])
    assert expected["chosen_run"] == by_val["run_id"]
    assert expected["chosen_val_score"] == by_val["metrics.val_pr_auc"]
    assert expected["chosen_test_score"] == by_val["metrics.test_pr_auc"]
    assert expected["n_comparable"] == count
    assert expected["_best_by_test"] == by_test["run_id"]


def test_data_versions_are_the_content_hashes_of_the_time_split():
    seed = variant_seed(EXERCISE.id, "alice")
    year = generate_readmissions(rows=PARAMS["rows"], seed=seed)
    train = year[year.admission_date < "2023-07-01"]
    valid = year[(year.admission_date >= "2023-07-01") & (year.admission_date < "2023-10-01")]
    test = year[year.admission_date >= "2023-10-01"]
    agreed = scenario.data(PARAMS, seed)["agreed"]
    assert agreed == {"data_train": content_hash(train), "data_valid": content_hash(valid),
                      "data_test": content_hash(test)}


def test_every_table_has_the_traps_over_many_students():
    for i in range(40):
        seed = variant_seed(EXERCISE.id, f"student{i}")
        frames = scenario.data(PARAMS, seed)
        runs, agreed = frames["runs"], frames["agreed"]
        expected = scenario.solve(PARAMS, seed)
        assert runs["run_id"].is_unique and all(re.fullmatch(r"[0-9a-f]{32}", r) for r in runs["run_id"])
        assert PARAMS["min_runs"] <= expected["n_comparable"] <= PARAMS["max_runs"]
        assert len(runs) == expected["n_comparable"] + 2          # + the stale run + the failed run
        failed = runs[runs["status"] == "FAILED"]
        assert len(failed) == 1 and failed.filter(like="metrics.").isna().all().all()
        stale = runs[runs["params.data_valid"] != agreed["data_valid"]]
        assert len(stale) == 1 and stale.iloc[0]["status"] == "FINISHED"
        # the stale run tops the validation column; the best by test is another comparable run
        assert expected["_best_val_any_data"] == stale.iloc[0]["run_id"] != expected["chosen_run"]
        assert expected["_best_by_test"] != expected["chosen_run"]
        comparable = runs[(runs["status"] == "FINISHED") & (runs["params.data_valid"] == agreed["data_valid"])]
        top_two = comparable["metrics.val_pr_auc"].nlargest(2).tolist()
        assert top_two[0] - top_two[1] >= 0.0014                    # no near tie for first place
        assert comparable["metrics.val_pr_auc"].between(0.2, 0.45).all()
        assert runs["start_time"].is_monotonic_decreasing           # newest first, as search_runs


def test_data_is_deterministic_and_students_differ():
    seed = variant_seed(EXERCISE.id, "alice")
    pd.testing.assert_frame_equal(scenario.data(PARAMS, seed)["runs"], scenario.data(PARAMS, seed)["runs"])
    chosen = {s: expected_for_student(EXERCISE, s)["chosen_run"] for s in STUDENTS}
    assert len(set(chosen.values())) == len(STUDENTS)
    loaded = load(EXERCISE.id, student="alice", quiet=True)
    pd.testing.assert_frame_equal(loaded.runs, scenario.data(PARAMS, seed)["runs"])


def test_run_ids_resolve_from_a_unique_prefix():
    ids = ["abcdef0123456789" * 2, "abcdef0199999999" * 2]
    assert scenario.resolve_run(" ABCDEF0123456789ABCDEF0123456789 ", ids) == ids[0]
    assert scenario.resolve_run("abcdef0123", ids) == ids[0]
    assert scenario.resolve_run("abcdef01", ids) is None          # both start with it
    assert scenario.resolve_run("abcdef0", ids) is None           # too short
    assert scenario.resolve_run(None, ids) is None


def test_the_chosen_run_check_explains_wrong_picks_without_the_answer():
    good = complete_answers(EXERCISE, random.Random(2), "alice")
    expected = expected_for_student(EXERCISE, "alice")
    assert run_checks(EXERCISE, dict(good, chosen_run=expected["chosen_run"][:8].upper()),
                      check_ids=["chosen-run"]).passed
    cases = {
        expected["_best_by_test"]: "best test score",
        expected["_best_val_any_data"]: "different version",
        expected["_failed"][0]: "failed",
        "0" * 32: "no run in your table",
    }
    public = ["chosen-run", "chosen-val-score", "chosen-test-score"]
    for run, phrase in cases.items():
        report = run_checks(EXERCISE, dict(good, chosen_run=run), check_ids=public)
        assert not report.checks[0].passed and phrase in report.checks[0].message
        text = " ".join(c.message for c in report.checks)
        assert expected["chosen_run"][:8] not in text
        for value in (expected["chosen_val_score"], expected["chosen_test_score"]):
            assert f"{value:.3f}" not in text


def test_hidden_checks_catch_choosing_on_test_and_mismatched_scores():
    good = complete_answers(EXERCISE, random.Random(5), "bob")
    expected = expected_for_student(EXERCISE, "bob")
    on_test = hidden_check(EXERCISE, "not-chosen-on-test")
    named = hidden_check(EXERCISE, "scores-of-named-run")
    assert on_test(good, EXERCISE).score == 1.0 and named(good, EXERCISE).score == 1.0
    picked_on_test = expected["_best_by_test"]
    val, test = expected["_scores"][picked_on_test]
    wrong = dict(good, chosen_run=picked_on_test, chosen_val_score=val, chosen_test_score=test)
    assert on_test(wrong, EXERCISE).score == 0.0
    assert named(wrong, EXERCISE).score == 1.0        # consistent, though chosen on test
    assert named(dict(good, chosen_test_score=test), EXERCISE).score == 0.0
    failed = dict(good, chosen_run=expected["_failed"][0])
    assert named(failed, EXERCISE).score == 0.0 and on_test({}, EXERCISE).score == 0.0
    assert not math.isnan(val)


def test_what_to_log_key_uses_every_record_part():
    key = decode_matching(EXERCISE.question("what_to_log"))
    assert set(key.values()) == {o.value for o in EXERCISE.question("what_to_log").choices}
    assert key["patient_rows"] == "never" and key["val_pr"] == "metric"
