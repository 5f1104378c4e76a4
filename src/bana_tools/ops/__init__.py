"""Operations helpers for the book's Parts II-V hands-on pages (the readmission case).

Each submodule is small, offline and imported on its own:

- :mod:`bana_tools.ops.validation` -- the feeds' pandera schema (types, ranges, categories,
  unique ``encounter_id``) and the quarantine split built on pandera's failure cases.
- :mod:`bana_tools.ops.versioning` -- content-addressed dataset versions (SHA-256 of a
  canonical CSV) with a lineage manifest, in a plain folder.
- :mod:`bana_tools.ops.tracking` -- MLflow on a local store (SQLite plus an artifact folder,
  telemetry off): logging scikit-learn models, artefact hashes, and the ``mlflow server``
  command the UI screenshot script runs on loopback.
- :mod:`bana_tools.ops.modeling` -- the reference readmission model pipeline (scikit-learn).
- :mod:`bana_tools.ops.scoring` -- the validated request schema and an in-process scorer.
- :mod:`bana_tools.ops.service` -- the same schema behind a FastAPI app (``create_app``:
  ``/health``, ``/score``, ``/score/batch``) and ``serve_in_thread`` (uvicorn on loopback).
- :mod:`bana_tools.ops.rollout` -- shadow, canary and blue-green roll-outs simulated on a
  request log replayed through the services, with a rollback rule.
- :mod:`bana_tools.ops.drift` -- population stability index, with Kolmogorov-Smirnov for
  continuous features and chi-square for discrete or categorical ones (scipy), alert levels.
- :mod:`bana_tools.ops.fairness` -- subgroup error analysis (fairlearn's MetricFrame).

This file imports none of them, so ``import bana_tools.ops`` stays cheap.
"""

from __future__ import annotations

__all__: list[str] = []
