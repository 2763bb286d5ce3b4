"""Duplicate delivery: every update delivered three times, one ten times at once.

Telegram delivers at least once. Here the webhook path is driven through a duplicating proxy
between the emulator and the bot's real ``WebhookReceiver``: each first delivery goes through in
the emulator's order, and two more copies of it are posted later at random moments, interleaved
with the rest of the run; one update is posted as ten concurrent copies. The same scripted run
without copies gives the reference: the normalised dump of every table must be identical, the
citizens must get the same number of messages, and every copy must be answered 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import build_bot, build_dispatcher
from bot.metrics import Metrics
from bot.sandbox import BotApiEmulator
from bot.webhook import SECRET_HEADER, WebhookReceiver
from storage.schema import upgrade_schema
from storage.store import Storage
from tests.e2e.citizen_support import PEPPER, Citizen
from tests.reliability.support import (
    QUESTIONS,
    Databases,
    load_ten_texts,
    normalised_dump,
    take_part,
)

SECRET = "reliability-webhook-secret-0123456789abcdef"
UPDATES_PER_CITIZEN = QUESTIONS + 3  # /start, consent, ten answers, submit
CONCURRENT_COPIES = 10


@dataclass
class Duplicator:
    """The proxy: forwards each delivery, then replays it ``extra`` more times at random."""

    target: str
    extra: int
    rng: random.Random
    burst_at: int | None = None  # the n-th first delivery is posted as ten concurrent copies
    spread: float = 3.0
    seen: set[int] = field(default_factory=set)
    copies: list[asyncio.Task[int]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    session: aiohttp.ClientSession | None = None

    async def _post(self, body: bytes, headers: dict[str, str]) -> int:
        assert self.session is not None
        async with self.session.post(self.target, data=body, headers=headers) as response:
            await response.read()
            return response.status

    async def _later(self, body: bytes, headers: dict[str, str]) -> int:
        await asyncio.sleep(self.rng.uniform(0.0, self.spread))
        status = await self._post(body, headers)
        self.statuses.append(status)
        return status

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            "Content-Type": "application/json",
            SECRET_HEADER: request.headers.get(SECRET_HEADER, ""),
        }
        update_id = json.loads(body)["update_id"]
        first = update_id not in self.seen
        self.seen.add(update_id)
        if first and self.extra and self.burst_at == len(self.seen):
            statuses = await asyncio.gather(
                *(self._post(body, headers) for _ in range(CONCURRENT_COPIES))
            )
            self.statuses.extend(statuses)
            status = 200 if 200 in statuses else statuses[0]
        else:
            status = await self._post(body, headers)
        if first:
            for _ in range(self.extra):
                self.copies.append(asyncio.create_task(self._later(body, headers)))
        return web.Response(status=status)


@dataclass
class Outcome:
    dump: dict[str, list[str]]
    messages_sent: int
    first_deliveries: int
    copies: int
    statuses: list[int]
    handler_errors: int
    duplicates_skipped: int


async def _serve(app: web.Application) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


@contextlib.asynccontextmanager
async def _webhook_bot(
    url: str, folder: Path, duplicator: Duplicator
) -> AsyncIterator[tuple[BotApiEmulator, Storage, Metrics]]:
    await upgrade_schema(url)
    storage = Storage.open(url)
    await load_ten_texts(storage, folder)
    metrics = Metrics()
    async with BotApiEmulator("127.0.0.1", port=0) as emulator:
        bot = build_bot(emulator.token, emulator.url, metrics)
        dispatcher = build_dispatcher(storage, metrics, pepper=PEPPER)
        receiver = WebhookReceiver(dispatcher, bot, SECRET, metrics)
        bot_runner, bot_port = await _serve(receiver.application())
        duplicator.target = f"http://127.0.0.1:{bot_port}/webhook"
        proxy = web.Application()
        proxy.router.add_post("/hook", duplicator.handle)
        proxy_runner, proxy_port = await _serve(proxy)
        duplicator.session = aiohttp.ClientSession()
        await bot.set_webhook(f"http://127.0.0.1:{proxy_port}/hook", secret_token=SECRET)
        try:
            yield emulator, storage, metrics
        finally:
            await emulator.webhook.close()
            await asyncio.gather(*duplicator.copies, return_exceptions=True)
            await duplicator.session.close()
            await receiver.drain()
            await proxy_runner.cleanup()
            await bot_runner.cleanup()
            await dispatcher.emit_shutdown(bot=bot)
            await bot.session.close()
            await storage.close()


async def _run(url: str, folder: Path, citizens: int, *, extra: int, seed: int) -> Outcome:
    rng = random.Random(seed)
    duplicator = Duplicator("", extra, rng, burst_at=UPDATES_PER_CITIZEN + 5 if extra else None)
    async with _webhook_bot(url, folder, duplicator) as (emulator, storage, metrics):
        people = [
            Citizen(emulator.create_user(f"P{n}", language_code="it" if n % 2 else "en"), emulator)
            for n in range(citizens)
        ]
        # A few at a time, so the run is long enough for copies to land mid-conversation.
        slots = asyncio.Semaphore(8)

        async def one(person: Citizen) -> None:
            async with slots:
                await take_part(person)

        await asyncio.wait_for(asyncio.gather(*(one(p) for p in people)), 600)
        await asyncio.gather(*duplicator.copies)
        for person in people:
            await person.silence(0.05)
        # Everything the last copies could have caused has happened by now.
        await asyncio.sleep(0.3)
        return Outcome(
            dump=await normalised_dump(storage),
            messages_sent=emulator.counters.messages_sent,
            first_deliveries=len(duplicator.seen),
            copies=len(duplicator.statuses),
            statuses=list(duplicator.statuses),
            handler_errors=metrics.handler_errors,
            duplicates_skipped=metrics.duplicates,
        )


async def _compare(databases: Databases, tmp_path: Path, citizens: int) -> Outcome:
    single = await _run(await databases.new(), tmp_path, citizens, extra=0, seed=1)
    tripled = await _run(await databases.new(), tmp_path, citizens, extra=2, seed=2)
    assert single.first_deliveries == tripled.first_deliveries >= citizens * UPDATES_PER_CITIZEN
    assert single.handler_errors == tripled.handler_errors == 0
    # Two later copies of every update, and the burst's ten (one of which was the first).
    assert tripled.copies == 2 * tripled.first_deliveries + CONCURRENT_COPIES
    assert set(tripled.statuses) == {200}, "a duplicate is acknowledged, never failed"
    assert tripled.duplicates_skipped == tripled.copies - 1
    assert tripled.messages_sent == single.messages_sent, "no reply to a duplicate"
    assert set(single.dump) == set(tripled.dump)
    for table, rows in single.dump.items():
        assert tripled.dump[table] == rows, f"table {table} differs"
    answers = single.dump["answers"]
    assert len(answers) == citizens * QUESTIONS
    return tripled


async def test_every_update_three_times_leaves_the_state_of_one_delivery(
    databases: Databases, tmp_path: Path
) -> None:
    await _compare(databases, tmp_path, citizens=6)


@pytest.mark.slow
async def test_a_thousand_updates_three_times_each(
    databases: Databases, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    citizens = -(-1000 // UPDATES_PER_CITIZEN)  # 77 citizens: 1,001 updates
    outcome = await _compare(databases, tmp_path, citizens)
    with capsys.disabled():
        print(
            f"\n[{databases.dialect}] duplicate delivery: {outcome.first_deliveries} updates, "
            f"{outcome.copies} extra copies, {outcome.duplicates_skipped} skipped as duplicates"
        )
