"""Chapter 2 computational exercise: compute the pilot's metrics from data.

The hospital scored every discharge of a pilot quarter without acting on the scores
(:func:`bana_tools.data.pilot_predictions`) and logged every request to the model service
(:func:`bana_tools.data.request_log`). Students compute model, system and business
metrics in code cells and enter the numbers in the form. The checks recompute every
value from the same data at check time; no expected number is stored anywhere a student
sees (this declaration holds only the scenario's inputs; the data and the expected values come
from :mod:`bana_tools.scenarios.ch02_pilot_metrics`).
"""

from __future__ import annotations

from bana_tools.exercises.schema import (
    CheckSpec,
    Exercise,
    LongText,
    NotebookCell,
    NumberQuestion,
    Part,
    Scenario,
)

#: Inputs of the scenario, shown to students in the notebook.
SCENARIO: dict[str, float | int] = {
    "pilot_seed": 2024,
    "log_seed": 7,
    "log_rows": 5000,
    "threshold": 0.20,
    "cost_per_readmission": 15_200.0,
    "intervention_cost": 600.0,
    "intervention_effect": 0.25,
    "fixed_cost": 0.0,
}

_S = SCENARIO

CELLS = (
    NotebookCell(
        id="data-intro", kind="markdown",
        source="## The data\n\nThe next cell loads the pilot's scores and outcomes, and a week "
               "of requests to the model service, with the threshold stated above.",
    ),
    NotebookCell(
        id="load-data", kind="code",
        source="from bana_tools.scenarios import load\n\n"
               'data = load("ch02-pilot-metrics")\n'
               "pilot, log, threshold = data.pilot, data.log, data.threshold\n"
               "print(len(pilot), 'pilot discharges;', len(log), 'requests')\n"
               "pilot.head()",
    ),
    NotebookCell(
        id="model-intro", kind="markdown",
        source="## 1. Model metrics\n\nCount true positives and flagged patients at the "
               "threshold, then compute recall and precision. `bana_tools.metrics.model` has "
               "helpers, but try it with pandas first.",
    ),
    NotebookCell(id="model-work", kind="code",
                 source="# Your code: recall and precision at `threshold`\n"),
    NotebookCell(
        id="system-intro", kind="markdown",
        source="## 2. System metric\n\nKeep the successful requests (`status == 200`) and take "
               "the 95th percentile of `latency_ms`.",
    ),
    NotebookCell(id="system-work", kind="code",
                 source="# Your code: p95 latency of the successful requests\n"),
    NotebookCell(
        id="business-intro", kind="markdown",
        source="## 3. Business metrics\n\nNet savings = prevented readmissions x cost of a "
               "readmission - flagged patients x programme cost per patient, where prevented "
               "readmissions = true positives x the programme's effect. Then scan thresholds "
               "from 0 to 1 and find the one with the highest net savings. "
               "(`bana_tools.metrics.business.CostModel` can hold the costs.)",
    ),
    NotebookCell(id="business-work", kind="code",
                 source="# Your code: net savings at `threshold`, then the best threshold\n"),
    NotebookCell(
        id="enter-intro", kind="markdown",
        source="## Enter your results\n\nType the numbers into the form above (ratios between 0 "
               "and 1, latency in milliseconds, savings in dollars). The self-check says "
               "whether each number matches what the data gives; it never shows the "
               "expected value.",
    ),
)

EXERCISE = Exercise(
    id="ch02-pilot-metrics",
    title="Chapter 2: the pilot's metrics, computed",
    assignment="ch02",
    source="Textbook section 2.3 (model, system and business metrics), 2.4 (value)",
    intro=(
        f"The readmission model ran silently for one quarter: every discharge got a risk "
        f"score, nobody acted on it, and the 30-day outcomes were recorded. Compute what the "
        f"pilot says, in the code cells of this notebook, and enter your numbers below. Use "
        f"a flagging threshold of {_S['threshold']:.2f} (flag when score >= threshold), a cost "
        f"of ${_S['cost_per_readmission']:,.0f} per readmission, ${_S['intervention_cost']:,.0f} "
        f"per flagged patient for the follow-up programme, and assume the programme prevents "
        f"{_S['intervention_effect']:.0%} of the readmissions among flagged patients who would "
        f"have come back."
    ),
    parts=(
        Part(
            id="model",
            title="1. Model metrics",
            questions=(
                NumberQuestion(
                    id="recall", label="Recall",
                    prompt=f"Recall at threshold {_S['threshold']:.2f}: the share of actual "
                    "readmissions that were flagged (a ratio between 0 and 1).",
                    unit="ratio", minimum=0, maximum=1,
                ),
                NumberQuestion(
                    id="precision", label="Precision",
                    prompt=f"Precision at threshold {_S['threshold']:.2f}: the share of "
                    "flagged patients who were readmitted (a ratio between 0 and 1).",
                    unit="ratio", minimum=0, maximum=1,
                ),
            ),
        ),
        Part(
            id="system",
            title="2. System metric",
            questions=(
                NumberQuestion(
                    id="p95_latency", label="p95 latency",
                    prompt="The 95th percentile of latency over the successful requests "
                    "(status 200) of the request log, in milliseconds (numpy's default "
                    "percentile method).",
                    unit="ms", minimum=0, maximum=10_000,
                ),
            ),
        ),
        Part(
            id="business",
            title="3. Business metrics",
            questions=(
                NumberQuestion(
                    id="net_savings", label="Net savings",
                    prompt=f"Net savings of the pilot quarter at threshold "
                    f"{_S['threshold']:.2f}: readmissions prevented times the cost of a "
                    "readmission, minus the programme's cost for every flagged patient.",
                    unit="USD", minimum=-100_000_000, maximum=100_000_000, decimals=0,
                ),
                NumberQuestion(
                    id="best_threshold", label="Best threshold",
                    prompt="Which threshold maximises net savings on the pilot? Search "
                    "thresholds between 0 and 1 (steps of 0.01 are fine).",
                    unit="", minimum=0, maximum=1, decimals=2,
                ),
                LongText(
                    id="interpretation", label="What it means",
                    prompt="Would you recommend running the programme at the best threshold? "
                    "Use your numbers, and say what they leave out.",
                    min_words=60, max_words=250, points=3,
                    rubric="Uses the computed numbers; weighs capacity, uncertainty (one "
                    "quarter), and what the cost model ignores.",
                ),
            ),
        ),
    ),
    scenario=Scenario(module="bana_tools.scenarios.ch02_pilot_metrics", params=SCENARIO),
    cells=CELLS,
    checks=(
        CheckSpec(id="recall-value", title="Recall at the threshold", points=2,
                  kind="computed_value", params={"question": "recall", "tolerance": 0.005}),
        CheckSpec(id="precision-value", title="Precision at the threshold", points=2,
                  kind="computed_value", params={"question": "precision", "tolerance": 0.005}),
        CheckSpec(id="latency-value", title="p95 latency", points=2,
                  kind="computed_value", params={"question": "p95_latency", "relative": 0.01}),
        CheckSpec(id="savings-value", title="Net savings at the threshold", points=2,
                  kind="computed_value", params={"question": "net_savings", "relative": 0.01,
                                              "tolerance": 100}),
        CheckSpec(id="best-threshold", title="Savings-maximising threshold", points=2,
                  kind="pilot_best_threshold", params={"question": "best_threshold",
                                                       "relative": 0.01}),
        CheckSpec(id="interpretation-written", title="Interpretation written", points=1,
                  kind="min_words", params={"question": "interpretation", "n": 60}),
    ),
)
