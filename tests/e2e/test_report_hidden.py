"""``/report`` with answers hidden by moderation, in the chat (the real bot on the emulator).

Twenty synthetic citizens take part in Opencare; a facilitator hid one free-text answer. The
report never shows that text but still counts it, and says so in the caption and the method
note; a facilitator gets a button to have the report again without hidden answers in the
numbers (audited as such), an analyst gets no button, and an analyst's forged tap on it
produces no report.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.commands.demo import example_definitions, seed_participants
from bot.demo_texts import TextPool
from dialogs.i18n import translate
from storage.tables import answers
from tests.e2e.citizen_support import RunningBot, running_bot
from tests.e2e.staff_support import Cast, assemble_cast, audit_rows

HIDDEN = "QUESTO TESTO È STATO NASCOSTO DALLA MODERAZIONE"


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("report-hidden") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        rng = random.Random(11)
        targets = {"opencare": example_definitions()["opencare"]}
        await seed_participants(running.storage.uow, running.clock, targets, 20, rng, TextPool(rng))
        async with running.storage.engine.begin() as connection:
            first = (
                await connection.execute(
                    sa.select(answers.c.id).where(answers.c.question_key == "idea").limit(1)
                )
            ).scalar_one()
            await connection.execute(
                sa.update(answers)
                .where(answers.c.id == first)
                .values(value=HIDDEN, hidden_at=datetime.now(UTC))
            )
        yield running


@pytest.fixture(scope="module")
async def cast(rb: RunningBot) -> Cast:
    return await assemble_cast(rb)


async def test_hidden_answers_count_unless_the_facilitator_excludes_them(
    rb: RunningBot, cast: Cast
) -> None:
    facilitator = cast.facilitator
    reply = await facilitator.say("/report opencare")
    caption = reply.data.get("caption") or ""
    assert caption.endswith(translate("it", "report-hidden-counted", {"count": 1}))
    html = rb.emulator.file_bytes(reply.data["document"]["file_id"]).decode("utf-8")
    assert HIDDEN not in html and "non sono mai citate né elencate, ma contano" in html
    [[exclude]] = reply.data["reply_markup"]["inline_keyboard"]
    assert exclude["callback_data"] == "rp:x:opencare"

    await facilitator.tap(reply, data="rp:x:opencare")
    again = await facilitator.read()
    caption = again.data.get("caption") or ""
    assert caption.endswith(translate("it", "report-hidden-excluded", {"count": 1}))
    assert not again.data.get("reply_markup")
    html = rb.emulator.file_bytes(again.data["document"]["file_id"]).decode("utf-8")
    assert HIDDEN not in html and "escluse da tutto, numeri compresi" in html
    excluded = [e for e in await audit_rows(rb) if e["action"] == "report"]
    assert excluded[-1]["detail"].get("exclude_hidden") is True


async def test_analysts_see_the_note_but_cannot_exclude(rb: RunningBot, cast: Cast) -> None:
    analyst = cast.analyst
    reply = await analyst.say("/report opencare")
    assert (reply.data.get("caption") or "").endswith(
        translate("en", "report-hidden-counted", {"count": 1})
    )
    assert not reply.data.get("reply_markup")
    before = len(await audit_rows(rb))
    await analyst.tap(reply, data="rp:x:opencare", check=False)  # forged
    refused = await analyst.read()
    assert "document" not in refused.data
    new = (await audit_rows(rb))[before:]
    assert [e["action"] for e in new] == ["denied"]
