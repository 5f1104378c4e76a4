"""Metrics for the readmission case: model, system and business metrics, and their catalog.

Submodules, each imported on its own so that light users stay light:

- :mod:`bana_tools.metrics.catalog` -- the metric catalog as data (names, synonyms,
  category, definition, unit, direction) and name lookup. Imports only pydantic and the
  standard library; the exercise forms use it.
- :mod:`bana_tools.metrics.model` -- confusion matrix at a threshold, precision, recall,
  specificity, F1, ROC AUC, PR AUC, Brier score, calibration table, expected calibration
  error (numpy, scikit-learn).
- :mod:`bana_tools.metrics.system` -- latency percentiles, throughput, availability and error
  rate from a request log (numpy, pandas).
- :mod:`bana_tools.metrics.business` -- a documented cost model, readmissions prevented, net
  savings, ROI, number needed to treat, break-even precision, the savings curve and the
  savings-maximising threshold (numpy, pandas).
- :mod:`bana_tools.metrics.plots` -- figures for the book and exercises (matplotlib, lazily).

The baseline models (LACE index, logistic pipeline) live in :mod:`bana_tools.baselines`.

This package file imports none of them, so ``import bana_tools.metrics.catalog`` pulls in
no numpy, pandas, scikit-learn or matplotlib.
"""

from __future__ import annotations

__all__: list[str] = []
