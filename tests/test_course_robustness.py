"""Every assignment x every robustness profile, graded with `bana course grade --jobs 2`.

One simulated class holds every profile of :data:`bana_tools.course.demo.PROFILES` once, for
every assignment the exercise declarations define (discovered, so a new exercise or
assignment is covered without editing this file). Each assignment is graded once, in the
session's shared class (the ``demo_class`` fixture, also used by test_inprocess_grading). For each (assignment, profile): the batch never stops, the submission
gets a grade and feedback, the scores are what the checks give for the answers it really
carries, and the problems it had are explained in the graded notebook. Parallel grades equal
sequential `nbgrader autograde`.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3

import pytest
from nbgrader.api import Gradebook

from bana_tools.cli.main import main
from bana_tools.course import layout
from bana_tools.course.demo import CLASS_LIST, PROFILES
from bana_tools.course.nbgrader_run import run_nbgrader
from bana_tools.course.parallel import grade_assignment, worker_pool
from bana_tools.exercises import get_exercise

ASSIGNMENTS = list(layout.assignments())
MATRIX = [(a, p) for a in ASSIGNMENTS for p in PROFILES]
#: Profiles whose answers are complete ones, whatever else is wrong with the submission.
SAME_AS_COMPLETE = ("notebook-only", "other-exercise", "deleted-test-cells", "duplicated-cells",
                    "edited-test-cells", "infinite-loop", "huge-output", "snooping",
                    "corrupt-notebook")


def _code_scores(course, assignment: str) -> dict[tuple[str, str], float]:
    """(student, exercise) -> code score in the course gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        out = {}
        for sub in gb.assignment_submissions(assignment):
            for exercise_id in layout.assignments()[assignment]:
                nb = gb.find_submission_notebook(exercise_id, assignment, sub.student.id)
                out[sub.student.id, exercise_id] = float(nb.code_score)
        return out


@pytest.fixture(scope="module")
def graded(demo_class):
    course = demo_class["course"]
    for assignment in ASSIGNMENTS:
        run_nbgrader(course, ["generate_feedback", assignment])
    scores = {a: _code_scores(course, a) for a in ASSIGNMENTS}
    return {**demo_class, "scores": scores}


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value or [])


def _public_points(exercise_id: str) -> float:
    return sum(c.points for c in get_exercise(exercise_id).public_checks())


def _sub(graded, assignment, profile):
    return graded["subs"][assignment, profile]


def _graded_nb(graded, assignment, profile, exercise_id):
    student = _sub(graded, assignment, profile).student
    path = graded["course"] / "autograded" / student / assignment / f"{exercise_id}.ipynb"
    return path, json.loads(path.read_text())


def test_every_profile_of_every_assignment_is_in_the_class(graded):
    assert set(graded["subs"]) == set(MATRIX)
    rows = list(csv.DictReader((graded["course"] / CLASS_LIST).read_text().splitlines()))
    expected_rows = sum(len(layout.assignments()[a]) for a in ASSIGNMENTS) * len(PROFILES)
    assert len(rows) == expected_rows
    assert {(r["assignment"], r["profile"]) for r in rows} == set(MATRIX)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_batch_finishes_with_a_log_line_per_submission(graded, assignment):
    assert graded["exit"] == 0
    logs = list((graded["course"] / "logs").glob(f"grade-{assignment}-2*.csv"))
    assert logs and len(logs[0].read_text().splitlines()) == len(PROFILES) + 1


@pytest.mark.parametrize(("assignment", "profile"), MATRIX)
def test_submission_has_grade_and_feedback_for_every_notebook(graded, assignment, profile):
    sub = _sub(graded, assignment, profile)
    for exercise_id in layout.assignments()[assignment]:
        assert (sub.student, exercise_id) in graded["scores"][assignment]
        feedback = graded["course"] / "feedback" / sub.student / assignment / f"{exercise_id}.html"
        assert feedback.exists(), exercise_id


