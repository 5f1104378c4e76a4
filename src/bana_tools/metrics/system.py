"""System metrics from a request log: latency percentiles, throughput, availability, errors.

The functions take plain arrays (or pandas Series), so they work on any log;
:func:`request_summary` reads the columns of :func:`bana_tools.data.request_log`.

**Percentile method.** A percentile of a finite sample needs a rule, and the rules give
different answers on small logs. Two are offered, named explicitly:

- ``"linear"`` (the default, numpy's default): sort the n values x_1 <= ... <= x_n and
  read position h = (n - 1) * p / 100 (counting from 0), interpolating linearly between
  the two neighbouring values. The result may lie between two observed latencies.
- ``"nearest-rank"``: the smallest observed value such that at least p% of the values are
  at or below it, i.e. x_k with k = ceil(p / 100 * n) (counting from 1); numpy's
  ``"inverted_cdf"``. The result is always an observed latency, and it is the usual rule
  in service-level objectives.

**Which requests count.** Latency percentiles here use every request in the array you
pass. :func:`request_summary` passes all requests, including failed ones, because a user
waits for those too; filter the log first (e.g. ``log[log.status < 500]``) if you want
successful requests only, and say so when you report the figure.

**Errors.** A request *fails* when its HTTP status is 500 or more (server error,
unavailable, time-out). Client errors (4xx) are the caller's fault and count as answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "PercentileMethod",
    "availability",
    "error_rate",
    "latency_percentiles",
    "peak_throughput",
    "percentile",
    "request_summary",
    "throughput",
]

PercentileMethod = Literal["linear", "nearest-rank"]
_NUMPY_METHOD = {"linear": "linear", "nearest-rank": "inverted_cdf"}


def _latencies(latency_ms: ArrayLike) -> np.ndarray:
    values = np.asarray(latency_ms, dtype=float)
    if values.ndim != 1:
        raise ValueError("latency_ms must be one-dimensional")
    if len(values) == 0:
        raise ValueError("latency_ms is empty: percentiles need at least one request")
    if np.isnan(values).any():
        raise ValueError("latency_ms contains NaN")
    return values


def percentile(latency_ms: ArrayLike, p: float, method: PercentileMethod = "linear") -> float:
    """The ``p``-th percentile (0-100) of the latencies with the named ``method``.

    >>> percentile([10, 20, 30, 40], 50)
    25.0
    >>> percentile([10, 20, 30, 40], 50, method="nearest-rank")
    20.0
    """
    if method not in _NUMPY_METHOD:
        raise ValueError(f"method must be 'linear' or 'nearest-rank', not {method!r}")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be between 0 and 100, not {p}")
    values = _latencies(latency_ms)
    return float(np.percentile(values, p, method=_NUMPY_METHOD[method]))


def latency_percentiles(
    latency_ms: ArrayLike,
    percentiles: Sequence[float] = (50, 95, 99),
    method: PercentileMethod = "linear",
) -> dict[str, float]:
    """Several latency percentiles at once, keyed ``"p50"``, ``"p95"``, ``"p99"``, ...

    Percentiles are non-decreasing in ``p`` with either method.
    """
    values = _latencies(latency_ms)
    return {f"p{p:g}": percentile(values, p, method) for p in percentiles}


def _seconds(timestamps: ArrayLike) -> np.ndarray:
    ts = pd.to_datetime(pd.Series(np.asarray(timestamps)))
    if ts.isna().any():
        raise ValueError("timestamps contain missing values")
    if ts.empty:
        return np.zeros(0)
    return (ts - ts.min().floor("D")).dt.total_seconds().to_numpy()


def throughput(timestamps: ArrayLike, duration_s: float | None = None) -> float:
    """Mean throughput in requests per second: number of requests / duration.

    Args:
        timestamps: arrival times (datetimes or ISO strings).
        duration_s: length of the observation period in seconds; by default the time from
            the first to the last request.
    """
    seconds = _seconds(timestamps)
    n = len(seconds)
    if duration_s is None:
        if n < 2:
            raise ValueError("throughput needs two requests or an explicit duration_s")
        duration_s = float(seconds.max() - seconds.min())
    if duration_s <= 0:
        raise ValueError("the duration must be more than 0 seconds")
    return n / float(duration_s)


def peak_throughput(timestamps: ArrayLike, window_s: float = 60.0) -> float:
    """The busiest window's throughput in requests per second: the most requests in any
    window of ``window_s`` seconds aligned to midnight of the first request's day (e.g.
    calendar minutes), divided by ``window_s``."""
    if window_s <= 0:
        raise ValueError("window_s must be more than 0")
    seconds = _seconds(timestamps)
    if len(seconds) == 0:
        return 0.0
    buckets = np.floor(seconds / window_s).astype(np.int64)
    _, counts = np.unique(buckets, return_counts=True)
    return float(counts.max()) / window_s


def _status(status: ArrayLike) -> np.ndarray:
    codes = np.asarray(status)
    if codes.ndim != 1:
        raise ValueError("status must be one-dimensional")
    if len(codes) == 0:
        raise ValueError("status is empty: rates need at least one request")
    return codes.astype(np.int64)


def error_rate(status: ArrayLike) -> float:
    """Share of requests that failed: count(status >= 500) / count(all)."""
    codes = _status(status)
    return float(np.mean(codes >= 500))


def availability(status: ArrayLike) -> float:
    """Request-based availability: share of requests answered without a server-side
    failure, count(status < 500) / count(all) = 1 - :func:`error_rate`."""
    codes = _status(status)
    return float(np.mean(codes < 500))


def request_summary(log: pd.DataFrame, method: PercentileMethod = "linear") -> dict[str, float]:
    """System metrics of a request log with ``timestamp``, ``latency_ms`` and ``status``.

    Returns a dictionary keyed by catalog id: ``p50_latency``, ``p95_latency``,
    ``p99_latency``, ``mean_latency`` (ms, over all requests), ``throughput`` (mean
    requests/s between first and last request), ``peak_throughput`` (busiest minute, in
    requests/s), ``availability`` and ``error_rate`` (ratios), and ``requests``.
    """
    missing = [c for c in ("timestamp", "latency_ms", "status") if c not in log.columns]
    if missing:
        raise KeyError(f"the request log lacks the column(s) {', '.join(missing)}")
    pct = latency_percentiles(log["latency_ms"], (50, 95, 99), method)
    return {
        "requests": float(len(log)),
        "p50_latency": pct["p50"],
        "p95_latency": pct["p95"],
        "p99_latency": pct["p99"],
        "mean_latency": float(np.mean(_latencies(log["latency_ms"]))),
        "throughput": throughput(log["timestamp"]),
        "peak_throughput": peak_throughput(log["timestamp"]),
        "availability": availability(log["status"]),
        "error_rate": error_rate(log["status"]),
    }
