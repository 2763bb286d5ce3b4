"""Ports: what the domain needs from the outside world, as Protocols.

Storage implements the repositories and the unit of work; ``bot`` supplies the clock and the
pepper. Use cases depend only on these, so they run the same against SQLite, PostgreSQL or the
in-memory fakes the unit tests use. A unit of work rolls back unless the use case commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from surveys.entities import (
    Answer,
    AuditEntry,
    BatchSummary,
    Consultation,
    ConsultationStatus,
    Contact,
    FreeText,
    Idea,
    Invitation,
    ModeratedText,
    OutboxMessage,
    OutboxProgress,
    Participant,
    Participation,
    ParticipationStatus,
    Recipient,
    RetentionOutcome,
    ScheduleItem,
    StaffMember,
    Statement,
    StatementStatus,
    SurveyVersion,
    Theme,
    ThemeCuration,
    ThemeMembership,
    ThemeRun,
)
from surveys.entities import Vote as StoredVote
from surveys.reporting import AnswerRecord, IdeaRecord, ParticipationRecord, ReportData
from surveys.stats import DailyChart, DayCount, DropOffChart, ParticipationCounts, QuestionCounts
from surveys.themes import (
    Clustered,
    CuratedGroup,
    CurationStep,
    ProgressCallback,
    Quote,
    TextRef,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, time-zone aware (UTC)."""
        ...


class ConsultationRepository(Protocol):
    async def get(self, consultation_id: int) -> Consultation | None: ...

    async def get_by_slug(self, slug: str) -> Consultation | None: ...

    async def list(self, status: ConsultationStatus | None = None) -> Sequence[Consultation]: ...

    async def add(self, consultation: Consultation) -> Consultation:
        """Insert and return it with its ``id`` set."""
        ...

    async def update(self, consultation: Consultation) -> None: ...

    async def add_version(self, version: SurveyVersion) -> None: ...

    async def get_version(self, consultation_id: int, number: int) -> SurveyVersion | None: ...

    async def latest_version(self, consultation_id: int) -> SurveyVersion | None: ...

    async def free_texts(self, consultation_id: int) -> Sequence[FreeText]:
        """Every free-text answer and idea of the consultation (the pool themes are made of)."""
        ...


class ParticipantRepository(Protocol):
    async def get(self, participant_id: int) -> Participant | None: ...

    async def get_by_pseudonym(self, pseudonym: str) -> Participant | None: ...

    async def add(self, participant: Participant) -> Participant: ...

    async def update(self, participant: Participant) -> None: ...

    async def delete(self, participant_id: int) -> None:
        """Erase the person: contact, participations, answers, ideas, votes go with them."""
        ...

    async def set_contact(self, contact: Contact) -> None: ...

    async def get_contact(self, participant_id: int) -> Contact | None: ...

    async def follow(self, participant_id: int, project: str) -> None:
        """Subscribe to a project's announcements (following twice is one follow)."""
        ...

    async def unfollow(self, participant_id: int, project: str | None = None) -> int:
        """End one project's announcements, or every one with ``None``; how many ended."""
        ...

    async def followed_projects(self, participant_id: int) -> Sequence[str]:
        """The projects this participant follows, by name."""
        ...

    async def block(self, participant_id: int, at: datetime) -> bool:
        """Block the participant; False when there is none or they already are blocked."""
        ...

    async def unblock(self, participant_id: int) -> bool:
        """Lift a block; False when there is no such blocked participant."""
        ...

    async def list_blocked(self) -> Sequence[Participant]:
        """Blocked participants, most recently blocked first."""
        ...


class ParticipationRepository(Protocol):
    async def get(self, participation_id: int) -> Participation | None: ...

    async def find(self, participant_id: int, consultation_id: int) -> Participation | None: ...

    async def add(self, participation: Participation) -> Participation: ...

    async def update(self, participation: Participation) -> None: ...

    async def list_for_participant(self, participant_id: int) -> Sequence[Participation]: ...

    async def count(
        self, consultation_id: int, status: ParticipationStatus | None = None
    ) -> int: ...


