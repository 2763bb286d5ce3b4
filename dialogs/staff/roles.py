"""The role filter the staff routers carry, and the commands and callbacks they own."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from aiogram.filters import BaseFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message

from surveys.entities import Role
from surveys.ports import UnitOfWorkFactory
from surveys.usecases.staff import role_of

ADMIN_COMMANDS = ("invite", "staff")
STAFF_COMMANDS = ("whoami",)
ALL_STAFF = frozenset({Role.ADMIN, Role.FACILITATOR, Role.ANALYST})


class RevokeStaff(CallbackData, prefix="sr"):
    """The Revoke button of ``/staff``: the staff row id (a few bytes, far below 64)."""

    s: int


REVOKE_PREFIX = RevokeStaff.__prefix__ + RevokeStaff.__separator__


class HasRole(BaseFilter):
    """Passes when the sender holds one of ``roles``; hands handlers the ``actor``.

    ``admin_ids`` (``ASCOLTO_ADMINS``) and ``uow_factory`` come from the dispatcher's data.
    """

    def __init__(self, roles: Collection[Role]) -> None:
        self.roles = frozenset(roles)

    async def __call__(
        self,
        event: Message | CallbackQuery,
        uow_factory: UnitOfWorkFactory | None = None,
        admin_ids: Collection[int] = frozenset(),
    ) -> bool | dict[str, Any]:
        user = event.from_user
        if user is None or uow_factory is None:
            return False
        actor = await role_of(uow_factory, user.id, admin_ids)
        if actor is None or actor.role not in self.roles:
            return False
        return {"actor": actor}
