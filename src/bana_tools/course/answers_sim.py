"""Simulated answers of varied quality, derived from an exercise declaration: the one
place that makes answers nobody typed.

Used by the demo class, the tests and the benchmarks. Deterministic for a seed. The
"complete" answers satisfy the declared structure (lengths, counts, categories, catalog
names, the values computed from the student's data); "partial" ones answer about half of
the questions, too briefly. Every complete answer contains a little HTML, so escaping can
be seen and tested. :func:`example_answers` gives one fixed set per exercise: the sample
answers its declaration carries, else the simulator's, seeded.
"""

from __future__ import annotations

import random
from typing import Any, Literal

Quality = Literal["complete", "partial", "empty"]

#: Put into free text so that escaping is visible (and testable) wherever text is shown.
MARKUP_PROBE = '<script>alert("hi")</script> <b>bold?</b> & more'

_WORDS = ["model", "data", "pipeline", "feature", "store", "latency", "customer", "value", "retrain", "monitor", "drift", "batch", "stream", "deploy", "rollback", "experiment", "metric", "dashboard", "alert", "owner", "cost", "revenue", "churn", "ranking", "recommendation", "catalogue", "freshness", "version", "registry", "review", "audit", "privacy", "fairness", "threshold", "calibration", "label", "feedback", "loop", "service", "scale", "cache", "region", "team", "platform", "reuse", "template", "schedule", "cluster", "budget", "risk", "quality", "coverage", "incident"]


def sentence_text(rng: random.Random, words: int, topic: str) -> str:
    """About ``words`` words of plausible filler about ``topic`` (unique per call)."""
    out: list[str] = [topic.capitalize()]
    while len(out) < words:
        out.append(rng.choice(_WORDS))
        if len(out) % 12 == 0:
            out[-1] += "."
    return " ".join(out) + f". ({rng.randrange(10**6)})"


