"""Themes as staff read and curate them in the chat (``/themes``): summary, card, curation.

The summary is what a policy reader wants at a glance: the published themes of the latest
run, largest first, each with its number of answers, its share of the respondents (people
who wrote any free text in the consultation), how many of its answers were written in the
last seven days, and two short quotes. Only what the report may show is shown: texts hidden
by moderation, previews and withdrawn participations are out of every number (the pool is
``ConsultationRepository.free_texts``), every quote goes through the personal-data
scrubber, and a theme with fewer people than the minimum group size is never shown at all.
Themes hidden by staff are listed apart so staff can unhide them.

The card adds the keywords, every answer of the theme (paged) and a breakdown by each
single-choice question, computed and suppressed exactly as in the report
(``surveys.usecases.reports``). Curation goes through the audited use cases of
``surveys.usecases.themes``; the wrappers here first check that the theme belongs to the
consultation the button named, so a forged or stale button changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from surveys.definition import AnswerValue, Question
from surveys.entities import Consultation, Role, Theme
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.reporting import Breakdown
from surveys.themes import TextRef
from surveys.usecases.outcomes import ConsultationNotFound
from surveys.usecases.reports import _breakdown, _chosen, _is_segment
from surveys.usecases.staff import Actor, NotAllowed
from surveys.usecases.themes import (
    OTHER_KIND,
    THEME_KIND,
    Curated,
    CurationRejected,
    ThemeNotFound,
    hide_theme,
    merge_themes,
    move_text,
    rename_theme,
    split_theme,
)

Scrubber = Callable[[str], str]
Quotable = Callable[[str], bool]  # False: not fit to print (``nlp.offensive.fit_to_print``)
VIEWER_ROLES = frozenset({Role.ADMIN, Role.FACILITATOR, Role.ANALYST})
SUMMARY_QUOTES = 2
QUOTE_CHARS = 200  # a summary quote longer than this is cut with an ellipsis
CARD_QUOTE_CHARS = 600  # a card's quote: five of them fit a Telegram message
QUOTES_PER_PAGE = 5
LABEL_CHARS = 80
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class ThemeChoice:
    """A consultation button of ``/themes`` without a slug."""

    consultation_id: int
    slug: str
    title: Mapping[str, str]


@dataclass(frozen=True)
class ThemeLine:
    theme_id: int
    label: str
    count: int  # answers and ideas in the theme
    people: int
    share: float  # people / respondents
    this_week: int  # of ``count``, written in the last seven days
    quotes: tuple[str, ...]
    hidden: bool


@dataclass(frozen=True)
class ThemesSummary:
    consultation_id: int
    slug: str
    title: Mapping[str, str]
    has_run: bool
    respondents: int  # people with any free text in the consultation
    themes: tuple[ThemeLine, ...]  # published, largest first
    hidden: tuple[ThemeLine, ...]  # hidden by staff (large enough to publish otherwise)
    other: int  # texts in no published theme
    min_group_size: int


@dataclass(frozen=True)
class QuoteItem:
    ref: TextRef
    text: str


@dataclass(frozen=True)
class ThemeCard:
    consultation_id: int
    slug: str
    line: ThemeLine
    keywords: tuple[str, ...]
    quotes: tuple[QuoteItem, ...]  # this page's
    page: int
    pages: int
    breakdowns: tuple[Breakdown, ...]
    min_group_size: int


def _any_text(text: str) -> bool:
    return True


def trim(text: str, limit: int) -> str:
    """Verbatim up to ``limit`` characters, else cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


# --- reading ------------------------------------------------------------------------------


async def theme_choices(uow_factory: UnitOfWorkFactory) -> Sequence[ThemeChoice]:
    """Every consultation with a survey, by id, with its title per language."""
    choices: list[ThemeChoice] = []
    async with uow_factory() as uow:
        for consultation in await uow.consultations.list():
            if consultation.id is None:
                continue
            version = await uow.consultations.latest_version(consultation.id)
            if version is not None:
                choices.append(
                    ThemeChoice(consultation.id, consultation.slug, dict(version.definition.title))
                )
    return choices


async def _consultation(uow: UnitOfWork, key: str | int) -> Consultation | None:
    if isinstance(key, int):
        return await uow.consultations.get(key)
    return await uow.consultations.get_by_slug(key.strip().lower())


