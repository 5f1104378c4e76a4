"""Scenario of ``ch12-fairness``: one quarter of discharges scored by the readmission model.

The model is the chapter's (:func:`bana_tools.ops.modeling.build_model`, a regularised
logistic regression) trained once on a fixed year of discharges, the same for every student.
Each student scores their own quarter (the seed comes from the student id) and gets the
operating threshold in force that quarter, one of :data:`THRESHOLDS`. A discharge is flagged
for a follow-up call when ``risk >= threshold``.

``solve`` computes the chapter's subgroup analysis (section 12.3.6): recall overall and by
sex, payer and age band (:func:`bana_tools.ops.fairness.age_band`), the largest recall gap
within each attribute (highest group recall minus lowest, fairlearn's ``between_groups``
difference), the group with the lowest recall and the attributes whose gap exceeds the
review tolerance. It counts per group with pandas rather than building three fairlearn
MetricFrames (much faster, the same numbers; ``tests/test_exercise_ch12.py`` checks
them against :func:`bana_tools.ops.fairness.subgroup_report` and ``gaps``).

A quarter is redrawn (a sub-seed of the student's seed, at most :data:`MAX_DRAWS` times)
when its answers would sit on a knife's edge: two groups within a point of the lowest
recall, a gap within a point of the tolerance, or a group with fewer than
:data:`MIN_EVENTS` readmissions.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

#: The attributes compared, as named in the form, and their column in ``data.scored``.
ATTRIBUTES: tuple[str, ...] = ("sex", "payer", "age_band")
#: Operating thresholds a student's quarter can have.
THRESHOLDS: tuple[float, ...] = (0.18, 0.20, 0.22)
#: Columns of the scored sample the student receives.
COLUMNS: tuple[str, ...] = ("encounter_id", "admission_date", "age", "sex", "payer", "condition",
                            "readmitted_30d", "risk")
MAX_DRAWS = 25
MIN_EVENTS = 8
MARGIN = 0.01


@lru_cache(maxsize=4)
def _model(rows: int, seed: int):
    """The hospital's model, fitted once per process on a fixed training year."""
    from bana_tools.data.readmissions import generate_readmissions
    from bana_tools.ops.modeling import build_model, split_xy

    train = generate_readmissions(rows, seed, start="2023-01-01")
    return build_model(kind="logistic", C=0.1).fit(*split_xy(train))


def _draw(params: dict[str, Any], seed: int, attempt: int) -> dict[str, Any]:
    import numpy as np

    from bana_tools.data.readmissions import generate_readmissions
    from bana_tools.ops.modeling import split_xy

    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 12, attempt]))
    sample_seed = int(rng.integers(0, 2**31 - 1))
    threshold = float(THRESHOLDS[int(rng.integers(len(THRESHOLDS)))])
    quarter = generate_readmissions(int(params["rows"]), sample_seed, start="2024-01-01",
                                    days=91, id_prefix="Q")
    model = _model(int(params["train_rows"]), int(params["train_seed"]))
    risk = np.round(model.predict_proba(split_xy(quarter)[0])[:, 1], 4)
    scored = quarter.assign(risk=risk)[list(COLUMNS)]
    return {"scored": scored, "threshold": threshold, "tolerance": float(params["tolerance"])}


def recall_by_group(scored, threshold: float) -> dict[str, Any]:
    """Recall overall and per group of every attribute, and readmissions per group."""
    from bana_tools.ops.fairness import age_band

    readmitted = scored[scored["readmitted_30d"] == 1]
    flagged = readmitted["risk"] >= threshold
    groups = {"sex": readmitted["sex"], "payer": readmitted["payer"],
              "age_band": age_band(readmitted["age"])}
    return {
        "overall": float(flagged.mean()),
        "recall": {a: flagged.groupby(g.to_numpy()).mean() for a, g in groups.items()},
        "events": {a: g.value_counts() for a, g in groups.items()},
    }


def _analyse(frames: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    r = recall_by_group(frames["scored"], frames["threshold"])
    gaps = {a: float(s.max() - s.min()) for a, s in r["recall"].items()}
    every = pd.concat(list(r["recall"].values())).sort_values()
    return {**r, "gaps": gaps, "every": every}


def _clear(result: dict[str, Any], tolerance: float) -> bool:
    every = result["every"]
    expected_groups = {"sex": 2, "payer": 4, "age_band": 4}
    complete = all(len(result["recall"][a]) == n for a, n in expected_groups.items())
    enough = all(int(c.min()) >= MIN_EVENTS for c in result["events"].values())
    unique_low = len(every) > 1 and every.iloc[1] - every.iloc[0] >= MARGIN
    off_edge = all(abs(g - tolerance) >= MARGIN for g in result["gaps"].values())
    return complete and enough and unique_low and off_edge


@lru_cache(maxsize=256)
def _chosen(rows: int, train_rows: int, train_seed: int, tolerance: float, seed: int) -> int:
    """The first draw of this seed whose answers are clear-cut (see the module docstring)."""
    params = {"rows": rows, "train_rows": train_rows, "train_seed": train_seed,
              "tolerance": tolerance}
    for attempt in range(MAX_DRAWS):
        if _clear(_analyse(_draw(params, seed, attempt)), tolerance):
            return attempt
    return MAX_DRAWS - 1


def data(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """The scored quarter, the operating threshold and the review tolerance."""
    attempt = _chosen(int(params["rows"]), int(params["train_rows"]), int(params["train_seed"]),
                      float(params["tolerance"]), int(seed))
    return _draw(params, seed, attempt)


def solve(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """Overall recall, the recall gap of each attribute, the lowest group, the gaps that
    exceed the tolerance."""
    frames = data(params, seed)
    result = _analyse(frames)
    gaps = result["gaps"]
    over = [a for a in ATTRIBUTES if gaps[a] > frames["tolerance"]]
    return {
        "recall_overall": result["overall"],
        "recall_gap_sex": gaps["sex"],
        "recall_gap_payer": gaps["payer"],
        "recall_gap_age": gaps["age_band"],
        "lowest_recall_group": str(result["every"].index[0]),
        "gaps_over_tolerance": over or ["none"],
        "_recall": {a: s.to_dict() for a, s in result["recall"].items()},
        "_threshold": frames["threshold"],
    }
