"""Moderation end to end: the real bot on the emulator, over HTTP, on SQLite.

A facilitator pages through ideas and free-text answers (authors only as ``#handles``), hides
and shows them again (themes' pool follows), blocks an author with two taps (their next
message gets a polite notice and stores nothing; /mydata still works) and unblocks them.
Every moderation and broadcast command and button is unknown to a citizen, an analyst and a
revoked staff member: the unknown-command reply, an audit row, no change. Forged button data
changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dialogs.i18n import translate
from storage.tables import (
    answers,
    audit_log,
    ideas,
    outbox,
    participants,
    staff,
)
from surveys.entities import Answer, Role, StaffMember
from surveys.pseudonyms import pseudonym
from surveys.usecases.moderation import handle
from tests.e2e.citizen_support import (
    PEPPER,
    Citizen,
    RunningBot,
    button,
    has_buttons,
    join,
    running_bot,
)

IDEA = "Più panchine e ombra davanti al mercato di via Fauché"
ANSWER = "Serve un infermiere di quartiere il sabato"


@dataclass
class Cast:
    facilitator: Citizen
    analyst: Citizen
    revoked: Citizen
    citizen: Citizen
    author: Citizen  # Carla: an idea in mercati and a free-text answer in opencare
    idea_id: int
    answer_id: int
    participant_id: int


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("moderation") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        yield running


async def _send_idea(person: Citizen, text: str) -> None:
    """``/idea`` into mercati, agreeing to its notice first."""
    person.send(f"/idea {text}")
    consent = await person.read_until(has_buttons)
    await person.tap(consent, data=button(consent, "ok:")["callback_data"])
    await person.read()
    await person.read_until(has_buttons)  # mercati's first question
    assert "💡" in ((await person.say(f"/idea {text}")).text or "")


@pytest.fixture(scope="module")
async def cast(rb: RunningBot) -> Cast:
    people = {
        "facilitator": rb.citizen("Fabio Facilitatore", "it"),
        "analyst": rb.citizen("Anna Analyst", "en"),
        "revoked": rb.citizen("Rita Revocata", "it"),
        "citizen": rb.citizen("Cesare Cittadino", "it"),
        "author": rb.citizen("Carla Autrice", "it"),
    }
    async with rb.storage.uow() as uow:
        for name, role in (
            ("facilitator", Role.FACILITATOR),
            ("analyst", Role.ANALYST),
            ("revoked", Role.FACILITATOR),
        ):
            person = people[name]
            revoked_at = datetime.now(UTC) if name == "revoked" else None
            await uow.staff.add(
                StaffMember(person.user.id, role, name.title(), revoked_at=revoked_at)
            )
        await uow.commit()
    carla = people["author"]
    await join(carla, "opencare")
    await _send_idea(carla, IDEA)
    async with rb.storage.uow() as uow:
        participant = await uow.participants.get_by_pseudonym(pseudonym(PEPPER, carla.user.id))
        assert participant is not None and participant.id is not None
        opencare = await uow.consultations.get_by_slug("opencare")
        assert opencare is not None
        participation = next(
            p
            for p in await uow.participations.list_for_participant(participant.id)
            if p.consultation_id == opencare.id
        )
        assert participation.id is not None
        # A free-text answer, as if typed (the survey dialog is tested elsewhere).
        await uow.answers.put(Answer(participation.id, "loneliness_idea", ANSWER, 1))
        await uow.commit()
        answer_id = next(
            a.id
            for a in await uow.answers.for_participation(participation.id)
            if a.question_key == "loneliness_idea"
        )
        idea_id = (await uow.ideas.list_for_participant(participant.id))[0].id
    assert answer_id is not None and idea_id is not None
    return Cast(**people, idea_id=idea_id, answer_id=answer_id, participant_id=participant.id)


async def _pool(rb: RunningBot, slug: str) -> list[str]:
    async with rb.storage.uow() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        assert consultation is not None and consultation.id is not None
        return [t.text for t in await uow.consultations.free_texts(consultation.id)]


async def _snapshot(rb: RunningBot) -> list[list[dict[str, Any]]]:
    tables = (ideas, answers, participants, outbox, staff)
    return [sorted((dict(r) for r in await rb.rows(t)), key=lambda r: repr(r)) for t in tables]


async def _audit(rb: RunningBot) -> list[dict[str, Any]]:
    return sorted((dict(r) for r in await rb.rows(audit_log)), key=lambda r: r["id"])


def _data(message: Any) -> list[str]:
    return [str(b["callback_data"]) for b in message.buttons]


async def test_ideas_and_answers_can_be_hidden_and_shown_again(rb: RunningBot, cast: Cast) -> None:
    fabio, carla = cast.facilitator, cast.author
    tag = handle(pseudonym(PEPPER, carla.user.id))
    listing = await fabio.say("/ideas mercati")
    text = listing.text or ""
    assert IDEA in text and tag in text
    assert "Carla" not in text and str(carla.user.id) not in text  # never who they are
    hide, block = f"mh:i:{cast.idea_id}:1", f"mb:i:{cast.idea_id}:0"
    assert hide in _data(listing) and block in _data(listing)
    assert all(len(d.encode()) <= 64 for d in _data(listing))

    assert IDEA in await _pool(rb, "mercati")
    answer = await fabio.tap(listing, data=hide)
    assert answer["text"] == translate("it", "moderation-hidden")
    assert IDEA not in await _pool(rb, "mercati")
    shown = f"mh:i:{cast.idea_id}:0"
    assert shown in _data(fabio.user.chat.messages[listing.message_id])  # the button flipped
    again = await fabio.tap(listing, data=hide, check=False)  # a double tap: still hidden
    assert again["text"] == translate("it", "moderation-hidden")
    assert (await fabio.say("/ideas mercati")).text is not None
    await fabio.tap(listing, data=shown, check=False)
    assert IDEA in await _pool(rb, "mercati")

    answers_listing = await fabio.say("/answers opencare")
    assert ANSWER in (answers_listing.text or "") and tag in (answers_listing.text or "")
    assert ANSWER in await _pool(rb, "opencare")
    await fabio.tap(answers_listing, data=f"mh:a:{cast.answer_id}:1")
    assert ANSWER not in await _pool(rb, "opencare")
    await fabio.tap(answers_listing, data=f"mh:a:{cast.answer_id}:0", check=False)
    assert ANSWER in await _pool(rb, "opencare")

    assert (await fabio.say("/ideas")).text == translate(
        "it", "moderation-usage", {"command": "ideas"}
    )
    assert (await fabio.say("/ideas nessuna")).text == translate(
        "it", "moderation-no-consultation", {"slug": "nessuna"}
    )
    actions = [(e["action"], e["target"]) for e in await _audit(rb)]
    assert ("idea.hidden", f"idea:{cast.idea_id}") in actions
    assert ("answer.unhidden", f"answer:{cast.answer_id}") in actions


async def test_forged_moderation_data_from_a_facilitator_changes_nothing(
    rb: RunningBot, cast: Cast
) -> None:
    fabio = cast.facilitator
    anchor = await fabio.say("/blocked")
    before = await _snapshot(rb)
    for forged in ("mh:i:999999:1", "mh:x:1:1", "mh:i:nope:1", "mb:i:999999:1", "mb:i:1:7"):
        answer = await fabio.tap(anchor, data=forged, check=False)
        assert answer["text"] == translate("it", "moderation-not-found"), forged
    for forged in ("mu:999999", f"mu:{cast.participant_id}", "mu:x"):  # nobody is blocked
        answer = await fabio.tap(anchor, data=forged, check=False)
        assert answer["text"] == translate("it", "moderation-not-blocked"), forged
    assert await _snapshot(rb) == before
    await fabio.silence(0.3)


async def test_a_blocked_author_is_ignored_politely_until_unblocked(
    rb: RunningBot, cast: Cast
) -> None:
    fabio, carla = cast.facilitator, cast.author
    tag = handle(pseudonym(PEPPER, carla.user.id))
    listing = await fabio.say("/ideas mercati")
    await fabio.tap(listing, data=f"mb:i:{cast.idea_id}:0")
    confirm = await fabio.read()
    assert confirm.text == translate("it", "moderation-block-confirm", {"handle": tag})
    assert _data(confirm) == [f"mb:i:{cast.idea_id}:1", f"mb:i:{cast.idea_id}:2"]
    # The first tap blocked nobody.
    assert all(r["blocked_at"] is None for r in await rb.rows(participants))
    answer = await fabio.tap(confirm, data=f"mb:i:{cast.idea_id}:1")
    assert answer["text"] == translate("it", "moderation-blocked", {"handle": tag})
    row = next(r for r in await rb.rows(participants) if r["id"] == cast.participant_id)
    assert row["blocked_at"] is not None

    before = await _snapshot(rb)
    audit_before = await _audit(rb)
    reply = await carla.say("/idea Un'altra idea che non deve essere salvata")
    assert reply.text == translate("it", "blocked-notice")
    carla.send("Ancora un messaggio")  # within the notice period: silence, nothing stored
    await carla.silence(0.8)
    anchor = carla.user.chat.bot_messages[-1]
    tap = await carla.tap(anchor, data="lang:en", check=False)
    assert tap["text"] == translate("it", "blocked-notice")
    assert await _snapshot(rb) == before
    # (processed_updates still gets each update's id, as for every update: that keeps a
    # redelivery silent and holds nothing about the person.)
    assert await _audit(rb) == audit_before

    # Rights keep working: /mydata exports what is stored.
    export = await carla.say("/mydata")
    assert export.caption == translate("it", "mydata-caption")
    assert carla.document_json(export)["ideas"][0]["text"] == IDEA

    # ... and so does /delete: the confirmation comes; "keep" keeps everything.
    confirm = await carla.say("/delete")
    assert confirm.text == translate("it", "delete-confirm")
    await carla.tap(confirm, data="del:0")
    assert (await carla.read()).text == translate("it", "delete-cancelled")

    listing = await fabio.say("/blocked")
    assert tag in (listing.text or "") and "Carla" not in (listing.text or "")
    assert _data(listing) == [f"mu:{cast.participant_id}"]
    answer = await fabio.tap(listing, data=f"mu:{cast.participant_id}")
    assert answer["text"] == translate("it", "moderation-unblocked", {"handle": tag})
    assert fabio.user.chat.messages[listing.message_id].text == translate(
        "it", "moderation-blocked-none"
    )
    assert "💡" in ((await carla.say("/idea Di nuovo qui")).text or "")
    actions = [(e["action"], e["target"]) for e in await _audit(rb)]
    target = f"participant:{cast.participant_id}"
    assert ("participant.blocked", target) in actions
    assert ("participant.unblocked", target) in actions
    assert all(str(carla.user.id) not in repr(e) for e in await _audit(rb))


COMMANDS = ("/ideas mercati", "/answers opencare", "/blocked", "/broadcast", "/broadcasts")


@pytest.mark.parametrize("persona", ["citizen", "analyst", "revoked"])
async def test_commands_and_buttons_are_unknown_without_the_role(
    rb: RunningBot, cast: Cast, persona: str
) -> None:
    person: Citizen = getattr(cast, persona)
    language = person.user.record.language_code or "it"
    unknown = translate(language, "unknown-command")
    staff_id = {r["telegram_user_id"]: r["id"] for r in await rb.rows(staff)}.get(person.user.id)
    for command in COMMANDS:
        before, audit_before = await _snapshot(rb), await _audit(rb)
        reply = await person.say(command)
        assert reply.text == unknown and not reply.buttons, command
        assert await _snapshot(rb) == before, command
        new = (await _audit(rb))[len(audit_before) :]
        assert [(e["action"], e["target"]) for e in new] == [("denied", command[1:].split()[0])]
        assert new[0]["actor_staff_id"] == staff_id
    anchor = await person.say("/nosuchcommand")
    forged = (
        f"mh:i:{cast.idea_id}:1",
        f"mh:a:{cast.answer_id}:1",
        f"mb:i:{cast.idea_id}:1",
        f"mu:{cast.participant_id}",
        "mp:i:1:mercati",
        "bca:c:1",
        "bct:1",
        "bcx:send",
    )
    for data in forged:
        before, audit_before = await _snapshot(rb), await _audit(rb)
        answer = await person.tap(anchor, data=data, check=False)
        assert answer.get("text") == unknown, data
        assert await _snapshot(rb) == before, data
        new = (await _audit(rb))[len(audit_before) :]
        assert [(e["action"], e["target"]) for e in new] == [
            ("denied", "tap:" + data.split(":")[0])
        ]
    if persona == "citizen":
        assert all(str(person.user.id) not in repr(e) for e in await _audit(rb))
    await person.silence(0.3)
