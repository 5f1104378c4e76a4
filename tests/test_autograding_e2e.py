"""The whole nbgrader workflow with real nbgrader commands, in a temporary course.

generate_assignment -> release_assignment (temp exchange) -> three students fetch and
submit -> collect; one more submission arrives as an LMS download zip (zip_collect) ->
autograde -> manual grades through nbgrader's Gradebook API -> generate_feedback ->
export (nbgrader's CSV and the Canvas CSV plugin).
"""

from __future__ import annotations

import csv
import html
import json
import random
import zipfile
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from bana_tools.answers import AnswersFile
from bana_tools.course import layout
from bana_tools.course.answers_sim import MARKUP_PROBE, complete_answers, partial_answers
from bana_tools.course.demo import _answers_output, make_course
from bana_tools.course.nbgrader_run import run_nbgrader
from bana_tools.exercises import get_exercise
from bana_tools.grading import run_checks

EX = "ch01-case-study"
ASSIGNMENT = "ch01"


def _student_cmd(home: Path, exchange: Path, student: str, *args: str):
    # every simulated student is the same OS user: name them with --student on submit
    who = [f"--student={student}"] if args[0] == "submit" else []
    return run_nbgrader(home, [*args, *who, "--CourseDirectory.course_id=bana7085",
                               f"--Exchange.root={exchange}"], env={"HOME": str(home)})


def _work(folder: Path, answers: dict | None, keep_file: bool = True) -> None:
    """What a student's session leaves behind: the answers file and the notebook copy."""
    nb_path = folder / f"{EX}.ipynb"
    nb = json.loads(nb_path.read_text())
    if answers is not None:
        from datetime import UTC, datetime

        when = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
        form = next(c for c in nb["cells"] if c.get("id") == "form")
        form["outputs"] = [_answers_output(EX, answers, when)]
        if keep_file:
            record = AnswersFile(exercise_id=EX, answers=answers, created=when, updated=when)
            (folder / "answers").mkdir(exist_ok=True)
            (folder / layout.answers_relpath(EX)).write_text(record.to_json())
    nb_path.write_text(json.dumps(nb, indent=1))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    exchange = root / "exchange"
    course = make_course(root / "course", [ASSIGNMENT], exchange=exchange)
    run_nbgrader(course, ["release_assignment", ASSIGNMENT])
    exercise = get_exercise(EX)
    rng = random.Random(7)
    crafted = {
        "alice": complete_answers(exercise, rng),
        "bob": partial_answers(exercise, rng),
        "carol": {},
    }
    for student, answers in crafted.items():
        home = root / "homes" / student
        home.mkdir(parents=True)
        _student_cmd(home, exchange, student, "fetch_assignment", ASSIGNMENT)
        _work(home / ASSIGNMENT, answers)
        _student_cmd(home, exchange, student, "submit", ASSIGNMENT)
    run_nbgrader(course, ["collect", ASSIGNMENT])

    # dave hands in the notebook alone through the LMS: answers only inside the notebook
    dave = root / "homes" / "dave"
    dave.mkdir(parents=True)
    _student_cmd(dave, exchange, "dave", "fetch_assignment", ASSIGNMENT)
    crafted["dave"] = complete_answers(exercise, rng)
    _work(dave / ASSIGNMENT, crafted["dave"], keep_file=False)
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as zf:
        zf.write(dave / ASSIGNMENT / f"{EX}.ipynb", f"dave_4242_9001_{EX}.ipynb")
    run_nbgrader(course, ["zip_collect", ASSIGNMENT])

    run_nbgrader(course, ["autograde", ASSIGNMENT])
    manual = {"alice": 1.5, "bob": 0.5}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, score in manual.items():
            grade = gb.find_grade(layout.prose_cell_id("objectives"), EX, ASSIGNMENT, student)
            grade.manual_score = score
        gb.db.commit()
    run_nbgrader(course, ["generate_feedback", ASSIGNMENT])
    run_nbgrader(course, ["export", "--to", "grades.csv"])
    run_nbgrader(course, ["export", "--exporter=bana_tools.course.canvas.CanvasExportPlugin",
                          "--to", "canvas.csv",
                          '--CanvasExportPlugin.assignment_ids={"ch01": 777}'])
    return {"course": course, "crafted": crafted, "manual": manual}


