"""MLflow on a local store: the experiment tracker and model registry of the book's ch. 6-7.

The book's hands-on pages, the UI screenshot script and the tests use MLflow's own API for
everything a student should learn (``mlflow.start_run``, ``log_params``, ``search_runs``,
``register_model``, aliases, ``models:/`` URIs). This module holds only the setup that is
the same every time and easy to get wrong:

- :func:`telemetry_off` sets ``MLFLOW_DISABLE_TELEMETRY`` and ``DO_NOT_TRACK`` (call it before
  ``import mlflow``; :func:`use_local_store` calls it too);
- :class:`LocalStore` names a SQLite tracking/registry database and an artifact folder inside
  one directory (never the repository), and :func:`use_local_store` points MLflow at it;
- :func:`log_sklearn_model` logs a scikit-learn pipeline in MLflow's safe ``skops`` format
  with an input signature and exact pins of the libraries it needs, without the slow
  requirement inference (a subprocess) that MLflow runs by default;
- :func:`artifact_sha256` fingerprints a logged model's files, so that a registry tag can
  prove later that the served model is the one that was approved;
- :func:`server_command` and :func:`free_port` start the MLflow UI on the loopback interface.

mlflow is imported lazily, so importing this module is cheap.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from mlflow.models.model import ModelInfo

__all__ = [
    "TELEMETRY_OFF",
    "LocalStore",
    "artifact_sha256",
    "free_port",
    "log_sklearn_model",
    "model_files",
    "model_requirements",
    "server_command",
    "telemetry_off",
    "use_local_store",
]

#: Environment variables that stop MLflow (and libraries that honour DO_NOT_TRACK) from
#: sending usage data. The book runs offline, but it should not even try.
TELEMETRY_OFF: dict[str, str] = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}

#: Types our pipelines store that skops does not trust by default. We trust them because the
#: book only loads models it trained itself; a registry fed by others should review them.
SKOPS_TRUSTED: tuple[str, ...] = (
    "numpy.dtype",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)


def telemetry_off() -> None:
    """Set :data:`TELEMETRY_OFF` in this process's environment (before importing mlflow)."""
    os.environ.update(TELEMETRY_OFF)


@dataclass(frozen=True)
class LocalStore:
    """An MLflow store inside one folder: ``mlflow.db`` (SQLite) and ``artifacts/``."""

    root: Path

    @property
    def tracking_uri(self) -> str:
        """The SQLite URI used for both runs and the model registry."""
        return f"sqlite:///{(self.root / 'mlflow.db').resolve()}"

    @property
    def artifact_root(self) -> Path:
        """Where run artifacts (files, logged models) are written."""
        return (self.root / "artifacts").resolve()


def use_local_store(root: str | Path, experiment: str, quiet: bool = True) -> LocalStore:
    """Point MLflow's tracking and registry at a local store and select ``experiment``.

    The experiment is created on first use with its artifacts under the store's folder.
    ``quiet`` keeps MLflow's informational log lines (database set-up) and its download
    progress bars out of notebook outputs; warnings and errors still show. Returns the store, whose URIs
    can be passed to ``mlflow server``.
    """
    telemetry_off()
    import mlflow

    if quiet:
        logging.getLogger("mlflow").setLevel(logging.WARNING)
        os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"

    store = LocalStore(Path(root))
    store.root.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(store.tracking_uri)
    mlflow.set_registry_uri(store.tracking_uri)
    if mlflow.get_experiment_by_name(experiment) is None:
        mlflow.create_experiment(experiment, artifact_location=store.artifact_root.as_uri())
    mlflow.set_experiment(experiment)
    return store


def model_requirements() -> list[str]:
    """Exact pins of the libraries a logged readmission pipeline needs to load and predict."""
    from importlib.metadata import version

    return [f"{name}=={version(name)}" for name in ("scikit-learn", "numpy", "pandas", "scipy", "skops")]


def log_sklearn_model(model: object, X_example: pd.DataFrame, name: str = "model",
                      registered_model_name: str | None = None) -> ModelInfo:
    """Log a fitted scikit-learn pipeline to the active run (and optionally register it).

    The model is stored in the ``skops`` format (loading it cannot run arbitrary code, unlike a
    pickle), with a signature inferred from ``X_example`` and its predicted probabilities, and
    with :func:`model_requirements` as its pinned environment.
    """
    import mlflow
    from mlflow.models import infer_signature

    with warnings.catch_warnings():
        # MLflow hints that integer columns cannot hold missing values; ours never do.
        warnings.filterwarnings("ignore", message=".*integer column", category=UserWarning)
        signature = infer_signature(X_example, model.predict_proba(X_example)[:, 1])  # type: ignore[attr-defined]
        return mlflow.sklearn.log_model(
            model, name=name, signature=signature, pip_requirements=model_requirements(),
            serialization_format="skops", skops_trusted_types=list(SKOPS_TRUSTED),
            registered_model_name=registered_model_name,
        )


#: Files MLflow adds to a logged model's folder after logging (on loading a registered version).
_MLFLOW_BOOKKEEPING: frozenset[str] = frozenset({"registered_model_meta"})


def model_files(model_uri: str) -> Path:
    """The local folder holding a logged model's files in a local store (not a copy).

    ``model_uri`` is any URI MLflow resolves to a logged model: ``models:/m-...``,
    ``models:/<name>/<version>`` or ``models:/<name>@<alias>``.
    """
    import mlflow
    from mlflow.store.artifact.utils.models import get_model_name_and_version

    client = mlflow.MlflowClient()
    target = model_uri.removeprefix("models:/")
    if "/" in target or "@" in target:  # a registered name with a version or an alias
        name, version = get_model_name_and_version(client, model_uri)
        target = client.get_model_version(name, version).source.removeprefix("models:/")
    location = mlflow.get_logged_model(target).artifact_location
    return Path(location.removeprefix("file://"))


def artifact_sha256(model_uri: str) -> str:
    """SHA-256 over a logged model's files (names and bytes, in sorted order).

    Record it as a model version tag at registration; recompute it before serving to detect a
    changed or corrupted artifact. MLflow's own bookkeeping files, which it writes into the
    folder when a registered version is first loaded, are left out.
    """
    folder = model_files(model_uri)
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in _MLFLOW_BOOKKEEPING):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def server_command(store: LocalStore, port: int, host: str = "127.0.0.1") -> list[str]:
    """The ``mlflow server`` command that serves the UI for ``store`` on ``host:port``."""
    return [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", store.tracking_uri,
        "--default-artifact-root", store.artifact_root.as_uri(),
        "--host", host, "--port", str(port), "--workers", "1",
    ]
