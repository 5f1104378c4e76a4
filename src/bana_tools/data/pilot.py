"""Pilot predictions: the logistic baseline trained on one year and scored on a pilot period.

The course's hospital trains a model on last year's discharges, then runs a pilot: for a
quarter, every discharge is scored but no one acts on the scores yet. Once the 30-day
outcomes are in, the team can compute every model and business metric on the pilot.
:func:`pilot_predictions` reproduces that pilot deterministically:

1. training data: ``generate_readmissions(n_train, seed_a, start="2023-01-01")``;
2. model: :func:`bana_tools.baselines.logistic_pipeline` fitted on it;
3. pilot data: ``generate_readmissions(n_pilot, seed_b, start="2024-01-01", days=91,
   id_prefix="Q", shift=shift, shift_strength=shift_strength)``;
4. scores: the model's predicted readmission probability, rounded to 4 decimals.

``seed_a`` and ``seed_b`` are derived from ``seed`` with :class:`numpy.random.SeedSequence`,
so the two periods never share random draws. With the defaults it takes well under a
second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bana_tools.data.readmissions import Shift, generate_readmissions

__all__ = ["pilot_predictions"]


def pilot_predictions(
    seed: int = 2024,
    *,
    n_train: int = 20_000,
    n_pilot: int = 2_000,
    shift: Shift | None = None,
    shift_strength: float = 1.0,
    with_features: bool = False,
) -> pd.DataFrame:
    """Scores of the logistic baseline on a pilot quarter, with the true outcomes.

    Args:
        seed: seed of the whole pilot (training and pilot data).
        n_train: discharges in the training year (at least 100).
        n_pilot: discharges in the pilot quarter (at least 1).
        shift: optional drift between training year and pilot (see
            :func:`bana_tools.data.generate_readmissions`).
        shift_strength: magnitude of that drift.
        with_features: also return every column of the pilot discharges.

    Returns:
        A DataFrame with ``patient_id`` (``Q0000001``, ...), ``y_true`` (0/1, readmitted
        within 30 days) and ``score`` (predicted probability of readmission, 4 decimals),
        one row per pilot discharge in admission order; with ``with_features=True`` the
        pilot columns follow.
    """
    from bana_tools.baselines import FEATURES, logistic_pipeline

    if n_train < 100:
        raise ValueError(f"n_train must be at least 100, not {n_train}")
    if n_pilot < 1:
        raise ValueError(f"n_pilot must be at least 1, not {n_pilot}")
    seed_a, seed_b = (int(s) for s in np.random.SeedSequence(seed).generate_state(2))
    train = generate_readmissions(n_train, seed_a, start="2023-01-01")
    pilot = generate_readmissions(
        n_pilot, seed_b, start="2024-01-01", days=91, id_prefix="Q",
        shift=shift, shift_strength=shift_strength,
    )
    model = logistic_pipeline().fit(train[list(FEATURES)], train["readmitted_30d"])
    score = np.round(model.predict_proba(pilot[list(FEATURES)])[:, 1], 4)
    out = pd.DataFrame({
        "patient_id": pilot["patient_id"],
        "y_true": pilot["readmitted_30d"].astype(np.int64),
        "score": score,
    })
    if with_features:
        out = pd.concat([out, pilot.drop(columns=["patient_id"])], axis=1)
    return out
