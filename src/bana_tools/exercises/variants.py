"""Per-student data variants: the seed of a student's data comes from their id.

A computational exercise whose :class:`~bana_tools.exercises.schema.Scenario` is
``per_student`` gives every student their own data, so classmates cannot share numbers.
The id is, in order: nbgrader's student id while grading (written into the answers by the
grading preprocessor), ``JUPYTERHUB_USER`` on a hub, else the id the student typed once
into the form (the exercise's ``student_id`` question, stored in the answers file).
Grading recomputes the expected values from the same seed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Any


def normalise_student(student: str) -> str:
    """Ids compare case- and space-insensitively ("SmithJ2 " is "smithj2")."""
    return " ".join(str(student or "").split()).lower()


def _digest(exercise_id: str, student: str) -> str:
    text = f"bana-tools/variant/v1:{exercise_id}:{normalise_student(student)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def variant_seed(exercise_id: str, student: str) -> int:
    """The data seed of ``student`` in ``exercise_id`` (a 31-bit integer)."""
    return int(_digest(exercise_id, student)[:8], 16) & 0x7FFFFFFF


def variant_label(exercise_id: str, student: str) -> str:
    """A short name of the variant, shown to the student ("7f3a")."""
    return _digest(exercise_id, student)[:4]


def hub_user(environ: Mapping[str, str] | None = None) -> str:
    """``JUPYTERHUB_USER`` if set (on a JupyterHub), else ``""``."""
    env = os.environ if environ is None else environ
    return env.get("JUPYTERHUB_USER", "").strip()


def student_of(exercise: Any, answers: Mapping[str, Any]) -> str:
    """The student id stored in ``answers`` (``""`` if none or no id question)."""
    qid = exercise.student_id_question()
    return str(answers.get(qid) or "").strip() if qid else ""


def seed_for(exercise: Any, answers: Mapping[str, Any]) -> int | None:
    """The data seed for these answers: per student, or the scenario's fixed seed.

    ``None`` when the data is per student and no id has been given yet.
    """
    scenario = exercise.scenario
    if scenario is None:
        return None
    if not scenario.per_student:
        return int(scenario.params.get("seed", 0))
    student = student_of(exercise, answers)
    return variant_seed(exercise.id, student) if student else None
