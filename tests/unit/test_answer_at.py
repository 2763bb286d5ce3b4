"""``answer_at`` and ``submit_at``: ``record_answer`` and ``submit`` for a position read earlier.

The typed-answer dialog reads the position (the ``InSurvey`` filter) and used to have
``record_answer`` read the participation and its answers again. ``answer_at`` takes them from
the position; it must still refuse as ``record_answer`` does: a survey closed since the
position was read, a stale question or version, a submitted participation, a bad value.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from surveys.clock import FixedClock
from surveys.ports import UnitOfWorkFactory
from surveys.rejections import RejectionCode
from surveys.usecases import close_consultation, record_answer, submit
from surveys.usecases.citizens import where_is
from surveys.usecases.outcomes import (
    Accepted,
    AlreadyRecorded,
    AlreadySubmitted,
    ConsultationClosed,
    Incomplete,
    Position,
    Rejected,
    Submitted,
)
from surveys.usecases.participation import answer_at, submit_at
from surveys.usecases.rules import CLOSING_GRACE
from tests.fakes import FakeDatabase
from tests.unit.test_answer_by_button import DISTRICT, REST
from tests.unit.test_usecases import NOW, _answers, _consenting_participant, _open_survey


@pytest.fixture
def uow_factory() -> UnitOfWorkFactory:
    return FakeDatabase().uow


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _position(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> tuple[int, Position]:
    await _open_survey(uow_factory, clock)
    participant_id, pid = await _consenting_participant(uow_factory, clock)
    async with uow_factory() as uow:
        participation = await uow.participations.get(pid)
    assert participation is not None
    position = await where_is(uow_factory, participant_id, participation.consultation_id)
    assert position is not None and position.question is not None
    return pid, position


async def test_the_current_question_is_answered_and_the_next_one_follows(
    uow_factory, clock
) -> None:
    pid, position = await _position(uow_factory, clock)
    assert position.question is not None and position.question.key == "municipio"

    outcome = await answer_at(uow_factory, clock, position, "municipio", 1, DISTRICT)

    assert isinstance(outcome, Accepted)
    assert outcome.position.question is not None
    assert outcome.position.question.key == REST[0][0]
    assert await _answers(uow_factory, pid) == {"municipio": DISTRICT}
    # The next answer goes on from the stored position, as with record_answer.
    key, value = REST[0]
    assert isinstance(await record_answer(uow_factory, clock, pid, key, 1, value), Accepted)


async def test_a_position_answered_since_is_already_recorded_and_writes_nothing(
    uow_factory, clock
) -> None:
    pid, position = await _position(uow_factory, clock)
    assert isinstance(
        await record_answer(uow_factory, clock, pid, "municipio", 1, DISTRICT), Accepted
    )
    # A stale key (the question of a position read before that answer), or another version.
    stale = await answer_at(uow_factory, clock, position, REST[0][0], 1, True)
    other_version = await answer_at(uow_factory, clock, position, "municipio", 2, DISTRICT)

    assert isinstance(stale, AlreadyRecorded)
    assert isinstance(other_version, AlreadyRecorded)
    assert await _answers(uow_factory, pid) == {"municipio": DISTRICT}


async def test_a_survey_closed_since_the_position_was_read_refuses(uow_factory, clock) -> None:
    pid, position = await _position(uow_factory, clock)
    await close_consultation(uow_factory, clock, "cura")

    refused = await answer_at(uow_factory, clock, position, "municipio", 1, DISTRICT)
    clock.advance(timedelta(minutes=10))  # within the closing grace: still taken
    graced = await answer_at(
        uow_factory, clock, position, "municipio", 1, DISTRICT, grace=CLOSING_GRACE
    )

    assert isinstance(refused, ConsultationClosed)
    assert isinstance(graced, Accepted)
    assert await _answers(uow_factory, pid) == {"municipio": DISTRICT}


async def test_a_submitted_participation_and_a_bad_value_are_refused(uow_factory, clock) -> None:
    pid, position = await _position(uow_factory, clock)
    rejected = await answer_at(uow_factory, clock, position, "municipio", 1, {"district": "x"})
    assert isinstance(rejected, Rejected)
    assert rejected.rejection.code is RejectionCode.UNKNOWN_DISTRICT
    assert await _answers(uow_factory, pid) == {}

    assert isinstance(
        await record_answer(uow_factory, clock, pid, "municipio", 1, DISTRICT), Accepted
    )
    for key, value in REST:
        assert isinstance(await record_answer(uow_factory, clock, pid, key, 1, value), Accepted)
    await submit(uow_factory, clock, pid)
    async with uow_factory() as uow:
        participation = await uow.participations.get(pid)
    assert participation is not None
    submitted = Position(participation, position.definition, {}, position.question)
    assert isinstance(
        await answer_at(uow_factory, clock, submitted, "municipio", 1, DISTRICT),
        AlreadySubmitted,
    )


async def test_submit_at_hands_in_a_complete_participation_and_refuses_as_submit(
    uow_factory, clock
) -> None:
    pid, position = await _position(uow_factory, clock)
    incomplete = await submit_at(uow_factory, clock, position)
    assert isinstance(incomplete, Incomplete)

    assert isinstance(
        await record_answer(uow_factory, clock, pid, "municipio", 1, DISTRICT), Accepted
    )
    for key, value in REST:
        assert isinstance(await record_answer(uow_factory, clock, pid, key, 1, value), Accepted)
    participant_id = position.participation.participant_id
    consultation_id = position.participation.consultation_id
    complete = await where_is(uow_factory, participant_id, consultation_id)
    assert complete is not None and complete.at_summary
    await close_consultation(uow_factory, clock, "cura")
    assert isinstance(await submit_at(uow_factory, clock, complete), ConsultationClosed)

    submitted = await submit_at(uow_factory, clock, complete, grace=CLOSING_GRACE)
    assert isinstance(submitted, Submitted)
    again = await where_is(uow_factory, participant_id, consultation_id)
    assert again is not None
    assert isinstance(await submit_at(uow_factory, clock, again), AlreadySubmitted)
