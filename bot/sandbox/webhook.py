"""Webhook delivery as Telegram does it: push, retry until 2xx, at most max_connections at once.

An update leaves the queue only when the receiver answered 2xx (at-least-once). Failed
deliveries are retried with exponential backoff (much shorter than Telegram's, configurable, so
tests stay fast). A 2xx answer may carry a Bot API call in its body (aiogram's webhook handler
can reply that way); Telegram executes it, and so does the emulator.

Each accepted delivery is recorded in ``deliveries`` with the sender's user id and the
``X-Ascolto-Worker`` header of the answer, if any, so that a test of several workers can tell
which worker handled each update. ``new_connection_per_update`` closes the connection after
every delivery (as a proxy in front of Telegram may do): with workers sharing a port through
``SO_REUSEPORT`` the kernel then picks a worker per update rather than per kept-alive
connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.sandbox.errors import bad_request
from bot.sandbox.params import Upload, coerce
from bot.sandbox.world import World

log = logging.getLogger(__name__)

SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
Executor = Callable[[str, dict[str, Any], dict[str, Upload]], Awaitable[Any]]
WORKER_HEADER = "X-Ascolto-Worker"
MAX_RECORDED = 100_000


@dataclass(frozen=True)
class Delivery:
    """One update the receiver accepted (2xx)."""

    update_id: int
    user_id: int | None  # who sent it (message, button…), None for other kinds
    worker: str | None  # the receiver's X-Ascolto-Worker header


def _sender_of(update: dict[str, Any]) -> int | None:
    for key, value in update.items():
        if key != "update_id" and isinstance(value, dict):
            sender = value.get("from") or value.get("user")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return None


class WebhookPusher:
    def __init__(
        self,
        world: World,
        execute: Executor,
        *,
        retry_base: float = 0.05,
        retry_max: float = 1.0,
        request_timeout: float = 10.0,
        new_connection_per_update: bool = False,
    ) -> None:
        self.world = world
        self.new_connection_per_update = new_connection_per_update
        self.deliveries: deque[Delivery] = deque(maxlen=MAX_RECORDED)
        self.execute = execute
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.request_timeout = request_timeout
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    @property
    def active(self) -> bool:
        return bool(self.url)

    async def set(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            await self.delete(bool(params.get("drop_pending_updates")))
            return True
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        await self._stop_loop()
        if params.get("drop_pending_updates"):
            self.world.updates.clear()
        self.world.updates.set_allowed(params.get("allowed_updates"))
        self.url = url
        self.secret_token = str(secret) if secret is not None else None
        self.max_connections = max_connections
        self.last_error_date = self.last_error_message = None
        # a new webhook ends any long poll in progress
        self.world.updates.arrived.notify()
        self._generation += 1
        self._task = asyncio.create_task(self._run(self._generation))
        return True

    async def delete(self, drop_pending: bool) -> bool:
        await self._stop_loop()
        self.url = ""
        self.secret_token = None
        if drop_pending:
            self.world.updates.clear()
        return True

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            info["ip_address"] = "127.0.0.1"
            if self.world.updates.allowed_updates:
                info["allowed_updates"] = list(self.world.updates.allowed_updates)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def close(self) -> None:
        await self._stop_loop()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _stop_loop(self) -> None:
        self._generation += 1
        tasks = [t for t in (self._task, *self._deliveries) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._deliveries.clear()

    async def _run(self, generation: int) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(force_close=self.new_connection_per_update)
            self._session = aiohttp.ClientSession(connector=connector)
        queue = self.world.updates
        slots = asyncio.Semaphore(self.max_connections)
        busy: set[int] = set()
        while generation == self._generation and not queue.closed:
            await slots.acquire()
            update = queue.first_not_in(busy)
            if update is None:
                slots.release()
                await queue.arrived.wait(1.0)
                continue
            update_id = update["update_id"]
            busy.add(update_id)
            task = asyncio.create_task(self._deliver(update, generation))
            self._deliveries.add(task)

            def done(t: asyncio.Task[None], update_id: int = update_id) -> None:
                self._deliveries.discard(t)
                busy.discard(update_id)
                slots.release()

            task.add_done_callback(done)

    async def _deliver(self, update: dict[str, Any], generation: int) -> None:
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        body = json.dumps(update)
        delay = self.retry_base
        counters = self.world.counters
        while generation == self._generation:
            counters.webhook_attempts += 1
            try:
                async with self._session.post(
                    self.url,
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self.request_timeout),
                ) as response:
                    if 200 <= response.status < 300:
                        if self.world.updates.remove(update["update_id"]):
                            counters.updates_delivered += 1
                            self.deliveries.append(
                                Delivery(
                                    update["update_id"],
                                    _sender_of(update),
                                    response.headers.get(WORKER_HEADER),
                                )
                            )
                        await self._run_reply(response)
                        return
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            counters.webhook_failures += 1
            self.last_error_date = int(time.time())
            self.last_error_message = error
            await asyncio.sleep(delay)
            delay = min(self.retry_max, delay * 2)

    async def _run_reply(self, response: aiohttp.ClientResponse) -> None:
        """Execute a method call returned in the webhook answer, ignoring its errors."""
        ctype = response.content_type
        params: dict[str, Any] = {}
        uploads: dict[str, Upload] = {}
        try:
            if ctype == "application/json":
                raw = await response.json()
                if not isinstance(raw, dict):
                    return
                params = raw
            elif ctype == "multipart/form-data":
                reader = aiohttp.MultipartReader.from_response(response)
                raw_fields: dict[str, Any] = {}
                async for part in reader:
                    if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                        continue
                    if part.filename is not None:
                        uploads[part.name] = Upload(
                            part.name,
                            part.filename,
                            part.headers.get("Content-Type", "application/octet-stream"),
                            bytes(await part.read()),
                        )
                    else:
                        raw_fields[part.name] = await part.text()
                params = coerce(raw_fields)
            else:
                return
        except (ValueError, aiohttp.ClientError):
            return
        method = params.pop("method", None)
        if isinstance(method, str) and method:
            try:
                await self.execute(method, params, uploads)
            except Exception:  # Telegram ignores failures of webhook replies
                log.debug("webhook reply %s failed", method, exc_info=True)
