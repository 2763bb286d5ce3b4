"""The sandbox: `ascolto run` without a token.

In one process: the Bot API emulator on 127.0.0.1:``ASCOLTO_SANDBOX_PORT`` (which also serves
the web chat page), the real bot long-polling it, and the example consultations loaded and
open whatever their dates. The pepper for pseudonyms is generated once and kept in the data
folder, so a restarted sandbox still recognises its people.
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from bot.background import running_background
from bot.runner import close_application, on_stop_signals, open_application, run_polling
from bot.sandbox import BotApiEmulator
from bot.settings import Settings
from bot.webchat import add_webchat_routes
from storage.store import Storage
from surveys.clock import SystemClock
from surveys.entities import Role, StaffMember
from surveys.format import load_definition
from surveys.usecases.consultations import load_consultation

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "surveys" / "examples"
SANDBOX_PEOPLE = (("Giulia", "it"), ("Tom", "en"))
# Staff personas of the web chat, so one person can try the facilitator's side too: an admin
# (its id joins ASCOLTO_ADMINS for this run) and a facilitator (a staff row made at start).
SANDBOX_ADMIN = ("Ada · admin (staff)", "it")
SANDBOX_FACILITATOR = ("Fabio · facilitatore (staff)", "it")


def sandbox_pepper(data_dir: Path) -> bytes:
    """The sandbox's own pepper, created on first start (never used with a real token)."""
    path = data_dir / "sandbox-pepper"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode()


async def load_examples(storage: Storage, *, open_now: bool = True) -> list[str]:
    """Load (idempotently) and open every example consultation; their slugs."""
    slugs = []
    for path in sorted(EXAMPLES_DIR.glob("*.yaml")):
        definition = load_definition(path)
        result = await load_consultation(storage.uow, definition, SystemClock(), open_now=open_now)
        slugs.append(result.slug)
    return slugs


async def start_emulator(settings: Settings) -> BotApiEmulator:
    emulator = BotApiEmulator(host="127.0.0.1", port=settings.sandbox_port)
    add_webchat_routes(emulator.app)
    await emulator.start()
    for name, language in (*SANDBOX_PEOPLE, SANDBOX_ADMIN, SANDBOX_FACILITATOR):
        emulator.create_user(name, language_code=language)
    return emulator


def _user_id(emulator: BotApiEmulator, name: str) -> int:
    return next(u.id for u in emulator.world.users.values() if u.first_name == name)


def with_sandbox_admin(settings: Settings, emulator: BotApiEmulator) -> Settings:
    """``settings`` with the admin persona added to ``ASCOLTO_ADMINS`` (this run only)."""
    admins = [*map(str, sorted(settings.admin_ids)), str(_user_id(emulator, SANDBOX_ADMIN[0]))]
    return settings.model_copy(update={"admins": ",".join(admins)})


async def ensure_sandbox_facilitator(storage: Storage, emulator: BotApiEmulator) -> None:
    """Make the facilitator persona staff (idempotent: a restarted sandbox finds its row)."""
    name = SANDBOX_FACILITATOR[0]
    user_id = _user_id(emulator, name)
    async with storage.uow() as uow:
        member = await uow.staff.get_by_telegram_user(user_id)
        if member is None:
            await uow.staff.add(
                StaffMember(user_id, Role.FACILITATOR, name, created_at=SystemClock().now())
            )
        elif member.revoked_at is not None or member.role is not Role.FACILITATOR:
            member.role, member.revoked_at = Role.FACILITATOR, None
            await uow.staff.update(member)
        await uow.commit()


async def run_sandbox(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    emulator = await start_emulator(settings)
    settings = with_sandbox_admin(settings, emulator)
    try:
        app = await open_application(
            settings,
            token=emulator.token,
            api_url=emulator.url,
            pepper=sandbox_pepper(settings.data_dir),
        )
        try:
            slugs = await load_examples(app.storage)
            await ensure_sandbox_facilitator(app.storage, emulator)
            stop = asyncio.Event()
            on_stop_signals(stop.set)
            print(
                f"Ascolto sandbox: open http://127.0.0.1:{emulator.port}/ in a browser "
                f"(consultations open: {', '.join(slugs)}). Ctrl+C stops it.",
                flush=True,
            )
            if ready is not None:
                ready.set()
            # Scheduler and outbox sender (bot/background.py), for as long as the bot runs.
            async with running_background(
                app.storage,
                settings,
                token=emulator.token,
                api_url=emulator.url,
                themes=app.dispatcher["themes_runner"],
            ):
                await run_polling(app, stop)
        finally:
            await close_application(app)
    finally:
        await emulator.stop()