class AnswerRepository(Protocol):
    async def for_participation(self, participation_id: int) -> Sequence[Answer]: ...

    async def put(self, answer: Answer) -> None:
        """Insert or replace the answer to (participation, question)."""
        ...

    async def delete(self, participation_id: int, question_keys: Sequence[str]) -> None: ...

    async def count(self, consultation_id: int) -> int: ...

    async def moderated(self, answer_id: int) -> ModeratedText | None:
        """One answer with its author's pseudonym (previews and withdrawals left out)."""
        ...

    async def for_moderation(
        self, consultation_id: int, free_text_keys: Collection[tuple[int, str]]
    ) -> Sequence[ModeratedText]:
        """Non-blank free-text answers, hidden ones included, newest first; ``free_text_keys``
        are the (survey version, question key) pairs that are free text."""
        ...

    async def set_hidden(self, answer_id: int, hidden_at: datetime | None) -> bool:
        """Hide (a time) or show again (``None``); False when nothing changed."""
        ...


class IdeaRepository(Protocol):
    async def add(self, idea: Idea) -> Idea: ...

    async def list_for_consultation(self, consultation_id: int) -> Sequence[Idea]: ...

    async def list_for_participant(self, participant_id: int) -> Sequence[Idea]: ...

    async def moderated(self, idea_id: int) -> ModeratedText | None: ...

    async def for_moderation(self, consultation_id: int) -> Sequence[ModeratedText]:
        """Every idea of the consultation, hidden ones included, newest first."""
        ...

    async def set_hidden(self, idea_id: int, hidden_at: datetime | None) -> bool:
        """Hide (a time) or show again (``None``); False when nothing changed."""
        ...


class ProcessedUpdateRepository(Protocol):
    async def claim(self, update_id: int) -> bool:
        """Record ``update_id``; False when it was already recorded (a redelivery)."""
        ...

    async def is_processed(self, update_id: int) -> bool:
        """Whether ``update_id`` was recorded by a committed unit of work."""
        ...


