"""Thirty citizens answering Opencare at the same time, on SQLite and on PostgreSQL.

Every answer must be stored exactly once, in the right person's participation, and nobody may
get a reply meant for the previous step. The end-to-end latency (a tap or a message in, the
bot's next message out, measured at the simulated client) is printed per dialect.
"""

from __future__ import annotations

import asyncio
import statistics

import pytest
import sqlalchemy as sa

from storage.tables import answers, participations
from tests.e2e.citizen_support import Citizen, button, complete, join, running_bot, stored_answers

CITIZENS = 30


async def _take_part(citizen: Citizen, language: str) -> int:
    """Join, answer everything, submit; returns how many answers the summary listed."""
    first = await join(citizen, "opencare")
    summary = await complete(citizen, first, language)
    answered = sum(1 for b in summary.buttons if str(b["callback_data"]).startswith("e:"))
    await citizen.tap(summary, data=button(summary, "f:")["callback_data"])
    await citizen.read()  # thanks and the results note
    await citizen.read()  # the offer to follow Opencare
    return answered


async def test_thirty_citizens_at_once_every_answer_stored_exactly_once(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running_bot(database_url) as rb:
        people = [rb.citizen(f"Persona {n}", "it" if n % 2 else "en") for n in range(CITIZENS)]
        counts = await asyncio.wait_for(
            asyncio.gather(*(_take_part(p, p.user.record.language_code or "en") for p in people)),
            timeout=240,
        )

        for person, count in zip(people, counts, strict=True):
            stored = await stored_answers(rb, person, "opencare")
            assert len(stored) == count, "every answer the person gave, and no other"
            assert stored["municipio"] == {"district": "municipio_1"}
            assert stored["role"] == "older_person"
        async with rb.storage.engine.connect() as connection:
            total = (
                await connection.execute(sa.select(sa.func.count()).select_from(answers))
            ).scalar_one()
            statuses = list(
                (await connection.execute(sa.select(participations.c.status))).scalars()
            )
        assert total == sum(counts)
        assert statuses == ["submitted"] * CITIZENS
        assert rb.app.metrics.handler_errors == 0
        for person in people:
            await person.silence(0.2)  # no stray or repeated replies

    latencies = sorted(t for person in people for t in person.latencies)
    dialect = database_url.split(":", 1)[0]
    quantiles = statistics.quantiles(latencies, n=100)
    with capsys.disabled():
        print(
            f"\n[{dialect}] {CITIZENS} concurrent citizens, {len(latencies)} replies: "
            f"end-to-end latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {quantiles[94] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
        )
    assert statistics.median(latencies) < 5.0
