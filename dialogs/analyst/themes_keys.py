"""Callback data of the ``/themes`` buttons (prefixes registered in ``dialogs.staff.roles``).

Every button names the consultation by id and the theme by id (ints: the longest, a move
with two ids and an answer id, stays far below 64 bytes). The use cases check that the theme
belongs to that consultation, so a forged or stale button changes nothing.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

# Actions of ThemeAct: rename (then type), split (then type a word), the merge picker, hide,
# unhide from the card, unhide from the list, cancel (back to the card).
RENAME, SPLIT, MERGE, HIDE, UNHIDE, UNHIDE_FROM_LIST, CANCEL = "r", "s", "m", "h", "u", "U", "x"
SOURCES = {"a": "answer", "i": "idea"}  # a text's source, one letter in a button
LETTERS = {source: letter for letter, source in SOURCES.items()}


class ThemeList(CallbackData, prefix="tl"):
    """Page ``p`` of the themes of consultation ``c``."""

    c: int
    p: int = 0


class ThemeOpen(CallbackData, prefix="to"):
    """The card of theme ``t``, answers page ``p``."""

    c: int
    t: int
    p: int = 0


class ThemeAct(CallbackData, prefix="ta"):
    """An action ``a`` on theme ``t`` (see the constants above); ``p`` the list page."""

    c: int
    t: int
    a: str
    p: int = 0


class ThemeMerge(CallbackData, prefix="tm"):
    """Merge theme ``t`` into theme ``i``."""

    c: int
    t: int
    i: int


class ThemeMovePick(CallbackData, prefix="tv"):
    """Choose where to move text ``s``/``n`` (source letter, id), shown on page ``p`` of ``t``."""

    c: int
    t: int
    s: str
    n: int
    p: int = 0


class ThemeMoveTo(CallbackData, prefix="tw"):
    """Move text ``s``/``n`` from theme ``t`` into theme ``i`` (0: "other")."""

    c: int
    t: int
    s: str
    n: int
    i: int


class ThemeFind(CallbackData, prefix="tr"):
    """Find themes now: a full clustering of consultation ``c`` in the background."""

    c: int
