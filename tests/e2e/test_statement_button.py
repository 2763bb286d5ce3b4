"""The theme card's "Make a statement" is shown to those who may make statements, and only them.

The real bot on the emulator, over HTTP, on SQLite. Six people wrote ideas in Sharing Cities and
a theme run put them in one theme (written as the nightly run writes it). An admin, a
facilitator and an analyst (invited through the chat) open the theme's card from ``/themes``
with its button. Analysts curate themes but may not write statements (the role matrix:
``/statements`` is for facilitators and admins), so their card has the curation buttons and no
"Make a statement"; the facilitator's and the admin's have it, and it works: it shows the draft.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.sandbox import ChatMessage
from dialogs.analyst.themes_keys import RENAME, ThemeAct, ThemeOpen
from dialogs.facilitator.statements import StatementFromTheme, StatementSaveDraft
from dialogs.staff.roles import roles_for_command
from storage.tables import consultations, theme_memberships, theme_runs, themes
from surveys.entities import Idea, Participant, Role
from tests.e2e.citizen_support import Citizen, RunningBot, button, latest, running_bot
from tests.e2e.staff_support import Cast, assemble_cast

SLUG = "sharing-cities"
LABEL = "Biciclette condivise"
IDEAS = [
    "Più stazioni di bike sharing vicino alle scuole",
    "Le bici condivise devono arrivare anche in periferia",
    "Servono rastrelliere per le bici condivise alle fermate",
    "Bike sharing gratis per chi va al lavoro in bici",
    "Più bici condivise elettriche per le salite",
    "Le stazioni del bike sharing sono sempre vuote la mattina",
]


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("statement-button") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        running.lift_flood_limit()
        running.app.dispatcher["min_group_size"] = 3
        yield running


@pytest.fixture(scope="module")
async def theme(rb: RunningBot) -> tuple[int, int]:
    """(consultation id, theme id): one published theme of six people's ideas."""
    async with rb.storage.engine.connect() as connection:
        query = sa.select(consultations.c.id).where(consultations.c.slug == SLUG)
        consultation_id = int((await connection.execute(query)).scalar_one())
    idea_ids = []
    async with rb.storage.uow() as uow:
        for n, text in enumerate(IDEAS):
            person = await uow.participants.add(Participant(f"statement-button-{n}"))
            assert person.id is not None
            idea = await uow.ideas.add(Idea(consultation_id, person.id, text))
            assert idea.id is not None
            idea_ids.append(idea.id)
        await uow.commit()
    async with rb.storage.engine.begin() as connection:
        run = (
            await connection.execute(
                sa.insert(theme_runs)
                .values(consultation_id=consultation_id, backend="tfidf", k=1, params={})
                .returning(theme_runs.c.id)
            )
        ).scalar_one()
        quotes = [{"text": IDEAS[0], "source": "idea", "source_id": idea_ids[0]}]
        theme_id = (
            await connection.execute(
                sa.insert(themes)
                .values(run_id=run, label=LABEL, keywords=["bici"], size=6, quotes=quotes)
                .returning(themes.c.id)
            )
        ).scalar_one()
        await connection.execute(
            sa.insert(theme_memberships),
            [{"theme_id": theme_id, "source": "idea", "source_id": i} for i in idea_ids],
        )
    return consultation_id, int(theme_id)


@pytest.fixture(scope="module")
async def cast(rb: RunningBot) -> Cast:
    return await assemble_cast(rb)


async def _card(person: Citizen, consultation_id: int, theme_id: int) -> ChatMessage:
    """The card opened with the list's button, as its reader sees it."""
    listing = await person.say(f"/themes {SLUG}")
    opener = button(listing, ThemeOpen(c=consultation_id, t=theme_id).pack())
    await person.tap(listing, data=str(opener["callback_data"]))
    card = latest(person, listing)
    assert (card.text or "").startswith(LABEL + "\n"), card.text
    return card


def _datas(message: ChatMessage) -> list[str]:
    return [str(b.get("callback_data", "")) for b in message.buttons]


def test_the_role_matrix_keeps_statements_from_analysts() -> None:
    # What this module checks the card against.
    assert roles_for_command("statements") == {Role.ADMIN, Role.FACILITATOR}


async def test_an_analysts_card_has_no_statement_button(
    rb: RunningBot, cast: Cast, theme: tuple[int, int]
) -> None:
    c, t = theme
    datas = _datas(await _card(cast.analyst, c, t))
    assert ThemeAct(c=c, t=t, a=RENAME).pack() in datas, "the card, with its curation buttons"
    assert not any(d.startswith(StatementFromTheme.__prefix__ + ":") for d in datas), datas


@pytest.mark.parametrize("who", ["facilitator", "admin"])
async def test_a_facilitators_card_has_it_and_it_works(
    rb: RunningBot, cast: Cast, theme: tuple[int, int], who: str
) -> None:
    c, t = theme
    person: Citizen = getattr(cast, who)
    card = await _card(person, c, t)
    make = StatementFromTheme(c=c, t=t).pack()
    assert make in _datas(card)
    await person.tap(card, data=make)
    draft = await person.read()
    assert f"{LABEL}: {IDEAS[0]}" in (draft.text or "")
    assert button(draft, StatementSaveDraft(c=c, t=t).pack())
