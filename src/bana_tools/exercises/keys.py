"""Reference answers for matching and ordering questions, kept as salted digests.

A matching or ordering question can carry its expected answer in ``key``, so that the
``matching_key`` and ``ordering_key`` checks give immediate feedback in the student's own
kernel. Writing the answer in plain text in the declaration would put it one click away
from every student (the package is installed in their environment), so the key holds one
short digest per item instead, as nbgrader's ``### HASHED AUTOTEST`` does: the checks find
the expected value of each item by trying the few values it can take. This keeps the
answer out of sight; it is not encryption (the space of answers is small).

To write a key, run::

    python -m bana_tools.exercises.keys matching QUESTION_ID item=choice item=choice ...
    python -m bana_tools.exercises.keys ordering QUESTION_ID first second third ...

and paste the printed tuple into the declaration.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any

_SALT = "bana-tools/keys/v1"


def digest(question_id: str, item: str, value: str) -> str:
    """The digest of "``item`` takes ``value``" in question ``question_id``."""
    text = f"{_SALT}:{question_id}:{item}={value}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def encode_matching(question_id: str, items: Sequence[str], mapping: Mapping[str, str]) -> tuple[str, ...]:
    """One digest per item (in ``items`` order) of the choice it should be matched to."""
    return tuple(digest(question_id, item, mapping[item]) for item in items)


def encode_ordering(question_id: str, order: Sequence[str]) -> tuple[str, ...]:
    """One digest per item (in ``order``) of its 1-based rank."""
    return tuple(digest(question_id, item, str(rank)) for rank, item in enumerate(order, start=1))


def decode_matching(question: Any) -> dict[str, str]:
    """The expected choice of every item of a matching ``question`` (``{}`` without a key)."""
    if len(question.key) != len(question.items):
        return {}
    expected: dict[str, str] = {}
    for item, code in zip(question.items, question.key, strict=True):
        for choice in question.choices:
            if digest(question.id, item.value, choice.value) == code:
                expected[item.value] = choice.value
                break
        else:
            raise ValueError(f"{question.id}: the key of item {item.value!r} matches no choice")
    return expected


def decode_ordering(question: Any) -> list[str]:
    """The expected order of an ordering ``question``'s items (``[]`` without a key)."""
    if len(question.key) != len(question.items):
        return []
    codes = set(question.key)
    ranks: dict[str, int] = {}
    for item in question.items:
        for rank in range(1, len(question.items) + 1):
            if digest(question.id, item.value, str(rank)) in codes:
                ranks[item.value] = rank
                break
        else:
            raise ValueError(f"{question.id}: the key gives item {item.value!r} no rank")
    return sorted(ranks, key=ranks.__getitem__)


def main(argv: Sequence[str]) -> int:  # pragma: no cover - an authoring aid
    if len(argv) < 3 or argv[0] not in ("matching", "ordering"):
        print(__doc__.split("To write a key, run::")[1].strip())
        return 2
    kind, qid, rest = argv[0], argv[1], list(argv[2:])
    if kind == "matching":
        pairs = dict(arg.split("=", 1) for arg in rest)
        key = encode_matching(qid, list(pairs), pairs)
    else:
        key = encode_ordering(qid, rest)
    print("key=(" + "".join(f'"{k}", ' for k in key) + "),")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
