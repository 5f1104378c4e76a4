"""Checks, the runner, hidden checks, nbgrader helpers and reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from bana_tools.answers import AnswersFile, AnswerStore, answers_bundle
from bana_tools.course.answers_sim import example_answers
from bana_tools.exercises import all_exercises, exercise_ids, get_exercise
from bana_tools.grading import (
    assert_checks,
    autograde,
    points_for,
    render_html,
    render_markdown,
    run_checks,
)
from bana_tools.grading.checks import check_function, first_number
from bana_tools.grading.hidden import HIDDEN_CHECKS, hidden_check


def test_every_declared_check_has_an_implementation_and_vice_versa():
    declared_hidden = set()
    for exercise in all_exercises():
        for check in exercise.public_checks():
            assert callable(check_function(exercise, check.kind)), (exercise.id, check.id)
        for check in exercise.hidden_checks():
            assert callable(hidden_check(exercise, check.id)), (exercise.id, check.id)
        declared_hidden |= {(exercise.id, c.id) for c in exercise.hidden_checks()}
    # the shared table holds no check that no exercise declares
    assert set(HIDDEN_CHECKS) <= declared_hidden


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_complete_answers_score_full_and_empty_score_zero(exercise_id):
    full = run_checks(exercise_id, example_answers(exercise_id), visibility="all")
    assert full.score == full.max_score and full.passed, [c.message for c in full.checks]
    empty = run_checks(exercise_id, {}, visibility="all")
    assert empty.score == 0, [(c.id, c.message) for c in empty.checks if c.points]
    partial = run_checks(exercise_id, example_answers(exercise_id, "partial"), visibility="all")
    assert 0 < partial.score < partial.max_score


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_garbage_answers_never_crash_a_check(exercise_id):
    exercise = get_exercise(exercise_id)
    garbage = {qid: value for qid, value in zip(
        exercise.questions, [None, 3, [1, {}], {"a": 1}, "x" * 60_000, [None], True] * 10,
        strict=False)}
    report = run_checks(exercise, garbage, visibility="all")
    assert all("could not run" not in c.message for c in report.checks)
    assert 0 <= report.score <= report.max_score


def test_public_run_reports_only_public_checks_with_fixed_shape():
    report = run_checks("ch02-readmission", example_answers("ch02-readmission"))
    data = report.to_dict()
    assert set(data) == {"exercise", "score", "max_score", "checks"}
    assert {tuple(sorted(c)) for c in data["checks"]} == {
        ("id", "max_points", "message", "passed", "points")}
    ids = [c["id"] for c in data["checks"]]
    assert ids == [c.id for c in get_exercise("ch02-readmission").public_checks()]


def test_public_checks_never_import_hidden_module():
    code = (
        "import sys\n"
        "from bana_tools.grading import run_checks\n"
        "from bana_tools.forms import build_form\n"
        "import tempfile\n"
        "f = build_form('ch02-readmission', tempfile.mkdtemp()); f.check()\n"
        "run_checks('ch02-metrics', {})\n"
        "print('bana_tools.grading.hidden' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_partial_credit_and_messages():
    answers = {"metrics": [
        {"name": "p95 latency", "category": "model", "definition": "d", "direction": "lower",
         "why": "w"},
        {"name": "Recall", "category": "model", "definition": "d", "direction": "higher",
         "why": "w"},
    ]}
    report = run_checks("ch02-readmission", answers, check_ids=["metrics-three-kinds",
                                                               "metrics-match-catalog"])
    kinds, catalog = report.checks
    assert kinds.points == pytest.approx(1.0) and not kinds.passed
    assert "system, business" in kinds.message
    assert catalog.points == pytest.approx(1.0)
    assert "p95 latency is a system metric, not a model metric" in catalog.message


def test_alert_direction_check():
    rows = example_answers("ch02-metrics")["metrics"]
    ok = run_checks("ch02-metrics", {"metrics": rows}, check_ids=["alerts-consistent"])
    assert ok.checks[0].passed
    rows[2]["alert"] = "100"  # p95 latency: lower is better, alert below target is wrong
    bad = run_checks("ch02-metrics", {"metrics": rows}, check_ids=["alerts-consistent"])
    assert not bad.checks[0].passed and "above the target" in bad.checks[0].message
    assert first_number("$1,200 per month") == 1200.0 and first_number("none") is None


def test_unknown_check_id_is_an_error():
    with pytest.raises(KeyError, match="no check"):
        run_checks("ch02-metrics", {}, check_ids=["nope"])


def test_pilot_checks_compare_without_revealing_numbers():
    exercise = get_exercise("ch02-pilot-metrics")
    good = example_answers("ch02-pilot-metrics")
    report = run_checks(exercise, good)
    assert report.passed
    wrong = dict(good, recall=0.9, p95_latency=good["p95_latency"] * 1.2, best_threshold=0.9)
    bad = run_checks(exercise, wrong)
    failed = {c.id for c in bad.checks if not c.passed}
    assert failed == {"recall-value", "latency-value", "best-threshold"}
    expected = [good["recall"], good["precision"], good["p95_latency"], good["net_savings"]]
    text = " ".join(c.message for c in bad.checks + report.checks)
    for value in expected:
        for shown in (f"{value}", f"{value:.3f}", f"{value:.4f}", f"{value:,.0f}", f"{value:.0f}"):
            if len(shown.strip("0.,")) >= 2:
                assert shown not in text


def test_autograde_prints_to_stdout_and_returns_points(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ex = get_exercise("ch02-readmission")
    AnswerStore.beside(ex, tmp_path).save(example_answers("ch02-readmission", "partial"))
    ids = ["stakeholders-listed", "metrics-three-kinds", "verdict-consistent"]
    points = autograde("ch02-readmission", ids)
    out = capsys.readouterr()
    assert isinstance(points, float) and 0 < points < points_for("ch02-readmission", ids)
    assert out.err == ""
    assert len(out.out.strip().splitlines()) == 3
    hidden_line = out.out.strip().splitlines()[2]
    assert "Verdict agrees with the criteria" in hidden_line and " - " not in hidden_line


def test_autograde_restores_answers_from_the_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    record = AnswersFile(exercise_id="ch02-metrics", answers=example_answers("ch02-metrics"))
    nb = {"cells": [{"cell_type": "code", "id": "form", "metadata": {}, "source": "",
                     "execution_count": 1,
                     "outputs": [{"output_type": "display_data", "metadata": {},
                                  "data": answers_bundle(record, "answers/ch02-metrics.json")}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "ch02-metrics.ipynb").write_text(json.dumps(nb))
    assert autograde("ch02-metrics") == get_exercise("ch02-metrics").max_score(manual=False)
    assert (tmp_path / "answers" / "ch02-metrics.json").exists()


@pytest.mark.parametrize("content", [None, "{broken", AnswersFile(exercise_id="ch01-case-study").to_json()])
def test_autograde_gives_zero_with_one_line_on_bad_input(tmp_path, monkeypatch, capsys, content):
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / "answers").mkdir()
        (tmp_path / "answers" / "ch02-metrics.json").write_text(content)
    assert autograde("ch02-metrics", ["metrics-count"]) == 0.0
    out = capsys.readouterr()
    assert out.err == "" and out.out.startswith("No usable answers:")


def test_assert_checks_raises_only_on_failure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ex = get_exercise("ch01-case-study")
    AnswerStore.beside(ex, tmp_path).save(example_answers("ch01-case-study"))
    assert_checks("ch01-case-study", ["case-chosen", "ops-distinct"])
    AnswerStore.beside(ex, tmp_path).save({"cases": []})
    with pytest.raises(AssertionError, match="At least one case study chosen"):
        assert_checks("ch01-case-study", ["case-chosen"])


@pytest.mark.parametrize("renderer", [render_html, render_markdown])
def test_reports_escape_student_text(renderer):
    ex = get_exercise("ch02-readmission")
    answers = example_answers("ch02-readmission")
    answers["value"] = "<script>alert('x')</script> & more"
    answers["metrics"][0]["name"] = "<img src=x onerror=alert(1)>"
    cleaned, _ = ex.clean_answers(answers)
    text = renderer(ex, cleaned, run_checks(ex, cleaned))
    assert "<script>" not in text and "<img" not in text
    assert ex.title in text or ex.title.replace("-", "\\-") in text
    for part in ex.parts:
        assert part.title.split(". ", 1)[1].split()[0] in text


def test_autograde_cell_gives_nbgrader_partial_credit(tmp_path):
    """A real kernel runs the test cell; nbgrader's own grader reads the partial credit."""
    import nbclient
    import nbformat
    from nbgrader.utils import determine_grade

    from bana_tools.exercises.notebook import autograde_source

    exercise_id = "ch02-readmission"
    ids = [c.id for c in get_exercise(exercise_id).checks][:6]
    AnswerStore.beside(get_exercise(exercise_id), tmp_path).save(
        example_answers(exercise_id, "partial"))
    points = points_for(exercise_id, ids)
    cell = nbformat.v4.new_code_cell(autograde_source(exercise_id, ids))
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "points": points, "grade_id": "test-part1", "schema_version": 3}
    nb = nbformat.v4.new_notebook(cells=[cell])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    earned, max_points = determine_grade(nb.cells[0])
    expected = run_checks(exercise_id, example_answers(exercise_id, "partial"),
                          visibility="all", check_ids=ids).score
    assert max_points == points
    assert earned == pytest.approx(expected) and 0 < earned < points


