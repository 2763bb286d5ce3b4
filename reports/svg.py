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
