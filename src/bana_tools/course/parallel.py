"""Parallel autograding: one sandbox per submission, one writer for the gradebook.

``bana course grade ASSIGNMENT --jobs N`` runs nbgrader's own ``Autograde`` converter, with
the course's ``nbgrader_config.py``, for each submission in a sandbox folder outside the
course (a temporary directory holding only that submission, the assignment's source
notebooks and a gradebook without any student in it). N worker processes grade at
once; the main process merges each finished sandbox into the course gradebook
(:mod:`bana_tools.course.merge`), copies its ``autograded/`` folder into the course, and
writes one line per submission to ``logs/grade-<assignment>-<time>.csv``. Because every
sandbox holds one submission, no student's code can see another student's work, and no
student's score can depend on another's.

The grades are those ``nbgrader autograde ASSIGNMENT`` gives (a test compares them):
the converter, its configuration and its preprocessors are the same; only the folders
differ. One addition: a submitted notebook that cannot be read at all (where
``nbgrader autograde`` stops with an error for that student) is replaced, in the sandbox
only, by the released notebook, so the student's answers file is still graded.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bana_tools.course.layout import NOTES_METADATA_KEY

_WORKER: dict[str, Any] = {}


@dataclass
class Outcome:
    """What grading one submission gave."""

    student: str
    status: str  # "graded" | "failed"
    seconds: float
    score: float = 0.0
    max_score: float = 0.0
    problems: list[str] = field(default_factory=list)


@dataclass
class GradeRun:
    """The result of ``bana course grade``."""

    assignment: str
    jobs: int
    seconds: float
    outcomes: list[Outcome]
    log_path: Path | None

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "graded"]


def load_course_config(course: Path) -> Any:
    """The configuration ``nbgrader`` would use in ``course`` (its config files, merged)."""
    from nbgrader.apps.baseapp import NbGrader

    here = os.getcwd()
    os.chdir(course)
    try:
        app = NbGrader()
        app.load_config_file()
        return app.config
    finally:
        os.chdir(here)


def course_db_url(course: Path, config: Any) -> str:
    """The course gradebook's database URL: ``c.CourseDirectory.db_url`` if set (SQLite,
    PostgreSQL or any database nbgrader supports), else ``gradebook.db`` in the course.

    A relative SQLite path is taken from the course folder, as nbgrader (run there) does.
    Raises ``NbgraderFailed`` (one line) for an SQLite gradebook that does not exist, or a
    server that cannot be reached or has no gradebook.
    """
    from nbgrader.api import Gradebook

    from bana_tools.course.merge import sqlite_url
    from bana_tools.course.nbgrader_run import NbgraderFailed

    url = config.CourseDirectory.get("db_url", "") if "CourseDirectory" in config else ""
    if not url or url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):]) if url else Path("gradebook.db")
        path = path if path.is_absolute() else course / path
        if not path.exists():
            raise NbgraderFailed(f"no gradebook at {path}; run 'nbgrader generate_assignment' first")
        return sqlite_url(path)
    try:
        with Gradebook(url) as gb:
            gb.assignments  # noqa: B018 - one query: is the server there, with nbgrader's tables?
    except Exception as exc:  # noqa: BLE001 - any driver's error, told in one line
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NbgraderFailed(f"cannot open the gradebook at {_safe_url(url)}: {reason}") from None
    return url


def _safe_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can parse: say so as given
        return url.split("@")[-1]


def submitted_students(course: Path, assignment: str) -> list[str]:
    """Students with a submission of ``assignment`` in ``course/submitted``."""
    base = course / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def _init_worker(course: str, stderr_log: str) -> None:
    from bana_tools.course.nbgrader_run import ensure_bin_on_path

    ensure_bin_on_path()
    # kernels inherit this process's stderr; keep their chatter out of the progress bar
    fd = os.open(stderr_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    _WORKER["config"] = load_course_config(Path(course))


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


NOTES_KEY = NOTES_METADATA_KEY


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
        nb.setdefault("metadata", {})[NOTES_KEY] = [
            "The submitted notebook could not be read, so the released notebook was used in its "
            "place; the answers were graded from the answers file."
        ]
        nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        replaced.append(nb_path.name)
    return replaced


def grade_in_sandbox(course: str, assignment: str, student: str, template: str) -> dict[str, Any]:
    """Worker: autograde one submission in a fresh sandbox; return what happened."""
    from copy import deepcopy

    from nbgrader.converters import Autograde, NbGraderException
    from nbgrader.coursedir import CourseDirectory

    from bana_tools.course.merge import sqlite_url

    started = time.perf_counter()
    root = Path(course)
    sandbox = Path(tempfile.mkdtemp(prefix="bana-grade-"))
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
    ok = True
    try:
        coursedir = CourseDirectory(config=config)
        converter = Autograde(coursedir=coursedir, config=config)
        converter.log = log
        converter.start()
    except NbGraderException:
        ok = False
    except Exception as exc:  # noqa: BLE001 - one submission must not stop the batch
        ok = False
        collect.lines.append(f"ERROR: {type(exc).__name__}: {exc}")
    return {"student": student, "sandbox": str(sandbox), "ok": ok,
            "seconds": time.perf_counter() - started, "problems": collect.lines}


def _finish(result: dict[str, Any], course: Path, assignment: str, db_url: str) -> Outcome:
    """Main process: merge one sandbox into the course, copy its autograded folder."""
    from nbgrader.api import Gradebook

    from bana_tools.course.merge import merge_submission, sqlite_url, zero_submission

    student = result["student"]
    sandbox = Path(result["sandbox"])
    outcome = Outcome(student=student, status="graded" if result["ok"] else "failed",
                      seconds=result["seconds"], problems=list(result["problems"]))
    graded = sandbox / "autograded" / student / assignment
    try:
        if result["ok"] and graded.is_dir():
            outcome.score = merge_submission(sqlite_url(sandbox / "gradebook.db"), db_url,
                                             assignment, student)
            target = course / "autograded" / student / assignment
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(graded, target)
        else:
            outcome.status = "failed"
            zero_submission(db_url, assignment, student,
                            (outcome.problems or ["the autograder failed"])[-1])
        with Gradebook(db_url) as gb:
            outcome.max_score = float(gb.find_assignment(assignment).max_score)
    finally:
        shutil.rmtree(sandbox, ignore_errors=True)
    return outcome


def write_log(path: Path, outcomes: Iterable[Outcome]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "status", "seconds", "score", "max_score", "problems"])
        for o in outcomes:
            writer.writerow([o.student, o.status, f"{o.seconds:.2f}", f"{o.score:g}",
                             f"{o.max_score:g}", " | ".join(o.problems[-3:])])
    return path


def worker_pool(course: Path, jobs: int, stderr_log: Path | None = None) -> ProcessPoolExecutor:
    """``jobs`` grading worker processes for ``course`` (use it as a context manager).

    Starting a worker costs seconds (nbgrader, IPython, the course's libraries), so
    grading several assignments shares one pool (:func:`grade_assignments`).
    """
    course = Path(course).resolve()
    (course / "logs").mkdir(exist_ok=True)
    log = stderr_log or course / "logs" / "grade-workers.log"
    return ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=get_context("spawn"),
                               initializer=_init_worker, initargs=(str(course), str(log)))


def grade_assignments(course: Path, assignments: list[str], jobs: int = 2,
                      **kwargs: Any) -> list[GradeRun]:
    """:func:`grade_assignment` for each of ``assignments``, in order, on one worker pool."""
    with worker_pool(course, jobs) as pool:
        return [grade_assignment(course, a, jobs=jobs, pool=pool, **kwargs) for a in assignments]


def grade_assignment(
    course: Path,
    assignment: str,
    jobs: int = 2,
    students: list[str] | None = None,
    force: bool = False,
    on_done: Callable[[Outcome, int, int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> GradeRun:
    """Autograde every submission of ``assignment`` in ``course`` with ``jobs`` workers.

    ``on_done(outcome, done, total)`` is called in the main process after each merge (the
    CLI drives its progress bar with it); ``on_start(total)`` once the list is known. Without ``force``, submissions already in
    ``autograded/`` are skipped, as ``nbgrader autograde`` does. ``pool`` (from
    :func:`worker_pool`, for the same course) lets several assignments share workers that
    are already started.
    """
    from bana_tools.course.merge import make_template
    from bana_tools.course.nbgrader_run import NbgraderFailed, ensure_bin_on_path

    ensure_bin_on_path()
    course = course.resolve()
    config = load_course_config(course)
    db_url = course_db_url(course, config)
    if not (course / "source" / assignment).is_dir():
        raise NbgraderFailed(f"no source/{assignment} folder in {course}")
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise NbgraderFailed(
                f"assignment {assignment!r} is not in the gradebook; run "
                f"'nbgrader generate_assignment {assignment}' first") from None
    available = submitted_students(course, assignment)
    missing = sorted(set(students or []) - set(available))
    if missing:
        raise NbgraderFailed(f"no submission of {assignment} in submitted/ for: {', '.join(missing)}")
    todo = list(students) if students else available
    if not force:
        todo = [s for s in todo if not (course / "autograded" / s / assignment).exists()]
    if on_start:
        on_start(len(todo))
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    (course / "logs").mkdir(exist_ok=True)
    stderr_log = course / "logs" / f"grade-{assignment}-workers.log"
    with tempfile.TemporaryDirectory(prefix="bana-template-") as tmp:
        template = make_template(db_url, Path(tmp) / "template.db")
        if todo:
            workers = max(1, min(jobs, len(todo)))
            with contextlib.ExitStack() as stack:
                if pool is None:
                    pool = stack.enter_context(worker_pool(course, workers, stderr_log))
                owner: dict[Future, str] = {}
                pending: set[Future] = set()
                queue = list(todo)
                while queue or pending:
                    while queue and len(pending) < workers * 2:
                        student = queue.pop(0)
                        future = pool.submit(grade_in_sandbox, str(course), assignment, student,
                                             str(template))
                        owner[future] = student
                        pending.add(future)
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        try:
                            result = future.result()
                        except Exception as exc:  # noqa: BLE001 - a dead worker: record, go on
                            result = {"student": owner[future], "sandbox": tempfile.mkdtemp(),
                                      "ok": False, "seconds": 0.0,
                                      "problems": [f"ERROR: worker died: {exc}"]}
                        outcome = _finish(result, course, assignment, db_url)
                        outcomes.append(outcome)
                        if on_done:
                            on_done(outcome, len(outcomes), len(todo))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = write_log(course / "logs" / f"grade-{assignment}-{stamp}.csv", outcomes) if outcomes else None
    return GradeRun(assignment=assignment, jobs=jobs, seconds=time.perf_counter() - started,
                    outcomes=sorted(outcomes, key=lambda o: o.student), log_path=log_path)
