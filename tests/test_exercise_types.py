"""The question types, checks, variants and attempt log behind the chapter 3-12 exercises.

Widget state is tested here without a browser (like ipywidgets' own tests); one real
browser run per new question type is in tests/browser/test_forms_new_types.py.
"""

from __future__ import annotations

import json
import random

import pytest

from bana_tools.answers import AnswerStore, read_answers_file
from bana_tools.course.answers_sim import complete_answers, partial_answers
from bana_tools.exercises.keys import (
    decode_matching,
    decode_ordering,
    encode_matching,
    encode_ordering,
)
from bana_tools.exercises.schema import (
    ChecklistItem,
    ChecklistQuestion,
    CheckSpec,
    Exercise,
    ListQuestion,
    MatchingQuestion,
    NumberQuestion,
    Option,
    OrderingQuestion,
    Part,
    Scenario,
    ShortText,
    SingleChoice,
    StudentIdQuestion,
)
from bana_tools.exercises.variants import normalise_student, seed_for, variant_label, variant_seed
from bana_tools.grading.runner import run_checks

ITEMS = tuple(Option(value=v, label=f"Item {v.upper()}") for v in "abcd")
CHOICES = (Option(value="x", label="X"), Option(value="y", label="Y"), Option(value="z", label="Z"))
ORDER = ["c", "a", "d", "b"]
MATCH = {"a": "x", "b": "z", "c": "x", "d": "y"}
PAYERS = tuple(Option(value=v, label=v) for v in ("medicare", "medicaid", "private", "self_pay"))


def make_exercise(per_student: bool = True) -> Exercise:
    questions = [
        NumberQuestion(id="mean_age", label="Mean age", prompt="Mean age of the stays."),
        SingleChoice(id="top_payer", label="Top payer", prompt="Most common payer.", options=PAYERS),
        ListQuestion(id="oldest", label="Oldest", prompt="First four ids of stays aged 90+."),
        OrderingQuestion(id="rank", label="Rank", prompt="Rank them.", items=ITEMS,
                         key=encode_ordering("rank", ORDER)),
        MatchingQuestion(id="match", label="Match", prompt="Match them.", items=ITEMS,
                         choices=CHOICES, key=encode_matching("match", list(MATCH), MATCH)),
        ChecklistQuestion(
            id="practices", label="Practices", prompt="Rate each.",
            items=(ChecklistItem(id="tests", label="Unit tests", group="Code"),
                   ChecklistItem(id="alerts", label="Alerts", group="Ops")),
            levels=(Option(value="0", label="Not done"), Option(value="1", label="Done")),
        ),
    ]
    if per_student:
        questions.insert(0, StudentIdQuestion(id="student_id", label="Student id", prompt="Your id."))
    return Exercise(
        id="ch99-types", title="Types", assignment="ch99", intro="For tests.",
        scenario=Scenario(module="support.scenario_demo", params={"rows": 400}, per_student=per_student),
        parts=(Part(id="all", title="All", questions=tuple(questions)),),
        checks=(
            CheckSpec(id="age", title="Mean age", points=2, kind="computed_value",
                      params={"question": "mean_age", "relative": 0.001}),
            CheckSpec(id="payer", title="Payer", points=1, kind="computed_choice",
                      params={"question": "top_payer"}),
            CheckSpec(id="oldest", title="Oldest", points=2, kind="computed_set",
                      params={"question": "oldest"}),
            CheckSpec(id="rank", title="Rank", points=2, kind="ordering_key", params={"question": "rank"}),
            CheckSpec(id="match", title="Match", points=2, kind="matching_key", params={"question": "match"}),
            CheckSpec(id="rated", title="Rated", points=1, kind="checklist_complete",
                      params={"question": "practices"}),
            CheckSpec(id="evidence", title="Evidence", points=1, kind="checklist_evidence",
                      params={"question": "practices", "min_words": 3}),
        ),
    )


# --- keys ------------------------------------------------------------------------------------

def test_keys_round_trip_and_hide_the_answer():
    ex = make_exercise()
    assert decode_ordering(ex.question("rank")) == ORDER
    assert decode_matching(ex.question("match")) == MATCH
    declaration = ex.model_dump_json()
    assert '"c", "a", "d", "b"' not in declaration and "x" not in "".join(ex.question("match").key)


