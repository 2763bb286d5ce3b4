"""Live statistics on a known data set, on SQLite and on PostgreSQL.

The data set has people who finished, stopped at a question, went back, never answered, are
at the summary, withdrew, and a staff preview; answers around a Europe/Rome midnight on both
sides of the end of summer time (25 October 2026, 03:00 CEST → 02:00 CET), a hidden answer,
a hidden idea and an idea from a previewer. Every figure is worked out by hand below.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from storage.store import Storage
from storage.tables import answers, audit_log, ideas, participants, participations
from surveys.clock import FixedClock
from surveys.definition import Mode
from surveys.entities import Role
from surveys.format import load_definition
from surveys.stats import DayCount
from surveys.usecases.consultations import load_consultation
from surveys.usecases.staff import Actor, NotAllowed
from surveys.usecases.stats import ConsultationStats, UnknownConsultation, consultation_stats

FIXTURES = Path(__file__).parents[1] / "fixtures" / "surveys"
CLOCK = FixedClock(datetime(2026, 11, 2, 10, 0, tzinfo=UTC))


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _insert(storage: Storage, table: sa.Table, **values: Any) -> int:
    async with storage.engine.begin() as connection:
        result = await connection.execute(table.insert().values(**values).returning(table.c[0]))
        return int(result.scalar_one())


async def _person(storage: Storage, name: str) -> int:
    return await _insert(storage, participants, pseudonym=f"pseudo-{name}", language="it")


async def _participation(
    storage: Storage,
    consultation_id: int,
    name: str,
    *,
    status: str = "in_progress",
    current: str | None = None,
    started: str = "2026-10-24T19:00:00",
    submitted: str | None = None,
    preview: bool = False,
    answered: dict[str, str] | None = None,
    person: int | None = None,
) -> int:
    participant_id = person if person is not None else await _person(storage, name)
    pid = await _insert(
        storage,
        participations,
        participant_id=participant_id,
        consultation_id=consultation_id,
        version=1,
        status=status,
        current_question=current,
        is_preview=preview,
        started_at=_utc(started),
        submitted_at=_utc(submitted) if submitted else None,
    )
    for key, at in (answered or {}).items():
        await _insert(
            storage,
            answers,
            participation_id=pid,
            question_key=key,
            value="x",
            version=1,
            answered_at=_utc(at),
        )
    return participant_id


async def _load(storage: Storage, name: str) -> int:
    result = await load_consultation(storage.uow, load_definition(FIXTURES / name), CLOCK)
    return result.consultation_id


@pytest.fixture
async def garden(storage: Storage) -> int:
    """The test-garden consultation (draft) with the data set of this module."""
    cid = await _load(storage, "valid.yaml")
    other = await _load(storage, "listening.yaml")
    p1 = await _participation(
        storage,
        cid,
        "p1",
        status="submitted",
        started="2026-10-24T20:00:00",
        submitted="2026-10-24T20:04:30",  # 270 s
        answered={
            "municipio": "2026-10-24T20:01:00",  # 22:01 CEST, 24 Oct
            "role": "2026-10-24T20:02:00",
            "satisfaction": "2026-10-24T20:03:00",
        },
    )
    await _participation(
        storage,
        cid,
        "p2",
        status="submitted",
        started="2026-10-24T21:00:00",
        submitted="2026-10-24T21:10:00",  # 600 s
        answered={
            "municipio": "2026-10-24T22:30:00",  # 00:30 CEST, 25 Oct (23:30 if one used +1)
            "role": "2026-10-24T22:31:00",
        },
    )
    await _participation(
        storage,
        cid,
        "p3",
        status="submitted",
        started="2026-10-25T10:00:00",
        submitted="2026-10-25T10:02:00",  # 120 s
        answered={
            "municipio": "2026-10-25T22:30:00",  # 23:30 CET, 25 Oct (26 Oct if one used +2)
            "role": "2026-10-25T23:30:00",  # 00:30 CET, 26 Oct
        },
    )
    await _participation(
        storage,
        cid,
        "p10",
        status="submitted",
        started="2026-10-26T08:00:00",
        submitted="2026-10-26T08:05:00",  # 300 s
        answered={"municipio": "2026-10-26T08:01:00"},
    )
    # Stopped at "satisfaction" after two answers.
    await _participation(
        storage,
        cid,
        "p4",
        current="satisfaction",
        answered={"municipio": "2026-10-26T08:00:00", "role": "2026-10-26T08:00:30"},
    )
    # Joined, never answered: stopped at the first question.
    await _participation(storage, cid, "p5", current="municipio")
    # Went back to "role", which they had answered: not a stop at "role".
    await _participation(
        storage,
        cid,
        "p6",
        current="role",
        answered={"municipio": "2026-10-28T09:00:00", "role": "2026-10-28T09:00:10"},
    )
    # At the summary, not submitted.
    await _participation(
        storage, cid, "p9", current=None, answered={"municipio": "2026-10-28T09:30:00"}
    )
    # Withdrawn (their answers were deleted with the withdrawal).
    await _participation(storage, cid, "p7", status="withdrawn")
    # A staff preview: counts nowhere, and neither does the previewer's idea.
    previewer = await _participation(
        storage,
        cid,
        "p8",
        status="submitted",
        preview=True,
        started="2026-10-27T11:00:00",
        submitted="2026-10-27T11:01:00",
        answered={"municipio": "2026-10-27T12:00:00", "role": "2026-10-27T12:00:00"},
    )
    # The same first person in another consultation: never mixed in.
    await _participation(
        storage,
        other,
        "p1-other",
        person=p1,
        current=None,
        answered={"municipio": "2026-10-27T12:00:00"},
    )
    async with storage.engine.begin() as connection:
        await connection.execute(
            answers.update()
            .where(answers.c.question_key == "satisfaction")
            .values(hidden_at=_utc("2026-10-30T10:00:00"))
        )
    for author, at, hidden in (
        (p1, "2026-10-26T23:30:00", None),  # 00:30 CET, 27 Oct
        (p1, "2026-10-26T10:00:00", _utc("2026-10-27T10:00:00")),  # hidden by a moderator
        (previewer, "2026-10-27T10:00:00", None),  # a staff test
    ):
        await _insert(
            storage,
            ideas,
            consultation_id=cid,
            participant_id=author,
            text="idea",
            created_at=_utc(at),
            hidden_at=hidden,
        )
    return cid


async def _stats(storage: Storage, slug: str = "test-garden", **kwargs: Any) -> ConsultationStats:
    outcome = await consultation_stats(storage.uow, CLOCK, None, slug, **kwargs)
    assert isinstance(outcome, ConsultationStats), outcome
    return outcome


async def test_figures_of_the_known_data_set(storage: Storage, garden: int) -> None:
    stats = await _stats(storage)
    assert stats.mode is Mode.SURVEY and stats.title["it"] == "Orto di prova"
    assert (stats.participants, stats.joined, stats.started, stats.completed) == (8, 8, 7, 4)
    assert (stats.withdrawn, stats.at_summary) == (1, 1)
    assert stats.completion_rate == pytest.approx(4 / 7)
    assert stats.median_completion == timedelta(seconds=285)  # (270 + 300) / 2


async def test_drop_off_per_question_in_survey_order(storage: Storage, garden: int) -> None:
    stats = await _stats(storage)
    keys = [q.key for q in stats.questions]
    assert keys[:4] == ["municipio", "role", "crops", "satisfaction"]
    by_key = {q.key: (q.reached, q.answered, q.stopped) for q in stats.questions}
    assert by_key["municipio"] == (8, 7, 1)
    assert by_key["role"] == (5, 5, 0)
    assert by_key["crops"] == (0, 0, 0)
    assert by_key["satisfaction"] == (2, 1, 1)  # the hidden answer still counts
    assert all(by_key[k] == (0, 0, 0) for k in keys[4:])
    assert [q.key for q in stats.top_drop_offs()] == ["municipio", "satisfaction"]


async def test_days_are_local_across_midnight_and_the_dst_change(
    storage: Storage, garden: int
) -> None:
    stats = await _stats(storage)
    assert stats.answers_per_day == (
        DayCount(date(2026, 10, 24), 3),
        DayCount(date(2026, 10, 25), 3),
        DayCount(date(2026, 10, 26), 4),
        DayCount(date(2026, 10, 27), 0),  # only the preview answered that day
        DayCount(date(2026, 10, 28), 3),
    )
    assert stats.answers == 13
    # One visible idea (the hidden one and the previewer's do not count), after midnight.
    assert [d.count for d in stats.ideas_per_day] == [0, 0, 0, 1, 0]
    assert stats.ideas == 1


async def test_days_in_utc_differ(storage: Storage, garden: int) -> None:
    """The same answers bucketed in UTC: proof that the zone is applied, not assumed."""
    stats = await _stats(storage, timezone="UTC")
    assert [(d.day.day, d.count) for d in stats.answers_per_day] == [
        (24, 5),
        (25, 2),
        (26, 3),
        (27, 0),
        (28, 3),
    ]


async def test_half_hour_zones_bucket_correctly(storage: Storage) -> None:
    cid = await _load(storage, "valid.yaml")
    await _participation(
        storage,
        cid,
        "kolkata",
        answered={
            "municipio": "2026-03-10T18:29:00",  # 23:59 IST, 10 March
            "role": "2026-03-10T18:30:00",  # 00:00 IST, 11 March
        },
    )
    async with storage.uow() as uow:
        days = await uow.stats.answers_per_day(cid, "Asia/Kolkata")
    assert list(days) == [DayCount(date(2026, 3, 10), 1), DayCount(date(2026, 3, 11), 1)]


async def test_open_consultation_runs_to_today(storage: Storage, garden: int) -> None:
    async with storage.engine.begin() as connection:
        await connection.execute(sa.text("UPDATE consultations SET status = 'open'"))
    stats = await _stats(storage)
    assert stats.answers_per_day[0].day == date(2026, 10, 24)
    assert stats.answers_per_day[-1] == DayCount(date(2026, 11, 2), 0)  # the clock's today


async def test_empty_consultation(storage: Storage) -> None:
    await _load(storage, "valid.yaml")
    stats = await _stats(storage)
    assert stats.is_empty and stats.participants == 0
    assert stats.completion_rate is None and stats.median_completion is None
    assert stats.answers_per_day == () and stats.top_drop_offs() == []
    assert all(q.reached == 0 for q in stats.questions)


async def test_unknown_slug_lists_the_known_ones(storage: Storage, garden: int) -> None:
    outcome = await consultation_stats(storage.uow, CLOCK, None, "nope", "Europe/Rome")
    assert outcome == UnknownConsultation("nope", ("ideas-2026", "test-garden"))


async def test_staff_views_are_audited(storage: Storage, garden: int) -> None:
    analyst = Actor(telegram_user_id=42, role=Role.ANALYST, staff_id=None)
    outcome = await consultation_stats(storage.uow, CLOCK, analyst, "test-garden")
    assert isinstance(outcome, ConsultationStats)
    async with storage.engine.connect() as connection:
        rows = (await connection.execute(sa.select(audit_log))).mappings().all()
    assert [(r["action"], r["target"]) for r in rows] == [
        ("stats.viewed", "consultation:test-garden")
    ]


async def test_someone_without_a_staff_role_is_refused(storage: Storage, garden: int) -> None:
    # Defence in depth: a role outside the stats roles (forged Actor) is refused and audited.
    stranger = Actor(telegram_user_id=7, role="citizen", staff_id=None)  # type: ignore[arg-type]
    outcome = await consultation_stats(storage.uow, CLOCK, stranger, "test-garden")
    assert outcome == NotAllowed("stats")
    async with storage.engine.connect() as connection:
        actions = (await connection.execute(sa.select(audit_log.c.action))).scalars().all()
    assert actions == ["denied"]


async def test_erased_people_no_longer_count(storage: Storage, garden: int) -> None:
    async with storage.engine.connect() as connection:
        p2 = (
            await connection.execute(
                sa.select(participants.c.id).where(participants.c.pseudonym == "pseudo-p2")
            )
        ).scalar_one()
    async with storage.uow() as uow:
        await uow.participants.delete(p2)
        await uow.commit()
    stats = await _stats(storage)
    assert (stats.participants, stats.started, stats.completed) == (7, 6, 3)
    assert stats.median_completion == timedelta(seconds=270)  # 120, 270, 300
    assert [d.count for d in stats.answers_per_day] == [3, 1, 4, 0, 3]
