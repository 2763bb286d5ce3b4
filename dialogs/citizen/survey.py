"""Answering a survey: button taps, typed answers, locations, Back, Skip, Edit, Submit.

A button that answers (an option, Skip, Done) is one use case call, ``answer_by_button``,
which finds the participation, turns the tap into a value and writes (the hot path: one read
of everything). Other handlers read where the citizen stands (``where_is`` /
``active_position``, no writes), turn the text or tap into an answer or a move, call one
committing use case, and show the screen that follows. The use cases refuse stale and double
taps (the button's version and question index no longer match the stored position) with
``AlreadyRecorded``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import BaseFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from dialogs import callbacks as cb
from dialogs.citizen.ideas import IdeaStates
from dialogs.citizen.person import Person
from dialogs.citizen.render import (
    edit_keyboard,
    edit_screen,
    question_text,
    refusal_text,
    send_consent,
    send_position,
    send_submitted,
)
from dialogs.citizen.voting import offer_voting
from dialogs.i18n import Translator
from dialogs.keyboards import QuestionKeys, wants_pin
from surveys import engine
from surveys.definition import AnswerValue, LocationMode, Mode, Question, QuestionType
from surveys.entities import ParticipationStatus
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.rejections import Rejection, RejectionCode, explain
from surveys.usecases import edit_answer, go_back
from surveys.usecases.citizens import (
    active_position,
    followed_projects,
    get_consultation,
    where_is,
)
from surveys.usecases.outcomes import (
    Accepted,
    AlreadyRecorded,
    ConsentRequired,
    Moved,
    NotEditable,
    Position,
    Rejected,
    Submitted,
)
from surveys.usecases.participation import (
    NotThisButton,
    answer_at,
    answer_by_button,
    submit_at,
)
from surveys.usecases.rules import CLOSING_GRACE

TYPED_TYPES = frozenset({QuestionType.FREE_TEXT, QuestionType.NUMBER})
CHOICE_TAPS = frozenset(
    {QuestionType.SINGLE_CHOICE, QuestionType.LOCATION, QuestionType.YES_NO, QuestionType.SCALE}
)


class InSurvey(BaseFilter):
    """Passes when the citizen is in the middle of a survey; hands ``position`` on.

    A listening consultation whose questions are done is not "a survey in progress": free text
    then is an idea.
    """

    async def __call__(
        self, message: Message, person: Person, uow_factory: UnitOfWorkFactory, clock: Clock
    ) -> bool | dict[str, Any]:
        preview = person.preview
        if preview is not None:  # a staff preview in progress comes first
            position = await where_is(uow_factory, preview.participant_id, preview.consultation_id)
            if _under_way(position):
                return {"position": position}
        if person.participant_id is None:
            return False
        position = await active_position(
            uow_factory, clock, person.participant_id, grace=CLOSING_GRACE
        )
        if position is None:
            return False
        if position.at_summary and position.definition.mode is Mode.LISTENING:
            return False
        return {"position": position}


def _under_way(position: Position | None) -> bool:
    return (
        position is not None
        and position.participation.status is ParticipationStatus.IN_PROGRESS
        and not (position.at_summary and position.definition.mode is Mode.LISTENING)
    )


async def _position(
    person: Person, uow_factory: UnitOfWorkFactory, consultation_id: int
) -> Position | None:
    previewer = person.participant_id_for(consultation_id)
    if previewer is not None and previewer != person.participant_id:
        # A staff preview of this consultation answers its buttons while it is under way.
        position = await where_is(uow_factory, previewer, consultation_id)
        if (
            position is not None
            and position.participation.status is ParticipationStatus.IN_PROGRESS
        ):
            return position
    if person.participant_id is None:
        return None
    return await where_is(uow_factory, person.participant_id, consultation_id)


def _question_at(position: Position, version: int, index: int) -> Question | None:
    """The question a button points at, if it belongs to this participation's version."""
    questions = position.definition.questions
    if version != position.participation.version or not 0 <= index < len(questions):
        return None
    return questions[index]


