"""A readable report of one student's answers and the public checks, as Markdown or HTML.

Every piece of student text is escaped (``html.escape`` for HTML; Markdown output escapes
the characters that would change its structure and any raw HTML).
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


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.3rem;vertical-align:top}
.pass{color:#1b5e20}.fail{color:#b71c1c}.prompt{color:#555;font-style:italic}
.answer{white-space:pre-wrap;border-left:3px solid #ccc;padding-left:.6rem}
"""


def render_html(exercise: Exercise, answers: dict[str, Any], report: GradeReport,
                updated: datetime | None = None) -> str:
    """The report as a standalone HTML page (all student text escaped)."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(exercise.title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{e(exercise.title)}</h1>"]
    meta = f"Exercise <code>{e(exercise.id)}</code>"
    if updated:
        meta += f", answers saved {e(updated.astimezone().strftime('%Y-%m-%d %H:%M'))}"
    out.append(f"<p>{meta}</p>")
    out.append(f"<h2>Self-check: {format_points(report.score)} of {format_points(report.max_score)} points</h2><ul>")
    for c in report.checks:
        cls, mark = ("pass", "✓") if c.passed else ("fail", "✗")
        out.append(f'<li class="{cls}">{mark} <strong>{e(c.title)}</strong> '
                   f"({format_points(c.points)}/{format_points(c.max_points)}): {e(c.message)}</li>")
    out.append("</ul>")
    for part in exercise.parts:
        out.append(f"<h2>{e(part.title)}</h2>")
        for q in part.questions:
            out.append(f"<h3>{e(q.label)}</h3><p class=\"prompt\">{e(q.prompt)}</p>")
            value = _display_value(q, answers.get(q.id))
            if isinstance(q, RecordsQuestion):
                if not value:
                    out.append("<p>(no rows)</p>")
                    continue
                out.append("<table><tr>" + "".join(f"<th>{e(c.label)}</th>" for c in q.columns) + "</tr>")
                for row in value:
                    out.append("<tr>" + "".join(f"<td>{e(cell)}</td>"
                                                for cell in _record_cells(q, row)) + "</tr>")
                out.append("</table>")
            elif isinstance(value, list):
                items = [v for v in value if str(v).strip()]
                out.append("<ul>" + "".join(f"<li>{e(str(v))}</li>" for v in items) + "</ul>"
                           if items else "<p>(none)</p>")
            else:
                text = str(value)
                out.append(f'<div class="answer">{e(text)}</div>' if text.strip()
                           else "<p>(not answered)</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
