"""Bot API method handlers: what the bot can ask the emulator to do.

Each handler takes the decoded parameters and uploads and returns the ``result`` Telegram would
return, or raises :class:`ApiError` with Telegram's own wording. Method names are
case-insensitive, as on Telegram's servers. getUpdates and the webhook methods need the running
server and live in ``emulator.py`` and ``webhook.py``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.formatting import parse_text
from bot.sandbox.markup import inline_only, split_markup, without_nulls
from bot.sandbox.params import Upload
from bot.sandbox.state import ChatMessage, ChatRecord, unix_now
from bot.sandbox.world import World

MAX_TEXT = 4096
MAX_CAPTION = 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")

Handler = Callable[[World, dict[str, Any], dict[str, Upload]], Any]
HANDLERS: dict[str, Handler] = {}
# Methods that send a new message: they count towards flood limits and retry windows.
SEND_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})


def method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name.lower()] = fn
        return fn

    return register


def required(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise bad_request(f'parameter "{name}" is required')
    return value


# -- identity and housekeeping --------------------------------------------------------------
@method("getMe")
def get_me(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    me = world.bot.to_api()
    me.update(
        {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
    )
    return me


@method("logOut")
@method("close")
def close(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return True


@method("getChat")
def get_chat(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return world.chat(required(params, "chat_id")).to_full_info()


@method("sendChatAction")
def send_chat_action(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = world.chat(required(params, "chat_id"))
    action = required(params, "action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    world.check_not_blocked(chat)
    world.chat_actions[chat.id] = (action, time.monotonic())
    chat.changed.notify()
    return True


# -- sending ----------------------------------------------------------------------------------
def _reply_to(chat: ChatRecord, params: dict[str, Any]) -> dict[str, Any]:
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id") or params.get("reply_to_message_id")
    if not message_id:
        return {}
    target = chat.messages.get(int(message_id))
    if target is None or target.deleted:
        if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")
    quoted = {k: v for k, v in target.data.items() if k != "reply_to_message"}
    return {"reply_to_message": quoted}


def _finish_send(
    world: World,
    chat: ChatRecord,
    content: dict[str, Any],
    params: dict[str, Any],
    file_bytes: bytes | None = None,
) -> dict[str, Any]:
    inline, keyboard = split_markup(params.get("reply_markup"))
    content.update(_reply_to(chat, params))
    if inline is not None:
        content["reply_markup"] = inline
    if params.get("protect_content"):
        content["has_protected_content"] = True
    world.check_send(chat)
    message = world.store_message(
        chat,
        world.bot,
        content,
        from_bot=True,
        reply_keyboard=keyboard,
        file_bytes=file_bytes,
    )
    if keyboard is not None:
        chat.reply_keyboard = None if keyboard.get("remove_keyboard") else keyboard
    world.chat_actions.pop(chat.id, None)  # a message ends "typing…"
    world.record_sent(chat, message)
    return message.data


def _text_content(
    params: dict[str, Any], key: str, entities_key: str, limit: int
) -> dict[str, Any]:
    raw = params.get(key)
    if raw is None:
        return {}
    if not isinstance(raw, str):
        raw = str(raw)
    text, entities = parse_text(raw, params.get("parse_mode"), params.get(entities_key))
    if len(text) > limit:
        if key == "text":
            raise bad_request("message is too long")
        raise bad_request("message caption is too long")
    content: dict[str, Any] = {key: text}
    if entities:
        content[entities_key] = entities
    return content


@method("sendMessage")
def send_message(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = world.chat(required(params, "chat_id"))
    if not isinstance(params.get("text"), str) or not params["text"].strip():
        raise bad_request("message text is empty")
    content = _text_content(params, "text", "entities", MAX_TEXT)
    if not content["text"].strip():
        raise bad_request("message text is empty")
    if params.get("link_preview_options"):
        content["link_preview_options"] = without_nulls(params["link_preview_options"])
    return _finish_send(world, chat, content, params)


def _upload(
    world: World, params: dict[str, Any], uploads: dict[str, Upload], field: str
) -> tuple[Upload | None, str | None]:
    """The uploaded file for ``field``, or the file_id it names."""
    value = params.get(field)
    if isinstance(value, str) and value.startswith("attach://"):
        upload = uploads.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f"file for {field} not found in the request")
        return upload, None
    if field in uploads:
        return uploads[field], None
    if isinstance(value, str) and value:
        if value not in world.files.by_id:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return None, value
    raise bad_request(f"there is no {field} in the request")


@method("sendDocument")
def send_document(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = world.chat(required(params, "chat_id"))
    upload, file_id = _upload(world, params, uploads, "document")
    if upload is not None:
        stored = world.files.add(
            upload.data,
            kind="documents",
            file_name=upload.filename,
            mime_type=upload.content_type,
        )
    else:
        stored = world.files.by_id[file_id or ""]
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    content: dict[str, Any] = {"document": document}
    content.update(_text_content(params, "caption", "caption_entities", MAX_CAPTION))
    return _finish_send(world, chat, content, params, file_bytes=stored.data)


@method("sendPhoto")
def send_photo(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = world.chat(required(params, "chat_id"))
    upload, file_id = _upload(world, params, uploads, "photo")
    if upload is not None:
        stored = world.files.add(upload.data, kind="photos", file_name=upload.filename)
    else:
        stored = world.files.by_id[file_id or ""]
    photo = photo_sizes(stored.file_id, stored.file_unique_id, len(stored.data))
    content: dict[str, Any] = {"photo": photo}
    content.update(_text_content(params, "caption", "caption_entities", MAX_CAPTION))
    return _finish_send(world, chat, content, params, file_bytes=stored.data)


def photo_sizes(file_id: str, unique_id: str, size: int) -> list[dict[str, Any]]:
    """Telegram returns several sizes; the emulator stores one and describes it twice."""
    return [
        {"file_id": file_id, "file_unique_id": unique_id, "width": 320, "height": 240},
        {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "width": 1280,
            "height": 960,
            "file_size": size,
        },
    ]


@method("getFile")
def get_file(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    stored = world.files.by_id.get(required(params, "file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_api()


# -- editing and deleting ---------------------------------------------------------------------
def _message_to_edit(world: World, params: dict[str, Any]) -> tuple[ChatRecord, ChatMessage]:
    if params.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = world.chat(required(params, "chat_id"))
    message = chat.messages.get(params.get("message_id") or 0)
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    world.check_not_blocked(chat)
    return chat, message


def _apply_edit(
    world: World, chat: ChatRecord, message: ChatMessage, changes: dict[str, Any]
) -> dict[str, Any]:
    """Replace fields (None removes one); refuse an edit that changes nothing."""
    current = message.data
    if all(current.get(key) == value for key, value in changes.items()):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    updated = dict(current)
    for key, value in changes.items():
        if value is None:
            updated.pop(key, None)
        else:
            updated[key] = value
    updated["edit_date"] = unix_now()
    message.data = updated
    chat.touch(message)
    world.counters.messages_edited += 1
    return updated


@method("editMessageText")
def edit_message_text(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat, message = _message_to_edit(world, params)
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    if not isinstance(params.get("text"), str) or not params["text"].strip():
        raise bad_request("message text is empty")
    content = _text_content(params, "text", "entities", MAX_TEXT)
    # Telegram drops the inline keyboard when an edit does not repeat it
    return _apply_edit(
        world,
        chat,
        message,
        {
            "text": content["text"],
            "entities": content.get("entities"),
            "reply_markup": inline_only(params.get("reply_markup")),
        },
    )


@method("editMessageCaption")
def edit_message_caption(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat, message = _message_to_edit(world, params)
    if "text" in message.data:
        raise bad_request("there is no caption in the message to edit")
    content = _text_content(params, "caption", "caption_entities", MAX_CAPTION)
    return _apply_edit(
        world,
        chat,
        message,
        {
            "caption": content.get("caption"),
            "caption_entities": content.get("caption_entities"),
            "reply_markup": inline_only(params.get("reply_markup")),
        },
    )


@method("editMessageReplyMarkup")
def edit_message_reply_markup(
    world: World, params: dict[str, Any], uploads: dict[str, Upload]
) -> Any:
    chat, message = _message_to_edit(world, params)
    return _apply_edit(
        world, chat, message, {"reply_markup": inline_only(params.get("reply_markup"))}
    )


@method("deleteMessage")
def delete_message(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    chat = world.chat(required(params, "chat_id"))
    message = chat.messages.get(params.get("message_id") or 0)
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    message.deleted = True
    chat.touch(message)
    return True


# -- callback queries -------------------------------------------------------------------------
@method("answerCallbackQuery")
def answer_callback_query(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    record = world.callbacks.get(str(required(params, "callback_query_id")))
    if record is None or record.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = {
        "text": text,
        "show_alert": bool(params.get("show_alert", False)),
        "url": params.get("url"),
        "cache_time": int(params.get("cache_time") or 0),
    }
    world.counters.callback_answers += 1
    record.answered.notify()
    chat = world.chats.get(record.chat_id)
    if chat is not None:
        chat.changed.notify()
    return True


# -- commands, descriptions, menu button ------------------------------------------------------
def _command_key(params: dict[str, Any]) -> tuple[str, str]:
    language = params.get("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    scope = params.get("scope")
    if scope is not None and (not isinstance(scope, dict) or "type" not in scope):
        raise bad_request("can't parse BotCommandScope JSON object")
    return World.scope_key(without_nulls(scope) if scope else None), language


@method("setMyCommands")
def set_my_commands(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).lower().removeprefix("/")
        description = str(command.get("description", ""))
        if not _COMMAND_NAME.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    world.commands[_command_key(params)] = cleaned
    return True


@method("getMyCommands")
def get_my_commands(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return world.commands.get(_command_key(params), [])


@method("deleteMyCommands")
def delete_my_commands(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    world.commands.pop(_command_key(params), None)
    return True


def _describe(field: str, limit: int) -> tuple[Handler, Handler]:
    def setter(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        value = str(params.get(field) or "")
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        world.descriptions[(field, params.get("language_code") or "")] = value
        return True

    def getter(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return {field: world.descriptions.get((field, params.get("language_code") or ""), "")}

    return setter, getter


for _field, _limit, _set, _get in (
    ("description", 512, "setMyDescription", "getMyDescription"),
    ("short_description", 120, "setMyShortDescription", "getMyShortDescription"),
    ("name", 64, "setMyName", "getMyName"),
):
    _setter, _getter = _describe(_field, _limit)
    method(_set)(_setter)
    method(_get)(_getter)


@method("setChatMenuButton")
def set_chat_menu_button(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    button = params.get("menu_button") or {"type": "default"}
    world.menu_buttons[params.get("chat_id")] = without_nulls(button)
    return True


@method("getChatMenuButton")
def get_chat_menu_button(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    buttons = world.menu_buttons
    return buttons.get(params.get("chat_id"), buttons.get(None, {"type": "commands"}))


def handler_for(name: str) -> Handler | None:
    return HANDLERS.get(name.lower())


__all__ = ["HANDLERS", "SEND_METHODS", "ApiError", "handler_for", "method"]
