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
