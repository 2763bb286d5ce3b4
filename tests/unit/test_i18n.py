"""Both chat catalogues define exactly the same messages, and every message renders."""

from __future__ import annotations

import pytest

from dialogs.i18n import LANGUAGES, Translator, message_ids, normalise_language, translate


def test_italian_and_english_define_the_same_messages() -> None:
    italian, english = message_ids("it"), message_ids("en")
    assert italian, "the Italian catalogue is empty"
    assert italian - english == set(), "messages missing in English"
    assert english - italian == set(), "messages missing in Italian"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_renders_without_placeholders_left(language: str) -> None:
    args = {"count": 2, "title": "Opencare", "intro": "Servizi di cura", "name": "Anna"}
    for message_id in message_ids(language):
        text = translate(language, message_id, args)
        assert text.strip(), message_id
        assert "{" not in text, f"{language}/{message_id} left a placeholder: {text!r}"


def test_plural_forms_follow_the_count() -> None:
    assert "Ci sono 3" in translate("it", "start-open-consultations", {"count": 3})
    assert "una consultazione" in translate("it", "start-open-consultations", {"count": 1})
    assert "no open" in translate("en", "start-open-consultations", {"count": 0})


@pytest.mark.parametrize(
    ("code", "expected"),
    [("it", "it"), ("it-IT", "it"), ("IT", "it"), ("en-GB", "en"), ("de", "en"), (None, "en")],
)
def test_telegram_language_codes_map_to_our_two_languages(code: str | None, expected: str) -> None:
    assert normalise_language(code) == expected


def test_unknown_language_falls_back_to_english() -> None:
    assert Translator("fr")("help-text") == translate("en", "help-text")
