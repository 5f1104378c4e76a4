"""The chapter 8 exercise: the roll-out scenario, its expected values and its checks."""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter

import numpy as np
import pytest

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import get_exercise
from bana_tools.exercises.keys import decode_matching, decode_ordering
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading.hidden import hidden_check
from bana_tools.grading.runner import run_checks
from bana_tools.scenarios import ch08_deployment as scenario
from bana_tools.scenarios import expected_for_student, load

EXERCISE = get_exercise("ch08-deployment")
PARAMS = dict(EXERCISE.scenario.params)
STUDENTS = ["alice", "bob", "smithj2", "sim000123", "Zoe Q", "student7", "student8"]


def _canary_by_hand(frames) -> tuple[str, int, str, int]:
    """The canary of section 8.5.7 written out without bana_tools.ops.rollout."""
    log, rule, threshold = frames["log"], frames["rule"], frames["threshold"]
    ids = log["patient_id"].to_numpy()
    n = len(log)
    edges = [int(e) for e in np.linspace(0, n, len(frames["fractions"]) + 1)]
    served = 0
    for stage, share in enumerate(frames["fractions"], start=1):
        rows = range(edges[stage - 1], edges[stage])
        new = [i for i in rows
               if int.from_bytes(hashlib.sha256(f"{frames['salt']}:{ids[i]}".encode()).digest()[:8],
                                 "big") / 2**64 < share]
        old = sorted(set(rows) - set(new))
        served += len(new)
        if len(new) < rule["min_requests"]:
            continue
        errors = log["candidate_error"].to_numpy()[new]
        if errors.mean() > rule["max_error_rate"]:
            return "rollback", stage, "error_rate", served
        if np.percentile(log["candidate_latency_ms"].to_numpy()[new], 95) > rule["max_p95_ms"]:
            return "rollback", stage, "latency", served
        if not old:
            continue

        def flag_rate(arm, idx):
            ok = [i for i in idx if not log[f"{arm}_error"].iat[i]]
            return float(np.mean(log[f"{arm}_risk"].to_numpy()[ok] >= threshold)), len(idx)

        p, n_new = flag_rate("candidate", new)
        q, n_old = flag_rate("current", old)
        se = math.sqrt(p * (1 - p) / n_new + q * (1 - q) / n_old)
        if abs(p - q) > rule["max_flag_rate_change"] + rule["noise_z"] * se:
            return "rollback", stage, "flag_rate", served
    return "promote", 0, "none", served


@pytest.mark.parametrize("student", STUDENTS)
def test_solve_agrees_with_a_canary_written_by_hand(student):
    seed = variant_seed(EXERCISE.id, student)
    frames = scenario.data(PARAMS, seed)
    expected = scenario.solve(PARAMS, seed)
    decision, stage, reason, served = _canary_by_hand(frames)
    assert (expected["canary_decision"], expected["rollback_stage"], expected["rollback_reason"],
            expected["candidate_requests"]) == (decision, stage, reason, served)
    log = frames["log"]
    both = ~log["current_error"] & ~log["candidate_error"]
    agree = ((log["current_risk"] >= 0.2) == (log["candidate_risk"] >= 0.2))[both].mean()
    assert expected["shadow_agreement"] == pytest.approx(agree, abs=1e-12)
    ok = ~log["candidate_error"]
    assert expected["shadow_flag_rate_candidate"] == pytest.approx(
        (log.loc[ok, "candidate_risk"] >= 0.2).mean(), abs=1e-12)


def test_a_class_sees_every_outcome():
    outcomes = [expected_for_student(EXERCISE, f"student{i}") for i in range(60)]
    decisions = Counter(o["canary_decision"] for o in outcomes)
    assert decisions["promote"] >= 5 and decisions["rollback"] >= 5
    assert {o["rollback_reason"] for o in outcomes} == {"none", "error_rate", "latency", "flag_rate"}
    assert {0, 1, 2} <= {o["rollback_stage"] for o in outcomes}
    assert len({o["candidate_requests"] for o in outcomes}) > 20
    kinds = Counter(o["_kind"] for o in outcomes)
    assert set(kinds) == {"sound", "inflated", "slow", "flaky"}


