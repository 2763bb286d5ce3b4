"""Reading a whole consultation file: top-level fields, schedule, then the questions in order."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from surveys.definition import (
    DEFAULT_CLOSING_GRACE_MINUTES,
    DEFAULT_LANGUAGES,
    DEFAULT_MIN_AGE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_TIMEZONE,
    INVITATION_PREFIX,
    SLUG_PATTERN,
    SUPPORTED_LANGUAGES,
    Mode,
    Question,
    Schedule,
    SurveyDefinition,
)
from surveys.format.conditions import QuestionPosition
from surveys.format.errors import YAML_SYNTAX, InvalidSurveyError, ParseResult, ValidationError
from surveys.format.fields import Fields, Reporter, scalar_text
from surveys.format.questions import QuestionReader
from surveys.format.tree import YamlList, YamlMap, compose_tree

_SLUG = re.compile(SLUG_PATTERN)
TOP_LEVEL_FIELDS = frozenset(
    {
        "slug", "project", "mode", "languages", "title", "intro", "privacy_notice",
        "results_note", "schedule", "retention_days", "questions", "min_age",
        "closing_grace_minutes",
    }
)  # fmt: skip
SCHEDULE_FIELDS = frozenset({"opens_at", "closes_at", "timezone"})


def parse_definition(text: str, filename: str = "<string>") -> ParseResult:
    """Parse and validate a consultation file's text, collecting every error."""
    try:
        root = compose_tree(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = exc.problem or exc.context or str(exc)
        if exc.problem and exc.context and exc.context_mark is not None:
            # PyYAML's context ("while parsing a flow mapping") points at where the broken
            # construct began, often the line the author has to fix.
            detail += f" ({exc.context} started on line {exc.context_mark.line + 1})"
        error = ValidationError(filename, line, None, YAML_SYNTAX, {"detail": detail})
        return ParseResult(filename, None, (error,))
    except yaml.YAMLError as exc:
        error = ValidationError(filename, None, None, YAML_SYNTAX, {"detail": str(exc)})
        return ParseResult(filename, None, (error,))
    reporter = Reporter(filename)
    definition: SurveyDefinition | None = None
    if root is None:
        reporter.add(1, None, "empty_document")
    elif not isinstance(root, YamlMap):
        reporter.add(root.line, None, "document_not_mapping")
    else:
        definition = _read_document(reporter, root)
    errors = tuple(sorted(reporter.errors, key=lambda error: error.line or 0))
    return ParseResult(filename, None if errors else definition, errors)


def load_definition(path: str | Path) -> SurveyDefinition:
    """Read a consultation file. Raises ``OSError``/``UnicodeDecodeError`` when it cannot be
    read and ``InvalidSurveyError`` (with every error) when it is not a valid consultation."""
    filename = str(path)
    result = parse_definition(Path(path).read_text(encoding="utf-8"), filename)
    if result.definition is None:
        raise InvalidSurveyError(filename, result.errors)
    return result.definition


def _read_document(reporter: Reporter, root: YamlMap) -> SurveyDefinition:
    fields = Fields(reporter, root, key=None)
    fields.reject_unknown(TOP_LEVEL_FIELDS)
    reporter.languages = _languages(fields)
    slug = _slug(fields)
    project = fields.string("project", required=True)
    mode = _mode(fields)
    title = fields.text("title", required=True)
    intro = fields.text("intro", required=True)
    privacy_notice = fields.text("privacy_notice", required=True)
    results_note = fields.text("results_note")
    schedule = _schedule(fields)
    retention_days = _retention_days(fields)
    min_age = _bounded(fields, "min_age", DEFAULT_MIN_AGE, low=0, high=18)
    grace = _bounded(
        fields, "closing_grace_minutes", DEFAULT_CLOSING_GRACE_MINUTES, low=0, high=24 * 60
    )
    questions = _questions(fields)
    listed = fields.get("questions")
    if mode is Mode.SURVEY and (
        listed is None or (isinstance(listed, YamlList) and not listed.items)
    ):
        fields.report(fields.line_of("questions"), "questions", "no_questions")
    return SurveyDefinition(
        slug=slug or "",
        project=project or "",
        mode=mode or Mode.SURVEY,
        title=title or {},
        intro=intro or {},
        privacy_notice=privacy_notice or {},
        languages=reporter.languages,
        schedule=schedule,
        retention_days=retention_days,
        results_note=results_note,
        questions=questions,
        min_age=min_age,
        closing_grace_minutes=grace,
    )


def _languages(fields: Fields) -> tuple[str, ...]:
    """The languages every text must be given in; the default when the list is unusable."""
    items = fields.items("languages")
    if items is None:
        return DEFAULT_LANGUAGES
    languages: list[str] = []
    for item in items:
        language = scalar_text(item)
        if language is None:
            fields.report(item.line, "languages", "expected_string")
        elif language not in SUPPORTED_LANGUAGES:
            fields.report(item.line, "languages", "unsupported_language", language=language)
        elif language in languages:
            fields.report(item.line, "languages", "duplicate_language", language=language)
        else:
            languages.append(language)
    if not items:
        fields.report(fields.line_of("languages"), "languages", "empty_languages")
    return tuple(languages) or DEFAULT_LANGUAGES


def _slug(fields: Fields) -> str | None:
    slug = fields.string("slug", required=True)
    if slug is None:
        return None
    if slug.startswith(INVITATION_PREFIX):
        fields.report(fields.line_of("slug"), "slug", "slug_reserved_prefix", value=slug)
    elif not _SLUG.match(slug):
        fields.report(fields.line_of("slug"), "slug", "invalid_slug", value=slug)
    return slug


def _mode(fields: Fields) -> Mode | None:
    name = fields.string("mode")
    if name is None:
        return None if fields.has("mode") else Mode.SURVEY
    try:
        return Mode(name)
    except ValueError:
        fields.report(fields.line_of("mode"), "mode", "invalid_mode", value=name)
        return None


def _schedule(parent: Fields) -> Schedule:
    fields = parent.mapping("schedule", "schedule.")
    if fields is None:
        return Schedule()
    fields.reject_unknown(SCHEDULE_FIELDS)
    timezone_name = fields.string("timezone")
    if timezone_name is None:
        timezone_name = DEFAULT_TIMEZONE
    zone: ZoneInfo | None
    try:
        zone = ZoneInfo(timezone_name)
    except (KeyError, ValueError, OSError):  # unknown name, or a malformed one like "../x"
        fields.report(
            fields.line_of("timezone"), "timezone", "invalid_timezone", value=timezone_name
        )
        zone = None
    opens_at = _local_datetime(fields, "opens_at", zone)
    closes_at = _local_datetime(fields, "closes_at", zone)
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        fields.report(
            fields.line_of("closes_at"), "closes_at", "closes_before_opens",
            opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(),
        )  # fmt: skip
    return Schedule(opens_at=opens_at, closes_at=closes_at, timezone=timezone_name)


def _local_datetime(fields: Fields, name: str, zone: ZoneInfo | None) -> datetime | None:
    """A date and time; without an offset it is local time in the schedule's zone."""
    text = fields.string(name)
    if text is None:
        return None
    try:
        # A bare date would leave "closes at midnight — which one?" open, so a time is required.
        if len(text.strip()) <= len("2026-03-02"):
            raise ValueError(text)
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        fields.report(fields.line_of(name), name, "invalid_datetime", value=text)
        return None
    if moment.tzinfo is not None:
        return moment
    return None if zone is None else moment.replace(tzinfo=zone)


def _retention_days(fields: Fields) -> int:
    days = fields.integer("retention_days")
    if days is None:
        return DEFAULT_RETENTION_DAYS
    if days <= 0:
        fields.report(
            fields.line_of("retention_days"), "retention_days", "retention_not_positive", value=days
        )
    return days


def _bounded(fields: Fields, name: str, default: int, *, low: int, high: int) -> int:
    """An optional whole number that must lie within [low, high]."""
    value = fields.integer(name)
    if value is None:
        return default
    if not low <= value <= high:
        fields.report(
            fields.line_of(name), name, "value_out_of_bounds", low=low, high=high, value=value
        )
    return value


def _questions(fields: Fields) -> tuple[Question, ...]:
    items = fields.items("questions")
    if not items:
        return ()
    positions: dict[str, QuestionPosition] = {}
    for index, item in enumerate(items):
        if isinstance(item, YamlMap):
            key = item.entries.get("key")
            name = None if key is None else scalar_text(key.value)
            if name is not None and name not in positions:
                positions[name] = QuestionPosition(index, item.line)
    reader = QuestionReader(fields.reporter, positions)
    questions: list[Question] = []
    for index, item in enumerate(items):
        if not isinstance(item, YamlMap):
            fields.report(item.line, "questions", "expected_mapping")
            continue
        question = reader.read(item, index)
        if question is not None:
            questions.append(question)
    return tuple(questions)
