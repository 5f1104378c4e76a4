"""The grading worker: one submission autograded by nbgrader's own ``Autograde`` converter
in a sandbox folder (that submission, the assignment's source notebooks and a gradebook
without any student), with the course's configuration.

:func:`init_worker` prepares a worker process once: configuration loaded, kernels' chatter
sent to a log file, sandbox gradebooks told not to wait for the disk
(:func:`disposable_sqlite`), one SQLAlchemy engine per gradebook for nbgrader
(:func:`one_engine_per_gradebook`), and the worker's own sandbox folder, emptied before
each submission. :func:`grade_in_sandbox` grades one submission, reads its grades out of the
sandbox gradebook and moves its ``autograded/`` folder out of the sandbox, for the scheduler
(:mod:`bana_tools.course.parallel`) to merge. A notebook that cannot be read is replaced
in the sandbox by the released one (:func:`replace_unreadable_notebooks`), so the answers
file is still graded.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from bana_tools.course.coursedir import load_course_config
from bana_tools.course.layout import NOTES_METADATA_KEY

_WORKER: dict[str, Any] = {}

#: Prefix of a sandbox folder (under the system temp dir).
SANDBOX_PREFIX = "bana-grade-"


def disposable_sqlite(dbapi_connection: Any, _record: Any = None) -> None:
    """SQLAlchemy ``connect`` hook: a sandbox's gradebook is thrown away once its grades are
    merged, so SQLite need not wait for the disk at each commit. nbgrader commits once per
    graded cell (about 80 times for a ch02 submission), and each of those commits waited for
    the disk (about 5 ms here). Other databases, and SQLite files outside a sandbox (the
    course gradebook), are left as they are."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    row = dbapi_connection.execute("PRAGMA database_list").fetchone()
    if row and row[2] and Path(row[2]).parent.name.startswith(SANDBOX_PREFIX):
        dbapi_connection.execute("PRAGMA synchronous = OFF")
        dbapi_connection.execute("PRAGMA journal_mode = MEMORY")


