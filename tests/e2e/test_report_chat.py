"""``/report`` and ``/export`` in the chat: the real bot on the emulator, over HTTP, on SQLite.

Forty synthetic citizens take part in Opencare (the demo seeder, through the same use cases
as the chat). An analyst (English) gets the HTML report, a facilitator (Italian) the XLSX and
CSV exports and a report through the consultation buttons; a citizen gets exactly the reply
of an unknown command, for the commands and for a forged button, and each attempt is audited.
No file carries the Telegram id of anyone.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.commands.demo import example_definitions, seed_participants
from bot.demo_texts import TextPool
from dialogs.analyst.reports import ReportPick
from dialogs.i18n import translate
from tests.e2e.citizen_support import RunningBot, button, running_bot
from tests.e2e.staff_support import Cast, assemble_cast, audit_rows, language_of


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("reports") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        rng = random.Random(7)
        targets = {"opencare": example_definitions()["opencare"]}
        await seed_participants(running.storage.uow, running.clock, targets, 40, rng, TextPool(rng))
        yield running


@pytest.fixture(scope="module")
async def cast(rb: RunningBot) -> Cast:
    return await assemble_cast(rb)


def _today(rb: RunningBot) -> str:
    return datetime.now(ZoneInfo("Europe/Rome")).date().isoformat()


def _ids(cast: Cast) -> list[str]:
    people = (cast.admin, cast.facilitator, cast.analyst, cast.revoked, cast.citizen)
    return [str(person.user.id) for person in people]


async def test_analyst_gets_the_html_report_in_english(rb: RunningBot, cast: Cast) -> None:
    reply = await cast.analyst.say("/report opencare")
    document = reply.data["document"]
    assert document["file_name"] == f"opencare-report-{_today(rb)}.html"
    assert (reply.data.get("caption") or "").startswith("Report: Opencare: care close to home")
    html = rb.emulator.file_bytes(document["file_id"]).decode("utf-8")
    assert '<html lang="en">' in html and "At a glance" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "<td>40</td>" in html or "<dd>40</dd>" in html  # forty participants
    for telegram_id in _ids(cast):
        assert telegram_id not in html
    entries = [(e["action"], e["target"]) for e in await audit_rows(rb)]
    assert ("report", "opencare") in entries


async def test_facilitator_exports_and_picks_a_report_by_button(rb: RunningBot, cast: Cast) -> None:
    facilitator = cast.facilitator
    assert language_of(facilitator) == "it"
    first = await facilitator.say("/export opencare")
    second = await facilitator.read()
    names = [first.data["document"]["file_name"], second.data["document"]["file_name"]]
    assert names == [
        f"opencare-export-{_today(rb)}.xlsx",
        f"opencare-participations-{_today(rb)}.csv",
    ]
    assert (first.data.get("caption") or "").startswith("Esportazione: Opencare")
    xlsx = rb.emulator.file_bytes(first.data["document"]["file_id"])
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        content = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8")
    csv_text = rb.emulator.file_bytes(second.data["document"]["file_id"]).decode("utf-8")
    assert csv_text.startswith("\ufeffN.,Stato,")
    assert len(csv_text.strip().splitlines()) == 41  # header + one row per participation
    for telegram_id in _ids(cast):
        assert telegram_id not in content and telegram_id not in csv_text

    choose = await facilitator.say("/report")
    assert choose.text == translate("it", "report-choose")
    pick = button(choose, ReportPick(k="r", s="opencare").pack())
    answer = await facilitator.tap(choose, data=pick["callback_data"])
    assert answer.get("text") == translate("it", "report-preparing")
    report = await facilitator.read()
    html = rb.emulator.file_bytes(report.data["document"]["file_id"]).decode("utf-8")
    assert '<html lang="it">' in html and "In sintesi" in html

    unknown = await facilitator.say("/report nessuna")
    assert unknown.text == translate("it", "report-unknown", {"slug": "nessuna"})
    assert unknown.buttons


async def test_citizen_is_told_the_command_is_unknown_and_audited(
    rb: RunningBot, cast: Cast
) -> None:
    citizen = cast.citizen
    unknown = translate(language_of(citizen), "unknown-command")
    for command, target in (("/report opencare", "report"), ("/export opencare", "export")):
        before = len(await audit_rows(rb))
        reply = await citizen.say(command)
        assert reply.text == unknown and "document" not in reply.data
        new = (await audit_rows(rb))[before:]
        assert [(e["action"], e["target"], e["actor_staff_id"]) for e in new] == [
            ("denied", target, None)
        ]
    before = len(await audit_rows(rb))
    answer = await citizen.tap(reply, data=ReportPick(k="e", s="opencare").pack(), check=False)
    assert answer.get("text") == unknown
    new = (await audit_rows(rb))[before:]
    assert [(e["action"], e["target"]) for e in new] == [("denied", "tap:rp")]
    await citizen.silence(0.5)
