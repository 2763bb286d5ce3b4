"""The outbox sender: takes due rows from the database and sends them, evenly paced.

Every attempt is accounted for here, which is why the sender uses its own ``Bot`` without the
interactive ``RetryMiddleware`` (that one retries blindly, and a blind retry of a bulk send is
invisible to the outbox). For each row:

1. mark it ``sending`` (own commit), wait for the next pacing slot, call ``sendMessage``;
2. then, in one commit: ``sent``; or back to ``pending`` with ``not_before`` after a 429
   (``retry_after``, and the chat is gated until then), a 5xx or a network error
   (exponential backoff); or ``unreachable`` after a 403 (and the participant with it, never
   retried); or ``failed`` after any other 4xx or too many attempts.

A crash between 1 and 2 leaves the row ``sending``. After ``sending_timeout`` (longer than any
request can take) ``recover_stale`` makes it pending again; those rows are the only possible
duplicates, and they are counted (``SenderReport.recovered_in_flight``). Network errors are
counted too (``ambiguous_retries``): whether Telegram delivered is unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.outbox.pacing import ChatGates, EvenPacer
from bot.outbox.texts import UnknownPayload, render
from bot.outbox.writer import GroupWriter
from storage.repositories.outbox import OutboundMessage, SqlOutboxRepository
from storage.store import Storage
from surveys.clock import SystemClock
from surveys.entities import OutboxProgress
from surveys.ports import Clock
from surveys.usecases.scheduling import QuietHours

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, OutboxProgress], Awaitable[None]]

# A 429's retry_after is counted from when Telegram answered; a little margin keeps the next
# attempt clear of the window even with clock granularity.
RETRY_AFTER_MARGIN = 0.1


@dataclass
class SenderSettings:
    rate: float = 29.0  # messages/s overall, under Telegram's 30
    per_chat_interval: float = 1.0
    group_per_minute: int = 20
    max_in_flight: int = 8
    request_timeout: float = 10.0
    sending_timeout: timedelta = timedelta(seconds=60)  # > request_timeout, by far
    max_attempts: int = 8
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    poll_interval: float = 1.0
    window: int = 200  # rows fetched per pass
    progress_interval: float = 2.0
    timezone: str = "Europe/Rome"


@dataclass
class SenderReport:
    attempts: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    ambiguous_retries: int = 0
    recovered_in_flight: int = 0
    dropped: int = 0
    errors_by_code: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _backoff(attempts: int, base: float, cap: float) -> float:
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return float(delay * (1 + random.random() * 0.2))  # jitter: rows do not come back in lockstep


class OutboxSender:
    """Sends the outbox. Run one per deployment (the leader runs it: see ``bot.background``)."""

    def __init__(
        self,
        storage: Storage,
        bot: Bot,
        *,
        clock: Clock | None = None,
        settings: SenderSettings | None = None,
        quiet: QuietHours | None = None,
    ) -> None:
        self.storage = storage
        self.bot = bot
        self.clock = clock or SystemClock()
        self.settings = settings or SenderSettings()
        self.quiet = quiet
        self.report = SenderReport()
        self._pacer = EvenPacer(self.settings.rate)
        self._gates = ChatGates(
            per_chat_interval=self.settings.per_chat_interval,
            group_per_minute=self.settings.group_per_minute,
        )
        self._slots = asyncio.Semaphore(self.settings.max_in_flight)
        self._writer = GroupWriter(storage)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._watchers: dict[str, ProgressCallback] = {}
        self._last_progress: dict[str, float] = {}
        self._last_recovery = 0.0

    # --- progress --------------------------------------------------------------------------
    def watch(self, batch: str, callback: ProgressCallback) -> None:
        """Call ``callback(batch, progress)`` as the batch goes out (throttled, and once more
        when nothing remains), e.g. to edit the facilitator's progress message."""
        self._watchers[batch] = callback

    async def _progress(self, batch: str | None, *, force: bool = False) -> None:
        if batch is None or batch not in self._watchers:
            return
        now = time.monotonic()
        if (
            not force
            and now - self._last_progress.get(batch, 0.0) < self.settings.progress_interval
        ):
            return
        self._last_progress[batch] = now
        async with self.storage.uow() as uow:
            progress = await uow.outbox.progress(batch)
        callback = self._watchers[batch]
        if progress.remaining == 0:
            del self._watchers[batch]
        try:
            await callback(batch, progress)
        except Exception:  # a failed progress edit must not stop the broadcast
            log.exception("progress callback failed for a batch")

    async def _flush_progress(self, *, force: bool = False) -> None:
        """Report watched batches that had no report lately (the last rows' reports may have
        been throttled away)."""
        for batch in list(self._watchers):
            await self._progress(batch, force=force)

    # --- the loop ----------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> SenderReport:
        """Send until ``stop`` is set; in-flight sends are finished before returning."""
        try:
            while not stop.is_set():
                await self._maybe_recover()
                dispatched, wait = await self._pass(stop)
                if not dispatched:
                    await self._flush_progress()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), wait)
        finally:
            await self._close()
        return self.report

    async def drain(self, *, limit: float | None = None) -> SenderReport:
        """Send until no row is pending or in flight (waiting out 429s and backoffs)."""
        stop = asyncio.Event()

        async def until_empty() -> SenderReport:
            while True:
                await self._maybe_recover()
                dispatched, wait = await self._pass(stop)
                if dispatched:
                    continue
                await self._settle()
                await self._flush_progress()
                if await self._unfinished() == 0:
                    await self._flush_progress(force=True)
                    return self.report
                await asyncio.sleep(wait)

        try:
            return await asyncio.wait_for(until_empty(), limit)
        finally:
            await self._close()

    async def _settle(self) -> None:
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _close(self) -> None:
        await self._settle()
        await self._writer.close()

    async def _unfinished(self) -> int:
        async with self.storage.uow() as uow:
            return await uow.outbox.unfinished()

    async def _maybe_recover(self) -> None:
        now = time.monotonic()
        every = max(0.5, self.settings.sending_timeout.total_seconds() / 2)
        if now - self._last_recovery < every:
            return
        self._last_recovery = now
        older_than = self.clock.now() - self.settings.sending_timeout
        recovered = await self._write(lambda outbox: outbox.recover_stale(older_than))
        if recovered:
            self.report.recovered_in_flight += recovered
            log.warning("outbox: %d rows were in flight at a crash; sending them again", recovered)

    async def _pass(self, stop: asyncio.Event) -> tuple[int, float]:
        """Dispatch what is due now; how many were dispatched, and how long to wait if none."""
        now = self.clock.now()
        async with self.storage.uow() as uow:
            rows = await uow.outbox.due(now, self.settings.window)
            next_due = None if rows else await uow.outbox.next_due_at()
        wait = self.settings.poll_interval
        if next_due is not None:
            wait = min(wait, max(0.0, (next_due - now).total_seconds()) + 0.01)
        dispatched = 0
        for row in rows:
            if stop.is_set():
                break
            gate = await self._admit(row, self.clock.now())
            if gate is not None:
                wait = min(wait, gate)
                continue
            await self._slots.acquire()
            try:
                # The time of *this* marking: a pass paces up to ``window`` rows, and a time
                # taken at its start would make late rows look stale to ``recover_stale``.
                taken = await self._write(self._mark_sending(row.id, self.clock.now()))
            except BaseException:
                self._slots.release()
                raise
            if not taken:
                self._slots.release()
                continue
            assert row.chat_id is not None
            await self._pacer.slot()
            self._gates.note_attempt(row.chat_id)
            task = asyncio.create_task(self._attempt(row))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
            dispatched += 1
        if dispatched == 0:
            self._gates.forget_idle()
        return dispatched, max(wait, 0.01)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox attempt crashed", exc_info=task.exception())

    async def _admit(self, row: OutboundMessage, now: datetime) -> float | None:
        """None when the row may be sent now; else seconds to wait (rows dropped or deferred
        here wait 0: they are settled)."""
        if row.chat_id is None or row.stopped:
            reason = "no contact" if row.chat_id is None else "stopped or unreachable"
            await self._write(lambda outbox: outbox.drop(row.id, reason))
            self.report.dropped += 1
            await self._progress(row.batch)
            return 0.0
        if self.quiet is not None and self.quiet.is_quiet(now):
            later = self.quiet.postpone(now)
            await self._write(lambda outbox: outbox.defer(row.id, later))
            return self.settings.poll_interval
        wait = self._gates.wait_for(row.chat_id)
        return wait if wait > 0 else None

    # --- one attempt -------------------------------------------------------------------------
    async def _attempt(self, row: OutboundMessage) -> None:
        assert row.chat_id is not None
        report = self.report
        report.attempts += 1
        attempts = row.attempts + 1
        try:
            text = render(row.payload, self.settings.timezone)
            await self.bot.send_message(
                chat_id=row.chat_id, text=text, request_timeout=int(self.settings.request_timeout)
            )
        except TelegramRetryAfter as error:
            report.rate_limited += 1
            self._count(429)
            wait = float(error.retry_after) + RETRY_AFTER_MARGIN
            self._gates.block(row.chat_id, wait)
            later = self.clock.now() + timedelta(seconds=wait)
            await self._write(lambda outbox: outbox.retry_later(row.id, later, "429"))
        except TelegramForbiddenError as error:
            report.unreachable += 1
            self._count(403)
            reason = error.message[:200]
            await self._write(lambda outbox: outbox.mark_unreachable(row.id, reason))
        except (TelegramServerError, TelegramNetworkError) as error:
            if isinstance(error, TelegramNetworkError):
                report.ambiguous_retries += 1  # it may have been delivered: unknowable
                self._count("network")
            else:
                report.server_errors += 1
                self._count("5xx")
            await self._retry_or_fail(row, attempts, type(error).__name__)
        except (TelegramAPIError, UnknownPayload) as error:
            report.failed += 1
            self._count(type(error).__name__)
            message = getattr(error, "message", str(error))[:200]
            await self._write(lambda outbox: outbox.mark_failed(row.id, message))
        else:
            report.sent += 1
            sent_at = self.clock.now()
            await self._write(lambda outbox: outbox.mark_sent(row.id, sent_at))
        await self._progress(row.batch)

    async def _retry_or_fail(self, row: OutboundMessage, attempts: int, error: str) -> None:
        if attempts >= self.settings.max_attempts:
            self.report.failed += 1
            await self._write(lambda outbox: outbox.mark_failed(row.id, f"{error} x{attempts}"))
            return
        delay = _backoff(attempts, self.settings.backoff_base, self.settings.backoff_max)
        later = self.clock.now() + timedelta(seconds=delay)
        await self._write(lambda outbox: outbox.retry_later(row.id, later, error))

    @staticmethod
    def _mark_sending(
        message_id: int, now: datetime
    ) -> Callable[[SqlOutboxRepository], Awaitable[bool]]:
        return lambda outbox: outbox.mark_sending(message_id, now)

    def _count(self, key: object) -> None:
        name = str(key)
        self.report.errors_by_code[name] = self.report.errors_by_code.get(name, 0) + 1

    async def _write(self, change: Callable[[SqlOutboxRepository], Awaitable[Any]]) -> Any:
        """A short write, committed (with whatever else is queued: see ``writer.py``)."""
        return await self._writer.write(change)


def build_sender_bot(token: str, api_url: str | None) -> Bot:
    """A Bot for bulk sends: its own HTTP session, and no ``RetryMiddleware`` on it."""
    from aiogram.client.default import DefaultBotProperties
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else AiohttpSession()
    )
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=None))
