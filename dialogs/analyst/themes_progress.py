"""One progress message for "Find themes now", edited as the background run goes.

The run reports (stage, done, total) through a plain callback that may be called from the
engine's worker thread, so :meth:`ChatProgress.update` only stores the latest value (one
assignment). A task on the loop edits the message with it at most every ``every`` seconds,
and only when it changed: Telegram limits edits, and nobody reads faster than that. At the
end the message says done (or that it failed) and ``then`` runs (it sends the themes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from dialogs.i18n import Translator
from surveys.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

STAGES = frozenset({"vectorising", "clustering", "saving", "assigning"})
DEFAULT_EVERY = 3.0  # seconds between two edits, at most one edit each time


class ChatProgress:
    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        message_id: int,
        _: Translator,
        then: Callable[[UnitOfWorkFactory], Awaitable[None]],
        *,
        every: float = DEFAULT_EVERY,
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.message_id = message_id
        self._ = _
        self.then = then
        self.every = every
        self.latest: tuple[str, int, int] | None = None
        self._shown: str | None = _("themes-progress-start")  # what the message says at first
        self._task: asyncio.Task[None] | None = None

    def update(self, stage: str, done: int, total: int) -> None:
        self.latest = (stage, done, total)  # any thread: the loop task reads it

    def start(self) -> None:
        self._task = asyncio.create_task(self._follow())

    def text(self) -> str:
        if self.latest is None:
            return self._("themes-progress-start")
        stage, done, total = self.latest
        name = self._(f"themes-stage-{stage}" if stage in STAGES else "themes-stage-other")
        percent = round(100 * done / total) if total else 0
        return self._("themes-progress", stage=name, percent=min(100, max(0, percent)))

    async def _edit(self, text: str) -> None:
        if text == self._shown:
            return
        self._shown = text
        try:
            await self.bot.edit_message_text(
                text=text, chat_id=self.chat_id, message_id=self.message_id
            )
        except TelegramAPIError:
            log.warning("could not edit a themes progress message", exc_info=True)

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            await self._edit(self.text())

    async def finish(self, uow_factory: UnitOfWorkFactory, worked: bool) -> None:
        """The run ended (``ThemesRunner``'s ``finished``): last edit, then the themes."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._edit(self._("themes-progress-done" if worked else "themes-progress-failed"))
        if worked:
            await self.then(uow_factory)
