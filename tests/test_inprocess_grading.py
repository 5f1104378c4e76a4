"""In-process grading (``InProcessExecute``) against the kernel path, with real nbgrader.

The session's simulated class (every robustness profile, every assignment, discovered from
the declarations; graded as configured, the course's own cells in the grading process) is
graded again with ``c.InProcessExecute.in_process = False`` (a kernel per notebook, as stock
nbgrader). Grades must be identical cell by cell, and so must what the graded cells printed
and returned. The kernel path costs a kernel per notebook, so it runs every profile in the
first two assignments and, in every later one, the profiles that change what its graded
cells compute (answers complete or partial; test cells edited): every exercise's check
cells are compared, and every profile is (deleted and duplicated test cells, empty answers
and the rest are handled the same way in every assignment, so ch01 and ch02 cover them).
A course configured with a kernel that does not exist still grades known cells (no kernel
was needed) and fails only where student code must run in a kernel.
"""

from __future__ import annotations

import json
import shutil

import pytest
from nbgrader.api import Gradebook

from bana_tools.course import layout
from bana_tools.course.demo import PROFILES
from bana_tools.course.parallel import grade_assignment, worker_pool

ASSIGNMENTS = list(layout.assignments())
#: Profiles compared in every assignment; the first two assignments compare all of them.
LATER_PROFILES = ("complete", "partial", "edited-test-cells")
MATRIX = [(a, p) for n, a in enumerate(ASSIGNMENTS) for p in PROFILES
          if n < 2 or p in LATER_PROFILES]


@pytest.fixture(scope="module")
def courses(demo_class):
    kernel = demo_class["root"] / "kernel"
    shutil.copytree(demo_class["pristine"], kernel)
    with open(kernel / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write("c.InProcessExecute.in_process = False\n")
    with worker_pool(kernel, 2) as pool:
        for assignment in ASSIGNMENTS:
            students = [demo_class["subs"][a, p].student for a, p in MATRIX if a == assignment]
            failed = grade_assignment(kernel, assignment, jobs=2, students=students,
                                      pool=pool).failed
            assert not failed, [(o.student, o.problems) for o in failed]
    return {"root": demo_class["root"], "pristine": demo_class["pristine"],
            "in-process": demo_class["course"], "kernel": kernel, "subs": demo_class["subs"]}


def _grades(course, assignment, student, exercise_id):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(exercise_id, assignment, student)
        return {g.cell.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades}


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value or [])


def _graded_outputs(course, assignment, student, exercise_id):
    """What each graded code cell printed, returned and raised, and its execution count."""
    path = course / "autograded" / student / assignment / f"{exercise_id}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] != "code":
            continue
        shown = []
        for o in cell["outputs"]:
            data = o.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                shown.append(("widget",))  # model ids differ from run to run
                continue
            item = (o["output_type"], o.get("name"), _text(o.get("text")),
                    _text(data.get("text/plain")), o.get("ename"))
            if shown and item[0] == "stream" and shown[-1][:2] == item[:2]:
                # a kernel may flush one print in two messages: compare the text, as
                # nbconvert's coalesce_streams does
                shown[-1] = (*item[:2], shown[-1][2] + item[2], *item[3:])
                continue
            shown.append(item)
        out[meta.get("grade_id", cell["id"])] = (cell.get("execution_count"), shown)
    return out, nb["metadata"].get("language_info", {}).get("name")


@pytest.mark.parametrize(("assignment", "profile"), MATRIX)
def test_grades_and_outputs_equal_the_kernel_path(courses, assignment, profile):
    student = courses["subs"][assignment, profile].student
    for exercise_id in layout.assignments()[assignment]:
        fast = _grades(courses["in-process"], assignment, student, exercise_id)
        slow = _grades(courses["kernel"], assignment, student, exercise_id)
        assert fast == slow, exercise_id
        assert _graded_outputs(courses["in-process"], assignment, student, exercise_id) == \
            _graded_outputs(courses["kernel"], assignment, student, exercise_id), exercise_id


def test_known_cells_need_no_kernel_and_student_code_still_goes_to_one(courses):
    """With a kernel that does not exist: known cells grade; run added cells and it fails."""
    course = courses["root"] / "no-kernel"
    shutil.copytree(courses["pristine"], course)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write('c.Execute.kernel_name = "bana-no-such-kernel"\n')
    assignment = ASSIGNMENTS[0]
    complete = courses["subs"][assignment, "complete"].student
    run = grade_assignment(course, assignment, jobs=1, students=[complete])
    assert not run.failed
    exercise_id = layout.assignments()[assignment][0]
    assert _grades(course, assignment, complete, exercise_id) == \
        _grades(courses["kernel"], assignment, complete, exercise_id)

    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write("c.NeutraliseAddedCells.run_added_cells = True\n")
    snooping = courses["subs"][assignment, "snooping"].student
    run = grade_assignment(course, assignment, jobs=1, students=[snooping])
    assert run.failed, "student code ran without a kernel"


def test_a_kernel_that_dies_on_start_is_started_again(courses, tmp_path, monkeypatch):
    """The kernel path survives a kernel that dies before its first reply (as on a busy
    machine): the notebook is graded on the next start, with the kernel path's grades."""
    import sys

    mark = tmp_path / "started-once"
    script = tmp_path / "flaky-kernel.sh"
    script.write_text(f'#!/bin/sh\nif [ ! -e "{mark}" ]; then touch "{mark}"; exit 1; fi\n'
                      f'exec "{sys.executable}" -m ipykernel_launcher -f "$1"\n',
                      encoding="utf-8")
    spec = tmp_path / "jupyter" / "kernels" / "bana-flaky"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/bin/sh", str(script), "{connection_file}"],
        "display_name": "dies on its first start", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))

    course = courses["root"] / "flaky-kernel"
    shutil.copytree(courses["pristine"], course)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write("c.InProcessExecute.in_process = False\n"
                     'c.Execute.kernel_name = "bana-flaky"\n')
    assignment = ASSIGNMENTS[0]
    student = courses["subs"][assignment, "complete"].student
    run = grade_assignment(course, assignment, jobs=1, students=[student])
    assert mark.exists(), "the flaky kernel never ran"
    assert not run.failed, [o.problems for o in run.failed]
    assert any("did not start" in p for o in run.outcomes for p in o.problems)
    exercise_id = layout.assignments()[assignment][0]
    assert _grades(course, assignment, student, exercise_id) == \
        _grades(courses["kernel"], assignment, student, exercise_id)
