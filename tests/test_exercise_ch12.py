"""The chapter 12 exercise: the scored quarter, its subgroup analysis and its checks."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import get_exercise
from bana_tools.exercises.keys import decode_matching
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading.hidden import hidden_check
from bana_tools.grading.runner import run_checks
from bana_tools.ops.fairness import age_band, gaps, subgroup_report
from bana_tools.scenarios import ch12_fairness as scenario
from bana_tools.scenarios import expected_for_student, load

EXERCISE = get_exercise("ch12-fairness")
PARAMS = dict(EXERCISE.scenario.params)


@pytest.mark.parametrize("student", ["alice", "bob", "smithj2"])
def test_solve_agrees_with_the_chapters_fairlearn_analysis(student):
    seed = variant_seed(EXERCISE.id, student)
    frames = scenario.data(PARAMS, seed)
    scored, threshold = frames["scored"], frames["threshold"]
    flag = scored["risk"] >= threshold
    groups = pd.DataFrame({"sex": scored["sex"], "payer": scored["payer"],
                           "age_band": age_band(scored["age"])})
    reports = {col: subgroup_report(scored["readmitted_30d"], flag, groups[col]) for col in groups}
    expected = scenario.solve(PARAMS, seed)
    assert expected["recall_overall"] == pytest.approx(reports["sex"].overall["recall"], abs=1e-12)
    for col, key in (("sex", "recall_gap_sex"), ("payer", "recall_gap_payer"),
                     ("age_band", "recall_gap_age")):
        assert expected[key] == pytest.approx(gaps(reports[col])["recall"], abs=1e-12)
    every = pd.concat([r.by_group["recall"] for r in reports.values()])
    assert expected["lowest_recall_group"] == every.idxmin()
    over = [c for c in ("sex", "payer", "age_band") if gaps(reports[c])["recall"] > frames["tolerance"]]
    assert expected["gaps_over_tolerance"] == (over or ["none"])


def test_quarters_are_clear_cut():
    """Drawn so that no answer sits on a knife's edge (see the scenario's docstring)."""
    for student in ("alice", "bob", "carol", "dave", "erin"):
        seed = variant_seed(EXERCISE.id, student)
        frames = scenario.data(PARAMS, seed)
        result = scenario._analyse(frames)
        every = result["every"]
        assert every.iloc[1] - every.iloc[0] >= scenario.MARGIN
        assert all(abs(g - frames["tolerance"]) >= scenario.MARGIN for g in result["gaps"].values())
        assert all(c.min() >= scenario.MIN_EVENTS for c in result["events"].values())
        assert len(every) == 10 and frames["threshold"] in scenario.THRESHOLDS


def test_data_is_deterministic_and_small():
    seed = variant_seed(EXERCISE.id, "alice")
    one, two = scenario.data(PARAMS, seed), scenario.data(PARAMS, seed)
    pd.testing.assert_frame_equal(one["scored"], two["scored"])
    assert one["threshold"] == two["threshold"] and one["tolerance"] == PARAMS["tolerance"]
    assert len(one["scored"]) == PARAMS["rows"] <= 5000
    assert list(one["scored"].columns) == list(scenario.COLUMNS)
    assert one["scored"]["risk"].between(0, 1).all()


def test_students_get_different_quarters_and_answers():
    values = [expected_for_student(EXERCISE, s) for s in ("alice", "bob", "carol", "dave")]
    assert len({round(v["recall_gap_payer"], 6) for v in values}) == 4
    many = [expected_for_student(EXERCISE, f"s{i}") for i in range(30)]
    assert len({v["lowest_recall_group"] for v in many}) >= 2
    assert len({tuple(v["gaps_over_tolerance"]) for v in many}) >= 2


def test_complete_answers_pass_and_wrong_ones_fail_without_revealing_values():
    answers = complete_answers(EXERCISE, random.Random(5), "alice")
    assert run_checks(EXERCISE, answers, visibility="all").passed
    expected = expected_for_student(EXERCISE, "alice")
    other_group = next(o.value for o in EXERCISE.question("lowest_recall_group").options
                       if o.value != expected["lowest_recall_group"])
    wrong = dict(answers, recall_gap_payer=expected["recall_gap_payer"] + 0.03,
                 lowest_recall_group=other_group, gaps_over_tolerance=["none"])
    report = run_checks(EXERCISE, wrong)
    failed = {c.id for c in report.checks if not c.passed}
    assert failed == {"gap-payer", "lowest-group", "gaps-to-review"}
    text = " ".join(c.message for c in report.checks)
    for key in ("recall_overall", "recall_gap_sex", "recall_gap_payer", "recall_gap_age"):
        assert f"{expected[key]:.3f}" not in text and f"{expected[key]:.4f}" not in text
    assert expected["lowest_recall_group"] not in text


def test_hidden_check_spots_pasted_evidence():
    check = hidden_check(EXERCISE, "evidence-distinct")
    answers = complete_answers(EXERCISE, random.Random(5), "alice")
    assert check(answers, EXERCISE).score == 1.0
    same = {item: {"level": "in_place", "evidence": "The team reviewed this at the monthly meeting."}
            for item in answers["practices"]}
    assert check({"practices": same}, EXERCISE).score == 0.0
    assert check({}, EXERCISE).score == 0.0


def test_matching_keys_decode_to_every_choice():
    criteria = decode_matching(EXERCISE.question("fairness_criteria"))
    assert set(criteria.values()) == {o.value for o in EXERCISE.question("fairness_criteria").choices}
    assert criteria["same_chance_called"] == "equal_opportunity"
    biases = decode_matching(EXERCISE.question("bias_sources"))
    assert sorted(biases.values()) == sorted(o.value for o in EXERCISE.question("bias_sources").choices)
    needs = EXERCISE.question("stakeholder_needs")
    decoded = decode_matching(needs)
    assert sorted(decoded.values()) == sorted(o.value for o in needs.choices)
    # the choices are not listed in the items' order, so position gives nothing away
    assert [decoded[i.value] for i in needs.items] != [c.value for c in needs.choices]


def test_load_gives_the_students_quarter(tmp_path):
    data = load(EXERCISE.id, tmp_path, student="alice", quiet=True)
    seed = variant_seed(EXERCISE.id, "alice")
    pd.testing.assert_frame_equal(data.scored, scenario.data(PARAMS, seed)["scored"])
    assert data.threshold == scenario.solve(PARAMS, seed)["_threshold"]
