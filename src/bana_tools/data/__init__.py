"""Synthetic data for the readmission case: discharges, a request log, pilot predictions.

Public API (each name is loaded on first use, so ``import bana_tools.data`` is cheap):

- :func:`generate_readmissions` (:mod:`~bana_tools.data.readmissions`): seeded discharges
  with a 30-day readmission label, optionally with covariate and/or concept shift.
- :func:`request_log` (:mod:`~bana_tools.data.requests`): requests to the deployed model
  with timestamps, latency, status and model version.
- :func:`pilot_predictions` (:mod:`~bana_tools.data.pilot`): the logistic baseline's scores
  on a pilot quarter with the true outcomes.
- :func:`data_card` (:mod:`~bana_tools.data.card`): the data card as Markdown.
- :func:`load_sample` / :func:`sample_path`: the committed 5,000-row sample
  (``generate_readmissions(5000, seed=2023)``), for notebooks that need no generation.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from bana_tools.data.card import data_card
    from bana_tools.data.pilot import pilot_predictions
    from bana_tools.data.readmissions import generate_readmissions
    from bana_tools.data.requests import request_log

__all__ = [
    "SAMPLE_ROWS",
    "SAMPLE_SEED",
    "data_card",
    "generate_readmissions",
    "load_sample",
    "pilot_predictions",
    "request_log",
    "sample_path",
]

#: Seed and size of the committed sample CSV.
SAMPLE_SEED = 2023
SAMPLE_ROWS = 5000

_LAZY = {
    "generate_readmissions": "bana_tools.data.readmissions",
    "request_log": "bana_tools.data.requests",
    "pilot_predictions": "bana_tools.data.pilot",
    "data_card": "bana_tools.data.card",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bana_tools.data' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def sample_path() -> Path:
    """Path of the committed sample CSV (``sample_readmissions.csv``)."""
    return Path(__file__).with_name("sample_readmissions.csv")


def load_sample() -> pd.DataFrame:
    """The committed sample as a DataFrame (5,000 discharges, seed 2023)."""
    import pandas as pd

    return pd.read_csv(sample_path())
