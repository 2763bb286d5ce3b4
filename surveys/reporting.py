"""Records of the policy report: the rows storage reads for it and what the renderers draw.

Storage answers the report's queries with the plain ``*Record`` rows below (only what a report
may show: no pseudonym, no Telegram id, no contact). ``surveys.usecases.reports`` turns them
into one frozen ``ReportData``, which ``reports`` renders as HTML, XLSX and CSV without asking
the database anything else. Every breakdown cell below the minimum group size is already
``None`` here ("fewer than N"), so no renderer can print a small number by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from surveys.definition import AnswerValue, LocalizedText, Question, QuestionType
from surveys.voting import VotingReport

# --- what storage reads ----------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipationRecord:
    """A real citizen's participation (previews and withdrawn ones are never read)."""

    participation_id: int
    version: int
    submitted: bool
    started_at: datetime
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class AnswerRecord:
    """One answer; ``value`` is ``None`` for a skip; ``hidden``: hidden by moderation."""

    answer_id: int
    participation_id: int
    question_key: str
    value: AnswerValue | None
    hidden: bool = False


@dataclass(frozen=True)
class IdeaRecord:
    """An idea; ``participation_id`` is the author's participation in the same consultation,
    when there is one (segments come from it); ``hidden``: hidden by moderation."""

    idea_id: int
    text: str
    created_at: datetime
    participation_id: int | None = None
    hidden: bool = False


# --- what the renderers draw -----------------------------------------------------------------

Cell = int | None
"""A count in a breakdown; ``None`` means "fewer than the minimum group size" (suppressed)."""


@dataclass(frozen=True)
class OptionCount:
    value: str
    label: LocalizedText
    count: int


@dataclass(frozen=True)
class BreakdownRow:
    label: LocalizedText
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Breakdown:
    """Counts of something (an option, a theme) per option of a segment question."""

    segment_key: str
    segment_text: LocalizedText
    columns: tuple[LocalizedText, ...]
    rows: tuple[BreakdownRow, ...]


@dataclass(frozen=True)
class QuestionReport:
    """A closed question: how many answered, the count per option, breakdowns by segment.

    ``counts_what`` says what a count means: ``people`` (single choice, scale, yes/no,
    districts), ``mentions`` (multiple choice: one person counts once per option ticked) or
    ``first`` (ranking: how often the option was ranked first).
    """

    key: str
    type: QuestionType
    text: LocalizedText
    answered: int
    options: tuple[OptionCount, ...]
    breakdowns: tuple[Breakdown, ...] = ()
    counts_what: str = "people"


@dataclass(frozen=True)
class ThemeReport:
    label: str
    keywords: tuple[str, ...]
    size: int
    quotes: tuple[str, ...]
    breakdowns: tuple[Breakdown, ...] = ()


@dataclass(frozen=True)
class ThemeMethod:
    backend: str
    model: str | None
    k: int
    created_at: datetime | None


@dataclass(frozen=True)
class ParticipationRow:
    """One row of the export: a per-export number, never a pseudonym or id."""

    number: int
    submitted: bool
    started_on: date
    version: int
    values: tuple[AnswerValue | None, ...]  # one per question of ``ReportData.questions_all``


@dataclass(frozen=True)
class FreeTextRow:
    """A free-text answer or an idea, scrubbed of personal data, with its theme."""

    participation_number: int | None
    question_key: str | None  # None for an idea
    text: str
    theme: str | None


@dataclass(frozen=True)
class DayTotal:
    day: date
    count: int


@dataclass(frozen=True)
class ReportData:
    """Everything a report or export shows, computed once by ``report_data``."""

    slug: str
    project: str
    title: LocalizedText
    generated_at: datetime
    timezone: str
    min_group_size: int
    opens_on: date | None
    closes_on: date | None
    participants: int
    completed: int
    ideas: int
    free_texts_count: int
    questions: tuple[QuestionReport, ...]
    themes: tuple[ThemeReport, ...]
    theme_method: ThemeMethod | None
    days: tuple[DayTotal, ...]
    segments: tuple[Question, ...]
    questions_all: tuple[Question, ...]
    participations: tuple[ParticipationRow, ...]
    free_texts: tuple[FreeTextRow, ...]
    unthemed_texts: int = 0
    hidden_texts: int = 0  # answers and ideas hidden by moderation among those counted
    hidden_excluded: bool = False  # True: hidden ones are left out of the numbers too
    voting: VotingReport | None = None  # None: no statement has votes yet

    @property
    def completion_rate(self) -> float:
        return self.completed / self.participants if self.participants else 0.0


YES_NO_LABELS: dict[bool, LocalizedText] = {
    True: {"it": "Sì", "en": "Yes"},
    False: {"it": "No", "en": "No"},
}
