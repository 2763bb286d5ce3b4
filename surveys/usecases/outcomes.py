"""What use cases return: small frozen records, one per outcome, told apart by type.

Use cases do not raise for things a citizen can cause (a stale button, a closed consultation, an
invalid answer): they return an outcome and the dialog picks the message. Exceptions are left
for programming errors and broken storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from surveys.definition import AnswerValue, Question, SurveyDefinition
from surveys.entities import Consultation, ConsultationStatus, Idea, Participant, Participation
from surveys.rejections import Rejection

# --- consultations ---------------------------------------------------------------------------


class LoadChange(StrEnum):
    CREATED = "created"
    NEW_VERSION = "new version"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class LoadResult:
    """What loading a survey file did to its consultation."""

    slug: str
    consultation_id: int
    change: LoadChange
    version: int
    status: ConsultationStatus
    schedule_changed: bool = False


@dataclass(frozen=True)
class StatusChanged:
    consultation: Consultation
    previous: ConsultationStatus


@dataclass(frozen=True)
class OpenConsultation:
    """An open consultation with the definition a new participant would answer."""

    consultation: Consultation
    definition: SurveyDefinition


# --- refusals shared by many use cases --------------------------------------------------------


@dataclass(frozen=True)
class ConsultationNotFound:
    slug: str


@dataclass(frozen=True)
class ConsultationNotOpen:
    """Not open yet (draft or scheduled)."""

    consultation: Consultation


@dataclass(frozen=True)
class ConsultationClosed:
    """Closed by status or because its closing time has passed: nothing more is accepted."""

    consultation: Consultation


@dataclass(frozen=True)
class ParticipantNotFound:
    participant_id: int


@dataclass(frozen=True)
class ParticipationNotFound:
    participation_id: int


@dataclass(frozen=True)
class ConsentRequired:
    """The citizen must accept the privacy notice of this definition before anything is stored."""

    consultation: Consultation
    definition: SurveyDefinition
    participation: Participation | None = None


@dataclass(frozen=True)
class AlreadySubmitted:
    participation: Participation


# --- taking part -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a participation stands: the question to ask, or ``None`` for the summary."""

    participation: Participation
    definition: SurveyDefinition
    answers: Mapping[str, AnswerValue | None]
    question: Question | None
    visible: tuple[Question, ...] = field(default=())

    @property
    def at_summary(self) -> bool:
        return self.question is None

    @property
    def step(self) -> int:
        """1-based number of the current question among the visible ones (0 at the summary)."""
        if self.question is None:
            return 0
        keys = [q.key for q in self.visible]
        return keys.index(self.question.key) + 1 if self.question.key in keys else 0


@dataclass(frozen=True)
class Started:
    position: Position
    resumed: bool


@dataclass(frozen=True)
class ConsentGiven:
    participation: Participation


@dataclass(frozen=True)
class ConsentWithdrawn:
    participation: Participation
    answers_deleted: int


@dataclass(frozen=True)
class NothingToWithdraw:
    slug: str


@dataclass(frozen=True)
class Accepted:
    """The answer is stored; ``position`` is the next question or the summary."""

    position: Position


@dataclass(frozen=True)
class Rejected:
    """The answer is invalid; nothing was stored and the question stays the same."""

    rejection: Rejection
    position: Position


@dataclass(frozen=True)
class AlreadyRecorded:
    """A stale or double tap (another question or survey version): nothing was written."""

    position: Position


@dataclass(frozen=True)
class Moved:
    """Back or edit moved the position; no answer was changed."""

    position: Position


@dataclass(frozen=True)
class NotEditable:
    """The question is unknown, hidden or unanswered, so it cannot be edited."""

    question_key: str
    position: Position


@dataclass(frozen=True)
class Incomplete:
    """Submit refused: a visible question still lacks an (valid) answer."""

    position: Position


@dataclass(frozen=True)
class Submitted:
    participation: Participation


# --- ideas -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdeaRecorded:
    idea: Idea


@dataclass(frozen=True)
class IdeaRejected:
    rejection: Rejection


# --- people ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    participant: Participant
    created: bool


StartOutcome = (
    Started
    | ConsentRequired
    | AlreadySubmitted
    | ConsultationNotFound
    | ConsultationNotOpen
    | ConsultationClosed
    | ParticipantNotFound
)
ConsentOutcome = (
    ConsentGiven
    | ConsultationNotFound
    | ConsultationNotOpen
    | ConsultationClosed
    | ParticipantNotFound
)
WithdrawOutcome = ConsentWithdrawn | NothingToWithdraw | ConsultationNotFound
AnswerOutcome = (
    Accepted
    | Rejected
    | AlreadyRecorded
    | AlreadySubmitted
    | ConsentRequired
    | ConsultationClosed
    | ParticipationNotFound
)
MoveOutcome = (
    Moved
    | NotEditable
    | AlreadyRecorded
    | AlreadySubmitted
    | ConsentRequired
    | ConsultationClosed
    | ParticipationNotFound
)
SubmitOutcome = (
    Submitted
    | AlreadySubmitted
    | Incomplete
    | ConsentRequired
    | ConsultationClosed
    | ParticipationNotFound
)
IdeaOutcome = (
    IdeaRecorded
    | IdeaRejected
    | ConsentRequired
    | ConsultationNotFound
    | ConsultationNotOpen
    | ConsultationClosed
    | ParticipantNotFound
)
StatusOutcome = StatusChanged | ConsultationNotFound
