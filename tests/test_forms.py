"""Forms driven without a browser: set widget values, assert the file, reload, check."""

from __future__ import annotations

import subprocess
import sys
import time

import ipywidgets as widgets
import pytest

from bana_tools.answers import read_answers_file
from bana_tools.course.answers_sim import example_answers
from bana_tools.exercises import exercise_ids, get_exercise
from bana_tools.forms import build_form
from bana_tools.forms.form import Debouncer
from bana_tools.forms.widgets import (
    ListWidget,
    LongTextWidget,
    NumberWidget,
    RecordsWidget,
    metric_feedback,
)

EX = "ch02-readmission"


def fill_through_widgets(form, answers: dict) -> None:
    """Enter ``answers`` the way a student would: typing, clicking add-row, choosing."""
    for qid, value in answers.items():
        qw = form.questions[qid]
        kind = qw.question.type
        if kind in ("short_text", "long_text", "single_choice"):
            qw.input.value = value
        elif kind == "multiple_choice":
            for option, box in qw.boxes.items():
                box.value = option in value
        elif kind == "number":
            qw.input.value = str(value)
        elif kind == "list":
            for i, item in enumerate(value):
                qw.add_button.click()
                qw.rows_box.children[i].children[0].value = item
        elif kind == "records":
            for i, row in enumerate(value):
                qw.add_button.click()
                grid = qw.rows_box.children[i].children[1]
                for col, field in zip(qw.question.columns, grid.children, strict=True):
                    field.value = row.get(col.id, "")
        elif kind == "student_id":
            qw.input.value = value
        elif kind == "matching":
            for item, choice in value.items():
                qw.inputs[item].value = choice
        elif kind == "checklist":
            for item_id, entry in value.items():
                qw.levels[item_id].value = entry.get("level", "")
                qw.evidence[item_id].value = entry.get("evidence", "")
        elif kind == "ordering":
            for target, item in enumerate(value):  # click Up until each item is in place
                while qw.get_value()[target:target + 1] != [item] and qw._order.index(item) > target:
                    qw.move(qw._order.index(item), -1)
            if qw.get_value() != value:
                qw.keep_button.click()
        else:  # pragma: no cover - a new question type needs a way to fill it here
            raise AssertionError(f"no way to fill a {kind} question")


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_filled_form_saves_every_field_and_reload_restores_it(tmp_path, exercise_id):
    answers = example_answers(exercise_id)
    form = build_form(exercise_id, tmp_path, debounce=60)
    fill_through_widgets(form, answers)
    assert form.status_text.startswith("Unsaved")
    assert form.flush() is True
    assert form.status_text.startswith("Saved ")
    expected, _ = get_exercise(exercise_id).clean_answers(answers)
    on_disk = read_answers_file(tmp_path / "answers" / f"{exercise_id}.json", exercise_id)
    assert get_exercise(exercise_id).clean_answers(on_disk.answers)[0] == expected

    reloaded = build_form(exercise_id, tmp_path)
    assert reloaded.values() == expected
    total = len(get_exercise(exercise_id).parts)
    assert reloaded.progress_text == f"{total} of {total} parts complete"
    assert reloaded.status_text.startswith("Saved ")


def test_autosave_is_debounced_and_happens_by_itself(tmp_path):
    form = build_form(EX, tmp_path, debounce=0.05)
    path = tmp_path / "answers" / f"{EX}.json"
    for text in ("a", "ab", "abc"):
        form.questions["value"].input.value = text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not path.exists():
        time.sleep(0.02)
    time.sleep(0.1)
    assert read_answers_file(path, EX).answers["value"] == "abc"
    assert form.status_text.startswith("Saved ")


def test_debouncer_runs_once_after_the_last_trigger():
    calls = []
    debouncer = Debouncer(0.05, lambda: calls.append(1))
    for _ in range(5):
        debouncer.trigger()
    time.sleep(0.3)
    assert calls == [1]


def test_setting_values_from_the_file_does_not_mark_changes(tmp_path):
    form = build_form(EX, tmp_path, debounce=60)
    form.set_values(example_answers(EX))
    assert form.flush() is True
    assert not (tmp_path / "answers" / f"{EX}.json").exists()


def test_two_forms_of_one_exercise_keep_each_others_edits(tmp_path):
    first = build_form(EX, tmp_path, debounce=60)
    second = build_form(EX, tmp_path, debounce=60)  # a re-run cell or a second tab
    first.questions["value"].input.value = "typed in the first"
    second.questions["why_iterative"].input.value = "typed in the second"
    second.flush()
    first.flush()
    saved = read_answers_file(tmp_path / "answers" / f"{EX}.json", EX).answers
    assert saved["value"] == "typed in the first"
    assert saved["why_iterative"] == "typed in the second"


