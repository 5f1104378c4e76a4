"""The data model of an exercise: parts, questions, checks and the manual-grading rubric.

An exercise is declared once, as data (one module per exercise in this package). The
form, the checks, the nbgrader notebooks and the printed report are derived from it.

Every question type knows how to *clean* a stored value (:meth:`QuestionBase.clean`):
whatever a file holds (a wrong type, a 50 MB string, too many rows), cleaning returns a
value of the right shape within the declared limits, plus a warning when something was
cut. Forms, the answer store and the checks all go through it, so no code downstream ever
sees an out-of-shape answer.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Hard cap on any one long text answer, in characters.
LONG_TEXT_MAX_CHARS = 20_000
#: Hard cap on any one short text answer or list item / table cell, in characters.
SHORT_TEXT_MAX_CHARS = 1_000

_WORD = re.compile(r"\b\w[\w'’-]*\b")


def word_count(text: str) -> int:
    """Number of words in ``text`` (runs of letters/digits, apostrophes and hyphens kept)."""
    return len(_WORD.findall(text or ""))


def _clip(text: str, limit: int, what: str) -> tuple[str, str | None]:
    if len(text) <= limit:
        return text, None
    return text[:limit], f"{what} is limited to {limit:,} characters; only the first {limit:,} are kept."


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


class Option(BaseModel):
    """One choice of a single- or multiple-choice question."""

    model_config = ConfigDict(frozen=True)
    value: str
    label: str


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QuestionBase(_Frozen):
    """Fields every question has."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(description="short name, used as the accessible label of the input")
    prompt: str = Field(description="the question as the student reads it")
    help: str = Field("", description="a hint shown under the prompt")
    required: bool = True
    points: float = Field(0, ge=0, description="points graded by hand (prose); 0 if none")
    rubric: str = Field("", description="what the grader looks for (instructors only)")

    def empty(self) -> Any:
        """The value of an unanswered question."""
        return ""

    def clean(self, value: Any) -> tuple[Any, str | None]:
        """Return ``value`` coerced into this question's shape and limits, and a warning."""
        raise NotImplementedError

    def is_answered(self, value: Any) -> bool:
        """True when a cleaned ``value`` holds anything at all (shown to graders)."""
        return bool(value)

    def is_complete(self, value: Any) -> bool:
        """True when a cleaned ``value`` meets the question's minimums (form progress)."""
        return self.is_answered(value)


class ShortText(QuestionBase):
    type: Literal["short_text"] = "short_text"
    placeholder: str = ""
    max_chars: int = Field(300, ge=1, le=SHORT_TEXT_MAX_CHARS)
    refers_to: str = Field(
        "", pattern=r"^([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)?$",
        description="'<records question>.<column>': the answer names one of that column's "
                    "values (e.g. one metric of the student's own table)",
    )

    def clean(self, value: Any) -> tuple[str, str | None]:
        return _clip(_as_text(value), self.max_chars, self.label)

    def is_answered(self, value: Any) -> bool:
        return bool(str(value or "").strip())


class LongText(QuestionBase):
    type: Literal["long_text"] = "long_text"
    placeholder: str = ""
    min_words: int = Field(0, ge=0, description="guidance: fewer words is flagged")
    max_words: int = Field(0, ge=0, description="guidance: more words is flagged (0: none)")
    max_chars: int = Field(LONG_TEXT_MAX_CHARS, ge=1, le=LONG_TEXT_MAX_CHARS)

    def clean(self, value: Any) -> tuple[str, str | None]:
        return _clip(_as_text(value), self.max_chars, self.label)

    def is_answered(self, value: Any) -> bool:
        return bool(str(value or "").strip())

    def guidance(self) -> str:
        """Length guidance as shown to the student, e.g. "aim for 80-200 words"."""
        if self.min_words and self.max_words:
            return f"aim for {self.min_words}-{self.max_words} words"
        if self.min_words:
            return f"at least {self.min_words} words"
        if self.max_words:
            return f"at most {self.max_words} words"
        return ""


class SingleChoice(QuestionBase):
    type: Literal["single_choice"] = "single_choice"
    options: tuple[Option, ...] = Field(min_length=2)

    def clean(self, value: Any) -> tuple[str, str | None]:
        allowed = {o.value for o in self.options}
        if value in (None, ""):
            return "", None
        if isinstance(value, str) and value in allowed:
            return value, None
        return "", f"{self.label}: the saved choice was not one of the options and was cleared."


