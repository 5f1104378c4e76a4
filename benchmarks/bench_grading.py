"""Grading speed: sequential stock `nbgrader autograde` (a kernel per notebook) vs
`bana course grade --jobs 2` (the course's cells run in process), and kernel-free bulk
checking of structured answers.

    .venv/bin/python benchmarks/bench_grading.py [--students 200] [--jobs 2] [--assignment ch02]

For every assignment the declarations define, both autograde runs grade the same simulated
class (complete and partial submissions) in two copies of one demo course, on the same
machine in the same run; the script prints both times, the ratio and whether every cell's
score is identical, per assignment, and the peak memory of the `bana course grade` run (its
largest process). The sequential run uses the kernel (``c.InProcessExecute.in_process =
False``), as stock nbgrader does. Targets (issue 12): ratio >= 20 for 200 submissions of
ch02 on 2 cores; >= 2,000 submissions/s for the kernel-free checks. The previous baseline
(parallel kernels) was 1.7.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook

from bana_tools.course.demo import PROFILES, make_demo
from bana_tools.course.nbgrader_run import nbgrader_env

TARGET_RATIO = 20.0
RESULTS = Path(__file__).resolve().parent / "results"
TARGET_CHECKS_PER_S = 2000


#: Runs a command and prints the largest resident set of its processes (KiB), so the figure
#: is the grading run's alone (not the demo's or the sequential run's).
PEAK_OF_CHILDREN = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


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
    """Sequential stock nbgrader autograde vs bana course grade for one assignment's class."""
    from bana_tools.course import layout

    with tempfile.TemporaryDirectory(prefix="bana-bench-") as tmp:
        base = Path(tmp) / "base"
        kinds = ["complete", "partial"]
        profiles = [*PROFILES, *(kinds[i % 2] for i in range(max(0, students - len(PROFILES))))]
        make_demo(base, students=students, seed=1, assignments=[assignment],
                  profiles=profiles[:students])
        seq, par = Path(tmp) / "sequential", Path(tmp) / "parallel"
        shutil.copytree(base, seq)
        shutil.copytree(base, par)
        with open(seq / "nbgrader_config.py", "a", encoding="utf-8") as handle:
            handle.write("c.InProcessExecute.in_process = False  # stock: a kernel per notebook\n")

        start = time.perf_counter()
        # stock nbgrader exits 1 when a submission cannot be read (the truncated-notebook
        # profile) and grades the rest: compare on the students it graded
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", assignment], cwd=seq,
                       env=nbgrader_env(), check=False, capture_output=True)
        t_seq = time.perf_counter() - start

        start = time.perf_counter()
        grade = [sys.executable, "-m", "bana_tools", "course", "grade", assignment,
                 "--jobs", str(jobs), "--course", str(par)]
        done = subprocess.run([sys.executable, "-c", PEAK_OF_CHILDREN, *grade],
                              env=nbgrader_env(), check=True, capture_output=True, text=True)
        t_par = time.perf_counter() - start
        peak_mib = float(done.stdout.strip().splitlines()[-1]) / 1024

        theirs = cell_scores(seq, assignment)
        ours = cell_scores(par, assignment)
        # students whose every notebook stock nbgrader autograded (it gives up on a
        # notebook it cannot read, where bana course grade grades the answers file)
        notebooks = len(layout.assignments()[assignment])
        graded_by_nbgrader = {
            key[0] for key in theirs
            if len(list((seq / "autograded" / key[0] / assignment).glob("*.ipynb"))) == notebooks}
        theirs = {k: v for k, v in theirs.items() if k[0] in graded_by_nbgrader}
        mine = {k: v for k, v in ours.items() if k[0] in graded_by_nbgrader}
        differ = sorted({k[0] for k in set(theirs) | set(mine) if theirs.get(k) != mine.get(k)})
        if differ:
            print(f"{assignment}: cell scores differ for {', '.join(differ)}", file=sys.stderr)
        same = bool(theirs) and not differ
    return {"seq": t_seq, "par": t_par, "same": same, "peak_mib": peak_mib,
            "compared": len(graded_by_nbgrader), "students": students}


def main() -> int:
    from bana_tools.course import layout

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--assignment", action="append", dest="assignments",
                        help="only this assignment (repeatable; default: every assignment)")
    args = parser.parse_args()
    names = args.assignments or list(layout.assignments())
    results = {a: bench_assignment(a, args.students, args.jobs) for a in names}
    lines: list[str] = []
    out = lines.append  # the table: printed and saved at the end
    out(f"bench_grading.py --students {args.students} --jobs {args.jobs} on "
        f"{os.cpu_count()} cores, commit {_commit()}, {datetime.now():%Y-%m-%d %H:%M}")
    out(f"{'measure':<46}{'result':>14}{'baseline':>14}")
    ok = True
    for assignment, r in results.items():
        ratio = r["seq"] / r["par"]
        ok = ok and bool(r["same"])
        out(f"--- {assignment} ({args.students} submissions, "
            f"{len(layout.assignments()[assignment])} notebook(s) each)")
        out(f"{'  sequential nbgrader autograde (s)':<46}{r['seq']:>14.1f}{'':>14}")
        out(f"{f'  bana course grade --jobs {args.jobs} (s)':<46}{r['par']:>14.1f}{'':>14}")
        out(f"{'  speed-up (sequential / parallel)':<46}{ratio:>14.2f}{f'>= {TARGET_RATIO}':>14}")
        out(f"{'  peak memory of a grading process (MiB)':<46}{r['peak_mib']:>14.0f}{'':>14}")
        out(f"{'  students nbgrader graded (compared)':<46}{r['compared']:>14}{r['students']:>14}")
        out(f"{'  every cell score identical':<46}{'yes' if r['same'] else 'NO':>14}{'yes':>14}")
    for assignment in names:
        for exercise_id in layout.assignments()[assignment]:
            rate = bulk_checks(exercise_id, 2000)
            out(f"{f'kernel-free checks, {exercise_id} (subm./s)':<46}{rate:>14.0f}"
                f"{f'>= {TARGET_CHECKS_PER_S}':>14}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    saved = RESULTS / f"grading-{datetime.now():%Y%m%d-%H%M%S}.txt"
    saved.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write("\n".join(lines) + f"\n(saved to {saved})\n")
    return 0 if ok else 1


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).parent,
                          capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
