"""The answer store: atomic saves, backups, quarantine, merging writers, crash safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bana_tools.answers import (
    ANSWERS_MIME,
    AnswersError,
    AnswersFile,
    AnswerStore,
    answers_bundle,
    answers_path,
    read_answers_file,
    restore_answers_from_notebook,
)
from bana_tools.course.answers_sim import example_answers
from bana_tools.exercises import get_exercise
from bana_tools.exercises.schema import LONG_TEXT_MAX_CHARS

EX = "ch02-readmission"


@pytest.fixture
def store(tmp_path) -> AnswerStore:
    return AnswerStore.beside(get_exercise(EX), tmp_path)


def test_path_is_answers_folder_beside_the_notebook(tmp_path):
    assert answers_path(EX, tmp_path) == tmp_path / "answers" / f"{EX}.json"


def test_first_load_is_empty_and_creates_nothing(store):
    result = store.load()
    assert result.answers == get_exercise(EX).empty_answers()
    assert result.notices == [] and result.updated is None
    assert not store.path.parent.exists()


def test_save_then_load_round_trips_every_field(store):
    answers = example_answers(EX)
    store.save(answers)
    data = json.loads(store.path.read_text())
    assert data["schema_version"] == 1 and data["exercise_id"] == EX
    assert {"created", "updated"} <= set(data)
    loaded = store.load()
    cleaned, _ = get_exercise(EX).clean_answers(answers)
    assert loaded.answers == cleaned
    assert loaded.notices == []


def test_previous_version_is_kept_as_backup(store):
    store.save({"value": "first"})
    store.save({"value": "second"})
    backup = json.loads(store.backup_path.read_text())
    assert backup["answers"]["value"] == "first"
    assert json.loads(store.path.read_text())["answers"]["value"] == "second"
    # created survives later saves; updated moves on
    assert backup["created"] == json.loads(store.path.read_text())["created"]


def test_no_temporary_files_left_behind(store):
    for i in range(5):
        store.save({"value": f"v{i}"})
    leftovers = [p.name for p in store.path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{not json", "could not be read"),
        ('{"schema_version": 1, "exercise_id": "ch01-case-study", "answers": {}}', "ch01-case-study"),
        ('{"schema_version": 99, "exercise_id": "ch02-readmission", "answers": {}}', "could not be read"),
        ("", "could not be read"),
    ],
)
def test_unusable_file_is_moved_aside_and_backup_used(store, content, reason):
    store.save({"value": "from backup"})
    store.save({"value": "latest good"})
    store.path.write_text(content)
    result = store.load()
    quarantined = list(store.path.parent.glob(f"{EX}.corrupt-*.json"))
    assert len(quarantined) == 1
    assert quarantined[0].read_text() == content  # preserved byte for byte
    assert result.answers["value"] == "from backup"
    assert len(result.notices) == 1 and reason in result.notices[0]
    assert quarantined[0].name in result.notices[0]
    # the next save writes a fresh valid file and never touches the quarantined one
    store.save({"assumptions": ["new"]})
    saved = read_answers_file(store.path, EX)
    assert saved.answers["value"] == "from backup" and saved.answers["assumptions"] == ["new"]
    assert quarantined[0].read_text() == content


@pytest.mark.parametrize("damage", ["corrupt", "deleted"])
def test_answers_file_is_restored_from_the_backup_on_load(store, damage):
    # The form shows the backup's answers at once; the file a hand-in, `bana check` and
    # grading read must hold them too, before the student types anything else.
    store.save({"value": "from backup"})
    store.save({"value": "latest good"})
    if damage == "corrupt":
        store.path.write_text("GARBAGE {{{")
    else:
        store.path.unlink()
    result = store.load()
    assert result.answers["value"] == "from backup"
    assert read_answers_file(store.path, EX).answers["value"] == "from backup"
    assert read_answers_file(store.backup_path, EX).answers["value"] == "from backup"


def test_corrupt_file_without_backup_starts_empty_with_a_notice(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text("garbage")
    result = store.load()
    assert result.answers["value"] == ""
    assert "No backup" in result.notices[0]
    assert store.path.exists() is False


def test_save_over_corrupt_file_never_overwrites_it(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text("precious but broken")
    store.save({"value": "typed"})
    kept = list(store.path.parent.glob("*.corrupt-*.json"))
    assert [k.read_text() for k in kept] == ["precious but broken"]
    assert read_answers_file(store.path, EX).answers["value"] == "typed"


def test_writers_merge_field_level_changes(tmp_path):
    exercise = get_exercise(EX)
    first = AnswerStore.beside(exercise, tmp_path)
    second = AnswerStore.beside(exercise, tmp_path)
    first.save({"value": "from form one"})
    second.save({"why_iterative": "from form two"})
    first.save({"change_example": "one again"})
    answers = read_answers_file(first.path, EX).answers
    assert answers["value"] == "from form one"
    assert answers["why_iterative"] == "from form two"
    assert answers["change_example"] == "one again"


def test_text_limits_cut_with_a_notice_never_raise(store):
    huge = "x" * (LONG_TEXT_MAX_CHARS + 5000)
    result = store.save({"value": huge, "assumptions": ["y" * 5000] * 500, "verdict": 42})
    assert any("20,000 characters" in n for n in result.notices)
    saved = read_answers_file(store.path, EX).answers
    assert len(saved["value"]) == LONG_TEXT_MAX_CHARS
    assert len(saved["assumptions"]) == get_exercise(EX).question("assumptions").max_items
    assert saved["verdict"] == ""


def test_unknown_fields_are_not_written(store):
    store.save({"not_a_question": "x", "value": "ok"})
    assert "not_a_question" not in read_answers_file(store.path, EX).answers


def test_read_answers_file_reports_one_line_errors(tmp_path):
    with pytest.raises(AnswersError, match="no answers file"):
        read_answers_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    with pytest.raises(AnswersError, match="not a valid answers file") as info:
        read_answers_file(bad)
    assert "\n" not in str(info.value)
    other = tmp_path / "other.json"
    other.write_text(AnswersFile(exercise_id="ch01-case-study").to_json())
    with pytest.raises(AnswersError, match="not 'ch02-readmission'"):
        read_answers_file(other, EX)


def _notebook_with(*records: AnswersFile) -> dict:
    outputs = [
        {"output_type": "display_data", "metadata": {}, "data": answers_bundle(r, "answers/x.json")}
        for r in records
    ]
    return {
        "cells": [{"cell_type": "code", "id": "form", "metadata": {}, "source": "",
                   "execution_count": 1, "outputs": outputs}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }


def test_restore_answers_from_notebook_copy(tmp_path):
    old = AnswersFile(exercise_id=EX, answers={"value": "older"})
    time.sleep(0.01)
    new = AnswersFile(exercise_id=EX, answers={"value": "newest"})
    nb = tmp_path / "ch02-readmission.ipynb"
    nb.write_text(json.dumps(_notebook_with(new, old)))
    path = restore_answers_from_notebook(nb, tmp_path / "answers")
    assert path == tmp_path / "answers" / f"{EX}.json"
    assert read_answers_file(path, EX).answers["value"] == "newest"
    # an existing readable file is the source of truth and is left alone
    AnswerStore.beside(get_exercise(EX), tmp_path).save({"value": "file wins"})
    restore_answers_from_notebook(nb, tmp_path / "answers")
    assert read_answers_file(path, EX).answers["value"] == "file wins"


def test_restore_ignores_other_exercises_and_garbage(tmp_path):
    nb = tmp_path / "n.ipynb"
    data = _notebook_with(AnswersFile(exercise_id="ch01-case-study"))
    data["cells"][0]["outputs"].append(
        {"output_type": "display_data", "metadata": {}, "data": {ANSWERS_MIME: {"bad": 1}}})
    nb.write_text(json.dumps(data))
    assert restore_answers_from_notebook(nb, tmp_path / "answers", exercise_id=EX) is None
    assert not (tmp_path / "answers").exists()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from bana_tools.answers import AnswerStore
    from bana_tools.exercises import get_exercise

    folder, field, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = AnswerStore.beside(get_exercise("ch02-readmission"), folder)
    i = 0
    while count < 0 or i < count:
        store.save({field: f"{field} {i} " + "words " * (i % 400)})
        i += 1
    print("done", flush=True)
    """
)


