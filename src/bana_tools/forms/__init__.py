"""Interactive exercise forms (standard ipywidgets) over the answers file.

In a notebook::

    from bana_tools.forms import show
    show("ch02-readmission")

shows the form and, under it, a small output that keeps a copy of the latest answers in
the notebook (MIME type ``application/vnd.bana.answers+json``, plus a plain-text line).
The copy is refreshed on every save, so a notebook uploaded on its own still carries the
answers (see :func:`bana_tools.answers.restore_answers_from_notebook`).

:func:`self_check` is for the self-check cell: it prints the public checks on the saved
answers. Importing this package is cheap; ipywidgets is imported when a form is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bana_tools.forms.form import ExerciseForm


def build_form(exercise_id: str, notebook_dir: Path | str | None = None, **kwargs: Any) -> ExerciseForm:
    """Build the form of ``exercise_id`` without displaying it (see ``form.build_form``)."""
    from bana_tools.forms.form import build_form as _build

    return _build(exercise_id, notebook_dir, **kwargs)


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def show(exercise_id: str, notebook_dir: Path | str | None = None) -> None:
    """Display the form of ``exercise_id`` and the notebook copy of its answers.

    ``notebook_dir`` defaults to the kernel's working folder (the notebook's folder in
    JupyterLab, Notebook, VS Code and nbclient). Works headless: without a frontend the
    widgets simply go unrendered and the plain-text line is the output.
    """
    from IPython.display import display

    from bana_tools.answers import AnswersFile, answers_bundle

    base = Path(notebook_dir) if notebook_dir is not None else Path.cwd()
    form = build_form(exercise_id, base)
    rel = _relative(form.store.path, base)
    display(form.widget)
    record = form.last_record or AnswersFile(
        exercise_id=exercise_id, answers=form.exercise.empty_answers()
    )
    handle = display(answers_bundle(record, rel), raw=True, display_id=True)

    def publish(saved: AnswersFile) -> None:
        handle.update(answers_bundle(saved, rel), raw=True)

    form.on_saved = publish


def self_check(exercise_id: str, notebook_dir: Path | str | None = None) -> None:
    """Print the public checks on the saved answers, and refresh the notebook copy."""
    from IPython.display import display

    from bana_tools.answers import AnswersError, answers_bundle, answers_path, read_answers_file
    from bana_tools.grading.results import format_points
    from bana_tools.grading.runner import run_checks

    base = Path(notebook_dir) if notebook_dir is not None else Path.cwd()
    path = answers_path(exercise_id, base)
    if not path.exists():
        print(f"Nothing to check yet: {_relative(path, base)} does not exist. "
              "Fill in the form above first.")
        return
    try:
        record = read_answers_file(path, exercise_id)
    except AnswersError as exc:
        print(f"Cannot check: {exc}. Run the form cell: it sets the file aside and "
              "continues from the backup.")
        return
    report = run_checks(exercise_id, record.answers, visibility="public")
    record = _log_attempt(exercise_id, path, report) or record
    print(f"Self-check: {format_points(report.score)} of {format_points(report.max_score)} points from automatic checks.")
    for c in report.checks:
        print(f"  [{'ok' if c.passed else '  '}] {c.title}: {c.message}")
    display(answers_bundle(record, _relative(path, base)), raw=True)


def _log_attempt(exercise_id: str, path: Path, report: Any):
    """Append the self-check to the answers file's attempt log (never fails the check)."""
    from bana_tools.answers import AnswerStore
    from bana_tools.exercises import get_exercise

    try:
        return AnswerStore(get_exercise(exercise_id), path).record_attempt(report)
    except OSError:
        return None


__all__ = ["build_form", "self_check", "show"]
