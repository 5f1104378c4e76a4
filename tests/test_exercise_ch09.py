"""The chapter 9 exercise: the drift scenario, its expected values and its checks."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, ks_2samp

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import get_exercise
from bana_tools.exercises.keys import decode_matching, decode_ordering
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading.hidden import hidden_check
from bana_tools.grading.runner import run_checks
from bana_tools.scenarios import ch09_monitoring as scenario
from bana_tools.scenarios import expected_for_student, load

EXERCISE = get_exercise("ch09-monitoring")
PARAMS = dict(EXERCISE.scenario.params)


def _psi_from_scratch(ref: pd.Series, cur: pd.Series) -> float:
    """PSI as section 9.2.3 defines it, written independently of bana_tools.ops.drift."""
    if pd.api.types.is_numeric_dtype(ref):
        r, c = ref.to_numpy(float), cur.to_numpy(float)
        cuts = np.unique(np.quantile(r, [i / 10 for i in range(1, 10)]))
        p = np.array([np.mean(np.searchsorted(cuts, r, side="right") == k) for k in range(len(cuts) + 1)])
        q = np.array([np.mean(np.searchsorted(cuts, c, side="right") == k) for k in range(len(cuts) + 1)])
    else:
        cats = sorted(set(ref) | set(cur))
        p = np.array([np.mean(ref == k) for k in cats])
        q = np.array([np.mean(cur == k) for k in cats])
    p, q = np.clip(p, 1e-4, None), np.clip(q, 1e-4, None)
    return float(np.sum((q - p) * np.log(q / p)))


def _status_from_scratch(ref: pd.Series, cur: pd.Series, level: float) -> str:
    """The chapter's rule: PSI 0.25 alerts; PSI 0.1 or a significant test warns."""
    value = _psi_from_scratch(ref, cur)
    numeric = pd.api.types.is_numeric_dtype(ref)
    whole = numeric and np.all(ref == np.round(ref)) and ref.nunique() <= 50
    if numeric and not whole:
        p_value = ks_2samp(ref, cur).pvalue
    else:
        if numeric:
            cuts = np.unique(np.quantile(ref, [i / 10 for i in range(1, 10)]))
            a = np.bincount(np.searchsorted(cuts, ref, side="right"), minlength=len(cuts) + 1)
            b = np.bincount(np.searchsorted(cuts, cur, side="right"), minlength=len(cuts) + 1)
        else:
            cats = sorted(set(ref) | set(cur))
            a = np.array([(ref == k).sum() for k in cats])
            b = np.array([(cur == k).sum() for k in cats])
        table = np.vstack([a, b])
        table = table[:, table.sum(axis=0) > 0]
        p_value = chi2_contingency(table, correction=False).pvalue if table.shape[1] > 1 else 1.0
    if value >= 0.25:
        return "alert"
    return "warn" if value >= 0.1 or p_value < level else "ok"


@pytest.mark.parametrize("student", ["alice", "bob", "smithj2"])
def test_solve_agrees_with_an_independent_computation(student):
    seed = variant_seed(EXERCISE.id, student)
    frames = scenario.data(PARAMS, seed)
    ref, cur = frames["reference"], frames["current"]
    expected = scenario.solve(PARAMS, seed)
    for feature in ("age", "payer", "sodium"):
        assert expected[f"psi_{feature}"] == pytest.approx(_psi_from_scratch(ref[feature], cur[feature]),
                                                           abs=1e-9)
    # D is the largest gap between the two empirical CDFs, over every observed value
    grid = np.union1d(ref["age"], cur["age"])
    gap = np.abs(np.searchsorted(np.sort(ref["age"]), grid, side="right") / len(ref)
                 - np.searchsorted(np.sort(cur["age"]), grid, side="right") / len(cur)).max()
    assert expected["ks_age"] == pytest.approx(gap, abs=1e-12)
    level = frames["alpha"] / len(frames["features"])
    statuses = {f: _status_from_scratch(ref[f], cur[f], level) for f in frames["features"]}
    flagged = sorted(f for f, s in statuses.items() if s != "ok") or ["none"]
    assert sorted(expected["drifted_features"]) == flagged
    assert expected["batch_status"] == scenario.worst_status(statuses.values())


def test_data_is_deterministic_and_shaped_like_a_logged_week():
    seed = variant_seed(EXERCISE.id, "alice")
    one, two = scenario.data(PARAMS, seed), scenario.data(PARAMS, seed)
    pd.testing.assert_frame_equal(one["reference"], two["reference"])
    pd.testing.assert_frame_equal(one["current"], two["current"])
    assert len(one["reference"]) == PARAMS["reference_rows"] <= 5000
    assert len(one["current"]) == PARAMS["batch_rows"]
    assert "readmitted_30d" in one["reference"] and "readmitted_30d" not in one["current"]
    assert set(one["features"]) <= set(one["current"].columns)
    assert (one["psi_warn"], one["psi_alert"]) == (0.1, 0.25)


