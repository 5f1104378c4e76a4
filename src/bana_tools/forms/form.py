"""The exercise form: a thin ipywidgets view over the answers file.

The form loads the answers file when it is built, reports every edit to a debounced
autosave (0.5 s after the last change), and writes only the fields it changed (so a
second form of the same exercise keeps its own edits). "Check my answers" saves at once,
then runs the public checks on what was saved and shows one line per check.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import threading
import weakref
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from bana_tools.answers import AnswersFile, AnswerStore
from bana_tools.exercises.schema import Exercise
from bana_tools.forms.widgets import QuestionWidget, make_widget, set_tooltip
from bana_tools.grading.results import format_points

DEFAULT_DEBOUNCE = 0.5

class Debouncer:
    """Call ``func`` once, ``delay`` seconds after the last :meth:`trigger`.

    Inside a running kernel the call is scheduled on the kernel's asyncio loop (so it runs
    on the main thread, like widget callbacks); elsewhere a daemon ``threading.Timer`` is
    used.
    """

    def __init__(self, delay: float, func: Callable[[], None]) -> None:
        self.delay = delay
        self.func = func
        self._handle: asyncio.TimerHandle | threading.Timer | None = None

    def trigger(self) -> None:
        self.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            timer = threading.Timer(self.delay, self.func)
            timer.daemon = True
            self._handle = timer
            timer.start()
        else:
            self._handle = loop.call_later(self.delay, self.func)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


class ExerciseForm:
    """The form of one exercise, bound to one answers file."""

    def __init__(
        self,
        exercise: Exercise,
        store: AnswerStore,
        *,
        debounce: float = DEFAULT_DEBOUNCE,
        on_saved: Callable[[AnswersFile], None] | None = None,
    ) -> None:
        self.exercise = exercise
        self.store = store
        self.on_saved = on_saved
        self.last_record: AnswersFile | None = None
        self.last_report = None
        self._dirty: set[str] = set()
        self._lock = threading.RLock()
        self._debouncer = Debouncer(debounce, self.flush)
        self.questions: dict[str, QuestionWidget] = {}
        self._build()
        self._load()
        _flush_at_exit(self)

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        ex = self.exercise
        # the header's style lets tab titles use their full width in JupyterLab and Notebook 7
        self.header = widgets.HTML(_piece("header", title=ex.title, intro=ex.intro))
        self.notice = widgets.HTML("")
        self.notice.add_class("bana-notice")
        self.progress = widgets.HTML("")
        self.progress.add_class("bana-progress")
        self.save_status = widgets.HTML("")
        self.save_status.add_class("bana-save-status")
        pages = []
        for part in ex.parts:
            items: list[widgets.Widget] = []
            if part.intro:
                items.append(widgets.HTML(_piece("part_intro", text=part.intro)))
            for question in part.questions:
                qw = make_widget(question, self._on_change, ex.id)
                self.questions[question.id] = qw
                items.append(qw.box)
            pages.append(widgets.VBox(items, layout=widgets.Layout(width="100%", padding="4px")))
        self.tabs = widgets.Tab(children=pages)
        for index, part in enumerate(ex.parts):
            self.tabs.set_title(index, part.title)
        self.check_button = widgets.Button(
            description="Check my answers", button_style="primary", icon="check",
            layout=widgets.Layout(width="auto", align_self="flex-start", margin="8px 0"),
        )
        set_tooltip(self.check_button, "Save now and run the self-checks on your answers")
        self.check_button.on_click(lambda _b: self.check())
        self.feedback = widgets.HTML("")
        self.feedback.add_class("bana-feedback")
        status_row = widgets.HBox(
            [self.progress, self.save_status],
            layout=widgets.Layout(justify_content="space-between", width="100%"),
        )
        self.widget = widgets.VBox(
            [self.header, self.notice, status_row, self.tabs, self.check_button, self.feedback],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("bana-form")
        self.widget.add_class(f"bana-form-{ex.id}")

    def _load(self) -> None:
        try:
            result = self.store.load()
        except Exception as exc:  # noqa: BLE001 - the form must always appear
            from bana_tools.answers import LoadResult

            result = LoadResult(
                self.exercise.empty_answers(),
                notices=[f"Could not read your answers ({type(exc).__name__}: {exc}); "
                         "nothing was changed on disk."],
            )
        self.set_values(result.answers)
        self.last_record = result.record
        for qw in self.questions.values():
            if hasattr(qw, "prefill_from_hub"):
                qw.prefill_from_hub()  # reported as an edit: autosaved like typing
        self._show_notices(result.notices)
        if result.updated is not None:
            self._status(f"Saved {_clock(result.updated)}")
        else:
            self._status("Not saved yet: answers save as you type")
        self._update_progress()

    # --- values ----------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """What the widgets show now, question id -> value."""
        return {qid: qw.get_value() for qid, qw in self.questions.items()}

    def set_values(self, answers: dict[str, Any]) -> None:
        """Show ``answers`` (cleaned) in the widgets without marking anything as changed."""
        cleaned, _ = self.exercise.clean_answers(answers)
        for qid, qw in self.questions.items():
            qw.set_value(cleaned[qid])
        self._update_progress()

    def _on_change(self, question_id: str) -> None:
        with self._lock:
            self._dirty.add(question_id)
        self._status("Unsaved changes...")
        self._update_progress()
        self._debouncer.trigger()

    # --- saving ----------------------------------------------------------------------------

    def flush(self) -> bool:
        """Save pending changes now. Returns False if the save failed (shown in the form)."""
        with self._lock:
            self._debouncer.cancel()
            if not self._dirty:
                return True
            dirty, self._dirty = self._dirty, set()
            changes = {qid: self.questions[qid].get_value() for qid in dirty}
            try:
                result = self.store.save(changes)
            except OSError as exc:
                self._dirty |= dirty
                reason = exc.strerror or str(exc)
                self._status(
                    f"Could not save ({reason}). Your answers are still in the form; "
                    "fix the folder and edit any field to retry.", "error"
                )
                return False
        self.last_record = result.record
        self._show_notices(result.notices)
        self._status(f"Saved {_clock(result.updated)}")
        if self.on_saved is not None and result.record is not None:
            # The notebook copy is a bonus: a failure to publish it never fails a save.
            with contextlib.suppress(Exception):
                self.on_saved(result.record)
        return True

    # --- checking --------------------------------------------------------------------------

    def check(self):
        """Save, run the public checks on the saved answers, and show the results."""
        from bana_tools.grading.runner import run_checks

        self.flush()
        answers = self.store.load().answers
        report = run_checks(self.exercise, answers, visibility="public")
        self.last_report = report
        with contextlib.suppress(OSError):  # the log is a bonus; the save status says why not
            self.last_record = self.store.record_attempt(report) or self.last_record
        self.feedback.value = _piece(
            "self_check", score=format_points(report.score),
            max_score=format_points(report.max_score),
            checks=[{"passed": c.passed, "title": c.title, "message": c.message,
                     "points": format_points(c.points), "max_points": format_points(c.max_points)}
                    for c in report.checks])
        return report

    # --- status lines ----------------------------------------------------------------------

    def _status(self, text: str, level: str = "info") -> None:
        self.save_status.value = _piece("status", text=text, error=level == "error")

    def _show_notices(self, notices: list[str]) -> None:
        if notices:
            text = " ".join(dict.fromkeys(notices))
            self.notice.value = _piece("notice", text=text)

    @property
    def parts_complete(self) -> int:
        answers = self.values()
        cleaned, _ = self.exercise.clean_answers(answers)
        return sum(self.exercise.part_complete(p, cleaned) for p in self.exercise.parts)

    def _update_progress(self) -> None:
        answers, _ = self.exercise.clean_answers(self.values())
        done = 0
        for index, part in enumerate(self.exercise.parts):
            complete = self.exercise.part_complete(part, answers)
            done += complete
            self.tabs.set_title(index, f"{part.title} \u2713" if complete else part.title)
        total = len(self.exercise.parts)
        self.progress.value = _piece("progress", done=done, total=total)

    @property
    def status_text(self) -> str:
        """The save status as plain text (for tests and logs)."""
        return html.unescape(_strip_tags(self.save_status.value))

    @property
    def notice_text(self) -> str:
        return html.unescape(_strip_tags(self.notice.value))

    @property
    def progress_text(self) -> str:
        return html.unescape(_strip_tags(self.progress.value))


def _piece(macro: str, **context: Any) -> str:
    """One piece of the form's HTML (``templates/form.html``), every value escaped."""
    from bana_tools.render import fragment

    return fragment("form.html", macro, **context)


def _flush_at_exit(form: ExerciseForm) -> None:
    """Save a pending edit when the kernel shuts down (restart within the debounce)."""
    ref = weakref.ref(form)

    def flush() -> None:
        alive = ref()
        if alive is not None:
            with contextlib.suppress(Exception):
                alive.flush()

    atexit.register(flush)


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text)


def _clock(when: datetime) -> str:
    return when.astimezone().strftime("%H:%M:%S")


def build_form(
    exercise_id: str,
    notebook_dir: Path | str | None = None,
    *,
    debounce: float = DEFAULT_DEBOUNCE,
    on_saved: Callable[[AnswersFile], None] | None = None,
) -> ExerciseForm:
    """Build (but do not display) the form of ``exercise_id`` for ``notebook_dir``."""
    from bana_tools.exercises import get_exercise

    exercise = get_exercise(exercise_id)
    store = AnswerStore.beside(exercise, notebook_dir)
    return ExerciseForm(exercise, store, debounce=debounce, on_saved=on_saved)
