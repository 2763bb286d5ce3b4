"""Statement voting: facilitators write and accept statements, citizens vote on them.

Citizens vote in a consultation they joined (consent given, not withdrawn) while it is open:
one statement at a time, the accepted one with the fewest votes that they have not voted on;
one vote per (participant, statement), which a later tap changes. Citizens may propose a
statement: it waits, ``pending``, until a facilitator accepts it; a rejected one is never
shown. Facilitators write statements (accepted at once), or start from a theme: its label and
best quote make a draft they edit before saving. The analysis (opinion groups, consensus) is
asked of a :class:`surveys.voting.VotingAnalyser` port; ``nlp`` implements it.

Every staff action checks the role again and is audited with ``statement:<id>`` as target;
buttons name the consultation *and* the statement, and a statement of another consultation is
"not found", so a forged tap changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from surveys.entities import (
    Consultation,
    ConsultationStatus,
    ParticipationStatus,
    Role,
    Statement,
    StatementStatus,
)
from surveys.entities import Vote as StoredVote
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.usecases.outcomes import ConsultationNotFound
from surveys.usecases.rules import has_closed
from surveys.usecases.staff import Actor, NotAllowed, _audit
from surveys.voting import (
    Vote,
    VoteValue,
    VotingAnalyser,
    VotingAnalysis,
    VotingAnalysisFailed,
    VotingReport,
)

STATEMENT_ROLES = frozenset({Role.ADMIN, Role.FACILITATOR})  # write, accept, reject
CONSENSUS_ROLES = frozenset({Role.ADMIN, Role.FACILITATOR, Role.ANALYST})
MIN_LENGTH, MAX_LENGTH = 5, 280  # a statement is one short sentence, as in Pol.is
Scrubber = Callable[[str], str]


# --- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VotingTarget:
    """A consultation the person may vote in now."""

    consultation_id: int
    slug: str
    title: dict[str, str]
    remaining: bool  # an accepted statement they have not voted on yet


@dataclass(frozen=True)
class NextStatement:
    statement: Statement
    voted: int  # statements of the consultation this person voted on so far
    total: int  # accepted statements


@dataclass(frozen=True)
class AllVoted:
    consultation_id: int
    voted: int


@dataclass(frozen=True)
class CannotVote:
    """Why nothing was stored: not joined, closed, no such statement (forged or stale)."""

    reason: Literal["not_joined", "closed", "not_found", "too_short", "too_long"]


@dataclass(frozen=True)
class VoteCast:
    consultation_id: int
    changed: bool  # the person had voted on it before (a change of mind or a double tap)
    value: VoteValue


@dataclass(frozen=True)
class StatementProposed:
    statement: Statement


@dataclass(frozen=True)
class StatementLine:
    statement: Statement
    votes: int


@dataclass(frozen=True)
class StatementsView:
    consultation_id: int
    slug: str
    title: dict[str, str]
    pending: tuple[StatementLine, ...]
    accepted: tuple[StatementLine, ...]
    rejected: int


@dataclass(frozen=True)
class StatementDraft:
    consultation_id: int
    theme_id: int
    text: str


@dataclass(frozen=True)
class StatementSaved:
    statement: Statement
    changed: bool = True


@dataclass(frozen=True)
class StatementNotFound:
    statement_id: int


@dataclass(frozen=True)
class NoVotes:
    slug: str


@dataclass(frozen=True)
class ConsensusView:
    slug: str
    title: dict[str, str]
    report: VotingReport
    statements: int = 0
    voters: int = 0


# --- helpers --------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    return " ".join(text.split())


def _length_problem(text: str) -> Literal["too_short", "too_long"] | None:
    if len(text) < MIN_LENGTH:
        return "too_short"
    if len(text) > MAX_LENGTH:
        return "too_long"
    return None


async def _voter_in(
    uow: UnitOfWork, clock: Clock, participant_id: int, consultation_id: int
) -> Consultation | CannotVote:
    """The open consultation, if this person may vote in it now."""
    consultation = await uow.consultations.get(consultation_id)
    if consultation is None:
        return CannotVote("not_found")
    if consultation.status is not ConsultationStatus.OPEN or has_closed(consultation, clock.now()):
        return CannotVote("closed")
    participation = await uow.participations.find(participant_id, consultation_id)
    if (
        participation is None
        or participation.is_preview
        or participation.consent_version is None
        or participation.status is ParticipationStatus.WITHDRAWN
    ):
        return CannotVote("not_joined")
    return consultation


async def _consultation(uow: UnitOfWork, key: str | int) -> Consultation | None:
    if isinstance(key, int):
        return await uow.consultations.get(key)
    return await uow.consultations.get_by_slug(key.strip().lower())


async def _title(uow: UnitOfWork, consultation: Consultation) -> dict[str, str]:
    assert consultation.id is not None
    version = await uow.consultations.latest_version(consultation.id)
    return dict(version.definition.title) if version is not None else {}


# --- citizens -------------------------------------------------------------------------------


async def voting_targets(
    uow_factory: UnitOfWorkFactory, clock: Clock, participant_id: int | None
) -> list[VotingTarget]:
    """Open consultations the person joined that have accepted statements, newest first."""
    if participant_id is None:
        return []
    targets: list[VotingTarget] = []
    async with uow_factory() as uow:
        for participation in await uow.participations.list_for_participant(participant_id):
            found = await _voter_in(uow, clock, participant_id, participation.consultation_id)
            if isinstance(found, CannotVote) or found.id is None:
                continue
            if not await uow.statements.list_for_consultation(found.id, StatementStatus.ACCEPTED):
                continue
            remaining = await uow.statements.next_for(found.id, participant_id) is not None
            targets.append(VotingTarget(found.id, found.slug, await _title(uow, found), remaining))
    return sorted(targets, key=lambda t: -t.consultation_id)


async def next_statement(
    uow_factory: UnitOfWorkFactory, clock: Clock, participant_id: int, consultation_id: int
) -> NextStatement | AllVoted | CannotVote:
    """The statement to show this person now (nothing is written: stopping is free)."""
    async with uow_factory() as uow:
        found = await _voter_in(uow, clock, participant_id, consultation_id)
        if isinstance(found, CannotVote):
            return found
        voted = await uow.votes.count_for(consultation_id, participant_id)
        statement = await uow.statements.next_for(consultation_id, participant_id)
        if statement is None:
            return AllVoted(consultation_id, voted)
        accepted = await uow.statements.list_for_consultation(
            consultation_id, StatementStatus.ACCEPTED
        )
        return NextStatement(statement, voted, len(accepted))


async def cast_vote(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participant_id: int,
    consultation_id: int,
    statement_id: int,
    value: VoteValue,
) -> VoteCast | CannotVote:
    """Store (or change) this person's vote on an accepted statement of the consultation."""
    async with uow_factory() as uow:
        found = await _voter_in(uow, clock, participant_id, consultation_id)
        if isinstance(found, CannotVote):
            return found
        statement = await uow.statements.get(statement_id)
        if (
            statement is None
            or statement.consultation_id != consultation_id
            or statement.status is not StatementStatus.ACCEPTED
        ):
            return CannotVote("not_found")
        before = await uow.votes.get(statement_id, participant_id)
        await uow.votes.cast(
            StoredVote(statement_id, participant_id, int(value), voted_at=clock.now())
        )
        await uow.commit()
    return VoteCast(consultation_id, before is not None, value)


