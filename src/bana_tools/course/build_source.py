"""Write the nbgrader source notebooks from the exercise declarations.

``python -m bana_tools.course.build_source [--root autograding] [--check]`` (also
``bana course build``) writes ``<root>/source/<assignment>/<exercise_id>.ipynb`` for every
declared exercise. Nothing in a source notebook is typed by hand: change the declaration
and rebuild. Each notebook holds, in order:

1. The cells of the plain student notebook
   (:func:`bana_tools.exercises.notebook.student_notebook`): Markdown, the ``form`` cell
   and the ``self-check`` cell are locked; other code cells (work space of computational
   exercises) stay editable and are never run when grading.
2. ``grading`` (markdown, locked): what is graded and how many points.
3. ``check-<id>`` (code, autograder test, locked): one public check, with its points.
4. ``hidden-<n>`` (code, autograder test, locked): the n-th hidden check, whose call sits
   between ``### BEGIN HIDDEN TESTS`` markers, so the release shows only a comment.
5. ``prose-<question>`` (markdown, manually graded answer): a heading, and the rubric in
   the solution region. The release replaces the rubric with a note; at grading time
   :class:`~bana_tools.course.prepare.RenderProse` puts the student's answer
   (escaped) and the rubric in this cell, where formgrader shows both.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from nbgrader.nbgraderformat import SCHEMA_VERSION

from bana_tools.course import layout


def _points(value: float) -> str:
    number = f"{value:g}"
    return f"{number} point" if number == "1" else f"{number} points"


def _nbgrader(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
              points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = float(points or 0)
    return {"nbgrader": meta}


def _cell(cell_type: str, cell_id: str, source: str, meta: dict[str, Any]) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": cell_type, "id": cell_id, "metadata": meta, "source": source}
    if cell_type == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def check_cell_source(exercise_id: str, check_ids: list[str], hidden: bool, title: str,
                      points: float) -> str:
    """The code of an autograder test cell running ``check_ids`` on the answers file.

    :func:`bana_tools.grading.autograde` prints one line per check and returns the points
    earned as a float: the cell's only ``execute_result``, which nbgrader reads as partial
    credit.
    """
    ids = ", ".join(f'"{c}"' for c in check_ids)
    call = (
        "from bana_tools.grading import autograde\n\n"
        f'autograde("{exercise_id}", [{ids}], answers_path="{layout.answers_relpath(exercise_id)}")'
    )
    if hidden:
        return "\n".join([
            f"# Hidden check ({_points(points)}): it runs only when your instructor grades.",
            layout.BEGIN_HIDDEN,
            call,
            layout.END_HIDDEN,
        ])
    return f"# Check: {title} ({_points(points)})\n{call}"


def _grading_markdown(exercise: Any) -> str:
    public = exercise.public_checks()
    hidden = exercise.hidden_checks()
    rubric = exercise.rubric()
    lines = ["## How this notebook is graded", ""]
    if public:
        lines.append("The cells below run the same checks as **Check my answers**:")
        lines.append("")
        lines += [f"- {check.title} ({_points(check.points)})" for check in public]
        lines.append("")
    if hidden:
        total = sum(c.points for c in hidden)
        lines.append(
            f"{len(hidden)} more check(s) ({_points(total)}) run only when your instructor grades."
        )
        lines.append("")
    if rubric:
        lines.append("Your instructor reads and grades these answers by hand:")
        lines.append("")
        lines += [f"- {item.label} ({_points(item.points)})" for item in rubric]
        lines.append("")
    lines.append(
        "You do not need to edit any cell: everything is graded from your saved answers."
    )
    return "\n".join(lines)


def _prose_markdown(item: Any) -> str:
    rubric = item.text.strip() or "(no rubric text declared)"
    return "\n".join([
        f"### {item.label} ({_points(item.points)}, graded by hand)",
        "",
        layout.BEGIN_SOLUTION,
        f"**Rubric.** {rubric}",
        layout.END_SOLUTION,
    ])


def _lock(cell: dict[str, Any]) -> dict[str, Any]:
    cell = dict(cell)
    cell["metadata"] = {**cell.get("metadata", {}), **_nbgrader(cell["id"], locked=True)}
    return cell


def student_cells(exercise: Any) -> list[dict[str, Any]]:
    """The cells of the plain student notebook, with nbgrader metadata added.

    Markdown cells and the form and self-check cells are locked (restored if a student
    edits them, and they run when grading). Other code cells are the student's own work
    space: they stay editable and are shown to the grader as text, never run.
    """
    from bana_tools.exercises.notebook import student_notebook

    cells = []
    for cell in student_notebook(exercise)["cells"]:
        if cell["cell_type"] == "markdown" or cell["id"] in ("form", "self-check"):
            cell = _lock(cell)
        cells.append(cell)
    return cells


def source_notebook(exercise_id: str) -> dict[str, Any]:
    """The nbgrader source notebook of ``exercise_id`` as a notebook dict (nbformat 4.5)."""
    from bana_tools.exercises import get_exercise
    from bana_tools.exercises.notebook import student_notebook

    exercise = get_exercise(exercise_id)
    cells = student_cells(exercise)
    cells.append(
        _cell("markdown", "grading", _grading_markdown(exercise), _nbgrader("grading", locked=True))
    )
    for check in exercise.public_checks():
        grade_id = layout.check_cell_id(check.id)
        source = check_cell_source(exercise.id, [check.id], False, check.title, check.points)
        cells.append(_cell("code", grade_id, source,
                           _nbgrader(grade_id, grade=True, locked=True, points=check.points)))
    for number, check in enumerate(exercise.hidden_checks(), start=1):
        grade_id = layout.hidden_cell_id(number)
        source = check_cell_source(exercise.id, [check.id], True, check.title, check.points)
        cells.append(_cell("code", grade_id, source,
                           _nbgrader(grade_id, grade=True, locked=True, points=check.points)))
    for item in exercise.rubric():
        grade_id = layout.prose_cell_id(item.question_id)
        cells.append(_cell("markdown", grade_id, _prose_markdown(item),
                           _nbgrader(grade_id, grade=True, solution=True, points=item.points)))
    metadata = dict(student_notebook(exercise)["metadata"])
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def notebook_text(nb: dict[str, Any]) -> str:
    """Serialise a notebook the way nbformat writes it (stable, for diffs and checks)."""
    import nbformat

    node = nbformat.from_dict(nb)
    nbformat.validate(node)
    return nbformat.writes(node) + "\n"


def build(root: Path, check: bool = False) -> list[Path]:
    """Write ``root/nbgrader_config.py`` and every source notebook under ``root/source``.

    Returns the paths that changed.

    With ``check=True`` nothing is written: the returned paths are the out-of-date ones.
    """
    from bana_tools.course.config import COURSE_CONFIG_TEXT

    changed: list[Path] = []
    config = root / "nbgrader_config.py"
    if not config.exists() or config.read_text(encoding="utf-8") != COURSE_CONFIG_TEXT:
        changed.append(config)
        if not check:
            root.mkdir(parents=True, exist_ok=True)
            config.write_text(COURSE_CONFIG_TEXT, encoding="utf-8")
    for assignment, exercise_ids in layout.assignments().items():
        for exercise_id in exercise_ids:
            path = root / "source" / assignment / f"{exercise_id}.ipynb"
            text = notebook_text(source_notebook(exercise_id))
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if old != text:
                changed.append(path)
                if not check:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bana_tools.course.build_source",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=layout.repo_root() / layout.AUTOGRADING_DIRNAME,
                        help="the course folder (default: autograding/ of this repository)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a source notebook is out of date")
    args = parser.parse_args(argv)
    changed = build(args.root, check=args.check)
    for path in changed:
        print(("out of date: " if args.check else "wrote ") + str(path))
    if args.check and changed:
        return 1
    print(json.dumps({"changed": len(changed)}))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
