"""The audit log of staff actions (and of denied attempts)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository, column_values
from storage.tables import audit_log
from surveys.entities import AuditEntry


class SqlAuditRepository(SessionRepository):
    async def add(self, entry: AuditEntry) -> None:
        await self.session.execute(sa.insert(audit_log).values(column_values(entry, audit_log)))

    async def list(self, limit: int = 50) -> Sequence[AuditEntry]:
        query = (
            sa.select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
        )
        return [
            AuditEntry(
                action=row["action"],
                actor_staff_id=row["actor_staff_id"],
                target=row["target"],
                detail=dict(row["detail"] or {}),
                at=row["at"],
                id=row["id"],
            )
            for row in (await self.session.execute(query)).mappings()
        ]
