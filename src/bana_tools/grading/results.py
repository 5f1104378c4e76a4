"""Results of running checks: one :class:`CheckResult` per check, a :class:`GradeReport`."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from pydantic import BaseModel


class Outcome(NamedTuple):
    """What a check function returns: a score in [0, 1] and a message for the student."""

    score: float
    message: str


class CheckResult(BaseModel):
    """The result of one check (points already scaled by the declared maximum)."""

    id: str
    title: str = ""
    visibility: Literal["public", "hidden"] = "public"
    passed: bool
    points: float
    max_points: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The fixed JSON shape of ``bana check --json``."""
        return {
            "id": self.id,
            "passed": self.passed,
            "points": self.points,
            "max_points": self.max_points,
            "message": self.message,
        }


def format_points(points: float) -> str:
    """Points as people read them: at most two decimals, no trailing zeros (``2.12``, ``1``).

    Scores keep four decimals for grading; only what is shown is rounded.
    """
    return f"{round(points, 2):g}"


class GradeReport(BaseModel):
    """All results of one run of the checks on one answers file."""

    exercise: str
    checks: list[CheckResult]

    @property
    def score(self) -> float:
        return round(sum(c.points for c in self.checks), 4)

    @property
    def max_score(self) -> float:
        return round(sum(c.max_points for c in self.checks), 4)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """``{"exercise", "score", "max_score", "checks": [...]}`` (see DESIGN.md)."""
        return {
            "exercise": self.exercise,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [c.to_dict() for c in self.checks],
        }