def test_a_key_that_fits_no_value_is_an_error():
    q = MatchingQuestion(id="match", label="M", prompt="p", items=ITEMS, choices=CHOICES,
                         key=("0" * 20,) * 4)
    with pytest.raises(ValueError, match="matches no choice"):
        decode_matching(q)


# --- cleaning --------------------------------------------------------------------------------

def test_ordering_clean_keeps_a_permutation_and_repairs_a_partial_one():
    q = make_exercise().question("rank")
    assert q.clean(["b", "a", "c", "d"]) == (["b", "a", "c", "d"], None)
    repaired, warning = q.clean(["d", "d", "zz", 3])
    assert repaired == ["d", "a", "b", "c"] and "missing items were put last" in warning
    assert q.clean("nonsense")[0] == [] and q.clean(None) == ([], None)
    assert not q.is_answered([]) and q.is_answered(ORDER)


def test_matching_and_checklist_clean_drop_unknown_values():
    ex = make_exercise()
    assert ex.question("match").clean({"a": "x", "b": "nope", "zz": "x", "c": 3}) == ({"a": "x"}, None)
    checklist = ex.question("practices")
    clean, _ = checklist.clean({"tests": {"level": "1", "evidence": "pytest in CI"},
                                "alerts": {"level": "9"}, "ghost": {"level": "1"}})
    assert clean == {"tests": {"level": "1", "evidence": "pytest in CI"}}
    assert not checklist.is_complete(clean)
    assert checklist.clean({"tests": {"evidence": "x" * 5000}})[1]  # cut, with a warning


def test_per_student_data_needs_a_student_id_question():
    with pytest.raises(ValueError, match="student_id question"):
        Exercise(id="ch99-bad", title="t", assignment="ch99", intro="i",
                 scenario=Scenario(module="support.scenario_demo", per_student=True),
                 parts=(Part(id="p", title="P", questions=(
                     NumberQuestion(id="n", label="N", prompt="n"),)),))


# --- variants --------------------------------------------------------------------------------

def test_variants_differ_between_students_and_ignore_case_and_spaces():
    assert variant_seed("ch04-x", "alice") != variant_seed("ch04-x", "bob")
    assert variant_seed("ch04-x", "alice") != variant_seed("ch05-x", "alice")
    assert variant_seed("ch04-x", " Alice ") == variant_seed("ch04-x", "alice")
    assert normalise_student("  Smith  J ") == "smith j"
    assert len(variant_label("ch04-x", "alice")) == 4
    ex = make_exercise()
    assert seed_for(ex, {}) is None
    assert seed_for(make_exercise(per_student=False), {}) == 0


# --- checks ----------------------------------------------------------------------------------

def test_complete_answers_pass_for_their_own_student_only():
    ex = make_exercise()
    answers = complete_answers(ex, random.Random(3), "alice")
    report = run_checks(ex, answers, visibility="all")
    assert report.score == report.max_score, [c.message for c in report.checks]
    other = run_checks(ex, dict(answers, student_id="bob"), visibility="all")
    failed = {c.id for c in other.checks if not c.passed}
    assert "age" in failed and "oldest" in failed
    for check in other.checks:  # no expected value in any message
        assert str(answers["mean_age"])[:6] not in check.message


def test_computed_checks_ask_for_the_id_first():
    ex = make_exercise()
    answers = complete_answers(ex, random.Random(3), "alice")
    del answers["student_id"]
    report = run_checks(ex, answers, visibility="all")
    age = next(c for c in report.checks if c.id == "age")
    assert not age.passed and "student id" in age.message


def test_partial_credit_for_orderings_matchings_and_sets():
    ex = make_exercise()
    answers = complete_answers(ex, random.Random(3), "alice")
    answers["rank"] = ["a", "c", "d", "b"]  # one swapped pair of six
    answers["match"] = dict(MATCH, b="x")
    answers["oldest"] = answers["oldest"][:2] + ["E9999999"]
    by_id = {c.id: c for c in run_checks(ex, answers, visibility="all").checks}
    assert by_id["rank"].points == pytest.approx(2 * (5 - 1) / 6, abs=1e-3)
    assert "5 of 6 pairs" in by_id["rank"].message
    assert by_id["match"].points == pytest.approx(2 * 3 / 4) and "3 of 4" in by_id["match"].message
    oldest = by_id["oldest"]
    assert 0 < oldest.points < 2 and "1 should not be there" in oldest.message
    assert "2 of the 3 you gave are right" in oldest.message and "some are missing" in oldest.message
    assert "b" not in by_id["match"].message.replace("but", "")  # says how many, not which
    reversed_rank = run_checks(ex, dict(answers, rank=ORDER[::-1]), visibility="all")
    assert next(c for c in reversed_rank.checks if c.id == "rank").points == 0


