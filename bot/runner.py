"""`ascolto run`: start the bot in polling or webhook mode, or the sandbox without a token.

Refuses to start with a clear message when the settings are unsafe (a token without a
pepper, a webhook without a long secret). The database schema is created or upgraded first.
SIGTERM and SIGINT stop fetching new updates, let those in flight finish, and exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot.app import Application, build_bot, build_dispatcher, register_commands
from bot.background import Background, running_background
from bot.metrics import Metrics
from bot.ops import MetricsBoard, Ops, serving
from bot.polling import Poller
from bot.settings import Settings
from bot.webhook import MIN_SECRET_LENGTH, WebhookReceiver
from nlp import offensive
from storage.schema import upgrade_schema
from storage.store import Storage
from surveys.usecases.scheduling import QuietHours

log = logging.getLogger(__name__)


class ConfigurationError(Exception):
    """Settings that must not run; the message says what to set."""


def check_settings(settings: Settings) -> None:
    if settings.bot_token is None:
        return
    if settings.pepper is None or not settings.pepper.get_secret_value():
        raise ConfigurationError(
            "ASCOLTO_PEPPER is not set. With a real bot token, participants' pseudonyms need a "
            "secret pepper: set ASCOLTO_PEPPER to a long random string and keep it safe "
            "(changing it later disconnects everyone from their answers)."
        )
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"ASCOLTO_WEBHOOK_SECRET must have at least {MIN_SECRET_LENGTH} characters "
                "(letters, digits, _ and -) in webhook mode."
            )


def on_stop_signals(callback: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not possible outside the main thread (tests run the runner in a task there).
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, callback)


async def open_application(
    settings: Settings, *, token: str, api_url: str | None, pepper: bytes, migrate: bool = True
) -> Application:
    if migrate:  # with several workers the parent migrates once, before any worker starts
        await upgrade_schema(settings.database_url)
    offensive.configure(settings.quote_blocklist)  # the staff's extra quote blocklist
    storage = Storage.open(settings.database_url)
    metrics = Metrics()
    bot = build_bot(token, api_url, metrics)
    dispatcher = build_dispatcher(
        storage,
        metrics,
        pepper=pepper,
        redis_url=settings.redis_url,
        redis_prefix=settings.redis_prefix,
        admin_ids=settings.admin_ids,
        timezone=settings.timezone,
        quiet_hours=QuietHours.parse(settings.quiet_hours, settings.timezone),
        min_group_size=settings.min_group_size,
        nlp_backend=settings.nlp_backend,
        nlp_model=settings.nlp_model,
    )
    return Application(bot=bot, dispatcher=dispatcher, storage=storage, metrics=metrics)


async def close_application(app: Application) -> None:
    await app.dispatcher.emit_shutdown(bot=app.bot)
    await app.bot.session.close()
    await app.storage.close()


async def run_polling(app: Application, stop: asyncio.Event) -> None:
    await app.bot.delete_webhook(drop_pending_updates=False)
    await register_commands(app.bot)
    poller = Poller(app.dispatcher, app.bot, app.metrics)
    stopper = asyncio.create_task(stop.wait())
    stopper.add_done_callback(lambda _: poller.stop())
    try:
        await poller.run()
    finally:
        stopper.cancel()


async def run_webhook(
    app: Application,
    settings: Settings,
    stop: asyncio.Event,
    *,
    worker: int = 0,
    ops: Ops | None = None,
) -> None:
    assert settings.webhook_url and settings.webhook_secret
    secret = settings.webhook_secret.get_secret_value()
    receiver = WebhookReceiver(app.dispatcher, app.bot, secret, app.metrics, worker=worker)
    host, _, port = settings.webhook_listen.rpartition(":")
    runner = web.AppRunner(receiver.application(ops=ops))
    await runner.setup()
    # Several workers (bot/workers.py) bind the same port; the kernel spreads connections.
    site = web.TCPSite(
        runner, host or "127.0.0.1", int(port), reuse_port=settings.workers > 1 or None
    )
    await site.start()
    if worker == 0:  # once per deployment, not once per worker
        await register_commands(app.bot)
        await app.bot.set_webhook(settings.webhook_url, secret_token=secret)
    log.info("webhook listening on %s", settings.webhook_listen)
    try:
        await stop.wait()
    finally:
        await receiver.drain()
        await runner.cleanup()


async def run_with_token(settings: Settings, *, worker: int = 0, migrate: bool = True) -> None:
    """One bot process; ``worker``/``migrate`` are set by ``bot/workers.py`` for N > 1."""
    check_settings(settings)
    assert settings.bot_token is not None and settings.pepper is not None
    app = await open_application(
        settings,
        token=settings.bot_token.get_secret_value(),
        api_url=settings.telegram_api_url,
        pepper=settings.pepper.get_secret_value().encode(),
        migrate=migrate,
    )
    stop = asyncio.Event()
    on_stop_signals(stop.set)
    try:
        # Scheduler and outbox sender (bot/background.py), for as long as the bot runs.
        async with (
            running_background(
                app.storage,
                settings,
                token=app.bot.token,
                api_url=settings.telegram_api_url,
                themes=app.dispatcher["themes_runner"],
            ) as background,
            running_ops(app, settings, background, worker) as ops,
        ):
            if settings.webhook_url:
                await run_webhook(app, settings, stop, worker=worker, ops=ops)
            else:
                await run_polling(app, stop)
    finally:
        await close_application(app)


@contextlib.asynccontextmanager
async def running_ops(
    app: Application, settings: Settings, background: Background, worker: int
) -> AsyncIterator[Ops]:
    """/healthz and /metrics (bot/ops.py): on the webhook listener, and on
    ASCOLTO_ADMIN_LISTEN when set (the only place in polling mode)."""
    board = MetricsBoard(worker, settings.workers, settings.redis_url, settings.redis_prefix)
    report = background.sender.report
    ops = Ops(
        app.storage,
        app.bot,
        app.metrics,
        board,
        outbox_counters=lambda: {
            "sent": report.sent,
            "failed": report.failed,
            "rate_limited": report.rate_limited,
        },
    )
    await ops.start()
    try:
        if settings.admin_listen:
            async with serving(
                ops.application(), settings.admin_listen, reuse_port=settings.workers > 1
            ):
                log.info("health and metrics on %s", settings.admin_listen)
                yield ops
        else:
            yield ops
    finally:
        await ops.stop()
