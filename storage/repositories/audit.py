"""The audit log of staff actions."""

from __future__ import annotations

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository, column_values
from storage.tables import audit_log
from surveys.entities import AuditEntry


class SqlAuditRepository(SessionRepository):
    async def add(self, entry: AuditEntry) -> None:
        await self.session.execute(sa.insert(audit_log).values(column_values(entry, audit_log)))
