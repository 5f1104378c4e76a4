"""The data behind the computational exercises, one module per exercise.

A scenario module (named in the exercise's :class:`~bana_tools.exercises.schema.Scenario`)
provides two pure functions of the scenario's ``params`` and a ``seed``:

* ``data(params, seed) -> dict``: what the student's notebook loads (DataFrames, numbers);
* ``solve(params, seed) -> dict``: the expected values, keyed by question id (other keys,
  for a check's own use, start with ``_``). They are computed when a check runs and are
  never stored in a notebook, an answers file or a message.

and optionally ``CHECKS``: check kinds only this exercise uses (``kind -> function``, the
same signature as :mod:`bana_tools.grading.checks`), and ``derived_answers(exercise,
answers) -> dict``: for simulated students, the answers that follow from their other
answers (a score computed from their own checklist, say).

In a student notebook::

    from bana_tools.scenarios import load
    data = load("ch04-validation")     # prints "Your data: variant 7f3a (student smithj2)"
    data.discharges.head()
"""

from __future__ import annotations

import importlib
import json
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bana_tools.exercises.schema import Exercise


class MissingStudentId(RuntimeError):
    """Per-student data was asked for before the student gave an id."""

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return [str(self)]


class ScenarioData(dict):
    """The loaded data: a dict whose keys are also attributes (``data.discharges``)."""

    variant: str = ""
    student: str = ""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def scenario_module(exercise: Exercise) -> ModuleType:
    """The module named by ``exercise.scenario`` (raises ``ValueError`` if there is none)."""
    if exercise.scenario is None:
        raise ValueError(f"{exercise.id} has no data scenario")
    return importlib.import_module(exercise.scenario.module)


def _params_key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


@lru_cache(maxsize=64)
def _solve(module: str, params_key: str, seed: int) -> dict[str, Any]:
    return importlib.import_module(module).solve(json.loads(params_key), seed)


def expected_for(exercise: Exercise, answers: dict[str, Any]) -> dict[str, Any] | None:
    """The expected values for these answers' data variant (memoised per seed), or
    ``None`` when the data is per student and no student id was given."""
    from bana_tools.exercises.variants import seed_for

    seed = seed_for(exercise, answers)
    if seed is None or exercise.scenario is None:
        return None
    return _solve(exercise.scenario.module, _params_key(exercise.scenario.params), seed)


def prepare(exercise: Exercise) -> None:
    """Load ``exercise``'s scenario module and, when every student shares its data, work
    out the expected values now (memoised for the process, as :func:`expected_for` does),
    so a grading worker's first submission costs no more than the others."""
    if exercise.scenario is None:
        return
    scenario_module(exercise)  # per-student data: at least the module is loaded
    if not exercise.scenario.per_student:
        expected_for(exercise, {})


def expected_for_student(exercise: Exercise, student: str) -> dict[str, Any]:
    """The expected values of ``student``'s variant (for simulated answers and tests)."""
    qid = exercise.student_id_question()
    answers = {qid: student} if qid else {}
    values = expected_for(exercise, answers)
    if values is None:
        raise ValueError(f"{exercise.id}: no expected values without a student id")
    return values


def _saved_student(exercise: Exercise, notebook_dir: Path) -> str:
    from bana_tools.answers import AnswersError, answers_path, read_answers_file
    from bana_tools.exercises.variants import student_of

    try:
        record = read_answers_file(answers_path(exercise.id, notebook_dir), exercise.id)
    except AnswersError:
        return ""
    return student_of(exercise, record.answers)


def load(exercise_id: str, notebook_dir: Path | str | None = None, *, student: str | None = None,
         quiet: bool = False) -> ScenarioData:
    """Load the data of ``exercise_id`` for this student (see the module docstring).

    The student is ``student`` if given, else ``JUPYTERHUB_USER``, else the id saved in the
    form. Raises :class:`MissingStudentId` (one line in a notebook) when there is none.
    """
    from bana_tools.exercises import get_exercise
    from bana_tools.exercises.variants import hub_user, variant_label, variant_seed

    exercise = get_exercise(exercise_id)
    scenario = exercise.scenario
    if scenario is None:
        raise ValueError(f"{exercise_id} has no data to load")
    base = Path(notebook_dir) if notebook_dir is not None else Path.cwd()
    who = ""
    if scenario.per_student:
        who = (student or hub_user() or _saved_student(exercise, base)).strip()
        if not who:
            raise MissingStudentId(
                f"{exercise_id}: enter your student id in the form (first tab) first, then "
                "run this cell again. Your data depends on it."
            )
        seed = variant_seed(exercise_id, who)
    else:
        seed = int(scenario.params.get("seed", 0))
    frames = scenario_module(exercise).data(dict(scenario.params), seed)
    out = ScenarioData(frames)
    out.student = who
    out.variant = variant_label(exercise_id, who) if who else "shared"
    if not quiet:
        if who:
            print(f"Your data: variant {out.variant} (student {who}). Loaded: {', '.join(out)}.")
        else:
            print(f"Loaded: {', '.join(out)}.")
    return out


__all__ = ["MissingStudentId", "ScenarioData", "expected_for", "expected_for_student", "load",
           "scenario_module"]
