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



# --- computed answers (expected values from the exercise's scenario, at check time) ----------

_NO_ID = "enter your student id in the form first: your data, and so the expected value, depend on it."


def _expected(exercise: Exercise, answers: Answers, key: str) -> tuple[Any, Outcome | None]:
    """The expected value ``key`` for these answers' data, or an outcome explaining why not."""
    from bana_tools.scenarios import expected_for

    values = expected_for(exercise, answers)
    if values is None:
        return None, Outcome(0.0, _NO_ID)
    return values[key], None


def computed_value(
    answers: Answers, *, exercise: Exercise, question: str, key: str | None = None,
    tolerance: float = 0.0, relative: float = 0.0,
) -> Outcome:
    """A number within ``max(tolerance, relative * |expected|)`` of the value computed
    from the student's data (the expected value is never shown)."""
    label = _label(exercise, question)
    value = answers.get(question)
    if value is None:
        return Outcome(0.0, f"{label}: not entered yet.")
    expected, problem = _expected(exercise, answers, key or question)
    if problem:
        return Outcome(0.0, f"{label}: {problem.message}")
    if abs(float(value) - float(expected)) <= max(tolerance, relative * abs(float(expected))):
        return Outcome(1.0, f"{label}: matches the value computed from your data.")
    return Outcome(0.0, f"{label}: does not match the value computed from your data; check "
                        "the definition and the rows you used.")


def computed_choice(answers: Answers, *, exercise: Exercise, question: str,
                    key: str | None = None) -> Outcome:
    """A single choice equal to the one the student's data calls for."""
    label = _label(exercise, question)
    value = answers.get(question)
    if not value:
        return Outcome(0.0, f"{label}: not chosen yet.")
    expected, problem = _expected(exercise, answers, key or question)
    if problem:
        return Outcome(0.0, f"{label}: {problem.message}")
    if value == expected:
        return Outcome(1.0, f"{label}: matches what your data shows.")
    return Outcome(0.0, f"{label}: not what your data shows; look at the numbers again.")


def _items(value: Any) -> set[str]:
    if isinstance(value, str):
        value = re.split(r"[,;\s]+", value)
    return {" ".join(str(v).split()).lower() for v in value or [] if str(v).strip()}


def computed_set(answers: Answers, *, exercise: Exercise, question: str,
                 key: str | None = None) -> Outcome:
    """A set of items (choices, ids in a list) equal to the one computed from the data;
    partial credit is the overlap (Jaccard). Says how many are right, not which."""
    label = _label(exercise, question)
    given = _items(answers.get(question))
    if not given:
        return Outcome(0.0, f"{label}: nothing given yet.")
    expected, problem = _expected(exercise, answers, key or question)
    if problem:
        return Outcome(0.0, f"{label}: {problem.message}")
    want = _items(expected)
    right = len(given & want)
    if given == want:
        return Outcome(1.0, f"{label}: exactly the {len(want)} expected from your data.")
    extra = len(given - want)
    parts = [f"{right} of the {len(given)} you gave {'is' if right == 1 else 'are'} right"]
    if extra:
        parts.append(f"{extra} should not be there")
    if want - given:
        parts.append("some are missing")  # how many would give away the expected count
    return Outcome(right / len(given | want), f"{label}: " + "; ".join(parts) + ".")


# --- matching, ordering, checklists ---------------------------------------------------------

def matching_key(answers: Answers, *, exercise: Exercise, question: str) -> Outcome:
    """Share of items matched as the key expects (says how many, not which)."""
    from bana_tools.exercises.keys import decode_matching

    q = exercise.question(question)
    given = answers.get(question) or {}
    if not given:
        return Outcome(0.0, f"{q.label}: nothing matched yet.")
    expected = decode_matching(q)
    right = sum(given.get(item) == choice for item, choice in expected.items())
    total = len(expected)
    if right == total:
        return Outcome(1.0, f"{q.label}: all {total} matched as expected.")
    return Outcome(_fraction(right, total), f"{q.label}: {right} of {total} matched as expected.")


def ordering_key(answers: Answers, *, exercise: Exercise, question: str) -> Outcome:
    """Agreement with the key's order, pair by pair: full marks for the same order, 0 for
    an order no better than chance (score = max(0, Kendall's tau))."""
    from bana_tools.exercises.keys import decode_ordering

    q = exercise.question(question)
    given = answers.get(question) or []
    if not q.is_answered(given):
        return Outcome(0.0, f"{q.label}: not ranked yet.")
    rank = {v: i for i, v in enumerate(decode_ordering(q))}
    pairs = concordant = 0
    for i in range(len(given)):
        for j in range(i + 1, len(given)):
            pairs += 1
            concordant += rank[given[i]] < rank[given[j]]
    if concordant == pairs:
        return Outcome(1.0, f"{q.label}: in the expected order.")
    tau = (2 * concordant - pairs) / pairs
    return Outcome(max(0.0, tau), f"{q.label}: {concordant} of {pairs} pairs in the expected "
                                  "order; think again about what comes first.")


def checklist_complete(answers: Answers, *, exercise: Exercise, question: str) -> Outcome:
    """Every item of a checklist has a level."""
    q = exercise.question(question)
    value = answers.get(question) or {}
    rated = sum(1 for item in q.items if value.get(item.id, {}).get("level"))
    if rated == len(q.items):
        return Outcome(1.0, f"{q.label}: all {rated} items rated.")
    return Outcome(_fraction(rated, len(q.items)),
                   f"{q.label}: {rated} of {len(q.items)} items rated.")


def checklist_evidence(answers: Answers, *, exercise: Exercise, question: str,
                       min_words: int = 5) -> Outcome:
    """Every item rated above the first level has at least ``min_words`` of evidence."""
    q = exercise.question(question)
    value = answers.get(question) or {}
    lowest = q.levels[0].value
    claimed = [i for i in q.items if value.get(i.id, {}).get("level") not in ("", None, lowest)]
    if not claimed:
        return Outcome(0.0, f"{q.label}: no item is rated above '{q.levels[0].label}' yet.")
    thin = [i.label for i in claimed if word_count(value[i.id].get("evidence", "")) < min_words]
    if not thin:
        return Outcome(1.0, f"{q.label}: evidence given for all {len(claimed)} rated items.")
    names = "; ".join(thin[:5]) + ("; ..." if len(thin) > 5 else "")
    return Outcome(_fraction(len(claimed) - len(thin), len(claimed)),
                   f"{q.label}: give at least {min_words} words of evidence for: {names}.")


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
    "computed_value": computed_value,
    "computed_choice": computed_choice,
    "computed_set": computed_set,
    "matching_key": matching_key,
    "ordering_key": ordering_key,
    "checklist_complete": checklist_complete,
    "checklist_evidence": checklist_evidence,
}


def check_function(exercise: Exercise, kind: str) -> CheckFunction:
    """The function of a public check ``kind``: a shared kind, else one the exercise's
    scenario module declares in its ``CHECKS`` (raises ``KeyError`` if neither has it)."""
    if kind in CHECK_KINDS:
        return CHECK_KINDS[kind]
    if exercise.scenario is not None:
        from bana_tools.scenarios import scenario_module

        extra = getattr(scenario_module(exercise), "CHECKS", {})
        if kind in extra:
            return extra[kind]
    raise KeyError(f"{exercise.id}: unknown check kind {kind!r}")
