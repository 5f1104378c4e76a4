"""Class hub under load: many simulated students fetch, answer and submit ch01 at once
through `bana course hub` (JupyterHub on loopback, a Unix account and a server per student,
a PostgreSQL gradebook), then the grader collects, grades, and releases feedback.

    sudo .venv/bin/python benchmarks/bench_hub.py [--students 100] [--concurrency 20]

Needs root (the class's Unix accounts, ``bnb-s001``... ``bnb-inst``, ``bnb-grader``, made
and deleted by the script) and Debian's ``postgresql``. The phases, each timed: the hub's
start (preparing accounts, course and exchange, then JupyterHub answering); every student's
server spawned (``--concurrency`` at a time); then, ``--concurrency`` students at a time
through the servers' REST APIs (the calls the Assignments tab and the form make): fetch
ch01, save answers with the form's answers store in a kernel, submit; then, in a terminal
of the formgrader service, `nbgrader collect`, `bana course grade ch01 --jobs 2`,
`nbgrader generate_feedback` and `nbgrader release_feedback`; then every student fetches
their feedback. Prints p50/p95 of each request, the errors, grading time and the peak
memory of the whole class (hub, proxy, servers, kernels, grading, PostgreSQL), and writes
the figures to ``benchmarks/results/hub-<timestamp>.json``. Target (issue): 0 errors; the
other figures have no stated target yet and are reported for the record.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

COURSE = "bana7085"
ASSIGNMENT = "ch01"
EX = "ch01-case-study"
PREFIX = "bnb"
INSTRUCTOR = f"{PREFIX}-inst"
GRADER = f"{PREFIX}-grader"
HUB_DIR = Path("/srv/bana-bench-hub")
RESULTS = REPO / "benchmarks" / "results"
TARGET_ERRORS = 0

SAVE_ANSWERS = """
import json
from bana_tools.answers.store import AnswerStore
from bana_tools.exercises import get_exercise
result = AnswerStore.beside(get_exercise({ex!r}), {folder!r}).save(json.loads({answers!r}))
print(json.dumps(sorted(result.answers)))
"""


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def closed_folders() -> set[str]:
    """Folders on the way to this Python and its packages that other accounts cannot pass
    (the students' servers run this Python)."""
    import sysconfig

    closed = set()
    for target in (Path(os.path.realpath(sys.executable)), Path(sysconfig.get_paths()["purelib"])):
        for folder in target.parents:
            if not folder.stat().st_mode & 0o001:
                closed.add(str(folder))
    return closed


class MemorySampler(threading.Thread):
    """Every second: the total resident memory of this process's tree and PostgreSQL's,
    and the machine's available memory; keeps the peak and the lowest. While ``watch`` is
    set, also notes folders that close on the way to this Python (another run's
    ``python_for_everyone`` putting modes back while this one runs)."""

    def __init__(self, extra_roots: Callable[[], list[int]]) -> None:
        super().__init__(daemon=True)
        self.extra_roots = extra_roots
        self.peak_kib = 0
        self.min_available_kib: int | None = None
        self.watch = False
        self.closed: set[str] = set()
        self._stop = threading.Event()

    def sample(self) -> None:
        out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="], capture_output=True,
                             text=True, check=False).stdout
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) != 3:
                continue
            pid, ppid, kib = (int(p) for p in parts)
            children.setdefault(ppid, []).append(pid)
            rss[pid] = kib
        seen: set[int] = set()
        todo = [os.getpid(), *self.extra_roots()]
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            todo.extend(children.get(pid, []))
        self.peak_kib = max(self.peak_kib, sum(rss.get(p, 0) for p in seen))
        if self.watch:
            self.closed |= closed_folders()
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1])
                if self.min_available_kib is None or available < self.min_available_kib:
                    self.min_available_kib = available

    def run(self) -> None:
        while not self._stop.wait(1.0):
            with contextlib.suppress(Exception):  # a missed sample is no reason to stop
                self.sample()

    def stop(self) -> None:
        self._stop.set()


