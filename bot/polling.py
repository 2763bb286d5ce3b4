"""Long polling that keeps fetching while updates are handled, and confirms an update only
after its effects are committed.

aiogram's own polling confirms each update (the next ``getUpdates`` offset) as soon as it is
*read*, and with ``handle_as_tasks`` before it is handled, so a crash loses it. Here the offset
moves past an update only once it and every update before it were handled, yet fetching does
not wait for a batch to finish: each poll asks from the lowest update not handled yet, the
server sends the unconfirmed ones again with any new ones, and only the new ones start (an
update in flight, or already handled by this process, is never handled twice here). One slow
update — a commit waiting for SQLite's write gate, a slow ``sendMessage`` — so no longer holds
back everyone who wrote after it.

- **Pacing.** A poll is answered at once while anything is unconfirmed, so the loop paces
  itself: with nothing in flight it long-polls (the server answers as soon as an update
  arrives); otherwise it waits ``pause``, or until nothing is in flight any more. The wait
  doubles (up to ``RETRY_PAUSE``) while polls bring nothing new, so a handler that takes
  seconds does not make the bot poll a hundred times a second, and it is longer after a large
  page, since parsing the page again is what a poll costs. When the page is full of updates
  already known (Telegram returns at most 100 from the offset), or ``max_in_flight`` are in
  flight, it waits for one to finish. With only failed updates waiting it polls every
  ``RETRY_PAUSE``.
- **Order per person.** Tasks start in update-id order and each waits for the same person's
  previous update to finish. aiogram's isolation lock alone is not enough: it is FIFO in one
  process, but ``bot.feed`` releases it between the attempts at an update that met a busy
  database, and Redis isolation is not FIFO.
- **Failures.** An update whose handling failed (a database outage, say) holds the offset and
  is handled again when a poll brings it back after ``RETRY_DELAY``; updates after it go on
  (as they did within a batch). Those that did commit are recognised by ``processed_updates``.
- **Stopping.** ``stop()`` stops fetching; the updates in flight finish, then the offset is
  confirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.methods import GetUpdates, Response
from aiogram.types import Update
from pydantic import ValidationError

from bot.feed import feed_update
from bot.metrics import Metrics
from bot.middlewares.unit_of_work import SOLE_RECEIVER

log = logging.getLogger(__name__)

PAGE = 100  # the most updates getUpdates returns (Telegram's limit and default)
MAX_IN_FLIGHT = 200
PAUSE = 0.01  # between polls while updates are in flight and new ones arrive
PAUSE_PER_UPDATE = 0.001  # at least this per update on the last page (reading it costs CPU)
RETRY_PAUSE = 0.1  # the longest pause, and the one while only failed updates wait
RETRY_DELAY = 1.0  # before a failed update is handled again


class PageOfUpdates(GetUpdates):
    """getUpdates answered as plain dicts, parsed here only when new: most of a page is updates
    in flight or handled already, and parsing every one into aiogram's models again cost more
    CPU than handling them (pydantic: 0.03 ms for a short text, more with a keyboard)."""

    __returning__ = list[dict[str, Any]]


# pydantic caches parametrised generics weakly: keep this one alive (as
# bot/middlewares/response_types.py does for the others), or it is built again after a GC.
_PAGE_RESPONSE = Response[list[dict[str, Any]]]


class Poller:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        metrics: Metrics,
        *,
        timeout: int = 25,
        allowed_updates: list[str] | None = None,
        pause: float = PAUSE,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self._dispatcher = dispatcher
        # The only receiver of the bot's updates: new ids need no processed_updates look-up.
        dispatcher[SOLE_RECEIVER] = True
        self._bot = bot
        self._metrics = metrics
        self._timeout = timeout
        self._allowed_updates = allowed_updates
        self._pause = pause
        self._max_in_flight = max_in_flight
        self._offset: int | None = None  # every update below it was handled
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._handled: set[int] = set()  # handled by this process, at or above the offset
        self._retry_at: dict[int, float] = {}  # failed: handled again from this loop time on
        self._latest: dict[int, asyncio.Task[None]] = {}  # each person's last update started
        self._finished = 0  # updates finished (handled or failed) so far
        self._quiet = 0  # polls in a row that started nothing
        self._wake = asyncio.Event()
        self._waiting_for_any = False
        self._stopping = asyncio.Event()
        self._fetch: asyncio.Task[list[dict[str, Any]]] | None = None

    async def run(self) -> None:
        try:
            await self._poll()
            while self._in_flight:  # stop(): let them finish
                await asyncio.wait(list(self._in_flight.values()))
        finally:
            for task in self._in_flight.values():  # only left when run() itself was cancelled
                task.cancel()
        await self._confirm()

    async def _poll(self) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            finished = self._finished
            busy = bool(self._in_flight or self._retry_at)  # the server will answer at once
            method = PageOfUpdates(
                offset=self._offset,
                timeout=0 if busy else self._timeout,
                allowed_updates=self._allowed_updates,
            )
            request = self._bot(method, request_timeout=self._timeout + 10)
            # typed as GetUpdates' list[Update]; PageOfUpdates returns the dicts
            self._fetch = asyncio.create_task(request)  # type: ignore[arg-type]
            try:
                page = await self._fetch
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    break
                raise
            except (TelegramNetworkError, TelegramAPIError) as error:
                log.warning(
                    "getUpdates failed (%s); retrying in %.1f s", type(error).__name__, backoff
                )
                await self._sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            started = self._start(page)
            self._quiet = 0 if started else self._quiet + 1
            await self._pace(len(page), started, finished)

    def _start(self, page: list[dict[str, Any]]) -> int:
        """Start handling the updates not in flight, not handled and not waiting for a retry."""
        now = asyncio.get_running_loop().time()
        started = 0
        for raw in page:
            update_id = raw["update_id"]
            if update_id in self._in_flight or update_id in self._handled:
                continue
            if self._offset is not None and update_id < self._offset:
                continue  # the server forgot it already; never expected
            if len(self._in_flight) >= self._max_in_flight:
                break  # the rest comes back with a later poll
            due = self._retry_at.get(update_id)
            if due is not None:
                if due > now:
                    continue
                del self._retry_at[update_id]
            try:
                update = Update.model_validate(raw, context={"bot": self._bot})
            except ValidationError:
                # Nothing can handle what cannot be read; skipping it must not stop the bot.
                self._metrics.handler_errors += 1
                log.error("update %s could not be read; skipped", update_id)
                self._handled.add(update_id)
                self._advance()
                continue
            person = _person(update)
            before = self._latest.get(person) if person is not None else None
            task = asyncio.create_task(self._process(update, person, before))
            self._in_flight[update_id] = task
            if person is not None:
                self._latest[person] = task
            started += 1
        return started

    async def _process(
        self, update: Update, person: int | None, before: asyncio.Task[None] | None
    ) -> None:
        if before is not None and not before.done():
            await asyncio.wait((before,))  # this person's previous update goes first
        handled = await self._handle(update)
        update_id = update.update_id
        del self._in_flight[update_id]
        if handled:
            self._handled.add(update_id)
        else:
            self._retry_at[update_id] = asyncio.get_running_loop().time() + RETRY_DELAY
        if person is not None and self._latest.get(person) is asyncio.current_task():
            del self._latest[person]
        self._advance()
        self._finished += 1
        if self._waiting_for_any or not self._in_flight:
            self._wake.set()

    async def _handle(self, update: Update) -> bool:
        try:
            await feed_update(self._dispatcher, self._bot, update, self._metrics)
        except Exception as error:  # counted and retried, never fatal
            self._metrics.handler_errors += 1
            # Type only: an exception's message can quote what a citizen wrote.
            log.error("update %s failed: %s", update.update_id, type(error).__name__)
            return False
        self._metrics.updates_handled += 1
        return True

    def _advance(self) -> None:
        """Move the offset to the lowest update not handled yet."""
        waiting = [*self._in_flight, *self._retry_at]
        if waiting:
            offset = min(waiting)
        elif self._handled:
            offset = max(self._handled) + 1
        else:
            return
        if self._offset is None or offset > self._offset:
            self._offset = offset
            self._handled = {update_id for update_id in self._handled if update_id >= offset}

    async def _pace(self, returned: int, started: int, finished: int) -> None:
        """Wait before the next poll, which the server answers at once while any is unconfirmed."""
        if self._stopping.is_set() or not (self._in_flight or self._retry_at):
            return  # the next poll is a long poll
        if not self._in_flight:
            await self._doze(RETRY_PAUSE)
            return
        quiet = max(self._pause, min(self._pause * 2 ** min(self._quiet, 8), RETRY_PAUSE))
        await self._doze(max(quiet, returned * PAUSE_PER_UPDATE))
        full = (returned >= PAGE and not started) or len(self._in_flight) >= self._max_in_flight
        if full and self._in_flight and self._finished == finished:
            # Another poll would bring the same page, or start nothing, until one finishes.
            self._waiting_for_any = True
            await self._doze(RETRY_DELAY)

    async def _doze(self, seconds: float) -> None:
        """Sleep; woken by stop(), when nothing is in flight any more, or (if waiting for
        that) when an update finishes."""
        if self._stopping.is_set():
            return
        self._wake.clear()
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), seconds)
        finally:
            self._waiting_for_any = False

    async def _confirm(self) -> None:
        """Tell the server which updates are done, so a restart does not see them again."""
        if self._offset is None:
            return
        try:
            await self._bot(GetUpdates(offset=self._offset, timeout=0, limit=1))
        except TelegramAPIError:  # the next start re-reads them; duplicates are harmless
            log.warning("could not confirm the last updates before stopping")

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def stop(self) -> None:
        """Stop fetching; the updates in flight finish first (``run`` then returns)."""
        self._stopping.set()
        self._wake.set()
        if self._fetch is not None and not self._fetch.done():
            self._fetch.cancel()


def _person(update: Update) -> int | None:
    """Whose update this is (their updates are handled in order), or None if nobody's."""
    user = UserContextMiddleware.resolve_event_context(update).user
    return user.id if user is not None else None
