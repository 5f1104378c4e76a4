"""Student notebooks, derived from the exercise declarations.

Each exercise gets ``exercises/<assignment>/<exercise_id>.ipynb``: a short introduction, a
single form cell (``show(...)``), and a self-check cell. Computational exercises add the
cells their declaration lists (``Exercise.cells``: loading the data, space to work) between
the form and the self-check. The
nbgrader course (autograding/) builds its source notebooks from these cells and adds its own metadata and test cells; the committed
``exercises/`` folder holds nbgrader's release versions of those. To write the plain
versions somewhere else (for a course without nbgrader)::

    python -m bana_tools.exercises.notebook OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bana_tools.exercises import all_exercises, get_exercise
from bana_tools.exercises.schema import Exercise

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _cell(kind: str, cell_id: str, source: str, tags: tuple[str, ...] = ()) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": cell_id,
        "metadata": {"tags": list(tags)} if tags else {},
        "source": source,
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def form_source(exercise_id: str) -> str:
    """The source of the form cell."""
    return f'from bana_tools.forms import show\n\nshow("{exercise_id}")'


def self_check_source(exercise_id: str) -> str:
    """The source of the self-check cell."""
    return f'from bana_tools.forms import self_check\n\nself_check("{exercise_id}")'


def autograde_source(exercise_id: str, check_ids: list[str]) -> str:
    """The source of an nbgrader autograder test cell for ``check_ids``.

    Give the cell ``points`` equal to ``bana_tools.grading.points_for(exercise_id, check_ids)``:
    the call's value (the points earned) is the cell's partial credit.
    """
    ids = ", ".join(json.dumps(c) for c in check_ids)
    return f'from bana_tools.grading import autograde\n\nautograde("{exercise_id}", [{ids}])'


def _intro(exercise: Exercise) -> str:
    parts = "\n".join(f"- {p.title}" for p in exercise.parts)
    return (
        f"# {exercise.title}\n\n{exercise.intro}\n\n"
        f"*Based on: {exercise.source}.*\n\n"
        f"**Parts**\n\n{parts}\n"
    )


HOW_IT_WORKS = (
    "## How this notebook works\n\n"
    "Run the cell below (or *Run > Run All Cells*) to show the form. Everything you type "
    "is saved automatically, half a second after you stop, to "
    "`answers/{exercise_id}.json` next to this notebook; the status line in the form says "
    "when it last saved. Close the notebook, restart the kernel or come back next week: "
    "running the cell again brings every answer back. Save the notebook too (Ctrl+S): it "
    "keeps a copy of your answers, in case you hand in the notebook on its own.\n\n"
    "Press **Check my answers** at any time. The automatic checks look at structure "
    "(is every part there, long enough, in the right category); your instructor reads "
    "and grades the written answers."
)



PER_STUDENT_NOTE = (
    "\n\n**Your own data.** The data of this exercise depends on your student id, so your "
    "numbers differ from your classmates'. Type your id into the form's first tab (on "
    "JupyterHub it is filled in for you); the form then shows your data variant. Run the "
    "data cell below after that. When your instructor grades, your numbers are compared "
    "with the data of the id the course knows you by."
)


def how_it_works(exercise: Exercise) -> str:
    """The "How this notebook works" cell of ``exercise``."""
    text = HOW_IT_WORKS.format(exercise_id=exercise.id)
    if exercise.scenario is not None and exercise.scenario.per_student:
        text += PER_STUDENT_NOTE
    return text


def student_notebook(exercise: Exercise) -> dict[str, Any]:
    """The student notebook of ``exercise`` as an nbformat 4.5 dict."""
    cells = [
        _cell("markdown", "intro", _intro(exercise)),
        _cell("markdown", "how-it-works", how_it_works(exercise)),
        _cell("code", "form", form_source(exercise.id), tags=("bana-form",)),
    ]
    # the exercise's own cells come after the form: per-student data needs the id typed
    # into the form first, and "Run All" must reach the form even before it is there
    cells += [_cell(c.kind, c.id, c.source) for c in exercise.cells]
    cells += [
        _cell("markdown", "self-check-intro",
              "## Self-check\n\nRun this cell for a text summary of the automatic checks "
              "on your saved answers (the same as the button in the form)."),
        _cell("code", "self-check", self_check_source(exercise.id), tags=("bana-self-check",)),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
            "bana": {"exercise_id": exercise.id, "assignment": exercise.assignment},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_path(exercise: Exercise, root: Path | str) -> Path:
    """``<root>/<assignment>/<exercise_id>.ipynb``."""
    return Path(root) / exercise.assignment / f"{exercise.id}.ipynb"


def notebook_text(exercise: Exercise) -> str:
    return json.dumps(student_notebook(exercise), indent=1, ensure_ascii=False) + "\n"


def write_notebooks(root: Path | str, exercise_ids: list[str] | None = None) -> list[Path]:
    """Write every (or the given) exercise's notebook under ``root``."""
    exercises = [get_exercise(i) for i in exercise_ids] if exercise_ids else all_exercises()
    written = []
    for exercise in exercises:
        path = notebook_path(exercise, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notebook_text(exercise), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m bana_tools.exercises.notebook OUT_DIR")
    for written_path in write_notebooks(sys.argv[1]):
        print(written_path)
