"""Bot API session middleware: answering a callback query too late is not an error.

Telegram accepts ``answerCallbackQuery`` for a short while only (about 15 seconds). A tap
handled late — redelivered after a crash, a restart or a webhook retry, or waiting out a 429 —
gets "query is too old and response timeout expired or query ID is invalid". The tap's effect
is already committed (or refused) by then; raising would fail the whole update, and in webhook
mode a failed update answers 500, so Telegram would deliver it again and again. The answer is
only the little toast on the person's screen: it is dropped, counted, and the update succeeds.
Found by the fuzz tests in tests/security/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.metrics import Metrics

if TYPE_CHECKING:
    from aiogram import Bot

STALE_QUERY_MARKERS = ("query is too old", "query id is invalid")


def is_stale_query(error: TelegramBadRequest) -> bool:
    text = error.message.lower()
    return any(marker in text for marker in STALE_QUERY_MARKERS)


class StaleCallbackMiddleware(BaseRequestMiddleware):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as error:
            if not isinstance(method, AnswerCallbackQuery) or not is_stale_query(error):
                raise
            self._metrics.stale_callback_answers += 1
            return Response[TelegramType](ok=True, result=cast(TelegramType, True))
