"""``/themes`` in the chat: the real bot on the emulator, over HTTP, on SQLite.

Sixty synthetic citizens take part in Opencare (the demo seeder, through the same use cases as
the chat); their ideas are dated ten days back so "this week" counts only their answers. The
themes worker of the dispatcher is swapped for one on the fast ``tfidf`` backend. A
facilitator (Italian) finds the first themes with the button and follows the progress message;
an analyst (English) reads the list and the cards, pages the answers and curates through the
buttons (rename, merge, move, hide, split); every edit is in the database and the audit log and
survives a full re-clustering. Forged buttons change nothing; a citizen and a revoked
facilitator get the reply of an unknown command (the whole matrix is in test_staff_matrix.py).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.commands.demo import example_definitions, seed_participants
from bot.demo_texts import TextPool
from bot.themes_worker import ThemesWorker
from dialogs.analyst.themes_keys import (
    HIDE,
    MERGE,
    RENAME,
    SPLIT,
    UNHIDE_FROM_LIST,
    ThemeAct,
    ThemeFind,
    ThemeList,
    ThemeMerge,
    ThemeMovePick,
    ThemeMoveTo,
    ThemeOpen,
)
from dialogs.i18n import translate
from nlp.pii import scrub
from nlp.service import NlpThemeEngine
from storage.tables import (
    answers,
    audit_log,
    consultations,
    ideas,
    participations,
    theme_memberships,
    theme_runs,
    themes,
)
from surveys.usecases.themes import ThemesRefreshed, refresh_themes
from tests.e2e.citizen_support import Citizen, RunningBot, button, latest, running_bot
from tests.e2e.staff_support import Cast, assemble_cast, audit_rows, database_snapshot

MIN = 3  # minimum group size of this bot (small sample)
SLUG = "opencare"


def tfidf() -> NlpThemeEngine:
    return NlpThemeEngine("tfidf", lang="auto")


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("themes") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        rng = random.Random(7)
        targets = {SLUG: example_definitions()[SLUG]}
        await seed_participants(running.storage.uow, running.clock, targets, 60, rng, TextPool(rng))
        async with running.storage.engine.begin() as connection:
            await connection.execute(
                sa.update(ideas).values(created_at=running.clock.now() - timedelta(days=10))
            )
        running.app.dispatcher["min_group_size"] = MIN
        # One analyst taps through every screen far faster than a person: no flood limit here.
        running.lift_flood_limit()
        running.app.dispatcher["themes_runner"] = ThemesWorker(
            running.storage, running.clock, tfidf, min_group_size=MIN
        )
        yield running


@pytest.fixture(scope="module")
async def cast(rb: RunningBot) -> Cast:
    return await assemble_cast(rb)


def worker(rb: RunningBot) -> ThemesWorker:
    runner = rb.app.dispatcher["themes_runner"]
    assert isinstance(runner, ThemesWorker)
    return runner


async def consultation_id(rb: RunningBot, slug: str = SLUG) -> int:
    return next(int(r["id"]) for r in await rb.rows(consultations) if r["slug"] == slug)


async def current(rb: RunningBot) -> dict[int, dict[str, Any]]:
    """The latest run's theme rows (``other`` included), by id."""
    runs = await rb.rows(theme_runs)
    latest_run = max(r["id"] for r in runs)
    return {r["id"]: dict(r) for r in await rb.rows(themes) if r["run_id"] == latest_run}


async def members(rb: RunningBot) -> dict[int, set[tuple[str, int]]]:
    out: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for row in await rb.rows(theme_memberships):
        out[row["theme_id"]].add((row["source"], row["source_id"]))
    return out


async def texts(rb: RunningBot) -> tuple[dict[tuple[str, int], str], dict[tuple[str, int], int]]:
    """Every free text (answers holding a string, ideas) and its author."""
    author_of_participation = {r["id"]: r["participant_id"] for r in await rb.rows(participations)}
    text: dict[tuple[str, int], str] = {}
    author: dict[tuple[str, int], int] = {}
    for row in await rb.rows(answers):
        if isinstance(row["value"], str):
            text[("answer", row["id"])] = row["value"]
            author[("answer", row["id"])] = author_of_participation[row["participation_id"]]
    for row in await rb.rows(ideas):
        text[("idea", row["id"])] = row["text"]
        author[("idea", row["id"])] = row["participant_id"]
    return text, author


