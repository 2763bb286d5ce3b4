"""Retention: when a consultation's retention period ends, the scheduler anonymises its answers
and erases the personal data of people who have nothing else with us."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.scheduler import Reconciler, SchedulerSettings
from storage.store import Storage
from storage.tables import (
    answers,
    contacts,
    ideas,
    participants,
    participations,
    project_follows,
    statements,
    votes,
)
from surveys.clock import FixedClock
from surveys.entities import (
    Answer,
    ConsultationStatus,
    Contact,
    Idea,
    Participant,
    Participation,
    ScheduleKind,
)
from surveys.usecases.scheduling import QuietHours
from tests.integration.test_scheduler import make_consultation

CLOSED_AT = datetime(2026, 4, 30, 21, 59, tzinfo=UTC)


async def _person(storage: Storage, name: str, chat_id: int) -> int:
    async with storage.uow() as uow:
        person = await uow.participants.add(Participant(pseudonym=name))
        assert person.id is not None
        await uow.participants.set_contact(Contact(person.id, chat_id))
        await uow.commit()
    return person.id


async def _participate(storage: Storage, person: int, consultation_id: int, answer: str) -> int:
    async with storage.uow() as uow:
        participation = await uow.participations.add(Participation(person, consultation_id, 1))
        assert participation.id is not None
        await uow.answers.put(Answer(participation.id, "needs", answer, 1))
        await uow.commit()
    return participation.id


async def test_retention_anonymises_answers_and_erases_people(storage: Storage) -> None:
    clock = FixedClock(CLOSED_AT + timedelta(hours=1))
    old = await make_consultation(
        storage, clock, "old", status=ConsultationStatus.CLOSED, closes_at=CLOSED_AT
    )
    current = await make_consultation(
        storage, clock, "current", status=ConsultationStatus.OPEN, closes_at=None
    )
    assert old.id is not None and current.id is not None
    only_old = await _person(storage, "only-old", 1)
    both = await _person(storage, "both", 2)
    follower = await _person(storage, "follower", 3)
    old_participations = {
        only_old: await _participate(storage, only_old, old.id, "a"),
        both: await _participate(storage, both, old.id, "b"),
        follower: await _participate(storage, follower, old.id, "c"),
    }
    current_participation = await _participate(storage, both, current.id, "d")
    async with storage.uow() as uow:
        await uow.ideas.add(Idea(old.id, only_old, "più panchine"))
        await uow.ideas.add(Idea(current.id, both, "più alberi"))
        await uow.commit()
    async with storage.engine.begin() as connection:
        await connection.execute(
            sa.insert(project_follows).values(participant_id=follower, project="Opencare")
        )
        statement = (
            await connection.execute(
                sa.insert(statements)
                .values(consultation_id=old.id, text="Più verde", status="accepted")
                .returning(statements.c.id)
            )
        ).scalar_one()
        await connection.execute(
            sa.insert(votes).values(statement_id=statement, participant_id=only_old, value=1)
        )

    settings = SchedulerSettings(quiet=QuietHours(0, 0))
    reconciler = Reconciler(storage, clock, worker="retention", settings=settings)
    await reconciler.tick()  # plans retention: 730 days after closing (opencare.yaml)
    clock.set(CLOSED_AT + timedelta(days=729))
    assert (await reconciler.tick()).applied == []
    clock.set(CLOSED_AT + timedelta(days=730, minutes=1))
    report = await reconciler.tick()
    assert [a.item.kind for a in report.applied] == [ScheduleKind.RETENTION]
    assert report.applied[0].outcome == {
        "result": "anonymised",
        "participations": 3,
        "ideas": 1,
        "votes": 1,
        "erased": 1,
    }

    async with storage.engine.connect() as connection:

        async def scalars(query: sa.Select[tuple[object]]) -> list[object]:
            return list((await connection.execute(query)).scalars())

        # Only the person with nothing else left is gone, with their contact.
        left = await scalars(
            sa.select(participants.c.id).where(participants.c.id.in_([only_old, both, follower]))
        )
        assert sorted(left) == sorted([both, follower])  # type: ignore[type-var]
        assert sorted(await scalars(sa.select(contacts.c.chat_id))) == [2, 3]  # type: ignore[type-var]
        # The old answers are all still there, each under its own anonymous stand-in.
        owners = dict(
            (
                await connection.execute(
                    sa.select(participations.c.id, participants.c.pseudonym)
                    .join(participants, participants.c.id == participations.c.participant_id)
                    .where(participations.c.consultation_id == old.id)
                )
            ).all()
        )
        assert set(owners) == set(old_participations.values())
        assert all(str(p).startswith("anon-") for p in owners.values())
        assert len(set(owners.values())) == 3
        assert sorted(
            await scalars(
                sa.select(answers.c.value).where(
                    answers.c.participation_id.in_(list(old_participations.values()))
                )
            )
        ) == ["a", "b", "c"]
        # The other consultation is untouched.
        assert await scalars(
            sa.select(participations.c.participant_id).where(
                participations.c.id == current_participation
            )
        ) == [both]
        assert await scalars(
            sa.select(ideas.c.participant_id).where(ideas.c.consultation_id == current.id)
        ) == [both]
        assert await scalars(
            sa.select(ideas.c.participant_id).where(ideas.c.consultation_id == old.id)
        ) == [None]
        voters = await scalars(sa.select(votes.c.participant_id))
        assert len(voters) == 1 and voters[0] not in (only_old, both, follower)

    # Retention runs once: later ticks find nothing to do.
    clock.advance(timedelta(days=1))
    assert (await reconciler.tick()).applied == []
