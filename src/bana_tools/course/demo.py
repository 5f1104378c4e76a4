"""A demo course with a simulated class: try the whole grading workflow in a minute.

``bana course demo DIR --students N --seed S`` writes an nbgrader course in ``DIR``
(config, source notebooks, release via ``nbgrader generate_assignment``), N submissions
per assignment in ``submitted/``, and an LMS-style download zip of the notebooks alone in
``downloaded/<assignment>/archive/`` for ``nbgrader zip_collect``.

The first submissions cover every robustness profile in :data:`PROFILES` once, in that
order (a class smaller than the list gets the first ones); the rest are complete or partial, at random. Deterministic for a seed (except the
file timestamps).
"""

from __future__ import annotations

import copy
import json
import random
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bana_tools.course import layout

#: Submission profiles. Each has a test in tests/test_course_robustness.py.
PROFILES: tuple[str, ...] = (
    "complete",            # every part answered
    "partial",             # half the questions, too briefly
    "empty",               # an answers file with nothing in it
    "notebook-only",       # no answers file; the notebook carries the copy
    "nothing",             # no answers file and no copy in the notebook
    "corrupt-json",        # the answers file is not JSON; no copy in the notebook
    "other-exercise",      # the answers file holds another exercise's answers; copy present
    "huge-text",           # a 50 MB text field in the answers file
    "deleted-test-cells",  # a test cell and a hidden test cell deleted
    "duplicated-cells",    # a test cell and a prose cell pasted twice
    "edited-test-cells",   # a test cell rewritten to claim 1000 points, another un-graded
    "infinite-loop",       # an added cell that never ends
    "huge-output",         # an added cell printing 100 MB
    "snooping",            # an added cell reading other students' folders and the gradebook
    "corrupt-notebook",    # the notebook file is not a notebook; the answers file is fine
)

FIRST_NAMES = ("Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald", "Frances",
               "John", "Radia", "Tim", "Margaret", "Dennis", "Shafi", "Ken", "Leslie")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen",
              "Backus", "Perlman", "Berners-Lee", "Hamilton", "Ritchie", "Goldwasser", "Thompson",
              "Lamport")

#: Lines the demo course adds after the course configuration.
DEMO_CONFIG_TAIL = """
# --- demo course (written by `bana course demo`) ---
c.Exchange.root = {exchange!r}
c.Execute.timeout = {timeout}
"""

SNOOP_SOURCE = (
    "import pathlib\n"
    "here = pathlib.Path.cwd()\n"
    "print('others:', sorted(p.name for p in (here / '..' / '..').iterdir()))\n"
    "for up in range(1, 6):\n"
    "    db = here.parents[up - 1] / 'gradebook.db'\n"
    "    if db.exists():\n"
    "        print('gradebook found at', db, len(db.read_bytes()), 'bytes')\n"
)


@dataclass
class Submission:
    """One simulated submission and what grading it should give."""

    student: str
    assignment: str
    profile: str
    first_name: str
    last_name: str
    #: exercise id -> the answers grading should use (after any restore), ``{}`` if none.
    graded_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: exercise id -> what the profile changed in that notebook's cells (may be empty).
    cell_changes: dict[str, list[str]] = field(default_factory=dict)

    def expected_code_score(self, exercise_id: str) -> float:
        """Points the autograder test cells should give (all checks, kernel-free)."""
        from bana_tools.grading import run_checks

        return run_checks(exercise_id, self.graded_answers.get(exercise_id) or {},
                          visibility="all").score


def write_config(course: Path, course_id: str = layout.COURSE_ID, exchange: Path | None = None,
                 timeout: int = 60) -> Path:
    from bana_tools.course.config import course_config_text

    exchange = exchange or course / "exchange"
    exchange.mkdir(parents=True, exist_ok=True)
    path = course / "nbgrader_config.py"
    path.write_text(course_config_text(course_id)
                    + DEMO_CONFIG_TAIL.format(exchange=str(exchange), timeout=timeout),
                    encoding="utf-8")
    return path


