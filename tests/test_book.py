"""The book: it builds offline with warnings as errors, and what it builds is right.

The book is built ONCE per test session (``build_book``), from a copy of ``book/`` and
``exercises/`` in a temporary folder, with the same command as ``make book``
(``jupyter-book build --warningiserror --keep-going``), executing every code cell from a
cold cache. The tests then read the HTML it produced:

- the table of contents and the section numbers of Part I match the textbook exactly
  (``EXPECTED_OUTLINE`` holds the textbook's outline);
- every internal link and anchor resolves, and the "open in JupyterLab" links point at
  notebooks that exist;
- every term set in strong italics links to its glossary entry;
- citations resolve and the bibliography holds the textbook's references;
- no run of eight words of a source document appears in a book page (fingerprints in
  ``test_book_seed_fingerprints.py``), apart from the textbook's outline headings and the
  attributed quotations the textbook itself quotes.
"""

from __future__ import annotations

import atexit
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from test_book_seed_fingerprints import fingerprint, seed_fingerprints, shingles, words

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "book"

#: The textbook's Part I outline: (number, title) in reading order. Headings are structure,
#: carried over exactly so that "section 2.3.1" means the same thing in both books.
EXPECTED_OUTLINE: tuple[tuple[str, str], ...] = (
    ("1", "Introduction to Machine Learning System Design"),
    ("1.1", "ML System Design"),
    ("1.1.1", "DataOps: Data Management and Pipelines"),
    ("1.1.2", "ModelOps: Model Lifecycle Management"),
    ("1.1.3", "DevOps Practices"),
    ("1.2", "Why ML System Design Matters"),
    ("1.3", "Design Principles for Good ML System Design"),
    ("1.3.1", "Modularity and Abstraction"),
    ("1.3.2", "Scalability"),
    ("1.3.3", "Reproducibility"),
    ("1.3.4", "Automation"),
    ("1.3.5", "Monitoring and Maintenance"),
    ("1.3.6", "Security and Compliance"),
    ("1.3.7", "Adaptability and Flexibility"),
    ("1.3.8", "Putting It All Together"),
    ("1.4", "Relation to ML system lifecycle stages"),
    ("1.4.1", "Data Processing"),
    ("1.4.2", "Model Development"),
    ("1.4.3", "Deployment"),
    ("1.4.4", "Monitoring and Maintenance"),
    ("1.4.5", "Continuous Improvement"),
    ("1.5", "Summary"),
    ("1.6", "Exercise"),
    ("2", "Before We Build"),
    ("2.1", "Working with Stakeholders to Understand the Business Problem"),
    ("2.2", "Determining if the Problem Requires an ML Solution"),
    ("2.2.1", "Key Considerations to Determine ML Suitability"),
    ("2.2.2", "ML is Not Always the Answer"),
    ("2.2.3", "Pitfalls of Using ML Unnecessarily"),
    ("2.3", "Defining Performance Metrics for the ML System"),
    ("2.3.1", "Technical Performance Metrics"),
    ("2.3.2", "Business Performance Metrics"),
    ("2.3.3", "Best Practices for Implementing Performance Metrics"),
    ("2.4", "Understanding the Potential Value of a Solution"),
    ("2.4.1", "Evaluating Impact on Business Objectives"),
    ("2.4.2", "Questions to Estimate and Define the System's Value"),
    ("2.4.3", "Aligning Value Assessment with Stakeholder Priorities"),
    ("2.5", "Understanding Technical Requirements to Determine Feasibility"),
    ("2.5.1", "Defining Key Technical Requirements"),
    ("2.5.2", "Addressing Gaps in Resources or Expertise"),
    ("2.6", "Recognizing ML System Development as an Iterative Process"),
    ("2.7", "Summary"),
    ("2.8", "Exercise"),
)
#: Unnumbered sub-headings the textbook has inside Part I (1.1 ends with this one).
EXPECTED_UNNUMBERED = {"1": ("Driven by business requirements",), "2": ()}
PART_I_PAGES = {"1": "part1/ch01-introduction.html", "2": "part1/ch02-before-we-build.html"}
EXPECTED_PARTS = (
    "Part I: Laying the Foundation",
    "Part II: DataOps",
    "Part III: ModelOps",
    "Part IV: DevOps",
    "Part V: The Human Side of ML Systems",
)
def _exercise_notebooks() -> dict[str, list[str]]:
    """Built page -> the exercise notebooks it links, from the declarations: each exercise
    is linked from its chapter's page (book/part*/chNN-*.md), in declaration order."""
    from bana_tools.exercises import all_exercises

    out: dict[str, list[str]] = {}
    for exercise in all_exercises():
        number = exercise.assignment[2:]
        (page,) = (REPO / "book").glob(f"part*/ch{number}-*.md")
        name = page.relative_to(REPO / "book").with_suffix(".html").as_posix()
        out.setdefault(name, []).append(f"exercises/{exercise.assignment}/{exercise.id}.ipynb")
    return out


