"""``/stats`` end to end: the real bot on the emulator, over HTTP, on SQLite.

Three citizens take ``opencare`` through the chat (one finishes, one stops at the second
question, one never answers). A facilitator (Italian) and an analyst (English) then get the
figures as text and two PNG charts; a citizen and a revoked staff member get exactly the
unknown-command reply, audited, and nothing else; forged buttons change nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dialogs.facilitator.stats import StatsPick, daily_chart, drop_off_chart, stats_text
from dialogs.i18n import Translator, translate
from reports.charts import MatplotlibCharts
from surveys.usecases.stats import ConsultationStats, consultation_stats
from tests.e2e.citizen_support import (
    Citizen,
    RunningBot,
    answer_question,
    button,
    complete,
    has_buttons,
    join,
    participation_status,
    running_bot,
)
from tests.e2e.staff_support import (
    Cast,
    assemble_cast,
    audit_rows,
    database_snapshot,
    language_of,
)

PNG = b"\x89PNG\r\n\x1a\n"


@dataclass
class World:
    rb: RunningBot
    cast: Cast


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    path: Path = tmp_path_factory.mktemp("stats") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as rb:
        cast = await assemble_cast(rb)
        alba, bruno, ciro = (
            rb.citizen("Alba", "it"),
            rb.citizen("Bruno", "it"),
            rb.citizen("Ciro", "en"),
        )
        summary = await complete(alba, await join(alba, "opencare"), "it")
        await alba.tap(summary, data=button(summary, "f:")["callback_data"])
        await alba.read()  # thanks
        await alba.read()  # the offer to follow the project
        assert await participation_status(rb, alba, "opencare") == "submitted"
        await answer_question(bruno, await join(bruno, "opencare"), "it")
        await bruno.read_until(has_buttons)  # the second question: Bruno stops here
        await join(ciro, "opencare")  # Ciro stops at the first question
        yield World(rb, cast)


async def _expected(rb: RunningBot) -> ConsultationStats:
    stats = await consultation_stats(rb.storage.uow, rb.clock, None, "opencare")
    assert isinstance(stats, ConsultationStats)
    return stats


async def _read_stats(person: Citizen) -> tuple[str, list[tuple[bytes, str]]]:
    text = (await person.read()).text or ""
    photos = []
    for _ in range(2):
        message = await person.read()
        assert "photo" in message.data, message.data
        assert message.file_bytes is not None
        photos.append((message.file_bytes, message.caption or ""))
    return text, photos


async def test_the_figures_are_right(world: World) -> None:
    stats = await _expected(world.rb)
    assert (stats.participants, stats.started, stats.completed) == (3, 2, 1)
    assert stats.completion_rate == 0.5 and stats.median_completion is not None
    stopped = [(q.key, q.stopped) for q in stats.top_drop_offs()]
    assert stopped == [(stats.questions[0].key, 1), (stats.questions[1].key, 1)]


@pytest.mark.parametrize("persona", ["facilitator", "analyst"])
async def test_staff_get_the_figures_and_two_charts(world: World, persona: str) -> None:
    person: Citizen = getattr(world.cast, persona)
    language = language_of(person)
    _ = Translator(language)
    audit_before = await audit_rows(world.rb)
    person.send("/stats opencare")
    text, photos = await _read_stats(person)
    stats = await _expected(world.rb)
    assert text == stats_text(stats, _)
    for line in (
        _("stats-participants", count=3),
        _("stats-started", count=2),
        _("stats-completed", count=1),
        _("stats-rate", rate="50%"),
    ):
        assert line in text.splitlines(), line
    assert _("stats-dropoff-header") in text
    first_question = stats.questions[0].text[language]
    assert f"1. {first_question}" in text
    # The pictures are exactly what the renderer draws from these figures, in this language.
    charts = MatplotlibCharts()
    (daily_png, daily_caption), (drop_png, drop_caption) = photos
    assert daily_png.startswith(PNG) and drop_png.startswith(PNG)
    assert daily_png == charts.daily(daily_chart(stats, _))
    assert drop_png == charts.drop_off(drop_off_chart(stats, _))
    # The captions carry the key figures as text.
    assert "opencare" in daily_caption and str(stats.answers) in daily_caption
    assert first_question in drop_caption
    new = (await audit_rows(world.rb))[len(audit_before) :]
    assert [(e["action"], e["target"]) for e in new] == [("stats.viewed", "consultation:opencare")]
    await person.silence(0.3)


async def test_stats_without_a_slug_offers_buttons(world: World) -> None:
    facilitator = world.cast.facilitator
    menu = await facilitator.say("/stats")
    assert menu.text == translate("it", "stats-choose")
    datas = [str(b["callback_data"]) for b in menu.buttons]
    assert StatsPick(s="opencare").pack() in datas
    assert all(len(d.encode()) <= 64 for d in datas)
    answer = await facilitator.tap(menu, data=StatsPick(s="opencare").pack())
    assert answer["text"] == translate("it", "stats-working", {"slug": "opencare"})
    text, photos = await _read_stats(facilitator)
    assert text == stats_text(await _expected(world.rb), Translator("it"))
    assert len(photos) == 2


async def test_unknown_slug_lists_the_valid_ones(world: World) -> None:
    analyst = world.cast.analyst
    reply = await analyst.say("/stats nonexistent")
    assert (reply.text or "").startswith(
        translate("en", "stats-unknown", {"slug": "nonexistent", "known": ""}).strip()
    )
    for slug in ("opencare", "openagri", "sharing-cities"):
        assert slug in (reply.text or "")
    await analyst.silence(0.3)


async def test_a_consultation_without_answers_sends_no_charts(world: World) -> None:
    facilitator = world.cast.facilitator
    reply = await facilitator.say("/stats openagri")
    empty = await consultation_stats(world.rb.storage.uow, world.rb.clock, None, "openagri")
    assert isinstance(empty, ConsultationStats) and empty.is_empty
    title = empty.title["it"]
    assert reply.text == translate("it", "stats-empty", {"title": title, "slug": "openagri"})
    await facilitator.silence(0.5)


@pytest.mark.parametrize("persona", ["citizen", "revoked"])
async def test_others_get_the_unknown_command_reply(world: World, persona: str) -> None:
    person: Citizen = getattr(world.cast, persona)
    unknown = translate(language_of(person), "unknown-command")
    before, audit_before = await database_snapshot(world.rb), await audit_rows(world.rb)
    for command in ("/stats opencare", "/stats"):
        reply = await person.say(command)
        assert reply.text == unknown and not reply.buttons and "photo" not in reply.data
    await person.silence(0.5)
    assert await database_snapshot(world.rb) == before
    new = (await audit_rows(world.rb))[len(audit_before) :]
    assert [(e["action"], e["target"]) for e in new] == [("denied", "stats")] * 2
    assert new[0]["actor_staff_id"] == world.cast.staff_ids.get(persona)


@pytest.mark.parametrize("persona", ["citizen", "revoked"])
async def test_forged_stats_buttons_are_denied(world: World, persona: str) -> None:
    person: Citizen = getattr(world.cast, persona)
    anchor = await person.say("/nosuchcommand")
    before, audit_before = await database_snapshot(world.rb), await audit_rows(world.rb)
    answer = await person.tap(anchor, data=StatsPick(s="opencare").pack(), check=False)
    assert answer.get("text") == translate(language_of(person), "unknown-command")
    await person.silence(0.5)
    assert await database_snapshot(world.rb) == before
    new = (await audit_rows(world.rb))[len(audit_before) :]
    assert [(e["action"], e["target"]) for e in new] == [("denied", "tap:sx")]


async def test_forged_data_from_staff_changes_nothing(world: World) -> None:
    facilitator = world.cast.facilitator
    anchor = await facilitator.say("/nosuchcommand")
    before = await database_snapshot(world.rb)
    for forged in (StatsPick(s="nope").pack(), "sx:", "sx:OPENCARE:extra", "sx:" + "z" * 61):
        await facilitator.tap(anchor, data=forged, check=False)
        reply = await facilitator.read()
        assert (reply.text or "").startswith(translate("it", "stats-unknown", {"slug": ""})[:10])
        assert "opencare" in (reply.text or "")  # the valid slugs are listed
    await facilitator.silence(0.5)
    assert await database_snapshot(world.rb) == before
