"""Grading speed: sequential `nbgrader autograde` vs `bana course grade --jobs 2`, and
kernel-free bulk checking of structured answers.

    .venv/bin/python benchmarks/bench_grading.py [--students 60] [--jobs 2]

Both autograde runs grade the same simulated class (complete and partial submissions of
ch01) in two copies of one demo course, on the same machine in the same run; the script
prints both times, the ratio, and whether every cell's score is identical. Baseline
(target from the issue): ratio >= 1.7 on 2 cores.
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


def bulk_checks(n: int) -> float:
    """Submissions per second for running all checks of ch01 on in-memory answers."""
    from bana_tools.course.answers_sim import complete_answers, partial_answers
    from bana_tools.exercises import get_exercise
    from bana_tools.grading import run_checks

    exercise = get_exercise("ch01-case-study")
    rng = random.Random(0)
    answers = [(complete_answers if i % 2 else partial_answers)(exercise, rng) for i in range(n)]
    start = time.perf_counter()
    for a in answers:
        run_checks(exercise, a, visibility="all")
    return n / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    assignment = "ch01"
    with tempfile.TemporaryDirectory(prefix="bana-bench-") as tmp:
        base = Path(tmp) / "base"
        profiles = ["complete" if i % 3 else "partial" for i in range(args.students)]
        make_demo(base, students=args.students, seed=1, assignments=[assignment], profiles=profiles)
        seq, par = Path(tmp) / "sequential", Path(tmp) / "parallel"
        shutil.copytree(base, seq)
        shutil.copytree(base, par)

        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", assignment], cwd=seq,
                       env=nbgrader_env(), check=True, capture_output=True)
        t_seq = time.perf_counter() - start

        start = time.perf_counter()
        run = grade_assignment(par, assignment, jobs=args.jobs)
        t_par = time.perf_counter() - start

        same = cell_scores(seq, assignment) == cell_scores(par, assignment)
    rate = bulk_checks(2000)
    ratio = t_seq / t_par
    print(f"{'measure':<44}{'result':>14}{'baseline':>14}")
    print(f"{'submissions (ch01)':<44}{args.students:>14}{'':>14}")
    print(f"{'sequential nbgrader autograde (s)':<44}{t_seq:>14.1f}{'':>14}")
    print(f"{f'bana course grade --jobs {args.jobs} (s)':<44}{t_par:>14.1f}{'':>14}")
    print(f"{'speed-up (sequential / parallel)':<44}{ratio:>14.2f}{f'>= {TARGET_RATIO}':>14}")
    print(f"{'failed submissions (parallel)':<44}{len(run.failed):>14}{0:>14}")
    print(f"{'every cell score identical':<44}{'yes' if same else 'NO':>14}{'yes':>14}")
    print(f"{'kernel-free bulk checks (submissions/s)':<44}{rate:>14.0f}{'':>14}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
