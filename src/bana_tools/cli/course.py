"""``bana course ...``: what nbgrader lacks for grading the exercises.

* ``bana course init DIR``: a new course folder (nbgrader_config.py, source notebooks).
* ``bana course demo DIR --students N --seed S``: a demo course with a simulated class.
* ``bana course grade ASSIGNMENT [--jobs N]``: parallel autograde, progress bar with ETA,
  per-submission timing log; same grades as ``nbgrader autograde``.
* ``bana course report ASSIGNMENT``: per-check pass rates and a score histogram.
* ``bana course build [--check]``: write ``autograding/source`` from the declarations.
* ``bana course release [--check]``: refresh ``exercises/`` from ``nbgrader generate_assignment``.

Everything else is nbgrader's own commands, run in the course folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "course", help="instructor tools for the nbgrader course (demo, grade, report)",
        description="Instructor tools around nbgrader: a demo class, parallel grading, reports.",
    )
    sub = parser.add_subparsers(dest="course_command", metavar="SUBCOMMAND",
                                parser_class=type(parser))

    init = sub.add_parser("init", help="create a course folder (config and source notebooks)")
    init.add_argument("dir", type=Path, help="folder to create (must be empty or new)")
    init.set_defaults(func=run_init)

    demo = sub.add_parser("demo", help="create a demo course with simulated submissions")
    demo.add_argument("dir", type=Path, help="folder to create (must be empty or new)")
    demo.add_argument("--students", type=int, default=20, help="simulated students (default 20)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--assignment", action="append", dest="assignments",
                      help="assignment to include (repeatable; default: all)")
    demo.set_defaults(func=run_demo)

    grade = sub.add_parser("grade", help="autograde all submissions of an assignment in parallel")
    grade.add_argument("assignments", nargs="+", metavar="assignment",
                       help="assignment name, e.g. ch01 (several share one set of workers)")
    grade.add_argument("--jobs", "-j", type=int, default=2, help="parallel workers (default 2)")
    grade.add_argument("--course", type=Path, default=Path("."),
                       help="course folder (default: current folder)")
    grade.add_argument("--student", action="append", dest="students",
                       help="grade only this student (repeatable)")
    grade.add_argument("--force", "-f", action="store_true",
                       help="regrade submissions that were already autograded")
    grade.set_defaults(func=run_grade)

    report = sub.add_parser("report", help="pass rates per check and a score histogram")
    report.add_argument("assignment", help="assignment name, e.g. ch01")
    report.add_argument("--course", type=Path, default=Path("."),
                        help="course folder (default: current folder)")
    report.set_defaults(func=run_report)

    build = sub.add_parser("build", help="write the source notebooks from the exercise declarations")
    build.add_argument("--course", type=Path, default=None, help="course folder (default: autograding/)")
    build.add_argument("--check", action="store_true", help="only report out-of-date notebooks")
    build.set_defaults(func=run_build)

    release = sub.add_parser("release", help="refresh exercises/ from nbgrader generate_assignment")
    release.add_argument("--check", action="store_true", help="only report out-of-date notebooks")
    release.set_defaults(func=run_release)

    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _fail(message: str):
    from bana_tools.cli.main import CliError

    return CliError(message)


def run_init(args: argparse.Namespace) -> int:
    from bana_tools.course.build_source import build

    if args.dir.exists() and any(args.dir.iterdir()):
        raise _fail(f"{args.dir} is not empty; choose a new folder")
    written = build(args.dir)
    print(f"Course folder {args.dir}: nbgrader_config.py and {len(written) - 1} source notebooks.")
    print("Set c.Exchange.root in nbgrader_config.py, then in that folder: "
          "nbgrader generate_assignment ch01")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from bana_tools.course import layout
    from bana_tools.course.demo import make_demo
    from bana_tools.course.nbgrader_run import NbgraderFailed

    if args.students < 1 or args.students > 2000:
        raise _fail("--students must be between 1 and 2000")
    known = list(layout.assignments())
    for name in args.assignments or []:
        if name not in known:
            raise _fail(f"unknown assignment {name!r}; known: {', '.join(known)}")
    if args.dir.exists() and any(args.dir.iterdir()):
        raise _fail(f"{args.dir} is not empty; choose a new folder")
    try:
        subs = make_demo(args.dir, students=args.students, seed=args.seed,
                         assignments=args.assignments)
    except NbgraderFailed as exc:
        raise _fail(str(exc)) from None
    from bana_tools.course.demo import CLASS_LIST

    names = sorted({s.assignment for s in subs})
    print(f"Demo course in {args.dir}: {args.students} simulated students, assignments "
          f"{', '.join(names)}.")
    profiles: dict[str, str] = {}
    for sub in subs:
        profiles.setdefault(sub.student, sub.profile)
    print("Simulated cases: " + ", ".join(f"{s} {p}" for s, p in sorted(profiles.items())))
    print(f"What each case changed in each notebook: {args.dir / CLASS_LIST}")
    print("Next, in that folder:")
    print(f"  bana course grade {names[0]} --jobs 2")
    print("  nbgrader formgrader   (or: jupyter lab, then the Formgrader tab)")
    print(f"  nbgrader generate_feedback {names[0]}")
    print("  nbgrader export --exporter=bana_tools.course.canvas.CanvasExportPlugin --to canvas.csv")
    print(f"  bana course report {names[0]}")
    return 0


def run_grade(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from bana_tools.course.coursedir import course_db_url, load_course_config
    from bana_tools.course.nbgrader_run import NbgraderFailed
    from bana_tools.course.parallel import grade_assignment, worker_pool

    if args.jobs < 1:
        raise _fail("--jobs must be at least 1")
    if not (args.course / "nbgrader_config.py").exists():
        raise _fail(f"no nbgrader_config.py in {args.course.resolve()}; run this in the course folder")
    unknown = [a for a in args.assignments if not (args.course / "source" / a).is_dir()]
    if unknown:  # before grading anything
        raise _fail(f"no source/{unknown[0]} folder in {args.course.resolve()}")
    try:  # the gradebook is there (a file, or a server that answers) before workers start
        course_db_url(args.course.resolve(), load_course_config(args.course.resolve()))
    except NbgraderFailed as exc:
        raise _fail(str(exc)) from None
    console = Console(stderr=True)
    columns = (TextColumn("grading {task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    runs = []
    with Progress(*columns, console=console, transient=False) as progress, \
            worker_pool(args.course, args.jobs) as pool:
        for assignment in dict.fromkeys(args.assignments):
            task = progress.add_task(assignment, total=None)

            def on_done(outcome, done, total, task=task):
                progress.update(task, completed=done, total=total)
                mark = "ok" if outcome.status == "graded" else "FAILED"
                progress.console.print(f"  {outcome.student:<20} {mark:<6} {outcome.seconds:6.1f} s  "
                                       f"{outcome.score:g}/{outcome.max_score:g}")

            try:
                runs.append(grade_assignment(
                    args.course, assignment, jobs=args.jobs, students=args.students,
                    force=args.force, on_done=on_done, pool=pool,
                    on_start=lambda total, task=task: progress.update(task, total=total)))
            except NbgraderFailed as exc:
                raise _fail(str(exc)) from None
    for run in runs:
        n = len(run.outcomes)
        if n == 0:
            print(f"Nothing to grade for {run.assignment} (use --force to regrade).")
            continue
        mean = sum(o.seconds for o in run.outcomes) / n
        print(f"Graded {n} submission(s) of {run.assignment} in {run.seconds:.1f} s with "
              f"{args.jobs} job(s) ({mean:.1f} s per submission in a worker); "
              f"{len(run.failed)} failed. Timing log: {run.log_path}")
    return 1 if any(run.failed for run in runs) else 0


def run_report(args: argparse.Namespace) -> int:
    from nbgrader.api import MissingEntry

    from bana_tools.course.coursedir import course_db_url, load_course_config
    from bana_tools.course.nbgrader_run import NbgraderFailed
    from bana_tools.course.report import write_report

    course = args.course.resolve()
    if not (course / "nbgrader_config.py").exists():
        raise _fail(f"no nbgrader_config.py in {course}; run this in the course folder")
    try:
        db_url = course_db_url(course, load_course_config(course))
    except NbgraderFailed as exc:
        raise _fail(str(exc)) from None
    try:
        page = write_report(course, args.assignment, db_url)
    except MissingEntry:
        raise _fail(f"assignment {args.assignment!r} is not in the gradebook") from None
    print(f"Report: {page} (histogram: {page.parent / 'histogram.png'})")
    return 0


def run_build(args: argparse.Namespace) -> int:
    from bana_tools.course import layout
    from bana_tools.course.build_source import build

    course = args.course or layout.repo_root() / layout.AUTOGRADING_DIRNAME
    changed = build(course, check=args.check)
    for path in changed:
        print(("out of date: " if args.check else "wrote ") + str(path))
    if args.check and changed:
        print("run 'bana course build' to update them", file=sys.stderr)
        return 1
    return 0


def run_release(args: argparse.Namespace) -> int:
    from bana_tools.course.nbgrader_run import NbgraderFailed
    from bana_tools.course.release import sync_release

    try:
        changed = sync_release(check=args.check)
    except NbgraderFailed as exc:
        raise _fail(str(exc)) from None
    for path in changed:
        print(("out of date: " if args.check else "wrote ") + str(path))
    if args.check and changed:
        print("run 'bana course release' to update them", file=sys.stderr)
        return 1
    return 0
