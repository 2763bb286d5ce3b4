"""Whatever the bot did not ask for: voice notes, stickers, photos, files, forwarded messages,
locations or contacts out of place. A short, polite explanation in the person's language and
a reminder of what the bot expects now (the current question again, the summary, /start);
nothing is stored.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, Message

from dialogs.citizen.person import Person
from dialogs.citizen.render import send_position, text_of
from dialogs.i18n import Translator, normalise_language
from surveys.definition import Mode
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.citizens import active_position, listening_target
from surveys.usecases.rules import CLOSING_GRACE


def _reason(message: Message) -> str:
    if message.forward_origin is not None:
        return "unexpected-forward"
    if message.voice or message.video_note or message.video or message.audio:
        return "unexpected-voice"
    if message.sticker or message.animation:
        return "unexpected-sticker"
    if message.photo or message.document:
        return "unexpected-photo"
    if message.text:
        return "unexpected-text"
    return "unexpected-other"


async def send_expectation(
    message: Message, bot: Bot, person: Person, uow_factory: UnitOfWorkFactory, clock: Clock
) -> None:
    """Tell the person what the bot is waiting for now."""
    position = None
    if person.participant_id is not None:
        position = await active_position(
            uow_factory, clock, person.participant_id, grace=CLOSING_GRACE
        )
    if position is not None and not (
        position.at_summary and position.definition.mode is Mode.LISTENING
    ):
        language = person.language_for(position.definition)
        _ = Translator(language)
        if position.question is None:
            await message.answer(_("expect-summary"))
            return
        await message.answer(_("expect-question"))
        consultation_id = position.participation.consultation_id
        await send_position(bot, person.chat_id, consultation_id, position, language)
        return
    _ = Translator(person.language)
    lines = [_("expect-start")]
    target = await listening_target(uow_factory, clock, person.participant_id)
    if target is not None:
        lines.append(_("expect-idea", title=text_of(target.definition.title, person.language)))
    await message.answer("\n".join(lines))


async def on_unexpected(
    message: Message, bot: Bot, person: Person, uow_factory: UnitOfWorkFactory, clock: Clock
) -> None:
    await message.answer(Translator(person.language)(_reason(message)))
    await send_expectation(message, bot, person, uow_factory, clock)


def build_forwarded_router() -> Router:
    """Forwarded messages, caught before any handler could take their text as an answer."""
    router = Router(name="citizen-forwarded")
    router.message.register(on_unexpected, F.forward_origin)
    return router


async def on_unknown_tap(query: CallbackQuery, person: Person | None = None) -> None:
    """A button no handler knows (malformed or forged data): answered, so the person's client
    stops its spinner, with the words an unknown command gets; nothing else happens."""
    language = person.language if person else normalise_language(query.from_user.language_code)
    await query.answer(Translator(language)("unknown-command"))


def build_router() -> Router:
    """Every other message or tap nobody handled (include last, after the unknown-command
    reply)."""
    router = Router(name="citizen-fallbacks")
    router.message.register(on_unexpected)
    router.callback_query.register(on_unknown_tap)
    return router
