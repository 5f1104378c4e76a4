"""The chapter 10 exercise: the ML Test Score checklist and the score computed from it.

- The checklist holds the rubric's 28 tests, seven in each of its four groups, with the
  levels 0 / 0.5 / 1 of the paper (Breck et al. 2017).
- The score is the smallest group sum: a hand-computed example, and the ``ml_test_score``
  check accepts it and refuses the total, the mean and an incomplete checklist.
- ``derived_answers`` (for simulated answers) gives exactly the score the check expects.
- The matching keys decode to one choice for every item; the hidden check flags copies.
"""

from __future__ import annotations

import random

import pytest

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import get_exercise
from bana_tools.exercises.keys import decode_matching
from bana_tools.grading import run_checks
from bana_tools.scenarios import ch10_devops as scenario
from bana_tools.scenarios import load

EX = "ch10-devops"


@pytest.fixture(scope="module")
def exercise():
    return get_exercise(EX)


def _ratings(exercise, level_of_group: dict[str, str]) -> dict:
    q = exercise.question("ml_test_checklist")
    return {i.id: {"level": level_of_group[i.group], "evidence": "the nightly job runs this one"}
            for i in q.items}


def test_checklist_is_the_rubric_of_28_tests_in_four_groups_of_seven(exercise):
    q = exercise.question("ml_test_checklist")
    groups = q.groups()
    assert list(groups) == ["Features and data", "Model development", "ML infrastructure",
                            "Monitoring"]
    assert [len(items) for items in groups.values()] == [7, 7, 7, 7]
    assert len({i.id for i in q.items}) == 28
    assert [o.value for o in q.levels] == list(scenario.LEVEL_POINTS)
    assert [scenario.LEVEL_POINTS[o.value] for o in q.levels] == [0.0, 0.5, 1.0]


def test_score_is_the_smallest_group_sum(exercise):
    q = exercise.question("ml_test_checklist")
    ratings = _ratings(exercise, {"Features and data": "automated", "Model development": "automated",
                                  "ML infrastructure": "automated", "Monitoring": "manual"})
    # two monitoring tests not done at all: 5 x 0.5 = 2.5
    monitoring = [i.id for i in q.groups()["Monitoring"]]
    for item in monitoring[:2]:
        ratings[item] = {"level": "not_done", "evidence": ""}
    assert scenario.group_sums(q, ratings) == {"Features and data": 7.0, "Model development": 7.0,
                                               "ML infrastructure": 7.0, "Monitoring": 2.5}
    assert scenario.ml_test_score_of(q, ratings) == 2.5


@pytest.mark.parametrize("entered, passed", [(2.5, True), (2.504, True), (23.5, False),
                                             (23.5 / 4, False), (3.0, False)])
def test_score_check_accepts_only_the_minimum(exercise, entered, passed):
    q = exercise.question("ml_test_checklist")
    ratings = _ratings(exercise, {"Features and data": "automated", "Model development": "automated",
                                  "ML infrastructure": "automated", "Monitoring": "manual"})
    for item in [i.id for i in q.groups()["Monitoring"]][:2]:
        ratings[item] = {"level": "not_done", "evidence": ""}
    report = run_checks(exercise, {"ml_test_checklist": ratings, "ml_test_score": entered},
                        check_ids=["score-computed"])
    assert report.checks[0].passed is passed
    if not passed:
        assert "smallest" in report.checks[0].message and "2.5" not in report.checks[0].message


def test_score_check_needs_every_test_rated(exercise):
    ratings = _ratings(exercise, dict.fromkeys(
        ["Features and data", "Model development", "ML infrastructure", "Monitoring"], "manual"))
    ratings.pop("mon_quality")
    report = run_checks(exercise, {"ml_test_checklist": ratings, "ml_test_score": 3.0},
                        check_ids=["score-computed"])
    assert report.checks[0].points == 0 and "27 rated" in report.checks[0].message
    empty = run_checks(exercise, {}, check_ids=["score-computed"])
    assert empty.checks[0].points == 0 and "not entered" in empty.checks[0].message


def test_derived_answers_give_the_score_the_check_expects(exercise):
    for seed in range(20):
        answers = complete_answers(exercise, random.Random(seed))
        answers.update(scenario.derived_answers(exercise, answers))
        q = exercise.question("ml_test_checklist")
        expected = min(sum(scenario.LEVEL_POINTS[answers["ml_test_checklist"][i.id]["level"]]
                           for i in items) for items in q.groups().values())
        assert answers["ml_test_score"] == expected
        report = run_checks(exercise, answers, visibility="all")
        assert report.score == report.max_score, [c.message for c in report.checks if not c.passed]
    assert scenario.derived_answers(exercise, {"ml_test_checklist": {}}) == {}


def test_the_notebook_loads_the_scoring_table(exercise, tmp_path, capsys):
    table = load(EX, tmp_path)
    assert table.level_points == {"not_done": 0.0, "manual": 0.5, "automated": 1.0}
    q = exercise.question("ml_test_checklist")
    assert table.groups == {g: [i.id for i in items] for g, items in q.groups().items()}
    assert scenario.solve({}, 0) == {}


def test_matching_keys_cover_every_item_and_orders_differ(exercise):
    for qid in ("catches", "schedule"):
        q = exercise.question(qid)
        expected = decode_matching(q)
        assert set(expected) == {o.value for o in q.items}
        assert set(expected.values()) <= {c.value for c in q.choices}
    catches = decode_matching(exercise.question("catches"))
    assert len(set(catches.values())) == len(catches)          # one layer per problem
    schedule = decode_matching(exercise.question("schedule"))
    assert set(schedule.values()) == {"every_change", "nightly", "promotion"}


def test_hidden_check_flags_copied_answers(exercise):
    from bana_tools.grading.hidden_checks.ch10_devops import HIDDEN

    text = "We would automate the schema check and the drift alert first because " * 8
    same = HIDDEN["answers-distinct"]({"next_steps": text, "reply": text + " yes"}, exercise)
    other = HIDDEN["answers-distinct"]({"next_steps": text, "reply": "Tests saved us. " * 20},
                                       exercise)
    assert same.score == 0 and other.score == 1
