"""The answer store: ``answers/<exercise_id>.json`` beside the notebook.

Guarantees (each has a test):

* **Atomic.** A save writes a temporary file in the same folder, flushes and fsyncs it,
  then ``os.replace``\\ s it over the answers file, so a reader (or a crash) only ever sees
  the old file or the new one. The version being replaced is kept as ``<file>.bak``.
* **Never overwrites what it cannot read.** A corrupt file, or one for another exercise,
  is moved aside to ``<name>.corrupt-<timestamp>.json``; the store continues from the
  backup and says so in one line.
* **Several writers.** Each save takes an exclusive OS lock, re-reads the file, and
  writes back only the fields this writer changed, so two forms of the same exercise (a
  re-run cell, a second tab, a second kernel) never wipe each other's edits.
* **Bounded.** Every value is cleaned by its question (size limits, shape) before it is
  written; a cut value comes back as a notice instead of an error.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bana_tools.answers.locking import exclusive_lock
from bana_tools.answers.model import AnswersFile, now_utc, parse_answers_file
from bana_tools.pydantic_errors import first_error

if TYPE_CHECKING:
    from bana_tools.exercises.schema import Exercise

ANSWERS_DIRNAME = "answers"


class AnswersError(ValueError):
    """An answers file that cannot be used (unreadable, invalid or for another exercise)."""


def answers_path(exercise_id: str, notebook_dir: Path | str | None = None) -> Path:
    """Where the answers of ``exercise_id`` live: ``<notebook_dir>/answers/<id>.json``."""
    base = Path(notebook_dir) if notebook_dir is not None else Path.cwd()
    return base / ANSWERS_DIRNAME / f"{exercise_id}.json"


def set_aside(path: Path) -> Path:
    """Move an unusable answers file to ``<stem>.corrupt-<time>[-n].json`` beside it (the one
    naming scheme for set-aside files: never deleted); return the new path."""
    stamp = now_utc().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.stem}.corrupt-{stamp}.json")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.stem}.corrupt-{stamp}-{counter}.json")
    os.replace(path, target)
    return target


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file, flush, fsync, ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if os.name == "posix":  # make the rename itself durable
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def read_answers_file(path: Path | str, exercise_id: str | None = None) -> AnswersFile:
    """Read and validate an answers file without changing anything on disk.

    Raises :class:`AnswersError` with a one-line reason (for CLIs and grading).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AnswersError(f"no answers file at {path}") from None
    except OSError as exc:
        raise AnswersError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        record = parse_answers_file(data)
    except ValidationError as exc:
        raise AnswersError(f"{path} is not a valid answers file ({_first_error(exc)})") from None
    if exercise_id is not None and record.exercise_id != exercise_id:
        raise AnswersError(
            f"{path} holds answers for {record.exercise_id!r}, not {exercise_id!r}"
        )
    return record


def _first_error(exc: ValidationError) -> str:
    """The first error, cut to fit a one-line notice."""
    return first_error(exc, whole="file")[:160]


@dataclass
class LoadResult:
    """What :meth:`AnswerStore.load` found."""

    answers: dict[str, Any]
    updated: datetime | None = None
    notices: list[str] = field(default_factory=list)
    record: AnswersFile | None = None


@dataclass
class SaveResult:
    """What :meth:`AnswerStore.save` wrote."""

    answers: dict[str, Any]
    updated: datetime
    notices: list[str] = field(default_factory=list)
    record: AnswersFile | None = None


