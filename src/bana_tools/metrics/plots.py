"""Figures for the book and the exercises.

Every function draws on a new :class:`matplotlib.figure.Figure` (or on the ``ax`` you pass)
and returns the figure. They never call ``pyplot``: no global figure state, no
``plt.show()``, and they work under any backend, including headless ``Agg``. In Jupyter a
returned figure displays as the cell's value; in a script save it with
``fig.savefig("name.png", dpi=150)``.

Colours come from the Okabe-Ito palette, which stays distinguishable with colour-vision
deficiency, and every line also differs in style or marker.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike

from bana_tools.metrics.business import DEFAULT_COSTS, CostModel

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_calibration",
    "plot_latency_histogram",
    "plot_net_savings",
    "plot_precision_recall",
]

BLUE, ORANGE, GREEN, VERMILION, PURPLE, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#666666")


@cache
def _figure_class() -> type[Figure]:
    """A :class:`~matplotlib.figure.Figure` that Jupyter shows as a PNG even when pyplot
    (and with it the inline backend's display hook) was never imported."""
    from matplotlib.figure import Figure

    class NotebookFigure(Figure):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=110)
            return buffer.getvalue()

    return NotebookFigure


def _axes(ax: Axes | None, size: tuple[float, float] = (6.4, 4.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = _figure_class()(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _style(ax: Axes) -> None:
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend_below(ax: Axes) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)


def plot_precision_recall(
    y_true: ArrayLike,
    score: ArrayLike,
    threshold: float | None = None,
    *,
    ax: Axes | None = None,
    title: str = "Precision and recall against threshold",
) -> Figure:
    """Precision and recall at every threshold 0.00-1.00; a dashed line marks
    ``threshold`` if given, with its values in the legend."""
    from bana_tools.metrics.model import confusion_at, threshold_table

    fig, ax = _axes(ax)
    table = threshold_table(y_true, score)
    shown = table[table["flagged"] > 0]
    ax.plot(shown["threshold"], shown["precision"], color=BLUE, linewidth=2, label="precision")
    ax.plot(table["threshold"], table["recall"], color=VERMILION, linewidth=2, linestyle="--",
            label="recall")
    base = float(np.mean(np.asarray(y_true)))
    ax.axhline(base, color=GREY, linewidth=1, linestyle=":",
               label=f"base rate {base:.1%}")
    if threshold is not None:
        c = confusion_at(y_true, score, threshold)
        ax.axvline(threshold, color="black", linewidth=1, linestyle="-.",
                   label=f"threshold {threshold:g}: P={c.precision:.2f}, R={c.recall:.2f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("threshold (flag if score \u2265 threshold)")
    ax.set_ylabel("share")
    ax.set_title(title)
    _legend_below(ax)
    _style(ax)
    return fig


def plot_net_savings(
    y_true: ArrayLike,
    score: ArrayLike,
    costs: CostModel = DEFAULT_COSTS,
    *,
    ax: Axes | None = None,
    title: str = "Net savings against threshold",
) -> Figure:
    """Net savings (USD) at every threshold 0.00-1.00 under ``costs``, with the best
    threshold marked and labelled."""
    from bana_tools.metrics.business import best_threshold, savings_curve

    fig, ax = _axes(ax)
    curve = savings_curve(y_true, score, costs)
    best = best_threshold(y_true, score, costs)
    ax.axhline(0, color=GREY, linewidth=1)
    ax.plot(curve["threshold"], curve["net_savings"] / 1000, color=GREEN, linewidth=2,
            label="net savings")
    ax.plot([best.threshold], [best.net_savings / 1000], marker="o", markersize=8,
            color=VERMILION, linestyle="none",
            label=f"best: threshold {best.threshold:.2f}, ${best.net_savings:,.0f}")
    ax.annotate(f"flag {best.flagged:,} patients", (best.threshold, best.net_savings / 1000),
                xytext=(14, -22), textcoords="offset points", fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_xlabel("threshold (flag if score \u2265 threshold)")
    ax.set_ylabel("net savings (thousand USD)")
    ax.set_title(title)
    ax.text(0.99, 0.02,
            f"cost/readmission ${costs.cost_per_readmission:,.0f}, intervention "
            f"${costs.intervention_cost:,.0f}, effect {costs.intervention_effect:.0%}, "
            f"fixed ${costs.fixed_cost:,.0f}",
            transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color=GREY)
    _legend_below(ax)
    _style(ax)
    return fig


def plot_calibration(
    y_true: ArrayLike,
    score: ArrayLike,
    bins: int = 10,
    strategy: Literal["uniform", "quantile"] = "uniform",
    *,
    ax: Axes | None = None,
    title: str = "Calibration",
) -> Figure:
    """Observed readmission rate against mean predicted probability per bin (marker area
    grows with the bin's patients), the diagonal of perfect calibration, and the ECE."""
    from bana_tools.metrics.model import calibration_table, expected_calibration_error

    fig, ax = _axes(ax, (5.2, 5.0))
    table = calibration_table(y_true, score, bins=bins, strategy=strategy)
    ece = expected_calibration_error(y_true, score, bins=bins, strategy=strategy)
    top = float(max(table["mean_score"].max(), table["observed_rate"].max(), 0.05))
    top = min(1.0, top * 1.1)
    ax.plot([0, top], [0, top], color=GREY, linestyle=":", linewidth=1.2,
            label="perfect calibration")
    sizes = 20 + 300 * table["n"] / table["n"].max()
    ax.plot(table["mean_score"], table["observed_rate"], color=BLUE, linewidth=1.5)
    ax.scatter(table["mean_score"], table["observed_rate"], s=sizes, color=BLUE, zorder=3,
               label=f"model (ECE {ece:.3f})")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_aspect("equal")
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed readmission rate")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    _style(ax)
    return fig


def plot_latency_histogram(
    latency_ms: ArrayLike,
    percentiles: Sequence[float] = (50, 95, 99),
    method: Literal["linear", "nearest-rank"] = "linear",
    *,
    ax: Axes | None = None,
    title: str = "Prediction latency",
) -> Figure:
    """Histogram of latencies on a logarithmic axis with the percentiles marked and
    labelled (computed with :func:`bana_tools.metrics.system.latency_percentiles`)."""
    from bana_tools.metrics.system import latency_percentiles

    values = np.asarray(latency_ms, dtype=float)
    pct = latency_percentiles(values, percentiles, method)
    fig, ax = _axes(ax)
    low = max(float(values.min()), 0.1)
    high = max(float(values.max()), low * 1.01)
    edges = np.geomspace(low, high, 60)
    ax.hist(values, bins=edges, color="#9ecae1", edgecolor="white", linewidth=0.3)
    ax.set_xscale("log")
    styles = ["-", "--", "-.", ":"]
    colours = [GREEN, ORANGE, VERMILION, PURPLE]
    for i, (name, value) in enumerate(pct.items()):
        ax.axvline(value, color=colours[i % 4], linestyle=styles[i % 4], linewidth=2,
                   label=f"{name} = {value:,.0f} ms")
    ax.set_xlabel(f"latency (ms, log scale; percentiles by the {method} method)")
    ax.set_ylabel("requests")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    _style(ax)
    return fig
