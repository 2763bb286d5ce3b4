"""The Bot API emulator: an aiohttp server speaking Telegram's Bot API on 127.0.0.1.

Start it in-process::

    async with BotApiEmulator() as emu:          # port 0 picks a free port
        bot = Bot(emu.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.url)))
        giulia = emu.create_user("Giulia", language_code="it")
        giulia.send_text("/start")
        reply = await emu.wait_for_message(giulia.chat_id)

Routes: ``/bot{token}/{method}`` (GET or POST; query, urlencoded, multipart or JSON),
``/file/bot{token}/{file_path}``, and the simulated-users JSON API under ``/sandbox/``
(see ``sandbox_http.py``). Faults and flood limits are off until configured.
"""

# Waiting helpers take a timeout on purpose: tests call them as `wait(..., timeout=2)`.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from aiohttp import web

from bot.sandbox import api, sandbox_http
from bot.sandbox.errors import (
    ApiError,
    bad_gateway,
    conflict,
    not_found,
    too_many_requests,
    unauthorized,
)
from bot.sandbox.faults import Counters, FaultConfig, RateLimits
from bot.sandbox.params import LoggedRequest, Upload, coerce, read_raw_params
from bot.sandbox.state import ChatMessage, ChatRecord
from bot.sandbox.users import SimulatedUser, wait_for_callback_answer, wait_for_message
from bot.sandbox.webhook import WebhookPusher
from bot.sandbox.world import World

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-TOKEN"
MAX_POLL_TIMEOUT = 50


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


def _error(error: ApiError) -> web.Response:
    return _json(error.payload(), status=error.code)


