"""Background work of a running bot: the scheduler and the outbox sender.

``bot.runner`` starts it after the application is open and stops it before closing. Every
instance runs the scheduler's clock; only the instance holding the leader lock applies the
schedule and runs the outbox sender (one sender keeps the whole deployment under Telegram's
30 messages/s), and a new leader takes both over when the old one stops or dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from bot.outbox import OutboxSender, SenderSettings, build_sender_bot
from bot.scheduler import Reconciler, Scheduler, SchedulerSettings
from bot.settings import Settings
from bot.themes_process import ThemesProcess, database_url_of
from bot.themes_worker import ThemesWorker
from storage.store import Storage
from surveys.clock import SystemClock
from surveys.ports import Clock
from surveys.usecases.scheduling import QuietHours, ReminderPolicy

log = logging.getLogger(__name__)


@dataclass
class BackgroundSettings:
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    sender: SenderSettings = field(default_factory=SenderSettings)
    min_group_size: int = 5  # themes under this many contributors are not published
    nlp_backend: str | None = None  # ASCOLTO_NLP_BACKEND: None is the offline default
    nlp_model: str | None = None  # ASCOLTO_NLP_MODEL

    @classmethod
    def from_settings(cls, settings: Settings) -> BackgroundSettings:
        quiet = QuietHours.parse(settings.quiet_hours, settings.timezone)
        reminders = ReminderPolicy(
            hours_before=settings.reminder_hours_before, max_per_person=settings.reminder_max
        )
        return cls(
            scheduler=SchedulerSettings(quiet=quiet, reminders=reminders),
            sender=SenderSettings(timezone=settings.timezone),
            min_group_size=settings.min_group_size,
            nlp_backend=settings.nlp_backend,
            nlp_model=settings.nlp_model,
        )


class Background:
    def __init__(
        self,
        storage: Storage,
        *,
        token: str,
        api_url: str | None,
        settings: BackgroundSettings | None = None,
        clock: Clock | None = None,
        themes: ThemesWorker | None = None,
    ) -> None:
        self.settings = settings or BackgroundSettings()
        self.clock = clock or SystemClock()
        self.storage = storage
        self.bot = build_sender_bot(token, api_url)
        self.sender = OutboxSender(
            storage,
            self.bot,
            clock=self.clock,
            settings=self.settings.sender,
            quiet=self.settings.scheduler.quiet,
        )
        backend, model = self.settings.nlp_backend, self.settings.nlp_model
        # The bot's own worker when given (the one /themes uses), so that a run from the chat
        # and the nightly run of a consultation wait for each other instead of interleaving.
        # Either way each job runs in a child process (bot/themes_process.py).
        self.themes = themes or ThemesWorker(
            storage,
            self.clock,
            jobs=ThemesProcess(
                database_url_of(storage.engine.url),
                backend,
                model,
                min_group_size=self.settings.min_group_size,
            ),
            min_group_size=self.settings.min_group_size,
        )
        self.reconciler = Reconciler(
            storage,
            self.clock,
            settings=self.settings.scheduler,
            on_leadership=self._leadership,
            themes=self.themes,
        )
        self.scheduler = Scheduler(self.reconciler)
        self._sender_stop = asyncio.Event()
        self._sender_task: asyncio.Task[object] | None = None

    async def start(self) -> None:
        self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()  # resigns, which stops the sender
        await self.themes.stop()
        await self._stop_sender()
        await self.bot.session.close()

    async def _leadership(self, leader: bool) -> None:
        if leader:
            self._sender_stop = asyncio.Event()
            self._sender_task = asyncio.create_task(self.sender.run(self._sender_stop))
        else:
            await self._stop_sender()

    async def _stop_sender(self) -> None:
        task, self._sender_task = self._sender_task, None
        if task is None:
            return
        self._sender_stop.set()
        try:
            await task
        except Exception:
            log.exception("the outbox sender stopped with an error")


@contextlib.asynccontextmanager
async def running_background(
    storage: Storage,
    settings: Settings,
    *,
    token: str,
    api_url: str | None,
    themes: ThemesWorker | None = None,
) -> AsyncIterator[Background]:
    """Scheduler and sender for the duration of the block (what ``bot.runner`` uses)."""
    background = Background(
        storage,
        token=token,
        api_url=api_url,
        settings=BackgroundSettings.from_settings(settings),
        themes=themes,
    )
    await background.start()
    try:
        yield background
    finally:
        await background.stop()
