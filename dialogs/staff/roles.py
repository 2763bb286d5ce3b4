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
# Each staff module names its commands here, so the denial router (the last one) can turn
# away exactly these and nothing a citizen may legitimately send.
CONSULTATION_COMMANDS: tuple[str, ...] = ()  # dialogs.facilitator.consultations
BROADCAST_COMMANDS: tuple[str, ...] = ()  # dialogs.facilitator.broadcasts
MODERATION_COMMANDS: tuple[str, ...] = ()  # dialogs.facilitator.moderation
STATS_COMMANDS: tuple[str, ...] = ()  # dialogs.facilitator.stats
THEMES_COMMANDS: tuple[str, ...] = ()  # dialogs.analyst.themes
ALL_STAFF = frozenset({Role.ADMIN, Role.FACILITATOR, Role.ANALYST})
FACILITATORS = frozenset({Role.ADMIN, Role.FACILITATOR})


class RevokeStaff(CallbackData, prefix="sr"):
    """The Revoke button of ``/staff``: the staff row id (a few bytes, far below 64)."""

    s: int


REVOKE_PREFIX = RevokeStaff.__prefix__ + RevokeStaff.__separator__

# Callback-data prefixes of staff buttons (``<prefix>:``); a tap by someone without the role
# reaches the denial router. Each staff module adds its own.
STAFF_CALLBACK_PREFIXES: tuple[str, ...] = (REVOKE_PREFIX,)


def roles_for_command(command: str) -> frozenset[Role]:
    """Who may use a staff command (the role matrix tests read it from here)."""
    if command in ADMIN_COMMANDS:
        return frozenset({Role.ADMIN})
    if command in CONSULTATION_COMMANDS + BROADCAST_COMMANDS + MODERATION_COMMANDS:
        return FACILITATORS
    if command in STAFF_COMMANDS + STATS_COMMANDS + THEMES_COMMANDS:
        return ALL_STAFF
    raise KeyError(command)


def staff_only_commands() -> tuple[str, ...]:
    return (
        *ADMIN_COMMANDS,
        *STAFF_COMMANDS,
        *CONSULTATION_COMMANDS,
        *BROADCAST_COMMANDS,
        *MODERATION_COMMANDS,
        *STATS_COMMANDS,
        *THEMES_COMMANDS,
    )


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
