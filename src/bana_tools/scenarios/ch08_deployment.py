"""Scenario of ``ch08-deployment``: one student's request log from a canary release.

Every student gets a quarter's worth of discharges (synthetic, next year's, ids ``R...``)
with what two versions of the readmission model answered for each request: the current
model (``current_*`` columns) and a retrained candidate (``candidate_*``): the risk score,
the latency in milliseconds, and whether the call failed (a failed call has no score).
Which candidate a student gets is drawn from the student's seed, in the spirit of the
three candidates of section 8.5.7: a sound retrain, one whose probabilities are inflated
(class weights "balanced" without recalibration), one behind a slow feature lookup, and one
whose calls fail now and then. How badly each one misbehaves varies too, so the canary's
outcome differs between classmates.

The scores are made with numpy from the discharge columns (a fixed points-style model, so
no model is fitted while a check runs); ``solve`` then runs exactly the roll-out code of the
chapter's hands-on page (:mod:`bana_tools.ops.rollout`): :func:`simulate_shadow` and
:func:`simulate_canary` with the rule and stages in ``data()["rule"]`` and
``data()["fractions"]``.
"""

from __future__ import annotations

from typing import Any

#: The rule of the chapter's simulation (section 8.5.7), the same for every student.
RULE: dict[str, float | int] = {
    "max_error_rate": 0.01,
    "max_p95_ms": 250.0,
    "max_flag_rate_change": 0.05,
    "min_requests": 30,
    "noise_z": 2.0,
}
FRACTIONS: tuple[float, ...] = (0.05, 0.25, 0.5, 1.0)
THRESHOLD = 0.2
SALT = "canary"

#: Kinds of candidate and how often a student gets each.
KINDS: tuple[tuple[str, float], ...] = (
    ("sound", 0.3), ("inflated", 0.3), ("slow", 0.2), ("flaky", 0.2),
)

#: Option values of the ``rollback_reason`` question, by the start of the rule's reason.
REASONS: dict[str, str] = {"error rate": "error_rate", "p95 latency": "latency",
                           "flag rate": "flag_rate"}


def _kind(rng: Any) -> str:
    names = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    return str(rng.choice(names, p=weights))


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The request log with both models' answers, plus the threshold, rule and stages."""
    return _build(params, seed)[0]


def _build(params: dict[str, Any], seed: int) -> tuple[dict[str, Any], str]:
    """What :func:`data` returns, and the kind of candidate drawn (never shown to the student)."""
    import numpy as np
    import pandas as pd

    from bana_tools.baselines import lace_score
    from bana_tools.data.readmissions import generate_readmissions

    rows = int(params.get("rows", 2400))
    rng = np.random.default_rng([int(seed), 8])
    discharges = generate_readmissions(rows, int(seed), start="2024-01-01", days=90, id_prefix="R")

    # the current model: a fixed score from LACE, prior admissions and follow-up, plus
    # what the other columns add (here a patient-level noise term)
    lace = lace_score(discharges).to_numpy()
    prior = discharges["prior_admissions_12m"].to_numpy()
    followup = discharges["followup_scheduled"].to_numpy()
    lp = -3.5 + 0.2 * lace + 0.35 * prior - 0.5 * followup + rng.normal(0.0, 0.45, rows)

    kind = _kind(rng)
    # a retrain on more data moves each patient's score a little
    cand_lp = lp + rng.normal(0.03, 0.22, rows)
    cand_median, cand_error = rng.uniform(19.0, 26.0), rng.uniform(0.0, 0.0015)
    if kind == "inflated":
        cand_lp = cand_lp + rng.uniform(0.25, 1.3)
    elif kind == "slow":
        cand_median = rng.uniform(120.0, 190.0)
    elif kind == "flaky":
        cand_error = rng.uniform(0.012, 0.045)

    def sigmoid(x: Any) -> Any:
        return np.round(1.0 / (1.0 + np.exp(-x)), 4)

    cur_error = rng.random(rows) < 0.001
    new_error = rng.random(rows) < cand_error
    cur_risk = np.where(cur_error, np.nan, sigmoid(lp))
    new_risk = np.where(new_error, np.nan, sigmoid(cand_lp))
    log = pd.DataFrame({
        "request": np.arange(1, rows + 1),
        "patient_id": discharges["patient_id"].to_numpy(),
        "discharge_date": discharges["discharge_date"].to_numpy(),
        "current_risk": cur_risk,
        "current_latency_ms": np.round(rng.lognormal(np.log(20.0), 0.35, rows), 1),
        "current_error": cur_error,
        "candidate_risk": new_risk,
        "candidate_latency_ms": np.round(rng.lognormal(np.log(cand_median), 0.35, rows), 1),
        "candidate_error": new_error,
    })
    frames = {
        "log": log,
        "threshold": THRESHOLD,
        "rule": dict(RULE),
        "fractions": list(FRACTIONS),
        "salt": SALT,
    }
    return frames, kind


def outputs(log: Any, arm: str) -> Any:
    """The :class:`~bana_tools.ops.rollout.Outputs` of ``arm`` ("current" or "candidate")."""
    from bana_tools.ops.rollout import Outputs

    return Outputs(score=log[f"{arm}_risk"].to_numpy(dtype=float),
                   latency_ms=log[f"{arm}_latency_ms"].to_numpy(dtype=float),
                   error=log[f"{arm}_error"].to_numpy(dtype=bool))


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """Shadow comparison and canary outcome, computed with :mod:`bana_tools.ops.rollout`."""
    from bana_tools.ops.rollout import RollbackRule, simulate_canary, simulate_shadow

    frames, kind = _build(params, seed)
    log = frames["log"]
    current, candidate = outputs(log, "current"), outputs(log, "candidate")
    threshold = frames["threshold"]
    shadow = simulate_shadow(current, candidate, threshold=threshold)
    canary = simulate_canary(log["patient_id"], current, candidate, threshold=threshold,
                             rule=RollbackRule(**frames["rule"]),
                             fractions=frames["fractions"], salt=frames["salt"])
    rolled = canary[canary["decision"].str.startswith("ROLLBACK")]
    if len(rolled):
        first = rolled.iloc[0]
        reason = first["decision"].removeprefix("ROLLBACK: ")
        reason_value = next(v for k, v in REASONS.items() if reason.startswith(k))
        stage, decision = int(first["stage"]), "rollback"
    else:
        reason_value, stage, decision = "none", 0, "promote"
    return {
        "shadow_agreement": float(shadow["flag_agreement"]),
        "shadow_flag_rate_candidate": float(shadow["flag_rate_candidate"]),
        "canary_decision": decision,
        "rollback_stage": stage,
        "rollback_reason": reason_value,
        "candidate_requests": int(canary["to_candidate"].sum()),
        "_kind": kind,
        "_canary": canary,
        "_shadow": shadow,
    }
