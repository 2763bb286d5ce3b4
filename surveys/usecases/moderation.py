"""Moderation: facilitators hide ideas and free-text answers, and block abusive participants.

Hidden texts stay stored (the author can still export or erase them) but leave the pool that
themes and reports are made of (``ConsultationRepository.free_texts``); unhiding brings them
back. A blocked participant's later messages are ignored politely (see
``dialogs.citizen.person``); their rights (/mydata, /delete) keep working. Both are
reversible and audited.

Staff never learn who a participant is: lists show the author as a short handle made from
the pseudonym (``#a1b2c3``), and audit entries name participants by their row id
(``participant:17``), never by a Telegram id or a name. Every use case checks the role again
(defence in depth: the chat's role filters come first) and audits what it did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from surveys.entities import AuditEntry, ModeratedText, Participant, Role, TextSource
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.usecases.outcomes import ConsultationNotFound
from surveys.usecases.staff import Actor, NotAllowed

MODERATORS = frozenset({Role.ADMIN, Role.FACILITATOR})
PAGE_SIZE = 5
HANDLE_LENGTH = 6


def handle(pseudonym: str | None) -> str:
    """A short, stable, pseudonymous handle for staff screens: ``#`` + 6 hex characters.

    Six hex characters (24 bits) tell apart the authors of one consultation in practice, and
    reveal nothing: the pseudonym is an HMAC under a secret pepper.
    """
    return "#" + (pseudonym or "")[:HANDLE_LENGTH] if pseudonym else "#—"


@dataclass(frozen=True)
class ModerationPage:
    consultation_id: int
    slug: str
    source: TextSource
    page: int  # 0-based, clamped to the pages there are
    pages: int
    total: int
    items: Sequence[ModeratedText]


@dataclass(frozen=True)
class TextNotFound:
    source: TextSource
    text_id: int


@dataclass(frozen=True)
class VisibilitySet:
    item: ModeratedText
    hidden: bool
    changed: bool  # False: it already was so (a double tap)


@dataclass(frozen=True)
class BlockSet:
    participant_id: int
    handle: str
    blocked: bool
    changed: bool


@dataclass(frozen=True)
class ParticipantUnknown:
    participant_id: int


@dataclass(frozen=True)
class BlockedParticipant:
    participant_id: int
    handle: str
    blocked_at: datetime | None


async def _audit(
    uow: UnitOfWork, clock: Clock, action: str, actor: Actor, target: str, **detail: Any
) -> None:
    if actor.staff_id is None:
        # A configured admin has no staff row; staff are audited by their own id.
        detail.setdefault("admin_telegram_user_id", actor.telegram_user_id)
    await uow.audit.add(
        AuditEntry(
            action, actor_staff_id=actor.staff_id, target=target, detail=detail, at=clock.now()
        )
    )


async def _refuse(uow: UnitOfWork, clock: Clock, actor: Actor, target: str) -> NotAllowed:
    await _audit(uow, clock, "denied", actor, target, role=str(actor.role))
    await uow.commit()
    return NotAllowed(target)


async def _free_text_keys(
    uow: UnitOfWork, consultation_id: int, current: int
) -> set[tuple[int, str]]:
    keys: set[tuple[int, str]] = set()
    for number in range(1, current + 1):
        version = await uow.consultations.get_version(consultation_id, number)
        if version is not None:
            keys.update((number, key) for key in version.definition.free_text_keys)
    return keys


async def list_for_moderation(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    slug: str,
    source: TextSource,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> ModerationPage | ConsultationNotFound | NotAllowed:
    """One page of a consultation's ideas or free-text answers, newest first, hidden included."""
    async with uow_factory() as uow:
        if actor.role not in MODERATORS:
            return await _refuse(uow, clock, actor, f"moderation.list:{source.value}")
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None or consultation.id is None:
            return ConsultationNotFound(slug)
        if source is TextSource.IDEA:
            items = await uow.ideas.for_moderation(consultation.id)
        else:
            keys = await _free_text_keys(uow, consultation.id, consultation.current_version)
            items = await uow.answers.for_moderation(consultation.id, keys)
        pages = max(1, -(-len(items) // page_size))
        page = min(max(page, 0), pages - 1)
        shown = items[page * page_size : (page + 1) * page_size]
        await _audit(
            uow,
            clock,
            "moderation.listed",
            actor,
            f"consultation:{consultation.id}",
            source=source.value,
            page=page,
        )
        await uow.commit()
    return ModerationPage(consultation.id, slug, source, page, pages, len(items), shown)


async def _moderated(uow: UnitOfWork, source: TextSource, text_id: int) -> ModeratedText | None:
    if source is TextSource.IDEA:
        return await uow.ideas.moderated(text_id)
    return await uow.answers.moderated(text_id)


async def set_visibility(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    source: TextSource,
    text_id: int,
    *,
    hidden: bool,
) -> VisibilitySet | TextNotFound | NotAllowed:
    """Hide a text from themes and reports, or show it again."""
    target = f"{source.value}:{text_id}"
    async with uow_factory() as uow:
        if actor.role not in MODERATORS:
            return await _refuse(uow, clock, actor, target)
        item = await _moderated(uow, source, text_id)
        if item is None:
            return TextNotFound(source, text_id)
        at = clock.now() if hidden else None
        if source is TextSource.IDEA:
            changed = await uow.ideas.set_hidden(text_id, at)
        else:
            changed = await uow.answers.set_hidden(text_id, at)
        if changed:
            action = f"{source.value}.{'hidden' if hidden else 'unhidden'}"
            await _audit(uow, clock, action, actor, target)
            await uow.commit()
            item = replace(item, hidden_at=at)
    return VisibilitySet(item, hidden, changed)


async def hide_idea(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, idea_id: int
) -> VisibilitySet | TextNotFound | NotAllowed:
    return await set_visibility(uow_factory, clock, actor, TextSource.IDEA, idea_id, hidden=True)


async def unhide_idea(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, idea_id: int
) -> VisibilitySet | TextNotFound | NotAllowed:
    return await set_visibility(uow_factory, clock, actor, TextSource.IDEA, idea_id, hidden=False)


async def hide_answer(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, answer_id: int
) -> VisibilitySet | TextNotFound | NotAllowed:
    return await set_visibility(
        uow_factory, clock, actor, TextSource.ANSWER, answer_id, hidden=True
    )


async def unhide_answer(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, answer_id: int
) -> VisibilitySet | TextNotFound | NotAllowed:
    return await set_visibility(
        uow_factory, clock, actor, TextSource.ANSWER, answer_id, hidden=False
    )


async def author_of(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, source: TextSource, text_id: int
) -> ModeratedText | TextNotFound | NotAllowed:
    """The text whose author a facilitator is about to block (for the confirmation)."""
    async with uow_factory() as uow:
        if actor.role not in MODERATORS:
            return await _refuse(uow, clock, actor, f"block:{source.value}:{text_id}")
        item = await _moderated(uow, source, text_id)
    if item is None or item.author_id is None:
        return TextNotFound(source, text_id)
    return item


async def _set_block(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    participant: Participant,
    *,
    blocked: bool,
    **why: Any,
) -> BlockSet:
    assert participant.id is not None
    if blocked:
        changed = await uow.participants.block(participant.id, clock.now())
    else:
        changed = await uow.participants.unblock(participant.id)
    name = handle(participant.pseudonym)
    if changed:
        action = "participant.blocked" if blocked else "participant.unblocked"
        await _audit(uow, clock, action, actor, f"participant:{participant.id}", handle=name, **why)
        await uow.commit()
    return BlockSet(participant.id, name, blocked, changed)


async def block_author(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, source: TextSource, text_id: int
) -> BlockSet | TextNotFound | NotAllowed:
    """Block the author of an idea or answer (the chat's Block button: a facilitator can only
    block someone whose text they were shown, never an arbitrary id)."""
    async with uow_factory() as uow:
        if actor.role not in MODERATORS:
            return await _refuse(uow, clock, actor, f"block:{source.value}:{text_id}")
        item = await _moderated(uow, source, text_id)
        participant = (
            await uow.participants.get(item.author_id)
            if item is not None and item.author_id is not None
            else None
        )
        if participant is None:
            return TextNotFound(source, text_id)
        return await _set_block(
            uow, clock, actor, participant, blocked=True, because=f"{source.value}:{text_id}"
        )


async def block_participant(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, participant_id: int
) -> BlockSet | ParticipantUnknown | NotAllowed:
    async with uow_factory() as uow:
        if actor.role not in MODERATORS:
            return await _refuse(uow, clock, actor, f"block:participant:{participant_id}")
        participant = await uow.participants.get(participant_id)
        if participant is None:
            return ParticipantUnknown(participant_id)
        return await _set_block(uow, clock, actor, participant, blocked=True)


async def unblock_participant(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, participant_id: int
) -> BlockSet | ParticipantUnknown | NotAllowed:
    async with uow_factory() as uow:
        if actor.role not in MODERATORS:
            return await _refuse(uow, clock, actor, f"unblock:participant:{participant_id}")
        participant = await uow.participants.get(participant_id)
        if participant is None:
            return ParticipantUnknown(participant_id)
        return await _set_block(uow, clock, actor, participant, blocked=False)


async def list_blocked(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor
) -> Sequence[BlockedParticipant] | NotAllowed:
    async with uow_factory() as uow:
        if actor.role not in MODERATORS:
            return await _refuse(uow, clock, actor, "blocked")
        blocked = await uow.participants.list_blocked()
    return [
        BlockedParticipant(p.id, handle(p.pseudonym), p.blocked_at)
        for p in blocked
        if p.id is not None
    ]
