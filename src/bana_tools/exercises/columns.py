"""Column sets shared by several exercises (the metric builder is used twice)."""

from __future__ import annotations

from bana_tools.exercises.schema import Column, Option

METRIC_CATEGORIES: tuple[Option, ...] = (
    Option(value="model", label="Model"),
    Option(value="system", label="System"),
    Option(value="business", label="Business"),
)

DIRECTIONS: tuple[Option, ...] = (
    Option(value="higher", label="Higher is better"),
    Option(value="lower", label="Lower is better"),
    Option(value="target", label="Close to a target"),
)

#: The metric builder's row: the full definition of one metric.
METRIC_COLUMNS: tuple[Column, ...] = (
    Column(id="name", label="Metric", placeholder="e.g. recall at the chosen threshold"),
    Column(id="category", label="Category", kind="choice", options=METRIC_CATEGORIES),
    Column(id="definition", label="Definition or formula", kind="long_text",
           placeholder="how it is computed, from which data"),
    Column(id="unit", label="Unit", placeholder="%, ms, $ per month, ...", required=False),
    Column(id="target", label="Target", placeholder="the value you aim for", required=False),
    Column(id="alert", label="Alert threshold", placeholder="when someone is paged",
           required=False),
    Column(id="direction", label="Direction", kind="choice", options=DIRECTIONS),
    Column(id="why", label="Why it matters", kind="long_text",
           placeholder="what decision or risk it informs"),
)

#: The shorter metric row of the readmission exercise (part 3).
METRIC_COLUMNS_SHORT: tuple[Column, ...] = tuple(
    c for c in METRIC_COLUMNS if c.id in {"name", "category", "definition", "direction", "why"}
)