def make_course(course: Path, assignments: list[str] | None = None, *,
                course_id: str = layout.COURSE_ID, exchange: Path | None = None,
                timeout: int = 60) -> Path:
    """A ready course in ``course``: config, source notebooks, release, gradebook."""
    from bana_tools.course.build_source import build
    from bana_tools.course.nbgrader_run import run_nbgrader

    course.mkdir(parents=True, exist_ok=True)
    build(course)
    write_config(course, course_id, exchange, timeout)
    for assignment in assignments or list(layout.assignments()):
        run_nbgrader(course, ["generate_assignment", assignment, "--force"])
    return course


def _answers_output(exercise_id: str, answers: dict[str, Any], when: datetime) -> dict[str, Any]:
    from bana_tools.answers import AnswersFile, answers_bundle

    record = AnswersFile(exercise_id=exercise_id, answers=answers, created=when, updated=when)
    return {"output_type": "display_data", "metadata": {},
            "data": answers_bundle(record, layout.answers_relpath(exercise_id))}


def _find(nb: dict[str, Any], prefix: str) -> int | None:
    """Index of the first cell whose grade id starts with ``prefix``; ``None`` if there is none."""
    for i, cell in enumerate(nb["cells"]):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith(prefix):
            return i
    return None


def _added_code(source: str) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


def _grade_id(cell: dict[str, Any]) -> str:
    return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))


#: What a cell profile does to the first cell of each kind it targets (kinds an exercise
#: lacks, such as hidden checks in an exercise that declares none, are left out).
_CELL_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "deleted-test-cells": (("delete", layout.CHECK_PREFIX), ("delete", layout.HIDDEN_PREFIX)),
    "duplicated-cells": (("duplicate", layout.CHECK_PREFIX), ("duplicate", layout.PROSE_PREFIX)),
    "edited-test-cells": (("claim-1000", layout.CHECK_PREFIX), ("ungrade", layout.HIDDEN_PREFIX)),
    "infinite-loop": (("insert:while True:\n    pass", layout.CHECK_PREFIX),),
    "huge-output": (("insert:print('x' * 100_000_000)", layout.CHECK_PREFIX),),
    "snooping": (("insert:" + SNOOP_SOURCE, layout.CHECK_PREFIX),),
}


def _apply_cell_profile(nb: dict[str, Any], profile: str) -> list[str]:
    """Change the notebook as ``profile`` says; return what was done, one phrase per change.

    Each action targets the first cell of a kind (public check, hidden check, prose); an
    exercise without a cell of that kind skips that action, so every profile applies to
    every exercise (with an empty list when nothing fits).
    """
    cells = nb["cells"]
    done: list[str] = []
    for action, prefix in _CELL_ACTIONS.get(profile, ()):
        i = _find(nb, prefix)
        if i is None:
            continue
        name = _grade_id(cells[i])
        if action == "delete":
            del cells[i]
            done.append(f"deleted {name}")
        elif action == "duplicate":
            cells.insert(i + 1, copy.deepcopy(cells[i]))
            done.append(f"duplicated {name}")
        elif action == "claim-1000":
            cells[i]["source"] = "print('full marks, please')\n1000"
            cells[i]["metadata"]["nbgrader"]["points"] = 1000.0
            done.append(f"rewrote {name} to claim 1000 points")
        elif action == "ungrade":
            cells[i]["metadata"]["nbgrader"]["grade"] = False
            done.append(f"marked {name} as not graded")
        elif action.startswith("insert:"):
            cells.insert(i, _added_code(action.removeprefix("insert:")))
            done.append(f"added a code cell before {name}")
    for index, cell in enumerate(cells):  # pasted cells need ids of their own
        cell.setdefault("id", f"cell-{index}")
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        if cell["id"] in seen:
            cell["id"] = f"{cell['id']}-copy{index}"
        seen.add(cell["id"])
    return done