@dataclass
class _Pool:
    """The consultation's visible texts and their themes, read in one unit of work."""

    consultation: Consultation
    title: Mapping[str, str]
    has_run: bool
    texts: dict[TextRef, str]
    authors: dict[TextRef, int]
    times: dict[TextRef, datetime]
    themes: list[Theme]
    members: dict[int, list[TextRef]]


async def _read(uow: UnitOfWork, consultation: Consultation) -> _Pool:
    assert consultation.id is not None
    version = await uow.consultations.latest_version(consultation.id)
    title = dict(version.definition.title) if version is not None else {}
    texts = {
        (str(t.source), t.source_id): t.text
        for t in await uow.consultations.free_texts(consultation.id)
        if t.text.strip()
    }
    known = await uow.themes.text_authors(consultation.id)
    # A text whose author is unknown (an anonymised idea) counts as a person of its own.
    authors = {ref: known.get(ref, -1 - i) for i, ref in enumerate(texts)}
    run = await uow.themes.latest_run(consultation.id)
    members: dict[int, list[TextRef]] = {}
    themes: list[Theme] = []
    times: dict[TextRef, datetime] = {}
    if run is not None:
        themes = list(await uow.themes.current(consultation.id))
        for m in await uow.themes.memberships(consultation.id):
            ref = (str(m.source), m.source_id)
            if ref in texts:  # hidden or withdrawn since the run: out of every number
                members.setdefault(m.theme_id, []).append(ref)
        times = await uow.themes.text_times(consultation.id)
    return _Pool(consultation, title, run is not None, texts, authors, times, themes, members)


def _quotes(theme: Theme, pool: _Pool, scrub: Scrubber) -> list[QuoteItem]:
    """The run's chosen quotes first (still visible members only), then every other member."""
    mine = pool.members.get(theme.id or 0, [])
    order: list[TextRef] = []
    for quote in theme.quotes:
        ref = (str(quote.get("source")), quote.get("source_id"))
        if isinstance(ref[1], int) and ref in mine and ref not in order:
            order.append((ref[0], ref[1]))
    chosen = set(order)
    order += sorted(ref for ref in mine if ref not in chosen)
    return [QuoteItem(ref, scrub(pool.texts[ref])) for ref in order]


def _line(
    theme: Theme,
    pool: _Pool,
    respondents: int,
    now: datetime,
    scrub: Scrubber,
    quotable: Quotable = _any_text,
) -> ThemeLine:
    mine = pool.members.get(theme.id or 0, [])
    people = len({pool.authors[ref] for ref in mine})
    since = now - WEEK
    this_week = sum(1 for ref in mine if (at := pool.times.get(ref)) is not None and at >= since)
    # Quotes fit to print: a text with abusive language is not quoted (it still counts).
    fit = [q for q in _quotes(theme, pool, scrub) if quotable(q.text)]
    quotes = tuple(trim(q.text, QUOTE_CHARS) for q in fit[:SUMMARY_QUOTES])
    return ThemeLine(
        theme_id=theme.id or 0,
        label=theme.label,
        count=len(mine),
        people=people,
        share=people / respondents if respondents else 0.0,
        this_week=this_week,
        quotes=quotes,
        hidden=theme.hidden,
    )


def _lines(
    pool: _Pool, now: datetime, min_group_size: int, scrub: Scrubber, quotable: Quotable
) -> tuple[list[ThemeLine], list[ThemeLine]]:
    respondents = len(set(pool.authors.values()))
    shown: list[ThemeLine] = []
    hidden: list[ThemeLine] = []
    for theme in pool.themes:
        if theme.kind != THEME_KIND or theme.id is None:
            continue
        line = _line(theme, pool, respondents, now, scrub, quotable)
        if line.people < min_group_size:
            continue  # too few people to publish: never shown, not even to staff
        (hidden if theme.hidden else shown).append(line)
    shown.sort(key=lambda line: -line.count)  # stable: ties keep the run's order
    return shown, hidden


