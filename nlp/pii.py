"""Scrub personal data from free text before it is clustered, quoted or exported.

Each finding is replaced by a typed placeholder (``[email]``, ``[phone]``, ``[iban]``,
``[tax_code]``, ``[url]``, ``[username]``, ``[name]``). Person names come from a trained
spaCy pipeline's entity recogniser when one is installed, otherwise from the name lists in
``nlp/data`` (first names; surnames only after a title or a first name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

PLACEHOLDERS = ("[email]", "[phone]", "[iban]", "[tax_code]", "[url]", "[username]", "[name]")

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{3,32}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
# Codice fiscale, with omocodia (digits replaced by letters L M N P Q R S T U V).
_CF = re.compile(
    r"\b[A-Z]{6}[0-9LMNP-V]{2}[ABCDEHLMPRST][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]\b",
    re.IGNORECASE,
)
# A phone candidate: optional +CC / 00CC, then digit groups split by single separators.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[ .\-/]?\(?\d\)?){5,16}(?![\w])")
_TITLE = (
    r"(?i:sig\.?(?:ra|na)?|signor(?:a|ina)?|dott\.?(?:ssa)?|dottor(?:essa)?|prof\.?(?:ssa)?|"
    r"professor(?:e|essa)?|avv\.?|avvocat[oa]|ing\.?|mr\.?|mrs\.?|ms\.?|miss|dr\.?)"
)
_TRAILING_PUNCT = ".,;:!?)]}'\""


def _phone_ok(candidate: str) -> bool:
    """Keep real-looking numbers; years, prices and counts are not phones."""
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith(("+", "00")):
        return 8 <= len(digits) <= 15
    # Italian mobiles start with 3 (10 digits), landlines with 0 (6–11 digits).
    if digits.startswith("3"):
        return len(digits) == 10
    if digits.startswith("0"):
        return 6 <= len(digits) <= 11 and not re.fullmatch(r"0[\d.,]*", candidate.strip())
    return False


def _read_list(name: str) -> list[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def _name_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    first = sorted(set(_read_list("first_names.txt")), key=len, reverse=True)
    last = sorted(set(_read_list("surnames.txt")), key=len, reverse=True)
    first_alt = "|".join(re.escape(n) for n in first)
    last_alt = "|".join(re.escape(n) for n in last)
    capitalised = r"[A-ZÀ-Ý][a-zà-ÿ'’]+"
    # "Giulia", "Giulia Rossi", "Giulia De Santis": first name + optional capitalised words.
    by_first = re.compile(rf"\b(?:{first_alt})\b(?:\s+(?:(?:{last_alt})\b|{capitalised}\b))?")
    # "dott.ssa Bianchi", "Mr Smith": a title then one or two capitalised words.
    by_title = re.compile(rf"\b{_TITLE}\s+(?:{capitalised}|{last_alt})(?:\s+{capitalised})?")
    return by_first, by_title


def _sub(pattern: re.Pattern[str], placeholder: str, text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        stripped = found.rstrip(_TRAILING_PUNCT)
        return placeholder + found[len(stripped) :]

    return pattern.sub(replace, text)


def _scrub_phones(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return "[phone]" if _phone_ok(match.group(0)) else match.group(0)

    return _PHONE.sub(replace, text)


def _scrub_names_by_list(text: str) -> str:
    by_first, by_title = _name_patterns()

    def title_replace(match: re.Match[str]) -> str:
        # Only the name part after the title is personal; the title itself stays readable.
        title = re.match(_TITLE, match.group(0))
        kept = title.group(0) if title else ""
        return kept + " [name]"

    text = by_title.sub(title_replace, text)
    return by_first.sub("[name]", text)


NameFinder = Callable[[str], str]


def scrub(text: str, name_finder: NameFinder | None = None) -> str:
    """``text`` with personal data replaced by typed placeholders.

    ``name_finder`` replaces person names (e.g. a trained pipeline's NER); by default the
    name lists are used. Order matters: e-mail addresses before @mentions, URLs before
    phone numbers (ids inside URLs look like numbers).
    """
    text = text.replace("\x00", "")
    text = _sub(_EMAIL, "[email]", text)
    text = _sub(_URL, "[url]", text)
    text = _MENTION.sub("[username]", text)
    text = _IBAN.sub("[iban]", text)
    text = _CF.sub("[tax_code]", text)
    text = _scrub_phones(text)
    return (name_finder or _scrub_names_by_list)(text)


def ner_name_finder(nlp: object) -> NameFinder:
    """A name finder from a loaded spaCy pipeline that has an ``ner`` component."""

    def find(text: str) -> str:
        doc = nlp(text)  # type: ignore[operator]
        out = text
        for ent in reversed(doc.ents):
            if ent.label_ in ("PER", "PERSON"):
                out = out[: ent.start_char] + "[name]" + out[ent.end_char :]
        return out

    return find
