"""Plain filler text for the sample answers some declarations carry (``sample_answers``).

Sample answers are test data for tests, demos and benchmarks, not model solutions: their
texts only need the right length and a topic.
"""

from __future__ import annotations


def filler(topic: str, words: int) -> str:
    """A readable filler sentence about ``topic`` of at least ``words`` words."""
    base = (f"On {topic}, the team would first write down what it knows, then check each "
            "claim against hospital records and interviews with the people who do the work. ")
    extra = ("Every step is reviewed with clinical staff so the plan stays realistic and "
             "measurable over the coming months. ")
    text = base
    while len(text.split()) < words:
        text += extra
    return text.strip()
