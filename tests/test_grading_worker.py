"""The grading worker: what `bana course grade` does once before grading (the sandbox
template without the `alembic` command, no jsonschema IRI parser, workers that start at
once and come ready for their assignments), and a worker's sandbox, which holds one
submission at a time and goes when the worker ends."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from bana_tools.course import layout
from bana_tools.course.demo import make_demo
from bana_tools.course.merge import make_template, sqlite_url
from bana_tools.course.parallel import worker_pool
from bana_tools.course.sandbox import grade_in_sandbox
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


_WORKER = "__import__('bana_tools.course.sandbox', fromlist=['_WORKER'])._WORKER"


def test_a_worker_grades_one_submission_at_a_time_in_its_own_sandbox(course, tmp_path):
    template = make_template(sqlite_url(course / "gradebook.db"), tmp_path / "template.db")
    with worker_pool(course, 1, assignments=["ch02"]) as pool:
        results = {s: pool.submit(grade_in_sandbox, str(course), "ch02", s, str(template)).result()
                   for s in ("s001", "s002")}  # complete, then partial, in the same worker
        sandbox = Path(_in_worker(pool, f"{_WORKER}['sandbox']"))
        # the second submission's sandbox holds nothing of the first
        assert [p.name for p in (sandbox / "submitted").iterdir()] == ["s002"]
        # every open of the sandbox gradebook, in both submissions, used one engine
        assert _in_worker(pool, f"len({_WORKER}['engines'])") == 1
    assert not sandbox.exists()  # removed when the worker ended

    notebooks = {f"{e}.ipynb" for e in layout.assignments()["ch02"]}
    for result in results.values():
        assert result["ok"], result["problems"]
        graded = Path(result["graded"])
        assert graded.is_dir() and not graded.is_relative_to(sandbox)
        assert {p.name for p in graded.glob("*.ipynb")} == notebooks
        assert set(result["grades"].notebooks) == {n.removesuffix(".ipynb") for n in notebooks}

    def total(result):
        return sum(score or 0 for nb in result["grades"].notebooks.values()
                   for score, _ in nb.grades.values())

    assert total(results["s001"]) > total(results["s002"])  # each graded on its own answers


def test_a_scenario_that_fails_to_prepare_does_not_stop_the_worker():
    # in a process of its own: warming a worker makes the process's IPython shell
    script = textwrap.dedent("""
        import json
        from bana_tools import scenarios
        from bana_tools.course.startup import warm_worker
        tried = []
        def broken(exercise):
            tried.append(exercise.id)
            raise RuntimeError("scenario broke")
        scenarios.prepare = broken
        warm_worker(["ch02"])  # no exception: the checks concerned fail when they run
        print(json.dumps(tried))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == list(layout.assignments()["ch02"])
