"""Shared state of one emulated bot and the checks every send goes through.

The Bot API handlers (``api.py``), the simulated users (``users.py``), the webhook pusher and the
HTTP layer all work on one :class:`World`. Sends pass ``check_send``: blocked chats (403), a chat
still inside a ``retry_after`` it was given (counted, and answered 429 again as Telegram does),
then the flood limits.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.sandbox.errors import ApiError, blocked, chat_not_found, too_many_requests
from bot.sandbox.faults import Counters, FaultInjector, RateLimiter
from bot.sandbox.state import ChatMessage, ChatRecord, FileStore, Notifier, UserRecord, unix_now
from bot.sandbox.updates import UpdateQueue

if TYPE_CHECKING:
    from bot.sandbox.webhook import WebhookPusher


@dataclass
class CallbackRecord:
    """A button tap and the bot's answer to it (None until answerCallbackQuery)."""

    id: str
    user: UserRecord
    chat_id: int
    message_id: int
    data: str | None
    answer: dict[str, Any] | None = None
    answered: Notifier = field(default_factory=Notifier)


class World:
    def __init__(self, token: str, *, bot_name: str, bot_username: str) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like '<digits>:<secret>', e.g. '123456:TEST-TOKEN'")
        self.token = token
        self.bot = UserRecord(
            id=int(bot_id), first_name=bot_name, username=bot_username, is_bot=True
        )
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.counters = Counters()
        self.faults = FaultInjector()
        self.limiter = RateLimiter()
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.chat_actions: dict[int, tuple[str, float]] = {}  # chat → (action, monotonic time)
        self.webhook: WebhookPusher | None = None
        self.poll_generation = 0
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    # -- users and chats -------------------------------------------------------------------
    def add_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "it",
    ) -> tuple[UserRecord, ChatRecord]:
        uid = user_id if user_id is not None else next(self._user_ids)
        while user_id is None and uid in self.users:
            uid = next(self._user_ids)
        if uid in self.users:
            raise ValueError(f"user {uid} already exists")
        user = UserRecord(
            id=uid,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[uid] = user
        # a private chat's id is the user's id
        chat = ChatRecord(id=uid, type="private", user=user)
        self.chats[uid] = chat
        return user, chat

    def add_group(self, title: str, members: list[UserRecord]) -> ChatRecord:
        chat_id = -(4_000_000_000 + next(self._group_ids))
        chat = ChatRecord(id=chat_id, type="group", title=title, members=list(members))
        self.chats[chat_id] = chat
        return chat

    def chat(self, chat_id: Any) -> ChatRecord:
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise chat_not_found()
        chat = self.chats.get(chat_id)
        if chat is None:
            raise chat_not_found()
        return chat

    # -- messages and updates --------------------------------------------------------------
    def store_message(
        self,
        chat: ChatRecord,
        sender: UserRecord,
        content: dict[str, Any],
        *,
        from_bot: bool,
        reply_keyboard: dict[str, Any] | None = None,
        file_bytes: bytes | None = None,
    ) -> ChatMessage:
        data: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "from": sender.to_api(),
            "chat": chat.to_api(),
            "date": unix_now(),
        }
        data.update(content)
        message = ChatMessage(
            data=data, from_bot=from_bot, reply_keyboard=reply_keyboard, file_bytes=file_bytes
        )
        chat.messages[message.message_id] = message
        if from_bot:
            chat.bot_messages.append(message)
        chat.touch(message)
        return message

    def emit(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        update = self.updates.put(kind, payload)
        if update is not None:
            self.counters.updates_created += 1
        return update

    def new_callback_id(self) -> str:
        # Telegram's ids are long decimal strings; clients treat them as opaque
        return f"{next(self._callback_ids)}{secrets.randbelow(10**12):012d}"

    # -- checks every send goes through ----------------------------------------------------
    def check_send(self, chat: ChatRecord) -> None:
        counters = self.counters
        if chat.id in self.faults.config.blocked_chats:
            counters.rejected["403_blocked"] += 1
            raise blocked()
        now = time.monotonic()
        if now < chat.retry_until:
            counters.sends_in_retry_window += 1
            if self.faults.config.enforce_retry_after:
                counters.rejected["429_retry_window"] += 1
                raise too_many_requests(max(1, int(chat.retry_until - now + 0.999)))
        retry_after = self.limiter.check(chat.id, chat.is_group, now)
        if retry_after is not None:
            counters.rejected["429_rate_limit"] += 1
            self.open_retry_window(chat.id, retry_after)
            raise too_many_requests(retry_after)

    def open_retry_window(self, chat_id: Any, retry_after: int) -> None:
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is not None:
            chat.retry_until = max(chat.retry_until, time.monotonic() + retry_after)

    def check_not_blocked(self, chat: ChatRecord) -> None:
        if chat.id in self.faults.config.blocked_chats:
            self.counters.rejected["403_blocked"] += 1
            raise blocked()

    def record_sent(self, chat: ChatRecord, message: ChatMessage) -> None:
        self.counters.messages_sent += 1
        text = message.text if message.text is not None else message.caption
        if text is not None and text == chat.last_bot_text:
            self.counters.duplicate_texts += 1
        chat.last_bot_text = text

    # -- commands --------------------------------------------------------------------------
    @staticmethod
    def scope_key(scope: dict[str, Any] | None) -> str:
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True, separators=(",", ":"))

    def commands_for(self, chat_id: int, language_code: str | None) -> list[dict[str, Any]]:
        """The command menu a client would show in this chat (Telegram's scope fallback)."""
        chat = self.chats.get(chat_id)
        scopes: list[dict[str, Any]] = [{"type": "chat", "chat_id": chat_id}]
        if chat is not None and chat.is_group:
            scopes.append({"type": "all_group_chats"})
        else:
            scopes.append({"type": "all_private_chats"})
        scopes.append({"type": "default"})
        for scope in scopes:
            key = self.scope_key(scope)
            for language in ([language_code] if language_code else []) + [""]:
                found = self.commands.get((key, language))
                if found:
                    return found
        return []


def api_error_retry_window(world: World, error: ApiError, params: dict[str, Any]) -> None:
    """A 429 given to a send opens that chat's retry_after window."""
    if error.code == 429 and error.retry_after:
        world.open_retry_window(params.get("chat_id"), error.retry_after)
