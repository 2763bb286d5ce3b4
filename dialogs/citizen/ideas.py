"""Listening mode: /idea, and free text sent outside a survey, become ideas.

An idea goes to the open listening consultation the citizen joined (else the first one open);
it needs consent like an answer, so someone who has not agreed yet gets the consent screen
and is asked to send the idea again afterwards (nothing is kept meanwhile).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from dialogs.citizen.fallbacks import send_expectation
from dialogs.citizen.person import Person
from dialogs.citizen.render import refusal_text, send_consent, text_of
from dialogs.i18n import Translator
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.rejections import explain
from surveys.usecases import record_idea
from surveys.usecases.citizens import listening_target
from surveys.usecases.outcomes import IdeaRecorded, IdeaRejected


class IdeaStates(StatesGroup):
    writing = State()  # after a bare /idea: the next text is the idea


async def _take_idea(
    message: Message,
    text: str,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    target = await listening_target(uow_factory, clock, person.participant_id)
    if target is None:
        await message.answer(Translator(person.language)("idea-no-listening"))
        return
    language = person.language_for(target.definition)
    _ = Translator(language)
    title = text_of(target.definition.title, language)
    if not target.consented or person.participant_id is None:
        await message.answer(_("idea-consent-first", title=title))
        await send_consent(
            bot,
            person.chat_id,
            target.consultation,
            target.definition,
            target.consultation.current_version,
            language,
        )
        return
    outcome = await record_idea(
        uow_factory, clock, person.participant_id, target.consultation.slug, text, language
    )
    if isinstance(outcome, IdeaRecorded):
        await message.answer(_("idea-recorded", title=title))
    elif isinstance(outcome, IdeaRejected):
        await message.answer(explain(outcome.rejection, language))
    else:
        await message.answer(refusal_text(outcome, _))


async def on_idea_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    text = (command.args or "").strip()
    if not text:
        await state.set_state(IdeaStates.writing)
        await message.answer(Translator(person.language)("idea-prompt"))
        return
    await _take_idea(message, text, bot, person, uow_factory, clock)


async def on_written_idea(
    message: Message,
    state: FSMContext,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    await state.set_state(None)
    await _take_idea(message, message.text or "", bot, person, uow_factory, clock)


async def on_free_text(
    message: Message,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    """Text outside a survey: an idea while a listening consultation is open, else guidance."""
    target = await listening_target(uow_factory, clock, person.participant_id)
    if target is None:
        await message.answer(Translator(person.language)("unexpected-text"))
        await send_expectation(message, bot, person, uow_factory, clock)
        return
    await _take_idea(message, message.text or "", bot, person, uow_factory, clock)


def build_router() -> Router:
    """/idea and the text handlers; include after the survey router (typed answers first)."""
    router = Router(name="citizen-ideas")
    router.message.register(on_idea_command, Command("idea"))
    own_text = F.text & ~F.text.startswith("/") & F.forward_origin.is_(None)
    router.message.register(on_written_idea, StateFilter(IdeaStates.writing), own_text)
    router.message.register(on_free_text, own_text)
    return router
