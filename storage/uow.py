"""The SQL unit of work: one ``AsyncSession``, one transaction, all the repositories on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import (
    SqlAnswerRepository,
    SqlAudienceRepository,
    SqlAuditRepository,
    SqlConsultationRepository,
    SqlIdeaRepository,
    SqlInvitationRepository,
    SqlLeaderLockRepository,
    SqlOutboxRepository,
    SqlParticipantRepository,
    SqlParticipationRepository,
    SqlProcessedUpdateRepository,
    SqlReportRepository,
    SqlRetentionRepository,
    SqlScheduleRepository,
    SqlStaffRepository,
    SqlStatementRepository,
    SqlStatsRepository,
    SqlThemeRepository,
    SqlVectorStore,
    SqlVoteRepository,
)
from storage.version_cache import CachedConsultationRepository, SurveyVersionCache


class SqlUnitOfWork:
    """Implements ``surveys.ports.UnitOfWork``.

    Usage: ``async with storage.uow() as uow: ...; await uow.commit()``. Leaving the block
    without ``commit()`` (or by an exception) rolls everything back. A unit of work is used
    once: enter it, do the work, leave it.
    """

    consultations: SqlConsultationRepository
    participants: SqlParticipantRepository
    participations: SqlParticipationRepository
    answers: SqlAnswerRepository
    ideas: SqlIdeaRepository
    updates: SqlProcessedUpdateRepository
    audit: SqlAuditRepository
    schedule: SqlScheduleRepository
    outbox: SqlOutboxRepository
    audience: SqlAudienceRepository
    leader_locks: SqlLeaderLockRepository
    retention: SqlRetentionRepository
    staff: SqlStaffRepository
    invitations: SqlInvitationRepository
    stats: SqlStatsRepository
    themes: SqlThemeRepository
    vectors: SqlVectorStore
    reports: SqlReportRepository
    statements: SqlStatementRepository
    votes: SqlVoteRepository

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        versions: SurveyVersionCache | None = None,
    ) -> None:
        self._session_factory = session_factory
        # Survey versions are immutable: read once per process (storage/version_cache.py).
        self._versions = versions
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The open session, for storage code that needs a query no repository has yet."""
        if self._session is None:
            raise RuntimeError("the unit of work is not entered (use `async with`)")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work cannot be entered twice")
        session = self._session = self._session_factory()
        self.consultations = (
            SqlConsultationRepository(session)
            if self._versions is None
            else CachedConsultationRepository(session, self._versions)
        )
        self.participants = SqlParticipantRepository(session)
        self.participations = SqlParticipationRepository(session)
        self.answers = SqlAnswerRepository(session)
        self.ideas = SqlIdeaRepository(session)
        self.updates = SqlProcessedUpdateRepository(session)
        self.audit = SqlAuditRepository(session)
        self.schedule = SqlScheduleRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.audience = SqlAudienceRepository(session)
        self.leader_locks = SqlLeaderLockRepository(session)
        self.retention = SqlRetentionRepository(session)
        self.staff = SqlStaffRepository(session)
        self.invitations = SqlInvitationRepository(session)
        self.stats = SqlStatsRepository(session)
        self.themes = SqlThemeRepository(session)
        self.vectors = SqlVectorStore(session)
        self.reports = SqlReportRepository(session)
        self.statements = SqlStatementRepository(session)
        self.votes = SqlVoteRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # After a commit there is nothing left to roll back; otherwise this discards the work.
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
