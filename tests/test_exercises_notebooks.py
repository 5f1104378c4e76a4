"""Student notebooks: one per exercise, a form cell and a self-check cell, run headless."""

from __future__ import annotations

import json
import shutil

import nbclient
import nbformat
import pytest

from bana_tools.answers import ANSWERS_MIME, AnswerStore, restore_answers_from_notebook
from bana_tools.course.answers_sim import example_answers
from bana_tools.exercises import all_exercises, get_exercise
from bana_tools.exercises.notebook import (
    form_source,
    notebook_path,
    self_check_source,
    student_notebook,
)


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_committed_notebook_has_form_and_self_check(repo_root, exercise):
    path = notebook_path(exercise, repo_root / "exercises")
    assert path.exists(), "exercises/ is built from autograding/source (bana course)"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert sources.count(form_source(exercise.id)) == 1
    assert sources.count(self_check_source(exercise.id)) == 1
    generated = [c["source"] for c in student_notebook(exercise)["cells"]]
    assert [c.source for c in nb.cells if c.source in generated] == generated
    text = path.read_text()
    for check in exercise.hidden_checks():
        assert check.id not in text and check.title not in text
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def _run(nb_path, cwd):
    nb = nbformat.read(nb_path, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def test_notebooks_execute_headless_and_keep_an_answers_copy(repo_root, tmp_path):
    for exercise in all_exercises():
        folder = tmp_path / exercise.assignment
        folder.mkdir(exist_ok=True)
        target = folder / f"{exercise.id}.ipynb"
        shutil.copy(notebook_path(exercise, repo_root / "exercises"), target)
        per_student = exercise.scenario is not None and exercise.scenario.per_student
        if exercise.id == "ch02-readmission":
            AnswerStore.beside(exercise, folder).save(example_answers(exercise.id, "partial"))
        elif per_student:  # what a student types into the form's first tab
            AnswerStore.beside(exercise, folder).save({exercise.student_id_question(): "nb-student"})
        nb = _run(target, folder)
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert errors == []
        form_cell = next(c for c in nb.cells if c.source == form_source(exercise.id))
        copies = [o for o in form_cell.outputs if ANSWERS_MIME in o.get("data", {})]
        assert len(copies) == 1
        assert "answers/" in copies[0]["data"]["text/plain"]
        check_cell = next(c for c in nb.cells if c.source == self_check_source(exercise.id))
        printed = "".join(o.get("text", "") for o in check_cell.outputs)
        if exercise.id == "ch02-readmission":
            assert "Self-check:" in printed
            nbformat.write(nb, target)
        elif per_student:
            assert "Self-check:" in printed
            shown = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
            assert "Your data: variant " in shown  # the data cell loaded this student's data
        else:
            assert "Nothing to check yet" in printed

    # the executed readmission notebook carries the answers: delete the file, restore it
    readmission = tmp_path / "ch02" / "ch02-readmission.ipynb"
    answers = tmp_path / "ch02" / "answers" / "ch02-readmission.json"
    expected = json.loads(answers.read_text())["answers"]
    answers.unlink()
    restored = restore_answers_from_notebook(readmission)
    assert restored == answers
    assert json.loads(answers.read_text())["answers"] == expected
    ex = get_exercise("ch02-readmission")
    assert ex.clean_answers(expected)[0] == AnswerStore.beside(ex, tmp_path / "ch02").load().answers


PER_STUDENT = [e for e in all_exercises() if e.scenario is not None and e.scenario.per_student]


@pytest.mark.skipif(not PER_STUDENT, reason="no exercise has per-student data")
def test_without_an_id_run_all_shows_the_form_and_one_line_asking_for_it(repo_root, tmp_path):
    exercise = PER_STUDENT[0]
    target = tmp_path / f"{exercise.id}.ipynb"
    shutil.copy(notebook_path(exercise, repo_root / "exercises"), target)
    nb = nbformat.read(target, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    form_cell = next(c for c in nb.cells if c.source == form_source(exercise.id))
    assert any(ANSWERS_MIME in o.get("data", {}) for o in form_cell.outputs)  # form came first
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].ename == "MissingStudentId"
    assert len(errors[0].traceback) == 1 and "enter your student id" in errors[0].traceback[0]


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_the_chapter_links_to_its_exercise_notebook(repo_root, exercise):
    number = exercise.assignment[2:]
    pages = list((repo_root / "book").glob(f"part*/ch{number}-*.md"))
    assert len(pages) == 1, pages
    text = pages[0].read_text(encoding="utf-8")
    link = f"```{{exercise-links}} exercises/{exercise.assignment}/{exercise.id}.ipynb"
    assert link in text
    section = text[text.index(f"(ch{number}-exercise)="):]
    assert link in section  # in the chapter's exercise section
