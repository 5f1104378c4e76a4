"""The book's Parts II-V, chapter 13 and the serving appendix, checked from a built book.

The book is built once per test session by ``test_book.build_book`` (a fresh copy of
``book/`` built offline with warnings as errors, every code cell executed from a cold cache);
when this module runs together with ``test_book.py`` they share that one build.

- The chapter and section numbers and titles of Parts II-V, chapter 13 and appendix A match
  ``EXPECTED_OUTLINE`` exactly. It mirrors the published textbook's later chapters
  (``shared/textbook-outline.md``, structure only), with one deliberate change: the hands-on
  sections are about the course's synthetic readmission data instead of the textbook's web
  APIs, so their titles name our example ("A Readmission Data Pipeline", 4.4).
- Chapters 3-12 end with a Summary and an Exercise section (the exercise is a numbered list
  of tasks); chapter 13 and the appendix, whose outline has no such sections, close with
  their final section and an "Exercise" callout.
- The sidebar lists the chapters in order under their parts; hands-on pages executed (their
  outputs are in the HTML), every chapter has a figure and a citation.
- No run of eight words of the seeds (fingerprints of ``test_book_seed_fingerprints``) or of
  the outline's own prose (``OUTLINE_FINGERPRINTS`` below) appears in these pages, apart from
  headings that are chapter or section titles.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

import pytest
from test_book import BOOK, BookBuild, build_book, heading_text, soup
from test_book_seed_fingerprints import fingerprint, seed_fingerprints, shingles, words

#: (number, title) of every numbered heading, in reading order, per page.
EXPECTED_OUTLINE: dict[str, tuple[tuple[str, str], ...]] = {
    "part2/ch03-role-of-dataops": (
        ("3", "The Role of DataOps"),
        ("3.1", "Data Ingestion"),
        ("3.2", "Data Processing"),
        ("3.3", "Data Validation"),
        ("3.4", "Data Versioning and Lineage"),
        ("3.5", "Summary"),
        ("3.6", "Exercise"),
    ),
    "part2/ch04-dataops-in-practice": (
        ("4", "Putting DataOps into Practice"),
        ("4.1", "Introduction to Data Pipelines"),
        ("4.2", "ETL vs. ELT Paradigms"),
        ("4.3", "Tools for DataOps"),
        ("4.4", "Hands-On Example: A Readmission Data Pipeline"),
        ("4.5", "Creating Reliable & Scalable Data Pipelines"),
        ("4.6", "Summary"),
        ("4.7", "Exercise"),
    ),
    "part3/ch05-role-of-modelops": (
        ("5", "The Role of ModelOps"),
        ("5.1", "Key Components of ModelOps"),
        ("5.2", "Why ModelOps is Crucial"),
        ("5.3", "Challenges in Implementing ModelOps"),
        ("5.4", "Summary"),
        ("5.5", "Exercise"),
    ),
    "part3/ch06-experiment-tracking": (
        ("6", "Model Training and Experiment Tracking"),
        ("6.1", "The Role of Experiment Tracking"),
        ("6.2", "Tools for Experiment Tracking"),
        ("6.3", "Key Components to Track"),
        ("6.4", "Hands-On Example: Implementing Experiment Tracking"),
        ("6.5", "Common Challenges"),
        ("6.6", "Summary"),
        ("6.7", "Exercise"),
    ),
    "part3/ch07-model-versioning": (
        ("7", "Model Versioning and Reproducibility"),
        ("7.1", "The Need for Model Versioning"),
        ("7.2", "Key Components of Model Versioning"),
        ("7.3", "Tools for Model Versioning and Reproducibility"),
        ("7.4", "Hands-On Example: Implementing Model Versioning"),
        ("7.5", "Summary"),
        ("7.6", "Exercise"),
    ),
    "part3/ch08-model-deployment": (
        ("8", "Model Deployment"),
        ("8.1", "Key Considerations"),
        ("8.2", "Initial Model Deployment Strategies"),
        ("8.3", "Tools and Frameworks for Model Deployment"),
        ("8.4", "Hands-On Example: Deploying a Machine Learning Model"),
        ("8.5", "Strategies for Updating Models in Production"),
        ("8.6", "Summary"),
        ("8.7", "Exercise"),
    ),
    "part3/ch09-model-monitoring": (
        ("9", "Model Monitoring"),
        ("9.1", "Why is Model Monitoring Important?"),
        ("9.2", "Key Components of Model Monitoring"),
        ("9.3", "Tools for Model Monitoring"),
        ("9.4", "Hands-On Example: Implementing Model Monitoring"),
        ("9.5", "Summary"),
        ("9.6", "Exercise"),
    ),
    "part4/ch10-role-of-devops": (
        ("10", "The Role of DevOps"),
        ("10.1", "Why DevOps Matters for ML Systems"),
        ("10.2", "The Value of DevOps in ML Systems"),
        ("10.3", "Key Concepts of DevOps for ML"),
        ("10.4", "Challenges in DevOps for ML"),
        ("10.5", "Summary"),
        ("10.6", "Exercise"),
    ),
    "part4/ch11-git-and-github": (
        ("11", "Introduction to Git and GitHub"),
        ("11.1", "Introduction to Git and GitHub"),
        ("11.2", "Setting Up Git and GitHub"),
        ("11.3", "Git Basics: Tracking and Managing Changes"),
        ("11.4", "Synchronizing with GitHub"),
        ("11.5", "Collaboration with Branching and Pull Requests"),
        ("11.6", "Introduction to CI/CD with GitHub Actions"),
        ("11.7", "Summary"),
        ("11.8", "Exercise"),
    ),
    "part5/ch12-human-side": (
        ("12", "The Human Side of ML Systems"),
        ("12.1", "The Role of Humans in ML Systems"),
        ("12.2", "Organizational Challenges in ML Adoption"),
        ("12.3", "Interpretability, Fairness, and Ethical Considerations in ML"),
        ("12.4", "Model Failures and Accountability"),
        ("12.5", "Summary"),
        ("12.6", "Exercise"),
    ),
    "part5/ch13-continued-learning": (
        ("13", "Continued Learning"),
        ("13.1", "Continuing Your Growth as an ML Practitioner"),
        ("13.2", "Staying Up to Date with ML Trends"),
        ("13.3", "Hands-on Learning: Building and Experimenting"),
        ("13.4", "Learning from the Community"),
        ("13.5", "Mastering MLOps and Advanced ML Topics"),
        ("13.6", "Soft Skills for Career Growth"),
        ("13.7", "Final Thoughts: The Journey Never Ends"),
    ),
    "appendix/serving-methods": (
        ("A", "ML Serving Methods"),
        ("A.1", "Criteria for Choosing ML Deployment Types"),
        ("A.2", "Understanding Inference Deployment Types"),
        ("A.3", "Conclusion"),
    ),
}
#: Sidebar captions after Part V, with their pages.
EXTRA_PARTS = {"Closing": ["part5/ch13-continued-learning"], "Additional reading": ["appendix/serving-methods"]}
PART_OF = {"part2": "Part II: DataOps", "part3": "Part III: ModelOps", "part4": "Part IV: DevOps",
           "part5": "Part V: The Human Side of ML Systems"}
#: What each hands-on page must have printed when its cells ran at build time.
EXECUTED_OUTPUTS = {
    "part2/ch04-dataops-in-practice": ["re-run gives the same id: True", "one edited cell gives a new id: True",
                                       "3000 rows: all checks passed", "medicare_advantage",
                                       "encounter_id [field_uniqueness]"],
    "part3/ch05-role-of-modelops": [],
    "part3/ch06-experiment-tracking": ["selected on validation: logistic-C1.0", "test set, reported once",
                                       "FAILED", "'data_valid'"],
    "part3/ch07-model-versioning": ["models:/readmission-risk@champion: identical predictions = True",
                                    "rebuilt version 1", "refused:", "Model card: readmission-risk v1"],
    "part3/ch08-model-deployment": ["unknown payer: HTTP 422 payer: Input should be", "interactive docs at /docs: 200",
                                    "server stopped", "3000 answers recorded",
                                    "ROLLBACK: flag rate moved", "ROLLBACK: p95 latency", "inflated candidate"],
    "part3/ch09-model-monitoring": ["[ALERT] service: availability", "[WARN] week 5: age drifted",
                                    "first alert: [ALERT] week 7: age", "sum of the terms", "after programme"],
    "part4/ch10-role-of-devops": ["8 passed", "exit code: 0"],
    "part4/ch11-git-and-github": ["! [rejected]", "checks exit code: 1", "checks exit code: 0",
                                  "parents of the merge commit: 2", "registry: discharges_march.csv",
                                  "broken workflow refused: job test: no runs-on", "workflow: readmission-ci"],
    "part5/ch12-human-side": ["self_pay", "80+", "largest gap between groups"],
}
#: Fingerprints of the 8-word shingles of the outline document (which holds prose too).
OUTLINE_FINGERPRINTS = """
    AAystggAUmLdAQBxoSskAMKpHYAA6ItCuQE1/jgIAYWT0GEBh/Ft6wIdiPkRAykf348DaS8iWAODJ7DAA9jwGnYEaMx4pwUj
    VCU4BVtXqe0FqcJOSAYMn5WSB0QJuIwHwIYnpwiYVHmsCK6RnjwIym6PNQkPQCdACtVIeCEK1lcyagr1ADpCCwHCEasLrvSv
    RgxPhnB4Ds4TnEcO/P9gUQ8hqfA/D9EEMlQQGJtcURA3j9pmEFdQR2sQ5gij5RDuoV8rEPLepQgQ/sr7XxFZpIRiEmjAuWkS
    eCCIHBMqbvK4E5d5sdYUZRRCRxSe7ZvsFUfj0CEVb5qYrhWnSxRZFbgDCqkWUEB+sBdsYR4vF7m+dB0YFR6MORhYZ6IbGLAN
    e88ZBm9puxoRuDBdGjZmaYUbLEl46Rw9VPL1HIH9fw8czVvPqB59xjh4HrUVp4Ue3zrM2x/X2RJbIF6QojwhEMyELCSCz8gz
    JLoCD80lO2TFryWQG6FsJdmHinQnbuZI7ie60jkHKIU//GYo4VCZrCj4ZfhaKVnYDbEps+DafywDiL08LD8vA2YsosnKAi0s
    G/NjLedipz4uP2DvJy6Qo7JDL+g8U2gv+FsRKDAOxnMaMBK46w4xTCJCojF9gveDMkvgP4YyzPz6DDLbqxpRMvNf1P8zUADA
    PjRYkcDINt0hK/o3cZ8+Sjgal13dOCR94fg4VjfP7jkweELjOW7Y2RI6+aKbsTubYPyKPE/rr+8+CI/WJT5pK36BP7Ml3j1A
    xcohaUDHcE74QPiGnU5BENTZ3EEroB+IQmi+JLhCkQwnF0OHaDMsQ8tkDvBD6osYBEPqjI9HQ/6j5uZF3nG/VEYapRAnRjjZ
    4d9HXWJC3kd6lQhmR7Y1/ghIcf3niUjlXr2NSYfUTh9KMiO0nEp9VmvPTNnYsz5M/DXqTE6mygKhT5T3Vx5P4YZXpFAV4dN+
    UUHZc1lRqCsHClIPbDFxUi6rK7NTmPxwGlO98U7aVCvWpqhUrLx4YVVqXf9TVhDTl3ZWMTWh1Fe3zKWmWCFP5oNYMz7a/lhx
    XWXxWT9I20FZqhKvI1mrLWj7Wcw9nx5bTWOmh1uFBQ4NXHS5OuNdR1qEYF9hMwDDX2lVJVRgObPxN2CmDvOAYLBovfRgtvxx
    9WD8oqHgYYGQZ6xiAwk9GWIc4dUCYpavgl1jDjyo6mQWC5L6ZfXBLmZnMIAmzGc/bHHSZ6Vg71ZoSEX52WhPNCxfaMUL5ONp
    AYdE8Wmkj6jiakg3WthqnUSfWGqwoNV7bHoF/N5uD76HzG40TH1Rbt9OjQpu8LvN5XBPYlnNcMIv01lxsbksEnJ4YbwUcyX2
    8dxzLYeEo3Po4vcvdKE89jJ07oi1THWUyPrPdjg8VHd2fjq4aHc7NI4Md8BnLk54OaMbEXlxcqFYeaDREZt6e1453nyv5SKS
    fO/cMl19CMhLtn3Lsf6KfzjDPOV/s+4F23/mdi/OgCN1BSmArNYVVIDroVXtgPOA+s2BiEWOhIIkepYngiWi6e6EfHYCfIU2
    rdgChod9OjKGizMFb4b4u+3thx4qRRSHRP/Cm4gBfVz6iRDpCN+JIHx+34omySkKiq5/Y+mK8KCCLItLjAI6i+ez616MF2OU
    AYy/L61HjYZJIvKNzqXnYo5/uKvmjqQnsseOxfPK2o8Fa1Enj0S4zsWQyKARUZEI6ZbTka1ik8GRx5F0pJJs5BOTlBCgMaeU
    aRVZZpV6VO0MlZBbUS6Wd6eNTZa6YNV0ltQSnAmXDy3aLZe5AbQUl7mWU4SYDXR0n5kqaI6zm9AAT66b7F8ysJ02Qy1PnYDU
    hTSeXGgGOJ60LfHmnvaVfEygCnwt5qHQv/aPo0VPAZakHtMZkqTyxH4QpaSjhx+mRhhc/KZhkLGrpq5r2Eam1mg2jac5GmLD
    p2n9M2GnamepaqiXr9h3qQNymaKpNgDl2qmCRVGfqhYiS9uqNvDTmKsCZNTtrIuUTFqtFuvgjK3STVSIreTgHUit8WVboq6A
    7plZrv+Q4OavK60s5q9kYKALsGxe1aew6cwxS7FrjeY/s+v568K0XeypGrgMbRyUuJHdED65JV6q8Lm3v6ywufyLO3y6Bq4Y
    pLp6HRo4vIATyyW8gYzJ7bydxLFRvU512Xy9gfg4HL2EAerivsiDIETAWu4Mu8CXv52kwVwCzDzCPv3CycJfwWkqw7uUlkrE
    GwySosSO8jOexXexBr3Iuc6gfci519MlyPS20pTJbV2Tpcl86EswyycnionLlc2eDs2Dt0xYzcapxorOZ0j3/dAnCDmn0E2I
    g6HQpIYH4tCq9uVW0PmkbyzRRTk3jtKsFjCV0+0p323Ud8cZMNVJUFMI1eBBl2HV5GI0aNYdYzYV1h4/97HXGdPerNc/ocSG
    2b5QQnnZ+cscU9rR3KlH2uAs3NzcUa/wU9xwpIM33HEimQrcig/PX93S/nMj3jkIC9Pfkg/vm9/j3IXU4MQVCaHi2xDSiePM
    KuWH4+ySoPzmQxRmDeZc9Spy5xVSYzPnuwe6HujOUvfv6fPogTrsJxnyWuxhdGON7XAG9arujvSimu8+0XaD76l7x7zv/dw9
    ZvCIHjz/8KXoIyzxZjAckPLBpfj48s+iZ43y483yxfMgWfrh80KFB27zyZ7c+fPcJcDz9ZJ3hfn2AHWe+PfIhfzY99PBEKv4
    eKPIuvi70l+O+Ref6D/6Abh7RPrlqKvU+wJZtun7b56k/PzyHQkw/PUyHFr+BkNzo/4ha+Ql/mlYWAn/ug0i0v/I8fqf/+xs
    e60=
