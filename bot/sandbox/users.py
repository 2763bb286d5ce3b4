"""Simulated Telegram users: what a person does in the app, turned into realistic updates.

A :class:`SimulatedUser` sends texts (with the ``bot_command`` entity real clients add),
locations, contacts, photos, stickers, voice notes, documents and forwarded messages, taps
inline buttons and presses reply-keyboard buttons. Each action stores the message in the chat and
queues the update the bot will receive, exactly once, with the next ``update_id``.
"""

# Waiting helpers take a timeout on purpose: tests call them as `wait(..., timeout=2)`.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
from typing import Any

from bot.sandbox.api import photo_sizes
from bot.sandbox.formatting import parse_text
from bot.sandbox.state import ChatMessage, ChatRecord, UserRecord, unix_now
from bot.sandbox.world import CallbackRecord, World

MILAN = (45.4642, 9.19)


class SimulatedUser:
    """One person talking to the bot; by default in their private chat."""

    def __init__(self, world: World, record: UserRecord) -> None:
        self._world = world
        self.record = record

    def __repr__(self) -> str:
        return f"SimulatedUser(id={self.id}, first_name={self.record.first_name!r})"

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def chat_id(self) -> int:
        """The private chat with the bot (its id is the user's id, as on Telegram)."""
        return self.record.id

    @property
    def chat(self) -> ChatRecord:
        return self._world.chats[self.chat_id]

    # -- reading -------------------------------------------------------------------------------
    @property
    def messages(self) -> list[ChatMessage]:
        """Every message of the private chat, both directions, oldest first (deleted ones too)."""
        return list(self.chat.messages.values())

    @property
    def bot_messages(self) -> list[ChatMessage]:
        return list(self.chat.bot_messages)

    @property
    def reply_keyboard(self) -> dict[str, Any] | None:
        return self.chat.reply_keyboard

    # -- sending -------------------------------------------------------------------------------
    def _send(
        self,
        content: dict[str, Any],
        *,
        chat_id: int | None,
        reply_to: int | None = None,
        file_bytes: bytes | None = None,
    ) -> ChatMessage:
        world = self._world
        chat = world.chat(self.chat_id if chat_id is None else chat_id)
        if chat.is_group and all(member.id != self.id for member in chat.members):
            raise ValueError(f"user {self.id} is not a member of chat {chat.id}")
        if reply_to is not None:
            target = chat.messages.get(reply_to)
            if target is None or target.deleted:
                raise ValueError(f"no message {reply_to} to reply to in chat {chat.id}")
            content["reply_to_message"] = {
                k: v for k, v in target.data.items() if k != "reply_to_message"
            }
        message = world.store_message(
            chat, self.record, content, from_bot=False, file_bytes=file_bytes
        )
        world.counters.messages_from_users += 1
        world.emit("message", message.data)
        return message

    def send_text(
        self, text: str, *, chat_id: int | None = None, reply_to: int | None = None
    ) -> ChatMessage:
        """Send a text; "/start payload" gets its bot_command entity, as from a real client."""
        if not text:
            raise ValueError("Telegram clients do not send empty messages")
        plain, entities = parse_text(text, None, None)
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        return self._send(content, chat_id=chat_id, reply_to=reply_to)

    def send_location(
        self, latitude: float = MILAN[0], longitude: float = MILAN[1], *, chat_id: int | None = None
    ) -> ChatMessage:
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        return self._send({"location": location}, chat_id=chat_id)

    def send_contact(
        self,
        phone_number: str = "+39 02 0202",
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        own: bool = True,
        chat_id: int | None = None,
    ) -> ChatMessage:
        """Share a contact; ``own=True`` is the user's own card (request_contact button)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.record.first_name,
        }
        if last_name or (own and self.record.last_name):
            contact["last_name"] = last_name or self.record.last_name
        if own:
            contact["user_id"] = self.id
        return self._send({"contact": contact}, chat_id=chat_id)

    def send_photo(
        self,
        data: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        *,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> ChatMessage:
        stored = self._world.files.add(data, kind="photos", file_name="photo.jpg")
        content: dict[str, Any] = {
            "photo": photo_sizes(stored.file_id, stored.file_unique_id, len(data))
        }
        content.update(self._caption(caption))
        return self._send(content, chat_id=chat_id, file_bytes=data)

    def send_sticker(self, emoji: str = "👍", *, chat_id: int | None = None) -> ChatMessage:
        stored = self._world.files.add(b"RIFF-webp-sticker", kind="stickers", file_name="s.webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self._send({"sticker": sticker}, chat_id=chat_id)

    def send_voice(
        self, data: bytes = b"OggS-fake-voice", *, duration: int = 3, chat_id: int | None = None
    ) -> ChatMessage:
        stored = self._world.files.add(data, kind="voice", file_name="voice.oga")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": int(duration),
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._send({"voice": voice}, chat_id=chat_id, file_bytes=data)

    def send_document(
        self,
        data: bytes,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        *,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> ChatMessage:
        stored = self._world.files.add(
            data, kind="documents", file_name=file_name, mime_type=mime_type
        )
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        content: dict[str, Any] = {"document": document}
        content.update(self._caption(caption))
        return self._send(content, chat_id=chat_id, file_bytes=data)

    def forward_text(
        self,
        text: str,
        *,
        origin: SimulatedUser | None = None,
        origin_name: str = "Mario Rossi",
        chat_id: int | None = None,
    ) -> ChatMessage:
        """Forward someone else's text; without ``origin`` the sender hides their account."""
        forward_origin: dict[str, Any]
        date = unix_now() - 3600
        if origin is not None:
            forward_origin = {"type": "user", "date": date, "sender_user": origin.record.to_api()}
        else:
            forward_origin = {"type": "hidden_user", "date": date, "sender_user_name": origin_name}
        plain, entities = parse_text(text, None, None)
        content: dict[str, Any] = {"forward_origin": forward_origin, "text": plain}
        if entities:
            content["entities"] = entities
        return self._send(content, chat_id=chat_id)

    @staticmethod
    def _caption(caption: str | None) -> dict[str, Any]:
        if not caption:
            return {}
        plain, entities = parse_text(caption, None, None)
        content: dict[str, Any] = {"caption": plain}
        if entities:
            content["caption_entities"] = entities
        return content

    # -- buttons ------------------------------------------------------------------------------
    def tap(
        self,
        message: ChatMessage | int,
        data: str | None = None,
        *,
        text: str | None = None,
        chat_id: int | None = None,
        check: bool = True,
    ) -> str:
        """Tap an inline button (by its callback_data or its text); returns the query id.

        With ``check=False`` any data is sent, as a modified client or a stale screen could.
        """
        world = self._world
        chat = world.chat(self.chat_id if chat_id is None else chat_id)
        message_id = message if isinstance(message, int) else message.message_id
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise ValueError(f"no message {message_id} in chat {chat.id}")
        if check:
            buttons = [b for b in stored.buttons if "callback_data" in b]
            match = [
                b
                for b in buttons
                if (data is None or b["callback_data"] == data)
                and (text is None or b["text"] == text)
            ]
            if not match or (data is None and text is None):
                raise ValueError(
                    f"message {message_id} has no button with data={data!r} text={text!r}; "
                    f"buttons: {[(b['text'], b['callback_data']) for b in buttons]}"
                )
            data = match[0]["callback_data"]
        query_id = world.new_callback_id()
        query: dict[str, Any] = {
            "id": query_id,
            "from": self.record.to_api(),
            "message": stored.data,
            # the same opaque value for every query from one chat, as Telegram does
            "chat_instance": str(abs(chat.id) * 7919 + 104729),
        }
        if data is not None:
            query["data"] = data
        world.callbacks[query_id] = CallbackRecord(
            id=query_id, user=self.record, chat_id=chat.id, message_id=message_id, data=data
        )
        world.counters.callback_queries += 1
        world.emit("callback_query", query)
        return query_id

    def press(self, text: str, *, chat_id: int | None = None, check: bool = True) -> ChatMessage:
        """Press a reply-keyboard button: sends its text, or the location/contact it requests."""
        chat = self._world.chat(self.chat_id if chat_id is None else chat_id)
        keyboard = chat.reply_keyboard
        button = None
        if keyboard is not None:
            for row in keyboard.get("keyboard", []):
                for candidate in row:
                    if candidate.get("text") == text:
                        button = candidate
        if button is None and check:
            raise ValueError(f"no reply keyboard button {text!r} in chat {chat.id}")
        if keyboard is not None and button is not None and keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None
        if button is not None and button.get("request_location"):
            return self.send_location(chat_id=chat_id)
        if button is not None and button.get("request_contact"):
            return self.send_contact(chat_id=chat_id)
        return self.send_text(text, chat_id=chat_id)

    # -- waiting ------------------------------------------------------------------------------
    async def next_message(self, timeout: float = 5.0) -> ChatMessage:
        """The bot's next unread message in the private chat (see wait_for_message)."""
        return await wait_for_message(self._world, self.chat_id, timeout)

    async def callback_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        return await wait_for_callback_answer(self._world, query_id, timeout)


async def wait_for_message(world: World, chat_id: int, timeout: float = 5.0) -> ChatMessage:
    """Return the oldest bot message to this chat not yet returned by this function.

    Each bot message is handed out once, in the order sent, so waiting after the bot already
    replied does not miss the reply. Raises TimeoutError if none arrives in ``timeout`` seconds.
    """
    chat = world.chat(chat_id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while chat.read_cursor >= len(chat.bot_messages):
        if not await chat.changed.wait(deadline - loop.time()):
            if chat.read_cursor < len(chat.bot_messages):
                break
            raise TimeoutError(f"the bot sent nothing to chat {chat_id} within {timeout} s")
    message = chat.bot_messages[chat.read_cursor]
    chat.read_cursor += 1
    return message


async def wait_for_callback_answer(
    world: World, query_id: str, timeout: float = 5.0
) -> dict[str, Any]:
    """Wait until the bot answered this callback query; returns text/show_alert/url/cache_time."""
    record = world.callbacks.get(query_id)
    if record is None:
        raise KeyError(f"unknown callback query {query_id}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while record.answer is None:
        if not await record.answered.wait(deadline - loop.time()) and record.answer is None:
            raise TimeoutError(f"callback query {query_id} not answered within {timeout} s")
    return record.answer
