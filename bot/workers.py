"""`ascolto run --workers N`: N webhook worker processes behind one listening port.

The parent checks the settings, migrates the database once (workers never race on Alembic),
then starts N children (``python -m bot.cli run --worker-index I``). Each child is a whole bot
(``bot.runner.run_with_token``) that binds ``ASCOLTO_WEBHOOK_LISTEN`` with ``SO_REUSEPORT``, so
the kernel spreads incoming connections over them. What makes them one bot:

- PostgreSQL holds the data; ``processed_updates`` de-duplicates an update delivered twice
  (even to two workers), and the scheduler's leader lock elects one outbox sender;
- Redis holds aiogram's FSM and the per-user event-isolation lock, so one citizen's updates are
  handled one at a time whichever worker receives them; and each worker's metrics.

Hence N > 1 is refused with SQLite, without Redis, in polling mode and in the sandbox. SIGTERM
(or SIGINT) to the parent is passed to every child, which drains its updates in flight; a child
that dies on its own is started again after a pause that grows while it keeps dying.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time

from bot.runner import ConfigurationError, check_settings, on_stop_signals
from bot.settings import Settings
from storage.schema import upgrade_schema

log = logging.getLogger(__name__)

STOP_GRACE = 30.0  # seconds a worker has to drain after SIGTERM before it is killed
RESTART_FIRST = 1.0
RESTART_MAX = 30.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
HEALTHY_AFTER = 60.0  # a worker that ran this long is healthy again: its backoff resets

# The refusals, in English and then in Italian: an operator may read either.
REFUSALS = {
    "sandbox": (
        "--workers/ASCOLTO_WORKERS above 1 needs a real bot (ASCOLTO_BOT_TOKEN): "
        "the sandbox runs in one process.",
        "--workers/ASCOLTO_WORKERS oltre 1 richiede un bot vero (ASCOLTO_BOT_TOKEN): "
        "la sandbox gira in un solo processo.",
    ),
    "polling": (
        "--workers/ASCOLTO_WORKERS above 1 needs webhook mode (set ASCOLTO_WEBHOOK_URL): "
        "Telegram gives updates by polling to one process at a time.",
        "--workers/ASCOLTO_WORKERS oltre 1 richiede la modalità webhook (imposta "
        "ASCOLTO_WEBHOOK_URL): con il polling Telegram consegna gli update a un processo solo.",
    ),
    "sqlite": (
        "--workers/ASCOLTO_WORKERS above 1 needs PostgreSQL (ASCOLTO_DATABASE_URL="
        "postgresql+asyncpg://...): SQLite is one file for one process.",
        "--workers/ASCOLTO_WORKERS oltre 1 richiede PostgreSQL (ASCOLTO_DATABASE_URL="
        "postgresql+asyncpg://...): SQLite è un file per un solo processo.",
    ),
    "redis": (
        "--workers/ASCOLTO_WORKERS above 1 needs Redis (ASCOLTO_REDIS_URL=redis://...): "
        "the conversation state and the per-person lock must be shared by the workers.",
        "--workers/ASCOLTO_WORKERS oltre 1 richiede Redis (ASCOLTO_REDIS_URL=redis://...): "
        "lo stato delle conversazioni e il blocco per persona vanno condivisi tra i processi.",
    ),
}


def refusal(reason: str) -> ConfigurationError:
    english, italian = REFUSALS[reason]
    return ConfigurationError(f"{english}\n{italian}")


def check_workers(settings: Settings) -> None:
    """Refuse a multi-worker start that could not keep its guarantees."""
    if settings.workers <= 1:
        return
    if settings.bot_token is None:
        raise refusal("sandbox")
    if not settings.webhook_url:
        raise refusal("polling")
    if not settings.database_url.startswith("postgresql"):
        raise refusal("sqlite")
    if not settings.redis_url:
        raise refusal("redis")


def tag_logs(worker: int) -> None:
    """Children share the parent's stderr: every line says which worker wrote it."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(
            logging.Formatter(f"%(asctime)s %(levelname)s [worker {worker}] %(name)s: %(message)s")
        )


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it if the parent dies (even by SIGKILL), so that no
    orphaned worker keeps the port. Linux only; elsewhere the parent's SIGTERM must suffice."""
    if sys.platform == "linux":
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(self, settings: Settings, command: list[str] | None = None) -> None:
        self.settings = settings
        # The children run this very program; a test may point it elsewhere.
        self.command = command or [sys.executable, "-m", "bot.cli", "run"]
        self._stopping = asyncio.Event()
        self._children: dict[int, asyncio.subprocess.Process] = {}

    async def run(self) -> int:
        check_settings(self.settings)
        check_workers(self.settings)
        await upgrade_schema(self.settings.database_url)
        on_stop_signals(self._stopping.set)
        count = self.settings.workers
        log.info("starting %d workers on %s", count, self.settings.webhook_listen)
        results = await asyncio.gather(*(self._keep_running(n) for n in range(count)))
        return 0 if all(code == 0 for code in results) else 1

    async def _spawn(self, worker: int) -> asyncio.subprocess.Process:
        env = dict(os.environ, ASCOLTO_WORKERS=str(self.settings.workers))
        return await asyncio.create_subprocess_exec(
            *self.command, "--worker-index", str(worker), env=env, preexec_fn=_die_with_parent
        )

    async def _keep_running(self, worker: int) -> int:
        """Run worker ``worker`` until the parent stops; its exit code at the stop."""
        delay = RESTART_FIRST
        while True:
            started = time.monotonic()
            process = await self._spawn(worker)
            self._children[worker] = process
            waiting = asyncio.create_task(process.wait())
            stopping = asyncio.create_task(self._stopping.wait())
            await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if self._stopping.is_set():
                stopping.cancel()
                return await self._stop(worker, process, waiting)
            stopping.cancel()
            code = waiting.result()
            if time.monotonic() - started >= HEALTHY_AFTER:
                delay = RESTART_FIRST
            log.error("worker %d exited with %s; starting it again in %.0f s", worker, code, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            if self._stopping.is_set():
                return 0
            delay = min(RESTART_MAX, delay * 2)

    async def _stop(
        self, worker: int, process: asyncio.subprocess.Process, waiting: asyncio.Task[int]
    ) -> int:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(asyncio.shield(waiting), STOP_GRACE)
        except TimeoutError:
            log.error("worker %d did not stop in %.0f s; killing it", worker, STOP_GRACE)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            code = await waiting
        log.info("worker %d stopped (exit code %s)", worker, code)
        # Killed by our own SIGTERM: a worker still starting had nothing in flight to finish.
        return 0 if code == -signal.SIGTERM else code