def test_checklist_evidence_names_the_thin_items():
    ex = make_exercise()
    answers = {"practices": {"tests": {"level": "1", "evidence": "pytest runs in CI on every push"},
                             "alerts": {"level": "1", "evidence": "yes"}}}
    by_id = {c.id: c for c in run_checks(ex, answers, visibility="all").checks}
    assert by_id["rated"].passed
    assert not by_id["evidence"].passed and "Alerts" in by_id["evidence"].message
    assert by_id["evidence"].points == pytest.approx(0.5)


def test_partial_answers_score_between_empty_and_complete():
    ex = make_exercise()
    partial = run_checks(ex, partial_answers(ex, random.Random(5), "carol"), visibility="all")
    assert 0 < partial.score < partial.max_score
    assert run_checks(ex, {}, visibility="all").score == 0


# --- loading the data ------------------------------------------------------------------------

def test_load_uses_the_hub_user_then_the_saved_id(tmp_path, monkeypatch, capsys):
    from bana_tools import scenarios

    ex = make_exercise()
    monkeypatch.setattr("bana_tools.exercises.get_exercise", lambda _id: ex)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    with pytest.raises(scenarios.MissingStudentId, match="enter your student id"):
        scenarios.load(ex.id, tmp_path)
    assert scenarios.MissingStudentId("x")._render_traceback_() == ["x"]
    AnswerStore.beside(ex, tmp_path).save({"student_id": "alice"})
    data = scenarios.load(ex.id, tmp_path)
    assert data.student == "alice" and data.variant == variant_label(ex.id, "alice")
    assert f"variant {data.variant}" in capsys.readouterr().out
    monkeypatch.setenv("JUPYTERHUB_USER", "bob")
    hub = scenarios.load(ex.id, tmp_path, quiet=True)
    assert hub.student == "bob" and not hub.discharges.equals(data.discharges)


# --- widgets (state, no browser) -------------------------------------------------------------

@pytest.fixture
def form(tmp_path, monkeypatch):
    from bana_tools.forms.form import ExerciseForm

    monkeypatch.setenv("JUPYTERHUB_USER", "dana")
    ex = make_exercise()
    return ExerciseForm(ex, AnswerStore.beside(ex, tmp_path), debounce=10)


def test_student_id_is_filled_from_the_hub_and_shows_the_variant(form):
    assert form.flush()
    saved = read_answers_file(form.store.path).answers
    assert saved["student_id"] == "dana"
    assert variant_label(form.exercise.id, "dana") in form.questions["student_id"].variant.value


def test_ordering_widget_saves_only_once_ranked(form):
    w = form.questions["rank"]
    assert w.get_value() == []
    w.move(0, 1)
    assert w.get_value() == ["b", "a", "c", "d"]
    w.move(0, -1)  # out of range: nothing happens
    assert w.get_value() == ["b", "a", "c", "d"]
    form.flush()
    assert read_answers_file(form.store.path).answers["rank"] == ["b", "a", "c", "d"]
    w.set_value([])
    assert w.get_value() == [] and "Not ranked" in w.state.value
    w.keep_button.click()
    assert w.get_value() == ["a", "b", "c", "d"]


def test_matching_and_checklist_widgets_round_trip(form):
    form.questions["match"].inputs["b"].value = "z"
    form.questions["practices"].levels["tests"].value = "1"
    form.questions["practices"].evidence["tests"].value = "pytest <b>runs</b>"
    form.flush()
    saved = read_answers_file(form.store.path).answers
    assert saved["match"] == {"b": "z"}
    assert saved["practices"] == {"tests": {"level": "1", "evidence": "pytest <b>runs</b>"}}
    assert "1 of 2 rated" in form.questions["practices"].summary.value
    form.set_values({"match": {"a": "y"}, "practices": {}})
    assert form.questions["match"].get_value() == {"a": "y"}
    assert form.questions["practices"].get_value() == {}


def test_rebuilding_the_ordering_closes_its_old_widgets(form):
    from test_forms import live_widgets

    w = form.questions["rank"]
    w.move(0, 1)
    before = live_widgets()
    for _ in range(50):
        w.move(0, 1)
    assert live_widgets() <= before + 5


