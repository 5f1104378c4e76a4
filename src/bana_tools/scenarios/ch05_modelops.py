"""Scenario of ``ch05-modelops``: baselines on a student's sample, and a model registry.

Every student gets their own data from their seed:

* ``discharges``: ``generate_readmissions(rows, seed)``, split by time at ``cutoff`` (train on
  admissions before it, test on the last quarter), as in the baselines figure of section 5.1.2.
  ``solve`` computes the test quarter's readmission rate (the trivial baseline predicts it for
  everyone), the ROC AUC of the LACE index (:func:`bana_tools.baselines.lace_score`) and of
  the reference logistic regression (:func:`bana_tools.ops.modeling.build_model`, which gives
  the same scores as :func:`bana_tools.baselines.logistic_pipeline` on this data), and whether
  the model beats LACE by the hospital's required margin ``min_gain``.
* ``registry``: six registered versions of the readmission model with their validation AUC
  and audit result; one is the live "champion". ``solve`` finds the versions that fail the
  release gate (validation AUC below ``min_auc`` or a failed audit) and the version to roll
  back to: the most recently registered version older than the champion that passes the gate.
"""

from __future__ import annotations

from typing import Any

VERSIONS = ("v1", "v2", "v3", "v4", "v5", "v6")
_STREAM = 505  # key of the random stream that draws the registry


def registry_for(seed: int, min_auc: float):
    """The registry table of ``seed``: one row per version, oldest first."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng([int(seed), _STREAM])
    n = len(VERSIONS)
    gaps = rng.integers(20, 61, size=n)
    registered = np.datetime64("2023-02-01") + np.cumsum(gaps).astype("timedelta64[D]")
    auc = rng.uniform(0.660, 0.760, size=n)
    audit = rng.random(n) < 0.75
    live = int(rng.integers(3, n))                       # v4, v5 or v6 is the champion

    def passing(i: int) -> None:
        auc[i] = max(auc[i], rng.uniform(min_auc + 0.006, 0.760))
        audit[i] = True

    def failing(i: int) -> None:
        if rng.random() < 0.5:
            audit[i] = False
        else:
            auc[i] = rng.uniform(0.640, min_auc - 0.006)

    passing(live)
    if rng.random() < 0.6:                               # the newest older version is unusable
        failing(live - 1)
    auc = np.round(auc, 3)
    # no value within 0.005 of the bar: the gate is never a matter of rounding
    near = np.abs(auc - min_auc) < 0.005
    auc[near] = np.round(min_auc + np.where(auc[near] >= min_auc, 0.006, -0.006), 3)
    ok = (auc >= min_auc) & audit
    if not ok[:live].any():                              # something to roll back to
        j = int(rng.integers(0, live))
        auc[j] = round(float(rng.uniform(min_auc + 0.006, 0.760)), 3)
        audit[j] = True
    ok = (auc >= min_auc) & audit
    if ok.all():                                         # at least one version fails the gate
        j = int(rng.choice([i for i in range(n) if i != live]))
        audit[j] = False
    alias = np.array([""] * n, dtype=object)
    alias[live] = "champion"
    if live + 1 < n:
        alias[live + 1] = "challenger"
    return pd.DataFrame({
        "version": list(VERSIONS),
        "registered": pd.Series(registered).dt.strftime("%Y-%m-%d").to_numpy(),
        "data_version": [f"sha256:{rng.integers(0, 16**8):08x}" for _ in range(n)],
        "code_commit": [f"{rng.integers(0, 16**7):07x}" for _ in range(n)],
        "val_auc": auc,
        "audit_passed": audit.astype(bool),
        "alias": alias,
    })


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The student's discharges, the split date, the registry and the hospital's two bars."""
    from bana_tools.data import generate_readmissions

    return {
        "discharges": generate_readmissions(rows=int(params["rows"]), seed=seed),
        "cutoff": str(params["cutoff"]),
        "registry": registry_for(seed, float(params["min_auc"])),
        "min_gain": float(params["min_gain"]),
        "min_auc": float(params["min_auc"]),
    }


def baselines(df, cutoff: str) -> dict[str, float]:
    """Base rate, LACE AUC and logistic-regression AUC on the discharges from ``cutoff`` on."""
    from sklearn.metrics import roc_auc_score

    from bana_tools.baselines import lace_score
    from bana_tools.ops.modeling import build_model, split_xy

    train, test = df[df["admission_date"] < cutoff], df[df["admission_date"] >= cutoff]
    y = test["readmitted_30d"]
    model = build_model(C=1.0).fit(*split_xy(train))
    return {
        "base_rate": float(y.mean()),
        "lace_auc": float(roc_auc_score(y, lace_score(test))),
        "model_auc": float(roc_auc_score(y, model.predict_proba(split_xy(test)[0])[:, 1])),
    }


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """Expected values, keyed by question id."""
    frames = data(params, seed)
    out: dict[str, Any] = baselines(frames["discharges"], frames["cutoff"])
    out["beats_lace"] = "yes" if out["model_auc"] - out["lace_auc"] >= frames["min_gain"] else "no"
    reg = frames["registry"]
    ok = (reg["val_auc"] >= frames["min_auc"]) & reg["audit_passed"]
    out["gate_failures"] = reg.loc[~ok, "version"].tolist()
    live = reg.index[reg["alias"] == "champion"][0]
    older = reg[ok & (reg.index < live)]
    out["rollback_to"] = str(older.sort_values("registered")["version"].iloc[-1])
    return out