"""


def _page(name: str) -> Path:
    return BOOK / f"{name}.md"


@pytest.fixture(scope="module")
def book() -> BookBuild:
    built = build_book()
    assert built.returncode == 0, f"the book failed to build:\n{built.log[-6000:]}"
    return built


def _article(book: BookBuild, name: str):
    return soup(book.html / f"{name}.html").select_one("article.bd-article")


def _numbered_headings(article) -> list[tuple[str, str, str]]:
    found = []
    for tag in article.find_all(["h1", "h2", "h3", "h4"]):
        match = re.fullmatch(r"([A-Z]|\d+)((?:\.\d+)*) (.+)", heading_text(tag))
        if match:
            found.append((tag.name, match.group(1) + match.group(2), match.group(3)))
    return found


@pytest.mark.parametrize("name", list(EXPECTED_OUTLINE))
def test_chapter_and_section_titles_match_the_outline(book, name):
    found = _numbered_headings(_article(book, name))
    top = [(n, t) for _, n, t in found if n.count(".") <= 1]
    assert top == list(EXPECTED_OUTLINE[name])
    for level, number, _ in found:
        assert level == f"h{number.count('.') + 1}", f"{number} is an {level}"


@pytest.mark.parametrize("name", list(EXPECTED_OUTLINE))
def test_subsections_are_numbered_in_order_under_their_section(book, name):
    """Subsections (``### 3.1.2 Title``) an instructor can assign: numbered 1, 2, ... under
    the section they follow, each with an anchor of its own."""
    article = _article(book, name)
    found = _numbered_headings(article)
    section, expected_next = None, 1
    for _, number, title in found:
        parts = number.split(".")
        if len(parts) == 2:
            section, expected_next = number, 1
        elif len(parts) == 3:
            assert ".".join(parts[:2]) == section, f"{number} {title} is not under {section}"
            assert int(parts[2]) == expected_next, f"{number} {title}: expected .{expected_next}"
            expected_next += 1
    for tag in article.find_all("h3"):
        assert tag.find_parent("section") is not None and tag.find_parent("section").get("id")


@pytest.mark.parametrize("name", [n for n in EXPECTED_OUTLINE if n.split("/")[1][:4] in
                                  {f"ch{i:02d}" for i in range(3, 13)}])
def test_chapters_end_with_a_summary_and_an_exercise(book, name):
    article = _article(book, name)
    titles = [t for _, _, t in _numbered_headings(article)]
    assert titles[-2:] == ["Summary", "Exercise"]
    sections = {heading_text(h).split(" ", 1)[1]: h.find_parent("section") for h in article.find_all("h2")}
    assert len(sections["Summary"].get_text(" ").split()) > 80
    tasks = sections["Exercise"].find("ol")
    assert tasks is not None and len(tasks.find_all("li", recursive=False)) >= 3


@pytest.mark.parametrize("name", ["part5/ch13-continued-learning", "appendix/serving-methods"])
def test_closing_pages_end_with_an_exercise_callout(book, name):
    article = _article(book, name)
    callouts = [a for a in article.select("div.admonition") if a.select_one(".admonition-title")
                and a.select_one(".admonition-title").get_text(strip=True) == "Exercise"]
    assert len(callouts) == 1
    assert len(callouts[0].get_text(" ").split()) > 40


def test_sidebar_lists_the_chapters_under_their_parts(book):
    nav = soup(book.html / "welcome.html").select_one("nav.bd-docs-nav")
    by_caption = {}
    for caption in nav.select("p.caption"):
        items = caption.find_next_sibling("ul").select("li.toctree-l1 > a")
        by_caption[" ".join(caption.get_text().split())] = [
            re.sub(r"\.html$", "", a["href"]).lstrip("./") for a in items]
    expected = {cap: [f"{part}/index"] + [n for n in EXPECTED_OUTLINE if n.startswith(part + "/ch")
                                         and n not in EXTRA_PARTS["Closing"]]
                for part, cap in PART_OF.items()}
    expected.update(EXTRA_PARTS)
    for caption, pages in expected.items():
        assert by_caption[caption] == pages, caption
    captions = list(by_caption)
    assert captions.index("Closing") == captions.index(PART_OF["part5"]) + 1
    assert captions.index("Additional reading") == captions.index("Closing") + 1


@pytest.mark.parametrize("name", list(EXPECTED_OUTLINE))
def test_pages_have_figures_and_citations_and_no_errors(book, name):
    article = _article(book, name)
    figures = article.select("figure")
    assert figures, "no figure"
    for figure in figures:
        img = figure.find("img")
        assert img is not None
        assert (book.html / name).parent.joinpath(img["src"]).resolve().is_file()
    assert article.select("span.bibtex-citation"), "no citation"
    text = article.get_text(" ")
    assert "Traceback" not in text


@pytest.mark.parametrize("name", list(EXECUTED_OUTPUTS))
def test_hands_on_pages_executed_at_build_time(book, name):
    article = _article(book, name)
    outputs = " ".join(o.get_text(" ") for o in article.select("div.cell_output"))
    assert article.select("div.cell"), "no code cells"
    assert outputs.strip(), "no outputs: the cells did not run"
    for expected in EXECUTED_OUTPUTS[name]:
        assert expected in outputs, expected
    assert "Traceback" not in outputs


def test_part_overviews_list_their_chapters(book):
    for part in PART_OF:
        links = {a["href"] for a in soup(book.html / part / "index.html").select("article a.internal")}
        for name in EXPECTED_OUTLINE:
            if name.startswith(part + "/ch") and name not in EXTRA_PARTS["Closing"]:
                assert name.split("/")[1] + ".html" in links, name


# --------------------------------------------------------------------------- our words only


@cache
def outline_fingerprints() -> frozenset[bytes]:
    blob = base64.b64decode("".join(OUTLINE_FINGERPRINTS.split()))
    return frozenset(blob[i : i + 5] for i in range(0, len(blob), 5))


def prose(path: Path) -> str:
    """A page's text without the headings that are chapter/section titles, and without roles' targets."""
    titles = {t.lower() for outline in EXPECTED_OUTLINE.values() for _, t in outline} | {
        c.lower() for c in PART_OF.values()}
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"#+\s+(?:[A-Z]|\d+)(?:\.\d+)*\s+(.*)", line)
        if heading and heading.group(1).strip().lower() in titles:
            continue
        kept.append(line)
    text = "\n".join(kept)
    text = re.sub(r"\{cite(?::\w+)?\}`[^`]*`", " ", text)
    return re.sub(r"\{\w+\}`([^`<]*?)\s*(?:<[^`]*>)?`", r"\1", text)


def copied(text: str, prints: frozenset[bytes]) -> list[str]:
    return sorted(s for s in shingles(words(text)) if fingerprint(s) in prints)


@pytest.mark.parametrize("name", list(EXPECTED_OUTLINE))
def test_no_eight_words_of_the_seeds_or_the_outline(name):
    text = prose(_page(name))
    assert len(words(text)) > 1000
    assert copied(text, seed_fingerprints()) == []
    assert copied(text, outline_fingerprints()) == []


def test_the_overlap_check_would_catch_a_copied_outline_line(tmp_path):
    page = tmp_path / "probe.md"
    page.write_text("# 3 The Role of DataOps\n\nWe write: the published book continues with the chapters "
                    "below, in the outline.\n", encoding="utf-8")
    text = prose(page)
    assert "Role of DataOps" not in text
    assert copied(text, outline_fingerprints()) != []


# --------------------------------------------------------------------------- depth

#: Prose words of the published chapters (code, headings, figures and tables excluded),
#: counted once from the published book's sources; ours must reach 60% of each.
PUBLISHED_PROSE_WORDS = {
    "part2/ch03-role-of-dataops": 12_060, "part2/ch04-dataops-in-practice": 5_196,
    "part3/ch05-role-of-modelops": 3_262, "part3/ch06-experiment-tracking": 3_647,
    "part3/ch07-model-versioning": 4_622, "part3/ch08-model-deployment": 8_973,
    "part3/ch09-model-monitoring": 6_584, "part4/ch10-role-of-devops": 3_005,
    "part4/ch11-git-and-github": 4_899, "part5/ch12-human-side": 10_426,
    "appendix/serving-methods": 1_828,
}
#: Fewest numbered subsections a chapter 3-12 has (the published ones have 8-35 each).
MIN_SUBSECTIONS = 8


def prose_words(path: Path) -> int:
    """Words of running text: no front matter, code cells, directive options, labels,
    headings, figure/table markup or role targets."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^(```|~~~).*?^\1\s*$", "", text, flags=re.S | re.M)
    kept = [line for line in text.splitlines()
            if not re.match(r"\s*(#|:::|:\w+:|\(.*\)=\s*$|\||<)", line)]
    text = re.sub(r"\{\w+(?::\w+)?\}`([^`<]*?)\s*(?:<[^`]*>)?`", r"\1", "\n".join(kept))
    return len(re.findall(r"[A-Za-z0-9][\w'’.,%$-]*", text))


