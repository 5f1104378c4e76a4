"""``bana course ...``: what nbgrader lacks for grading the exercises.

* ``bana course init DIR``: a new course folder (nbgrader_config.py, source notebooks).
* ``bana course demo DIR --students N --seed S``: a demo course with a simulated class.
* ``bana course grade ASSIGNMENT [--jobs N]``: parallel autograde, progress bar with ETA,
  per-submission timing log; same grades as ``nbgrader autograde``.
* ``bana course report ASSIGNMENT``: per-check pass rates and a score histogram.
* ``bana course hub [--dir DIR]``: a class JupyterHub on this machine (students, instructors,
  the formgrader as a service, nbgrader's exchange), started on loopback.
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

    hub = sub.add_parser("hub", help="start a class JupyterHub (students, instructors, formgrader)",
                         description="Prepare a class hub's folders and start JupyterHub.")
    hub.add_argument("--dir", type=Path, default=Path("~/bana-hub").expanduser(),
                     help="the hub's state folder (default: ~/bana-hub)")
    who = hub.add_mutually_exclusive_group()
    who.add_argument("--students", type=int, default=None,
                     help="trial class of N students named student01.. (default 5)")
    who.add_argument("--roster", type=Path, help="file of student user names, one per line")
    hub.add_argument("--instructor", action="append", dest="instructors",
                     help="instructor user name (repeatable; default: instructor)")
    hub.add_argument("--assistant", action="append", dest="assistants",
                     help="teaching assistant: grades in the formgrader, not a hub admin "
                          "(repeatable)")
    hub.add_argument("--users", choices=("trial", "system"), default=None,
                     help="trial: servers run as you; system: as each user's Unix account "
                          "(needs root). Default: trial")
    hub.add_argument("--create-users", action="store_true",
                     help="with --users system: create missing Unix accounts")
    hub.add_argument("--db-url", default=None,
                     help="gradebook URL, e.g. postgresql://grader:PASSWORD@127.0.0.1/bana7085")
    hub.add_argument("--login", choices=("shared", "pam"), default=None,
                     help="shared: one password for students, a longer one for instructors "
                          "(default); pam: the accounts' Unix passwords")
    hub.add_argument("--password", default=None,
                     help="students' shared password, 8 characters or more (default: a random "
                          "one, printed; instructors get a longer one of their own)")
    hub.add_argument("--port", type=int, default=None, help="port of the hub (default 8000)")
    hub.add_argument("--ip", default=None,
                     help="address the hub listens on (default 127.0.0.1; for a class, put "
                          "it behind your HTTPS proxy or give TLS settings in --extra-config)")
    hub.add_argument("--extra-config", type=Path, default=None,
                     help="Python file of site settings run after the course's configuration")
    hub.add_argument("--prepare-only", action="store_true",
                     help="write the folders and settings, then stop without starting JupyterHub")
    hub.set_defaults(func=run_hub)

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
    from bana_tools.course.startup import skip_unused_imports

    skip_unused_imports()  # before nbgrader loads jsonschema (see bana_tools.course.startup)
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
            worker_pool(args.course, args.jobs, assignments=args.assignments) as pool:
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


def _hub_settings(args: argparse.Namespace):
    """New settings from the options, or the folder's saved settings with options applied."""
    import secrets

    from pydantic import ValidationError

    from bana_tools.hub.settings import HubSettings, HubSettingsError, load_settings
    from bana_tools.pydantic_errors import first_error

    saved = None
    if (args.dir / "hub.json").exists():
        try:
            saved = load_settings(args.dir).model_dump()
        except HubSettingsError as exc:
            raise _fail(str(exc)) from None
    data = saved or {"course_id": "bana7085", "hub_dir": str(args.dir), "students": [],
                     "instructors": ["instructor"]}
    if args.roster is not None:
        try:
            lines = args.roster.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise _fail(f"cannot read the roster {args.roster}: {exc.strerror}") from None
        data["students"] = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    elif args.students is not None or saved is None:
        count = 5 if args.students is None else args.students
        if not 1 <= count <= 999:
            raise _fail("--students must be between 1 and 999")
        data["students"] = [f"student{i:02d}" for i in range(1, count + 1)]
    for key, value in (("instructors", args.instructors), ("assistants", args.assistants),
                       ("users", args.users),
                       ("authenticator", args.login),
                       ("db_url", args.db_url), ("password", args.password), ("port", args.port),
                       ("ip", args.ip),
                       ("extra_config", args.extra_config and str(args.extra_config.resolve()))):
        if value is not None:
            data[key] = value
    if data.get("authenticator", "shared") == "shared":
        data["password"] = data.get("password") or secrets.token_urlsafe(9)
        data["admin_password"] = data.get("admin_password") or secrets.token_urlsafe(27)
    try:
        return HubSettings.model_validate(data)
    except ValidationError as exc:
        raise _fail(f"invalid hub settings: {first_error(exc, whole='settings')}") from None


def run_hub(args: argparse.Namespace) -> int:
    import os
    import shutil

    from bana_tools.hub import CONFIG_FILE
    from bana_tools.hub.config import proxy_command
    from bana_tools.hub.prepare import PrepareError, prepare

    settings = _hub_settings(args)
    proxy = proxy_command(settings)[0]
    if not args.prepare_only and not (os.path.exists(proxy) or shutil.which(proxy)):
        raise _fail("configurable-http-proxy not found; in the bana-tools checkout run: "
                    "npm ci --prefix autograding/hub (or: npm install -g configurable-http-proxy)")
    try:
        done = prepare(settings, create_users=args.create_users)
    except PrepareError as exc:
        raise _fail(str(exc)) from None
    base = f"http://{settings.ip}:{settings.port}"
    students = settings.students
    print(f"Class hub for {settings.course_id} in {settings.hub_dir}: " + "; ".join(done) + ".")
    print(f"  Hub:        {base}/hub/login")
    print(f"  Formgrader: {base}/services/{settings.course_id}/formgrader "
          f"(for {', '.join(settings.staff)}; opens as a page of its own)")
    print(f"  Students:   {students[0]}" + (f" .. {students[-1]}" if len(students) > 1 else "")
          + f" ({len(students)})")
    if settings.authenticator == "shared":
        print(f"  Passwords:  students {settings.password}; instructors {settings.admin_password}"
              f" (saved in {settings.hub_dir / 'hub.json'})")
    if args.prepare_only:
        return 0
    print("Starting JupyterHub (Ctrl-C to stop)...", flush=True)
    env = {**os.environ, "BANA_HUB_SETTINGS": str(settings.hub_dir / "hub.json")}
    command = [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG_FILE)]
    os.chdir(settings.hub_dir)
    os.execve(sys.executable, command, env)
    return 0  # not reached


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
