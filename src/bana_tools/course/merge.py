"""Gradebook operations for parallel grading: sandbox templates and the single-writer merge.

nbgrader's gradebook is SQLite by default (one writer at a time) or a server database such
as PostgreSQL (``c.CourseDirectory.db_url``). Either way parallel grading never lets two
processes write it: each submission is graded in a sandbox with an SQLite gradebook of its
own (a copy of :func:`make_template`); the worker reads the result out of it
(:func:`read_grades`), and the main process alone writes each result into the course
gradebook (:func:`merge_submission`), with the same rules nbgrader's ``SaveAutoGrades``
applies. Everything here goes through nbgrader's ``Gradebook`` and its
SQLAlchemy tables, so it works on any database nbgrader does.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry

#: nbgrader's tables that describe the course and its assignments (no student data).
STRUCTURE_TABLES = ("course", "assignment", "notebook", "base_cell", "source_cell",
                    "grade_cells", "solution_cells", "task_cells")


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def make_template(course_db_url: str, template: Path) -> Path:
    """A new SQLite gradebook with the course's assignments, notebooks and cells, and no
    student at all, copied from the course gradebook at ``course_db_url`` (any database).

    A sandbox starts from this, so a submission's code could at most read the assignment
    structure, never another student's data. The template carries the course gradebook's
    schema version (``alembic_version``), as nbgrader's own gradebooks do; nbgrader works
    it out by running the ``alembic`` command, a second or two, which the copy saves.
    """
    from nbgrader.api import Base
    from sqlalchemy import create_engine, inspect, select, text

    template = Path(template)
    template.unlink(missing_ok=True)
    source = create_engine(course_db_url)
    target = create_engine(sqlite_url(template))
    try:
        versioned = inspect(source).has_table("alembic_version")
        if versioned:
            Base.metadata.create_all(bind=target)  # nbgrader's tables, as Gradebook makes them
        else:
            with Gradebook(sqlite_url(template)):
                pass  # an unversioned course gradebook: nbgrader stamps the template itself
        tables = [t for t in Base.metadata.sorted_tables if t.name in STRUCTURE_TABLES]
        with source.connect() as read, target.begin() as write:
            if versioned:
                versions = [{"v": row[0]} for row in read.execute(
                    text("SELECT version_num FROM alembic_version"))]
                write.execute(text("CREATE TABLE alembic_version "
                                   "(version_num VARCHAR(32) NOT NULL)"))
                if versions:
                    write.execute(text("INSERT INTO alembic_version (version_num) "
                                       "VALUES (:v)"), versions)
            for table in reversed(tables):  # a course row nbgrader made, children first
                write.execute(table.delete())
            for table in tables:  # parents before children
                rows = [dict(r._mapping) for r in read.execute(select(table))]
                if rows:
                    write.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()
    return template


def _by_cell(gb: Gradebook, model: type, notebook_id: str) -> dict[str, Any]:
    """A submitted notebook's grades or comments (``model``), by cell name, in one query."""
    from sqlalchemy.orm import joinedload

    rows = gb.db.query(model).filter(model.notebook_id == notebook_id).options(
        joinedload(model.cell)).all()
    return {row.cell.name: row for row in rows}


@contextmanager
def _quiet_autoflush() -> Iterator[None]:
    """nbgrader's own ``update_or_create_submission`` sets off SQLAlchemy autoflush
    warnings about objects it has not added yet; they are nbgrader's, and harmless."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".* not in session, add operation along")
        yield


@dataclass
class NotebookGrades:
    """What autograding gave one notebook: by cell name, the auto score and whether it
    needs a grader (``grades``), and the auto comment (``comments``)."""

    late_submission_penalty: float | None
    grades: dict[str, tuple[float | None, bool]]
    comments: dict[str, str | None]


@dataclass
class SubmissionGrades:
    """What autograding gave one submission, as plain data (a worker sends it to the
    scheduler, which alone writes the course gradebook)."""

    timestamp: datetime | None
    notebooks: dict[str, NotebookGrades]


def read_grades(src: Gradebook, assignment: str, student: str) -> SubmissionGrades:
    """One autograded submission from the (sandbox) gradebook ``src``: each notebook's
    grades and comments in one query each."""
    from nbgrader.api import Comment, Grade

    sub = src.find_submission(assignment, student)
    return SubmissionGrades(timestamp=sub.timestamp, notebooks={
        nb.notebook.name: NotebookGrades(
            late_submission_penalty=nb.late_submission_penalty,
            grades={name: (g.auto_score, bool(g.needs_manual_grade))
                    for name, g in _by_cell(src, Grade, nb.id).items()},
            comments={name: c.auto_comment for name, c in _by_cell(src, Comment, nb.id).items()},
        ) for nb in sub.notebooks})


def merge_submission(graded: SubmissionGrades, dst: Gradebook, assignment: str,
                     student: str) -> tuple[float, float]:
    """Write one autograded submission (:func:`read_grades`, from its sandbox) into the
    course gradebook ``dst`` (kept open by the caller for the whole batch, so its
    connection and compiled queries are reused).

    The student keeps the names and e-mail the course gradebook has. Auto scores, auto
    comments, review flags, the timestamp and late penalties come from the sandbox, where
    nbgrader's ``SaveAutoGrades`` set them; manual scores and comments already in the
    course gradebook are kept, and a cell with a manual score is flagged for review again,
    as ``nbgrader autograde`` does. Each notebook's grades and comments are read in one
    query each. Returns the merged score and the assignment's maximum.
    """
    from nbgrader.api import Comment, Grade

    with _quiet_autoflush():
        try:
            dst.find_student(student)
        except MissingEntry:
            dst.add_student(student)
        target = dst.update_or_create_submission(assignment, student,
                                                 timestamp=graded.timestamp)
        into = {nb.notebook.name: nb for nb in target.notebooks}
        for name, nb in graded.notebooks.items():
            dnb = into[name]
            dnb.late_submission_penalty = nb.late_submission_penalty
            grades = _by_cell(dst, Grade, dnb.id)
            for cell, (auto_score, needs_manual_grade) in nb.grades.items():
                dgrade = grades[cell]
                dgrade.auto_score = auto_score
                # SaveAutoGrades decided in the sandbox, where no grader has scored the cell;
                # it flags a cell a grader has scored too, and only the course knows that
                dgrade.needs_manual_grade = needs_manual_grade or dgrade.manual_score is not None
            comments = _by_cell(dst, Comment, dnb.id)
            for cell, auto_comment in nb.comments.items():
                comments[cell].auto_comment = auto_comment
        dst.db.commit()
        return float(target.score), float(target.max_score)


def zero_submission(dst: Gradebook, assignment: str, student: str, reason: str) -> float:
    """Record a submission that could not be graded at all: zero points, flagged for
    review, in the open course gradebook ``dst``. Returns the assignment's maximum."""
    try:
        dst.find_student(student)
    except MissingEntry:
        dst.add_student(student)
    with _quiet_autoflush():
        sub = dst.update_or_create_submission(assignment, student)
    for nb in sub.notebooks:
        for grade in nb.grades:
            grade.auto_score = 0.0
            grade.needs_manual_grade = True
        for comment in nb.comments:
            comment.auto_comment = f"Not graded automatically: {reason}"
        nb.flagged = True
    dst.db.commit()
    return float(sub.max_score)
