"""`ascolto run --workers N` refuses what could not keep its guarantees (bot/workers.py)."""

from __future__ import annotations

import pytest

from bot.runner import ConfigurationError
from bot.settings import Settings
from bot.workers import check_workers

SOUND = {
    "bot_token": "123456:" + "A" * 35,
    "pepper": "a-pepper",
    "webhook_url": "https://bot.example.org/webhook",
    "webhook_secret": "s" * 40,
    "database_url": "postgresql+asyncpg://ascolto@db/ascolto",
    "redis_url": "redis://127.0.0.1:6379/0",
    "workers": 4,
}


def test_a_sound_multi_worker_deployment_passes() -> None:
    check_workers(Settings(**SOUND))  # type: ignore[arg-type]
    check_workers(Settings(workers=1))  # one worker: anything the single process accepts


@pytest.mark.parametrize(
    ("change", "english", "italian"),
    [
        ({"bot_token": None}, "needs a real bot", "richiede un bot vero"),
        ({"webhook_url": None}, "needs webhook mode", "richiede la modalità webhook"),
        (
            {"database_url": "sqlite+aiosqlite:///./a.db"},
            "needs PostgreSQL",
            "richiede PostgreSQL",
        ),
        ({"redis_url": None}, "needs Redis", "richiede Redis"),
    ],
)
def test_each_missing_piece_is_refused_in_english_and_italian(
    change: dict[str, object], english: str, italian: str
) -> None:
    settings = Settings(**{**SOUND, **change})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as refused:
        check_workers(settings)
    assert english in str(refused.value) and italian in str(refused.value)
