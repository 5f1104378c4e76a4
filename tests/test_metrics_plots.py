"""Figures: right content, PNG output, no pyplot, drawable on a given Axes."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from bana_tools.data import request_log
from bana_tools.metrics import plots
from bana_tools.metrics.business import CostModel, best_threshold
from bana_tools.metrics.system import latency_percentiles

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def scored() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    score = np.round(rng.beta(2, 9, 1500), 3)
    return (rng.random(1500) < score).astype(int), score


def labels(fig: Figure) -> list[str]:
    return [text.get_text() for text in fig.axes[0].get_legend().get_texts()]


def test_precision_recall_plot(scored) -> None:
    y, s = scored
    fig = plots.plot_precision_recall(y, s, threshold=0.2)
    names = labels(fig)
    assert names[:2] == ["precision", "recall"]
    assert any(n.startswith("threshold 0.2: P=") for n in names)
    assert fig._repr_png_().startswith(PNG)


def test_net_savings_plot_marks_the_best_threshold(scored) -> None:
    y, s = scored
    costs = CostModel(intervention_cost=800)
    fig = plots.plot_net_savings(y, s, costs)
    best = best_threshold(y, s, costs)
    marker = [line for line in fig.axes[0].get_lines() if line.get_marker() == "o"][0]
    assert marker.get_xdata()[0] == pytest.approx(best.threshold)
    assert marker.get_ydata()[0] == pytest.approx(best.net_savings / 1000)
    assert any(f"{best.threshold:.2f}" in n for n in labels(fig))


def test_calibration_plot_reports_ece(scored) -> None:
    y, s = scored
    fig = plots.plot_calibration(y, s)
    assert any(n.startswith("model (ECE ") for n in labels(fig))
    assert fig.axes[0].get_xlabel() == "mean predicted probability"


def test_latency_histogram_marks_percentiles() -> None:
    log = request_log(2000, 5)
    fig = plots.plot_latency_histogram(log["latency_ms"], method="nearest-rank")
    pct = latency_percentiles(log["latency_ms"], method="nearest-rank")
    xs = [line.get_xdata()[0] for line in fig.axes[0].get_lines()]
    assert xs == pytest.approx([pct["p50"], pct["p95"], pct["p99"]])
    assert [n.split(" =")[0] for n in labels(fig)] == ["p50", "p95", "p99"]
    assert fig.axes[0].get_xscale() == "log"


def test_plots_draw_on_a_given_axes(scored) -> None:
    y, s = scored
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plots.plot_precision_recall(y, s, ax=left) is fig
    assert plots.plot_calibration(y, s, ax=right) is fig
    assert left.get_lines() and right.get_lines()


def test_plots_never_touch_pyplot() -> None:
    code = (
        "import json, sys; import numpy as np; from bana_tools.metrics import plots; "
        "fig = plots.plot_latency_histogram(np.arange(1, 200.0)); fig._repr_png_(); "
        "print(json.dumps('matplotlib.pyplot' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False
