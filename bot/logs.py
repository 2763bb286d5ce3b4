"""Logging set-up with a redaction filter: no token ever reaches a log line.

Our own code logs no Telegram ids, names or answer text (only update ids and exception
types). Libraries may print request URLs, which carry the bot token (``/bot<token>/``), so
every record is passed through ``redact`` before it is written.
"""

from __future__ import annotations

import logging
import re

# A bot token is "<digits>:<35 url-safe characters>"; match generously.
_TOKEN = re.compile(r"(?<!\d)\d{3,}:[A-Za-z0-9_-]{4,}")


def redact(text: str) -> str:
    return _TOKEN.sub("[token]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every update at INFO; keep the console readable.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
