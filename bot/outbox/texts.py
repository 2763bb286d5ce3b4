"""The text of an outbox message, from its payload, in the recipient's language.

Broadcast payloads carry the facilitator's own text (already in the person's language);
reminder payloads carry the facts and are worded here, in Italian and English.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

REMINDER = {
    "it": (
        "Promemoria: non hai ancora finito «{title}». La consultazione chiude il {date} alle "
        "{time}. Scrivi /start per riprendere da dove eri rimasto."
    ),
    "en": (
        'Reminder: you have not finished "{title}" yet. The consultation closes on {date} at '
        "{time}. Send /start to pick up where you left off."
    ),
}
DATE_FORMAT = {"it": "%d/%m/%Y", "en": "%d/%m/%Y"}


class UnknownPayload(ValueError):
    """A payload this version cannot word (it is failed, not retried)."""


def render(payload: dict[str, Any], timezone: str = "Europe/Rome") -> str:
    kind = payload.get("kind")
    if kind == "text":
        return str(payload["text"])
    if kind == "reminder":
        language = str(payload.get("language"))
        if language not in REMINDER:
            language = "it"
        closes_at = datetime.fromisoformat(payload["closes_at"]).astimezone(ZoneInfo(timezone))
        return REMINDER[language].format(
            title=payload["title"],
            date=closes_at.strftime(DATE_FORMAT[language]),
            time=closes_at.strftime("%H:%M"),
        )
    raise UnknownPayload(f"unknown outbox payload kind {kind!r}")
