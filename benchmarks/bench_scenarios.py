"""Benchmark: per-student data and expected values of the computational exercises.

Run: ``.venv/bin/python benchmarks/bench_scenarios.py [--students 10]``

For every exercise with a data scenario (found from the declarations), prints side by side:

- **first call**: ``data`` + ``solve`` for one student in a fresh process state (imports of
  pandas, scikit-learn, pandera... included), what the first student pays in a grading
  worker or a notebook;
- **per student**: median and max of ``data`` + ``solve`` for ``--students`` further ids,
  against the budget of 1 s per student (a class of 200 then costs at most 200 s of checks
  per exercise, spread over the workers);
- **checks per second**: every public and hidden check of the exercise on complete answers,
  once the student's expected values are cached (what each further check costs), against
  the grading target of 2,000 checks/s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import all_exercises
from bana_tools.exercises.variants import variant_seed
from bana_tools.grading.runner import run_checks
from bana_tools.scenarios import expected_for, scenario_module

BUDGET_S = 1.0
CHECKS_TARGET = 2_000


def _seed(exercise, student: str) -> int:
    if exercise.scenario.per_student:
        return variant_seed(exercise.id, student)
    return int(exercise.scenario.params.get("seed", 0))


def bench(exercise, students: int) -> dict[str, float]:
    module = scenario_module(exercise)
    params = dict(exercise.scenario.params)
    start = time.perf_counter()
    module.data(params, _seed(exercise, "first"))
    module.solve(params, _seed(exercise, "first"))
    first = time.perf_counter() - start
    times = []
    for n in range(students):
        seed = _seed(exercise, f"student{n}")
        start = time.perf_counter()
        module.data(params, seed)
        module.solve(params, seed)
        times.append(time.perf_counter() - start)
    answers = complete_answers(exercise, random.Random(1), "student0")
    expected_for(exercise, answers)  # cached from here on, as in a grading worker
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.5:
        run_checks(exercise, answers, visibility="all")
        runs += 1
    checks_per_s = runs * len(exercise.checks) / (time.perf_counter() - start)
    return {"first": first, "median": statistics.median(times), "max": max(times),
            "checks_per_s": checks_per_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    args = parser.parse_args()
    print(f"{'exercise':<20} {'first call':>11} {'per student (median / max)':>28} "
          f"{'budget':>7} {'checks/s':>9} {'target':>7}")
    for exercise in all_exercises():
        if exercise.scenario is None:
            continue
        r = bench(exercise, args.students)
        ok = "ok" if r["max"] <= BUDGET_S else "OVER"
        print(f"{exercise.id:<20} {r['first']:>10.2f}s {r['median']:>17.3f}s / {r['max']:.3f}s "
              f"{BUDGET_S:>6.1f}s {r['checks_per_s']:>9,.0f} {CHECKS_TARGET:>7,} {ok}")


if __name__ == "__main__":
    main()
