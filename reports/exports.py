"""The report's data as a spreadsheet (XLSX, four sheets) and as CSV (the participations).

- *Participations*: one row per participation, numbered for this export only (no pseudonym,
  Telegram id or contact), one column per question headed ``key — question text``.
- *Free texts*: every free-text answer and idea, scrubbed of personal data, with its theme.
- *Themes*: label, size, keywords, quotes.
- *Question summaries*: the count per option of every closed question.

Map pins are written as "map location" without coordinates: a pin is often someone's home.
Every text cell that a spreadsheet would read as a formula (starting with ``= + - @``, tab or
carriage return) is prefixed with ``'`` (OWASP's CSV-injection advice), and XLSX strings are
written as strings, never parsed as formulas or links.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import xlsxwriter

from reports.texts import localised, normalise, text
from surveys.definition import AnswerValue, Question, QuestionType
from surveys.engine import district_options
from surveys.reporting import ReportData

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float


def neutralise(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading formula character gets a ``'``."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _label(question: Question, value: str, language: str) -> str:
    options = district_options(question) if question.type is QuestionType.LOCATION else ()
    option = question.option(value) or next((o for o in options if o.value == value), None)
    return localised(option.label, language) if option is not None else value


def answer_cell(question: Question, value: AnswerValue | None, language: str) -> Cell:
    """One answer as a spreadsheet shows it: option labels, numbers as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return text("yes" if value else "no", language)
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        labels = [_label(question, str(v), language) for v in value]
        if question.type is QuestionType.RANKING:
            return "; ".join(f"{i}. {label}" for i, label in enumerate(labels, start=1))
        return "; ".join(labels)
    if isinstance(value, dict):
        district = value.get("district")
        return _label(question, str(district), language) if district else text("pin", language)
    if question.type is QuestionType.FREE_TEXT:
        return value
    return _label(question, value, language)


def participation_table(data: ReportData, language: str) -> tuple[list[str], list[list[Cell]]]:
    t = normalise(language)
    headers = [
        text("col_number", t),
        text("col_status", t),
        text("col_started", t),
        text("col_version", t),
        *(f"{q.key} — {localised(q.text, t)}" for q in data.questions_all),
    ]
    rows: list[list[Cell]] = [
        [
            row.number,
            text("status_submitted" if row.submitted else "status_in_progress", t),
            row.started_on.isoformat(),
            row.version,
            *(answer_cell(q, v, t) for q, v in zip(data.questions_all, row.values, strict=True)),
        ]
        for row in data.participations
    ]
    return headers, rows


def _free_text_table(data: ReportData, t: str) -> tuple[list[str], list[list[Cell]]]:
    headers = [
        text("col_participation", t),
        text("col_source", t),
        text("col_text", t),
        text("col_label", t),
    ]
    rows: list[list[Cell]] = [
        [
            row.participation_number if row.participation_number is not None else "",
            row.question_key or text("source_idea", t),
            row.text,
            row.theme or text("no_theme", t),
        ]
        for row in data.free_texts
    ]
    return headers, rows


def _theme_table(data: ReportData, t: str) -> tuple[list[str], list[list[Cell]]]:
    headers = [
        text("col_label", t),
        text("col_size", t),
        text("col_keywords", t),
        text("col_quotes", t),
    ]
    rows: list[list[Cell]] = [
        [theme.label, theme.size, ", ".join(theme.keywords), "\n".join(theme.quotes)]
        for theme in data.themes
    ]
    return headers, rows


def _summary_table(data: ReportData, t: str) -> tuple[list[str], list[list[Cell]]]:
    headers = [
        "key",
        text("col_question", t),
        text("col_answered", t),
        text("option", t),
        text("count", t),
    ]
    rows: list[list[Cell]] = [
        [q.key, localised(q.text, t), q.answered, localised(o.label, t), o.count]
        for q in data.questions
        for o in q.options
    ]
    return headers, rows


def _write_sheet(
    workbook: xlsxwriter.Workbook,
    name: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[int],
) -> None:
    sheet = workbook.add_worksheet(name[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for column, header in enumerate(headers):
        sheet.write_string(0, column, neutralise(header), bold)
        width = widths[column] if column < len(widths) else widths[-1]
        sheet.set_column(column, column, width, wrap)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, neutralise(value))
            else:
                sheet.write_number(r, c, value)
    sheet.freeze_panes(1, 0)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(headers) - 1)


def render_xlsx(data: ReportData, language: str) -> bytes:
    t = normalise(language)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # Belt and braces: strings are written with write_string anyway.
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties({"title": localised(data.title, t), "author": "", "company": ""})
    sheets = (
        ("sheet_participations", participation_table(data, t), [8, 14, 12, 9, 28]),
        ("sheet_free_texts", _free_text_table(data, t), [12, 16, 70, 30]),
        ("sheet_themes", _theme_table(data, t), [30, 8, 40, 70]),
        ("sheet_summaries", _summary_table(data, t), [16, 50, 10, 36, 10]),
    )
    for name, (headers, rows), widths in sheets:
        _write_sheet(workbook, text(name, t), headers, rows, widths)
    workbook.close()
    return buffer.getvalue()


def render_csv(data: ReportData, language: str) -> bytes:
    """The participations sheet as CSV: UTF-8 with a BOM (so Excel reads the accents),
    comma-separated, every text cell neutralised like the XLSX."""
    headers, rows = participation_table(data, language)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
