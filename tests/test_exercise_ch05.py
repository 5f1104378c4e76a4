"""The chapter 5 exercise (ch05-modelops): per-student baselines, the registry, the checks."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import get_exercise
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading import run_checks
from bana_tools.scenarios import ch05_modelops as scenario
from bana_tools.scenarios import load

EX = "ch05-modelops"
PARAMS = get_exercise(EX).scenario.params
MIN_AUC = float(PARAMS["min_auc"])


def seed_of(student: str) -> int:
    return variant_seed(EX, student)


def rank_auc(y: pd.Series, score: pd.Series) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count one half), without scikit-learn."""
    ranks = score.rank(method="average")
    pos = int(y.sum())
    neg = len(y) - pos
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def test_the_data_is_deterministic_and_personal():
    a = scenario.data(PARAMS, seed_of("alice"))
    again = scenario.data(PARAMS, seed_of("alice"))
    b = scenario.data(PARAMS, seed_of("bob"))
    pd.testing.assert_frame_equal(a["discharges"], again["discharges"])
    pd.testing.assert_frame_equal(a["registry"], again["registry"])
    assert not a["discharges"].equals(b["discharges"])
    assert not a["registry"].equals(b["registry"])
    assert len(a["discharges"]) <= 5000


@pytest.mark.parametrize("student", ["alice", "bob", "carol"])
def test_baselines_agree_with_an_independent_computation(student):
    from bana_tools.baselines import FEATURES, lace_score, logistic_pipeline

    values = scenario.solve(PARAMS, seed_of(student))
    df = scenario.data(PARAMS, seed_of(student))["discharges"]
    cutoff = PARAMS["cutoff"]
    train, test = df[df["admission_date"] < cutoff], df[df["admission_date"] >= cutoff]
    assert 0 < len(test) < len(train)
    y = test["readmitted_30d"]
    assert values["base_rate"] == pytest.approx(y.mean())
    assert values["lace_auc"] == pytest.approx(rank_auc(y, lace_score(test)), abs=1e-9)
    # the other pipeline the notebook mentions gives the same answer within the tolerance
    other = logistic_pipeline().fit(train[list(FEATURES)], train["readmitted_30d"])
    other_auc = rank_auc(y, pd.Series(other.predict_proba(test[list(FEATURES)])[:, 1],
                                      index=test.index))
    assert abs(values["model_auc"] - other_auc) < 0.005
    gain = values["model_auc"] - values["lace_auc"]
    assert values["beats_lace"] == ("yes" if gain >= PARAMS["min_gain"] else "no")


def test_students_get_both_verdicts_and_different_rollbacks():
    values = [scenario.solve(PARAMS, seed_of(f"student{i}")) for i in range(16)]
    assert {v["beats_lace"] for v in values} == {"yes", "no"}
    assert len({v["rollback_to"] for v in values}) >= 3
    assert len({round(v["lace_auc"], 3) for v in values}) >= 10


@pytest.mark.parametrize("seed", range(0, 400, 7))
def test_registry_invariants(seed):
    reg = scenario.registry_for(seed, MIN_AUC)
    values = scenario.solve(PARAMS, seed) if seed % 49 == 0 else None
    assert list(reg["version"]) == list(scenario.VERSIONS)
    assert reg["registered"].is_monotonic_increasing and reg["registered"].is_unique
    assert (reg["alias"] == "champion").sum() == 1
    assert (np.abs(reg["val_auc"] - MIN_AUC) >= 0.005 - 1e-9).all()
    ok = (reg["val_auc"] >= MIN_AUC) & reg["audit_passed"]
    live = int(np.flatnonzero(reg["alias"] == "champion")[0])
    assert ok[live] and not ok.all()
    earlier = [i for i in range(live) if ok[i]]
    assert earlier, "there is always a version to roll back to"
    if values is not None:
        assert values["rollback_to"] == reg["version"][earlier[-1]]
        assert values["gate_failures"] == reg.loc[~ok, "version"].tolist()
        assert values["rollback_to"] not in values["gate_failures"]


def test_load_gives_the_student_both_tables(tmp_path):
    data = load(EX, tmp_path, student="alice", quiet=True)
    assert set(data) == {"discharges", "cutoff", "registry", "min_gain", "min_auc"}
    assert data.registry["alias"].eq("champion").sum() == 1


def test_wrong_answers_fail_without_revealing_the_expected_values():
    exercise = get_exercise(EX)
    good = complete_answers(exercise, random.Random(0), "alice")
    assert run_checks(exercise, good, visibility="all").passed
    other = next(v for v in ("v1", "v2", "v3", "v4", "v5", "v6") if v != good["rollback_to"])
    wrong = dict(good, lace_auc=good["lace_auc"] + 0.03, model_auc=0.5,
                 beats_lace="no" if good["beats_lace"] == "yes" else "yes",
                 rollback_to=other, gate_failures=["v1", "v2", "v3", "v4", "v5", "v6"])
    report = run_checks(exercise, wrong)
    failed = {c.id for c in report.checks if not c.passed}
    assert failed == {"lace-auc-value", "model-auc-value", "beats-lace-choice", "gate-set",
                      "rollback-choice"}
    text = " ".join(c.message for c in report.checks)
    for key in ("lace_auc", "model_auc", "base_rate"):
        assert f"{good[key]:.3f}" not in text
    assert good["rollback_to"] not in text


def test_hidden_check_catches_a_rollback_to_a_failing_version():
    exercise = get_exercise(EX)
    ids = ["rollback-passes-gate"]
    bad = run_checks(exercise, {"rollback_to": "v2", "gate_failures": ["v2", "v5"]},
                     visibility="all", check_ids=ids).checks[0]
    good = run_checks(exercise, {"rollback_to": "v3", "gate_failures": ["v2", "v5"]},
                      visibility="all", check_ids=ids).checks[0]
    assert not bad.passed and good.passed
