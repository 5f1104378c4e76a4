"""Benchmark: exercise forms in the kernel, autosave latency, and the forms' import cost.

Run: ``.venv/bin/python benchmarks/bench_forms.py [--repeat 20]``

Prints, each beside its baseline:

- **import time** of ``bana_tools.forms`` + building one form, against ``import ipywidgets``
  alone (each in a fresh interpreter, median of 5), and which heavy libraries got imported
  (matplotlib, scikit-learn and pandas must not be);
- **form build time** for every exercise (empty, then filled from the answers file),
  median of ``--repeat`` builds in one process after a warm-up;
- **save latency** of :meth:`AnswerStore.save` (lock, re-read, merge, validated write of the
  file and its backup with fsync, ``os.replace``) for one changed field, against a naive
  ``json.dump`` straight over the file (no lock, no fsync, no backup: the version that can
  lose answers), median and p95 of ``--repeat`` saves;
- **autosave latency** seen by a student: from the last keystroke (widget value set) to
  the file holding it, with the form's 0.5 s debounce; the figure minus 0.5 s is the
  overhead.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bana_tools.answers import AnswerStore, answers_path
from bana_tools.course.answers_sim import example_answers
from bana_tools.exercises import exercise_ids, get_exercise


def _fresh(code: str, runs: int = 5) -> tuple[float, str]:
    times, last = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        times.append(time.perf_counter() - start)
        last = out.stdout.strip()
    return statistics.median(times), last


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def bench_imports() -> None:
    empty, _ = _fresh("pass")
    widgets_only, _ = _fresh("import ipywidgets")
    ours, heavy = _fresh(
        "import sys, tempfile\n"
        "from bana_tools.forms import build_form\n"
        "build_form('ch02-readmission', tempfile.mkdtemp())\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'matplotlib', 'sklearn', 'pandas'})) or 'none')"
    )
    print("import (fresh interpreter, median of 5; interpreter start-up subtracted)")
    print(f"  import ipywidgets alone                 {1000 * (widgets_only - empty):8.0f} ms  (baseline)")
    print(f"  bana_tools.forms + build a form         {1000 * (ours - empty):8.0f} ms")
    print(f"  heavy libraries imported: {heavy}")


def bench_builds(repeat: int) -> None:
    from bana_tools.forms import build_form

    print(f"form build time (median of {repeat})")
    print(f"  {'exercise':<22}{'empty':>10}{'filled':>10}  questions")
    for exercise_id in exercise_ids():
        empty_dir = Path(tempfile.mkdtemp())
        filled_dir = Path(tempfile.mkdtemp())
        AnswerStore.beside(get_exercise(exercise_id), filled_dir).save(
            example_answers(exercise_id))
        figures = []
        for folder in (empty_dir, filled_dir):
            build_form(exercise_id, folder)  # warm-up
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                build_form(exercise_id, folder)
                times.append(time.perf_counter() - start)
            figures.append(statistics.median(times))
        count = len(get_exercise(exercise_id).questions)
        print(f"  {exercise_id:<22}{1000 * figures[0]:8.1f}ms{1000 * figures[1]:8.1f}ms  {count}")


def bench_saves(repeat: int) -> None:
    exercise = get_exercise("ch02-readmission")
    folder = Path(tempfile.mkdtemp())
    store = AnswerStore.beside(exercise, folder)
    store.save(example_answers("ch02-readmission"))
    ours = []
    for i in range(repeat):
        start = time.perf_counter()
        store.save({"value": f"edit {i} " + "word " * 150})
        ours.append(time.perf_counter() - start)
    naive_path = folder / "naive.json"
    payload = json.loads(store.path.read_text())
    naive = []
    for i in range(repeat):
        payload["answers"]["value"] = f"edit {i} " + "word " * 150
        start = time.perf_counter()
        with open(naive_path, "w") as handle:
            json.dump(payload, handle)
        naive.append(time.perf_counter() - start)
    print(f"save of one changed field, ch02-readmission, complete answers ({repeat} saves)")
    print(f"  naive json.dump over the file   median {1000 * statistics.median(naive):7.2f} ms"
          f"   p95 {1000 * _p95(naive):7.2f} ms  (baseline: unsafe)")
    print(f"  AnswerStore.save (safe)         median {1000 * statistics.median(ours):7.2f} ms"
          f"   p95 {1000 * _p95(ours):7.2f} ms")


def bench_autosave(repeat: int) -> None:
    from bana_tools.forms import build_form

    folder = Path(tempfile.mkdtemp())
    form = build_form("ch02-readmission", folder, debounce=0.5)
    path = answers_path("ch02-readmission", folder)
    delays = []
    for i in range(min(repeat, 10)):
        text = f"keystroke {i}"
        start = time.perf_counter()
        form.questions["value"].input.value = text
        while True:
            try:
                if json.loads(path.read_text())["answers"]["value"] == text:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.002)
        delays.append(time.perf_counter() - start)
    median = statistics.median(delays)
    print(f"autosave: last keystroke to file ({len(delays)} edits, debounce 0.5 s)")
    print(f"  median {1000 * median:7.1f} ms   overhead beyond the debounce "
          f"{1000 * (median - 0.5):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    bench_imports()
    bench_builds(args.repeat)
    bench_saves(args.repeat)
    bench_autosave(args.repeat)


if __name__ == "__main__":
    main()
