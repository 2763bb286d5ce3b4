"""Two webhook workers behind one port, PostgreSQL and Redis: 50 citizens answer Opencare.

The deployment of docs/DEPLOY.md as a real process tree: ``ascolto run --workers 2`` (the
parent migrates, starts two workers that bind the same port with SO_REUSEPORT), the emulator
pushing updates to that one port like Telegram, and a new connection for every update so the
kernel picks a worker per update. The emulator records which worker answered each update
(``X-Ascolto-Worker``), so the test shows that each citizen's updates really went to both
workers — the conversation state (FSM, multi-choice ticks) and the per-person lock live in
Redis — and that still every survey completes with every answer stored once. ``/metrics``,
reached through the same shared port, reports both workers with a ``worker`` label and agrees
with the emulator's record. SIGTERM to the parent stops everything cleanly.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa

from bot.sandbox import BotApiEmulator
from bot.sandbox_mode import load_examples
from storage.store import Storage
from storage.tables import answers, consultations, participants, participations, processed_updates
from surveys.pseudonyms import pseudonym
from tests.e2e.citizen_support import PEPPER, Citizen, button, complete, join

# About 3 minutes on the shared 2-core machine (two interpreters starting, 850 updates).
pytestmark = [pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ASCOLTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "multi_worker_webhook_secret_0123456789"
CITIZENS = 50
STARTUP_SECONDS = 240


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own in the shared Redis; its keys are deleted afterwards."""
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(redis.ping(), 3)
    except Exception as error:
        await redis.aclose()
        if os.environ.get("ASCOLTO_REQUIRE_POSTGRES"):  # CI starts Redis with PostgreSQL
            pytest.fail(f"Redis required but not reachable at {REDIS_URL}: {error!r}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error!r}")
    prefix = f"ascolto-test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _take_part(citizen: Citizen, language: str) -> int:
    """Join, answer everything, submit; how many answers the summary listed."""
    first = await join(citizen, "opencare")
    summary = await complete(citizen, first, language)
    answered = sum(1 for b in summary.buttons if str(b["callback_data"]).startswith("e:"))
    await citizen.tap(summary, data=button(summary, "f:")["callback_data"])
    await citizen.read()  # thanks and the results note
    await citizen.read()  # the offer to follow Opencare
    return answered


def _tail(log: Path) -> str:
    """The end of the process tree's log, for a failure message."""
    return log.read_text(errors="replace")[-5000:]


def _sample(metrics: str, name: str, worker: str) -> float | None:
    for line in metrics.splitlines():
        if line.startswith(f'{name}{{worker="{worker}"}} '):
            return float(line.rsplit(" ", 1)[1])
    return None


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url, timeout=aiohttp.ClientTimeout(total=5)) as response:
        return response.status, await response.text()


async def _wait_for_workers(session: aiohttp.ClientSession, base: str, log: Path) -> None:
    """Until /metrics (through the shared port) shows both workers reporting. Generous: two
    fresh interpreters importing aiogram, SQLAlchemy and the NLP stack on a busy machine."""
    for _ in range(STARTUP_SECONDS * 10):
        try:
            status, text = await _get(session, f"{base}/metrics")
            if status == 200 and "\nascolto_workers_reporting 2\n" in text:
                return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the two workers did not come up:\n" + _tail(log))


async def _wait_for_webhook(emulator: BotApiEmulator, log: Path) -> None:
    """Until worker 0 has set the webhook (updates sent before that only wait in the queue,
    but a citizen's 15 s patience would start too early on a busy machine)."""
    for _ in range(STARTUP_SECONDS * 10):
        if emulator.webhook.active:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("no webhook was set:\n" + _tail(log))


def _workers(parent: int) -> dict[str, int]:
    """The parent's children by worker index (from /proc: Linux, like SO_REUSEPORT)."""
    found = {}
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    for pid in children:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        if b"--worker-index" in argv:
            found[argv[argv.index(b"--worker-index") + 1].decode()] = int(pid)
    return found


