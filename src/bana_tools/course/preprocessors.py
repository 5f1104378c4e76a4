"""nbgrader preprocessors that make autograding safe for structured (form) submissions.

They are listed, in order, in :mod:`bana_tools.course.config`. The exercise of a
notebook is its notebook id (``<exercise_id>.ipynb``); the answers are
``answers/<exercise_id>.json`` beside it. Nothing here trusts the submitted notebook's
metadata: which cells exist, and what they are, comes from the gradebook (what
``nbgrader generate_assignment`` recorded) and from the exercise declaration.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import NoSuchKernel
from nbclient.util import run_sync
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader import utils as nbg_utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.nbgraderformat import SCHEMA_VERSION
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer

from bana_tools.course import layout

#: Notebook-level metadata key carrying what the sanitising pass learned to the grading pass.
STASH_KEY = "bana_grading"


def _exercise_id(resources: ResourcesDict) -> str:
    return str(resources["nbgrader"]["notebook"])


def _notebook_dir(resources: ResourcesDict) -> Path:
    return Path(resources.get("metadata", {}).get("path") or ".")


def escape_block(text: str) -> str:
    """``text`` escaped for HTML, on one line (newlines as ``<br>``).

    Keeping a block on one line keeps it a single HTML block in Markdown, so no Markdown
    syntax in a student's text is interpreted (no links, no headings, no images).
    """
    return html.escape(text or "", quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def markdown_cell(source: str, cell_id: str, **metadata: Any) -> NotebookNode:
    return from_dict({"cell_type": "markdown", "id": cell_id[:64], "metadata": dict(metadata),
                      "source": source})


class StashAnswers(NbGraderPreprocessor):
    """Sanitising pass, first: keep the newest answers copy the notebook carries.

    ``ClearOutput`` runs next and would drop the form cell's output, which holds the copy
    (:data:`bana_tools.answers.ANSWERS_MIME`). The copy is stored in the notebook metadata
    for :class:`PrepareAnswers`; whatever a student put under that key is replaced.
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        from bana_tools.answers.resolve import copy_in_notebook

        newest = copy_in_notebook(dict(nb), _exercise_id(resources))
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
        known = self._known_cells(resources)
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
    def _known_cells(resources: ResourcesDict) -> dict[str, dict[str, Any]]:
        nbg = resources["nbgrader"]
        known: dict[str, dict[str, Any]] = {}
        with Gradebook(nbg["db_url"]) as gb:
            try:
                notebook = gb.find_notebook(nbg["notebook"], nbg["assignment"])
            except MissingEntry:
                return known
            for cell in notebook.source_cells:
                known[cell.name] = {"locked": bool(cell.locked), "cell_type": cell.cell_type,
                                    "grade": False, "solution": False, "task": False}
            for cell in notebook.grade_cells:
                known.setdefault(cell.name, {}).update(grade=True, points=float(cell.max_score))
            for cell in notebook.solution_cells:
                known.setdefault(cell.name, {}).update(solution=True)
            for cell in notebook.task_cells:
                known.setdefault(cell.name, {}).update(task=True, points=float(cell.max_score))
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
        with Gradebook(nbg["db_url"]) as gb:
            try:
                notebook = gb.find_notebook(nbg["notebook"], nbg["assignment"])
            except MissingEntry:
                return nb, resources
            grade_cells = {c.name: float(c.max_score) for c in notebook.grade_cells}
            solution_cells = {c.name for c in notebook.solution_cells}
            task_cells = {c.name: float(c.max_score) for c in notebook.task_cells}
            missing = {
                c.name: (c.cell_type, c.source, bool(c.locked), c.checksum)
                for c in notebook.source_cells if c.name not in present
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


class PrepareAnswers(NbGraderPreprocessor):
    """Grading pass, first: make sure ``answers/<exercise>.json`` is the one to grade.

    In the graded copy of the submission (never in ``submitted/``): when the answers file
    is missing or unreadable, or holds another exercise's answers, it is rebuilt from the
    copy the notebook carried (one rule, :func:`bana_tools.answers.resolve.resolve`; the
    unusable file is kept as ``<exercise>.corrupt-<time>.json``). A Markdown note at the
    top of the notebook says what happened, so the instructor and the feedback show it.
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        from bana_tools.answers import AnswersFile
        from bana_tools.answers.resolve import resolve, write_back

        exercise_id = _exercise_id(resources)
        stash = nb.metadata.pop(STASH_KEY, None) or {}
        copy = stash.get("answers_copy") if isinstance(stash, dict) else None
        path = _notebook_dir(resources) / layout.answers_relpath(exercise_id)
        earlier = nb.metadata.pop(layout.NOTES_METADATA_KEY, None)
        notes: list[str] = [str(n)[:500] for n in earlier[:5]] if isinstance(earlier, list) else []
        record = None
        if copy is not None:
            try:
                record = AnswersFile.model_validate(copy)
            except Exception:  # noqa: BLE001 - a tampered copy is no copy
                record = None
        resolved = resolve(exercise_id, path, record)
        # say where, relative to the notebook: no instructor paths in feedback
        problem = (resolved.problem or "").replace(str(path), layout.answers_relpath(exercise_id))
        if resolved.source == "notebook":
            write_back(resolved, path)
            notes.append(
                f"The answers file could not be used ({problem}); the answers were "
                "restored from the copy saved inside this notebook "
                f"(last saved {resolved.record.updated:%Y-%m-%d %H:%M} UTC) and graded from there."
            )
        elif resolved.source == "none":
            notes.append(
                f"No usable answers were found ({problem}), and this notebook holds no "
                "saved copy of them, so the checks below give no points. Hand in the "
                f"notebook together with its answers/ folder."
            )
        if resolved.source != "none":
            note = _grade_own_variant(exercise_id, path, resources)
            if note:
                notes.append(note)
        if notes:
            body = "<br>".join(escape_block(n) for n in notes)
            nb.cells.insert(0, markdown_cell(
                f"<div class=\"{layout.NOTES_CLASS}\"><b>Grading note.</b> {body}</div>",
                "bana-grading-note"))
        resources.setdefault("bana", {})["notes"] = notes
        return nb, resources


def _grade_own_variant(exercise_id: str, path: Path, resources: ResourcesDict) -> str | None:
    """For per-student data, grade the student's own variant: nbgrader's student id replaces
    the id saved in the answers file. Returns a note when they differed."""
    from bana_tools.answers import AnswerStore
    from bana_tools.exercises import get_exercise
    from bana_tools.exercises.variants import normalise_student, student_of

    exercise = get_exercise(exercise_id)
    qid = exercise.student_id_question()
    student = str(resources.get("nbgrader", {}).get("student") or "")
    if not (qid and student and exercise.scenario and exercise.scenario.per_student):
        return None
    store = AnswerStore(exercise, path)
    saved = student_of(exercise, store.load().answers)
    if normalise_student(saved) == normalise_student(student):
        return None
    store.save({qid: student})
    was = f"the form held {saved!r}" if saved else "the form held none"
    return (f"The computed answers were checked against the data of your course id "
            f"{student!r} ({was}).")


def _render_value(question: Any, value: Any) -> str:
    """One answer as HTML (everything escaped)."""
    qtype = getattr(question, "type", "")
    if qtype in ("records",) or (isinstance(value, list) and value and isinstance(value[0], dict)):
        columns = list(getattr(question, "columns", ()))
        head = "".join(f"<th>{html.escape(c.label)}</th>" for c in columns)
        rows = []
        for row in value or []:
            cells = "".join(f"<td>{escape_block(str(row.get(c.id, '')))}</td>" for c in columns)
            rows.append(f"<tr>{cells}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    if isinstance(value, list):
        labels = {o.value: o.label for o in getattr(question, "options", ())}
        items = "".join(f"<li>{escape_block(labels.get(str(v), str(v)))}</li>" for v in value)
        return f"<ul>{items}</ul>"
    if value is None:
        return ""
    labels = {o.value: o.label for o in getattr(question, "options", ())}
    return escape_block(labels.get(str(value), str(value)))


def _words(value: Any) -> int:
    from bana_tools.exercises.schema import word_count

    if isinstance(value, str):
        return word_count(value)
    if isinstance(value, list):
        return sum(_words(v) for v in value)
    if isinstance(value, dict):
        return sum(_words(v) for v in value.values())
    return 0


class RenderProse(NbGraderPreprocessor):
    """Grading pass: put each prose answer, escaped, and its rubric in its hand-graded cell.

    A ``prose-<question>`` cell is a Markdown "manually graded answer" cell. Its release
    text is a heading and a note; here it becomes the heading, the student's answer (as
    saved in the answers file, cleaned to its declared limits, HTML-escaped) and the
    rubric, which formgrader shows to the grader next to the score box. When the answer
    is empty and the cell untouched, the cell is left as it is, so nbgrader gives it 0
    and "No response." without anyone grading it. Anything a student typed into the cell
    itself is kept, escaped, below the answer.
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        from bana_tools.answers import AnswersError, read_answers_file
        from bana_tools.exercises import UnknownExercise, get_exercise

        exercise_id = _exercise_id(resources)
        try:
            exercise = get_exercise(exercise_id)
        except UnknownExercise:
            return nb, resources
        path = _notebook_dir(resources) / layout.answers_relpath(exercise_id)
        try:
            answers, _ = exercise.clean_answers(read_answers_file(path, exercise_id).answers)
        except AnswersError:
            answers = exercise.empty_answers()
        rubric = {item.question_id: item for item in exercise.rubric()}
        for cell in nb.cells:
            if cell.cell_type != "markdown" or not nbg_utils.is_solution(cell):
                continue
            parsed = layout.parse_cell_id(cell.metadata.nbgrader.get("grade_id", ""))
            if parsed is None or parsed[0] != "prose" or parsed[1] not in rubric:
                continue
            self._render(cell, exercise, rubric[parsed[1]], answers.get(parsed[1]))
        return nb, resources

    @staticmethod
    def _render(cell: NotebookNode, exercise: Any, item: Any, value: Any) -> None:
        question = exercise.question(item.question_id)
        untouched = cell.metadata.nbgrader.get("checksum") == nbg_utils.compute_checksum(cell)
        answered = question.is_answered(value)
        if not answered and untouched:
            return
        points = f"{item.points:g} point" + ("" if f"{item.points:g}" == "1" else "s")
        parts = [f"### {html.escape(item.label)} ({points}, graded by hand)", ""]
        if answered:
            parts.append(
                f"<div class=\"{layout.ANSWER_CLASS}\" style=\"border-left: 3px solid #2a6ebb; "
                f"padding-left: 0.6em\"><i>Answer from the form ({_words(value)} words):</i>"
                f"<br>{_render_value(question, value)}</div>"
            )
        else:
            parts.append(f"<div class=\"{layout.ANSWER_CLASS}\"><i>No answer in the form.</i></div>")
        if not untouched:
            typed = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            parts += ["", f"<div class=\"bana-typed\"><i>Also typed into this cell:</i><br>"
                          f"{escape_block(typed[:20_000])}</div>"]
        rubric = item.text.strip() or "(no rubric declared)"
        parts += ["", f"<div class=\"{layout.RUBRIC_CLASS}\" style=\"background: #fff8e1; "
                      f"padding: 0.4em\"><b>Rubric (graders only):</b> {escape_block(rubric)}</div>"]
        cell.source = "\n".join(parts)


