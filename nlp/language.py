"""Tell Italian from English, per text, from function words and spelling.

Survey answers are short, so a character n-gram model is overkill and fragile; the most
frequent function words of each language decide, accented vowels break ties, and a text
with no evidence either way gets the corpus majority (Italian when even that is unknown).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ITALIAN = _words(
    "il lo la i gli le un una uno di da del della dei delle dello degli nel nella nei "
    "nelle al alla ai alle dal dalla con per tra fra che non è e ed sono ma anche più come "
    "questo questa quello quella ci si mi ti noi voi loro sul sulla perché molto essere "
    "hanno ha ho abbiamo fare bisogno servono dove quando solo cosa città comune"
)
ENGLISH = _words(
    "the a an of to in on for with and or but is are was were be been it this that these "
    "those there their they we you i my our your not no more can could should would will "
    "have has had do does from by at as if about which who what when where city need"
)
_TOKEN = re.compile(r"[a-zàèéìòóù']+")
_ACCENT = re.compile(r"[àèéìòóù]")


def _evidence(text: str) -> tuple[int, int]:
    tokens = _TOKEN.findall(text.lower())
    it = sum(t in ITALIAN for t in tokens) + len(_ACCENT.findall(text.lower()))
    en = sum(t in ENGLISH for t in tokens)
    return it, en


def detect_language(text: str, default: str = "it") -> str:
    """``"it"`` or ``"en"`` for one text; ``default`` when there is no evidence."""
    it, en = _evidence(text)
    if it == en:
        return default
    return "it" if it > en else "en"


def detect_languages(texts: Sequence[str]) -> list[str]:
    """Per-text languages; undecided texts take the majority of the decided ones."""
    scores = [_evidence(t) for t in texts]
    decided = Counter("it" if a > b else "en" for a, b in scores if a != b)
    majority = decided.most_common(1)[0][0] if decided else "it"
    return [("it" if a > b else "en") if a != b else majority for a, b in scores]