class BotApiEmulator:
    """One emulated bot account with its users, chats, updates, faults and counters."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "Ascolto (sandbox)",
        bot_username: str = "ascolto_sandbox_bot",
        rate_limits: RateLimits | None = None,
        faults: FaultConfig | None = None,
        webhook_retry_base: float = 0.05,
        webhook_retry_max: float = 1.0,
        log_requests: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.world = World(token, bot_name=bot_name, bot_username=bot_username)
        if rate_limits is not None:
            self.world.limiter.limits = rate_limits
        if faults is not None:
            self.world.faults.configure(faults)
        self.webhook = WebhookPusher(
            self.world, self.execute, retry_base=webhook_retry_base, retry_max=webhook_retry_max
        )
        self.world.webhook = self.webhook
        # Every Bot API call with its parameters, when asked for (conformance tests read it).
        self.request_log: list[LoggedRequest] | None = [] if log_requests else None
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.app = self._build_app()

    # -- lifecycle ----------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)  # Telegram accepts 50 MB uploads
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        sandbox_http.add_routes(app, self)
        return app

    async def start(self) -> BotApiEmulator:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None)  # the bound port when 0 was asked for
        if sockets:
            self.port = sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Release long polls and held requests at once, stop webhook pushes, close the server."""
        self._closing.set()
        self.world.updates.close()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Base URL: aiogram's ``TelegramAPIServer.from_base(url)``; python-telegram-bot's
        ``base_url=f"{url}/bot"``, ``base_file_url=f"{url}/file/bot"``."""
        return f"http://{self.host}:{self.port}"

    @property
    def token(self) -> str:
        return self.world.token

    # -- configuration ------------------------------------------------------------------------
    @property
    def faults(self) -> FaultConfig:
        return self.world.faults.config

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        """Replace the fault configuration; the random generator restarts from its seed."""
        self.world.faults.configure(config)

    @property
    def rate_limits(self) -> RateLimits:
        return self.world.limiter.limits

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits) -> None:
        from bot.sandbox.faults import RateLimiter

        self.world.limiter = RateLimiter(limits)

    @property
    def counters(self) -> Counters:
        return self.world.counters

    # -- simulated users ----------------------------------------------------------------------
    def create_user(
        self,
        first_name: str = "Giulia",
        *,
        language_code: str | None = "it",
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> SimulatedUser:
        record, _ = self.world.add_user(
            first_name,
            user_id=user_id,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        return SimulatedUser(self.world, record)

    def user(self, user_id: int) -> SimulatedUser:
        return SimulatedUser(self.world, self.world.users[user_id])

    def create_group(self, title: str, members: list[SimulatedUser]) -> ChatRecord:
        return self.world.add_group(title, [m.record for m in members])

    def messages(self, chat_id: int) -> list[ChatMessage]:
        return list(self.world.chat(chat_id).messages.values())

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return list(self.world.chat(chat_id).bot_messages)

    async def wait_for_message(self, chat_id: int, timeout: float = 5.0) -> ChatMessage:
        return await wait_for_message(self.world, chat_id, timeout)

    async def wait_for_callback_answer(
        self, callback_query_id: str, timeout: float = 5.0
    ) -> dict[str, Any]:
        return await wait_for_callback_answer(self.world, callback_query_id, timeout)

    def file_bytes(self, file_id: str) -> bytes:
        return self.world.files.by_id[file_id].data

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The commands set for exactly this scope and language (like getMyCommands)."""
        return list(self.world.commands.get((World.scope_key(scope), language_code), []))

    def commands_for(self, chat_id: int, language_code: str | None) -> list[dict[str, Any]]:
        return self.world.commands_for(chat_id, language_code)

    # -- Bot API ------------------------------------------------------------------------------
    async def execute(self, method: str, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        """Run one Bot API method (no faults); raises ApiError as Telegram would answer."""
        name = method.lower()
        if name == "getupdates":
            return await self._get_updates(params)
        if name == "setwebhook":
            return await self.webhook.set(params)
        if name == "deletewebhook":
            return await self.webhook.delete(bool(params.get("drop_pending_updates")))
        if name == "getwebhookinfo":
            return self.webhook.info()
        handler = api.handler_for(name)
        if handler is None:
            raise not_found()
        return handler(self.world, params, uploads)

    def _known(self, method: str) -> bool:
        name = method.lower()
        return name in _SERVER_METHODS or api.handler_for(name) is not None

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        world = self.world
        counters = world.counters
        method = request.match_info["method"]
        if request.match_info["token"] != world.token:
            counters.errors[401] += 1
            return _error(unauthorized())
        known = self._known(method)
        if not known and self.request_log is None:
            counters.errors[404] += 1
            return _error(not_found())
        try:
            raw, uploads = await read_raw_params(request)
        except ApiError as error:
            counters.errors[error.code] += 1
            return _error(error)
        params, refusal = _decode(raw)
        if self.request_log is not None:
            self.request_log.append(LoggedRequest(method, dict(raw), params, tuple(uploads)))
        if not known:
            counters.errors[404] += 1
            return _error(not_found())
        if params is None:
            assert refusal is not None
            counters.errors[refusal.code] += 1
            return _error(refusal)
        counters.requests[method] += 1

        fault = world.faults.roll(method)
        if fault is not None:
            kind, retry_after = fault
            counters.rejected[f"{kind}_fault"] += 1
            if kind == "429":
                counters.errors[429] += 1
                world.open_retry_window(params.get("chat_id"), retry_after)
                return _error(too_many_requests(retry_after))
            if kind == "502":
                counters.errors[502] += 1
                return _error(bad_gateway())
            if kind == "timeout":
                return await self._hold_and_drop(request)
        try:
            result = await self.execute(method, params, uploads)
        except ApiError as error:
            counters.errors[error.code] += 1
            return _error(error)
        if fault is not None:  # lost_response: the work is done, the answer never arrives
            return await self._hold_and_drop(request)
        return _json({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.world.token:
            return _error(unauthorized())
        stored = self.world.files.by_path.get(request.match_info["path"])
        if stored is None:
            return _error(not_found())
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _hold_and_drop(self, request: web.Request) -> web.StreamResponse:
        """Keep the client waiting, then close the connection without an answer."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), self.world.faults.config.timeout_hold)
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError  # nothing is written to a closed connection

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        world = self.world
        queue = world.updates
        if self.webhook.active:
            raise _webhook_conflict()
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(int(params.get("timeout") or 0), 0), MAX_POLL_TIMEOUT)
        queue.set_allowed(params.get("allowed_updates"))
        # Only one consumer at a time: a newer call terminates an older one with 409.
        world.poll_generation += 1
        generation = world.poll_generation
        queue.arrived.notify()
        offset = params.get("offset")
        if offset:
            world.counters.updates_delivered += queue.confirm(int(offset))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if queue.closed:
                return []
            if generation != world.poll_generation:
                raise conflict(
                    "terminated by other getUpdates request; make sure that only one bot "
                    "instance is running"
                )
            if self.webhook.active:
                raise _webhook_conflict()
            batch = queue.peek(limit)
            if batch:
                return batch
            if not await queue.arrived.wait(deadline - loop.time()):
                return []


def _decode(raw: dict[str, Any]) -> tuple[dict[str, Any] | None, ApiError | None]:
    try:
        return coerce(raw), None
    except ApiError as error:
        return None, error


_SERVER_METHODS = frozenset({"getupdates", "setwebhook", "deletewebhook", "getwebhookinfo"})


def _webhook_conflict() -> ApiError:
    return conflict(
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
        "webhook first"
    )