def test_corrupt_file_shows_one_line_and_continues_from_backup(tmp_path):
    form = build_form(EX, tmp_path, debounce=60)
    form.questions["value"].input.value = "safe in the backup"
    form.flush()
    form.questions["value"].input.value = "latest"
    form.flush()
    path = tmp_path / "answers" / f"{EX}.json"
    path.write_text('{"truncated": ')
    again = build_form(EX, tmp_path)
    assert again.questions["value"].input.value == "safe in the backup"
    notice = again.notice_text
    assert "unusable" in notice and ".corrupt-" in notice and "\n" not in notice
    assert len(list(path.parent.glob("*.corrupt-*.json"))) == 1


def test_check_button_shows_public_feedback_only(tmp_path):
    form = build_form(EX, tmp_path, debounce=60)
    form.questions["value"].input.value = "too short"
    form.check_button.click()
    html = form.feedback.value
    exercise = get_exercise(EX)
    for check in exercise.public_checks():
        assert check.title.replace("'", "&#x27;") in html
    for check in exercise.hidden_checks():
        assert check.title not in html
    assert "Self-check:" in html and "class='bana-check-fail'" in html
    # Check saved first
    assert read_answers_file(tmp_path / "answers" / f"{EX}.json", EX).answers["value"] == "too short"


def test_feedback_and_prompts_escape_student_text(tmp_path):
    form = build_form("ch02-metrics", tmp_path, debounce=60)
    table: RecordsWidget = form.questions["metrics"]
    table.add_button.click()
    name_field = table.rows_box.children[0].children[1].children[0]
    name_field.value = "<script>alert(1)</script>"
    assert "<script>" not in table._feedbacks[0].value
    assert "&lt;script&gt;" in table._feedbacks[0].value


def test_progress_counts_complete_parts(tmp_path):
    form = build_form("ch01-case-study", tmp_path, debounce=60)
    assert form.progress_text == "0 of 4 parts complete"
    form.questions["cases"].boxes["netflix"].value = True
    assert form.progress_text == "1 of 4 parts complete"
    assert form.tabs.get_title(0).endswith("\u2713")


def test_long_text_word_count_and_guidance(tmp_path):
    form = build_form(EX, tmp_path, debounce=60)
    qw: LongTextWidget = form.questions["value"]
    qw.input.value = "one two three"
    assert "3 words" in qw.counter.value and "aim for 100-300 words" in qw.counter.value
    assert "short" in qw.counter.value
    qw.input.value = "x" * 20_001
    assert "20,000 characters" in qw.message.value


def test_list_builder_add_remove_reorder(tmp_path):
    form = build_form(EX, tmp_path, debounce=60)
    qw: ListWidget = form.questions["assumptions"]
    for text in ("a", "b", "c"):
        qw.add_button.click()
        qw.rows_box.children[-1].children[0].value = text
    assert qw.get_value() == ["a", "b", "c"]
    up = qw.rows_box.children[2].children[1]
    up.click()
    assert qw.get_value() == ["a", "c", "b"]
    down = qw.rows_box.children[0].children[2]
    down.click()
    assert qw.get_value() == ["c", "a", "b"]
    qw.rows_box.children[1].children[3].click()  # remove "a"
    assert qw.get_value() == ["c", "b"]
    assert qw.rows_box.children[0].children[0].description == "Assumption 1"
    form.flush()
    assert read_answers_file(form.store.path, EX).answers["assumptions"] == ["c", "b"]


def test_metric_builder_gives_catalog_feedback(tmp_path):
    form = build_form("ch02-metrics", tmp_path, debounce=60)
    table: RecordsWidget = form.questions["metrics"]
    table.add_button.click()
    fields = table.rows_box.children[0].children[1].children
    fields[0].value = "P95 latency (ms)"
    fields[1].value = "model"
    assert "p95 latency is a system metric, not a model metric" in table._feedbacks[0].value
    fields[1].value = "system"
    assert "Recognised" in table._feedbacks[0].value
    assert metric_feedback({"name": "recall", "direction": "lower"})[1] == "For Recall, higher is better, not lower."
    assert metric_feedback({"name": "my own index"})[0] == "info"


def test_number_question_validates_range_and_format(tmp_path):
    form = build_form("ch02-pilot-metrics", tmp_path, debounce=60)
    qw: NumberWidget = form.questions["recall"]
    qw.input.value = "1.7"
    assert "at most 1" in qw.message.value
    qw.input.value = "abc"
    assert "not a number" in qw.message.value and qw.get_value() is None
    qw.input.value = "0.4836"
    assert qw.message.value == "" and qw.get_value() == pytest.approx(0.4836)
    savings: NumberWidget = form.questions["net_savings"]
    savings.input.value = "$272,600"
    assert savings.get_value() == 272600.0
    form.flush()
    reloaded = build_form("ch02-pilot-metrics", tmp_path)
    assert reloaded.questions["net_savings"].input.value == "272600"
    assert reloaded.questions["recall"].get_value() == pytest.approx(0.4836)


