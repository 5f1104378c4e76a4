"""The feedback sanitiser: what a student must not see never reaches the feedback HTML.

nbgrader 0.9 builds feedback from the autograded notebook, whose test cells were restored
from the gradebook with their hidden tests in them (nbgrader issues 917 and 1363). Listed
in ``GenerateFeedback.preprocessors`` after ``GetGrades``, :class:`SanitizeFeedback`:

* removes every hidden-test region (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``
  by default), solution region and mark-scheme region from every cell's source, with the
  delimiters nbgrader is configured with (``ClearHiddenTests.begin_test_delimeter`` /
  ``end_test_delimeter``, ``ClearSolutions.begin_solution_delimeter`` / ``end_...``,
  ``ClearMarkScheme.begin_mark_scheme_delimeter`` / ``end_...``), so an instructor who
  changes them in ``nbgrader_config.py`` changes them here too;
* replaces the outputs of a cell that held a hidden test with one line giving its score,
  so neither the hidden check's code, its title nor its message (nor a traceback quoting
  them) is shown;
* removes the rubric block (class ``bana-rubric``) that graders see in prose cells;
* drops widget-view outputs (they render as nothing but a class name in static HTML).
"""

from __future__ import annotations

import re

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearMarkScheme,
    ClearSolutions,
    NbGraderPreprocessor,
)
from traitlets import Unicode

from bana_tools.course import layout

_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def strip_region(source: str, begin: str, end: str) -> tuple[str, bool]:
    """``source`` without the lines from ``begin`` to ``end`` (inclusive); and whether any."""
    kept: list[str] = []
    inside = found = False
    for line in source.split("\n"):
        if begin in line:
            inside = found = True
            continue
        if end in line and inside:
            inside = False
            continue
        if not inside:
            kept.append(line)
    return "\n".join(kept), found


_RUBRIC_BLOCK = re.compile(r"<div class=\"" + re.escape(layout.RUBRIC_CLASS) + r"\".*?</div>", re.S)


class SanitizeFeedback(NbGraderPreprocessor):
    """Remove hidden tests, their outputs and the graders' rubric before feedback is rendered."""

    hidden_note = Unicode(
        "Hidden check: {score} of {points} points. Its details stay with your instructor.",
        help="text shown instead of a hidden check's output ({score}, {points} filled in)",
    ).tag(config=True)

    def delimiters(self) -> dict[str, tuple[str, str]]:
        """(begin, end) of the hidden-test, solution and mark-scheme regions, as configured."""
        hidden = ClearHiddenTests(config=self.config)
        solution = ClearSolutions(config=self.config)
        scheme = ClearMarkScheme(config=self.config)
        return {
            "hidden": (hidden.begin_test_delimeter, hidden.end_test_delimeter),
            "solution": (solution.begin_solution_delimeter, solution.end_solution_delimeter),
            "mark_scheme": (scheme.begin_mark_scheme_delimeter, scheme.end_mark_scheme_delimeter),
        }

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        self._delimiters = self.delimiters()
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, index: int):
        marks = getattr(self, "_delimiters", None) or self.delimiters()
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        source, hidden = strip_region(source, *marks["hidden"])
        source, _ = strip_region(source, *marks["solution"])
        source, _ = strip_region(source, *marks["mark_scheme"])
        meta = cell.metadata.get("nbgrader", {}) if isinstance(cell.metadata, dict) else {}
        grade_id = str(meta.get("grade_id", ""))
        hidden = hidden or grade_id.startswith(layout.HIDDEN_PREFIX)
        if cell.cell_type == "markdown":
            source = _RUBRIC_BLOCK.sub("", source)
        cell.source = source.rstrip("\n")
        if cell.cell_type != "code":
            return cell, resources
        if hidden:
            score, points = meta.get("score"), meta.get("points")
            text = self.hidden_note.format(
                score="-" if score is None else f"{float(score):g}",
                points="-" if points is None else f"{float(points):g}",
            )
            cell.outputs = [from_dict({"output_type": "stream", "name": "stdout", "text": text + "\n"})]
        else:
            cell.outputs = [
                out for out in cell.get("outputs", [])
                if _WIDGET_MIME not in (out.get("data") or {})
            ]
        return cell, resources
