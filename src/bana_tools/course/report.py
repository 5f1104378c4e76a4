"""``bana course report ASSIGNMENT``: where the class struggled, from the gradebook.

Writes ``reports/<assignment>/report.html`` and ``reports/<assignment>/histogram.png``:
for every graded cell, its check (or prose question), points, how many submissions
earned full points, and the mean score; then the distribution of total scores. Hidden
checks are named by their title: the report is for instructors.
"""

from __future__ import annotations

import html
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
                max_score: float, png_name: str) -> str:
    e = html.escape
    rows = []
    for s in stats:
        rate = f"{100 * s.pass_rate:.0f}%" if s.graded else "not graded yet"
        rows.append(
            f"<tr><td>{e(s.notebook)}</td><td>{e(s.kind)}</td><td>{e(s.title)}</td>"
            f"<td>{s.points:g}</td><td>{s.graded}</td><td>{rate}</td><td>{s.mean:.2f}</td></tr>"
        )
    values = sorted(totals.values())
    mean = sum(values) / len(values) if values else 0.0
    median = values[len(values) // 2] if values else 0.0
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(assignment)}: grading report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}th{{background:#eef}}</style></head>
<body><h1>{e(assignment)}: grading report</h1>
<p>{len(values)} submission(s); mean {mean:.2f}, median {median:.2f} of {max_score:g} points.</p>
<img src="{e(png_name)}" alt="Histogram of total scores for {e(assignment)}">
<h2>Checks and hand-graded answers</h2>
<p>"Full points" counts submissions that earned every point of the cell. Hand-graded
answers count once a grader has scored them (or nbgrader gave 0 to an empty answer).</p>
<table><thead><tr><th>notebook</th><th>kind</th><th>what</th><th>points</th><th>graded</th>
<th>full points</th><th>mean score</th></tr></thead><tbody>
{''.join(rows)}
</tbody></table></body></html>
"""


def write_report(course: Path, assignment: str, db_url: str | None = None) -> Path:
    """Write the report of ``assignment`` under ``course/reports``; return the HTML path."""
    from bana_tools.course.merge import sqlite_url

    db_url = db_url or sqlite_url(course / "gradebook.db")
    stats, totals, max_score = collect(db_url, assignment)
    out = course / "reports" / assignment
    histogram_png(list(totals.values()), max_score, out / "histogram.png")
    page = out / "report.html"
    page.write_text(render_html(assignment, stats, totals, max_score, "histogram.png"), encoding="utf-8")
    return page
