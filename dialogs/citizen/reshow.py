"""Show a citizen their current screen again, after a reply that never reached them.

An update whose effects committed but whose reply was lost (a network timeout on sendMessage,
the process killed between commit and reply) comes back as a redelivery. Handling it again
would apply a typed answer twice, so ``bot.middlewares.unit_of_work`` calls this instead: the
question the citizen now stands at (or the summary), exactly as the lost reply would have
shown it. A citizen with no survey under way gets nothing (as before): there is no screen to
show, and they can always write again.
"""

from __future__ import annotations

from aiogram import Bot

from dialogs.citizen.render import send_position
from dialogs.i18n import LANGUAGES, normalise_language
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.pseudonyms import pseudonym
from surveys.usecases.citizens import active_position, find_participant
from surveys.usecases.rules import CLOSING_GRACE


async def show_current_screen(
    bot: Bot,
    *,
    user_id: int,
    chat_id: int,
    language_code: str | None,
    uow_factory: UnitOfWorkFactory,
    pepper: bytes,
    clock: Clock,
) -> bool:
    """Send the screen the person stands at; False when there is none (nothing sent)."""
    participant = await find_participant(uow_factory, pseudonym(pepper, user_id))
    if participant is None or participant.id is None or participant.blocked_at is not None:
        return False
    position = await active_position(uow_factory, clock, participant.id, grace=CLOSING_GRACE)
    if position is None:
        return False
    language = participant.language or normalise_language(language_code)
    if language not in position.definition.languages:
        offered = [code for code in position.definition.languages if code in LANGUAGES]
        language = offered[0] if offered else language
    await send_position(bot, chat_id, position.participation.consultation_id, position, language)
    return True
