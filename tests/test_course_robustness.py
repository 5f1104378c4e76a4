"""A simulated class with every robustness profile, graded with `bana course grade --jobs 2`.

Every submission gets a grade and feedback, the batch never stops, the scores are what
the checks give for the answers each submission really carries, and the parallel grades
equal sequential `nbgrader autograde`.
"""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from nbgrader.api import Gradebook

from bana_tools.cli.main import main
from bana_tools.course.demo import PROFILES, make_demo
from bana_tools.course.nbgrader_run import run_nbgrader
from bana_tools.course.parallel import grade_assignment

EX = "ch01-case-study"
A = "ch01"


def _code_scores(course, students=None) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        out = {}
        for sub in gb.assignment_submissions(A):
            if students is None or sub.student.id in students:
                out[sub.student.id] = float(gb.find_submission_notebook(EX, A, sub.student.id).code_score)
        return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    course = root / "course"
    subs = make_demo(course, students=len(PROFILES), seed=11, assignments=[A])
    pristine = root / "pristine"
    shutil.copytree(course, pristine)
    code = main(["course", "grade", A, "--jobs", "2", "--course", str(course)])
    run_nbgrader(course, ["generate_feedback", A])
    return {"course": course, "pristine": pristine, "subs": {s.student: s for s in subs},
            "exit": code, "root": root}


def test_every_profile_is_in_the_class(graded):
    assert sorted(s.profile for s in graded["subs"].values()) == sorted(PROFILES)


def test_batch_finishes_and_every_submission_has_grade_and_feedback(graded):
    assert graded["exit"] == 0
    course = graded["course"]
    scores = _code_scores(course)
    assert set(scores) == set(graded["subs"])
    for student in graded["subs"]:
        assert (course / "feedback" / student / A / f"{EX}.html").exists(), student
    logs = list((course / "logs").glob(f"grade-{A}-2*.csv"))
    assert logs and len(logs[0].read_text().splitlines()) == len(graded["subs"]) + 1


def test_scores_are_what_the_checks_give(graded):
    scores = _code_scores(graded["course"])
    for student, sub in graded["subs"].items():
        assert scores[student] == pytest.approx(sub.expected_code_score(EX), abs=1e-6), sub.profile
    by_profile = {s.profile: scores[s.student] for s in graded["subs"].values()}
    full = by_profile["complete"]
    assert full > by_profile["partial"] > 0
    for profile in ("empty", "nothing", "corrupt-json"):
        assert by_profile[profile] == 0, profile
    for profile in ("notebook-only", "other-exercise", "deleted-test-cells", "duplicated-cells",
                    "edited-test-cells", "infinite-loop", "huge-output", "snooping",
                    "corrupt-notebook"):
        assert by_profile[profile] == pytest.approx(full), profile


def _text(output) -> str:
    text = output.get("text", "")
    return text if isinstance(text, str) else "".join(text)


def _graded_nb(graded, profile):
    student = next(s for s, sub in graded["subs"].items() if sub.profile == profile)
    path = graded["course"] / "autograded" / student / A / f"{EX}.ipynb"
    return path, json.loads(path.read_text())


def test_problems_are_explained_in_the_graded_notebook(graded):
    _, nb = _graded_nb(graded, "nothing")
    assert "No usable answers" in "".join(nb["cells"][0]["source"])
    _, nb = _graded_nb(graded, "other-exercise")
    assert "restored from the copy" in "".join(nb["cells"][0]["source"])
    _, nb = _graded_nb(graded, "deleted-test-cells")
    assert sum("was missing from the submission" in "".join(c["source"]) for c in nb["cells"]) == 2
    _, nb = _graded_nb(graded, "snooping")
    shown = [c for c in nb["cells"] if c["id"].startswith("bana-shown-")]
    assert len(shown) == 1 and shown[0]["cell_type"] == "markdown"
    _, nb = _graded_nb(graded, "corrupt-notebook")
    assert "could not be read" in "".join(nb["cells"][0]["source"])
    path, nb = _graded_nb(graded, "huge-text")
    assert path.stat().st_size < 2_000_000
    _, nb = _graded_nb(graded, "edited-test-cells")
    first = next(c for c in nb["cells"] if c["id"].startswith("check-"))
    assert "full marks" not in "".join(first["source"])


