"""Ports: what the domain needs from the outside world, as Protocols.

Storage implements the repositories and the unit of work; ``bot`` supplies the clock and the
pepper. Use cases depend only on these, so they run the same against SQLite, PostgreSQL or the
in-memory fakes the unit tests use. A unit of work rolls back unless the use case commits.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from surveys.entities import (
    Answer,
    AuditEntry,
    Consultation,
    ConsultationStatus,
    Contact,
    FreeText,
    Idea,
    Invitation,
    OutboxMessage,
    OutboxProgress,
    Participant,
    Participation,
    ParticipationStatus,
    Recipient,
    RetentionOutcome,
    ScheduleItem,
    StaffMember,
    SurveyVersion,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, time-zone aware (UTC)."""
        ...


class ConsultationRepository(Protocol):
    async def get(self, consultation_id: int) -> Consultation | None: ...

    async def get_by_slug(self, slug: str) -> Consultation | None: ...

    async def list(self, status: ConsultationStatus | None = None) -> Sequence[Consultation]: ...

    async def add(self, consultation: Consultation) -> Consultation:
        """Insert and return it with its ``id`` set."""
        ...

    async def update(self, consultation: Consultation) -> None: ...

    async def add_version(self, version: SurveyVersion) -> None: ...

    async def get_version(self, consultation_id: int, number: int) -> SurveyVersion | None: ...

    async def latest_version(self, consultation_id: int) -> SurveyVersion | None: ...

    async def free_texts(self, consultation_id: int) -> Sequence[FreeText]:
        """Every free-text answer and idea of the consultation (the pool themes are made of)."""
        ...


class ParticipantRepository(Protocol):
    async def get(self, participant_id: int) -> Participant | None: ...

    async def get_by_pseudonym(self, pseudonym: str) -> Participant | None: ...

    async def add(self, participant: Participant) -> Participant: ...

    async def update(self, participant: Participant) -> None: ...

    async def delete(self, participant_id: int) -> None:
        """Erase the person: contact, participations, answers, ideas, votes go with them."""
        ...

    async def set_contact(self, contact: Contact) -> None: ...

    async def get_contact(self, participant_id: int) -> Contact | None: ...

    async def follow(self, participant_id: int, project: str) -> None:
        """Subscribe to a project's announcements (following twice is one follow)."""
        ...

    async def unfollow(self, participant_id: int, project: str | None = None) -> int:
        """End one project's announcements, or every one with ``None``; how many ended."""
        ...

    async def followed_projects(self, participant_id: int) -> Sequence[str]:
        """The projects this participant follows, by name."""
        ...


class ParticipationRepository(Protocol):
    async def get(self, participation_id: int) -> Participation | None: ...

    async def find(self, participant_id: int, consultation_id: int) -> Participation | None: ...

    async def add(self, participation: Participation) -> Participation: ...

    async def update(self, participation: Participation) -> None: ...

    async def list_for_participant(self, participant_id: int) -> Sequence[Participation]: ...

    async def count(
        self, consultation_id: int, status: ParticipationStatus | None = None
    ) -> int: ...


class AnswerRepository(Protocol):
    async def for_participation(self, participation_id: int) -> Sequence[Answer]: ...

    async def put(self, answer: Answer) -> None:
        """Insert or replace the answer to (participation, question)."""
        ...

    async def delete(self, participation_id: int, question_keys: Sequence[str]) -> None: ...

    async def count(self, consultation_id: int) -> int: ...


class IdeaRepository(Protocol):
    async def add(self, idea: Idea) -> Idea: ...

    async def list_for_consultation(self, consultation_id: int) -> Sequence[Idea]: ...

    async def list_for_participant(self, participant_id: int) -> Sequence[Idea]: ...


class ProcessedUpdateRepository(Protocol):
    async def claim(self, update_id: int) -> bool:
        """Record ``update_id``; False when it was already recorded (a redelivery)."""
        ...

    async def is_processed(self, update_id: int) -> bool:
        """Whether ``update_id`` was recorded by a committed unit of work."""
        ...


