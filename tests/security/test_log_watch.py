"""The log watch of the end-to-end suite finds what it must (tests/security/log_leaks.py):
without this, a watch that sees nothing would pass for a clean log.

The people here are told to the watch directly, not created in an emulator, so that the
suite-wide watch of tests/e2e/conftest.py (still listening if this runs after the e2e tests)
does not count these deliberate leaks as its own.
"""

from __future__ import annotations

import logging

from tests.security.log_leaks import LeakWatch, watching


def test_the_watch_catches_an_id_a_name_and_a_typed_text() -> None:
    log = logging.getLogger("ascolto.leaky")
    with watching(LeakWatch()) as watch:
        watch.user_created(987_654_321_098, "Zebedea", "Brambillona")
        watch.text_sent("Vorrei più panchine all'ombra del viale")
        watch.text_sent("sì")  # too short to tell from the bot's own words
        log.info("update 98765432109 handled")  # an update id is not a person
        log.info("sì")
        assert watch.leaks() == []
        log.info("user %s wrote", 987_654_321_098)
        log.warning("hello Brambillona")
        log.error("failed on %r", "Vorrei più panchine all'ombra del viale")
    assert len(watch.leaks()) == 3
    assert watch not in logging.getLogger().handlers  # removed afterwards