def test_unwritable_folder_shows_error_and_keeps_answers(tmp_path):
    blocker = tmp_path / "answers"
    blocker.write_text("a file where the folder should be")
    form = build_form(EX, tmp_path, debounce=60)
    form.questions["value"].input.value = "not lost"
    assert form.flush() is False
    assert form.status_text.startswith("Could not save")
    assert form.questions["value"].input.value == "not lost"
    blocker.unlink()
    assert form.flush() is True
    assert read_answers_file(form.store.path, EX).answers["value"] == "not lost"


def test_inputs_have_labels_and_tooltips(tmp_path):
    form = build_form(EX, tmp_path, debounce=60)
    form.set_values(example_answers(EX))
    inputs = []

    def walk(w):
        if isinstance(w, widgets.Text | widgets.Textarea | widgets.Dropdown | widgets.RadioButtons):
            inputs.append(w)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(form.widget)
    assert len(inputs) > 30
    for w in inputs:
        assert w.description.strip(), w
        assert (getattr(w, "tooltip", None) or getattr(w, "description_tooltip", None)), w


def test_answers_copy_is_published_on_save(tmp_path):
    published = []
    form = build_form(EX, tmp_path, debounce=60, on_saved=published.append)
    form.questions["value"].input.value = "copied"
    form.flush()
    assert published and published[-1].answers["value"] == "copied"


@pytest.mark.parametrize("module", ["bana_tools.forms", "bana_tools.answers", "bana_tools.grading",
                                    "bana_tools.exercises"])
def test_import_stays_light(module):
    code = (
        f"import sys, {module}\n"
        "from bana_tools.forms import build_form\n"
        "import tempfile\n"
        "build_form('ch02-metrics', tempfile.mkdtemp())\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'sklearn', 'pandas'})\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_show_works_without_a_frontend(tmp_path):
    code = (
        "from IPython.testing.globalipapp import start_ipython\n"
        "ip = start_ipython()\n"
        "from bana_tools.forms import show\n"
        f"show('ch02-readmission', {str(tmp_path)!r})\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "answers/ch02-readmission.json" in out.stdout


def test_form_appears_even_when_the_folder_cannot_be_locked(tmp_path):
    form = build_form(EX, tmp_path, debounce=60)
    form.questions["value"].input.value = "kept"
    form.flush()
    form.store.lock_path.unlink(missing_ok=True)
    form.store.lock_path.mkdir()
    again = build_form(EX, tmp_path, debounce=60)
    assert again.questions["value"].input.value == "kept"
    assert "cannot be written" in again.notice_text
    again.questions["value"].input.value = "edited"
    assert again.flush() is False and again.status_text.startswith("Could not save")


def test_a_part_counts_as_complete_only_when_its_minimums_are_met(tmp_path):
    form = build_form("ch02-metrics", tmp_path, debounce=60)
    table: RecordsWidget = form.questions["metrics"]
    table.add_button.click()
    table.rows_box.children[0].children[1].children[0].value = "Recall"
    assert form.progress_text == "0 of 2 parts complete"
    form.set_values(example_answers("ch02-metrics"))
    assert form.progress_text == "2 of 2 parts complete"


def live_widgets() -> int:
    """How many widget models the kernel holds (``ipywidgets.Widget.widgets``)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the registry's old name
        return len(widgets.Widget.widgets)


@pytest.mark.parametrize("kind", ["list", "records"])
def test_adding_and_removing_rows_does_not_leak_widget_models(tmp_path, kind):
    """200 adds, moves and removes leave as many live widget models as there were before."""
    exercise_id, qid = next(
        (e, q.id) for e in exercise_ids() for q in get_exercise(e).questions.values()
        if q.type == kind)
    form = build_form(exercise_id, tmp_path, debounce=60)
    qw = form.questions[qid]
    qw.set_value([])
    baseline = live_widgets()
    cap = qw._max
    for step in range(200):
        if len(qw.get_value()) >= cap:
            qw.remove_row(0)
        qw.add_row()
        if len(qw.get_value()) > 1:
            qw.move_row(0, +1)
        if step % 3 == 2:
            qw.remove_row(len(qw.get_value()) - 1)
    while qw.get_value():
        qw.remove_row(0)
    assert live_widgets() <= baseline
    # and with rows present, the count is what one set of rows needs, not 200 sets of it
    for _ in range(3):
        qw.add_row()
    with_three = live_widgets()
    for _ in range(50):
        qw.move_row(0, +1)
    assert live_widgets() == with_three
