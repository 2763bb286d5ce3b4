"""What the browser tests share: Debian's Chromium, and the whole sandbox running in-process.

Playwright only drives the installed browser (``executable_path``); it never downloads one.
``needs_chromium`` skips a module when Chromium is not installed (CI installs it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox_mode import run_sandbox
from bot.settings import Settings

CHROMIUM = os.environ.get("ASCOLTO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling Google's hosts, which this
# closed network refuses, many at a time.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def running_sandbox(folder: Path) -> AsyncIterator[str]:
    """`ascolto run` without a token, in this process, on a free port; yields the page URL."""
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{folder / 'sandbox.db'}",
        data_dir=folder / "data",
        sandbox_port=free_port(),
    )
    ready = asyncio.Event()
    task = asyncio.create_task(run_sandbox(settings, ready=ready))
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiting}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if not ready.is_set():
        waiting.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task  # re-raises the start-up error, if that is why it is not ready
        pytest.fail("the sandbox did not start within 60 s")
    try:
        yield f"http://127.0.0.1:{settings.sandbox_port}/"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # run_sandbox took over SIGINT/SIGTERM for its own stop event; give them back.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
