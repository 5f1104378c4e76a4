"""A readable report of one student's answers and the public checks, as Markdown or HTML.

Every piece of student text is escaped: HTML through the autoescaping template
``templates/answers_report.html`` (:mod:`bana_tools.render`); Markdown by escaping the
characters that would change its structure and any raw HTML.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from bana_tools.exercises.schema import Exercise, RecordsQuestion
from bana_tools.grading.results import GradeReport, format_points

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def md_escape(text: Any) -> str:
    """Escape text so Markdown shows it literally: HTML as entities, syntax with ``\\``."""
    out = _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))
    return out.replace("\n", "  \n")


def _display_value(question: Any, value: Any) -> list[str] | str | list[dict[str, str]]:
    if question.type in ("single_choice", "multiple_choice"):
        labels = {o.value: o.label for o in question.options}
        if isinstance(value, list):
            return [labels.get(v, v) for v in value]
        return labels.get(value, value) or ""
    if question.type == "number":
        return "" if value is None else f"{value:g}{(' ' + question.unit) if question.unit else ''}"
    if question.type == "ordering":
        labels = {o.value: o.label for o in question.items}
        return [f"{n}. {labels.get(v, v)}" for n, v in enumerate(value or [], start=1)]
    if question.type == "matching":
        items = {o.value: o.label for o in question.items}
        choices = {o.value: o.label for o in question.choices}
        return [f"{items[i]}: {choices.get(c, c)}" for i, c in (value or {}).items() if i in items]
    if question.type == "checklist":
        levels = {o.value: o.label for o in question.levels}
        value = value or {}
        return [f"{item.label}: {levels.get(value[item.id].get('level', ''), 'not rated')}"
                + (f" ({value[item.id]['evidence']})" if value[item.id].get("evidence") else "")
                for item in question.items if item.id in value]
    return value


def _record_cells(question: RecordsQuestion, row: dict[str, Any]) -> list[Any]:
    """One row of a records answer, column by column, with choices shown by their labels."""
    cells = []
    for c in question.columns:
        cell = row.get(c.id, "")
        if c.kind == "choice":
            cell = {o.value: o.label for o in c.options}.get(cell, cell)
        cells.append(cell)
    return cells


def render_markdown(exercise: Exercise, answers: dict[str, Any], report: GradeReport,
                    updated: datetime | None = None) -> str:
    """The report as Markdown."""
    lines = [f"# {md_escape(exercise.title)}", ""]
    meta = f"Exercise `{exercise.id}`"
    if updated:
        meta += f", answers saved {updated.astimezone().strftime('%Y-%m-%d %H:%M')}"
    lines += [meta, "", f"**Self-check: {format_points(report.score)} of {format_points(report.max_score)} points**", ""]
    for c in report.checks:
        mark = "✓" if c.passed else "✗"
        lines.append(f"- {mark} {md_escape(c.title)} ({format_points(c.points)}/{format_points(c.max_points)}): "
                     f"{md_escape(c.message)}")
    for part in exercise.parts:
        lines += ["", f"## {md_escape(part.title)}"]
        for q in part.questions:
            lines += ["", f"### {md_escape(q.label)}", "", f"*{md_escape(q.prompt)}*", ""]
            value = _display_value(q, answers.get(q.id))
            if isinstance(q, RecordsQuestion):
                rows = value or []
                if not rows:
                    lines.append("(no rows)")
                    continue
                lines.append("| " + " | ".join(md_escape(c.label) for c in q.columns) + " |")
                lines.append("|" + "---|" * len(q.columns))
                for row in rows:
                    cells = [md_escape(cell).replace("  \n", " ") for cell in _record_cells(q, row)]
                    lines.append("| " + " | ".join(cells) + " |")
            elif isinstance(value, list):
                lines.extend(f"- {md_escape(v)}" for v in value if str(v).strip()) if any(
                    str(v).strip() for v in value) else lines.append("(none)")
            else:
                lines.append(md_escape(value) if str(value).strip() else "(not answered)")
    return "\n".join(lines) + "\n"


def answer_view(question: Any, value: Any) -> dict[str, Any]:
    """One answer as the templates show it: a table (``columns``, ``rows``), a list
    (``entries``) or a text, with choices, items and levels by their labels. The answers
    report and the prose cell graders read (``RenderProse``) both use it."""
    view: dict[str, Any] = {"label": question.label, "prompt": question.prompt,
                            "columns": None, "rows": None, "entries": None, "text": ""}
    shown = _display_value(question, value)
    if isinstance(question, RecordsQuestion):
        view["columns"] = [c.label for c in question.columns]
        view["rows"] = [_record_cells(question, row) for row in shown or []]
    elif isinstance(shown, list):
        view["entries"] = [str(v) for v in shown if str(v).strip()]
    elif str(shown).strip():
        view["text"] = str(shown)
    return view


def render_html(exercise: Exercise, answers: dict[str, Any], report: GradeReport,
                updated: datetime | None = None) -> str:
    """The report as a standalone HTML page (``templates/answers_report.html``; every value
    escaped)."""
    from bana_tools.render import render

    checks = [{"passed": c.passed, "title": c.title, "message": c.message,
               "points": format_points(c.points), "max_points": format_points(c.max_points)}
              for c in report.checks]
    parts = [{"title": part.title,
              "questions": [answer_view(q, answers.get(q.id)) for q in part.questions]}
             for part in exercise.parts]
    return render("answers_report.html", title=exercise.title, exercise_id=exercise.id,
                  updated=updated.astimezone().strftime("%Y-%m-%d %H:%M") if updated else "",
                  score=format_points(report.score), max_score=format_points(report.max_score),
                  checks=checks, parts=parts)