async def themes_summary(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation: str | int,
    min_group_size: int,
    *,
    scrub: Scrubber,
    quotable: Quotable = _any_text,
) -> ThemesSummary | ConsultationNotFound | NotAllowed:
    """The summary of ``consultation`` (a slug, or an id from a button)."""
    if actor.role not in VIEWER_ROLES:
        return NotAllowed("themes.view")
    async with uow_factory() as uow:
        found = await _consultation(uow, consultation)
        if found is None or found.id is None:
            return ConsultationNotFound(str(consultation)[:48])
        pool = await _read(uow, found)
    shown, hidden = _lines(pool, clock.now(), min_group_size, scrub, quotable)
    published = {ref for line in shown for ref in pool.members.get(line.theme_id, [])}
    assert found.id is not None
    return ThemesSummary(
        consultation_id=found.id,
        slug=found.slug,
        title=pool.title,
        has_run=pool.has_run,
        respondents=len(set(pool.authors.values())),
        themes=tuple(shown),
        hidden=tuple(hidden),
        other=sum(1 for ref in pool.texts if ref not in published),
        min_group_size=min_group_size,
    )


def _segment_values(
    answers: Sequence[tuple[int, str, AnswerValue | None]], segments: Sequence[Question]
) -> dict[str, dict[int, str]]:
    """Each segment question's single answer per participation (as the report reads it)."""
    by_participation: dict[int, dict[str, AnswerValue | None]] = {}
    for pid, key, value in answers:
        by_participation.setdefault(pid, {})[key] = value
    out: dict[str, dict[int, str]] = {}
    for segment in segments:
        out[segment.key] = {
            pid: chosen[0]
            for pid, values in by_participation.items()
            if len(chosen := _chosen(segment, values.get(segment.key))) == 1
        }
    return out


