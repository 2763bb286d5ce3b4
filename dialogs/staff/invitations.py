"""Accepting a staff invitation: ``/start inv-<token>``, the one-time deep link of /invite.

Included before the citizen routers: the citizen deep-link handler ignores ``inv-`` payloads,
but ``/start`` with any other payload would show the list of consultations.
"""

from __future__ import annotations

from collections.abc import Collection

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from dialogs.citizen.person import Person
from dialogs.staff.text import role_name, translator
from surveys.definition import INVITATION_PREFIX
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.staff import (
    AlreadyStaff,
    InvitationAccepted,
    accept_invitation,
)


async def on_invitation(
    message: Message,
    command: CommandObject,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    admin_ids: Collection[int] = frozenset(),
    person: Person | None = None,
) -> None:
    _ = translator(message, person)
    user = message.from_user
    if user is None:
        return
    token = (command.args or "").strip()[len(INVITATION_PREFIX) :]
    outcome = await accept_invitation(
        uow_factory, clock, token, user.id, user.full_name, admin_ids=admin_ids
    )
    if isinstance(outcome, InvitationAccepted):
        text = _("staff-invitation-accepted", role=role_name(_, outcome.member.role))
    elif isinstance(outcome, AlreadyStaff):
        text = _("staff-already", role=role_name(_, outcome.role))
    else:
        text = _(f"staff-invitation-{outcome.problem.value}")
    await message.answer(text)


def build_router() -> Router:
    router = Router(name="staff-invitations")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(
        on_invitation,
        CommandStart(deep_link=True, magic=F.args.startswith(INVITATION_PREFIX)),
    )
    return router
