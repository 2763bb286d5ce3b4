"""The XLSX of 500 seeded participants, read back with openpyxl and checked against the database.

Same files as the browser test (``tests/report_seed.py``: examples loaded and opened, ``demo
seed --participants 500``, ``ascolto report opencare --html … --xlsx …``). The counts are
recomputed here straight from the SQLite rows (plain SQL and JSON, not the report's code):
participations and their status, the count per option of single-choice, yes/no and
multiple-choice questions, and the theme sizes. Small-cell suppression is checked on the
report's data from the same database: every breakdown cell equals the database's count when
it is shown, is shown only when at least the minimum group size, and every count under the
minimum (zero included) is hidden.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import openpyxl
import pytest

from nlp.pii import scrub
from storage.store import Storage
from surveys.clock import SystemClock
from surveys.definition import QuestionType
from surveys.usecases.reports import report_data
from tests.report_seed import MIN_GROUP_SIZE, SeededReport, seeded_report

# Seeding 500 people and clustering takes about 70 s here: slow (CI runs it, `-m slow`).
pytestmark = pytest.mark.slow

COUNTED = "p.is_preview = 0 AND p.status != 'withdrawn' AND c.slug = 'opencare'"


@pytest.fixture
def report(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> SeededReport:
    return seeded_report(tmp_path_factory, capsys)


def _answers(report: SeededReport) -> dict[int, dict[str, Any]]:
    with report.connect() as connection:
        rows = connection.execute(
            "SELECT a.participation_id, a.question_key, a.value FROM answers a "
            "JOIN participations p ON p.id = a.participation_id "
            f"JOIN consultations c ON c.id = p.consultation_id WHERE {COUNTED}"
        ).fetchall()
    by_participation: dict[int, dict[str, Any]] = {}
    for pid, key, value in rows:
        by_participation.setdefault(pid, {})[key] = (
            json.loads(value) if isinstance(value, str) else value
        )
    return by_participation


def _sheet(workbook: Any, name: str) -> list[tuple[Any, ...]]:
    return list(workbook[name].iter_rows(values_only=True))


def test_the_xlsx_matches_the_database(report: SeededReport) -> None:
    workbook = openpyxl.load_workbook(report.xlsx, read_only=True)
    assert workbook.sheetnames == [
        "Partecipazioni",
        "Testi liberi",
        "Temi",
        "Riepilogo domande",
    ]
    with report.connect() as connection:
        statuses = dict(
            connection.execute(
                "SELECT p.status, count(*) FROM participations p "
                f"JOIN consultations c ON c.id = p.consultation_id WHERE {COUNTED} "
                "GROUP BY p.status"
            ).fetchall()
        )
        theme_sizes = dict(
            connection.execute(
                "SELECT t.label, count(*) FROM themes t "
                "JOIN theme_memberships m ON m.theme_id = t.id "
                "WHERE t.kind = 'theme' AND t.hidden = 0 GROUP BY t.id, t.label"
            ).fetchall()
        )
        secrets = [str(row[0]) for row in connection.execute("SELECT chat_id FROM contacts")]
    participations = _sheet(workbook, "Partecipazioni")
    assert len(participations) - 1 == sum(statuses.values()) > 100
    by_status = Counter(row[1] for row in participations[1:])
    assert by_status["completata"] == statuses.get("submitted", 0)
    assert [row[0] for row in participations[1:]] == list(range(1, len(participations)))

    # Per-question summaries, recomputed from the raw answers.
    answers = _answers(report)
    summaries = _sheet(workbook, "Riepilogo domande")
    from tests.report_support import opencare

    definition = opencare()
    checked = 0
    for question in definition.questions:
        kind = question.type
        if kind not in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE, QuestionType.YES_NO):
            continue
        counts: Counter[str] = Counter()
        answered = 0
        for values in answers.values():
            value = values.get(question.key)
            if value is None or value == []:
                continue
            answered += 1
            if kind is QuestionType.YES_NO:
                counts["yes" if value else "no"] += 1
            elif isinstance(value, list):
                counts.update(set(value))
            else:
                counts[value] += 1
        rows = [row for row in summaries[1:] if row[0] == question.key]
        assert rows and all(row[2] == answered for row in rows), question.key
        labels = (
            {"yes": "Sì", "no": "No"}
            if kind is QuestionType.YES_NO
            else {o.value: o.label["it"] for o in question.options}
        )
        assert {row[3]: row[4] for row in rows} == {
            labels[value]: counts[value] for value in labels
        }, question.key
        checked += 1
    assert checked >= 4

    # Themes: sizes are the database's memberships (nothing is hidden in this seed).
    themes = _sheet(workbook, "Temi")[1:]
    assert themes and all(theme_sizes[label] == size for label, size, *_ in themes)
    assert all(size >= MIN_GROUP_SIZE for _, size, *_ in themes)

    # Nothing identifying: no chat id anywhere in the workbook.
    every_cell = {
        str(value)
        for name in workbook.sheetnames
        for row in _sheet(workbook, name)
        for value in row
        if value is not None
    }
    assert not every_cell & set(secrets)
    workbook.close()


def test_small_cells_are_suppressed(report: SeededReport) -> None:
    async def read() -> Any:
        storage = Storage.open(f"sqlite+aiosqlite:///{report.database}")
        try:
            return await report_data(
                storage.uow, SystemClock(), "opencare", MIN_GROUP_SIZE, "Europe/Rome", scrub=scrub
            )
        finally:
            await storage.close()

    data = asyncio.run(read())
    assert data is not None
    answers = _answers(report)
    municipio = {
        pid: values["municipio"]["district"]
        for pid, values in answers.items()
        if isinstance(values.get("municipio"), dict) and values["municipio"].get("district")
    }
    role = next(q for q in data.questions if q.key == "role")
    breakdown = next(b for b in role.breakdowns if b.segment_key == "municipio")
    definition_columns = [c["it"] for c in breakdown.columns]
    from surveys.engine import district_options
    from tests.report_support import opencare

    districts = district_options(opencare().question("municipio"))
    assert [d.label["it"] for d in districts] == definition_columns
    shown = hidden = 0
    for option, row in zip(role.options, breakdown.rows, strict=True):
        for district, cell in zip(districts, row.cells, strict=True):
            true = sum(
                1
                for pid, values in answers.items()
                if values.get("role") == option.value and municipio.get(pid) == district.value
            )
            if cell is None:
                hidden += 1
            else:
                shown += 1
                assert cell == true >= MIN_GROUP_SIZE
            if true < MIN_GROUP_SIZE:
                assert cell is None
    assert shown and hidden  # 500 people over 9 Municipi and 5 roles: both kinds occur
