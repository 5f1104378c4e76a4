"""Content-addressed dataset versions with lineage, stored in a plain folder.

A dataset version is named by the SHA-256 of its canonical CSV bytes (columns in their
order, rows in their order, ``\\n`` line ends), so the same table always gets the same id
and any change -- one cell -- gets a new one. :class:`DatasetStore` keeps each version's CSV
once under ``<root>/data/<id>.csv`` and a manifest entry recording where it came from: the
step that made it, its parameters and the ids of its parent versions. Walking the parents
gives the version's lineage.

This is the idea behind tools such as DVC or lakeFS, reduced to what a course needs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DatasetStore", "DatasetVersion", "canonical_csv", "content_hash"]


def canonical_csv(df: pd.DataFrame) -> bytes:
    """The table as canonical CSV bytes (no index, ``\\n`` line ends, UTF-8)."""
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def content_hash(df: pd.DataFrame, length: int = 12) -> str:
    """The first ``length`` hex digits of the SHA-256 of :func:`canonical_csv`."""
    return hashlib.sha256(canonical_csv(df)).hexdigest()[:length]


@dataclass(frozen=True)
class DatasetVersion:
    """One stored version and where it came from."""

    id: str
    name: str
    rows: int
    columns: list[str]
    step: str
    params: dict[str, Any] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)
    created: str = ""


class DatasetStore:
    """A folder of content-addressed CSV versions plus a JSON manifest."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        self._manifest = self.root / "manifest.json"

    def _read(self) -> dict[str, dict[str, Any]]:
        if not self._manifest.exists():
            return {}
        return json.loads(self._manifest.read_text(encoding="utf-8"))

    def save(self, df: pd.DataFrame, name: str, *, step: str, params: dict[str, Any] | None = None,
             parents: list[str] | tuple[str, ...] = ()) -> DatasetVersion:
        """Store ``df`` (once) and record its version; returns the version."""
        manifest = self._read()
        unknown = [p for p in parents if p not in manifest]
        if unknown:
            raise KeyError(f"unknown parent version(s): {', '.join(unknown)}")
        data = canonical_csv(df)
        vid = hashlib.sha256(data).hexdigest()[:12]
        path = self.root / "data" / f"{vid}.csv"
        if not path.exists():
            path.write_bytes(data)
        if vid in manifest:
            return DatasetVersion(**manifest[vid])
        version = DatasetVersion(
            id=vid, name=name, rows=len(df), columns=[str(c) for c in df.columns], step=step,
            params=dict(params or {}), parents=list(parents),
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        manifest[vid] = asdict(version)
        tmp = self._manifest.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self._manifest)
        return version

    def get(self, vid: str) -> DatasetVersion:
        """The recorded version ``vid`` (KeyError if unknown)."""
        manifest = self._read()
        if vid not in manifest:
            raise KeyError(f"unknown dataset version {vid!r}")
        return DatasetVersion(**manifest[vid])

    def load(self, vid: str) -> pd.DataFrame:
        """Read version ``vid`` back, checking that its bytes still match its id."""
        import io

        import pandas as pd

        self.get(vid)
        data = (self.root / "data" / f"{vid}.csv").read_bytes()
        if hashlib.sha256(data).hexdigest()[:12] != vid:
            raise ValueError(f"dataset version {vid} was modified on disk")
        return pd.read_csv(io.BytesIO(data))

    def versions(self) -> list[DatasetVersion]:
        """All versions, oldest first."""
        return sorted((DatasetVersion(**v) for v in self._read().values()), key=lambda v: v.created)

    def lineage(self, vid: str) -> list[DatasetVersion]:
        """``vid`` and all its ancestors, nearest first (each listed once)."""
        seen: list[DatasetVersion] = []
        queue = [vid]
        ids: set[str] = set()
        while queue:
            current = queue.pop(0)
            if current in ids:
                continue
            ids.add(current)
            version = self.get(current)
            seen.append(version)
            queue.extend(version.parents)
        return seen
