"""``bana course report ASSIGNMENT``: where the class struggled, from the gradebook.

Writes ``reports/<assignment>/report.html`` and ``reports/<assignment>/histogram.png``:
for every graded cell, its check (or prose question), points, how many submissions
earned full points, and the mean score; then the distribution of total scores; then, from
the self-check logs the submitted answers files carry, how many tries each public check
took before it first passed and how many students got it to pass. Hidden checks are named
by their title: the report is for instructors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class CellStats:
    notebook: str
    grade_id: str
    kind: str
    title: str
    points: float
    graded: int
    full: int
    mean: float

    @property
    def pass_rate(self) -> float:
        return self.full / self.graded if self.graded else 0.0


def _title(exercise_id: str, grade_id: str) -> tuple[str, str]:
    from bana_tools.course import layout
    from bana_tools.exercises import UnknownExercise, get_exercise

    try:
        cells = layout.graded_cells(exercise_id)
        exercise = get_exercise(exercise_id)
    except UnknownExercise:
        return "cell", grade_id
    kind, ref = cells.get(grade_id, ("cell", grade_id))
    if kind in ("check", "hidden"):
        check = next(c for c in exercise.checks if c.id == ref)
        return kind, check.title
    if kind == "prose":
        return kind, exercise.question(ref).label
    return kind, grade_id


def collect(db_url: str, assignment: str) -> tuple[list[CellStats], dict[str, float], float]:
    """Per-cell statistics, each student's total score, and the assignment's maximum."""
    from nbgrader.api import Gradebook

    stats: list[CellStats] = []
    totals: dict[str, float] = {}
    with Gradebook(db_url) as gb:
        a = gb.find_assignment(assignment)
        subs = list(gb.assignment_submissions(assignment))
        for sub in subs:
            totals[sub.student.id] = float(sub.score) - float(sub.late_submission_penalty or 0)
        for nb in a.notebooks:
            for cell in nb.grade_cells:
                scores = []
                for sub in subs:
                    grade = gb.find_grade(cell.name, nb.name, assignment, sub.student.id)
                    if grade.score is not None and not (grade.auto_score is None and grade.manual_score is None):
                        scores.append(float(grade.score))
                kind, title = _title(nb.name, cell.name)
                full = sum(1 for s in scores if s >= float(cell.max_score) - 1e-9)
                stats.append(CellStats(nb.name, cell.name, kind, title, float(cell.max_score),
                                       len(scores), full,
                                       sum(scores) / len(scores) if scores else 0.0))
        max_score = float(a.max_score)
    return stats, totals, max_score


@dataclass
class AttemptStats:
    """One public check across the self-check logs of a class."""

    exercise: str
    check_id: str
    title: str
    students: int          # students who self-checked this exercise at least once
    passed: int            # ... of whom passed this check at some attempt
    mean_tries: float      # mean number of tries up to and including the first pass

    @property
    def pass_rate(self) -> float:
        return self.passed / self.students if self.students else 0.0


def attempt_stats(exercise_id: str, logs: list[list[object]]) -> list[AttemptStats]:
    """Per public check of ``exercise_id``: tries before the first pass, and the pass rate,
    over the students' attempt logs (each a list of
    :class:`~bana_tools.answers.model.Attempt`; empty logs are skipped)."""
    from bana_tools.exercises import get_exercise

    exercise = get_exercise(exercise_id)
    logs = [log for log in logs if log]
    out = []
    for check in exercise.public_checks():
        tries = []
        for log in logs:
            first = next((n for n, a in enumerate(log, start=1) if check.id in a.passed), None)
            if first is not None:
                tries.append(first)
        out.append(AttemptStats(exercise_id, check.id, check.title, len(logs), len(tries),
                                sum(tries) / len(tries) if tries else 0.0))
    return out


def collect_attempts(course: Path, assignment: str) -> list[AttemptStats]:
    """Attempt statistics from ``submitted/*/<assignment>/answers/<exercise>.json``."""
    from bana_tools.answers import AnswersError, read_answers_file
    from bana_tools.course import layout

    stats: list[AttemptStats] = []
    for exercise_id in layout.assignments().get(assignment, ()):
        logs = []
        for path in sorted((course / "submitted").glob(f"*/{assignment}/{layout.answers_relpath(exercise_id)}")):
            try:
                logs.append(read_answers_file(path, exercise_id).attempts)
            except AnswersError:
                continue
        stats.extend(attempt_stats(exercise_id, logs))
    return stats


def histogram_png(totals: list[float], max_score: float, path: Path) -> Path:
    # A bare Figure: no pyplot, so no global backend change in the caller's process.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    ax = fig.subplots()
    bins = max(5, min(20, int(max_score) or 5))
    ax.hist(totals, bins=bins, range=(0, max_score or 1), color="#2a6ebb", edgecolor="white")
    ax.set_xlabel("total score (points)")
    ax.set_ylabel("submissions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Score distribution (n = {len(totals)}, max {max_score:g})")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def render_html(assignment: str, stats: list[CellStats], totals: dict[str, float],
                max_score: float, png_name: str, attempts: list[AttemptStats] | None = None) -> str:
    """The report page (``templates/course_report.html``; every value escaped)."""
    from bana_tools.render import render

    values = sorted(totals.values())
    return render("course_report.html", assignment=assignment, stats=stats,
                  attempts=attempts or [], png_name=png_name, max_score=max_score,
                  count=len(values), mean=sum(values) / len(values) if values else 0.0,
                  median=values[len(values) // 2] if values else 0.0,
                  points=lambda v: f"{v:g}")


def write_report(course: Path, assignment: str, db_url: str | None = None) -> Path:
    """Write the report of ``assignment`` under ``course/reports``; return the HTML path."""
    from bana_tools.course.merge import sqlite_url

    db_url = db_url or sqlite_url(course / "gradebook.db")
    stats, totals, max_score = collect(db_url, assignment)
    out = course / "reports" / assignment
    histogram_png(list(totals.values()), max_score, out / "histogram.png")
    page = out / "report.html"
    attempts = collect_attempts(course, assignment)
    page.write_text(render_html(assignment, stats, totals, max_score, "histogram.png", attempts),
                    encoding="utf-8")
    return page
