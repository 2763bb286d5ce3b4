"""Records of consultation statistics: what storage aggregates and what a chart is drawn from.

Storage answers with small aggregates (counts per question, counts per local day), never with
the answers themselves, so statistics on 100,000 participations stay cheap. The chart records
carry every text already translated: ``reports`` draws them and knows no catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ParticipationCounts:
    """Participations of real citizens in one consultation (previews never count).

    ``joined`` consented and hold a participation (withdrawn ones aside); ``started`` answered
    at least one question or submitted; ``completed`` submitted; ``at_summary`` answered every
    question but did not submit yet.
    """

    participants: int = 0
    joined: int = 0
    started: int = 0
    completed: int = 0
    withdrawn: int = 0
    at_summary: int = 0


@dataclass(frozen=True)
class QuestionCounts:
    """One question's funnel: ``answered`` (skips included: the person went past it) and
    ``stopped`` (unfinished participations whose current question is this one and that have
    no answer to it yet)."""

    question_key: str
    answered: int = 0
    stopped: int = 0

    @property
    def reached(self) -> int:
        return self.answered + self.stopped


@dataclass(frozen=True)
class DayCount:
    """How many of something happened on one local calendar day."""

    day: date
    count: int


@dataclass(frozen=True)
class DailyChart:
    """Bars per day: one series per label, each with one count per day of ``days``."""

    title: str
    y_label: str
    days: Sequence[date]
    series: Sequence[tuple[str, Sequence[int]]]
    day_format: str = "%d/%m"
    empty_text: str = ""  # shown instead of bars when there are no days


@dataclass(frozen=True)
class DropOffChart:
    """Horizontal stacked bars per question, in survey order: who answered it and who stopped
    there without answering (together: who reached it)."""

    title: str
    x_label: str
    questions: Sequence[str]
    answered: Sequence[int]
    stopped: Sequence[int]
    answered_label: str
    stopped_label: str
    empty_text: str = ""  # shown instead of bars when there are no questions
