"""Students' answers on disk: the schema, the safe store, and the copy in the notebook.

Public API:

* :class:`AnswersFile` - the validated file (``schema_version``, ``exercise_id``,
  ``created``, ``updated``, ``answers``).
* :class:`AnswerStore` - ``load()`` and ``save(changes)`` with locking, field-level merge,
  atomic writes, a ``.bak`` backup and quarantine of unreadable files.
* :func:`answers_path` - ``<notebook dir>/answers/<exercise_id>.json``.
* :func:`read_answers_file` - read-only validation for CLIs and grading.
* :func:`restore_answers_from_notebook` - rebuild a missing file from the notebook copy.
"""

from __future__ import annotations

from bana_tools.answers.model import ANSWERS_MIME, SCHEMA_VERSION, AnswersFile, parse_answers_file
from bana_tools.answers.notebook import (
    answers_bundle,
    answers_in_notebook,
    restore_answers_from_notebook,
)
from bana_tools.answers.store import (
    AnswersError,
    AnswerStore,
    LoadResult,
    SaveResult,
    answers_path,
    atomic_write_text,
    read_answers_file,
)

__all__ = [
    "ANSWERS_MIME",
    "SCHEMA_VERSION",
    "AnswerStore",
    "AnswersError",
    "AnswersFile",
    "LoadResult",
    "SaveResult",
    "answers_bundle",
    "answers_in_notebook",
    "answers_path",
    "atomic_write_text",
    "parse_answers_file",
    "read_answers_file",
    "restore_answers_from_notebook",
]
