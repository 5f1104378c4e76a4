"""The chapter 11 exercise: per-student CI workflows and test histories.

- ``solve``'s workflow logic on hand-written workflows with known answers: YAML's ``on``
  key, branch filters, ``if`` conditions, skipped ``needs``, matrices with ``exclude``.
- Over many seeds, the generated data keeps its promises: six jobs, some but not all
  running on the pull request, exactly one unpinned action, exactly one flaky test, a
  breaking commit followed only by red commits; the history answers agree with a plain
  loop over the records.
- Data is deterministic for a student and differs between students; data + solve is fast.
- The commit check accepts a prefix of 7+ characters and never shows the hash.
"""

from __future__ import annotations

import pytest

from bana_tools.exercises import get_exercise
from bana_tools.exercises.keys import decode_matching, decode_ordering
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading import run_checks
from bana_tools.scenarios import ch11_git as scenario
from bana_tools.scenarios import expected_for_student

EX = "ch11-git"
PR = {"event_name": "pull_request", "ref": "refs/pull/7/merge", "base_ref": "main",
      "head_ref": "feature/long-stay"}

WORKFLOW = """
name: t
on:
  push:
    branches: [main]
  pull_request:
    branches: [main]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: ruff check
  tests:
    needs: lint
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        python-version: ["3.11", "3.12", "3.13"]
        os: [ubuntu-latest, windows-latest]
        exclude:
          - os: windows-latest
            python-version: "3.11"
    steps:
      - uses: actions/checkout
  evaluate:
    needs: tests
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - run: train
  report:
    needs: [evaluate]
    runs-on: ubuntu-latest
    steps:
      - run: report
  feature-only:
    if: startsWith(github.head_ref, 'feature/') || github.event_name == 'schedule'
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
"""


def test_workflow_logic_on_a_hand_written_file():
    wf = scenario.parse_workflow(WORKFLOW)
    assert set(wf["on"]) == {"push", "pull_request"}
    assert scenario.jobs_that_run(wf, PR) == ["lint", "tests", "feature-only"]
    # report has no condition but needs evaluate, which is skipped on a pull request
    push = {"event_name": "push", "ref": "refs/heads/main", "base_ref": "", "head_ref": ""}
    assert scenario.jobs_that_run(wf, push) == ["lint", "tests", "evaluate", "report"]
    assert scenario.matrix_size(wf["jobs"]["tests"]) == 3 * 2 - 1
    assert scenario.matrix_size(wf["jobs"]["lint"]) == 1
    assert scenario.unpinned_jobs(wf) == ["tests"]
    # a pull request into another branch does not trigger the workflow
    assert scenario.jobs_that_run(wf, dict(PR, base_ref="release")) == []


@pytest.mark.parametrize("condition, expected", [
    (None, True), ("github.event_name == 'pull_request'", True),
    ("github.event_name != 'pull_request'", False), ("github.ref == 'refs/heads/main'", False),
    ("github.base_ref == 'main'", True), ("startsWith(github.head_ref, 'fix/')", False),
    ("${{ github.event_name == 'schedule' || github.base_ref == 'main' }}", True),
    ("github.event_name == 'pull_request' && github.head_ref == 'x'", False),
])
def test_conditions_evaluate_like_github(condition, expected):
    context = {f"github.{k}": v for k, v in PR.items()}
    assert scenario.evaluate_condition(condition, context) is expected


def test_unknown_expressions_are_refused():
    with pytest.raises(ValueError):
        scenario.evaluate_condition("contains(github.event.labels, 'x')", {})


def _history_by_loop(frames):
    """The history answers computed with plain loops over the records."""
    commits = sorted(frames["commits"].to_dict("records"), key=lambda c: c["position"])
    records = frames["results"].to_dict("records")
    last = {}
    for r in records:
        last[r["commit"]] = max(last.get(r["commit"], 0), r["attempt"])
    failing = {c["commit"]: {r["test"] for r in records if r["commit"] == c["commit"]
                             and r["attempt"] == last[c["commit"]] and r["outcome"] == "failed"}
               for c in commits}
    tip = failing[commits[-1]["commit"]]
    breaking = None
    for c in commits:                      # the first commit from which `tip` fails every time
        later = [x for x in commits if x["position"] >= c["position"]]
        if all(tip <= failing[x["commit"]] for x in later):
            breaking = c["commit"]
            break
    flaky = {r["test"] for r in records if r["attempt"] == 1 and r["outcome"] == "failed"
             and any(s["commit"] == r["commit"] and s["test"] == r["test"] and s["attempt"] == 2
                     and s["outcome"] == "passed" for s in records)}
    return breaking, sum(1 for f in failing.values() if f), flaky, tip


