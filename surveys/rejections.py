"""Why an answer was not accepted, and how to tell the citizen politely, in Italian and English.

The engine (``surveys.engine``) returns a :class:`Rejection` instead of raising: a code from
:class:`RejectionCode` plus the numbers the sentence needs ("between {min} and {max}"). The
enum is the single registry of codes: :class:`Rejection` refuses any other code, so a new code
cannot reach a citizen without a text, and a test proves every code has both languages.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

FALLBACK_LANGUAGE = "en"

ParamValue = str | int | float


class RejectionCode(StrEnum):
    """Every reason the engine can give for refusing an answer."""

    REQUIRED = "required"
    INVALID_VALUE = "invalid_value"  # wrong shape: a bug in a button, not a citizen's mistake
    NOT_AN_OPTION = "not_an_option"
    DUPLICATE_CHOICE = "duplicate_choice"
    TOO_FEW_CHOICES = "too_few_choices"
    TOO_MANY_CHOICES = "too_many_choices"
    OUT_OF_RANGE = "out_of_range"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    NOT_A_NUMBER = "not_a_number"
    NOT_AN_INTEGER = "not_an_integer"
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_YES_NO = "not_yes_no"
    WRONG_RANKING = "wrong_ranking"
    UNKNOWN_DISTRICT = "unknown_district"
    PIN_NOT_ALLOWED = "pin_not_allowed"
    DISTRICT_NOT_ALLOWED = "district_not_allowed"
    PIN_EXPECTED = "pin_expected"
    INVALID_LOCATION = "invalid_location"


@dataclass(frozen=True)
class Rejection:
    """A refused answer, e.g. ``Rejection("too_short", {"min": 10, "length": 4})``.

    ``code`` is always a :class:`RejectionCode` (a ``str``), so ``rejection.code == "too_short"``
    works; an unknown code raises ``ValueError`` at construction.
    """

    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", RejectionCode(self.code))
        object.__setattr__(self, "params", dict(self.params))

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))


# Italian uses the informal "tu", as the survey questions themselves do.
REJECTION_TEXTS: Mapping[str, Mapping[str, str]] = {
    RejectionCode.REQUIRED: {
        "it": "Questa domanda richiede una risposta.",
        "en": "This question needs an answer.",
    },
    RejectionCode.INVALID_VALUE: {
        "it": "Non riesco a leggere questa risposta. Riprova, per favore.",
        "en": "Sorry, I could not read that answer. Please try again.",
    },
    RejectionCode.NOT_AN_OPTION: {
        "it": "Scegli una delle opzioni proposte (da 1 a {count}).",
        "en": "Please choose one of the options shown (1 to {count}).",
    },
    RejectionCode.DUPLICATE_CHOICE: {
        "it": "Hai indicato la stessa opzione più di una volta: indicala una volta sola.",
        "en": "You picked the same option more than once: please pick it only once.",
    },
    RejectionCode.TOO_FEW_CHOICES: {
        "it": "Scegli almeno {min} tra le opzioni proposte.",
        "en": "Please choose at least {min} of the options.",
    },
    RejectionCode.TOO_MANY_CHOICES: {
        "it": "Puoi scegliere al massimo {max} tra le opzioni proposte.",
        "en": "Please choose at most {max} of the options.",
    },
    RejectionCode.OUT_OF_RANGE: {
        "it": "Scrivi un numero tra {min} e {max}.",
        "en": "Please send a number between {min} and {max}.",
    },
    RejectionCode.TOO_SMALL: {
        "it": "Scrivi un numero uguale o maggiore di {min}.",
        "en": "Please send a number of at least {min}.",
    },
    RejectionCode.TOO_LARGE: {
        "it": "Scrivi un numero uguale o minore di {max}.",
        "en": "Please send a number of at most {max}.",
    },
    RejectionCode.NOT_A_NUMBER: {
        "it": "Scrivi un numero, per esempio 3 oppure 3,5.",
        "en": "Please send a number, for example 3 or 3.5.",
    },
    RejectionCode.NOT_AN_INTEGER: {
        "it": "Scrivi un numero intero, senza decimali (per esempio 3).",
        "en": "Please send a whole number, without decimals (for example 3).",
    },
    RejectionCode.EMPTY: {
        "it": "Il messaggio è vuoto: scrivi la tua risposta, per favore.",
        "en": "Your message is empty: please write your answer.",
    },
    RejectionCode.TOO_SHORT: {
        "it": "La risposta è un po' breve: scrivi almeno {min} caratteri (ora sono {length}).",
        "en": "Your answer is a bit short: please write at least {min} characters (now {length}).",
    },
    RejectionCode.TOO_LONG: {
        "it": "La risposta è troppo lunga: al massimo {max} caratteri (ora sono {length}).",
        "en": "Your answer is too long: please keep it to {max} characters (now {length}).",
    },
    RejectionCode.NOT_YES_NO: {
        "it": "Rispondi «sì» oppure «no», per favore.",
        "en": "Please answer “yes” or “no”.",
    },
    RejectionCode.WRONG_RANKING: {
        "it": "Metti in ordine esattamente {count} opzioni, dalla più importante.",
        "en": "Please rank exactly {count} options, most important first.",
    },
    RejectionCode.UNKNOWN_DISTRICT: {
        "it": "Scegli una delle zone dell'elenco (da 1 a {count}).",
        "en": "Please choose one of the districts listed (1 to {count}).",
    },
    RejectionCode.PIN_NOT_ALLOWED: {
        "it": "Per questa domanda scegli una zona dall'elenco invece di inviare una posizione.",
        "en": "For this question, please choose a district from the list instead of a location.",
    },
    RejectionCode.DISTRICT_NOT_ALLOWED: {
        "it": "Per questa domanda invia una posizione sulla mappa invece di scegliere una zona.",
        "en": "For this question, please send a location on the map instead of a district.",
    },
    RejectionCode.PIN_EXPECTED: {
        "it": "Per rispondere invia una posizione: 📎 → Posizione.",
        "en": "To answer, please send a location: 📎 → Location.",
    },
    RejectionCode.INVALID_LOCATION: {
        "it": "Non riesco a leggere questa posizione. Riprova, per favore.",
        "en": "Sorry, I could not read that location. Please try again.",
    },
}


def explain(rejection: Rejection, language: str) -> str:
    """The sentence a citizen reads for ``rejection``, in ``language`` (English when unknown)."""
    texts = REJECTION_TEXTS[rejection.code]
    base_language = language.split("-")[0].lower()
    template = texts.get(base_language) or texts[FALLBACK_LANGUAGE]
    params = {name: _format_param(value, base_language) for name, value in rejection.params.items()}
    return template.format_map(_KeepMissing(params))


def template_fields(template: str) -> frozenset[str]:
    """The ``{names}`` a template needs; tests use it to check params match the texts."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _format_param(value: ParamValue, language: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    text = repr(value) if isinstance(value, float) else str(value)
    # Italian writes 3,5 where English writes 3.5.
    return text.replace(".", ",") if language == "it" else text


class _KeepMissing(dict[str, str]):
    """A missing parameter shows as ``{name}`` instead of crashing a reply to a citizen."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
