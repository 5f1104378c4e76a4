"""Model, system and business metrics: hand-computed cases, scikit-learn, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from bana_tools.metrics import business, model, system
from bana_tools.metrics.business import CostModel

# A small case worked by hand: threshold 0.5 flags the four scores >= 0.5.
Y = [1, 1, 0, 1, 0, 0, 0, 1, 0, 0]
S = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
# flagged: 0.9(1) 0.8(1) 0.7(0) 0.6(1) 0.5(0) -> TP=3, FP=2; unflagged positives: 0.2 -> FN=1


# ---------------------------------------------------------------- model, by hand


def test_confusion_by_hand() -> None:
    c = model.confusion_at(Y, S, 0.5)
    assert (c.tp, c.fp, c.tn, c.fn) == (3, 2, 4, 1)
    assert c.precision == pytest.approx(3 / 5)
    assert c.recall == pytest.approx(3 / 4)
    assert c.specificity == pytest.approx(4 / 6)
    assert c.false_positive_rate == pytest.approx(2 / 6)
    assert c.f1 == pytest.approx(2 * 0.6 * 0.75 / (0.6 + 0.75))
    assert c.accuracy == pytest.approx(7 / 10)
    assert c.flag_rate == pytest.approx(0.5) and c.flagged == 5 and c.n == 10
    assert c.as_dict()["precision"] == pytest.approx(0.6)


def test_threshold_is_inclusive_and_zero_division_is_zero() -> None:
    assert model.confusion_at([1, 0], [0.5, 0.2], 0.5).tp == 1
    assert model.precision_at([1, 0], [0.3, 0.2], 0.9) == 0.0
    assert model.recall_at([0, 0], [0.3, 0.2], 0.1) == 0.0


def test_roc_auc_by_hand() -> None:
    # positives 0.9, 0.8, 0.6, 0.2 against negatives 0.7, 0.5, 0.4, 0.3, 0.1, 0.05:
    # pairs won = 6 + 6 + 5 + 2 = 19 of 24
    assert model.roc_auc(Y, S) == pytest.approx(19 / 24)


def test_brier_and_log_loss_by_hand() -> None:
    assert model.brier_score([1, 0], [0.8, 0.4]) == pytest.approx((0.04 + 0.16) / 2)
    assert model.log_loss([1, 0], [0.8, 0.4]) == pytest.approx(-(math.log(0.8) + math.log(0.6)) / 2)


def test_calibration_table_and_ece_by_hand() -> None:
    y = [0, 0, 1, 1, 1, 0]
    s = [0.1, 0.1, 0.1, 0.9, 0.9, 0.9]
    table = model.calibration_table(y, s, bins=2)
    assert table["n"].tolist() == [3, 3]
    assert table["observed_rate"].tolist() == pytest.approx([1 / 3, 2 / 3])
    assert table["mean_score"].tolist() == pytest.approx([0.1, 0.9])
    ece = 0.5 * abs(0.1 - 1 / 3) + 0.5 * abs(0.9 - 2 / 3)
    assert model.expected_calibration_error(y, s, bins=2) == pytest.approx(ece)
    assert model.calibration_table([1, 0], [1.0, 0.0], bins=10)["bin_upper"].tolist() == [0.1, 1.0]


def test_model_input_errors() -> None:
    with pytest.raises(ValueError, match="both"):
        model.roc_auc([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="only 0 and 1"):
        model.confusion_at([2, 0], [0.2, 0.3], 0.5)
    with pytest.raises(ValueError, match="values"):
        model.confusion_at([1, 0, 1], [0.2, 0.3], 0.5)
    with pytest.raises(ValueError, match="probabilities"):
        model.brier_score([1, 0], [1.2, 0.3])
    with pytest.raises(ValueError, match="strategy"):
        model.calibration_table([1, 0], [0.2, 0.3], strategy="kmeans")  # type: ignore[arg-type]


# ---------------------------------------------------------------- model vs scikit-learn


@pytest.fixture(scope="module")
def sample() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    score = rng.beta(2, 8, 3000)
    y = (rng.random(3000) < score).astype(int)
    return y, np.round(score, 3)


@pytest.mark.parametrize("threshold", [0.05, 0.15, 0.3, 0.6])
def test_threshold_metrics_match_sklearn(sample, threshold: float) -> None:
    y, s = sample
    pred = (s >= threshold).astype(int)
    assert model.precision_at(y, s, threshold) == pytest.approx(
        skm.precision_score(y, pred, zero_division=0))
    assert model.recall_at(y, s, threshold) == pytest.approx(skm.recall_score(y, pred))
    assert model.f1_at(y, s, threshold) == pytest.approx(skm.f1_score(y, pred))
    assert model.specificity_at(y, s, threshold) == pytest.approx(
        skm.recall_score(1 - y, 1 - pred))


def test_threshold_free_metrics_match_sklearn(sample) -> None:
    y, s = sample
    assert model.roc_auc(y, s) == pytest.approx(skm.roc_auc_score(y, s))
    assert model.pr_auc(y, s) == pytest.approx(skm.average_precision_score(y, s))
    assert model.brier_score(y, s) == pytest.approx(skm.brier_score_loss(y, s))
    assert model.log_loss(y, s) == pytest.approx(skm.log_loss(y, s))


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_calibration_table_matches_sklearn(sample, strategy: str) -> None:
    y, s = sample
    table = model.calibration_table(y, s, bins=8, strategy=strategy)  # type: ignore[arg-type]
    prob_true, prob_pred = calibration_curve(y, s, n_bins=8, strategy=strategy)
    assert table["observed_rate"].to_numpy() == pytest.approx(prob_true)
    assert table["mean_score"].to_numpy() == pytest.approx(prob_pred)
    assert table["n"].sum() == len(y)


def test_threshold_table_equals_confusion_at(sample) -> None:
    y, s = sample
    table = model.threshold_table(y, s)
    assert len(table) == 101
    for _, row in table.iloc[::7].iterrows():
        c = model.confusion_at(y, s, row["threshold"])
        assert (row["tp"], row["fp"], row["tn"], row["fn"]) == (c.tp, c.fp, c.tn, c.fn)
        assert row["precision"] == pytest.approx(c.precision)
        assert row["recall"] == pytest.approx(c.recall)
        assert row["f1"] == pytest.approx(c.f1)


def test_model_report_keys_are_catalog_ids(sample) -> None:
    from bana_tools.metrics.catalog import by_id

    y, s = sample
    report = model.model_report(y, s, 0.2)
    for key in report:
        if key != "threshold":
            assert by_id(key) is not None and by_id(key).category == "model", key


# ---------------------------------------------------------------- system


def test_percentile_methods_by_hand() -> None:
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    # linear: position (n-1)p = 9 * 0.95 = 8.55 -> 90 + 0.55 * 10
    assert system.percentile(values, 95) == pytest.approx(95.5)
    # nearest rank: ceil(0.95 * 10) = 10th value
    assert system.percentile(values, 95, method="nearest-rank") == 100
    assert system.percentile(values, 50, method="nearest-rank") == 50
    assert system.latency_percentiles(values) == pytest.approx({"p50": 55.0, "p95": 95.5, "p99": 99.1})
    with pytest.raises(ValueError, match="method"):
        system.percentile(values, 95, method="midpoint")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        system.percentile([], 95)


def test_rates_and_throughput_by_hand() -> None:
    status = [200, 200, 500, 200, 503, 404, 200, 200, 504, 200]
    assert system.error_rate(status) == pytest.approx(0.3)
    assert system.availability(status) == pytest.approx(0.7)
    ts = pd.to_datetime(["2024-01-01 00:00:00", "2024-01-01 00:00:30", "2024-01-01 00:01:40"])
    assert system.throughput(ts) == pytest.approx(3 / 100)
    assert system.throughput(ts, duration_s=300) == pytest.approx(0.01)
    assert system.peak_throughput(ts, window_s=60) == pytest.approx(2 / 60)
    with pytest.raises(ValueError):
        system.throughput(ts[:1])


def test_request_summary_of_the_synthetic_log() -> None:
    from bana_tools.data import request_log

    log = request_log(4000, 1)
    summary = system.request_summary(log)
    assert summary["p50_latency"] <= summary["p95_latency"] <= summary["p99_latency"]
    assert summary["p95_latency"] == pytest.approx(np.percentile(log["latency_ms"], 95))
    assert summary["availability"] + summary["error_rate"] == pytest.approx(1.0)
    assert summary["requests"] == 4000
    span = (log["timestamp"].max() - log["timestamp"].min()).total_seconds()
    assert summary["throughput"] == pytest.approx(4000 / span)
    with pytest.raises(KeyError, match="status"):
        system.request_summary(log.drop(columns="status"))


# ---------------------------------------------------------------- business


def test_business_formulas_by_hand() -> None:
    costs = CostModel(cost_per_readmission=10_000, intervention_cost=500,
                      intervention_effect=0.2, fixed_cost=1_000)
    # TP=30, flagged=100: prevented 6, gross 60,000, cost 51,000, net 9,000
    assert business.readmissions_prevented(30, costs) == pytest.approx(6)
    assert business.programme_cost(100, costs) == pytest.approx(51_000)
    assert business.net_savings(30, 100, costs) == pytest.approx(9_000)
    assert business.roi(30, 100, costs) == pytest.approx(9_000 / 51_000)
    assert business.number_needed_to_treat(30, 100, costs) == pytest.approx(100 / 6)
    assert business.cost_per_readmission_avoided(30, 100, costs) == pytest.approx(51_000 / 6)
    assert business.break_even_precision(costs) == pytest.approx(500 / 2_000)
    assert business.number_needed_to_treat(0, 10, costs) == math.inf
    assert math.isnan(business.roi(0, 0, CostModel(intervention_cost=0)))
    with pytest.raises(ValueError, match="exceed"):
        business.net_savings(5, 3, costs)


def test_default_cost_model_is_documented_hcup_figure() -> None:
    costs = CostModel()
    assert costs.cost_per_readmission == 15_200
    with pytest.raises(ValueError):
        CostModel(intervention_effect=1.5)
    with pytest.raises(ValueError):
        CostModel(intervention_cost=-1)


def test_outcome_and_curve_agree_by_hand() -> None:
    costs = CostModel(cost_per_readmission=10_000, intervention_cost=1_000, intervention_effect=0.5)
    out = business.outcome_at(Y, S, 0.5, costs)
    # TP=3, flagged=5: 3*0.5*10,000 - 5*1,000 = 10,000
    assert (out.tp, out.flagged) == (3, 5)
    assert out.net_savings == pytest.approx(10_000)
    assert out.roi == pytest.approx(2.0)
    curve = business.savings_curve(Y, S, costs)
    row = curve[curve["threshold"] == 0.5].iloc[0]
    assert row["net_savings"] == pytest.approx(10_000)
    best = business.best_threshold(Y, S, costs, thresholds=np.unique(S))
    # by threshold: 0.9 -> 4,000; 0.8 -> 8,000; 0.6 -> 11,000; 0.5 -> 10,000;
    # 0.2 (TP=4, flagged=8) -> 20,000 - 8,000 = 12,000, the best; 0.1 -> 11,000
    assert best.net_savings == pytest.approx(12_000) and best.threshold == 0.2


def test_best_threshold_beats_every_grid_point(sample) -> None:
    y, s = sample
    costs = CostModel()
    best = business.best_threshold(y, s, costs)
    curve = business.savings_curve(y, s, costs)
    assert best.net_savings == pytest.approx(curve["net_savings"].max())
    exact = business.best_threshold(y, s, costs, thresholds=np.unique(s))
    assert exact.net_savings >= best.net_savings


# ---------------------------------------------------------------- properties (hypothesis)

labels_scores = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.lists(st.floats(0, 1, allow_nan=False), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(data=labels_scores, threshold=st.floats(0, 1, allow_nan=False))
def test_ratios_stay_in_unit_interval(data, threshold: float) -> None:
    y, s = data
    c = model.confusion_at(y, s, threshold)
    assert c.n == len(y)
    for value in (c.precision, c.recall, c.specificity, c.f1, c.accuracy, c.flag_rate):
        assert 0.0 <= value <= 1.0


@settings(max_examples=60, deadline=None)
@given(data=labels_scores)
def test_recall_never_rises_with_the_threshold(data) -> None:
    y, s = data
    table = model.threshold_table(y, s)
    assert (np.diff(table["recall"]) <= 1e-12).all()
    assert (np.diff(table["flagged"]) <= 0).all()


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(0.1, 1e5, allow_nan=False), min_size=1, max_size=200),
    method=st.sampled_from(["linear", "nearest-rank"]),
)
def test_percentiles_are_ordered(values, method) -> None:
    p = system.latency_percentiles(values, (50, 95, 99), method)
    assert min(values) <= p["p50"] <= p["p95"] <= p["p99"] <= max(values)


@settings(max_examples=60, deadline=None)
@given(
    data=labels_scores,
    threshold=st.floats(0, 1, allow_nan=False),
    low=st.floats(0, 50_000, allow_nan=False),
    extra=st.floats(0, 50_000, allow_nan=False),
)
def test_net_savings_never_falls_as_readmissions_cost_more(data, threshold, low, extra) -> None:
    y, s = data
    cheap = business.outcome_at(y, s, threshold, CostModel(cost_per_readmission=low))
    dear = business.outcome_at(y, s, threshold, CostModel(cost_per_readmission=low + extra))
    assert dear.net_savings >= cheap.net_savings - 1e-6


@settings(max_examples=40, deadline=None)
@given(
    data=labels_scores,
    cost=st.floats(0, 5_000, allow_nan=False),
    extra=st.floats(1, 5_000, allow_nan=False),
)
def test_best_savings_never_rise_as_interventions_cost_more(data, cost, extra) -> None:
    y, s = data
    cheap = business.best_threshold(y, s, CostModel(intervention_cost=cost))
    dear = business.best_threshold(y, s, CostModel(intervention_cost=cost + extra))
    assert dear.net_savings <= cheap.net_savings + 1e-6
