"""Package code and files behind the book's chapters 9-11 (monitoring, DevOps, Git).

- ``bana_tools.ops.drift``: PSI against a hand-computed example, the choice of test by feature
  kind (chi-square for whole numbers with few values and for categories, KS for continuous
  numbers), KS being conservative on tied data, Bonferroni's correction in ``drift_report``.
- ``book/part4/ci-readmission.yml``: parses as a GitHub Actions workflow (``on``, ``jobs``,
  ``runs-on``, ``steps`` that each ``uses`` an action or ``run`` a command).
Small data, no network, a few seconds in all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from bana_tools.data.readmissions import generate_readmissions
from bana_tools.ops.drift import (
    alerts,
    chi_square_test,
    drift_report,
    feature_kind,
    ks_test,
    psi,
    psi_table,
)

WORKFLOW = Path(__file__).resolve().parents[1] / "book" / "part4" / "ci-readmission.yml"


# ----------------------------------------------------------------------------- PSI


def test_psi_matches_a_hand_computed_example():
    # shares (0.5, 0.3, 0.2) -> (0.3, 0.3, 0.4):
    # (0.3 - 0.5) ln(0.3 / 0.5) + 0 + (0.4 - 0.2) ln(0.4 / 0.2) = 0.10217 + 0.13863 = 0.24079
    reference = ["medicare"] * 50 + ["private"] * 30 + ["medicaid"] * 20
    current = ["medicare"] * 30 + ["private"] * 30 + ["medicaid"] * 40
    assert psi(reference, current) == pytest.approx(0.2407945, abs=1e-6)
    table = psi_table(reference, current).set_index("bin")
    assert table.loc["private", "term"] == 0.0
    assert table.loc["medicare", "term"] == pytest.approx(-0.2 * np.log(0.6))
    assert table.term.sum() == pytest.approx(psi(reference, current))


def test_psi_on_numbers_uses_reference_quantile_bins():
    reference = np.arange(1, 11)                    # median 5.5: two bins of five values each
    current = np.array([1, 2, 3, 4, 5, 6, 7, 8])    # 5 below the median, 3 above
    table = psi_table(reference, current, bins=2)
    assert list(table.ref_count) == [5, 5] and list(table.cur_count) == [5, 3]
    expected = (5 / 8 - 0.5) * np.log((5 / 8) / 0.5) + (3 / 8 - 0.5) * np.log((3 / 8) / 0.5)
    assert psi(reference, current, bins=2) == pytest.approx(expected)


def test_psi_is_symmetric_zero_for_identical_shares_and_finite_for_empty_bins():
    a, b = ["x"] * 70 + ["y"] * 30, ["x"] * 40 + ["y"] * 60
    assert psi(a, b) == pytest.approx(psi(b, a))
    assert psi(a, a * 3) == 0.0
    assert np.isfinite(psi(["x"] * 10, ["y"] * 10))
    with pytest.raises(ValueError):
        psi([], [1, 2])


# ----------------------------------------------------------------------------- feature kinds and tests


def test_feature_kind_separates_whole_numbers_with_few_values():
    data = generate_readmissions(rows=2000, seed=1)
    kinds = {c: feature_kind(data[c]) for c in
             ["length_of_stay", "prior_admissions_12m", "charlson", "age", "hemoglobin", "payer", "sex"]}
    assert kinds == {"length_of_stay": "discrete", "prior_admissions_12m": "discrete", "charlson": "discrete",
                     "age": "continuous", "hemoglobin": "continuous", "payer": "categorical",
                     "sex": "categorical"}
    assert feature_kind([0.5, 1.5, 2.0]) == "continuous"
    assert feature_kind(np.arange(100), max_levels=200) == "discrete"


def test_chi_square_matches_scipy_on_a_small_table():
    from scipy.stats import chi2_contingency

    reference = ["a"] * 40 + ["b"] * 60
    current = ["a"] * 60 + ["b"] * 40
    expected = chi2_contingency(np.array([[40, 60], [60, 40]]), correction=False)
    stat, p = chi_square_test(reference, current)
    assert stat == pytest.approx(expected.statistic) and p == pytest.approx(expected.pvalue)
    assert chi_square_test([1, 1, 1], [1, 1]) == (0.0, 1.0)   # one value only: nothing to compare


def test_ks_is_conservative_on_tied_counts_and_chi_square_is_not():
    """Same distribution (Poisson counts, many ties): KS's p-values are too large."""
    rng = np.random.default_rng(0)
    ks_p, chi_p = [], []
    for _ in range(300):
        reference, current = rng.poisson(0.6, 800), rng.poisson(0.6, 400)
        ks_p.append(ks_test(reference, current)[1])
        chi_p.append(chi_square_test(reference, current)[1])
    ks_p, chi_p = np.array(ks_p), np.array(chi_p)
    assert (ks_p < 0.05).mean() < 0.02           # far below the nominal 5%
    assert 0.02 < (chi_p < 0.05).mean() < 0.09   # close to it
    assert ks_p.mean() > 0.7 and 0.4 < chi_p.mean() < 0.6