def _code_and_manual(course: Path, student: str) -> tuple[float, dict[str, float | None], bool]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(EX, ASSIGNMENT, student)
        prose = {g.cell.name: g.score for g in nb.grades if g.cell.name.startswith("prose-")}
        return float(nb.code_score), prose, bool(nb.needs_manual_grade)


def test_every_student_was_collected_and_graded(course):
    for student in ("alice", "bob", "carol", "dave"):
        assert (course["course"] / "autograded" / student / ASSIGNMENT / f"{EX}.ipynb").exists()


def test_scores_equal_what_the_checks_give(course):
    for student, answers in course["crafted"].items():
        expected = run_checks(EX, answers, visibility="all").score
        code, _, _ = _code_and_manual(course["course"], student)
        assert code == pytest.approx(expected, abs=1e-6), student
    assert _code_and_manual(course["course"], "alice")[0] > _code_and_manual(course["course"], "bob")[0] > 0
    assert _code_and_manual(course["course"], "carol")[0] == 0


def test_prose_cells_need_manual_grading_unless_empty(course):
    _, alice, needs = _code_and_manual(course["course"], "alice")
    assert needs
    assert alice[layout.prose_cell_id("objectives")] == course["manual"]["alice"]
    _, carol, carol_needs = _code_and_manual(course["course"], "carol")
    assert not carol_needs and all(score == 0 for score in carol.values())


def test_formgrader_shows_escaped_answer_and_rubric(course):
    nb = json.loads((course["course"] / "autograded" / "alice" / ASSIGNMENT / f"{EX}.ipynb").read_text())
    cell = next(c for c in nb["cells"] if c["id"] == layout.prose_cell_id("objectives"))
    source = "".join(cell["source"])
    assert "&lt;script&gt;" in source and "<script>" not in source
    assert layout.RUBRIC_CLASS in source
    assert get_exercise(EX).question("objectives").rubric.split(";")[0][:30] in html.unescape(source)


def test_zip_collected_notebook_was_graded_from_its_copy(course):
    folder = course["course"] / "autograded" / "dave" / ASSIGNMENT
    nb = json.loads((folder / f"{EX}.ipynb").read_text())
    assert "restored from the copy" in "".join(nb["cells"][0]["source"])
    assert not (course["course"] / "submitted" / "dave" / ASSIGNMENT / "answers").exists()


def test_feedback_hides_tests_and_rubric_and_escapes_text(course):
    exercise = get_exercise(EX)
    for student in course["crafted"]:
        page = (course["course"] / "feedback" / student / ASSIGNMENT / f"{EX}.html").read_text()
        assert "HIDDEN TESTS" not in page
        for check in exercise.hidden_checks():
            assert check.id not in page and check.title not in page
        for item in exercise.rubric():
            assert item.text not in page and "Rubric" not in page
        assert "<script>alert" not in page
    alice = (course["course"] / "feedback" / "alice" / ASSIGNMENT / f"{EX}.html").read_text()
    assert "&lt;script&gt;alert" in alice
    assert "Hidden check:" in alice
    assert MARKUP_PROBE not in alice


def test_exports(course):
    root = course["course"]
    rows = {r["student_id"]: r for r in csv.DictReader((root / "grades.csv").read_text().splitlines())}
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    code, _, _ = _code_and_manual(root, "alice")
    assert float(rows["alice"]["score"]) == pytest.approx(code + course["manual"]["alice"])
    canvas = list(csv.reader((root / "canvas.csv").read_text().splitlines()))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ch01 (777)"]
    assert canvas[1][0] == "Points Possible"
    assert float(canvas[1][5]) == get_exercise(EX).max_score()
    by_login = {r[3]: r for r in canvas[2:]}
    assert float(by_login["alice"][5]) == pytest.approx(float(rows["alice"]["score"]), abs=0.01)


