"""Widgets while grading in process: the display of every form is what a kernel writes.

The grading process gives widgets a comm with no frontend and builds only the part of a
form's repr that the display's text/plain keeps (:mod:`bana_tools.course.grading_widgets`).
Over every exercise the declarations define, empty and answered, the display bundle must
equal ipywidgets' own.
"""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from bana_tools.answers.store import AnswerStore
from bana_tools.course.answers_sim import example_answers
from bana_tools.course.grading_widgets import (
    NoFrontendComm,
    live_widgets,
    repr_prefix,
    widgets_for_grading,
)
from bana_tools.exercises import exercise_ids, get_exercise
from bana_tools.forms import build_form


@pytest.fixture(autouse=True)
def _close_new_widgets():
    import bana_tools.forms.widgets  # noqa: F401 - its shared layouts live on; count them first

    before = set(live_widgets())
    yield
    for model_id, widget in live_widgets().items():
        if model_id not in before:
            widget.close()


@pytest.mark.parametrize("quality", ["empty", "complete"])
@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_a_form_displays_as_ipywidgets_would(tmp_path, exercise_id, quality):
    AnswerStore.beside(get_exercise(exercise_id), tmp_path).save(example_answers(exercise_id, quality))
    form = build_form(exercise_id, tmp_path)
    expected = form.widget._repr_mimebundle_()
    full = repr(form.widget)
    with widgets_for_grading():
        shown = form.widget._repr_mimebundle_()
        assert repr(form.widget) == full  # only the display is shortened, not repr itself
    assert shown == expected
    assert expected["text/plain"].endswith("…") and len(full) > 1000  # the walk did stop early
    for limit in (1, 7, 50, 111, 400):
        assert repr_prefix(form.widget, limit) == full[:limit]


def test_short_widgets_tuples_and_lists_keep_their_repr():
    one = widgets.VBox(children=(widgets.Label("a"),))
    many = widgets.HBox([widgets.Button(description="go"), widgets.Text(value="x, y")])
    pick = widgets.SelectMultiple(options=["a", "b"], value=("a",))
    for w in (one, many, pick, widgets.Layout(width="10px")):
        full = repr(w)
        assert repr_prefix(w, 10_000) == full
        with widgets_for_grading():
            shown = w._repr_mimebundle_()
        assert shown == w._repr_mimebundle_()


def test_new_widgets_get_a_comm_that_sends_nothing_and_everything_is_restored():
    before = (widgets.Widget.open, widgets.Widget._repr_mimebundle_, widgets.Widget.__repr__)
    with widgets_for_grading():
        w = widgets.IntSlider(value=3)
        assert isinstance(w.comm, NoFrontendComm) and w.comm.comm_id == w.model_id
        w.value = 4  # no frontend: nothing to send, nothing fails
    assert (widgets.Widget.open, widgets.Widget._repr_mimebundle_, widgets.Widget.__repr__) == before
    assert not isinstance(widgets.IntSlider().comm, NoFrontendComm)
