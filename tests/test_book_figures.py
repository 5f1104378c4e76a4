"""The book's diagrams: the committed SVGs are what book/figures/draw_figures.py draws."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

FIGURES = Path(__file__).resolve().parents[1] / "book" / "figures"
SVG = "{http://www.w3.org/2000/svg}"


def _drawer():
    spec = importlib.util.spec_from_file_location("draw_figures", FIGURES / "draw_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_svgs_are_up_to_date(tmp_path):
    drawer = _drawer()
    written = drawer.main(tmp_path)
    assert {p.name for p in written} == set(drawer.FIGURES)
    for path in written:
        committed = FIGURES / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed.name} is stale: run .venv/bin/python book/figures/draw_figures.py"
        )


def test_diagrams_show_what_the_textbook_asked_for():
    system = ET.parse(FIGURES / "ml-system-in-organisation.svg").getroot()
    labels = " ".join(t.text or "" for t in system.iter(f"{SVG}text"))
    for part in ("Business requirements", "DataOps", "ModelOps", "DevOps", "End user"):
        assert part in labels
    principles = ET.parse(FIGURES / "design-principles.svg").getroot()
    numbers = {t.text for t in principles.iter(f"{SVG}text")}
    assert {f"1.3.{k}" for k in range(1, 9)} <= {n.split()[0] for n in numbers if n}


def test_text_stays_legible_at_page_width():
    # The theme shows figures about 800 px wide; a 1000-unit viewBox scales text by 0.8.
    for svg in FIGURES.glob("*.svg"):
        root = ET.parse(svg).getroot()
        width = float(root.get("viewBox").split()[2])
        sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
        assert sizes and min(sizes) * 800 / width >= 10, svg.name
