"""The course's nbgrader pipelines are nbgrader's own defaults with our passes inserted."""

from __future__ import annotations

from importlib import import_module

import pytest
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import Execute
from traitlets.config import Config

from bana_tools.course.config import (
    autograde_preprocessors,
    configure,
    feedback_preprocessors,
    sanitize_preprocessors,
)


def _cls(name: str) -> type:
    module, _, attr = name.rpartition(".")
    return getattr(import_module(module), attr)


def _is_subsequence(theirs: list[type], ours: list[type]) -> bool:
    it = iter(ours)
    return all(any(issubclass(o, t) for o in it) for t in theirs)


@pytest.mark.parametrize(("ours", "converter", "trait"), [
    (sanitize_preprocessors, Autograde, "sanitize_preprocessors"),
    (autograde_preprocessors, Autograde, "autograde_preprocessors"),
    (feedback_preprocessors, GenerateFeedback, "preprocessors"),
])
def test_ours_contain_nbgraders_defaults_in_order(ours, converter, trait):
    theirs = list(getattr(converter(), trait))
    mine = [_cls(name) for name in ours()]
    assert _is_subsequence(theirs, mine)
    assert len(mine) > len(theirs)  # and our passes are in there too


def test_execute_is_ours_and_still_nbgraders():
    classes = [_cls(n) for n in autograde_preprocessors()]
    executes = [c for c in classes if issubclass(c, Execute)]
    assert len(executes) == 1 and executes[0] is not Execute
    assert executes[0].__name__ == "InProcessExecute"


def test_the_order_check_would_catch_a_missing_default():
    theirs = list(Autograde().autograde_preprocessors)
    mine = [_cls(n) for n in autograde_preprocessors()]
    assert not _is_subsequence(theirs, [c for c in mine if c.__name__ != "SaveAutoGrades"])


def test_configure_applies_the_pipelines():
    c = configure(Config())
    assert c.Autograde.autograde_preprocessors == autograde_preprocessors()
    assert c.GenerateFeedback.preprocessors == feedback_preprocessors()
