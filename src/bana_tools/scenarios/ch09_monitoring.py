"""Scenario of ``ch09-monitoring``: a training reference and one logged week of discharges.

Every student gets their own pair of samples (the seed comes from the student id):

* ``reference``: the discharges the live model was trained on
  (:func:`bana_tools.data.generate_readmissions`, ``reference_rows`` rows, with outcomes);
* ``current``: one week of discharges as the scoring job logged them (``batch_rows`` rows,
  no outcomes yet). The week is drawn from the generator's covariate shift (older, frailer,
  more Medicare and more heart-failure and COPD patients) at a strength picked from the
  seed, 0 (a quiet week) in about one case in six. For about one student in three the
  laboratory's new sodium analyser also reads ``SODIUM_OFFSET`` mmol/L high: a change in
  measurement, not in the patients.

``solve`` computes what the chapter's hands-on monitor computes (:mod:`bana_tools.ops.drift`):
PSI of three features, the KS statistic of age, and the drift report's statuses with the
chapter's levels (PSI 0.1 warn, 0.25 alert; tests at 1% for the batch, Bonferroni-corrected).
"""

from __future__ import annotations

from typing import Any

#: The ten inputs the monitor watches (section 9.4.5).
MONITORED: tuple[str, ...] = (
    "age", "charlson", "length_of_stay", "ed_visits_6m", "prior_admissions_12m", "sodium",
    "hemoglobin", "payer", "condition", "sex",
)
#: Shift strengths a student's week can be drawn with (the generator's ``shift_strength``).
STRENGTHS: tuple[float, ...] = (0.0, 0.5, 0.8, 1.1, 1.4, 1.7)
#: How far the recalibrated analyser moves every sodium value (mmol/L).
SODIUM_OFFSET = 2
#: Share of students whose week also has the analyser change.
SODIUM_SHARE = 1 / 3


def variant(seed: int) -> dict[str, Any]:
    """The hidden make-up of a student's week: seeds, shift strength, sodium offset."""
    import numpy as np

    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 9]))
    ref_seed, cur_seed = (int(s) for s in rng.integers(0, 2**31 - 1, size=2))
    strength = float(STRENGTHS[int(rng.integers(len(STRENGTHS)))])
    offset = SODIUM_OFFSET if rng.random() < SODIUM_SHARE else 0
    return {"reference_seed": ref_seed, "current_seed": cur_seed, "strength": strength,
            "sodium_offset": offset}


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The reference sample, the current week, the monitored features and the levels."""
    from bana_tools.data.readmissions import generate_readmissions
    from bana_tools.ops.drift import PSI_ALERT, PSI_WARN

    v = variant(seed)
    reference = generate_readmissions(int(params["reference_rows"]), v["reference_seed"],
                                      start="2023-01-01")
    current = generate_readmissions(int(params["batch_rows"]), v["current_seed"],
                                    shift="covariate", shift_strength=v["strength"],
                                    start=str(params["week_start"]), days=7, id_prefix="W")
    current = current.drop(columns=["readmitted_30d"])   # outcomes arrive a month later
    if v["sodium_offset"]:
        current["sodium"] = current["sodium"] + v["sodium_offset"]
    return {
        "reference": reference,
        "current": current,
        "features": list(MONITORED),
        "psi_warn": PSI_WARN,
        "psi_alert": PSI_ALERT,
        "alpha": float(params["alpha"]),
    }


def worst_status(statuses: Any) -> str:
    """``"alert"`` if any status is an alert, else ``"warn"`` if any warns, else ``"ok"``."""
    statuses = set(statuses)
    return "alert" if "alert" in statuses else "warn" if "warn" in statuses else "ok"


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """PSI of age, payer and sodium; KS statistic of age; drifted features; batch status."""
    from bana_tools.ops.drift import drift_report, ks_test, psi

    frames = data(params, seed)
    ref, cur = frames["reference"], frames["current"]
    report = drift_report(ref, cur, list(MONITORED), alpha=frames["alpha"])
    drifted = [str(c) for c in report.loc[report["status"] != "ok", "column"]]
    return {
        "psi_age": psi(ref["age"], cur["age"]),
        "psi_payer": psi(ref["payer"], cur["payer"]),
        "psi_sodium": psi(ref["sodium"], cur["sodium"]),
        "ks_age": ks_test(ref["age"], cur["age"])[0],
        "drifted_features": drifted or ["none"],
        "batch_status": worst_status(report["status"]),
        "_report": report,
        "_variant": variant(seed),
    }
