"""What the column types and the engine promise, on both dialects: NUL-free text, aware UTC
datetimes, SQLite pragmas, retry of serialization failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, StatementError

from storage.database import create_engine
from storage.retry import is_retryable, retry_transaction
from storage.store import Storage
from storage.tables import audit_log, consultations
from surveys.definition import Mode
from surveys.entities import Answer, AuditEntry, Consultation, Idea, Participant, Participation

ROME_SUMMER = timezone(timedelta(hours=2))


async def test_nul_is_stripped_from_text_and_json(storage: Storage) -> None:
    async with storage.uow() as uow:
        consultation = await uow.consultations.add(
            Consultation("opencare", "Open\x00care", Mode.SURVEY)
        )
        person = await uow.participants.add(Participant("nul\x00pseudonym"))
        assert consultation.id is not None and person.id is not None
        participation = await uow.participations.add(
            Participation(person.id, consultation.id, version=1, current_question="why\x00")
        )
        assert participation.id is not None
        await uow.answers.put(Answer(participation.id, "why", "a\x00b", 1))
        await uow.answers.put(Answer(participation.id, "multi", ["x\x00", "y"], 1))
        await uow.answers.put(Answer(participation.id, "where", {"k\x00ey": ["v\x00"]}, 1))
        idea = await uow.ideas.add(Idea(consultation.id, person.id, "\x00idea\x00"))
        await uow.audit.add(AuditEntry("act\x00ion", detail={"note": "\x00"}))
        await uow.commit()

    assert consultation.project == "Opencare"
    assert person.pseudonym == "nulpseudonym"
    assert participation.current_question == "why"
    assert idea.text == "idea"
    async with storage.uow() as uow:
        stored = {
            a.question_key: a.value for a in await uow.answers.for_participation(participation.id)
        }
        assert await uow.participants.get_by_pseudonym("nulpseudonym") is not None
    assert stored == {"why": "ab", "multi": ["x", "y"], "where": {"key": ["v"]}}
    async with storage.engine.connect() as connection:
        row = (await connection.execute(sa.select(audit_log))).mappings().one()
    assert (row["action"], row["detail"]) == ("action", {"note": ""})


async def test_datetimes_come_back_aware_utc_and_equal(storage: Storage) -> None:
    opens = datetime(2025, 10, 26, 2, 30, tzinfo=ROME_SUMMER)  # the ambiguous hour in Rome
    closes = datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=UTC)
    async with storage.uow() as uow:
        added = await uow.consultations.add(
            Consultation("opencare", "Opencare", Mode.SURVEY, opens_at=opens, closes_at=closes)
        )
        await uow.commit()
    assert added.id is not None
    async with storage.uow() as uow:
        found = await uow.consultations.get(added.id)
    assert found is not None and found.opens_at is not None and found.created_at is not None
    assert found.opens_at == opens and found.closes_at == closes
    assert found.opens_at.utcoffset() == timedelta(0)
    assert found.opens_at.hour == 0  # 02:30 at +02:00 is 00:30 UTC
    assert found.created_at.tzinfo is not None and found.created_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - found.created_at) < timedelta(minutes=5)


async def test_ordering_by_time_follows_instants_not_text(storage: Storage) -> None:
    # 10:00 at +02:00 is earlier than 09:00 UTC; a naive text comparison would say otherwise.
    early = datetime(2025, 6, 1, 10, 0, tzinfo=ROME_SUMMER)
    late = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    async with storage.uow() as uow:
        await uow.consultations.add(Consultation("late", "P", Mode.SURVEY, opens_at=late))
        await uow.consultations.add(Consultation("early", "P", Mode.SURVEY, opens_at=early))
        await uow.commit()
    async with storage.engine.connect() as connection:
        query = sa.select(consultations.c.slug).order_by(consultations.c.opens_at)
        assert (await connection.execute(query)).scalars().all() == ["early", "late"]


async def test_naive_datetimes_are_refused(storage: Storage) -> None:
    async with storage.uow() as uow:
        with pytest.raises(StatementError, match="naive datetime"):
            await uow.consultations.add(
                Consultation("opencare", "P", Mode.SURVEY, opens_at=datetime(2025, 1, 1))
            )


async def test_sqlite_connections_get_the_pragmas(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        await engine.dispose()
    # synchronous: 1 is NORMAL.
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "synchronous": 1,
    }


async def test_postgres_engine_pings_before_use(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        assert engine.pool._pre_ping is True
        async with engine.connect() as connection:
            assert (await connection.execute(sa.select(1))).scalar() == 1
    finally:
        await engine.dispose()


async def test_serialization_failure_is_retried(postgres_url: str) -> None:
    """A real 40001 from PostgreSQL: the first attempt loses a race, the retry succeeds."""
    engine = create_engine(postgres_url, isolation_level="REPEATABLE READ")
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("CREATE TABLE counter (n integer NOT NULL)"))
            await connection.execute(sa.text("INSERT INTO counter VALUES (0)"))
        attempts = 0

        async def increment() -> int:
            nonlocal attempts
            attempts += 1
            async with engine.begin() as connection:
                n: int = (await connection.execute(sa.text("SELECT n FROM counter"))).scalar_one()
                if attempts == 1:  # someone else commits in between
                    async with engine.begin() as other:
                        await other.execute(sa.text("UPDATE counter SET n = n + 100"))
                await connection.execute(sa.text("UPDATE counter SET n = :n"), {"n": n + 1})
            return n + 1

        assert await retry_transaction(increment) == 101
        assert attempts == 2
        async with engine.connect() as connection:
            assert (await connection.execute(sa.text("SELECT n FROM counter"))).scalar() == 101
    finally:
        await engine.dispose()


async def test_other_errors_are_not_retried(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT * FROM no_such_table"))

    try:
        with pytest.raises(DBAPIError) as raised:
            await retry_transaction(broken)
    finally:
        await engine.dispose()
    assert calls == 1
    assert not is_retryable(raised.value)