async def theme_card(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    theme_id: int,
    page: int,
    min_group_size: int,
    *,
    scrub: Scrubber,
) -> ThemeCard | ThemeNotFound | NotAllowed:
    """One theme of the consultation: keywords, a page of its answers, its breakdowns."""
    if actor.role not in VIEWER_ROLES:
        return NotAllowed("themes.view")
    async with uow_factory() as uow:
        found = await uow.themes.get(theme_id)
        consultation = await uow.consultations.get(consultation_id)
        if (
            found is None
            or found[1] != consultation_id
            or found[0].kind != THEME_KIND
            or consultation is None
        ):
            return ThemeNotFound(theme_id)
        pool = await _read(uow, consultation)
        version = await uow.consultations.latest_version(consultation_id)
        records = await uow.reports.answers(consultation_id)
        counted = {p.participation_id for p in await uow.reports.participations(consultation_id)}
        ideas = await uow.reports.ideas(consultation_id)
    theme = next((t for t in pool.themes if t.id == theme_id), None)
    if theme is None:
        return ThemeNotFound(theme_id)
    respondents = len(set(pool.authors.values()))
    line = _line(theme, pool, respondents, clock.now(), scrub)
    if line.people < min_group_size:
        return ThemeNotFound(theme_id)  # not published: as if it did not exist
    quotes = _quotes(theme, pool, scrub)
    pages = max(1, -(-len(quotes) // QUOTES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = quotes[page * QUOTES_PER_PAGE : (page + 1) * QUOTES_PER_PAGE]

    # Breakdowns: the report's own computation (and suppression) for this theme's people.
    breakdowns: tuple[Breakdown, ...] = ()
    if version is not None:
        segments = [q for q in version.definition.questions if _is_segment(q)]
        values = _segment_values(
            [
                (a.participation_id, a.question_key, a.value)
                for a in records
                if a.participation_id in counted
            ],
            segments,
        )
        participation_of: dict[TextRef, int] = {
            ("answer", a.answer_id): a.participation_id for a in records
        }
        for idea in ideas:
            if idea.participation_id is not None:
                participation_of[("idea", idea.idea_id)] = idea.participation_id
        pids = [
            pid
            for ref in pool.members.get(theme_id, [])
            if (pid := participation_of.get(ref)) is not None and pid in counted
        ]
        label = {"it": theme.label, "en": theme.label}
        breakdowns = tuple(
            _breakdown(segment, [label], [pids], values[segment.key], min_group_size)
            for segment in segments
            if values[segment.key]
        )
    return ThemeCard(
        consultation_id=consultation_id,
        slug=consultation.slug,
        line=line,
        keywords=tuple(theme.keywords),
        quotes=tuple(QuoteItem(q.ref, trim(q.text, CARD_QUOTE_CHARS)) for q in shown),
        page=page,
        pages=pages,
        breakdowns=breakdowns,
        min_group_size=min_group_size,
    )


# --- curation from the chat -----------------------------------------------------------------


async def _owned(uow_factory: UnitOfWorkFactory, consultation_id: int, *theme_ids: int) -> bool:
    """Every id is a current theme (not "other") of this consultation."""
    async with uow_factory() as uow:
        for theme_id in theme_ids:
            found = await uow.themes.get(theme_id)
            if found is None or found[1] != consultation_id or found[0].kind != THEME_KIND:
                return False
    return True


def clean_label(label: str) -> str | None:
    """A label as stored (spaces collapsed), or ``None`` when empty or too long."""
    label = " ".join(label.split())
    return label if 1 <= len(label) <= LABEL_CHARS else None


async def rename_in(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    theme_id: int,
    label: str,
) -> Curated | ThemeNotFound | CurationRejected | NotAllowed:
    cleaned = clean_label(label)
    if cleaned is None:
        return CurationRejected("label_length")
    if not await _owned(uow_factory, consultation_id, theme_id):
        return ThemeNotFound(theme_id)
    return await rename_theme(uow_factory, clock, actor, theme_id, cleaned)


async def hide_in(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    theme_id: int,
    hidden: bool,
) -> Curated | ThemeNotFound | NotAllowed:
    if not await _owned(uow_factory, consultation_id, theme_id):
        return ThemeNotFound(theme_id)
    return await hide_theme(uow_factory, clock, actor, theme_id, hidden)


async def merge_in(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    theme_id: int,
    into: int,
) -> Curated | ThemeNotFound | CurationRejected | NotAllowed:
    if not await _owned(uow_factory, consultation_id, theme_id, into):
        return ThemeNotFound(theme_id)
    if theme_id == into:
        return CurationRejected("same_theme")
    return await merge_themes(uow_factory, clock, actor, [theme_id], into)


async def split_by_word(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    theme_id: int,
    word: str,
    min_group_size: int,
) -> Curated | ThemeNotFound | CurationRejected | NotAllowed:
    """The theme's answers that contain ``word`` (any case) become a new theme named after it.

    A word is what a reader can type in a chat and check at a glance; both parts must still
    have ``min_group_size`` people (``split_theme`` refuses otherwise).
    """
    cleaned = clean_label(word)
    if cleaned is None:
        return CurationRejected("label_length")
    needle = cleaned.casefold()
    async with uow_factory() as uow:
        consultation = await uow.consultations.get(consultation_id)
        found = await uow.themes.get(theme_id)
        if (
            consultation is None
            or found is None
            or found[1] != consultation_id
            or found[0].kind != THEME_KIND
        ):
            return ThemeNotFound(theme_id)
        texts = {
            (str(t.source), t.source_id): t.text
            for t in await uow.consultations.free_texts(consultation_id)
        }
        mine = [
            (str(m.source), m.source_id)
            for m in await uow.themes.memberships(consultation_id)
            if m.theme_id == theme_id
        ]
    matching = [ref for ref in mine if needle in texts.get(ref, "").casefold()]
    if not matching:
        return CurationRejected("no_match")
    if len(matching) == len(mine):
        return CurationRejected("all_match")
    return await split_theme(
        uow_factory, clock, actor, theme_id, matching, cleaned, min_group_size=min_group_size
    )


async def move_in(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    ref: TextRef,
    to: int | None,
) -> Curated | ThemeNotFound | CurationRejected | NotAllowed:
    """Move one answer or idea of this consultation into theme ``to`` (``None``: "other")."""
    async with uow_factory() as uow:
        consultation = await uow.consultations.get(consultation_id)
        if consultation is None:
            return ThemeNotFound(to or 0)
        if to is not None:
            found = await uow.themes.get(to)
            if found is None or found[1] != consultation_id or found[0].kind == OTHER_KIND:
                return ThemeNotFound(to)
    moved = await move_text(uow_factory, clock, actor, consultation.slug, ref, to)
    if isinstance(moved, ConsultationNotFound):
        return ThemeNotFound(to or 0)
    return moved
