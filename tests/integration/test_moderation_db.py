"""Moderation on SQLite and PostgreSQL: hiding texts takes them out of the themes' pool,
blocking is reversible, every action is audited without naming a citizen, and the role is
checked again by the use cases (a denied actor changes nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.store import Storage
from surveys.clock import FixedClock
from surveys.entities import (
    Answer,
    Idea,
    Participant,
    Role,
    SurveyVersion,
    TextSource,
)
from surveys.usecases.announcements import recent_broadcasts
from surveys.usecases.moderation import (
    BlockSet,
    ModerationPage,
    TextNotFound,
    VisibilitySet,
    block_author,
    handle,
    hide_answer,
    hide_idea,
    list_blocked,
    list_for_moderation,
    unblock_participant,
    unhide_answer,
    unhide_idea,
)
from surveys.usecases.staff import Actor, NotAllowed
from tests.integration.test_storage_repositories import free_text, seed, survey

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
FACILITATOR = Actor(telegram_user_id=5, role=Role.FACILITATOR, staff_id=None)
ANALYST = Actor(telegram_user_id=6, role=Role.ANALYST, staff_id=None)


async def _texts(storage: Storage) -> tuple[int, int, int, int]:
    """One free-text answer and one idea by the seeded participant; their ids."""
    consultation_id, person_id, participation_id = await seed(storage)
    definition = survey("opencare", free_text("why"))
    async with storage.uow() as uow:
        await uow.consultations.add_version(
            SurveyVersion(consultation_id, 1, definition.content_hash(), definition)
        )
        await uow.answers.put(Answer(participation_id, "why", "Più assistenza a casa", 1))
        idea = await uow.ideas.add(Idea(consultation_id, person_id, "Orti sui tetti", "it"))
        answer = (await uow.answers.for_participation(participation_id))[0]
        await uow.commit()
    assert idea.id is not None and answer.id is not None
    return consultation_id, person_id, answer.id, idea.id


async def _pool(storage: Storage, consultation_id: int) -> list[tuple[TextSource, str]]:
    async with storage.uow() as uow:
        return [(t.source, t.text) for t in await uow.consultations.free_texts(consultation_id)]


async def test_hidden_texts_leave_the_pool_and_come_back(storage: Storage) -> None:
    consultation_id, _, answer_id, idea_id = await _texts(storage)
    clock = FixedClock(NOW)
    everything = [(TextSource.ANSWER, "Più assistenza a casa"), (TextSource.IDEA, "Orti sui tetti")]
    assert await _pool(storage, consultation_id) == everything

    hidden = await hide_idea(storage.uow, clock, FACILITATOR, idea_id)
    assert isinstance(hidden, VisibilitySet) and hidden.changed and hidden.item.hidden_at == NOW
    again = await hide_idea(storage.uow, clock, FACILITATOR, idea_id)
    assert isinstance(again, VisibilitySet) and not again.changed  # a double tap
    assert await _pool(storage, consultation_id) == everything[:1]
    assert isinstance(await hide_answer(storage.uow, clock, FACILITATOR, answer_id), VisibilitySet)
    assert await _pool(storage, consultation_id) == []

    # Staff still see hidden texts in the moderation lists (to show them again), marked.
    page = await list_for_moderation(storage.uow, clock, FACILITATOR, "opencare", TextSource.IDEA)
    assert isinstance(page, ModerationPage) and page.total == 1
    assert page.items[0].hidden_at is not None and page.items[0].text == "Orti sui tetti"
    answers = await list_for_moderation(
        storage.uow, clock, FACILITATOR, "opencare", TextSource.ANSWER
    )
    assert isinstance(answers, ModerationPage)
    assert [i.text for i in answers.items] == ["Più assistenza a casa"]
    assert answers.items[0].author_pseudonym == "pseudo-1"

    await unhide_idea(storage.uow, clock, FACILITATOR, idea_id)
    await unhide_answer(storage.uow, clock, FACILITATOR, answer_id)
    assert await _pool(storage, consultation_id) == everything
    assert isinstance(
        await hide_idea(storage.uow, clock, FACILITATOR, idea_id + 1000), TextNotFound
    )
    async with storage.uow() as uow:
        actions = [(e.action, e.target) for e in reversed(await uow.audit.list(50))]
    assert ("idea.hidden", f"idea:{idea_id}") in actions
    assert ("answer.hidden", f"answer:{answer_id}") in actions
    assert ("idea.unhidden", f"idea:{idea_id}") in actions
    assert ("answer.unhidden", f"answer:{answer_id}") in actions
    assert sum(a == "idea.hidden" for a, _ in actions) == 1  # the double tap was not audited


async def test_block_and_unblock_are_audited_with_a_pseudonymous_target(storage: Storage) -> None:
    _, person_id, answer_id, _ = await _texts(storage)
    clock = FixedClock(NOW)
    blocked = await block_author(storage.uow, clock, FACILITATOR, TextSource.ANSWER, answer_id)
    assert isinstance(blocked, BlockSet) and blocked.changed
    assert blocked.participant_id == person_id and blocked.handle == handle("pseudo-1")
    async with storage.uow() as uow:
        person = await uow.participants.get(person_id)
        assert person is not None and person.blocked_at == NOW
        # An ordinary update of the participant (e.g. /lang) keeps the block.
        person.language = "en"
        await uow.participants.update(person)
        await uow.commit()
    listed = await list_blocked(storage.uow, clock, FACILITATOR)
    assert not isinstance(listed, NotAllowed)
    assert [(b.participant_id, b.handle) for b in listed] == [(person_id, "#pseudo")]

    unblocked = await unblock_participant(storage.uow, clock, FACILITATOR, person_id)
    assert isinstance(unblocked, BlockSet) and unblocked.changed
    again = await unblock_participant(storage.uow, clock, FACILITATOR, person_id)
    assert isinstance(again, BlockSet) and not again.changed
    assert await list_blocked(storage.uow, clock, FACILITATOR) == []
    async with storage.uow() as uow:
        person = await uow.participants.get(person_id)
        assert person is not None and person.blocked_at is None
        entries = [e for e in await uow.audit.list(50) if e.action.startswith("participant.")]
    assert [(e.action, e.target) for e in reversed(entries)] == [
        ("participant.blocked", f"participant:{person_id}"),
        ("participant.unblocked", f"participant:{person_id}"),
    ]


async def test_an_analyst_is_refused_and_changes_nothing(storage: Storage) -> None:
    consultation_id, person_id, answer_id, idea_id = await _texts(storage)
    clock = FixedClock(NOW)
    attempts = [
        await hide_idea(storage.uow, clock, ANALYST, idea_id),
        await hide_answer(storage.uow, clock, ANALYST, answer_id),
        await block_author(storage.uow, clock, ANALYST, TextSource.IDEA, idea_id),
        await unblock_participant(storage.uow, clock, ANALYST, person_id),
        await list_blocked(storage.uow, clock, ANALYST),
        await list_for_moderation(storage.uow, clock, ANALYST, "opencare", TextSource.IDEA),
        await recent_broadcasts(storage.uow, clock, ANALYST),
    ]
    assert all(isinstance(outcome, NotAllowed) for outcome in attempts)
    assert len(await _pool(storage, consultation_id)) == 2
    async with storage.uow() as uow:
        person = await uow.participants.get(person_id)
        assert person is not None and person.blocked_at is None
        denied = [e for e in await uow.audit.list(50) if e.action == "denied"]
    assert len(denied) == len(attempts)


async def test_moderation_pages_are_newest_first(storage: Storage) -> None:
    consultation_id, person_id, _, first_idea = await _texts(storage)
    async with storage.uow() as uow:
        other = await uow.participants.add(Participant("abcdef123456"))
        assert other.id is not None
        for n in range(6):
            await uow.ideas.add(Idea(consultation_id, other.id, f"idea {n}", "it"))
        await uow.ideas.add(Idea(consultation_id, None, "anonymous after retention", "it"))
        await uow.commit()
    clock = FixedClock(NOW)
    first = await list_for_moderation(storage.uow, clock, FACILITATOR, "opencare", TextSource.IDEA)
    second = await list_for_moderation(
        storage.uow, clock, FACILITATOR, "opencare", TextSource.IDEA, page=1
    )
    beyond = await list_for_moderation(
        storage.uow, clock, FACILITATOR, "opencare", TextSource.IDEA, page=9
    )
    assert isinstance(first, ModerationPage) and isinstance(second, ModerationPage)
    assert isinstance(beyond, ModerationPage) and beyond.page == 1  # clamped
    assert (first.total, first.pages) == (8, 2)
    assert [i.text for i in first.items] == [
        "anonymous after retention",
        "idea 5",
        "idea 4",
        "idea 3",
        "idea 2",
    ]
    assert [i.text for i in second.items] == ["idea 1", "idea 0", "Orti sui tetti"]
    assert first.items[0].author_id is None and handle(first.items[0].author_pseudonym) == "#—"
    assert handle(first.items[1].author_pseudonym) == "#abcdef"
    assert second.items[-1].source_id == first_idea
    # An anonymous idea's author cannot be blocked; nothing happens.
    anonymous = first.items[0].source_id
    outcome = await block_author(storage.uow, clock, FACILITATOR, TextSource.IDEA, anonymous)
    assert isinstance(outcome, TextNotFound)
    assert person_id
