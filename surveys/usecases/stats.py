"""Live statistics of a consultation for staff: ``/stats <slug>``.

Participants, started, completed, completion rate, median time to complete, drop-off per
question in the survey's order, answers (and ideas) per local day. The database aggregates
(``StatsRepository``); this module puts the figures in survey order, fills the days without
answers with zeros and works out the rates.

What counts: participations of real citizens. Staff previews never count, withdrawn
participations only as "withdrawn" (their answers are gone), erased people are gone with their
rows. Answers hidden by moderation still count: hiding is about what reports quote, while
"this person answered question 3" stays a fact of the participation (leaving them out would
make people seem to stop at a question they answered). Ideas hidden by moderation do not
count: an idea is content, and a hidden one is abuse or spam, not participation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from surveys.definition import LocalizedText, Mode
from surveys.entities import AuditEntry, Consultation, ConsultationStatus, Role
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory
from surveys.stats import DayCount, QuestionCounts
from surveys.usecases.staff import Actor, NotAllowed

STATS_ROLES = frozenset({Role.ADMIN, Role.FACILITATOR, Role.ANALYST})
DEFAULT_TIMEZONE = "Europe/Rome"


@dataclass(frozen=True)
class QuestionDropOff:
    """One question's funnel; ``text`` is empty for a key only an older version had."""

    key: str
    text: LocalizedText
    reached: int
    answered: int
    stopped: int


@dataclass(frozen=True)
class ConsultationStats:
    slug: str
    mode: Mode
    title: LocalizedText
    participants: int
    joined: int
    started: int
    completed: int
    withdrawn: int
    at_summary: int
    median_completion: timedelta | None
    questions: tuple[QuestionDropOff, ...]
    answers_per_day: tuple[DayCount, ...]
    ideas_per_day: tuple[DayCount, ...]
    timezone: str

    @property
    def completion_rate(self) -> float | None:
        """Completed out of started (people who answered at least one question)."""
        return self.completed / self.started if self.started else None

    @property
    def answers(self) -> int:
        return sum(day.count for day in self.answers_per_day)

    @property
    def ideas(self) -> int:
        return sum(day.count for day in self.ideas_per_day)

    @property
    def is_empty(self) -> bool:
        """Nobody took part yet: nothing to chart."""
        return self.joined == 0 and self.ideas == 0 and self.withdrawn == 0

    def top_drop_offs(self, limit: int = 3) -> list[QuestionDropOff]:
        """The questions where most unfinished people stopped, most first (ties: survey order)."""
        stopping = [q for q in self.questions if q.stopped > 0]
        return sorted(stopping, key=lambda q: -q.stopped)[:limit]


@dataclass(frozen=True)
class UnknownConsultation:
    """No consultation has this slug; ``known`` lists the slugs that exist."""

    slug: str
    known: tuple[str, ...]


@dataclass(frozen=True)
class ConsultationChoice:
    slug: str
    title: LocalizedText
    status: ConsultationStatus


async def _audit(
    uow: UnitOfWork, clock: Clock, action: str, actor: Actor, target: str, **detail: Any
) -> None:
    if actor.staff_id is None:
        detail.setdefault("admin_telegram_user_id", actor.telegram_user_id)
    await uow.audit.add(
        AuditEntry(
            action, actor_staff_id=actor.staff_id, target=target, detail=detail, at=clock.now()
        )
    )


def _allowed(actor: Actor | None) -> bool:
    return actor is None or actor.role in STATS_ROLES


async def list_stats_choices(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor | None
) -> list[ConsultationChoice] | NotAllowed:
    """Every consultation, by slug, for a staff member to pick one."""
    async with uow_factory() as uow:
        if not _allowed(actor):
            assert actor is not None
            await _audit(uow, clock, "denied", actor, "stats")
            await uow.commit()
            return NotAllowed("stats")
        choices = []
        for consultation in await uow.consultations.list():
            assert consultation.id is not None
            title = await _title(uow, consultation)
            choices.append(ConsultationChoice(consultation.slug, title, consultation.status))
    return sorted(choices, key=lambda choice: choice.slug)


