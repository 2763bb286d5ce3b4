"""Privacy invariants over the real bot on the emulator, checked by scanning the schema.

One module-scoped bot (SQLite) and a few people: Marta answers two consultations, sends an
idea, follows a project, votes on a statement and proposes one; Bruno answers and sends an
idea too; a theme run (inserted as the nightly job writes it) quotes and caches both ideas.
Pass figures of issue #9:

- answers without a consent record: 0;
- the same person in two consultations: one participant row, one pseudonym, and her Telegram
  id in no table but ``contacts`` (kept apart on purpose);
- ``/mydata``: every row linked to the person, in every table that refers to participants
  (read from the schema, so a new table must be exported or listed below with its reason), and
  nothing of anyone else;
- after ``/delete``: 0 rows that reference the person in any table — foreign keys to
  participants (followed through other tables), every column that holds an identifier (named
  ``participant_id``, ``pseudonym``, ``chat_id``, ``telegram_user_id``… — a new one must be
  classified here), theme memberships and cached vectors by source, quotes by text;
- results stay hidden from citizens while a consultation is open: no citizen command shows
  another person's words or a theme, and a theme under the minimum group size is never in the
  report.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.app import BOT_COMMANDS
from dialogs.i18n import translate
from nlp.pii import scrub
from storage.tables import (
    answers,
    consultations,
    ideas,
    metadata,
    participants,
    participations,
    statements,
    theme_memberships,
    theme_runs,
    themes,
    vector_cache,
)
from surveys.pseudonyms import pseudonym
from surveys.usecases.reports import report_data
from tests.e2e.citizen_support import (
    PEPPER,
    Citizen,
    RunningBot,
    button,
    has_buttons,
    join,
    running_bot,
)
from tests.security.support import lift_flood_limit

MARTA_IDEA = "Bancarelle di quartiere aperte fino alle ventidue il giovedì"
BRUNO_IDEA = "Una fontanella d'acqua potabile vicino all'ingresso est"
SECRET_THEME = "Tema riservato zafferano"
STATEMENT = "Servono più rastrelliere per le biciclette"
MARTA_PROPOSAL = "Il mercato del sabato deve restare in piazza"

# /mydata's sections for each table that refers (through foreign keys) to participants.
EXPORTED = {
    "participants": "participant",
    "contacts": "contact",
    "participations": "participations",
    "answers": "participations[].answers",
    "ideas": "ideas",
    "project_follows": "follows",
    "statements": "statements",  # those the person proposed
    "votes": "votes",
}
# Tables that refer to participants but are not in /mydata, and why. Each must hold no row of
# a citizen in this run: a flow that starts writing one makes the test ask for its export.
NOT_EXPORTED = {
    "outbox": "messages waiting to be sent to the person: operational, deleted once erased",
}
# Columns that hold who someone is without a foreign key to participants, and what they hold.
IDENTIFIER_COLUMNS = {
    ("participants", "pseudonym"): "pseudonym",
    ("contacts", "chat_id"): "telegram",
    ("outbox", "chat_id"): "telegram",
    ("staff", "telegram_user_id"): "telegram",  # staff act for the city, by name
}
IDENTIFYING_NAME = re.compile(r"participant|pseudonym|chat_id|telegram|user_id|proposed_by")


def _owned_tables() -> set[str]:
    """Every table whose foreign keys lead, directly or not, to participants."""
    owned = {participants.name}
    grown = True
    while grown:
        grown = False
        for table in metadata.sorted_tables:
            if table.name not in owned and any(
                fk.column.table.name in owned for fk in table.foreign_keys
            ):
                owned.add(table.name)
                grown = True
    return owned


def _refers_to_participants(column: sa.Column[Any]) -> bool:
    return any(fk.column.table.name == participants.name for fk in column.foreign_keys)


def test_every_identifying_column_is_classified() -> None:
    """A new column that can name a person is either a foreign key to participants (erased by
    cascade, found by the scans below) or listed in IDENTIFIER_COLUMNS."""
    unclassified = [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if IDENTIFYING_NAME.search(column.name)
        and not _refers_to_participants(column)
        and (table.name, column.name) not in IDENTIFIER_COLUMNS
    ]
    assert unclassified == []
    assert set(EXPORTED) | set(NOT_EXPORTED) == _owned_tables()


# --- the run --------------------------------------------------------------------------------


async def _tap_first_answer(citizen: Citizen, question: Any) -> Any:
    await citizen.tap(question, data=button(question, "a:")["callback_data"])
    return await citizen.read_until(has_buttons)


async def _send_idea(citizen: Citizen, text: str) -> None:
    citizen.send(f"/idea {text}")
    consent = await citizen.read_until(has_buttons)  # mercati asks for its own consent
    await citizen.tap(consent, data=button(consent, "ok:")["callback_data"])
    await citizen.read()  # consent given (with its withdraw button)
    await citizen.read_until(has_buttons)  # the consultation's first question
    assert "💡" in ((await citizen.say(f"/idea {text}")).text or "")


async def _theme_run(rb: RunningBot) -> None:
    """What the nightly theme job writes for mercati: a theme quoting both ideas, their
    memberships, their cached vectors; and a theme of two people, under the minimum."""
    async with rb.storage.engine.begin() as connection:
        slug = consultations.c.slug == "mercati"
        consultation = (
            await connection.execute(sa.select(consultations.c.id).where(slug))
        ).scalar_one()
        found = {
            row.text: row.id
            for row in await connection.execute(
                sa.select(ideas.c.id, ideas.c.text).where(ideas.c.consultation_id == consultation)
            )
        }
        run = (
            await connection.execute(
                sa.insert(theme_runs)
                .values(consultation_id=consultation, backend="tfidf", k=2, params={})
                .returning(theme_runs.c.id)
            )
        ).scalar_one()
        quotes = [{"text": text, "source": "idea", "source_id": i} for text, i in found.items()]
        theme = (
            await connection.execute(
                sa.insert(themes)
                .values(run_id=run, label=SECRET_THEME, keywords=["x"], size=2, quotes=quotes)
                .returning(themes.c.id)
            )
        ).scalar_one()
        await connection.execute(
            sa.insert(theme_memberships),
            [{"theme_id": theme, "source": "idea", "source_id": i} for i in found.values()],
        )
        await connection.execute(
            sa.insert(vector_cache),
            [
                {
                    "text_hash": hashlib.sha256(text.encode()).hexdigest(),
                    "backend": "tfidf",
                    "dimensions": 1,
                    "vector": b"\x00\x00\x80\x3f",
                }
                for text in found
            ],
        )


async def _vote_and_propose(rb: RunningBot, marta: Citizen) -> None:
    """A facilitator's statement on sharing-cities (as /statements writes it); Marta votes on
    it with the buttons and proposes one of her own."""
    async with rb.storage.engine.begin() as connection:
        slug = consultations.c.slug == "sharing-cities"
        consultation = (
            await connection.execute(sa.select(consultations.c.id).where(slug))
        ).scalar_one()
        await connection.execute(
            sa.insert(statements).values(
                consultation_id=consultation, text=STATEMENT, status="accepted"
            )
        )
    shown = await marta.say("/vote sharing-cities")
    await marta.tap(shown, data=button(shown, "vt:")["callback_data"])
    done = await marta.read()
    await marta.tap(done, data=button(done, "vm:")["callback_data"])
    await marta.read()  # "write your statement"
    assert (await marta.say(MARTA_PROPOSAL)).text == translate("it", "vote-proposed")


class People:
    def __init__(self, rb: RunningBot, marta: Citizen, bruno: Citizen) -> None:
        self.rb, self.marta, self.bruno = rb, marta, bruno


@pytest.fixture(scope="module")
async def people(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[People]:
    path: Path = tmp_path_factory.mktemp("privacy-invariants") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as rb:
        lift_flood_limit(rb)
        marta, bruno = rb.citizen("Marta", "it"), rb.citizen("Bruno", "it")
        await _tap_first_answer(marta, await join(marta, "sharing-cities"))
        await _tap_first_answer(marta, await join(marta, "openagri"))
        await _send_idea(marta, MARTA_IDEA)
        menu = await marta.say("/follow")
        await marta.tap(menu, text="Opencare")
        await marta.read()
        await _tap_first_answer(bruno, await join(bruno, "sharing-cities"))
        await _send_idea(bruno, BRUNO_IDEA)
        await _theme_run(rb)
        await _vote_and_propose(rb, marta)
        yield People(rb, marta, bruno)


async def _rows(rb: RunningBot) -> dict[str, list[dict[str, Any]]]:
    async with rb.storage.engine.connect() as connection:
        return {
            t.name: [dict(r) for r in (await connection.execute(t.select())).mappings()]
            for t in metadata.sorted_tables
        }


async def _person_rows(rb: RunningBot, telegram_id: int) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table owned by participants that belong to this person."""
    rows = await _rows(rb)
    name = pseudonym(PEPPER, telegram_id)
    mine: dict[str, set[Any]] = {
        "participants": {r["id"] for r in rows["participants"] if r["pseudonym"] == name}
    }
    found: dict[str, list[dict[str, Any]]] = {
        "participants": [r for r in rows["participants"] if r["pseudonym"] == name]
    }
    for table in metadata.sorted_tables:  # parents before children
        links = [
            (fk.parent.name, fk.column.table.name)
            for fk in table.foreign_keys
            if fk.column.table.name in mine
        ]
        if table.name == "participants" or not links:
            continue
        found[table.name] = [
            r for r in rows[table.name] if any(r[col] in mine[parent] for col, parent in links)
        ]
        if "id" in table.columns:
            mine[table.name] = {r["id"] for r in found[table.name]}
    return found


