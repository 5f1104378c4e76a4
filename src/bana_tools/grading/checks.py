"""The public check kinds: pure functions of the (cleaned) answers.

An exercise declares a check as ``CheckSpec(kind="min_words", params={...})``; the runner
calls ``CHECK_KINDS[kind](answers, exercise=..., **params)``. Each returns an
:class:`~bana_tools.grading.results.Outcome`: a score between 0 and 1 (partial credit)
and one message written for the student. Messages never quote a reference answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from bana_tools.exercises.schema import Exercise, word_count
from bana_tools.grading.results import Outcome

Answers = dict[str, Any]
CheckFunction = Callable[..., Outcome]


def _label(exercise: Exercise, qid: str) -> str:
    return exercise.question(qid).label


def _fraction(done: float, needed: float) -> float:
    return 1.0 if needed <= 0 else max(0.0, min(1.0, done / needed))


def _filled(value: Any) -> bool:
    return bool(str(value or "").strip())


def min_selected(answers: Answers, *, exercise: Exercise, question: str, n: int) -> Outcome:
    """At least ``n`` options chosen in a multiple-choice question."""
    chosen = len(answers.get(question) or [])
    label = _label(exercise, question)
    if chosen >= n:
        return Outcome(1.0, f"{label}: {chosen} chosen.")
    return Outcome(_fraction(chosen, n), f"{label}: choose at least {n} (you chose {chosen}).")


def min_words(answers: Answers, *, exercise: Exercise, question: str, n: int) -> Outcome:
    """A text answer of at least ``n`` words."""
    words = word_count(answers.get(question) or "")
    label = _label(exercise, question)
    if words >= n:
        return Outcome(1.0, f"{label}: {words} words.")
    if words == 0:
        return Outcome(0.0, f"{label}: not answered yet (aim for at least {n} words).")
    plural = "" if words == 1 else "s"
    return Outcome(_fraction(words, n), f"{label}: {words} word{plural}; write at least {n}.")


def all_min_words(
    answers: Answers, *, exercise: Exercise, questions: Sequence[str], n: int
) -> Outcome:
    """Each of several text answers has at least ``n`` words (partial credit per answer)."""
    short = [q for q in questions if word_count(answers.get(q) or "") < n]
    done = len(questions) - len(short)
    if not short:
        return Outcome(1.0, f"All {len(questions)} answers have at least {n} words.")
    names = ", ".join(_label(exercise, q) for q in short)
    return Outcome(_fraction(done, len(questions)), f"Needs at least {n} words: {names}.")


def min_items(answers: Answers, *, exercise: Exercise, question: str, n: int) -> Outcome:
    """A list with at least ``n`` non-empty items."""
    items = [i for i in answers.get(question) or [] if _filled(i)]
    label = _label(exercise, question)
    if len(items) >= n:
        return Outcome(1.0, f"{label}: {len(items)} listed.")
    return Outcome(_fraction(len(items), n), f"{label}: list at least {n} (you have {len(items)}).")


def all_answered(answers: Answers, *, exercise: Exercise, questions: Sequence[str]) -> Outcome:
    """Every listed question is answered."""
    missing = [q for q in questions if not exercise.question(q).is_answered(answers.get(q))]
    if not missing:
        return Outcome(1.0, "All answered.")
    names = ", ".join(_label(exercise, q) for q in missing)
    return Outcome(_fraction(len(questions) - len(missing), len(questions)), f"Still to answer: {names}.")


def _rows(answers: Answers, question: str) -> list[dict[str, str]]:
    """Rows of a records answer that have anything in them."""
    return [r for r in answers.get(question) or [] if any(_filled(v) for v in r.values())]


def rows_complete(
    answers: Answers, *, exercise: Exercise, question: str, min_rows: int
) -> Outcome:
    """At least ``min_rows`` rows with every required column filled in."""
    q = exercise.question(question)
    required = [c for c in q.columns if c.required]
    rows = _rows(answers, question)
    complete, gaps = 0, []
    for index, row in enumerate(rows, start=1):
        missing = [c.label for c in required if not _filled(row.get(c.id))]
        if missing:
            gaps.append(f"{q.row_label.lower()} {index} lacks {', '.join(missing)}")
        else:
            complete += 1
    parts = []
    if complete < min_rows:
        parts.append(f"{complete} complete {q.row_label.lower()}(s) of the {min_rows} needed")
    parts.extend(gaps[:5])
    if not parts:
        return Outcome(1.0, f"{q.label}: {complete} complete {q.row_label.lower()}s.")
    return Outcome(_fraction(complete, max(min_rows, len(rows))), f"{q.label}: " + "; ".join(parts) + ".")


def columns_filled(
    answers: Answers, *, exercise: Exercise, question: str, columns: Sequence[str]
) -> Outcome:
    """Every non-empty row has the given (optional) columns filled in."""
    q = exercise.question(question)
    rows = _rows(answers, question)
    if not rows:
        return Outcome(0.0, f"{q.label}: no rows yet.")
    lacking = [
        f"{q.row_label.lower()} {i}"
        for i, row in enumerate(rows, start=1)
        if not all(_filled(row.get(c)) for c in columns)
    ]
    names = " and ".join(q.column(c).label.lower() for c in columns)
    if not lacking:
        return Outcome(1.0, f"{q.label}: every row has a {names}.")
    return Outcome(
        _fraction(len(rows) - len(lacking), len(rows)),
        f"{q.label}: add a {names} to {', '.join(lacking[:6])}.",
    )


def covers_choices(
    answers: Answers,
    *,
    exercise: Exercise,
    question: str,
    column: str,
    required: Sequence[str],
    per_choice: int = 1,
) -> Outcome:
    """A records answer has at least ``per_choice`` rows for each required choice."""
    q = exercise.question(question)
    labels = {o.value: o.label for o in q.column(column).options}
    counts = Counter(r.get(column) for r in _rows(answers, question))
    short = [c for c in required if counts.get(c, 0) < per_choice]
    if not short:
        return Outcome(1.0, f"{q.label}: every {q.column(column).label.lower()} is covered.")
    need = "one" if per_choice == 1 else str(per_choice)
    names = ", ".join(labels.get(c, c).lower() for c in short)
    return Outcome(
        _fraction(len(required) - len(short), len(required)),
        f"{q.label}: add at least {need} for each of: {names}.",
    )


def metric_catalog(
    answers: Answers, *, exercise: Exercise, question: str, direction: bool = False
) -> Outcome:
    """Rows whose metric name the catalog knows must agree with its category (and direction)."""
    from bana_tools.metrics.catalog import compare_row

    q = exercise.question(question)
    known = 0
    problems: list[str] = []
    rows = _rows(answers, question)
    if not rows:
        return Outcome(0.0, f"{q.label}: no metrics yet.")
    for index, row in enumerate(rows, start=1):
        if not _filled(row.get("name")):
            continue
        entry, wrong = compare_row(row.get("name", ""), row.get("category", "") or "",
                                   row.get("direction", "") or "", require_category=True,
                                   check_direction=direction)
        if entry is None:
            continue
        known += 1
        if wrong:
            problems.append(f"{q.row_label} {index}: " + "; ".join(wrong))
    if known == 0:
        return Outcome(1.0, f"{q.label}: none of the names is in the catalog, so nothing to compare.")
    if not problems:
        return Outcome(1.0, f"{q.label}: {known} known metric(s), all classified correctly.")
    return Outcome(_fraction(known - len(problems), known), ". ".join(problems) + ".")


_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+")


def first_number(text: Any) -> float | None:
    """The first number written in ``text`` ("$1,200 per month" -> 1200.0), or None."""
    match = _NUMBER.search(str(text or ""))
    if not match:
        return None
    try:
        return float(match.group().replace(",", ""))
    except ValueError:
        return None


def alert_direction(answers: Answers, *, exercise: Exercise, question: str) -> Outcome:
    """Alert thresholds lie on the bad side of the target (below it if higher is better)."""
    q = exercise.question(question)
    comparable, wrong = 0, []
    for index, row in enumerate(_rows(answers, question), start=1):
        target, alert = first_number(row.get("target")), first_number(row.get("alert"))
        way = row.get("direction")
        if target is None or alert is None or way not in ("higher", "lower"):
            continue
        comparable += 1
        ok = alert < target if way == "higher" else alert > target
        if not ok:
            side = "below" if way == "higher" else "above"
            wrong.append(f"{q.row_label.lower()} {index} ({row.get('name') or 'unnamed'}): "
                         f"{way} is better, so the alert should sit {side} the target")
    if comparable == 0:
        return Outcome(0.0, f"{q.label}: give numeric targets and alert thresholds with a "
                            "higher/lower direction so they can be compared.")
    if not wrong:
        return Outcome(1.0, f"{q.label}: {comparable} alert threshold(s) on the right side.")
    return Outcome(_fraction(comparable - len(wrong), comparable), "; ".join(wrong) + ".")


def pilot_value(answers: Answers, **kwargs: Any) -> Outcome:
    """A number computed from the pilot data (see :mod:`bana_tools.grading.pilot`)."""
    from bana_tools.grading import pilot

    return pilot.pilot_value(answers, **kwargs)


def pilot_best_threshold(answers: Answers, **kwargs: Any) -> Outcome:
    """The savings-maximising threshold (see :mod:`bana_tools.grading.pilot`)."""
    from bana_tools.grading import pilot

    return pilot.pilot_best_threshold(answers, **kwargs)


#: Check kind -> function. The names are used in the exercise declarations.
CHECK_KINDS: dict[str, CheckFunction] = {
    "min_selected": min_selected,
    "min_words": min_words,
    "all_min_words": all_min_words,
    "min_items": min_items,
    "all_answered": all_answered,
    "rows_complete": rows_complete,
    "columns_filled": columns_filled,
    "covers_choices": covers_choices,
    "metric_catalog": metric_catalog,
    "alert_direction": alert_direction,
    "pilot_value": pilot_value,
    "pilot_best_threshold": pilot_best_threshold,
}
