"""The hidden checks' near-duplicate finder gives difflib's plain pairwise answer."""

from __future__ import annotations

import random
from difflib import SequenceMatcher

from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="ab ", max_size=24), min_size=2, max_size=6))
def test_same_pairs_on_short_texts_with_exact_ties(texts):
    """Few letters and short texts make ratios of exactly 0.9 common: ties must count."""
    assert _near_duplicates(texts) == plain(texts)


def test_a_ratio_of_exactly_the_threshold_counts():
    assert SequenceMatcher(None, "a" * 10, "a" * 9 + "b").ratio() == 0.9
    assert _near_duplicates(["a" * 10, "a" * 9 + "b", "b" * 10]) == [(0, 1)]
