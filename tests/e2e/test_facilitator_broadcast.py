"""``/broadcast`` end to end: the real bot on the emulator, over HTTP, on SQLite.

A facilitator picks an audience with buttons, types the Italian and English texts (or sends
the Italian to everyone), sees a preview with the audience size, and taps Send, twice: the
batch is queued once. The outbox sender delivers each recipient their language, and the
facilitator's progress message is edited to the final counts. Bad texts get a polite error and
keep the draft. ``/broadcasts`` shows the counts from the outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.outbox import OutboxSender, SenderSettings, build_sender_bot
from bot.outbox.progress import progress_text
from dialogs.i18n import translate
from storage.tables import audit_log, consultations, outbox
from surveys.entities import OutboxProgress, Role, StaffMember
from surveys.pseudonyms import pseudonym
from surveys.usecases.scheduling import QuietHours
from tests.e2e.citizen_support import PEPPER, Citizen, RunningBot, button, join, running_bot

ITALIAN = "Sabato 14 festa della cura al Municipio 8: vi aspettiamo!"
ENGLISH = "Saturday 14th: care party at Municipio 8. See you there!"


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("broadcast") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        yield running


async def make_staff(rb: RunningBot, person: Citizen, role: Role) -> None:
    async with rb.storage.uow() as uow:
        await uow.staff.add(StaffMember(person.user.id, role, person.user.record.first_name))
        await uow.commit()


async def consultation_id(rb: RunningBot, slug: str) -> int:
    rows = [row for row in await rb.rows(consultations) if row["slug"] == slug]
    return int(rows[0]["id"])


async def wait_for_edit(person: Citizen, message_id: int, text: str) -> None:
    """Until the bot edited ``message_id`` to ``text`` (the watcher edits every 2 s at most)."""
    chat = person.user.chat
    async with asyncio.timeout(20):
        while chat.messages[message_id].text != text:
            await chat.changed.wait(0.5)


async def drain(rb: RunningBot) -> None:
    """Run the outbox sender until nothing is left (what the leader's background does)."""
    bot = build_sender_bot(rb.emulator.token, rb.emulator.url)
    try:
        sender = OutboxSender(
            rb.storage, bot, settings=SenderSettings(poll_interval=0.05, backoff_base=0.1)
        )
        await sender.drain(limit=60)
    finally:
        await bot.session.close()


async def batch_rows(rb: RunningBot) -> dict[str, list[Any]]:
    batches: dict[str, list[Any]] = {}
    for row in await rb.rows(outbox):
        if str(row["batch"]).startswith("broadcast-"):
            batches.setdefault(row["batch"], []).append(row)
    return batches


async def test_italian_facilitator_broadcasts_to_participants_in_their_language(
    rb: RunningBot,
) -> None:
    giulia, tom = rb.citizen("Giulia", "it"), rb.citizen("Tom", "en")
    await join(giulia, "opencare")
    await join(tom, "opencare")
    fabio = rb.citizen("Fabio", "it")
    await make_staff(rb, fabio, Role.FACILITATOR)
    before = await batch_rows(rb)

    menu = await fabio.say("/broadcast")
    assert menu.text == translate("it", "broadcast-choose-audience")
    opencare = await consultation_id(rb, "opencare")
    # "only those who have not finished": both are still answering.
    await fabio.tap(menu, data=button(menu, "bct:1")["callback_data"])
    await fabio.tap(menu, data=f"bca:c:{opencare}")
    prompt = await fabio.read()
    assert prompt.text == translate("it", "broadcast-write-italian", {"limit": 4096})

    # Bad texts: a polite error each, and the dialog stays at the Italian text.
    assert (await fabio.say("   ")).text == translate("it", "broadcast-text-empty")
    too_long = "x" * 4097
    assert (await fabio.say(too_long)).text == translate(
        "it", "broadcast-text-too-long", {"length": 4097, "limit": 4096}
    )
    fabio.user.send_photo()
    assert (await fabio.read()).text == translate("it", "broadcast-text-only")

    english_prompt = await fabio.say(ITALIAN)
    assert english_prompt.text == translate("it", "broadcast-write-english", {"limit": 4096})
    assert button(english_prompt, "bcx:same")
    fabio.send(ENGLISH)
    italian_group = await fabio.read()
    english_group = await fabio.read()
    summary = await fabio.read()
    assert italian_group.text == translate("it", "broadcast-preview-group-it", {"count": 1}) + (
        "\n\n" + ITALIAN
    )
    assert english_group.text == translate("it", "broadcast-preview-group-en", {"count": 1}) + (
        "\n\n" + ENGLISH
    )
    text = summary.text or ""
    assert "2 persone" in text, text
    assert translate("it", "broadcast-preview-languages", {"it": 1, "en": 1}) in text
    assert [b["callback_data"] for b in summary.buttons] == ["bcx:send", "bcx:edit", "bcx:cancel"]

    first = await fabio.tap(summary, data="bcx:send")
    second = await fabio.tap(summary, data="bcx:send", check=False)  # a double tap
    assert first["text"] == translate("it", "broadcast-queued", {"count": 2})
    assert second["text"] == translate("it", "broadcast-already-queued")
    progress = await fabio.read()
    assert progress.text == progress_text("it", OutboxProgress(pending=2))
    new = {b: rows for b, rows in (await batch_rows(rb)).items() if b not in before}
    assert len(new) == 1 and len(next(iter(new.values()))) == 2, "queued once, one row each"

    await drain(rb)
    assert (await giulia.read_until(lambda m: m.text == ITALIAN)).text == ITALIAN
    assert (await tom.read_until(lambda m: m.text == ENGLISH)).text == ENGLISH
    final = progress_text("it", OutboxProgress(sent=2))
    await wait_for_edit(fabio, progress.message_id, final)
    assert final.endswith(translate("it", "outbox-progress-done", {"sent": 2, "failed": 0}))

    listing = await fabio.say("/broadcasts")
    assert "Sabato 14 festa della cura" in (listing.text or "")
    assert progress_text("it", OutboxProgress(sent=2)).split("\n")[0] in (listing.text or "")
    # Nobody's Telegram id or pseudonym reached the audit log.
    audit = [dict(row) for row in await rb.rows(audit_log)]
    queued = [e for e in audit if e["action"] == "broadcast.queued"]
    assert len(queued) == 1 and queued[0]["detail"]["recipients"] == 2
    for person in (giulia, tom):
        assert str(person.user.id) not in repr(audit)
        assert pseudonym(PEPPER, person.user.id) not in repr(audit)


async def test_english_facilitator_sends_the_italian_text_to_all_followers(
    rb: RunningBot,
) -> None:
    tom = rb.citizen("Tom Follower", "en")
    await join(tom, "openagri")
    project = next(r["project"] for r in await rb.rows(consultations) if r["slug"] == "openagri")
    async with rb.storage.uow() as uow:
        participant = await uow.participants.get_by_pseudonym(pseudonym(PEPPER, tom.user.id))
        assert participant is not None and participant.id is not None
        await uow.participants.follow(participant.id, project)
        await uow.commit()
    ann = rb.citizen("Ann", "en")
    await make_staff(rb, ann, Role.FACILITATOR)

    menu = await ann.say("/broadcast")
    assert menu.text == translate("en", "broadcast-choose-audience")
    project_button = next(
        b
        for b in menu.buttons
        if b["text"] == translate("en", "broadcast-audience-project", {"project": project})
    )
    await ann.tap(menu, data=project_button["callback_data"])
    await ann.read()  # write the Italian text
    english_prompt = await ann.say("Raccolta di sementi domenica all'orto!")
    await ann.tap(english_prompt, data="bcx:same")
    group = await ann.read()
    summary = await ann.read()
    assert group.text == translate("en", "broadcast-preview-group-all", {"count": 1}) + (
        "\n\nRaccolta di sementi domenica all'orto!"
    )
    assert "one person" in (summary.text or "")

    # Edit: back to the Italian text; the new preview replaces the old one.
    await ann.tap(summary, data="bcx:edit")
    assert (await ann.read()).text == translate("en", "broadcast-write-italian", {"limit": 4096})
    english_prompt = await ann.say("Raccolta di sementi sabato all'orto!")
    await ann.tap(english_prompt, data="bcx:same")
    await ann.read()
    summary = await ann.read()
    answer = await ann.tap(summary, data="bcx:send")
    assert answer["text"] == translate("en", "broadcast-queued", {"count": 1})
    progress = await ann.read()
    await drain(rb)
    received = await tom.read_until(lambda m: "sementi" in (m.text or ""))
    assert received.text == "Raccolta di sementi sabato all'orto!"  # Italian for everyone
    final = progress_text("en", OutboxProgress(sent=1))
    await wait_for_edit(ann, progress.message_id, final)


async def test_cancel_sends_nothing_and_stale_buttons_do_nothing(rb: RunningBot) -> None:
    bea = rb.citizen("Bea", "it")
    rb.app.dispatcher["admin_ids"] = frozenset({bea.user.id})  # ASCOLTO_ADMINS
    before = await batch_rows(rb)
    menu = await bea.say("/broadcast")
    await bea.tap(menu, data=f"bca:c:{await consultation_id(rb, 'opencare')}")
    await bea.read()
    english_prompt = await bea.say("Prova")
    await bea.tap(english_prompt, data="bcx:same")
    await bea.read()
    summary = await bea.read()
    assert "fascia di silenzio" not in (summary.text or "")  # no quiet hours configured
    await bea.tap(summary, data="bcx:cancel")
    assert (await bea.read()).text == translate("it", "broadcast-cancelled")
    stale = await bea.tap(summary, data="bcx:send", check=False)
    assert stale["text"] == translate("it", "broadcast-nothing-in-progress")
    # Forged audience data: an unknown consultation, a project index out of range, garbage.
    menu = await bea.say("/broadcast")
    for forged in ("bca:c:999999", "bca:p:99", "bca:zz", "bcx:boom"):
        answer = await bea.tap(menu, data=forged, check=False)
        assert answer["text"] == translate("it", "broadcast-nothing-in-progress")
    assert await batch_rows(rb) == before
    await bea.silence(0.3)


async def test_the_preview_says_when_quiet_hours_hold_the_messages(rb: RunningBot) -> None:
    hour = datetime.now(ZoneInfo("Europe/Rome")).hour
    # Quiet from this hour for two hours: whatever minute the test runs at, it is quiet now.
    rb.app.dispatcher["quiet_hours"] = QuietHours(hour, (hour + 2) % 24, "Europe/Rome")
    try:
        dino = rb.citizen("Dino", "en")
        await make_staff(rb, dino, Role.FACILITATOR)
        menu = await dino.say("/broadcast")
        await dino.tap(menu, data=f"bca:c:{await consultation_id(rb, 'opencare')}")
        await dino.read()
        english_prompt = await dino.say("Prova")
        await dino.tap(english_prompt, data="bcx:same")
        await dino.read()
        summary = await dino.read()
        note = translate("en", "broadcast-preview-quiet", {"time": f"{(hour + 2) % 24:02d}:00"})
        assert note in (summary.text or "")
        await dino.tap(summary, data="bcx:cancel")
        assert (await dino.read()).text == translate("en", "broadcast-cancelled")
    finally:
        rb.app.dispatcher["quiet_hours"] = None
