"""Consultations run from the chat (``surveys.usecases.consultation_admin``) on SQLite and
PostgreSQL: uploads, versions, typed schedules across Rome's clock changes, open / close /
extend with their schedule rows, previews that never count, and the role checked again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage.store import Storage
from surveys.clock import FixedClock
from surveys.entities import ConsultationStatus, Role, ScheduleKind, ScheduleStatus
from surveys.format import parse_definition
from surveys.schedule_input import Unreadable, parse_moment
from surveys.usecases.consultation_admin import (
    Changed,
    ConsultationView,
    PreviewStarted,
    Problem,
    Refused,
    UnknownConsultation,
    Uploaded,
    close_now,
    extend,
    list_consultations,
    open_now,
    preview_participant,
    publish,
    set_closing,
    set_opening,
    start_preview,
    upload_consultation,
)
from surveys.usecases.outcomes import Accepted, LoadChange, Submitted
from surveys.usecases.participation import record_answer, submit
from surveys.usecases.staff import Actor, NotAllowed

NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 15:00 in Rome
ADMIN = Actor(1, Role.ADMIN)
FACILITATOR = Actor(2, Role.FACILITATOR)
ANALYST = Actor(3, Role.ANALYST)
ROME = "Europe/Rome"

YAML = """\
slug: orto
project: Orti
title: {{it: "Orto", en: "Garden"}}
intro: {{it: "Due domande.", en: "Two questions."}}
privacy_notice: {{it: "Titolare: Comune.", en: "Controller: City."}}
{schedule}questions:
  - key: role
    type: single_choice
    text: {{it: "{question}", en: "Who are you?"}}
    options:
      - {{value: gardener, label: {{it: "Coltivo", en: "I garden"}}}}
      - {{value: neighbour, label: {{it: "Abito vicino", en: "I live nearby"}}}}
  - key: idea
    type: free_text
    text: {{it: "Un'idea?", en: "An idea?"}}
