"""A class on the course's JupyterHub, end to end on loopback (``bana course hub``).

30 students, each a Unix account with their own server (JupyterHub's LocalProcessSpawner),
log in with the shared-password login; through the Hub's and their server's REST APIs
(the calls JupyterLab's Assignments tab and the form make) each fetches ch01, saves
answers with the form's own answers store in a kernel, and submits. The grader account
collects, grades with ``bana course grade --jobs 2`` into a PostgreSQL gradebook that needs
a password, generates and releases feedback; every student fetches their feedback.

Needs root (Unix accounts) and Debian's ``postgresql``: CI has both; elsewhere the tests
are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import pwd
import random
import secrets
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from nbgrader.api import Gradebook

from bana_tools.course.answers_sim import complete_answers, partial_answers
from bana_tools.exercises import get_exercise
from bana_tools.grading import run_checks
from bana_tools.hub.settings import HubSettings
from support.hub import ClassHub, HubDriver, delete_users, free_ports, python_for_everyone, run_as

pytestmark = pytest.mark.hub

STUDENTS = [f"bnt-s{i:02d}" for i in range(1, 31)]
INSTRUCTOR = "bnt-inst"
GRADER = "bnt-grader"
COURSE = "bana7085"
ASSIGNMENT = "ch01"
EX = "ch01-case-study"

SAVE_ANSWERS = """
import json
from bana_tools.answers.store import AnswerStore
from bana_tools.exercises import get_exercise
result = AnswerStore.beside(get_exercise({ex!r}), {folder!r}).save(json.loads({answers!r}))
print(json.dumps(sorted(result.answers)))
"""

PROBE = """
import json, os, sys
import psycopg
paths = json.loads(sys.argv[1])
seen = {}
def attempt(name, action):
    try:
        action()
        seen[name] = "allowed"
    except PermissionError:
        seen[name] = "denied"
    except FileNotFoundError:
        seen[name] = "missing"
attempt("list the inbox", lambda: os.listdir(paths["inbound"]))
attempt("list the feedback folder", lambda: os.listdir(paths["feedback"]))
attempt("list the course folder", lambda: os.listdir(paths["course"]))
attempt("read the gradebook's settings", lambda: open(paths["course_config"]).read())
attempt("read the hub's settings", lambda: open(paths["hub_settings"]).read())
attempt("list another student's home", lambda: os.listdir(paths["other_home"]))
attempt("read another student's answers", lambda: open(paths["other_answers"]).read())
try:
    psycopg.connect(host="127.0.0.1", port=paths["pg_port"], user="bana", dbname=paths["pg_db"],
                    connect_timeout=10).close()
    seen["open the gradebook database"] = "allowed"
except psycopg.OperationalError:
    seen["open the gradebook database"] = "denied"
