"""The preparing phase of autograding, first in nbgrader's
``Autograde.autograde_preprocessors``: the answers to grade, and the prose graders read.

``PrepareAnswers`` settles which answers count (the file, else the notebook's copy, with a
note at the top saying so) and grades the student's own data variant; ``RenderProse``
puts each prose answer, escaped, with its rubric, in its hand-graded cell
(``templates/prose_cell.md``). See :mod:`bana_tools.course.cells` for what the phases share.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbg_utils
from nbgrader.preprocessors import NbGraderPreprocessor

from bana_tools.course import layout
from bana_tools.course.cells import (
    STASH_KEY,
    escape_block,
    exercise_id_of,
    markdown_cell,
    notebook_dir,
)


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

        exercise_id = exercise_id_of(resources)
        stash = nb.metadata.pop(STASH_KEY, None) or {}
        copy = stash.get("answers_copy") if isinstance(stash, dict) else None
        path = notebook_dir(resources) / layout.answers_relpath(exercise_id)
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

        exercise_id = exercise_id_of(resources)
        try:
            exercise = get_exercise(exercise_id)
        except UnknownExercise:
            return nb, resources
        path = notebook_dir(resources) / layout.answers_relpath(exercise_id)
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
        from bana_tools.grading.report import answer_view
        from bana_tools.render import render

        points = f"{item.points:g} point" + ("" if f"{item.points:g}" == "1" else "s")
        typed = None
        if not untouched:
            typed = (cell.source if isinstance(cell.source, str) else "".join(cell.source))[:20_000]
        cell.source = render(
            "prose_cell.md", label=item.label, points=points, answered=answered,
            words=_words(value), value=answer_view(question, value), typed=typed,
            rubric=item.text.strip() or "(no rubric declared)",
            answer_class=layout.ANSWER_CLASS, rubric_class=layout.RUBRIC_CLASS).rstrip("\n")
