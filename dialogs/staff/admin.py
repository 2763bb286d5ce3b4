"""Admin only: ``/invite facilitator|analyst``, ``/staff`` with a Revoke button per person.

The router's filter lets admins through (messages and callbacks alike); everyone else falls
through to ``dialogs.staff.denial``. The use cases check the role again, so a handler called
some other way still cannot act for the wrong person.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.callbacks import unpack_or_none
from dialogs.citizen.person import Person
from dialogs.i18n import Translator
from dialogs.staff.roles import ADMIN_COMMANDS, REVOKE_PREFIX, HasRole, RevokeStaff
from dialogs.staff.text import role_name, translator
from surveys.entities import Role, StaffMember
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.staff import (
    INVITABLE_ROLES,
    Actor,
    InvitationCreated,
    StaffRevoked,
    create_invitation,
    list_staff,
    revoke_staff,
)


async def on_invite(
    message: Message,
    command: CommandObject,
    bot: Bot,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(message, person)
    wanted = (command.args or "").strip().lower()
    if wanted not in {role.value for role in INVITABLE_ROLES}:
        await message.answer(_("staff-invite-usage"))
        return
    outcome = await create_invitation(uow_factory, clock, actor, Role(wanted))
    if not isinstance(outcome, InvitationCreated):
        await message.answer(_("unknown-command"))
        return
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={outcome.payload}"
    await message.answer(
        _("staff-invitation-created", role=role_name(_, Role(wanted)), link=link, hours=72)
    )


def _staff_screen(
    _: Translator, members: Sequence[StaffMember]
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not members:
        return _("staff-list-empty"), None
    lines = [_("staff-list-header", count=len(members))]
    buttons = []
    for member in members:
        name = member.display_name or str(member.telegram_user_id)
        lines.append(_("staff-list-line", name=name, role=role_name(_, member.role)))
        assert member.id is not None
        buttons.append(
            [
                InlineKeyboardButton(
                    text=_("staff-button-revoke", name=name),
                    callback_data=RevokeStaff(s=member.id).pack(),
                )
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=buttons)


async def on_staff(
    message: Message,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(message, person)
    members = await list_staff(uow_factory, clock, actor)
    if not isinstance(members, Sequence):
        await message.answer(_("unknown-command"))
        return
    text, markup = _staff_screen(_, members)
    await message.answer(text, reply_markup=markup)


async def on_revoke(
    query: CallbackQuery,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
) -> None:
    _ = translator(query, person)
    revoke = unpack_or_none(RevokeStaff, query.data)
    # Malformed data: nobody has the id -1, so nothing is revoked.
    staff_id = revoke.s if revoke is not None else -1
    outcome = await revoke_staff(uow_factory, clock, actor, staff_id)
    if isinstance(outcome, StaffRevoked):
        name = outcome.member.display_name or str(outcome.member.telegram_user_id)
        await query.answer(_("staff-revoked", name=name))
        if isinstance(query.message, Message):
            await query.message.answer(_("staff-revoked", name=name))
    else:
        await query.answer(_("staff-not-found"), show_alert=True)


def build_router() -> Router:
    router = Router(name="staff-admin")
    admins_only = HasRole({Role.ADMIN})
    router.message.filter(F.chat.type == ChatType.PRIVATE, Command(*ADMIN_COMMANDS), admins_only)
    router.callback_query.filter(F.data.startswith(REVOKE_PREFIX), admins_only)
    router.message.register(on_invite, Command("invite"))
    router.message.register(on_staff, Command("staff"))
    router.callback_query.register(on_revoke)
    return router
