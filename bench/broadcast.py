"""Broadcast benchmark: 1,000 recipients through the outbox against the emulator's 30 msg/s cap.

No injected faults: this measures how close the paced sender runs to Telegram's limit
without tripping it. ``sustained_msg_per_s`` is the rate between the first and the last
``sendMessage`` attempt as the emulator saw them; the issue asks for at least 27.

    .venv/bin/python -m bench.broadcast [--recipients 1000] [--database-url URL]

Writes ``bench/results/broadcast.json`` and the ``## Broadcast`` section of
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.record import machine, replace_section
from bot.outbox import OutboxSender, build_sender_bot
from bot.sandbox import FaultConfig
from storage.schema import upgrade_schema
from storage.store import Storage
from surveys.clock import FixedClock
from surveys.usecases.broadcasts import ConsultationAudience, enqueue_broadcast
from tests.e2e.test_broadcast import LIMIT, TEXTS, AttemptLog, seed_audience, start_emulator

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results" / "broadcast.json"
TARGET = 27.0


async def measure(recipients: int, database_url: str) -> dict[str, Any]:
    await upgrade_schema(database_url)
    log = AttemptLog()
    emulator = await start_emulator(FaultConfig(), log)
    storage = Storage.open(database_url)
    bot = build_sender_bot(emulator.token, emulator.url)
    try:
        consultation_id, _ = await seed_audience(storage, emulator, recipients)
        await enqueue_broadcast(
            storage.uow,
            FixedClock(datetime.now(UTC)),
            batch="bench",
            audience=ConsultationAudience(consultation_id),
            texts=TEXTS,
        )
        sender = OutboxSender(storage, bot)
        started = time.monotonic()
        report = await sender.drain(limit=600)
        wall = time.monotonic() - started
    finally:
        await bot.session.close()
        await storage.close()
        await emulator.stop()
    times = sorted(log.times)
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {
        "recipients": recipients,
        "emulator_cap_msg_per_s": LIMIT,
        "sender_rate_setting": sender.settings.rate,
        "sent": report.sent,
        "attempts": len(times),
        "rejected_429": emulator.counters.errors.get(429, 0),
        "sustained_msg_per_s": round((len(times) - 1) / span, 2),
        "overall_msg_per_s": round(report.sent / wall, 2),
        "wall_seconds": round(wall, 2),
        "busiest_1s_window": log.busiest_second(),
        "database": database_url.split(":", 1)[0],
    }


def write_markdown(result: dict[str, Any]) -> None:
    figures = result["figures"]
    verdict = "meets" if figures["sustained_msg_per_s"] >= TARGET else "MISSES"
    section = (
        "## Broadcast\n\n"
        f"`{result['command']}` on {result['date']} ({result['machine']['cpus']} CPUs, "
        f"load {result['machine']['load_average_1m']}, {figures['database']}).\n\n"
        f"- {figures['recipients']} recipients, no injected faults, emulator capped at "
        f"{figures['emulator_cap_msg_per_s']} msg/s; sender paced at "
        f"{figures['sender_rate_setting']} msg/s.\n"
        f"- **sustained {figures['sustained_msg_per_s']} msg/s** (first to last attempt; "
        f"{verdict} the ≥ {TARGET:g} target), overall {figures['overall_msg_per_s']} msg/s "
        f"over the whole drain ({figures['wall_seconds']} s).\n"
        f"- {figures['sent']} sent in {figures['attempts']} attempts, "
        f"{figures['rejected_429']} answered 429; busiest 1-second window "
        f"{figures['busiest_1s_window']} attempts.\n"
    )
    replace_section("## Broadcast", section)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        figures = asyncio.run(measure(args.recipients, url))
    result = {
        "name": "broadcast",
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python -m bench.broadcast", *(argv or sys.argv[1:])]),
        "figures": figures,
    }
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_markdown(result)
    print(json.dumps(figures, indent=2))
    return 0 if figures["sustained_msg_per_s"] >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
