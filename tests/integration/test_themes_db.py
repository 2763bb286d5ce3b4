"""Themes kept in the database over time, on SQLite and PostgreSQL, with real backends.

The texts are the built-in Milan sample of ``bot.demo_texts`` (Italian and English), sent as
ideas by distinct participants. Most tests use the ``tfidf`` backend (fast, corpus-fitted,
nothing to cache); the cache test uses the default ``e5`` encoder behind a counting wrapper.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from bot.demo_texts import SAMPLE_TEXTS
from nlp.backends import BackendUnavailable, make_encoder
from nlp.service import NlpThemeEngine
from storage.store import Storage
from storage.tables import theme_memberships, theme_runs, vector_cache
from surveys.clock import FixedClock
from surveys.definition import Mode
from surveys.entities import Consultation, ConsultationStatus, Idea, Participant, Role
from surveys.usecases.privacy import erase_participant
from surveys.usecases.staff import Actor, NotAllowed
from surveys.usecases.themes import (
    Curated,
    CurationRejected,
    ThemeNotFound,
    ThemesRefreshed,
    current_themes,
    hide_theme,
    merge_themes,
    move_text,
    refresh_themes,
    rename_theme,
    split_theme,
)

SLUG = "ascolta"
TEXTS = list(SAMPLE_TEXTS["it"]) + list(SAMPLE_TEXTS["en"])
MIN_GROUP = 2


async def _seed(storage: Storage, texts: list[str], start: int = 0) -> dict[int, int]:
    """Ideas from one participant each; idea id → participant id. Creates the consultation."""
    out: dict[int, int] = {}
    async with storage.uow() as uow:
        consultation = await uow.consultations.get_by_slug(SLUG)
        if consultation is None:
            consultation = await uow.consultations.add(
                Consultation(SLUG, "Milano", Mode.LISTENING, ConsultationStatus.OPEN)
            )
        assert consultation.id is not None
        for n, text in enumerate(texts, start):
            person = await uow.participants.add(Participant(f"p{n}"))
            assert person.id is not None
            idea = await uow.ideas.add(Idea(consultation.id, person.id, text))
            assert idea.id is not None
            out[idea.id] = person.id
        await uow.commit()
    return out


async def _state(storage: Storage) -> dict[str, Any]:
    views = await current_themes(storage.uow, SLUG)
    assert isinstance(views, list)
    return {
        "themes": {v.theme.id: v for v in views if v.theme.kind == "theme"},
        "other": next(v for v in views if v.theme.kind == "other"),
        "all": views,
    }


def _every_text_once(views: list[Any], ideas: dict[int, int]) -> None:
    seen = Counter(ref for view in views for ref in view.members)
    assert set(seen) == {("idea", i) for i in ideas}
    assert set(seen.values()) == {1}
    for view in views:
        assert view.theme.size == len(view.members)


def tfidf() -> NlpThemeEngine:
    return NlpThemeEngine("tfidf", lang="auto")


async def test_first_run_creates_themes_covering_every_text_once(storage: Storage) -> None:
    ideas = await _seed(storage, TEXTS)
    clock = FixedClock()
    result = await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    assert isinstance(result, ThemesRefreshed)
    assert result.texts == len(TEXTS) and result.themes >= 2 and result.encoded == 0
    state = await _state(storage)
    _every_text_once(state["all"], ideas)
    text_of = {("idea", i): t for i, t in zip(ideas, TEXTS, strict=True)}
    for view in state["themes"].values():
        assert view.theme.quotes, "every published theme has quotes"
        for quote in view.theme.quotes:
            ref = (quote["source"], quote["source_id"])
            assert ref in view.members
            assert quote["text"] in text_of[ref]  # verbatim (these texts have no PII)
        assert len({p for _, i in view.members for p in [ideas[i]]}) >= MIN_GROUP


async def test_new_texts_are_assigned_incrementally(storage: Storage) -> None:
    ideas = await _seed(storage, TEXTS)
    clock = FixedClock()
    await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    before = await _state(storage)
    new = [
        "Servono più piste ciclabili protette e bike sharing in periferia.",
        "Pannelli solari e comunità energetiche per abbassare le bollette.",
        "Qualcosa di completamente diverso: un torneo di scacchi in biblioteca.",
    ]
    ideas |= await _seed(storage, new, start=len(TEXTS))
    result = await refresh_themes(
        storage.uow, clock, tfidf(), SLUG, full=False, min_group_size=MIN_GROUP
    )
    assert isinstance(result, ThemesRefreshed)
    assert result.full is False and result.assigned + result.other == 3
    after = await _state(storage)
    _every_text_once(after["all"], ideas)
    assert set(after["themes"]) == set(before["themes"])  # no re-clustering happened
    async with storage.uow() as uow:
        runs = await uow.session.execute(sa.select(sa.func.count()).select_from(theme_runs))
        assert runs.scalar_one() == 1
    # Nothing new: a second incremental call changes nothing.
    again = await refresh_themes(storage.uow, clock, tfidf(), SLUG, full=False)
    assert isinstance(again, ThemesRefreshed) and again.assigned + again.other == 0


async def test_curations_survive_a_full_reclustering(storage: Storage) -> None:
    ideas = await _seed(storage, TEXTS)
    clock = FixedClock()
    await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    state = await _state(storage)
    by_size = sorted(state["themes"].values(), key=lambda v: -v.theme.size)
    assert len(by_size) >= 4, "the sample makes at least four themes"
    renamed, hidden, merged_away, merged_into = (v.theme.id for v in by_size[:4])
    mover = state["themes"][renamed].members[0]

    assert isinstance(await rename_theme(storage.uow, clock, None, renamed, "Cura"), Curated)
    assert isinstance(await hide_theme(storage.uow, clock, None, hidden), Curated)
    assert isinstance(
        await merge_themes(storage.uow, clock, None, [merged_away], merged_into), Curated
    )
    assert isinstance(await move_text(storage.uow, clock, None, SLUG, mover, None), Curated)
    curated = await _state(storage)
    _every_text_once(curated["all"], ideas)
    assert mover in curated["other"].members
    assert merged_away not in curated["themes"]

    result = await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    assert isinstance(result, ThemesRefreshed)
    after = await _state(storage)
    _every_text_once(after["all"], ideas)
    assert after["themes"][renamed].theme.label == "Cura"
    assert after["themes"][hidden].theme.hidden is True
    assert merged_away not in after["themes"]
    assert set(curated["themes"][merged_into].members) <= set(after["themes"][merged_into].members)
    assert mover in after["other"].members
    assert after["other"].theme.id == curated["other"].theme.id
    # Unchanged themes keep their members (same texts, same deterministic clustering).
    for theme_id, view in curated["themes"].items():
        assert set(view.members) == set(after["themes"][theme_id].members), theme_id
    async with storage.uow() as uow:
        consultation = await uow.consultations.get_by_slug(SLUG)
        assert consultation is not None and consultation.id is not None
        actions = [c.action for c in await uow.themes.curations(consultation.id)]
    assert actions == ["rename", "hide", "merge", "move"]


async def test_split_needs_enough_people_and_survives(storage: Storage) -> None:
    ideas = await _seed(storage, TEXTS)
    clock = FixedClock()
    await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    state = await _state(storage)
    biggest = max(state["themes"].values(), key=lambda v: v.theme.size)
    assert biggest.theme.size >= 4
    one = biggest.members[:1]
    refused = await split_theme(
        storage.uow, clock, None, biggest.theme.id, one, "Solo", min_group_size=MIN_GROUP
    )
    assert refused == CurationRejected("too_small")
    half = biggest.members[: biggest.theme.size // 2]
    done = await split_theme(
        storage.uow, clock, None, biggest.theme.id, half, "Metà", min_group_size=MIN_GROUP
    )
    assert isinstance(done, Curated)
    new_id = done.theme_ids[1]
    await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    after = await _state(storage)
    _every_text_once(after["all"], ideas)
    assert after["themes"][new_id].theme.label == "Metà"
    assert set(after["themes"][new_id].members) == set(half)


async def test_erasure_removes_texts_from_memberships_and_quotes(storage: Storage) -> None:
    ideas = await _seed(storage, TEXTS)
    clock = FixedClock()
    await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    state = await _state(storage)
    quoted = next(iter(state["themes"].values())).theme.quotes[0]
    person = ideas[quoted["source_id"]]
    before = next(iter(state["themes"].values())).theme.size

    assert await erase_participant(storage.uow, person) is True

    after = await _state(storage)
    gone = ("idea", quoted["source_id"])
    for view in after["all"]:
        assert gone not in view.members
        assert all((q["source"], q["source_id"]) != gone for q in view.theme.quotes)
    first = after["themes"][next(iter(state["themes"]))]
    assert first.theme.size == before - 1
    async with storage.uow() as uow:
        left = await uow.session.execute(
            sa.select(sa.func.count())
            .select_from(theme_memberships)
            .where(theme_memberships.c.source_id == quoted["source_id"])
        )
        assert left.scalar_one() == 0
    # A re-clustering after the erasure does not bring the text back either.
    del ideas[quoted["source_id"]]
    await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    _every_text_once((await _state(storage))["all"], ideas)


class CountingEncoder:
    """The real default encoder, counting the texts it is asked to encode."""

    def __init__(self) -> None:
        self.real = make_encoder("e5")
        assert self.real is not None
        self.name = self.real.name
        self.model = self.real.model
        self.multilingual = self.real.multilingual
        self.encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded += len(texts)
        return self.real.encode(texts)


async def test_second_full_run_reuses_every_cached_vector(storage: Storage) -> None:
    try:
        counting = CountingEncoder()
    except BackendUnavailable:  # pragma: no cover - the default install has it
        pytest.skip("the e5 encoder is not installed")
    ideas = await _seed(storage, TEXTS)
    clock = FixedClock()
    engine = NlpThemeEngine(encoder=counting)
    first = await refresh_themes(storage.uow, clock, engine, SLUG, min_group_size=MIN_GROUP)
    assert isinstance(first, ThemesRefreshed)
    assert first.encoded == len(set(TEXTS)) and counting.encoded == len(set(TEXTS))
    before = await _state(storage)
    _every_text_once(before["all"], ideas)

    stages: list[str] = []
    second = await refresh_themes(
        storage.uow,
        clock,
        engine,
        SLUG,
        min_group_size=MIN_GROUP,
        progress=lambda stage, done, total: stages.append(stage),
    )
    assert isinstance(second, ThemesRefreshed)
    assert second.encoded == 0 and counting.encoded == len(set(TEXTS))  # nothing re-encoded
    after = await _state(storage)
    assert set(after["themes"]) == set(before["themes"])  # ids carried over
    assert "clustering" in stages and "saving" in stages  # progress reported

    # A new idea: only its vector is computed, and it lands in a theme or "other".
    ideas |= await _seed(storage, ["Più alberi e panchine all'ombra nei parchi."], len(TEXTS))
    third = await refresh_themes(storage.uow, clock, engine, SLUG, full=False)
    assert isinstance(third, ThemesRefreshed) and third.encoded == 1
    assert counting.encoded == len(set(TEXTS)) + 1
    _every_text_once((await _state(storage))["all"], ideas)

    # Erasure drops the person's cached vector too.
    async with storage.uow() as uow:
        count = sa.select(sa.func.count()).select_from(vector_cache)
        cached = (await uow.session.execute(count)).scalar_one()
    assert await erase_participant(storage.uow, ideas[max(ideas)])
    async with storage.uow() as uow:
        assert (await uow.session.execute(count)).scalar_one() == cached - 1


async def test_curation_needs_a_curator_role_and_is_audited(storage: Storage) -> None:
    await _seed(storage, TEXTS)
    clock = FixedClock()
    await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    theme_id = next(iter((await _state(storage))["themes"]))
    # Every staff role curates (analysts and facilitators, issue #7); anything else is refused.
    stranger = Actor(111, "citizen", None)  # type: ignore[arg-type]
    denied = await rename_theme(storage.uow, clock, stranger, theme_id, "Nope")
    assert denied == NotAllowed("themes.rename")
    facilitator = Actor(333, Role.FACILITATOR, None)
    assert isinstance(await rename_theme(storage.uow, clock, facilitator, theme_id, "Sì"), Curated)
    analyst = Actor(222, Role.ANALYST, None)
    assert isinstance(await rename_theme(storage.uow, clock, analyst, theme_id, "Sì"), Curated)
    assert (await _state(storage))["themes"][theme_id].theme.label == "Sì"
    async with storage.uow() as uow:
        actions = [entry.action for entry in await uow.audit.list()]
    assert "themes.rename" in actions and "staff.denied" in actions
    # A forged or stale theme id changes nothing.
    assert isinstance(await rename_theme(storage.uow, clock, analyst, 10**9, "x"), ThemeNotFound)


async def test_a_hidden_text_leaves_its_theme_at_the_next_pass(storage: Storage) -> None:
    ideas = await _seed(storage, TEXTS)
    clock = FixedClock()
    await refresh_themes(storage.uow, clock, tfidf(), SLUG, min_group_size=MIN_GROUP)
    quoted = next(iter((await _state(storage))["themes"].values())).theme.quotes[0]
    async with storage.uow() as uow:
        assert await uow.ideas.set_hidden(quoted["source_id"], clock.now())
        await uow.commit()
    await refresh_themes(storage.uow, clock, tfidf(), SLUG, full=False)
    del ideas[quoted["source_id"]]
    after = await _state(storage)
    _every_text_once(after["all"], ideas)
    for view in after["all"]:
        assert all(q["source_id"] != quoted["source_id"] for q in view.theme.quotes)
