"""The course's ``CheckCellMetadata`` decides exactly as nbgrader's, on every source notebook
of the course and on damaged copies of each."""

from __future__ import annotations

import copy
import logging
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import CheckCellMetadata as Theirs

from bana_tools.course.cellmeta import CheckCellMetadata as Ours
from bana_tools.course.cellmeta import CompiledMetadataValidator

SOURCES = sorted((Path(__file__).parents[1] / "autograding" / "source").glob("*/*.ipynb"))


def _graded(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")]


def _damages(nb):
    """(name, damaged notebook) pairs, each breaking one rule of nbgrader's metadata."""
    def edit(name, change):
        damaged = copy.deepcopy(nb)
        change(damaged)
        return name, damaged

    first = lambda d: _graded(d)[0].metadata.nbgrader  # noqa: E731
    graded = lambda d: next(c for c in _graded(d) if c.metadata.nbgrader.get("grade")).metadata.nbgrader  # noqa: E731
    return [
        edit("points not a number", lambda d: graded(d).update(points="ten")),
        edit("grade not a bool", lambda d: first(d).update(grade="yes")),
        edit("schema too old", lambda d: first(d).update(schema_version=2)),
        edit("schema too new", lambda d: first(d).update(schema_version=99)),
        edit("grade id missing", lambda d: first(d).pop("grade_id")),
        edit("empty grade id", lambda d: first(d).update(grade_id="")),
        edit("points missing", lambda d: graded(d).pop("points")),
        edit("duplicate grade id", lambda d: _graded(d)[1].metadata.nbgrader.update(
            grade_id=first(d)["grade_id"])),
    ]


def _outcome(validator, nb):
    try:
        validator.validate_nb(nb)
    except Exception as exc:  # noqa: BLE001 - the comparison is the point
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_decision_as_nbgrader_on_every_source_notebook_and_its_damages(path):
    nb = nbformat.read(path, as_version=4)
    assert _outcome(CompiledMetadataValidator(), nb) is None
    assert _outcome(MetadataValidator(), nb) is None
    for name, damaged in _damages(nb):
        theirs = _outcome(MetadataValidator(), damaged)
        assert theirs is not None, name  # the damage is one nbgrader rejects
        assert _outcome(CompiledMetadataValidator(), damaged) == theirs, name


def test_the_preprocessor_logs_and_raises_as_nbgraders(caplog):
    nb = nbformat.read(SOURCES[0], as_version=4)
    _graded(nb)[0].metadata.nbgrader["grade"] = "yes"
    results = []
    for cls in (Theirs, Ours):
        pre = cls()
        pre.log = logging.getLogger(f"test.{cls.__module__}")
        caplog.clear()
        with caplog.at_level(logging.ERROR), pytest.raises(Exception) as info:
            pre.preprocess(copy.deepcopy(nb), {})
        results.append((type(info.value), str(info.value), caplog.messages[-1]))
    assert results[0] == results[1]
    assert Ours().preprocess(nbformat.read(SOURCES[0], as_version=4), {})[0].cells


def test_every_source_notebook_is_covered():
    assert len(SOURCES) >= 14