def test_students_get_different_weeks_and_answers():
    values = [expected_for_student(EXERCISE, s) for s in ("alice", "bob", "carol", "dave")]
    assert len({round(v["psi_age"], 6) for v in values}) == 4
    assert len({round(v["ks_age"], 6) for v in values}) > 1


def test_variants_cover_quiet_drifting_and_lab_change_weeks():
    variants = [scenario.variant(s) for s in range(200)]
    assert {v["strength"] for v in variants} == set(scenario.STRENGTHS)
    assert 0.2 < np.mean([v["sodium_offset"] > 0 for v in variants]) < 0.45
    statuses = {expected_for_student(EXERCISE, f"s{i}")["batch_status"] for i in range(40)}
    assert statuses == {"ok", "warn", "alert"}


def test_a_lab_change_moves_sodium_alone():
    from bana_tools.data.readmissions import generate_readmissions

    seed = next(s for s in range(500)
                if scenario.variant(s)["strength"] == 0.0 and scenario.variant(s)["sodium_offset"])

    v = scenario.variant(seed)
    raw = generate_readmissions(PARAMS["batch_rows"], v["current_seed"], shift="covariate",
                                shift_strength=0.0, start=PARAMS["week_start"], days=7, id_prefix="W")
    cur = scenario.data(PARAMS, seed)["current"]
    assert (cur["sodium"] - raw["sodium"] == scenario.SODIUM_OFFSET).all()
    expected = scenario.solve(PARAMS, seed)
    assert expected["psi_sodium"] >= 0.25 and expected["psi_age"] < 0.1
    assert "sodium" in expected["drifted_features"] and expected["batch_status"] == "alert"


def test_complete_answers_pass_and_wrong_numbers_fail_without_revealing_them():
    answers = complete_answers(EXERCISE, random.Random(3), "alice")
    assert run_checks(EXERCISE, answers, visibility="all").passed
    expected = expected_for_student(EXERCISE, "alice")
    wrong = dict(answers, psi_age=expected["psi_age"] + 0.05, ks_age=expected["ks_age"] / 2,
                 drifted_features=["sex"], batch_status="ok" if expected["batch_status"] != "ok" else "alert")
    report = run_checks(EXERCISE, wrong)
    failed = {c.id for c in report.checks if not c.passed}
    assert {"psi-age", "ks-age", "drifted-features", "batch-status"} <= failed
    text = " ".join(c.message for c in report.checks)
    for key in ("psi_age", "psi_payer", "psi_sodium", "ks_age"):
        assert f"{expected[key]:.3f}" not in text and f"{expected[key]:.4f}" not in text


def test_someone_elses_numbers_do_not_pass():
    alice = complete_answers(EXERCISE, random.Random(3), "alice")
    as_bob = run_checks(EXERCISE, dict(alice, student_id="bob"), check_ids=["psi-age", "ks-age"])
    assert as_bob.score < as_bob.max_score


def test_hidden_consistency_check():
    check = hidden_check(EXERCISE, "verdicts-consistent")
    good = {"psi_age": 0.3, "psi_payer": 0.12, "psi_sodium": 0.02,
            "drifted_features": ["age", "payer"], "batch_status": "alert"}
    assert check(good, EXERCISE).score == 1.0
    assert check(dict(good, batch_status="warn"), EXERCISE).score == 0.0
    assert check(dict(good, drifted_features=["age"]), EXERCISE).score == 0.0
    assert check(dict(good, drifted_features=["none", "age"]), EXERCISE).score == 0.0
    quiet = {"psi_age": 0.02, "drifted_features": ["none"], "batch_status": "ok"}
    assert check(quiet, EXERCISE).score == 1.0
    assert check(dict(quiet, batch_status="warn"), EXERCISE).score == 0.0
    assert check({}, EXERCISE).score == 0.0


def test_keys_decode_and_ordering_is_not_given_away():
    matching = decode_matching(EXERCISE.question("symptom_causes"))
    assert set(matching.values()) == {"data_drift", "concept_drift", "pipeline_fault", "seasonality"}
    ordering = EXERCISE.question("alert_response")
    expected = decode_ordering(ordering)
    assert expected[0] == "check_feed" and expected[-1] == "decide_record"
    assert expected != [o.value for o in ordering.items]


def test_load_gives_the_students_week(tmp_path):
    data = load(EXERCISE.id, tmp_path, student="alice", quiet=True)
    seed = variant_seed(EXERCISE.id, "alice")
    pd.testing.assert_frame_equal(data.current, scenario.data(PARAMS, seed)["current"])
