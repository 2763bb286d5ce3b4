"""``answer_by_button``: one unit of work for a survey button's answer (the citizen hot path).

It must refuse exactly as reading the position (``where_is``) and then ``record_answer`` did,
in the same order. Runs on the fake here and on SQLite and PostgreSQL in
tests/integration/test_answer_by_button_db.py.
"""

from __future__ import annotations

import pytest

from surveys.clock import FixedClock
from surveys.definition import AnswerValue, Question
from surveys.entities import ParticipationStatus
from surveys.ports import UnitOfWorkFactory
from surveys.rejections import Rejection, RejectionCode
from surveys.usecases import close_consultation, record_answer, submit, withdraw_consent
from surveys.usecases.outcomes import (
    Accepted,
    AlreadyRecorded,
    AlreadySubmitted,
    ConsultationClosed,
    Rejected,
    Submitted,
)
from surveys.usecases.participation import NotTakingPart, NotThisButton, answer_by_button
from tests.fakes import FakeDatabase
from tests.unit.test_usecases import (
    NOW,
    _answer_all,
    _answers,
    _consenting_participant,
    _open_survey,
    _participation,
)


@pytest.fixture
def uow_factory() -> UnitOfWorkFactory:
    return FakeDatabase().uow


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


DISTRICT = {"district": "municipio_3"}
# The care survey's answers after the first one (tests/unit/test_usecases.py, _answer_all).
REST: list[tuple[str, AnswerValue]] = [
    ("uses_care", True),
    ("care_kind", "home_care"),
    ("satisfaction", 7),
    ("idea", "Più assistenza domiciliare la sera"),
]


def _giving(value: AnswerValue | Rejection | None, seen: list[str] | None = None):  # type: ignore[no-untyped-def]
    def value_of(question: Question) -> AnswerValue | Rejection | None:
        if seen is not None:
            seen.append(question.key)
        return value

    return value_of


async def _setup(uow_factory, clock) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """An open survey and a consenting participant: (participant, participation, consultation)."""
    await _open_survey(uow_factory, clock)
    participant_id, pid = await _consenting_participant(uow_factory, clock)
    consultation_id = (await _participation(uow_factory, pid)).consultation_id
    return participant_id, pid, consultation_id


async def test_the_button_question_is_answered_and_the_next_one_follows(uow_factory, clock) -> None:
    participant_id, pid, cid = await _setup(uow_factory, clock)
    seen: list[str] = []

    result = await answer_by_button(
        uow_factory, clock, participant_id, cid, 1, 0, _giving(DISTRICT, seen)
    )

    assert seen == ["municipio"]
    assert isinstance(result.outcome, Accepted)
    assert result.definition is not None and result.definition.slug == "cura"
    assert result.outcome.position.question is not None
    assert result.outcome.position.question.key == "uses_care"
    assert await _answers(uow_factory, pid) == {"municipio": DISTRICT}
    assert (await _participation(uow_factory, pid)).current_question == "uses_care"


async def test_no_participation_is_not_taking_part(uow_factory, clock) -> None:
    participant_id, _pid, cid = await _setup(uow_factory, clock)

    stranger = await answer_by_button(
        uow_factory, clock, participant_id + 100, cid, 1, 0, _giving(DISTRICT)
    )
    nobody = await answer_by_button(uow_factory, clock, None, cid, 1, 0, _giving(DISTRICT))
    await withdraw_consent(uow_factory, clock, participant_id, "cura")
    withdrawn = await answer_by_button(
        uow_factory, clock, participant_id, cid, 1, 0, _giving(DISTRICT)
    )

    for result in (stranger, nobody, withdrawn):
        assert isinstance(result.outcome, NotTakingPart)
        assert result.definition is None


