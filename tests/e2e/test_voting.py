"""Statement voting end to end: the real bot on the emulator, over HTTP, on SQLite.

An admin writes eight statements with ``/statements`` (one from a theme card's draft). Forty
citizens join Sharing Cities and vote with the buttons, in two camps: each agrees with three
statements the other disagrees with, a few pass on some, and everyone agrees with the last
two. One citizen stops after three votes and resumes with
``/vote``; one changes a vote; one proposes a statement, which the admin rejects and nobody
ever sees. Then the analysis (``nlp.opinion_groups``, when installed) must recover the two
camps, put the two shared statements first in consensus, and the report must have the
section; ``/consensus`` prints it in the chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from markupsafe import escape  # the report's own escaping (Jinja2)

from bot.commands.demo import example_definitions
from bot.voting_analysis import ProcessOpinionGroupAnalyser
from dialogs.citizen.voting import VoteMenu, VoteTap
from dialogs.facilitator.statements import StatementAct, StatementFromTheme, StatementWrite
from dialogs.i18n import translate
from reports.voting_section import vtext
from storage.tables import consultations, participants, statements, theme_runs, themes, votes
from surveys.pseudonyms import pseudonym
from tests.e2e.citizen_support import (
    PEPPER,
    Citizen,
    RunningBot,
    button,
    join,
    running_bot,
)
from tests.e2e.staff_support import database_snapshot

SLUG = "sharing-cities"
THEME_LABEL = "Biciclette condivise"
THEME_QUOTE = "Più stazioni di bike sharing vicino alle scuole"
# Camp → its answer to each divisive statement (1 agree, -1 disagree); the last two statements
# (SHARED) are agreed by everyone.
DIVISIVE = [
    "Il centro storico deve chiudere alle auto",
    "Servono più parcheggi in centro",
    "Le biciclette condivise vanno tolte dai marciapiedi",
    "Il comune deve finanziare i car sharing di quartiere",
    "Le piste ciclabili tolgono spazio ai negozi",
    "I monopattini vanno vietati",
]
SHARED = ["Gli autobus notturni devono passare più spesso", "Servono più panchine all'ombra"]
# Two camps: with 40 people Pol.is's rule allows k = 2 only (k ≤ 2 + base clusters / 12, and
# identical ballots make few base clusters), so a third camp would be merged by design.
CAMPS = [
    [1, 1, 1, -1, -1, -1],
    [-1, -1, -1, 1, 1, 1],
]
CITIZENS = 40
PROPOSAL = "Le strade scolastiche vanno chiuse al traffico all'entrata"


def camp_of(n: int) -> int:
    return n % len(CAMPS)


@dataclass
class Voting:
    rb: RunningBot
    admin: Citizen
    citizens: list[Citizen]
    statement_ids: dict[str, int]  # text → id
    participant_ids: list[int] = field(default_factory=list)  # by citizen index
    last_statement: Any = None  # a statement message of the vote, for forged taps


async def _write(admin: Citizen, consultation_id: int, text: str) -> None:
    listing = await admin.say(f"/statements {SLUG}")
    await admin.tap(listing, data=StatementWrite(c=consultation_id).pack())
    prompt = await admin.read()
    assert prompt.text == translate("it", "statements-write-prompt", {"max": 280})
    saved = await admin.say(text)
    assert saved.text == translate("it", "statements-saved", {"text": text})


async def _from_theme(rb: RunningBot, admin: Citizen, consultation_id: int) -> str:
    """A theme (as the nightly run writes it); the admin edits its draft and sends it back."""
    async with rb.storage.engine.begin() as connection:
        run = (
            await connection.execute(
                sa.insert(theme_runs)
                .values(consultation_id=consultation_id, backend="tfidf", k=1, params={})
                .returning(theme_runs.c.id)
            )
        ).scalar_one()
        quotes = [{"text": THEME_QUOTE, "source": "idea", "source_id": 1}]
        theme = (
            await connection.execute(
                sa.insert(themes)
                .values(run_id=run, label=THEME_LABEL, keywords=["bici"], size=9, quotes=quotes)
                .returning(themes.c.id)
            )
        ).scalar_one()
    # The card's button (tests/unit/test_voting_views.py checks that the card has it); the
    # card itself needs members enough to be shown, which this theme has not.
    anchor = await admin.say("/statements")
    await admin.tap(anchor, data=StatementFromTheme(c=consultation_id, t=theme).pack(), check=False)
    draft = await admin.read()
    assert f"{THEME_LABEL}: {THEME_QUOTE}" in (draft.text or "")
    text = DIVISIVE[2]  # the facilitator rewrites the draft as a statement
    saved = await admin.say(text)
    assert saved.text == translate("it", "statements-saved", {"text": text})
    return text


async def _vote_all(citizen: Citizen, n: int, ids: dict[str, int]) -> int:
    """Vote every statement shown until the end; returns how many were voted."""
    by_id = {i: text for text, i in ids.items()}
    answers = dict(zip(DIVISIVE, CAMPS[camp_of(n)], strict=True)) | dict.fromkeys(SHARED, 1)
    message = await citizen.say("/vote")
    count = 0
    while message.buttons:
        taps = [b["callback_data"] for b in message.buttons if b["callback_data"].startswith("vt:")]
        if not taps:
            break
        shown = VoteTap.unpack(taps[0])
        value = answers[by_id[shown.s]]
        if (n % 7 == 0 and by_id[shown.s] == DIVISIVE[5]) or (
            n % 5 == 0 and by_id[shown.s] == DIVISIVE[1]
        ):
            value = 0  # a few pass on some statements
        await citizen.tap(message, data=VoteTap(c=shown.c, s=shown.s, v=value).pack())
        count += 1
        message = await citizen.read()
    return count


@pytest.fixture(scope="module")
async def voting(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Voting]:
    path: Path = tmp_path_factory.mktemp("voting") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as rb:
        rb.lift_flood_limit()
        admin = rb.citizen("Ada Admin", "it")
        rb.app.dispatcher["admin_ids"] = frozenset({admin.user.id})
        async with rb.storage.engine.connect() as connection:
            consultation_id = (
                await connection.execute(
                    sa.select(consultations.c.id).where(consultations.c.slug == SLUG)
                )
            ).scalar_one()
        for text in DIVISIVE[:2]:
            await _write(admin, consultation_id, text)
        await _from_theme(rb, admin, consultation_id)
        for text in DIVISIVE[3:] + SHARED:
            await _write(admin, consultation_id, text)
        async with rb.storage.engine.connect() as connection:
            rows = (await connection.execute(sa.select(statements.c.text, statements.c.id))).all()
        ids = {row.text: row.id for row in rows}
        assert set(ids) == set(DIVISIVE + SHARED)
        citizens = [rb.citizen(f"Votante {n}", "it" if n % 2 else "en") for n in range(CITIZENS)]
        yield Voting(rb, admin, citizens, ids)


async def _participant_id(rb: RunningBot, citizen: Citizen) -> int:
    name = pseudonym(PEPPER, citizen.user.id)
    async with rb.storage.engine.connect() as connection:
        query = sa.select(participants.c.id).where(participants.c.pseudonym == name)
        return int((await connection.execute(query)).scalar_one())


async def test_forty_citizens_vote_stop_resume_change_and_propose(voting: Voting) -> None:
    rb, ids = voting.rb, voting.statement_ids
    total = len(DIVISIVE) + len(SHARED)
    # Before joining there is nothing to vote on.
    outsider = voting.citizens[0]
    assert (await outsider.say("/vote")).text == translate("en", "vote-none")

    # Citizen 1 stops after three votes, then resumes where she left off.
    stopper = voting.citizens[1]
    await join(stopper, SLUG)
    first = await stopper.say("/vote")
    by_id = {i: text for text, i in ids.items()}
    answers = dict(zip(DIVISIVE, CAMPS[camp_of(1)], strict=True)) | dict.fromkeys(SHARED, 1)
    message = first
    for _ in range(3):
        tap = VoteTap.unpack(button(message, "vt:")["callback_data"])
        value = answers[by_id[tap.s]]
        await stopper.tap(message, data=VoteTap(c=tap.c, s=tap.s, v=value).pack())
        message = await stopper.read()
    await stopper.tap(message, data=VoteMenu(c=tap.c, a="x").pack())
    assert (await stopper.read()).text == translate("it", "vote-paused")
    resumed = await stopper.say("/vote")
    assert (resumed.text or "").startswith("🗳 Affermazione 4 di 8")
    # A change of mind on the first statement: the vote changes, nothing new is sent.
    first_tap = VoteTap.unpack(button(first, "vt:")["callback_data"])
    changed = await stopper.tap(first, data=VoteTap(c=first_tap.c, s=first_tap.s, v=0).pack())
    assert changed["text"] == translate(
        "it", "vote-changed", {"choice": translate("it", "vote-pass")}
    )
    await stopper.silence(0.3)
    stopper_id = await _participant_id(rb, stopper)
    async with rb.storage.engine.connect() as connection:
        mine = (
            await connection.execute(
                sa.select(votes.c.statement_id, votes.c.value).where(
                    votes.c.participant_id == stopper_id
                )
            )
        ).all()
    assert len(mine) == 3 and (first_tap.s, 0) in {(r.statement_id, r.value) for r in mine}
    await stopper.tap(
        first, data=VoteTap(c=first_tap.c, s=first_tap.s, v=answers[by_id[first_tap.s]]).pack()
    )
    # She finishes from the resumed statement on (5 more).
    message = resumed
    while any(b["callback_data"].startswith("vt:") for b in message.buttons):
        tap = VoteTap.unpack(button(message, "vt:")["callback_data"])
        await stopper.tap(message, data=VoteTap(c=tap.c, s=tap.s, v=answers[by_id[tap.s]]).pack())
        message = await stopper.read()
    assert message.text == translate("it", "vote-all-done", {"count": total})

    # She proposes a statement; the admin sees it pending and rejects it.
    await stopper.tap(message, data=VoteMenu(c=tap.c, a="p").pack())
    assert (await stopper.read()).text == translate("it", "vote-propose-prompt", {"max": 280})
    assert (await stopper.say(PROPOSAL)).text == translate("it", "vote-proposed")
    listing = await voting.admin.say(f"/statements {SLUG}")
    assert PROPOSAL in (listing.text or "")
    async with rb.storage.engine.connect() as connection:
        proposal_id = (
            await connection.execute(
                sa.select(statements.c.id).where(statements.c.text == PROPOSAL)
            )
        ).scalar_one()
    reject = StatementAct(c=tap.c, s=proposal_id, a="r").pack()
    answer = await voting.admin.tap(listing, data=reject)
    assert answer["text"] == translate("it", "statements-rejected-done")

    # Everyone else joins and votes, ten at a time.
    limit = asyncio.Semaphore(10)

    async def take_part(n: int, citizen: Citizen) -> int:
        async with limit:
            await join(citizen, SLUG)
            return await _vote_all(citizen, n, ids)

    others = [(n, c) for n, c in enumerate(voting.citizens) if n != 1]
    counts = await asyncio.gather(*(take_part(n, c) for n, c in others))
    assert counts == [total] * len(others)
    # The rejected proposal was never shown: every vote is on the eight statements.
    async with rb.storage.engine.connect() as connection:
        rows = (
            await connection.execute(sa.select(votes.c.statement_id, votes.c.participant_id))
        ).all()
    assert {r.statement_id for r in rows} == set(ids.values())
    assert len(rows) == CITIZENS * total
    voting.participant_ids = [await _participant_id(rb, c) for c in voting.citizens]
    voting.last_statement = first


async def test_forged_taps_change_nothing_and_are_answered(voting: Voting) -> None:
    rb, admin = voting.rb, voting.admin
    citizen = voting.citizens[2]
    anchor = await citizen.say("/vote")  # all voted: the "all done" message
    some = next(iter(voting.statement_ids.values()))
    consultation = VoteTap.unpack(button(voting.last_statement, "vt:")["callback_data"]).c
    before = await database_snapshot(rb)
    for data in (
        VoteTap(c=consultation + 1, s=some, v=1).pack(),  # another consultation
        VoteTap(c=consultation, s=999_999, v=1).pack(),  # no such statement
        f"vt:{consultation}:{some}:7",  # not a vote value
        "vt:x",  # malformed
        VoteMenu(c=consultation + 1, a="p").pack(),  # a consultation she did not join
        f"vm:{consultation}:zz",
    ):
        answer = await citizen.tap(anchor, data=data, check=False)
        assert answer.get("text"), data  # always answered
    staff_anchor = await admin.say(f"/statements {SLUG}")
    for data in (
        StatementAct(c=consultation + 1, s=some, a="r").pack(),  # the statement is not theirs
        StatementAct(c=consultation, s=some, a="z").pack(),  # no such action
        StatementAct(c=consultation, s=999_999, a="a").pack(),
        StatementFromTheme(c=consultation, t=999_999).pack(),
        f"sv:{consultation}:1",  # no draft is waiting
        "st:x",
    ):
        answer = await admin.tap(staff_anchor, data=data, check=False)
        assert answer.get("text"), data
    assert await database_snapshot(rb) == before
    await citizen.silence(0.3)
    await admin.silence(0.3)


async def test_groups_consensus_and_report_section(voting: Voting) -> None:
    pytest.importorskip("nlp.opinion_groups")
    rb, admin = voting.rb, voting.admin
    assert voting.participant_ids, "runs after the voting test"
    analyser = rb.app.dispatcher["voting_analyser"]
    assert analyser is not None
    from nlp.pii import scrub
    from surveys.usecases.reports import report_data

    data = await report_data(
        rb.storage.uow, rb.clock, SLUG, 5, "Europe/Rome", scrub=scrub, voting_analyser=analyser
    )
    assert data is not None and data.voting is not None
    analysis = data.voting.analysis
    camps = {
        frozenset(pid for n, pid in enumerate(voting.participant_ids) if camp_of(n) == camp)
        for camp in range(len(CAMPS))
    }
    assert {frozenset(group.members) for group in analysis.groups} == camps
    shared = {voting.statement_ids[text] for text in SHARED}
    assert set(analysis.consensus[:2]) == shared
    assert data.voting.statement_texts[voting.statement_ids[SHARED[0]]] == SHARED[0]

    reply = await admin.say(f"/consensus {SLUG}")
    text = reply.text or ""
    assert translate("it", "consensus-groups", {"count": 2}) in text
    assert SHARED[0] in text and SHARED[1] in text

    report = await admin.say(f"/report {SLUG}")
    html = rb.emulator.file_bytes(report.data["document"]["file_id"]).decode("utf-8")
    assert 'id="voting"' in html  # the voting section, quoting the consensus statements
    assert all(str(escape(text)) in html for text in SHARED)
    for citizen in voting.citizens[:5]:
        assert str(citizen.user.id) not in html


async def test_a_failed_analysis_is_told_politely(voting: Voting) -> None:
    """The analysis' child process is stuck and killed: /consensus apologises, and /report is
    still made, its voting section saying the analysis could not be run."""
    rb, admin = voting.rb, voting.admin
    assert voting.participant_ids, "runs after the voting test"
    working = rb.app.dispatcher["voting_analyser"]
    # A real child, killed when it runs past its (tiny) timeout, as a stuck one would be.
    rb.app.dispatcher["voting_analyser"] = ProcessOpinionGroupAnalyser(timeout=0.01)
    try:
        reply = await admin.say(f"/consensus {SLUG}")
        title = example_definitions()[SLUG].title["it"]
        expected = translate("it", "consensus-failed", {"title": title, "voters": CITIZENS})
        assert reply.text == expected
        report = await admin.say(f"/report {SLUG}")
        html = rb.emulator.file_bytes(report.data["document"]["file_id"]).decode("utf-8")
        assert 'id="voting"' in html
        assert str(escape(vtext("voting_failed", "it", voting=CITIZENS))) in html
        assert 'id="voting-majority"' not in html  # nothing of an analysis that did not run
        assert 'id="headline"' in html and 'id="questions"' in html  # the rest is there
    finally:
        rb.app.dispatcher["voting_analyser"] = working


async def test_a_closed_consultation_takes_no_vote(voting: Voting) -> None:
    rb = voting.rb
    citizen = voting.citizens[3]  # Italian
    async with rb.storage.engine.begin() as connection:
        await connection.execute(
            sa.update(consultations).where(consultations.c.slug == SLUG).values(status="closed")
        )
    before = await database_snapshot(rb)
    mine = citizen.user.chat.messages  # her last statement message still has its buttons
    message = next(
        m
        for m in reversed(list(mine.values()))
        if any(str(b.get("callback_data", "")).startswith("vt:") for b in m.buttons)
    )
    data = button(message, "vt:")["callback_data"]
    answer = await citizen.tap(message, data=data)
    assert answer["text"] == translate("it", "vote-refused-closed")
    assert (await citizen.say("/vote")).text == translate("it", "vote-none")
    assert await database_snapshot(rb) == before