async def test_answers_never_exist_without_consent(people: People) -> None:
    query = (
        sa.select(sa.func.count())
        .select_from(answers)
        .join(participations, participations.c.id == answers.c.participation_id)
        .where(participations.c.consent_version.is_(None))
    )
    async with people.rb.storage.engine.connect() as connection:
        assert (await connection.execute(query)).scalar_one() == 0
        assert (await connection.execute(sa.select(sa.func.count()).select_from(answers))).scalar()


async def test_one_pseudonym_across_consultations_and_no_telegram_id_in_answer_tables(
    people: People,
) -> None:
    rb, marta = people.rb, people.marta
    mine = await _person_rows(rb, marta.user.id)
    assert len(mine["participants"]) == 1
    assert {p["participant_id"] for p in mine["participations"]} == {mine["participants"][0]["id"]}
    assert len(mine["participations"]) >= 3  # sharing-cities, openagri, mercati
    telegram = re.compile(rf"(?<!\d){marta.user.id}(?!\d)")
    for table, rows in (await _rows(rb)).items():
        if table == "contacts":
            continue  # the one place a chat id is kept, apart from what the person said
        for row in rows:
            assert not telegram.search(repr(row)), f"{table} holds Marta's Telegram id"


async def test_mydata_has_every_row_of_the_person_and_nothing_of_anyone_else(
    people: People,
) -> None:
    rb, marta, bruno = people.rb, people.marta, people.bruno
    mine = await _person_rows(rb, marta.user.id)
    for table in NOT_EXPORTED:
        if table != "outbox":
            assert mine.get(table, []) == [], f"{table} has rows: add them to /mydata"
    export = marta.document_json(await marta.say("/mydata"))

    assert export["participant"]["pseudonym"] == mine["participants"][0]["pseudonym"]
    assert export["contact"] == {"chat_id": marta.user.chat_id}
    by_id = {p["id"]: p for p in mine["participations"]}
    slugs = await _slugs(rb)
    assert sorted(p["consultation"] for p in export["participations"]) == sorted(
        slugs[p["consultation_id"]] for p in by_id.values()
    )
    exported_answers = sorted(
        (p["consultation"], a["question_key"], json.dumps(a["value"]))
        for p in export["participations"]
        for a in p["answers"]
    )
    stored_answers = sorted(
        (
            slugs[by_id[a["participation_id"]]["consultation_id"]],
            a["question_key"],
            json.dumps(a["value"]),
        )
        for a in mine["answers"]
    )
    assert exported_answers == stored_answers and stored_answers
    assert [i["text"] for i in export["ideas"]] == [i["text"] for i in mine["ideas"]]
    assert export["follows"] == sorted(f["project"] for f in mine["project_follows"])
    assert [(v["statement"], v["vote"]) for v in export["votes"]] == [(STATEMENT, "agree")]
    assert len(mine["votes"]) == 1 and mine["votes"][0]["value"] == 1
    assert [(s["text"], s["status"]) for s in export["statements"]] == [(MARTA_PROPOSAL, "pending")]
    assert [s["text"] for s in mine["statements"]] == [MARTA_PROPOSAL]
    for table, rows in mine.items():
        if rows:
            assert table in EXPORTED or table in NOT_EXPORTED, table

    flat = json.dumps(export, ensure_ascii=False)
    for needle in (BRUNO_IDEA, pseudonym(PEPPER, bruno.user.id), str(bruno.user.id), SECRET_THEME):
        assert needle not in flat


