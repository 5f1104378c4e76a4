"""``bana exercises``, ``bana check`` and ``bana report``: the student's commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser(
        "exercises", help="list the exercise ids and titles",
        description="List every exercise id (with its assignment and title).",
    )
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(func=run_list)

    check = subparsers.add_parser(
        "check", help="self-check a saved answers file",
        description="Run the public checks of EXERCISE_ID on an answers file. Exit 0 when it "
        "graded (whatever the score), 2 when the input cannot be read.",
    )
    check.add_argument("exercise_id", metavar="EXERCISE_ID")
    check.add_argument("--answers", required=True, metavar="FILE",
                       help="answers JSON file (or a saved .ipynb holding a copy)")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.set_defaults(func=run_check)

    report = subparsers.add_parser(
        "report", help="write a readable report of an answers file (HTML or Markdown)",
        description="Write the answers and the public self-check of EXERCISE_ID to a report "
        "(.html or .md, chosen by the file name).",
    )
    report.add_argument("exercise_id", metavar="EXERCISE_ID")
    report.add_argument("--answers", required=True, metavar="FILE", help="answers JSON file")
    report.add_argument("--out", required=True, metavar="FILE", help="report.html or report.md")
    report.set_defaults(func=run_report)


def _load(exercise_id: str, answers: str):
    from bana_tools.answers import AnswersError, read_answers_file
    from bana_tools.cli.main import CliError
    from bana_tools.exercises import UnknownExercise, get_exercise

    try:
        exercise = get_exercise(exercise_id)
    except UnknownExercise as exc:
        raise CliError(str(exc)) from None
    if str(answers).lower().endswith(".ipynb"):
        return exercise, _from_notebook(answers, exercise.id)
    try:
        record = read_answers_file(answers, exercise.id)
    except AnswersError as exc:
        raise CliError(str(exc)) from None
    return exercise, record


def _from_notebook(path: str, exercise_id: str):
    """The newest answers copy saved inside a notebook (for a notebook handed in alone)."""
    from bana_tools.answers import AnswersError, answers_in_notebook
    from bana_tools.answers.resolve import newest_copy
    from bana_tools.cli.main import CliError

    if not Path(path).is_file():
        raise CliError(f"no notebook at {path}")
    try:
        newest = newest_copy(answers_in_notebook(Path(path)), exercise_id)
    except (AnswersError, ValueError) as exc:
        raise CliError(f"cannot read notebook {path}: {exc}") from None
    if newest is None:
        raise CliError(f"{path} holds no saved copy of answers for {exercise_id!r}")
    return newest


def run_list(args: argparse.Namespace) -> int:
    from bana_tools.exercises import all_exercises

    exercises = all_exercises()
    if args.json:
        print(json.dumps([{"id": e.id, "assignment": e.assignment, "title": e.title}
                          for e in exercises], indent=2))
        return 0
    width = max(len(e.id) for e in exercises)
    for e in exercises:
        print(f"{e.id:<{width}}  {e.assignment}  {e.title}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from bana_tools.grading.results import format_points
    from bana_tools.grading.runner import run_checks

    exercise, record = _load(args.exercise_id, args.answers)
    report = run_checks(exercise, record.answers, visibility="public")
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    print(f"{exercise.id}: {format_points(report.score)} of {format_points(report.max_score)} points from automatic checks")
    for c in report.checks:
        print(f"[{'pass' if c.passed else 'FAIL'}] {c.title} ({format_points(c.points)}/{format_points(c.max_points)}): "
              f"{c.message}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from bana_tools.answers import atomic_write_text
    from bana_tools.cli.main import CliError
    from bana_tools.cli.output import writable_output
    from bana_tools.grading.report import render_html, render_markdown
    from bana_tools.grading.results import format_points
    from bana_tools.grading.runner import run_checks

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".md", ".markdown"):
        raise CliError(f"--out must end in .html or .md, not {out.name!r}")
    out = writable_output(args.out)
    exercise, record = _load(args.exercise_id, args.answers)
    answers, _ = exercise.clean_answers(record.answers)
    report = run_checks(exercise, answers, visibility="public")
    render = render_html if suffix in (".html", ".htm") else render_markdown
    try:
        atomic_write_text(out, render(exercise, answers, report, record.updated))
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out} ({format_points(report.score)} of {format_points(report.max_score)} points from automatic checks)")
    return 0
