"""Flood benchmark: what one flooder costs the others — their p95 latency with and without him.

The real bot (aiogram app, polling the Bot API emulator over HTTP, flood limiter on) serves 20
citizens answering the ten-question survey at a human pace (``--think`` seconds between a
question and the answer, jittered). Latency is one answer's: from the update entering the
emulator to the next question arriving. The same run is made without and with a flooder who
sends 100 messages in 10 s meanwhile; rounds alternate (without, with, without, ...) on fresh
databases so that a machine getting busier does not favour one side. Target: the others' p95
with the flooder at most 20 % above the p95 without.

    .venv/bin/python -m bench.flood [--others 20] [--rounds 3] [--database-url URL]

Writes ``bench/results/flood.json`` and the ``## Flood`` section of ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.record import machine, replace_section
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.e2e.citizen_support import Citizen, button, has_buttons, running_bot
from tests.reliability.support import QUESTIONS, SLUG, answer_text, load_ten_texts

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results" / "flood.json"
TARGET_RATIO = 1.20
PATIENCE = 120.0  # seconds; a reply slower than this is a failure, not a latency


async def _join(citizen: Citizen) -> None:
    citizen.user.send_text(f"/start {SLUG}")
    consent = await citizen.read_until(has_buttons, PATIENCE)
    query = citizen.user.tap(consent, button(consent, "ok:")["callback_data"])
    await citizen.user.callback_answer(query, timeout=PATIENCE)
    await citizen.read(PATIENCE)  # consent given
    await citizen.read_until(has_buttons, PATIENCE)  # question 1


async def _answer(citizen: Citizen, think: float, rng: random.Random) -> list[float]:
    """Ten answers at a human pace; each one's seconds from sent to the next question."""
    latencies = []
    for n in range(1, QUESTIONS + 1):
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        sent = time.perf_counter()
        citizen.user.send_text(answer_text(citizen, n))
        await citizen.read_until(has_buttons, PATIENCE)
        latencies.append(time.perf_counter() - sent)
    return latencies


async def _round(
    url: str, folder: Path, others: int, flood: tuple[int, float] | None, think: float, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    async with running_bot(url) as rb:
        await load_ten_texts(rb.storage, folder)
        people = [rb.citizen(f"O{n}", "it" if n % 2 else "en") for n in range(others)]
        flooder = rb.citizen("Flooder", "it")
        await asyncio.gather(*(_join(p) for p in [*people, flooder]))

        async def flooding() -> None:
            if flood is None:
                return
            messages, seconds = flood
            for n in range(messages):
                flooder.user.send_text(f"spam {n}")
                await asyncio.sleep(seconds / messages)

        started = time.perf_counter()
        answering = asyncio.gather(
            *(_answer(p, think, random.Random(rng.random())) for p in people)
        )
        _, results = await asyncio.gather(flooding(), answering)
        wall = time.perf_counter() - started
        limiter = rb.app.dispatcher.get("flood_limiter")
        return {
            "latencies": [x for person in results for x in person],
            "wall_seconds": round(wall, 2),
            "flood_dropped": getattr(limiter, "dropped", None),
            "handler_errors": rb.app.metrics.handler_errors,
        }


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if values else 0.0


async def measure(
    database_url: str | None,
    others: int,
    rounds: int,
    flood: tuple[int, float],
    think: float,
    folder: Path,
) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"without": [], "with": []}
    for n in range(rounds):
        for side in ("without", "with") if n % 2 == 0 else ("with", "without"):
            if database_url is None:
                url = f"sqlite+aiosqlite:///{folder / f'flood{n}{side}.db'}"
            else:
                url = await create_postgres_database("ascolto_bench_flood")
            try:
                runs[side].append(
                    await _round(
                        url, folder, others, flood if side == "with" else None, think, seed=n
                    )
                )
            finally:
                if database_url is not None:
                    await drop_postgres_database(url)
    figures: dict[str, Any] = {
        "database": (database_url or "sqlite+aiosqlite").split(":", 1)[0],
        "others": others,
        "rounds": rounds,
        "flood_messages": flood[0],
        "flood_seconds": flood[1],
        "think_seconds": think,
    }
    for side, done in runs.items():
        latencies = [x for run in done for x in run["latencies"]]
        figures[side] = {
            "answers": len(latencies),
            "p50_ms": round(_p(latencies, 50) * 1000, 1),
            "p95_ms": round(_p(latencies, 95) * 1000, 1),
            "max_ms": round(max(latencies) * 1000, 1),
            "wall_seconds": [run["wall_seconds"] for run in done],
            "flood_dropped": [run["flood_dropped"] for run in done],
            "handler_errors": sum(run["handler_errors"] for run in done),
        }
    without, with_ = figures["without"]["p95_ms"], figures["with"]["p95_ms"]
    figures["p95_ratio"] = round(with_ / without, 3) if without else None
    figures["meets_target"] = figures["p95_ratio"] is not None and (
        figures["p95_ratio"] <= TARGET_RATIO
    )
    return figures


def write_markdown(result: dict[str, Any]) -> None:
    f = result["figures"]
    verdict = "meets" if f["meets_target"] else "MISSES"
    section = (
        "## Flood\n\n"
        f"`{result['command']}` on {result['date']} ({result['machine']['cpus']} CPUs, "
        f"load {result['machine']['load_average_1m']}, {f['database']}).\n\n"
        f"- {f['others']} citizens answer the ten-question survey (think time "
        f"{f['think_seconds']} s ± 50 %), {f['rounds']} round(s) per side, alternating; with a "
        f"flooder sending {f['flood_messages']} messages in {f['flood_seconds']:g} s meanwhile.\n"
        f"- Latency of one answer (into the emulator → next question received): without the "
        f"flooder p50 {f['without']['p50_ms']} ms, **p95 {f['without']['p95_ms']} ms**; with "
        f"him p50 {f['with']['p50_ms']} ms, **p95 {f['with']['p95_ms']} ms** "
        f"({f['without']['answers']} and {f['with']['answers']} answers).\n"
        f"- **p95 ratio {f['p95_ratio']}** ({verdict} the ≤ {TARGET_RATIO:g} target); "
        f"flood messages dropped by the limiter per round {f['with']['flood_dropped']}; "
        f"handler errors {f['without']['handler_errors'] + f['with']['handler_errors']}.\n"
    )
    replace_section("## Flood", section)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flood", description=__doc__)
    parser.add_argument("--others", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flood-messages", type=int, default=100)
    parser.add_argument("--flood-seconds", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=0.8, help="seconds between answers")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server URL (a fresh database per round); default: SQLite files",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the figures, write no result files"
    )
    args = parser.parse_args(argv)
    if args.database_url is not None:
        # tests.conftest's database helpers create each round's database on this server.
        os.environ["ASCOLTO_TEST_POSTGRES_URL"] = args.database_url
    with tempfile.TemporaryDirectory() as folder:
        figures = asyncio.run(
            measure(
                args.database_url,
                args.others,
                args.rounds,
                (args.flood_messages, args.flood_seconds),
                args.think,
                Path(folder),
            )
        )
    result = {
        "name": "flood",
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python -m bench.flood", *(argv or sys.argv[1:])]),
        "figures": figures,
    }
    if not args.dry_run:
        RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_JSON.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        write_markdown(result)
    print(json.dumps(figures, indent=2))
    return 0 if figures["meets_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
