"""Dispatch: the staff gate and inline filters pick the same handler as plain aiogram.

``dialogs.setup_routers`` puts the staff routers behind one gate (``dialogs.staff.gate``) and
makes every plain-function and magic filter a coroutine (``dialogs.inline_filters``), so that a
citizen's update crosses a few routers, with no thread hop, instead of about 20. Neither may
change which handler answers: here every handler of both trees is replaced by a recorder and a
corpus of messages and taps (every command, staff and citizen; typed text in every FSM state;
documents, captions, locations, forwards; group chats; every button prefix) goes through the
tree as assembled and through the same routers included plainly, as before the gate, for a
citizen and for an admin. The registries the gate reads are checked against the routers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.filters import Command, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.filters.logic import _AndFilter, _InvertFilter, _OrFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import (
    CallbackQuery,
    Chat,
    Document,
    Location,
    Message,
    MessageOriginUser,
    TelegramObject,
    User,
)

from dialogs import citizen, common, setup_routers, staff
from dialogs.citizen.ideas import IdeaStates
from dialogs.citizen.person import PersonMiddleware
from dialogs.citizen.voting import VoteStates
from dialogs.facilitator.common import INPUT_KEY, ScheduleStates
from dialogs.inline_filters import run_filters_inline
from dialogs.staff.gate import StaffGate
from dialogs.staff.roles import STAFF_CALLBACK_PREFIXES, staff_only_commands
from surveys.clock import SystemClock
from tests.fakes import FakeDatabase

ADMIN = User(id=501, is_bot=False, first_name="Ada", language_code="it")
CITIZEN = User(id=502, is_bot=False, first_name="Carla", language_code="it")
BOT = User(id=42, is_bot=True, first_name="Ascolto", username="ascolto_bot")
CITIZEN_COMMANDS: tuple[str, ...] = ("start", "help", "idea", "vote", "follow", "unfollow")
CITIZEN_COMMANDS += ("lang", "mydata", "delete", "stop", "nosuchcommand")
CITIZEN_BUTTONS: tuple[str, ...] = ("a:1:1:0:0", "t:1:1:0:0:1", "d:1:1:0:3", "s:1:1:0")
CITIZEN_BUTTONS += ("b:1:1:2", "f:1:1", "ok:1:opencare", "no:opencare", "open:opencare")
CITIZEN_BUTTONS += ("fo:1", "lang:en", "del:1", "vt:1:1:1", "vm:1:1", "zz:1", "", "sr", "sx")
CITIZEN_BUTTONS += ("a:x",)
STATE_TEXTS = ("hello", "12:30", "/stats", "/broadcast", "/help", "/start inv-abc", "/idea x")


# -- the two trees ----------------------------------------------------------------------------


def _plain_tree() -> Router:
    """The routers as ``setup_routers`` includes them, without the gate and inline filters."""
    root = Router(name="dialogs")
    person = PersonMiddleware()
    root.message.outer_middleware(person)
    root.callback_query.outer_middleware(person)
    for router in (
        *staff.build_routers(),
        *citizen.build_routers(),
        common.build_router(),
        citizen.build_fallback_router(),
    ):
        root.include_router(router)
    return root


def _record_handlers(root: Router, winners: list[str]) -> None:
    for router in root.chain_tail:
        for observer in router.observers.values():
            for handler in observer.handlers:
                _replace(handler, f"{router.name}:{handler.callback.__name__}", winners)


def _replace(handler: HandlerObject, label: str, winners: list[str]) -> None:
    async def record(*_args: Any, **_kwargs: Any) -> bool:
        winners.append(label)
        return True

    handler.callback, handler.awaitable, handler.varkw = record, True, True


# -- the corpus -------------------------------------------------------------------------------


def _message(user: User, chat_type: str = "private", **fields: Any) -> Message:
    chat = Chat(id=user.id if chat_type == "private" else -100, type=chat_type)
    return Message(message_id=1, date=datetime.now(UTC), chat=chat, from_user=user, **fields)


def _texts() -> Iterator[str]:
    for command in (*staff_only_commands(), *CITIZEN_COMMANDS):
        for argument in ("", " 1", " opencare", "\nopencare"):
            yield f"/{command}{argument}"
    yield from ("/start inv-abc", "/start  inv-abc", "/start opencare inv-", "/startinv-abc")
    yield from (" /stats", "/STATS", "/stats@", "/", "/ stats", "inv-abc", "hello", "12", "x y")


def _messages(user: User, texts: Iterator[str]) -> Iterator[Message]:
    for text in texts:
        yield _message(user, text=text)
    for name in ("survey.yaml", "survey.yml", "notes.pdf", None):
        yield _message(user, document=Document(file_id="d", file_unique_id="d", file_name=name))
    yield _message(user, caption="/stats")
    yield _message(user, caption="a photo")
    yield _message(user, location=Location(latitude=45.07, longitude=7.69))
    origin = MessageOriginUser(date=datetime.now(UTC), sender_user=CITIZEN)
    yield _message(user, text="a forwarded text", forward_origin=origin)
    yield _message(user, text="/stats", forward_origin=origin)
    for text in ("/stats", "/start inv-abc", "hello", "/help"):
        yield _message(user, chat_type="group", text=text)


def _taps(user: User) -> Iterator[CallbackQuery]:
    anchors = (
        _message(BOT, text="a question"),
        _message(BOT, chat_type="group", text="a question"),
    )
    for data in (*(prefix + "1:1" for prefix in STAFF_CALLBACK_PREFIXES), *CITIZEN_BUTTONS):
        for anchor in anchors:
            yield CallbackQuery(
                id="1", from_user=user, chat_instance="c", message=anchor, data=data or None
            )


def _states() -> tuple[str | None, ...]:
    groups: tuple[type[StatesGroup], ...] = (IdeaStates, VoteStates, ScheduleStates)
    staff_groups = _states_of(staff.build_router())
    return (None, *sorted(staff_groups), *(s for g in groups for s in g.__all_states_names__))


# -- walking the filters ----------------------------------------------------------------------


def _filter_objects(root: Router) -> Iterator[FilterObject]:
    for router in root.chain_tail:
        for observer in router.observers.values():
            for filter_ in observer._handler.filters or ():
                yield from _with_operands(filter_)
            for handler in observer.handlers:
                for filter_ in handler.filters or ():
                    yield from _with_operands(filter_)


def _with_operands(filter_: FilterObject) -> Iterator[FilterObject]:
    yield filter_
    callback = filter_.callback
    if isinstance(callback, _InvertFilter):
        yield from _with_operands(callback.target)
    elif isinstance(callback, _AndFilter | _OrFilter):
        for target in callback.targets:
            yield from _with_operands(target)


def _states_of(root: Router) -> set[str]:
    names: set[str] = set()
    for filter_ in _filter_objects(root):
        if isinstance(filter_.callback, StateFilter):
            for state in filter_.callback.states:
                assert isinstance(state, State), f"{state!r}: name single states"
                assert state.state is not None
                names.add(state.state)
    return names


# -- tests ------------------------------------------------------------------------------------


async def test_the_same_handler_answers_with_and_without_the_gate() -> None:
    database = FakeDatabase()
    fsm = MemoryStorage()
    bot = Bot("42:TEST")
    gated_winners: list[str] = []
    plain_winners: list[str] = []
    gated, plain = setup_routers(), _plain_tree()
    _record_handlers(gated, gated_winners)
    _record_handlers(plain, plain_winners)
    outcomes: list[tuple[str, str]] = []
    seen: set[str] = set()

    async def dispatch(
        tree: Router,
        winners: list[str],
        kind: str,
        event: TelegramObject,
        user: User,
        raw_state: str | None,
    ) -> str:
        key = StorageKey(bot_id=BOT.id, chat_id=user.id, user_id=user.id)
        state = FSMContext(storage=fsm, key=key)
        await state.set_state(raw_state)
        # A typed date awaited since just now: AwaitingDate passes in ScheduleStates.typing.
        asked = {"c": 1, "f": "o", "at": datetime.now(UTC).isoformat()}
        await state.set_data({INPUT_KEY: asked})
        before = len(winners)
        result = await tree.propagate_event(
            kind,
            event,
            bot=bot,
            state=state,
            raw_state=raw_state,
            uow_factory=database.uow,
            clock=SystemClock(),
            pepper=b"p" * 32,
            admin_ids=frozenset({ADMIN.id}),
            event_from_user=user,
        )
        assert len(winners) - before == (0 if result is UNHANDLED else 1)
        return winners[-1] if len(winners) > before else "unhandled"

    try:
        for user in (CITIZEN, ADMIN):
            # Every text without a state; in each state, texts of each kind.
            cases: list[tuple[str, TelegramObject, str | None]] = [
                ("message", message, None) for message in _messages(user, _texts())
            ]
            cases += [
                ("message", message, raw_state)
                for raw_state in _states()[1:]
                for message in _messages(user, iter(STATE_TEXTS))
            ]
            cases += [("callback_query", tap, None) for tap in _taps(user)]
            for kind, event, raw_state in cases:
                expected = await dispatch(plain, plain_winners, kind, event, user, raw_state)
                actual = await dispatch(gated, gated_winners, kind, event, user, raw_state)
                what = f"{user.first_name}, {kind} {event.model_dump(exclude_none=True)}"
                assert actual == expected, f"{what} in state {raw_state}"
                outcomes.append((expected, kind))
                seen.add(expected)
    finally:
        await bot.session.close()
    # The corpus reaches staff and citizen handlers alike, so a wrong gate would show.
    assert {"staff-admin:on_invite", "facilitator-broadcasts:on_text"} <= seen
    assert {"facilitator-upload:on_survey_file", "facilitator-schedule-typed:on_typed_date"} <= seen
    assert {"staff-invitations:on_invitation", "analyst-themes:on_text"} <= seen
    assert {"staff-denial:on_denied_command", "staff-denial:on_denied_tap"} <= seen
    assert {"citizen-survey:on_answer", "citizen-consent:on_deep_link"} <= seen
    assert {"citizen-groups:on_group_message", "common:on_unknown_command"} <= seen
    assert len(seen) >= 40, sorted(seen)


def test_the_gate_turns_citizen_updates_away() -> None:
    gate = StaffGate(staff_only_commands(), (ScheduleStates,), STAFF_CALLBACK_PREFIXES)
    for text in ("/start opencare", "/start", "an answer", "/help", "/idea a bench", "/vote"):
        assert not gate.takes_message(_message(CITIZEN, text=text)), text
    for data in CITIZEN_BUTTONS:
        tap = CallbackQuery(id="1", from_user=CITIZEN, chat_instance="c", data=data or None)
        assert not gate.takes_tap(tap), data
    assert gate.takes_message(_message(CITIZEN, text="/stats"))
    assert gate.takes_message(_message(CITIZEN, text="/start inv-x"))
    assert gate.takes_message(_message(CITIZEN, text="12:30"), ScheduleStates.typing.state)
    assert not gate.takes_message(_message(CITIZEN, chat_type="group", text="/stats"))


def test_the_gate_knows_every_staff_command_state_and_button() -> None:
    tree = staff.build_router()
    commands: set[str] = set()
    for filter_ in _filter_objects(tree):
        if isinstance(filter_.callback, Command):
            commands.update(str(command) for command in filter_.callback.commands)
    assert commands == {*staff_only_commands(), "start"}
    # Each staff dialog that waits for typed text is listed in dialogs.staff.build_router.
    gate_states = _gate_of(tree).states
    assert _states_of(tree) <= gate_states
    assert ScheduleStates.typing.state in gate_states
    staff_packages = ("dialogs.staff.", "dialogs.facilitator.", "dialogs.analyst.")
    for kind in _subclasses(CallbackData):
        if kind.__module__.startswith(staff_packages):
            prefix = kind.__prefix__ + kind.__separator__
            assert prefix in STAFF_CALLBACK_PREFIXES, f"{kind.__name__}: register {prefix!r}"


def _gate_of(tree: Router) -> StaffGate:
    gate_filter: Any = tree.message._handler.filters[0].callback  # type: ignore[index]
    gate: StaffGate = gate_filter.__self__  # the bound method StaffGate.message
    return gate


def _subclasses(kind: type[CallbackData]) -> Iterator[type[CallbackData]]:
    for sub in kind.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_filter_runs_in_a_worker_thread() -> None:
    root = setup_routers()
    filters = list(_filter_objects(root))
    assert len(filters) > 100
    assert all(filter_.awaitable for filter_ in filters)
    assert run_filters_inline(root) == 0  # nothing left to do


def _is_short(message: Message) -> bool:
    return len(message.text or "") < 5


async def test_inline_filters_give_the_same_answers() -> None:
    router = Router(name="probe")
    router.message.filter(F.chat.type == "private")
    got: list[dict[str, Any]] = []

    async def handler(message: Message, **data: Any) -> None:
        got.append({key: data[key] for key in ("word",) if key in data})

    router.message.register(
        handler, ~F.text.startswith("/"), or_f(_is_short, F.text.as_("word")), F.text.len() > 1
    )
    assert run_filters_inline(router) == 5  # chat type, ~startswith, or_f's two operands, len
    assert all(filter_.awaitable for filter_ in _filter_objects(router))
    for text, expected in (("hi", {}), ("/x", None), ("a", None), ("hello", {"word": "hello"})):
        before = len(got)
        await router.propagate_event("message", _message(CITIZEN, text=text))
        assert (got[-1] if len(got) > before else None) == expected, text
    assert (
        await router.propagate_event("message", _message(CITIZEN, chat_type="group", text="hi"))
        is UNHANDLED
    )
