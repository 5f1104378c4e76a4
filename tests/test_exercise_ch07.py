"""The chapter 7 exercise: the registry scenario, its expected values and its checks."""

from __future__ import annotations

import hashlib
import random

import pytest

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import get_exercise
from bana_tools.exercises.keys import decode_matching, decode_ordering
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading.hidden import hidden_check
from bana_tools.grading.runner import run_checks
from bana_tools.scenarios import ch07_versioning as scenario
from bana_tools.scenarios import expected_for_student, load

EXERCISE = get_exercise("ch07-versioning")
PARAMS = dict(EXERCISE.scenario.params)
STUDENTS = ["alice", "bob", "smithj2", "sim000123", "Zoe Q"]


def _sha12(table) -> str:
    """The table's content hash, written out without bana_tools.ops.versioning."""
    text = table.to_csv(index=False, lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _rule_by_hand(registry) -> tuple[list[int], int, float]:
    """The promotion rule of the introduction, row by row in plain Python."""
    rows = registry.to_dict("records")
    champ = next(r for r in rows if "champion" in r["aliases"].split(", "))
    ok = [r for r in rows
          if r["version"] != champ["version"]
          and r["validation_status"] == "passed"
          and r["data_valid"] == champ["data_valid"]
          and r["sha256"] != ""
          and round(r["val_pr_auc"] - champ["val_pr_auc"], 6) >= 0.010
          and r["val_roc_auc"] >= champ["val_roc_auc"]]
    best = max(ok, key=lambda r: r["val_pr_auc"])
    return sorted(r["version"] for r in ok), best["version"], best["val_pr_auc"] - champ["val_pr_auc"]


@pytest.mark.parametrize("student", STUDENTS)
def test_solve_agrees_with_the_rule_applied_by_hand(student):
    seed = variant_seed(EXERCISE.id, student)
    frames = scenario.data(PARAMS, seed)
    registry, extracts = frames["registry"], frames["extracts"]
    expected = scenario.solve(PARAMS, seed)
    versions, promoted, gain = _rule_by_hand(registry)
    assert expected["eligible_versions"] == [f"v{v}" for v in versions]
    assert expected["promoted_version"] == promoted
    assert expected["pr_auc_gain"] == pytest.approx(gain, abs=1e-9)
    # the promoted version's training table is found by its hash, and only one extract has it
    train = registry.loc[registry["version"] == promoted, "data_train"].item()
    matching = [name for name, table in extracts.items() if _sha12(table) == train]
    assert matching == [expected["promoted_extract"]]
    # the near copy has the same shape, one different cell, and a different hash
    exact, near = extracts[expected["promoted_extract"]], extracts[expected["near_copy_extract"]]
    assert near.shape == exact.shape
    assert int((near != exact).to_numpy().sum()) == 1
    assert _sha12(near) != train and _sha12(near) not in set(registry["data_train"])


@pytest.mark.parametrize("student", STUDENTS)
def test_the_naive_answers_are_wrong(student):
    seed = variant_seed(EXERCISE.id, student)
    registry = scenario.data(PARAMS, seed)["registry"]
    expected = scenario.solve(PARAMS, seed)
    top = int(registry.loc[registry["val_pr_auc"].idxmax(), "version"])
    assert top != expected["promoted_version"]           # the best number fails the rule
    champion = int(registry.loc[registry["aliases"] == "champion", "version"].item())
    assert expected["promoted_version"] > champion        # older versions lost to the champion
    # one extract is another version's training table: hashes, not names, tell them apart
    hashes = expected["_hashes"]
    others = set(registry["data_train"]) - {registry.loc[registry["version"] == expected["promoted_version"],
                                                         "data_train"].item()}
    assert any(h in others for h in hashes.values())


def test_every_clause_of_the_rule_rules_out_some_version_in_a_class():
    fails = set()
    for i in range(30):
        reg = scenario.data(PARAMS, variant_seed(EXERCISE.id, f"student{i}"))["registry"]
        champ = reg[reg["aliases"] == "champion"].iloc[0]
        fails |= set(reg["validation_status"]) - {"passed"}
        fails |= {"no_checksum" for s in reg["sha256"] if s == ""}
        fails |= {"other_valid" for v in reg["data_valid"] if v != champ["data_valid"]}
        fails |= {"lower_roc" for r in reg["val_roc_auc"] if r < champ["val_roc_auc"]}
        fails |= {"small_gain" for r in reg["val_pr_auc"]
                  if champ["val_pr_auc"] < r < champ["val_pr_auc"] + 0.010}
    assert fails == {"pending", "failed", "no_checksum", "other_valid", "lower_roc", "small_gain"}


def test_data_is_deterministic_and_differs_between_students():
    seed = variant_seed(EXERCISE.id, "alice")
    one, two = scenario.data(PARAMS, seed), scenario.data(PARAMS, seed)
    assert one["registry"].equals(two["registry"])
    assert all(one["extracts"][k].equals(two["extracts"][k]) for k in one["extracts"])
    answers = [expected_for_student(EXERCISE, f"student{i}") for i in range(20)]
    assert len({a["promoted_version"] for a in answers}) >= 3
    assert len({a["promoted_extract"] for a in answers}) >= 3
    assert len({tuple(a["eligible_versions"]) for a in answers}) >= 5



def test_load_gives_the_student_their_registry(tmp_path):
    data = load(EXERCISE.id, tmp_path, student="alice", quiet=True)
    assert set(data) == {"registry", "extracts", "rule"}
    assert len(data.registry) == 8 and sorted(data.extracts) == ["A", "B", "C", "D"]
    assert (data.registry["aliases"] == "champion").sum() == 1
    assert not any(k.startswith("_") for k in data)


def test_wrong_answers_fail_without_revealing_the_expected_ones():
    good = complete_answers(EXERCISE, random.Random(3), "alice")
    expected = expected_for_student(EXERCISE, "alice")
    wrong_extract = next(x for x in "ABCD" if x not in (expected["promoted_extract"],
                                                         expected["near_copy_extract"]))
    bad = dict(good, promoted_version=(expected["promoted_version"] % 8) + 1,
               pr_auc_gain=expected["pr_auc_gain"] + 0.01, promoted_extract=wrong_extract,
               eligible_versions=["v1"])
    report = run_checks(EXERCISE, bad, visibility="all")
    failed = {c.id for c in report.checks if not c.passed}
    assert {"promoted-version", "gain-value", "promoted-extract", "eligible-set",
            "promoted-among-eligible"} <= failed
    text = " ".join(c.message for c in report.checks)
    assert f"{expected['pr_auc_gain']:.4f}" not in text
    assert f"version {expected['promoted_version']}" not in text.lower()


def test_hidden_check_wants_the_promoted_version_among_the_qualifying_ones():
    check = hidden_check(EXERCISE, "promoted-among-eligible")
    assert check({"promoted_version": 5.0, "eligible_versions": ["v3", "v5"]}, EXERCISE).score == 1
    assert check({"promoted_version": 4.0, "eligible_versions": ["v3", "v5"]}, EXERCISE).score == 0
    assert check({"promoted_version": 4.5, "eligible_versions": ["v4"]}, EXERCISE).score == 0
    assert check({}, EXERCISE).score == 0


def test_keys_decode_and_the_ordering_is_not_given_away():
    steps = EXERCISE.question("promotion_steps")
    order = decode_ordering(steps)
    assert order[0] == "register" and order[-1] == "verify"
    assert order != [o.value for o in steps.items]
    assert order.index("previous") < order.index("champion")
    changes = decode_matching(EXERCISE.question("change_consequence"))
    assert set(changes.values()) == {"new_version", "move_champion", "metadata", "nothing"}