async def _tapped(
    query: CallbackQuery,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    consultation_id: int,
    version: int,
    index: int,
) -> tuple[Position, Question | None, str] | None:
    """What a survey button points at: the position, its question (``None`` for the summary)
    and the language. Answers the query itself, and returns ``None``, when the person has no
    such participation or the button belongs to another survey version."""
    position = await _position(person, uow_factory, consultation_id)
    if position is None:
        await query.answer(Translator(person.language)("please-start"), show_alert=True)
        return None
    language = person.language_for(position.definition)
    if index == cb.SUMMARY and version == position.participation.version:
        return position, None, language
    question = _question_at(position, version, index)
    if question is None:
        await query.answer(Translator(language)("already-recorded"))
        return None
    return position, question, language


async def _tapped_question(
    query: CallbackQuery,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    consultation_id: int,
    version: int,
    index: int,
) -> tuple[Position, Question, str] | None:
    """Like ``_tapped`` for buttons that must point at a question (not the summary)."""
    tapped = await _tapped(query, person, uow_factory, consultation_id, version, index)
    if tapped is None:
        return None
    position, question, language = tapped
    if question is None:
        await query.answer(Translator(language)("already-recorded"))
        return None
    return position, question, language


async def _store(
    query: CallbackQuery,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    position: Position,
    question: Question,
    value: AnswerValue | None,
    language: str,
) -> None:
    """Record one answer given by a button and show what comes next."""
    _ = Translator(language)
    participation = position.participation
    # The position _tapped just read, not read again (surveys/usecases/participation.py).
    outcome = await answer_at(
        uow_factory,
        clock,
        position,
        question.key,
        participation.version,
        value,
        grace=CLOSING_GRACE,
    )
    if isinstance(outcome, Accepted):
        await query.answer(_("answer-recorded"))
        await send_position(
            bot, person.chat_id, participation.consultation_id, outcome.position, language
        )
    elif isinstance(outcome, Rejected):
        await query.answer(explain(outcome.rejection, language), show_alert=True)
    else:
        await _refused(query, bot, person, outcome, language)


async def _refused(
    query: CallbackQuery, bot: Bot, person: Person, outcome: object, language: str
) -> None:
    if isinstance(outcome, ConsentRequired):
        await query.answer()
        await send_consent(
            bot,
            person.chat_id,
            outcome.consultation,
            outcome.definition,
            outcome.consultation.current_version,
            language,
        )
        return
    alert = not isinstance(outcome, AlreadyRecorded)
    await query.answer(refusal_text(outcome, Translator(language)), show_alert=alert)


def _value_of_tap(question: Question, index: int) -> AnswerValue | Rejection:
    kind = question.type
    if kind is QuestionType.YES_NO:
        return index == 1
    if kind is QuestionType.SCALE:
        return engine.scale_range(question)[0] + index
    options = (
        engine.district_options(question) if kind is QuestionType.LOCATION else question.options
    )
    if kind not in CHOICE_TAPS or not 0 <= index < len(options):
        return Rejection(RejectionCode.INVALID_VALUE)
    if kind is QuestionType.LOCATION:
        return {"district": options[index].value}
    return options[index].value


async def _answer_by_button(
    query: CallbackQuery,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    data: cb.Answer | cb.Skip | cb.Done,
    value_of: Callable[[Question], AnswerValue | Rejection | None],
) -> None:
    """Record the answer a button gives and show what comes next, in one use case call.

    The same replies as ``_tapped_question`` followed by ``_store``, but the participation and
    its answers are read once (this is the hot path of a citizen's survey).
    """
    result = await answer_by_button(
        uow_factory,
        clock,
        person.participant_id,
        data.c,
        data.v,
        data.q,
        value_of,
        previewer=person.participant_id_for(data.c),
        grace=CLOSING_GRACE,
    )
    outcome = result.outcome
    if result.definition is None:  # NotTakingPart
        await query.answer(Translator(person.language)("please-start"), show_alert=True)
        return
    language = person.language_for(result.definition)
    if isinstance(outcome, NotThisButton):
        await query.answer(Translator(language)("already-recorded"))
    elif isinstance(outcome, Accepted):
        await query.answer(Translator(language)("answer-recorded"))
        await send_position(bot, person.chat_id, data.c, outcome.position, language)
    elif isinstance(outcome, Rejected):
        await query.answer(explain(outcome.rejection, language), show_alert=True)
    else:
        await _refused(query, bot, person, outcome, language)


