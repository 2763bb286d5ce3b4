"""The simulated-users side over HTTP JSON, under ``/sandbox/``, for the web chat and for
chaos tools running outside the test process.

Private chats are addressed by the user's id; ``user_id`` in a body picks the sender in a group.
``GET /sandbox/chats/{id}/messages?since=V&timeout=T`` is a long poll: it answers as soon as
anything in the chat changed after version V (new message, edit, deletion, callback answer,
chat action), with the messages changed since then.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.faults import FaultConfig, RateLimits
from bot.sandbox.users import SimulatedUser

if TYPE_CHECKING:
    from bot.sandbox.emulator import BotApiEmulator

CHAT_ACTION_SECONDS = 5.0  # clients show "typing…" for up to 5 s


def add_routes(app: web.Application, emu: BotApiEmulator) -> None:
    routes = _Routes(emu)
    r = app.router
    r.add_get("/sandbox/bot", routes.bot)
    r.add_get("/sandbox/users", routes.list_users)
    r.add_post("/sandbox/users", routes.create_user)
    r.add_get("/sandbox/chats/{chat_id}/messages", routes.messages)
    r.add_get("/sandbox/chats/{chat_id}/commands", routes.commands)
    r.add_post("/sandbox/chats/{chat_id}/{action}", routes.act)
    r.add_get("/sandbox/callbacks/{query_id}", routes.callback)
    r.add_get("/sandbox/files/{file_id}", routes.file)
    r.add_get("/sandbox/faults", routes.get_faults)
    r.add_post("/sandbox/faults", routes.set_faults)
    r.add_get("/sandbox/rate-limits", routes.get_limits)
    r.add_post("/sandbox/rate-limits", routes.set_limits)
    r.add_get("/sandbox/counters", routes.get_counters)
    r.add_post("/sandbox/counters/reset", routes.reset_counters)


def _bad(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise _bad("body must be JSON") from exc
    if not isinstance(body, dict):
        raise _bad("body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise _bad(f"{name} must be an integer") from exc


class _Routes:
    def __init__(self, emu: BotApiEmulator) -> None:
        self.emu = emu
        self.world = emu.world

    async def bot(self, request: web.Request) -> web.Response:
        me = self.world.bot.to_api()
        return web.json_response({"bot": me, "webhook": self.emu.webhook.info()})

    async def list_users(self, request: web.Request) -> web.Response:
        return web.json_response([u.to_api() for u in self.world.users.values()])

    async def create_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            user = self.emu.create_user(
                str(body.get("first_name") or "Giulia"),
                language_code=body.get("language_code", "it"),
                user_id=_int(body["id"], "id") if body.get("id") is not None else None,
                last_name=body.get("last_name"),
                username=body.get("username"),
            )
        except ValueError as exc:
            raise _bad(str(exc)) from exc
        return web.json_response({"user": user.record.to_api(), "chat": user.chat.to_api()})

    def _chat_id(self, request: web.Request) -> int:
        chat_id = _int(request.match_info["chat_id"], "chat_id")
        if chat_id not in self.world.chats:
            raise web.HTTPNotFound(text=f"no chat {chat_id}")
        return chat_id

    async def messages(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        chat = self.world.chats[chat_id]
        since = _int(request.query.get("since", "0"), "since")
        timeout = min(float(request.query.get("timeout", "0")), 60.0)
        if chat.version <= since and timeout > 0:
            await chat.changed.wait(timeout)
        changed = [m.to_sandbox() for m in chat.messages.values() if m.version > since]
        action = self.world.chat_actions.get(chat_id)
        current_action = (
            action[0] if action and time.monotonic() - action[1] < CHAT_ACTION_SECONDS else None
        )
        language = chat.user.language_code if chat.user else None
        return web.json_response(
            {
                "chat": chat.to_api(),
                "version": chat.version,
                "messages": changed,
                "reply_keyboard": chat.reply_keyboard,
                "chat_action": current_action,
                "commands": self.world.commands_for(chat_id, language),
                "callback_answers": {
                    c.id: c.answer
                    for c in self.world.callbacks.values()
                    if c.chat_id == chat_id and c.answer is not None
                },
            }
        )

    async def commands(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        language = request.query.get("language_code")
        return web.json_response(self.world.commands_for(chat_id, language))

    async def act(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        body = await _body(request)
        sender_id = _int(body.get("user_id", chat_id), "user_id")
        if sender_id not in self.world.users:
            raise _bad(f"no user {sender_id}")
        user = SimulatedUser(self.world, self.world.users[sender_id])
        action = request.match_info["action"]
        try:
            if action == "tap":
                query_id = user.tap(
                    _int(body.get("message_id"), "message_id"),
                    body.get("data"),
                    text=body.get("text"),
                    chat_id=chat_id,
                )
                return web.json_response({"callback_query_id": query_id})
            message = self._send(user, action, body, chat_id)
        except ValueError as exc:
            raise _bad(str(exc)) from exc
        return web.json_response(message.to_sandbox())

    def _send(self, user: SimulatedUser, action: str, body: dict[str, Any], chat_id: int) -> Any:
        if action == "text":
            reply_to = body.get("reply_to")
            return user.send_text(
                str(body.get("text") or ""),
                chat_id=chat_id,
                reply_to=_int(reply_to, "reply_to") if reply_to is not None else None,
            )
        if action == "press":
            return user.press(str(body.get("text") or ""), chat_id=chat_id)
        if action == "location":
            return user.send_location(
                float(body["latitude"]), float(body["longitude"]), chat_id=chat_id
            )
        if action == "contact":
            return user.send_contact(
                str(body.get("phone_number") or "+39 02 0202"),
                body.get("first_name"),
                chat_id=chat_id,
            )
        if action == "sticker":
            return user.send_sticker(str(body.get("emoji") or "👍"), chat_id=chat_id)
        if action in {"photo", "document", "voice"}:
            try:
                data = base64.b64decode(str(body.get("data_base64") or ""), validate=True)
            except binascii.Error as exc:
                raise ValueError("data_base64 is not base64") from exc
            if action == "photo":
                return user.send_photo(data, caption=body.get("caption"), chat_id=chat_id)
            if action == "voice":
                return user.send_voice(data, duration=int(body.get("duration", 3)), chat_id=chat_id)
            return user.send_document(
                data,
                str(body.get("file_name") or "document.bin"),
                str(body.get("mime_type") or "application/octet-stream"),
                caption=body.get("caption"),
                chat_id=chat_id,
            )
        raise web.HTTPNotFound(text=f"unknown action {action}")

    async def callback(self, request: web.Request) -> web.Response:
        record = self.world.callbacks.get(request.match_info["query_id"])
        if record is None:
            raise web.HTTPNotFound(text="unknown callback query")
        return web.json_response({"answered": record.answer is not None, "answer": record.answer})

    async def file(self, request: web.Request) -> web.Response:
        stored = self.world.files.by_id.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound(text="unknown file")
        headers = {}
        if stored.file_name:
            headers["Content-Disposition"] = f'attachment; filename="{stored.file_name}"'
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )

    async def get_faults(self, request: web.Request) -> web.Response:
        return web.json_response(self.emu.faults.to_dict())

    async def set_faults(self, request: web.Request) -> web.Response:
        try:
            self.emu.faults = FaultConfig.from_dict(await _body(request))
        except (TypeError, ValueError) as exc:
            raise _bad(str(exc)) from exc
        return web.json_response(self.emu.faults.to_dict())

    async def get_limits(self, request: web.Request) -> web.Response:
        return web.json_response(vars(self.emu.rate_limits))

    async def set_limits(self, request: web.Request) -> web.Response:
        try:
            self.emu.rate_limits = RateLimits(**await _body(request))
        except TypeError as exc:
            raise _bad(str(exc)) from exc
        return web.json_response(vars(self.emu.rate_limits))

    async def get_counters(self, request: web.Request) -> web.Response:
        return web.json_response(self.emu.counters.to_dict())

    async def reset_counters(self, request: web.Request) -> web.Response:
        self.emu.counters.reset()
        return web.json_response(self.emu.counters.to_dict())
