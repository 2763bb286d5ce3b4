"""Every text a person reads in the chat, from Fluent catalogues in Italian and English.

One ``.ftl`` file per language under ``dialogs/locales/<lang>/``. Fluent gives correct plurals
and named arguments; a test proves both catalogues define exactly the same message ids.
Unknown languages fall back to English; a message missing in Italian falls back to English
too rather than showing an id to a citizen (the catalogue test keeps that from happening).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax.ast import Message, Resource

LOCALES_DIR = Path(__file__).with_name("locales")
LANGUAGES: tuple[str, ...] = ("it", "en")
FALLBACK = "en"


def normalise_language(code: str | None) -> str:
    """Telegram's ``language_code`` (e.g. ``it``, ``it-IT``, ``en-GB``) → ``it`` or ``en``."""
    if code and code.lower().split("-")[0] == "it":
        return "it"
    return "en"


def _resources(language: str) -> list[Resource]:
    return [
        FluentResource(path.read_text(encoding="utf-8"))
        for path in sorted((LOCALES_DIR / language).glob("*.ftl"))
    ]


@cache
def _bundle(language: str) -> FluentBundle:
    # use_isolating=False: Unicode isolation marks around arguments show up as odd
    # characters in some Telegram clients, and we never mix right-to-left scripts.
    bundle = FluentBundle([language], use_isolating=False)
    for resource in _resources(language):
        bundle.add_resource(resource)
    return bundle


def message_ids(language: str) -> frozenset[str]:
    """Every message id the catalogue of ``language`` defines."""
    return frozenset(
        entry.id.name
        for resource in _resources(language)
        for entry in resource.body
        if isinstance(entry, Message)
    )


def translate(language: str, message_id: str, args: Mapping[str, Any] | None = None) -> str:
    """The text of ``message_id`` in ``language`` (it/en), with ``args`` filled in."""
    for candidate in (language if language in LANGUAGES else FALLBACK, FALLBACK):
        bundle = _bundle(candidate)
        if bundle.has_message(message_id):
            message = bundle.get_message(message_id)
            if message.value is None:
                break
            text, _errors = bundle.format_pattern(message.value, dict(args or {}))
            return str(text)
    raise KeyError(f"no text {message_id!r}")


class Translator:
    """``_ = Translator("it"); _("start-greeting", name=...)`` inside a handler."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else FALLBACK

    def __call__(self, message_id: str, **args: Any) -> str:
        return translate(self.language, message_id, args)
