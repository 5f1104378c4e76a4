"""The README's fenced command blocks, for the tests that run them as written."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(title: str, nth: int = 0) -> list[str]:
    """Lines of the ``nth`` (0-based) ```bash block in the section headed ``title`` (up to
    the next heading; ``#`` lines inside a fence are comments, not headings)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    starts = [i for i, ln in enumerate(lines) if ln.startswith("#") and ln.lstrip("#").strip() == title]
    assert starts, f"README has no heading '{title}'"
    bash: list[list[str]] = []
    lang: str | None = None  # the language of the open fence, if any
    for line in lines[starts[0] + 1:]:
        if lang is None and line.startswith("```"):
            lang = line[3:].strip()
            if lang == "bash":
                bash.append([])
        elif lang is not None and line.startswith("```"):
            lang = None
        elif lang == "bash":
            bash[-1].append(line)
        elif lang is None and line.startswith("#"):
            break
    assert len(bash) > nth, f"README has no bash block {nth + 1} under '{title}'"
    return bash[nth]
