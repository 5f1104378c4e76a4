"""Chapter 2 exercise: define the metrics of the readmission system, fully.

Builds on section 2.3 (model, system and business metrics; targets, thresholds and
alerts from 2.3.3). Each row is a metric definition a team could put on a dashboard.
"""

from __future__ import annotations

from typing import Any

from bana_tools.exercises.columns import METRIC_COLUMNS
from bana_tools.exercises.filler import filler
from bana_tools.exercises.schema import (
    CheckSpec,
    Exercise,
    LongText,
    Part,
    RecordsQuestion,
    ShortText,
)

#: Example answers for tests, demos and benchmarks (plain filler, not model solutions);
#: they pass every public and hidden check.
_SAMPLE_METRICS = [
    ("Recall", "model", "TP / (TP + FN) at the chosen threshold", "ratio", "0.6", "0.5", "higher"),
    ("Precision", "model", "share of flagged patients who were in fact readmitted", "ratio", "0.3", "0.2", "higher"),
    ("p95 latency", "system", "95th percentile of response time", "ms", "300", "500", "lower"),
    ("Uptime", "system", "share of minutes the service answers", "%", "99.5", "99", "higher"),
    ("Readmission rate", "business", "30-day readmissions / discharges", "%", "12", "14", "lower"),
    ("Net savings", "business", "prevented x cost - programme cost", "USD", "250000", "0", "higher"),
]
SAMPLE_ANSWERS: dict[str, Any] = {
    "metrics": [
        {"name": n, "category": c, "definition": d, "unit": u, "target": t, "alert": a,
         "direction": w, "why": f"{n} shows whether the system helps patients and budget"}
        for n, c, d, u, t, a, w in _SAMPLE_METRICS
    ],
    "north_star": "Net savings",
    "tradeoff": "Recall and precision pull apart. " + filler("the operating point", 70),
}


EXERCISE = Exercise(
    id="ch02-metrics",
    title="Chapter 2: metric definitions for the readmission system",
    assignment="ch02",
    source="Textbook section 2.3 (performance metrics) and 2.3.3 (targets and alerts)",
    intro=(
        "A metric is only useful once everyone computes it the same way and agrees on what "
        "counts as good. Write the definitions the readmission team would put on its "
        "dashboard: two or more per category, each with a unit, a target, the value that "
        "should trigger an alert, and which direction is better."
    ),
    parts=(
        Part(
            id="definitions",
            title="1. Metric definitions",
            intro="Known metric names are checked against the course's metric catalog.",
            questions=(
                RecordsQuestion(
                    id="metrics",
                    label="Metric definitions",
                    prompt="Define at least six metrics, at least two in each category.",
                    help="Target and alert threshold can be numbers (0.8, 300) or short "
                    "phrases. For 'higher is better' the alert sits below the target; for "
                    "'lower is better' above it.",
                    row_label="Metric",
                    min_rows=6, max_rows=20,
                    columns=METRIC_COLUMNS,
                    widget="metrics",
                    points=3,
                    rubric="Definitions are precise enough to compute (data, window, "
                    "threshold); targets are realistic for a hospital.",
                ),
            ),
        ),
        Part(
            id="tradeoffs",
            title="2. Trade-offs",
            questions=(
                ShortText(
                    id="north_star",
                    label="Headline metric",
                    prompt="If leadership could watch only one of your metrics, which one?",
                    placeholder="name one metric from your table",
                    refers_to="metrics.name",
                ),
                LongText(
                    id="tradeoff",
                    label="Trade-off between metrics",
                    prompt="Pick two of your metrics that pull against each other. Explain "
                    "the tension and how you would choose the operating point.",
                    min_words=60, max_words=250, points=3,
                    rubric="Names two metrics from the table; explains the tension and a "
                    "principled way to settle it (costs, capacity, stakeholders).",
                ),
            ),
        ),
    ),
    checks=(
        CheckSpec(id="metrics-count", title="At least six complete metric definitions",
                  points=2, kind="rows_complete", params={"question": "metrics", "min_rows": 6}),
        CheckSpec(id="metrics-per-category", title="Two or more metrics in each category",
                  points=3, kind="covers_choices",
                  params={"question": "metrics", "column": "category",
                          "required": ["model", "system", "business"], "per_choice": 2}),
        CheckSpec(id="metrics-match-catalog", title="Categories and directions agree with "
                  "the catalog", points=3, kind="metric_catalog",
                  params={"question": "metrics", "direction": True}),
        CheckSpec(id="targets-set", title="Every metric has a target and an alert threshold",
                  points=2, kind="columns_filled",
                  params={"question": "metrics", "columns": ["target", "alert"]}),
        CheckSpec(id="alerts-consistent", title="Alert thresholds sit on the bad side of "
                  "the target", points=2, kind="alert_direction", params={"question": "metrics"}),
        CheckSpec(id="tradeoff-answered", title="Headline metric and trade-off answered",
                  points=1, kind="all_answered", params={"questions": ["north_star", "tradeoff"]}),
        CheckSpec(id="north-star-in-table", title="The headline metric is one of your rows",
                  points=1, visibility="hidden"),
        CheckSpec(id="definitions-distinct", title="Definitions are not repeated",
                  points=1, visibility="hidden"),
    ),
    sample_answers=SAMPLE_ANSWERS,
)