async def propose_statement(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    participant_id: int,
    consultation_id: int,
    text: str,
    language: str | None,
) -> StatementProposed | CannotVote:
    """A citizen's statement, pending until a facilitator accepts it."""
    text = clean_text(text)
    problem = _length_problem(text)
    if problem is not None:
        return CannotVote(problem)
    async with uow_factory() as uow:
        found = await _voter_in(uow, clock, participant_id, consultation_id)
        if isinstance(found, CannotVote):
            return found
        statement = await uow.statements.add(
            Statement(
                consultation_id,
                text,
                StatementStatus.PENDING,
                language=language,
                proposed_by=participant_id,
                created_at=clock.now(),
            )
        )
        await uow.commit()
    return StatementProposed(statement)


# --- facilitators ---------------------------------------------------------------------------


async def list_statements(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, consultation: str | int
) -> StatementsView | ConsultationNotFound | NotAllowed:
    if actor.role not in STATEMENT_ROLES:
        return NotAllowed("statements")
    async with uow_factory() as uow:
        found = await _consultation(uow, consultation)
        if found is None or found.id is None:
            return ConsultationNotFound(str(consultation)[:64])
        every = await uow.statements.list_for_consultation(found.id)
        counts = await uow.statements.vote_counts(found.id)
        title = await _title(uow, found)

    def lines(status: StatementStatus) -> tuple[StatementLine, ...]:
        return tuple(
            StatementLine(s, counts.get(s.id or 0, 0)) for s in every if s.status is status
        )

    return StatementsView(
        found.id,
        found.slug,
        title,
        lines(StatementStatus.PENDING),
        lines(StatementStatus.ACCEPTED),
        sum(1 for s in every if s.status is StatementStatus.REJECTED),
    )


