"""What a blocked participant may still do (their rights), and how often they are told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiogram.types import CallbackQuery, Chat, Message, User

from dialogs.citizen.blocked import BlockedGate, exercises_a_right
from surveys.usecases.moderation import handle

USER = User(id=7, is_bot=False, first_name="Carla")
CHAT = Chat(id=7, type="private")


def message(text: str) -> Message:
    return Message(message_id=1, date=datetime.now(UTC), chat=CHAT, from_user=USER, text=text)


def tap(data: str) -> CallbackQuery:
    return CallbackQuery(id="1", from_user=USER, chat_instance="x", data=data)


@pytest.mark.parametrize("text", ["/mydata", "/delete", "/stop", "/MyData", "/delete@ascolto_bot"])
def test_rights_pass(text: str) -> None:
    assert exercises_a_right(message(text))


@pytest.mark.parametrize("text", ["/start", "/idea hi", "mydata", "/", "/lang", "hello"])
def test_everything_else_is_stopped(text: str) -> None:
    assert not exercises_a_right(message(text))


def test_only_the_erase_confirmation_tap_passes() -> None:
    assert exercises_a_right(tap("del:1")) and exercises_a_right(tap("del:0"))
    assert not exercises_a_right(tap("lang:en")) and not exercises_a_right(tap("a:1:1:0:0"))


def test_the_notice_is_given_once_per_period_and_per_block() -> None:
    gate = BlockedGate(every=timedelta(minutes=10))
    t0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    first_block = ("abc", t0)
    assert gate.notice_due(first_block, t0)
    assert not gate.notice_due(first_block, t0 + timedelta(minutes=9))
    assert gate.notice_due(first_block, t0 + timedelta(minutes=10))
    # Unblocked and blocked again: a new block, a new notice at once.
    assert gate.notice_due(("abc", t0 + timedelta(minutes=11)), t0 + timedelta(minutes=11))


def test_handles_are_short_and_pseudonymous() -> None:
    assert handle("a1b2c3d4e5f6") == "#a1b2c3"
    assert handle(None) == "#—"
