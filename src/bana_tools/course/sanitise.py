"""The sanitising phase of autograding (nbgrader's ``Autograde.sanitize_preprocessors``):
the submitted notebook made safe to grade, before any cell runs.

``StashAnswers`` keeps the answers copy the notebook carries before nbgrader clears
outputs; ``NeutraliseAddedCells`` shows cells a student added (or a second copy of one) as
escaped text that never runs; ``RestoreMissingCells`` brings back every deleted cell of the
source notebook. See :mod:`bana_tools.course.cells` for what the phases share.
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.nbgraderformat import SCHEMA_VERSION
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

from bana_tools.course.cells import (
    STASH_KEY,
    escape_block,
    exercise_id_of,
    markdown_cell,
    source_cells,
)


class StashAnswers(NbGraderPreprocessor):
    """Sanitising pass, first: keep the newest answers copy the notebook carries.

    ``ClearOutput`` runs next and would drop the form cell's output, which holds the copy
    (:data:`bana_tools.answers.ANSWERS_MIME`). The copy is stored in the notebook metadata
    for :class:`PrepareAnswers`; whatever a student put under that key is replaced.
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        from bana_tools.answers.resolve import copy_in_notebook

        newest = copy_in_notebook(dict(nb), exercise_id_of(resources))
        nb.metadata[STASH_KEY] = {
            "answers_copy": newest.model_dump(mode="json") if newest is not None else None,
        }
        return nb, resources


class NeutraliseAddedCells(NbGraderPreprocessor):
    """Sanitising pass: only the cells of the source notebook run.

    * A cell whose ``grade_id`` is not in the gradebook's source notebook (added, or a
      second copy that ``DeduplicateIds`` already stripped, or edited metadata) loses its
      nbgrader metadata.
    * The nbgrader metadata of every known cell (grade, solution, locked, points) is reset
      from the gradebook, so a student cannot turn a test cell into an ungraded one.
    * Every cell without nbgrader metadata becomes a Markdown cell that shows its content,
      escaped, under a note: the grader sees it, nothing of it runs or renders as HTML.

    Set ``NeutraliseAddedCells.run_added_cells = True`` to run added code cells instead
    (they are then limited only by ``Execute.timeout`` and the output caps).
    """

    run_added_cells = Bool(False, help="run code cells that are not in the source notebook").tag(
        config=True
    )

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        known = self._known_cells(resources, self.parent)
        cells = []
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader")
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if grade_id in known:
                cell.metadata["nbgrader"] = self._restore_meta(meta, known[grade_id])
                cells.append(cell)
                continue
            if "nbgrader" in cell.get("metadata", {}):
                del cell.metadata["nbgrader"]
            if cell.cell_type == "code" and self.run_added_cells:
                cells.append(cell)
                continue
            cells.append(self._as_text(cell, len(cells)))
        nb.cells = cells
        return nb, resources

    @staticmethod
    def _known_cells(resources: ResourcesDict, holder: object | None) -> dict[str, dict[str, Any]]:
        record = source_cells(resources, holder)
        known: dict[str, dict[str, Any]] = {
            name: {"locked": cell.locked, "cell_type": cell.cell_type,
                   "grade": False, "solution": False, "task": False}
            for name, cell in record.cells.items()
        }
        for name, points in record.grade.items():
            known.setdefault(name, {}).update(grade=True, points=points)
        for name in record.solution:
            known.setdefault(name, {}).update(solution=True)
        for name, points in record.task.items():
            known.setdefault(name, {}).update(task=True, points=points)
        return known

    @staticmethod
    def _restore_meta(meta: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
        restored = {
            "grade": truth.get("grade", False),
            "grade_id": meta["grade_id"],
            "locked": truth.get("locked", False),
            "schema_version": SCHEMA_VERSION,
            "solution": truth.get("solution", False),
            "task": truth.get("task", False),
        }
        if restored["grade"] or restored["task"]:
            restored["points"] = truth.get("points", 0.0)
        if "checksum" in meta:
            restored["checksum"] = meta["checksum"]
        return restored

    @staticmethod
    def _as_text(cell: NotebookNode, index: int) -> NotebookNode:
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        kind = {"code": "code", "markdown": "text", "raw": "raw text"}.get(cell.cell_type, "content")
        note = (
            f"*A cell that is not part of the assignment ({kind}, added or copied in the "
            "submission). It was not run for grading; its content is shown as plain text.*"
        )
        body = escape_block(str(source)[:20_000])
        if len(str(source)) > 20_000:
            body += "<br>[... cut: only the first 20,000 characters are shown ...]"
        text = f"{note}\n\n<div class=\"bana-added-cell\" style=\"font-family: monospace\">{body}</div>"
        return markdown_cell(text, f"bana-shown-{index}")


def _source_order(exercise_id: str) -> list[str]:
    """Cell ids of the generated source notebook, in order ([] if not ours)."""
    try:
        from bana_tools.course.build_source import source_notebook

        return [cell["id"] for cell in source_notebook(exercise_id)["cells"]]
    except Exception:  # noqa: BLE001 - an instructor's own notebook: no known order
        return []


class RestoreMissingCells(NbGraderPreprocessor):
    """Sanitising pass, after ``OverwriteCells``: put back every deleted nbgrader cell.

    nbgrader's ``OverwriteCells.add_missing_cells`` re-adds grade cells only, and fails
    when the cell before a deleted one is a locked cell that is not graded. This puts back
    any cell of the gradebook's source notebook (test, prose, form, locked text) exactly as
    released, after the nearest cell that precedes it in the source notebook, with a short
    note before it.
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        nbg = resources["nbgrader"]
        present = {
            c.metadata.nbgrader.get("grade_id")
            for c in nb.cells if isinstance(c.get("metadata", {}).get("nbgrader"), dict)
        }
        record = source_cells(resources, self.parent)
        grade_cells, solution_cells, task_cells = record.grade, record.solution, record.task
        missing = {
            name: (c.cell_type, c.source, c.locked, c.checksum)
            for name, c in record.cells.items() if name not in present
        }
        if not missing:
            return nb, resources
        order = _source_order(str(nbg["notebook"]))
        for name in sorted(missing, key=lambda n: order.index(n) if n in order else len(order)):
            cell_type, source, locked, checksum = missing[name]
            meta: dict[str, Any] = {
                "grade": name in grade_cells, "grade_id": name, "locked": locked,
                "schema_version": SCHEMA_VERSION, "solution": name in solution_cells,
                "task": name in task_cells, "checksum": checksum,
            }
            if meta["grade"] or meta["task"]:
                meta["points"] = grade_cells.get(name, task_cells.get(name, 0.0))
            cell: dict[str, Any] = {"cell_type": cell_type, "metadata": {"nbgrader": meta},
                                    "source": source}
            if cell_type == "code":
                cell.update(outputs=[], execution_count=None)
            position = self._position(nb, name, order)
            note = markdown_cell("*The next cell was missing from the submission; it was put "
                                 "back, as released, for grading.*", f"bana-restored-{name}")
            nb.cells[position:position] = [note, from_dict(cell)]
            self.log.warning("Cell %s was missing; restored it", name)
        return nb, resources

    @staticmethod
    def _position(nb: NotebookNode, name: str, order: list[str]) -> int:
        if name not in order:
            return len(nb.cells)
        before = set(order[: order.index(name)])
        position = 0
        for index, cell in enumerate(nb.cells):
            meta = cell.get("metadata", {}).get("nbgrader")
            if isinstance(meta, dict) and meta.get("grade_id") in before:
                position = index + 1
        return position
