"""The records every adapter shares: consultations, people, answers, themes, votes, staff.

Storage maps them to tables, dialogs and reports read them, nlp produces themes. They are
plain dataclasses with no framework in sight. ``id`` is ``None`` until storage assigns one.
Times are time-zone aware (UTC) datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from surveys.definition import AnswerValue, Mode, SurveyDefinition


class ConsultationStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


@dataclass
class Consultation:
    slug: str
    project: str
    mode: Mode
    status: ConsultationStatus = ConsultationStatus.DRAFT
    current_version: int = 1
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    results_published: bool = False
    created_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class SurveyVersion:
    """One published, immutable version of a consultation's survey."""

    consultation_id: int
    number: int
    content_hash: str
    definition: SurveyDefinition
    created_at: datetime | None = None


@dataclass
class Participant:
    """A citizen, pseudonymous: ``pseudonym`` is HMAC(pepper, telegram user id)."""

    pseudonym: str
    language: str = "it"
    consent_version: str | None = None
    consented_at: datetime | None = None
    reminders_stopped: bool = False
    unreachable: bool = False
    created_at: datetime | None = None
    id: int | None = None
    blocked_at: datetime | None = None  # blocked by a facilitator: messages ignored politely


@dataclass
class Contact:
    """How to reach a participant: kept apart so that erasure removes it with the person."""

    participant_id: int
    chat_id: int


class ParticipationStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


@dataclass
class Participation:
    """One participant taking one consultation; ``current_question`` is the resume position.

    ``current_question`` is ``None`` when every visible question is answered (the summary).
    """

    participant_id: int
    consultation_id: int
    version: int
    consent_version: str | None = None
    current_question: str | None = None
    status: ParticipationStatus = ParticipationStatus.IN_PROGRESS
    is_preview: bool = False
    reminders_sent: int = 0
    started_at: datetime | None = None
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    id: int | None = None


@dataclass
class Answer:
    """One answer; ``value`` is ``None`` when the question was skipped."""

    participation_id: int
    question_key: str
    value: AnswerValue | None
    version: int
    answered_at: datetime | None = None
    id: int | None = None
    hidden_at: datetime | None = None  # hidden by a facilitator: left out of themes and reports


@dataclass
class Idea:
    """Free text sent to a listening consultation; joins its free-text pool."""

    consultation_id: int
    participant_id: int | None
    text: str
    language: str | None = None
    created_at: datetime | None = None
    id: int | None = None
    hidden_at: datetime | None = None  # hidden by a facilitator: left out of themes and reports


class TextSource(StrEnum):
    """Where a free text of the pool comes from."""

    ANSWER = "answer"
    IDEA = "idea"


@dataclass(frozen=True)
class FreeText:
    """One entry of a consultation's free-text pool, as nlp reads it."""

    source: TextSource
    source_id: int
    text: str
    question_key: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class ModeratedText:
    """A free-text answer or an idea as a facilitator moderates it: the text, whether it is
    hidden, and its author only as a participant id and pseudonym (never who they are)."""

    source: TextSource
    source_id: int
    text: str
    author_id: int | None
    author_pseudonym: str | None
    created_at: datetime | None = None
    hidden_at: datetime | None = None
    question_key: str | None = None


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    ANALYST = "analyst"


@dataclass
class StaffMember:
    """Staff are not pseudonymous: they act for the city and are audited by name."""

    telegram_user_id: int
    role: Role
    display_name: str = ""
    created_at: datetime | None = None
    revoked_at: datetime | None = None
    id: int | None = None


@dataclass
class Invitation:
    token: str
    role: Role
    created_by: int | None
    expires_at: datetime
    used_at: datetime | None = None
    id: int | None = None


class ScheduleKind(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    REMINDER = "reminder"
    RETENTION = "retention"
    THEMES = "themes"  # nightly re-clustering of an open consultation's themes


class ScheduleStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass
class ScheduleItem:
    consultation_id: int
    kind: ScheduleKind
    due_at: datetime
    status: ScheduleStatus = ScheduleStatus.PENDING
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    done_at: datetime | None = None
    id: int | None = None


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


@dataclass
class OutboxMessage:
    """A message waiting to go out; ``dedupe_key`` makes enqueueing idempotent."""

    dedupe_key: str
    payload: dict[str, Any]
    participant_id: int | None = None
    chat_id: int | None = None  # staff chats only; citizens are reached through their Contact
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    not_before: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    id: int | None = None
    batch: str | None = None  # the bulk send it belongs to (progress is counted per batch)
    sending_at: datetime | None = None  # when it was last marked SENDING


@dataclass(frozen=True)
class Recipient:
    """Someone a bulk message or reminder goes to (a participant with a contact)."""

    participant_id: int
    language: str
    participation_id: int | None = None


@dataclass(frozen=True)
class OutboxProgress:
    """Where a batch of the outbox stands; ``sending`` rows are in flight (or were, at a crash)."""

    sent: int = 0
    failed: int = 0  # failed for good, unreachable included
    pending: int = 0
    sending: int = 0

    @property
    def remaining(self) -> int:
        return self.pending + self.sending

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.remaining


@dataclass(frozen=True)
class BatchSummary:
    """A bulk send as ``/broadcasts`` lists it: its progress and a sample of its text."""

    batch: str
    progress: OutboxProgress
    created_at: datetime | None = None
    sample: str = ""


@dataclass(frozen=True)
class RetentionOutcome:
    """What erasing a consultation's personal data at the end of its retention period did."""

    participations_anonymised: int = 0
    ideas_anonymised: int = 0
    votes_anonymised: int = 0
    participants_erased: int = 0


@dataclass
class ThemeRun:
    consultation_id: int | None
    backend: str
    model: str | None
    k: int
    params: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    id: int | None = None


@dataclass
class Theme:
    run_id: int
    label: str
    keywords: list[str] = field(default_factory=list)
    size: int = 0
    hidden: bool = False
    position: int = 0
    # ``{"text", "source", "source_id"}``: the source lets erasure drop a person's quotes.
    quotes: list[dict[str, Any]] = field(default_factory=list)
    id: int | None = None
    kind: str = "theme"  # or "other": the run's bucket for texts in no theme


@dataclass(frozen=True)
class ThemeMembership:
    theme_id: int
    source: TextSource
    source_id: int


@dataclass(frozen=True)
class VectorRef:
    """A cached text vector: which text (SHA-256 of the raw text), which backend/model, the
    float32 bytes themselves (``vector_cache.vector``)."""

    text_hash: str
    backend: str
    model: str | None
    dimensions: int
    vector: bytes


@dataclass
class ThemeCuration:
    """A staff edit of themes (rename, merge, split, move, hide), replayed after re-clustering."""

    consultation_id: int
    action: str
    detail: dict[str, Any]
    staff_id: int | None = None
    created_at: datetime | None = None
    id: int | None = None


class StatementStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass
class Statement:
    consultation_id: int
    text: str
    status: StatementStatus = StatementStatus.PENDING
    language: str | None = None
    theme_id: int | None = None
    proposed_by: int | None = None  # participant id, when a citizen proposed it
    created_at: datetime | None = None
    id: int | None = None


# Pol.is coding of a vote.
AGREE, DISAGREE, PASS = 1, -1, 0


@dataclass
class Vote:
    statement_id: int
    participant_id: int
    value: int
    voted_at: datetime | None = None


@dataclass
class AuditEntry:
    action: str
    actor_staff_id: int | None = None
    target: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None
    id: int | None = None
