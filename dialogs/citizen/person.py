"""Who is writing, in which language: looked up once per update, stored nowhere.

A router-level outer middleware puts a :class:`Person` into every citizen handler's data. The
pseudonym is computed from the Telegram id and the pepper; the participant row is only *read*
(someone who never agreed to anything has none, and looking them up must not create one).
The language is the citizen's own choice when stored (``/lang``, or the language they joined
in), a ``/lang`` choice kept in the FSM before they joined, else Telegram's ``language_code``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from dialogs.i18n import LANGUAGES, normalise_language
from surveys.definition import SurveyDefinition
from surveys.entities import Participant
from surveys.ports import UnitOfWorkFactory
from surveys.pseudonyms import pseudonym
from surveys.usecases.citizens import find_participant

LANGUAGE_KEY = "language"  # FSM data: a /lang choice made before the person joined anything


@dataclass(frozen=True)
class Person:
    pseudonym: str
    chat_id: int
    language: str
    participant: Participant | None

    @property
    def participant_id(self) -> int | None:
        return self.participant.id if self.participant is not None else None

    def language_for(self, definition: SurveyDefinition) -> str:
        """The person's language if the consultation offers it, else the one it offers."""
        if self.language in definition.languages:
            return self.language
        offered = [code for code in definition.languages if code in LANGUAGES]
        return offered[0] if offered else self.language


def _sender(event: TelegramObject) -> tuple[User | None, int | None]:
    if isinstance(event, Message):
        return event.from_user, event.chat.id
    if isinstance(event, CallbackQuery):
        chat_id = event.message.chat.id if event.message is not None else event.from_user.id
        return event.from_user, chat_id
    return None, None


class PersonMiddleware(BaseMiddleware):
    """Adds ``person`` (or leaves it out for events without a human sender)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user, chat_id = _sender(event)
        uow_factory: UnitOfWorkFactory | None = data.get("uow_factory")
        pepper: bytes | None = data.get("pepper")
        if user is not None and chat_id is not None and uow_factory and pepper:
            name = pseudonym(pepper, user.id)
            participant = await find_participant(uow_factory, name)
            language = participant.language if participant is not None else None
            state: FSMContext | None = data.get("state")
            if language is None and state is not None:
                language = (await state.get_data()).get(LANGUAGE_KEY)
            if language not in LANGUAGES:
                language = normalise_language(user.language_code)
            data["person"] = Person(name, chat_id, language, participant)
        return await handler(event, data)
