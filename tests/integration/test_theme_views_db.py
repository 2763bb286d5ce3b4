"""The ``/themes`` use cases on SQLite and PostgreSQL: summary, card, curation from buttons.

Forty synthetic citizens answer Opencare (the demo seeder); their ideas are dated ten days
back, so "this week" counts only their answers. Themes come from the fast ``tfidf`` backend.
The summary's numbers are checked against the rows, the card's breakdowns against the
report's own (the same computation, the same suppression), and forged ids change nothing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa

from bot.commands.demo import example_definitions, seed_participants
from bot.demo_texts import TextPool
from bot.sandbox_mode import load_examples
from nlp.pii import scrub
from nlp.service import NlpThemeEngine
from storage.store import Storage
from storage.tables import ideas, theme_curations
from surveys.clock import FixedClock
from surveys.entities import Role
from surveys.usecases.outcomes import ConsultationNotFound
from surveys.usecases.reports import report_data
from surveys.usecases.staff import Actor, NotAllowed
from surveys.usecases.theme_views import (
    QUOTES_PER_PAGE,
    ThemeCard,
    ThemesSummary,
    hide_in,
    merge_in,
    move_in,
    rename_in,
    theme_card,
    themes_summary,
)
from surveys.usecases.themes import (
    Curated,
    CurationRejected,
    ThemeNotFound,
    ThemesRefreshed,
    refresh_themes,
)

SLUG = "opencare"
MIN = 3
ANALYST = Actor(1, Role.ANALYST, None)
FACILITATOR = Actor(2, Role.FACILITATOR, None)


async def _seeded(storage: Storage) -> FixedClock:
    await load_examples(storage)
    clock = FixedClock()
    rng = random.Random(7)
    targets = {SLUG: example_definitions()[SLUG]}
    await seed_participants(storage.uow, clock, targets, 40, rng, TextPool(rng))
    async with storage.engine.begin() as connection:
        await connection.execute(
            sa.update(ideas).values(created_at=clock.now() - timedelta(days=10))
        )
    result = await refresh_themes(
        storage.uow, clock, NlpThemeEngine("tfidf", lang="auto"), SLUG, min_group_size=MIN
    )
    assert isinstance(result, ThemesRefreshed) and result.themes >= 3
    return clock


async def _rows(
    storage: Storage,
) -> tuple[int, dict[int, set[tuple[str, int]]], dict[tuple[str, int], int]]:
    async with storage.uow() as uow:
        consultation = await uow.consultations.get_by_slug(SLUG)
        assert consultation is not None and consultation.id is not None
        members: dict[int, set[tuple[str, int]]] = defaultdict(set)
        for m in await uow.themes.memberships(consultation.id):
            members[m.theme_id].add((str(m.source), m.source_id))
        authors = await uow.themes.text_authors(consultation.id)
    return consultation.id, members, authors


async def test_summary_matches_the_rows(storage: Storage) -> None:
    clock = await _seeded(storage)
    summary = await themes_summary(storage.uow, clock, ANALYST, SLUG, MIN, scrub=scrub)
    assert isinstance(summary, ThemesSummary) and summary.has_run
    c, members, authors = await _rows(storage)
    async with storage.uow() as uow:
        texts = {
            (str(t.source), t.source_id): t.text for t in await uow.consultations.free_texts(c)
        }
        times = await uow.themes.text_times(c)
    assert set(texts) <= set(times), "every free text has the time it was written"
    respondents = len({authors[ref] for ref in texts})
    assert summary.respondents == respondents
    counts = [line.count for line in summary.themes]
    assert counts == sorted(counts, reverse=True)
    for line in summary.themes:
        mine = members[line.theme_id]
        assert line.count == len(mine)
        assert line.people == len({authors[ref] for ref in mine}) >= MIN
        assert line.share == line.people / respondents
        assert line.this_week == sum(1 for source, _ in mine if source == "answer")
        assert 1 <= len(line.quotes) <= 2
        scrubbed = [" ".join(scrub(texts[ref]).split()) for ref in mine]
        for quote in line.quotes:
            assert len(quote) <= 200 and any(quote.rstrip("…") in text for text in scrubbed)

    # Hidden themes are listed apart; other roles and unknown slugs get nothing.
    hidden = summary.themes[0].theme_id
    assert isinstance(await hide_in(storage.uow, clock, FACILITATOR, c, hidden, True), Curated)
    again = await themes_summary(storage.uow, clock, FACILITATOR, c, MIN, scrub=scrub)
    assert isinstance(again, ThemesSummary)
    assert [line.theme_id for line in again.hidden] == [hidden]
    assert hidden not in [line.theme_id for line in again.themes]
    stranger = Actor(9, "citizen", None)  # type: ignore[arg-type]
    assert isinstance(
        await themes_summary(storage.uow, clock, stranger, SLUG, MIN, scrub=scrub), NotAllowed
    )
    assert isinstance(
        await themes_summary(storage.uow, clock, ANALYST, "nessuna", MIN, scrub=scrub),
        ConsultationNotFound,
    )


async def test_card_pages_answers_and_breaks_down_like_the_report(storage: Storage) -> None:
    clock = await _seeded(storage)
    summary = await themes_summary(storage.uow, clock, ANALYST, SLUG, MIN, scrub=scrub)
    assert isinstance(summary, ThemesSummary)
    line = next(line for line in summary.themes if line.count > QUOTES_PER_PAGE)
    c = summary.consultation_id
    first = await theme_card(storage.uow, clock, ANALYST, c, line.theme_id, 0, MIN, scrub=scrub)
    assert isinstance(first, ThemeCard)
    assert len(first.quotes) == QUOTES_PER_PAGE and first.pages == -(-line.count // 5)
    last = await theme_card(storage.uow, clock, ANALYST, c, line.theme_id, 99, MIN, scrub=scrub)
    assert isinstance(last, ThemeCard) and last.page == first.pages - 1
    seen = set()
    for page in range(first.pages):
        card = await theme_card(
            storage.uow, clock, ANALYST, c, line.theme_id, page, MIN, scrub=scrub
        )
        assert isinstance(card, ThemeCard)
        seen |= {q.ref for q in card.quotes}
    assert len(seen) == line.count
    # The report computes the same breakdowns for the same theme (cells under MIN suppressed).
    report = await report_data(storage.uow, clock, SLUG, MIN, "Europe/Rome", scrub=scrub)
    assert report is not None
    theme_report = next(t for t in report.themes if t.label == line.label)
    assert first.breakdowns == theme_report.breakdowns
    assert first.breakdowns, "Opencare has single-choice questions"
    for breakdown in first.breakdowns:
        for cell in breakdown.rows[0].cells:
            assert cell is None or cell >= MIN


async def test_forged_ids_change_nothing(storage: Storage) -> None:
    clock = await _seeded(storage)
    c, members, _ = await _rows(storage)
    async with storage.uow() as uow:
        other = await uow.consultations.get_by_slug("mercati")
        assert other is not None and other.id is not None
    summary = await themes_summary(storage.uow, clock, ANALYST, SLUG, MIN, scrub=scrub)
    assert isinstance(summary, ThemesSummary)
    a, b = summary.themes[0].theme_id, summary.themes[1].theme_id
    ref = sorted(members[a])[0]
    o = other.id
    for outcome in (
        await theme_card(storage.uow, clock, ANALYST, o, a, 0, MIN, scrub=scrub),
        await rename_in(storage.uow, clock, ANALYST, o, a, "Nope"),
        await hide_in(storage.uow, clock, ANALYST, o, a, True),
        await merge_in(storage.uow, clock, ANALYST, o, a, b),
        await merge_in(storage.uow, clock, ANALYST, c, a, 10**9),
        await move_in(storage.uow, clock, ANALYST, o, ref, None),
        await move_in(storage.uow, clock, ANALYST, c, ref, 10**9),
    ):
        assert isinstance(outcome, ThemeNotFound), outcome
    assert await rename_in(storage.uow, clock, ANALYST, c, a, "x" * 81) == CurationRejected(
        "label_length"
    )
    assert await merge_in(storage.uow, clock, ANALYST, c, a, a) == CurationRejected("same_theme")
    async with storage.engine.connect() as connection:
        assert (
            await connection.execute(sa.select(sa.func.count()).select_from(theme_curations))
        ).scalar_one() == 0
    assert (await _rows(storage))[1] == members
    # The real thing works, from the consultation the button named.
    assert isinstance(await rename_in(storage.uow, clock, FACILITATOR, c, a, " Cura  "), Curated)
    card = await theme_card(storage.uow, clock, ANALYST, c, a, 0, MIN, scrub=scrub)
    assert isinstance(card, ThemeCard) and card.line.label == "Cura"