@pytest.mark.parametrize("name", list(PUBLISHED_PROSE_WORDS))
def test_chapters_reach_sixty_percent_of_the_published_prose(name):
    ours = prose_words(_page(name))
    assert ours >= 0.6 * PUBLISHED_PROSE_WORDS[name], (ours, PUBLISHED_PROSE_WORDS[name])


@pytest.mark.parametrize("name", [n for n in PUBLISHED_PROSE_WORDS if "/ch" in n])
def test_chapters_have_numbered_subsections_to_assign(name):
    text = _page(name).read_text(encoding="utf-8")
    subsections = re.findall(r"^### \d+\.\d+\.\d+ ", text, re.M)
    labelled = re.findall(r"^\([\w-]+\)=\n+### \d+\.\d+\.\d+ ", text, re.M)
    assert len(subsections) >= MIN_SUBSECTIONS
    assert len(labelled) == len(subsections), "every subsection needs a label to link to"


def test_the_word_count_ignores_code_and_markup(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("---\nkernelspec: x\n---\n(lbl)=\n## 1.1 Title here\n\nOne two {term}`three <x>`.\n\n"
                    "```{code-cell} ipython3\nprint('not prose at all')\n```\n| a | b |\n",
                    encoding="utf-8")
    assert prose_words(page) == 3


def test_links_to_a_section_land_on_that_section():
    """``{ref}`section 2.5 <ch02>``` lands on the chapter's top: link the section's own label."""
    wrong = []
    for page in sorted(BOOK.rglob("*.md")):
        if "_build" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        wrong += [f"{page.name}: {m.group(0)}" for m in
                  re.finditer(r"\{ref\}`sections? [\d.]+[^`<]*<ch\d\d>`", text)]
    assert wrong == []