def test_ks_still_fits_continuous_data():
    rng = np.random.default_rng(1)
    rates = [ks_test(rng.normal(size=500), rng.normal(size=300))[1] < 0.05 for _ in range(300)]
    assert 0.02 < np.mean(rates) < 0.09
    stat, p = ks_test(np.arange(100), np.arange(100) + 1000)
    assert stat == 1.0 and p < 1e-10


# ----------------------------------------------------------------------------- reports


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return generate_readmissions(rows=3000, seed=3)


def test_drift_report_picks_the_test_by_kind_and_flags_shifted_data(reference):
    cols = ["age", "charlson", "length_of_stay", "hemoglobin", "payer", "sex"]
    stable = drift_report(reference, generate_readmissions(rows=1500, seed=5), cols)
    moved = drift_report(reference, generate_readmissions(rows=1500, seed=4, shift="covariate",
                                                          shift_strength=3.0), cols).set_index("column")
    assert (stable.status == "ok").all()
    assert dict(zip(stable.column, stable.test, strict=True)) == {
        "age": "KS", "charlson": "chi-square", "length_of_stay": "chi-square", "hemoglobin": "KS",
        "payer": "chi-square", "sex": "chi-square"}
    assert moved.loc["age", "status"] == "alert" and moved.loc["sex", "status"] == "ok"
    messages = alerts(moved.reset_index(), batch="week 9")
    assert messages[0].startswith("[ALERT] week 9: age drifted (PSI")
    assert any(m.startswith("[ALERT] week 9: charlson drifted") and "chi-square" in m for m in messages)
    assert not any("sex" in m for m in messages)


def test_bonferroni_divides_the_level_by_the_number_of_tests(reference):
    current = reference.sample(600, random_state=0).assign(
        charlson=lambda d: np.where(np.arange(len(d)) % 9 == 0, d.charlson + 1, d.charlson))
    cols = ["charlson", "age", "payer", "sex", "hemoglobin", "sodium"]
    plain = drift_report(reference, current, cols, alpha=0.01, bonferroni=False).set_index("column")
    corrected = drift_report(reference, current, cols, alpha=0.01).set_index("column")
    p = plain.loc["charlson", "p_value"]
    assert p == corrected.loc["charlson", "p_value"]
    assert (plain.loc["charlson", "status"] == "warn") == (p < 0.01)
    assert (corrected.loc["charlson", "status"] == "warn") == (p < 0.01 / len(cols))


# ----------------------------------------------------------------------------- the CI workflow of chapter 11


def _load_workflow(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def test_ci_workflow_parses_as_a_github_actions_workflow():
    workflow = _load_workflow(WORKFLOW)
    assert isinstance(workflow.get("name"), str)
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert workflow["jobs"] and isinstance(workflow["jobs"], dict)
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("runs-on"), str) and job["runs-on"], name
        assert isinstance(job.get("steps"), list) and job["steps"], name
        for step in job["steps"]:
            assert isinstance(step, dict), (name, step)
            assert ("uses" in step) != ("run" in step), (name, step)
            if "uses" in step:
                action, _, ref = step["uses"].partition("@")
                assert "/" in action and ref, step["uses"]
        for needed in [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", []):
            assert needed in workflow["jobs"], (name, needed)
    assert workflow["permissions"] == {"contents": "read"}


def test_the_workflow_check_catches_a_broken_file(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text("name: x\non: [push]\njobs:\n  test:\n    steps:\n      - run: pytest\n")
    with pytest.raises(AssertionError):
        workflow = _load_workflow(broken)
        for job in workflow["jobs"].values():
            assert isinstance(job.get("runs-on"), str)
