"""Citations and the bibliography, checked from the book's sources (no build needed).

- Every key cited with a ``{cite...}`` role in ``book/**/*.md`` exists in the bibliography
  files that ``book/_config.yml`` declares, and no key is defined twice (sphinxcontrib-bibtex
  warns on duplicates, and the book builds with warnings as errors).
- Every entry the bibliography page prints is cited somewhere. The page's ``{bibliography}``
  directive is parsed for its filter (no option means sphinxcontrib-bibtex's default,
  ``:cited:``); a filter that would print uncited entries, such as ``:all:``, fails, and an
  unknown filter fails too so that this test is extended along with the page.
- The printed entries include the textbook's references that ``test_book`` looks for
  (first authors in ``TEXTBOOK_REFERENCES``), so removing the last citation of one of them
  fails here, before a build.

Cited keys are read from the Markdown sources and from the data card, which the book prints
at build time from ``bana_tools.data.data_card(citations="myst")`` with ``{cite:p}`` roles.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from test_book import TEXTBOOK_REFERENCES

BOOK = Path(__file__).resolve().parents[1] / "book"
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
ENTRY = re.compile(r"^@(\w+)\{([^,\s]+),(.*?)^\}", re.M | re.S)


def _pages() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.md") if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts)


def keys_in(text: str) -> set[str]:
    return {key.strip() for match in CITE.finditer(text) for key in match.group(1).split(",") if key.strip()}


@cache
def cited_keys() -> dict[str, set[str]]:
    """Key -> the pages (relative to book/) that cite it."""
    cited: dict[str, set[str]] = {}
    for page in _pages():
        for key in keys_in(page.read_text(encoding="utf-8")):
            cited.setdefault(key, set()).add(str(page.relative_to(BOOK)))
    from bana_tools.data import data_card

    for key in keys_in(data_card(citations="myst")):
        cited.setdefault(key, set()).add("back/data-card.md (generated card)")
    return cited


@cache
def bib_entries() -> dict[str, list[tuple[str, str]]]:
    """Key -> [(bib file, entry body)] over the files the book's configuration declares."""
    config = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
    entries: dict[str, list[tuple[str, str]]] = {}
    for name in config["bibtex_bibfiles"]:
        for _, key, body in ENTRY.findall((BOOK / name).read_text(encoding="utf-8")):
            entries.setdefault(key, []).append((name, body))
    return entries


def bibliography_filter(page: Path = BOOK / "back" / "bibliography.md") -> str:
    """The filter of the bibliography page's directive: 'cited' (the default), 'all', or the
    raw option text for anything else."""
    text = page.read_text(encoding="utf-8")
    directives = re.findall(r"```\{bibliography\}[^\n]*\n(.*?)```", text, re.S)
    assert len(directives) == 1, "the bibliography page holds one {bibliography} directive"
    options = [line.strip() for line in directives[0].splitlines() if line.strip().startswith(":")]
    filters = [o for o in options if o.split(":")[1] in {"all", "cited", "notcited", "filter"}]
    if not filters or filters == [":cited:"]:
        return "cited"
    if filters == [":all:"]:
        return "all"
    return " ".join(filters)


def printed_keys() -> set[str]:
    selected = bibliography_filter()
    if selected == "cited":
        return set(cited_keys()) & set(bib_entries())
    if selected == "all":
        return set(bib_entries())
    raise AssertionError(f"unsupported bibliography filter {selected!r}: extend {Path(__file__).name}")


def test_every_cited_key_exists_in_the_bibliography_files():
    missing = {key: sorted(pages) for key, pages in cited_keys().items() if key not in bib_entries()}
    assert not missing, f"cited but not defined in the .bib files: {missing}"


def test_no_key_is_defined_twice():
    twice = {key: [f for f, _ in found] for key, found in bib_entries().items() if len(found) > 1}
    assert not twice, f"defined more than once: {twice}"


def test_the_bibliography_prints_only_cited_entries():
    uncited = sorted(printed_keys() - set(cited_keys()))
    assert not uncited, (f"the bibliography page ({bibliography_filter()!r}) prints entries cited nowhere: "
                         f"{uncited}; cite them where they support a sentence, or remove them")


def test_the_printed_entries_hold_the_textbook_references():
    authors = " ".join(entry[0][1] for key, entry in bib_entries().items() if key in printed_keys())
    absent = [name for name in TEXTBOOK_REFERENCES if not re.search(rf"author\s*=\s*\{{[^\n]*{name}", authors)]
    assert not absent, f"no cited entry by these textbook authors (tests/test_book.py requires them): {absent}"


def test_the_filter_parser_reads_the_directive_options(tmp_path):
    """The default, :cited:, :all: and other filters are read as documented above."""
    page = tmp_path / "bibliography.md"
    for body, expected in [("", "cited"), (":cited:\n", "cited"), (":all:\n", "all"),
                           (':filter: year == "2020"\n', ':filter: year == "2020"'),
                           (":style: plain\n", "cited")]:
        page.write_text(f"# Bibliography\n\n```{{bibliography}}\n{body}```\n", encoding="utf-8")
        assert bibliography_filter(page) == expected
