"""The chapter 3-12 question types in real JupyterLab: fill, check, restart, restore.

One run per question type (student id, ordering, matching, checklist, a rules table with a
number column), each in the first exercise whose declaration uses it, discovered from the
declarations. The test works the widgets as a student does (types, clicks Up/Down, picks
from drop-downs), presses "Check my answers", and expects the check that judges that
question to pass; then restarts the kernel, runs everything again, and reads the answer
back out of the rendered widgets.
"""

from __future__ import annotations

import json
import random
import shutil

import pytest
from playwright.sync_api import expect

from bana_tools.course.answers_sim import complete_answers
from bana_tools.exercises import all_exercises
from support.lab import menu, open_notebook, restart_kernel, run_all_cells, screenshot

pytestmark = pytest.mark.browser

STUDENT = "browser-student"


def _is_rules_table(question) -> bool:
    return question.type == "records" and any(c.kind == "number" for c in question.columns)


KINDS = {
    "student_id": lambda q: q.type == "student_id",
    "ordering": lambda q: q.type == "ordering",
    "matching": lambda q: q.type == "matching",
    "checklist": lambda q: q.type == "checklist",
    "rules-table": _is_rules_table,
}


def _first_use(kind: str):
    for exercise in all_exercises():
        for part in exercise.parts:
            for question in part.questions:
                if KINDS[kind](question):
                    return exercise, part, question
    return None


CASES = [(kind, _first_use(kind)) for kind in KINDS]


def _judging_check(exercise, question):
    for check in exercise.public_checks():
        if check.params.get("question") == question.id:
            return check
    return None


def _open_part(page, exercise, part) -> None:
    page.locator(f".bana-form-{exercise.id} .lm-TabBar-tab", has_text=part.title).first.click()
    page.wait_for_timeout(150)


def _run_and_find_form(page, exercise):
    form = page.locator(f".bana-form-{exercise.id}")
    run_all_cells(page)
    form.wait_for(state="visible", timeout=90_000)
    return form


def _labels(select) -> list[str]:
    return [t.replace("\u00a0", " ") for t in select.evaluate(
        "s => Array.from(s.options).map(o => o.textContent)")]


def _choose(select, label: str) -> None:
    select.select_option(index=_labels(select).index(label))


def _chosen(select) -> str:
    return select.evaluate(
        "s => s.selectedIndex >= 0 ? s.options[s.selectedIndex].textContent : ''"
    ).replace("\u00a0", " ")


def _fill(page, question, value) -> None:
    box = page.locator(f".bana-q-{question.id}")
    if question.type == "student_id":
        box.locator("input").first.fill(value)
    elif question.type == "ordering":
        labels = {o.value: o.label for o in question.items}
        for target, item in enumerate(value):
            rows = box.locator(".bana-order-row")
            current = next(i for i in range(rows.count())
                           if labels[item] in rows.nth(i).inner_text())
            for _ in range(current - target):
                rows = box.locator(".bana-order-row")
                row = rows.filter(has_text=labels[item]).first
                row.get_by_role("button", name="Up").click()
                page.wait_for_timeout(100)
        if value == [o.value for o in question.items]:
            box.locator(".bana-keep-order").click()
    elif question.type == "matching":
        choices = {o.value: o.label for o in question.choices}
        for item, choice in value.items():
            _choose(box.locator(f".bana-match-{item} select"), choices[choice])
    elif question.type == "checklist":
        levels = {o.value: o.label for o in question.levels}
        for item_id, entry in value.items():
            block = box.locator(f".bana-checklist-{item_id}")
            _choose(block.locator("select"), levels[entry["level"]])
            block.locator("input").fill(entry["evidence"])
    elif question.type == "records":
        for i, row in enumerate(value):
            box.locator(".bana-add-row").click()
            card = box.locator(".bana-record-row").nth(i)
            card.wait_for(state="visible")
            for col in question.columns:
                field = card.locator(f".bana-col-{col.id}")
                if col.kind == "choice":
                    _choose(field.locator("select"), next(o.label for o in col.options
                                                          if o.value == row[col.id]))
                elif col.kind == "long_text":
                    field.locator("textarea").fill(row[col.id])
                elif col.kind == "number":
                    field.locator("input").fill("ten-ish")
                    expect(card).to_contain_text("Not a number")
                    field.locator("input").fill(row[col.id])
                else:
                    field.locator("input").fill(row[col.id])
    else:  # pragma: no cover
        raise AssertionError(question.type)


