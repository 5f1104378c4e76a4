"""The hidden checks' near-duplicate finder gives difflib's plain pairwise answer."""

from __future__ import annotations

import random
from difflib import SequenceMatcher

from bana_tools.grading.hidden import _near_duplicates


def plain(texts: list[str], ratio: float = 0.9) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))
            if texts[i] and texts[j]
            and SequenceMatcher(None, texts[i][:3000], texts[j][:3000]).ratio() >= ratio]


def test_same_pairs_as_the_plain_pairwise_comparison():
    rng = random.Random(1)
    words = ["model", "data", "drift", "pipeline", "value", "team", "cost", "risk"]
    found = 0
    for _ in range(300):
        base = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
        texts = [base, base + " x", " ".join(rng.choice(words) for _ in range(40)), "",
                 base.replace("a", "e", 2), "z" * 3500, "z" * 3400 + "y"]
        rng.shuffle(texts)
        expected = plain(texts)
        assert _near_duplicates(texts) == expected, texts
        found += len(expected)
    assert found > 300  # the cases do contain near duplicates
