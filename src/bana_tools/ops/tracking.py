"""A file-based experiment tracker and model registry.

Everything lives under one folder, readable with any text editor::

    <root>/runs/<run_id>/run.json        parameters, metrics, tags, data version, status
    <root>/runs/<run_id>/artifacts/...   files the run saved
    <root>/models/<name>/<version>/      model.pkl, model.json (metrics, run, data version)
    <root>/models/<name>/stages.json     which version is in staging and in production

It mirrors the vocabulary of MLflow (experiments, runs, params, metrics, artifacts,
registered models, stages) without its server, database or dependency tree, so the book's
pages run offline in a second. Run ids are sequential (``<experiment>-0001``) so a page
that is re-executed produces the same ids.

Models are stored with :mod:`pickle`: load only registries you wrote yourself.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import platform
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["STAGES", "ExperimentTracker", "ModelRegistry", "ModelVersion", "Run"]

STAGES: tuple[str, ...] = ("none", "staging", "production", "archived")


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8")
    tmp.replace(path)


@dataclass
class Run:
    """One training run: what went in, what came out."""

    run_id: str
    experiment: str
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    data_version: str | None = None
    status: str = "running"
    environment: dict[str, str] = field(default_factory=dict)
    artifacts: list[str] = field(default_factory=list)


class ExperimentTracker:
    """Records runs as JSON files under ``<root>/runs``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / "runs").mkdir(parents=True, exist_ok=True)

    def _run_dir(self, run_id: str) -> Path:
        return self.root / "runs" / run_id

    def _next_id(self, experiment: str) -> str:
        taken = [p.name for p in (self.root / "runs").glob(f"{experiment}-*")]
        return f"{experiment}-{len(taken) + 1:04d}"

    def save(self, run: Run) -> None:
        """Write ``run`` to disk."""
        _write_json(self._run_dir(run.run_id) / "run.json", asdict(run))

    @contextmanager
    def start_run(self, experiment: str, params: dict[str, Any] | None = None, *,
                  data_version: str | None = None, tags: dict[str, str] | None = None) -> Iterator[Run]:
        """Open a run; it is saved as ``finished`` on exit or ``failed`` if the block raises."""
        if not experiment or "/" in experiment:
            raise ValueError(f"bad experiment name {experiment!r}")
        import sklearn

        run = Run(
            run_id=self._next_id(experiment), experiment=experiment, params=dict(params or {}),
            tags=dict(tags or {}), data_version=data_version,
            environment={"python": sys.version.split()[0], "platform": platform.system(),
                         "scikit-learn": sklearn.__version__},
        )
        self.save(run)
        try:
            yield run
        except BaseException:
            run.status = "failed"
            self.save(run)
            raise
        run.status = "finished"
        self.save(run)

    def log_artifact(self, run: Run, name: str, content: str | bytes) -> Path:
        """Save a file for ``run`` (text or bytes) and record its name."""
        path = self._run_dir(run.run_id) / "artifacts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        if name not in run.artifacts:
            run.artifacts.append(name)
        self.save(run)
        return path

    def get(self, run_id: str) -> Run:
        """Read run ``run_id`` back (KeyError if unknown)."""
        path = self._run_dir(run_id) / "run.json"
        if not path.exists():
            raise KeyError(f"unknown run {run_id!r}")
        return Run(**json.loads(path.read_text(encoding="utf-8")))

    def runs(self, experiment: str | None = None) -> list[Run]:
        """All runs (of one experiment), in id order."""
        found = [Run(**json.loads(p.read_text(encoding="utf-8")))
                 for p in sorted((self.root / "runs").glob("*/run.json"))]
        return [r for r in found if experiment is None or r.experiment == experiment]

    def table(self, experiment: str | None = None) -> pd.DataFrame:
        """Runs as a DataFrame: one row per run, ``param.*`` and ``metric.*`` columns."""
        import pandas as pd

        rows = []
        for r in self.runs(experiment):
            row: dict[str, Any] = {"run_id": r.run_id, "status": r.status, "data_version": r.data_version}
            row.update({f"param.{k}": v for k, v in r.params.items()})
            row.update({f"metric.{k}": v for k, v in r.metrics.items()})
            rows.append(row)
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class ModelVersion:
    """One registered version of a model."""

    name: str
    version: int
    run_id: str | None
    data_version: str | None
    metrics: dict[str, float]
    sha256: str
    stage: str = "none"