class MultipleChoice(QuestionBase):
    type: Literal["multiple_choice"] = "multiple_choice"
    options: tuple[Option, ...] = Field(min_length=2)
    min_selected: int = Field(1, ge=0)
    max_selected: int = Field(0, ge=0, description="0: no maximum")

    def empty(self) -> list[str]:
        return []

    def clean(self, value: Any) -> tuple[list[str], str | None]:
        if not isinstance(value, list | tuple):
            return [], None if value in (None, "") else f"{self.label}: the saved choices were unreadable."
        allowed = [o.value for o in self.options]
        chosen = {v for v in value if isinstance(v, str)}
        return [v for v in allowed if v in chosen], None

    def is_complete(self, value: Any) -> bool:
        return len(value or []) >= max(1, self.min_selected)


class ListQuestion(QuestionBase):
    """A list of short text items the student can add, remove and reorder."""

    type: Literal["list"] = "list"
    item_label: str = "Item"
    placeholder: str = ""
    min_items: int = Field(0, ge=0)
    max_items: int = Field(30, ge=1, le=200)
    max_chars: int = Field(500, ge=1, le=SHORT_TEXT_MAX_CHARS)

    def empty(self) -> list[str]:
        return []

    def clean(self, value: Any) -> tuple[list[str], str | None]:
        if not isinstance(value, list | tuple):
            return [], None if value in (None, "") else f"{self.label}: the saved list was unreadable."
        items: list[str] = []
        warning = None
        for raw in value[: self.max_items]:
            text, cut = _clip(_as_text(raw), self.max_chars, f"Each {self.item_label.lower()}")
            items.append(text)
            warning = warning or cut
        if len(value) > self.max_items:
            warning = f"{self.label} holds at most {self.max_items} items; the rest were dropped."
        return items, warning

    def is_answered(self, value: Any) -> bool:
        return any(str(v).strip() for v in (value or []))

    def is_complete(self, value: Any) -> bool:
        """Complete once the list holds ``min_items`` (and at least one) non-empty items."""
        filled = sum(1 for v in (value or []) if str(v).strip())
        return filled >= max(1, self.min_items)


