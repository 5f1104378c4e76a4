"""The metric catalog: every metric the course names, as data.

Each :class:`MetricEntry` says what a metric is called (``name`` and ``synonyms``), which of
the three layers of the readmission case it belongs to (``category``: the model, the
system that serves it, or the business outcome), what it measures (``definition``), in
which ``unit``, and which way is better (``direction``).

The exercise forms use :func:`lookup` to recognise a metric a student typed, however it is
spelled: ``"P95 Latency (ms)"``, ``"95th percentile latency"`` and ``"latency p95"`` all
find the same entry, as do ``"ROC-AUC"``, ``"AUROC"`` and ``"area under the ROC curve"``.

Matching rules (see :func:`normalise` and :func:`lookup`):

1. Unicode is folded (NFKC) and text lowercased; apostrophes vanish; every other
   punctuation mark, ``$`` and ``%`` become spaces.
2. Percentiles are written the short way: ``95th percentile``, ``percentile 95``,
   ``95 pct`` and ``p 95`` all become ``p95``.
3. The articles ``a``, ``an`` and ``the`` are dropped, and a plural ``s`` is trimmed from
   words longer than three letters (``savings`` -> ``saving``; not ``loss`` or ``ms``).
4. If the whole text does not match, :func:`lookup` retries without parenthesised or
   bracketed parts (``"Recall (sensitivity)"``), then without trailing unit words
   (``"latency in ms"``), each time also ignoring word order (``"latency p95"``).

This module imports only pydantic and the standard library.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel

__all__ = [
    "CATALOG",
    "Category",
    "Direction",
    "MetricEntry",
    "by_category",
    "by_id",
    "lookup",
    "normalise",
]

Category = Literal["model", "system", "business"]
Direction = Literal["higher", "lower", "target"]


class MetricEntry(BaseModel, frozen=True):
    """One metric of the catalog.

    Attributes:
        id: stable slug, e.g. ``"p95_latency"``; other data (exercise answers, checks)
            refers to metrics by this id.
        name: display name, e.g. ``"p95 latency"``.
        category: ``"model"``, ``"system"`` or ``"business"``.
        definition: one sentence, with a formula where one helps.
        unit: e.g. ``"ratio"`` (a proportion between 0 and 1), ``"%"``, ``"ms"``, ``"USD"``.
        direction: ``"higher"`` or ``"lower"`` is better, or ``"target"`` (closer to a
            target value is better).
        synonyms: other names people use for the same metric.
    """

    id: str
    name: str
    category: Category
    definition: str
    unit: str
    direction: Direction
    synonyms: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        """The display name, the id (underscores read as spaces) and every synonym."""
        return (self.name, self.id.replace("_", " "), *self.synonyms)


def _m(
    id: str,
    name: str,
    category: Category,
    unit: str,
    direction: Direction,
    definition: str,
    *synonyms: str,
) -> MetricEntry:
    return MetricEntry(
        id=id,
        name=name,
        category=category,
        definition=definition,
        unit=unit,
        direction=direction,
        synonyms=synonyms,
    )


#: Every metric of the course, model metrics first, then system, then business.
CATALOG: tuple[MetricEntry, ...] = (
    # ---------------------------------------------------------------- model
    _m("precision", "Precision", "model", "ratio", "higher",
       "Of the patients the model flags, the share who are truly readmitted: TP / (TP + FP).",
       "positive predictive value", "ppv"),
    _m("recall", "Recall", "model", "ratio", "higher",
       "Of the patients who are truly readmitted, the share the model flags: TP / (TP + FN).",
       "sensitivity", "true positive rate", "tpr", "hit rate", "detection rate",
       "capture rate"),
    _m("specificity", "Specificity", "model", "ratio", "higher",
       "Of the patients who are not readmitted, the share the model leaves unflagged: "
       "TN / (TN + FP).",
       "true negative rate", "tnr", "selectivity"),
    _m("false_positive_rate", "False positive rate", "model", "ratio", "lower",
       "Of the patients who are not readmitted, the share the model flags anyway: "
       "FP / (FP + TN) = 1 - specificity.",
       "fpr", "fall out", "false alarm rate"),
    _m("npv", "Negative predictive value", "model", "ratio", "higher",
       "Of the patients the model leaves unflagged, the share who are truly not readmitted: "
       "TN / (TN + FN)."),
    _m("f1", "F1 score", "model", "ratio", "higher",
       "The harmonic mean of precision and recall: 2 * P * R / (P + R).",
       "f1", "f score", "f measure", "f1 measure", "balanced f score"),
    _m("accuracy", "Accuracy", "model", "ratio", "higher",
       "The share of all patients the model classifies correctly: (TP + TN) / N.",
       "classification accuracy", "percent correct", "fraction correct"),
    _m("roc_auc", "ROC AUC", "model", "ratio", "higher",
       "The area under the ROC curve (true positive rate against false positive rate over "
       "all thresholds); equals the chance that a random readmitted patient scores above a "
       "random non-readmitted one. 0.5 is chance, 1 is perfect.",
       "auroc", "auc", "auc roc", "area under roc curve", "area under receiver operating "
       "characteristic curve", "c statistic", "concordance statistic", "c index"),
    _m("pr_auc", "PR AUC", "model", "ratio", "higher",
       "The area under the precision-recall curve, summarised as average precision: the mean "
       "of the precision at each threshold weighted by the gain in recall. A model with no "
       "skill scores the base rate.",
       "average precision", "ap", "auprc", "auc pr", "area under precision recall curve",
       "precision recall auc", "precision recall area under curve"),
    _m("brier_score", "Brier score", "model", "ratio", "lower",
       "The mean squared difference between predicted probability and outcome: "
       "mean((p - y)^2); 0 is perfect.",
       "brier", "brier loss", "mean squared error of probabilities"),
    _m("log_loss", "Log loss", "model", "nats", "lower",
       "The mean negative log-likelihood of the outcomes under the predicted probabilities: "
       "-mean(y log p + (1 - y) log(1 - p)).",
       "logarithmic loss", "cross entropy", "binary cross entropy", "logistic loss",
       "negative log likelihood", "nll"),
    _m("expected_calibration_error", "Expected calibration error", "model", "ratio", "lower",
       "How far predicted probabilities are from observed rates: bin the scores, then take "
       "the mean over bins of |mean score - observed rate| weighted by the bin's share of "
       "patients.",
       "ece", "calibration", "calibration error", "miscalibration"),
    _m("calibration_slope", "Calibration slope", "model", "ratio", "target",
       "The slope of a logistic regression of the outcome on the model's log-odds; 1 is "
       "ideal, below 1 means the scores are too extreme, above 1 too timid.",
       "calibration curve slope"),
    # ---------------------------------------------------------------- system
    _m("p50_latency", "p50 latency", "system", "ms", "lower",
       "The median time to return a prediction: half of the requests finish faster.",
       "median latency", "p50", "median response time", "p50 response time"),
    _m("p95_latency", "p95 latency", "system", "ms", "lower",
       "The time within which 95% of requests return a prediction (95th percentile).",
       "p95", "p95 response time", "tail latency"),
    _m("p99_latency", "p99 latency", "system", "ms", "lower",
       "The time within which 99% of requests return a prediction (99th percentile).",
       "p99", "p99 response time"),
    _m("mean_latency", "Mean latency", "system", "ms", "lower",
       "The average time to return a prediction over all requests.",
       "latency", "average latency", "avg latency", "response time", "average response time",
       "mean response time", "prediction latency", "inference latency"),
    _m("throughput", "Throughput", "system", "requests/s", "higher",
       "The number of requests the service completes per second.",
       "requests per second", "requests/s", "rps", "queries per second", "qps", "predictions per second",
       "request rate"),
    _m("availability", "Availability", "system", "%", "higher",
       "The share of time (or of requests) in which the service answers correctly: "
       "successful requests / all requests.",
       "uptime", "service availability", "service uptime"),
    _m("error_rate", "Error rate", "system", "%", "lower",
       "The share of requests that fail (server errors and time-outs): failed / all requests.",
       "failure rate", "failed request rate", "request error rate", "5xx rate"),
    _m("resource_use", "Resource use", "system", "%", "lower",
       "The share of the provisioned compute (CPU, memory, GPU) the service keeps busy.",
       "resource utilisation", "resource utilization", "resource usage", "compute usage",
       "infrastructure usage"),
    _m("cpu_use", "CPU use", "system", "%", "lower",
       "The share of the allotted CPU time the model service uses.",
       "cpu utilisation", "cpu utilization", "cpu usage", "cpu load"),
    _m("memory_use", "Memory use", "system", "MB", "lower",
       "The memory the model service holds while serving.",
       "memory usage", "memory utilisation", "memory utilization", "ram usage", "ram use",
       "memory footprint"),
    _m("gpu_use", "GPU use", "system", "%", "lower",
       "The share of the allotted GPU time the model service uses.",
       "gpu utilisation", "gpu utilization", "gpu usage", "gpu load"),
    _m("cost_per_prediction", "Cost per prediction", "system", "USD", "lower",
       "What the infrastructure costs for each prediction served: serving cost / predictions.",
       "inference cost", "serving cost", "cost per inference", "cost per request"),
    _m("time_to_retrain", "Time to retrain", "system", "hours", "lower",
       "The time from deciding to retrain the model to having a validated new version.",
       "retraining time", "retrain time", "training time", "time to train"),
    _m("time_to_deploy", "Time to deploy", "system", "hours", "lower",
       "The time from a validated model version to that version serving predictions.",
       "deployment time", "deploy time", "time to production", "deployment lead time"),
    _m("data_freshness", "Data freshness", "system", "hours", "lower",
       "The age of the newest data the model's features are computed from at prediction "
       "time.",
       "data staleness", "data lag", "feature freshness", "feature staleness", "data age"),
    _m("data_drift", "Data drift", "system", "PSI", "lower",
       "How far the distribution of inputs or scores has moved from the training period, "
       "e.g. as a population stability index.",
       "population stability index", "psi", "feature drift", "covariate drift", "drift",
       "score drift"),
    # ---------------------------------------------------------------- business
    _m("readmission_rate", "30-day readmission rate", "business", "%", "lower",
       "The share of discharges followed by an unplanned readmission within 30 days.",
       "readmission rate", "readmit rate", "30 day readmit rate", "rate of readmission"),
    _m("readmissions_prevented", "Readmissions prevented", "business", "readmissions",
       "higher",
       "Readmissions the intervention avoids: true positives x intervention effect.",
       "readmissions avoided", "prevented readmissions", "avoided readmissions",
       "number of readmissions prevented", "number of readmissions avoided"),
    _m("net_savings", "Net savings", "business", "USD", "higher",
       "Money saved after paying for the programme: readmissions prevented x cost per "
       "readmission - flagged patients x intervention cost - fixed cost.",
       "savings", "net benefit", "cost savings", "net cost savings", "money saved",
       "net monetary benefit"),
    _m("roi", "Return on investment", "business", "ratio", "higher",
       "Net savings divided by what the programme costs (interventions plus fixed cost).",
       "roi", "return on investment ratio"),
    _m("cost_per_readmission_avoided", "Cost per readmission avoided", "business", "USD",
       "lower",
       "What the programme spends for each readmission it prevents: total programme cost / "
       "readmissions prevented.",
       "cost per readmission prevented", "cost per avoided readmission",
       "cost per prevented readmission"),
    _m("number_needed_to_treat", "Number needed to treat", "business", "patients", "lower",
       "How many flagged patients must receive the intervention to prevent one "
       "readmission: flagged / readmissions prevented.",
       "nnt", "number needed to intervene", "nni"),
    _m("intervention_cost", "Intervention cost", "business", "USD", "lower",
       "What the follow-up programme costs: flagged patients x cost per intervention.",
       "cost of intervention", "programme cost", "program cost", "total intervention cost",
       "cost of the programme"),
    _m("clinician_time_saved", "Clinician time saved", "business", "hours", "higher",
       "Staff hours freed, e.g. by reviewing only flagged patients instead of all discharges.",
       "staff time saved", "nurse time saved", "time saved", "hours saved",
       "care team time saved"),
    _m("patient_satisfaction", "Patient satisfaction", "business", "score", "higher",
       "How patients rate their care, e.g. the HCAHPS survey's overall rating.",
       "hcahps", "hcahps score", "patient experience", "patient experience score"),
    _m("penalty_avoided", "HRRP penalty avoided", "business", "USD", "higher",
       "Reduction in the Medicare payment penalty the hospital pays under the CMS Hospital "
       "Readmissions Reduction Program for excess readmissions.",
       "penalty avoided", "cms penalty avoided", "hrrp penalty avoided",
       "readmission penalty avoided", "cms hrrp penalty avoided", "hrrp penalty reduction",
       "avoided penalty"),
    _m("adoption_rate", "Adoption rate", "business", "%", "higher",
       "The share of flagged patients for whom clinicians actually act on the flag.",
       "clinician adoption", "adoption", "uptake", "usage rate", "alert acceptance rate",
       "alert uptake"),
    _m("flag_rate", "Flag rate", "business", "%", "target",
       "The share of discharges the model flags; it should match the care team's capacity.",
       "alert rate", "share flagged", "percent flagged", "patients flagged", "workload"),
    _m("average_length_of_stay", "Average length of stay", "business", "days", "lower",
       "Mean number of days from admission to discharge.",
       "alos", "length of stay", "mean length of stay"),
)

# ------------------------------------------------------------------------- matching

_ARTICLES = frozenset({"a", "an", "the"})
_UNIT_WORDS = frozenset({
    "in", "ms", "millisecond", "msec", "second", "sec", "s", "percent", "pct", "percentage",
    "usd", "dollar", "ratio", "fraction", "proportion", "hour", "hr", "h", "day", "value",
    "us", "mb", "gb",
})
_PERCENTILE = re.compile(r"\b(\d{1,2})\s*(?:st|nd|rd|th)?\s*(?:percentile|pctl|pct|centile)\b")
_PERCENTILE_AFTER = re.compile(r"\b(?:percentile|pctl)\s*(\d{1,2})\b")
_P_SPACE = re.compile(r"\bp\s+(\d{1,2})\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(name: str) -> str:
    """Normalise a metric name for matching (the rules are in the module docstring).

    >>> normalise("  P95 Latency (ms) ")
    'p95 latency ms'
    >>> normalise("95th-percentile latency")
    'p95 latency'
    >>> normalise("Net Savings ($)")
    'net saving'
    """
    text = unicodedata.normalize("NFKC", name).lower()
    text = text.replace("'", "").replace("\u2019", "")
    text = text.replace("&", " and ")
    text = _NON_WORD.sub(" ", text)
    text = _PERCENTILE.sub(r" p\1 ", text)
    text = _PERCENTILE_AFTER.sub(r" p\1 ", text)
    text = _P_SPACE.sub(r"p\1", text)
    words = [_singular(w) for w in text.split() if w not in _ARTICLES]
    return " ".join(words)


def _bag(key: str) -> str:
    return " ".join(sorted(key.split()))


def _index(entries: Iterable[MetricEntry], keyer) -> Mapping[str, MetricEntry]:
    index: dict[str, MetricEntry] = {}
    for entry in entries:
        for label in entry.names():
            key = keyer(normalise(label))
            other = index.setdefault(key, entry)
            if other.id != entry.id:  # pragma: no cover - guarded by tests/test_catalog.py
                raise ValueError(f"metric name {label!r} is claimed by {other.id} and {entry.id}")
    return MappingProxyType(index)


_BY_KEY = _index(CATALOG, lambda key: key)
_BY_BAG = _index(CATALOG, _bag)
_BY_ID = MappingProxyType({entry.id: entry for entry in CATALOG})


def _candidates(name: str) -> list[str]:
    keys = [normalise(name), normalise(_BRACKETED.sub(" ", name))]
    for key in list(keys):
        words = key.split()
        while words and words[-1] in _UNIT_WORDS:
            words.pop()
        keys.append(" ".join(words))
    seen: list[str] = []
    for key in keys:
        if key and key not in seen:
            seen.append(key)
    return seen


def lookup(name: str) -> MetricEntry | None:
    """The catalog entry called ``name`` (by display name, id or synonym), or ``None``.

    >>> lookup("AUROC").id
    'roc_auc'
    >>> lookup("P95 Latency (ms)").id
    'p95_latency'
    >>> lookup("happiness index") is None
    True
    """
    if not isinstance(name, str):
        return None
    for key in _candidates(name):
        entry = _BY_KEY.get(key) or _BY_BAG.get(_bag(key))
        if entry is not None:
            return entry
    return None


def by_id(metric_id: str) -> MetricEntry | None:
    """The entry whose ``id`` is exactly ``metric_id``, or ``None``."""
    return _BY_ID.get(metric_id)


def by_category(category: Category) -> tuple[MetricEntry, ...]:
    """The entries of one category, in catalog order.

    Raises:
        ValueError: if ``category`` is not ``"model"``, ``"system"`` or ``"business"``.
    """
    if category not in ("model", "system", "business"):
        raise ValueError(f"unknown metric category {category!r} (model, system or business)")
    return tuple(entry for entry in CATALOG if entry.category == category)


def compare_row(name: str, category: str = "", direction: str = "", *,
                require_category: bool = False,
                check_direction: bool = True) -> tuple[MetricEntry | None, list[str]]:
    """How a student's metric row agrees with the catalog: ``(entry, problems)``.

    ``entry`` is ``None`` when the name is not in the catalog (then nothing is compared).
    ``problems`` are phrases, category first, e.g. ``"Recall is a model metric, not a
    business metric"`` or ``"for Recall, higher is better, not lower"``. The form's live
    feedback and the graded check both use this one comparison.

    >>> compare_row("AUROC", "business")[1]
    ['ROC AUC is a model metric, not a business metric']
    """
    entry = lookup(name) if isinstance(name, str) and name.strip() else None
    if entry is None:
        return None, []
    problems: list[str] = []
    if category and category != entry.category:
        problems.append(f"{entry.name} is a {entry.category} metric, not a {category} metric")
    elif not category and require_category:
        problems.append(f"{entry.name} needs a category (it is a {entry.category} metric)")
    if check_direction and direction and entry.direction != "target" and direction != entry.direction:
        problems.append(f"for {entry.name}, {entry.direction} is better, not {direction}")
    return entry, problems