def _output_size(msg: dict[str, Any]) -> int:
    content = msg.get("content") or {}
    size = len(content.get("text") or "")
    data = content.get("data")
    if isinstance(data, dict):
        for value in data.values():
            size += len(value) if isinstance(value, str) else len(json.dumps(value, default=str))
    size += sum(len(line) for line in content.get("traceback") or [])
    return size


class BoundedExecute(Execute):
    """nbgrader's ``Execute`` with a cap on the output a cell may produce.

    Output beyond ``max_output_bytes`` for one cell is dropped as it arrives (it never
    accumulates in memory or lands in the graded notebook), and one line on stdout says
    so. The per-cell timeout is ``Execute.timeout`` (interrupt and carry on).

    A kernel that dies before it answers its first request (a busy machine, two kernels
    racing for a port) is started again, up to ``kernel_start_attempts`` times: no cell has
    run yet, so nothing of the submission is lost or run twice. A kernel that dies while a
    cell runs is not retried; that is nbgrader's error, as before.
    """

    max_output_bytes = Integer(
        1_000_000, help="largest output (bytes of text and data) kept for one cell; -1: no cap"
    ).tag(config=True)

    kernel_start_attempts = Integer(
        3, help="times to start a kernel for one notebook before its grading fails (a kernel "
                "that dies on start is started again; no cell has run by then)"
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict, km: Any = None):
        attempts = max(1, self.kernel_start_attempts)
        for attempt in range(1, attempts + 1):
            self._bana_sizes: dict[int, int] = {}
            self._bana_cut: set[int] = set()
            self._bana_kernel_ready = False
            try:
                return super().preprocess(nb, resources, km=km)
            except Exception as exc:
                if (self._bana_kernel_ready or km is not None or attempt == attempts
                        or isinstance(exc, NoSuchKernel)):
                    raise
                self.log.warning("the kernel did not start (%s: %s); starting it again "
                                 "(attempt %d of %d)", type(exc).__name__, exc, attempt + 1,
                                 attempts)
                self.km = self.kc = None
        raise AssertionError("unreachable")  # pragma: no cover

    async def async_start_new_kernel_client(self) -> Any:
        client = await super().async_start_new_kernel_client()
        self._bana_kernel_ready = True
        return client

    # nbclient binds the blocking version to its own coroutine; bind it to this one
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        if self.max_output_bytes < 0 or msg.get("msg_type") not in (
            "stream", "display_data", "execute_result", "error", "update_display_data"
        ):
            return super().output(outs, msg, display_id, cell_index)
        sizes = getattr(self, "_bana_sizes", {})
        used = sizes.get(cell_index, 0) + _output_size(msg)
        sizes[cell_index] = used
        if used <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        cut = getattr(self, "_bana_cut", set())
        if cell_index not in cut:
            cut.add(cell_index)
            note = from_dict({
                "output_type": "stream", "name": "stdout",
                "text": f"\n[output cut by the grader: this cell printed more than "
                        f"{self.max_output_bytes:,} bytes]\n",
            })
            outs.append(note)
            return note
        return None
