"""What `bana course grade` does once before grading: the sandbox template (no `alembic`
command), grading processes without jsonschema's IRI parser, and workers that start at
once and come ready for the assignments they grade."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from nbgrader.api import Gradebook

from bana_tools.course import layout
from bana_tools.course.demo import make_demo
from bana_tools.course.merge import make_template, sqlite_url
from bana_tools.course.parallel import worker_pool
from bana_tools.exercises import get_exercise


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("startup") / "course"
    make_demo(root, students=2, seed=3, assignments=["ch02"], profiles=["complete", "partial"])
    return root


def test_template_takes_the_course_schema_version_without_the_alembic_command(
        course, tmp_path, monkeypatch):
    import nbgrader.api

    def no_alembic():
        raise AssertionError("the alembic command ran")

    monkeypatch.setattr(nbgrader.api, "get_alembic_version", no_alembic)
    template = make_template(sqlite_url(course / "gradebook.db"), tmp_path / "template.db")
    with Gradebook(sqlite_url(template)) as gb:  # nbgrader takes it as one of its own
        assert gb.find_assignment("ch02").notebooks
    query = "select version_num from alembic_version"
    with sqlite3.connect(template) as new, sqlite3.connect(course / "gradebook.db") as old:
        assert new.execute(query).fetchall() == old.execute(query).fetchall() != []


def test_grading_processes_skip_the_iri_parser_and_still_validate_notebooks():
    script = textwrap.dedent("""
        import json, sys
        from bana_tools.course.startup import skip_unused_imports
        skipped = skip_unused_imports()
        import nbformat
        good = nbformat.v4.new_notebook()
        nbformat.validate(good)
        bad = nbformat.v4.new_notebook()
        bad.cells.append({"cell_type": "code", "source": "1"})  # no outputs, no metadata
        try:
            nbformat.validate(bad)
            caught = False
        except nbformat.ValidationError:
            caught = True
        print(json.dumps({"skipped": skipped, "caught": caught,
                          "loaded": sys.modules.get("rfc3987_syntax") is not None,
                          "again": skip_unused_imports()}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == {"skipped": ["rfc3987_syntax"], "caught": True,
                               "loaded": False, "again": []}


def _in_worker(pool, expression: str):
    return pool.submit(eval, expression).result(timeout=120)


def test_workers_start_at_once_and_come_ready_for_their_assignments(course):
    before = set(multiprocessing.active_children())
    with worker_pool(course, 2, assignments=["ch02"]) as pool:
        # both started by worker_pool itself, before any submission is queued
        assert len(set(multiprocessing.active_children()) - before) == 2
        assert _in_worker(pool, "__import__('sys').modules.get('rfc3987_syntax', 'absent')") is None
        assert _in_worker(pool, "'nbgrader.converters' in __import__('sys').modules")
        shared = [e for e in map(get_exercise, layout.assignments()["ch02"])
                  if e.scenario is not None and not e.scenario.per_student]
        assert shared, "ch02 has a shared data scenario to prepare"
        solved = _in_worker(pool, "__import__('bana_tools.scenarios').scenarios"
                                  "._solve.cache_info().currsize")
        assert solved >= len(shared)