def test_two_processes_writing_at_once_keep_both_fields(tmp_path):
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), field, "60"])
        for field in ("value", "why_iterative")
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    answers = read_answers_file(answers_path(EX, tmp_path), EX).answers
    assert answers["value"].startswith("value 59 ")
    assert answers["why_iterative"].startswith("why_iterative 59 ")


def test_sigkill_during_a_save_loop_leaves_a_valid_file(tmp_path):
    path = answers_path(EX, tmp_path)
    for delay in (0.35, 0.6, 0.9):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "value", "-1"])
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        record = read_answers_file(path, EX)  # raises if torn or invalid
        assert record.answers["value"].startswith("value ")
        if path.with_name(path.name + ".bak").exists():
            read_answers_file(path.with_name(path.name + ".bak"), EX)
        result = AnswerStore.beside(get_exercise(EX), tmp_path).load()
        assert result.notices == []


def test_answers_file_model_rejects_wrong_types():
    with pytest.raises(ValueError):
        AnswersFile.model_validate({"schema_version": 1, "exercise_id": "", "answers": {}})
    with pytest.raises(ValueError):
        AnswersFile.model_validate({"schema_version": 1, "exercise_id": "x", "answers": []})


def test_answers_file_is_plain_readable_json(store: AnswerStore):
    store.save({"value": "<b>&</b>"})
    text = Path(store.path).read_text()
    assert text.endswith("\n") and json.loads(text)["answers"]["value"] == "<b>&</b>"


def test_folder_that_cannot_be_locked_still_loads_read_only(store):
    store.save({"value": "still readable"})
    store.lock_path.unlink(missing_ok=True)
    store.lock_path.mkdir()  # opening the lock now fails, as on a read-only share
    result = store.load()
    assert result.answers["value"] == "still readable"
    assert len(result.notices) == 1 and "cannot be written" in result.notices[0]
    with pytest.raises(OSError):
        store.save({"value": "x"})
    assert read_answers_file(store.path, EX).answers["value"] == "still readable"


def test_temp_files_left_by_a_killed_writer_are_cleaned_up(store):
    store.save({"value": "one"})
    stale = store.path.parent / f".{store.path.name}.12345.abcd.tmp"
    fresh = store.path.parent / f".{store.path.name}.12346.abce.tmp"
    stale.write_text("half a file")
    fresh.write_text("a writer still busy")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    store.save({"value": "two"})
    assert not stale.exists() and fresh.exists()