async def test_a_button_of_another_version_or_no_question_writes_nothing(
    uow_factory, clock
) -> None:
    participant_id, pid, cid = await _setup(uow_factory, clock)
    seen: list[str] = []

    other_version = await answer_by_button(
        uow_factory, clock, participant_id, cid, 2, 0, _giving(DISTRICT, seen)
    )
    past_the_end = await answer_by_button(
        uow_factory, clock, participant_id, cid, 1, 99, _giving(DISTRICT, seen)
    )
    summary = await answer_by_button(
        uow_factory, clock, participant_id, cid, 1, -1, _giving(DISTRICT, seen)
    )

    for result in (other_version, past_the_end, summary):
        assert isinstance(result.outcome, NotThisButton)
        assert result.definition is not None
    assert seen == []
    assert await _answers(uow_factory, pid) == {}


async def test_a_tap_that_is_no_value_is_rejected_before_anything_else(uow_factory, clock) -> None:
    participant_id, pid, cid = await _setup(uow_factory, clock)
    invalid = Rejection(RejectionCode.INVALID_VALUE)

    result = await answer_by_button(uow_factory, clock, participant_id, cid, 1, 0, _giving(invalid))

    assert isinstance(result.outcome, Rejected)
    assert result.outcome.rejection == invalid
    assert await _answers(uow_factory, pid) == {}


async def test_an_invalid_value_is_rejected_by_the_survey(uow_factory, clock) -> None:
    participant_id, pid, cid = await _setup(uow_factory, clock)

    result = await answer_by_button(
        uow_factory, clock, participant_id, cid, 1, 0, _giving({"district": "atlantis"})
    )

    assert isinstance(result.outcome, Rejected)
    assert await _answers(uow_factory, pid) == {}


async def test_a_double_tap_is_already_recorded(uow_factory, clock) -> None:
    participant_id, pid, cid = await _setup(uow_factory, clock)
    await answer_by_button(uow_factory, clock, participant_id, cid, 1, 0, _giving(DISTRICT))

    again = await answer_by_button(
        uow_factory, clock, participant_id, cid, 1, 0, _giving({"district": "municipio_9"})
    )

    assert isinstance(again.outcome, AlreadyRecorded)
    assert await _answers(uow_factory, pid) == {"municipio": DISTRICT}


async def test_submitted_and_closed_are_refused(uow_factory, clock) -> None:
    participant_id, pid, cid = await _setup(uow_factory, clock)
    await _answer_all(uow_factory, clock, pid)
    assert isinstance(await submit(uow_factory, clock, pid), Submitted)

    after_submit = await answer_by_button(
        uow_factory, clock, participant_id, cid, 1, 0, _giving(DISTRICT)
    )

    assert isinstance(after_submit.outcome, AlreadySubmitted)
    assert after_submit.outcome.participation.status is ParticipationStatus.SUBMITTED

    other, other_pid = await _consenting_participant(uow_factory, clock, name="p2")
    await close_consultation(uow_factory, clock, "cura")
    closed = await answer_by_button(uow_factory, clock, other, cid, 1, 0, _giving(DISTRICT))

    assert isinstance(closed.outcome, ConsultationClosed)
    assert await _answers(uow_factory, other_pid) == {}


async def test_a_preview_in_progress_answers_instead_of_the_own_participation(
    uow_factory, clock
) -> None:
    own, own_pid, cid = await _setup(uow_factory, clock)
    previewer, preview_pid = await _consenting_participant(uow_factory, clock, name="staff")

    result = await answer_by_button(
        uow_factory, clock, own, cid, 1, 0, _giving(DISTRICT), previewer=previewer
    )

    assert isinstance(result.outcome, Accepted)
    assert await _answers(uow_factory, preview_pid) == {"municipio": DISTRICT}
    assert await _answers(uow_factory, own_pid) == {}

    # Once the preview is handed in, the person's own participation answers again.
    for key, value in REST:
        assert isinstance(
            await record_answer(uow_factory, clock, preview_pid, key, 1, value), Accepted
        )
    assert isinstance(await submit(uow_factory, clock, preview_pid), Submitted)
    result = await answer_by_button(
        uow_factory, clock, own, cid, 1, 0, _giving(DISTRICT), previewer=previewer
    )

    assert isinstance(result.outcome, Accepted)
    assert await _answers(uow_factory, own_pid) == {"municipio": DISTRICT}
