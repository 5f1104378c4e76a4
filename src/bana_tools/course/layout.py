"""Names every step of the course agrees on.

A notebook of the course is named after its exercise (``<exercise_id>.ipynb``) and lives in
the folder of its assignment (``ch01``, ``ch02``). Its answers are in
``answers/<exercise_id>.json`` beside it. Each nbgrader cell has a fixed id, derived from
the declaration, so the preprocessors and the report can map a cell back to what it grades
without trusting anything in the submitted notebook:

* ``intro``, ``form``, ``self-check``, ``grading``: locked cells,
* ``check-<check_id>``: an autograder test cell running one public check,
* ``hidden-<n>``: an autograder test cell whose body is a hidden test region, for the
  n-th hidden check of the declaration (numbered, so not even the check's id shows in a
  release notebook or in feedback),
* ``prose-<question_id>``: a hand-graded cell that shows the student's answer.
"""

from __future__ import annotations

from pathlib import Path

#: Course id used in ``autograding/nbgrader_config.py`` and by the demo course.
COURSE_ID = "bana7085"

#: Where the course lives inside the repository.
AUTOGRADING_DIRNAME = "autograding"
#: Where the committed release notebooks live inside the repository.
EXERCISES_DIRNAME = "exercises"

CHECK_PREFIX = "check-"
HIDDEN_PREFIX = "hidden-"
PROSE_PREFIX = "prose-"

#: nbgrader markers (nbgrader's defaults).
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"

#: Text that replaces the rubric (the "solution" region) of a prose cell in the release.
PROSE_STUB = "*Nothing to type here: your instructor reads the answer you gave in the form above.*"

#: HTML class of the rubric block; the feedback sanitiser removes blocks of this class.
RUBRIC_CLASS = "bana-rubric"
#: HTML class of the block that shows a student's prose answer.
ANSWER_CLASS = "bana-answer"
#: HTML class of the grading notes the autograder adds at the top of a notebook.
NOTES_CLASS = "bana-grading-notes"
#: Notebook metadata key under which the parallel grader hands its notes (a repaired
#: notebook, say) to ``PrepareAnswers``, which shows them at the top.
NOTES_METADATA_KEY = "bana_grading_notes"


def repo_root() -> Path:
    """The repository root (the folder holding ``src/``), for the development layout."""
    return Path(__file__).resolve().parents[3]


def assignments() -> dict[str, tuple[str, ...]]:
    """Assignment name -> its exercise ids, in course order (from the declarations)."""
    from bana_tools.exercises import exercise_ids, get_exercise

    result: dict[str, list[str]] = {}
    for exercise_id in exercise_ids():
        result.setdefault(get_exercise(exercise_id).assignment, []).append(exercise_id)
    return {name: tuple(ids) for name, ids in result.items()}


def assignment_of(exercise_id: str) -> str:
    """The assignment an exercise belongs to."""
    from bana_tools.exercises import get_exercise

    return get_exercise(exercise_id).assignment


def answers_relpath(exercise_id: str) -> str:
    """The answers file of ``exercise_id``, relative to its notebook (POSIX form)."""
    return f"answers/{exercise_id}.json"


def check_cell_id(check_id: str) -> str:
    return f"{CHECK_PREFIX}{check_id}"


def hidden_cell_id(number: int) -> str:
    return f"{HIDDEN_PREFIX}{number}"


def graded_cells(exercise_id: str) -> dict[str, tuple[str, str]]:
    """grade id -> ``("check"|"hidden", check_id)`` or ``("prose", question_id)``, in order."""
    from bana_tools.exercises import get_exercise

    exercise = get_exercise(exercise_id)
    cells: dict[str, tuple[str, str]] = {}
    for check in exercise.public_checks():
        cells[check_cell_id(check.id)] = ("check", check.id)
    for number, check in enumerate(exercise.hidden_checks(), start=1):
        cells[hidden_cell_id(number)] = ("hidden", check.id)
    for item in exercise.rubric():
        cells[prose_cell_id(item.question_id)] = ("prose", item.question_id)
    return cells


def prose_cell_id(question_id: str) -> str:
    return f"{PROSE_PREFIX}{question_id}"


def parse_cell_id(grade_id: str) -> tuple[str, str] | None:
    """``("check"|"hidden"|"prose", suffix)`` for a graded cell id, else ``None``."""
    for kind, prefix in (("hidden", HIDDEN_PREFIX), ("check", CHECK_PREFIX), ("prose", PROSE_PREFIX)):
        if grade_id.startswith(prefix) and len(grade_id) > len(prefix):
            return kind, grade_id[len(prefix):]
    return None
