"""Settings from the environment (prefix ``ASCOLTO_``) and an optional ``.env`` file.

Validated once at start-up; secrets are ``SecretStr`` so that they never reach a log line.
The names are flat and stable: city IT departments script against them (DESIGN.md §7).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "ASCOLTO_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return value

    @property
    def admin_ids(self) -> frozenset[int]:
        return frozenset(int(part) for part in self.admins.split(",") if part.strip())

    @property
    def quiet_hours_range(self) -> tuple[int, int]:
        start, _, end = self.quiet_hours.partition("-")
        return int(start), int(end)


def load_settings() -> Settings:
    return Settings()
