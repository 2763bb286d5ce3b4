"""Validation of reply_markup as Telegram applies it.

Inline keyboards come back in ``Message.reply_markup``; reply keyboards, keyboard removal and
force-reply change what the user's client shows but are never part of the returned Message.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.errors import ApiError, bad_request

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_CALLBACK_DATA_BYTES = 64


def without_nulls(value: Any) -> Any:
    """Drop null fields: Telegram never returns them, and clients compare markups."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def split_markup(markup: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Validate reply_markup; return (inline keyboard, reply keyboard/remove/force-reply)."""
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    markup = without_nulls(markup)
    if "inline_keyboard" in markup:
        return _inline(markup), None
    if "keyboard" in markup:
        return None, _reply_keyboard(markup)
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_only(markup: Any) -> dict[str, Any] | None:
    """Edits accept inline keyboards only."""
    inline, other = split_markup(markup)
    if other is not None:
        raise bad_request("inline keyboard expected")
    return inline


def _rows(markup: dict[str, Any], key: str) -> list[list[Any]]:
    rows = markup.get(key)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{key}" of the keyboard must be an Array of Array')
    return rows


def _inline(markup: dict[str, Any]) -> dict[str, Any]:
    for row in _rows(markup, "inline_keyboard"):
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be a String")
            actions = [name for name in INLINE_ACTIONS if name in button]
            if not actions:
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                _check_callback_data(button["callback_data"])
            if "url" in button and not _looks_like_url(button["url"]):
                raise bad_request("BUTTON_URL_INVALID")
    return markup


def _check_callback_data(data: Any) -> None:
    if not isinstance(data, str):
        raise bad_request("BUTTON_DATA_INVALID")
    size = len(data.encode("utf-8"))
    if size < 1 or size > MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def _looks_like_url(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(("http://", "https://", "tg://"))


def _reply_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    rows: list[list[dict[str, Any]]] = []
    for row in _rows(markup, "keyboard"):
        buttons = []
        for button in row:
            # Telegram still accepts plain strings for text-only buttons
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse keyboard button: Text must be a String")
            buttons.append(button)
        rows.append(buttons)
    if not any(rows):
        raise ApiError(400, "Bad Request: keyboard must be non-empty")
    return {**markup, "keyboard": rows}
