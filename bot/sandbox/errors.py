"""Bot API errors exactly as Telegram words and codes them.

Handlers raise :class:`ApiError`; the server turns it into
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}`` with the same HTTP
status, which is what aiogram and python-telegram-bot map onto their exception classes.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error response; ``retry_after`` is always an integer, as Telegram sends it."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": int(self.retry_after)}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def conflict(detail: str) -> ApiError:
    return ApiError(409, f"Conflict: {detail}")


# Factories, not shared instances: re-raising one exception object keeps growing its traceback.
def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def bad_gateway() -> ApiError:
    return ApiError(502, "Bad Gateway")


def chat_not_found() -> ApiError:
    return bad_request("chat not found")


def blocked() -> ApiError:
    return forbidden("bot was blocked by the user")


def not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )
