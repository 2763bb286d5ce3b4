"""The composition root: settings → storage, services, Bot, Dispatcher with routers.

Everything the runtime needs is assembled here and nowhere else, so polling, webhook, the
sandbox and the tests all run the same application.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import BotCommand, BotCommandScopeDefault

from bot.metrics import Metrics
from bot.middlewares.flood import FloodLimiter, FloodLimits, FloodMiddleware
from bot.middlewares.response_types import ResponseTypesMiddleware
from bot.middlewares.retry import RetryMiddleware
from bot.middlewares.stale_callbacks import StaleCallbackMiddleware
from bot.middlewares.unit_of_work import UnitOfWorkMiddleware
from bot.outbox.progress import ProgressWatcher
from bot.themes_process import ThemesProcess, database_url_of
from bot.themes_worker import ThemesWorker
from bot.voting_analysis import voting_analyser
from dialogs import setup_routers
from dialogs.i18n import LANGUAGES, translate
from nlp.offensive import fit_to_print
from nlp.pii import scrub
from reports.charts import MatplotlibCharts
from reports.renderer import ReportFiles
from storage.store import Storage
from surveys.clock import SystemClock
from surveys.ports import Clock
from surveys.usecases.scheduling import QuietHours
from surveys.usecases.stats import DEFAULT_TIMEZONE

BOT_COMMANDS = (
    "start",
    "idea",
    "vote",
    "follow",
    "unfollow",
    "lang",
    "mydata",
    "delete",
    "stop",
    "help",
)


@dataclass
class Application:
    bot: Bot
    dispatcher: Dispatcher
    storage: Storage
    metrics: Metrics = field(default_factory=Metrics)


def build_bot(token: str, api_url: str | None, metrics: Metrics) -> Bot:
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else AiohttpSession()
    )
    session.middleware(RetryMiddleware(metrics))
    session.middleware(StaleCallbackMiddleware(metrics))  # a late toast is not a failure
    session.middleware(ResponseTypesMiddleware())  # pydantic would rebuild them (CPU)
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=None))


def _fsm(redis_url: str | None, prefix: str = "fsm") -> tuple[BaseStorage, BaseEventIsolation]:
    if redis_url:
        from aiogram.fsm.storage.base import DefaultKeyBuilder
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

        # ASCOLTO_REDIS_PREFIX: two bots (or a test) can share one Redis without mixing keys.
        keys = DefaultKeyBuilder(prefix=prefix)
        redis_storage = RedisStorage.from_url(redis_url, key_builder=keys)
        return redis_storage, RedisEventIsolation(redis=redis_storage.redis, key_builder=keys)
    return MemoryStorage(), SimpleEventIsolation()


def build_dispatcher(
    storage: Storage,
    metrics: Metrics,
    *,
    pepper: bytes,
    clock: Clock | None = None,
    redis_url: str | None = None,
    redis_prefix: str = "fsm",
    admin_ids: frozenset[int] = frozenset(),
    timezone: str = DEFAULT_TIMEZONE,
    quiet_hours: QuietHours | None = None,
    min_group_size: int = 5,
    nlp_backend: str | None = None,
    nlp_model: str | None = None,
    flood: FloodLimits | None = FloodLimits(),  # noqa: B008 (frozen: safe to share)
) -> Dispatcher:
    fsm_storage, isolation = _fsm(redis_url, redis_prefix)
    # Isolation on: without it, two quick messages from one citizen are handled in the same
    # state and the second answer is lost (see docs/ARCHITECTURE.md).
    dispatcher = Dispatcher(storage=fsm_storage, events_isolation=isolation)
    if flood is not None:
        # Before the unit of work: a flood is dropped without touching the database.
        limiter = FloodLimiter(flood)
        dispatcher["flood_limiter"] = limiter
        dispatcher.update.outer_middleware(FloodMiddleware(limiter, metrics))
    unit_of_work = UnitOfWorkMiddleware(storage, metrics)
    dispatcher.update.outer_middleware(unit_of_work)
    dispatcher.shutdown.register(unit_of_work.replied.close)  # replied marks not yet written
    dispatcher["clock"] = clock or SystemClock()
    dispatcher["pepper"] = pepper
    dispatcher["metrics"] = metrics
    dispatcher["admin_ids"] = admin_ids  # ASCOLTO_ADMINS: admins without a staff row
    dispatcher["timezone"] = timezone  # ASCOLTO_TIMEZONE: local days of /stats
    dispatcher["charts"] = MatplotlibCharts()  # matplotlib is imported on the first chart
    # Broadcasts: ASCOLTO_QUIET_HOURS for the preview's note and the messages' not_before, and
    # the task that edits a facilitator's progress message (stopped with the dispatcher).
    dispatcher["quiet_hours"] = quiet_hours
    watcher = ProgressWatcher(storage.uow)
    dispatcher["broadcast_progress"] = watcher
    dispatcher.shutdown.register(watcher.close)
    # /report and /export: the renderer port, the PII scrubber for quoted and exported text,
    # and ASCOLTO_MIN_GROUP_SIZE for every breakdown.
    dispatcher["report_renderer"] = ReportFiles()
    dispatcher["scrub"] = scrub
    dispatcher["quotable"] = fit_to_print  # quotes fit to print (nlp/offensive.py)
    dispatcher["min_group_size"] = min_group_size
    # /consensus and the report's voting section: opinion groups (nlp/opinion_groups.py).
    dispatcher["voting_analyser"] = voting_analyser()
    # /themes: "Find themes now" runs a full clustering in the background through this worker
    # (one run per consultation at a time; bot/themes_process.py starts a child per job).
    themes_runner = ThemesWorker(
        storage,
        dispatcher["clock"],
        # Each job in a child process: the theme model never loads into the bot's own.
        jobs=ThemesProcess(
            database_url_of(storage.engine.url),
            nlp_backend,
            nlp_model,
            min_group_size=min_group_size,
        ),
        min_group_size=min_group_size,
    )
    dispatcher["themes_runner"] = themes_runner
    dispatcher.shutdown.register(themes_runner.stop)
    dispatcher.include_router(setup_routers())
    return dispatcher


async def register_commands(bot: Bot) -> None:
    """The command menu, in Italian for Italian clients and in English for everyone else."""
    for language in LANGUAGES:
        commands = [
            BotCommand(command=name, description=translate(language, f"command-{name}"))
            for name in BOT_COMMANDS
        ]
        code = None if language == "en" else language
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=code)
