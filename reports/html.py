"""The report as ONE self-contained HTML file, for policy staff, in Italian or English.

Everything is inside the file: CSS in a ``<style>`` element, charts as inline SVG drawn by
``reports.svg``, no script, no font, no image or stylesheet to fetch, so it opens offline, on a
phone, and prints to PDF as it looks. Accessibility (WCAG 2.1 AA basics): ``lang`` on
``<html>``, headings h1 → h2 → h3 → h4 in order, every chart an ``<svg role="img">`` with a
title and description and the same numbers in a table right after it (``<caption>``, ``<th
scope>``), 4.5:1 contrast, wide tables in a focusable scrolling region so a keyboard reaches
them. This module turns ``ReportData`` into a plain view model; the template only lays it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reports import svg
from reports.texts import localised, normalise, text
from reports.voting_section import voting_view
from surveys.reporting import Breakdown, ReportData

TEMPLATES = Path(__file__).parent / "templates"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def day(value: date | None, language: str) -> str:
    if value is None:
        return text("not_set", language)
    return value.strftime("%d/%m/%Y" if language == "it" else "%Y-%m-%d")


def percent(part: int, whole: int, language: str) -> str:
    share = 100 * part / whole if whole else 0.0
    shown = f"{share:.1f}"
    return f"{shown.replace('.', ',')} %" if language == "it" else f"{shown}%"


@dataclass(frozen=True)
class Table:
    """A data table: caption, column headers, rows whose first cell is a row header."""

    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: bool = True


def _breakdown_table(breakdown: Breakdown, what: str, minimum: int, language: str) -> Table:
    segment = localised(breakdown.segment_text, language)
    hidden = text("suppressed", language, min=minimum)
    return Table(
        caption=text(
            "breakdown_caption", language, what=what, segment=_short(segment), min=minimum
        ),
        headers=[what, *(localised(c, language) for c in breakdown.columns)],
        rows=[
            [
                localised(row.label, language),
                *(hidden if cell is None else str(cell) for cell in row.cells),
            ]
            for row in breakdown.rows
        ],
    )


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _items(pairs: Sequence[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in pairs)


def view_model(data: ReportData, language: str) -> dict[str, Any]:
    """Every string and chart the template shows, already in ``language``."""
    t = normalise(language)
    minimum = data.min_group_size
    themes_chart: Markup | None = None
    themes_table: Table | None = None
    total_texts = sum(theme.size for theme in data.themes)
    if data.themes:
        pairs = [(theme.label, theme.size) for theme in data.themes]
        themes_chart = svg.horizontal_bars(
            text("themes_overview", t), text("themes_chart_desc", t, items=_items(pairs)), pairs
        )
        themes_table = Table(
            caption=text("themes_overview", t),
            headers=[text("theme", t), text("texts", t), text("share", t)],
            rows=[[label, str(size), percent(size, total_texts, t)] for label, size in pairs],
        )
    theme_cards = [
        {
            "label": theme.label,
            "size": text("size", t, count=theme.size),
            "keywords": ", ".join(theme.keywords),
            "quotes": theme.quotes,
            "breakdowns": [
                _breakdown_table(b, text("counts_people", t), minimum, t) for b in theme.breakdowns
            ],
        }
        for theme in data.themes
    ]
    questions = []
    for question in data.questions:
        title = localised(question.text, t)
        what = text(f"counts_{question.counts_what}", t)
        pairs = [(localised(o.label, t), o.count) for o in question.options]
        questions.append(
            {
                "key": question.key,
                "title": title,
                "answered": text("answered", t, count=question.answered),
                "chart": svg.horizontal_bars(
                    _short(title),
                    text("question_chart_desc", t, question=title, items=_items(pairs)),
                    pairs,
                ),
                "table": Table(
                    caption=f"{_short(title)} — {what}",
                    headers=[text("option", t), what, text("share", t)],
                    rows=[
                        [label, str(count), percent(count, question.answered, t)]
                        for label, count in pairs
                    ],
                ),
                "breakdowns": [_breakdown_table(b, what, minimum, t) for b in question.breakdowns],
            }
        )
    time_chart: Markup | None = None
    time_table: Table | None = None
    if data.days:
        days = [(day(d.day, t)[:5] if t == "it" else day(d.day, t)[5:], d.count) for d in data.days]
        peak = max(data.days, key=lambda d: d.count)
        time_chart = svg.column_bars(
            text("over_time", t),
            text(
                "over_time_desc",
                t,
                first=day(data.days[0].day, t),
                last=day(data.days[-1].day, t),
                max=peak.count,
                peak=day(peak.day, t),
            ),
            days,
        )
        time_table = Table(
            caption=text("over_time", t),
            headers=[text("day", t), text("started", t)],
            rows=[[day(d.day, t), str(d.count)] for d in data.days],
        )
    method = data.theme_method
    if method is None:
        method_themes = text("method_no_themes", t)
    else:
        model = text("method_model", t, model=method.model) if method.model else ""
        made = method.created_at.date() if method.created_at else None
        method_themes = text(
            "method_themes",
            t,
            texts=data.free_texts_count,
            backend=method.backend,
            model=model,
            k=method.k,
            date=day(made, t),
        )
    title = localised(data.title, t)
    return {
        "lang": t,
        "t": lambda key, **params: text(key, t, **params),
        "title": title,
        "project": data.project,
        "generated": text(
            "generated", t, date=day(data.generated_at.date(), t), timezone=data.timezone
        ),
        "period": text(
            "period",
            t,
            opens=day(data.opens_on, t),
            closes=day(data.closes_on, t) if data.closes_on else text("open_ended", t),
        ),
        "numbers": [
            (text("participants", t), str(data.participants)),
            (text("completed", t), str(data.completed)),
            (text("completion_rate", t), percent(data.completed, data.participants, t)),
            (text("ideas", t), str(data.ideas)),
            (text("free_texts", t), str(data.free_texts_count)),
        ],
        "themes_chart": themes_chart,
        "themes_table": themes_table,
        "themes": theme_cards,
        "questions": questions,
        "time_chart": time_chart,
        "time_table": time_table,
        "method_themes": method_themes,
        "method_hidden": text(
            "method_hidden_excluded" if data.hidden_excluded else "method_hidden_counted",
            t,
            count=data.hidden_texts,
        ),
        "min": minimum,
        # The voting section (reports/voting_section.py), only when statements have votes.
        "voting": voting_view(data.voting, t) if data.voting is not None else None,
    }


def render_html(data: ReportData, language: str) -> str:
    return _environment.get_template("report.html.j2").render(view_model(data, language))
