"""``bana exercises``, ``bana check`` and ``bana report`` as a student runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bana_tools.answers import AnswersFile, AnswerStore
from bana_tools.course.answers_sim import example_answers
from bana_tools.exercises import all_exercises, exercise_ids, get_exercise


def bana(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bana_tools", *args], capture_output=True, text=True, cwd=cwd,
        timeout=120,
    )


@pytest.fixture
def answers_file(tmp_path) -> Path:
    store = AnswerStore.beside(get_exercise("ch02-readmission"), tmp_path)
    store.save(example_answers("ch02-readmission", "partial"))
    return store.path


def test_exercises_lists_every_id_with_title():
    out = bana("exercises")
    assert out.returncode == 0
    for exercise_id in exercise_ids():
        assert exercise_id in out.stdout
        assert get_exercise(exercise_id).title in out.stdout
    listed = json.loads(bana("exercises", "--json").stdout)
    assert [e["id"] for e in listed] == list(exercise_ids())


def test_check_json_has_the_fixed_shape(answers_file):
    out = bana("check", "ch02-readmission", "--answers", str(answers_file), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"exercise", "score", "max_score", "checks"}
    assert data["exercise"] == "ch02-readmission"
    public = get_exercise("ch02-readmission").public_checks()
    assert [c["id"] for c in data["checks"]] == [c.id for c in public]
    assert data["max_score"] == sum(c.points for c in public)
    for check in data["checks"]:
        assert set(check) == {"id", "passed", "points", "max_points", "message"}
        assert isinstance(check["passed"], bool) and 0 <= check["points"] <= check["max_points"]
    assert data["score"] == pytest.approx(sum(c["points"] for c in data["checks"]))
    assert 0 < data["score"] < data["max_score"]


def test_check_text_output(answers_file):
    out = bana("check", "ch02-readmission", "--answers", str(answers_file))
    assert out.returncode == 0
    assert "points from automatic checks" in out.stdout and "[FAIL]" in out.stdout


@pytest.mark.parametrize(
    "content, args, expected",
    [
        (None, ("ch02-readmission",), "no answers file"),
        ("{oops", ("ch02-readmission",), "not a valid answers file (not valid JSON, "),
        ('{"answers": []}', ("ch02-readmission",), "not a valid answers file"),
        (AnswersFile(exercise_id="ch02-metrics").to_json(), ("ch02-readmission",), "not 'ch02-readmission'"),
        (AnswersFile(exercise_id="ch02-metrics").to_json(), ("ch99-nothing",), "unknown exercise"),
    ],
)
def test_check_bad_input_is_one_line_exit_2(tmp_path, content, args, expected):
    path = tmp_path / "answers.json"
    if content is not None:
        path.write_text(content)
    out = bana("check", *args, "--answers", str(path), "--json")
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("where", ["missing/folder/report.html", "."])
def test_report_to_an_unusable_path_is_one_line_exit_2_and_creates_nothing(tmp_path, where):
    store = AnswerStore.beside(get_exercise("ch02-readmission"), tmp_path)
    store.save({"value": "x"})
    target = tmp_path / where if where != "." else tmp_path / "folder.html"
    if where == ".":
        target.mkdir()
    out = bana("report", "ch02-readmission", "--answers", str(store.path), "--out", str(target))
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and ("does not exist" in lines[0] or "is a folder" in lines[0])
    assert not (tmp_path / "missing").exists()


def test_report_html_and_markdown_escape_and_contain_answers(tmp_path):
    store = AnswerStore.beside(get_exercise("ch02-readmission"), tmp_path)
    answers = example_answers("ch02-readmission")
    answers["value"] = "We save money <b>fast</b> & " + answers["value"]
    store.save(answers)
    html_out = tmp_path / "report.html"
    out = bana("report", "ch02-readmission", "--answers", str(store.path), "--out", str(html_out))
    assert out.returncode == 0, out.stderr
    html = html_out.read_text()
    assert "We save money &lt;b&gt;fast&lt;/b&gt; &amp;" in html
    assert "Discharge nurses" in html and "Self-check" in html
    md_out = tmp_path / "report.md"
    assert bana("report", "ch02-readmission", "--answers", str(store.path), "--out",
                str(md_out)).returncode == 0
    md = md_out.read_text()
    assert "<b>" not in md and "Discharge nurses" in md


def test_report_rejects_unknown_format(answers_file, tmp_path):
    out = bana("report", "ch02-readmission", "--answers", str(answers_file), "--out",
               str(tmp_path / "r.pdf"))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


def test_check_reads_the_answers_copy_inside_a_notebook(tmp_path):
    from bana_tools.answers import answers_bundle

    record = AnswersFile(exercise_id="ch02-metrics", answers=example_answers("ch02-metrics"))
    nb = {"cells": [{"cell_type": "code", "id": "form", "metadata": {}, "source": "",
                     "execution_count": 1,
                     "outputs": [{"output_type": "display_data", "metadata": {},
                                  "data": answers_bundle(record, "answers/ch02-metrics.json")}]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "ch02-metrics.ipynb"
    path.write_text(json.dumps(nb))
    out = bana("check", "ch02-metrics", "--answers", str(path), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["score"] == data["max_score"]
    other = bana("check", "ch02-readmission", "--answers", str(path))
    assert other.returncode == 2 and "no saved copy" in other.stderr


def _hostile(exercise, attempts) -> str:
    junk = [None, 3, [1, {}], {"a": [None]}, "x" * 60_000, [None] * 500, True, -1e308, {"": ""}]
    answers = {qid: junk[i % len(junk)] for i, qid in enumerate(exercise.questions)}
    return json.dumps({"schema_version": 1, "exercise_id": exercise.id, "answers": answers,
                       "attempts": attempts})


@pytest.mark.parametrize("exercise_id", [e.id for e in all_exercises()])
def test_hostile_answers_files_get_a_grade_or_a_clean_exit_2(tmp_path, capsys, exercise_id):
    """Every exercise: junk in every answer still grades (exit 0, JSON); a junk attempt log
    is dropped, not a reason to refuse the answers."""
    import json

    from bana_tools.cli.main import main

    exercise = get_exercise(exercise_id)
    for n, attempts in enumerate(([], [{"time": "yesterday", "checks": "all"}, 7], "not a list")):
        path = tmp_path / f"hostile-{n}.json"
        path.write_text(_hostile(exercise, attempts), encoding="utf-8")
        code = main(["check", exercise_id, "--answers", str(path), "--json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        report = json.loads(out)
        assert report["exercise"] == exercise_id and 0 <= report["score"] <= report["max_score"]
        assert "Traceback" not in err
