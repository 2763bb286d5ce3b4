"""Pacing for bulk sends: evenly spaced slots overall, and per-chat gates.

Telegram allows about 30 messages/s overall, 1/s per chat and 20/min per group, and answers
anything faster with 429. A bucket that starts full sends a burst and collects 429s (see
``../shared/notes/telegram.md``), so slots are spaced evenly instead, on a grid: a late
wake-up is made up a little at a time, never with a burst.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class EvenPacer:
    """At most ``rate`` slots per second on an even grid, and never more than
    ``window_limit`` slots in any ``window`` seconds.

    Slots are planned ``1/rate`` apart. A slot used late (the event loop was busy) lets the
    next one come a little sooner, so the average rate holds, but never sooner than
    ``min_gap`` of an interval; and the sliding window caps what any catching up can add
    up to. The window is a little longer than Telegram's second on purpose: requests reach
    the server with some jitter, and the margin absorbs it.
    """

    def __init__(
        self,
        rate: float,
        *,
        window_limit: int = 30,
        window: float = 1.06,
        min_gap: float = 0.75,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or window_limit < 1:
            raise ValueError("rate and window_limit must be positive")
        self.interval = 1.0 / rate
        self._min_gap = min_gap * self.interval
        self._window = window
        self._recent: deque[float] = deque(maxlen=window_limit)
        self._monotonic = monotonic
        self._next = 0.0

    async def slot(self) -> None:
        now = self._monotonic()
        planned = max(self._next, now)
        if len(self._recent) == self._recent.maxlen:
            planned = max(planned, self._recent[0] + self._window)
        if planned > now:
            await asyncio.sleep(planned - now)
        used = self._monotonic()
        self._recent.append(used)
        self._next = max(planned + self.interval, used + self._min_gap)


def is_group_chat(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids in the Bot API."""
    return chat_id < 0


class ChatGates:
    """When each chat may get its next message: 1/s per chat, 20/min per group, and never
    inside a ``retry_after`` window a 429 opened."""

    def __init__(
        self,
        *,
        per_chat_interval: float = 1.0,
        group_per_minute: int = 20,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = per_chat_interval
        self._group_limit = group_per_minute
        self._monotonic = monotonic
        self._open_at: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}

    def wait_for(self, chat_id: int) -> float:
        """Seconds until ``chat_id`` may get a message (0: now)."""
        now = self._monotonic()
        wait = self._open_at.get(chat_id, 0.0) - now
        sends = self._group_sends.get(chat_id)
        if sends is not None:
            while sends and sends[0] <= now - 60.0:
                sends.popleft()
            if len(sends) >= self._group_limit:
                wait = max(wait, sends[0] + 60.0 - now)
        return max(0.0, wait)

    def note_attempt(self, chat_id: int) -> None:
        now = self._monotonic()
        self._open_at[chat_id] = max(self._open_at.get(chat_id, 0.0), now + self._interval)
        if is_group_chat(chat_id):
            self._group_sends.setdefault(chat_id, deque()).append(now)

    def block(self, chat_id: int, seconds: float) -> None:
        """A 429 said: nothing to this chat for ``seconds``."""
        until = self._monotonic() + seconds
        self._open_at[chat_id] = max(self._open_at.get(chat_id, 0.0), until)

    def forget_idle(self) -> None:
        """Drop chats whose gates are open again (keeps memory flat over long runs)."""
        now = self._monotonic()
        self._open_at = {chat: at for chat, at in self._open_at.items() if at > now}
        self._group_sends = {
            chat: sends
            for chat, sends in self._group_sends.items()
            if sends and sends[-1] > now - 60.0
        }
