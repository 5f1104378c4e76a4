"""The gradebook's record of a notebook is read once per notebook per converter:
nbgrader's sanitise and autograde passes each start from new resources, and the exporter
they share (the passes' parent) keeps the record between them."""

from __future__ import annotations

from nbgrader.api import Gradebook

from bana_tools.course.cells import SourceCell, source_cells
from bana_tools.course.nbgrader_run import ensure_bin_on_path


def _gradebook(path) -> str:
    ensure_bin_on_path()  # nbgrader stamps a new gradebook with the alembic command
    url = f"sqlite:///{path}"
    with Gradebook(url) as gb:
        gb.add_assignment("ch09")
        gb.add_notebook("ch09-monitoring", "ch09")
        gb.add_source_cell("form", "ch09-monitoring", "ch09", cell_type="code",
                           source="show('ch09-monitoring')", locked=True, checksum="c1")
        gb.add_grade_cell("tests", "ch09-monitoring", "ch09", max_score=3, cell_type="code")
        gb.add_source_cell("tests", "ch09-monitoring", "ch09", cell_type="code",
                           source="grade()", locked=True, checksum="c2")
    return url


def _resources(url: str) -> dict:
    return {"nbgrader": {"db_url": url, "assignment": "ch09", "notebook": "ch09-monitoring"}}


class Exporter:  # stands for the passes' parent: any object that can hold attributes
    pass


def test_the_record_is_read_once_per_converter_and_kept_between_passes(tmp_path):
    url = _gradebook(tmp_path / "gradebook.db")
    holder = Exporter()
    first = source_cells(_resources(url), holder)
    assert first.cells["form"] == SourceCell("code", "show('ch09-monitoring')", True, "c1")
    assert first.grade == {"tests": 3.0}
    (tmp_path / "gradebook.db").unlink()  # a second read would now find nothing
    assert source_cells(_resources(url), holder) is first  # the next pass: new resources
    assert source_cells(_resources(url)).cells == {}  # no holder: read again (empty now)
    other = Exporter()  # another converter reads for itself
    assert source_cells(_resources(url), other).cells == {}


def test_within_a_pass_the_resources_keep_the_record(tmp_path):
    url = _gradebook(tmp_path / "gradebook.db")
    resources = _resources(url)
    first = source_cells(resources)
    (tmp_path / "gradebook.db").unlink()
    assert source_cells(resources) is first
