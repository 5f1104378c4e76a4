"""Question widgets: one small view per question type, built from standard ipywidgets.

Each :class:`QuestionWidget` shows one question and reports changes through a callback.
It holds no answer of its own beyond what its ipywidgets display: ``get_value()`` reads the
widgets and ``set_value()`` fills them (without reporting a change). Only widgets and
traits common to ipywidgets 7.7 and 8 are used (no custom JavaScript), so the forms work
in JupyterLab, Notebook 7, VS Code and Colab.

Accessibility: every input has a ``description`` (rendered as a ``<label>`` tied to the
input), a tooltip, and a placeholder where it helps; buttons carry words, not only icons.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from bana_tools.exercises.schema import (
    ChecklistQuestion,
    Column,
    ListQuestion,
    LongText,
    MatchingQuestion,
    MultipleChoice,
    NumberQuestion,
    OrderingQuestion,
    RecordsQuestion,
    ShortText,
    SingleChoice,
    StudentIdQuestion,
    word_count,
)

OnChange = Callable[[str], None]
LABEL_STYLE = {"description_width": "11rem"}
FULL = widgets.Layout(width="98%")
#: Text answers sit right under their question's bold title and prompt, so their own label
#: is short ("Answer") instead of repeating the title (which ipywidgets cuts to fit).
ANSWER_LABEL = "Answer"
ANSWER_STYLE = {"description_width": "4.5rem"}


def set_tooltip(widget: widgets.Widget, text: str) -> None:
    """Set a hover/assistive tooltip with whichever trait this ipywidgets version has."""
    if not text:
        return
    for trait in ("tooltip", "description_tooltip"):
        if widget.has_trait(trait):
            setattr(widget, trait, text)
            return


def _html(text: str, tag: str = "div", cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<{tag}{attr}>{html.escape(text)}</{tag}>"


class QuestionWidget:
    """Base class: a prompt, an input area, and a message line."""

    def __init__(self, question: Any, on_change: OnChange) -> None:
        self.question = question
        self._on_change = on_change
        self._silent = False
        self.prompt = widgets.HTML(self._prompt_html())
        self.message = widgets.HTML("")
        self.body = self._build()
        self.box = widgets.VBox(
            [self.prompt, self.body, self.message],
            layout=widgets.Layout(margin="0 0 1.2em 0", width="100%"),
        )
        self.box.add_class("bana-question")
        self.box.add_class(f"bana-q-{question.id}")

    def _prompt_html(self) -> str:
        q = self.question
        optional = "" if q.required else " <em>(optional)</em>"
        out = f"<b>{html.escape(q.label)}</b>{optional}<br>{html.escape(q.prompt)}"
        if q.help:
            out += f'<br><span style="color:#555">{html.escape(q.help)}</span>'
        return out

    # subclasses implement these
    def _build(self) -> widgets.Widget:
        raise NotImplementedError

    def get_value(self) -> Any:
        raise NotImplementedError

    def _fill(self, value: Any) -> None:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        """Show ``value`` (already cleaned) without reporting a change."""
        self._silent = True
        try:
            self._fill(value)
        finally:
            self._silent = False
        self.refresh()

    def refresh(self) -> None:
        """Update derived displays (word counts, validation) from the current value."""

    def _changed(self, _change: Any = None) -> None:
        self.refresh()
        if not self._silent:
            self._on_change(self.question.id)

    def show_message(self, text: str, level: str = "info") -> None:
        color = {"info": "#555", "warn": "#8a4b00", "error": "#b71c1c"}[level]
        self.message.value = (
            f'<span role="status" style="color:{color}">{html.escape(text)}</span>' if text else ""
        )


class ShortTextWidget(QuestionWidget):
    question: ShortText

    def _build(self) -> widgets.Widget:
        q = self.question
        self.input = widgets.Text(
            description=ANSWER_LABEL, placeholder=q.placeholder, style=ANSWER_STYLE, layout=FULL
        )
        set_tooltip(self.input, q.prompt)
        self.input.observe(self._changed, names="value")
        return self.input

    def get_value(self) -> str:
        return self.input.value

    def _fill(self, value: Any) -> None:
        self.input.value = value or ""

    def refresh(self) -> None:
        if len(self.input.value) > self.question.max_chars:
            self.show_message(
                f"Too long: only the first {self.question.max_chars:,} characters are saved.", "warn"
            )
        else:
            self.show_message("")


class LongTextWidget(QuestionWidget):
    """A text area with a live word count and length guidance."""

    question: LongText

    def _build(self) -> widgets.Widget:
        q = self.question
        self.input = widgets.Textarea(
            description=ANSWER_LABEL, placeholder=q.placeholder or "Write your answer here",
            rows=6, style=ANSWER_STYLE, layout=FULL,
        )
        set_tooltip(self.input, q.prompt)
        self.counter = widgets.HTML("")
        self.input.observe(self._changed, names="value")
        return widgets.VBox([self.input, self.counter], layout=widgets.Layout(width="100%"))

    def get_value(self) -> str:
        return self.input.value

    def _fill(self, value: Any) -> None:
        self.input.value = value or ""

    def refresh(self) -> None:
        q = self.question
        text = self.input.value
        words = word_count(text)
        guide = q.guidance()
        hint = ""
        if words and q.min_words and words < q.min_words:
            hint = " - a bit short so far"
        elif q.max_words and words > q.max_words:
            hint = " - longer than suggested; tighten it"
        line = f"{words} word{'s' if words != 1 else ''}" + (f" ({guide}){hint}" if guide else hint)
        self.counter.value = f'<span style="color:#555" aria-live="polite">{html.escape(line)}</span>'
        if len(text) > q.max_chars:
            self.show_message(
                f"This answer is limited to {q.max_chars:,} characters; only the first "
                f"{q.max_chars:,} are saved.", "warn",
            )
        else:
            self.show_message("")


class SingleChoiceWidget(QuestionWidget):
    question: SingleChoice

    def _build(self) -> widgets.Widget:
        q = self.question
        options = [(o.label, o.value) for o in q.options]
        if len(options) <= 3:
            self.input = widgets.RadioButtons(
                options=options, value=None, description=q.label, style=LABEL_STYLE,
                layout=widgets.Layout(width="auto"),
            )
        else:
            self.input = widgets.Dropdown(
                options=[("(choose one)", ""), *options], value="", description=q.label,
                style=LABEL_STYLE,
            )
        set_tooltip(self.input, q.prompt)
        self.input.observe(self._changed, names="value")
        return self.input

    def get_value(self) -> str:
        return self.input.value or ""

    def _fill(self, value: Any) -> None:
        if isinstance(self.input, widgets.RadioButtons):
            self.input.value = value or None
        else:
            self.input.value = value or ""


class MultipleChoiceWidget(QuestionWidget):
    question: MultipleChoice

    def _build(self) -> widgets.Widget:
        self.boxes: dict[str, widgets.Checkbox] = {}
        for option in self.question.options:
            box = widgets.Checkbox(value=False, description=option.label, indent=False)
            set_tooltip(box, f"{self.question.label}: {option.label}")
            box.observe(self._changed, names="value")
            self.boxes[option.value] = box
        return widgets.VBox(list(self.boxes.values()))

    def get_value(self) -> list[str]:
        return [v for v, box in self.boxes.items() if box.value]

    def _fill(self, value: Any) -> None:
        chosen = set(value or [])
        for v, box in self.boxes.items():
            box.value = v in chosen


def close_tree(widget: widgets.Widget) -> None:
    """Close ``widget``, everything inside it, and the layout and style models it owns.

    Every ipywidgets model (a Text, a Button, but also each Layout and Style) stays
    registered in the kernel until it is closed; a row rebuilt on every add, remove or move
    would otherwise leave all of its models behind. Shared module-level layouts are kept.
    """
    for child in getattr(widget, "children", ()) or ():
        close_tree(child)
    for name in ("layout", "style"):
        part = getattr(widget, name, None)
        if isinstance(part, widgets.Widget) and part is not FULL:
            part.close()
    widget.close()


def _row_buttons(label: str, index: int, count: int, on_move, on_remove) -> list[widgets.Button]:
    up = widgets.Button(description="Up", disabled=index == 0,
                        layout=widgets.Layout(width="4.5em"))
    down = widgets.Button(description="Down", disabled=index == count - 1,
                          layout=widgets.Layout(width="5.5em"))
    remove = widgets.Button(description="Remove", button_style="warning",
                            layout=widgets.Layout(width="7em"))
    set_tooltip(up, f"Move {label} {index + 1} up")
    set_tooltip(down, f"Move {label} {index + 1} down")
    set_tooltip(remove, f"Remove {label} {index + 1}")
    up.on_click(lambda _b: on_move(index, -1))
    down.on_click(lambda _b: on_move(index, +1))
    remove.on_click(lambda _b: on_remove(index))
    for b in (up, down, remove):
        b.add_class("bana-row-button")
    return [up, down, remove]


class _RowsWidget(QuestionWidget):
    """Shared add / remove / reorder logic for lists and tables."""

    _noun = "item"

    def _build(self) -> widgets.Widget:
        self._values: list[Any] = []
        self.rows_box = widgets.VBox([], layout=widgets.Layout(width="100%"))
        self.add_button = widgets.Button(
            description=f"Add {self._noun}", icon="plus", button_style="info",
            layout=widgets.Layout(width="auto", align_self="flex-start"),
        )
        self.add_button.add_class("bana-add-row")
        set_tooltip(self.add_button, f"Add a {self._noun} to {self.question.label}")
        self.add_button.on_click(lambda _b: self.add_row())
        return widgets.VBox([self.rows_box, self.add_button], layout=widgets.Layout(width="100%"))

    def _blank(self) -> Any:
        raise NotImplementedError

    def _row_widget(self, index: int, value: Any) -> widgets.Widget:
        raise NotImplementedError

    def _rebuild(self) -> None:
        old = self.rows_box.children
        self.rows_box.children = [self._row_widget(i, v) for i, v in enumerate(self._values)]
        for child in old:
            close_tree(child)
        self.add_button.disabled = len(self._values) >= self._max

    @property
    def _max(self) -> int:
        raise NotImplementedError

    def add_row(self) -> None:
        if len(self._values) >= self._max:
            self.show_message(f"At most {self._max} {self._noun}s.", "warn")
            return
        self._values.append(self._blank())
        self._rebuild()
        self._changed()

    def remove_row(self, index: int) -> None:
        if 0 <= index < len(self._values):
            del self._values[index]
            self._rebuild()
            self._changed()

    def move_row(self, index: int, step: int) -> None:
        target = index + step
        if 0 <= index < len(self._values) and 0 <= target < len(self._values):
            values = self._values
            values[index], values[target] = values[target], values[index]
            self._rebuild()
            self._changed()

    def _fill(self, value: Any) -> None:
        self._values = [self._copy(v) for v in (value or [])]
        self._rebuild()

    def _copy(self, value: Any) -> Any:
        return value


class ListWidget(_RowsWidget):
    """A list builder: text rows with Up / Down / Remove, and an Add button."""

    question: ListQuestion

    @property
    def _noun(self) -> str:  # type: ignore[override]
        return self.question.item_label.lower()

    @property
    def _max(self) -> int:
        return self.question.max_items

    def _blank(self) -> str:
        return ""

    def _row_widget(self, index: int, value: Any) -> widgets.Widget:
        q = self.question
        text = widgets.Text(
            value=value, description=f"{q.item_label} {index + 1}", placeholder=q.placeholder,
            style=LABEL_STYLE, layout=widgets.Layout(width="70%"),
        )
        set_tooltip(text, f"{q.label}: {q.item_label.lower()} {index + 1}")

        def on_text(change: Any, i: int = index) -> None:
            self._values[i] = change["new"]
            self._changed()

        text.observe(on_text, names="value")
        buttons = _row_buttons(q.item_label.lower(), index, len(self._values),
                               self.move_row, self.remove_row)
        row = widgets.HBox([text, *buttons], layout=widgets.Layout(width="100%"))
        row.add_class("bana-list-row")
        return row

    def get_value(self) -> list[str]:
        return list(self._values)


class RecordsWidget(_RowsWidget):
    """A table of records: one card per row with a field per column (the metric builder)."""

    question: RecordsQuestion

    @property
    def _noun(self) -> str:  # type: ignore[override]
        return self.question.row_label.lower()

    @property
    def _max(self) -> int:
        return self.question.max_rows

    def _blank(self) -> dict[str, str]:
        return {c.id: "" for c in self.question.columns}

    def _copy(self, value: Any) -> dict[str, str]:
        return {c.id: str(value.get(c.id, "") or "") for c in self.question.columns}

    def _field(self, col: Column, index: int, value: str) -> widgets.Widget:
        label = col.label
        if col.kind == "choice":
            field: widgets.Widget = widgets.Dropdown(
                options=[("(choose)", ""), *[(o.label, o.value) for o in col.options]],
                value=value if value in {o.value for o in col.options} else "",
                description=label, style=LABEL_STYLE, layout=widgets.Layout(width="98%"),
            )
        elif col.kind == "long_text":
            field = widgets.Textarea(
                value=value, description=label, placeholder=col.placeholder, rows=2,
                style=LABEL_STYLE, layout=widgets.Layout(width="98%"),
            )
        else:
            placeholder = col.placeholder or ("a number" if col.kind == "number" else "")
            field = widgets.Text(
                value=value, description=label, placeholder=placeholder,
                style=LABEL_STYLE, layout=widgets.Layout(width="98%"),
            )
        set_tooltip(field, f"{self.question.row_label} {index + 1}: {col.help or label}")
        field.add_class(f"bana-col-{col.id}")

        def on_field(change: Any, i: int = index, key: str = col.id) -> None:
            self._values[i][key] = change["new"] or ""
            if self.question.widget == "metrics" and key in ("name", "category", "direction"):
                self._update_row_feedback(i)
            elif col.kind == "number":
                self._flag_numbers(i)
            self._changed()

        field.observe(on_field, names="value")
        return field

    def _row_widget(self, index: int, value: Any) -> widgets.Widget:
        q = self.question
        header = widgets.HTML(f"<b>{html.escape(q.row_label)} {index + 1}</b>")
        buttons = _row_buttons(q.row_label.lower(), index, len(self._values),
                               self.move_row, self.remove_row)
        fields = [self._field(col, index, value.get(col.id, "")) for col in q.columns]
        grid = widgets.GridBox(
            fields,
            layout=widgets.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))",
                                  grid_gap="4px 12px", width="100%"),
        )
        feedback = widgets.HTML("")
        card = widgets.VBox(
            [widgets.HBox([header, *buttons]), grid, feedback],
            layout=widgets.Layout(border="1px solid #ccc", padding="6px", margin="0 0 8px 0",
                                  width="100%"),
        )
        card.add_class("bana-record-row")
        self._feedbacks.append(feedback)
        if q.widget == "metrics":
            feedback.value = metric_feedback_html(value)
        return card

    def _rebuild(self) -> None:
        self._feedbacks: list[widgets.HTML] = []
        super()._rebuild()

    def _update_row_feedback(self, index: int) -> None:
        if index < len(self._feedbacks):
            self._feedbacks[index].value = metric_feedback_html(self._values[index])

    def _flag_numbers(self, index: int) -> None:
        """Say under a row which of its number columns hold something that is not a number."""
        if index >= len(self._feedbacks):
            return
        row = self._values[index]
        bad = [c.label for c in self.question.columns
               if c.kind == "number" and str(row.get(c.id, "")).strip()
               and not _is_number(str(row.get(c.id, "")))]
        self._feedbacks[index].value = (
            f'<span role="status" style="color:#b71c1c">Not a number: {html.escape(", ".join(bad))}.</span>'
            if bad else ""
        )

    def get_value(self) -> list[dict[str, str]]:
        return [dict(v) for v in self._values]


def _is_number(text: str) -> bool:
    try:
        float(text.strip().replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def metric_feedback(row: dict[str, str]) -> tuple[str, str]:
    """Live catalog feedback on one metric row: ``(level, text)``; level '' means none."""
    name = (row.get("name") or "").strip()
    if not name:
        return "", ""
    from bana_tools.metrics.catalog import compare_row

    entry, problems = compare_row(name, row.get("category") or "", row.get("direction") or "")
    if entry is None:
        return "info", f"'{name[:60]}' is not in the course catalog; define it precisely."
    if problems:
        first = problems[0]
        return "warn", ("For " + first[4:] if first.startswith("for ") else first) + "."
    unit = f", unit: {entry.unit}" if entry.unit else ""
    return "ok", f"Recognised: {entry.name} ({entry.category} metric{unit})."


def metric_feedback_html(row: dict[str, str]) -> str:
    level, text = metric_feedback(row)
    if not text:
        return ""
    color = {"ok": "#1b5e20", "warn": "#8a4b00", "info": "#555"}[level]
    return f'<span role="status" style="color:{color}">{html.escape(text)}</span>'


class NumberWidget(QuestionWidget):
    """A number typed as text (blank means unanswered), with its unit and range check."""

    question: NumberQuestion

    def _build(self) -> widgets.Widget:
        q = self.question
        hint = q.hint()
        self.input = widgets.Text(
            description=q.label, placeholder=hint, style=LABEL_STYLE,
            layout=widgets.Layout(width="28rem"),
        )
        set_tooltip(self.input, f"{q.prompt} ({hint})")
        self.unit = widgets.Label(q.unit)
        self.input.observe(self._changed, names="value")
        return widgets.HBox([self.input, self.unit])

    def get_value(self) -> float | None:
        value, _problem = self.question.parse(self.input.value)
        return value

    def _fill(self, value: Any) -> None:
        if value is None:
            self.input.value = ""
            return
        text = f"{value:.15g}"  # short where that loses nothing, else the exact float
        self.input.value = text if float(text) == value else repr(float(value))

    def refresh(self) -> None:
        _value, problem = self.question.parse(self.input.value)
        self.show_message(problem or "", "error" if problem else "info")


class StudentIdWidget(QuestionWidget):
    """The student's id, with the data variant it selects shown under it.

    Filled from ``JUPYTERHUB_USER`` when the question is empty and that is set (and saved,
    as if typed), so students on a hub never need to type it.
    """

    question: StudentIdQuestion

    def __init__(self, question: Any, on_change: OnChange, exercise_id: str = "") -> None:
        self.exercise_id = exercise_id
        super().__init__(question, on_change)

    def _build(self) -> widgets.Widget:
        q = self.question
        self.input = widgets.Text(description=q.label, placeholder=q.placeholder,
                                  style=LABEL_STYLE, layout=widgets.Layout(width="28rem"))
        set_tooltip(self.input, q.prompt)
        self.input.observe(self._changed, names="value")
        self.variant = widgets.HTML("")
        self.variant.add_class("bana-variant")
        return widgets.VBox([self.input, self.variant])

    def get_value(self) -> str:
        return self.input.value.strip()

    def _fill(self, value: Any) -> None:
        self.input.value = value or ""

    def refresh(self) -> None:
        from bana_tools.exercises.variants import variant_label

        student = self.get_value()
        self.variant.value = (
            f'<span role="status">Your data: variant <b>{variant_label(self.exercise_id, student)}'
            f"</b> (run the data cell again after changing your id).</span>"
            if student else '<span role="status" style="color:#8a4b00">Enter your id to get '
            "your own data.</span>"
        )

    def prefill_from_hub(self) -> bool:
        """Fill an empty id from ``JUPYTERHUB_USER``; True if it did (a change to save)."""
        from bana_tools.exercises.variants import hub_user

        user = hub_user()
        if user and not self.get_value():
            self.input.value = user  # reported as a change: the store saves it
            return True
        return False


class OrderingWidget(QuestionWidget):
    """Rank items with Up / Down buttons; "Keep this order" saves the order as shown."""

    question: OrderingQuestion

    def _build(self) -> widgets.Widget:
        self._order: list[str] = [o.value for o in self.question.items]
        self._ranked = False
        self._labels = {o.value: o.label for o in self.question.items}
        self.rows_box = widgets.VBox([], layout=widgets.Layout(width="100%"))
        self.keep_button = widgets.Button(description="Keep this order", icon="check",
                                          layout=widgets.Layout(width="auto"))
        set_tooltip(self.keep_button, f"Save the order shown as your answer to {self.question.label}")
        self.keep_button.add_class("bana-keep-order")
        self.keep_button.on_click(lambda _b: self._mark_ranked())
        self.state = widgets.HTML("")
        self._rebuild()
        return widgets.VBox([self.rows_box, widgets.HBox([self.keep_button, self.state])],
                            layout=widgets.Layout(width="100%"))

    def _rebuild(self) -> None:
        old = self.rows_box.children
        rows = []
        n = len(self._order)
        for index, value in enumerate(self._order):
            label = widgets.HTML(f"<b>{index + 1}.</b> {html.escape(self._labels[value])}",
                                 layout=widgets.Layout(width="70%"))
            up = widgets.Button(description="Up", disabled=index == 0,
                                layout=widgets.Layout(width="4.5em"))
            down = widgets.Button(description="Down", disabled=index == n - 1,
                                  layout=widgets.Layout(width="5.5em"))
            set_tooltip(up, f"Move {self._labels[value]} up")
            set_tooltip(down, f"Move {self._labels[value]} down")
            up.on_click(lambda _b, i=index: self.move(i, -1))
            down.on_click(lambda _b, i=index: self.move(i, +1))
            row = widgets.HBox([label, up, down], layout=widgets.Layout(width="100%"))
            row.add_class("bana-order-row")
            rows.append(row)
        self.rows_box.children = rows
        for child in old:
            close_tree(child)

    def move(self, index: int, step: int) -> None:
        target = index + step
        if 0 <= index < len(self._order) and 0 <= target < len(self._order):
            self._order[index], self._order[target] = self._order[target], self._order[index]
            self._ranked = True
            self._rebuild()
            self._changed()

    def _mark_ranked(self) -> None:
        self._ranked = True
        self._changed()

    def get_value(self) -> list[str]:
        return list(self._order) if self._ranked else []

    def _fill(self, value: Any) -> None:
        self._ranked = bool(value)
        self._order = list(value) if value else [o.value for o in self.question.items]
        self._rebuild()

    def refresh(self) -> None:
        self.state.value = (
            '<span role="status" style="color:#1b5e20">Ranked.</span>' if self._ranked else
            '<span role="status" style="color:#8a4b00">Not ranked yet: move items, or keep '
            "this order.</span>"
        )


class MatchingWidget(QuestionWidget):
    """One drop-down per item: match each item to one of the choices."""

    question: MatchingQuestion

    def _build(self) -> widgets.Widget:
        q = self.question
        options = [("(choose)", ""), *[(c.label, c.value) for c in q.choices]]
        self.inputs: dict[str, widgets.Dropdown] = {}
        rows = []
        for item in q.items:
            label = widgets.HTML(html.escape(item.label), layout=widgets.Layout(width="55%"))
            drop = widgets.Dropdown(options=options, value="", layout=widgets.Layout(width="40%"))
            set_tooltip(drop, f"{q.label}: {item.label}")
            drop.add_class(f"bana-match-{item.value}")
            drop.observe(self._changed, names="value")
            self.inputs[item.value] = drop
            row = widgets.HBox([label, drop], layout=widgets.Layout(width="100%",
                                                                     align_items="center"))
            row.add_class("bana-match-row")
            rows.append(row)
        return widgets.VBox(rows, layout=widgets.Layout(width="100%"))

    def get_value(self) -> dict[str, str]:
        return {item: drop.value for item, drop in self.inputs.items() if drop.value}

    def _fill(self, value: Any) -> None:
        value = value or {}
        for item, drop in self.inputs.items():
            drop.value = value.get(item, "")


class ChecklistWidget(QuestionWidget):
    """A checklist: a level and a line of evidence per item, grouped under headings."""

    question: ChecklistQuestion

    def _build(self) -> widgets.Widget:
        q = self.question
        options = [("(rate)", ""), *[(o.label, o.value) for o in q.levels]]
        self.levels: dict[str, widgets.Dropdown] = {}
        self.evidence: dict[str, widgets.Text] = {}
        blocks: list[widgets.Widget] = []
        for group, items in q.groups().items():
            if group:
                blocks.append(widgets.HTML(f"<b>{html.escape(group)}</b>"))
            for item in items:
                title = html.escape(item.label)
                if item.help:
                    title += f'<br><span style="color:#555">{html.escape(item.help)}</span>'
                level = widgets.Dropdown(options=options, value="",
                                         layout=widgets.Layout(width="14rem"))
                set_tooltip(level, f"{item.label}: level")
                evidence = widgets.Text(placeholder=q.evidence_label,
                                        layout=widgets.Layout(width="98%"))
                set_tooltip(evidence, f"{item.label}: {q.evidence_label.lower()}")
                level.observe(self._changed, names="value")
                evidence.observe(self._changed, names="value")
                self.levels[item.id] = level
                self.evidence[item.id] = evidence
                box = widgets.VBox([widgets.HTML(title), widgets.HBox([level, evidence])],
                                   layout=widgets.Layout(margin="0 0 6px 0", width="100%"))
                box.add_class(f"bana-checklist-{item.id}")
                blocks.append(box)
        self.summary = widgets.HTML("")
        return widgets.VBox([*blocks, self.summary], layout=widgets.Layout(width="100%"))

    def get_value(self) -> dict[str, dict[str, str]]:
        out = {}
        for item_id, level in self.levels.items():
            text = self.evidence[item_id].value
            if level.value or text.strip():
                out[item_id] = {"level": level.value, "evidence": text}
        return out

    def _fill(self, value: Any) -> None:
        value = value or {}
        for item_id, level in self.levels.items():
            entry = value.get(item_id) or {}
            level.value = entry.get("level", "")
            self.evidence[item_id].value = entry.get("evidence", "")

    def refresh(self) -> None:
        rated = sum(1 for level in self.levels.values() if level.value)
        self.summary.value = (f'<span role="status" style="color:#555">{rated} of '
                              f"{len(self.levels)} rated</span>")


WIDGET_TYPES: dict[str, type[QuestionWidget]] = {
    "short_text": ShortTextWidget,
    "long_text": LongTextWidget,
    "single_choice": SingleChoiceWidget,
    "multiple_choice": MultipleChoiceWidget,
    "list": ListWidget,
    "records": RecordsWidget,
    "number": NumberWidget,
    "ordering": OrderingWidget,
    "matching": MatchingWidget,
    "checklist": ChecklistWidget,
}


def make_widget(question: Any, on_change: OnChange, exercise_id: str = "") -> QuestionWidget:
    """The widget for ``question``'s type."""
    if question.type == "student_id":
        return StudentIdWidget(question, on_change, exercise_id)
    return WIDGET_TYPES[question.type](question, on_change)
