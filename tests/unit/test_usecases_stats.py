"""``consultation_stats`` against the in-memory fake, driven by the real use cases: people
join, answer, stop, withdraw and submit as they would through the chat."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from surveys.clock import FixedClock
from surveys.definition import Mode, SurveyDefinition
from surveys.entities import Role
from surveys.ports import UnitOfWorkFactory
from surveys.stats import DayCount
from surveys.usecases import (
    give_consent,
    load_consultation,
    record_answer,
    record_idea,
    register_participant,
    submit,
    withdraw_consent,
)
from surveys.usecases.outcomes import ConsentGiven, Submitted
from surveys.usecases.staff import Actor, NotAllowed
from surveys.usecases.stats import (
    ConsultationStats,
    UnknownConsultation,
    consultation_stats,
    list_stats_choices,
)
from tests.fakes import FakeDatabase
from tests.unit.test_usecases import care_survey

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def uow_factory() -> UnitOfWorkFactory:
    return FakeDatabase().uow


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _join(uow_factory: UnitOfWorkFactory, clock: FixedClock, name: str, slug: str) -> int:
    registered = await register_participant(uow_factory, clock, f"pseudo-{name}", "it", 1000)
    assert registered.participant.id is not None
    given = await give_consent(uow_factory, clock, registered.participant.id, slug, "notice-1")
    assert isinstance(given, ConsentGiven) and given.participation.id is not None
    return given.participation.id


async def _stats(
    uow_factory: UnitOfWorkFactory, clock: FixedClock, slug: str = "cura"
) -> ConsultationStats:
    outcome = await consultation_stats(uow_factory, clock, None, slug)
    assert isinstance(outcome, ConsultationStats), outcome
    return outcome


@pytest.fixture
async def people(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> None:
    """One finished in 4 min 30 s, one stopped at the second question, one never answered,
    one withdrew."""
    await load_consultation(uow_factory, care_survey(), clock, open_now=True)
    done = await _join(uow_factory, clock, "done", "cura")
    await record_answer(uow_factory, clock, done, "municipio", 1, {"district": "municipio_3"})
    await record_answer(uow_factory, clock, done, "uses_care", 1, False)
    await record_answer(uow_factory, clock, done, "idea", 1, None)  # skipped: still passed
    clock.advance(timedelta(minutes=4, seconds=30))
    assert isinstance(await submit(uow_factory, clock, done), Submitted)
    halfway = await _join(uow_factory, clock, "halfway", "cura")
    await record_answer(uow_factory, clock, halfway, "municipio", 1, {"district": "municipio_1"})
    await _join(uow_factory, clock, "silent", "cura")
    await _join(uow_factory, clock, "gone", "cura")
    async with uow_factory() as uow:
        gone = await uow.participants.get_by_pseudonym("pseudo-gone")
    assert gone is not None and gone.id is not None
    await withdraw_consent(uow_factory, clock, gone.id, "cura")


@pytest.mark.usefixtures("people")
async def test_counts_rate_and_median(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> None:
    stats = await _stats(uow_factory, clock)
    assert (stats.participants, stats.joined, stats.started, stats.completed) == (3, 3, 2, 1)
    assert stats.withdrawn == 1 and stats.completion_rate == 0.5
    assert stats.median_completion == timedelta(minutes=4, seconds=30)
    assert not stats.is_empty


@pytest.mark.usefixtures("people")
async def test_drop_off_in_survey_order(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> None:
    stats = await _stats(uow_factory, clock)
    assert [(q.key, q.reached, q.answered, q.stopped) for q in stats.questions] == [
        ("municipio", 3, 2, 1),
        ("uses_care", 2, 1, 1),
        ("care_kind", 0, 0, 0),
        ("satisfaction", 0, 0, 0),
        ("idea", 1, 1, 0),
    ]
    assert stats.questions[0].text["it"] == "Municipio?"
    assert [q.key for q in stats.top_drop_offs()] == ["municipio", "uses_care"]


@pytest.mark.usefixtures("people")
async def test_keys_of_older_versions_come_last(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    original = care_survey()
    await load_consultation(
        uow_factory, replace(original, questions=original.questions[:-1]), clock
    )
    stats = await _stats(uow_factory, clock)
    assert [q.key for q in stats.questions][-2:] == ["satisfaction", "idea"]
    assert stats.questions[-1].text == {} and stats.questions[-1].answered == 1


async def test_listening_ideas_per_local_day(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    listening = replace(care_survey("idee"), mode=Mode.LISTENING, questions=())
    await load_consultation(uow_factory, listening, clock, open_now=True)
    await _join(uow_factory, clock, "ideas", "idee")
    async with uow_factory() as uow:
        person = await uow.participants.get_by_pseudonym("pseudo-ideas")
    assert person is not None and person.id is not None
    for at in ("2026-03-10T22:30:00", "2026-03-10T23:30:00", "2026-03-13T08:00:00"):
        clock.set(datetime.fromisoformat(at).replace(tzinfo=UTC))
        await record_idea(uow_factory, clock, person.id, "idee", "Più panchine al parco")
    clock.set(datetime(2026, 3, 14, 10, 0, tzinfo=UTC))
    stats = await _stats(uow_factory, clock, "idee")
    assert stats.mode is Mode.LISTENING and stats.ideas == 3 and stats.questions == ()
    # 23:30 and 00:30 in Rome (CET): two days; open, so the range runs to today.
    assert stats.ideas_per_day == (
        DayCount(date(2026, 3, 10), 1),
        DayCount(date(2026, 3, 11), 1),
        DayCount(date(2026, 3, 12), 0),
        DayCount(date(2026, 3, 13), 1),
        DayCount(date(2026, 3, 14), 0),
    )
    assert [d.count for d in stats.answers_per_day] == [0] * 5


async def test_nobody_yet(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> None:
    await load_consultation(uow_factory, care_survey(), clock, open_now=True)
    stats = await _stats(uow_factory, clock)
    assert stats.is_empty and stats.completion_rate is None and stats.median_completion is None
    assert stats.answers_per_day == ()


async def test_unknown_slug_and_choices(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> None:
    for slug in ("cura", "altra"):
        definition: SurveyDefinition = care_survey(slug)
        await load_consultation(uow_factory, definition, clock)
    outcome = await consultation_stats(uow_factory, clock, None, " NOPE ")
    assert outcome == UnknownConsultation("nope", ("altra", "cura"))
    analyst = Actor(1, Role.ANALYST)
    choices = await list_stats_choices(uow_factory, clock, analyst)
    assert isinstance(choices, list) and [c.slug for c in choices] == ["altra", "cura"]


async def test_the_role_is_checked_again(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> None:
    await load_consultation(uow_factory, care_survey(), clock)
    forged = Actor(1, "citizen")  # type: ignore[arg-type]
    assert await consultation_stats(uow_factory, clock, forged, "cura") == NotAllowed("stats")
    assert await list_stats_choices(uow_factory, clock, forged) == NotAllowed("stats")
    async with uow_factory() as uow:
        assert [e.action for e in await uow.audit.list()] == ["denied", "denied"]
