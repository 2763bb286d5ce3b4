"""Privacy in the chat: consent (declined, under age, withdrawn), /mydata, /delete, /stop,
/lang, following projects, and group chats, with the real bot on the emulator over HTTP.

After /delete, every table of the database is read back and searched for the person.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dialogs.i18n import translate
from storage.tables import (
    contacts,
    ideas,
    metadata,
    participants,
    participations,
    project_follows,
)
from surveys.pseudonyms import pseudonym
from tests.e2e.citizen_support import (
    PEPPER,
    TYPED_ANSWERS,
    RunningBot,
    button,
    complete,
    has_buttons,
    has_participant,
    join,
    participation_status,
    running_bot,
    stored_answers,
)


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("privacy") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        yield running


async def _all_rows(rb: RunningBot) -> dict[str, list[dict[str, Any]]]:
    async with rb.storage.engine.connect() as connection:
        return {
            table.name: [dict(row) for row in (await connection.execute(table.select())).mappings()]
            for table in metadata.sorted_tables
        }


def _tables_owned_by_participants() -> set[str]:
    """Every table whose foreign keys lead, directly or not, to ``participants``."""
    owned = {participants.name}
    changed = True
    while changed:
        changed = False
        for table in metadata.sorted_tables:
            if table.name in owned:
                continue
            if any(fk.column.table.name in owned for fk in table.foreign_keys):
                owned.add(table.name)
                changed = True
    return owned


# --- consent ------------------------------------------------------------------------------


@pytest.mark.parametrize("choice", ["no:", "young:"])
async def test_declining_or_being_under_age_stores_nothing(rb: RunningBot, choice: str) -> None:
    luca = rb.citizen(f"Luca{choice}", "it")
    luca.user.send_text("/start opencare")
    consent = await luca.read_until(has_buttons)
    text = consent.text or ""
    assert "Titolare del trattamento: Comune di Milano" in text  # controller
    assert "Conservazione: 730 giorni" in text  # retention
    assert "almeno 14 anni" in text  # the age of digital consent
    assert "/delete" in text  # rights
    assert [str(b["callback_data"]).split(":")[0] for b in consent.buttons] == [
        "ok",
        "no",
        "young",
    ]

    await luca.tap(consent, data=button(consent, choice)["callback_data"])
    reply = await luca.read()
    expected = "consent-declined" if choice == "no:" else "consent-under-age"
    assert reply.text == translate("it", expected, {"count": 14})
    assert not await has_participant(rb, luca)
    # The consent buttons are gone; a late tap on them still stores nothing.
    assert not rb.emulator.user(luca.user.id).chat.messages[consent.message_id].buttons


async def test_consent_records_its_version_and_withdrawing_is_one_tap(rb: RunningBot) -> None:
    sara = rb.citizen("Sara", "en")
    sara.user.send_text("/start openagri")
    consent = await sara.read_until(has_buttons)
    assert "Data controller" in (consent.text or "")  # English notice for an English client
    await sara.tap(consent, data=button(consent, "ok:")["callback_data"])
    given = await sara.read()
    first = await sara.read_until(has_buttons)
    await sara.tap(first, data=button(first, "a:")["callback_data"])
    await sara.read_until(has_buttons)
    async with rb.storage.engine.connect() as connection:
        version = (
            await connection.execute(
                sa.select(participations.c.consent_version)
                .join(participants)
                .where(participants.c.pseudonym == pseudonym(PEPPER, sara.user.id))
            )
        ).scalar_one()
    assert version is not None and version.endswith("+age14")
    assert await stored_answers(rb, sara, "openagri")

    await sara.tap(given, data=button(given, "wd:")["callback_data"])
    assert (await sara.read()).text == translate("en", "consent-withdrawn")
    assert await stored_answers(rb, sara, "openagri") == {}
    assert await participation_status(rb, sara, "openagri") == "withdrawn"


# --- /mydata and /delete -----------------------------------------------------------------


async def test_mydata_then_delete_leaves_nothing_of_the_person(tmp_path: Path) -> None:
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'erase.db'}") as rb:
        marta = rb.citizen("Marta", "it")
        first = await join(marta, "opencare")
        summary = await complete(marta, first, "it")
        await marta.tap(summary, data=button(summary, "f:")["callback_data"])
        await marta.read()
        offer = await marta.read()
        await marta.tap(offer, data=button(offer, "fo:")["callback_data"])
        await marta.read()
        marta.user.send_text("/idea Un mercato coperto aperto la domenica mattina")
        consent = await marta.read_until(has_buttons)  # mercati needs its own consent
        await marta.tap(consent, data=button(consent, "ok:")["callback_data"])
        await marta.read()
        await marta.read_until(has_buttons)
        idea = "Un mercato coperto aperto la domenica mattina"
        marta.user.send_text(f"/idea {idea}")
        assert "💡" in ((await marta.read()).text or "")

        export_message = await marta.say("/mydata")
        export = marta.document_json(export_message)
        assert export_message.caption == translate("it", "mydata-caption")
        opencare = next(p for p in export["participations"] if p["consultation"] == "opencare")
        assert opencare["status"] == "submitted"
        assert {a["question_key"] for a in opencare["answers"]} == set(
            await stored_answers(rb, marta, "opencare")
        )
        assert export["ideas"][0]["text"] == idea
        assert export["follows"] == ["Opencare"]
        assert export["contact"] == {"chat_id": marta.user.chat_id}

        confirm = await marta.say("/delete")
        await marta.tap(confirm, data=button(confirm, "del:1")["callback_data"])
        assert (await marta.read()).text == translate("it", "delete-done")

        rows = await _all_rows(rb)
        for table in _tables_owned_by_participants():
            assert rows[table] == [], f"{table} still holds rows after /delete"
        typed = TYPED_ANSWERS["it"]
        needles = (pseudonym(PEPPER, marta.user.id), str(marta.user.id), idea, typed)
        for table, table_rows in rows.items():
            for row in table_rows:
                flat = repr(row)
                assert not any(n in flat for n in needles), f"{table} still mentions Marta"
        assert (await marta.say("/mydata")).text == translate("it", "mydata-nothing")


async def test_delete_can_be_cancelled(rb: RunningBot) -> None:
    piero = rb.citizen("Piero", "it")
    first = await join(piero, "sharing-cities")
    await piero.tap(first, data=button(first, "a:")["callback_data"])
    await piero.read_until(has_buttons)
    confirm = await piero.say("/delete")
    await piero.tap(confirm, data=button(confirm, "del:0")["callback_data"])
    assert (await piero.read()).text == translate("it", "delete-cancelled")
    assert await has_participant(rb, piero)
    assert await stored_answers(rb, piero, "sharing-cities") == {
        "municipio": {"district": "municipio_1"}
    }


# --- /stop, /follow, /unfollow, /lang ----------------------------------------------------


async def _follows(rb: RunningBot, user_id: int) -> list[str]:
    query = (
        sa.select(project_follows.c.project)
        .join(participants)
        .where(participants.c.pseudonym == pseudonym(PEPPER, user_id))
        .order_by(project_follows.c.project)
    )
    async with rb.storage.engine.connect() as connection:
        return list((await connection.execute(query)).scalars())


async def test_follow_unfollow_and_stop(rb: RunningBot) -> None:
    nina = rb.citizen("Nina", "en")
    menu = await nina.say("/follow")
    assert [b["text"] for b in menu.buttons] == [
        "Mercati comunali coperti",
        "OpenAgri",
        "Opencare",
        "Sharing Cities",
    ]
    await nina.tap(menu, text="OpenAgri")
    assert (await nina.read()).text == translate("en", "follow-done", {"name": "OpenAgri"})
    await nina.tap(menu, text="Opencare")
    await nina.read()
    assert await _follows(rb, nina.user.id) == ["OpenAgri", "Opencare"]
    # Following is asking to be messaged: a contact row exists so announcements can reach her.
    async with rb.storage.engine.connect() as connection:
        assert (await connection.execute(sa.select(sa.func.count()).select_from(contacts))).scalar()

    unfollow = await nina.say("/unfollow")
    assert [b["text"] for b in unfollow.buttons] == ["OpenAgri", "Opencare"]
    await nina.tap(unfollow, text="OpenAgri")
    assert (await nina.read()).text == translate("en", "unfollow-done", {"name": "OpenAgri"})
    assert await _follows(rb, nina.user.id) == ["Opencare"]

    assert (await nina.say("/stop")).text == translate("en", "stop-done")
    assert await _follows(rb, nina.user.id) == []
    async with rb.storage.engine.connect() as connection:
        stopped = (
            await connection.execute(
                sa.select(participants.c.reminders_stopped).where(
                    participants.c.pseudonym == pseudonym(PEPPER, nina.user.id)
                )
            )
        ).scalar_one()
    assert stopped is True
    assert (await nina.say("/unfollow")).text == translate("en", "unfollow-none")


async def test_stop_and_mydata_for_a_stranger_store_nothing(rb: RunningBot) -> None:
    olga = rb.citizen("Olga", "en")
    assert (await olga.say("/stop")).text == translate("en", "stop-nothing")
    assert (await olga.say("/mydata")).text == translate("en", "mydata-nothing")
    assert (await olga.say("/delete")).text == translate("en", "mydata-nothing")
    assert not await has_participant(rb, olga)


async def test_lang_switches_language_before_and_after_joining(rb: RunningBot) -> None:
    paul = rb.citizen("Paul", "en-GB")
    choose = await paul.say("/lang")
    await paul.tap(choose, data="lang:it")
    assert (await paul.read()).text == translate("it", "lang-set")
    assert not await has_participant(rb, paul)  # a language choice alone stores nobody
    assert "consultazioni aperte" in ((await paul.say("/start")).text or "")

    first = await join(paul, "opencare")  # joins in Italian: the stored language is Italian
    assert "In quale Municipio vivi?" in (first.text or "")
    choose = await paul.say("/lang")
    await paul.tap(choose, data="lang:en")
    assert (await paul.read()).text == translate("en", "lang-set")
    paul.user.send_text("/start opencare")
    question = await paul.read_until(has_buttons)
    assert "Which Municipio do you live in?" in (question.text or "")


# --- group chats --------------------------------------------------------------------------


async def test_a_group_gets_one_link_to_a_private_chat_and_nothing_is_stored(
    rb: RunningBot,
) -> None:
    rita, sam = rb.citizen("Rita", "it"), rb.citizen("Sam", "en")
    group = rb.emulator.create_group("Vicini di casa", [rita.user, sam.user])
    before = await _all_rows(rb)

    rita.user.send_text("/start opencare", chat_id=group.id)
    reply = await rb.emulator.wait_for_message(group.id, timeout=15)
    assert reply.text == translate("it", "group-private-only")
    assert reply.buttons[0]["url"].startswith("https://t.me/")
    sam.user.send_text("Ci vediamo al mercato sabato?", chat_id=group.id)
    rita.user.send_sticker(chat_id=group.id)
    with pytest.raises(TimeoutError):
        await rb.emulator.wait_for_message(group.id, timeout=1.5)

    after = await _all_rows(rb)
    for table in _tables_owned_by_participants():
        assert after[table] == before[table], f"a group message changed {table}"
    assert len(rb.emulator.bot_messages(group.id)) == 1
    assert ideas.name in _tables_owned_by_participants()