async def _restarted(parent: int, worker: str, killed: int, log: Path) -> int:
    """The new process of ``worker`` once it reports again (RESTART_FIRST plus its start)."""
    for _ in range(STARTUP_SECONDS * 10):
        pid = _workers(parent).get(worker)
        if pid is not None and pid != killed and "exited with -9" in _tail(log):
            return pid
        await asyncio.sleep(0.1)
    raise AssertionError(f"worker {worker} was not started again:\n{_tail(log)}")


@pytest.mark.slow
async def test_two_workers_share_one_port_and_every_answer_is_stored_once(
    postgres_url: str, redis_prefix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()
    began = time.monotonic()
    base = f"http://127.0.0.1:{port}"
    async with BotApiEmulator("127.0.0.1", port=0) as emulator:
        emulator.webhook.new_connection_per_update = True
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASCOLTO_")}
        env.update(
            ASCOLTO_DATABASE_URL=postgres_url,
            ASCOLTO_REDIS_URL=REDIS_URL,
            ASCOLTO_REDIS_PREFIX=redis_prefix,
            ASCOLTO_BOT_TOKEN=emulator.token,
            ASCOLTO_TELEGRAM_API_URL=emulator.url,
            ASCOLTO_PEPPER=PEPPER.decode(),
            ASCOLTO_WEBHOOK_URL=f"{base}/webhook",
            ASCOLTO_WEBHOOK_SECRET=SECRET,
            ASCOLTO_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
            ASCOLTO_DATA_DIR=str(tmp_path / "data"),
        )
        log = tmp_path / "ascolto.log"
        with log.open("wb") as output:
            parent = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", "--workers", "2",
                env=env, cwd=ROOT, stdout=output, stderr=output,
            )  # fmt: skip
        storage = Storage.open(postgres_url)
        try:
            async with aiohttp.ClientSession() as session:
                await _wait_for_workers(session, base, log)
                await _wait_for_webhook(emulator, log)
                await load_examples(storage)  # the parent has migrated the database
                started = time.monotonic() - began
                people = [
                    Citizen(emulator.create_user(f"P{n}", language_code=lang), emulator)
                    for n, lang in enumerate(["it", "en"] * (CITIZENS // 2))
                ]
                try:
                    counts = await asyncio.wait_for(
                        asyncio.gather(
                            *(_take_part(p, p.user.record.language_code or "en") for p in people)
                        ),
                        timeout=300,
                    )
                except (TimeoutError, AssertionError) as error:
                    raise AssertionError(f"{error!r}\n{_tail(log)}") from error
                surveys = time.monotonic() - began - started
                for person in people:
                    await person.silence(0.1)  # no stray or repeated replies

                # Which worker handled what, as the emulator saw it.
                deliveries = list(emulator.webhook.deliveries)
                per_worker = Counter(d.worker for d in deliveries)
                workers_of: dict[int | None, set[str | None]] = defaultdict(set)
                for delivery in deliveries:
                    workers_of[delivery.user_id].add(delivery.worker)

                # /metrics through the shared port, once the other worker's latest counters are
                # published (every 2 s).
                for _ in range(100):
                    status, metrics = await _get(session, f"{base}/metrics")
                    handled = {
                        w: _sample(metrics, "ascolto_updates_handled_total", w) for w in "01"
                    }
                    if sum(n or 0 for n in handled.values()) >= len(deliveries):
                        break
                    await asyncio.sleep(0.2)
                status, health = await _get(session, f"{base}/healthz")

                # A worker killed outright is started again by the parent, and the bot goes on.
                killed = _workers(parent.pid)["1"]
                os.kill(killed, signal.SIGKILL)
                restarted = await _restarted(parent.pid, "1", killed, log)
                late = Citizen(emulator.create_user("Late", language_code="en"), emulator)
                await late.say("/help")
        finally:
            parent.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(parent.wait(), 40)
            output_text = log.read_text(errors="replace")
            async with storage.engine.connect() as connection:
                rows = (
                    await connection.execute(
                        sa.select(participants.c.pseudonym, answers.c.question_key)
                        .join(participations, participations.c.id == answers.c.participation_id)
                        .join(participants, participants.c.id == participations.c.participant_id)
                        .join(consultations, consultations.c.id == participations.c.consultation_id)
                        .where(consultations.c.slug == "opencare")
                    )
                ).all()
                statuses = list(
                    (await connection.execute(sa.select(participations.c.status))).scalars()
                )
                claimed = set(
                    (await connection.execute(sa.select(processed_updates.c.update_id))).scalars()
                )
            await storage.close()

    assert code == 0, output_text[-3000:]
    assert "Traceback" not in output_text, output_text[-3000:]
    # Every survey completed, every answer stored once, in the right person's participation.
    assert statuses == ["submitted"] * CITIZENS
    stored = Counter(rows)
    assert all(n == 1 for n in stored.values()), "one row per (person, question)"
    for person, count in zip(people, counts, strict=True):
        mine = [key for (who, key) in stored if who == pseudonym(PEPPER, person.user.id)]
        assert len(mine) == count, "every answer the person gave, and no other"
    assert len(rows) == sum(counts)
    # Every delivered update handled exactly once, by one of the two workers.
    assert len(deliveries) == len({d.update_id for d in deliveries})
    assert {d.update_id for d in deliveries} <= claimed
    assert set(per_worker) == {"0", "1"}, per_worker
    total = len(deliveries)
    # SO_REUSEPORT hashes each new connection: about half each (30% is 10 sigma away).
    assert min(per_worker.values()) >= 0.3 * total, per_worker
    # Each citizen sent ~15 updates; one whose updates all hit one worker has odds of 2**-14.
    crossed = sum(1 for p in people if workers_of[p.user.id] == {"0", "1"})
    assert crossed >= CITIZENS - 2, f"only {crossed} citizens had updates on both workers"
    # /metrics (one scrape, any worker) agrees with the emulator, per worker. A delivery the
    # emulator gave up waiting for (10 s on a busy machine) and pushed again is counted by the
    # worker that handled it without being recorded as accepted: at most one per failure.
    assert status == 200 and json.loads(health)["status"] == "ok", health
    failures = emulator.counters.webhook_failures
    seen = f"metrics {handled}, emulator {dict(per_worker)}, {failures} failed attempts"
    for worker in "01":
        reported = handled[worker]
        assert reported is not None and per_worker[worker] <= reported, seen
        assert _sample(metrics, "ascolto_handler_errors_total", worker) == 0
        assert _sample(metrics, "ascolto_handler_latency_seconds_count", worker) == reported
    assert sum(c or 0 for c in handled.values()) <= total + failures, seen
    assert "\nascolto_outbox_depth " in metrics
    assert restarted != killed and "worker 1 exited with -9" in output_text
    with capsys.disabled():
        print(f"\n[2 workers] {CITIZENS} citizens, {total} updates: {seen}; started in "
              f"{started:.0f} s, surveys took {surveys:.0f} s")  # fmt: skip


async def test_several_workers_are_refused_on_sqlite_in_both_languages(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASCOLTO_")}
    env.update(
        ASCOLTO_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
        ASCOLTO_BOT_TOKEN="123456:" + "A" * 35,
        ASCOLTO_PEPPER="pepper-for-the-refusal-test",
        ASCOLTO_WEBHOOK_URL="https://bot.example.org/webhook",
        ASCOLTO_WEBHOOK_SECRET=SECRET,
        ASCOLTO_REDIS_URL=REDIS_URL,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--workers", "2",
        env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(), 60)
    text = err.decode()
    assert process.returncode == 2, text
    assert "needs PostgreSQL" in text and "richiede PostgreSQL" in text
    assert not (tmp_path / "a.db").exists(), "refused before touching the database"