@dataclass
class AnswerStore:
    """Reads and writes one exercise's answers file safely. Holds no answers itself."""

    exercise: Exercise
    path: Path

    @classmethod
    def beside(cls, exercise: Exercise, notebook_dir: Path | str | None = None) -> AnswerStore:
        """The store for ``exercise`` in ``<notebook_dir>/answers/``."""
        return cls(exercise, answers_path(exercise.id, notebook_dir))

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    # --- reading ---------------------------------------------------------------------------

    def load(self) -> LoadResult:
        """Load the answers (cleaned, every question present) and any notices."""
        notices: list[str] = []
        if not self.path.exists() and not self.backup_path.exists():
            return LoadResult(self.exercise.empty_answers())
        try:
            with exclusive_lock(self.lock_path):
                record, _raw = self._read_current(notices)
        except OSError as exc:
            # A folder we cannot lock (read-only share, odd mount): read without changing
            # anything, and say that saving will not work until the folder is fixed.
            record = self._read_without_lock()
            notices.append(
                f"The answers folder cannot be written ({exc.strerror or exc}); your answers "
                "are shown but new edits will not be saved until it can."
            )
        if record is None:
            return LoadResult(self.exercise.empty_answers(), notices=notices)
        answers, warnings = self.exercise.clean_answers(record.answers)
        return LoadResult(answers, record.updated, notices + warnings, record)

    def _read_without_lock(self) -> AnswersFile | None:
        for path in (self.path, self.backup_path):
            try:
                record, _, _ = self._read_valid(path)
            except OSError:
                continue
            if record is not None:
                return record
        return None

    def _read_valid(self, path: Path) -> tuple[AnswersFile | None, bytes | None, str | None]:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None, None, None
        try:
            record = parse_answers_file(raw)
        except ValidationError as exc:
            return None, raw, f"it could not be read: {_first_error(exc)}"
        if record.exercise_id != self.exercise.id:
            return None, raw, f"it holds answers for {record.exercise_id!r}"
        return record, raw, None

    def _read_current(self, notices: list[str]) -> tuple[AnswersFile | None, bytes | None]:
        """Read the answers file under the lock; quarantine it if it is unusable."""
        record, raw, problem = self._read_valid(self.path)
        if record is not None:
            return record, raw
        if problem is not None:
            moved = self._quarantine()
            backup, _, _ = self._read_valid(self.backup_path)
            if backup is not None:
                when = backup.updated.astimezone().strftime("%H:%M:%S")
                notices.append(
                    f"Your answers file was unusable ({problem}); it was kept as {moved.name} "
                    f"and you continue from the backup saved at {when}."
                )
            else:
                notices.append(
                    f"Your answers file was unusable ({problem}); it was kept as {moved.name}. "
                    "No backup was found, so the form starts empty."
                )
            return self._restore(backup)
        # The file is missing: continue from a backup if one is there.
        backup, _, _ = self._read_valid(self.backup_path)
        if backup is not None:
            notices.append("The answers file was missing; you continue from its backup.")
        return self._restore(backup)

    def _restore(self, backup: AnswersFile | None) -> tuple[AnswersFile | None, bytes | None]:
        """Put the backup back as the answers file (under the lock), so that a hand-in,
        ``bana check`` and grading find the answers the form shows even before the next edit."""
        if backup is None:
            return None, None
        text = backup.to_json()
        atomic_write_text(self.path, text)
        return backup, text.encode("utf-8")

    def _remove_stale_temp_files(self, age_s: float = 60.0) -> None:
        """Delete temp files a killed writer left behind (never a live writer's: too young)."""
        cutoff = time.time() - age_s
        for pattern in (f".{self.path.name}.*.tmp", f".{self.backup_path.name}.*.tmp"):
            for leftover in self.path.parent.glob(pattern):
                with contextlib.suppress(OSError):
                    if leftover.stat().st_mtime < cutoff:
                        leftover.unlink()

    def _quarantine(self) -> Path:
        return set_aside(self.path)

    # --- writing ---------------------------------------------------------------------------

    def save(self, changes: Mapping[str, Any]) -> SaveResult:
        """Merge ``changes`` (question id -> value) into the file and write it atomically.

        Only the given fields are replaced; fields other writers changed are kept.
        Raises ``OSError`` if the folder cannot be written (the caller shows it).
        """
        notices: list[str] = []
        cleaned: dict[str, Any] = {}
        questions = self.exercise.questions
        for qid, value in changes.items():
            question = questions.get(qid)
            if question is None:
                continue
            cleaned[qid], warning = question.clean(value)
            if warning:
                notices.append(warning)
        with exclusive_lock(self.lock_path):
            current, raw = self._read_current(notices)
            now = now_utc()
            merged = dict(current.answers) if current else {}
            merged.update(cleaned)
            record = AnswersFile(
                exercise_id=self.exercise.id,
                created=current.created if current else now,
                updated=now,
                answers=merged,
                attempts=current.attempts if current else [],
            )
            if raw is not None:
                atomic_write_text(self.backup_path, raw.decode("utf-8"))
            atomic_write_text(self.path, record.to_json())
            self._remove_stale_temp_files()
        answers, _ = self.exercise.clean_answers(merged)
        return SaveResult(answers, now, notices, record)

    def record_attempt(self, report: Any) -> AnswersFile | None:
        """Append one self-check (a :class:`~bana_tools.grading.results.GradeReport` of
        public checks) to the file's attempt log, keeping the last ``MAX_ATTEMPTS``.

        The answers are left as they are. Returns the new record, or ``None`` when there is
        no answers file to log into yet. Raises ``OSError`` if the folder cannot be written.
        """
        from bana_tools.answers.model import MAX_ATTEMPTS, Attempt

        attempt = Attempt(
            score=float(report.score), max_score=float(report.max_score),
            checks={c.id: float(c.points) for c in report.checks},
            passed=[c.id for c in report.checks if c.passed],
        )
        with exclusive_lock(self.lock_path):
            current, raw = self._read_current([])
            if current is None:
                return None
            record = current.model_copy(
                update={"attempts": [*current.attempts, attempt][-MAX_ATTEMPTS:]}
            )
            if raw is not None:
                atomic_write_text(self.backup_path, raw.decode("utf-8"))
            atomic_write_text(self.path, record.to_json())
        return record
