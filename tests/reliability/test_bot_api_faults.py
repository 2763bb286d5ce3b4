"""Bot API faults on the interactive path: 429s, 502s, timeouts and people who blocked the bot.

Citizens answer the ten-question survey while the emulator answers 30% of the bot's sends and
edits with 429 (``retry_after`` 1–2 s here, 1–5 s in the slow run; Telegram-style: the chat
stays closed for the whole window), 10% with 502, and 20 other people who blocked the bot write
to it. Pass figures: answers lost 0; messages sent twice 0 (the same text to the same chat
twice in a row); sends inside a chat's ``retry_after`` 0; handler errors 0; the updates of
those who blocked the bot confirmed (none left to stall the polling offset).

And 5% of sends and edits time out: 3% are held 2 s and dropped before the emulator does
anything, 2% are done and then their answer is dropped (the message *did* go out). The bot
cannot tell the two apart; it does not retry a timed-out send (bot/middlewares/retry.py), the
update fails, comes back, and its reply is shown again (bot/lost_replies.py). A text sent twice
is therefore allowed only where a response was lost after the send: counted and reported,
never more than the lost responses.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox import FaultConfig
from tests.e2e.citizen_support import running_bot, stored_answers
from tests.reliability.support import (
    QUESTIONS,
    SLUG,
    Databases,
    answer_text,
    load_ten_texts,
    take_part,
)

SENDS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
BLOCKED = 20


async def _faulty_run(databases: Databases, citizens: int, retry_after: tuple[int, int]) -> None:
    async with running_bot(await databases.new()) as rb:
        await load_ten_texts(rb.storage, databases.folder)
        people = [rb.citizen(f"F{n}", "it" if n % 2 else "en") for n in range(citizens)]
        gone = [rb.citizen(f"B{n}", "it") for n in range(BLOCKED)]
        rb.emulator.faults = FaultConfig(
            seed=9,
            p_429=0.3,
            retry_after_range=retry_after,
            p_502=0.1,
            p_timeout=0.03,
            p_lost_response=0.02,
            timeout_hold=2.0,
            methods=SENDS,
            blocked_chats={person.user.chat_id for person in gone},
        )
        for person in gone:
            person.send("/help")
        await asyncio.wait_for(
            asyncio.gather(*(take_part(p, patience=120, repeats=True) for p in people)), 900
        )
        # The last updates (a submit whose reply timed out) may still be on their way round.
        for _ in range(300):
            if len(rb.emulator.world.updates) == 0:
                break
            await asyncio.sleep(0.1)
        for person in people:
            stored = await stored_answers(rb, person, SLUG)
            assert stored == {f"q{n}": answer_text(person, n) for n in range(1, QUESTIONS + 1)}
        counters = rb.emulator.counters
        assert counters.rejected["429_fault"] > 0 and counters.rejected["502_fault"] > 0
        assert counters.sends_in_retry_window == 0
        ambiguous = counters.rejected["lost_response_fault"]
        assert counters.rejected["timeout_fault"] > 0
        assert counters.duplicate_texts <= ambiguous, "a text sent twice without a lost response"
        # A timed-out send fails its update, which is handled again: those failures only.
        timeouts = counters.rejected["timeout_fault"] + ambiguous
        assert rb.app.metrics.handler_errors <= timeouts
        assert rb.app.metrics.unreachable_replies >= BLOCKED
        assert len(rb.emulator.world.updates) == 0, "every update confirmed"
        print(
            f"\nBot API faults: {dict(counters.rejected)}; retries {rb.app.metrics.request_retries}"
            f"; sent twice {counters.duplicate_texts} (ambiguous: {ambiguous} lost responses)"
            f"; replies shown again {rb.app.metrics.replies_reshown}"
            f"; updates failed by a timeout {rb.app.metrics.handler_errors}"
        )


async def test_answers_survive_429s_502s_and_blocked_chats(databases: Databases) -> None:
    await _faulty_run(databases, citizens=10, retry_after=(1, 2))


@pytest.mark.slow
async def test_twenty_citizens_with_retry_after_up_to_five_seconds(databases: Databases) -> None:
    if databases.dialect != "sqlite":  # keeps -m slow within minutes; the default run has both
        pytest.skip("the slow size runs on SQLite only: Bot API faults do not touch the database")
    await _faulty_run(databases, citizens=20, retry_after=(1, 5))
