"""Run nbgrader commands for a course folder, from Python.

nbgrader creates a gradebook by running the ``alembic`` command, which it finds on
``PATH``; when ``bana`` runs from a virtual environment that is not activated, the
environment's ``bin`` folder is not on ``PATH``. :func:`nbgrader_env` puts it there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited non-zero; the message is its last error line."""


def nbgrader_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for nbgrader: this interpreter's ``bin`` first on ``PATH``."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    parts = env.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        env["PATH"] = os.pathsep.join([bindir, *[p for p in parts if p]])
    env.update(extra or {})
    return env


def ensure_bin_on_path() -> None:
    """Put this interpreter's ``bin`` folder on ``PATH`` of the current process."""
    os.environ["PATH"] = nbgrader_env()["PATH"]


def run_nbgrader(course: Path | str, args: Sequence[str], *, env: Mapping[str, str] | None = None,
                 check: bool = True, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course``; raise :class:`NbgraderFailed` if it fails."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=str(course), env=nbgrader_env(env),
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    if check and proc.returncode != 0:
        lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if "ERROR" in ln]
        detail = lines[-1] if lines else (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise NbgraderFailed(f"nbgrader {' '.join(args[:2])} failed: {detail.strip()}")
    return proc
