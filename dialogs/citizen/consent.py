"""Entering a consultation: the consent screen, agreeing (with the age check), declining,
withdrawing, and resuming where one left off.

Reached from the ``open:<slug>`` buttons of /start and from deep links
``t.me/<bot>?start=<slug>``. Nothing is stored until "I agree": someone who declines, or says
they are under the minimum age, leaves no row behind.
"""

from __future__ import annotations

import re

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from dialogs import callbacks as cb
from dialogs import keyboards
from dialogs.citizen.person import PREVIEW_KEY, Person
from dialogs.citizen.render import edit_keyboard, refusal_text, send_consent, send_position
from dialogs.i18n import Translator
from surveys.definition import INVITATION_PREFIX, SLUG_PATTERN, Mode
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases import list_open_consultations, start_participation, withdraw_consent
from surveys.usecases.citizens import join_consultation
from surveys.usecases.outcomes import (
    ConsentRequired,
    ConsentWithdrawn,
    Started,
)
from surveys.usecases.rules import CLOSING_GRACE

OPEN_PREFIX = "open:"  # the /start menu's buttons (dialogs.common)


async def begin(
    bot: Bot, person: Person, uow_factory: UnitOfWorkFactory, clock: Clock, slug: str
) -> None:
    """Resume the citizen's participation in ``slug``, or show its consent screen."""
    _ = Translator(person.language)
    if person.participant_id is not None:
        outcome = await start_participation(
            uow_factory, clock, person.participant_id, slug, grace=CLOSING_GRACE
        )
        if isinstance(outcome, Started):
            position = outcome.position
            language = person.language_for(position.definition)
            if outcome.resumed:
                await bot.send_message(person.chat_id, Translator(language)("resume"))
            consultation_id = position.participation.consultation_id
            await send_position(bot, person.chat_id, consultation_id, position, language)
            return
        if isinstance(outcome, ConsentRequired):
            await send_consent(
                bot,
                person.chat_id,
                outcome.consultation,
                outcome.definition,
                outcome.participation.version
                if outcome.participation
                else outcome.consultation.current_version,
                person.language_for(outcome.definition),
            )
            return
        await bot.send_message(person.chat_id, refusal_text(outcome, _))
        return
    open_now = {
        item.consultation.slug: item for item in await list_open_consultations(uow_factory, clock)
    }
    item = open_now.get(slug)
    if item is None:
        await bot.send_message(person.chat_id, _("consultation-not-open"))
        return
    await send_consent(
        bot,
        person.chat_id,
        item.consultation,
        item.definition,
        item.consultation.current_version,
        person.language_for(item.definition),
    )


async def on_open(
    query: CallbackQuery, bot: Bot, person: Person, uow_factory: UnitOfWorkFactory, clock: Clock
) -> None:
    await query.answer()
    slug = (query.data or "")[len(OPEN_PREFIX) :]
    await begin(bot, person, uow_factory, clock, slug)


async def on_deep_link(
    message: Message,
    command: CommandObject,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    await begin(bot, person, uow_factory, clock, (command.args or "").strip())


async def on_consent(
    query: CallbackQuery,
    callback_data: cb.Consent,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    state: FSMContext,
) -> None:
    """ "I am old enough and I agree": register, record consent, show the first question."""
    outcome = await join_consultation(
        uow_factory,
        clock,
        pseudonym=person.pseudonym,
        language=person.language,
        chat_id=person.chat_id,
        slug=callback_data.slug,
        version=callback_data.v,
    )
    if isinstance(outcome, ConsentRequired):
        language = person.language_for(outcome.definition)
        await query.answer(Translator(language)("notice-changed"), show_alert=True)
        await send_consent(
            bot,
            person.chat_id,
            outcome.consultation,
            outcome.definition,
            outcome.consultation.current_version,
            language,
        )
        return
    if not isinstance(outcome, Started):
        await query.answer(refusal_text(outcome, Translator(person.language)), show_alert=True)
        return
    position = outcome.position
    if (
        person.preview is not None
        and person.preview.consultation_id == position.participation.consultation_id
    ):
        # Staff taking part for real: this consultation's buttons are theirs again, not the
        # preview's (dialogs.facilitator.preview).
        await state.update_data({PREVIEW_KEY: None})
    language = person.language_for(position.definition)
    _ = Translator(language)
    await query.answer()
    # The consent buttons have done their job; a second tap would only resume anyway.
    await edit_keyboard(query, None)
    withdraw = cb.Withdraw(slug=callback_data.slug).pack()
    await bot.send_message(
        person.chat_id,
        _("consent-given"),
        reply_markup=keyboards.single(_("button-withdraw"), withdraw),
    )
    if position.definition.mode is Mode.LISTENING and not position.definition.questions:
        await bot.send_message(person.chat_id, _("listening-ready"))
        return
    consultation_id = position.participation.consultation_id
    await send_position(bot, person.chat_id, consultation_id, position, language)


async def on_decline(query: CallbackQuery, person: Person) -> None:
    _ = Translator(person.language)
    await query.answer()
    await edit_keyboard(query, None)
    if isinstance(query.message, Message):
        await query.message.answer(_("consent-declined"))


async def on_under_age(query: CallbackQuery, callback_data: cb.UnderAge, person: Person) -> None:
    _ = Translator(person.language)
    await query.answer()
    await edit_keyboard(query, None)
    if isinstance(query.message, Message):
        await query.message.answer(_("consent-under-age", count=callback_data.age))


async def on_withdraw(
    query: CallbackQuery,
    callback_data: cb.Withdraw,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    """One tap: the participation is withdrawn and its answers deleted."""
    _ = Translator(person.language)
    if person.participant_id is None:
        await query.answer(_("nothing-to-withdraw"), show_alert=True)
        return
    outcome = await withdraw_consent(uow_factory, clock, person.participant_id, callback_data.slug)
    await query.answer()
    text = (
        _("consent-withdrawn")
        if isinstance(outcome, ConsentWithdrawn)
        else _("nothing-to-withdraw")
    )
    if isinstance(query.message, Message):
        await query.message.answer(text)


def _is_slug(args: str | None) -> bool:
    value = (args or "").strip()
    return bool(re.fullmatch(SLUG_PATTERN, value)) and not value.startswith(INVITATION_PREFIX)


def build_router() -> Router:
    router = Router(name="citizen-consent")
    router.message.register(on_deep_link, CommandStart(deep_link=True, magic=F.args.func(_is_slug)))
    router.callback_query.register(on_open, F.data.startswith(OPEN_PREFIX))
    router.callback_query.register(on_consent, cb.Consent.filter())
    router.callback_query.register(on_decline, cb.Decline.filter())
    router.callback_query.register(on_under_age, cb.UnderAge.filter())
    router.callback_query.register(on_withdraw, cb.Withdraw.filter())
    return router
