"""Operations helpers for the book's Parts II-V hands-on pages (the readmission case).

Each submodule is small, offline and imported on its own:

- :mod:`bana_tools.ops.validation` -- declarative column rules (pydantic) checked against a
  pandas DataFrame, with a report of every broken rule.
- :mod:`bana_tools.ops.versioning` -- content-addressed dataset versions (SHA-256 of a
  canonical CSV) with a lineage manifest, in a plain folder.
- :mod:`bana_tools.ops.tracking` -- a file-based experiment tracker and model registry
  (JSON metadata, pickled models, stage transitions).
- :mod:`bana_tools.ops.modeling` -- the reference readmission model pipeline (scikit-learn).
- :mod:`bana_tools.ops.scoring` -- an in-process scoring service with validated requests.
- :mod:`bana_tools.ops.rollout` -- shadow, canary and blue-green roll-outs simulated on a
  request log, with a rollback rule.
- :mod:`bana_tools.ops.drift` -- population stability index and Kolmogorov-Smirnov drift
  checks (scipy) with alert levels.
- :mod:`bana_tools.ops.fairness` -- subgroup error analysis (fairlearn's MetricFrame).

This file imports none of them, so ``import bana_tools.ops`` stays cheap.
"""

from __future__ import annotations

__all__: list[str] = []
