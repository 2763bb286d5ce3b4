"""Live statistics benchmark: ``/stats`` figures on 100,000 participations.

Seeds one consultation (``tests/fixtures/surveys/valid.yaml``, 9 questions) with N
participations of synthetic people: 60 % submit, the rest stop at a random question; answers
spread over 30 days. Then times ``consultation_stats`` (the use case the chat calls: counts,
median, drop-off per question, answers and ideas per Europe/Rome day) and the two charts, and
measures the Python memory the statistics take (tracemalloc peak), which must not grow with
the number of answers: the database aggregates.

    .venv/bin/python -m bench.stats [--participations 100000] [--postgres | --database-url URL]

``--postgres`` creates a throw-away database on the test server (127.0.0.1:5432) and drops
it afterwards; ``--database-url`` must name an empty database.

Writes ``bench/results/stats.json`` and the ``## Stats`` section of ``bench/RESULTS.md`` (the
latest run per database).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.record import machine, replace_section
from dialogs.facilitator.stats import daily_chart, drop_off_chart
from dialogs.i18n import Translator
from reports.charts import MatplotlibCharts
from storage.schema import upgrade_schema
from storage.store import Storage
from storage.tables import answers, participants, participations
from surveys.clock import FixedClock
from surveys.format import load_definition
from surveys.usecases.consultations import load_consultation
from surveys.usecases.stats import ConsultationStats, consultation_stats

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results" / "stats.json"
SURVEY = HERE.parent / "tests" / "fixtures" / "surveys" / "valid.yaml"
START = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
CHUNK = 10_000
REPEATS = 3


async def _insert_many(storage: Storage, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    async with storage.engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            await connection.execute(table.insert(), rows[start : start + CHUNK])


async def seed(storage: Storage, count: int, clock: FixedClock) -> tuple[int, int]:
    """``count`` participations; returns (consultation id, answers inserted)."""
    definition = load_definition(SURVEY)
    loaded = await load_consultation(storage.uow, definition, clock)
    keys = [q.key for q in definition.questions]
    rng = random.Random(20261127)
    async with storage.engine.connect() as connection:
        first_id = (await connection.execute(sa.select(sa.func.max(participants.c.id)))).scalar()
    first_id = (first_id or 0) + 1
    await _insert_many(
        storage,
        participants,
        [
            {"id": first_id + n, "pseudonym": f"bench-{n:07d}", "language": "it"}
            for n in range(count)
        ],
    )
    answer_count = 0
    # In blocks, so that seeding 100,000 people never holds a million answers in memory.
    for block in range(0, count, CHUNK):
        rows, answer_rows = [], []
        for n in range(block, min(count, block + CHUNK)):
            started = START + timedelta(seconds=rng.uniform(0, 30 * 86400))
            finished = rng.random() < 0.6
            reached = len(keys) if finished else rng.randrange(len(keys))
            rows.append(
                {
                    "id": first_id + n,
                    "participant_id": first_id + n,
                    "consultation_id": loaded.consultation_id,
                    "version": 1,
                    "status": "submitted" if finished else "in_progress",
                    "current_question": None if finished else keys[reached],
                    "started_at": started,
                    "submitted_at": started + timedelta(seconds=30 * (reached + 1))
                    if finished
                    else None,
                }
            )
            for index in range(reached):
                answer_rows.append(
                    {
                        "participation_id": first_id + n,
                        "question_key": keys[index],
                        "value": "x",
                        "version": 1,
                        "answered_at": started + timedelta(seconds=30 * (index + 1)),
                    }
                )
        await _insert_many(storage, participations, rows)
        await _insert_many(storage, answers, answer_rows)
        answer_count += len(answer_rows)
    if storage.dialect == "postgresql":
        async with storage.engine.begin() as connection:
            for table in (participants, participations, answers):
                await connection.execute(sa.text(f"ANALYZE {table.name}"))
    return loaded.consultation_id, answer_count


async def measure(count: int, database_url: str) -> dict[str, Any]:
    await upgrade_schema(database_url)
    storage = Storage.open(database_url)
    clock = FixedClock(START + timedelta(days=31))
    try:
        began = time.monotonic()
        _, answer_count = await seed(storage, count, clock)
        seed_seconds = time.monotonic() - began
        timings = []
        stats: ConsultationStats | None = None
        for _ in range(REPEATS):
            began = time.monotonic()
            outcome = await consultation_stats(storage.uow, clock, None, "test-garden")
            timings.append(time.monotonic() - began)
            assert isinstance(outcome, ConsultationStats)
            stats = outcome
        assert stats is not None
        tracemalloc.start()
        await consultation_stats(storage.uow, clock, None, "test-garden")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        await storage.close()
    charts, _ = MatplotlibCharts(), Translator("it")
    began = time.monotonic()
    daily = charts.daily(daily_chart(stats, _))
    drop = charts.drop_off(drop_off_chart(stats, _))
    chart_seconds = time.monotonic() - began
    began = time.monotonic()
    charts.daily(daily_chart(stats, _))
    charts.drop_off(drop_off_chart(stats, _))
    warm_chart_seconds = time.monotonic() - began
    assert stats.joined == count, (stats.joined, count)
    return {
        "participations": count,
        "answers": answer_count,
        "database": database_url.split(":", 1)[0],
        "seed_seconds": round(seed_seconds, 1),
        "stats_seconds": [round(t, 3) for t in timings],
        "stats_seconds_median": round(statistics.median(timings), 3),
        "stats_python_peak_kib": round(peak / 1024, 1),
        "charts_seconds_first_call": round(chart_seconds, 2),
        "charts_seconds_warm": round(warm_chart_seconds, 2),
        "chart_png_bytes": [len(daily), len(drop)],
        "figures": {
            "completed": stats.completed,
            "completion_rate": round(stats.completion_rate or 0, 4),
            "median_completion_s": stats.median_completion.total_seconds()
            if stats.median_completion
            else None,
            "days": len(stats.answers_per_day),
        },
    }


async def _on_postgres(count: int) -> dict[str, Any]:
    from tests.conftest import create_postgres_database, drop_postgres_database

    url = await create_postgres_database("ascolto_bench_stats")
    try:
        return await measure(count, url)
    finally:
        await drop_postgres_database(url)


def _run_lines(run: dict[str, Any]) -> str:
    f = run["figures"]
    return (
        f"### {f['database']}\n\n"
        f"`{run['command']}` on {run['date']} ({run['machine']['cpus']} CPUs, "
        f"load {run['machine']['load_average_1m']}).\n\n"
        f"- {f['participations']} participations, {f['answers']} answers "
        f"(seeded in {f['seed_seconds']} s).\n"
        f"- **`consultation_stats` {f['stats_seconds_median']} s** (median of "
        f"{len(f['stats_seconds'])}: {f['stats_seconds']}); Python memory peak during one call "
        f"{f['stats_python_peak_kib']} KiB: the database aggregates, no answer is loaded.\n"
        f"- The two PNG charts: {f['charts_seconds_first_call']} s on first use "
        f"(matplotlib import included), {f['charts_seconds_warm']} s after; "
        f"{f['chart_png_bytes']} bytes.\n"
    )


def write_results(result: dict[str, Any]) -> None:
    """Keep the latest run per database in ``stats.json`` and in the ``## Stats`` section."""
    runs: dict[str, Any] = {}
    if RESULTS_JSON.exists():
        runs = json.loads(RESULTS_JSON.read_text(encoding="utf-8")).get("runs", {})
    runs[result["figures"]["database"]] = result
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    document = {"name": "stats", "runs": runs}
    RESULTS_JSON.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    section = "## Stats\n\n" + "\n".join(_run_lines(runs[name]) for name in sorted(runs))
    replace_section("## Stats", section)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__)
    parser.add_argument("--participations", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL db")
    parser.add_argument("--no-write", action="store_true", help="print, write no results")
    args = parser.parse_args(argv)
    if args.postgres:
        figures = asyncio.run(_on_postgres(args.participations))
    else:
        with tempfile.TemporaryDirectory() as folder:
            url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
            figures = asyncio.run(measure(args.participations, url))
    result = {
        "name": "stats",
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python -m bench.stats", *(argv or sys.argv[1:])]),
        "figures": figures,
    }
    print(json.dumps(figures, indent=2))
    if not args.no_write:
        write_results(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
