"""Gradebook operations for parallel grading: sandbox templates and the single-writer merge.

nbgrader's gradebook is SQLite by default (one writer at a time) or a server database such
as PostgreSQL (``c.CourseDirectory.db_url``). Either way parallel grading never lets two
processes write it: each submission is graded in a sandbox with an SQLite gradebook of its
own (a copy of :func:`make_template`), and the main process alone copies each result into
the course gradebook (:func:`merge_submission`), with the same rules nbgrader's
``SaveAutoGrades`` applies. Everything here goes through nbgrader's ``Gradebook`` and its
SQLAlchemy tables, so it works on any database nbgrader does.
"""

from __future__ import annotations

import warnings
from pathlib import Path

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
    structure, never another student's data.
    """
    from nbgrader.api import Base
    from sqlalchemy import create_engine, select

    template = Path(template)
    template.unlink(missing_ok=True)
    with Gradebook(sqlite_url(template)):
        pass  # nbgrader creates its tables and stamps its schema version
    source = create_engine(course_db_url)
    target = create_engine(sqlite_url(template))
    try:
        tables = [t for t in Base.metadata.sorted_tables if t.name in STRUCTURE_TABLES]
        with source.connect() as read, target.begin() as write:
            for table in reversed(tables):  # the course row nbgrader made, children first
                write.execute(table.delete())
            for table in tables:  # parents before children
                rows = [dict(r._mapping) for r in read.execute(select(table))]
                if rows:
                    write.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()
    return template


def merge_submission(src_url: str, dst_url: str, assignment: str, student: str) -> float:
    """Copy one autograded submission from a sandbox gradebook into the course gradebook.

    The student keeps the names and e-mail the course gradebook has. Auto scores, auto
    comments, the timestamp and late penalties come from the sandbox; manual scores and
    comments already in the course gradebook are kept, and a cell with a manual score is
    flagged for review again, as ``nbgrader autograde`` does. Returns the merged score.
    """
    with warnings.catch_warnings(), Gradebook(src_url) as src, Gradebook(dst_url) as dst:
        # nbgrader's own update_or_create_submission triggers SQLAlchemy autoflush notices
        warnings.simplefilter("ignore")
        sub = src.find_submission(assignment, student)
        try:
            dst.find_student(student)
        except MissingEntry:
            dst.add_student(student)
        target = dst.update_or_create_submission(assignment, student, timestamp=sub.timestamp)
        for nb in sub.notebooks:
            dnb = dst.find_submission_notebook(nb.notebook.name, assignment, student)
            dnb.late_submission_penalty = nb.late_submission_penalty
            for grade in nb.grades:
                dgrade = dst.find_grade(grade.cell.name, nb.notebook.name, assignment, student)
                dgrade.auto_score = grade.auto_score
                dgrade.needs_manual_grade = (
                    dgrade.manual_score is not None or grade.auto_score is None
                )
            for comment in nb.comments:
                dcomment = dst.find_comment(comment.cell.name, nb.notebook.name, assignment, student)
                dcomment.auto_comment = comment.auto_comment
        dst.db.commit()
        return float(target.score)


def zero_submission(dst_url: str, assignment: str, student: str, reason: str) -> None:
    """Record a submission that could not be graded at all: zero points, flagged for review."""
    with Gradebook(dst_url) as dst:
        try:
            dst.find_student(student)
        except MissingEntry:
            dst.add_student(student)
        sub = dst.update_or_create_submission(assignment, student)
        for nb in sub.notebooks:
            for grade in nb.grades:
                grade.auto_score = 0.0
                grade.needs_manual_grade = True
            for comment in nb.comments:
                comment.auto_comment = f"Not graded automatically: {reason}"
            nb.flagged = True
        dst.db.commit()