@pytest.mark.parametrize(("assignment", "profile"), MATRIX)
def test_scores_are_what_the_checks_give(graded, assignment, profile):
    sub = _sub(graded, assignment, profile)
    complete = _sub(graded, assignment, "complete")
    scores = graded["scores"][assignment]
    for exercise_id in layout.assignments()[assignment]:
        score = scores[sub.student, exercise_id]
        assert score == pytest.approx(sub.expected_code_score(exercise_id), abs=1e-6), exercise_id
        full = scores[complete.student, exercise_id]
        if profile in ("empty", "nothing", "corrupt-json"):
            assert score == 0, exercise_id
        elif profile in SAME_AS_COMPLETE:
            # complete answers of the simulated student's own: every public check passes
            assert score >= _public_points(exercise_id), exercise_id
        elif profile == "partial":
            assert score < full, exercise_id
    if profile == "partial":
        total = sum(scores[sub.student, e] for e in layout.assignments()[assignment])
        assert total > 0


@pytest.mark.parametrize(("assignment", "profile"), MATRIX)
def test_problems_are_explained_in_the_graded_notebook(graded, assignment, profile):
    sub = _sub(graded, assignment, profile)
    for exercise_id in layout.assignments()[assignment]:
        path, nb = _graded_nb(graded, assignment, profile, exercise_id)
        notes = "".join(nb["cells"][0]["source"])
        changes = sub.cell_changes.get(exercise_id, [])
        if profile == "nothing":
            assert "No usable answers" in notes
        elif profile == "other-exercise":
            assert "restored from the copy" in notes
        elif profile == "corrupt-notebook":
            assert "could not be read" in notes
        elif profile == "deleted-test-cells":
            deleted = sum(c.startswith("deleted ") for c in changes)
            assert deleted >= 1
            assert sum("was missing from the submission" in "".join(c["source"])
                       for c in nb["cells"]) == deleted
        elif profile in ("snooping", "infinite-loop", "huge-output"):
            # the added cell is shown as text, never run: one more than the complete
            # submission shows (some notebooks give students working cells of their own)
            shown = [c for c in nb["cells"] if c["id"].startswith("bana-shown-")]
            _, plain = _graded_nb(graded, assignment, "complete", exercise_id)
            baseline = [c for c in plain["cells"] if c["id"].startswith("bana-shown-")]
            assert len(shown) == len(baseline) + 1
            assert all(c["cell_type"] == "markdown" for c in shown)
        elif profile == "duplicated-cells":
            for change in changes:
                name = change.removeprefix("duplicated ")
                graded_copies = [c for c in nb["cells"]
                                 if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == name]
                assert len(graded_copies) == 1, name
        elif profile == "edited-test-cells":
            first = next(c for c in nb["cells"] if c["id"].startswith(layout.CHECK_PREFIX))
            assert "full marks" not in "".join(first["source"])
        elif profile == "huge-text":
            assert path.stat().st_size < 2_000_000


@pytest.mark.parametrize(("assignment", "profile"), MATRIX)
def test_feedback_never_shows_hidden_checks_or_rubric(graded, assignment, profile):
    sub = _sub(graded, assignment, profile)
    for exercise_id in layout.assignments()[assignment]:
        exercise = get_exercise(exercise_id)
        page = (graded["course"] / "feedback" / sub.student / assignment / f"{exercise_id}.html").read_text()
        assert "HIDDEN TESTS" not in page
        for check in exercise.hidden_checks():
            assert check.id not in page and check.title not in page
        for item in exercise.rubric():
            assert item.text not in page
        assert "<script>alert" not in page


def test_no_gradebook_of_another_student_reaches_a_sandbox(graded):
    # the template a sandbox starts from holds no student at all
    from bana_tools.course.merge import STRUCTURE_TABLES, make_template, sqlite_url

    course_db = graded["course"] / "gradebook.db"
    template = make_template(sqlite_url(course_db), graded["root"] / "template.db")
    con, course_con = sqlite3.connect(template), sqlite3.connect(course_db)
    try:
        for table in ("student", "submitted_assignment", "submitted_notebook", "grade", "comment"):
            assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0, table
            assert course_con.execute(f"select count(*) from {table}").fetchone()[0] > 0, table
        # and the whole structure of every assignment, row for row
        for table in STRUCTURE_TABLES:
            query = f"select * from {table} order by 1"
            assert con.execute(query).fetchall() == course_con.execute(query).fetchall(), table
    finally:
        con.close()
        course_con.close()


