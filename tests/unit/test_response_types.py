"""``ResponseTypesMiddleware`` keeps each ``Response[...]`` model for the process.

pydantic caches parametrised generic models weakly: once collected, aiogram's next
``Response[Message]`` builds the class again (milliseconds of CPU per Bot API call).
"""

from __future__ import annotations

import gc
from typing import Any

from aiogram.methods import AnswerCallbackQuery, Response, SendMessage
from aiogram.types import Message

from bot.middlewares.response_types import ResponseTypesMiddleware


async def test_the_response_type_of_each_method_is_kept_and_reused() -> None:
    middleware = ResponseTypesMiddleware()
    sent: list[Any] = []

    async def make_request(_bot: Any, method: Any) -> Any:
        sent.append(method)
        return "done"

    call: Any = middleware  # the fake make_request and bot are not aiogram's types
    message = SendMessage(chat_id=1, text="ciao")
    assert await call(make_request, None, message) == "done"
    assert await call(make_request, None, message) == "done"
    toast = AnswerCallbackQuery(callback_query_id="q")
    assert await call(make_request, None, toast) == "done"

    assert sent == [message, message, toast]  # the request itself goes through untouched
    kept = middleware._kept[SendMessage]
    gc.collect()
    # What aiogram's check_response asks pydantic for is the very class kept.
    assert Response[Message] is kept
    assert set(middleware._kept) == {SendMessage, AnswerCallbackQuery}
