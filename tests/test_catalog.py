"""The metric catalog: content, lookups, uniqueness, and a light import."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys

import pydantic
import pytest

from bana_tools.metrics import catalog
from bana_tools.metrics.catalog import CATALOG, MetricEntry, by_category, by_id, lookup, normalise

REQUIRED = {
    "model": ["precision", "recall", "specificity", "f1", "accuracy", "roc_auc", "pr_auc",
              "brier_score", "expected_calibration_error", "log_loss"],
    "system": ["p50_latency", "p95_latency", "p99_latency", "mean_latency", "throughput",
               "availability", "error_rate", "cpu_use", "memory_use", "gpu_use", "resource_use",
               "time_to_retrain", "time_to_deploy", "data_freshness"],
    "business": ["readmission_rate", "readmissions_prevented", "net_savings", "roi",
                 "cost_per_readmission_avoided", "number_needed_to_treat", "intervention_cost",
                 "clinician_time_saved", "patient_satisfaction", "penalty_avoided",
                 "adoption_rate"],
}


@pytest.mark.parametrize(
    ("category", "metric_id"),
    [(category, metric_id) for category, ids in REQUIRED.items() for metric_id in ids],
)
def test_required_metric_is_in_its_category(category: str, metric_id: str) -> None:
    entry = by_id(metric_id)
    assert entry is not None, metric_id
    assert entry.category == category
    assert entry in by_category(category)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "metric_id"),
    [
        ("P95 Latency (ms)", "p95_latency"),
        ("p95 latency", "p95_latency"),
        ("95th percentile latency", "p95_latency"),
        ("95th-percentile latency", "p95_latency"),
        ("latency p95", "p95_latency"),
        ("Latency, 99th percentile", "p99_latency"),
        ("percentile 50 latency", "p50_latency"),
        ("Median latency", "p50_latency"),
        ("ROC-AUC", "roc_auc"),
        ("AUROC", "roc_auc"),
        ("AUC", "roc_auc"),
        ("area under the ROC curve", "roc_auc"),
        ("C-statistic", "roc_auc"),
        ("Average precision", "pr_auc"),
        ("AUPRC", "pr_auc"),
        ("Sensitivity", "recall"),
        ("true positive rate", "recall"),
        ("Recall (sensitivity)", "recall"),
        ("PPV", "precision"),
        ("F1-score", "f1"),
        ("F-measure", "f1"),
        ("ECE", "expected_calibration_error"),
        ("Calibration", "expected_calibration_error"),
        ("Cross-entropy", "log_loss"),
        ("Uptime (%)", "availability"),
        ("Requests per second", "throughput"),
        ("QPS", "throughput"),
        ("CPU utilization", "cpu_use"),
        ("memory usage (MB)", "memory_use"),
        ("Error rate (%)", "error_rate"),
        ("time-to-deploy", "time_to_deploy"),
        ("data staleness", "data_freshness"),
        ("30-day readmission rate", "readmission_rate"),
        ("Readmissions avoided", "readmissions_prevented"),
        ("Net savings ($)", "net_savings"),
        ("Return on Investment", "roi"),
        ("NNT", "number_needed_to_treat"),
        ("number-needed-to-treat", "number_needed_to_treat"),
        ("cost per readmission prevented", "cost_per_readmission_avoided"),
        ("CMS HRRP penalty avoided", "penalty_avoided"),
        ("HCAHPS score", "patient_satisfaction"),
        ("clinician's time saved", "clinician_time_saved"),
        ("adoption rate", "adoption_rate"),
        ("  NET   SAVINGS  ", "net_savings"),
    ],
)
def test_lookup_tolerates_spelling(typed: str, metric_id: str) -> None:
    entry = lookup(typed)
    assert entry is not None, typed
    assert entry.id == metric_id


@pytest.mark.parametrize(
    "typed", ["", "   ", "happiness index", "latency of the moon", "p42 latency", "roc", "rate"]
)
def test_unknown_names_return_none(typed: str) -> None:
    assert lookup(typed) is None


def test_lookup_of_non_string_is_none() -> None:
    assert lookup(None) is None  # type: ignore[arg-type]


def test_every_entry_finds_itself_by_every_name() -> None:
    for entry in CATALOG:
        for label in entry.names():
            assert lookup(label) == entry, (entry.id, label)
            assert lookup(label.upper()) == entry, (entry.id, label)


def test_no_name_or_synonym_is_shared_between_entries() -> None:
    owner: dict[str, str] = {}
    bag_owner: dict[str, str] = {}
    for entry in CATALOG:
        for label in entry.names():
            key = normalise(label)
            assert owner.setdefault(key, entry.id) == entry.id, (label, owner[key], entry.id)
            bag = " ".join(sorted(key.split()))
            assert bag_owner.setdefault(bag, entry.id) == entry.id, (label, entry.id)


def test_ids_are_unique_slugs_and_fields_are_filled() -> None:
    ids = [entry.id for entry in CATALOG]
    assert len(ids) == len(set(ids))
    for entry in CATALOG:
        assert entry.id.replace("_", "").isalnum() and entry.id == entry.id.lower()
        assert entry.name.strip() and entry.unit.strip()
        assert entry.definition.endswith(".") and len(entry.definition) > 30, entry.id


def test_by_category_partitions_the_catalog() -> None:
    parts = [by_category(c) for c in ("model", "system", "business")]
    assert sum(len(p) for p in parts) == len(CATALOG)
    assert all(parts)
    with pytest.raises(ValueError, match="unknown metric category"):
        by_category("clinical")  # type: ignore[arg-type]


def test_entries_are_frozen_and_validated() -> None:
    entry = CATALOG[0]
    with pytest.raises(pydantic.ValidationError):
        entry.name = "changed"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        MetricEntry(id="x", name="x", category="finance", definition="d.", unit="u",
                    direction="higher")  # type: ignore[arg-type]


def test_normalise_examples() -> None:
    assert normalise("  P95 Latency (ms) ") == "p95 latency ms"
    assert normalise("95th percentile") == "p95"
    assert normalise("P 99") == "p99"
    assert normalise("The Brier Score") == "brier score"
    assert normalise("Log-loss") == normalise("log loss")


def test_doctests_pass() -> None:
    result = doctest.testmod(catalog)
    assert result.attempted >= 5 and result.failed == 0


def test_import_pulls_in_no_heavy_library() -> None:
    code = (
        "import json, sys; import bana_tools.metrics.catalog; "
        "print(json.dumps(sorted(m for m in ('numpy', 'pandas', 'sklearn', 'matplotlib', "
        "'scipy') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_one_comparison_serves_the_form_and_the_check():
    from bana_tools.forms.widgets import metric_feedback
    from bana_tools.metrics.catalog import compare_row

    entry, problems = compare_row("AUROC", "business", "lower")
    assert entry is not None and entry.id == "roc_auc"
    assert problems == ["ROC AUC is a model metric, not a business metric",
                        "for ROC AUC, higher is better, not lower"]
    assert compare_row("AUROC", "", "", require_category=True)[1] == [
        "ROC AUC needs a category (it is a model metric)"]
    assert compare_row("AUROC", "model", "lower", check_direction=False)[1] == []
    assert compare_row("happiness index", "model") == (None, [])
    # the form shows the first problem as a sentence
    assert metric_feedback({"name": "AUROC", "category": "model", "direction": "lower"}) == (
        "warn", "For ROC AUC, higher is better, not lower.")
