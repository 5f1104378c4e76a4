"""A class on the course's JupyterHub, end to end on loopback: the README's commands.

The README's class-hub command runs exactly as written, as root, with a roster of 30
students and a PostgreSQL gradebook that needs a password (the two things its comments
ask a person to provide). Each student is a Unix account with their own server
(JupyterHub's LocalProcessSpawner). The instructor logs in with the instructors' password
and makes a token. Through the Hub's and the servers' REST APIs (the calls JupyterLab's
Assignments tab and the form make), each student fetches ch01, saves answers with the
form's own answers store in a kernel, and submits. In a terminal of the formgrader service
(the grader account, in the course folder), the instructor collects, grades with
``bana course grade --jobs 2``, generates and releases feedback; every student fetches theirs.
The trial command (``make hub``) is run as written too.

Needs root (Unix accounts) and Debian's ``postgresql``: CI has both; elsewhere the tests
are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import pwd
import random
import re
import secrets
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from nbgrader.api import Gradebook

from bana_tools.course.answers_sim import complete_answers, partial_answers
from bana_tools.exercises import get_exercise
from bana_tools.grading import run_checks
from support.hub import (
    ClassHub,
    HubDriver,
    delete_users,
    login_token,
    python_for_everyone,
    run_as,
    wait_for_hub,
)
from support.readme import readme_block

pytestmark = pytest.mark.hub

STUDENTS = [f"bnt-s{i:02d}" for i in range(1, 31)]
INSTRUCTOR = "prof"  # the README's --instructor
ASSISTANT = "ta1"  # the README's --assistant
GRADER = "grader-bana7085"
HUB_DIR = Path("/srv/bana-hub")  # the README's --dir
COURSE = "bana7085"
REPO = Path(__file__).resolve().parents[1]
HEADING = "A class on JupyterHub"
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


def _server_block() -> tuple[list[str], str]:
    """The README's class-hub block: the commands before the hub, and the hub's command."""
    lines = readme_block(HEADING, 1)
    text = "\n".join(lines)
    # what the comments ask a person to provide, which this test provides
    assert "# ~/roster.txt: one student user name per line" in text
    assert "# GRADEBOOK_URL: an empty PostgreSQL database for the gradebook" in text
    commands = [re.split(r"\s+#\s", ln, maxsplit=1)[0].strip() for ln in lines
                if ln.strip() and not ln.strip().startswith("#")]
    assert commands[-1].startswith(".venv/bin/bana course hub "), commands[-1]
    return commands[:-1], commands[-1]


def _wait_for_free_ports(ports: list[int], timeout: float = 60) -> None:
    import time

    from bana_tools.cli.start import port_in_use

    deadline = time.monotonic() + timeout
    for port in ports:
        while port_in_use("127.0.0.1", port):
            if time.monotonic() > deadline:
                pytest.fail(f"port {port} stays in use; the hub needs it", pytrace=False)
            time.sleep(1)


#: The ports the README's commands use: the hub, its API and the proxy's, the formgrader.
HUB_PORTS = [8000, 8081, 8082, 9999]


@pytest.fixture(scope="module")
def hub_class(tmp_path_factory):
    _require_root_and_postgres()
    from support.postgres import PostgresServer, postgres_bin

    everyone = [*STUDENTS, INSTRUCTOR, ASSISTANT, GRADER]
    existing = {name for name in everyone if _exists(name)}
    delete_users([n for n in STUDENTS if n in existing])  # left by an interrupted run
    subprocess.run(["rm", "-rf", str(HUB_DIR)], check=False)
    home = tmp_path_factory.mktemp("admin-home")
    (home / "roster.txt").write_text("\n".join(STUDENTS) + "\n", encoding="utf-8")
    pg = PostgresServer(postgres_bin(), password=secrets.token_urlsafe(12)).start()
    hub = None
    opened = python_for_everyone()
    try:
        python = opened.__enter__()
        db_url = pg.create_database("bana7085_hub")
        env = {**os.environ, "HOME": str(home), "GRADEBOOK_URL": db_url}
        before, hub_command = _server_block()
        for command in before:
            done = subprocess.run(["bash", "-c", command], cwd=REPO, env=env, capture_output=True,
                                  text=True, timeout=600, check=False)
            assert done.returncode == 0, (command, done.stderr[-2000:])
        _wait_for_free_ports(HUB_PORTS)
        hub = ClassHub.from_command(hub_command, hub_dir=HUB_DIR, cwd=REPO, env=env,
                                    log=home / "hub.log")
        settings = hub.settings
        assert settings.users == "system" and settings.db_url == db_url
        driver = HubDriver(hub)
        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = {s: pool.submit(_student_session, driver, i, s) for i, s in enumerate(STUDENTS)}
            sessions = {s: f.result() for s, f in futures.items()}
        # the instructor, in a terminal of the formgrader service (the grader account)
        steps = driver.run_in_terminal(f"/services/{COURSE}", [
            f"nbgrader collect {ASSIGNMENT}",
            f"bana course grade {ASSIGNMENT} --jobs 2",
            f"nbgrader generate_feedback {ASSIGNMENT}",
            f"nbgrader release_feedback {ASSIGNMENT}",
        ], as_user=INSTRUCTOR)
        for status, output in steps:
            assert status == 0, output[-3000:]
        with ThreadPoolExecutor(max_workers=6) as pool:
            fetched = pool.map(lambda s: driver.assignment_action(s, "fetch_feedback", ASSIGNMENT),
                               STUDENTS)
            feedback = dict(zip(STUDENTS, fetched, strict=True))
        yield {"settings": settings, "driver": driver, "sessions": sessions, "steps": steps,
               "feedback": feedback, "course": Path(settings.course_dir), "db_url": db_url,
               "pg": pg, "python": python, "hub": hub}
    finally:
        if hub is not None:
            hub.stop()
        pg.stop()
        delete_users([n for n in everyone if n not in existing])
        subprocess.run(["rm", "-rf", str(HUB_DIR)], check=False)
        opened.__exit__(None, None, None)


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


def test_the_trial_hub_runs_as_the_readme_says(tmp_path):
    """``make hub`` as written: a student logs in, starts JupyterLab and sees ch01 released;
    the instructor opens the formgrader; Ctrl-C stops everything."""
    import signal
    import time

    import requests

    lines = [ln for ln in readme_block(HEADING, 0) if ln.strip() and not ln.startswith("#")]
    assert len(lines) == 1
    command = re.split(r"\s+#\s", lines[0], maxsplit=1)[0].strip()
    assert command == "make hub"
    _wait_for_free_ports(HUB_PORTS)
    log = tmp_path / "make-hub.log"
    env = {**os.environ, "HOME": str(tmp_path)}
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(["bash", "-c", command], cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = "http://127.0.0.1:8000"
    try:
        deadline = time.monotonic() + 300
        wait_for_hub(base, proc, log, deadline, 300)
        printed = log.read_text(encoding="utf-8")
        found = re.search(r"Passwords:\s+students (\S+); instructors (\S+)", printed)
        assert found, printed[:2000]
        assert (tmp_path / "bana-hub" / "hub.json").exists()  # ~/bana-hub, as the README says
        student = login_token(base, "student01", found.group(1))
        auth = {"Authorization": f"token {student}"}
        started = requests.post(f"{base}/hub/api/users/student01/server", headers=auth, timeout=60)
        assert started.status_code in (201, 202), started.text
        while True:
            model = requests.get(f"{base}/hub/api/users/student01", headers=auth, timeout=60).json()
            if (model.get("servers") or {}).get("", {}).get("ready"):
                break
            assert time.monotonic() < deadline + 120, model
            time.sleep(0.5)
        listed = requests.get(f"{base}/user/student01/assignments", params={"course_id": COURSE},
                              headers=auth, timeout=60).json()
        assert listed["success"], listed
        assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == [(ASSIGNMENT, "released")]
        lab = requests.get(f"{base}/user/student01/lab", headers=auth, timeout=60)
        assert lab.status_code == 200 and "JupyterLab" in lab.text
        with pytest.raises(RuntimeError):  # a student cannot log in with the instructors' door
            login_token(base, "instructor", found.group(1))
        teacher = login_token(base, "instructor", found.group(2))
        grader = requests.get(f"{base}/services/{COURSE}/formgrader/api/assignments",
                              headers={"Authorization": f"token {teacher}"}, timeout=60)
        assert grader.status_code == 200 and ASSIGNMENT in {a["name"] for a in grader.json()}
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    time.sleep(1)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/hub/api/", timeout=5)


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


def test_the_formgrader_service_is_for_instructors_and_assistants_only(hub_class):
    import requests

    driver = hub_class["driver"]
    hub = hub_class["hub"]
    url = f"{hub.url}/services/{COURSE}/formgrader/api/assignments"
    for staff in (INSTRUCTOR, ASSISTANT):
        reply = requests.get(url, headers={"Authorization": f"token {driver.token(staff)}"},
                             timeout=60)
        assert reply.status_code == 200, (staff, reply.text[:500])
        assert ASSIGNMENT in {a["name"] for a in reply.json()}
    student = requests.get(url, headers={"Authorization": f"token {driver.token(STUDENTS[2])}"},
                           timeout=60, allow_redirects=False)
    assert student.status_code == 403
    # the grader account's JupyterLab, where the README sends instructors for a terminal
    lab = requests.get(f"{hub.url}/services/{COURSE}/lab",
                       headers={"Authorization": f"token {driver.token(INSTRUCTOR)}"}, timeout=60)
    assert lab.status_code == 200 and "JupyterLab" in lab.text
    # an assistant grades but is no admin: a student's server stays closed to them
    reply = driver.user_api(STUDENTS[2], "GET", "/api/contents", as_user=ASSISTANT)
    assert reply.status_code == 403
    assert driver.user_api(STUDENTS[2], "GET", "/api/contents", as_user=INSTRUCTOR).status_code == 200
