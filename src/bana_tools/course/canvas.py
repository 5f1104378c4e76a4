"""An ``nbgrader export`` plugin that writes a CSV Canvas's gradebook import accepts.

    nbgrader export --exporter=bana_tools.course.canvas.CanvasExportPlugin --to canvas.csv

The file has the layout of Canvas's own gradebook export, which is what its import reads:

* header: ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
  column per assignment, named ``<name> (<canvas assignment id>)``, or just ``<name>``
  when no Canvas id is configured (Canvas then creates a new assignment on import);
* a second row, ``Points Possible``, with each assignment's maximum score;
* one row per student: name as ``Last, First``, the Canvas identifiers, the section, and
  the score (after any late penalty, never below zero; a missing submission is 0 unless
  ``CanvasExportPlugin.missing_as_zero = False``, which leaves the cell blank so Canvas
  keeps what it has).

Canvas matches rows to students by ``ID`` (its user id), then ``SIS User ID`` or ``SIS
Login ID``. Give the plugin the CSV you exported from the Canvas gradebook
(``CanvasExportPlugin.roster``) and it copies those columns for each student, matching
the nbgrader student id against ``CanvasExportPlugin.roster_id_column`` (default ``SIS
Login ID``). Without a roster, ``SIS Login ID`` is the nbgrader id and the Canvas ``ID``
is left blank. Map nbgrader assignment names to Canvas assignment ids with
``CanvasExportPlugin.assignment_ids = {"ch01": 123456}``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Bool, Dict, Unicode

IDENTITY_COLUMNS: tuple[str, ...] = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_ROW_LABEL = "Points Possible"


def read_roster(path: Path | str, id_column: str) -> dict[str, dict[str, str]]:
    """Rows of a Canvas gradebook export, keyed by ``id_column`` (identity columns only)."""
    rows: dict[str, dict[str, str]] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            key = (row.get(id_column) or "").strip()
            if not key or (row.get("Student") or "").strip() == POINTS_ROW_LABEL:
                continue
            rows[key] = {col: (row.get(col) or "").strip() for col in IDENTITY_COLUMNS}
    return rows


def _score_text(value: float) -> str:
    return f"{round(value, 2):g}"


class CanvasExportPlugin(ExportPlugin):
    """Export the gradebook as a Canvas gradebook-import CSV (see the module docstring)."""

    roster = Unicode("", help="CSV exported from the Canvas gradebook (for ids and sections)").tag(
        config=True
    )
    roster_id_column = Unicode(
        "SIS Login ID", help="roster column that holds the nbgrader student id"
    ).tag(config=True)
    assignment_ids = Dict({}, help="nbgrader assignment name -> Canvas assignment id").tag(
        config=True
    )
    missing_as_zero = Bool(True, help="0 for a missing submission (else a blank cell)").tag(
        config=True
    )

    def rows(self, gradebook: Gradebook) -> list[list[str]]:
        """The CSV rows (header, points possible, one per student)."""
        roster = read_roster(self.roster, self.roster_id_column) if self.roster else {}
        wanted_assignments = {str(a) for a in self.assignment}
        wanted_students = {str(s) for s in self.student}
        assignments = [a for a in gradebook.assignments
                       if not wanted_assignments or a.name in wanted_assignments]
        header = list(IDENTITY_COLUMNS)
        for a in assignments:
            canvas_id = self.assignment_ids.get(a.name)
            header.append(f"{a.name} ({canvas_id})" if canvas_id else a.name)
        points = [POINTS_ROW_LABEL, "", "", "", ""] + [_score_text(a.max_score) for a in assignments]
        out = [header, points]
        for student in sorted(gradebook.students, key=lambda s: (s.last_name or "", s.first_name or "", s.id)):
            if wanted_students and student.id not in wanted_students:
                continue
            out.append(self._identity(student, roster) + [
                self._score(gradebook, a.name, student.id) for a in assignments
            ])
        return out

    def _identity(self, student: Any, roster: dict[str, dict[str, str]]) -> list[str]:
        if student.id in roster:
            return [roster[student.id][col] for col in IDENTITY_COLUMNS]
        if student.last_name or student.first_name:
            name = ", ".join(p for p in (student.last_name, student.first_name) if p)
        else:
            name = student.id
        return [name, "", "", student.id, ""]

    def _score(self, gradebook: Gradebook, assignment: str, student: str) -> str:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return "0" if self.missing_as_zero else ""
        penalty = submission.late_submission_penalty or 0.0
        return _score_text(max(0.0, submission.score - penalty))

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "canvas_grades.csv"
        self.log.info("Exporting grades for Canvas to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(self.rows(gradebook))
