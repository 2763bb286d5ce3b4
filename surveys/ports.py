"""Ports: what the domain needs from the outside world, as Protocols.

Storage implements the repositories and the unit of work; ``bot`` supplies the clock and the
pepper. Use cases depend only on these, so they run the same against SQLite, PostgreSQL or the
in-memory fakes the unit tests use. A unit of work rolls back unless the use case commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    Participant,
    Participation,
    ParticipationStatus,
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
