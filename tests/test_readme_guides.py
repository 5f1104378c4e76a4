"""The README's instructor guides, run as written.

The fenced command blocks of "Try it in a minute with a simulated class" and "A real class,
from an empty folder to exported grades" are read from README.md and run line by line in
bash, in a temporary HOME, after the README's own `source .venv/bin/activate`. Nothing is
rewritten: `~` is the temporary HOME, `cd` carries over, and `jupyter lab` runs as typed
(in the background; the test checks that its Formgrader answers, then stops it).

What a person does between commands is simulated where the README says so in a comment:
editing nbgrader_config.py (exchange folder and Canvas ids), the students.csv the import
reads, and students fetching, answering through the same answers store the form uses, and
submitting with nbgrader's own commands. Each such step is tied to the README's words; if
the README changes them, the test fails until this file follows, so docs and test cannot
drift apart silently.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bana_tools.course import layout
from support.readme import readme_block

REPO = Path(__file__).resolve().parents[1]
DEMO = "Try it in a minute with a simulated class"
REAL = "A real class, from an empty folder to exported grades"
STUDENTS = ("ada", "grace", "alan")


#: Steps a person does between the commands, keyed by the README's own words (a regex on a
#: comment line, or on a command line for a step that must come just before it).
HOOKS: dict[str, str] = {
    r"^# edit nbgrader_config\.py: c\.Exchange\.root": "edit-config",
    r"^nbgrader db student import students\.csv": "students-csv",
    r"^# \.\.\. students work, then submit": "students-submit",
}


def script_for(lines: list[str], hooks_py: Path) -> tuple[str, list[str]]:
    """The bash script that runs ``lines`` as written, with the simulated steps in between."""
    out = ["set -euo pipefail", f'source "{Path(sys.executable).parent / "activate"}"']
    fired: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        for pattern, hook in HOOKS.items():
            if re.search(pattern, line):
                out.append(f'python "{hooks_py}" {hook}')
                fired.append(hook)
        if line.startswith("#"):
            continue
        command = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
        out.append(f"echo '+ {command}' >&2")
        if command == "jupyter lab":
            out += [
                'jupyter lab > "$BANA_LOGS/lab.log" 2>&1 &',
                "LAB=$!",
                f'python "{hooks_py}" lab-check || {{ kill $LAB; cat "$BANA_LOGS/lab.log" >&2; exit 1; }}',
                "kill $LAB; wait $LAB || true",
            ]
        else:
            out.append(command)
    return "\n".join(out) + "\n", fired


HOOKS_PY = r'''
"""Simulated steps of the README guides (see tests/test_readme_guides.py)."""
import json, os, subprocess, sys, time, urllib.request
from pathlib import Path

STUDENTS = %(students)r
exchange = os.environ["BANA_EXCHANGE"]
cwd = Path.cwd()


def nbgrader(home, *args):
    env = dict(os.environ, HOME=str(home))
    subprocess.run(["nbgrader", *args], cwd=home, env=env, check=True,
                   capture_output=True, text=True)


step = sys.argv[1]
if step == "edit-config":
    with open(cwd / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write(f"c.Exchange.root = {exchange!r}\n")
        handle.write('c.CanvasExportPlugin.assignment_ids = {"ch01": 123456}\n')
        handle.write('c.CanvasExportPlugin.roster = "canvas-roster.csv"\n')
    rows = ["Student,ID,SIS User ID,SIS Login ID,Section"]
    rows += [f'"{s.title()}, Test",{900 + i},A{i:03d},{s},BANA 7085 001'
             for i, s in enumerate(STUDENTS, start=1)]
    (cwd / "canvas-roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
elif step == "students-csv":
    rows = ["id,first_name,last_name,email"]
    rows += [f"{s},{s.title()},Test,{s}@example.edu" for s in STUDENTS]
    (cwd / "students.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
elif step == "students-submit":
    import random
    from bana_tools.answers.store import AnswerStore
    from bana_tools.course import layout
    from bana_tools.course.answers_sim import complete_answers
    from bana_tools.exercises import get_exercise

    homes = Path(os.environ["BANA_HOMES"])
    for n, student in enumerate(STUDENTS):
        home = homes / student
        (home / ".jupyter").mkdir(parents=True, exist_ok=True)
        (home / ".jupyter" / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.course_id = 'bana7085'\n"
            f"c.Exchange.root = {exchange!r}\n", encoding="utf-8")
        nbgrader(home, "fetch_assignment", "ch01")
        for exercise_id in layout.assignments()["ch01"]:
            exercise = get_exercise(exercise_id)
            store = AnswerStore.beside(exercise, home / "ch01")
            store.save(complete_answers(exercise, random.Random(n)))
        nbgrader(home, "submit", "ch01", f"--student={student}")
elif step == "lab-check":
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        out = subprocess.run(["jupyter", "server", "list", "--json"], capture_output=True, text=True)
        servers = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        for server in servers:
            url = f"{server['url']}formgrader?token={server['token']}"
            try:
                with urllib.request.urlopen(url, timeout=10) as reply:
                    page = reply.read().decode("utf-8", "replace")
                    if reply.status == 200 and "formgrader" in page.lower():
                        print("formgrader answers at", server["url"], file=sys.stderr)
                        sys.exit(0)
            except OSError:
                pass
        time.sleep(1)
    sys.exit("jupyter lab did not serve the formgrader within 120 s")
'''


def run_guide(tmp_path: Path, title: str) -> tuple[subprocess.CompletedProcess, Path, list[str]]:
    home = tmp_path / "home"
    (home / ".jupyter").mkdir(parents=True)
    # What a non-root instructor has by default: a server that may run here, no browser.
    (home / ".jupyter" / "jupyter_server_config.py").write_text(
        "c.ServerApp.allow_root = True\nc.ServerApp.open_browser = False\n"
        "c.ServerApp.ip = '127.0.0.1'\n", encoding="utf-8")
    hooks_py = tmp_path / "hooks.py"
    hooks_py.write_text(HOOKS_PY % {"students": STUDENTS}, encoding="utf-8")
    script, fired = script_for(readme_block(title), hooks_py)
    (tmp_path / "guide.sh").write_text(script, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "VIRTUAL_ENV", "BANA_"))}
    env.update(HOME=str(home), BANA_EXCHANGE=str(tmp_path / "exchange"),
               BANA_HOMES=str(tmp_path / "students"), BANA_LOGS=str(tmp_path))
    (tmp_path / "exchange").mkdir()
    proc = subprocess.run(["bash", str(tmp_path / "guide.sh")], cwd=home, env=env,
                          capture_output=True, text=True, timeout=1500)
    return proc, home, fired


def _assert_ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, f"a README command failed:\n{proc.stderr[-4000:]}\n{proc.stdout[-2000:]}"
    assert "Traceback" not in proc.stderr


def _canvas(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8").splitlines()))


@pytest.mark.slow
def test_simulated_class_guide_runs_as_written(tmp_path):
    proc, home, fired = run_guide(tmp_path, DEMO)
    _assert_ok(proc)
    assert fired == []
    course = home / "bana-demo"
    students = sorted(p.name for p in (course / "submitted").iterdir())
    assert len(students) == 20
    canvas = _canvas(course / "canvas.csv")
    assert canvas[1][0] == "Points Possible"
    assert len(canvas) == 2 + len(students)  # header, points row, one row per student
    for student in students:
        for exercise_id in layout.assignments()["ch01"]:
            assert (course / "feedback" / student / "ch01" / f"{exercise_id}.html").exists()
    assert (course / "reports" / "ch01" / "report.html").stat().st_size > 0
    assert (course / "reports" / "ch01" / "histogram.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_real_class_guide_runs_as_written(tmp_path):
    proc, home, fired = run_guide(tmp_path, REAL)
    _assert_ok(proc)
    assert sorted(fired) == sorted(HOOKS.values())  # every simulated step met its README line
    course = home / "bana7085"
    grades = list(csv.DictReader((course / "grades.csv").read_text().splitlines()))
    ch01 = {r["student_id"]: r for r in grades if r["assignment"] == "ch01"}
    assert set(ch01) == set(STUDENTS)
    assert all(float(r["score"]) > 0 for r in ch01.values())
    canvas = _canvas(course / "canvas.csv")
    assert canvas[0][5] == "ch01 (123456)" and canvas[1][0] == "Points Possible"
    assert len(canvas) == 2 + len(STUDENTS)
    by_login = {row[3]: row for row in canvas[2:]}
    assert set(by_login) == set(STUDENTS)
    assert by_login["ada"][1] == "901"  # Canvas ids copied from the roster
    assert (course / "reports" / "ch01" / "report.html").stat().st_size > 0
    released = list((tmp_path / "exchange").rglob("feedback/*.html"))
    assert len(released) == len(STUDENTS) * len(layout.assignments()["ch01"])
    log = json.dumps(proc.stderr)
    assert "+ nbgrader release_feedback ch01" in log