#: Profiles graded again by stock `nbgrader autograde`, one process per assignment.
SEQUENTIAL_PROFILES = ("complete", "partial", "notebook-only", "duplicated-cells")
#: Profiles whose added cells run when `run_added_cells` is on.
ADDED_PROFILES = ("infinite-loop", "huge-output", "snooping")


def _only(course, keep: set[str]) -> None:
    """Remove every submission but those of ``keep`` from a copy of the course."""
    for folder in (course / "submitted").iterdir():
        if folder.name not in keep:
            shutil.rmtree(folder)


@pytest.fixture(scope="module")
def sequential(graded):
    """The chosen students of every assignment graded by `nbgrader autograde` itself."""
    seq = graded["root"] / "sequential"
    shutil.copytree(graded["pristine"], seq)
    students = {_sub(graded, a, p).student for a in ASSIGNMENTS for p in SEQUENTIAL_PROFILES}
    _only(seq, students)
    for assignment in ASSIGNMENTS:
        run_nbgrader(seq, ["autograde", assignment])
    return seq


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_parallel_grades_equal_sequential_nbgrader_autograde(graded, sequential, assignment):
    some = [_sub(graded, assignment, p).student for p in SEQUENTIAL_PROFILES]
    with Gradebook(f"sqlite:///{sequential / 'gradebook.db'}") as a, \
            Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as b:
        for student in some:
            for exercise_id in layout.assignments()[assignment]:
                ga = {g.cell.name: (g.auto_score, g.needs_manual_grade)
                      for g in a.find_submission_notebook(exercise_id, assignment, student).grades}
                gb_ = {g.cell.name: (g.auto_score, g.needs_manual_grade)
                       for g in b.find_submission_notebook(exercise_id, assignment, student).grades}
                assert ga == gb_, (student, exercise_id)


@pytest.fixture(scope="module")
def run_added(graded):
    """A copy of the course that runs added cells (5 s per cell), those students graded."""
    course = graded["root"] / "run-added"
    shutil.copytree(graded["pristine"], course)
    with open(course / "nbgrader_config.py", "a") as handle:
        handle.write("c.NeutraliseAddedCells.run_added_cells = True\nc.Execute.timeout = 5\n")
    runs = {}
    with worker_pool(course, 2) as pool:
        for assignment in ASSIGNMENTS:
            students = [_sub(graded, assignment, p).student for p in ADDED_PROFILES]
            runs[assignment] = grade_assignment(course, assignment, jobs=2, students=students,
                                                pool=pool)
    return course, runs


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_added_cells_when_run_are_bounded_and_isolated(graded, run_added, assignment):
    """With run_added_cells on: the loop times out, 100 MB is cut, snooping sees no one."""
    course, runs = run_added
    assert not runs[assignment].failed
    scores = _code_scores(course, assignment)
    exercise_id = layout.assignments()[assignment][0]
    own_cells = {c.source for c in get_exercise(exercise_id).cells}
    for profile in ADDED_PROFILES:
        sub = _sub(graded, assignment, profile)
        assert scores[sub.student, exercise_id] == pytest.approx(sub.expected_code_score(exercise_id))

    def outputs(profile):
        student = _sub(graded, assignment, profile).student
        path = course / "autograded" / student / assignment / f"{exercise_id}.ipynb"
        nb = json.loads(path.read_text())
        added = next(c for c in nb["cells"] if c["cell_type"] == "code"
                     and "nbgrader" not in c["metadata"] and _text(c["source"]) not in own_cells)
        return path, added["outputs"]

    def text(output) -> str:
        value = output.get("text", "")
        return value if isinstance(value, str) else "".join(value)

    _, loop = outputs("infinite-loop")
    assert any(o["output_type"] == "error" for o in loop)
    path, big = outputs("huge-output")
    assert "output cut by the grader" in "".join(text(o) for o in big)
    assert path.stat().st_size < 3_000_000
    _, snoop = outputs("snooping")
    printed = "".join(text(o) for o in snoop)
    assert "others:" in printed
    students_all = {s.student for s in graded["subs"].values()}
    me = _sub(graded, assignment, "snooping").student
    assert [s for s in students_all if s in printed] == [me]  # only its own folder is there


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_report_has_pass_rates_and_histogram(graded, assignment):
    code = main(["course", "report", assignment, "--course", str(graded["course"])])
    assert code == 0
    page = (graded["course"] / "reports" / assignment / "report.html").read_text()
    png = graded["course"] / "reports" / assignment / "histogram.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for exercise_id in layout.assignments()[assignment]:
        for check in get_exercise(exercise_id).public_checks():
            assert check.title in page
    assert "<script>" not in page
    # the self-check logs of the simulated class: every public check has a row with a rate
    from bana_tools.course.report import collect_attempts

    attempts = collect_attempts(graded["course"], assignment)
    public = [c.id for e in layout.assignments()[assignment] for c in get_exercise(e).public_checks()]
    assert [a.check_id for a in attempts] == public
    assert all(a.students >= 2 for a in attempts)  # the complete and partial students logged
    assert any(a.passed and a.mean_tries > 1 for a in attempts)
    assert "Self-checks before hand-in" in page and 'class="bana-attempts"' in page


