"""The real bot in webhook mode, on its own event loop in a thread, for hypothesis tests.

Hypothesis drives plain (synchronous) test functions, while the bot, the Bot API emulator and
the webhook server are asyncio objects. ``BotInThread`` starts them on a private event loop in
a background thread and offers blocking calls: post a raw body to the webhook, count the rows
of every table. The application is assembled exactly as ``ascolto run --webhook`` does
(``bot.app.build_dispatcher`` + ``bot.webhook.WebhookReceiver``) on a real SQLite file.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import sqlalchemy as sa
from aiohttp import web

from bot.app import build_bot, build_dispatcher
from bot.metrics import Metrics
from bot.sandbox import BotApiEmulator
from bot.sandbox_mode import load_examples
from bot.webhook import SECRET_HEADER, WebhookReceiver
from storage.schema import upgrade_schema
from storage.store import Storage
from storage.tables import metadata

PEPPER = b"security-test-pepper-0123456789abcdef"
SECRET = "security-webhook-secret-0123456789abcdef"
T = TypeVar("T")


class BotInThread:
    def __init__(self, database_path: Path) -> None:
        self.database_url = f"sqlite+aiosqlite:///{database_path}"
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.metrics = Metrics()
        self.url = ""

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> BotInThread:
        self._thread.start()
        self.run(self._start())
        return self

    async def _start(self) -> None:
        self.emulator = BotApiEmulator("127.0.0.1", port=0)
        await self.emulator.start()
        await upgrade_schema(self.database_url)
        self.storage = Storage.open(self.database_url)
        await load_examples(self.storage)
        self.bot = build_bot(self.emulator.token, self.emulator.url, self.metrics)
        # No flood limiter: the fuzz sends thousands of updates from a few people on purpose.
        self.dispatcher = build_dispatcher(self.storage, self.metrics, pepper=PEPPER, flood=None)
        self.receiver = WebhookReceiver(self.dispatcher, self.bot, SECRET, self.metrics)
        self._runner = web.AppRunner(self.receiver.application())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/webhook"
        self.http = aiohttp.ClientSession()

    def stop(self) -> None:
        self.run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    async def _stop(self) -> None:
        await self.http.close()
        await self.receiver.drain()
        await self._runner.cleanup()
        await self.dispatcher.emit_shutdown(bot=self.bot)
        await self.bot.session.close()
        await self.storage.close()
        await self.emulator.stop()

    # -- blocking calls for the tests ------------------------------------------------------
    def post(
        self,
        body: bytes,
        *,
        secret: str | None = SECRET,
        content_type: str = "application/json",
    ) -> int:
        """POST ``body`` to the webhook as Telegram would; the HTTP status."""
        headers = {"Content-Type": content_type}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        return self.run(self._post(body, headers))

    async def _post(self, body: bytes, headers: dict[str, str]) -> int:
        async with self.http.post(self.url, data=body, headers=headers) as response:
            await response.read()
            return response.status

    def counts(self) -> dict[str, int]:
        """Rows per table, in one query."""
        return self.run(self._counts())

    async def _counts(self) -> dict[str, int]:
        tables = metadata.sorted_tables
        query = sa.union_all(
            *(
                sa.select(
                    sa.literal(t.name).label("table_name"), sa.func.count().label("row_count")
                ).select_from(t)
                for t in tables
            )
        )
        async with self.storage.engine.connect() as connection:
            return {row.table_name: row.row_count for row in await connection.execute(query)}

    def rows(self, table: sa.Table) -> list[dict[str, Any]]:
        return self.run(self._rows(table))

    async def _rows(self, table: sa.Table) -> list[dict[str, Any]]:
        async with self.storage.engine.connect() as connection:
            return [dict(r) for r in (await connection.execute(table.select())).mappings()]
