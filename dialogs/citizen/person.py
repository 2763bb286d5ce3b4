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

from dialogs.citizen.blocked import BlockedGate
from dialogs.i18n import LANGUAGES, normalise_language
from surveys.definition import SurveyDefinition
from surveys.entities import Participant
from surveys.ports import UnitOfWorkFactory
from surveys.pseudonyms import pseudonym
from surveys.usecases.citizens import find_participant

LANGUAGE_KEY = "language"  # FSM data: a /lang choice made before the person joined anything
# FSM data set by a staff member's /preview (dialogs.facilitator.preview): the consultation id
# ("c") and the id of their preview participant ("p"), whose answers never count.
PREVIEW_KEY = "preview"


@dataclass(frozen=True)
class Preview:
    consultation_id: int
    participant_id: int


@dataclass(frozen=True)
class Person:
    pseudonym: str
    chat_id: int
    language: str
    participant: Participant | None
    preview: Preview | None = None

    @property
    def participant_id(self) -> int | None:
        return self.participant.id if self.participant is not None else None

    def participant_id_for(self, consultation_id: int) -> int | None:
        """Who answers this consultation's buttons: the preview participant while previewing
        it, so that a test run never touches the person's own answers."""
        if self.preview is not None and self.preview.consultation_id == consultation_id:
            return self.preview.participant_id
        return self.participant_id

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

    def __init__(self) -> None:
        self.blocked = BlockedGate()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user, chat_id = _sender(event)
        if user is None and isinstance(event, Message) and event.chat.type == "private":
            # No sender in a private chat (Telegram sends none; a forged update can): nobody
            # to answer and nothing to store. Handlers further on may rely on ``person``.
            return None
        uow_factory: UnitOfWorkFactory | None = data.get("uow_factory")
        pepper: bytes | None = data.get("pepper")
        if user is not None and chat_id is not None and uow_factory and pepper:
            name = pseudonym(pepper, user.id)
            participant = await find_participant(uow_factory, name)
            language = participant.language if participant is not None else None
            state: FSMContext | None = data.get("state")
            fsm = await state.get_data() if state is not None else {}
            if language is None:
                language = fsm.get(LANGUAGE_KEY)
            if language not in LANGUAGES:
                language = normalise_language(user.language_code)
            data["person"] = Person(name, chat_id, language, participant, _preview(fsm))
            # Blocked by a facilitator: a polite notice, nothing processed or stored (their
            # /mydata and /delete still work: see dialogs.citizen.blocked).
            blocked = participant is not None and participant.blocked_at is not None
            if blocked and await self.blocked.turn_away(event, data["person"], data):
                return None
        return await handler(event, data)


def _preview(fsm: dict[str, Any]) -> Preview | None:
    value = fsm.get(PREVIEW_KEY)
    if isinstance(value, dict):
        consultation_id, participant_id = value.get("c"), value.get("p")
        if isinstance(consultation_id, int) and isinstance(participant_id, int):
            return Preview(consultation_id, participant_id)
    return None
