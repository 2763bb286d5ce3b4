"""The policy report's numbers: ``report_data`` reads a consultation once and computes them all.

What a report may show, decided here once for the HTML report, the XLSX and the CSV:

- Only real citizens' participations count: previews (staff trying a survey) and withdrawn
  participations are never read, and erased people are gone from the database.
- Answers and ideas hidden by moderation are never quoted nor listed as text (the free-text
  sheet, the free-text columns of the export), but they still count in the numbers (closed
  questions, headline numbers, theme sizes and breakdowns), unless the facilitator excludes
  them (``exclude_hidden``: then they are left out of everything). The method note says which.
- Quotes skip texts with abusive or offensive language (``quotable``, supplied by the caller:
  ``nlp.offensive.fit_to_print`` in the bot), even when the theme run stored them.
- No Telegram id, chat id, contact or pseudonym ever reaches the report: rows of the export
  carry a number that exists only in that export.
- Free text is what citizens wrote, so it is shown; but it goes through the same personal-data
  scrubber as the themes (``scrub``, supplied by the caller: ``nlp.pii.scrub`` in the bot)
  before it is quoted or exported, so e-mails, phone numbers, IBANs, tax codes, URLs,
  @mentions and known first names appear as placeholders.
- Every breakdown by segment (any single-choice or district question) shows ``None``
  ("fewer than N") for each cell below the minimum group size, zero included, and also for
  the smallest other cell of a row or column where exactly one non-zero cell was suppressed,
  so it cannot be worked out from the totals the report prints elsewhere.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from surveys.definition import (
    AnswerValue,
    LocationMode,
    Option,
    Question,
    QuestionType,
    SurveyDefinition,
)
from surveys.engine import district_options
from surveys.entities import (
    AuditEntry,
    Consultation,
    Role,
    TextSource,
    Theme,
    ThemeMembership,
    ThemeRun,
)
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.reporting import (
    YES_NO_LABELS,
    AnswerRecord,
    Breakdown,
    BreakdownRow,
    Cell,
    DayTotal,
    FreeTextRow,
    IdeaRecord,
    OptionCount,
    ParticipationRecord,
    ParticipationRow,
    QuestionReport,
    ReportData,
    ThemeMethod,
    ThemeReport,
)
from surveys.usecases.staff import Actor, NotAllowed
from surveys.usecases.voting import read_voting, voting_report
from surveys.voting import VotingAnalyser

Scrubber = Callable[[str], str]
Quotable = Callable[[str], bool]


def _any_text(_: str) -> bool:
    return True


CLOSED_TYPES = frozenset(
    {
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTI_CHOICE,
        QuestionType.SCALE,
        QuestionType.YES_NO,
        QuestionType.RANKING,
        QuestionType.LOCATION,
    }
)
REPORT_ROLES = frozenset({Role.ADMIN, Role.FACILITATOR, Role.ANALYST})
EXCLUDE_HIDDEN_ROLES = frozenset({Role.ADMIN, Role.FACILITATOR})
MAX_SCALE_POINTS = 11  # an unlabelled scale wider than 0–10 is not drawn as one bar per point


@dataclass(frozen=True)
class UnknownConsultation:
    slug: str


@dataclass(frozen=True)
class ReportChoice:
    """A consultation staff can ask a report of (the buttons of ``/report`` without a slug)."""

    slug: str
    title: Mapping[str, str]


# --- reading -------------------------------------------------------------------------------


async def report_data(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    slug: str,
    min_group_size: int,
    timezone: str,
    *,
    scrub: Scrubber,
    quotable: Quotable = _any_text,
    exclude_hidden: bool = False,
    voting_analyser: VotingAnalyser | None = None,
) -> ReportData | None:
    """Everything the report of ``slug`` shows, or ``None`` for an unknown slug.

    One unit of work reads the rows; nothing is written. The themes are those of the latest
    theme run of the consultation (none yet: the report says so). With a ``voting_analyser``
    and votes on the consultation's statements, ``voting`` holds the opinion groups.
    """
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None or consultation.id is None:
            return None
        version = await uow.consultations.latest_version(consultation.id)
        if version is None:
            return None
        participations = await uow.reports.participations(consultation.id)
        answers = await uow.reports.answers(consultation.id)
        ideas = await uow.reports.ideas(consultation.id)
        run = await uow.themes.latest_run(consultation.id)
        themes: Sequence[Theme] = ()
        memberships: Sequence[ThemeMembership] = ()
        if run is not None:
            themes = await uow.themes.current(consultation.id)
            memberships = await uow.themes.memberships(consultation.id)
        votes, statement_texts = await read_voting(uow, consultation.id)
    report = build_report(
        consultation,
        version.definition,
        participations,
        answers,
        ideas,
        run,
        themes,
        memberships,
        generated_at=clock.now(),
        min_group_size=min_group_size,
        timezone=timezone,
        scrub=scrub,
        quotable=quotable,
        exclude_hidden=exclude_hidden,
    )
    if voting_analyser is None:
        return report
    voting = await voting_report(votes, statement_texts, voting_analyser)
    return report if voting is None else replace(report, voting=voting)


async def prepare_report(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    slug: str,
    min_group_size: int,
    timezone: str,
    *,
    scrub: Scrubber,
    action: str = "report",
    quotable: Quotable = _any_text,
    exclude_hidden: bool = False,
    voting_analyser: VotingAnalyser | None = None,
) -> ReportData | UnknownConsultation | NotAllowed:
    """``report_data`` for a staff member in the chat: role checked again, and audited."""
    allowed = actor.role in REPORT_ROLES
    if exclude_hidden:  # leaving hidden answers out of the numbers is the facilitator's call
        allowed = actor.role in EXCLUDE_HIDDEN_ROLES
    async with uow_factory() as uow:
        detail: dict[str, object] = {} if allowed else {"refused": True}
        if exclude_hidden:
            detail["exclude_hidden"] = True
        if actor.staff_id is None:
            detail["admin_telegram_user_id"] = actor.telegram_user_id
        await uow.audit.add(
            AuditEntry(
                action if allowed else "denied",
                actor_staff_id=actor.staff_id,
                target=slug[:64],
                detail=dict(detail),
                at=clock.now(),
            )
        )
        await uow.commit()
    if not allowed:
        return NotAllowed(action)
    data = await report_data(
        uow_factory,
        clock,
        slug,
        min_group_size,
        timezone,
        scrub=scrub,
        quotable=quotable,
        exclude_hidden=exclude_hidden,
        voting_analyser=voting_analyser,
    )
    return UnknownConsultation(slug) if data is None else data


async def report_choices(uow_factory: UnitOfWorkFactory) -> Sequence[ReportChoice]:
    """Every consultation with a survey, by id, with its title per language."""
    choices: list[ReportChoice] = []
    async with uow_factory() as uow:
        for consultation in await uow.consultations.list():
            if consultation.id is None:
                continue
            version = await uow.consultations.latest_version(consultation.id)
            if version is not None:
                choices.append(ReportChoice(consultation.slug, dict(version.definition.title)))
    return choices


# --- computing -------------------------------------------------------------------------------


def build_report(
    consultation: Consultation,
    definition: SurveyDefinition,
    participations: Sequence[ParticipationRecord],
    answers: Sequence[AnswerRecord],
    ideas: Sequence[IdeaRecord],
    run: ThemeRun | None,
    themes: Sequence[Theme],
    memberships: Sequence[ThemeMembership],
    *,
    generated_at: datetime,
    min_group_size: int,
    timezone: str,
    scrub: Scrubber,
    quotable: Quotable = _any_text,
    exclude_hidden: bool = False,
) -> ReportData:
    """The report from the rows storage read (pure: the unit tests call it directly)."""
    zone = ZoneInfo(timezone)
    ordered = sorted(participations, key=lambda p: (p.started_at, p.participation_id))
    numbers = {p.participation_id: index for index, p in enumerate(ordered, start=1)}
    # Answers of participations that are not in the report (previews, withdrawn) never count,
    # whatever storage returned.
    answers = [a for a in answers if a.participation_id in numbers]
    ideas = [i for i in ideas if i.participation_id is None or i.participation_id in numbers]
    hidden_texts = sum(1 for a in answers if a.hidden) + sum(1 for i in ideas if i.hidden)
    if exclude_hidden:
        answers = [a for a in answers if not a.hidden]
        ideas = [i for i in ideas if not i.hidden]
    by_participation: dict[int, dict[str, AnswerValue | None]] = defaultdict(dict)
    hidden_keys: dict[int, set[str]] = defaultdict(set)
    for answer in answers:
        by_participation[answer.participation_id][answer.question_key] = answer.value
        if answer.hidden:
            hidden_keys[answer.participation_id].add(answer.question_key)

    segments = tuple(q for q in definition.questions if _is_segment(q))
    segment_values = {
        s.key: {
            pid: chosen[0]
            for pid, values in by_participation.items()
            if len(chosen := _chosen(s, values.get(s.key))) == 1
        }
        for s in segments
    }
    questions = tuple(
        _question_report(q, by_participation, segments, segment_values, min_group_size)
        for q in definition.questions
        if q.type in CLOSED_TYPES and _options(q)
    )
    theme_reports, theme_of = _theme_reports(
        themes,
        memberships,
        answers,
        ideas,
        numbers,
        segments,
        segment_values,
        min_group_size,
        scrub,
        quotable,
    )
    free_texts = _free_texts(definition, answers, ideas, numbers, theme_of, scrub)
    hidden_free_texts = sum(
        1
        for a in answers
        if a.hidden
        and a.question_key in definition.free_text_keys
        and isinstance(a.value, str)
        and a.value.strip()
    ) + sum(1 for i in ideas if i.hidden)
    return ReportData(
        slug=consultation.slug,
        project=consultation.project,
        title=dict(definition.title),
        generated_at=generated_at,
        timezone=timezone,
        min_group_size=min_group_size,
        opens_on=consultation.opens_at.astimezone(zone).date() if consultation.opens_at else None,
        closes_on=(
            consultation.closes_at.astimezone(zone).date() if consultation.closes_at else None
        ),
        participants=len(ordered),
        completed=sum(1 for p in ordered if p.submitted),
        ideas=len(ideas),
        # Hidden texts are not listed but still counted (unless excluded: then they are gone).
        free_texts_count=len(free_texts) + hidden_free_texts,
        questions=questions,
        themes=theme_reports,
        theme_method=(
            None if run is None else ThemeMethod(run.backend, run.model, run.k, run.created_at)
        ),
        days=_days((p.started_at for p in ordered), zone),
        segments=segments,
        questions_all=definition.questions,
        participations=tuple(
            ParticipationRow(
                number=numbers[p.participation_id],
                submitted=p.submitted,
                started_on=p.started_at.astimezone(zone).date(),
                version=p.version,
                values=tuple(
                    _export_value(
                        q,
                        by_participation[p.participation_id].get(q.key),
                        scrub,
                        hidden=q.key in hidden_keys.get(p.participation_id, ()),
                    )
                    for q in definition.questions
                ),
            )
            for p in ordered
        ),
        free_texts=free_texts,
        unthemed_texts=sum(1 for row in free_texts if row.theme is None),
        hidden_texts=hidden_texts,
        hidden_excluded=exclude_hidden,
    )


def _is_segment(question: Question) -> bool:
    if question.type is QuestionType.SINGLE_CHOICE:
        return bool(question.options)
    return question.type is QuestionType.LOCATION and question.location is not LocationMode.PIN


def _options(question: Question) -> tuple[Option, ...]:
    """The bars of a closed question's chart, in the order the survey shows them."""
    if question.type is QuestionType.YES_NO:
        return (Option("yes", YES_NO_LABELS[True]), Option("no", YES_NO_LABELS[False]))
    if question.type is QuestionType.LOCATION:
        return () if question.location is LocationMode.PIN else district_options(question)
    if question.type is QuestionType.SCALE and not question.options:
        low, high = int(question.min or 0), int(question.max if question.max is not None else 10)
        if high < low or high - low + 1 > MAX_SCALE_POINTS:
            return ()
        return tuple(Option(str(n), {"it": str(n), "en": str(n)}) for n in range(low, high + 1))
    return question.options


