"""A grading sandbox's SQLite gradebook does not wait for the disk; the course's does."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from bana_tools.course.sandbox import SANDBOX_PREFIX, disposable_sqlite


def _pragmas(path: Path) -> tuple[int, str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as con:
            return (con.execute(text("PRAGMA synchronous")).scalar(),
                    con.execute(text("PRAGMA journal_mode")).scalar())
    finally:
        engine.dispose()


def test_only_sandbox_gradebooks_skip_the_wait_for_the_disk(tmp_path):
    sandbox = Path(tempfile.mkdtemp(prefix=SANDBOX_PREFIX, dir=tmp_path))
    course = tmp_path / "course"
    course.mkdir()
    event.listen(Engine, "connect", disposable_sqlite)
    try:
        assert _pragmas(sandbox / "gradebook.db") == (0, "memory")  # OFF: thrown away after the merge
        assert _pragmas(course / "gradebook.db") == (2, "delete")  # FULL, SQLite's default
    finally:
        event.remove(Engine, "connect", disposable_sqlite)
    assert _pragmas(sandbox / "other.db") == (2, "delete")  # the hook was what changed it


def test_the_hook_ignores_other_databases():
    class NotSqlite:
        def execute(self, *args):  # would fail the test if called
            raise AssertionError("the hook ran a statement on a non-SQLite connection")

    disposable_sqlite(NotSqlite())
