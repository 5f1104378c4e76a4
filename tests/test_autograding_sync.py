"""The committed course stays derived from the declarations, and the CLI fails cleanly."""

from __future__ import annotations

import json

import pytest

from bana_tools.cli.main import main
from bana_tools.course import layout
from bana_tools.course.build_source import build
from bana_tools.course.cells import escape_block
from bana_tools.course.feedback import strip_region
from bana_tools.course.release import sync_release
from bana_tools.exercises import all_exercises


def test_source_notebooks_match_the_declarations(repo_root):
    stale = build(repo_root / "autograding", check=True)
    assert stale == [], "run: bana course build"


def test_committed_exercises_are_the_current_release(repo_root):
    stale = sync_release(check=True)
    assert stale == [], "run: bana course release"


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_release_notebook_cells(repo_root, exercise):
    nb = json.loads((repo_root / "exercises" / exercise.assignment / f"{exercise.id}.ipynb").read_text())
    text = json.dumps(nb)
    ids = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    assert "form" in ids and "self-check" in ids
    assert ids["form"]["metadata"]["nbgrader"]["locked"]
    for grade_id, (kind, ref) in layout.graded_cells(exercise.id).items():
        meta = ids[grade_id]["metadata"]["nbgrader"]
        assert meta["grade"]
        if kind == "prose":
            assert meta["solution"] and meta["points"] == exercise.question(ref).points
        else:
            assert meta["points"] == next(c.points for c in exercise.checks if c.id == ref)
    assert "HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    for check in exercise.hidden_checks():
        assert check.id not in text and check.title not in text
    for item in exercise.rubric():
        assert item.text not in text


def test_escape_block_and_strip_region():
    assert escape_block('<a href="x">\n&') == "&lt;a href=&#34;x&#34;&gt;<br>&amp;"
    src = "keep\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\nafter"
    assert strip_region(src, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS") == ("keep\nafter", True)


def test_cli_errors_are_one_line(tmp_path, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert main(["course", "demo", str(tmp_path / "full")]) == 2
    assert main(["course", "grade", "ch01", "--course", str(tmp_path)]) == 2
    assert main(["course", "report", "ch01", "--course", str(tmp_path)]) == 2
    assert main(["course", "demo", str(tmp_path / "new"), "--assignment", "ch99"]) == 2
    assert main(["course", "init", str(tmp_path / "full")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 5 and all(line.startswith("bana course: error:") for line in err)


def test_init_writes_a_course_folder(tmp_path):
    assert main(["course", "init", str(tmp_path / "c")]) == 0
    assert build(tmp_path / "c", check=True) == []
    assert (tmp_path / "c" / "source" / "ch02" / "ch02-pilot-metrics.ipynb").exists()
