"""ASCOLTO_NLP_BACKEND and ASCOLTO_NLP_MODEL reach the running bot's themes worker.

The worker runs each job in a child process (``bot.themes_process``): the settings must be on
its command line (tests/integration/test_themes_process.py runs such a child for real).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.background import Background, BackgroundSettings
from bot.settings import Settings
from bot.themes_process import ThemesProcess
from storage.schema import upgrade_schema
from storage.store import Storage


async def test_the_configured_backend_clusters_the_bot_s_themes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASCOLTO_NLP_BACKEND", "tfidf")
    monkeypatch.setenv("ASCOLTO_NLP_MODEL", "some/model")
    settings = Settings(_env_file=None)
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
        jobs = background.themes.jobs
        assert isinstance(jobs, ThemesProcess)
        assert jobs.database_url == url
        command = jobs.command(["opencare"], full=True)
        assert command[1:3] == ["-m", "bot.themes_job"]
        assert command[command.index("--backend") + 1] == "tfidf"
        assert command[command.index("--model") + 1] == "some/model"
        assert "--full" in command and url not in command  # the URL travels in the environment
    finally:
        await background.bot.session.close()
        await storage.close()
