"""What a grading process does once, at start: leave out an import grading never uses, and
load what every submission needs before the first one arrives.

``bana course grade`` pays its start-up in every process: the main process (the scheduler)
and each worker. Two things dominated it:

- **jsonschema's IRI checker.** nbformat validates notebooks with jsonschema, and
  jsonschema, on import, loads ``rfc3987_syntax`` when it is installed (Jupyter's event
  library asks for it), which builds a parser for RFC 3987 at import time: over a second
  per process. Notebook validation never checks string formats (nbformat passes no format
  checker), so a grading process tells Python the module is absent
  (:func:`skip_unused_imports`); validation gives the same answers.
- **First-use costs in a worker.** nbgrader's converters, nbconvert, IPython's shell, the
  course's own modules and the expected values of a shared data scenario (ch02's pilot
  model: scikit-learn and a model fit, about 2.5 s) used to come while the first
  submission was being graded, after the scheduler had made the sandbox template.
  :func:`warm_worker` does them when the worker starts, and
  :func:`bana_tools.course.parallel.worker_pool` starts every worker at once, so they
  overlap the scheduler's own set-up and the first submission's time is its own.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence

#: Modules a grading process never needs, with why (see the module docstring).
UNUSED_IN_GRADING = {
    "rfc3987_syntax": "jsonschema's 'iri' format check; nbformat validates without formats",
}


def skip_unused_imports() -> list[str]:
    """Make the :data:`UNUSED_IN_GRADING` modules unimportable in this process, if nothing
    has imported them yet (an import of one then raises ``ImportError``, which jsonschema
    expects for an optional checker). Returns the names skipped. Call it before anything
    imports jsonschema; a module already loaded is left alone."""
    skipped = []
    for name in UNUSED_IN_GRADING:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # Python's "not available"
            skipped.append(name)
    return skipped


def warm_worker(assignments: Sequence[str] = ()) -> None:
    """Load, in a grading worker, what grading any submission loads: nbgrader's converter
    and preprocessors, notebook validation, the in-process shell and the modules the
    course's cells import (forms, checks, scenarios); and, for the exercises of
    ``assignments``, their data scenarios (:func:`bana_tools.scenarios.prepare`: the
    expected values of data every student shares are worked out once, here)."""
    import nbformat
    from nbgrader.converters import Autograde  # noqa: F401 - loads nbgrader, nbconvert

    from bana_tools import scenarios
    from bana_tools.course import execute, layout
    from bana_tools.exercises import get_exercise
    from bana_tools.forms import self_check, show  # noqa: F401 - the cells' own imports
    from bana_tools.grading import autograde  # noqa: F401

    nbformat.validate(nbformat.v4.new_notebook())  # builds the notebook schema's validator
    execute.grading_shell()
    declared = layout.assignments()
    for assignment in assignments:
        for exercise_id in declared.get(assignment, ()):
            # only a head start: a scenario that fails here fails its checks when they
            # run, for the submissions concerned, not the whole worker
            with contextlib.suppress(Exception):
                scenarios.prepare(get_exercise(exercise_id))
