"""Settings refuse unsafe combinations with a message that says what to set."""

from __future__ import annotations

import pytest

from bot.runner import ConfigurationError, check_settings
from bot.settings import Settings


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_no_token_means_sandbox_and_needs_nothing_else() -> None:
    check_settings(make())


def test_a_token_without_a_pepper_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="ASCOLTO_PEPPER"):
        check_settings(make(bot_token="123456:TEST"))


def test_a_webhook_needs_a_secret_of_32_characters() -> None:
    base = {"bot_token": "123456:TEST", "pepper": "p" * 40, "webhook_url": "https://x.example/wh"}
    with pytest.raises(ConfigurationError, match="ASCOLTO_WEBHOOK_SECRET"):
        check_settings(make(**base))
    with pytest.raises(ConfigurationError, match="32"):
        check_settings(make(**base, webhook_secret="s" * 31))
    check_settings(make(**base, webhook_secret="s" * 32))


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASCOLTO_ADMINS", "11, 22")
    monkeypatch.setenv("ASCOLTO_QUIET_HOURS", "22-8")
    monkeypatch.setenv("ASCOLTO_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.admin_ids == frozenset({11, 22})
    assert settings.quiet_hours_range == (22, 8)
    assert settings.database_url.startswith("postgresql+asyncpg://")


def test_an_unknown_database_driver_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASCOLTO_DATABASE_URL", "mysql://u@h/db")
    with pytest.raises(ValueError, match="sqlite\\+aiosqlite"):
        Settings(_env_file=None)  # type: ignore[call-arg]
