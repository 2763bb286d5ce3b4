"""What the domain and a theme engine exchange: texts in, drafted and curated themes out.

Pure data. A text is named by its :data:`TextRef` ``(source, source_id)`` (an answer or an
idea), which is also how staff curations and memberships refer to it. Vectors travel as
``bytes`` (float32, little-endian) so the domain needs no numerical library: it only moves
them between the database cache and the engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TextRef = tuple[str, int]  # (TextSource value, answers.id or ideas.id)

# stage ("vectorising", "clustering", "saving"…), done, total
ProgressCallback = Callable[[str, int, int], None]


def text_key(text: str) -> str:
    """The vector cache's key for a text: SHA-256 of the raw text, hex.

    Hashing the raw text (not the scrubbed one) lets erasure find a person's cached vectors
    without the scrubber; the vector itself is always computed from the scrubbed text.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ThemeDraft:
    """One cluster of a fresh clustering: its members are indices into the texts given."""

    label: str
    keywords: list[str]
    members: list[int]
    quotes: list[Quote] = field(default_factory=list)  # picked by the clustering itself


@dataclass
class Clustered:
    """A clustering: themes (already above the minimum group size) and the rest."""

    themes: list[ThemeDraft]
    unassigned: list[int]
    backend: str
    model: str | None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class CuratedGroup:
    """A theme after identity matching and staff curation (members by :data:`TextRef`)."""

    label: str
    members: set[TextRef] = field(default_factory=set)
    hidden: bool = False
    keywords: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CurationStep:
    """One stored staff edit, as the engine replays it (``theme_curations`` action + detail)."""

    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Quote:
    """A verbatim excerpt of a scrubbed text, with the text it came from."""

    index: int  # into the texts given to the engine
    text: str