async def published(rb: RunningBot) -> list[dict[str, Any]]:
    """Visible themes with at least MIN people, as the list must show them (largest first)."""
    rows = await current(rb)
    by_theme = await members(rb)
    _, author = await texts(rb)
    out = []
    for row in sorted(rows.values(), key=lambda r: (r["position"], r["id"])):
        refs = by_theme.get(row["id"], set())
        if row["kind"] != "theme" or row["hidden"] or len({author[m] for m in refs}) < MIN:
            continue
        out.append({**row, "members": refs, "people": len({author[m] for m in refs})})
    out.sort(key=lambda r: -len(r["members"]))
    return out


async def open_card(person: Citizen, listing: Any, c: int, theme_id: int) -> Any:
    """The card of ``theme_id``, opened from the list (back to the list first if need be)."""
    wanted = ThemeOpen(c=c, t=theme_id).pack()
    if not any(b.get("callback_data") == wanted for b in latest(person, listing).buttons):
        await person.tap(listing, data=ThemeList(c=c).pack())
    await person.tap(listing, data=wanted)
    return latest(person, listing)


async def test_find_themes_now_runs_once_and_follows_progress(rb: RunningBot, cast: Cast) -> None:
    facilitator = cast.facilitator
    reply = await facilitator.say(f"/themes {SLUG}")
    assert reply.text == translate(
        "it", "themes-no-run", {"title": "Opencare: la cura vicino a casa"}
    )
    c = await consultation_id(rb)
    find = button(reply, ThemeFind(c=c).pack())
    assert find["text"] == translate("it", "themes-find-now")
    # Hold the worker so the run waits: a second tap meanwhile is told it is already running.
    async with worker(rb)._lock:
        await facilitator.tap(reply, data=find["callback_data"])
        progress = await facilitator.read()
        assert progress.text == translate("it", "themes-progress-start")
        again = await facilitator.tap(reply, data=find["callback_data"])
        assert again.get("text") == translate("it", "themes-already-running")
    listing = await facilitator.read_until(lambda m: (m.text or "").startswith("Temi di"))
    assert latest(facilitator, progress).text == translate("it", "themes-progress-done")
    await worker(rb).idle()
    assert len(await rb.rows(theme_runs)) == 1, "one run, whatever the taps"
    top = await published(rb)
    assert len(top) >= 4, "the sample makes at least four published themes"
    await check_listing(rb, listing, "it")


async def check_listing(rb: RunningBot, reply: Any, language: str) -> None:
    """The list shows the top themes with the database's counts, shares and quotes."""
    text = reply.text or ""
    top = await published(rb)
    every_text, author = await texts(rb)
    respondents = len({author[m] for refs in (await members(rb)).values() for m in refs})
    blocks = text.split("\n\n")
    for number, theme in enumerate(top[:8], 1):
        block = next(b for b in blocks if b.startswith(f"{number}. {theme['label']}\n"))
        lines = block.split("\n")
        count = len(theme["members"])
        this_week = sum(1 for source, _ in theme["members"] if source == "answer")
        share = round(100 * theme["people"] / respondents)
        expected = translate(
            language, "themes-line", {"count": count, "share": f"{share}%", "week": this_week}
        )
        assert lines[1] == expected
        if language == "en":
            noun = "answer" if count == 1 else "answers"
            assert expected == f"{count} {noun} · {share}% of respondents · +{this_week} this week"
        quotes = [line.strip("“”") for line in lines[2:]]
        assert len(quotes) == min(2, count)
        member_texts = [" ".join(scrub(every_text[m]).split()) for m in theme["members"]]
        for quote in quotes:
            assert len(quote) <= 200
            assert any(quote.rstrip("…") in t for t in member_texts), quote
    c = await consultation_id(rb)
    if len(top) > 8:
        assert translate(language, "themes-more", {"count": len(top) - 8}) in text
        assert button(reply, ThemeList(c=c, p=1).pack())
    # One button per theme of the page opens its card.
    for theme in top[:8]:
        assert button(reply, ThemeOpen(c=c, t=theme["id"]).pack())


async def test_analyst_sees_the_top_themes_with_counts_and_quotes(
    rb: RunningBot, cast: Cast
) -> None:
    reply = await cast.analyst.say(f"/themes {SLUG}")
    assert (reply.text or "").startswith("Themes of “Opencare: care close to home”")
    await check_listing(rb, reply, "en")


