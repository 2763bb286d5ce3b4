"""Operations endpoints: ``/healthz`` and ``/metrics``, on the webhook listener or the admin port.

- ``/healthz`` answers JSON, 200 when the database answers ``SELECT 1`` and Telegram answers
  ``getMe`` (and Redis ``PING`` when configured), 503 otherwise. ``getMe`` is cached for a few
  seconds so that a load balancer probing every second does not become Bot API traffic.
- ``/metrics`` is Prometheus text (``bot/prometheus.py``). With several workers each one
  publishes its counters to Redis every ``PUBLISH_SECONDS`` and on every scrape, and whichever
  worker the scrape reaches answers for all of them, each series labelled ``worker="<n>"``.
  The outbox depth is one deployment-wide gauge read from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import sqlalchemy as sa
from aiogram import Bot
from aiohttp import web

from bot import prometheus
from bot.metrics import Metrics
from storage.store import Storage

log = logging.getLogger(__name__)

TELEGRAM_TTL = 5.0  # seconds a getMe answer (or failure) is reused
CHECK_TIMEOUT = 3.0  # a check slower than this counts as down
PUBLISH_SECONDS = 2.0  # how stale another worker's counters can be in a scrape
SNAPSHOT_TTL = 60  # seconds a stopped worker's counters stay visible in Redis


class MetricsBoard:
    """Where each worker's latest snapshot is kept: in this process, or in Redis for N > 1."""

    def __init__(self, worker: int, workers: int, redis_url: str | None, prefix: str) -> None:
        self.worker = worker
        self.workers = workers
        self._prefix = prefix
        self._redis: Any = None
        if redis_url:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(redis_url)
        self._local: dict[str, dict[str, Any]] = {}

    def _key(self, worker: int) -> str:
        return f"{self._prefix}:metrics:worker:{worker}"

    async def publish(self, snapshot: dict[str, Any]) -> None:
        self._local = {str(self.worker): snapshot}
        if self._redis is not None:
            await self._redis.set(self._key(self.worker), json.dumps(snapshot), ex=SNAPSHOT_TTL)

    async def collect(self) -> dict[str, dict[str, Any]]:
        if self._redis is None or self.workers == 1:
            return dict(self._local)
        raw = await self._redis.mget([self._key(n) for n in range(self.workers)])
        found = {str(n): json.loads(value) for n, value in enumerate(raw) if value is not None}
        found.update(self._local)  # our own is the freshest
        return found

    async def ping(self) -> bool | None:
        """True/False for Redis reachable; None when there is no Redis."""
        if self._redis is None:
            return None
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), CHECK_TIMEOUT))
        except Exception:
            return False

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


class Ops:
    """The state behind the two endpoints, and the task that keeps this worker's counters
    published."""

    def __init__(
        self,
        storage: Storage,
        bot: Bot,
        metrics: Metrics,
        board: MetricsBoard,
        *,
        outbox_counters: Callable[[], dict[str, int]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.storage = storage
        self.bot = bot
        self.metrics = metrics
        self.board = board
        self._outbox_counters = outbox_counters
        self._clock = clock
        self._telegram: tuple[float, bool, str | None] | None = None  # (when, ok, error)
        self._telegram_lock = asyncio.Lock()
        self._publisher: asyncio.Task[None] | None = None

    # --- /healthz -----------------------------------------------------------------------------

    async def _database(self) -> tuple[bool, str | None]:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                async with self.storage.engine.connect() as connection:
                    await connection.execute(sa.text("SELECT 1"))
        except Exception as error:
            return False, type(error).__name__
        return True, None

    async def _telegram_reachable(self) -> tuple[bool, str | None, float]:
        async with self._telegram_lock:  # one getMe at a time, however many probes wait
            now = self._clock()
            if self._telegram is None or now - self._telegram[0] >= TELEGRAM_TTL:
                try:
                    await asyncio.wait_for(self.bot.get_me(request_timeout=3), CHECK_TIMEOUT)
                    self._telegram = (now, True, None)
                except Exception as error:
                    self._telegram = (now, False, type(error).__name__)
            checked, ok, reason = self._telegram
            return ok, reason, round(now - checked, 3)

    async def health(self) -> tuple[int, dict[str, Any]]:
        (db_ok, db_error), (tg_ok, tg_error, age), redis_ok = await asyncio.gather(
            self._database(), self._telegram_reachable(), self.board.ping()
        )
        body: dict[str, Any] = {
            "worker": self.board.worker,
            "database": {"ok": db_ok, "error": db_error},
            "telegram": {"ok": tg_ok, "error": tg_error, "checked_seconds_ago": age},
        }
        healthy = db_ok and tg_ok
        if redis_ok is not None:
            body["redis"] = {"ok": redis_ok}
            healthy = healthy and redis_ok
        body["status"] = "ok" if healthy else "fail"
        return (200 if healthy else 503), body

    async def handle_health(self, request: web.Request) -> web.Response:
        status, body = await self.health()
        return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})

    # --- /metrics -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        snapshot = self.metrics.snapshot()
        snapshot["outbox"] = self._outbox_counters() if self._outbox_counters else {}
        return snapshot

    async def _outbox_depth(self) -> int | None:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                async with self.storage.uow() as uow:
                    return await uow.outbox.unfinished()
        except Exception as error:
            log.warning("metrics: outbox depth unavailable: %s", type(error).__name__)
            return None

    async def exposition(self) -> str:
        try:
            await self.board.publish(self.snapshot())
            workers = await self.board.collect()
        except Exception as error:  # Redis down: this worker's own counters still tell a lot
            log.warning("metrics: other workers unavailable: %s", type(error).__name__)
            workers = {str(self.board.worker): self.snapshot()}
        depth = await self._outbox_depth()
        return prometheus.render(workers, {"ascolto_outbox_depth": depth})

    async def handle_metrics(self, request: web.Request) -> web.Response:
        text = await self.exposition()
        return web.Response(body=text.encode(), headers={"Content-Type": prometheus.CONTENT_TYPE})

    # --- wiring -------------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.handle_health)
        app.router.add_get("/metrics", self.handle_metrics)

    def application(self) -> web.Application:
        """The admin listener's own app (ASCOLTO_ADMIN_LISTEN)."""
        app = web.Application()
        self.add_routes(app)
        return app

    async def start(self) -> None:
        if self.board.workers > 1:
            self._publisher = asyncio.create_task(self._publish_forever())

    async def _publish_forever(self) -> None:
        while True:
            try:
                await self.board.publish(self.snapshot())
            except Exception as error:
                log.warning("metrics: publishing failed: %s", type(error).__name__)
            await asyncio.sleep(PUBLISH_SECONDS)

    async def stop(self) -> None:
        if self._publisher is not None:
            self._publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._publisher
            with contextlib.suppress(Exception):
                await self.board.publish(self.snapshot())  # the last counts of this worker
        await self.board.close()


def split_listen(listen: str) -> tuple[str, int]:
    """``"127.0.0.1:9090"`` → ``("127.0.0.1", 9090)``; a bare ``":9090"`` listens on 127.0.0.1."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


@contextlib.asynccontextmanager
async def serving(
    app: web.Application, listen: str, *, reuse_port: bool = False
) -> AsyncIterator[None]:
    """An aiohttp app listening on ``listen`` for the duration of the block. ``reuse_port``:
    several worker processes bind the same port and the kernel spreads connections."""
    host, port = split_listen(listen)
    runner = web.AppRunner(app, access_log=None)  # access lines would only repeat the metrics
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_port=reuse_port or None)
    await site.start()
    try:
        yield
    finally:
        await runner.cleanup()
