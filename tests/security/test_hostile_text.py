"""Oversized and hostile text, typed by citizens into the real bot on the emulator.

``hostile_payloads.json`` holds 218 strings: SQL injection, HTML and Telegram-HTML tags,
Markdown(V2) specials, spreadsheet formulas (CSV injection) and Unicode oddities (NUL, bidi
overrides, zero-width characters, emoji sequences, combining marks, 4,000 characters). Each is
typed as the answer to a free-text question of a test consultation (up to 4,096 characters,
Telegram's limit for one message); a 4,096-character answer is typed too. Pass figures:

- stored exactly as typed, except NUL characters removed and the ends stripped (documented in
  ``surveys.engine.normalize_text``: PostgreSQL refuses NUL in text);
- shown back exactly on the summary screen;
- the Bot API refused nothing (the emulator checks entities as Telegram does: a message with a
  parse mode and an unbalanced tag would get "can't parse entities"), no handler failed;
- the XLSX and CSV exports neutralise every formula: no cell starts with ``= + - @``, tab or CR.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs.citizen.render import SUMMARY_ANSWER_CHARS
from nlp.pii import scrub
from reports.exports import FORMULA_STARTS, render_csv, render_xlsx
from storage.store import Storage
from surveys.format import load_definition
from surveys.usecases.consultations import load_consultation
from surveys.usecases.reports import report_data
from tests.e2e.citizen_support import (
    Citizen,
    RunningBot,
    button,
    has_buttons,
    join,
    running_bot,
    stored_answers,
)
from tests.security.support import lift_flood_limit

PAYLOADS: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "hostile_payloads.json").read_text(encoding="utf-8")
)
EXAMPLES = Path(__file__).parents[2] / "surveys" / "examples"
SLUG = "hostile"
BATCH = 8  # citizens typing at the same time
LONGEST = "Lungo. " + "à" * 4089  # 4,096 characters: the most one Telegram message carries


def all_payloads() -> list[str]:
    return [p for group in PAYLOADS.values() for p in group]


async def _load_hostile_consultation(storage: Storage, clock: Any, tmp_path: Path) -> None:
    """The OpenAgri file with one free-text question of up to 4,096 characters."""
    document = yaml.safe_load((EXAMPLES / "openagri.yaml").read_text(encoding="utf-8"))
    document.update(slug=SLUG, project="Hostile")
    document["questions"] = [
        {
            "key": "words",
            "type": "free_text",
            "min": 1,
            "max": 4096,
            "text": {"it": "Scrivi qualcosa.", "en": "Write something."},
        }
    ]
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    await load_consultation(storage.uow, load_definition(path), clock, open_now=True)


def expected(payload: str) -> str:
    return payload.replace("\x00", "").strip()


def shown(payload: str) -> str:
    """As the summary screen shows an answer: long ones cut to SUMMARY_ANSWER_CHARS."""
    text = expected(payload)
    if len(text) > SUMMARY_ANSWER_CHARS:
        return text[: SUMMARY_ANSWER_CHARS - 1] + "…"
    return text


async def _answer(rb: RunningBot, n: int, payload: str) -> tuple[Citizen, Any]:
    citizen = rb.citizen(f"Ostile{n}", "it")
    await join(citizen, SLUG)
    citizen.send(payload)
    return citizen, await citizen.read_until(has_buttons)


@pytest.fixture
async def hostile_bot(database_url: str, tmp_path: Path) -> Any:
    async with running_bot(database_url) as rb:
        lift_flood_limit(rb)
        await _load_hostile_consultation(rb.storage, rb.clock, tmp_path)
        yield rb


async def test_hostile_answers_are_stored_and_shown_back_exactly(hostile_bot: RunningBot) -> None:
    rb = hostile_bot
    typed = [p for p in [*all_payloads(), LONGEST] if not p.lstrip().startswith("/")]
    typed = [p for p in typed if expected(p)]  # empty once cleaned: see the next test
    assert len(typed) > 200
    for start in range(0, len(typed), BATCH):
        batch = list(enumerate(typed))[start : start + BATCH]
        done = await asyncio.gather(*(_answer(rb, n, payload) for n, payload in batch))
        for (_, payload), (citizen, summary) in zip(batch, done, strict=True):
            assert await stored_answers(rb, citizen, SLUG) == {"words": expected(payload)}
            assert shown(payload) in (summary.text or ""), f"summary lacks {payload!r}"
            assert button(summary, "f:")
    # The summary shortens long answers; /mydata gives them back whole.
    export = citizen.document_json(await citizen.say("/mydata"))
    (participation,) = export["participations"]
    assert [a["value"] for a in participation["answers"]] == [expected(LONGEST)]
    assert rb.app.metrics.handler_errors == 0
    assert rb.emulator.counters.errors == {}, rb.emulator.counters.errors
    assert not rb.emulator.counters.rejected

    # The exports of these answers: every formula neutralised, in every cell of every sheet.
    data = await report_data(rb.storage.uow, rb.clock, SLUG, 5, "Europe/Rome", scrub=scrub)
    assert data is not None
    cells = _csv_cells(render_csv(data, "it")) + _xlsx_cells(render_xlsx(data, "it"))
    assert len(cells) > len(typed)
    dangerous = [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert dangerous == []
    formulas = [c for c in cells if c.startswith("'") and c[1:].startswith(FORMULA_STARTS)]
    assert len(formulas) >= 30  # the formula payloads are there, made inert


async def test_an_answer_that_is_only_nul_or_blank_is_refused_politely(
    hostile_bot: RunningBot,
) -> None:
    rb = hostile_bot
    citizen = rb.citizen("Vuoto", "it")
    await join(citizen, SLUG)
    for blank in ("\x00", "\x00\x00", " \x00 ", "\u3000"):
        reply = await citizen.say(blank)
        assert reply.text, "a refusal is a message"
        assert await stored_answers(rb, citizen, SLUG) == {}
    assert rb.app.metrics.handler_errors == 0
    assert rb.emulator.counters.errors == {}


def _csv_cells(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return [cell for row in rows for cell in row]


def _xlsx_cells(data: bytes) -> list[str]:
    """Every string of the workbook; and no sheet holds a formula element."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in book.read(name), f"a formula in {name}"
        shared = book.read("xl/sharedStrings.xml").decode("utf-8")
    strings = re.findall(r"<t(?: [^>]*)?>(.*?)</t>", shared, flags=re.DOTALL)
    return [_unescape(s) for s in strings]


def _unescape(text: str) -> str:
    import html

    text = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text)