async def on_answer(
    query: CallbackQuery,
    callback_data: cb.Answer,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    option = callback_data.o
    await _answer_by_button(
        query,
        bot,
        person,
        uow_factory,
        clock,
        callback_data,
        lambda question: _value_of_tap(question, option),
    )


async def on_skip(
    query: CallbackQuery,
    callback_data: cb.Skip,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    await _answer_by_button(
        query, bot, person, uow_factory, clock, callback_data, lambda _question: None
    )


# --- choices in progress (multi-choice ticks, a ranking so far) -------------------------------

PENDING_KEY = "pending_choice"


async def _pending(state: FSMContext, query: CallbackQuery, from_button: list[int]) -> list[int]:
    """The ticks or ranking so far on the tapped question message.

    A quick second tap can come from a keyboard the client has not redrawn yet, whose button
    still carries the choices before the first tap; the FSM (per person, handled in order)
    holds the real ones. The button's own copy is the fallback: after a restart with in-memory
    FSM storage, or on a message the FSM never saw.
    """
    pending = (await state.get_data()).get(PENDING_KEY)
    message_id = query.message.message_id if query.message is not None else None
    if isinstance(pending, dict) and pending.get("message") == message_id:
        return [int(i) for i in pending.get("picked", [])]
    return from_button


async def _keep_pending(state: FSMContext, query: CallbackQuery, picked: list[int]) -> None:
    message_id = query.message.message_id if query.message is not None else None
    await state.update_data({PENDING_KEY: {"message": message_id, "picked": picked}})


async def on_toggle(
    query: CallbackQuery,
    callback_data: cb.Toggle,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    state: FSMContext,
) -> None:
    """Tick or untick an option: only the keyboard changes; nothing is stored before Done."""
    data = callback_data
    tapped = await _tapped_question(query, person, uow_factory, data.c, data.v, data.q)
    if tapped is None:
        return
    if tapped[1].type is not QuestionType.MULTI_CHOICE:
        await query.answer()
        return
    position, question, language = tapped
    _ = Translator(language)
    if position.question is None or position.question.key != question.key:
        await query.answer(_("already-recorded"))
        return
    picked = await _pending(state, query, cb.indexes_of(data.m))
    ticked = set(picked) & set(range(len(question.options)))
    if data.o in ticked:
        ticked.discard(data.o)
    elif 0 <= data.o < len(question.options):
        high = engine.choice_limits(question)[1]
        if len(ticked) >= high:
            await query.answer(_("too-many-ticks", count=high), show_alert=True)
            return
        ticked.add(data.o)
    await _keep_pending(state, query, sorted(ticked))
    keys = QuestionKeys(data.c, data.v, position.definition, question)
    await edit_keyboard(query, keys.markup(_, ticked=cb.mask_of(ticked)))
    # Answered after the edit, so whoever waits for the answer sees the new ticks.
    await query.answer()


async def on_done(
    query: CallbackQuery,
    callback_data: cb.Done,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    state: FSMContext,
) -> None:
    picked = await _pending(state, query, cb.indexes_of(callback_data.m))

    def ticked(question: Question) -> AnswerValue:
        chosen = [i for i in sorted(set(picked)) if i < len(question.options)]
        return [question.options[i].value for i in chosen]

    await _answer_by_button(query, bot, person, uow_factory, clock, callback_data, ticked)


async def _ranking_step(
    query: CallbackQuery,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    state: FSMContext,
    data: cb.Rank | cb.Undo,
) -> None:
    tapped = await _tapped_question(query, person, uow_factory, data.c, data.v, data.q)
    if tapped is None:
        return
    if tapped[1].type is not QuestionType.RANKING:
        await query.answer()
        return
    position, question, language = tapped
    _ = Translator(language)
    if position.question is None or position.question.key != question.key:
        await query.answer(_("already-recorded"))
        return
    picked = await _pending(state, query, cb.ranking_of(data.s))
    before = [i for i in picked if i < len(question.options)]
    ranked = list(before)
    if isinstance(data, cb.Undo):
        ranked = ranked[:-1]
    elif data.o not in ranked and 0 <= data.o < len(question.options):
        ranked.append(data.o)
    if ranked == before:  # an option tapped twice, or Undo with nothing ranked
        await query.answer()
        return
    if len(ranked) >= engine.ranking_length(question):
        value = [question.options[i].value for i in ranked]
        await _store(query, bot, person, uow_factory, clock, position, question, value, language)
        return
    await _keep_pending(state, query, ranked)
    keys = QuestionKeys(data.c, data.v, position.definition, question)
    await edit_screen(
        query, question_text(position, language, ranked=ranked), keys.markup(_, ranked=ranked)
    )
    await query.answer()


async def on_rank(
    query: CallbackQuery,
    callback_data: cb.Rank,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    state: FSMContext,
) -> None:
    await _ranking_step(query, bot, person, uow_factory, clock, state, callback_data)


async def on_undo(
    query: CallbackQuery,
    callback_data: cb.Undo,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    state: FSMContext,
) -> None:
    await _ranking_step(query, bot, person, uow_factory, clock, state, callback_data)


async def on_back(
    query: CallbackQuery,
    callback_data: cb.Back,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    data = callback_data
    tapped = await _tapped(query, person, uow_factory, data.c, data.v, data.q)
    if tapped is None:
        return
    position, question, language = tapped
    _ = Translator(language)
    participation = position.participation
    assert participation.id is not None
    from_key = question.key if question is not None else None
    outcome = await go_back(
        uow_factory, clock, participation.id, from_key, data.v, grace=CLOSING_GRACE
    )
    if not isinstance(outcome, Moved):
        await _refused(query, bot, person, outcome, language)
        return
    target = engine.previous_question(position.definition, position.answers, from_key)
    if target is None:
        await query.answer(_("first-question"))
        return
    await query.answer()
    await send_position(bot, person.chat_id, data.c, _at(position, target), language)


def _at(position: Position, question: Question) -> Position:
    """The same participation, looking at ``question`` (after Back or Edit moved it there)."""
    return Position(
        position.participation, position.definition, position.answers, question, position.visible
    )


async def on_edit(
    query: CallbackQuery,
    callback_data: cb.Edit,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    data = callback_data
    tapped = await _tapped_question(query, person, uow_factory, data.c, data.v, data.q)
    if tapped is None:
        return
    position, question, language = tapped
    participation = position.participation
    assert participation.id is not None
    outcome = await edit_answer(
        uow_factory, clock, participation.id, question.key, data.v, grace=CLOSING_GRACE
    )
    if isinstance(outcome, NotEditable):
        await query.answer(Translator(language)("already-recorded"))
        return
    if not isinstance(outcome, Moved):
        await _refused(query, bot, person, outcome, language)
        return
    await query.answer()
    await send_position(bot, person.chat_id, data.c, _at(position, question), language)


async def on_submit(
    query: CallbackQuery,
    callback_data: cb.Submit,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    data = callback_data
    tapped = await _tapped(query, person, uow_factory, data.c, data.v, cb.SUMMARY)
    if tapped is None:
        return
    position, _question, language = tapped
    participation = position.participation
    # The position _tapped just read, not read again (surveys/usecases/participation.py).
    outcome = await submit_at(uow_factory, clock, position, grace=CLOSING_GRACE)
    if isinstance(outcome, Submitted):
        await query.answer(Translator(language)("answer-recorded"))
        if participation.is_preview:  # a staff test run: no thanks, no follow button
            await bot.send_message(person.chat_id, Translator(language)("preview-finished"))
            return
        following = await followed_projects(uow_factory, participation.participant_id)
        consultation = await get_consultation(uow_factory, data.c)
        assert consultation is not None  # the participation refers to it
        await send_submitted(
            bot,
            person.chat_id,
            consultation,
            position.definition,
            language,
            following=consultation.project in following,
        )
        await offer_voting(bot, person, uow_factory, clock, data.c, language)
        return
    await _refused(query, bot, person, outcome, language)


# --- typed answers and locations -------------------------------------------------------------


async def on_typed(
    message: Message,
    bot: Bot,
    position: Position,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    """Text while a survey is in progress: the answer to a typed question, else guidance."""
    language = person.language_for(position.definition)
    _ = Translator(language)
    consultation_id = position.participation.consultation_id
    question = position.question
    if question is None:
        await message.answer(_("at-summary"))
        return
    if question.type not in TYPED_TYPES:
        hint = _("need-location") if wants_pin(question) else _("need-buttons")
        await message.answer(hint)
        await send_position(bot, person.chat_id, consultation_id, position, language)
        return
    parsed = engine.parse_answer(question, message.text or "")
    if isinstance(parsed, Rejection):
        await message.answer(explain(parsed, language))
        return
    await _record_from_message(
        message, bot, person, uow_factory, clock, position, question, parsed, language
    )


async def on_location(
    message: Message,
    bot: Bot,
    position: Position,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    """A location pin: the answer to a location question that takes pins."""
    language = person.language_for(position.definition)
    _ = Translator(language)
    question = position.question
    consultation_id = position.participation.consultation_id
    if question is None or question.type is not QuestionType.LOCATION:
        await message.answer(_("need-buttons") if question else _("at-summary"))
        if question is not None:
            await send_position(bot, person.chat_id, consultation_id, position, language)
        return
    if engine.location_mode(question) is LocationMode.DISTRICTS:
        await message.answer(explain(Rejection(RejectionCode.PIN_NOT_ALLOWED), language))
        return
    assert message.location is not None
    value = {"lat": message.location.latitude, "lon": message.location.longitude}
    await _record_from_message(
        message,
        bot,
        person,
        uow_factory,
        clock,
        position,
        question,
        value,
        language,
        received=_("location-received"),
    )


async def _record_from_message(
    message: Message,
    bot: Bot,
    person: Person,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    position: Position,
    question: Question,
    value: AnswerValue,
    language: str,
    *,
    received: str | None = None,
) -> None:
    """Record an answer sent as a message (typed text or a pin) and show what comes next."""
    participation = position.participation
    # The position InSurvey just read, not read again (surveys/usecases/participation.py).
    outcome = await answer_at(
        uow_factory,
        clock,
        position,
        question.key,
        participation.version,
        value,
        grace=CLOSING_GRACE,
    )
    if isinstance(outcome, Accepted):
        if received is not None:
            # The reply keyboard that asked for the location goes away with this message.
            await message.answer(received, reply_markup=ReplyKeyboardRemove())
        await send_position(
            bot, person.chat_id, participation.consultation_id, outcome.position, language
        )
    elif isinstance(outcome, Rejected):
        await message.answer(explain(outcome.rejection, language))
    else:
        await message.answer(refusal_text(outcome, Translator(language)))


def build_router() -> Router:
    router = Router(name="citizen-survey")
    router.callback_query.register(on_answer, cb.Answer.filter())
    router.callback_query.register(on_skip, cb.Skip.filter())
    router.callback_query.register(on_toggle, cb.Toggle.filter())
    router.callback_query.register(on_done, cb.Done.filter())
    router.callback_query.register(on_rank, cb.Rank.filter())
    router.callback_query.register(on_undo, cb.Undo.filter())
    router.callback_query.register(on_back, cb.Back.filter())
    router.callback_query.register(on_edit, cb.Edit.filter())
    router.callback_query.register(on_submit, cb.Submit.filter())
    in_survey = InSurvey()
    not_forwarded = F.forward_origin.is_(None)
    # After a bare /idea the next text is the idea, even in the middle of a survey.
    not_an_idea = ~StateFilter(IdeaStates.writing)
    router.message.register(
        on_typed, F.text, ~F.text.startswith("/"), not_forwarded, not_an_idea, in_survey
    )
    router.message.register(on_location, F.location, not_forwarded, in_survey)
    return router