class AuditRepository(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...

    async def list(self, limit: int = 50) -> Sequence[AuditEntry]:
        """The latest ``limit`` entries, newest first."""
        ...


class StaffRepository(Protocol):
    """Staff members; one row per Telegram user, revoked rows kept for the audit trail."""

    async def get(self, staff_id: int) -> StaffMember | None: ...

    async def get_by_telegram_user(self, telegram_user_id: int) -> StaffMember | None:
        """The member's row, revoked or not."""
        ...

    async def add(self, member: StaffMember) -> StaffMember: ...

    async def update(self, member: StaffMember) -> None: ...

    async def revoke(self, staff_id: int, at: datetime) -> bool:
        """Revoke an active member; False when there is none with that id (or already revoked)."""
        ...

    async def list_active(self) -> Sequence[StaffMember]: ...


class InvitationRepository(Protocol):
    async def add(self, invitation: Invitation) -> Invitation: ...

    async def claim(self, token: str, now: datetime) -> Invitation | None:
        """Mark the invitation used if it is unused and not expired, atomically; the claimed
        invitation, or ``None`` (a second claim of the same token always gets ``None``)."""
        ...

    async def get(self, token: str) -> Invitation | None: ...


class ScheduleRepository(Protocol):
    """Schedule items: opens, closes, reminders and retention, as rows with due times."""

    async def add(self, item: ScheduleItem) -> ScheduleItem: ...

    async def for_consultation(self, consultation_id: int) -> Sequence[ScheduleItem]:
        """Every item of the consultation, whatever its status, by due time."""
        ...

    async def cancel(self, item_id: int) -> bool:
        """Cancel a pending item; False when it was no longer pending."""
        ...

    async def claim_due(
        self, now: datetime, worker: str, skip: Collection[int] = ()
    ) -> ScheduleItem | None:
        """Claim the earliest pending item due at ``now`` (ids in ``skip`` aside) for this
        transaction, or ``None``.

        Atomic: two transactions never claim the same item (``FOR UPDATE SKIP LOCKED`` on
        PostgreSQL, a conditional UPDATE on SQLite). The claim is ``RUNNING`` until ``finish``
        in the same transaction; a rollback makes the item pending again.
        """
        ...

    async def finish(self, item_id: int, now: datetime) -> None: ...


class OutboxRepository(Protocol):
    """The persistent outbox; rows are unique by ``dedupe_key``."""

    async def enqueue(self, messages: Sequence[OutboxMessage]) -> int:
        """Insert the messages whose ``dedupe_key`` is new; how many were inserted."""
        ...

    async def progress(self, batch: str) -> OutboxProgress: ...

    async def recent_batches(self, prefix: str, limit: int) -> Sequence[BatchSummary]:
        """The latest ``limit`` batches whose name starts with ``prefix``, newest first."""
        ...


class AudienceRepository(Protocol):
    """Who a bulk message may go to: reachable people with a contact who did not /stop."""

    async def participants_of(
        self, consultation_id: int, *, unfinished_only: bool = False
    ) -> Sequence[Recipient]:
        """Participants of the consultation (previews excluded), by participant id."""
        ...

    async def followers_of(self, project: str) -> Sequence[Recipient]: ...

    async def due_for_reminder(
        self, consultation_id: int, max_reminders: int
    ) -> Sequence[Recipient]:
        """Who started and did not finish and had fewer than ``max_reminders`` reminders."""
        ...

    async def note_reminded(self, participation_ids: Sequence[int]) -> None:
        """Count one more reminder for each of these participations."""
        ...


class LeaderLockRepository(Protocol):
    async def acquire(self, name: str, holder: str, now: datetime, expires_at: datetime) -> bool:
        """Take or renew the lock until ``expires_at``; False while someone else holds it."""
        ...

    async def release(self, name: str, holder: str) -> None: ...


class RetentionRepository(Protocol):
    async def anonymise_consultation(self, consultation_id: int) -> RetentionOutcome:
        """Cut every answer, idea and vote of the consultation loose from its author and
        erase the authors who have nothing else left (pseudonym, contact, follows)."""
        ...


class StatsRepository(Protocol):
    """Aggregates for live statistics, computed by the database (never every answer in
    Python). Preview participations never count; withdrawn ones only in ``withdrawn``."""

    async def participation_counts(self, consultation_id: int) -> ParticipationCounts: ...

    async def median_completion_seconds(self, consultation_id: int) -> float | None:
        """Median seconds from start to submission of completed participations, or ``None``."""
        ...

    async def question_counts(self, consultation_id: int) -> Sequence[QuestionCounts]:
        """Per question key that anyone answered or stopped at, in no particular order."""
        ...

    async def answers_per_day(self, consultation_id: int, timezone: str) -> Sequence[DayCount]:
        """Answers per calendar day in ``timezone`` (days without answers left out), by day."""
        ...

    async def ideas_per_day(self, consultation_id: int, timezone: str) -> Sequence[DayCount]:
        """Ideas not hidden by moderation per calendar day in ``timezone``, by day."""
        ...


class ChartRenderer(Protocol):
    """Draws statistics as PNG images (``reports.charts``); texts arrive translated."""

    def daily(self, chart: DailyChart) -> bytes: ...

    def drop_off(self, chart: DropOffChart) -> bytes: ...


class ThemeRepository(Protocol):
    """Theme runs, themes, memberships and staff curations of a consultation.

    A theme row is the theme's identity: a re-clustering moves the rows that continue into
    its new run (keeping their ids) and deletes the ones that ended, so the "current" themes
    of a consultation are those of its latest run, ``other`` bucket included.
    """

    async def add_run(self, run: ThemeRun) -> ThemeRun: ...

    async def latest_run(self, consultation_id: int) -> ThemeRun | None: ...

    async def current(self, consultation_id: int) -> Sequence[Theme]:
        """The latest run's themes (``kind`` theme and other), by position."""
        ...

    async def get(self, theme_id: int) -> tuple[Theme, int] | None:
        """A theme and its consultation id."""
        ...

    async def save(self, run_id: int, themes: Sequence[Theme]) -> list[Theme]:
        """Insert themes without an id, move the others into ``run_id`` and update them."""
        ...

    async def delete(self, theme_ids: Collection[int]) -> None: ...

    async def memberships(self, consultation_id: int) -> Sequence[ThemeMembership]:
        """Who is in which current theme (the ``other`` bucket included)."""
        ...

    async def replace_memberships(
        self, theme_ids: Collection[int], memberships: Sequence[ThemeMembership]
    ) -> None:
        """Drop every membership of ``theme_ids`` and insert ``memberships`` (in bulk)."""
        ...

    async def add_memberships(self, memberships: Sequence[ThemeMembership]) -> None: ...

    async def remove_memberships(
        self, theme_ids: Collection[int], refs: Collection[TextRef]
    ) -> None: ...

    async def text_authors(self, consultation_id: int) -> dict[TextRef, int]:
        """The participant behind each free text (minimum group size counts people)."""
        ...

    async def forget_texts(self, refs: Collection[TextRef]) -> int:
        """Erasure: drop these texts' memberships and quotes everywhere; the rows touched."""
        ...

    async def add_curation(self, curation: ThemeCuration) -> ThemeCuration: ...

    async def curations(self, consultation_id: int) -> Sequence[ThemeCuration]:
        """Staff edits in the order they were made."""
        ...

    async def text_times(self, consultation_id: int) -> dict[TextRef, datetime]:
        """When each free text of the consultation was written (answers and ideas)."""
        ...


class VectorStore(Protocol):
    """The database's vector cache, keyed by (raw-text SHA-256, backend, model)."""

    async def get_many(
        self, backend: str, model: str | None, hashes: Collection[str]
    ) -> dict[str, bytes]: ...

    async def put_many(
        self, backend: str, model: str | None, dimensions: int, vectors: dict[str, bytes]
    ) -> None:
        """Insert the missing ones (an existing key is kept: same text, same vector)."""
        ...

    async def forget(self, hashes: Collection[str]) -> int:
        """Drop these texts' vectors for every backend (erasure)."""
        ...


class ThemeEngine(Protocol):
    """Clusters and assigns free texts (``nlp.service``); runs its CPU work off the loop.

    ``cacheable`` is False for corpus-fitted backends (tfidf): their vectors are not per text,
    so the domain neither reads nor writes the vector cache for them.
    """

    backend: str
    model: str | None
    cacheable: bool

    async def vectorise(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> list[bytes]:
        """One vector per text (computed from the scrubbed text)."""
        ...

    async def cluster(
        self,
        texts: Sequence[str],
        vectors: Sequence[bytes] | None,
        authors: Sequence[int],
        min_group_size: int,
        progress: ProgressCallback | None = None,
    ) -> Clustered: ...

    async def assign(
        self,
        texts: Sequence[str],
        vectors: Sequence[bytes] | None,
        groups: Sequence[Sequence[int]],
        new: Sequence[int],
    ) -> list[int | None]:
        """For each index in ``new``: the index of the nearest group, or None ("other")."""
        ...

    async def quotes(
        self,
        texts: Sequence[str],
        vectors: Sequence[bytes] | None,
        groups: Sequence[Sequence[int]],
        count: int = 3,
    ) -> list[list[Quote]]:
        """Central, diverse verbatim quotes of the scrubbed texts, per group."""
        ...

    def carry_over(
        self,
        previous: dict[int, CuratedGroup],
        current: Sequence[CuratedGroup],
        curations: Sequence[CurationStep],
        fresh_ids: Callable[[], int],
    ) -> dict[int, CuratedGroup]:
        """Match ``current`` to ``previous`` by membership overlap, then replay curations.

        Continuing groups keep their previous id; new ones take ids from ``fresh_ids``.
        """
        ...


class StatementRepository(Protocol):
    """Statements citizens vote on (``surveys.usecases.voting``)."""

    async def add(self, statement: Statement) -> Statement: ...

    async def get(self, statement_id: int) -> Statement | None: ...

    async def list_for_consultation(
        self, consultation_id: int, status: StatementStatus | None = None
    ) -> Sequence[Statement]:
        """By id; only those with ``status`` when given."""
        ...

    async def list_for_participant(self, participant_id: int) -> Sequence[Statement]:
        """The statements this person proposed, by id."""
        ...

    async def set_status(self, statement_id: int, status: StatementStatus) -> bool:
        """False when it already had that status (a repeated tap)."""
        ...

    async def next_for(self, consultation_id: int, participant_id: int) -> Statement | None:
        """An accepted statement the person has not voted on: fewest votes first, then oldest."""
        ...

    async def vote_counts(self, consultation_id: int) -> dict[int, int]:
        """Votes per statement of the consultation (statements without votes left out)."""
        ...


class VoteRepository(Protocol):
    async def get(self, statement_id: int, participant_id: int) -> StoredVote | None: ...

    async def cast(self, vote: StoredVote) -> None:
        """Insert, or change the value of, the one vote per (participant, statement)."""
        ...

    async def count_for(self, consultation_id: int, participant_id: int) -> int:
        """How many of the consultation's accepted statements this person voted on."""
        ...

    async def for_consultation(self, consultation_id: int) -> Sequence[StoredVote]:
        """Votes on accepted statements by people with a real participation in the
        consultation (no staff preview, not withdrawn)."""
        ...

    async def list_for_participant(self, participant_id: int) -> Sequence[StoredVote]: ...


class ReportRepository(Protocol):
    """What the policy report reads (``surveys.usecases.reports``). Previews, withdrawn
    participations and hidden answers or ideas are never returned; nothing identifies a
    person (no pseudonym, no Telegram id)."""

    async def participations(self, consultation_id: int) -> Sequence[ParticipationRecord]: ...

    async def answers(self, consultation_id: int) -> Sequence[AnswerRecord]:
        """Visible answers of those participations, by answer id."""
        ...

    async def ideas(self, consultation_id: int) -> Sequence[IdeaRecord]:
        """Visible ideas, each with its author's participation in the consultation if any."""
        ...


class ReportRenderer(Protocol):
    """Renders a report's data as files (``reports``); ``language`` is ``it`` or ``en``."""

    def html(self, data: ReportData, language: str) -> bytes: ...

    def xlsx(self, data: ReportData, language: str) -> bytes: ...

    def csv(self, data: ReportData, language: str) -> bytes: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the ``async with`` block without ``commit()`` rolls back.

    The repositories are read-only properties so that an implementation may declare its own
    repository classes (a mutable Protocol attribute would have to be exactly this type).
    """

    @property
    def consultations(self) -> ConsultationRepository: ...

    @property
    def participants(self) -> ParticipantRepository: ...

    @property
    def participations(self) -> ParticipationRepository: ...

    @property
    def answers(self) -> AnswerRepository: ...

    @property
    def ideas(self) -> IdeaRepository: ...

    @property
    def updates(self) -> ProcessedUpdateRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def staff(self) -> StaffRepository: ...

    @property
    def invitations(self) -> InvitationRepository: ...

    @property
    def schedule(self) -> ScheduleRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def audience(self) -> AudienceRepository: ...

    @property
    def leader_locks(self) -> LeaderLockRepository: ...

    @property
    def retention(self) -> RetentionRepository: ...

    @property
    def stats(self) -> StatsRepository: ...

    @property
    def themes(self) -> ThemeRepository: ...

    @property
    def vectors(self) -> VectorStore: ...

    @property
    def reports(self) -> ReportRepository: ...

    @property
    def statements(self) -> StatementRepository: ...

    @property
    def votes(self) -> VoteRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


# A run's end, as the chat hears of it: a unit-of-work factory of its own (the update that
# asked for the run is long over) and whether the run worked.
ThemesFinished = Callable[[UnitOfWorkFactory, bool], Awaitable[None]]


class ThemesRunner(Protocol):
    """Full re-clustering of one consultation in the background (``bot.themes_worker``)."""

    def busy(self, slug: str) -> bool:
        """A run asked for through :meth:`run_full` is queued or running for ``slug``."""
        ...

    def run_full(self, slug: str, progress: ProgressCallback, finished: ThemesFinished) -> bool:
        """Start it unless one is already queued or running for ``slug`` (then False).

        ``progress`` may be called from a worker thread; ``finished`` runs on the loop.
        """
        ...
