"""What every staff role may do: ``/whoami`` (one's role)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import Message

from dialogs.citizen.person import Person
from dialogs.staff.roles import ALL_STAFF, STAFF_COMMANDS, HasRole
from dialogs.staff.text import role_name, translator
from surveys.usecases.staff import Actor


async def on_whoami(message: Message, actor: Actor, person: Person | None = None) -> None:
    _ = translator(message, person)
    await message.answer(_("staff-whoami", role=role_name(_, actor.role)))


def build_router() -> Router:
    router = Router(name="staff-members")
    router.message.filter(
        F.chat.type == ChatType.PRIVATE, Command(*STAFF_COMMANDS), HasRole(ALL_STAFF)
    )
    router.message.register(on_whoami, Command("whoami"))
    return router
