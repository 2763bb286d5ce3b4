"""The facilitator's progress message: one message per broadcast, edited in place until done.

After Send, the broadcast dialog posts "sent 0 · failed 0 · remaining N" and hands the message
to :class:`ProgressWatcher` (through the dispatcher's data, as ``broadcast_progress``). A
small task per batch reads the batch's counts from the outbox and edits the message when they
changed, then writes the final counts and a "done" line. The counts come from the database,
not from the sender, so the watcher works in whichever instance took the facilitator's tap,
even when another instance (the leader) does the sending.

Telegram limits how often a message may be edited, and editing to the same text is a 400
("message is not modified"): so at most one edit every ``interval`` seconds, only when the
text changed, and the pause grows while nothing moves (quiet hours may hold a broadcast for
the night). A restart loses the watcher, not the broadcast: ``/broadcasts`` shows the same
counts from the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest

from dialogs.i18n import translate
from surveys.entities import OutboxProgress
from surveys.ports import UnitOfWorkFactory
from surveys.usecases.broadcasts import broadcast_progress

log = logging.getLogger(__name__)


def progress_text(language: str, progress: OutboxProgress) -> str:
    line = translate(
        language,
        "outbox-progress",
        {"sent": progress.sent, "failed": progress.failed, "remaining": progress.remaining},
    )
    if progress.remaining:
        return line
    done = translate(
        language, "outbox-progress-done", {"sent": progress.sent, "failed": progress.failed}
    )
    return f"{line}\n{done}"


class ProgressWatcher:
    """Edits progress messages; one task per batch, all cancelled by :meth:`close`."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        interval: float = 2.0,
        max_interval: float = 30.0,
    ) -> None:
        self._uow_factory = uow_factory
        self.interval = interval  # Telegram: don't edit one message much more often than this
        self.max_interval = max_interval
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def follow(self, bot: Bot, batch: str, chat_id: int, message_id: int, language: str) -> None:
        """Keep ``message_id`` up to date with ``batch`` (a second call for a batch is ignored)."""
        if batch in self._tasks and not self._tasks[batch].done():
            return
        task = asyncio.create_task(self._watch(bot, batch, chat_id, message_id, language))
        self._tasks[batch] = task
        task.add_done_callback(lambda _: self._tasks.pop(batch, None))

    def watching(self, batch: str) -> bool:
        return batch in self._tasks

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _watch(
        self, bot: Bot, batch: str, chat_id: int, message_id: int, language: str
    ) -> None:
        shown: str | None = None
        pause = self.interval
        while True:
            try:
                progress = await broadcast_progress(self._uow_factory, batch)
            except Exception:  # the database may be briefly unavailable: try again later
                log.exception("could not read a broadcast's progress")
                progress = None
            if progress is not None:
                text = progress_text(language, progress)
                if text != shown:
                    await self._edit(bot, chat_id, message_id, text)
                    shown, pause = text, self.interval
                else:
                    pause = min(self.max_interval, pause * 1.5)
                if progress.remaining == 0:
                    return
            await asyncio.sleep(pause)

    @staticmethod
    async def _edit(bot: Bot, chat_id: int, message_id: int, text: str) -> None:
        try:
            await bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id)
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.warning("could not edit a progress message: %s", type(error).__name__)
        except TelegramAPIError as error:  # a failed edit must not end the watch
            log.warning("could not edit a progress message: %s", type(error).__name__)
