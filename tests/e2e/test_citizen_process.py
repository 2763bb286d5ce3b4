"""`ascolto run` as a real process behind any Bot API server (``ASCOLTO_TELEGRAM_API_URL``):
the deep link ``/start opencare`` opens the consent screen with its buttons, answers go in,
and the process log carries neither Telegram ids nor what the citizen wrote.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox import BotApiEmulator
from dialogs.i18n import translate
from tests.e2e.citizen_support import button

ROOT = Path(__file__).resolve().parents[2]
ASCOLTO = [sys.executable, "-m", "bot.cli"]


def _env(emulator: BotApiEmulator, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASCOLTO_")}
    env.update(
        ASCOLTO_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        ASCOLTO_BOT_TOKEN=emulator.token,
        ASCOLTO_TELEGRAM_API_URL=emulator.url,
        ASCOLTO_PEPPER="another-long-random-pepper-for-the-citizen-process",
        ASCOLTO_DATA_DIR=str(database.parent / "data"),
    )
    return env


async def _run(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *ASCOLTO,
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def test_deep_link_opens_the_consent_screen_through_any_bot_api_server(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    env = _env(emulator, tmp_path / "ascolto.db")
    examples = [str(p) for p in sorted((ROOT / "surveys" / "examples").glob("*.yaml"))]
    load = await _run("consultations", "load", *examples, "--open", env=env)
    out, _ = await load.communicate()
    assert load.returncode == 0, out.decode()

    bot = await _run("run", env=env)
    try:
        tom = emulator.create_user("Tom", language_code="en")
        tom.send_text("/start opencare")
        consent = await tom.next_message(timeout=60)
        assert "Data controller: Comune di Milano" in (consent.text or "")
        assert [b["text"] for b in consent.buttons] == [
            translate("en", "button-consent", {"count": 14}),
            translate("en", "button-decline"),
            translate("en", "button-under-age", {"count": 14}),
        ]
        query = tom.tap(consent, button(consent, "ok:")["callback_data"])
        await tom.callback_answer(query, timeout=30)
        await tom.next_message(timeout=30)  # consent given, with the withdraw button
        first = await tom.next_message(timeout=30)
        assert "Which Municipio do you live in?" in (first.text or "")
        query = tom.tap(first, button(first, "a:")["callback_data"])
        await tom.callback_answer(query, timeout=30)
        await tom.next_message(timeout=30)
        tom.send_text("/idea Secret garden behind the market")
        await tom.next_message(timeout=30)
    finally:
        bot.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(bot.communicate(), 30))[0].decode(errors="replace")
    assert bot.returncode == 0, output
    assert str(tom.id) not in output and "Secret garden" not in output