def _chosen(question: Question, value: AnswerValue | None) -> list[str]:
    """The option values an answer counts for (a ranking counts for its first option)."""
    if value is None:
        return []
    kind = question.type
    if kind is QuestionType.YES_NO and isinstance(value, bool):
        return ["yes" if value else "no"]
    if kind is QuestionType.MULTI_CHOICE and isinstance(value, list):
        return [str(v) for v in value]
    if kind is QuestionType.RANKING and isinstance(value, list):
        return [str(value[0])] if value else []
    if kind is QuestionType.LOCATION and isinstance(value, dict):
        district = value.get("district")
        return [str(district)] if district is not None else []
    if (
        kind is QuestionType.SCALE
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return [str(int(value))]
    if isinstance(value, str):
        return [value]
    return []


def _question_report(
    question: Question,
    by_participation: Mapping[int, Mapping[str, AnswerValue | None]],
    segments: Sequence[Question],
    segment_values: Mapping[str, Mapping[int, str]],
    minimum: int,
) -> QuestionReport:
    options = _options(question)
    counts: Counter[str] = Counter()
    chosen_by: dict[int, list[str]] = {}
    for pid, values in by_participation.items():
        chosen = _chosen(question, values.get(question.key))
        if chosen:
            chosen_by[pid] = chosen
            counts.update(set(chosen))
    breakdowns = tuple(
        _breakdown(
            segment,
            [o.label for o in options],
            [
                [pid for pid, chosen in chosen_by.items() if option.value in chosen]
                for option in options
            ],
            segment_values[segment.key],
            minimum,
        )
        for segment in segments
        if segment.key != question.key
    )
    counts_what = {QuestionType.MULTI_CHOICE: "mentions", QuestionType.RANKING: "first"}.get(
        question.type, "people"
    )
    return QuestionReport(
        key=question.key,
        type=question.type,
        text=dict(question.text),
        answered=len(chosen_by),
        options=tuple(OptionCount(o.value, dict(o.label), counts[o.value]) for o in options),
        breakdowns=breakdowns,
        counts_what=counts_what,
    )


def _breakdown(
    segment: Question,
    row_labels: Sequence[Mapping[str, str]],
    row_members: Sequence[Iterable[int]],
    segment_of: Mapping[int, str],
    minimum: int,
) -> Breakdown:
    columns = _options(segment)
    index = {option.value: i for i, option in enumerate(columns)}
    matrix = [[0] * len(columns) for _ in row_labels]
    for row, members in enumerate(row_members):
        for pid in set(members):
            column = index.get(segment_of.get(pid, ""))
            if column is not None:
                matrix[row][column] += 1
    cells = suppress(matrix, minimum)
    return Breakdown(
        segment_key=segment.key,
        segment_text=dict(segment.text),
        columns=tuple(dict(o.label) for o in columns),
        rows=tuple(
            BreakdownRow(dict(label), row) for label, row in zip(row_labels, cells, strict=True)
        ),
    )


def suppress(matrix: Sequence[Sequence[int]], minimum: int) -> tuple[tuple[Cell, ...], ...]:
    """Cells below ``minimum`` (0 included) become ``None``; where a row or a column has
    exactly one such cell and it counts somebody, its smallest other cell goes too (otherwise
    it could be worked out from the totals printed elsewhere in the report). Repeated until
    nothing changes."""
    hidden = [[count < minimum for count in row] for row in matrix]

    def lines() -> list[list[tuple[int, int]]]:
        rows = [[(r, c) for c in range(len(row))] for r, row in enumerate(matrix)]
        width = max((len(row) for row in matrix), default=0)
        columns = [[(r, c) for r in range(len(matrix)) if c < len(matrix[r])] for c in range(width)]
        return rows + columns

    changed = True
    while changed:
        changed = False
        for line in lines():
            suppressed = [cell for cell in line if hidden[cell[0]][cell[1]]]
            shown = [cell for cell in line if not hidden[cell[0]][cell[1]]]
            # A lone hidden 0 may be worked out: that reveals nobody, so it needs no partner.
            if len(suppressed) == 1 and shown and matrix[suppressed[0][0]][suppressed[0][1]]:
                r, c = min(shown, key=lambda cell: matrix[cell[0]][cell[1]])
                hidden[r][c] = changed = True
    return tuple(
        tuple(None if hidden[r][c] else count for c, count in enumerate(row))
        for r, row in enumerate(matrix)
    )


def _theme_reports(
    themes: Sequence[Theme],
    memberships: Sequence[ThemeMembership],
    answers: Sequence[AnswerRecord],
    ideas: Sequence[IdeaRecord],
    numbers: Mapping[int, int],
    segments: Sequence[Question],
    segment_values: Mapping[str, Mapping[int, str]],
    minimum: int,
    scrub: Scrubber,
    quotable: Quotable,
) -> tuple[tuple[ThemeReport, ...], dict[tuple[TextSource, int], str]]:
    """Published themes, largest first, and the theme label of each visible text."""
    # Every text given counts in its theme's size and breakdowns (hidden ones too, unless the
    # caller left them out); only visible ones may be quoted or labelled in the free-text list.
    texts: dict[tuple[TextSource, int], tuple[str, int | None]] = {}
    hidden: set[tuple[TextSource, int]] = set()
    for answer in answers:
        if answer.participation_id in numbers and isinstance(answer.value, str):
            texts[(TextSource.ANSWER, answer.answer_id)] = (answer.value, answer.participation_id)
            if answer.hidden:
                hidden.add((TextSource.ANSWER, answer.answer_id))
    for idea in ideas:
        texts[(TextSource.IDEA, idea.idea_id)] = (idea.text, idea.participation_id)
        if idea.hidden:
            hidden.add((TextSource.IDEA, idea.idea_id))
    members: dict[int, list[tuple[TextSource, int]]] = defaultdict(list)
    for membership in memberships:
        key = (membership.source, membership.source_id)
        if key in texts:
            members[membership.theme_id].append(key)
    reports: list[tuple[int, ThemeReport]] = []
    theme_of: dict[tuple[TextSource, int], str] = {}
    published = [t for t in themes if t.kind == "theme" and not t.hidden and t.id is not None]
    for theme in sorted(published, key=lambda t: (t.position, t.id or 0)):
        mine = members.get(theme.id or 0, [])
        authors = {texts[key][1] for key in mine if texts[key][1] is not None}
        if len(authors) + sum(1 for key in mine if texts[key][1] is None) < minimum:
            continue  # fewer people than the minimum group size
        visible = [key for key in mine if key not in hidden]
        for key in visible:
            theme_of[key] = theme.label
        pids = [pid for key in mine if (pid := texts[key][1]) is not None]
        breakdowns = tuple(
            _breakdown(segment, [{"it": theme.label, "en": theme.label}], [pids], values, minimum)
            for segment in segments
            if (values := segment_values[segment.key])
        )
        report = ThemeReport(
            label=theme.label,
            keywords=tuple(theme.keywords),
            size=len(mine),
            quotes=_quotes(theme.quotes, {key: texts[key][0] for key in visible}, scrub, quotable),
            breakdowns=breakdowns,
        )
        reports.append((len(mine), report))
    reports.sort(key=lambda item: -item[0])
    return tuple(report for _, report in reports), theme_of


def _quotes(
    stored: Sequence[Mapping[str, object]],
    members: Mapping[tuple[TextSource, int], str],
    scrub: Scrubber,
    quotable: Quotable,
) -> tuple[str, ...]:
    """The run's quotes whose text is still a visible member of the theme, scrubbed again.

    A quote names its text (``source``, ``source_id``); one that names none must at least be
    part of a member's scrubbed text, so a quote from a hidden answer never survives. Neither
    the quote nor the whole text it comes from may contain offensive language (``quotable``).
    """
    quotes: list[str] = []
    scrubbed: list[str] | None = None
    for quote in stored:
        text = quote.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        clean = scrub(text).strip()
        source, source_id = quote.get("source"), quote.get("source_id")
        if not quotable(text):
            continue
        if source is not None and isinstance(source_id, int):
            try:
                whole = members.get((TextSource(str(source)), source_id))
            except ValueError:
                whole = None
            visible = whole is not None and quotable(whole)
        else:
            if scrubbed is None:
                scrubbed = [scrub(member) for member in members.values()]
            visible = any(clean in member for member in scrubbed)
        if visible and clean not in quotes:
            quotes.append(clean)
    return tuple(quotes)


def _free_texts(
    definition: SurveyDefinition,
    answers: Sequence[AnswerRecord],
    ideas: Sequence[IdeaRecord],
    numbers: Mapping[int, int],
    theme_of: Mapping[tuple[TextSource, int], str],
    scrub: Scrubber,
) -> tuple[FreeTextRow, ...]:
    keys = set(definition.free_text_keys)
    order = {key: i for i, key in enumerate(definition.free_text_keys)}
    rows = [
        (
            numbers[a.participation_id],
            order[a.question_key],
            FreeTextRow(
                numbers[a.participation_id],
                a.question_key,
                scrub(a.value),
                theme_of.get((TextSource.ANSWER, a.answer_id)),
            ),
        )
        for a in answers
        if a.question_key in keys
        and not a.hidden
        and a.participation_id in numbers
        and isinstance(a.value, str)
        and a.value.strip()
    ]
    rows.sort(key=lambda item: (item[0], item[1]))
    result = [row for _, _, row in rows]
    for idea in sorted((i for i in ideas if not i.hidden), key=lambda i: (i.created_at, i.idea_id)):
        number = numbers.get(idea.participation_id) if idea.participation_id else None
        theme = theme_of.get((TextSource.IDEA, idea.idea_id))
        result.append(FreeTextRow(number, None, scrub(idea.text), theme))
    return tuple(result)


def _export_value(
    question: Question, value: AnswerValue | None, scrub: Scrubber, *, hidden: bool = False
) -> AnswerValue | None:
    if question.type is QuestionType.FREE_TEXT and isinstance(value, str):
        return None if hidden else scrub(value)  # a hidden text is never listed
    return value


def _days(starts: Iterable[datetime], zone: ZoneInfo) -> tuple[DayTotal, ...]:
    """Participations started per local day, every day from the first to the last."""
    counts = Counter(start.astimezone(zone).date() for start in starts)
    if not counts:
        return ()
    first, last = min(counts), max(counts)
    days: list[DayTotal] = []
    day: date = first
    while day <= last:
        days.append(DayTotal(day, counts.get(day, 0)))
        day += timedelta(days=1)
    return tuple(days)