print(json.dumps(seen))
"""


def _answers_for(index: int, student: str) -> dict[str, Any]:
    exercise = get_exercise(EX)
    rng = random.Random(index)
    make = complete_answers if index % 3 else partial_answers
    return make(exercise, rng, student)


def _student_session(driver: HubDriver, index: int, student: str) -> dict[str, Any]:
    """What one student does: start their server, fetch, type answers, submit."""
    driver.start_server(student)
    fetched = driver.assignment_action(student, "fetch", ASSIGNMENT)
    answers = _answers_for(index, student)
    saved = driver.run_code(student, SAVE_ANSWERS.format(
        ex=EX, folder=ASSIGNMENT, answers=json.dumps(answers)))
    submitted = driver.assignment_action(student, "submit", ASSIGNMENT)
    return {"answers": answers, "saved_fields": json.loads(saved.strip().splitlines()[-1]),
            "fetched": fetched, "submitted": submitted}


def _require_root_and_postgres() -> None:
    from support.postgres import postgres_bin

    missing = []
    if os.geteuid() != 0:
        missing.append("root (the class's Unix accounts)")
    if postgres_bin() is None:
        missing.append("PostgreSQL (apt-get install postgresql)")
    if missing:
        message = "the class hub test needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI runs the class hub test: {message}", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def hub_class():
    _require_root_and_postgres()
    from support.postgres import PostgresServer, postgres_bin

    everyone = [*STUDENTS, INSTRUCTOR, GRADER]
    delete_users(everyone)  # left by an interrupted run
    root = Path(tempfile.mkdtemp(prefix="bana-class-hub-"))
    root.chmod(0o755)
    pg = PostgresServer(postgres_bin(), password=secrets.token_urlsafe(12)).start()
    hub = None
    opened = python_for_everyone()
    try:
        python = opened.__enter__()
        db_url = pg.create_database("bana7085_hub")
        port, hub_port, _, service_port = free_ports(4)  # hub_port + 1: the proxy's API
        settings = HubSettings(
            course_id=COURSE, hub_dir=root / "hub", students=STUDENTS, instructors=[INSTRUCTOR],
            grader=GRADER, db_url=db_url, users="system", password=secrets.token_urlsafe(9),
            admin_password=secrets.token_urlsafe(27), port=port, hub_port=hub_port,
            service_port=service_port, python=python, release=[ASSIGNMENT],
        )
        hub = ClassHub(settings).start(create_users=True)
        driver = HubDriver(hub)
        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = {s: pool.submit(_student_session, driver, i, s) for i, s in enumerate(STUDENTS)}
            sessions = {s: f.result() for s, f in futures.items()}
        course = Path(settings.course_dir)
        steps = {}
        for name, args in (
            ("collect", [str(python), "-m", "nbgrader", "collect", ASSIGNMENT]),
            ("grade", [str(python), "-m", "bana_tools", "course", "grade", ASSIGNMENT, "--jobs", "2"]),
            ("generate_feedback", [str(python), "-m", "nbgrader", "generate_feedback", ASSIGNMENT]),
            ("release_feedback", [str(python), "-m", "nbgrader", "release_feedback", ASSIGNMENT]),
        ):
            steps[name] = run_as(GRADER, args, cwd=course, python=python)
            raised = [ln for ln in steps[name].stderr.splitlines() if "Error" in ln]
            assert steps[name].returncode == 0, (name, raised[:6], steps[name].stderr[-1500:])
        with ThreadPoolExecutor(max_workers=6) as pool:
            feedback = dict(zip(STUDENTS, pool.map(
                lambda s: driver.assignment_action(s, "fetch_feedback", ASSIGNMENT), STUDENTS),
                strict=True))
        yield {"settings": settings, "driver": driver, "sessions": sessions, "steps": steps,
               "feedback": feedback, "course": course, "db_url": db_url, "pg": pg,
               "python": python, "hub": hub}
    finally:
        if hub is not None:
            hub.stop()
        pg.stop()
        delete_users(everyone)
        opened.__exit__(None, None, None)
        subprocess.run(["rm", "-rf", str(root)], check=False)


def test_every_student_fetched_saved_and_submitted(hub_class):
    for student, session in hub_class["sessions"].items():
        statuses = {a["status"] for a in session["submitted"] if a["assignment_id"] == ASSIGNMENT}
        assert "submitted" in statuses, student
        assert session["saved_fields"] == sorted(get_exercise(EX).clean_answers(session["answers"])[0]), student


def test_no_answer_is_lost_between_the_form_and_the_gradebook(hub_class):
    course = hub_class["course"]
    exercise = get_exercise(EX)
    for student, session in hub_class["sessions"].items():
        home = Path("/home") / student / ASSIGNMENT / "answers" / f"{EX}.json"
        collected = course / "submitted" / student / ASSIGNMENT / "answers" / f"{EX}.json"
        expected, _ = exercise.clean_answers(session["answers"])
        for path in (home, collected):
            kept = json.loads(path.read_text(encoding="utf-8"))["answers"]
            assert exercise.clean_answers(kept)[0] == expected, (student, path)
            assert all(kept[q] == v for q, v in expected.items() if v not in ("", None, [], {})), path


def test_thirty_grades_in_the_postgres_gradebook_equal_the_checks(hub_class):
    assert hub_class["db_url"].startswith("postgresql://")
    with Gradebook(hub_class["db_url"]) as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        graded = {sub.student.id for sub in assignment.submissions}
        assert graded == set(STUDENTS)
        scores = {}
        for student, session in hub_class["sessions"].items():
            nb = gb.find_submission_notebook(EX, ASSIGNMENT, student)
            expected = run_checks(EX, session["answers"], visibility="all").score
            assert float(nb.code_score) == pytest.approx(expected, abs=1e-6), student
            scores[student] = float(nb.code_score)
    assert len(set(scores.values())) > 1  # complete and partial answers: different grades


def test_every_student_fetched_their_own_feedback(hub_class):
    files = {}
    for student in STUDENTS:
        found = sorted((Path("/home") / student / ASSIGNMENT / "feedback").glob(f"*/{EX}.html"))
        assert len(found) == 1, (student, found)
        files[student] = found[0]
        assert found[0].stat().st_uid == pwd.getpwnam(student).pw_uid
        listed = [a for a in hub_class["feedback"][student] if a["status"] == "submitted"]
        assert listed and all(sub["has_local_feedback"] for a in listed for sub in a["submissions"])
    assert len(files) == 30
    with Gradebook(hub_class["db_url"]) as gb:
        for student, path in files.items():
            score = gb.find_submission_notebook(EX, ASSIGNMENT, student).score
            assert f"Score: {score:g}" in path.read_text(encoding="utf-8").replace(".0 ", " "), student


def test_a_student_cannot_reach_others_work_or_the_gradebook(hub_class):
    settings = hub_class["settings"]
    exchange = Path(settings.exchange_dir) / COURSE
    paths = {
        "inbound": str(exchange / "inbound"), "feedback": str(exchange / "feedback"),
        "course": str(hub_class["course"]),
        "course_config": str(hub_class["course"] / "nbgrader_config.py"),
        "hub_settings": str(settings.hub_dir / "hub.json"),
        "other_home": f"/home/{STUDENTS[0]}",
        "other_answers": f"/home/{STUDENTS[0]}/{ASSIGNMENT}/answers/{EX}.json",
        "pg_port": hub_class["pg"].port, "pg_db": "bana7085_hub",
    }
    python = hub_class["python"]
    probe = run_as(STUDENTS[1], [str(python), "-c", PROBE, json.dumps(paths)], cwd=Path("/"),
                   python=python)
    assert probe.returncode == 0, probe.stderr[-2000:]
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen == {name: "denied" for name in seen} and len(seen) == 8, seen
    # through the servers: B's token cannot open A's server; B's list holds only B's work
    driver = hub_class["driver"]
    reply = driver.user_api(STUDENTS[0], "GET", "/assignments", params={"course_id": COURSE},
                            as_user=STUDENTS[1])
    assert reply.status_code == 403
    mine = [sub for a in driver.assignments(STUDENTS[1]) if a["status"] == "submitted"
            for sub in a["submissions"]]
    assert mine and {sub["student_id"] for sub in mine} == {STUDENTS[1]}


def test_the_formgrader_service_is_for_instructors_only(hub_class):
    driver = hub_class["driver"]
    hub = hub_class["hub"]
    url = f"{hub.url}/services/{COURSE}/formgrader/api/assignments"
    import requests

    staff = requests.get(url, headers={"Authorization": f"token {driver.token(INSTRUCTOR)}"},
                         timeout=60)
    assert staff.status_code == 200, staff.text[:500]
    assert ASSIGNMENT in {a["name"] for a in staff.json()}
    student = requests.get(url, headers={"Authorization": f"token {driver.token(STUDENTS[2])}"},
                           timeout=60, allow_redirects=False)
    assert student.status_code == 403