async def test_card_pages_the_answers_and_breaks_down_by_segment(
    rb: RunningBot, cast: Cast
) -> None:
    analyst = cast.analyst
    listing = await analyst.say(f"/themes {SLUG}")
    c = await consultation_id(rb)
    top = await published(rb)
    theme = next(t for t in top if len(t["members"]) > 5)
    card = await open_card(analyst, listing, c, theme["id"])
    text = card.text or ""
    assert text.startswith(theme["label"] + "\n")
    assert "Keywords: " in text
    total = len(theme["members"])
    assert f"Answers 1–5 of {total}:" in text
    assert "By “" in text  # role, Municipio… (single-choice questions)
    assert all(
        re.fullmatch(r"(\d+|< 3)", cell.split(": ")[-1])
        for line in text.split("\n")
        if " · " in line and line.count(": ") >= 2 and not line.startswith(("Keywords", "Answers"))
        for cell in line.split(" · ")
    )
    moves = [b for b in card.buttons if str(b["callback_data"]).startswith("tv:")]
    assert len(moves) == 5
    await analyst.tap(card, data=ThemeOpen(c=c, t=theme["id"], p=1).pack())
    page_two = latest(analyst, card).text or ""
    assert f"Answers 6–{min(10, total)} of {total}:" in page_two


async def test_curation_through_buttons_is_stored_audited_and_kept(
    rb: RunningBot, cast: Cast
) -> None:
    analyst = cast.analyst
    c = await consultation_id(rb)
    top = await published(rb)
    renamed, merged_away, merged_into, hidden = (t["id"] for t in top[:4])
    audit_before = len(await audit_rows(rb))

    # Rename: a name too long is refused politely, then the new name is taken.
    listing = await analyst.say(f"/themes {SLUG}")
    card = await open_card(analyst, listing, c, renamed)
    await analyst.tap(card, data=ThemeAct(c=c, t=renamed, a=RENAME).pack())
    prompt = await analyst.read()
    assert (prompt.text or "").startswith("Type the new name for")
    assert (await analyst.say("x" * 81)).text == translate("en", "themes-label-length")
    done = await analyst.say("Care at home")
    assert done.text == translate("en", "themes-renamed", {"label": "Care at home"})
    assert (latest(analyst, card).text or "").startswith("Care at home\n")
    assert (await current(rb))[renamed]["label"] == "Care at home"

    # Merge one theme into another through the picker.
    before = await members(rb)
    card = await open_card(analyst, listing, c, merged_away)
    await analyst.tap(card, data=ThemeAct(c=c, t=merged_away, a=MERGE).pack())
    picker = latest(analyst, card)
    assert button(picker, ThemeMerge(c=c, t=merged_away, i=merged_into).pack())
    answer = await analyst.tap(picker, data=ThemeMerge(c=c, t=merged_away, i=merged_into).pack())
    assert (answer.get("text") or "").startswith("Merged into")
    after = await members(rb)
    assert merged_away not in await current(rb)
    assert before[merged_away] | before[merged_into] == after[merged_into]

    # Move the first answer of a card to "other".
    card = await open_card(analyst, listing, c, merged_into)
    move = next(b for b in card.buttons if str(b["callback_data"]).startswith("tv:"))
    pick = ThemeMovePick.unpack(str(move["callback_data"]))
    await analyst.tap(card, data=move["callback_data"])
    target = ThemeMoveTo(c=c, t=merged_into, s=pick.s, n=pick.n, i=0).pack()
    answer = await analyst.tap(latest(analyst, card), data=target)
    assert answer.get("text") == translate("en", "themes-moved")
    moved = ({"a": "answer", "i": "idea"}[pick.s], pick.n)
    other = next(t for t in (await current(rb)).values() if t["kind"] == "other")
    assert moved in (await members(rb))[other["id"]]

    # Hide: the list shows it apart, with an Unhide button.
    card = await open_card(analyst, listing, c, hidden)
    answer = await analyst.tap(card, data=ThemeAct(c=c, t=hidden, a=HIDE).pack())
    assert answer.get("text") == translate("en", "themes-hidden-done")
    assert (await current(rb))[hidden]["hidden"] is True
    relisted = await analyst.say(f"/themes {SLUG}")
    label = (await current(rb))[hidden]["label"]
    assert "Hidden by staff: " + label in (relisted.text or "")
    assert button(relisted, ThemeAct(c=c, t=hidden, a=UNHIDE_FROM_LIST).pack())

    staff_id = cast.staff_ids["analyst"]
    new = (await audit_rows(rb))[audit_before:]
    assert [e["action"] for e in new] == [
        "themes.rename",
        "themes.merge",
        "themes.move",
        "themes.hide",
    ]
    assert {e["actor_staff_id"] for e in new} == {staff_id}

    # A full re-clustering replays every edit.
    result = await refresh_themes(
        rb.storage.uow, rb.clock, tfidf(), SLUG, full=True, min_group_size=MIN
    )
    assert isinstance(result, ThemesRefreshed)
    kept = await current(rb)
    assert kept[renamed]["label"] == "Care at home"
    assert merged_away not in kept
    assert kept[hidden]["hidden"] is True
    other = next(t for t in kept.values() if t["kind"] == "other")
    assert moved in (await members(rb))[other["id"]]

    # Unhide from the list: edited in place, the theme is back among the published ones.
    answer = await analyst.tap(relisted, data=ThemeAct(c=c, t=hidden, a=UNHIDE_FROM_LIST).pack())
    assert answer.get("text") == translate("en", "themes-unhidden-done")
    assert (await current(rb))[hidden]["hidden"] is False
    assert "Hidden by staff" not in (latest(analyst, relisted).text or "")