async def draft_from_theme(
    uow_factory: UnitOfWorkFactory,
    actor: Actor,
    consultation_id: int,
    theme_id: int,
    scrub: Scrubber,
) -> StatementDraft | StatementNotFound | NotAllowed:
    """The theme's label and best quote, for the facilitator to edit (nothing is stored)."""
    if actor.role not in STATEMENT_ROLES:
        return NotAllowed("statement.draft")
    async with uow_factory() as uow:
        found = await uow.themes.get(theme_id)
    if found is None or found[1] != consultation_id or found[0].kind != "theme":
        return StatementNotFound(theme_id)
    theme = found[0]
    quote = next((str(q.get("text", "")) for q in theme.quotes if q.get("text")), "")
    text = clean_text(theme.label)
    if quote:
        text = f"{text}: {clean_text(scrub(quote))}"
    if len(text) > MAX_LENGTH:
        text = text[: MAX_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return StatementDraft(consultation_id, theme_id, text)


async def write_statement(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    text: str,
    language: str | None = None,
    theme_id: int | None = None,
) -> StatementSaved | CannotVote | ConsultationNotFound | NotAllowed:
    """A facilitator's statement: accepted at once (a closed consultation takes none)."""
    if actor.role not in STATEMENT_ROLES:
        return NotAllowed("statement.write")
    text = clean_text(text)
    problem = _length_problem(text)
    if problem is not None:
        return CannotVote(problem)
    async with uow_factory() as uow:
        consultation = await uow.consultations.get(consultation_id)
        if consultation is None:
            return ConsultationNotFound(str(consultation_id))
        if consultation.status is ConsultationStatus.CLOSED:
            return CannotVote("closed")
        if theme_id is not None:
            theme = await uow.themes.get(theme_id)
            if theme is None or theme[1] != consultation_id:
                theme_id = None  # the theme went away meanwhile: keep the words, not the link
        statement = await uow.statements.add(
            Statement(
                consultation_id,
                text,
                StatementStatus.ACCEPTED,
                language=language,
                theme_id=theme_id,
                created_at=clock.now(),
            )
        )
        await _audit(
            uow,
            clock,
            "statement.written",
            actor,
            f"statement:{statement.id}",
            consultation=consultation.slug,
            **({"theme": theme_id} if theme_id is not None else {}),
        )
        await uow.commit()
    return StatementSaved(statement)


async def review_statement(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    consultation_id: int,
    statement_id: int,
    accept: bool,
) -> StatementSaved | StatementNotFound | NotAllowed:
    """Accept or reject a statement of that consultation; a repeated tap changes nothing."""
    if actor.role not in STATEMENT_ROLES:
        return NotAllowed("statement.review")
    status = StatementStatus.ACCEPTED if accept else StatementStatus.REJECTED
    async with uow_factory() as uow:
        statement = await uow.statements.get(statement_id)
        if statement is None or statement.consultation_id != consultation_id:
            return StatementNotFound(statement_id)
        consultation = await uow.consultations.get(consultation_id)
        if consultation is None or consultation.status is ConsultationStatus.CLOSED:
            return StatementNotFound(statement_id)
        changed = await uow.statements.set_status(statement_id, status)
        if changed:
            await _audit(
                uow,
                clock,
                f"statement.{status.value}",
                actor,
                f"statement:{statement_id}",
                consultation=consultation.slug,
            )
            await uow.commit()
        statement.status = status
    return StatementSaved(statement, changed)


# --- analysis -------------------------------------------------------------------------------


async def read_voting(uow: UnitOfWork, consultation_id: int) -> tuple[list[Vote], dict[int, str]]:
    """The consultation's votes as the analyser takes them, and the accepted statements' words."""
    stored = await uow.votes.for_consultation(consultation_id)
    accepted = await uow.statements.list_for_consultation(consultation_id, StatementStatus.ACCEPTED)
    texts = {s.id: s.text for s in accepted if s.id is not None}
    votes = [Vote(v.participant_id, v.statement_id, VoteValue(v.value)) for v in stored]
    return votes, texts


async def voting_report(
    votes: Sequence[Vote], texts: dict[int, str], analyser: VotingAnalyser
) -> VotingReport | None:
    """``None`` when nobody voted: the report and ``/consensus`` then say so. The analysis
    (PCA, k-means) runs in a worker thread, off the event loop that serves the chat (the bot's
    analyser waits there for its child process). An analyser that fails gives a report marked
    ``failed``, so the reply and the report can say so instead of failing as a whole."""
    if not votes:
        return None
    try:
        analysis = await asyncio.to_thread(analyser.analyse, votes)
    except VotingAnalysisFailed:  # only the number of voters is known
        voters = len({vote.participant for vote in votes})
        return VotingReport(VotingAnalysis(participants_voting=voters), dict(texts), failed=True)
    return VotingReport(analysis, dict(texts))


async def consensus(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    slug: str,
    analyser: VotingAnalyser,
) -> ConsensusView | NoVotes | ConsultationNotFound | NotAllowed:
    """``/consensus``: opinion groups, consensus and divisive statements (audited)."""
    allowed = actor.role in CONSENSUS_ROLES
    async with uow_factory() as uow:
        await _audit(uow, clock, "consensus" if allowed else "denied", actor, slug[:64])
        await uow.commit()
        if not allowed:
            return NotAllowed("consensus")
        found = await _consultation(uow, slug)
        if found is None or found.id is None:
            return ConsultationNotFound(slug[:64])
        votes, texts = await read_voting(uow, found.id)
        title = await _title(uow, found)
    report = await voting_report(votes, texts, analyser)
    if report is None:
        return NoVotes(found.slug)
    voters = len({v.participant for v in votes})
    return ConsensusView(found.slug, title, report, statements=len(texts), voters=voters)
