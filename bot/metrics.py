"""In-process counters the runtime keeps, for tests, benchmarks and the health endpoint.

aiogram logs handler exceptions and swallows them; these counters make failures visible.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Metrics:
    updates_handled: int = 0
    duplicates: int = 0
    handler_errors: int = 0
    request_retries: int = 0
    # answerCallbackQuery refused as too late (bot.middlewares.stale_callbacks): dropped.
    stale_callback_answers: int = 0
    # An update handled again because the database was busy (bot/feed.py), not a failure.
    busy_retries: int = 0
    # A reply refused with 403 (the person blocked the bot): the update counts as handled.
    unreachable_replies: int = 0