class Column(_Frozen):
    """One field of a row in a table-of-records question."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    kind: Literal["text", "long_text", "choice", "number"] = "text"
    options: tuple[Option, ...] = ()
    placeholder: str = ""
    help: str = ""
    required: bool = True
    max_chars: int = Field(500, ge=1, le=2_000)


class RecordsQuestion(QuestionBase):
    """A table of records: rows of named fields (the metric builder is one)."""

    type: Literal["records"] = "records"
    columns: tuple[Column, ...] = Field(min_length=1)
    row_label: str = "Row"
    min_rows: int = Field(0, ge=0)
    max_rows: int = Field(30, ge=1, le=200)
    widget: Literal["table", "metrics"] = Field(
        "table", description="'metrics' adds catalog feedback to each row"
    )

    def empty(self) -> list[dict[str, str]]:
        return []

    def column(self, column_id: str) -> Column:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(column_id)

    def clean(self, value: Any) -> tuple[list[dict[str, str]], str | None]:
        if not isinstance(value, list | tuple):
            return [], None if value in (None, "") else f"{self.label}: the saved table was unreadable."
        rows: list[dict[str, str]] = []
        warning = None
        for raw in value[: self.max_rows]:
            raw = raw if isinstance(raw, dict) else {}
            row: dict[str, str] = {}
            for col in self.columns:
                text, cut = _clip(_as_text(raw.get(col.id)), col.max_chars, col.label)
                if col.kind == "choice" and text not in {o.value for o in col.options}:
                    text = ""
                row[col.id] = text
                warning = warning or cut
            rows.append(row)
        if len(value) > self.max_rows:
            warning = f"{self.label} holds at most {self.max_rows} rows; the rest were dropped."
        return rows, warning

    def is_answered(self, value: Any) -> bool:
        return any(any(str(v).strip() for v in row.values()) for row in (value or []))

    def is_complete(self, value: Any) -> bool:
        """Complete once ``min_rows`` (and one) rows have every required column filled."""
        required = [c.id for c in self.columns if c.required]
        complete = sum(
            1 for row in (value or []) if all(str(row.get(c, "")).strip() for c in required)
        )
        return complete >= max(1, self.min_rows)


class NumberQuestion(QuestionBase):
    """A number with a unit and an allowed range (stored as a float, or None if blank)."""

    type: Literal["number"] = "number"
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    decimals: int = Field(4, ge=0, le=10, description="shown to the student as a hint")

    def empty(self) -> None:
        return None

    def parse(self, text: str) -> tuple[float | None, str | None]:
        """Parse what a student typed: ``(value, problem)``; blank gives ``(None, None)``."""
        cleaned = (text or "").strip().replace(",", "").replace("$", "").replace("%", "")
        if self.unit and cleaned.endswith(self.unit):
            cleaned = cleaned[: -len(self.unit)].strip()
        if not cleaned:
            return None, None
        try:
            number = float(cleaned)
        except ValueError:
            return None, f"'{text.strip()[:40]}' is not a number."
        return self.validate_range(number)

    def validate_range(self, number: float) -> tuple[float | None, str | None]:
        if not math.isfinite(number):
            return None, "Enter a finite number."
        if self.minimum is not None and number < self.minimum:
            return number, f"Must be at least {self.minimum:,.15g}{self._unit_suffix()}."
        if self.maximum is not None and number > self.maximum:
            return number, f"Must be at most {self.maximum:,.15g}{self._unit_suffix()}."
        return number, None

    def _unit_suffix(self) -> str:
        return f" {self.unit}" if self.unit and self.unit != "ratio" else ""

    def hint(self) -> str:
        """What to type, e.g. "a number between 0 and 1" or "a number in ms"."""
        if self.minimum is not None and self.maximum is not None and self.unit in ("", "ratio"):
            return f"a number between {self.minimum:g} and {self.maximum:g}"
        return f"a number in {self.unit}" if self.unit else "a number"

    def clean(self, value: Any) -> tuple[float | None, str | None]:
        if value is None or value == "":
            return None, None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None, f"{self.label}: the saved number was unreadable and was cleared."
        if isinstance(value, str):
            number, problem = self.parse(value)
            return number, problem
        number = float(value)
        if not math.isfinite(number):
            return None, f"{self.label}: the saved number was not finite and was cleared."
        return number, None

    def is_answered(self, value: Any) -> bool:
        return value is not None


class StudentIdQuestion(QuestionBase):
    """The student's id, which picks the student's own data variant.

    Exercises with per-student data (:class:`Scenario` with ``per_student=True``) have one.
    The form fills it from ``JUPYTERHUB_USER`` when that is set; at grading time nbgrader's
    student id replaces whatever was typed, so each student is graded on their own data.
    """

    type: Literal["student_id"] = "student_id"
    placeholder: str = "your university username, e.g. smithj2"
    max_chars: int = Field(100, ge=1, le=200)

    def clean(self, value: Any) -> tuple[str, str | None]:
        text, cut = _clip(_as_text(value).strip(), self.max_chars, self.label)
        return text, cut

    def is_answered(self, value: Any) -> bool:
        return bool(str(value or "").strip())


class OrderingQuestion(QuestionBase):
    """Rank a fixed set of items; the answer is every item's value, first to last.

    ``key`` optionally holds the expected order, obfuscated (:mod:`bana_tools.exercises.keys`),
    for the ``ordering_key`` check. An unranked question is the empty list.
    """

    type: Literal["ordering"] = "ordering"
    items: tuple[Option, ...] = Field(min_length=2, max_length=20)
    key: tuple[str, ...] = ()

    def empty(self) -> list[str]:
        return []

    def clean(self, value: Any) -> tuple[list[str], str | None]:
        if not isinstance(value, list | tuple) or not value:
            return [], None if value in (None, "", []) else f"{self.label}: the saved order was unreadable."
        known = [o.value for o in self.items]
        seen: list[str] = []
        for v in value:
            if isinstance(v, str) and v in known and v not in seen:
                seen.append(v)
        if len(seen) == len(known):
            return seen, None
        if not seen:
            return [], f"{self.label}: the saved order was unreadable and was cleared."
        return seen + [v for v in known if v not in seen], (
            f"{self.label}: the saved order was incomplete; the missing items were put last."
        )

    def is_answered(self, value: Any) -> bool:
        return len(value or []) == len(self.items)


class MatchingQuestion(QuestionBase):
    """Match each item (a scenario, say) to one of ``choices`` (a pattern, say).

    The answer maps item value -> choice value. ``key`` optionally holds the expected
    match of every item, obfuscated, for the ``matching_key`` check.
    """

    type: Literal["matching"] = "matching"
    items: tuple[Option, ...] = Field(min_length=1, max_length=30)
    choices: tuple[Option, ...] = Field(min_length=2, max_length=20)
    key: tuple[str, ...] = ()

    def empty(self) -> dict[str, str]:
        return {}

    def clean(self, value: Any) -> tuple[dict[str, str], str | None]:
        if not isinstance(value, dict):
            return {}, None if value in (None, "") else f"{self.label}: the saved matches were unreadable."
        choices = {c.value for c in self.choices}
        clean = {
            o.value: value[o.value] for o in self.items
            if isinstance(value.get(o.value), str) and value[o.value] in choices
        }
        return clean, None

    def is_complete(self, value: Any) -> bool:
        return len(value or {}) == len(self.items)


class ChecklistItem(_Frozen):
    """One line of a checklist: something to rate, with evidence."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    help: str = ""
    group: str = Field("", description="items with the same group are shown together")


