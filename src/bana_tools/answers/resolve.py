"""Which answers count: one rule for the form, ``bana check``, grading and the test cells.

The answers file beside the notebook is the source of truth. When it is missing, unreadable,
invalid or holds another exercise's answers, the newest copy of this exercise's answers
saved inside the notebook is used instead; when there is none, there are no answers, and
the reason says why. A file that is replaced is never deleted: it is set aside as
``<exercise>.corrupt-<time>.json`` beside it (the one naming scheme for set-aside files).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bana_tools.answers.model import AnswersFile
from bana_tools.answers.store import (
    AnswersError,
    atomic_write_text,
    read_answers_file,
    set_aside,
)


@dataclass(frozen=True)
class Resolved:
    """The answers to use, where they came from, and why the file was not used."""

    record: AnswersFile | None
    source: Literal["file", "notebook", "none"]
    #: Why the answers file could not be used (``None`` when it was used).
    problem: str | None = None

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.record.answers) if self.record is not None else {}


def newest_copy(copies: Iterable[AnswersFile], exercise_id: str | None = None) -> AnswersFile | None:
    """The most recently saved copy (of ``exercise_id``, if given), or ``None``."""
    mine = [c for c in copies if exercise_id is None or c.exercise_id == exercise_id]
    return max(mine, key=lambda c: c.updated) if mine else None


def copy_in_notebook(nb: dict[str, Any] | str | Path, exercise_id: str) -> AnswersFile | None:
    """The newest copy of ``exercise_id``'s answers saved in a notebook; ``None`` if the
    notebook holds none or cannot be read."""
    from bana_tools.answers.notebook import answers_in_notebook

    try:
        return newest_copy(answers_in_notebook(nb), exercise_id)
    except (AnswersError, OSError, ValueError, TypeError, AttributeError):
        return None


def resolve(exercise_id: str, path: Path | str, copy: AnswersFile | None = None) -> Resolved:
    """The file at ``path`` if usable, else ``copy`` (if it is this exercise's), else none."""
    try:
        return Resolved(read_answers_file(path, exercise_id), "file")
    except AnswersError as exc:
        problem = str(exc)
    if copy is not None and copy.exercise_id == exercise_id:
        return Resolved(copy, "notebook", problem)
    return Resolved(None, "none", problem)


def write_back(resolved: Resolved, path: Path | str) -> Path | None:
    """Make the answers file hold what :func:`resolve` chose from the notebook copy (the
    unusable file set aside first); nothing to do when the file was used or nothing was."""
    path = Path(path)
    if resolved.source != "notebook" or resolved.record is None:
        return path if resolved.source == "file" else None
    if path.exists():
        set_aside(path)
    atomic_write_text(path, resolved.record.to_json())
    return path