def init_worker(course: str, stderr_log: str, assignments: Sequence[str] = ()) -> None:
    """Prepare a worker process once: the course's configuration, stderr to ``stderr_log``,
    and what grading ``assignments`` needs, loaded (:mod:`bana_tools.course.startup`)."""
    from bana_tools.course.nbgrader_run import ensure_bin_on_path
    from bana_tools.course.startup import skip_unused_imports, warm_worker

    skip_unused_imports()
    ensure_bin_on_path()
    # kernels inherit this process's stderr; keep their chatter out of the progress bar
    fd = os.open(stderr_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    _WORKER["config"] = load_course_config(Path(course))
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", disposable_sqlite):
        event.listen(Engine, "connect", disposable_sqlite)
    one_engine_per_gradebook()
    sandbox = tempfile.mkdtemp(prefix=SANDBOX_PREFIX)
    _WORKER["sandbox"] = sandbox
    # a worker ends through multiprocessing, which runs its finalizers (not atexit's)
    Finalize(None, shutil.rmtree, args=(sandbox,), kwargs={"ignore_errors": True},
             exitpriority=10)
    warm_worker(assignments)


def one_engine_per_gradebook() -> None:
    """Give nbgrader one SQLAlchemy engine per database URL in this process.

    nbgrader's ``Gradebook`` makes a new engine each time it is opened, about twenty times
    per submission, and SQLAlchemy keeps its compiled queries per engine, so every query
    was compiled again each time. A worker's sandbox gradebook always has the same path,
    so with one engine per URL the queries compile once per worker, which takes about a
    fifth off each submission's time. Closing a ``Gradebook`` still closes the engine's
    connections, and :func:`grade_in_sandbox` closes them all again before each
    submission, so no connection outlives the sandbox it was opened on. For grading
    workers only: ``nbgrader.api.create_engine`` is replaced in this process.
    """
    import nbgrader.api
    from sqlalchemy import create_engine

    if "engines" in _WORKER:
        return
    engines: dict[tuple[str, str], Any] = {}
    _WORKER["engines"] = engines

    def engine_for(url: Any, **kwargs: Any) -> Any:
        key = (str(url), repr(sorted(kwargs.items())))
        if key not in engines:
            engines[key] = create_engine(url, **kwargs)
        return engines[key]

    nbgrader.api.create_engine = engine_for


def _fresh_sandbox() -> Path:
    """This worker's sandbox folder, emptied (made for this submission if there is none)."""
    folder = _WORKER.get("sandbox")
    if folder is None:  # grading outside a worker: a folder of its own each time
        return Path(tempfile.mkdtemp(prefix=SANDBOX_PREFIX))
    for engine in _WORKER.get("engines", {}).values():
        engine.dispose()  # no connection to the last submission's gradebook survives
    shutil.rmtree(folder, ignore_errors=True)
    Path(folder).mkdir()
    return Path(folder)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip().splitlines()
        if message and message[0].startswith("Attribute 'checksum' for cell hidden-"):
            return  # nbgrader notes this for every hidden test cell: expected, not a problem
        if message:
            self.lines.append(f"{record.levelname}: {message[0][:300]}")


def replace_unreadable_notebooks(folder: Path, release: Path) -> list[str]:
    """Swap each notebook of ``folder`` that nbformat cannot read for its release version.

    The answers file is what gets graded, so a notebook damaged on the way (truncated
    upload, an editor that wrote something else) need not cost the student the grade. The
    damaged file is kept beside it as ``<name>.unreadable``; a note in the notebook metadata
    makes the grading note at the top say what happened. Returns the names replaced.
    """
    import json

    import nbformat

    replaced = []
    for nb_path in sorted(folder.glob("*.ipynb")):
        try:  # parse and validate once (nbformat.read would validate a second time)
            nbformat.validate(json.loads(nb_path.read_text(encoding="utf-8")))
            continue
        except Exception:  # noqa: BLE001 - any reason it cannot be read
            pass
        original = release / nb_path.name
        if not original.exists():
            continue
        nb_path.replace(nb_path.with_name(nb_path.name + ".unreadable"))
        nb = json.loads(original.read_text(encoding="utf-8"))
        nb.setdefault("metadata", {})[NOTES_METADATA_KEY] = [
            "The submitted notebook could not be read, so the released notebook was used in its "
            "place; the answers were graded from the answers file."
        ]
        nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        replaced.append(nb_path.name)
    return replaced


def grade_in_sandbox(course: str, assignment: str, student: str, template: str) -> dict[str, Any]:
    """Worker: autograde one submission in the worker's sandbox; return what happened.

    The result has ``student``, ``ok``, ``seconds``, ``problems`` (warning and error
    lines), ``grades`` (:class:`~bana_tools.course.merge.SubmissionGrades`, or ``None``)
    and ``graded``: a folder of its own holding the autograded notebooks, which the
    scheduler moves into the course (``None`` if there are none).
    """
    from copy import deepcopy

    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde, NbGraderException
    from nbgrader.coursedir import CourseDirectory

    from bana_tools.course.merge import read_grades, sqlite_url

    started = time.perf_counter()
    root = Path(course)
    sandbox = _fresh_sandbox()
    shutil.copytree(root / "source" / assignment, sandbox / "source" / assignment)
    shutil.copytree(root / "submitted" / student / assignment,
                    sandbox / "submitted" / student / assignment)
    shutil.copyfile(template, sandbox / "gradebook.db")
    replaced = replace_unreadable_notebooks(sandbox / "submitted" / student / assignment,
                                            root / "release" / assignment)
    config = deepcopy(_WORKER.get("config") or load_course_config(root))
    config.CourseDirectory.root = str(sandbox)
    config.CourseDirectory.db_url = sqlite_url(sandbox / "gradebook.db")
    config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.student_id = student
    config.CourseDirectory.notebook_id = "*"
    log = logging.getLogger(f"bana.grade.{os.getpid()}")
    log.propagate = False
    log.setLevel(logging.INFO)
    collect = _Collect()
    collect.lines += [f"WARNING: unreadable notebook replaced by the release: {n}" for n in replaced]
    log.handlers = [collect]
    ok, grades, graded = True, None, None
    try:
        coursedir = CourseDirectory(config=config)
        converter = Autograde(coursedir=coursedir, config=config)
        converter.log = log
        converter.start()
        notebooks = sandbox / "autograded" / student / assignment
        if notebooks.is_dir():
            with Gradebook(config.CourseDirectory.db_url) as gb:
                grades = read_grades(gb, assignment, student)
            graded = Path(tempfile.mkdtemp(prefix="bana-graded-"))
            shutil.move(notebooks, graded / assignment)
    except NbGraderException:
        ok = False
    except Exception as exc:  # noqa: BLE001 - one submission must not stop the batch
        ok = False
        collect.lines.append(f"ERROR: {type(exc).__name__}: {exc}")
    finally:
        if "sandbox" not in _WORKER:
            shutil.rmtree(sandbox, ignore_errors=True)
    return {"student": student, "ok": ok and grades is not None, "grades": grades,
            "graded": str(graded / assignment) if graded else None,
            "seconds": time.perf_counter() - started, "problems": collect.lines}
