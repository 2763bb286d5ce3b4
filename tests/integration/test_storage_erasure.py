"""Erasure leaves nothing of the person in any table, found by scanning the schema.

The tables to look in are not listed by hand: they are every table whose foreign keys lead,
directly or through other tables, to ``participants``, read from the migrated database itself.
A new table that forgets ``ON DELETE CASCADE`` makes this test fail.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from storage.store import Storage
from storage.tables import (
    outbox,
    statements,
    theme_memberships,
    theme_runs,
    themes,
    votes,
)
from surveys.definition import Mode
from surveys.entities import (
    Answer,
    Consultation,
    Contact,
    Idea,
    Participant,
    Participation,
    TextSource,
)

Rows = dict[str, set[tuple[Any, ...]]]  # table → primary keys (whole rows for keyless tables)


def _key(table: sa.Table) -> list[sa.Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


def _select_where_key_in(
    table: sa.Table, columns: list[sa.Column[Any]], keys: set[tuple[Any, ...]]
) -> sa.Select[Any]:
    return sa.select(*columns).where(sa.tuple_(*_key(table)).in_(list(keys)))


def _rows_owned_by(connection: sa.Connection, participant_id: int) -> Rows:
    """Every row that refers, through any chain of foreign keys, to the participant.

    The schema is reflected from the database, so this sees what the migrations built.
    """
    schema = sa.MetaData()
    schema.reflect(connection)
    referring: dict[str, list[sa.ForeignKeyConstraint]] = defaultdict(list)
    for table in schema.tables.values():
        for constraint in table.foreign_key_constraints:
            referring[constraint.referred_table.name].append(constraint)
    found: Rows = defaultdict(set)
    found["participants"].add((participant_id,))
    grown = ["participants"]
    while grown:
        target = schema.tables[grown.pop()]
        for constraint in referring[target.name]:
            table = constraint.table
            target_columns = [element.column for element in constraint.elements]
            query = _select_where_key_in(target, target_columns, found[target.name])
            wanted = {tuple(row) for row in connection.execute(query)}
            match = sa.tuple_(*constraint.columns).in_(list(wanted))
            new = {tuple(row) for row in connection.execute(sa.select(*_key(table)).where(match))}
            if new - found[table.name]:
                found[table.name] |= new
                grown.append(table.name)
    return dict(found)


def _still_there(connection: sa.Connection, rows: Rows) -> Rows:
    schema = sa.MetaData()
    schema.reflect(connection)
    left: Rows = {}
    for name, keys in rows.items():
        table = schema.tables[name]
        remaining = {
            tuple(r) for r in connection.execute(_select_where_key_in(table, _key(table), keys))
        }
        if remaining:
            left[name] = remaining
    return left


async def _give_everything(storage: Storage, pseudonym: str, consultation_id: int) -> int:
    """A participant with a row in every kind of table a person can have rows in."""
    async with storage.uow() as uow:
        person = await uow.participants.add(Participant(pseudonym))
        assert person.id is not None
        await uow.participants.set_contact(Contact(person.id, 10_000_000_000 + person.id))
        participation = await uow.participations.add(
            Participation(person.id, consultation_id, version=1)
        )
        assert participation.id is not None
        await uow.answers.put(Answer(participation.id, "why", f"{pseudonym} thinks", 1))
        await uow.answers.put(Answer(participation.id, "age", 40, 1))
        idea = await uow.ideas.add(Idea(consultation_id, person.id, f"{pseudonym}'s idea"))
        answer_id = (await uow.answers.for_participation(participation.id))[0].id
        session = uow.session
        theme_id = (
            await session.execute(sa.select(themes.c.id).order_by(themes.c.id).limit(1))
        ).scalar_one()
        await session.execute(
            sa.insert(theme_memberships),
            [
                {"theme_id": theme_id, "source": TextSource.ANSWER.value, "source_id": answer_id},
                {"theme_id": theme_id, "source": TextSource.IDEA.value, "source_id": idea.id},
            ],
        )
        own_statement = (
            await session.execute(
                sa.insert(statements)
                .values(
                    consultation_id=consultation_id,
                    text=f"{pseudonym} proposes",
                    status="pending",
                    proposed_by=person.id,
                )
                .returning(statements.c.id)
            )
        ).scalar_one()
        shared_statement = (
            await session.execute(
                sa.select(statements.c.id).where(statements.c.proposed_by.is_(None))
            )
        ).scalar_one()
        await session.execute(
            sa.insert(votes),
            [
                {"statement_id": shared_statement, "participant_id": person.id, "value": 1},
                {"statement_id": own_statement, "participant_id": person.id, "value": -1},
            ],
        )
        await session.execute(
            sa.insert(outbox).values(
                dedupe_key=f"reminder:{pseudonym}",
                participant_id=person.id,
                payload={"text": "ciao"},
                status="pending",
            )
        )
        await uow.commit()
        return person.id


async def test_delete_erases_every_row_of_the_person_and_only_theirs(storage: Storage) -> None:
    async with storage.uow() as uow:
        consultation = await uow.consultations.add(
            Consultation("opencare", "Opencare", Mode.SURVEY)
        )
        assert consultation.id is not None
        session = uow.session
        run_id = (
            await session.execute(
                sa.insert(theme_runs)
                .values(consultation_id=consultation.id, backend="tfidf", k=2, params={})
                .returning(theme_runs.c.id)
            )
        ).scalar_one()
        await session.execute(
            sa.insert(themes).values(run_id=run_id, label="cura", keywords=[], quotes=[])
        )
        await session.execute(
            sa.insert(statements).values(
                consultation_id=consultation.id, text="Shared statement", status="accepted"
            )
        )
        await uow.commit()
    erased = await _give_everything(storage, "erased", consultation.id)
    kept = await _give_everything(storage, "kept", consultation.id)

    async with storage.engine.connect() as connection:
        owned = await connection.run_sync(_rows_owned_by, erased)
        kept_before = await connection.run_sync(_rows_owned_by, kept)
    # The scan must have something to find, or it proves nothing.
    for table in (
        "contacts",
        "participations",
        "answers",
        "ideas",
        "votes",
        "outbox",
        "statements",
    ):
        assert owned.get(table), f"seed left {table} empty for the person"

    async with storage.uow() as uow:
        await uow.participants.delete(erased)
        await uow.commit()

    async with storage.engine.connect() as connection:
        assert await connection.run_sync(_still_there, owned) == {}
        assert await connection.run_sync(_rows_owned_by, kept) == kept_before
        memberships = (await connection.execute(sa.select(theme_memberships))).all()
    kept_texts = {(TextSource.IDEA.value, key[0]) for key in kept_before["ideas"]}
    assert {(m.source, m.source_id) for m in memberships} >= kept_texts
    assert len(memberships) == 2  # the kept person's answer and idea, nothing of the erased one
    async with storage.uow() as uow:
        assert await uow.participants.get(erased) is None
        assert await uow.participants.get_contact(erased) is None
        assert await uow.participations.list_for_participant(erased) == []
        assert await uow.ideas.list_for_participant(erased) == []
        texts = await uow.consultations.free_texts(consultation.id)
        assert all("erased" not in text.text for text in texts)
