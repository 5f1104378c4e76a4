"""`bana course grade` and `bana course report` on a PostgreSQL gradebook, with real
nbgrader and a real PostgreSQL server on loopback (the ``postgres`` fixture).

A copy of the session's simulated class is set up the way an instructor with a server
database does it: ``c.CourseDirectory.db_url`` points at PostgreSQL and ``nbgrader
generate_assignment`` records the assignments there. Grading it must give every student
the same grade, cell by cell, as the SQLite course graded for the session; the one writer
is still the main process. A gradebook that cannot be reached is one line and exit 2,
with no password in it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from bana_tools.cli.main import main
from bana_tools.course import layout
from bana_tools.course.merge import sqlite_url
from bana_tools.course.nbgrader_run import nbgrader_env, run_nbgrader

#: The assignments graded on PostgreSQL: the first two hold every kind of cell and answer.
ASSIGNMENTS = list(layout.assignments())[:2]


def _all_grades(db_url: str, assignment: str) -> dict:
    with Gradebook(db_url) as gb:
        out = {}
        for sub in gb.assignment_submissions(assignment):
            out[sub.student.id, "total"] = (sub.score, sub.needs_manual_grade)
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[sub.student.id, nb.name, g.cell.name] = (
                        g.auto_score, g.manual_score, g.needs_manual_grade)
                for c in nb.comments:
                    out[sub.student.id, nb.name, c.cell.name, "comment"] = c.auto_comment
        return out


@pytest.fixture(scope="module")
def pg_course(demo_class, postgres):
    course = demo_class["root"] / "postgres"
    shutil.copytree(demo_class["pristine"], course)
    (course / "gradebook.db").unlink()  # the server database is the only gradebook
    url = postgres.create_database("bana_course")
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write(f'c.CourseDirectory.db_url = "{url}"\n')
    for assignment in ASSIGNMENTS:
        run_nbgrader(course, ["generate_assignment", assignment, "--force"])
    exit_code = main(["course", "grade", *ASSIGNMENTS, "--jobs", "2", "--course", str(course)])
    return {"course": course, "url": url, "exit": exit_code}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_postgres_grades_equal_sqlite_grades_cell_by_cell(pg_course, demo_class, assignment):
    theirs = _all_grades(sqlite_url(demo_class["course"] / "gradebook.db"), assignment)
    ours = _all_grades(pg_course["url"], assignment)
    assert pg_course["exit"] == 0
    assert not (pg_course["course"] / "gradebook.db").exists()  # nothing fell back to SQLite
    students = {k[0] for k in ours}
    assert len(students) == len({s.student for (a, _), s in demo_class["subs"].items()
                                 if a == assignment})
    assert ours == theirs


def test_report_reads_the_postgres_gradebook(pg_course):
    assignment = ASSIGNMENTS[0]
    assert main(["course", "report", assignment, "--course", str(pg_course["course"])]) == 0
    page = (pg_course["course"] / "reports" / assignment / "report.html").read_text(encoding="utf-8")
    with Gradebook(pg_course["url"]) as gb:
        n = len(gb.assignment_submissions(assignment))
    assert n > 0 and f"{n} submission" in page


def test_an_unreachable_gradebook_is_one_line_without_the_password(demo_class, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(demo_class["pristine"], course)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write('c.CourseDirectory.db_url = "postgresql://grader:s3cret@127.0.0.1:1/none"\n')
    for command in (["grade", ASSIGNMENTS[0]], ["report", ASSIGNMENTS[0]]):
        proc = subprocess.run([sys.executable, "-m", "bana_tools", "course", *command,
                               "--course", str(course)],
                              capture_output=True, text=True, env=nbgrader_env(), timeout=120)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "cannot open the gradebook" in lines[0], proc.stderr
        assert "s3cret" not in proc.stderr + proc.stdout and "Traceback" not in proc.stderr
