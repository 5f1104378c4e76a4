"""Grading speed: sequential `nbgrader autograde` vs `bana course grade --jobs 2`, and
kernel-free bulk checking of structured answers.

    .venv/bin/python benchmarks/bench_grading.py [--students 60] [--jobs 2]

For every assignment the declarations define, both autograde runs grade the same simulated
class (complete and partial submissions) in two copies of one demo course, on the same
machine in the same run; the script prints both times, the ratio and whether every cell's
score is identical, per assignment. Baseline (target from the issue): ratio >= 1.7 on 2 cores.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

from bana_tools.course.demo import make_demo
from bana_tools.course.nbgrader_run import nbgrader_env
from bana_tools.course.parallel import grade_assignment

TARGET_RATIO = 1.7


def cell_scores(course: Path, assignment: str) -> dict[tuple[str, str, str], float | None]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {(sub.student.id, nb.notebook.name, g.cell.name): g.auto_score
                for sub in gb.assignment_submissions(assignment)
                for nb in sub.notebooks for g in nb.grades}


def bulk_checks(exercise_id: str, n: int) -> float:
    """Submissions per second for running all checks of one exercise on in-memory answers."""
    from bana_tools.course.answers_sim import complete_answers, partial_answers
    from bana_tools.exercises import get_exercise
    from bana_tools.grading import run_checks

    exercise = get_exercise(exercise_id)
    rng = random.Random(0)
    answers = [(complete_answers if i % 2 else partial_answers)(exercise, rng) for i in range(n)]
    start = time.perf_counter()
    for a in answers:
        run_checks(exercise, a, visibility="all")
    return n / (time.perf_counter() - start)


def bench_assignment(assignment: str, students: int, jobs: int) -> dict[str, float | bool | int]:
    """Sequential nbgrader autograde vs bana course grade for one assignment's class."""
    with tempfile.TemporaryDirectory(prefix="bana-bench-") as tmp:
        base = Path(tmp) / "base"
        profiles = ["complete" if i % 3 else "partial" for i in range(students)]
        make_demo(base, students=students, seed=1, assignments=[assignment], profiles=profiles)
        seq, par = Path(tmp) / "sequential", Path(tmp) / "parallel"
        shutil.copytree(base, seq)
        shutil.copytree(base, par)

        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", assignment], cwd=seq,
                       env=nbgrader_env(), check=True, capture_output=True)
        t_seq = time.perf_counter() - start

        start = time.perf_counter()
        run = grade_assignment(par, assignment, jobs=jobs)
        t_par = time.perf_counter() - start

        same = cell_scores(seq, assignment) == cell_scores(par, assignment)
    return {"seq": t_seq, "par": t_par, "failed": len(run.failed), "same": same}


def main() -> int:
    from bana_tools.course import layout

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--assignment", action="append", dest="assignments",
                        help="only this assignment (repeatable; default: every assignment)")
    args = parser.parse_args()
    names = args.assignments or list(layout.assignments())
    results = {a: bench_assignment(a, args.students, args.jobs) for a in names}
    print(f"{'measure':<46}{'result':>14}{'baseline':>14}")
    ok = True
    for assignment, r in results.items():
        ratio = r["seq"] / r["par"]
        ok = ok and bool(r["same"])
        print(f"--- {assignment} ({args.students} submissions, "
              f"{len(layout.assignments()[assignment])} notebook(s) each)")
        print(f"{'  sequential nbgrader autograde (s)':<46}{r['seq']:>14.1f}{'':>14}")
        print(f"{f'  bana course grade --jobs {args.jobs} (s)':<46}{r['par']:>14.1f}{'':>14}")
        print(f"{'  speed-up (sequential / parallel)':<46}{ratio:>14.2f}{f'>= {TARGET_RATIO}':>14}")
        print(f"{'  failed submissions (parallel)':<46}{r['failed']:>14}{0:>14}")
        print(f"{'  every cell score identical':<46}{'yes' if r['same'] else 'NO':>14}{'yes':>14}")
    for assignment in names:
        for exercise_id in layout.assignments()[assignment]:
            rate = bulk_checks(exercise_id, 2000)
            print(f"{f'kernel-free checks, {exercise_id} (subm./s)':<46}{rate:>14.0f}{'':>14}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
