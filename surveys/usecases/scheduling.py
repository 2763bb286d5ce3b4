"""The schedule as data: plan each consultation's opens, closes, reminders and retention as
rows with due times, and apply a due row exactly once.

Times are stored in UTC. Local rules (quiet hours, typed dates) are computed in the city's
time zone with ``zoneinfo``, so they follow the daylight-saving changes: the night of the March
change is one hour shorter, the October one an hour longer, and "09:00" stays 09:00 on the wall.

``sync_schedules`` is idempotent: it makes the pending rows match the consultations (a moved
closing time cancels the old rows and adds new ones; history is never rewritten), so every
way of changing a consultation (a YAML load, a facilitator's "extend") is picked up by the
next reconciler tick. ``run_due_item`` claims one due row and applies it in the same
transaction, so its effects and its ``done`` mark commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from surveys.entities import (
    AuditEntry,
    Consultation,
    ConsultationStatus,
    OutboxMessage,
    ScheduleItem,
    ScheduleKind,
    ScheduleStatus,
)
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.usecases.rules import definition_of

DEFAULT_TIMEZONE = "Europe/Rome"

# Rows a sync may cancel when a consultation changes; retention is handled on its own.
_PLANNED_KINDS = (ScheduleKind.OPEN, ScheduleKind.CLOSE, ScheduleKind.REMINDER)

# When the nightly re-clustering of open consultations runs (local time, quiet for people).
NIGHTLY_THEMES_AT = time(3, 0)


# --- local time -------------------------------------------------------------------------------


def local_to_utc(wall_time: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """A naive wall-clock time in ``timezone`` as an aware UTC datetime.

    A time the spring change skips (02:30 on the last Sunday of March in Rome) lands after the
    gap (03:30 summer time); a time the autumn change repeats (02:30 on the last Sunday of
    October) means its first occurrence, in summer time. Python's ``fold=0`` gives both.
    """
    if wall_time.tzinfo is not None:
        raise ValueError("local_to_utc takes a naive wall-clock time")
    return wall_time.replace(tzinfo=ZoneInfo(timezone), fold=0).astimezone(UTC)


@dataclass(frozen=True)
class QuietHours:
    """Local hours with no reminders or announcements, ``start`` inclusive, ``end`` exclusive.

    ``21-9`` wraps past midnight; equal hours mean no quiet hours at all.
    """

    start_hour: int = 21
    end_hour: int = 9
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        for hour in (self.start_hour, self.end_hour):
            if not 0 <= hour <= 23:
                raise ValueError(f"quiet hours must be 0-23, not {hour}")
        ZoneInfo(self.timezone)  # an unknown zone fails here, at start-up

    @classmethod
    def parse(cls, text: str, timezone: str = DEFAULT_TIMEZONE) -> QuietHours:
        """``"21-9"`` (the ``ASCOLTO_QUIET_HOURS`` format)."""
        start, separator, end = text.partition("-")
        if not separator:
            raise ValueError(f"quiet hours look like 21-9, not {text!r}")
        return cls(int(start), int(end), timezone)

    def is_quiet(self, at: datetime) -> bool:
        hour = at.astimezone(ZoneInfo(self.timezone)).hour
        if self.start_hour == self.end_hour:
            return False
        if self.start_hour < self.end_hour:
            return self.start_hour <= hour < self.end_hour
        return hour >= self.start_hour or hour < self.end_hour

    def postpone(self, at: datetime) -> datetime:
        """``at`` itself outside quiet hours, else the moment quiet hours end (UTC)."""
        if not self.is_quiet(at):
            return at
        local = at.astimezone(ZoneInfo(self.timezone))
        end_day = local.date()
        if self.start_hour > self.end_hour and local.hour >= self.start_hour:
            end_day += timedelta(days=1)  # evening: quiet until tomorrow morning
        return local_to_utc(datetime.combine(end_day, time(self.end_hour)), self.timezone)


@dataclass(frozen=True)
class ReminderPolicy:
    """Reminders ``hours_before`` closing, at most ``max_per_person`` to each participant."""

    hours_before: tuple[int, ...] = (24,)
    max_per_person: int = 1


# --- planning ---------------------------------------------------------------------------------


@dataclass
class ScheduleChanges:
    added: list[ScheduleItem] = field(default_factory=list)
    cancelled: list[ScheduleItem] = field(default_factory=list)


async def sync_schedules(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    reminders: ReminderPolicy = ReminderPolicy(),
    quiet: QuietHours = QuietHours(),
    nightly_themes: bool = False,
) -> ScheduleChanges:
    """Make every consultation's pending schedule rows match its status and times."""
    now = clock.now()
    changes = ScheduleChanges()
    async with uow_factory() as uow:
        for consultation in await uow.consultations.list():
            await _plan(uow, consultation, now, reminders, quiet, changes, nightly_themes)
        await uow.commit()
    return changes


