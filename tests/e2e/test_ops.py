"""``/healthz`` and ``/metrics`` (bot/ops.py) over HTTP, against the emulator and real databases.

- health: 200 with the database and Telegram reachable; ``getMe`` cached for a few seconds;
  503 naming the part that is down (Telegram gone, database unreachable);
- metrics: Prometheus text that a strict reading of the exposition format accepts, with the
  counters moving as real updates are handled;
- the shared board: two workers' counters in one scrape through Redis, with a worker label;
- ``ascolto run`` in polling mode serves both on ``ASCOLTO_ADMIN_LISTEN``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_bot
from bot.metrics import Metrics
from bot.ops import TELEGRAM_TTL, MetricsBoard, Ops, serving
from bot.sandbox import BotApiEmulator
from storage.schema import upgrade_schema
from storage.store import Storage
from tests.e2e.citizen_support import running_bot

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ASCOLTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# One sample line of the text format: name, optional labels, a value.
SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? '
    r"(-?[0-9.e+-]+|\+Inf|NaN)$"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def parse_exposition(text: str) -> dict[str, float]:
    """Check the text format strictly enough for Prometheus; ``{'name{labels}': value}``.

    Every sample belongs to a family announced by ``# TYPE`` before it; histogram buckets are
    cumulative and the +Inf bucket equals ``_count``."""
    assert text.endswith("\n")
    types: dict[str, str] = {}
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in {"counter", "gauge", "histogram"}, line
            assert name not in types, f"family announced twice: {name}"
            types[name] = kind
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name = match.group(1)
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in types or types.get(family) == "histogram", f"no TYPE for {name}"
        key = name + (match.group(2) or "")
        assert key not in samples, f"duplicate series {key}"
        samples[key] = float(match.group(3))
    for family, kind in types.items():
        if kind != "histogram":
            continue
        buckets: dict[str, list[tuple[float, float]]] = {}
        for key, value in samples.items():
            found = re.match(rf'^{family}_bucket\{{worker="(\d+)",le="([^"]+)"\}}$', key)
            if found:
                bound = float("inf") if found.group(2) == "+Inf" else float(found.group(2))
                buckets.setdefault(found.group(1), []).append((bound, value))
        for worker, series in buckets.items():
            values = [value for _, value in sorted(series)]
            assert values == sorted(values), "buckets are cumulative"
            assert values[-1] == samples[f'{family}_count{{worker="{worker}"}}']
    return samples


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _get_json(url: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, json.loads(await response.text())


async def test_healthz_is_ok_then_names_telegram_when_it_is_gone(
    emulator: BotApiEmulator, sqlite_url: str
) -> None:
    await upgrade_schema(sqlite_url)
    storage = Storage.open(sqlite_url)
    bot = build_bot(emulator.token, emulator.url, Metrics())
    clock = FakeMonotonic()
    ops = Ops(storage, bot, Metrics(), MetricsBoard(0, 1, None, "fsm"), clock=clock)
    port = _free_port()
    try:
        async with serving(ops.application(), f"127.0.0.1:{port}"):
            status, body = await _get_json(f"http://127.0.0.1:{port}/healthz")
            assert status == 200, body
            assert body["status"] == "ok"
            assert body["database"] == {"ok": True, "error": None}
            assert body["telegram"]["ok"] is True  # type: ignore[index]
            # A probe every second is not a getMe every second.
            await _get_json(f"http://127.0.0.1:{port}/healthz")
            assert emulator.counters.requests["getMe"] == 1

            await emulator.stop()
            status, body = await _get_json(f"http://127.0.0.1:{port}/healthz")
            assert status == 200, "still within the cache"
            clock.now += TELEGRAM_TTL
            status, body = await _get_json(f"http://127.0.0.1:{port}/healthz")
            assert status == 503, body
            assert body["status"] == "fail"
            assert body["database"] == {"ok": True, "error": None}
            assert body["telegram"]["ok"] is False  # type: ignore[index]
    finally:
        await bot.session.close()
        await storage.close()


async def test_healthz_names_the_database_when_it_does_not_answer(
    emulator: BotApiEmulator,
) -> None:
    # Nothing listens on port 1: the connection is refused at once.
    storage = Storage.open("postgresql+asyncpg://nobody@127.0.0.1:1/nothing")
    bot = build_bot(emulator.token, emulator.url, Metrics())
    ops = Ops(storage, bot, Metrics(), MetricsBoard(0, 1, None, "fsm"))
    try:
        status, body = await ops.health()
    finally:
        await bot.session.close()
        await storage.close()
    assert status == 503
    assert body["database"]["ok"] is False and body["database"]["error"]
    assert body["telegram"]["ok"] is True


async def test_metrics_count_real_updates_in_prometheus_text(database_url: str) -> None:
    async with running_bot(database_url) as rb:
        ops = Ops(rb.storage, rb.app.bot, rb.app.metrics, MetricsBoard(0, 1, None, "fsm"))
        port = _free_port()
        async with serving(ops.application(), f"127.0.0.1:{port}"):
            url = f"http://127.0.0.1:{port}/metrics"
            async with aiohttp.ClientSession() as session, session.get(url) as response:
                assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
                before = parse_exposition(await response.text())
            for name in ("Giulia", "Tom"):
                citizen = rb.citizen(name)
                await citizen.say("/help")
            handled = 'ascolto_updates_handled_total{worker="0"}'
            for _ in range(50):  # the reply goes out just before the update counts as handled
                async with aiohttp.ClientSession() as session, session.get(url) as response:
                    after = parse_exposition(await response.text())
                if after[handled] >= before[handled] + 2:
                    break
                await asyncio.sleep(0.1)
    assert after[handled] == before[handled] + 2
    assert after['ascolto_handler_latency_seconds_count{worker="0"}'] == after[handled]
    assert after['ascolto_handler_latency_seconds_sum{worker="0"}'] > 0
    assert after['ascolto_handler_errors_total{worker="0"}'] == 0
    assert after["ascolto_outbox_depth"] == 0
    assert after["ascolto_workers_reporting"] == 1
    for name in (
        "ascolto_bot_api_rate_limited_total",
        "ascolto_duplicate_updates_total",
        "ascolto_busy_retries_total",
        "ascolto_outbox_rate_limited_total",
    ):
        assert f'{name}{{worker="0"}}' in after


async def test_one_scrape_shows_every_worker_through_redis(
    emulator: BotApiEmulator, sqlite_url: str
) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(redis.ping(), 3)
    except Exception as error:
        await redis.aclose()
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error!r}")
    prefix = f"ascolto-test-{uuid.uuid4().hex[:12]}"
    await upgrade_schema(sqlite_url)
    storage = Storage.open(sqlite_url)
    bot = build_bot(emulator.token, emulator.url, Metrics())
    first, second = Metrics(updates_handled=3), Metrics(updates_handled=5, handler_errors=1)
    ops = [
        Ops(storage, bot, metrics, MetricsBoard(n, 2, REDIS_URL, prefix))
        for n, metrics in enumerate((first, second))
    ]
    try:
        await ops[1].board.publish(ops[1].snapshot())  # what worker 1's publisher does
        samples = parse_exposition(await ops[0].exposition())
    finally:
        for one in ops:
            await one.stop()
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
        await bot.session.close()
        await storage.close()
    assert samples['ascolto_updates_handled_total{worker="0"}'] == 3
    assert samples['ascolto_updates_handled_total{worker="1"}'] == 5
    assert samples['ascolto_handler_errors_total{worker="1"}'] == 1
    assert samples["ascolto_workers_reporting"] == 2


async def test_polling_mode_serves_health_and_metrics_on_the_admin_port(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASCOLTO_")}
    env.update(
        ASCOLTO_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ascolto.db'}",
        ASCOLTO_BOT_TOKEN=emulator.token,
        ASCOLTO_TELEGRAM_API_URL=emulator.url,
        ASCOLTO_PEPPER="a-long-random-pepper-for-the-ops-test",
        ASCOLTO_DATA_DIR=str(tmp_path / "data"),
        ASCOLTO_ADMIN_LISTEN=f"127.0.0.1:{port}",
    )
    log = tmp_path / "ascolto.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run",
            env=env, cwd=ROOT, stdout=output, stderr=output,
        )  # fmt: skip
    try:
        person = emulator.create_user("Giulia", language_code="it")
        person.send_text("/help")
        await person.next_message(timeout=90)  # up and polling
        status, body = await _get_json(f"http://127.0.0.1:{port}/healthz")
        # The reply goes out before the update counts as handled (the counter moves once the
        # handler returned): scrape until it shows, as Prometheus would a moment later.
        for _ in range(100):
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{port}/metrics") as response,
            ):
                samples = parse_exposition(await response.text())
            if samples.get('ascolto_updates_handled_total{worker="0"}'):
                break
            await asyncio.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0, log.read_text()[-3000:]
    assert status == 200 and body["status"] == "ok", body
    assert samples['ascolto_updates_handled_total{worker="0"}'] == 1