class ModelRegistry:
    """Registered models under ``<root>/models``: versions, stages, and loading by stage."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / "models").mkdir(parents=True, exist_ok=True)

    def _dir(self, name: str) -> Path:
        if not name or "/" in name:
            raise ValueError(f"bad model name {name!r}")
        return self.root / "models" / name

    def _stages(self, name: str) -> dict[str, Any]:
        path = self._dir(name) / "stages.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def register(self, name: str, model: Any, *, metrics: dict[str, float] | None = None,
                 run_id: str | None = None, data_version: str | None = None) -> ModelVersion:
        """Store ``model`` as the next version of ``name``."""
        folder = self._dir(name)
        existing = [int(p.name) for p in folder.glob("*") if p.is_dir() and p.name.isdigit()]
        version = max(existing, default=0) + 1
        blob = pickle.dumps(model)
        meta = ModelVersion(name=name, version=version, run_id=run_id, data_version=data_version,
                            metrics=dict(metrics or {}), sha256=hashlib.sha256(blob).hexdigest())
        vdir = folder / str(version)
        vdir.mkdir(parents=True)
        (vdir / "model.pkl").write_bytes(blob)
        _write_json(vdir / "model.json", asdict(meta))
        return meta

    def get(self, name: str, version: int) -> ModelVersion:
        """Metadata of one version, with its current stage."""
        path = self._dir(name) / str(version) / "model.json"
        if not path.exists():
            raise KeyError(f"model {name!r} has no version {version}")
        meta = json.loads(path.read_text(encoding="utf-8"))
        stages = self._stages(name)
        live = [s for s in ("production", "staging") if stages.get(s) == version]
        archived = version in stages.get("archived", [])
        meta["stage"] = live[0] if live else ("archived" if archived else "none")
        return ModelVersion(**meta)

    def versions(self, name: str) -> list[ModelVersion]:
        """All versions of ``name``, oldest first."""
        nums = sorted(int(p.name) for p in self._dir(name).glob("*") if p.is_dir() and p.name.isdigit())
        return [self.get(name, v) for v in nums]

    def transition(self, name: str, version: int, stage: str) -> ModelVersion:
        """Put ``version`` into ``stage``; the version it displaces there is archived.

        ``"none"`` takes a version out of every stage (it stays registered and loadable).
        """
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r} (choose {', '.join(STAGES)})")
        self.get(name, version)
        stages: dict[str, Any] = self._stages(name)
        archived = [v for v in stages.get("archived", []) if v != version]
        slots = {s: v for s, v in stages.items() if s in ("staging", "production") and v != version}
        if stage in ("staging", "production"):
            displaced = slots.get(stage)
            if displaced is not None and displaced not in archived:
                archived.append(displaced)
            slots[stage] = version
        elif stage == "archived":
            archived.append(version)
        _write_json(self._dir(name) / "stages.json", {**slots, "archived": sorted(archived)})
        return self.get(name, version)

    def load(self, name: str, *, version: int | None = None, stage: str = "production") -> Any:
        """Load a model by version, or the one in ``stage``; checks its SHA-256 first."""
        if version is None:
            stages = self._stages(name)
            if not isinstance(stages.get(stage), int):
                raise KeyError(f"model {name!r} has no version in {stage}")
            version = stages[stage]
        meta = self.get(name, version)
        blob = (self._dir(name) / str(version) / "model.pkl").read_bytes()
        if hashlib.sha256(blob).hexdigest() != meta.sha256:
            raise ValueError(f"{name} v{version}: model file does not match its recorded hash")
        return pickle.loads(blob)
