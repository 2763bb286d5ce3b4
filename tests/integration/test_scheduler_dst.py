"""Europe/Rome's daylight-saving changes: quiet hours, typed times and reminder times.

2026's changes: Sunday 29 March, 02:00 CET → 03:00 CEST (the night is an hour shorter);
Sunday 25 October, 03:00 CEST → 02:00 CET (an hour longer). A scheduler that adds fixed UTC
offsets gets each of these an hour wrong; the last test runs a reminder through the database
across the March change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduler import Reconciler, SchedulerSettings
from storage.store import Storage
from surveys.clock import FixedClock
from surveys.entities import ConsultationStatus, Contact, Participant, Participation
from surveys.usecases.scheduling import QuietHours, ReminderPolicy, local_to_utc, reminder_times
from tests.integration.test_scheduler import make_consultation

QUIET = QuietHours(21, 9, "Europe/Rome")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "quiet"),
    [
        (utc(2026, 3, 28, 20, 30), True),  # 21:30 CET, Saturday before the change
        (utc(2026, 3, 29, 19, 30), True),  # 21:30 CEST: +1 would call it 20:30
        (utc(2026, 3, 29, 18, 30), False),  # 20:30 CEST
        (utc(2026, 3, 29, 7, 30), False),  # 09:30 CEST: +1 would call it 08:30
        (utc(2026, 3, 29, 6, 30), True),  # 08:30 CEST
        (utc(2026, 10, 25, 7, 30), True),  # 08:30 CET: +2 would call it 09:30
        (utc(2026, 10, 25, 8, 30), False),  # 09:30 CET
        (utc(2026, 10, 24, 19, 30), True),  # 21:30 CEST, Saturday before the change
        (utc(2026, 10, 25, 19, 30), False),  # 20:30 CET: +2 would call it 21:30
    ],
)
def test_quiet_hours_follow_local_time(at: datetime, quiet: bool) -> None:
    assert QUIET.is_quiet(at) is quiet


def test_quiet_nights_of_the_changes_end_at_nine_local() -> None:
    # March: 21:00 CET → 09:00 CEST is 10 hours; October: 21:00 CEST → 09:00 CET is 13 hours.
    assert QUIET.postpone(utc(2026, 3, 28, 20, 0)) == utc(2026, 3, 29, 7, 0)
    assert QUIET.postpone(utc(2026, 3, 29, 1, 30)) == utc(2026, 3, 29, 7, 0)
    assert QUIET.postpone(utc(2026, 10, 24, 19, 0)) == utc(2026, 10, 25, 8, 0)
    assert QUIET.postpone(utc(2026, 10, 25, 1, 30)) == utc(2026, 10, 25, 8, 0)
    not_quiet = utc(2026, 3, 29, 12, 0)
    assert QUIET.postpone(not_quiet) == not_quiet


def test_typed_local_times_on_the_change_days() -> None:
    # 18:00 typed on either side of each change
    assert local_to_utc(datetime(2026, 3, 28, 18, 0)) == utc(2026, 3, 28, 17, 0)
    assert local_to_utc(datetime(2026, 3, 29, 18, 0)) == utc(2026, 3, 29, 16, 0)
    assert local_to_utc(datetime(2026, 10, 25, 18, 0)) == utc(2026, 10, 25, 17, 0)
    assert local_to_utc(datetime(2026, 10, 24, 18, 0)) == utc(2026, 10, 24, 16, 0)
    # 02:30 does not exist on 29 March: it lands after the gap, at 03:30 CEST
    assert local_to_utc(datetime(2026, 3, 29, 2, 30)) == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 25 October: the first time, in summer time
    assert local_to_utc(datetime(2026, 10, 25, 2, 30)) == utc(2026, 10, 25, 0, 30)
    with pytest.raises(ValueError, match="naive"):
        local_to_utc(utc(2026, 1, 1))


def test_reminders_are_hours_before_closing_and_never_in_quiet_hours() -> None:
    policy = ReminderPolicy(hours_before=(24, 3))
    # Closes Monday 30 March 08:00 CEST. 24 h earlier is 08:00 CEST on the Sunday of the
    # change (quiet: moved to 09:00 CEST); 3 h earlier is 05:00 CEST (quiet, and 09:00 would
    # be after closing: dropped).
    closes = local_to_utc(datetime(2026, 3, 30, 8, 0))
    assert reminder_times(closes, policy, QUIET) == [utc(2026, 3, 29, 7, 0)]
    # Closes Monday 26 October 12:00 CET: 24 h before is Sunday 12:00 CET, 3 h before 09:00.
    closes = local_to_utc(datetime(2026, 10, 26, 12, 0))
    assert reminder_times(closes, policy, QUIET) == [
        utc(2026, 10, 25, 11, 0),
        utc(2026, 10, 26, 8, 0),
    ]


async def test_a_late_reminder_in_the_short_night_waits_for_nine_local(storage: Storage) -> None:
    """The bot was down at reminder time and comes back at 23:30 on 28 March: the reminder
    runs then, but its messages wait until 09:00 CEST, 07:00 UTC (not 08:00)."""
    closes = local_to_utc(datetime(2026, 3, 30, 20, 0))
    clock = FixedClock(local_to_utc(datetime(2026, 3, 28, 12, 0)))
    consultation = await make_consultation(
        storage, clock, status=ConsultationStatus.OPEN, closes_at=closes
    )
    assert consultation.id is not None
    async with storage.uow() as uow:
        person = await uow.participants.add(Participant(pseudonym="late"))
        assert person.id is not None
        await uow.participants.set_contact(Contact(person.id, 4242))
        await uow.participations.add(Participation(person.id, consultation.id, 1))
        await uow.commit()
    settings = SchedulerSettings(quiet=QUIET, reminders=ReminderPolicy(hours_before=(48,)))
    reconciler = Reconciler(storage, clock, worker="dst", settings=settings)
    await reconciler.tick()  # plans the reminder for 30 March 20:00 − 48 h = 28 March 20:00
    clock.set(local_to_utc(datetime(2026, 3, 28, 23, 30)))
    report = await reconciler.tick()
    assert [a.outcome["enqueued"] for a in report.applied] == [1]
    async with storage.uow() as uow:
        assert await uow.outbox.due(clock.now(), 10) == []
        assert [r.participant_id for r in await uow.outbox.due(utc(2026, 3, 29, 7, 0), 10)] == [
            person.id
        ]
        assert await uow.outbox.due(utc(2026, 3, 29, 7, 0) - timedelta(seconds=1), 10) == []
