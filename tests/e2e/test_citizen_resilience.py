"""What a real chat throws at the bot: unexpected messages of every kind, a restart in the
middle of a survey, a consultation closing under a citizen's feet, and free text that is an
idea. The real bot on the emulator over HTTP, on SQLite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.sandbox import BotApiEmulator
from dialogs.i18n import translate
from storage.tables import ideas
from surveys.rejections import Rejection, RejectionCode, explain
from surveys.usecases import close_consultation
from tests.e2e.citizen_support import (
    RunningBot,
    button,
    complete,
    has_buttons,
    join,
    running_bot,
    stored_answers,
)


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("resilience") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        yield running


# --- unexpected input ----------------------------------------------------------------------------


async def test_unexpected_messages_get_a_polite_explanation_and_store_nothing(
    rb: RunningBot,
) -> None:
    it = "it"
    eva = rb.citizen("Eva", it)

    # Outside any survey: what the bot expects is /start, or an idea for the open listening one.
    eva.user.send_sticker()
    assert (await eva.read()).text == translate(it, "unexpected-sticker")
    guidance = (await eva.read()).text or ""
    assert translate(it, "expect-start") in guidance and "mercati coperti" in guidance

    first = await join(eva, "opencare")  # a district question (buttons)
    for send, reason in (
        (eva.user.send_voice, "unexpected-voice"),
        (eva.user.send_photo, "unexpected-photo"),
        (lambda: eva.user.send_document(b"%PDF-1.4", "idea.pdf"), "unexpected-photo"),
        (eva.user.send_contact, "unexpected-other"),
        (lambda: eva.user.forward_text("Municipio 3"), "unexpected-forward"),
    ):
        send()
        assert (await eva.read()).text == translate(it, reason)
        assert (await eva.read()).text == translate(it, "expect-question")
        again = await eva.read()
        assert again.text == first.text and again.buttons == first.buttons
    # Text and a location where a district button is expected.
    assert (await eva.say("Municipio 3")).text == translate(it, "need-buttons")
    await eva.read()
    eva.user.send_location()
    assert (await eva.read()).text == explain(Rejection(RejectionCode.PIN_NOT_ALLOWED), it)
    assert await stored_answers(rb, eva, "opencare") == {}

    # A forwarded message is never taken as an answer, whatever it says.
    await eva.tap(first, data=button(first, "a:")["callback_data"])
    role = await eva.read_until(has_buttons)
    await eva.tap(role, data=button(role, "a:")["callback_data"])  # over 65: no carer questions
    scale = await eva.read_until(has_buttons)
    eva.user.forward_text("Non sono d'accordo")
    assert (await eva.read()).text == translate(it, "unexpected-forward")
    assert set(await stored_answers(rb, eva, "opencare")) == {"municipio", "role"}
    assert "soddisfatto" in (scale.text or "")
    assert rb.app.metrics.handler_errors == 0


async def test_an_unknown_command_and_a_bad_deep_link_are_answered(rb: RunningBot) -> None:
    ugo = rb.citizen("Ugo", "en")
    assert (await ugo.say("/teleport")).text == translate("en", "unknown-command")
    assert (await ugo.say("/start no-such-thing")).text == translate("en", "consultation-not-open")


# --- listening: ideas -----------------------------------------------------------------------------


async def test_free_text_outside_a_survey_becomes_an_idea_after_consent(rb: RunningBot) -> None:
    it = "it"
    lia = rb.citizen("Lia", it)
    lia.send("Vorrei un angolo per i bambini nel mercato di via Fauché")
    assert "Per mandare idee" in ((await lia.read()).text or "")
    consent = await lia.read_until(has_buttons)  # the listening consultation's notice
    assert "mercati comunali coperti" in (consent.text or "")
    async with rb.storage.engine.connect() as connection:
        assert (
            await connection.execute(sa.select(sa.func.count()).select_from(ideas))
        ).scalar() == 0

    await lia.tap(consent, data=button(consent, "ok:")["callback_data"])
    await lia.read()
    first = await lia.read_until(has_buttons)
    # During its two questions, free text is not an idea yet: the buttons are expected.
    assert (await lia.say("Più banchi di frutta")).text == translate(it, "need-buttons")
    await lia.read()
    summary = await complete(lia, first, it)
    await lia.tap(summary, data=button(summary, "f:")["callback_data"])
    assert translate(it, "listening-ready") in ((await lia.read()).text or "")
    await lia.read()  # the offer to follow the project

    lia.send("Vorrei un angolo per i bambini nel mercato di via Fauché")
    assert "💡" in ((await lia.read()).text or "")
    assert (await lia.say("/idea")).text == translate(it, "idea-prompt")
    lia.send("Orari serali il giovedì")
    assert "💡" in ((await lia.read()).text or "")
    async with rb.storage.engine.connect() as connection:
        texts = list((await connection.execute(sa.select(ideas.c.text))).scalars())
    assert sorted(texts) == [
        "Orari serali il giovedì",
        "Vorrei un angolo per i bambini nel mercato di via Fauché",
    ]
    # Ideas join the consultation's free-text pool that themes are made of.
    async with rb.storage.uow() as uow:
        mercati = await uow.consultations.get_by_slug("mercati")
        assert mercati is not None and mercati.id is not None
        pool = await uow.consultations.free_texts(mercati.id)
    assert {t.text for t in pool} >= set(texts)


# --- resume after a restart; closing with a grace period ------------------------------------------


async def test_resume_after_a_bot_restart_at_the_same_question(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}"
    async with BotApiEmulator("127.0.0.1", port=0) as emulator:
        async with running_bot(url, emulator) as first_bot:
            vera = first_bot.citizen("Vera", "en")
            municipio = await join(vera, "sharing-cities")
            await vera.tap(municipio, data=button(municipio, "a:")["callback_data"])
            area = await vera.read_until(has_buttons)
            await vera.tap(area, data=button(area, "a:")["callback_data"])
            third = await vera.read_until(has_buttons)
        # The bot is down; Vera comes back later to a new process on the same database.
        async with running_bot(url, emulator) as second_bot:
            vera = second_bot.again(vera)
            vera.send("/start sharing-cities")
            assert (await vera.read()).text == translate("en", "resume")
            resumed = await vera.read_until(has_buttons)
            assert resumed.text == third.text and resumed.buttons == third.buttons
            stale = await vera.tap(area, data=button(area, "a:")["callback_data"])
            assert stale["text"] == translate("en", "already-recorded")
            summary = await complete(vera, resumed, "en")
            assert summary.buttons
            stored = await stored_answers(second_bot, vera, "sharing-cities")
            assert stored["municipio"] == {"district": "municipio_1"}
            assert len(stored) == len([b for b in summary.buttons if "e:" in b["callback_data"]])


async def test_closing_leaves_a_grace_period_to_those_in_the_middle(tmp_path: Path) -> None:
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'grace.db'}") as rb:
        it = "it"
        zoe, late = rb.citizen("Zoe", it), rb.citizen("Late", it)
        first = await join(zoe, "opencare")
        await close_consultation(rb.storage.uow, rb.clock, "opencare")

        # Closed: newcomers are turned away, but Zoe may go on within the grace period.
        assert (await late.say("/start opencare")).text == translate(it, "consultation-not-open")
        # opencare.yaml gives 45 minutes (closing_grace_minutes), more than the default 30.
        rb.clock.offset = timedelta(minutes=40)
        await zoe.tap(first, data=button(first, "a:")["callback_data"])
        role = await zoe.read_until(has_buttons)
        assert "Quale frase" in (role.text or "")

        rb.clock.offset = timedelta(minutes=46)
        refused = await zoe.tap(role, data=button(role, "a:")["callback_data"])
        assert refused["text"] == translate(it, "consultation-closed")
        assert refused["show_alert"] is True
        assert await stored_answers(rb, zoe, "opencare") == {
            "municipio": {"district": "municipio_1"}
        }
        await zoe.silence()


async def test_after_a_bare_idea_command_the_next_text_is_the_idea_even_mid_survey(
    rb: RunningBot,
) -> None:
    it = "it"
    dario = rb.citizen("Dario", it)
    first = await join(dario, "opencare")
    await dario.tap(first, data=button(first, "a:")["callback_data"])
    role = await dario.read_until(has_buttons)
    await dario.tap(role, data=role.buttons[1]["callback_data"])  # a carer: hours are typed next
    hours = await dario.read_until(has_buttons)
    assert "ore alla settimana" in (hours.text or "")

    assert (await dario.say("/idea")).text == translate(it, "idea-prompt")
    dario.send("12 panchine in più al mercato")
    # Not an answer to the hours question: the idea goes to the listening consultation,
    # which first needs Dario's consent.
    assert "Per mandare idee" in ((await dario.read()).text or "")
    await dario.read_until(has_buttons)
    assert set(await stored_answers(rb, dario, "opencare")) == {"municipio", "role"}
    dario.send("12")  # and the survey goes on where it was
    assert "sostegno" in ((await dario.read_until(has_buttons)).text or "")
