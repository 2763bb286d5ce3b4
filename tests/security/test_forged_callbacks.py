"""Forged citizen buttons change nothing: another consultation's id, a question that does not
exist, malformed fields, a tap after the consultation closed.

Telegram clients can send any callback data for a message the bot sent (modified clients do).
Survey buttons carry the consultation id, version and question index, never a person: who
answers is always the sender (``dialogs.callbacks``). The fuzz tests draw thousands of such
taps from strangers (tests/security/test_fuzz_updates.py); here one person who did answer
forges taps around her own participation, and every table is compared before and after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from storage.tables import consultations, metadata
from tests.e2e.citizen_support import (
    Citizen,
    RunningBot,
    button,
    has_buttons,
    join,
    running_bot,
    stored_answers,
)
from tests.security.support import lift_flood_limit


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("forged") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        lift_flood_limit(running)
        yield running


async def _snapshot(rb: RunningBot) -> dict[str, list[Any]]:
    async with rb.storage.engine.connect() as connection:
        return {
            t.name: sorted(map(repr, (await connection.execute(t.select())).all()))
            for t in metadata.sorted_tables
            if t.name not in ("processed_updates", "audit_log")
        }


async def _ids(rb: RunningBot) -> dict[str, int]:
    async with rb.storage.engine.connect() as connection:
        rows = await connection.execute(sa.select(consultations.c.slug, consultations.c.id))
        return {row.slug: row.id for row in rows}


async def _tap(citizen: Citizen, message: Any, data: str) -> dict[str, Any]:
    return await citizen.tap(message, data=data, check=False)


async def test_forged_answer_buttons_change_nothing(rb: RunningBot) -> None:
    piera = rb.citizen("Piera", "it")
    first = await join(piera, "sharing-cities")
    real = str(button(first, "a:")["callback_data"])
    _, c, v, q, o = real.split(":")
    other = (await _ids(rb))["openagri"]
    await piera.tap(first, data=real)
    second = await piera.read_until(has_buttons)
    before = await _snapshot(rb)
    answered = await stored_answers(rb, piera, "sharing-cities")
    assert answered

    forged = [
        f"a:{other}:{v}:{q}:{o}",  # a consultation she never agreed to
        f"a:{other}:1:0:0",
        f"a:{c}:{v}:{q}:{o}",  # the question already answered, again
        f"a:{c}:{v}:999:0",  # no such question
        f"a:{c}:{v}:-1:0",
        f"a:{c}:99:{q}:{o}",  # no such version
        f"a:{c}:{v}:1:999",  # no such option
        f"a:{c}:{v}:1:-5",
        f"a:{c}:{v}:1:9223372036854775807",
        "a:x:y:z:w",
        "a::::",
        "a",
        f"t:{c}:{v}:1:1073741823:0",  # a toggle on a single-choice question
        f"d:{c}:{v}:1:-1",
        f"r:{c}:{v}:1:zz!:0",
        f"e:{other}:1:0",
        f"f:{other}:1",  # submit a consultation she never joined
        "ok:1:no-such-consultation",
        f"fo:{10**12}",
        "lang:xx",
    ]
    for data in forged:
        await _tap(piera, second, data)
        assert await _snapshot(rb) == before, f"{data!r} changed the database"
    assert rb.app.metrics.handler_errors == 0


async def test_a_tap_after_the_consultation_closed_changes_nothing(rb: RunningBot) -> None:
    carla = rb.citizen("Carla", "it")
    first = await join(carla, "openagri")
    await carla.tap(first, data=str(button(first, "a:")["callback_data"]))
    second = await carla.read_until(has_buttons)
    async with rb.storage.engine.begin() as connection:
        await connection.execute(
            sa.update(consultations)
            .where(consultations.c.slug == "openagri")
            .values(status="closed")
        )
    try:
        before = await _snapshot(rb)
        for candidate in second.buttons:
            data = str(candidate.get("callback_data", ""))
            if data:
                await _tap(carla, second, data)
        assert await _snapshot(rb) == before
        assert rb.app.metrics.handler_errors == 0
    finally:
        async with rb.storage.engine.begin() as connection:
            await connection.execute(
                sa.update(consultations)
                .where(consultations.c.slug == "openagri")
                .values(status="open")
            )
