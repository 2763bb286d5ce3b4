"""Dates and times as a facilitator types them in the chat, read in the city's time zone.

Accepted (Italian and English alike; ``HH:MM`` may also be written ``H:MM``; ``ore``, ``alle``
and ``at`` before the time are allowed):

- ``12/03 18:00``, ``12/03/2027 18:00``, ``12/03/27 18:00`` (day first, as in Italy; ``.`` or
  ``-`` may separate day and month);
- ``12/03`` (the date alone: ``default_time`` is used, e.g. 09:00 for an opening and 23:59 for
  a closing);
- ``18:00`` (today), ``oggi 18:00`` / ``today 18:00``, ``domani 18:00`` / ``tomorrow 18:00``,
  ``dopodomani`` (``domani`` alone means tomorrow at ``default_time``);
- ISO ``2027-03-12 18:00``, ``2027-03-12T18:00`` and ``2027-03-12``.

A date without a year means its next occurrence: ``12/03`` typed in November is next March.

Daylight saving (checked with ``zoneinfo``, never with fixed offsets):

- a wall time that does not exist (the spring change skips 02:00–03:00 on the last Sunday of
  March in Rome) is refused with :attr:`InputProblem.NONEXISTENT`, so the facilitator picks
  a real time rather than silently getting another one;
- a wall time that happens twice (02:00–03:00 on the last Sunday of October) means its *first*
  occurrence, still in summer time, like ``surveys.usecases.scheduling.local_to_utc``.

The result is an aware UTC datetime. Whether it is in the past, or before the opening, is for
the use case to judge: it knows the consultation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Rome"
OPENING_TIME = time(9, 0)
CLOSING_TIME = time(23, 59)


class InputProblem(StrEnum):
    UNPARSEABLE = "unparseable"  # not a date or time we read
    INVALID_DATE = "invalid-date"  # 31/02, 25:00
    NONEXISTENT = "nonexistent"  # skipped by the spring clock change


@dataclass(frozen=True)
class Unreadable:
    problem: InputProblem
    wall_time: datetime | None = None  # the local time asked for, when there was one


# Only ":" between hours and minutes: "12.03" is a date (the 12th of March), never a time.
_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})"
_DAY_MONTH = r"(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})(?:[/.\-](?P<year>\d{2}|\d{4}))?"
_ISO = r"(?P<iyear>\d{4})-(?P<imonth>\d{2})-(?P<iday>\d{2})"
_RELATIVE = {
    "oggi": 0,
    "today": 0,
    "domani": 1,
    "tomorrow": 1,
    "dopodomani": 2,
}
_PATTERNS = (
    re.compile(rf"{_ISO}(?:[ t]+{_TIME})?"),  # lowercased: "T" is "t"
    re.compile(rf"{_DAY_MONTH}(?:[ ,]+(?:ore |alle |at )?{_TIME})?"),
    re.compile(rf"(?:ore |alle |at )?{_TIME}"),
    re.compile(rf"(?P<rel>[a-z]+)(?:[ ,]+(?:ore |alle |at )?{_TIME})?"),
)


def parse_moment(
    text: str,
    now: datetime,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    default_time: time = OPENING_TIME,
) -> datetime | Unreadable:
    """The moment ``text`` names, in UTC, read in ``timezone`` as of ``now`` (aware)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    cleaned = " ".join(text.strip().lower().split())
    for pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match is not None:
            break
    else:
        return Unreadable(InputProblem.UNPARSEABLE)
    groups = match.groupdict()
    try:
        wall_time = _wall_time(groups, today, default_time)
    except ValueError:
        return Unreadable(InputProblem.INVALID_DATE)
    if wall_time is None:
        return Unreadable(InputProblem.UNPARSEABLE)
    return to_utc(wall_time, timezone)


def to_utc(wall_time: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime | Unreadable:
    """A naive local time as UTC: the first of two (autumn), refused if skipped (spring)."""
    zone = ZoneInfo(timezone)
    moment = wall_time.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall_time:
        return Unreadable(InputProblem.NONEXISTENT, wall_time)
    return moment


def local_wall_time(moment: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """An aware moment as the naive wall-clock time in ``timezone``."""
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def days_later(
    moment: datetime, days: int, at: time | None = None, timezone: str = DEFAULT_TIMEZONE
) -> datetime:
    """``days`` calendar days after ``moment``, at the same wall-clock time (or ``at``).

    Counted on the wall clock, so "one week later" across a clock change is still 18:00. A
    result in the spring gap moves one hour on (the only case where no such wall time exists).
    """
    wall = local_wall_time(moment, timezone) + timedelta(days=days)
    if at is not None:
        wall = datetime.combine(wall.date(), at)
    result = to_utc(wall, timezone)
    if isinstance(result, Unreadable):
        result = to_utc(wall + timedelta(hours=1), timezone)
        assert not isinstance(result, Unreadable)
    return result


def _wall_time(groups: dict[str, str | None], today: date, default_time: time) -> datetime | None:
    clock = default_time
    if groups.get("hour") is not None:
        clock = time(int(groups["hour"] or 0), int(groups["minute"] or 0))
    if groups.get("iyear") is not None:
        day = date(int(groups["iyear"] or 0), int(groups["imonth"] or 0), int(groups["iday"] or 0))
        return datetime.combine(day, clock)
    if groups.get("day") is not None:
        return datetime.combine(_day_month(groups, today, clock), clock)
    relative = groups.get("rel")
    if relative is not None:
        if relative not in _RELATIVE:
            return None
        return datetime.combine(today + timedelta(days=_RELATIVE[relative]), clock)
    return datetime.combine(today, clock)  # a time alone: today


def _day_month(groups: dict[str, str | None], today: date, clock: time) -> date:
    day, month, year = int(groups["day"] or 0), int(groups["month"] or 0), groups.get("year")
    if year is not None:
        number = int(year)
        return date(number + 2000 if number < 100 else number, month, day)
    if month == 2 and day == 29:  # only some years have it: the next one that does
        candidate_year = today.year
        while True:
            try:
                candidate = date(candidate_year, 2, 29)
            except ValueError:
                candidate_year += 1
                continue
            if candidate >= today:
                return candidate
            candidate_year += 1
    candidate = date(today.year, month, day)
    # Without a year, the next such day: "12/03" typed in November means next March.
    return candidate if candidate >= today else date(today.year + 1, month, day)
