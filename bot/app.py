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
from bot.middlewares.retry import RetryMiddleware
from bot.middlewares.unit_of_work import UnitOfWorkMiddleware
from dialogs import setup_routers
from dialogs.i18n import LANGUAGES, translate
from storage.store import Storage
from surveys.clock import SystemClock
from surveys.ports import Clock

BOT_COMMANDS = (
    "start",
    "idea",
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
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=None))


def _fsm(redis_url: str | None) -> tuple[BaseStorage, BaseEventIsolation]:
    if redis_url:
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

        redis_storage = RedisStorage.from_url(redis_url)
        return redis_storage, RedisEventIsolation(redis=redis_storage.redis)
    return MemoryStorage(), SimpleEventIsolation()


def build_dispatcher(
    storage: Storage,
    metrics: Metrics,
    *,
    pepper: bytes,
    clock: Clock | None = None,
    redis_url: str | None = None,
    admin_ids: frozenset[int] = frozenset(),
) -> Dispatcher:
    fsm_storage, isolation = _fsm(redis_url)
    # Isolation on: without it, two quick messages from one citizen are handled in the same
    # state and the second answer is lost (see docs/ARCHITECTURE.md).
    dispatcher = Dispatcher(storage=fsm_storage, events_isolation=isolation)
    dispatcher.update.outer_middleware(UnitOfWorkMiddleware(storage, metrics))
    dispatcher["clock"] = clock or SystemClock()
    dispatcher["pepper"] = pepper
    dispatcher["metrics"] = metrics
    dispatcher["admin_ids"] = admin_ids  # ASCOLTO_ADMINS: admins without a staff row
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