async def test_split_by_a_typed_word(rb: RunningBot, cast: Cast) -> None:
    analyst = cast.analyst
    c = await consultation_id(rb)
    every_text, author = await texts(rb)
    listing = await analyst.say(f"/themes {SLUG}")
    # A word that leaves both parts with enough people, in some published theme.
    choice = None
    for theme in await published(rb):
        words = {w for m in theme["members"] for w in re.findall(r"\w{6,}", every_text[m].lower())}
        for word in sorted(words):
            inside = {m for m in theme["members"] if word in every_text[m].casefold()}
            rest = theme["members"] - inside
            if len({author[m] for m in inside}) >= MIN and len({author[m] for m in rest}) >= MIN:
                choice = (theme, word, inside)
                break
        if choice:
            break
    assert choice is not None, "the sample has a word to split on"
    theme, word, inside = choice
    card = await open_card(analyst, listing, c, theme["id"])
    await analyst.tap(card, data=ThemeAct(c=c, t=theme["id"], a=SPLIT).pack())
    prompt = await analyst.read()
    assert (prompt.text or "").startswith("Type a word:")
    refused = await analyst.say("zzqqxxnothing")
    assert refused.text == translate("en", "themes-rejected-no_match", {"word": "zzqqxxnothing"})
    done = await analyst.say(word)
    assert done.text == translate("en", "themes-split-done", {"label": word})
    rows = await current(rb)
    new = next(r for r in rows.values() if r["label"] == word and r["id"] != theme["id"])
    assert (await members(rb))[new["id"]] == inside
    assert "themes.split" in [e["action"] for e in await audit_rows(rb)]


async def test_forged_buttons_change_nothing(rb: RunningBot, cast: Cast) -> None:
    analyst = cast.analyst
    c = await consultation_id(rb)
    other_c = await consultation_id(rb, "mercati")
    theme = (await published(rb))[0]["id"]
    anchor = await analyst.say(f"/themes {SLUG}")
    not_found = translate("en", "themes-not-found")
    forged = [
        ThemeOpen(c=other_c, t=theme).pack(),  # another consultation's id
        ThemeAct(c=other_c, t=theme, a=HIDE).pack(),
        ThemeAct(c=c, t=10**9, a=HIDE).pack(),  # a theme that does not exist
        ThemeMerge(c=c, t=theme, i=10**9).pack(),
        ThemeMerge(c=other_c, t=theme, i=theme).pack(),
        ThemeMoveTo(c=other_c, t=theme, s="a", n=1, i=0).pack(),
        ThemeMoveTo(c=c, t=theme, s="z", n=1, i=0).pack(),
        ThemeMovePick(c=c, t=theme, s="a", n=10**9).pack(),
        ThemeFind(c=10**9).pack(),
        "to:abc:def",
        "ta:1",
        "tm:" + "9" * 60,
    ]
    for data in forged:
        before = await database_snapshot(rb)
        answer = await analyst.tap(anchor, data=data, check=False)
        assert answer.get("text") == not_found, data
        assert await database_snapshot(rb) == before, data
        assert len(data.encode()) <= 64


@pytest.mark.parametrize("persona", ["citizen", "revoked"])
async def test_denied_for_a_citizen_and_a_revoked_member(
    rb: RunningBot, cast: Cast, persona: str
) -> None:
    person: Citizen = getattr(cast, persona)
    unknown = translate("it", "unknown-command")
    c = await consultation_id(rb)
    before, audit_before = await database_snapshot(rb), await audit_rows(rb)
    reply = await person.say(f"/themes {SLUG}")
    assert reply.text == unknown and not reply.buttons
    theme = (await published(rb))[0]["id"]
    answer = await person.tap(reply, data=ThemeAct(c=c, t=theme, a=HIDE).pack(), check=False)
    assert answer.get("text") == unknown
    assert await database_snapshot(rb) == before
    new = (await audit_rows(rb))[len(audit_before) :]
    assert [(e["action"], e["target"]) for e in new] == [("denied", "themes"), ("denied", "tap:ta")]
    assert audit_log is not None
