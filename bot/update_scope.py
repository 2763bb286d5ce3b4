"""One unit of work per Telegram update, with the update id recorded in the same commit.

Telegram delivers at least once, so the id of every processed update is stored in
``processed_updates``. It must be written *in the same transaction* as the update's effects:
written earlier, a crash before the effects commit would make the redelivery look done and
lose the answer; written later, a crash in between would apply a typed answer twice (to the
next question). ``UpdateUnitOfWork`` wraps the storage unit of work of one update and claims the
id on the first commit; a claim that fails means another delivery of the same update won the
race, and the effects are rolled back.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from surveys.ports import (
    AnswerRepository,
    AudienceRepository,
    AuditRepository,
    ConsultationRepository,
    IdeaRepository,
    InvitationRepository,
    LeaderLockRepository,
    OutboxRepository,
    ParticipantRepository,
    ParticipationRepository,
    ProcessedUpdateRepository,
    ReportRepository,
    RetentionRepository,
    ScheduleRepository,
    StaffRepository,
    StatementRepository,
    StatsRepository,
    ThemeRepository,
    UnitOfWork,
    VectorStore,
    VoteRepository,
)


class DuplicateUpdate(Exception):
    """Another delivery of this update already committed its effects."""


class UpdateUnitOfWork:
    """A ``surveys.ports.UnitOfWork`` borrowed by every use case that one update calls.

    ``async with`` blocks on it do not open or close the session (the update does); leaving a
    block without ``commit()`` still rolls back, as use cases expect.
    """

    def __init__(self, inner: UnitOfWork, update_id: int) -> None:
        self._inner = inner
        self.update_id = update_id
        self.claimed = False
        self._committed_in_block = False

    @property
    def consultations(self) -> ConsultationRepository:
        return self._inner.consultations

    @property
    def participants(self) -> ParticipantRepository:
        return self._inner.participants

    @property
    def participations(self) -> ParticipationRepository:
        return self._inner.participations

    @property
    def answers(self) -> AnswerRepository:
        return self._inner.answers

    @property
    def ideas(self) -> IdeaRepository:
        return self._inner.ideas

    @property
    def updates(self) -> ProcessedUpdateRepository:
        return self._inner.updates

    @property
    def audit(self) -> AuditRepository:
        return self._inner.audit

    @property
    def staff(self) -> StaffRepository:
        return self._inner.staff

    @property
    def invitations(self) -> InvitationRepository:
        return self._inner.invitations

    @property
    def outbox(self) -> OutboxRepository:
        return self._inner.outbox

    @property
    def audience(self) -> AudienceRepository:
        return self._inner.audience

    @property
    def schedule(self) -> ScheduleRepository:
        return self._inner.schedule

    @property
    def stats(self) -> StatsRepository:
        return self._inner.stats

    @property
    def reports(self) -> ReportRepository:
        return self._inner.reports

    @property
    def themes(self) -> ThemeRepository:
        return self._inner.themes

    @property
    def vectors(self) -> VectorStore:
        return self._inner.vectors

    @property
    def statements(self) -> StatementRepository:
        return self._inner.statements

    @property
    def votes(self) -> VoteRepository:
        return self._inner.votes

    @property
    def leader_locks(self) -> LeaderLockRepository:
        return self._inner.leader_locks

    @property
    def retention(self) -> RetentionRepository:
        return self._inner.retention

    async def __aenter__(self) -> Self:
        self._committed_in_block = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None or not self._committed_in_block:
            await self._inner.rollback()

    async def commit(self) -> None:
        if not self.claimed:
            if not await self._inner.updates.claim(self.update_id):
                await self._inner.rollback()
                raise DuplicateUpdate(self.update_id)
            self.claimed = True
        await self._inner.commit()
        self._committed_in_block = True

    async def rollback(self) -> None:
        await self._inner.rollback()

    def factory(self) -> UpdateUnitOfWork:
        """Use as the ``UnitOfWorkFactory`` handed to use cases during this update."""
        return self
