"""The copy of the answers that travels inside the saved notebook.

The form cell shows an output with the MIME type :data:`ANSWERS_MIME` (plus a plain-text
line) and updates it on every save. When a notebook arrives without its answers file
(an LMS upload, a Colab runtime that was recycled), :func:`restore_answers_from_notebook`
writes the file back from that copy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bana_tools.answers.model import ANSWERS_MIME, AnswersFile
from bana_tools.answers.store import AnswersError


def answers_bundle(record: AnswersFile, relative_path: str) -> dict[str, Any]:
    """The MIME bundle of the form cell's answers output."""
    return {
        ANSWERS_MIME: record.model_dump(mode="json"),
        "text/plain": f"Answers saved to {relative_path} (a copy is kept in this notebook).",
    }


def answers_in_notebook(nb: dict[str, Any] | str | Path) -> list[AnswersFile]:
    """Every valid answers copy found in a notebook (a dict, JSON text or a path)."""
    if isinstance(nb, Path) or (isinstance(nb, str) and not nb.lstrip().startswith("{")):
        try:
            nb = json.loads(Path(nb).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AnswersError(f"cannot read notebook {nb}: {exc}") from None
    elif isinstance(nb, str):
        nb = json.loads(nb)
    found: list[AnswersFile] = []
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        for output in cell.get("outputs", []) or []:
            data = (output or {}).get("data") or {}
            payload = data.get(ANSWERS_MIME)
            if isinstance(payload, str):
                try:
                    payload = json.loads(payload)
                except ValueError:
                    continue
            if not isinstance(payload, dict):
                continue
            try:
                found.append(AnswersFile.model_validate(payload))
            except ValidationError:
                continue
    return found


def restore_answers_from_notebook(
    nb_path: Path | str, answers_dir: Path | str | None = None, exercise_id: str | None = None
) -> Path | None:
    """Recreate a missing answers file from the copy saved in the notebook.

    ``answers_dir`` defaults to ``answers/`` beside the notebook. If a readable answers
    file already exists it is left alone (the file is the source of truth) and its path is
    returned. Returns ``None`` when the notebook holds no copy (for ``exercise_id`` if
    given). The newest copy wins; an unreadable file is set aside, never deleted
    (:mod:`bana_tools.answers.resolve`).
    """
    from bana_tools.answers.resolve import newest_copy, resolve, write_back

    nb_path = Path(nb_path)
    newest = newest_copy(answers_in_notebook(nb_path), exercise_id)
    if newest is None:
        return None
    directory = Path(answers_dir) if answers_dir is not None else nb_path.parent / "answers"
    target = directory / f"{newest.exercise_id}.json"
    return write_back(resolve(newest.exercise_id, target, newest), target)
