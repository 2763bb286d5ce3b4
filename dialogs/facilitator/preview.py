"""``/preview <slug>`` and the Preview button: a facilitator takes the survey as a test.

Works for drafts and scheduled consultations too. The answers go to the staff member's preview
participant (``surveys.usecases.consultation_admin.start_preview``), never to their own
participation, and never count. The citizen's survey screens and handlers are reused as they
are: the FSM remembers which consultation is being previewed (``dialogs.citizen.person``
``PREVIEW_KEY``), and the survey handlers then answer that consultation's buttons and typed
answers with the preview participation. A second preview starts over.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext

from dialogs.citizen.person import PREVIEW_KEY, Person
from dialogs.citizen.render import send_position, text_of
from dialogs.facilitator.common import stop_waiting
from dialogs.i18n import Translator
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.consultation_admin import PreviewStarted, start_preview
from surveys.usecases.staff import Actor


async def begin_preview(
    bot: Bot,
    chat_id: int,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    state: FSMContext,
    consultation_id: int,
) -> str | None:
    """Start (or restart) the preview and show its first question; an error text otherwise."""
    outcome = await start_preview(
        uow_factory,
        clock,
        actor,
        consultation_id,
        pseudonym=person.pseudonym,
        language=person.language,
    )
    if not isinstance(outcome, PreviewStarted):
        return Translator(person.language)("cons-unknown")
    position = outcome.position
    participation = position.participation
    await stop_waiting(state)
    # A pending idea or a typed date would otherwise take the preview's typed answers.
    await state.set_state(None)
    await state.update_data(
        {PREVIEW_KEY: {"c": consultation_id, "p": participation.participant_id}}
    )
    language = person.language_for(position.definition)
    _ = Translator(language)
    await bot.send_message(
        chat_id,
        _(
            "cons-preview-started",
            title=text_of(position.definition.title, language),
            version=participation.version,
        ),
    )
    await send_position(bot, chat_id, consultation_id, position, language)
    return None