class AuditRepository(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...

    async def list(self, limit: int = 50) -> Sequence[AuditEntry]:
        """The latest ``limit`` entries, newest first."""
        ...


class StaffRepository(Protocol):
    """Staff members; one row per Telegram user, revoked rows kept for the audit trail."""

    async def get(self, staff_id: int) -> StaffMember | None: ...

    async def get_by_telegram_user(self, telegram_user_id: int) -> StaffMember | None:
        """The member's row, revoked or not."""
        ...

    async def add(self, member: StaffMember) -> StaffMember: ...

    async def update(self, member: StaffMember) -> None: ...

    async def revoke(self, staff_id: int, at: datetime) -> bool:
        """Revoke an active member; False when there is none with that id (or already revoked)."""
        ...

    async def list_active(self) -> Sequence[StaffMember]: ...


class InvitationRepository(Protocol):
    async def add(self, invitation: Invitation) -> Invitation: ...

    async def claim(self, token: str, now: datetime) -> Invitation | None:
        """Mark the invitation used if it is unused and not expired, atomically; the claimed
        invitation, or ``None`` (a second claim of the same token always gets ``None``)."""
        ...

    async def get(self, token: str) -> Invitation | None: ...


class ScheduleRepository(Protocol):
    """Schedule items: opens, closes, reminders and retention, as rows with due times."""

    async def add(self, item: ScheduleItem) -> ScheduleItem: ...

    async def for_consultation(self, consultation_id: int) -> Sequence[ScheduleItem]:
        """Every item of the consultation, whatever its status, by due time."""
        ...

    async def cancel(self, item_id: int) -> bool:
        """Cancel a pending item; False when it was no longer pending."""
        ...

    async def claim_due(
        self, now: datetime, worker: str, skip: Collection[int] = ()
    ) -> ScheduleItem | None:
        """Claim the earliest pending item due at ``now`` (ids in ``skip`` aside) for this
        transaction, or ``None``.

        Atomic: two transactions never claim the same item (``FOR UPDATE SKIP LOCKED`` on
        PostgreSQL, a conditional UPDATE on SQLite). The claim is ``RUNNING`` until ``finish``
        in the same transaction; a rollback makes the item pending again.
        """
        ...

    async def finish(self, item_id: int, now: datetime) -> None: ...


class OutboxRepository(Protocol):
    """The persistent outbox; rows are unique by ``dedupe_key``."""

    async def enqueue(self, messages: Sequence[OutboxMessage]) -> int:
        """Insert the messages whose ``dedupe_key`` is new; how many were inserted."""
        ...

    async def progress(self, batch: str) -> OutboxProgress: ...


class AudienceRepository(Protocol):
    """Who a bulk message may go to: reachable people with a contact who did not /stop."""

    async def participants_of(
        self, consultation_id: int, *, unfinished_only: bool = False
    ) -> Sequence[Recipient]:
        """Participants of the consultation (previews excluded), by participant id."""
        ...

    async def followers_of(self, project: str) -> Sequence[Recipient]: ...

    async def due_for_reminder(
        self, consultation_id: int, max_reminders: int
    ) -> Sequence[Recipient]:
        """Who started and did not finish and had fewer than ``max_reminders`` reminders."""
        ...

    async def note_reminded(self, participation_ids: Sequence[int]) -> None:
        """Count one more reminder for each of these participations."""
        ...


class LeaderLockRepository(Protocol):
    async def acquire(self, name: str, holder: str, now: datetime, expires_at: datetime) -> bool:
        """Take or renew the lock until ``expires_at``; False while someone else holds it."""
        ...

    async def release(self, name: str, holder: str) -> None: ...


class RetentionRepository(Protocol):
    async def anonymise_consultation(self, consultation_id: int) -> RetentionOutcome:
        """Cut every answer, idea and vote of the consultation loose from its author and
        erase the authors who have nothing else left (pseudonym, contact, follows)."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the ``async with`` block without ``commit()`` rolls back.

    The repositories are read-only properties so that an implementation may declare its own
    repository classes (a mutable Protocol attribute would have to be exactly this type).
    """

    @property
    def consultations(self) -> ConsultationRepository: ...

    @property
    def participants(self) -> ParticipantRepository: ...

    @property
    def participations(self) -> ParticipationRepository: ...

    @property
    def answers(self) -> AnswerRepository: ...

    @property
    def ideas(self) -> IdeaRepository: ...

    @property
    def updates(self) -> ProcessedUpdateRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def staff(self) -> StaffRepository: ...

    @property
    def invitations(self) -> InvitationRepository: ...

    @property
    def schedule(self) -> ScheduleRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def audience(self) -> AudienceRepository: ...

    @property
    def leader_locks(self) -> LeaderLockRepository: ...

    @property
    def retention(self) -> RetentionRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
