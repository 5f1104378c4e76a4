"""Exercise content, declared as data (one module per exercise).

>>> from bana_tools.exercises import get_exercise, exercise_ids
>>> get_exercise("ch02-readmission").title  # doctest: +SKIP

Modules are imported on first use, so listing the ids costs nothing.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bana_tools.exercises.schema import Exercise

#: Exercise id -> module that declares ``EXERCISE``. The ids are a fixed interface.
EXERCISE_MODULES: dict[str, str] = {
    "ch01-case-study": "bana_tools.exercises.ch01_case_study",
    "ch02-readmission": "bana_tools.exercises.ch02_readmission",
    "ch02-metrics": "bana_tools.exercises.ch02_metrics",
    "ch02-pilot-metrics": "bana_tools.exercises.ch02_pilot_metrics",
}


class UnknownExercise(KeyError):
    """Raised for an exercise id that is not declared."""

    def __str__(self) -> str:
        return f"unknown exercise {self.args[0]!r}; known: {', '.join(EXERCISE_MODULES)}"


def exercise_ids() -> tuple[str, ...]:
    """Every exercise id, in course order."""
    return tuple(EXERCISE_MODULES)


@cache
def get_exercise(exercise_id: str) -> Exercise:
    """The declaration of ``exercise_id`` (raises :class:`UnknownExercise`)."""
    try:
        module = EXERCISE_MODULES[exercise_id]
    except (KeyError, TypeError):
        raise UnknownExercise(exercise_id) from None
    return importlib.import_module(module).EXERCISE


def all_exercises() -> tuple[Exercise, ...]:
    return tuple(get_exercise(i) for i in EXERCISE_MODULES)


__all__ = ["EXERCISE_MODULES", "UnknownExercise", "all_exercises", "exercise_ids", "get_exercise"]