async def _title(uow: UnitOfWork, consultation: Consultation) -> LocalizedText:
    assert consultation.id is not None
    version = await uow.consultations.get_version(consultation.id, consultation.current_version)
    return version.definition.title if version is not None else {}


async def consultation_stats(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor | None,
    slug: str,
    timezone: str = DEFAULT_TIMEZONE,
) -> ConsultationStats | UnknownConsultation | NotAllowed:
    """The live figures of ``slug``. ``actor`` is ``None`` for trusted callers (CLI, bench);
    a staff actor is checked again here and the look is audited."""
    zone = ZoneInfo(timezone)
    slug = slug.strip().lower()
    async with uow_factory() as uow:
        if not _allowed(actor):
            assert actor is not None
            await _audit(uow, clock, "denied", actor, "stats")
            await uow.commit()
            return NotAllowed("stats")
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None:
            known = tuple(sorted(c.slug for c in await uow.consultations.list()))
            return UnknownConsultation(slug, known)
        assert consultation.id is not None
        cid = consultation.id
        version = await uow.consultations.get_version(cid, consultation.current_version)
        counts = await uow.stats.participation_counts(cid)
        median = await uow.stats.median_completion_seconds(cid)
        per_question = await uow.stats.question_counts(cid)
        answer_days = await uow.stats.answers_per_day(cid, timezone)
        idea_days = await uow.stats.ideas_per_day(cid, timezone)
        if actor is not None:
            await _audit(uow, clock, "stats.viewed", actor, f"consultation:{slug}")
            await uow.commit()
    definition = version.definition if version is not None else None
    today = clock.now().astimezone(zone).date()
    open_now = consultation.status is ConsultationStatus.OPEN
    days = _day_range(answer_days, idea_days, today if open_now else None)
    return ConsultationStats(
        slug=consultation.slug,
        mode=consultation.mode,
        title=definition.title if definition is not None else {},
        participants=counts.participants,
        joined=counts.joined,
        started=counts.started,
        completed=counts.completed,
        withdrawn=counts.withdrawn,
        at_summary=counts.at_summary,
        median_completion=None if median is None else timedelta(seconds=round(median)),
        questions=_in_survey_order(
            per_question,
            [(q.key, q.text) for q in definition.questions] if definition is not None else [],
        ),
        answers_per_day=_fill(answer_days, days),
        ideas_per_day=_fill(idea_days, days),
        timezone=timezone,
    )


def _in_survey_order(
    counts: Sequence[QuestionCounts], questions: Sequence[tuple[str, LocalizedText]]
) -> tuple[QuestionDropOff, ...]:
    """Every question of the current version in order, then keys only older versions had."""
    by_key = {c.question_key: c for c in counts}
    result = []
    for key, text in questions:
        found = by_key.pop(key, QuestionCounts(key))
        result.append(QuestionDropOff(key, text, found.reached, found.answered, found.stopped))
    for key in sorted(by_key):
        found = by_key[key]
        result.append(QuestionDropOff(key, {}, found.reached, found.answered, found.stopped))
    return tuple(result)


def _day_range(
    answer_days: Iterable[DayCount], idea_days: Iterable[DayCount], today: date | None
) -> list[date]:
    """Every day from the first with activity to the last (to today while open)."""
    active = [d.day for d in (*answer_days, *idea_days)]
    if not active:
        return []
    first, last = min(active), max(active)
    if today is not None and today > last:
        last = today
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _fill(counts: Iterable[DayCount], days: Sequence[date]) -> tuple[DayCount, ...]:
    by_day = {c.day: c.count for c in counts}
    return tuple(DayCount(day, by_day.get(day, 0)) for day in days)
