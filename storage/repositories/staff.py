"""Staff members and their one-time invitations.

Claiming an invitation is one conditional UPDATE (``... WHERE used_at IS NULL AND expires_at >
now``): on both dialects the database decides which of two concurrent claims wins, so a token
admits one person only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.repositories._sql import SessionRepository, column_values
from storage.tables import invitations, staff
from surveys.entities import Invitation, Role, StaffMember


def _member(row: RowMapping) -> StaffMember:
    return StaffMember(
        telegram_user_id=row["telegram_user_id"],
        role=Role(row["role"]),
        display_name=row["display_name"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        id=row["id"],
    )


def _invitation(row: RowMapping) -> Invitation:
    return Invitation(
        token=row["token"],
        role=Role(row["role"]),
        created_by=row["created_by"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        id=row["id"],
    )


class SqlStaffRepository(SessionRepository):
    async def get(self, staff_id: int) -> StaffMember | None:
        query = sa.select(staff).where(staff.c.id == staff_id)
        row = (await self.session.execute(query)).mappings().one_or_none()
        return _member(row) if row is not None else None

    async def get_by_telegram_user(self, telegram_user_id: int) -> StaffMember | None:
        query = sa.select(staff).where(staff.c.telegram_user_id == telegram_user_id)
        row = (await self.session.execute(query)).mappings().one_or_none()
        return _member(row) if row is not None else None

    async def add(self, member: StaffMember) -> StaffMember:
        insert = sa.insert(staff).values(column_values(member, staff)).returning(staff)
        return _member((await self.session.execute(insert)).mappings().one())

    async def update(self, member: StaffMember) -> None:
        values = column_values(member, staff, skip=("id", "created_at"))
        await self.session.execute(sa.update(staff).where(staff.c.id == member.id).values(values))

    async def revoke(self, staff_id: int, at: datetime) -> bool:
        result = await self.session.execute(
            sa.update(staff)
            .where(staff.c.id == staff_id, staff.c.revoked_at.is_(None))
            .values(revoked_at=at)
            .returning(staff.c.id)
        )
        return result.first() is not None

    async def list_active(self) -> Sequence[StaffMember]:
        query = sa.select(staff).where(staff.c.revoked_at.is_(None)).order_by(staff.c.id)
        return [_member(row) for row in (await self.session.execute(query)).mappings()]


class SqlInvitationRepository(SessionRepository):
    async def add(self, invitation: Invitation) -> Invitation:
        insert = (
            sa.insert(invitations)
            .values(column_values(invitation, invitations))
            .returning(invitations)
        )
        return _invitation((await self.session.execute(insert)).mappings().one())

    async def claim(self, token: str, now: datetime) -> Invitation | None:
        result = await self.session.execute(
            sa.update(invitations)
            .where(
                invitations.c.token == token,
                invitations.c.used_at.is_(None),
                invitations.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(invitations)
        )
        row = result.mappings().one_or_none()
        return _invitation(row) if row is not None else None

    async def get(self, token: str) -> Invitation | None:
        query = sa.select(invitations).where(invitations.c.token == token)
        row = (await self.session.execute(query)).mappings().one_or_none()
        return _invitation(row) if row is not None else None
