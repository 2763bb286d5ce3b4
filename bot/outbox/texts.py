"""The text of an outbox message, from its payload, in the recipient's language.

Broadcast payloads carry the facilitator's own text (already in the person's language);
reminder payloads carry the facts (title, closing time) and are worded here from the Fluent
catalogues (``dialogs/locales/{it,en}/outbox.ftl``), so translators find every sentence the
bot sends in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dialogs.i18n import LANGUAGES, translate

DATE_FORMAT = "%d/%m/%Y"  # day first in both languages (the audience reads dates the Italian way)
TIME_FORMAT = "%H:%M"


class UnknownPayload(ValueError):
    """A payload this version cannot word (it is failed, not retried)."""


def render(payload: dict[str, Any], timezone: str = "Europe/Rome") -> str:
    kind = payload.get("kind")
    if kind == "text":
        return str(payload["text"])
    if kind == "reminder":
        language = str(payload.get("language"))
        if language not in LANGUAGES:
            language = "it"
        closes_at = datetime.fromisoformat(payload["closes_at"]).astimezone(ZoneInfo(timezone))
        return translate(
            language,
            "outbox-reminder",
            {
                "title": payload["title"],
                "date": closes_at.strftime(DATE_FORMAT),
                "time": closes_at.strftime(TIME_FORMAT),
            },
        )
    raise UnknownPayload(f"unknown outbox payload kind {kind!r}")