async def plan_schedule(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    consultation_id: int,
    *,
    reminders: ReminderPolicy = ReminderPolicy(),
    quiet: QuietHours = QuietHours(),
) -> ScheduleChanges:
    """The same for one consultation (call it right after scheduling, opening or closing)."""
    changes = ScheduleChanges()
    async with uow_factory() as uow:
        consultation = await uow.consultations.get(consultation_id)
        if consultation is None:
            raise LookupError(f"no consultation {consultation_id}")
        await _plan(uow, consultation, clock.now(), reminders, quiet, changes)
        await uow.commit()
    return changes


def reminder_times(
    closes_at: datetime, reminders: ReminderPolicy, quiet: QuietHours
) -> list[datetime]:
    """When the reminders for a closing time go out: N hours before, moved out of quiet hours,
    dropped when moving them would reach the closing time."""
    times = set()
    for hours in reminders.hours_before:
        at = quiet.postpone(closes_at - timedelta(hours=hours))
        if at < closes_at:
            times.add(at)
    return sorted(times)


def _desired(
    consultation: Consultation,
    reminders: ReminderPolicy,
    quiet: QuietHours,
) -> set[tuple[ScheduleKind, datetime]]:
    wanted: set[tuple[ScheduleKind, datetime]] = set()
    status = consultation.status
    if status is ConsultationStatus.SCHEDULED and consultation.opens_at is not None:
        wanted.add((ScheduleKind.OPEN, consultation.opens_at))
    closes_at = consultation.closes_at
    if status in (ConsultationStatus.SCHEDULED, ConsultationStatus.OPEN) and closes_at is not None:
        wanted.add((ScheduleKind.CLOSE, closes_at))
        for at in reminder_times(closes_at, reminders, quiet):
            wanted.add((ScheduleKind.REMINDER, at))
    return wanted


async def _plan(
    uow: UnitOfWork,
    consultation: Consultation,
    now: datetime,
    reminders: ReminderPolicy,
    quiet: QuietHours,
    changes: ScheduleChanges,
    nightly_themes: bool = False,
) -> None:
    assert consultation.id is not None
    items = await uow.schedule.for_consultation(consultation.id)
    wanted = {(kind, _utc(at)) for kind, at in _desired(consultation, reminders, quiet)}
    known = {
        (item.kind, _utc(item.due_at))
        for item in items
        if item.status is not ScheduleStatus.CANCELLED
    }
    closed = consultation.status is ConsultationStatus.CLOSED
    for item in items:
        if item.status is not ScheduleStatus.PENDING:
            continue
        if item.kind is ScheduleKind.THEMES:
            keep = consultation.status is ConsultationStatus.OPEN
        else:
            keep = (
                closed
                if item.kind is ScheduleKind.RETENTION
                else (item.kind, _utc(item.due_at)) in wanted
            )
        if not keep and item.id is not None and await uow.schedule.cancel(item.id):
            changes.cancelled.append(item)
    for kind, due_at in sorted(wanted - known):
        if kind is ScheduleKind.REMINDER and due_at < now:
            continue  # too late to remind; a missed open or close still runs at once
        changes.added.append(await uow.schedule.add(ScheduleItem(consultation.id, kind, due_at)))
    if nightly_themes:  # the running bot plans them; tests and one-off commands need not
        await _plan_nightly_themes(uow, consultation, items, now, quiet.timezone)
    has_retention = any(
        item.kind is ScheduleKind.RETENTION and item.status is not ScheduleStatus.CANCELLED
        for item in items
    )
    if closed and not has_retention:
        definition = await definition_of(uow, consultation.id, consultation.current_version)
        closed_at = consultation.closes_at
        if closed_at is None or closed_at > now:
            closed_at = now  # closed early by hand: the retention period starts now
        due_at = closed_at + timedelta(days=definition.retention_days)
        item = ScheduleItem(consultation.id, ScheduleKind.RETENTION, due_at)
        changes.added.append(await uow.schedule.add(item))


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


async def _plan_nightly_themes(
    uow: UnitOfWork,
    consultation: Consultation,
    items: Sequence[ScheduleItem],
    now: datetime,
    timezone: str,
) -> None:
    """An open consultation always has one pending nightly re-clustering, at 03:00 local."""
    if consultation.status is not ConsultationStatus.OPEN or consultation.id is None:
        return
    if any(i.kind is ScheduleKind.THEMES and i.status is ScheduleStatus.PENDING for i in items):
        return
    await uow.schedule.add(
        ScheduleItem(consultation.id, ScheduleKind.THEMES, next_nightly(now, timezone))
    )


def next_nightly(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """The first ``NIGHTLY_THEMES_AT`` local time strictly after ``now`` (UTC)."""
    local = now.astimezone(ZoneInfo(timezone))
    day = local.date()
    at = local_to_utc(datetime.combine(day, NIGHTLY_THEMES_AT), timezone)
    if at <= now:
        at = local_to_utc(datetime.combine(day + timedelta(days=1), NIGHTLY_THEMES_AT), timezone)
    return at


# --- applying a due item ----------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedItem:
    """A schedule item that ran, and what it did (also written to the audit log)."""

    item: ScheduleItem
    outcome: dict[str, Any]


class ItemFailed(Exception):
    """Applying this item raised (the cause is chained); it stays pending."""

    def __init__(self, item: ScheduleItem) -> None:
        super().__init__(f"schedule item {item.id} ({item.kind.value}) failed")
        self.item = item


async def run_due_item(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    worker: str,
    *,
    reminders: ReminderPolicy = ReminderPolicy(),
    quiet: QuietHours = QuietHours(),
    skip: Collection[int] = (),
) -> AppliedItem | None:
    """Claim the earliest due item and apply it, in one transaction; ``None`` when none is due.

    ``skip``: ids of items that failed recently, so that one broken item does not hold up the
    rest. Exactly once: the claim is atomic, and the claim, the effects, the ``done`` mark and the
    audit entry commit together, so a crash or a lost race leaves the item pending for the
    next tick and never half-applied.
    """
    now = clock.now()
    async with uow_factory() as uow:
        item = await uow.schedule.claim_due(now, worker, skip)
        if item is None:
            return None
        assert item.id is not None
        try:
            outcome = await _apply(uow, item, now, reminders, quiet)
        except Exception as error:
            raise ItemFailed(item) from error
        await uow.schedule.finish(item.id, now)
        await uow.audit.add(
            AuditEntry(
                action=f"schedule.{item.kind.value}",
                target=f"consultation:{item.consultation_id}",
                detail={"item": item.id, "worker": worker, **outcome},
                at=now,
            )
        )
        await uow.commit()
    return AppliedItem(item, outcome)


async def _apply(
    uow: UnitOfWork,
    item: ScheduleItem,
    now: datetime,
    reminders: ReminderPolicy,
    quiet: QuietHours,
) -> dict[str, Any]:
    consultation = await uow.consultations.get(item.consultation_id)
    if consultation is None:
        return {"result": "no consultation"}
    if item.kind is ScheduleKind.OPEN:
        return await _open(uow, consultation)
    if item.kind is ScheduleKind.CLOSE:
        return await _close(uow, consultation, now)
    if item.kind is ScheduleKind.REMINDER:
        return await _remind(uow, consultation, item, now, reminders, quiet)
    if item.kind is ScheduleKind.THEMES:
        # The clustering itself runs after this transaction (bot.scheduler starts it): a
        # job of minutes must not hold the claim's transaction open.
        return {"result": "themes due", "slug": consultation.slug}
    return await _erase(uow, consultation)


async def _open(uow: UnitOfWork, consultation: Consultation) -> dict[str, Any]:
    if consultation.status is not ConsultationStatus.SCHEDULED:
        return {"result": f"left {consultation.status.value}"}
    consultation.status = ConsultationStatus.OPEN
    await uow.consultations.update(consultation)
    return {"result": "opened"}


async def _close(uow: UnitOfWork, consultation: Consultation, now: datetime) -> dict[str, Any]:
    if consultation.status is ConsultationStatus.CLOSED:
        return {"result": "already closed"}
    if consultation.closes_at is not None and consultation.closes_at > now:
        return {"result": "closing time moved"}  # extended after this row was planned
    consultation.status = ConsultationStatus.CLOSED
    await uow.consultations.update(consultation)
    return {"result": "closed"}


async def _remind(
    uow: UnitOfWork,
    consultation: Consultation,
    item: ScheduleItem,
    now: datetime,
    reminders: ReminderPolicy,
    quiet: QuietHours,
) -> dict[str, Any]:
    closes_at = consultation.closes_at
    if consultation.status is not ConsultationStatus.OPEN or closes_at is None or closes_at <= now:
        return {"result": "not open", "enqueued": 0}
    # A reminder that ran late (the bot was down) must still respect quiet hours.
    send_at = quiet.postpone(now)
    if send_at >= closes_at:
        return {"result": "quiet until closing", "enqueued": 0}
    assert consultation.id is not None and item.id is not None
    definition = await definition_of(uow, consultation.id, consultation.current_version)
    recipients = await uow.audience.due_for_reminder(consultation.id, reminders.max_per_person)
    messages = []
    for recipient in recipients:
        language = recipient.language if recipient.language in definition.title else None
        language = language or next(iter(definition.title))
        messages.append(
            OutboxMessage(
                dedupe_key=f"reminder:{item.id}:{recipient.participant_id}",
                payload={
                    "kind": "reminder",
                    "slug": consultation.slug,
                    "title": definition.title[language],
                    "closes_at": closes_at.astimezone(UTC).isoformat(),
                    "language": language,
                },
                participant_id=recipient.participant_id,
                not_before=send_at if send_at > now else None,
                batch=f"reminder:{item.id}",
            )
        )
    enqueued = await uow.outbox.enqueue(messages)
    await uow.audience.note_reminded(
        [r.participation_id for r in recipients if r.participation_id is not None]
    )
    return {"result": "reminded", "enqueued": enqueued}


async def _erase(uow: UnitOfWork, consultation: Consultation) -> dict[str, Any]:
    assert consultation.id is not None
    outcome = await uow.retention.anonymise_consultation(consultation.id)
    return {
        "result": "anonymised",
        "participations": outcome.participations_anonymised,
        "ideas": outcome.ideas_anonymised,
        "votes": outcome.votes_anonymised,
        "erased": outcome.participants_erased,
    }
