"""The nbgrader settings of the course, applied from ``nbgrader_config.py``.

``autograding/nbgrader_config.py`` (and the demo course's) calls :func:`configure`, then
sets what an instructor tunes (course id, exchange folder, timeouts). Keeping the
pipeline here means every course folder gets the same preprocessors and a change is made
once. Each pipeline is nbgrader's own default (read from its converter classes, so a new
nbgrader pass is kept) with the course's passes inserted. The pipeline, in order:

Sanitising a submission (``Autograde.sanitize_preprocessors``)
    ``StashAnswers`` (keep the answers copy the notebook carries, before outputs are
    cleared), ``ClearOutput``, ``DeduplicateIds``, ``NeutraliseAddedCells`` (cells that are
    not in the source notebook, or a second copy of one, are shown as escaped text and
    never run; the nbgrader metadata of known cells is restored from the gradebook),
    ``OverwriteKernelspec``, ``OverwriteCells``, ``RestoreMissingCells`` (every deleted
    cell of the source notebook comes back where it was; nbgrader's own
    ``add_missing_cells`` handles grade cells only and fails after a locked text cell),
    ``CheckCellMetadata`` (nbgrader's, with its JSON schema compiled once per process:
    :mod:`bana_tools.course.cellmeta`).

Grading it (``Autograde.autograde_preprocessors``)
    ``PrepareAnswers`` (restore a missing or unreadable answers file from the copy, and
    say so in a note at the top), ``RenderProse`` (each prose answer, escaped, with its
    rubric, in its hand-graded cell), ``InProcessExecute`` (nbgrader's ``Execute`` with a
    per-cell output cap and per-cell timeout from ``Execute.timeout``; when every code cell
    is one of the course's own, it runs them in the grading process instead of a kernel,
    see :mod:`bana_tools.course.execute`), then nbgrader's
    ``IgnorePattern``, ``ClearMetadataPreprocessor``, ``LimitOutput``, ``SaveAutoGrades``,
    ``AssignLatePenalties``, ``CheckCellMetadata``.

Feedback (``GenerateFeedback.preprocessors``)
    ``GetGrades``, ``SanitizeFeedback`` (no hidden-test source or messages, no rubric),
    ``CSSHTMLHeaderPreprocessor``.
"""

from __future__ import annotations

from typing import Any

from bana_tools.course.layout import COURSE_ID, PROSE_STUB

#: ``nbgrader zip_collect`` file name pattern (matched against the full path): Canvas's ``<login>_[LATE_]<userid>_<subid>_<file>``
#: (a resubmission's ``-1`` suffix is dropped from the notebook name).
LMS_FILE_REGEXP = r"^(?:.*/)?(?P<student_id>[A-Za-z0-9.]+)_(?:LATE_)?\d+_\d+_(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb$"

_SANITISE = "bana_tools.course.sanitise."
_PREPARE = "bana_tools.course.prepare."


def _dotted(item: Any) -> str:
    return item if isinstance(item, str) else f"{item.__module__}.{item.__qualname__}"


def _defaults(converter: str, trait: str) -> list[str]:
    """nbgrader's own default pipeline, as dotted class names."""
    import nbgrader.converters

    return [_dotted(p) for p in getattr(getattr(nbgrader.converters, converter)(), trait)]


def _insert(pipeline: list[str], anchor: str, names: list[str], *, before: bool = False,
            replace: bool = False) -> list[str]:
    """``pipeline`` with ``names`` after (or before, or instead of) the entry ending in ``anchor``."""
    index = next(i for i, name in enumerate(pipeline) if name.endswith("." + anchor))
    if replace:
        return pipeline[:index] + names + pipeline[index + 1:]
    at = index if before else index + 1
    return pipeline[:at] + names + pipeline[at:]


def _compiled_metadata_check(pipeline: list[str]) -> list[str]:
    """``pipeline`` with nbgrader's ``CheckCellMetadata`` replaced by the course's subclass
    (same check, schema compiled once: :mod:`bana_tools.course.cellmeta`)."""
    return ["bana_tools.course.cellmeta.CheckCellMetadata"
            if name.endswith(".CheckCellMetadata") else name for name in pipeline]


def sanitize_preprocessors() -> list[str]:
    """nbgrader's sanitising pipeline with the course's passes inserted (module docstring)."""
    pipeline = _compiled_metadata_check(_defaults("Autograde", "sanitize_preprocessors"))
    pipeline = _insert(pipeline, "ClearOutput", [_SANITISE + "StashAnswers"], before=True)
    pipeline = _insert(pipeline, "DeduplicateIds", [_SANITISE + "NeutraliseAddedCells"])
    return _insert(pipeline, "OverwriteCells", [_SANITISE + "RestoreMissingCells"])


