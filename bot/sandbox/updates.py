"""The bot's update queue: long polling with offsets, and the webhook's pending list.

Telegram keeps undelivered updates in order of ``update_id`` and forgets them once a later
``getUpdates`` passes a higher ``offset`` (polling) or the webhook answered 2xx. Ids are assigned
in increasing order, so an insertion-ordered dict is always sorted: confirming pops from the front
and the webhook removes single entries, both without scanning the whole queue (filtering a list
per poll was O(n²) at 5k queued updates).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from bot.sandbox.state import Notifier

# What Telegram sends when allowed_updates is empty or never set.
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self.allowed_updates: list[str] = []
        self.arrived = Notifier()
        self.closed = False

    def __len__(self) -> int:
        return len(self._pending)

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        """Telegram keeps the last allowed_updates; it only affects updates created later."""
        if allowed is not None:
            self.allowed_updates = list(allowed)

    def accepts(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED

    def put(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update of this kind; None if allowed_updates filters it out."""
        if not self.accepts(kind):
            return None
        update_id = next(self._ids)
        update = {"update_id": update_id, kind: payload}
        self._pending[update_id] = update
        self.arrived.notify()
        return update

    def confirm(self, offset: int) -> int:
        """Forget updates below ``offset`` and return how many; a negative offset keeps only
        the last -offset updates (those forgotten are not counted as confirmed)."""
        pending = self._pending
        if offset < 0:
            keep = -offset
            while len(pending) > keep:
                del pending[next(iter(pending))]
            return 0
        confirmed = 0
        while pending:
            first = next(iter(pending))
            if first >= offset:
                break
            del pending[first]
            confirmed += 1
        return confirmed

    def peek(self, limit: int) -> list[dict[str, Any]]:
        return list(itertools.islice(self._pending.values(), limit))

    def first_not_in(self, busy: set[int]) -> dict[str, Any] | None:
        """The oldest pending update not being delivered right now (webhook)."""
        for update_id, update in self._pending.items():
            if update_id not in busy:
                return update
        return None

    def remove(self, update_id: int) -> bool:
        return self._pending.pop(update_id, None) is not None

    def clear(self) -> None:
        self._pending.clear()

    def close(self) -> None:
        """Release every waiting long poll at once (shutdown)."""
        self.closed = True
        self.arrived.notify()
