"""Bot tokens never reach a log line."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactingFilter, redact


def test_tokens_in_urls_are_redacted() -> None:
    line = "GET https://api.telegram.org/bot123456789:AAH-abcdefghijklmnopqrstuvwxyz_12345/getMe"
    assert "123456789:AAH" not in redact(line)
    assert "[token]" in redact(line)


def test_times_and_ordinary_text_are_left_alone() -> None:
    assert redact("reminder at 09:30, update 42 handled") == "reminder at 09:30, update 42 handled"


def test_the_filter_rewrites_records(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info("calling %s", "/bot123456:TEST-TOKEN-abcdef/sendMessage")
    assert "TEST-TOKEN" not in caplog.text
    assert "[token]" in caplog.text