EXERCISE_NOTEBOOKS = _exercise_notebooks()
#: First authors of the textbook's reference list; each must be in the bibliography.
TEXTBOOK_REFERENCES = (
    "Amershi", "Gama", "Huyen", "Levine", "Mattson", "Papernot", "Polyzotis", "Sculley",
    "Tolomei", "Vemulapalli",
)
VIDEOS = {"part1/ch01-introduction.html": "TXnxnop2Ljc", "part1/ch02-before-we-build.html": "2sr8Y3gjDSA"}


@dataclass(frozen=True)
class BookBuild:
    root: Path  # the temporary copy of the repository's book/ and exercises/
    returncode: int
    log: str

    @property
    def html(self) -> Path:
        return self.root / "book" / "_build" / "html"


@cache
def build_book() -> BookBuild:
    """Build a fresh copy of the book once per session (also used by the browser test)."""
    root = Path(tempfile.mkdtemp(prefix="bana-book-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    skip = shutil.ignore_patterns("_build", ".ipynb_checkpoints", "answers", "__pycache__")
    shutil.copytree(BOOK, root / "book", ignore=skip)
    shutil.copytree(REPO / "exercises", root / "exercises", ignore=skip)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run(
        [str(jupyter_book), "build", str(root / "book"), "--warningiserror", "--keep-going"],
        cwd=root, capture_output=True, text=True, timeout=900,
    )
    return BookBuild(root=root, returncode=proc.returncode, log=proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def book() -> BookBuild:
    built = build_book()
    assert built.returncode == 0, f"the book failed to build:\n{built.log[-6000:]}"
    return built


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def content_pages(book: BookBuild) -> list[Path]:
    return sorted(
        p for p in book.html.rglob("*.html")
        if not p.relative_to(book.html).parts[0].startswith("_") and p.name not in {"genindex.html", "search.html"}
    )


def heading_text(tag) -> str:
    for link in tag.select("a.headerlink"):
        link.decompose()
    # Sphinx typesets straight apostrophes as typographic ones; the outline uses straight.
    return " ".join(tag.get_text(" ").replace("\u2019", "'").split())


# --------------------------------------------------------------------------- build


def test_book_builds_offline_with_warnings_as_errors(book):
    assert "build succeeded" in book.log
    sphinx_warnings = [
        line for line in book.log.splitlines()
        if "WARNING" in line and "IPKernelApp" not in line
    ]
    assert sphinx_warnings == []
    config = (BOOK / "_config.yml").read_text(encoding="utf-8")
    assert "intersphinx" not in config, "intersphinx fetches inventories from the network"
    assert "execute_notebooks: cache" in config


def test_every_code_cell_ran_and_the_figures_exist(book):
    ch2 = soup(book.html / "part1" / "ch02-before-we-build.html")
    for name in ("fig-precision-recall", "fig-latency", "fig-net-savings"):
        figure = ch2.find(id=name)
        assert figure is not None, f"figure {name} is missing"
        images = figure.find_all("img")
        assert images, f"figure {name} has no image"
        assert (book.html / "part1" / images[0]["src"]).resolve().is_file()
    text = ch2.get_text(" ")
    assert "break-even precision: 26.3%" in text
    assert re.search(r"p95': '\d+ ms'", text), "the latency percentiles were not printed"
    assert "Traceback" not in text
    card = soup(book.html / "back" / "data-card.html").get_text(" ")
    assert "readmitted_30d" in card and "What it is calibrated to" in card
    ch1 = soup(book.html / "part1" / "ch01-introduction.html").get_text(" ")
    assert "5,000 discharges, 18 columns" in ch1  # one row per stay, keyed by encounter_id


# --------------------------------------------------------------------------- outline


def test_sidebar_lists_the_parts_and_part_one_chapters_in_order(book):
    nav = soup(book.html / "welcome.html").select_one("nav.bd-docs-nav")
    captions = [" ".join(c.get_text().split()) for c in nav.select("p.caption")]
    assert captions[: len(EXPECTED_PARTS)] == list(EXPECTED_PARTS)
    part_one = nav.select("p.caption")[0].find_next_sibling("ul")
    chapters = [" ".join(a.get_text().split()) for a in part_one.select("li.toctree-l1 > a")]
    assert chapters == [
        "1 Introduction to Machine Learning System Design",
        "2 Before We Build",
    ]
    for caption in EXPECTED_PARTS[1:]:
        assert any(caption.split(": ", 1)[1] in c or caption in c for c in captions)


@pytest.mark.parametrize("chapter", ["1", "2"])
def test_chapter_headings_match_the_textbook_outline(book, chapter):
    page = soup(book.html / PART_I_PAGES[chapter])
    article = page.select_one("article.bd-article")
    numbered, unnumbered = [], []
    for tag in article.find_all(["h1", "h2", "h3", "h4"]):
        text = heading_text(tag)
        match = re.fullmatch(r"(\d+(?:\.\d+)*) (.+)", text)
        if match:
            number, title = match.groups()
            # The heading level follows the depth of the number: 1 -> h1, 1.1 -> h2, ...
            assert tag.name == f"h{number.count('.') + 1}", f"{text!r} is an {tag.name}"
            numbered.append((number, title))
        else:
            unnumbered.append(text)
    expected = [(n, t) for n, t in EXPECTED_OUTLINE if n.split(".")[0] == chapter]
    assert numbered == expected
    assert tuple(unnumbered) == EXPECTED_UNNUMBERED[chapter]


def test_page_tables_of_contents_carry_the_section_numbers(book):
    for chapter, page in PART_I_PAGES.items():
        toc = soup(book.html / page).select_one("nav.bd-toc-nav, div.bd-toc")
        entries = [" ".join(a.get_text().split()) for a in toc.select("a")]
        top = [f"{n} {t}" for n, t in EXPECTED_OUTLINE if n.startswith(chapter + ".") and n.count(".") == 1]
        assert [e for e in entries if e in top] == top


# --------------------------------------------------------------------------- links


def _ids(path: Path, cache_: dict[Path, set[str]]) -> set[str]:
    if path not in cache_:
        cache_[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
    return cache_[path]


def test_internal_links_and_anchors_resolve(book):
    ids: dict[Path, set[str]] = {}
    broken, checked = [], 0
    for page in content_pages(book):
        for tag in soup(page).find_all(["a", "img", "link", "script"]):
            attr = "href" if tag.name in ("a", "link") else "src"
            ref = tag.get(attr)
            if not ref or "bana-lab-link" in (tag.get("class") or []):
                continue
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("//"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(book.html)}: {ref}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in _ids(target, ids):
                broken.append(f"{page.relative_to(book.html)}: {ref} (no such anchor)")
    assert checked > 200
    assert broken == []


def test_no_external_images(book):
    for page in content_pages(book):
        for img in soup(page).find_all("img"):
            assert not urlsplit(img["src"]).scheme, f"{page.name} loads {img['src']}"


def test_exercise_sections_offer_the_notebook_download_and_launchers(book):
    config = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
    repo_url = config["repository"]["url"].rstrip("/")
    org_repo = repo_url.removeprefix("https://github.com/")
    branch = config["repository"]["branch"]
    launchers = config["sphinx"]["config"]["bana_exercise_launchers"]
    binder = launchers["binderhub_url"].rstrip("/")
    colab = launchers["colab_url"].rstrip("/")
    for page_name, notebooks in EXERCISE_NOTEBOOKS.items():
        page_path = book.html / page_name
        panels = soup(page_path).select("div.bana-exercise-panel")
        assert len(panels) == len(notebooks)
        for panel, notebook in zip(panels, notebooks, strict=True):
            assert (REPO / notebook).is_file()
            lab = panel.select_one("a.bana-lab-link")
            # Served by `bana start` at <base>/bana/book/<page>: resolve against that place.
            served = "/base/bana/book/" + page_name
            resolved = Path(served).parent.joinpath(lab["href"]).resolve().as_posix()
            assert resolved == "/base/lab/tree/" + notebook
            download = panel.select_one("a.bana-download")
            assert download["href"].endswith(Path(notebook).name)
            assert (page_path.parent / download["href"]).resolve().is_file()
            hrefs = {a.get_text(" ", strip=True): a["href"] for a in panel.select("a.bana-launch")}
            assert hrefs["Open on Binder"] == f"{binder}/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{notebook}"
            assert hrefs["Open on Colab"] == f"{colab}/github/{org_repo}/blob/{branch}/{notebook}"
            assert hrefs["Source on GitHub"] == f"{repo_url}/blob/{branch}/{notebook}"


def _extension():
    spec = importlib.util.spec_from_file_location("bana_book", BOOK / "_ext" / "bana_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pages_offer_no_launcher_that_cannot_open_them(book):
    """Colab and Binder open the exercise notebooks, never the book's MyST pages."""
    for page in book.html.rglob("*.html"):
        html = soup(page)
        for panel in html.select("div.bana-exercise-panel"):
            panel.decompose()
        hrefs = [a.get("href", "") for a in html.select("a")]
        assert not [h for h in hrefs if "colab.research.google.com" in h or "/v2/gh/" in h], page


def test_launch_urls_follow_the_settings():
    ext = _extension()
    options = {
        "repository_url": "https://github.com/uc/bana",
        "repository_branch": "fall",
        "launch_buttons": {"notebook_interface": "classic", "jupyterhub_url": "https://hub.uc.edu/",
                           "binderhub_url": "", "colab_url": ""},
    }
    urls = ext.launch_urls(options, "exercises/ch01/x.ipynb")
    assert list(urls) == ["JupyterHub", "Source on GitHub"]
    assert urls["JupyterHub"] == (
        "https://hub.uc.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fuc%2Fbana"
        "&urlpath=tree/bana/exercises/ch01/x.ipynb&branch=fall"
    )
    assert ext.launch_urls({"repository_url": "https://gitlab.com/a/b"}, "x.ipynb") == {}
    assert ext.local_lab_url("part1/ch02", "exercises/a.ipynb") == "../../../lab/tree/exercises/a.ipynb"


def test_videos_are_embedded_with_a_plain_link_beside_them(book):
    for page_name, video in VIDEOS.items():
        page = soup(book.html / page_name)
        frames = [f["src"] for f in page.find_all("iframe")]
        assert any(video in src for src in frames)
        assert page.find("a", href=f"https://youtu.be/{video}") is not None


# --------------------------------------------------------------------------- glossary, citations


def test_every_new_term_links_to_its_glossary_entry(book):
    glossary = soup(book.html / "back" / "glossary.html")
    entries = {dt["id"] for dt in glossary.select("dl.glossary dt[id]")}
    found, unlinked = 0, []
    for page in content_pages(book):
        for strong in soup(page).find_all("strong"):
            if strong.parent.name != "em" and not strong.find("em", recursive=False):
                continue  # plain bold: package and file names
            found += 1
            link = strong.find("a", href=True)
            href = urlsplit(link["href"]) if link else None
            if not href or not href.path.endswith("glossary.html") or href.fragment not in entries:
                unlinked.append(f"{page.relative_to(book.html)}: {strong.get_text()!r}")
    assert found >= 40, "expected the book to introduce its terms in strong italics"
    assert unlinked == []


def test_citations_resolve_and_the_bibliography_holds_the_textbook_references(book):
    bibliography = soup(book.html / "back" / "bibliography.html").get_text(" ")
    for author in TEXTBOOK_REFERENCES:
        assert author in bibliography
    cited = 0
    for page in content_pages(book):
        html = soup(page)
        for citation in html.select("span.bibtex-citation"):
            link = citation.find("a", href=True)
            assert link is not None and "bibliography.html#" in link["href"], citation
            cited += 1
        assert "??" not in html.get_text(), f"unresolved reference in {page.name}"
    assert cited > 50


def bib_keys(path: Path) -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", path.read_text(encoding="utf-8"), re.M))


def test_data_card_references_are_merged_into_the_bibliography():
    # The data helper writes book/_data_card_refs.bib; the book cites those keys from
    # references.bib (one bibliography file, so no duplicate-key warnings).
    keys = bib_keys
    card_keys = keys(BOOK / "_data_card_refs.bib")
    assert card_keys, "the data card cites its sources"
    missing = card_keys - keys(BOOK / "references.bib")
    assert not missing, f"merge these data card entries into book/references.bib: {sorted(missing)}"


# --------------------------------------------------------------------------- our words only


def _book_text_for_overlap(path: Path) -> str:
    """A page's prose with markup, outline headings and attributed quotations removed."""
    outline_titles = {t.lower() for _, t in EXPECTED_OUTLINE} | {p.lower() for p in EXPECTED_PARTS}
    lines = path.read_text(encoding="utf-8").splitlines()
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(">"):
            block = []
            while i < len(lines) and lines[i].startswith(">"):
                block.append(lines[i])
                i += 1
            if not any(re.match(r">\s*(--|—)\s*\S", b) for b in block):
                kept.extend(block)  # an unattributed block quote is our own text
            continue
        heading = re.match(r"#+\s+(?:[\d.]+\s+)?(.*)", line)
        if heading and heading.group(1).strip().lower() in outline_titles:
            i += 1
            continue
        kept.append(line)
        i += 1
    text = "\n".join(kept)
    text = re.sub(r"\{cite(?::\w+)?\}`[^`]*`", " ", text)
    text = re.sub(r"\{\w+\}`([^`<]*?)\s*(?:<[^`]*>)?`", r"\1", text)
    return text


def copied_shingles(text: str, fingerprints: frozenset[bytes]) -> list[str]:
    """The 8-word runs of ``text`` whose fingerprints are in ``fingerprints``."""
    return sorted(s for s in shingles(words(text)) if fingerprint(s) in fingerprints)


def test_no_sentence_of_the_source_documents_is_copied():
    fingerprints = seed_fingerprints()
    assert len(fingerprints) > 10_000
    pages = sorted(p for p in BOOK.rglob("*.md") if "_build" not in p.parts)
    assert len(pages) >= 10
    copied = [
        f"{page.relative_to(BOOK)}: ...{shingle}..."
        for page in pages
        for shingle in copied_shingles(_book_text_for_overlap(page), fingerprints)
    ]
    assert copied == []


def test_the_overlap_check_catches_copies_and_spares_outline_and_quotes(tmp_path):
    source = "The quick brown fox jumps over the lazy dog while the cat sleeps."
    fingerprints = frozenset(fingerprint(s) for s in shingles(words(source)))
    page = tmp_path / "probe.md"
    page.write_text(
        "## 2.2 Determining if the Problem Requires an ML Solution\n\n"
        "> The quick brown fox jumps over the lazy dog while the cat sleeps.\n>\n> -- A. Author\n\n"
        "Our own words come first, then {term}`the quick brown fox <fox>` jumps over the lazy dog "
        "while the cat sleeps.\n",
        encoding="utf-8",
    )
    text = _book_text_for_overlap(page)
    assert "Determining" not in text and "A. Author" not in text
    assert copied_shingles(text, fingerprints) == [
        "brown fox jumps over the lazy dog while",
        "fox jumps over the lazy dog while the",
        "jumps over the lazy dog while the cat",
        "over the lazy dog while the cat sleeps",
        "quick brown fox jumps over the lazy dog",
        "the quick brown fox jumps over the lazy",
    ]
