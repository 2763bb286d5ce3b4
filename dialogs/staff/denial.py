"""Staff commands and buttons from someone without the role: audited, then the exact answer an
unknown command gets (for a button, the same words and no effect).

Reached only when the role filters of ``dialogs.staff.admin`` and ``dialogs.staff.members``
turned the update away, so everything here is a denial.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from dialogs.citizen.person import Person
from dialogs.common import on_unknown_command
from dialogs.staff.roles import STAFF_CALLBACK_PREFIXES, staff_only_commands
from dialogs.staff.text import translator
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.staff import record_denial


async def on_denied_command(
    message: Message,
    command: CommandObject,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    person: Person | None = None,
) -> None:
    if message.from_user is not None:
        await record_denial(uow_factory, clock, command.command, message.from_user.id)
    await on_unknown_command(message, person)


async def on_denied_tap(
    query: CallbackQuery,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    person: Person | None = None,
) -> None:
    # The action is the button's kind (its prefix), never its data: that may be forged.
    kind = (query.data or "").split(":", 1)[0][:32]
    await record_denial(uow_factory, clock, f"tap:{kind}", query.from_user.id)
    await query.answer(translator(query, person)("unknown-command"))


def build_router() -> Router:
    router = Router(name="staff-denial")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_denied_command, Command(*staff_only_commands()))
    router.callback_query.register(on_denied_tap, F.data.startswith(STAFF_CALLBACK_PREFIXES))
    return router
