"""ASCOLTO_NLP_BACKEND and ASCOLTO_NLP_MODEL reach the running bot's themes worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.background import Background, BackgroundSettings
from bot.settings import Settings
from storage.schema import upgrade_schema
from storage.store import Storage


async def test_the_configured_backend_clusters_the_bot_s_themes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASCOLTO_NLP_BACKEND", "tfidf")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade_schema(url)
    storage = Storage.open(url)
    background = Background(
        storage,
        token="123:abc",
        api_url="http://127.0.0.1:9",
        settings=BackgroundSettings.from_settings(settings),
    )
    try:
        assert background.themes.engine().backend == "tfidf"
    finally:
        await background.bot.session.close()
        await storage.close()