"""


def definition(question: str = "Chi sei?", schedule: str = "") -> Any:
    result = parse_definition(YAML.format(question=question, schedule=schedule), "orto.yaml")
    assert result.ok and result.definition is not None, result.errors
    return result.definition


async def uploaded(storage: Storage, clock: FixedClock) -> ConsultationView:
    outcome = await upload_consultation(storage.uow, clock, FACILITATOR, definition())
    assert isinstance(outcome, Uploaded)
    return outcome.view


async def actions(storage: Storage) -> list[tuple[str, str | None]]:
    async with storage.uow() as uow:
        entries = await uow.audit.list(500)
    return [(e.action, e.target) for e in reversed(entries)]


async def pending(storage: Storage, consultation_id: int) -> set[tuple[ScheduleKind, datetime]]:
    async with storage.uow() as uow:
        items = await uow.schedule.for_consultation(consultation_id)
    return {(i.kind, i.due_at.astimezone(UTC)) for i in items if i.status is ScheduleStatus.PENDING}


def moment(text: str, clock: FixedClock) -> datetime:
    parsed = parse_moment(text, clock.now(), timezone=ROME)
    assert not isinstance(parsed, Unreadable), parsed
    return parsed


async def test_upload_is_a_draft_and_a_change_a_new_version(storage: Storage) -> None:
    clock = FixedClock(NOW)
    view = await uploaded(storage, clock)
    assert view.consultation.status is ConsultationStatus.DRAFT
    assert (view.consultation.current_version, view.participants) == (1, 0)
    again = await upload_consultation(storage.uow, clock, ADMIN, definition())
    assert isinstance(again, Uploaded) and again.change is LoadChange.UNCHANGED
    changed = await upload_consultation(storage.uow, clock, FACILITATOR, definition("Tu chi sei?"))
    assert isinstance(changed, Uploaded) and changed.change is LoadChange.NEW_VERSION
    async with storage.uow() as uow:
        first = await uow.consultations.get_version(view.id, 1)
        second = await uow.consultations.get_version(view.id, 2)
    assert first is not None and second is not None
    assert first.definition.questions[0].text["it"] == "Chi sei?"
    assert second.definition.questions[0].text["it"] == "Tu chi sei?"
    assert await actions(storage) == [
        ("consultation.draft_created", "consultation:orto"),
        ("consultation.uploaded_unchanged", "consultation:orto"),
        ("consultation.new_version", "consultation:orto"),
    ]


async def test_a_file_with_an_opening_is_scheduled_and_a_file_without_keeps_chat_times(
    storage: Storage,
) -> None:
    clock = FixedClock(NOW)
    schedule = "schedule: {opens_at: 2027-01-10 09:00, closes_at: 2027-02-10 18:00}\n"
    outcome = await upload_consultation(
        storage.uow, clock, FACILITATOR, definition(schedule=schedule)
    )
    assert isinstance(outcome, Uploaded)
    view = outcome.view
    assert view.consultation.status is ConsultationStatus.SCHEDULED
    assert view.consultation.opens_at == datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    assert await pending(storage, view.id) >= {
        (ScheduleKind.OPEN, datetime(2027, 1, 10, 8, 0, tzinfo=UTC)),
        (ScheduleKind.CLOSE, datetime(2027, 2, 10, 17, 0, tzinfo=UTC)),
    }
    # A corrected survey without a schedule keeps the times (and the status).
    fixed = await upload_consultation(storage.uow, clock, FACILITATOR, definition("Chi?"))
    assert isinstance(fixed, Uploaded) and fixed.change is LoadChange.NEW_VERSION
    assert fixed.view.consultation.opens_at == view.consultation.opens_at
    assert fixed.view.consultation.closes_at == view.consultation.closes_at
    assert fixed.view.consultation.status is ConsultationStatus.SCHEDULED


async def test_typed_times_across_the_clock_changes_and_publishing(storage: Storage) -> None:
    clock = FixedClock(NOW)
    view = await uploaded(storage, clock)
    # Spring gap: refused by the parser before it reaches the use case.
    gap = parse_moment("28/03/2027 02:30", NOW, timezone=ROME)
    assert isinstance(gap, Unreadable)
    assert isinstance(await publish(storage.uow, clock, FACILITATOR, view.id), Refused)
    opening = moment("27/03/2027 10:00", clock)  # winter time, UTC+1
    closing = moment("31/10/2027 02:30", clock)  # autumn repeat: the first one, UTC+2
    assert opening == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)
    assert closing == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    outcome = await set_opening(storage.uow, clock, FACILITATOR, view.id, opening)
    assert isinstance(outcome, Changed)
    outcome = await set_closing(storage.uow, clock, FACILITATOR, view.id, closing)
    assert isinstance(outcome, Changed)
    assert outcome.view.consultation.status is ConsultationStatus.DRAFT
    assert await pending(storage, view.id) == set()  # a draft waits for "publish"
    published = await publish(storage.uow, clock, FACILITATOR, view.id)
    assert isinstance(published, Changed)
    assert published.view.consultation.status is ConsultationStatus.SCHEDULED
    items = await pending(storage, view.id)
    assert (ScheduleKind.OPEN, opening) in items and (ScheduleKind.CLOSE, closing) in items
    # Refusals: past, closing before opening, opening after closing. Nothing changes.
    for outcome, problem in (
        (
            await set_opening(storage.uow, clock, FACILITATOR, view.id, NOW - timedelta(days=1)),
            Problem.PAST,
        ),
        (
            await set_closing(
                storage.uow, clock, FACILITATOR, view.id, moment("26/03/2027", clock)
            ),
            Problem.CLOSES_BEFORE_OPENS,
        ),
        (
            await set_opening(
                storage.uow, clock, FACILITATOR, view.id, moment("2027-12-01", clock)
            ),
            Problem.OPENS_AFTER_CLOSES,
        ),
        (await publish(storage.uow, clock, FACILITATOR, view.id), Problem.NOT_DRAFT),
    ):
        assert isinstance(outcome, Refused) and outcome.problem is problem
        assert outcome.view.consultation.opens_at == opening
        assert outcome.view.consultation.closes_at == closing


async def test_open_close_extend_and_the_scheduler_rows(storage: Storage) -> None:
    clock = FixedClock(NOW)
    view = await uploaded(storage, clock)
    closing = moment("04/12 23:59", clock)
    await set_closing(storage.uow, clock, FACILITATOR, view.id, closing)
    opened = await open_now(storage.uow, clock, ADMIN, view.id)
    assert isinstance(opened, Changed)
    assert opened.view.consultation.status is ConsultationStatus.OPEN
    assert (ScheduleKind.CLOSE, closing) in await pending(storage, view.id)
    again = await open_now(storage.uow, clock, ADMIN, view.id)
    assert isinstance(again, Refused) and again.problem is Problem.ALREADY_OPEN
    extended = await extend(storage.uow, clock, FACILITATOR, view.id, days=7, timezone=ROME)
    assert isinstance(extended, Changed) and not extended.reopened
    assert extended.view.consultation.closes_at == moment("11/12 23:59", clock)
    items = await pending(storage, view.id)
    assert (ScheduleKind.CLOSE, closing) not in items
    assert (ScheduleKind.CLOSE, moment("11/12 23:59", clock)) in items
    clock.advance(timedelta(hours=1))
    closed = await close_now(storage.uow, clock, FACILITATOR, view.id)
    assert isinstance(closed, Changed)
    assert closed.view.consultation.status is ConsultationStatus.CLOSED
    assert closed.view.consultation.closes_at == clock.now()
    kinds = {kind for kind, _ in await pending(storage, view.id)}
    assert kinds == {ScheduleKind.RETENTION}
    # Extending a closed consultation reopens it until the new closing time.
    reopened = await extend(storage.uow, clock, FACILITATOR, view.id, days=1, timezone=ROME)
    assert isinstance(reopened, Changed) and reopened.reopened
    assert reopened.view.consultation.status is ConsultationStatus.OPEN
    assert reopened.view.consultation.closes_at == clock.now() + timedelta(days=1)
    assert (ScheduleKind.CLOSE, clock.now() + timedelta(days=1)) in await pending(storage, view.id)
    assert [a for a, _ in await actions(storage)] == [
        "consultation.draft_created",
        "consultation.closing_set",
        "consultation.opened",
        "consultation.opened.refused",
        "consultation.extended",
        "consultation.closed",
        "consultation.extended",
    ]


async def test_previews_never_count_and_start_over(storage: Storage) -> None:
    clock = FixedClock(NOW)
    view = await uploaded(storage, clock)  # a draft: previews work before anything opens
    started = await start_preview(
        storage.uow, clock, FACILITATOR, view.id, pseudonym="f" * 64, language="it"
    )
    assert isinstance(started, PreviewStarted) and not started.restarted
    participation = started.position.participation
    assert participation.is_preview and participation.id is not None
    for key, value in (("role", "gardener"), ("idea", "Più ombra vicino alle panchine")):
        answered = await record_answer(storage.uow, clock, participation.id, key, 1, value)
        assert isinstance(answered, Accepted), answered
    assert isinstance(await submit(storage.uow, clock, participation.id), Submitted)
    async with storage.uow() as uow:
        assert await uow.participations.count(view.id) == 0
        assert await uow.answers.count(view.id) == 0
        assert await uow.consultations.free_texts(view.id) == []
        assert await uow.audience.participants_of(view.id) == []
    listed = await list_consultations(storage.uow, clock, FACILITATOR)
    assert isinstance(listed, list) and listed[0].participants == 0
    # Again: the same participation, emptied and back at the first question.
    again = await start_preview(
        storage.uow, clock, FACILITATOR, view.id, pseudonym="f" * 64, language="it"
    )
    assert isinstance(again, PreviewStarted) and again.restarted
    assert again.position.participation.id == participation.id
    assert again.position.answers == {} and again.position.question is not None
    assert again.position.question.key == "role"
    async with storage.uow() as uow:
        assert await uow.answers.for_participation(participation.id) == []
    assert await preview_participant(storage.uow, "f" * 64) == participation.participant_id


async def test_the_role_is_checked_again_and_unknown_ids_change_nothing(storage: Storage) -> None:
    clock = FixedClock(NOW)
    view = await uploaded(storage, clock)
    later = NOW + timedelta(days=3)
    calls: list[Any] = [
        lambda actor: upload_consultation(storage.uow, clock, actor, definition("Altro?")),
        lambda actor: list_consultations(storage.uow, clock, actor),
        lambda actor: open_now(storage.uow, clock, actor, view.id),
        lambda actor: close_now(storage.uow, clock, actor, view.id),
        lambda actor: publish(storage.uow, clock, actor, view.id),
        lambda actor: set_opening(storage.uow, clock, actor, view.id, later),
        lambda actor: set_closing(storage.uow, clock, actor, view.id, later),
        lambda actor: extend(storage.uow, clock, actor, view.id, days=1, timezone=ROME),
        lambda actor: start_preview(
            storage.uow, clock, actor, view.id, pseudonym="a" * 64, language="en"
        ),
    ]
    for call in calls:
        assert isinstance(await call(ANALYST), NotAllowed)
    async with storage.uow() as uow:
        stored = await uow.consultations.get(view.id)
        assert stored == view.consultation
        assert await uow.consultations.latest_version(view.id) is not None
        assert (await uow.consultations.latest_version(view.id)).number == 1  # type: ignore[union-attr]
    denied = [a for a in await actions(storage) if a[0] == "denied"]
    assert len(denied) == len(calls)
    before = await actions(storage)
    for call in (
        lambda: open_now(storage.uow, clock, FACILITATOR, 999_999),
        lambda: close_now(storage.uow, clock, FACILITATOR, 999_999),
        lambda: extend(storage.uow, clock, FACILITATOR, 999_999, days=1, timezone=ROME),
        lambda: start_preview(
            storage.uow, clock, FACILITATOR, 999_999, pseudonym="f" * 64, language="it"
        ),
    ):
        assert isinstance(await call(), UnknownConsultation)
    async with storage.uow() as uow:
        assert [c.id for c in await uow.consultations.list()] == [view.id]
    assert len(await actions(storage)) >= len(before)


@pytest.mark.parametrize("typed", ["12/03 18:00", "domani 18:00", "2027-03-12 18:00"])
async def test_typed_moments_stored_as_utc(storage: Storage, typed: str) -> None:
    clock = FixedClock(NOW)
    view = await uploaded(storage, clock)
    at = moment(typed, clock)
    outcome = await set_opening(storage.uow, clock, FACILITATOR, view.id, at)
    assert isinstance(outcome, Changed)
    async with storage.uow() as uow:
        stored = await uow.consultations.get(view.id)
    assert stored is not None and stored.opens_at is not None
    assert stored.opens_at.astimezone(UTC) == at
    assert stored.opens_at.astimezone(UTC).hour == 17  # 18:00 in Rome, winter time
