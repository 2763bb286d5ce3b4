"""CPU and SQL statements per citizen update, bot and emulator in one process (an A/B probe).

``bench/interactive.py`` measures rates and latencies with the bot in its own process; on a
busy machine those mean little. This probe measures what stays comparable: the process's CPU
time and the number of SQL statements per update while ``--citizens`` people answer
``bench/fixtures/interactive-survey.yaml`` at once (15 updates each), through the real
application (``tests.e2e.citizen_support.running_bot``) on SQLite. The CPU includes the
emulator and the simulated citizens (about 1–2 ms per update), the same in A and in B.

Compare two versions of the code by running each in turn, twice, on the same machine. Run it
from outside both trees (``-m`` puts the current folder first on ``sys.path``):

    cd /tmp && PYTHONPATH=/work/main /work/main/.venv/bin/python -m bench.cpu_per_update
    cd /tmp && PYTHONPATH=/old/checkout /work/main/.venv/bin/python -m bench.cpu_per_update

(the old checkout needs this file copied into its ``bench/``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.interactive import FIXTURE, _button, _is_reply, _script
from bot.sandbox.state import ChatMessage
from bot.sandbox.users import wait_for_message
from surveys.clock import SystemClock
from surveys.format import load_definition
from surveys.usecases.consultations import load_consultation
from tests.e2e.citizen_support import running_bot

RESULTS_JSON = Path(__file__).parent / "results" / "cpu_per_update.json"
BUTTONS = {"consent": "ok:", "tap": "a:", "submit": "f:"}
REPLY_TIMEOUT = 30.0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _citizen(app: Any, name: str, script: list[str]) -> None:
    """One person through the whole survey, each update sent when the previous reply is in."""
    user = app.emulator.create_user(name, language_code="it")
    last: ChatMessage | None = None
    for i, action in enumerate(script):
        if action == "start":
            user.send_text(f"/start {load_definition(FIXTURE).slug}")
        elif action.startswith("type:"):
            user.send_text(action.removeprefix("type:"))
        else:
            assert last is not None  # a tap follows the reply that carries its button
            user.tap(last, _button(last, BUTTONS[action]))
        while True:
            message = await wait_for_message(app.emulator.world, user.chat_id, REPLY_TIMEOUT)
            if _is_reply(message, i == len(script) - 1):
                break
        last = message


async def measure(citizens: int) -> dict[str, float]:
    definition = load_definition(FIXTURE)
    script = _script(definition.slug)
    with tempfile.TemporaryDirectory() as folder:
        async with running_bot(f"sqlite+aiosqlite:///{Path(folder) / 'probe.db'}") as app:
            await load_consultation(app.storage.uow, definition, SystemClock(), open_now=True)
            statements = 0

            def count(*_args: object) -> None:
                nonlocal statements
                statements += 1

            sa.event.listen(app.storage.engine.sync_engine, "before_cursor_execute", count)
            for warm in range(2):  # imports, caches, the pool: not measured
                await _citizen(app, f"warm{warm}", script)
            statements = 0
            cpu, wall = _cpu_seconds(), time.perf_counter()
            await asyncio.gather(*(_citizen(app, f"c{n}", script) for n in range(citizens)))
            cpu, wall = _cpu_seconds() - cpu, time.perf_counter() - wall
    updates = citizens * len(script)
    return {
        "updates": updates,
        "cpu_ms_per_update": round(1000 * cpu / updates, 2),
        "statements_per_update": round(statements / updates, 2),
        "wall_s": round(wall, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=20)
    parser.add_argument("--label", default="run")
    parser.add_argument("--write", action="store_true", help=f"also write {RESULTS_JSON.name}")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.citizens))
    print(args.label, result, flush=True)
    if args.write:
        record = {
            "label": args.label,
            "citizens": args.citizens,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "load_1min": os.getloadavg()[0],
            "command": f"python -m bench.cpu_per_update --citizens {args.citizens}",
            **result,
        }
        RESULTS_JSON.write_text(json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
