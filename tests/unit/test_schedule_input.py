"""Typed dates and times (``surveys.schedule_input``): formats, defaults, Rome's clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.schedule_input import (
    CLOSING_TIME,
    InputProblem,
    Unreadable,
    days_later,
    local_wall_time,
    parse_moment,
    to_utc,
)

ROME = ZoneInfo("Europe/Rome")
# Friday 27 November 2026, 15:00 in Rome (14:00 UTC, winter time).
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def rome(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ROME).astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/03 18:00", rome(2027, 3, 12, 18, 0)),  # next March: the year is the next one
        ("12/03/2027 18:00", rome(2027, 3, 12, 18, 0)),
        ("12/03/27 18:00", rome(2027, 3, 12, 18, 0)),
        ("12.03.2027 18:00", rome(2027, 3, 12, 18, 0)),
        ("12/03/2027, ore 18:00", rome(2027, 3, 12, 18, 0)),
        ("12/03", rome(2027, 3, 12, 9, 0)),  # default time
        ("30/11", rome(2026, 11, 30, 9, 0)),  # later this year
        ("27/11 18:00", rome(2026, 11, 27, 18, 0)),  # today still counts as this year
        ("18:00", rome(2026, 11, 27, 18, 0)),
        ("alle 18:00", rome(2026, 11, 27, 18, 0)),
        ("9:30", rome(2026, 11, 27, 9, 30)),  # today, in the past: the use case refuses it
        ("domani 18:00", rome(2026, 11, 28, 18, 0)),
        ("Domani alle 18:00", rome(2026, 11, 28, 18, 0)),
        ("tomorrow 18:00", rome(2026, 11, 28, 18, 0)),
        ("tomorrow at 7:05", rome(2026, 11, 28, 7, 5)),
        ("domani", rome(2026, 11, 28, 9, 0)),
        ("oggi 20:00", rome(2026, 11, 27, 20, 0)),
        ("dopodomani 10:00", rome(2026, 11, 29, 10, 0)),
        ("2027-03-12 18:00", rome(2027, 3, 12, 18, 0)),
        ("2027-03-12T18:00", rome(2027, 3, 12, 18, 0)),
        ("  2027-03-12   18:00 ", rome(2027, 3, 12, 18, 0)),
        ("2027-03-12", rome(2027, 3, 12, 9, 0)),
        ("2027-07-01 12:00", rome(2027, 7, 1, 12, 0)),  # summer time: 10:00 UTC
    ],
)
def test_typed_moments(typed: str, expected: datetime) -> None:
    assert parse_moment(typed, NOW) == expected


def test_summer_time_offset_is_applied() -> None:
    assert parse_moment("2027-07-01 12:00", NOW) == datetime(2027, 7, 1, 10, 0, tzinfo=UTC)
    assert parse_moment("2027-01-15 12:00", NOW) == datetime(2027, 1, 15, 11, 0, tzinfo=UTC)


def test_default_time_for_a_closing() -> None:
    assert parse_moment("12/03", NOW, default_time=CLOSING_TIME) == rome(2027, 3, 12, 23, 59)
    assert parse_moment("domani", NOW, default_time=CLOSING_TIME) == rome(2026, 11, 28, 23, 59)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", InputProblem.UNPARSEABLE),
        ("next friday", InputProblem.UNPARSEABLE),
        ("venerdì 18:00", InputProblem.UNPARSEABLE),
        ("18", InputProblem.UNPARSEABLE),
        ("18.00", InputProblem.INVALID_DATE),  # read as day 18 of month 0
        ("31/02 18:00", InputProblem.INVALID_DATE),
        ("12/13", InputProblem.INVALID_DATE),
        ("25:00", InputProblem.INVALID_DATE),
        ("12/03 18:61", InputProblem.INVALID_DATE),
        ("2027-02-30", InputProblem.INVALID_DATE),
    ],
)
def test_what_is_refused(typed: str, problem: InputProblem) -> None:
    result = parse_moment(typed, NOW)
    assert isinstance(result, Unreadable) and result.problem is problem


def test_the_spring_gap_is_refused_not_moved() -> None:
    # 28 March 2027: Rome's clocks jump from 02:00 to 03:00.
    result = parse_moment("28/03/2027 02:30", NOW)
    assert result == Unreadable(InputProblem.NONEXISTENT, datetime(2027, 3, 28, 2, 30))
    assert parse_moment("28/03/2027 01:59", NOW) == datetime(2027, 3, 28, 0, 59, tzinfo=UTC)
    assert parse_moment("28/03/2027 03:00", NOW) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_the_autumn_repeat_means_the_first_occurrence() -> None:
    # 25 October 2026: 02:00–03:00 happens twice; the first is still summer time (UTC+2).
    october = datetime(2026, 10, 1, tzinfo=UTC)
    first = parse_moment("25/10/2026 02:30", october)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert parse_moment("25/10/2026 03:30", october) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_days_later_keeps_the_wall_clock_across_a_change() -> None:
    before = rome(2027, 3, 25, 18, 0)  # Thursday before the spring change
    week = days_later(before, 7)
    assert local_wall_time(week) == datetime(2027, 4, 1, 18, 0)
    assert week - before == timedelta(days=7, hours=-1)  # one hour shorter in UTC
    assert local_wall_time(days_later(before, 1, at=time(9, 0))) == datetime(2027, 3, 26, 9, 0)
    # Landing in the gap moves on by an hour rather than failing.
    gap = days_later(rome(2027, 3, 27, 2, 30), 1)
    assert local_wall_time(gap) == datetime(2027, 3, 28, 3, 30)


def test_leap_day_without_a_year_is_the_next_one() -> None:
    assert parse_moment("29/02", NOW) == rome(2028, 2, 29, 9, 0)


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2035, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    )
)
def test_every_typed_wall_time_round_trips_or_is_the_gap(wall: datetime) -> None:
    typed = wall.strftime("%d/%m/%Y %H:%M")
    result = parse_moment(typed, NOW)
    if isinstance(result, Unreadable):
        assert result.problem is InputProblem.NONEXISTENT
        assert wall.month == 3 and wall.hour == 2  # only the spring gap
        return
    assert result.tzinfo is not None
    assert local_wall_time(result) == wall
    # And the ISO spelling means the same moment.
    assert parse_moment(wall.strftime("%Y-%m-%d %H:%M"), NOW) == result


@given(st.dates(min_value=date(2026, 11, 27), max_value=date(2027, 11, 26)))
def test_a_date_without_year_is_within_the_coming_year(day: date) -> None:
    result = parse_moment(day.strftime("%d/%m 12:00"), NOW)
    assert not isinstance(result, Unreadable)
    assert local_wall_time(result) == datetime.combine(day, time(12, 0))


def test_to_utc_of_an_ordinary_time() -> None:
    assert to_utc(datetime(2026, 12, 1, 9, 0)) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