async def _slugs(rb: RunningBot) -> dict[int, str]:
    async with rb.storage.engine.connect() as connection:
        rows = await connection.execute(sa.select(consultations.c.id, consultations.c.slug))
        return {row.id: row.slug for row in rows}


async def test_citizen_commands_never_show_results_while_open(people: People) -> None:
    """A curious citizen tries every command: no one else's words, no theme, no counts."""
    curious = people.rb.citizen("Curiosa", "it")
    await _tap_first_answer(curious, await join(curious, "sharing-cities"))
    replies = []
    for command in (*BOT_COMMANDS, "report mercati", "export mercati", "stats", "ideas"):
        if command in ("delete", "stop"):
            continue
        curious.send(f"/{command}")
        replies.append(await curious.read())
    seen = " ".join(f"{m.text or ''} {m.caption or ''} {m.buttons}" for m in replies)
    for needle in (BRUNO_IDEA, MARTA_IDEA, SECRET_THEME, "zafferano"):
        assert needle not in seen


async def test_a_theme_under_the_minimum_group_size_is_not_in_the_report(
    people: People,
) -> None:
    rb = people.rb
    data = await report_data(rb.storage.uow, rb.clock, "mercati", 5, "Europe/Rome", scrub=scrub)
    assert data is not None
    assert all(SECRET_THEME not in repr(theme) for theme in data.themes)
    small = await report_data(rb.storage.uow, rb.clock, "mercati", 2, "Europe/Rome", scrub=scrub)
    assert small is not None and any(SECRET_THEME in repr(t) for t in small.themes)