def test_canvas_export_has_every_assignment(graded, tmp_path):
    """nbgrader export with the Canvas plugin, one column per assignment of the course."""
    import csv

    course = tmp_path / "export"
    shutil.copytree(graded["course"], course)
    ids = {a: 1000 + n for n, a in enumerate(ASSIGNMENTS)}
    run_nbgrader(course, ["export", "--exporter=bana_tools.course.canvas.CanvasExportPlugin",
                          "--to", "canvas.csv", f"--CanvasExportPlugin.assignment_ids={json.dumps(ids)}"])
    rows = list(csv.reader((course / "canvas.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0][5:] == [f"{a} ({ids[a]})" for a in ASSIGNMENTS]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        maxima = [float(gb.find_assignment(a).max_score) for a in ASSIGNMENTS]
    assert [float(v) for v in rows[1][5:]] == maxima
    students = {s.student for s in graded["subs"].values()}
    assert {r[3] for r in rows[2:]} >= students
    for row in rows[2:]:
        if row[3] in students:
            assert all(cell != "" for cell in row[5:]), row  # graded in every assignment


def test_regrading_keeps_manual_grades(graded):
    assignment = ASSIGNMENTS[0]
    exercise_id = layout.assignments()[assignment][0]
    cell = layout.prose_cell_id(get_exercise(exercise_id).rubric()[0].question_id)
    student = _sub(graded, assignment, "complete").student
    course = graded["root"] / "regrade"
    shutil.copytree(graded["course"], course)
    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db) as gb:
        grade = gb.find_grade(cell, exercise_id, assignment, student)
        grade.manual_score = 1.5
        gb.db.commit()
    before = _code_scores(course, assignment)[student, exercise_id]
    assert main(["course", "grade", assignment, "--course", str(course), "--student", student]) == 0
    with Gradebook(db) as gb:  # nothing regraded without --force
        assert gb.find_grade(cell, exercise_id, assignment, student).manual_score == 1.5
    assert main(["course", "grade", assignment, "--course", str(course), "--student", student,
                 "--force", "--jobs", "1"]) == 0
    with Gradebook(db) as gb:
        grade = gb.find_grade(cell, exercise_id, assignment, student)
        assert grade.manual_score == 1.5 and grade.needs_manual_grade
        assert gb.find_submission(assignment, student).student.last_name  # names kept
    assert _code_scores(course, assignment)[student, exercise_id] == before
    assert main(["course", "grade", assignment, "--course", str(course), "--student", "nobody"]) == 2
