"""Watch a whole test session's logs for what test users typed, their ids and their names.

DESIGN.md §4: logs carry update ids and exception types, never a Telegram id, a name or an
answer. ``LeakWatch`` records every simulated user the Bot API emulator creates (its id and
names) and every text they send, and keeps every log record at the production level (INFO,
with aiogram's per-update lines at WARNING as ``bot.logs.setup_logging`` does). ``leaks()``
then lists the records that mention any of them. ``tests/e2e/conftest.py`` runs it over the
whole end-to-end suite.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.sandbox.users import SimulatedUser
from bot.sandbox.world import World

MIN_TEXT = 8  # shorter texts ("12", "sì", "ciao") also occur in the bot's own words
MIN_NAME = 4
MIN_ID = 100_000  # shorter numbers are everywhere (counts, versions); real ids are longer
QUIET_LOGGERS = {"aiogram.event": logging.WARNING, "aiohttp.access": logging.WARNING}


@dataclass(eq=False)
class LeakWatch(logging.Handler):
    ids: set[int] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (logger, message + traceback)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken record is not ours to judge
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f"\n{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        self.lines.append((record.name, text))

    def user_created(self, user_id: int, *names: str | None) -> None:
        if abs(user_id) >= MIN_ID:
            self.ids.add(user_id)
        self.names.update(n for n in names if n and len(n) >= MIN_NAME)

    def text_sent(self, text: str) -> None:
        if len(text.strip()) >= MIN_TEXT and not text.startswith("/"):
            self.texts.add(text.strip())

    def leaks(self) -> list[str]:
        """Every log line that mentions a test user's id, name or text."""
        ids = re.compile(r"(?<!\d)(" + "|".join(map(str, sorted(self.ids))) + r")(?!\d)")
        names = re.compile(r"\b(" + "|".join(map(re.escape, sorted(self.names))) + r")\b")
        found = []
        for logger, line in self.lines:
            hit = (self.ids and ids.search(line)) or (self.names and names.search(line))
            if hit or any(text in line for text in self.texts):
                found.append(f"{logger}: {line[:300]}")
        return found


@contextmanager
def watching(watch: LeakWatch) -> Iterator[LeakWatch]:
    """Record users, texts and log records until the block ends."""
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    saved_root = root.level
    add_user, send_text = World.add_user, SimulatedUser.send_text

    def recording_add_user(self: World, first_name: str, **kwargs: Any) -> Any:
        user, chat = add_user(self, first_name, **kwargs)
        watch.user_created(user.id, user.first_name, user.last_name, user.username)
        return user, chat

    def recording_send_text(self: SimulatedUser, text: str, **kwargs: Any) -> Any:
        watch.text_sent(text)
        return send_text(self, text, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(World, "add_user", recording_add_user)
        patch.setattr(SimulatedUser, "send_text", recording_send_text)
        for name, level in QUIET_LOGGERS.items():
            logging.getLogger(name).setLevel(level)
        if root.level > logging.INFO:
            root.setLevel(logging.INFO)
        root.addHandler(watch)
        try:
            yield watch
        finally:
            root.removeHandler(watch)
            root.setLevel(saved_root)
            for name, level in saved.items():
                logging.getLogger(name).setLevel(level)
