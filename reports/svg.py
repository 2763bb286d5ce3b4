"""Bar charts as inline SVG, drawn in Python: no script, no font file, no network.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (its text
alternative) referenced by ``aria-labelledby``; the report puts a data table with the same
numbers right after it. Charts scale with the page (``viewBox`` and ``width="100%"``), so they
read on a phone and print on A4. Colours keep at least 4.5:1 contrast with white: text is
#1a1a1a, bars #1f5f99 (their value labels are drawn beside them, not on them). Inline SVG
in HTML needs no namespace declaration, so the file holds no URL at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR = "#1f5f99"
TEXT = "#1a1a1a"
GRID = "#767676"  # 4.5:1 on white as well: the axis is information too
WIDTH = 640
_ids = itertools.count(1)


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _frame(height: int, title: str, desc: str, body: list[str]) -> Markup:
    n = next(_ids)
    head = (
        f'<svg role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" class="chart" '
        f'aria-labelledby="chart-title-{n} chart-desc-{n}">'
        f'<title id="chart-title-{n}">{escape(title)}</title>'
        f'<desc id="chart-desc-{n}">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def horizontal_bars(
    title: str, desc: str, bars: Sequence[tuple[str, int]], *, value_suffix: str = ""
) -> Markup:
    """One bar per (label, value), labels on the left, values to the right of each bar."""
    row, top, label_width = 28, 8, 230
    plot = WIDTH - label_width - 70
    height = top * 2 + row * max(1, len(bars))
    top_value = max((value for _, value in bars), default=0) or 1
    body: list[str] = [
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - top}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    ]
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        length = round(plot * value / top_value)
        body.append(
            f'<text x="{label_width - 8}" y="{y + row / 2 + 5}" text-anchor="end" '
            f'font-size="13" fill="{TEXT}">{escape(_short(label, 32))}</text>'
            f'<rect x="{label_width}" y="{y + 5}" width="{length}" height="{row - 10}" '
            f'fill="{BAR}"/>'
            f'<text x="{label_width + length + 6}" y="{y + row / 2 + 5}" font-size="13" '
            f'fill="{TEXT}">{value}{escape(value_suffix)}</text>'
        )
    return _frame(height, title, desc, body)


def column_bars(title: str, desc: str, columns: Sequence[tuple[str, int]]) -> Markup:
    """Vertical bars over time (one per day); at most about twelve labels on the axis."""
    height, bottom, left, top = 220, 30, 40, 14
    plot_h = height - bottom - top
    plot_w = WIDTH - left - 10
    count = max(1, len(columns))
    step = plot_w / count
    top_value = max((value for _, value in columns), default=0) or 1
    every = max(1, -(-count // 12))
    body: list[str] = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{WIDTH - 10}" y2="{height - bottom}" '
        f'stroke="{GRID}" stroke-width="1"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="12" '
        f'fill="{TEXT}">{top_value}</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" font-size="12" '
        f'fill="{TEXT}">0</text>',
    ]
    for i, (label, value) in enumerate(columns):
        bar_h = plot_h * value / top_value
        x = left + i * step
        body.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{height - bottom - bar_h:.1f}" '
            f'width="{max(step * 0.8, 1):.1f}" height="{bar_h:.1f}" fill="{BAR}"/>'
        )
        if i % every == 0:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'font-size="11" fill="{TEXT}">{escape(label)}</text>'
            )
    return _frame(height, title, desc, body)


# Opinion-map colours (≥ 3:1 against white, WCAG 1.4.11) and shapes, so groups differ by
# more than colour alone.
GROUP_COLOURS = ("#1f5f99", "#b35900", "#2e7d32", "#8e24aa", "#c62828")
GROUP_SHAPES = ("circle", "square", "triangle", "diamond", "cross")


def _marker(shape: str, x: float, y: float, colour: str, r: float = 4.0) -> str:
    if shape == "square":
        side = 2 * r
        return (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{side:.1f}" height="{side:.1f}" '
            f'fill="{colour}"/>'
        )
    if shape == "triangle":
        points = f"{x:.1f},{y - r - 1:.1f} {x - r - 1:.1f},{y + r:.1f} {x + r + 1:.1f},{y + r:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        d = r + 1
        points = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "cross":
        return (
            f'<path d="M{x - r:.1f} {y - r:.1f}L{x + r:.1f} {y + r:.1f}M{x - r:.1f} {y + r:.1f}'
            f'L{x + r:.1f} {y - r:.1f}" stroke="{colour}" stroke-width="2.5"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}"/>'


def scatter(
    title: str,
    desc: str,
    points: Sequence[tuple[float, float, int]],
    legend: Sequence[str],
) -> Markup:
    """A 2-D map: one marker per (x, y, group), colour and shape by group, legend below.

    The axes have no units (principal components), so none are drawn: only a frame. Points
    are scaled to fill the frame, keeping the aspect ratio so distances stay true.
    """
    plot, margin, legend_row = 380, 14, 22
    height = plot + 2 * margin + legend_row * max(1, -(-len(legend) // 3))
    xs = [p[0] for p in points] or [0.0]
    ys = [p[1] for p in points] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = (plot - 2 * margin) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    left = (WIDTH - plot) / 2
    body: list[str] = [
        f'<rect x="{left:.1f}" y="{margin}" width="{plot}" height="{plot}" fill="none" '
        f'stroke="{GRID}" stroke-width="1"/>'
    ]
    for x, y, group in points:
        px = left + plot / 2 + (x - cx) * scale
        py = margin + plot / 2 - (y - cy) * scale  # SVG's y grows downwards
        body.append(
            _marker(
                GROUP_SHAPES[group % len(GROUP_SHAPES)],
                px,
                py,
                GROUP_COLOURS[group % len(GROUP_COLOURS)],
            )
        )
    for i, label in enumerate(legend):
        lx = 40 + (i % 3) * 200
        ly = plot + 2 * margin + legend_row * (i // 3) + 8
        body.append(
            _marker(
                GROUP_SHAPES[i % len(GROUP_SHAPES)], lx, ly, GROUP_COLOURS[i % len(GROUP_COLOURS)]
            )
            + f'<text x="{lx + 12}" y="{ly + 5}" font-size="13" fill="{TEXT}">'
            f"{escape(_short(label, 26))}</text>"
        )
    return _frame(height, title, desc, body)