def student_name(student: str) -> tuple[str, str]:
    """A stable (first, last) name for a simulated student id."""
    n = sum(ord(ch) * (i + 1) for i, ch in enumerate(student))
    return FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n // 7) % len(LAST_NAMES)]


def write_submission(course: Path, assignment: str, student: str, profile: str,
                     rng: random.Random, when: datetime) -> Submission:
    """Write ``submitted/<student>/<assignment>/`` for one simulated student."""
    from bana_tools.answers import AnswersFile
    from bana_tools.course.answers_sim import complete_answers, partial_answers
    from bana_tools.exercises import exercise_ids, get_exercise

    folder = course / "submitted" / student / assignment
    (folder / "answers").mkdir(parents=True, exist_ok=True)
    first, last = student_name(student)
    sub = Submission(student=student, assignment=assignment, profile=profile,
                     first_name=first, last_name=last)
    ids = layout.assignments()[assignment]
    for exercise_id in ids:
        exercise = get_exercise(exercise_id)
        answers = partial_answers(exercise, rng, student) if profile == "partial" else (
            {} if profile == "empty" else complete_answers(exercise, rng, student))
        if profile == "huge-text":
            texts = [q for q in exercise.questions.values() if q.type in ("long_text", "short_text")]
            texts.sort(key=lambda q: q.type != "long_text")  # a long answer if there is one
            answers[texts[0].id if texts else "notes"] = "lorem " * (50 * 1024 * 1024 // 6)
        nb = json.loads((course / "release" / assignment / f"{exercise_id}.ipynb").read_text("utf-8"))
        carries_copy = profile not in ("nothing", "corrupt-json")
        if carries_copy:
            form = next(c for c in nb["cells"] if c.get("id") == "form")
            copy_answers = answers if profile != "huge-text" else complete_answers(exercise, rng, student)
            form["outputs"] = [_answers_output(exercise_id, copy_answers, when)]
        sub.cell_changes[exercise_id] = _apply_cell_profile(nb, profile)
        text = json.dumps(nb, indent=1)
        if profile == "corrupt-notebook":
            text = text[: len(text) // 3]  # a truncated upload
        (folder / f"{exercise_id}.ipynb").write_text(text, encoding="utf-8")
        path = folder / layout.answers_relpath(exercise_id)
        graded: dict[str, Any] = answers
        if profile in ("notebook-only", "nothing"):
            graded = answers if profile == "notebook-only" else {}
        elif profile == "corrupt-json":
            path.write_text('{"schema_version": 1, "exercise_id": "' + exercise_id + '", "answ',
                            encoding="utf-8")
            graded = {}
        elif profile == "other-exercise":
            other = next(i for i in exercise_ids() if i != exercise_id)
            record = AnswersFile(exercise_id=other, answers=complete_answers(get_exercise(other), rng))
            path.write_text(record.to_json(), encoding="utf-8")
        else:
            record = AnswersFile(exercise_id=exercise_id, answers=answers, created=when, updated=when,
                                 attempts=simulated_attempts(exercise, answers, profile, rng, when))
            path.write_text(record.to_json(), encoding="utf-8")
        sub.graded_answers[exercise_id] = graded
    (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8")
    return sub


def simulated_attempts(exercise: Any, answers: dict[str, Any], profile: str,
                       rng: random.Random, when: datetime) -> list[Any]:
    """A plausible self-check log: a few tries on a half-done form, then (for complete
    work) the final answers, so the course report has attempts and pass rates to show."""
    from bana_tools.answers.model import Attempt
    from bana_tools.course.answers_sim import partial_answers
    from bana_tools.grading.runner import run_checks

    if profile not in ("complete", "partial") or not exercise.public_checks():
        return []
    student = answers.get(exercise.student_id_question() or "", "")
    tries = [partial_answers(exercise, rng, student)] * rng.randint(1, 3)
    if profile == "complete":
        tries.append(answers)
    attempts = []
    for n, tried in enumerate(tries):
        report = run_checks(exercise, tried, visibility="public")
        attempts.append(Attempt(
            time=when - timedelta(minutes=10 * (len(tries) - n)),
            score=report.score, max_score=report.max_score,
            checks={c.id: c.points for c in report.checks},
            passed=[c.id for c in report.checks if c.passed]))
    return attempts


def add_students(course: Path, submissions: list[Submission]) -> None:
    """Names and e-mails of the simulated students in the gradebook (for exports)."""
    from nbgrader.api import Gradebook

    from bana_tools.course.nbgrader_run import ensure_bin_on_path

    ensure_bin_on_path()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=layout.COURSE_ID) as gb:
        for sub in {s.student: s for s in submissions}.values():
            gb.update_or_create_student(sub.student, first_name=sub.first_name,
                                        last_name=sub.last_name,
                                        email=f"{sub.student}@example.edu")


def write_lms_zip(course: Path, assignment: str, students: list[str], login_prefix: str = "lms") -> Path:
    """``downloaded/<assignment>/archive/submissions.zip``: notebooks only, LMS-named.

    Each student's notebooks are stored as ``<login>_<userid>_<subid>_<notebook>`` (the
    Canvas download layout), with login ``<login_prefix><n>``, so ``nbgrader zip_collect``
    adds them as new students whose answers come only from the notebook copy.
    """
    archive = course / "downloaded" / assignment / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    target = archive / "submissions.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n, student in enumerate(students, start=1):
            for nb in sorted((course / "submitted" / student / assignment).glob("*.ipynb")):
                zf.write(nb, f"{login_prefix}{n:03d}_{1000 + n}_{5000 + n}_{nb.name}")
    return target


def choose_profiles(students: int, rng: random.Random) -> list[str]:
    """Every profile once (in order) for the first students, then complete or partial."""
    chosen = list(PROFILES[:students])
    chosen += [rng.choice(("complete", "complete", "partial")) for _ in range(students - len(chosen))]
    return chosen


def make_demo(course: Path, students: int = 20, seed: int = 0,
              assignments: list[str] | None = None,
              profiles: list[str] | None = None, exchange: Path | None = None,
              timeout: int = 60) -> list[Submission]:
    """Build the demo course and its simulated class; return the submissions written."""
    rng = random.Random(seed)
    assignments = assignments or list(layout.assignments())
    make_course(course, assignments, exchange=exchange, timeout=timeout)
    chosen = profiles or choose_profiles(students, rng)
    due = datetime(2026, 9, 1, 23, 59, tzinfo=UTC)
    submissions: list[Submission] = []
    for assignment in assignments:
        for n, profile in enumerate(chosen, start=1):
            student = f"s{n:03d}"
            when = due - timedelta(hours=rng.randrange(1, 96))
            submissions.append(write_submission(course, assignment, student, profile, rng, when))
        write_lms_zip(course, assignment, [f"s{n:03d}" for n in range(1, len(chosen) + 1)])
    add_students(course, submissions)
    write_class_list(course, submissions)
    return submissions


#: The demo's list of who got which simulated case, in the course folder.
CLASS_LIST = "demo-class.csv"


def write_class_list(course: Path, submissions: list[Submission]) -> Path:
    """``demo-class.csv``: one row per student, assignment and exercise: the profile it got
    and what that profile changed in the notebook's cells ("" when it changes no cell, or
    "not applicable" when the exercise has none of the cells it targets)."""
    import csv

    path = course / CLASS_LIST
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "exercise", "profile", "cell_changes"])
        for sub in submissions:
            for exercise_id in layout.assignments()[sub.assignment]:
                changes = sub.cell_changes.get(exercise_id, [])
                note = "; ".join(changes) if changes else (
                    "not applicable" if sub.profile in _CELL_ACTIONS else "")
                writer.writerow([sub.student, sub.assignment, exercise_id, sub.profile, note])
    return path
