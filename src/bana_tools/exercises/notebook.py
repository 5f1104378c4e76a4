"""Student notebooks, derived from the exercise declarations.

Each exercise gets ``exercises/<assignment>/<exercise_id>.ipynb``: a short introduction, a
single form cell (``show(...)``), and a self-check cell. Computational exercises add the
code cells students work in. The nbgrader course (autograding/) builds its source
notebooks from these cells and adds its own metadata and test cells; the committed
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


def _pilot_cells() -> list[dict[str, Any]]:
    return [
        _cell("markdown", "data-intro",
              "## The data\n\nThe next cell loads the pilot's scores and outcomes, and a week "
              "of requests to the model service. `SCENARIO` holds the threshold and costs "
              "stated above."),
        _cell("code", "load-data",
              "from bana_tools.data import pilot_predictions, request_log\n"
              "from bana_tools.exercises.ch02_pilot_metrics import SCENARIO\n\n"
              'pilot = pilot_predictions(SCENARIO["pilot_seed"])\n'
              'log = request_log(SCENARIO["log_rows"], SCENARIO["log_seed"])\n'
              'threshold = SCENARIO["threshold"]\n'
              "print(len(pilot), 'pilot discharges;', len(log), 'requests')\n"
              "pilot.head()"),
        _cell("markdown", "model-intro",
              "## 1. Model metrics\n\nCount true positives and flagged patients at the "
              "threshold, then compute recall and precision. `bana_tools.metrics.model` has "
              "helpers, but try it with pandas first."),
        _cell("code", "model-work", "# Your code: recall and precision at `threshold`\n"),
        _cell("markdown", "system-intro",
              "## 2. System metric\n\nKeep the successful requests (`status == 200`) and take "
              "the 95th percentile of `latency_ms`."),
        _cell("code", "system-work", "# Your code: p95 latency of the successful requests\n"),
        _cell("markdown", "business-intro",
              "## 3. Business metrics\n\nNet savings = prevented readmissions x cost of a "
              "readmission - flagged patients x programme cost per patient, where prevented "
              "readmissions = true positives x the programme's effect. Then scan thresholds "
              "from 0 to 1 and find the one with the highest net savings. "
              "(`bana_tools.metrics.business.CostModel` can hold the costs.)"),
        _cell("code", "business-work",
              "# Your code: net savings at `threshold`, then the best threshold\n"),
        _cell("markdown", "enter-intro",
              "## Enter your results\n\nType the numbers into the form (ratios between 0 "
              "and 1, latency in milliseconds, savings in dollars). The self-check says "
              "whether each number matches what the data gives; it never shows the "
              "expected value."),
    ]


def student_notebook(exercise: Exercise) -> dict[str, Any]:
    """The student notebook of ``exercise`` as an nbformat 4.5 dict."""
    cells = [_cell("markdown", "intro", _intro(exercise))]
    if exercise.id == "ch02-pilot-metrics":
        cells += _pilot_cells()
    cells += [
        _cell("markdown", "how-it-works", HOW_IT_WORKS.format(exercise_id=exercise.id)),
        _cell("code", "form", form_source(exercise.id), tags=("bana-form",)),
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
