"""SQL implementations of the repository Protocols in ``surveys.ports``, one module each.

Every repository works on the ``AsyncSession`` of its unit of work and never commits: the
unit of work does, so a use case's writes land together or not at all.
"""

from storage.repositories.answers import SqlAnswerRepository
from storage.repositories.audience import SqlAudienceRepository
from storage.repositories.audit import SqlAuditRepository
from storage.repositories.consultations import SqlConsultationRepository
from storage.repositories.ideas import SqlIdeaRepository
from storage.repositories.locks import SqlLeaderLockRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.participants import SqlParticipantRepository
from storage.repositories.participations import SqlParticipationRepository
from storage.repositories.reports import SqlReportRepository
from storage.repositories.retention import SqlRetentionRepository
from storage.repositories.schedule import SqlScheduleRepository
from storage.repositories.staff import SqlInvitationRepository, SqlStaffRepository
from storage.repositories.stats import SqlStatsRepository
from storage.repositories.themes import SqlThemeRepository
from storage.repositories.updates import SqlProcessedUpdateRepository
from storage.repositories.vectors import SqlVectorStore
from storage.repositories.voting import SqlStatementRepository, SqlVoteRepository

__all__ = [
    "SqlAnswerRepository",
    "SqlAudienceRepository",
    "SqlAuditRepository",
    "SqlConsultationRepository",
    "SqlIdeaRepository",
    "SqlInvitationRepository",
    "SqlLeaderLockRepository",
    "SqlOutboxRepository",
    "SqlParticipantRepository",
    "SqlParticipationRepository",
    "SqlProcessedUpdateRepository",
    "SqlReportRepository",
    "SqlRetentionRepository",
    "SqlScheduleRepository",
    "SqlStaffRepository",
    "SqlStatementRepository",
    "SqlStatsRepository",
    "SqlThemeRepository",
    "SqlVectorStore",
    "SqlVoteRepository",
]
