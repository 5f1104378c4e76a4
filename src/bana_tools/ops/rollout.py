"""Roll-out strategies simulated on a request log, with a rollback rule.

The simulation replays a log of requests in time order. For every request we know what
each model *would* answer (:class:`Outputs`: risk score, latency, whether the call failed),
so a strategy is only a routing policy over the log:

* :func:`simulate_shadow` -- the current model serves everything; the candidate scores the
  same requests silently and we compare.
* :func:`simulate_canary` -- the candidate serves a growing share of patients, stage by
  stage; the rollback rule is checked at the end of every stage.
* :func:`simulate_blue_green` -- all traffic flips from blue (current) to green (candidate)
  at once; if the rule fails in the first window, it flips back.

Routing is by a salted hash of the patient id (:func:`route`), so a patient sees the same
model throughout a stage, and a larger share always contains the smaller one.

Outcomes of readmission arrive 30 days after discharge, too late to stop a roll-out, so
:class:`RollbackRule` judges what is visible at once: failed calls, tail latency, and how
far the candidate's share of flagged patients moves from the current model's.

:func:`replay` fills the scores of :class:`Outputs` from a running scoring service (the
FastAPI app of :mod:`bana_tools.ops.service`, through a ``TestClient`` or an ``httpx.Client``):
the logged requests are sent to the service and its answers recorded, checking that they come
from the model version expected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "Decision",
    "Outputs",
    "RollbackRule",
    "arm_stats",
    "replay",
    "route",
    "simulate_blue_green",
    "simulate_canary",
    "simulate_shadow",
]


@dataclass(frozen=True)
class Outputs:
    """What one model returns for each request of the log (arrays aligned with the log)."""

    score: np.ndarray
    latency_ms: np.ndarray
    error: np.ndarray


def replay(client: Any, payloads: Sequence[dict[str, Any]], *, expected_version: str | None = None,
           chunk: int = 500, path: str = "/score/batch") -> np.ndarray:
    """The risk a scoring service answers for each logged request, in log order.

    ``client`` is anything with ``post(path, json=...)`` returning a response with
    ``status_code`` and ``json()`` (``fastapi.testclient.TestClient``, ``httpx.Client``).
    Requests go in chunks of ``chunk`` to the batch endpoint. A refused chunk, or an answer
    from another model version than ``expected_version``, raises ``RuntimeError``: a replay
    that silently mixed versions would compare the wrong models.
    """
    import numpy as np

    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    risks: list[float] = []
    for start in range(0, len(payloads), chunk):
        part = list(payloads[start:start + chunk])
        response = client.post(path, json=part)
        if response.status_code != 200:
            raise RuntimeError(f"the service refused requests {start}-{start + len(part) - 1}: "
                               f"HTTP {response.status_code} {response.json()}")
        answers = response.json()
        if len(answers) != len(part):
            raise RuntimeError(f"sent {len(part)} requests, got {len(answers)} answers")
        for sent, answer in zip(part, answers, strict=True):
            if answer["patient_id"] != sent["patient_id"]:
                raise RuntimeError(f"answer for {answer['patient_id']} where {sent['patient_id']} was sent")
            if expected_version is not None and answer["model_version"] != expected_version:
                raise RuntimeError(f"expected answers from {expected_version}, got {answer['model_version']}")
            risks.append(answer["risk"])
    return np.array(risks, dtype=float)


def route(ids: Sequence[str], fraction: float, salt: str = "canary") -> np.ndarray:
    """True for the ids sent to the candidate: hash bucket below ``fraction``."""
    import numpy as np

    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
    buckets = np.array([
        int.from_bytes(hashlib.sha256(f"{salt}:{i}".encode()).digest()[:8], "big") / 2**64
        for i in ids
    ])
    return buckets < fraction


def arm_stats(out: Outputs, mask: np.ndarray, threshold: float) -> dict[str, float]:
    """Requests, flag rate, error rate and p95 latency of the requests in ``mask``."""
    import numpy as np

    n = int(mask.sum())
    if n == 0:
        return {"n": 0, "flag_rate": float("nan"), "error_rate": float("nan"), "p95_ms": float("nan")}
    ok = mask & ~out.error
    flags = out.score[ok] >= threshold
    return {
        "n": n,
        "flag_rate": float(flags.mean()) if flags.size else float("nan"),
        "error_rate": float(out.error[mask].mean()),
        "p95_ms": float(np.percentile(out.latency_ms[mask], 95)),
    }


@dataclass(frozen=True)
class Decision:
    """The rule's verdict on one stage."""

    rollback: bool
    reason: str