class ChecklistQuestion(QuestionBase):
    """Rate every item on a scale of ``levels`` and give evidence for the rating.

    The answer maps item id -> ``{"level": <level value>, "evidence": <text>}``. The first
    level is the "nothing in place" level: it needs no evidence.
    """

    type: Literal["checklist"] = "checklist"
    items: tuple[ChecklistItem, ...] = Field(min_length=1, max_length=60)
    levels: tuple[Option, ...] = Field(min_length=2, max_length=6)
    evidence_label: str = "Evidence"
    evidence_max_chars: int = Field(600, ge=1, le=SHORT_TEXT_MAX_CHARS)

    def empty(self) -> dict[str, dict[str, str]]:
        return {}

    def clean(self, value: Any) -> tuple[dict[str, dict[str, str]], str | None]:
        if not isinstance(value, dict):
            return {}, None if value in (None, "") else f"{self.label}: the saved checklist was unreadable."
        levels = {o.value for o in self.levels}
        clean: dict[str, dict[str, str]] = {}
        warning = None
        for item in self.items:
            raw = value.get(item.id)
            if not isinstance(raw, dict):
                continue
            level = raw.get("level") if raw.get("level") in levels else ""
            evidence, cut = _clip(_as_text(raw.get("evidence")), self.evidence_max_chars,
                                  self.evidence_label)
            warning = warning or cut
            if level or evidence:
                clean[item.id] = {"level": level, "evidence": evidence}
        return clean, warning

    def is_answered(self, value: Any) -> bool:
        return any(v.get("level") or str(v.get("evidence", "")).strip() for v in (value or {}).values())

    def is_complete(self, value: Any) -> bool:
        value = value or {}
        return all(value.get(i.id, {}).get("level") for i in self.items)

    def groups(self) -> dict[str, list[ChecklistItem]]:
        """Items by group, in declaration order."""
        out: dict[str, list[ChecklistItem]] = {}
        for item in self.items:
            out.setdefault(item.group, []).append(item)
        return out


Question = Annotated[
    ShortText | LongText | SingleChoice | MultipleChoice | ListQuestion | RecordsQuestion
    | NumberQuestion | StudentIdQuestion | OrderingQuestion | MatchingQuestion
    | ChecklistQuestion,
    Field(discriminator="type"),
]


class Part(_Frozen):
    """A numbered part of an exercise: a tab of the form."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = Field(min_length=1)


class CheckSpec(_Frozen):
    """A declared check.

    Public checks name a ``kind`` from :mod:`bana_tools.grading.checks` and its ``params``.
    Hidden checks carry only their id, title and points here; their code and messages live
    in :mod:`bana_tools.grading.hidden`, which no student-facing path imports.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str = Field(description="what the check looks at, in a few words")
    visibility: Literal["public", "hidden"] = "public"
    points: float = Field(gt=0)
    kind: str = ""
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _kind_matches_visibility(self) -> CheckSpec:
        if self.visibility == "public" and not self.kind:
            raise ValueError(f"public check {self.id!r} needs a kind")
        if self.visibility == "hidden" and (self.kind or self.params):
            raise ValueError(f"hidden check {self.id!r} is implemented in grading.hidden, not here")
        return self


class RubricItem(_Frozen):
    """A hand-graded item (derived from questions with points)."""

    question_id: str
    label: str
    text: str
    points: float


class Scenario(_Frozen):
    """The data behind a computational exercise.

    ``module`` (in :mod:`bana_tools.scenarios`) provides ``data(params, seed)``, what the
    student's notebook loads, and ``solve(params, seed)``, the expected values keyed by
    question id, computed at check time and never stored or shown. With ``per_student`` the
    seed comes from the student's id (:mod:`bana_tools.exercises.variants`), so classmates
    get different numbers; otherwise it is ``params["seed"]`` (0 if absent).
    """

    module: str = Field(pattern=r"^[a-z_][a-z0-9_.]*$")
    params: dict[str, Any] = Field(default_factory=dict)
    per_student: bool = False