@pytest.mark.parametrize("seed", [0, 1, 2, 17, 123, 2024, 99991, 2**31 - 2])
def test_generated_data_keeps_its_promises(seed):
    frames = scenario.data({}, seed)
    expected = scenario.solve({}, seed)
    wf = scenario.parse_workflow(frames["workflow"])
    assert len(wf["jobs"]) == 6 and set(wf["jobs"]) <= set(scenario.JOBS)
    assert 2 <= len(expected["jobs_on_pr"]) <= 4
    assert expected["job_runs_on_pr"] >= len(expected["jobs_on_pr"])
    for name, job in wf["jobs"].items():          # valid apart from the one unpinned action
        assert job["runs-on"] and job["steps"], name
        assert all(("uses" in s) != ("run" in s) for s in job["steps"]), name
        order = list(wf["jobs"])
        assert all(order.index(n) < order.index(name) for n in scenario._needs(job)), name
    assert scenario.unpinned_jobs(wf) == [expected["unpinned_job"]]

    breaking, red, flaky, tip = _history_by_loop(frames)
    assert tip and expected["_still_red"] == sorted(tip)
    assert expected["breaking_commit"] == breaking
    assert expected["red_commits"] == red
    assert {expected["flaky_test"]} == flaky and expected["flaky_test"] not in tip
    commits = frames["commits"].sort_values("position")
    position = int(commits.loc[commits.commit == breaking, "position"].iloc[0])
    assert 4 <= position <= len(commits) - 2
    assert len(commits) * len(scenario.TESTS) <= len(frames["results"]) <= 2 * len(commits) * len(scenario.TESTS)


def test_many_seeds_are_valid():
    sizes = set()
    for seed in range(60):
        expected = scenario.solve({}, seed)
        assert expected["unpinned_job"] and expected["flaky_test"]
        sizes.add(len(expected["jobs_on_pr"]))
    assert sizes == {2, 3, 4}


def test_data_is_deterministic_per_student_and_differs_between_students():
    exercise = get_exercise(EX)
    seed = variant_seed(EX, "alice")
    a, b = scenario.data({}, seed), scenario.data({}, seed)
    assert a["workflow"] == b["workflow"] and a["event"] == b["event"]
    assert a["commits"].equals(b["commits"]) and a["results"].equals(b["results"])
    alice, bob = expected_for_student(exercise, "alice"), expected_for_student(exercise, "bob")
    assert alice["breaking_commit"] != bob["breaking_commit"]
    assert scenario.data({}, variant_seed(EX, "bob"))["workflow"] != a["workflow"]


def test_commit_check_takes_a_prefix_and_never_shows_the_hash():
    exercise = get_exercise(EX)
    full = expected_for_student(exercise, "alice")["breaking_commit"]

    def check(value):
        return run_checks(exercise, {"student_id": "alice", "breaking_commit": value},
                          check_ids=["breaking-commit"]).checks[0]

    assert check(full).passed and check(full[:7]).passed and check(f" {full[:9].upper()} ").passed
    assert not check(full[:6]).passed and "7" in check(full[:6]).message
    wrong = check("0" * 7 if not full.startswith("0" * 7) else "f" * 7)
    assert not wrong.passed and full[:7] not in wrong.message
    no_id = run_checks(exercise, {"breaking_commit": full}, check_ids=["breaking-commit"]).checks[0]
    assert not no_id.passed and "student id" in no_id.message


def test_keys_decode_and_declared_order_is_not_the_answer():
    exercise = get_exercise(EX)
    steps = exercise.question("pr_steps")
    order = decode_ordering(steps)
    assert order[0] == "pull_main" and order[-1] == "cleanup"
    assert order != [o.value for o in steps.items]
    commands = decode_matching(exercise.question("commands"))
    assert set(commands) == {o.value for o in exercise.question("commands").items}
    assert commands["undo_shared"] == "revert" and "force_push" not in commands.values()


def test_options_match_the_scenario():
    exercise = get_exercise(EX)
    assert [o.value for o in exercise.question("jobs_on_pr").options] == list(scenario.JOBS)
    assert [o.value for o in exercise.question("flaky_test").options] == list(scenario.TESTS)
