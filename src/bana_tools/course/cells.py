"""What the course's grading passes share: which exercise a notebook is, its folder, the
key of the notebook metadata the sanitising pass leaves for the grading pass, and escaped
Markdown cells.

The passes themselves, by phase: :mod:`bana_tools.course.sanitise` (the submitted
notebook made safe), :mod:`bana_tools.course.prepare` (the answers to grade, the prose
shown to graders), :mod:`bana_tools.course.execute` (the course's cells run, bounded),
then nbgrader's own scoring, and :mod:`bana_tools.course.feedback`. They are listed, in
order, in :mod:`bana_tools.course.config`. The exercise of a notebook is its notebook id
(``<exercise_id>.ipynb``); the answers are ``answers/<exercise_id>.json`` beside it.
Nothing in these passes trusts the submitted notebook's metadata: which cells exist, and
what they are, comes from the gradebook (what ``nbgrader generate_assignment`` recorded)
and from the exercise declaration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict

#: Notebook-level metadata key carrying what the sanitising pass learned to the grading pass.
STASH_KEY = "bana_grading"
#: Key under which :func:`source_cells` keeps what it read (in a converter's exporter, or in a
#: notebook's ``resources``).
_SOURCE_CELLS_KEY = "_bana_source_cells"


@dataclass(frozen=True)
class SourceCell:
    """One cell of the released notebook, as ``nbgrader generate_assignment`` recorded it."""

    cell_type: str
    source: str
    locked: bool
    checksum: str | None


@dataclass(frozen=True)
class SourceCells:
    """The gradebook's record of a notebook: its cells, and which are graded (with their
    points), solutions or tasks. Empty when the gradebook does not know the notebook."""

    cells: dict[str, SourceCell] = field(default_factory=dict)
    grade: dict[str, float] = field(default_factory=dict)
    solution: frozenset[str] = frozenset()
    task: dict[str, float] = field(default_factory=dict)


def source_cells(resources: ResourcesDict, holder: object | None = None) -> SourceCells:
    """What the gradebook holds about the notebook being graded, read once per notebook.

    The sanitising and execution passes all need it. ``holder`` (a pass's ``parent``:
    nbgrader's exporter, made once per converter) keeps it across nbgrader's two passes over
    a notebook (sanitise, then autograde), which each start from new resources; without a
    holder, the notebook's ``resources`` keep it for one pass. The record is the
    assignment's structure, the same for every student, so sharing it within a converter is
    safe.
    """
    nbg = resources["nbgrader"]
    key = (nbg["db_url"], nbg["assignment"], nbg["notebook"])
    store = holder.__dict__ if holder is not None else resources
    kept: dict[tuple[str, str, str], SourceCells] = store.setdefault(_SOURCE_CELLS_KEY, {})
    if key not in kept:
        kept[key] = _read_source_cells(*key)
    return kept[key]


def _read_source_cells(db_url: str, assignment: str, notebook_name: str) -> SourceCells:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            notebook = gb.find_notebook(notebook_name, assignment)
        except MissingEntry:
            return SourceCells()
        return SourceCells(
            cells={c.name: SourceCell(c.cell_type, c.source, bool(c.locked), c.checksum)
                   for c in notebook.source_cells},
            grade={c.name: float(c.max_score) for c in notebook.grade_cells},
            solution=frozenset(c.name for c in notebook.solution_cells),
            task={c.name: float(c.max_score) for c in notebook.task_cells},
        )


def exercise_id_of(resources: ResourcesDict) -> str:
    return str(resources["nbgrader"]["notebook"])


def notebook_dir(resources: ResourcesDict) -> Path:
    return Path(resources.get("metadata", {}).get("path") or ".")


def escape_block(text: str) -> str:
    """``text`` escaped for HTML, on one line (newlines as ``<br>``): the renderer's
    ``one_line`` filter (:func:`bana_tools.render.one_line`), for cells built in code.

    Keeping a block on one line keeps it a single HTML block in Markdown, so no Markdown
    syntax in a student's text is interpreted (no links, no headings, no images).
    """
    from bana_tools.render import one_line

    return str(one_line(text or ""))


def markdown_cell(source: str, cell_id: str, **metadata: Any) -> NotebookNode:
    return from_dict({"cell_type": "markdown", "id": cell_id[:64], "metadata": dict(metadata),
                      "source": source})
