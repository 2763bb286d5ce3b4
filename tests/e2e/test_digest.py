"""``/digest`` end to end: the real bot on the emulator, over HTTP, on SQLite.

Six citizens take part in Opencare (four in Italian, two in English); one sends /stop. While
the consultation is open, ``/digest`` explains politely that the results come after it
closes. Once closed, the facilitator gets the drafted "You said" (the published theme and its
share), writes "What happens next" in Italian and English, sees the preview per language
with the audience (five: not the one who sent /stop), and taps Send twice: the batch is queued
once through the outbox, the consultation is marked ``results_published`` and the action is
audited. The sender then delivers each person the digest in their language. Analysts get the
unknown-command answer, and stale or forged buttons change nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from dialogs.i18n import translate
from storage.tables import audit_log, consultations, outbox, participations
from surveys.entities import (
    Answer,
    ConsultationStatus,
    Role,
    TextSource,
    Theme,
    ThemeMembership,
    ThemeRun,
)
from tests.e2e.citizen_support import RunningBot, join, running_bot
from tests.e2e.test_facilitator_broadcast import drain, make_staff

NEXT_IT = "A gennaio la Giunta sceglierà tre progetti; vi scriveremo ancora."
NEXT_EN = "In January the council will choose three projects; we will write again."


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("digest") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        yield running


async def _set_status(rb: RunningBot, status: ConsultationStatus) -> None:
    async with rb.storage.uow() as uow:
        consultation = await uow.consultations.get_by_slug("opencare")
        assert consultation is not None
        consultation.status = status
        await uow.consultations.update(consultation)
        await uow.commit()


async def _theme_of_every_idea(rb: RunningBot) -> None:
    """Each participation wrote an idea; one published theme holds them all."""
    async with rb.storage.uow() as uow:
        consultation = await uow.consultations.get_by_slug("opencare")
        assert consultation is not None and consultation.id is not None
        cid = consultation.id
    pids = [row["id"] for row in await rb.rows(participations) if row["consultation_id"] == cid]
    async with rb.storage.uow() as uow:
        for n, pid in enumerate(pids):
            await uow.answers.put(Answer(pid, "idea", f"Più panchine nei giardini, idea {n}", 1))
        await uow.commit()
    async with rb.storage.uow() as uow:
        answers = await uow.reports.answers(cid)
        run = await uow.themes.add_run(
            ThemeRun(consultation_id=cid, backend="tfidf", model=None, k=1, created_at=None)
        )
        assert run.id is not None
        [theme] = await uow.themes.save(
            run.id, [Theme(run_id=run.id, label="panchine nei giardini", keywords=["panchine"])]
        )
        assert theme.id is not None
        await uow.themes.add_memberships(
            [
                ThemeMembership(theme.id, TextSource.ANSWER, a.answer_id)
                for a in answers
                if a.question_key == "idea"
            ]
        )
        await uow.commit()


async def _digest_rows(rb: RunningBot, before: set[int]) -> list[Any]:
    return [
        row
        for row in await rb.rows(outbox)
        if row["id"] not in before and str(row["batch"]).startswith("broadcast-")
    ]


async def test_a_facilitator_publishes_the_results_digest(rb: RunningBot) -> None:
    italians = [rb.citizen(f"Persona {n}", "it") for n in range(4)]
    english = [rb.citizen(f"Person {n}", "en") for n in range(2)]
    for person in italians + english:
        await join(person, "opencare")
    stopped = italians[-1]
    stopped.send("/stop")
    await stopped.read()
    await _theme_of_every_idea(rb)
    fabio = rb.citizen("Fabio", "it")
    await make_staff(rb, fabio, Role.FACILITATOR)

    # Open: not yet; and without a name, nothing is closed yet.
    reply = await fabio.say("/digest opencare")
    assert reply.text == translate("it", "digest-not-closed", {"slug": "opencare"})
    assert (await fabio.say("/digest")).text == translate("it", "digest-none-closed")
    assert (await fabio.say("/digest nope")).text == translate(
        "it", "digest-unknown", {"slug": "nope"}
    )

    await _set_status(rb, ConsultationStatus.CLOSED)
    usage = await fabio.say("/digest")
    assert usage.text == translate("it", "digest-usage", {"slugs": "opencare"})
    fabio.send("/digest opencare")
    draft = await fabio.read()
    prompt = await fabio.read()
    line = translate("it", "digest-theme-line", {"label": "panchine nei giardini", "share": 100})
    assert draft.text == translate("it", "digest-draft-intro") + "\n\n" + line
    assert prompt.text == translate("it", "digest-write-italian", {"limit": 4096})

    # Bad input keeps the draft: an empty text, a photo.
    assert (await fabio.say("  ")).text == translate("it", "broadcast-text-empty")
    english_prompt = await fabio.say(NEXT_IT)
    assert english_prompt.text == translate("it", "digest-write-english", {"limit": 4096})
    assert [b["callback_data"] for b in english_prompt.buttons] == ["dg:same"]
    fabio.send(NEXT_EN)
    italian_group, english_group, summary = (
        await fabio.read(),
        await fabio.read(),
        await fabio.read(),
    )
    assert italian_group.text is not None and english_group.text is not None
    assert italian_group.text.startswith(
        translate("it", "broadcast-preview-group-it", {"count": 3})
    )
    assert english_group.text.startswith(
        translate("it", "broadcast-preview-group-en", {"count": 2})
    )
    assert NEXT_IT in italian_group.text and "Cosa succede adesso" in italian_group.text
    assert NEXT_EN in english_group.text and "What happens next" in english_group.text
    assert "panchine nei giardini (100% of the written answers)" in english_group.text
    assert "5 persone" in (summary.text or "")
    assert [b["callback_data"] for b in summary.buttons] == ["dg:send", "dg:edit", "dg:cancel"]

    before = {row["id"] for row in await rb.rows(outbox)}
    first = await fabio.tap(summary, data="dg:send")
    second = await fabio.tap(summary, data="dg:send", check=False)  # a double tap
    assert first["text"] == translate("it", "digest-queued", {"count": 5})
    assert second["text"] == translate("it", "digest-already-queued")
    await fabio.read()  # the progress message
    rows = await _digest_rows(rb, before)
    assert len(rows) == 5 and len({row["batch"] for row in rows}) == 1
    published = next(r for r in await rb.rows(consultations) if r["slug"] == "opencare")
    assert published["results_published"]
    audit = [dict(row) for row in await rb.rows(audit_log) if row["action"] == "digest.published"]
    assert len(audit) == 1 and audit[0]["detail"]["recipients"] == 5

    await drain(rb)
    for person in italians[:-1]:
        got = await person.read_until(lambda m: NEXT_IT in (m.text or ""))
        assert (got.text or "").startswith("📣") and "Avete detto" in (got.text or "")
    for person in english:
        got = await person.read_until(lambda m: NEXT_EN in (m.text or ""))
        assert "You said (6 people took part" in (got.text or "")
    await stopped.silence(0.3)
    assert not [m for m in stopped.user.chat.messages.values() if NEXT_IT in (m.text or "")]

    # A second /digest says it was already published once.
    fabio.send("/digest opencare")
    again = await fabio.read()
    assert translate("it", "digest-already-published") in (again.text or "")
    await fabio.read()
    cancel_prompt = await fabio.say("Niente")
    await fabio.tap(cancel_prompt, data="dg:same")
    everyone = await fabio.read()  # Italian for everyone: one group
    assert (everyone.text or "").startswith(
        translate("it", "broadcast-preview-group-all", {"count": 5})
    )
    summary = await fabio.read()
    await fabio.tap(summary, data="dg:cancel")
    assert (await fabio.read()).text == translate("it", "digest-cancelled")
    stale = await fabio.tap(summary, data="dg:send", check=False)
    assert stale["text"] == translate("it", "digest-nothing-in-progress")
    assert {r["id"] for r in await _digest_rows(rb, before)} == {r["id"] for r in rows}


async def test_analysts_and_citizens_cannot_digest(rb: RunningBot) -> None:
    ada = rb.citizen("Ada", "en")
    await make_staff(rb, ada, Role.ANALYST)
    before = {row["id"] for row in await rb.rows(outbox)}
    assert (await ada.say("/digest opencare")).text == translate("en", "unknown-command")
    citizen = rb.citizen("Carla", "it")
    assert (await citizen.say("/digest opencare")).text == translate("it", "unknown-command")
    assert await _digest_rows(rb, before) == []