async def test_delete_leaves_no_row_that_references_the_person(people: People) -> None:
    rb, marta, bruno = people.rb, people.marta, people.bruno
    mine = await _person_rows(rb, marta.user.id)
    texts = [i["text"] for i in mine["ideas"]] + [
        a["value"] for a in mine["answers"] if isinstance(a["value"], str)
    ]
    assert mine["votes"] and mine["statements"]  # erased below with everything else
    texts.append(MARTA_PROPOSAL)
    text_refs = {("idea", i["id"]) for i in mine["ideas"]} | {
        ("answer", a["id"]) for a in mine["answers"]
    }
    confirm = await marta.say("/delete")
    await marta.tap(confirm, data=button(confirm, "del:1")["callback_data"])
    assert (await marta.read()).text == translate("it", "delete-done")

    after = await _rows(rb)
    # 1. Rows reached through foreign keys: none left (ids are compared, not re-derived).
    for table, rows in mine.items():
        ids = {r.get("id") for r in rows} - {None}
        if ids:
            assert not [r for r in after[table] if r.get("id") in ids], table
    assert (await _person_rows(rb, marta.user.id))["participants"] == []
    # 2. Identifier columns without a foreign key.
    values = {"pseudonym": pseudonym(PEPPER, marta.user.id), "telegram": marta.user.id}
    for (table, column), kind in IDENTIFIER_COLUMNS.items():
        assert all(r[column] != values[kind] for r in after[table]), f"{table}.{column}"
    # 3. Theme memberships and cached vectors by source; quotes by text; any text anywhere.
    assert not [m for m in after["theme_memberships"] if (m["source"], m["source_id"]) in text_refs]
    hashes = {hashlib.sha256(t.encode()).hexdigest() for t in texts}
    assert not [v for v in after["vector_cache"] if v["text_hash"] in hashes]
    needles = [*texts, values["pseudonym"]]
    for table, rows in after.items():
        for row in rows:
            assert not any(n in repr(row) for n in needles), f"{table} still mentions Marta"
    # Bruno keeps everything.
    assert any(i["text"] == BRUNO_IDEA for i in after["ideas"])
    assert any(m["source"] == "idea" for m in after["theme_memberships"])
    assert (await _person_rows(rb, bruno.user.id))["participants"]
