"""A small data scenario for tests of the generic computed checks (not a course exercise)."""

from __future__ import annotations

from typing import Any


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    from bana_tools.data import generate_readmissions

    return {"discharges": generate_readmissions(rows=int(params["rows"]), seed=seed)}


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    df = data(params, seed)["discharges"]
    old = df.loc[df["age"] >= 90, "encounter_id"]
    return {
        "mean_age": float(df["age"].mean()),
        "top_payer": str(df["payer"].value_counts().idxmax()),
        "oldest": sorted(old.tolist())[:4],
    }
