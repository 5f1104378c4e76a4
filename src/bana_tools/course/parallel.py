"""Parallel autograding, the scheduler: one sandbox per submission, one writer for the
gradebook.

``bana course grade ASSIGNMENT --jobs N`` runs nbgrader's own ``Autograde`` converter, with
the course's ``nbgrader_config.py``, for each submission in a sandbox folder outside the
course (a temporary directory holding only that submission, the assignment's source
notebooks and a gradebook without any student in it; each worker empties its sandbox
before the next submission). N worker processes grade at once; each sends back the
submission's grades and its autograded notebooks, and the main process merges the grades
into the course gradebook (:mod:`bana_tools.course.merge`), moves the notebooks into the
course's ``autograded/`` folder, and writes one line per submission to
``logs/grade-<assignment>-<time>.csv``. Because a sandbox holds one submission at a time,
no student's code can see another student's work, and no student's score can depend on
another's.

The grades are those ``nbgrader autograde ASSIGNMENT`` gives (a test compares them):
the converter, its configuration and its preprocessors are the same; only the folders
differ. One addition: a submitted notebook that cannot be read at all (where
``nbgrader autograde`` stops with an error for that student) is replaced, in the sandbox
only, by the released notebook, so the student's answers file is still graded.

What a worker does with one submission is :mod:`bana_tools.course.sandbox`; where the
course's configuration and gradebook are is :mod:`bana_tools.course.coursedir`.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bana_tools.course.coursedir import course_db_url, load_course_config, submitted_students
from bana_tools.course.sandbox import grade_in_sandbox, init_worker


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


def _finish(result: dict[str, Any], course: Path, assignment: str, gradebook: Any) -> Outcome:
    """Main process: merge one graded submission into the course (``gradebook``, open for
    the whole batch) and move its autograded notebooks into ``autograded/``."""
    from bana_tools.course.merge import merge_submission, zero_submission

    student = result["student"]
    outcome = Outcome(student=student, status="graded" if result["ok"] else "failed",
                      seconds=result["seconds"], problems=list(result["problems"]))
    graded = Path(result["graded"]) if result.get("graded") else None
    try:
        if result["ok"] and graded is not None and graded.is_dir():
            outcome.score, outcome.max_score = merge_submission(
                result["grades"], gradebook, assignment, student)
            target = course / "autograded" / student / assignment
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(graded, target)
        else:
            outcome.status = "failed"
            outcome.max_score = zero_submission(
                gradebook, assignment, student,
                (outcome.problems or ["the autograder failed"])[-1])
    finally:
        if graded is not None:  # the worker's folder around it
            shutil.rmtree(graded.parent, ignore_errors=True)
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


def worker_pool(course: Path, jobs: int, stderr_log: Path | None = None,
                assignments: Sequence[str] = ()) -> ProcessPoolExecutor:
    """``jobs`` grading worker processes for ``course``, made ready to grade
    ``assignments`` (use it as a context manager).

    Starting a worker costs seconds (nbgrader, IPython, the course's libraries:
    :func:`~bana_tools.course.sandbox.init_worker`), so every worker starts now, while the
    caller goes on with its own set-up (the pool would otherwise start one per submission
    queued), and grading several assignments shares one pool (:func:`grade_assignments`).
    """
    course = Path(course).resolve()
    (course / "logs").mkdir(exist_ok=True)
    log = stderr_log or course / "logs" / "grade-workers.log"
    pool = ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=get_context("spawn"),
                               initializer=init_worker,
                               initargs=(str(course), str(log), list(assignments)))
    for _ in range(max(1, jobs)):  # one task per worker: each submit starts a process
        pool.submit(os.getpid)
    return pool


def grade_assignments(course: Path, assignments: list[str], jobs: int = 2,
                      **kwargs: Any) -> list[GradeRun]:
    """:func:`grade_assignment` for each of ``assignments``, in order, on one worker pool."""
    with worker_pool(course, jobs, assignments=assignments) as pool:
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
    workers = max(1, min(jobs, len(todo)))
    with tempfile.TemporaryDirectory(prefix="bana-template-") as tmp, \
            contextlib.ExitStack() as stack:
        if todo and pool is None:  # the workers start while the template is made
            pool = stack.enter_context(worker_pool(course, workers, stderr_log, [assignment]))
        template = make_template(db_url, Path(tmp) / "template.db") if todo else None
        # one connection to the course gradebook for the whole batch: the one writer
        gradebook = stack.enter_context(Gradebook(db_url)) if todo else None
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
                    result = {"student": owner[future], "ok": False, "seconds": 0.0,
                              "problems": [f"ERROR: worker died: {exc}"]}
                outcome = _finish(result, course, assignment, gradebook)
                outcomes.append(outcome)
                if on_done:
                    on_done(outcome, len(outcomes), len(todo))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = write_log(course / "logs" / f"grade-{assignment}-{stamp}.csv", outcomes) if outcomes else None
    return GradeRun(assignment=assignment, jobs=jobs, seconds=time.perf_counter() - started,
                    outcomes=sorted(outcomes, key=lambda o: o.student), log_path=log_path)