class NotebookCell(_Frozen):
    """A cell of the student notebook beyond the form (data loading, work space)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    kind: Literal["markdown", "code"]
    source: str


class Exercise(_Frozen):
    """A whole exercise, as declared in ``bana_tools.exercises.<module>``."""

    id: str = Field(pattern=r"^ch\d\d-[a-z0-9-]+$")
    title: str
    assignment: str = Field(pattern=r"^ch\d\d$")
    intro: str
    source: str = Field("", description="where the exercise comes from in the textbook")
    parts: tuple[Part, ...] = Field(min_length=1)
    checks: tuple[CheckSpec, ...] = ()
    scenario: Scenario | None = None
    cells: tuple[NotebookCell, ...] = Field(
        (), description="notebook cells shown between the introduction and the form"
    )
    sample_answers: dict[str, Any] = Field(
        default_factory=dict,
        description="example answers for tests, demos and benchmarks (plain filler, not model "
                    "solutions; complete: every check passes); without them the answer "
                    "simulator's complete answers stand in",
    )

    @model_validator(mode="after")
    def _ids_unique_and_known(self) -> Exercise:
        qids = [q.id for p in self.parts for q in p.questions]
        if len(qids) != len(set(qids)):
            raise ValueError(f"{self.id}: question ids repeat")
        cids = [c.id for c in self.checks]
        if len(cids) != len(set(cids)):
            raise ValueError(f"{self.id}: check ids repeat")
        for check in self.checks:
            question = check.params.get("question")
            if question is not None and question not in qids:
                raise ValueError(f"{self.id}: check {check.id} names unknown question {question}")
        questions = {q.id: q for p in self.parts for q in p.questions}
        for q in questions.values():
            if getattr(q, "refers_to", ""):
                table, column = q.refers_to.split(".")
                target = questions.get(table)
                if target is None or target.type != "records" or column not in {
                        c.id for c in target.columns}:
                    raise ValueError(f"{self.id}: {q.id} refers to unknown column {q.refers_to}")
        if self.scenario is not None and self.scenario.per_student and self.student_id_question() is None:
            raise ValueError(f"{self.id}: per-student data needs a student_id question")
        unknown = sorted(set(self.sample_answers) - set(questions))
        if unknown:
            raise ValueError(f"{self.id}: sample answers for unknown questions {unknown}")
        cell_ids = [c.id for c in self.cells]
        if len(cell_ids) != len(set(cell_ids)):
            raise ValueError(f"{self.id}: notebook cell ids repeat")
        return self

    # --- derived views -------------------------------------------------------------------

    @property
    def questions(self) -> dict[str, Any]:
        """Every question by id, in form order."""
        return {q.id: q for p in self.parts for q in p.questions}

    def question(self, question_id: str) -> Any:
        return self.questions[question_id]

    def student_id_question(self) -> str | None:
        """The id of the :class:`StudentIdQuestion`, if the exercise has one."""
        for qid, q in self.questions.items():
            if q.type == "student_id":
                return qid
        return None

    def public_checks(self) -> tuple[CheckSpec, ...]:
        return tuple(c for c in self.checks if c.visibility == "public")

    def hidden_checks(self) -> tuple[CheckSpec, ...]:
        return tuple(c for c in self.checks if c.visibility == "hidden")

    def rubric(self) -> tuple[RubricItem, ...]:
        """Hand-graded items: every question with points, with its rubric text."""
        return tuple(
            RubricItem(question_id=q.id, label=q.label, text=q.rubric, points=q.points)
            for p in self.parts
            for q in p.questions
            if q.points
        )

    def max_score(self, visibility: Literal["public", "all"] = "all", manual: bool = True) -> float:
        checks = self.public_checks() if visibility == "public" else self.checks
        total = sum(c.points for c in checks)
        if manual:
            total += sum(r.points for r in self.rubric())
        return float(total)

    def empty_answers(self) -> dict[str, Any]:
        return {qid: q.empty() for qid, q in self.questions.items()}

    def clean_answers(self, answers: Any) -> tuple[dict[str, Any], list[str]]:
        """Coerce a raw mapping into a full, in-limits answer dict, with warnings.

        Unknown keys are dropped, missing ones get the empty value, nothing raises.
        """
        raw = answers if isinstance(answers, dict) else {}
        clean: dict[str, Any] = {}
        warnings: list[str] = []
        for qid, question in self.questions.items():
            value, warning = question.clean(raw.get(qid))
            clean[qid] = value
            if warning:
                warnings.append(warning)
        return clean, warnings

    def part_complete(self, part: Part, answers: dict[str, Any]) -> bool:
        """A part is complete when every required question in it meets its minimums."""
        return all(
            q.is_complete(answers.get(q.id)) for q in part.questions if q.required
        )
