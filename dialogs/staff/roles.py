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
CONSULTATION_COMMANDS: tuple[str, ...] = ("consultations", "preview")  # .facilitator
BROADCAST_COMMANDS: tuple[str, ...] = ("broadcast", "broadcasts")  # dialogs.facilitator.broadcasts
MODERATION_COMMANDS: tuple[str, ...] = ("ideas", "answers", "blocked")  # .facilitator.moderation
STATS_COMMANDS: tuple[str, ...] = ("stats",)  # dialogs.facilitator.stats
THEMES_COMMANDS: tuple[str, ...] = ("themes",)  # dialogs.analyst.themes
REPORT_COMMANDS: tuple[str, ...] = ("report", "export")  # dialogs.analyst.reports
DIGEST_COMMANDS: tuple[str, ...] = ("digest",)  # dialogs.facilitator.digest
STATEMENT_COMMANDS: tuple[str, ...] = ("statements",)  # dialogs.facilitator.statements
CONSENSUS_COMMANDS: tuple[str, ...] = ("consensus",)  # dialogs.analyst.consensus
ALL_STAFF = frozenset({Role.ADMIN, Role.FACILITATOR, Role.ANALYST})
FACILITATORS = frozenset({Role.ADMIN, Role.FACILITATOR})


class RevokeStaff(CallbackData, prefix="sr"):
    """The Revoke button of ``/staff``: the staff row id (a few bytes, far below 64)."""

    s: int


REVOKE_PREFIX = RevokeStaff.__prefix__ + RevokeStaff.__separator__

# Callback-data prefixes of staff buttons (``<prefix>:``); a tap by someone without the role
# reaches the denial router. Each staff module adds its own.
STATS_CALLBACK_PREFIX = "sx:"  # dialogs.facilitator.stats.StatsPick
STAFF_CALLBACK_PREFIXES: tuple[str, ...] = (REVOKE_PREFIX, STATS_CALLBACK_PREFIX)
# dialogs.facilitator.broadcasts (audience, "not finished" toggle, send/edit/cancel) and
# dialogs.facilitator.moderation (hide/unhide, block author, unblock, pages).
BROADCAST_PREFIXES = ("bca:", "bct:", "bcx:")
MODERATION_PREFIXES = ("mh:", "mb:", "mu:", "mp:")
STAFF_CALLBACK_PREFIXES += BROADCAST_PREFIXES + MODERATION_PREFIXES
# dialogs.facilitator.screens: Manage (a consultation's screen), Pick (a ready-made time).
CONSULTATION_PREFIXES = ("cn:", "cq:")
STAFF_CALLBACK_PREFIXES += CONSULTATION_PREFIXES
# dialogs.analyst.reports.ReportPick (a consultation button of /report and /export).
REPORT_PREFIXES = ("rp:",)
STAFF_CALLBACK_PREFIXES += REPORT_PREFIXES
# dialogs.facilitator.digest.DigestAction (Italian for everyone, send, edit, cancel).
DIGEST_PREFIXES = ("dg:",)
STAFF_CALLBACK_PREFIXES += DIGEST_PREFIXES
# dialogs.analyst.themes: list page, open a card, act on a theme, merge into, move an answer
# (pick a target, then move), find themes now.
THEMES_PREFIXES = ("tl:", "to:", "ta:", "tm:", "tv:", "tw:", "tr:")
STAFF_CALLBACK_PREFIXES += THEMES_PREFIXES
# dialogs.facilitator.statements: list, accept/reject, write, draft from a theme card, save
# the draft; dialogs.analyst.consensus: a consultation button of /consensus.
STATEMENT_PREFIXES = ("sl:", "st:", "sw:", "sf:", "sv:")
CONSENSUS_PREFIXES = ("cs:",)
STAFF_CALLBACK_PREFIXES += STATEMENT_PREFIXES + CONSENSUS_PREFIXES


def roles_for_command(command: str) -> frozenset[Role]:
    """Who may use a staff command (the role matrix tests read it from here)."""
    if command in ADMIN_COMMANDS:
        return frozenset({Role.ADMIN})
    if command in (
        CONSULTATION_COMMANDS + BROADCAST_COMMANDS + MODERATION_COMMANDS + DIGEST_COMMANDS
    ):
        return FACILITATORS
    if command in STAFF_COMMANDS + STATS_COMMANDS + THEMES_COMMANDS + REPORT_COMMANDS:
        return ALL_STAFF
    if command in STATEMENT_COMMANDS:
        return FACILITATORS
    if command in CONSENSUS_COMMANDS:
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
        *REPORT_COMMANDS,
        *DIGEST_COMMANDS,
        *STATEMENT_COMMANDS,
        *CONSENSUS_COMMANDS,
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