# --- the attempt log -------------------------------------------------------------------------

def test_check_my_answers_appends_to_the_attempt_log_and_saves_keep_it(form):
    form.check()
    form.questions["match"].inputs["a"].value = "x"
    form.check()
    record = read_answers_file(form.store.path)
    assert len(record.attempts) == 2
    assert "match" not in record.attempts[0].checks or record.attempts[0].checks["match"] == 0
    assert record.attempts[1].checks["match"] > 0
    form.questions["match"].inputs["b"].value = "z"
    form.flush()  # an ordinary save keeps the log
    assert len(read_answers_file(form.store.path).attempts) == 2
    text = json.loads(form.store.path.read_text())
    assert set(text["attempts"][0]) >= {"time", "score", "checks", "passed"}


def test_the_attempt_log_is_bounded(tmp_path):
    from bana_tools.answers.model import MAX_ATTEMPTS
    from bana_tools.grading.results import GradeReport

    ex = make_exercise(per_student=False)
    store = AnswerStore.beside(ex, tmp_path)
    assert store.record_attempt(GradeReport(exercise=ex.id, checks=[])) is None  # no file yet
    store.save({"mean_age": 50})
    for _ in range(MAX_ATTEMPTS + 5):
        store.record_attempt(GradeReport(exercise=ex.id, checks=[]))
    assert len(read_answers_file(store.path).attempts) == MAX_ATTEMPTS


def test_attempt_stats_count_tries_to_first_pass(monkeypatch):
    from bana_tools.answers.model import Attempt
    from bana_tools.course.report import attempt_stats

    ex = make_exercise()
    monkeypatch.setattr("bana_tools.exercises.get_exercise", lambda _id: ex)
    logs = [
        [Attempt(passed=[]), Attempt(passed=["age"]), Attempt(passed=["age", "match"])],
        [Attempt(passed=["age"])],
        [],  # never self-checked: not counted
    ]
    stats = {s.check_id: s for s in attempt_stats(ex.id, logs)}
    assert stats["age"].students == 2 and stats["age"].pass_rate == 1.0
    assert stats["age"].mean_tries == pytest.approx(1.5)
    assert stats["match"].passed == 1 and stats["match"].mean_tries == 3
    assert stats["rank"].passed == 0


# --- grading uses the course's id ------------------------------------------------------------

def test_grading_replaces_the_typed_id_with_nbgraders_student_id(tmp_path, monkeypatch):
    import nbformat

    from bana_tools.course.prepare import PrepareAnswers

    ex = make_exercise()
    monkeypatch.setattr("bana_tools.exercises.get_exercise", lambda _id: ex)
    answers = complete_answers(ex, random.Random(2), "erin")
    AnswerStore.beside(ex, tmp_path).save(dict(answers, student_id="a-friend"))
    resources = {"nbgrader": {"notebook": ex.id, "student": "erin"},
                 "metadata": {"path": str(tmp_path)}}
    nb, resources = PrepareAnswers().preprocess(nbformat.v4.new_notebook(), resources)
    saved = read_answers_file(AnswerStore.beside(ex, tmp_path).path).answers
    assert saved["student_id"] == "erin"
    assert "&#39;erin&#39;" in nb.cells[0].source and "a-friend" in nb.cells[0].source
    assert run_checks(ex, saved, visibility="all").score == run_checks(ex, answers, visibility="all").max_score
    # the same id (any case) leaves the file and the notebook alone
    again, _ = PrepareAnswers().preprocess(nbformat.v4.new_notebook(),
                                           dict(resources, nbgrader={"notebook": ex.id, "student": "ERIN"}))
    assert again.cells == []


def test_a_reference_to_another_answer_must_name_a_table_column():
    with pytest.raises(ValueError, match="refers to unknown column"):
        Exercise(id="ch99-bad", title="t", assignment="ch99", intro="i",
                 parts=(Part(id="p", title="P", questions=(
                     ShortText(id="star", label="S", prompt="p", refers_to="metrics.name"),)),))


def test_sample_answers_must_name_questions_of_the_exercise():
    from bana_tools.exercises import get_exercise

    declared = get_exercise("ch01-case-study").model_dump()
    assert declared["sample_answers"]  # ch01 carries its own samples
    with pytest.raises(ValueError, match="sample answers for unknown questions"):
        Exercise.model_validate({**declared, "sample_answers": {"no-such-question": "x"}})
