"""In-memory world of the emulator: the bot, users, chats, their messages and files.

Every message, from a user or from the bot, is kept per chat with its current Bot API form
(``ChatMessage.data``), so tests and the web chat read exactly what a client would, after edits.
Message ids grow per chat, as in Telegram's private chats and basic groups.
"""

# Waiting helpers take a timeout on purpose: tests call them as `wait(..., timeout=2)`.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any


class Notifier:
    """Wakes every waiter once per change; cheap when nobody waits."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, timeout: float) -> bool:
        """Wait for the next notify(); False when ``timeout`` passed first."""
        if timeout <= 0:
            return False
        if self._event is None:
            self._event = asyncio.Event()
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        return True


def unix_now() -> int:
    return int(time.time())


@dataclass
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class ChatMessage:
    """One message in a chat, as it is now (after edits); ``data`` is the Bot API Message."""

    data: dict[str, Any]
    from_bot: bool
    reply_keyboard: dict[str, Any] | None = None  # a reply keyboard (or its removal) sent with it
    file_bytes: bytes | None = None
    deleted: bool = False
    version: int = 0

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.data["chat"]["id"])

    @property
    def text(self) -> str | None:
        return self.data.get("text")

    @property
    def caption(self) -> str | None:
        return self.data.get("caption")

    @property
    def edited(self) -> bool:
        return "edit_date" in self.data

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """The inline keyboard attached to the message, if any."""
        return self.data.get("reply_markup")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, row by row, flattened."""
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def document(self) -> dict[str, Any] | None:
        return self.data.get("document")

    def to_sandbox(self) -> dict[str, Any]:
        """The shape the sandbox HTTP API gives the web chat."""
        return {
            "message": self.data,
            "from_bot": self.from_bot,
            "reply_keyboard": self.reply_keyboard,
            "deleted": self.deleted,
            "version": self.version,
        }


@dataclass
class ChatRecord:
    id: int
    type: str  # "private" or "group"
    title: str | None = None
    user: UserRecord | None = None  # the other party of a private chat
    members: list[UserRecord] = field(default_factory=list)
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    bot_messages: list[ChatMessage] = field(default_factory=list)  # in the order sent
    read_cursor: int = 0  # bot_messages already returned by wait_for_message
    reply_keyboard: dict[str, Any] | None = None  # the reply keyboard the user sees now
    version: int = 0
    changed: Notifier = field(default_factory=Notifier)
    retry_until: float = 0.0  # end of the last retry_after window given for this chat
    last_bot_text: str | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def is_group(self) -> bool:
        return self.type in {"group", "supergroup"}

    def next_message_id(self) -> int:
        return next(self._ids)

    def touch(self, message: ChatMessage) -> None:
        self.version += 1
        message.version = self.version
        self.changed.notify()

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.is_group:
            data["title"] = self.title or "Group"
        elif self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        return data

    def to_full_info(self) -> dict[str, Any]:
        """ChatFullInfo, as getChat returns it."""
        data = self.to_api()
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return data


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def to_api(self) -> dict[str, Any]:
        """A File object, as getFile returns it."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


class FileStore:
    """Files sent by the bot or by simulated users, retrievable by file_id or file_path."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(
        self, data: bytes, *, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        number = next(self._counter)
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            # Telegram file ids are opaque, long and URL-safe; clients must not parse them.
            file_id=f"{kind[:3].upper()}{number}-{secrets.token_urlsafe(24)}",
            file_unique_id=f"U{number}{secrets.token_hex(4)}",
            file_path=f"{kind}/file_{number}{suffix}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored
