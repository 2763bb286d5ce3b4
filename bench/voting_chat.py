"""Voting in the chat: the database work of one tap, and ``/consensus``, on a large consultation.

Seeds one open consultation with P participants (consent given) and S accepted statements,
each participant having voted on a random 70 % of them (Pol.is-like sparsity). Then, for T
taps by random participants, times what the bot does for one tap — ``cast_vote`` then
``next_statement`` (fewest votes first, never one already voted on), each in its own unit of
work as in the chat — and ``/consensus``'s data path: ``read_voting`` (every vote of real
participations on accepted statements) and the analysis (``nlp.opinion_groups``).

    .venv/bin/python -m bench.voting_chat [--participants 10000] [--statements 60] [--taps 300]
        [--database-url URL] [--no-write]

Writes ``bench/results/voting_chat.json`` and the ``## Voting in the chat`` section of
``bench/RESULTS.md`` (the latest run per database dialect).
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.record import machine, replace_section
from bot.voting_analysis import voting_analyser
from storage.schema import upgrade_schema
from storage.store import Storage
from storage.tables import participants, participations, statements, votes
from surveys.clock import FixedClock
from surveys.definition import Mode
from surveys.entities import Consultation, ConsultationStatus
from surveys.usecases.voting import NextStatement, cast_vote, next_statement, read_voting
from surveys.voting import VoteValue

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results" / "voting_chat.json"
RESULTS_MD = HERE / "RESULTS.md"
SECTION = "## Voting in the chat"
CHUNK = 10_000
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


async def _insert_many(storage: Storage, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    async with storage.engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            await connection.execute(table.insert(), rows[start : start + CHUNK])


async def seed(storage: Storage, people: int, count: int) -> tuple[int, list[int], int]:
    """(consultation id, participant ids, votes inserted)."""
    rng = random.Random(20261127)
    async with storage.uow() as uow:
        added = await uow.consultations.add(
            Consultation("bench-voting", "Bench", Mode.SURVEY, ConsultationStatus.OPEN)
        )
        await uow.commit()
    assert added.id is not None
    consultation = added.id
    await _insert_many(
        storage,
        participants,
        [{"id": n + 1, "pseudonym": f"bench-{n:07d}", "language": "it"} for n in range(people)],
    )
    await _insert_many(
        storage,
        participations,
        [
            {
                "participant_id": n + 1,
                "consultation_id": consultation,
                "version": 1,
                "consent_version": "bench+age14",
                "status": "submitted",
            }
            for n in range(people)
        ],
    )
    await _insert_many(
        storage,
        statements,
        [
            {"id": s + 1, "consultation_id": consultation, "text": f"S{s}", "status": "accepted"}
            for s in range(count)
        ],
    )
    inserted = 0
    for block in range(0, people, CHUNK // 10):
        rows = [
            {"statement_id": s + 1, "participant_id": n + 1, "value": rng.choice((1, -1, 0))}
            for n in range(block, min(people, block + CHUNK // 10))
            for s in range(count)
            if rng.random() < 0.7
        ]
        await _insert_many(storage, votes, rows)
        inserted += len(rows)
    return consultation, list(range(1, people + 1)), inserted


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


async def run(url: str, people: int, count: int, taps: int) -> dict[str, Any]:
    await upgrade_schema(url)
    storage = Storage.open(url)
    clock = FixedClock(NOW)
    rng = random.Random(7)
    try:
        started = time.perf_counter()
        consultation, ids, inserted = await seed(storage, people, count)
        seeded = time.perf_counter() - started
        tap_times: list[float] = []
        done = 0
        while done < taps:
            person = rng.choice(ids)
            shown = await next_statement(storage.uow, clock, person, consultation)
            if not isinstance(shown, NextStatement) or shown.statement.id is None:
                continue
            began = time.perf_counter()
            await cast_vote(
                storage.uow, clock, person, consultation, shown.statement.id, VoteValue.AGREE
            )
            await next_statement(storage.uow, clock, person, consultation)
            tap_times.append(time.perf_counter() - began)
            done += 1
        began = time.perf_counter()
        async with storage.uow() as uow:
            read, _texts = await read_voting(uow, consultation)
        read_seconds = time.perf_counter() - began
        analyser = voting_analyser()
        analyse_seconds = None
        groups = None
        if analyser is not None:
            began = time.perf_counter()
            analysis = analyser.analyse(read)
            analyse_seconds = round(time.perf_counter() - began, 3)
            groups = len(analysis.groups)
    finally:
        await storage.close()
    return {
        "database": url.split("+", 1)[0].split(":", 1)[0],
        "participants": people,
        "statements": count,
        "votes": inserted + taps,
        "seed_seconds": round(seeded, 1),
        "tap": {"taps": taps, **_ms(tap_times)},
        "read_voting_seconds": round(read_seconds, 3),
        "analyse_seconds": analyse_seconds,
        "groups": groups,
    }


def write_results(result: dict[str, Any]) -> None:
    runs: dict[str, Any] = {}
    if RESULTS_JSON.exists():
        runs = json.loads(RESULTS_JSON.read_text(encoding="utf-8")).get("runs", {})
    runs[result["figures"]["database"]] = result
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    document = {"name": "voting_chat", "runs": runs}
    RESULTS_JSON.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    lines = [SECTION, ""]
    for name in sorted(runs):
        run_ = runs[name]
        f, m = run_["figures"], run_["machine"]
        tap = f["tap"]
        lines.append(
            f"- {f['database']}, {run_['date']} on {m['node']} ({m['cpus']} CPUs, load "
            f"{m['load_average_1m']}), `{run_['command']}`: {f['participants']:,} participants, "
            f"{f['statements']} statements, {f['votes']:,} votes. One tap (`cast_vote` + "
            f"`next_statement`): median {tap['median_ms']} ms, p95 {tap['p95_ms']} ms, max "
            f"{tap['max_ms']} ms over {tap['taps']} taps. `/consensus` data: `read_voting` "
            f"{f['read_voting_seconds']} s, analysis {f['analyse_seconds']} s "
            f"({f['groups']} groups)."
        )
    replace_section(SECTION, "\n".join(lines) + "\n", RESULTS_MD)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.voting_chat", description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=60)
    parser.add_argument("--taps", type=int, default=300)
    parser.add_argument("--database-url", default=None, help="an empty database; default SQLite")
    parser.add_argument("--no-write", action="store_true", help="print, write no results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        figures = asyncio.run(run(url, args.participants, args.statements, args.taps))
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.voting_chat " + " ".join(argv or sys.argv[1:]),
        "machine": machine(),
        "figures": figures,
    }
    print(json.dumps(result, indent=2))
    if not args.no_write:
        write_results(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
