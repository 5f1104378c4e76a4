"""A synthetic request log of the deployed readmission model, for system metrics.

:func:`request_log` returns one row per prediction request the hospital's discharge system
sent to the model service during a period (a week by default):

===============  =============================================================
column           meaning
===============  =============================================================
``request_id``   1, 2, ... in time order
``timestamp``    when the request arrived (``datetime64``; UTC, millisecond resolution)
``latency_ms``   time until the service answered, in milliseconds (0.1 ms resolution)
``status``       HTTP status: 200 ok, 500 server error, 503 unavailable, 504 timeout
``outcome``      the same in words: ``ok``, ``server_error``, ``unavailable``, ``timeout``
``model_version`` version that answered; a new version is released part-way through
===============  =============================================================

How it is made: arrivals follow the working day (most discharges are entered between
late morning and late afternoon, a few at night). Latency is lognormal around a median of
about 85 ms (version 1.3.0) or 95 ms (1.4.0, a larger model), with about 2% of requests
several times slower (cold caches, garbage collection); anything beyond the 2,000 ms
time-out is cut off there and returned as 504. About 0.4% of requests fail at random with
500, and, when ``outage=True``, one 25-minute outage answers every request with 503 in a few
milliseconds. The log is deterministic for a seed and takes milliseconds to build.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["TIMEOUT_MS", "VERSIONS", "request_log"]

#: Requests slower than this are cut off and answered with 504.
TIMEOUT_MS = 2000.0
#: Model versions, before and after the release part-way through the period.
VERSIONS: tuple[str, str] = ("1.3.0", "1.4.0")

_OUTCOME = {200: "ok", 500: "server_error", 503: "unavailable", 504: "timeout"}


def request_log(
    n: int = 5000,
    seed: int = 0,
    *,
    start: str = "2024-03-04",
    days: float = 7.0,
    outage: bool = True,
    release_at: float = 0.6,
) -> pd.DataFrame:
    """Generate a log of ``n`` prediction requests over ``days`` days from ``start``.

    Args:
        n: number of requests (0 or more).
        seed: seed of the :class:`numpy.random.Generator`; same arguments, same log.
        start: first day of the period (ISO date, midnight UTC).
        days: length of the period in days (more than 0).
        outage: include one 25-minute outage (all requests answered 503).
        release_at: fraction of the period after which version ``1.4.0`` answers.

    Returns:
        A DataFrame with the columns described in the module docstring, in time order.

    Raises:
        ValueError: for negative ``n``, non-positive ``days`` or ``release_at`` outside [0, 1].
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n must be an integer, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be zero or more, not {n}")
    if not days > 0:
        raise ValueError(f"days must be more than 0, not {days}")
    if not 0.0 <= release_at <= 1.0:
        raise ValueError(f"release_at must be between 0 and 1, not {release_at}")
    rng = np.random.default_rng(seed)
    n = int(n)
    span_s = days * 86_400.0

    # arrivals: day uniformly, time of day from a working-day mixture
    day = rng.integers(0, max(1, int(np.ceil(days))), size=n)
    daytime = rng.random(n) < 0.85
    hour = np.where(daytime, rng.normal(13.5, 2.8, n), rng.uniform(0.0, 24.0, n)) % 24.0
    seconds = np.minimum(day * 86_400.0 + hour * 3600.0, span_s - 1e-3)
    seconds = np.sort(np.round(seconds, 3))

    version = np.where(seconds >= release_at * span_s, 1, 0)
    median = np.where(version == 1, 95.0, 85.0)
    latency = median * np.exp(0.35 * rng.standard_normal(n))
    slow = rng.random(n) < 0.02
    latency = np.where(slow, latency * np.exp(rng.normal(np.log(6.0), 0.5, n)), latency)

    status = np.full(n, 200, dtype=np.int64)
    failed = rng.random(n) < 0.004
    status[failed] = 500
    latency = np.where(failed, 15.0 * np.exp(0.5 * rng.standard_normal(n)), latency)
    status[latency > TIMEOUT_MS] = 504
    latency = np.minimum(latency, TIMEOUT_MS)

    outage_start = float(rng.integers(0, max(1, int(days)))) * 86_400.0 + 10.5 * 3600.0
    if outage:
        down = (seconds >= outage_start) & (seconds < outage_start + 25 * 60.0)
        status[down] = 503
        latency = np.where(down, 3.0 + rng.random(n) * 4.0, latency)

    timestamp = np.datetime64(start, "ms") + np.rint(seconds * 1000).astype("timedelta64[ms]")
    return pd.DataFrame({
        "request_id": np.arange(1, n + 1, dtype=np.int64),
        "timestamp": pd.to_datetime(timestamp),
        "latency_ms": np.round(latency, 1),
        "status": status,
        "outcome": np.asarray([_OUTCOME[c] for c in (200, 500, 503, 504)], dtype=object)[
            np.searchsorted(np.array([200, 500, 503, 504]), status)
        ],
        "model_version": np.asarray(VERSIONS, dtype=object)[version],
    })
