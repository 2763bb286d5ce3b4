"""Decoding Bot API request parameters the way Telegram does.

Clients send parameters as a query string, a urlencoded or multipart form, or a JSON body. In
forms every value is a string: numbers arrive as "42" and nested objects (``reply_markup``,
``entities``...) as JSON text. Telegram decodes each parameter by its declared type, so only
parameters whose type is an object or an array are JSON-decoded: a ``text`` of "4" or "[1]" must
stay a string, or the echoed Message no longer validates in the client (a bug seen in one public
emulator). The tables below are checked against the official spec by the e2e tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox.errors import bad_request

# Parameters whose Bot API type is an object or an array (sent as JSON text in forms).
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "media",
        "reply_parameters",
        "link_preview_options",
        "menu_button",
        "suggested_post_parameters",
        "rich_message",
    }
)
INTEGER_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "max_connections",
        "message_thread_id",
        "direct_messages_topic_id",
        "cache_time",
        "user_id",
        "from_chat_id",
        "reply_to_message_id",
        "duration",
        "width",
        "height",
        "live_period",
        "heading",
        "proximity_alert_radius",
    }
)
FLOAT_PARAMS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
BOOLEAN_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_paid_broadcast",
        "show_alert",
        "drop_pending_updates",
        "disable_content_type_detection",
        "show_caption_above_media",
        "has_spoiler",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "for_channels",
    }
)
# Integer or "@username": keep usernames as strings.
INTEGER_OR_STRING_PARAMS = frozenset({"chat_id"})


@dataclass(frozen=True)
class Upload:
    """A file attached to a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class LoggedRequest:
    """One Bot API call as the emulator received it (kept only when request logging is on).

    ``raw`` holds the values exactly as sent (strings from forms, typed values from JSON
    bodies), so a test can decode them by the spec independently of the tables above;
    ``params`` is the emulator's own decoding, or None when decoding refused the request.
    """

    method: str
    raw: dict[str, Any]
    params: dict[str, Any] | None
    uploads: tuple[str, ...]


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Decoded parameters and uploaded files of a request."""
    raw, uploads = await read_raw_params(request)
    return coerce(raw), uploads


async def read_raw_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Collect raw parameters and uploaded files from the query string and the body."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise bad_request("can't parse JSON request body") from exc
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            raw.update(body)
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue  # nested multiparts are not part of the Bot API
                name = part.name or ""
                if part.filename is not None:
                    uploads[name] = Upload(
                        field=name,
                        filename=part.filename,
                        content_type=part.headers.get("Content-Type", "application/octet-stream"),
                        data=bytes(await part.read()),
                    )
                else:
                    raw[name] = await part.text()
        else:
            # urlencoded, or no content type at all (some clients omit it)
            raw.update(await request.post())
    return raw, uploads


def coerce(raw: dict[str, Any]) -> dict[str, Any]:
    """Give each string parameter its Bot API type; values from JSON bodies are kept as sent."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            value = _coerce_string(name, value)
        params[name] = value
    return params


def _coerce_string(name: str, value: str) -> Any:
    if name in JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad_request(f"can't parse {name} JSON object") from exc
    if name in INTEGER_OR_STRING_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in INTEGER_PARAMS:
        try:
            return int(value)
        except ValueError as exc:
            raise bad_request(f'field "{name}" must be of type Integer') from exc
    if name in FLOAT_PARAMS:
        try:
            return float(value)
        except ValueError as exc:
            raise bad_request(f'field "{name}" must be of type Float') from exc
    if name in BOOLEAN_PARAMS:
        return value.strip().lower() in {"true", "1", "yes", "on"}
    return value