@dataclass(frozen=True)
class RollbackRule:
    """When to stop a roll-out and go back to the current model.

    Roll back if the candidate has served at least ``min_requests`` requests and any of:
    its error rate exceeds ``max_error_rate``; its p95 latency exceeds ``max_p95_ms``; its
    flag rate differs from the current model's (on the other patients of the same stage) by
    more than ``max_flag_rate_change`` plus ``noise_z`` standard errors of the difference of
    the two rates. The noise allowance keeps small canary slices from triggering false
    rollbacks; set ``noise_z=0`` for a fixed limit.
    """

    max_error_rate: float = 0.01
    max_p95_ms: float = 250.0
    max_flag_rate_change: float = 0.05
    min_requests: int = 30
    noise_z: float = 2.0

    def check(self, current: dict[str, float], candidate: dict[str, float]) -> Decision:
        """Compare the candidate's stats with the current model's for one stage."""
        import math

        if candidate["n"] < self.min_requests:
            return Decision(False, f"only {candidate['n']} requests so far: keep watching")
        if candidate["error_rate"] > self.max_error_rate:
            return Decision(True, f"error rate {candidate['error_rate']:.1%} > {self.max_error_rate:.1%}")
        if candidate["p95_ms"] > self.max_p95_ms:
            return Decision(True, f"p95 latency {candidate['p95_ms']:.0f} ms > {self.max_p95_ms:.0f} ms")
        if current["n"] == 0 or math.isnan(current["flag_rate"]):
            return Decision(False, "within limits (no current-model traffic left to compare)")
        p, q = candidate["flag_rate"], current["flag_rate"]
        se = math.sqrt(p * (1 - p) / candidate["n"] + q * (1 - q) / current["n"])
        limit = self.max_flag_rate_change + self.noise_z * se
        change = abs(p - q)
        if change > limit:
            return Decision(True, f"flag rate moved {100 * change:.1f} points (> {100 * limit:.1f} allowed)")
        return Decision(False, f"within limits (flag rate moved {100 * change:.1f} of {100 * limit:.1f} points allowed)")


def _stages(n: int, k: int) -> list[slice]:
    import numpy as np

    edges = np.linspace(0, n, k + 1).astype(int)
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def simulate_shadow(current: Outputs, candidate: Outputs, threshold: float) -> dict[str, float]:
    """Both models see every request; only ``current`` answers. Returns the comparison."""
    import numpy as np

    everything = np.ones(len(current.score), dtype=bool)
    both_ok = ~current.error & ~candidate.error
    cur, new = arm_stats(current, everything, threshold), arm_stats(candidate, everything, threshold)
    agree = ((current.score >= threshold) == (candidate.score >= threshold))[both_ok]
    return {
        "requests": int(everything.sum()),
        "flag_rate_current": cur["flag_rate"], "flag_rate_candidate": new["flag_rate"],
        "flag_agreement": float(agree.mean()),
        "error_rate_candidate": new["error_rate"], "p95_ms_candidate": new["p95_ms"],
        "served_by_candidate": 0,
    }


def simulate_canary(ids: Sequence[str], current: Outputs, candidate: Outputs, *, threshold: float,
                    rule: RollbackRule, fractions: Sequence[float] = (0.05, 0.25, 0.5, 1.0),
                    salt: str = "canary") -> pd.DataFrame:
    """Replay the log in ``len(fractions)`` equal stages, growing the candidate's share.

    After each stage the rule compares the two arms; on a rollback every later stage is
    served by the current model (fraction 0). Returns one row per stage.
    """
    import numpy as np
    import pandas as pd

    ids = np.asarray(ids)
    rows = []
    rolled_back = False
    for stage, (frac, part) in enumerate(zip(fractions, _stages(len(ids), len(fractions)), strict=True), 1):
        share = 0.0 if rolled_back else frac
        to_new = np.zeros(len(ids), dtype=bool)
        to_new[part] = route(ids[part], share, salt)
        in_stage = np.zeros(len(ids), dtype=bool)
        in_stage[part] = True
        cur = arm_stats(current, in_stage & ~to_new, threshold)
        new = arm_stats(candidate, to_new, threshold)
        if rolled_back:
            verdict = "stay on current"
        else:
            decision = rule.check(cur, new)
            rolled_back = decision.rollback
            verdict = ("ROLLBACK: " if decision.rollback else "proceed: ") + decision.reason
        rows.append({"stage": stage, "share": share, "requests": int(in_stage.sum()),
                     "to_candidate": new["n"], "flag_rate_current": cur["flag_rate"],
                     "flag_rate_candidate": new["flag_rate"], "error_rate_candidate": new["error_rate"],
                     "p95_ms_candidate": new["p95_ms"], "decision": verdict})
    return pd.DataFrame(rows)


def simulate_blue_green(blue: Outputs, green: Outputs, *, threshold: float, rule: RollbackRule,
                        switch_at: int, window: int) -> pd.DataFrame:
    """Blue serves until request ``switch_at``; then green serves everything.

    The rule is checked on green's first ``window`` requests against blue's last ``window``;
    on a rollback, traffic flips back to blue right after the window. Returns one row per
    phase (blue, green window, after).
    """
    import numpy as np

    n = len(blue.score)
    if not 0 < switch_at < n or window < 1:
        raise ValueError("switch_at must fall inside the log and window must be positive")
    idx = np.arange(n)
    before = (idx < switch_at) & (idx >= switch_at - window)
    first = (idx >= switch_at) & (idx < switch_at + window)
    after = idx >= switch_at + window
    b, g = arm_stats(blue, before, threshold), arm_stats(green, first, threshold)
    decision = rule.check(b, g)
    later = blue if decision.rollback else green
    a = arm_stats(later, after, threshold)
    import pandas as pd

    return pd.DataFrame([
        {"phase": "blue (before switch)", "served_by": "blue", **b, "decision": ""},
        {"phase": "green (first window)", "served_by": "green", **g,
         "decision": ("ROLLBACK: " if decision.rollback else "keep green: ") + decision.reason},
        {"phase": "after the window", "served_by": "blue" if decision.rollback else "green", **a, "decision": ""},
    ])