def test_formgrader_page_shows_answer_rubric_and_score_box(course):
    """Render the submission page exactly as formgrader does (its exporter and template)."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    path = course["course"] / "autograded" / "alice" / ASSIGNMENT / f"{EX}.ipynb"
    resources = {"assignment_id": ASSIGNMENT, "notebook_id": EX, "submission_id": "x",
                 "index": 0, "total": 1, "base_url": "", "student": "alice",
                 "last_name": "", "first_name": "", "notebook_path": str(path)}
    html_page, _ = HTMLExporter(config=config).from_filename(str(path), resources=resources)
    prose_id = layout.prose_cell_id("objectives")
    assert f'id="{prose_id}"' in html_page  # formgrader's score box for the hand-graded cell
    assert "Answer from the form" in html_page and "Rubric (graders only)" in html_page
    assert "&lt;script&gt;alert" in html_page and "<script>alert" not in html_page


@pytest.mark.browser
def test_formgrader_in_the_browser_grades_prose(course, page):
    """Real formgrader (nbgrader's server extension) on the course: see answer and rubric,
    type a score, find it in the gradebook."""
    import time

    from playwright.sync_api import expect

    from support.lab import LabServer, screenshot

    root = course["course"]
    db = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db) as gb:
        submission_id = gb.find_submission_notebook(EX, ASSIGNMENT, "alice").id
    server = LabServer(root=root).start()
    try:
        # log in first (sets the cookie formgrader's API calls need), then open the submission
        page.goto(f"{server.url}/tree?token={server.token}")
        page.wait_for_load_state("networkidle")
        page.goto(f"{server.url}/formgrader/submissions/{submission_id}/")
        page.wait_for_load_state("networkidle")
        cell = layout.prose_cell_id("value")
        box = page.locator(f"input#{cell}")
        expect(box).to_be_visible(timeout=60_000)
        answer = page.locator(f".{layout.ANSWER_CLASS}").first
        expect(answer).to_contain_text('<script>alert("hi")</script>')  # shown as text
        expect(page.locator(f".{layout.RUBRIC_CLASS}").first).to_contain_text("Rubric (graders only)")
        box.scroll_into_view_if_needed()
        box.fill("2.5")
        box.press("Tab")
        screenshot(page, "course-formgrader-prose")
        deadline = time.monotonic() + 30
        score = None
        while time.monotonic() < deadline:
            with Gradebook(db) as gb:
                score = gb.find_grade(cell, EX, ASSIGNMENT, "alice").manual_score
            if score == 2.5:
                break
            time.sleep(0.5)
        assert score == 2.5
    finally:
        server.stop()


def test_canvas_export_uses_the_roster(course, tmp_path):
    from bana_tools.course.canvas import CanvasExportPlugin

    roster = tmp_path / "roster.csv"
    roster.write_text(
        'Student,ID,SIS User ID,SIS Login ID,Section,ch01 (777)\n'
        '    Points Possible,,,,,25.00\n'
        '"Lovelace, Ada",1001,A-1,alice,BANA 7085 001,\n'
        '"Erin, Late",1005,A-5,erin,BANA 7085 002,\n'
    )
    db = f"sqlite:///{course['course'] / 'gradebook.db'}"
    plugin = CanvasExportPlugin(roster=str(roster), assignment_ids={"ch01": 777},
                                missing_as_zero=False)
    with Gradebook(db) as gb:
        gb.update_or_create_student("erin")
        try:
            rows = plugin.rows(gb)
        finally:
            gb.remove_student("erin")
    by_login = {r[3]: r for r in rows[2:]}
    assert by_login["alice"][:5] == ["Lovelace, Ada", "1001", "A-1", "alice", "BANA 7085 001"]
    assert by_login["erin"][5] == ""  # no submission: blank, Canvas keeps its value
    assert by_login["bob"][:5] == [by_login["bob"][0], "", "", "bob", ""]  # not in the roster
