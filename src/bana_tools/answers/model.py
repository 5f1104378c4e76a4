"""The answers file: what is on disk, validated with pydantic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SCHEMA_VERSION = 1
#: MIME type of the copy of the answers kept in the notebook (the form cell's output).
ANSWERS_MIME = "application/vnd.bana.answers+json"


def now_utc() -> datetime:
    return datetime.now(UTC)


#: At most this many self-check attempts are kept in an answers file (the oldest go first).
MAX_ATTEMPTS = 200


class Attempt(BaseModel):
    """One "Check my answers": when, and the points of each public check."""

    model_config = ConfigDict(extra="ignore")

    time: datetime = Field(default_factory=now_utc)
    score: float = 0.0
    max_score: float = 0.0
    checks: dict[str, float] = Field(default_factory=dict, description="check id -> points")
    passed: list[str] = Field(default_factory=list, description="ids of the checks passed")


class AnswersFile(BaseModel):
    """``answers/<exercise_id>.json``: one student's answers to one exercise."""

    model_config = ConfigDict(extra="ignore")

    schema_version: Literal[1] = SCHEMA_VERSION
    exercise_id: str = Field(min_length=1, max_length=100)
    created: datetime = Field(default_factory=now_utc)
    updated: datetime = Field(default_factory=now_utc)
    answers: dict[str, Any] = Field(default_factory=dict)
    #: the self-check log, oldest first (see :meth:`AnswerStore.record_attempt`)
    attempts: list[Attempt] = Field(default_factory=list)

    @field_validator("attempts", mode="before")
    @classmethod
    def _usable_attempts(cls, value: Any) -> list[Any]:
        """Keep the last ``MAX_ATTEMPTS`` readable entries: a damaged log is a nicety lost,
        never a reason to refuse the answers."""
        if not isinstance(value, list):
            return []
        kept = []
        for entry in value[-MAX_ATTEMPTS:]:
            try:
                kept.append(Attempt.model_validate(entry))
            except ValidationError:
                continue
        return kept

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


def parse_answers_file(text: str | bytes) -> AnswersFile:
    """Parse and validate the text of an answers file (raises ``ValueError``)."""
    return AnswersFile.model_validate_json(text)