def autograde_preprocessors() -> list[str]:
    """nbgrader's grading pipeline, with answers prepared and prose rendered before its
    ``Execute``, which :class:`~bana_tools.course.execute.InProcessExecute` replaces."""
    pipeline = _compiled_metadata_check(_defaults("Autograde", "autograde_preprocessors"))
    pipeline = _insert(pipeline, "Execute", [_PREPARE + "PrepareAnswers", _PREPARE + "RenderProse"],
                       before=True)
    return _insert(pipeline, "Execute", ["bana_tools.course.execute.InProcessExecute"],
                   replace=True)


def feedback_preprocessors() -> list[str]:
    """nbgrader's feedback pipeline with the sanitiser right after ``GetGrades``."""
    pipeline = _defaults("GenerateFeedback", "preprocessors")
    return _insert(pipeline, "GetGrades", ["bana_tools.course.feedback.SanitizeFeedback"])


#: Per-cell limits (instructors may override them after calling :func:`configure`).
CELL_TIMEOUT_SECONDS = 60
MAX_OUTPUT_BYTES_PER_CELL = 1_000_000
MAX_OUTPUT_LINES_PER_CELL = 1000


def configure(c: Any, course_id: str = COURSE_ID) -> Any:
    """Apply the course's nbgrader settings to the config object ``c``; returns ``c``."""
    c.CourseDirectory.course_id = course_id

    c.ClearSolutions.text_stub = PROSE_STUB
    c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
    c.Autograde.autograde_preprocessors = autograde_preprocessors()
    c.OverwriteCells.add_missing_cells = False  # RestoreMissingCells does it, for every cell

    c.Execute.timeout = CELL_TIMEOUT_SECONDS
    c.Execute.interrupt_on_timeout = True
    c.BoundedExecute.max_output_bytes = MAX_OUTPUT_BYTES_PER_CELL
    c.LimitOutput.max_lines = MAX_OUTPUT_LINES_PER_CELL

    # LMS downloads (Canvas names files <login>_[LATE_]<userid>_<subid>_<file>).
    c.FileNameCollectorPlugin.named_regexp = LMS_FILE_REGEXP

    c.GenerateFeedback.preprocessors = feedback_preprocessors()
    return c


#: The course's ``nbgrader_config.py`` (``bana course build`` and ``bana course init`` write it).
COURSE_CONFIG_TEXT = '''"""nbgrader configuration of the BANA 7085 course (run nbgrader commands in this folder).

The grading pipeline (preprocessors for structured answers, feedback sanitiser, output
caps) is set by ``bana_tools.course.config.configure``; see that module for the list.
Below it are the settings an instructor is expected to change.
"""

from bana_tools.course.config import configure

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
configure(c, course_id="bana7085")

# Where `nbgrader release_assignment` / `fetch_assignment` / `submit` exchange files.
# On a shared JupyterHub this is a folder every user can write to; nbgrader's default is
# /srv/nbgrader/exchange. Tests and the demo course use a folder of their own.
# c.Exchange.root = "/srv/nbgrader/exchange"

# Limits for one cell while autograding (seconds; bytes of output kept per cell).
c.Execute.timeout = 60
c.BoundedExecute.max_output_bytes = 1_000_000
# When a cell must run in a kernel: starts tried before a notebook's grading fails (a kernel
# can die on start on a busy machine; no cell has run by then).
c.BoundedExecute.kernel_start_attempts = 3

# Cells a student adds are shown to the grader as text and never run. To run them
# (limited by the timeout and output cap above), set:
# c.NeutraliseAddedCells.run_added_cells = True

# Canvas export: `nbgrader export --exporter=bana_tools.course.canvas.CanvasExportPlugin`.
# Map nbgrader assignment names to Canvas assignment ids, and point to the gradebook CSV
# exported from Canvas so each student's Canvas ID, SIS ids and section are filled in.
# c.CanvasExportPlugin.assignment_ids = {"ch01": 123456, "ch02": 123457}
# c.CanvasExportPlugin.roster = "canvas-roster.csv"
'''


def course_config_text(course_id: str = "bana7085") -> str:
    """The course's ``nbgrader_config.py`` (:data:`COURSE_CONFIG_TEXT`) for ``course_id``."""
    return COURSE_CONFIG_TEXT.replace('course_id="bana7085"', f"course_id={course_id!r}")