def test_no_gradebook_of_another_student_reaches_a_sandbox(graded):
    # the template a sandbox starts from holds no student at all
    from bana_tools.course.merge import make_template

    template = make_template(graded["course"] / "gradebook.db", graded["root"] / "template.db")
    con = sqlite3.connect(template)
    try:
        assert con.execute("select count(*) from student").fetchone()[0] == 0
        assert con.execute("select count(*) from grade").fetchone()[0] == 0
    finally:
        con.close()


def test_parallel_grades_equal_sequential_nbgrader_autograde(graded):
    seq = graded["root"] / "sequential"
    shutil.copytree(graded["pristine"], seq)
    some = ["s001", "s002", "s004", "s010"]
    run_nbgrader(seq, ["autograde", A, "--student=s00[124]"])
    run_nbgrader(seq, ["autograde", A, "--student=s010"])
    with Gradebook(f"sqlite:///{seq / 'gradebook.db'}") as a, \
            Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as b:
        for student in some:
            ga = {g.cell.name: (g.auto_score, g.needs_manual_grade)
                  for g in a.find_submission_notebook(EX, A, student).grades}
            gb_ = {g.cell.name: (g.auto_score, g.needs_manual_grade)
                   for g in b.find_submission_notebook(EX, A, student).grades}
            assert ga == gb_, student


def test_added_cells_when_run_are_bounded_and_isolated(graded):
    """With run_added_cells on: the loop times out, 100 MB is cut, snooping sees no one."""
    course = graded["root"] / "run-added"
    shutil.copytree(graded["pristine"], course)
    with open(course / "nbgrader_config.py", "a") as handle:
        handle.write("c.NeutraliseAddedCells.run_added_cells = True\nc.Execute.timeout = 5\n")
    students = [s for s, sub in graded["subs"].items()
                if sub.profile in ("infinite-loop", "huge-output", "snooping")]
    run = grade_assignment(course, A, jobs=2, students=students)
    assert not run.failed
    scores = _code_scores(course)
    for student in students:
        assert scores[student] == pytest.approx(graded["subs"][student].expected_code_score(EX))

    def outputs(profile):
        student = next(s for s in students if graded["subs"][s].profile == profile)
        path = course / "autograded" / student / A / f"{EX}.ipynb"
        nb = json.loads(path.read_text())
        added = next(c for c in nb["cells"] if c["cell_type"] == "code" and "nbgrader" not in c["metadata"])
        return path, added["outputs"]

    _, loop = outputs("infinite-loop")
    assert any(o["output_type"] == "error" for o in loop)
    path, big = outputs("huge-output")
    assert "output cut by the grader" in "".join(_text(o) for o in big)
    assert path.stat().st_size < 3_000_000
    _, snoop = outputs("snooping")
    printed = "".join(_text(o) for o in snoop)
    assert "others:" in printed
    others = [s for s in graded["subs"] if s not in printed]
    assert len(others) == len(graded["subs"]) - 1  # only its own folder is there


def test_report_has_pass_rates_and_histogram(graded):
    code = main(["course", "report", A, "--course", str(graded["course"])])
    assert code == 0
    page = (graded["course"] / "reports" / A / "report.html").read_text()
    png = graded["course"] / "reports" / A / "histogram.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from bana_tools.exercises import get_exercise

    for check in get_exercise(EX).checks:
        assert check.title in page
    assert "<script>" not in page


def test_regrading_keeps_manual_grades(graded):
    course = graded["root"] / "regrade"
    shutil.copytree(graded["course"], course)
    db = f"sqlite:///{course / 'gradebook.db'}"
    cell = "prose-objectives"
    with Gradebook(db) as gb:
        grade = gb.find_grade(cell, EX, A, "s001")
        grade.manual_score = 1.5
        gb.db.commit()
    before = _code_scores(course)["s001"]
    assert main(["course", "grade", A, "--course", str(course), "--student", "s001"]) == 0
    with Gradebook(db) as gb:  # nothing regraded without --force
        assert gb.find_grade(cell, EX, A, "s001").manual_score == 1.5
    assert main(["course", "grade", A, "--course", str(course), "--student", "s001",
                 "--force", "--jobs", "1"]) == 0
    with Gradebook(db) as gb:
        grade = gb.find_grade(cell, EX, A, "s001")
        assert grade.manual_score == 1.5 and grade.needs_manual_grade
        assert gb.find_submission(A, "s001").student.last_name  # names kept
    assert _code_scores(course)["s001"] == before
    assert main(["course", "grade", A, "--course", str(course), "--student", "nobody"]) == 2
