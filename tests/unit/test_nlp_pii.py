"""PII scrubbing: every kind of personal data becomes its typed placeholder, the rest stays."""

from __future__ import annotations

import pytest

from nlp.pii import PLACEHOLDERS, scrub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scrivete a mario.rossi@example.it, grazie", "scrivete a [email], grazie"),
        ("chiamami al 333 123 4567.", "chiamami al [phone]."),
        ("ufficio 02 1234 5678", "ufficio [phone]"),
        ("call +44 20 7946 0958 now", "call [phone] now"),
        ("numero 0039 333 1234567", "numero [phone]"),
        ("IBAN IT60X0542811101000000123456 per favore", "IBAN [iban] per favore"),
        ("il mio CF è RSSMRA85T10A562S", "il mio CF è [tax_code]"),
        ("vedi https://example.org/p?id=42. Poi", "vedi [url]. Poi"),
        ("vedi www.comune.milano.it/pratica/123", "vedi [url]"),
        ("come dice @giulia_b ieri", "come dice [username] ieri"),
        ("ho parlato con Giulia Rossi ieri", "ho parlato con [name] ieri"),
        ("la dott.ssa Bianchi ha risposto", "la dott.ssa [name] ha risposto"),
        ("Mr Smith and Peter agreed", "Mr [name] and [name] agreed"),
    ],
)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Nel 2018 erano 1500 persone, poi 2019 e 2020",
        "costa 12,50 euro alle 10.30 del 12/05/2021",
        "La rosa è bella e la costa è lunga",
        "Servono più piste ciclabili in via Padova",
        "I will walk in May with my bill",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert scrub(text) == text


def test_email_is_not_mistaken_for_a_mention() -> None:
    scrubbed = scrub("a@b.co and @someone")
    assert scrubbed == "[email] and [username]"


def test_nul_characters_are_dropped() -> None:
    assert scrub("ciao\x00mondo") == "ciaomondo"


def test_a_custom_name_finder_replaces_the_list() -> None:
    scrubbed = scrub("Zebedeo dice ciao", name_finder=lambda t: t.replace("Zebedeo", "[name]"))
    assert scrubbed == "[name] dice ciao"
    assert all(p.startswith("[") for p in PLACEHOLDERS)
