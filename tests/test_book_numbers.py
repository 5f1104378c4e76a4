"""The worked numbers of the book's section 2.3.3 agree with the cost model (no build needed).

Section 2.3.3 illustrates a measurable target ("at least 60% recall at 30% precision or
better ... positive net savings") with figures computed from ``bana_tools.metrics.business``
under the default :class:`CostModel`. The page's hidden guard cell asserts them at build time
from its ``TARGET`` constants; this test reads the same figures from the prose itself, checks
them with the same functions, and checks that the guard cell's constants are the ones the
prose prints, so neither the text nor the guard can drift alone.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from bana_tools.data import pilot_predictions
from bana_tools.metrics.business import (
    CostModel,
    break_even_precision,
    net_savings,
    readmissions_prevented,
)
from bana_tools.metrics.model import threshold_table

PAGE = Path(__file__).resolve().parents[1] / "book" / "part1" / "ch02-before-we-build.md"
COSTS = CostModel()


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("$", ""))


@cache
def section_233() -> str:
    source = PAGE.read_text(encoding="utf-8")
    start, end = source.index("(ch02-metric-practices)="), source.index("(ch02-value)=")
    return source[start:end]


@cache
def prose() -> str:
    """The section's text without code cells, with line breaks folded into spaces."""
    text = re.sub(r"```\{code-cell\}.*?```", " ", section_233(), flags=re.S)
    return " ".join(text.split())


@cache
def guard_constants() -> dict[str, float]:
    cell = re.search(r"```\{code-cell\}[^\n]*\n:tags: \[remove-cell\]\n(.*?)```", section_233(), re.S)
    assert cell, "section 2.3.3 has its hidden guard cell"
    for node in ast.walk(ast.parse(cell.group(1))):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "TARGET":
            return ast.literal_eval(node.value)
    raise AssertionError("the guard cell defines TARGET")


def find(pattern: str) -> tuple[float, ...]:
    match = re.search(pattern, prose())
    assert match, f"section 2.3.3 no longer says: {pattern}"
    return tuple(_number(g) for g in match.groups())


def test_the_target_itself_is_above_break_even():
    recall, precision = find(r"At least (\d+)% recall at (\d+)% precision or better")
    (break_even,) = find(r"break-even precision of ([\d.]+)%")
    assert round(100 * break_even_precision(COSTS), 1) == break_even
    assert precision / 100 > break_even_precision(COSTS), "a target below break-even cannot save money"
    assert (recall / 100, precision / 100) == (guard_constants()["recall"], guard_constants()["precision"])


def test_the_worked_example_follows_from_the_cost_model():
    target = guard_constants()
    discharges, readmissions = find(r"\(([\d,]+) discharges, ([\d,]+) readmissions\)")
    recall, flagged_tp = find(r"(\d+)% recall means ([\d,]+) readmissions flagged")
    precision, flags = find(r"at (\d+)% precision that takes ([\d,]+) flags")
    prevented, gross, cost = find(r"prevents about (\d+) readmissions worth (\$[\d,]+) for (\$[\d,]+) of interventions")
    (net,) = find(r"a net saving of about (\$[\d,]+)")
    low_precision, flags_low, loss = find(r"same recall at (\d+)% precision would need ([\d,]+) flags and\s+lose about (\$[\d,]+)")

    tp = recall / 100 * readmissions
    assert round(tp) == flagged_tp
    assert round(tp / (precision / 100)) == flags
    assert round(readmissions_prevented(tp, COSTS)) == prevented
    assert readmissions_prevented(tp, COSTS) * COSTS.cost_per_readmission == gross
    assert flags * COSTS.intervention_cost == cost
    assert net > 0 and abs(net_savings(tp, flags, COSTS) - net) < 1_000
    assert round(tp / (low_precision / 100)) == flags_low
    assert net_savings(tp, flags_low, COSTS) < 0 and abs(net_savings(tp, flags_low, COSTS) + loss) < 1_000
    assert low_precision / 100 < break_even_precision(COSTS)

    printed = {"discharges": discharges, "readmissions": readmissions, "flagged_tp": flagged_tp, "flags": flags,
               "prevented": prevented, "gross": gross, "cost": cost, "net": net, "flags_low": flags_low,
               "net_low": -loss, "low_precision": low_precision / 100}
    assert {k: target[k] for k in printed} == pytest.approx(printed)


def test_the_pilot_and_the_baseline_figures_match_the_data():
    pilot = pilot_predictions(seed=2024)
    discharges, readmissions = find(r"\(([\d,]+) discharges, ([\d,]+) readmissions\)")
    assert (len(pilot), int(pilot["y_true"].sum())) == (discharges, readmissions)
    threshold, recall, precision = find(r"at a threshold of ([\d.]+) it\s+reaches ([\d.]+)% recall at ([\d.]+)% precision")
    table = threshold_table(pilot["y_true"], pilot["score"])
    row = table.loc[(table["threshold"] - threshold).abs() < 1e-9].iloc[0]
    assert round(100 * row["recall"], 1) == recall and round(100 * row["precision"], 1) == precision
    target = guard_constants()
    assert (threshold, recall / 100, precision / 100) == pytest.approx(
        (target["baseline_threshold"], target["baseline_recall"], target["baseline_precision"]))