def _read(page, question):
    box = page.locator(f".bana-q-{question.id}")
    if question.type == "student_id":
        return box.locator("input").first.input_value()
    if question.type == "ordering":
        by_label = {o.label: o.value for o in question.items}
        rows = box.locator(".bana-order-row")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        return [next(v for label, v in by_label.items() if label in t) for t in texts]
    if question.type == "matching":
        by_label = {o.label: o.value for o in question.choices}
        out = {}
        for item in question.items:
            label = _chosen(box.locator(f".bana-match-{item.value} select"))
            if label in by_label:
                out[item.value] = by_label[label]
        return out
    if question.type == "checklist":
        by_label = {o.label: o.value for o in question.levels}
        out = {}
        for item in question.items:
            block = box.locator(f".bana-checklist-{item.id}")
            level = by_label.get(_chosen(block.locator("select")), "")
            evidence = block.locator("input").input_value()
            if level or evidence:
                out[item.id] = {"level": level, "evidence": evidence}
        return out
    if question.type == "records":
        rows = []
        cards = box.locator(".bana-record-row")
        for i in range(cards.count()):
            row = {}
            for col in question.columns:
                field = cards.nth(i).locator(f".bana-col-{col.id}")
                if col.kind == "choice":
                    label = _chosen(field.locator("select"))
                    row[col.id] = next((o.value for o in col.options if o.label == label), "")
                elif col.kind == "long_text":
                    row[col.id] = field.locator("textarea").input_value()
                else:
                    row[col.id] = field.locator("input").input_value()
            rows.append(row)
        return rows
    raise AssertionError(question.type)  # pragma: no cover


@pytest.mark.parametrize(("kind", "case"), CASES, ids=[k for k, _ in CASES])
def test_fill_check_restart_restore(kind, case, lab_server, page, repo_root):
    assert case is not None, f"no exercise declares a {kind} question"
    exercise, part, question = case
    answers = complete_answers(exercise, random.Random(4), STUDENT)
    expected, _ = exercise.clean_answers(answers)
    folder = f"types-{kind}"
    target = lab_server.root / folder
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(repo_root / "exercises" / exercise.assignment, target,
                    ignore=shutil.ignore_patterns("answers", ".ipynb_checkpoints"))
    answers_file = target / "answers" / f"{exercise.id}.json"

    open_notebook(page, lab_server, f"{folder}/{exercise.id}.ipynb")
    form = _run_and_find_form(page, exercise)
    id_question = exercise.student_id_question()
    if id_question and question.id != id_question:
        home = next(p for p in exercise.parts if any(q.id == id_question for q in p.questions))
        _open_part(page, exercise, home)
        _fill(page, exercise.question(id_question), STUDENT)
    _open_part(page, exercise, part)
    _fill(page, question, expected[question.id])
    if question.type == "student_id":
        expect(form.locator(".bana-variant")).to_contain_text("Your data: variant ")
    expect(form.locator(".bana-save-status")).to_contain_text("Saved ", timeout=30_000)

    page.get_by_role("button", name="Check my answers").click()
    feedback = form.locator(".bana-feedback")
    feedback.locator("li").first.wait_for(state="visible", timeout=60_000)
    check = _judging_check(exercise, question)
    if check is not None:
        expect(feedback.locator("li.bana-check-pass", has_text=check.title).first).to_be_visible()
    screenshot(page, f"types-{kind}-checked")
    saved = json.loads(answers_file.read_text())
    assert exercise.clean_answers(saved["answers"])[0][question.id] == expected[question.id]
    assert len(saved["attempts"]) == 1

    restart_kernel(page)
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.locator(f".bana-form-{exercise.id}").wait_for(state="detached", timeout=30_000)
    _run_and_find_form(page, exercise)
    _open_part(page, exercise, part)
    assert _read(page, question) == expected[question.id]
    screenshot(page, f"types-{kind}-restored")