def test_pending_edit_is_saved_when_the_kernel_exits(tmp_path):
    code = (
        "from bana_tools.forms import build_form\n"
        f"form = build_form('ch02-metrics', {str(tmp_path)!r}, debounce=60)\n"
        "form.questions['north_star'].input.value = 'typed just before a restart'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    saved = json.loads((tmp_path / "answers" / "ch02-metrics.json").read_text())
    assert saved["answers"]["north_star"] == "typed just before a restart"


@pytest.mark.parametrize("points, shown", [(2.0917, "2.09"), (0.0167, "0.02"), (1.0, "1"),
                                           (0.5, "0.5"), (13.0, "13"), (0.325, "0.33")])
def test_points_are_shown_with_at_most_two_decimals(points, shown):
    from bana_tools.grading.results import format_points

    assert format_points(points) == shown


def test_check_messages_read_naturally_for_one_word(tmp_path):
    exercise = get_exercise("ch01-case-study")
    report = run_checks(exercise, {"value": "short"}, visibility="public")
    message = next(c.message for c in report.checks if c.id == "value-length")
    assert "1 word;" in message
    # the student sees rounded points (1/60 of a point is 0.02), never four decimals
    store = AnswerStore.beside(exercise, tmp_path)
    store.save({"value": "short"})
    out = subprocess.run([sys.executable, "-m", "bana_tools", "check", "ch01-case-study",
                          "--answers", str(store.path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "(0.02/1)" in out.stdout
    assert not re.search(r"\d\.\d{3,}", out.stdout)
