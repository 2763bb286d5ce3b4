"""Quotes fit to print: does a text contain abusive or offensive language?

The words are data, not code: ``nlp/data/offensive_it.txt`` and ``offensive_en.txt`` (one
entry a line, ``#`` comments, a trailing ``*`` for "any ending", phrases allowed). Staff extend
them with files of their own, named by ``ASCOLTO_QUOTE_BLOCKLIST`` (several paths separated
by ``:``); an extra file is read again whenever it changes, so a new word applies to the next
quote chosen without a restart.

Matching is on whole words, after folding both the text and the entries the same way: case
and accents ignored, common digit-for-letter swaps undone (``sh1t``, ``c4zz0``), letters
spelled out with dots, dashes or spaces joined (``s.t.r.o.n.z.o``), and runs of a repeated
letter collapsed (``stronzooo``). It is a filter for *quotes* (a text that matches is never
quoted; it still counts in every number), so a rare false positive costs one quote, not a
voice.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
BUILT_IN = (DATA / "offensive_it.txt", DATA / "offensive_en.txt")
ENV = "ASCOLTO_QUOTE_BLOCKLIST"

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
# Three or more single characters separated by one dot, dash, underscore, asterisk or space.
_SPELLED = re.compile(r"(?<!\w)(?:\w[.\-_* ]){2,}\w(?!\w)")
_SEPARATOR = re.compile(r"[.\-_* ]")
_REPEATS = re.compile(r"(\w)\1+")


def fold(text: str) -> str:
    """``text`` as the matcher sees it (applied to the texts and to the entries alike)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_LEET)
    text = _SPELLED.sub(lambda m: _SEPARATOR.sub("", m.group(0)), text)
    return _REPEATS.sub(r"\1", text)


def read_entries(path: Path) -> list[str]:
    """The entries of a word file: non-blank lines that are not ``#`` comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _pattern(entry: str) -> str:
    prefix = entry.endswith("*")
    words = fold(entry.rstrip("*")).split()
    if not words:
        return ""
    body = r"\s*".join(re.escape(word) for word in words)  # "porco dio" matches "porcodio"
    return body + (r"\w*" if prefix else "")


class Blocklist:
    """A compiled word list; :meth:`matches` says whether a text contains any entry."""

    def __init__(self, entries: Iterable[str]) -> None:
        patterns = sorted({p for entry in entries if (p := _pattern(entry))})
        self.size = len(patterns)
        self._regex = (
            re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)") if patterns else None
        )

    def matches(self, text: str) -> bool:
        return self._regex is not None and self._regex.search(fold(text)) is not None

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> Blocklist:
        entries: list[str] = []
        for path in paths:
            entries.extend(read_entries(path))
        return cls(entries)


_configured: str | None = None  # set by the bot from its settings; else the environment
_cache: tuple[tuple[tuple[str, float], ...], Blocklist] | None = None


def configure(extra: str | None) -> None:
    """Use ``extra`` (paths separated by ``:``) instead of ``ASCOLTO_QUOTE_BLOCKLIST``."""
    global _configured
    _configured = extra


def extra_files() -> list[Path]:
    value = _configured if _configured is not None else os.environ.get(ENV, "")
    return [Path(part).expanduser() for part in value.split(os.pathsep) if part.strip()]


def _stamp(paths: Sequence[Path]) -> tuple[tuple[str, float], ...]:
    stamps = []
    for path in paths:
        try:
            stamps.append((str(path), path.stat().st_mtime))
        except OSError:
            stamps.append((str(path), -1.0))
    return tuple(stamps)


def default_blocklist() -> Blocklist:
    """The built-in lists plus the staff's extra files (re-read when one changes)."""
    global _cache
    extra = extra_files()
    stamp = _stamp([*BUILT_IN, *extra])
    if _cache is not None and _cache[0] == stamp:
        return _cache[1]
    readable = []
    for path in extra:
        if path.is_file():
            readable.append(path)
        else:  # a typo in the setting must not stop the themes; the bot checks it at start
            log.warning("%s: no such word file: %s", ENV, path)
    blocklist = Blocklist.from_files([*BUILT_IN, *readable])
    _cache = (stamp, blocklist)
    return blocklist


def is_offensive(text: str) -> bool:
    return default_blocklist().matches(text)


def fit_to_print(text: str) -> bool:
    """``True`` when ``text`` may be quoted (it contains no listed word)."""
    return not is_offensive(text)