class Recorder:
    """Latencies per request kind and the errors, from many threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def timed(self, kind: str, user: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 - every failure counts, none stops the run
            with self.lock:
                self.errors.append(f"{kind} {user}: {type(exc).__name__}: {str(exc)[:300]}")
            return None
        elapsed = time.perf_counter() - start
        with self.lock:
            self.latency.setdefault(kind, []).append(elapsed)
        return result


def answers_for(index: int, student: str) -> dict[str, Any]:
    """Complete answers for two students in three, partial for the third (as the test)."""
    from bana_tools.course.answers_sim import complete_answers, partial_answers
    from bana_tools.exercises import get_exercise

    rng = random.Random(index)
    make = complete_answers if index % 3 else partial_answers
    return make(get_exercise(EX), rng, student)


def run_phase(students: list[str], concurrency: int, work: Callable[[int, str], None]) -> float:
    start = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=concurrency)
    try:
        for future in [pool.submit(work, i, s) for i, s in enumerate(students)]:
            future.result()
    except BaseException:  # Ctrl-C: no new work; the running calls fail once the hub stops
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return time.perf_counter() - start


def bench(args: argparse.Namespace) -> dict[str, Any]:
    from requests.adapters import HTTPAdapter

    from bana_tools.hub.settings import HubSettings
    from support.hub import ClassHub, HubDriver, delete_users, free_ports, python_for_everyone
    from support.postgres import PostgresServer, postgres_bin

    students = [f"{PREFIX}-s{i:03d}" for i in range(1, args.students + 1)]
    everyone = [*students, INSTRUCTOR, GRADER]
    delete_users(everyone)  # left by an interrupted run
    subprocess.run(["rm", "-rf", str(HUB_DIR)], check=False)
    wall = time.perf_counter()
    rec = Recorder()
    figures: dict[str, Any] = {"students": args.students, "concurrency": args.concurrency}
    pg = PostgresServer(postgres_bin(), password=secrets.token_urlsafe(12)).start()
    hub: ClassHub | None = None

    def postmaster() -> list[int]:
        pid_file = pg.root / "data" / "postmaster.pid"
        try:
            return [int(pid_file.read_text().split()[0])]
        except (OSError, ValueError, IndexError):
            return []

    memory = MemorySampler(postmaster)
    memory.start()
    try:
        with python_for_everyone() as python:
            db_url = pg.create_database("bana_bench_hub")
            port, hub_port, service_port = free_ports(3)
            settings = HubSettings(
                course_id=COURSE, hub_dir=HUB_DIR, students=students, instructors=[INSTRUCTOR],
                grader=GRADER, users="system", authenticator="shared",
                password=secrets.token_urlsafe(12), admin_password=secrets.token_hex(24),
                port=port, hub_port=hub_port, service_port=service_port, python=python,
                db_url=db_url)
            memory.watch = True
            print(f"hub on 127.0.0.1:{port}, {args.students} students, "
                  f"{args.concurrency} at a time", flush=True)

            start = time.perf_counter()
            hub = ClassHub(settings).start(create_users=True, timeout=1200)
            figures["hub_start_s"] = time.perf_counter() - start
            print(f"  hub up in {figures['hub_start_s']:.1f} s", flush=True)
            driver = HubDriver(hub)
            driver.session.mount("http://", HTTPAdapter(pool_maxsize=max(10, args.concurrency)))

            spawned: set[str] = set()

            def spawn(_: int, student: str) -> None:
                if rec.timed("spawn", student, lambda: driver.start_server(student) or True):
                    spawned.add(student)

            figures["spawn_phase_s"] = run_phase(students, args.concurrency, spawn)
            print(f"  {len(spawned)} servers ready in {figures['spawn_phase_s']:.1f} s",
                  flush=True)

            submitted: set[str] = set()

            def on_server(kind: str, student: str, call: Callable[[], Any]) -> Any:
                """``call`` timed; on failure, says whether the student's server still runs
                (a crashed server answers with the hub's own pages, e.g. 403 for _xsrf)."""
                result = rec.timed(kind, student, call)
                if result is None:
                    with contextlib.suppress(Exception):
                        model = driver.hub_api("GET", f"/users/{student}").json()
                        if not ((model.get("servers") or {}).get("") or {}).get("ready"):
                            with rec.lock:
                                mine = [i for i, e in enumerate(rec.errors)
                                        if e.startswith(f"{kind} {student}:")]
                                rec.errors[mine[-1]] += " (their server is no longer running)"
                return result

            def session(index: int, student: str) -> None:
                if student not in spawned:
                    return
                if on_server("fetch", student,
                             lambda: driver.assignment_action(student, "fetch", ASSIGNMENT)) is None:
                    return
                answers = json.dumps(answers_for(index, student))
                code = SAVE_ANSWERS.format(ex=EX, folder=ASSIGNMENT, answers=answers)
                if on_server("save", student, lambda: driver.run_code(student, code)) is None:
                    return
                done = on_server("submit", student,
                                 lambda: driver.assignment_action(student, "submit", ASSIGNMENT))
                if done is not None:
                    submitted.add(student)

            figures["submit_phase_s"] = run_phase(students, args.concurrency, session)
            print(f"  {len(submitted)} submissions in {figures['submit_phase_s']:.1f} s",
                  flush=True)

            steps = {
                "collect": f"nbgrader collect {ASSIGNMENT}",
                "grade": f"bana course grade {ASSIGNMENT} --jobs 2",
                "generate_feedback": f"nbgrader generate_feedback {ASSIGNMENT}",
                "release_feedback": f"nbgrader release_feedback {ASSIGNMENT}",
            }
            for name, command in steps.items():
                start = time.perf_counter()
                try:
                    [(status, output)] = driver.run_in_terminal(
                        f"/services/{COURSE}", [command], as_user=INSTRUCTOR, timeout=3600)
                except Exception as exc:  # noqa: BLE001
                    status, output = -1, f"{type(exc).__name__}: {exc}"
                figures[f"{name}_s"] = time.perf_counter() - start
                print(f"  {command}: {figures[f'{name}_s']:.1f} s (exit {status})", flush=True)
                if status != 0:
                    rec.errors.append(f"{name}: exit {status}: {output[-600:]}")

            from nbgrader.api import Gradebook

            with Gradebook(db_url) as gb:
                figures["graded"] = sum(
                    1 for sub in gb.assignment_submissions(ASSIGNMENT)
                    if sub.score is not None and sub.student.id in submitted)
            figures["submitted"] = len(submitted)

            def feedback(_: int, student: str) -> None:
                if student in submitted:
                    rec.timed("fetch_feedback", student, lambda: driver.assignment_action(
                        student, "fetch_feedback", ASSIGNMENT))

            figures["feedback_phase_s"] = run_phase(students, args.concurrency, feedback)
            with_feedback = sum(
                1 for s in submitted
                if list((Path("/home") / s / ASSIGNMENT / "feedback").glob(f"*/{EX}.html")))
            figures["with_feedback"] = with_feedback
            if with_feedback != len(submitted):
                rec.errors.append(f"feedback: {len(submitted) - with_feedback} submitters have "
                                  "no feedback file")
            memory.sample()
            memory.watch = False
    finally:
        memory.stop()
        if memory.closed:
            rec.errors.insert(0, f"{', '.join(sorted(memory.closed))} closed to other accounts "
                              "during the run (another run's python_for_everyone ended?): "
                              "servers and kernels started after that fail")
        figures["wall_s"] = time.perf_counter() - wall
        if hub is not None:
            hub.stop()
            if hub.log.exists():  # the hub's log outlives its folder, beside the figures
                RESULTS.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(hub.log, RESULTS / f"hub-{args.stamp}.log")
        pg.stop()
        delete_users(everyone)
        subprocess.run(["rm", "-rf", str(HUB_DIR)], check=False)
    for kind, values in rec.latency.items():
        figures[f"{kind}_p50_s"] = percentile(values, 50)
        figures[f"{kind}_p95_s"] = percentile(values, 95)
        figures[f"{kind}_max_s"] = max(values)
        figures[f"{kind}_count"] = len(values)
    figures["errors"] = len(rec.errors)
    figures["error_messages"] = rec.errors
    figures["peak_rss_mib"] = memory.peak_kib / 1024
    if memory.min_available_kib is not None:
        figures["min_available_mib"] = memory.min_available_kib / 1024
    return figures


def report(f: dict[str, Any]) -> None:
    def row(label: str, value: Any, target: str = "", fmt: str = ".2f") -> None:
        shown = "n/a" if value is None else (f"{value:{fmt}}" if isinstance(value, float)
                                             else str(value))
        print(f"{label:<46}{shown:>14}{target:>14}")

    print(f"{'measure':<46}{'result':>14}{'target':>14}")
    print(f"--- {f['students']} students, {f['concurrency']} at a time")
    row("errors (any failed request or step)", f["errors"], f"{TARGET_ERRORS}")
    row("submissions (of students)", f"{f.get('submitted', 0)}/{f['students']}",
        f"{f['students']}/{f['students']}")
    row("hub start: prepare + JupyterHub up (s)", f.get("hub_start_s"), fmt=".1f")
    row("servers spawned, all (s)", f.get("spawn_phase_s"), fmt=".1f")
    for kind, label in [("spawn", "server spawn"), ("fetch", "fetch ch01"),
                        ("save", "save answers (kernel)"), ("submit", "submit ch01"),
                        ("fetch_feedback", "fetch feedback")]:
        row(f"  {label} p50 (s)", f.get(f"{kind}_p50_s"))
        row(f"  {label} p95 (s)", f.get(f"{kind}_p95_s"))
    row("fetch + save + submit, all (s)", f.get("submit_phase_s"), fmt=".1f")
    row("nbgrader collect (s)", f.get("collect_s"), fmt=".1f")
    row("bana course grade --jobs 2 (s)", f.get("grade_s"), fmt=".1f")
    submitted = f.get("submitted") or 0
    per = f["grade_s"] / submitted if submitted and f.get("grade_s") else None
    row("  grading per submission (s)", per, fmt=".3f")
    row("  submissions graded in the gradebook", f.get("graded"), str(submitted))
    row("generate + release feedback (s)",
        (f.get("generate_feedback_s") or 0) + (f.get("release_feedback_s") or 0), fmt=".1f")
    row("  submitters with their feedback file", f.get("with_feedback"), str(submitted))
    row("peak memory of the class's processes (MiB)", f.get("peak_rss_mib"), fmt=".0f")
    row("lowest available memory (MiB)", f.get("min_available_mib"), fmt=".0f")
    row("wall time (s)", f.get("wall_s"), fmt=".0f")
    for message in f["error_messages"][:20]:
        print(f"error: {message}", file=sys.stderr)
    if len(f["error_messages"]) > 20:
        print(f"... and {len(f['error_messages']) - 20} more errors", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20,
                        help="how many students act at once (default: 20)")
    args = parser.parse_args()
    args.stamp = time.strftime("%Y%m%d-%H%M%S")
    if os.geteuid() != 0:
        print("bench_hub.py needs root (it makes the class's Unix accounts): "
              "sudo .venv/bin/python benchmarks/bench_hub.py", file=sys.stderr)
        return 2
    from support.postgres import postgres_bin

    if postgres_bin() is None:
        print("bench_hub.py needs PostgreSQL (apt-get install postgresql)", file=sys.stderr)
        return 2
    try:
        figures = bench(args)
    except KeyboardInterrupt:
        print("interrupted; the accounts, hub and database are removed", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - the run failed before any figure: say where
        traceback.print_exc()
        return 1
    report(figures)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"hub-{args.stamp}.json"
    out.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"figures written to {out.relative_to(REPO)} (the hub's log beside them)")
    return 0 if figures["errors"] == TARGET_ERRORS else 1


if __name__ == "__main__":
    sys.exit(main())
