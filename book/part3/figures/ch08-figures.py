"""Draw the ch. 8 and appendix diagrams as plain SVG (run: python book/part3/figures/ch08-figures.py).

Writes book/part3/figures/ch08-update-strategies.svg and book/appendix/figures/ch08-async-inference.svg.
Text sizes stay legible when the 900-unit-wide drawings are shown about 800 px wide.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
BOOK = HERE.parents[1]
FONT = 'font-family="Helvetica, Arial, sans-serif"'
INK, SOFT, CUR, NEW = "#0f172a", "#475569", "#94a3b8", "#dc2626"
ARROW = ('<defs><marker id="arr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
         'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#334155"/></marker></defs>')


def text(x: float, y: float, s: str, size: float = 13, anchor: str = "middle", weight: str = "normal",
         fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'font-weight="{weight}" fill="{fill}">{s}</text>')


def svg(width: int, height: int, body: list[str]) -> str:
    return "\n".join([f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
                      f'height="{height}" {FONT} role="img">', ARROW,
                      f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>', *body, "</svg>", ""])


def strategies() -> str:
    """Share of live traffic answered by the candidate over time, one panel per strategy."""
    panels = [
        ("Shadow", [(0, 0), (1, 0)], "candidate scores a copy of every request; nobody sees it"),
        ("Canary", [(0, .05), (.25, .05), (.25, .25), (.5, .25), (.5, .5), (.75, .5), (.75, 1), (1, 1)],
         "share grows in steps, checked before each step"),
        ("Blue-green", [(0, 0), (.5, 0), (.5, 1), (1, 1)], "all traffic switches at once; blue kept for rollback"),
        ("Rolling update", [(0, 0), (.2, 0), (.2, 1 / 3), (.45, 1 / 3), (.45, 2 / 3), (.7, 2 / 3), (.7, 1), (1, 1)],
         "copies replaced one at a time (3 copies)"),
    ]
    body = [text(450, 28, "Who answers live traffic during an update", 18, weight="bold")]
    w, h, top = 400, 110, 60
    for k, (name, steps, note) in enumerate(panels):
        x0 = 30 + (k % 2) * 445
        y0 = top + (k // 2) * 200
        body.append(text(x0, y0 - 10, name, 15, "start", "bold"))
        body.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="{CUR}" opacity="0.55"/>')
        pts = " ".join(f"{x0 + t * w:.1f},{y0 + h - s * h:.1f}" for t, s in steps)
        body.append(f'<polygon points="{x0},{y0 + h} {pts} {x0 + w},{y0 + h}" fill="{NEW}" opacity="0.8"/>')
        if name == "Shadow":
            body.append(f'<rect x="{x0}" y="{y0 + 8}" width="{w}" height="{h - 16}" fill="none" stroke="{NEW}" '
                        f'stroke-width="2.5" stroke-dasharray="8 5"/>')
        body.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#334155"/>')
        body.append(f'<line x1="{x0}" y1="{y0 + h}" x2="{x0 + w + 12}" y2="{y0 + h}" stroke="#334155" '
                    f'marker-end="url(#arr)"/>')
        body.append(text(x0 + w, y0 + h + 16, "time", 12.5, "end", fill=SOFT))
        body.append(text(x0, y0 + h + 34, note, 12.5, "start", fill=SOFT))
    body.append(f'<rect x="300" y="448" width="16" height="12" fill="{CUR}" opacity="0.55"/>')
    body.append(text(322, 458, "current model answers", 12.5, "start"))
    body.append(f'<rect x="490" y="448" width="16" height="12" fill="{NEW}" opacity="0.8"/>')
    body.append(text(512, 458, "candidate answers", 12.5, "start"))
    return svg(900, 470, body)


def box(x: float, y: float, w: float, h: float, title: str, lines: list[str], fill: str) -> list[str]:
    out = [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" fill="{fill}" stroke="#334155" stroke-width="1.5"/>',
           text(x + w / 2, y + 24, title, 15, weight="bold")]
    out += [text(x + w / 2, y + 46 + 18 * i, line, 12.5, fill="#1e293b") for i, line in enumerate(lines)]
    return out


def arrow(x1: float, y1: float, x2: float, y2: float, label: str = "", dy: float = -8) -> list[str]:
    out = [f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#334155" stroke-width="1.6" marker-end="url(#arr)"/>']
    if label:
        out.append(text((x1 + x2) / 2, (y1 + y2) / 2 + dy, label, 12.5, fill=SOFT))
    return out


def asynchronous() -> str:
    """A request queue in front of the model; results stored and collected later."""
    body = [text(450, 28, "Asynchronous inference: submit now, collect later", 18, weight="bold")]
    body += box(20, 60, 160, 110, "Caller", ["care-management", "tool"], "#dbeafe")
    body += box(250, 60, 160, 110, "Request queue", ["holds jobs until", "a worker is free"], "#fef3c7")
    body += box(480, 60, 160, 110, "Workers", ["score jobs in", "batches; scale", "with queue length"], "#dcfce7")
    body += box(710, 60, 170, 110, "Result store", ["answer kept under", "the job id"], "#ede9fe")
    body += arrow(180, 95, 248, 95, "1 submit")
    body += arrow(410, 115, 478, 115, "2 pull")
    body += arrow(640, 115, 708, 115, "3 write")
    body.append('<path d="M 250 140 C 215 140 215 140 182 140" fill="none" stroke="#334155" stroke-width="1.6" '
                'marker-end="url(#arr)"/>')
    body.append(text(215, 158, "job id", 12.5, fill=SOFT))
    body.append('<path d="M 795 170 C 795 235 100 235 100 172" fill="none" stroke="#334155" stroke-width="1.6" '
                'stroke-dasharray="6 4" marker-end="url(#arr)"/>')
    body.append(text(450, 248, "4 caller polls with the job id, or is notified when the result is ready", 12.5,
                     fill=SOFT))
    return svg(900, 262, body)


def main() -> list[Path]:
    written = []
    for path, content in ((HERE / "ch08-update-strategies.svg", strategies()),
                          (BOOK / "appendix" / "figures" / "ch08-async-inference.svg", asynchronous())):
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main():
        print(p)
