"""Settings from the environment (prefix ``ASCOLTO_``) and an optional ``.env`` file.

Validated once at start-up; secrets are ``SecretStr`` so that they never reach a log line.
The names are flat and stable: city IT departments script against them (DESIGN.md §7).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_REMINDER_HOURS = 24 * 30  # a reminder a month ahead is already more than anyone needs
MAX_REMINDERS = 10


def parse_reminder_hours(text: str) -> tuple[int, ...]:
    """``"48,24"`` → ``(48, 24)``: distinct whole hours before closing, latest last; ``""`` →
    no reminders. Anything else is refused with a message that says what to write."""
    hours: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_REMINDER_HOURS:
            raise ValueError(
                "ASCOLTO_REMINDER_HOURS must be whole hours before closing, from 1 to "
                f"{MAX_REMINDER_HOURS}, separated by commas (e.g. 48,24), not {text!r}"
            )
        hours.add(int(part))
    return tuple(sorted(hours, reverse=True))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASCOLTO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///./ascolto.db"
    redis_url: str | None = None
    pepper: SecretStr | None = None
    admins: str = ""
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8081"
    sandbox_port: int = 8080
    data_dir: Path = Path("./data")
    timezone: str = "Europe/Rome"
    quiet_hours: str = "21-9"
    min_group_size: int = Field(default=5, ge=1)
    nlp_backend: str | None = None
    nlp_model: str | None = None
    # Reminders to people who started and did not finish: hours before closing (comma-separated;
    # empty: none) and at most this many per person and consultation.
    reminder_hours: str = "24"
    reminder_max: int = 1
    # Extra word files for "quotes fit to print" (nlp/offensive.py), ":"-separated paths.
    quote_blocklist: str = ""
    # Deployment (docs/DEPLOY.md): webhook worker processes sharing ASCOLTO_WEBHOOK_LISTEN (more
    # than one needs PostgreSQL and Redis), the /healthz and /metrics listener for polling mode
    # ("" = off), and the prefix of every Redis key (FSM, event isolation, shared metrics).
    workers: int = Field(default=1, ge=1, le=64)
    admin_listen: str = ""
    redis_prefix: str = Field(default="fsm", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")

    @field_validator("quote_blocklist")
    @classmethod
    def _quote_blocklist(cls, value: str) -> str:
        for part in value.split(os.pathsep):
            if part.strip() and not Path(part.strip()).expanduser().is_file():
                raise ValueError(f"ASCOLTO_QUOTE_BLOCKLIST: no such word file: {part.strip()}")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "ASCOLTO_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return value

    @field_validator("reminder_hours")
    @classmethod
    def _reminder_hours(cls, value: str) -> str:
        parse_reminder_hours(value)
        return value

    @field_validator("reminder_max", mode="before")
    @classmethod
    def _reminder_max(cls, value: Any) -> int:
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if not 0 <= number <= MAX_REMINDERS:
            raise ValueError(
                f"ASCOLTO_REMINDER_MAX must be a whole number from 0 to {MAX_REMINDERS} "
                f"(reminders per person and consultation), not {value!r}"
            )
        return number

    @property
    def reminder_hours_before(self) -> tuple[int, ...]:
        return parse_reminder_hours(self.reminder_hours)

    @property
    def admin_ids(self) -> frozenset[int]:
        return frozenset(int(part) for part in self.admins.split(",") if part.strip())

    @property
    def quiet_hours_range(self) -> tuple[int, int]:
        start, _, end = self.quiet_hours.partition("-")
        return int(start), int(end)


def load_settings() -> Settings:
    return Settings()
