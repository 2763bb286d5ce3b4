"""Bot API session middleware: keep each parsed response type alive for the process.

aiogram parses every Bot API answer with ``Response[<method's result type>]``, a pydantic
generic model. pydantic (2.12+) caches parametrised generics in a ``WeakValueDictionary``
only, so once the garbage collector frees ``Response[Message]`` the next request builds the
model class again: 5–15 ms of CPU each time, which was about a tenth of the bot's CPU per
update in the interactive benchmark (docs/ARCHITECTURE.md, "Interactive benchmark"). Holding a
reference to each type once used makes every later ``Response[...]`` a cache hit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot


class ResponseTypesMiddleware(BaseRequestMiddleware):
    def __init__(self) -> None:
        # method class → its Response[...] model; a few dozen entries at most.
        self._kept: dict[type[Any], type[Any]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._kept:
            self._kept[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return await make_request(bot, method)