def _metric_rows(question: Any, rng: random.Random, n: int) -> list[dict[str, str]]:
    from bana_tools.metrics.catalog import by_category

    rows = []
    categories = ["model", "system", "business"]
    for i in range(n):
        category = categories[i % 3]
        entries = list(by_category(category))
        entry = entries[(i // 3 + rng.randrange(len(entries))) % len(entries)]
        direction = entry.direction if entry.direction in ("higher", "lower") else "higher"
        target, alert = ("0.80", "0.70") if direction == "higher" else ("200", "300")
        row = {
            "name": entry.name, "category": entry.category,
            "definition": sentence_text(rng, 14, f"definition of {entry.name}"),
            "unit": "ratio", "target": target, "alert": alert, "direction": direction,
            "why": sentence_text(rng, 14, f"why {entry.name} matters"),
        }
        rows.append({c.id: row.get(c.id, "") for c in question.columns})
    return rows


def _records(question: Any, rng: random.Random, n: int) -> list[dict[str, str]]:
    if getattr(question, "widget", "") == "metrics":
        return _metric_rows(question, rng, n)
    rows = []
    for i in range(n):
        row = {}
        for col in question.columns:
            if col.kind == "choice":
                row[col.id] = col.options[i % len(col.options)].value
            elif col.kind == "long_text":
                row[col.id] = sentence_text(rng, 12, f"{col.label} {i + 1}")
            elif col.kind == "number":
                row[col.id] = f"{rng.uniform(0, 100):.1f}"
            else:
                row[col.id] = f"{col.label} {i + 1} {rng.choice(_WORDS)}"
        rows.append(row)
    return rows



def _checklist(question: Any, rng: random.Random) -> dict[str, dict[str, str]]:
    levels = [o.value for o in question.levels]
    return {
        item.id: {"level": levels[1 + rng.randrange(len(levels) - 1)],
                  "evidence": sentence_text(rng, 9, f"evidence for {item.label}")}
        for item in question.items
    }


def _keyed(question: Any) -> Any:
    """The key's answer of a matching or ordering question (None without a key)."""
    from bana_tools.exercises.keys import decode_matching, decode_ordering

    if not question.key:
        return None
    return decode_matching(question) if question.type == "matching" else decode_ordering(question)


def simulated_student(rng: random.Random) -> str:
    return f"sim{rng.randrange(10**6):06d}"


def complete_answers(exercise: Any, rng: random.Random, student: str = "") -> dict[str, Any]:
    """Answers that meet every declared requirement: structure, keys, and the values
    computed from the data of ``student``'s variant (a random id if none is given)."""
    from bana_tools.scenarios import expected_for

    answers: dict[str, Any] = {}
    id_question = exercise.student_id_question()
    if id_question:
        answers[id_question] = student or simulated_student(rng)
    numbers = expected_for(exercise, answers) or {}
    probe_used = False
    for qid, q in exercise.questions.items():
        kind = q.type
        if qid in answers:
            continue
        if qid in numbers:
            value = numbers[qid]
            answers[qid] = list(value) if isinstance(value, tuple | set | frozenset) else value
            continue
        if kind == "long_text":
            low = max(q.min_words, 20)
            high = max(low + 5, min(q.max_words or low + 60, low + 60))
            text = sentence_text(rng, rng.randint(low + 3, high), q.label)
            if not probe_used:
                text = f"{text} {MARKUP_PROBE}"
                probe_used = True
            answers[qid] = text
        elif kind == "short_text":
            answers[qid] = f"{q.label}: {rng.choice(_WORDS)} {rng.choice(_WORDS)}"
        elif kind == "multiple_choice":
            k = max(q.min_selected, 1) + rng.randrange(2)
            answers[qid] = [o.value for o in rng.sample(list(q.options), min(k, len(q.options)))]
        elif kind == "single_choice":
            values = [o.value for o in q.options]
            # the most positive option first: a consistent, complete answer
            answers[qid] = values[0] if rng.random() < 0.8 else rng.choice(values)
        elif kind == "list":
            n = max(getattr(q, "min_items", 1), 1) + rng.randrange(2)
            answers[qid] = [sentence_text(rng, 8, f"{q.label} {i + 1}") for i in range(n)]
        elif kind == "records":
            n = max(q.min_rows, 1)
            if getattr(q, "widget", "") == "metrics":
                n = max(n, 6)
            n = max(n, max((len(c.options) for c in q.columns if c.kind == "choice"), default=0))
            answers[qid] = _records(q, rng, min(n + rng.randrange(2), q.max_rows))
        elif kind == "number":
            low = q.minimum if q.minimum is not None else 0.0
            high = q.maximum if q.maximum is not None else low + 1.0
            answers[qid] = round(rng.uniform(low, min(high, low + 1.0)), 3)
        elif kind in ("matching", "ordering"):
            keyed = _keyed(q)
            if keyed is not None:
                answers[qid] = keyed
            elif kind == "matching":
                answers[qid] = {o.value: rng.choice(q.choices).value for o in q.items}
            else:
                answers[qid] = [o.value for o in rng.sample(list(q.items), len(q.items))]
        elif kind == "checklist":
            answers[qid] = _checklist(q, rng)
    if exercise.scenario is not None:  # answers computed from the student's other answers
        from bana_tools.scenarios import scenario_module

        derive = getattr(scenario_module(exercise), "derived_answers", None)
        if derive is not None:
            answers.update(derive(exercise, answers))
    for qid, q in exercise.questions.items():  # answers that name a row of another answer
        if q.type == "short_text" and q.refers_to:
            table, column = q.refers_to.split(".")
            rows = [r for r in answers.get(table) or [] if r.get(column)]
            if rows:
                answers[qid] = rows[min(2, len(rows) - 1)][column]
    return answers


def partial_answers(exercise: Any, rng: random.Random, student: str = "") -> dict[str, Any]:
    """About half the questions answered, the texts too short."""
    full = complete_answers(exercise, rng, student)
    answers: dict[str, Any] = {}
    for i, (qid, value) in enumerate(full.items()):
        if i % 2:
            continue
        if isinstance(value, str) and len(value.split()) > 12:
            value = " ".join(value.split()[:12])
        elif isinstance(value, list) and len(value) > 1:
            value = value[: max(1, len(value) // 2)]
        answers[qid] = value
    return answers


def example_answers(exercise_id: str, quality: Quality = "complete") -> dict[str, Any]:
    """One fixed set of answers to ``exercise_id`` (a fresh dict each call): ``complete``
    passes every public and hidden check, ``partial`` keeps the first half of the answers,
    ``empty`` answers nothing. The declaration's ``sample_answers`` if it has them, else
    :func:`complete_answers` seeded for the student "sample-student"."""
    import copy

    from bana_tools.exercises import get_exercise

    if quality == "empty":
        return {}
    exercise = get_exercise(exercise_id)
    answers = (copy.deepcopy(exercise.sample_answers) if exercise.sample_answers
               else complete_answers(exercise, random.Random(7), "sample-student"))
    if quality == "partial":
        keys = list(answers)
        return {k: answers[k] for k in keys[: max(1, len(keys) // 2)]}
    return answers
