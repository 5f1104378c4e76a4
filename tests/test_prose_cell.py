"""The hand-graded cell graders read in formgrader (``RenderProse``), for every rubric
question of every exercise: the answer as the answers report shows it (choices, items and
levels by their labels; no Python repr), escaped, with the rubric."""

from __future__ import annotations

import html

import pytest
from nbformat.notebooknode import from_dict
from nbgrader import utils as nbg_utils

from bana_tools.course import layout
from bana_tools.course.answers_sim import example_answers
from bana_tools.course.prepare import RenderProse
from bana_tools.exercises import all_exercises

ITEMS = [(ex, item) for ex in all_exercises() for item in ex.rubric()]


def _cell(question_id: str):
    cell = from_dict({"cell_type": "markdown", "source": "### release text", "metadata": {
        "nbgrader": {"grade_id": layout.prose_cell_id(question_id), "solution": True,
                     "grade": True, "points": 3}}})
    cell.metadata.nbgrader["checksum"] = nbg_utils.compute_checksum(cell)
    return cell


def _labels_shown(question, value) -> list[str]:
    """The labels a grader must see for a structured answer."""
    if question.type == "records":
        shown = []
        for row in value:
            for column in question.columns:
                if column.kind == "choice" and row.get(column.id):
                    shown += [o.label for o in column.options if o.value == row[column.id]]
        return shown
    if question.type == "checklist":
        return [item.label for item in question.items if item.id in value]
    return []


@pytest.mark.parametrize(("exercise", "item"), ITEMS,
                         ids=[f"{e.id}:{i.question_id}" for e, i in ITEMS])
def test_the_grader_sees_the_answer_by_its_labels(exercise, item):
    question = exercise.question(item.question_id)
    value = example_answers(exercise.id)[item.question_id]
    cell = _cell(item.question_id)
    RenderProse._render(cell, exercise, item, value)
    text = html.unescape(cell.source)
    assert layout.RUBRIC_CLASS in cell.source and "Answer from the form" in text
    assert "{'" not in text and "': '" not in text  # no Python repr of a structured answer
    for label in _labels_shown(question, value):
        assert label in text, label
