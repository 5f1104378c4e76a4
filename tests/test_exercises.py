"""Exercise declarations: valid, complete, and consistent with the textbook's structure."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bana_tools.exercises import UnknownExercise, all_exercises, exercise_ids, get_exercise
from bana_tools.exercises.schema import (
    CheckSpec,
    LongText,
    NumberQuestion,
    RecordsQuestion,
    word_count,
)

FIXED_IDS = ("ch01-case-study", "ch02-readmission", "ch02-metrics", "ch02-pilot-metrics")


def test_exercise_ids_are_the_fixed_interface():
    assert exercise_ids()[: len(FIXED_IDS)] == FIXED_IDS
    assert [e.assignment for e in all_exercises()][:4] == ["ch01", "ch02", "ch02", "ch02"]


def test_every_later_chapter_has_one_exercise_in_its_own_assignment():
    later = all_exercises()[len(FIXED_IDS):]
    assert [e.assignment for e in later] == [f"ch{n:02d}" for n in range(3, 13)]
    for exercise in later:
        assert exercise.id.startswith(f"{exercise.assignment}-")
        kinds = {q.type for q in exercise.questions.values()}
        assert exercise.rubric(), f"{exercise.id}: something graded by hand"
        assert exercise.public_checks() and kinds & {"ordering", "matching", "checklist",
                                                     "records", "multiple_choice", "list"}
        assert exercise.scenario is not None, f"{exercise.id}: a computed part"


def test_unknown_id_raises_a_clear_error():
    with pytest.raises(UnknownExercise) as info:
        get_exercise("ch03-nothing")
    assert "ch03-nothing" in str(info.value) and "ch02-metrics" in str(info.value)


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_every_exercise_is_gradable(exercise):
    assert exercise.public_checks(), "students need self-checks"
    assert exercise.max_score() > exercise.max_score("public", manual=False) > 0
    for question in exercise.questions.values():
        if isinstance(question, LongText) and question.points:
            assert question.rubric, f"{question.id} has points but no rubric"
    for check in exercise.checks:
        assert check.title and check.points > 0


def test_ch01_offers_the_eight_case_studies():
    cases = get_exercise("ch01-case-study").question("cases")
    assert len(cases.options) == 8
    labels = " ".join(o.label for o in cases.options)
    for company in ("Netflix", "Uber", "Spotify", "Airbnb", "Google", "LinkedIn", "Facebook",
                    "Twitter"):
        assert company in labels
    ops = {"dataops", "modelops", "devops"}
    assert ops <= set(get_exercise("ch01-case-study").questions)


def test_ch02_readmission_has_the_five_parts_and_three_criteria():
    ex = get_exercise("ch02-readmission")
    assert len(ex.parts) == 5
    criteria = [q for q in ex.questions if q.startswith("criterion_") and not q.endswith("_why")]
    assert criteria == ["criterion_patterns", "criterion_data", "criterion_unseen"]
    metrics = ex.question("metrics")
    assert isinstance(metrics, RecordsQuestion) and metrics.widget == "metrics"
    assert {o.value for o in metrics.column("category").options} == {"model", "system", "business"}


def test_metric_builder_columns():
    metrics = get_exercise("ch02-metrics").question("metrics")
    assert [c.id for c in metrics.columns] == [
        "name", "category", "definition", "unit", "target", "alert", "direction", "why"]


def test_clean_answers_enforces_shapes_and_limits():
    ex = get_exercise("ch02-readmission")
    cleaned, warnings = ex.clean_answers({
        "value": "w " * 20_000, "verdict": "maybe", "assumptions": "not a list",
        "metrics": [{"name": "Recall", "category": "nonsense", "extra": 1}, "junk"],
        "unknown": 1,
    })
    assert len(cleaned["value"]) == 20_000 and warnings
    assert cleaned["verdict"] == "" and cleaned["assumptions"] == []
    assert cleaned["metrics"][0]["category"] == "" and "extra" not in cleaned["metrics"][0]
    assert cleaned["metrics"][1]["name"] == ""
    assert "unknown" not in cleaned


def test_number_question_parsing():
    q = NumberQuestion(id="n", label="N", prompt="p", unit="ms", minimum=0, maximum=10)
    assert q.parse("") == (None, None)
    assert q.parse("5 ms") == (5.0, None)
    assert q.parse("1,000")[1] == "Must be at most 10 ms."
    assert q.parse("inf")[1] == "Enter a finite number."
    assert q.clean(float("nan"))[0] is None
    assert q.clean(True)[0] is None


def test_declarations_reject_inconsistent_checks():
    with pytest.raises(ValidationError):
        CheckSpec(id="x", title="t", points=1)  # public without kind
    with pytest.raises(ValidationError):
        CheckSpec(id="x", title="t", points=1, visibility="hidden", kind="min_words")


def test_word_count():
    assert word_count("It's a well-known fact, 42 times.") == 6
    assert word_count("") == 0
