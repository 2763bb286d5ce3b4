"""Callback data of every citizen button, packed by aiogram into at most 64 bytes.

Survey buttons carry the consultation id, the survey version and the question's index in the
definition (``q``), never a hash and never the question key (32 characters would not fit with
the rest): the use cases compare them with the stored position, so a stale or double tap is
answered "already recorded" and writes nothing. Pending choices live in the button itself (a
bit mask of the ticked options, the ranked options so far), so a half-made selection needs no
server state and survives a restart. ``q = SUMMARY`` means the summary screen.
"""

from __future__ import annotations

import string
from typing import TypeVar

from aiogram.filters.callback_data import CallbackData

Data = TypeVar("Data", bound=CallbackData)

SUMMARY = -1
MAX_CALLBACK_BYTES = 64


def unpack_or_none(kind: type[Data], data: str | None) -> Data | None:
    """The button's data as ``kind``, or ``None`` when it is malformed or forged: a handler
    then answers as for something that is not there, and changes nothing."""
    try:
        return kind.unpack(data or "")
    except (TypeError, ValueError):
        return None


# Ranking keeps the options picked so far as one character each: up to 36 options.
_RANK_DIGITS = string.digits + string.ascii_lowercase


class Answer(CallbackData, prefix="a"):
    """A one-tap answer: option, scale point, yes (1) / no (0), or district, by index."""

    c: int
    v: int
    q: int
    o: int


class Toggle(CallbackData, prefix="t"):
    """Tick or untick option ``o`` of a multi-choice question; ``m`` = ticked options now."""

    c: int
    v: int
    q: int
    m: int
    o: int


class Done(CallbackData, prefix="d"):
    """Record the ticked options ``m`` of a multi-choice question."""

    c: int
    v: int
    q: int
    m: int


class Rank(CallbackData, prefix="r"):
    """Put option ``o`` next in a ranking; ``s`` = options ranked so far, in order."""

    c: int
    v: int
    q: int
    s: str
    o: int


class Undo(CallbackData, prefix="u"):
    """Take the last option off a ranking in progress (``s`` = ranked so far)."""

    c: int
    v: int
    q: int
    s: str


class Skip(CallbackData, prefix="s"):
    c: int
    v: int
    q: int


class Back(CallbackData, prefix="b"):
    c: int
    v: int
    q: int


class Edit(CallbackData, prefix="e"):
    c: int
    v: int
    q: int


class Submit(CallbackData, prefix="f"):
    c: int
    v: int


class Consent(CallbackData, prefix="ok"):
    """ "I am old enough and I agree" to the notice of survey version ``v``."""

    v: int
    slug: str


class Decline(CallbackData, prefix="no"):
    slug: str


class UnderAge(CallbackData, prefix="young"):
    slug: str
    age: int  # the consultation's minimum age, to say it back without a database read


class Withdraw(CallbackData, prefix="wd"):
    slug: str


class Follow(CallbackData, prefix="fo"):
    """Follow the project of consultation ``c``."""

    c: int


class Unfollow(CallbackData, prefix="uf"):
    """Stop following the project of consultation ``c``."""

    c: int


class Language(CallbackData, prefix="lang"):
    code: str


class Erase(CallbackData, prefix="del"):
    """``/delete`` confirmation: 1 erases everything, 0 keeps it."""

    yes: int


def mask_of(indexes: set[int] | list[int]) -> int:
    return sum(1 << index for index in set(indexes))


def indexes_of(mask: int) -> list[int]:
    return [index for index in range(mask.bit_length()) if mask >> index & 1]


def ranking_of(picked: str) -> list[int]:
    """``"20"`` → ``[2, 0]``; characters that are not rank digits are ignored."""
    return [_RANK_DIGITS.index(char) for char in picked if char in _RANK_DIGITS]


def picked_of(indexes: list[int]) -> str:
    return "".join(_RANK_DIGITS[index] for index in indexes)
