"""Webhook mode: an aiohttp endpoint that answers 200 only after the update was handled.

aiogram's ``SimpleRequestHandler`` defaults to ``handle_in_background=True``: it answers 200
before handling, so a crash loses the update and Telegram never redelivers it. Here the
handler runs first; an error answers 500 and Telegram delivers the update again (effects
that did commit are recognised by ``processed_updates``). Telegram's ``max_connections``
bounds how many updates arrive at once.

With several workers (``bot/workers.py``) every answer names the worker that handled it in an
``X-Ascolto-Worker`` header (Telegram ignores it; the emulator records it, so tests can show
where each update went), and the same listener serves ``/healthz`` and ``/metrics``
(``bot/ops.py``).
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.feed import feed_update
from bot.metrics import Metrics
from bot.ops import Ops

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WORKER_HEADER = "X-Ascolto-Worker"
MIN_SECRET_LENGTH = 32
MAX_UPDATE_ID = 2**63


class WebhookReceiver:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        secret: str,
        metrics: Metrics,
        *,
        worker: int = 0,
    ) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"the webhook secret must have at least {MIN_SECRET_LENGTH} characters"
            )
        self._dispatcher = dispatcher
        self._bot = bot
        self._secret = secret.encode()
        self._metrics = metrics
        self._in_flight: set[asyncio.Task[None]] = set()
        self._closing = False
        self._headers = {WORKER_HEADER: str(worker)}

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=401, text="wrong or missing secret token")
        if self._closing:
            # Shutting down: Telegram will deliver it again to the next instance.
            return web.Response(status=503, text="shutting down")
        try:
            update = Update.model_validate(await request.json(), context={"bot": self._bot})
        except (ValueError, ValidationError, RecursionError):
            # RecursionError: JSON nested thousands deep. Refused with 4xx, never 5xx: a 5xx
            # makes Telegram deliver the same body again (tests/security/test_fuzz_updates.py).
            return web.Response(status=400, text="not an update")
        if not 0 <= update.update_id < MAX_UPDATE_ID:
            # Telegram's ids are positive and far smaller; processed_updates keeps a BIGINT.
            return web.Response(status=400, text="update_id out of range")
        task = asyncio.create_task(self._feed(update))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        try:
            # shield: a client that hangs up must not cancel a half-done transaction.
            await asyncio.shield(task)
        except Exception as error:
            self._metrics.handler_errors += 1
            log.error("update %s failed: %s", update.update_id, type(error).__name__)
            return web.Response(status=500, text="failed; deliver again", headers=self._headers)
        self._metrics.updates_handled += 1
        return web.Response(status=200, text="ok", headers=self._headers)

    async def _feed(self, update: Update) -> None:
        await feed_update(self._dispatcher, self._bot, update, self._metrics)

    async def drain(self, grace_seconds: float = 10.0) -> None:
        """Refuse new updates and wait for those in flight (SIGTERM)."""
        self._closing = True
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=grace_seconds)

    def application(self, path: str = "/webhook", ops: Ops | None = None) -> web.Application:
        app = web.Application()
        app.router.add_post(path, self.handle)
        if ops is not None:
            ops.add_routes(app)
        return app