def test_candidates_misbehave_the_way_their_kind_says():
    for i in range(40):
        seed = variant_seed(EXERCISE.id, f"student{i}")
        expected = scenario.solve(PARAMS, seed)
        shadow = expected["_shadow"]
        if expected["_kind"] == "inflated":
            assert shadow["flag_rate_candidate"] > shadow["flag_rate_current"] + 0.03
            assert expected["rollback_reason"] in ("flag_rate", "none", "error_rate")
        if expected["_kind"] == "slow":
            assert shadow["p95_ms_candidate"] > 200
        if expected["rollback_reason"] == "latency":
            assert expected["_kind"] == "slow"
        if expected["rollback_stage"]:
            later = expected["_canary"].iloc[expected["rollback_stage"]:]
            assert (later["to_candidate"] == 0).all()


def test_data_is_deterministic_small_and_typed():
    seed = variant_seed(EXERCISE.id, "alice")
    one, two = scenario.data(PARAMS, seed), scenario.data(PARAMS, seed)
    assert one["log"].equals(two["log"])
    log = one["log"]
    assert len(log) == PARAMS["rows"] <= 5000
    assert log["current_error"].dtype == bool and log["candidate_error"].dtype == bool
    assert log.loc[log["candidate_error"], "candidate_risk"].isna().all()
    assert log.loc[~log["candidate_error"], "candidate_risk"].between(0, 1).all()
    other = scenario.data(PARAMS, variant_seed(EXERCISE.id, "bob"))["log"]
    assert not np.allclose(log["candidate_risk"].fillna(-1), other["candidate_risk"].fillna(-1))



def test_load_gives_the_student_their_log(tmp_path):
    data = load(EXERCISE.id, tmp_path, student="alice", quiet=True)
    assert set(data) == {"log", "threshold", "rule", "fractions", "salt"}
    assert data.rule == scenario.RULE and data.fractions == list(scenario.FRACTIONS)


def test_wrong_answers_fail_without_revealing_the_expected_ones():
    good = complete_answers(EXERCISE, random.Random(5), "alice")
    expected = expected_for_student(EXERCISE, "alice")
    flipped = "promote" if expected["canary_decision"] == "rollback" else "rollback"
    bad = dict(good, canary_decision=flipped, rollback_stage=(expected["rollback_stage"] + 1) % 5,
               candidate_requests=expected["candidate_requests"] + 7,
               shadow_agreement=expected["shadow_agreement"] - 0.05)
    report = run_checks(EXERCISE, bad, visibility="all")
    failed = {c.id for c in report.checks if not c.passed}
    assert {"canary-decision", "rollback-stage", "candidate-requests", "shadow-agreement",
            "canary-answers-consistent"} <= failed
    text = " ".join(c.message for c in report.checks)
    assert f"{expected['shadow_agreement']:.3f}" not in text
    assert str(expected["candidate_requests"]) not in text


def test_hidden_check_wants_one_story():
    check = hidden_check(EXERCISE, "canary-answers-consistent")
    story = {"canary_decision": "rollback", "rollback_stage": 2.0, "rollback_reason": "latency"}
    assert check(story, EXERCISE).score == 1
    assert check({**story, "rollback_stage": 0.0}, EXERCISE).score == 0
    assert check({**story, "rollback_reason": "none"}, EXERCISE).score == 0
    promoted = {"canary_decision": "promote", "rollback_stage": 0.0, "rollback_reason": "none"}
    assert check(promoted, EXERCISE).score == 1
    assert check({**promoted, "rollback_stage": 3.0}, EXERCISE).score == 0
    assert check({}, EXERCISE).score == 0


def test_keys_decode_and_the_ladder_is_not_given_away():
    ladder = EXERCISE.question("automation_ladder")
    order = decode_ordering(ladder)
    assert order == ["human_only", "shadow", "assistance", "partial", "full"]
    assert order != [o.value for o in ladder.items]
    patterns = decode_matching(EXERCISE.question("pattern_match"))
    assert sorted(patterns.values()) == sorted(c.value for c in EXERCISE.question("pattern_match").choices)
