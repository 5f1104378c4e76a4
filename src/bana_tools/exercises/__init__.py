"""Exercise content, declared as data (one module per exercise).

>>> from bana_tools.exercises import get_exercise, exercise_ids
>>> get_exercise("ch02-readmission").title  # doctest: +SKIP

Modules are imported on first use, so listing the ids costs nothing. A new exercise is a
new module ``chNN_<name>.py`` here (see :func:`_discover`); nothing else registers it.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bana_tools.exercises.schema import Exercise

#: Chapter 1-2 exercises, in the order their chapter presents them.
_ORDERED: tuple[str, ...] = (
    "ch01-case-study",
    "ch02-readmission",
    "ch02-metrics",
    "ch02-pilot-metrics",
)


def _discover() -> dict[str, str]:
    """Exercise id -> module. Every module ``chNN_<name>.py`` of this package declares one
    exercise, ``chNN-<name>`` (underscores become hyphens); the chapter 1-2 ones come in the
    order above, the rest by module name. Found without importing any of them."""
    import pkgutil
    import re

    found = {
        info.name.replace("_", "-"): f"{__name__}.{info.name}"
        for info in pkgutil.iter_modules(__path__)
        if re.fullmatch(r"ch\d\d_[a-z0-9_]+", info.name)
    }
    first = [i for i in _ORDERED if i in found]
    rest = sorted(i for i in found if i not in _ORDERED)
    return {i: found[i] for i in first + rest}


#: Exercise id -> module that declares ``EXERCISE``. The ids are a fixed interface.
EXERCISE_MODULES: dict[str, str] = _discover()


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
