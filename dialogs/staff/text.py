"""The staff member's language and the names of roles, for every staff reply."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from dialogs.citizen.person import Person
from dialogs.i18n import Translator, normalise_language
from surveys.entities import Role


def translator(event: Message | CallbackQuery, person: Person | None) -> Translator:
    if person is not None:
        return Translator(person.language)
    user = event.from_user
    return Translator(normalise_language(user.language_code if user else None))


def role_name(_: Translator, role: Role) -> str:
    return _(f"role-{role.value}")
