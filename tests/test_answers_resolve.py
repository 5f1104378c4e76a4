"""One rule for which answers count: the file, else the notebook's newest copy, else none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bana_tools.answers import AnswersFile
from bana_tools.answers.resolve import newest_copy, resolve, write_back

EX = "ch02-metrics"


def record(exercise_id: str = EX, minutes: int = 0, **answers) -> AnswersFile:
    when = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return AnswersFile(exercise_id=exercise_id, answers=answers, created=when, updated=when)


@pytest.fixture
def path(tmp_path):
    (tmp_path / "answers").mkdir()
    return tmp_path / "answers" / f"{EX}.json"


def test_a_usable_file_wins_over_any_copy(path):
    path.write_text(record(north_star="file").to_json())
    resolved = resolve(EX, path, record(minutes=60, north_star="copy"))
    assert resolved.source == "file" and resolved.answers["north_star"] == "file"
    assert resolved.problem is None
    assert write_back(resolved, path) == path


@pytest.mark.parametrize("content", [None, "{broken", record("ch01-case-study").to_json()])
def test_an_unusable_file_gives_way_to_the_copy_and_is_set_aside(path, content):
    if content is not None:
        path.write_text(content)
    resolved = resolve(EX, path, record(north_star="copy"))
    assert resolved.source == "notebook" and resolved.problem
    write_back(resolved, path)
    assert resolve(EX, path).answers["north_star"] == "copy"
    aside = list(path.parent.glob(f"{EX}.corrupt-*.json"))
    assert len(aside) == (0 if content is None else 1)
    if content is not None:
        assert aside[0].read_text() == content  # never deleted, byte for byte


def test_no_file_and_no_copy_of_this_exercise_means_no_answers(path):
    resolved = resolve(EX, path, record("ch01-case-study", north_star="x"))
    assert resolved.source == "none" and resolved.answers == {} and resolved.problem
    assert write_back(resolved, path) is None and not path.exists()


def test_the_newest_copy_of_the_exercise_wins():
    copies = [record(minutes=5, n="old"), record(minutes=30, n="new"),
              record("ch01-case-study", minutes=90, n="other")]
    assert newest_copy(copies, EX).answers["n"] == "new"
    assert newest_copy([], EX) is None
