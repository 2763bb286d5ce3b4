"""Memory of a serving bot on a large database, and of its theme job's process.

Seeds the example consultations with N participants and A answers by bulk inserts (valid
answers of every question type, chosen like ``ascolto demo seed`` does; free texts from the
demo text pool), then starts the real bot (``python -m bot.cli run``) against the Bot API
emulator running in this process, and while it serves:

1. ``--citizens`` simulated citizens join Opencare and complete the survey, in waves;
2. an admin (``ASCOLTO_ADMINS``) taps "Find themes now" for Opencare: the job runs in a child
   process (``bot.themes_job``), while a second wave of citizens keeps answering;
3. the admin reads the list of themes.

A sampler reads ``VmRSS``/``VmHWM`` of the bot process and of every child of it
(``/proc``, bench/procmem.py) every ``--every`` seconds. The figures: the bot's peak
(``VmHWM``) and RSS per phase, the theme job's peak (its own ``ru_maxrss``, logged by the bot,
and the sampled ``VmHWM``), and which theme-model packages are mapped into the bot (should be
none). Target (issue #10): the bot stays under 300 MB.

    .venv/bin/python -m bench.memory [--participants 10000] [--answers 100000]
        [--citizens 40] [--nlp-backend e5|tfidf] [--postgres | --database-url URL]

Writes ``bench/results/memory.json`` and the ``## Memory`` section of ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import procmem
from bench.record import machine, replace_section
from bot.commands.demo import choose_answer, example_definitions
from bot.demo_texts import TextPool, shared_data_dir
from bot.sandbox import BotApiEmulator
from bot.sandbox_mode import load_examples
from dialogs.i18n import translate
from storage.schema import upgrade_schema
from storage.store import Storage
from storage.tables import answers, consultations, participants, participations
from surveys.definition import SurveyDefinition
from tests.e2e.citizen_support import Citizen, button, complete, join, latest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_JSON = HERE / "results" / "memory.json"
TARGET_MB = 300
CHUNK = 5_000
THEMES_SLUG = "opencare"


# --- seeding -----------------------------------------------------------------------------


async def _insert(storage: Storage, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    async with storage.engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            await connection.execute(table.insert(), rows[start : start + CHUNK])


async def seed(storage: Storage, people: int, total_answers: int) -> dict[str, Any]:
    """``people`` participants answering the examples until ``total_answers`` answers exist."""
    await load_examples(storage)
    definitions: dict[str, SurveyDefinition] = example_definitions()
    async with storage.engine.connect() as connection:
        rows = (await connection.execute(sa.select(consultations))).mappings().all()
        first = (await connection.execute(sa.select(sa.func.max(participants.c.id)))).scalar()
        last_participation = (
            await connection.execute(sa.select(sa.func.max(participations.c.id)))
        ).scalar()
    found = {r["slug"]: (int(r["id"]), int(r["current_version"])) for r in rows}
    slugs = [s for s in definitions if s in found]
    rng = random.Random(20261127)
    pool = TextPool(rng, shared_data_dir())
    now = datetime.now(UTC)
    first_id = (first or 0) + 1
    per_person = max(1, round(total_answers / max(1, people)))
    person_rows, participation_rows, answer_rows = [], [], []
    participation_id = last_participation or 0
    written = free_texts = 0
    for n in range(people):
        language = "it" if rng.random() < 0.7 else "en"
        person_rows.append(
            {
                "id": first_id + n,
                "pseudonym": f"bench-memory-{n:07d}",
                "language": language,
                "unreachable": True,  # invented chats: never message them
                "created_at": now - timedelta(days=rng.uniform(0, 20)),
            }
        )
        budget = min(per_person, total_answers - written)
        for slug in rng.sample(slugs, len(slugs)):
            if budget <= 0:
                break
            consultation_id, version = found[slug]
            questions = list(definitions[slug].questions)
            started = now - timedelta(days=rng.uniform(0, 20))
            participation_id += 1
            taken = 0
            for question in questions[:budget]:
                value = choose_answer(question, language, rng, pool)
                if value is None:
                    continue
                free_texts += isinstance(value, str)
                answer_rows.append(
                    {
                        "participation_id": participation_id,
                        "question_key": question.key,
                        "value": value,
                        "version": version,
                        "answered_at": started + timedelta(seconds=20 * (taken + 1)),
                    }
                )
                taken += 1
            done = budget >= len(questions)  # every question seen (optional ones may be skipped)
            participation_rows.append(
                {
                    "id": participation_id,
                    "participant_id": first_id + n,
                    "consultation_id": consultation_id,
                    "version": version,
                    "status": "submitted" if done else "in_progress",
                    "current_question": None
                    if done
                    else questions[min(taken, len(questions) - 1)].key,
                    "started_at": started,
                    "submitted_at": started + timedelta(minutes=5) if done else None,
                }
            )
            budget -= taken
            written += taken
        if len(answer_rows) >= CHUNK * 4:
            await _flush(storage, person_rows, participation_rows, answer_rows)
    await _flush(storage, person_rows, participation_rows, answer_rows)
    if storage.dialect == "postgresql":
        # Explicit ids leave the sequences behind: the bot's own inserts would collide.
        async with storage.engine.begin() as connection:
            for table in (participants, participations, answers):
                await connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
                await connection.execute(sa.text(f"ANALYZE {table.name}"))
    return {"participants": people, "answers": written, "free_text_answers": free_texts}


async def _flush(
    storage: Storage,
    person_rows: list[dict[str, Any]],
    participation_rows: list[dict[str, Any]],
    answer_rows: list[dict[str, Any]],
) -> None:
    await _insert(storage, participants, person_rows)
    await _insert(storage, participations, participation_rows)
    await _insert(storage, answers, answer_rows)
    for rows in (person_rows, participation_rows, answer_rows):
        rows.clear()


# --- sampling ----------------------------------------------------------------------------


class Sampler:
    """RSS of the bot and of its theme jobs, per phase, every ``every`` seconds."""

    def __init__(self, pid: int, every: float) -> None:
        self.pid = pid
        self.every = every
        self.phase = "start"
        self.bot: dict[str, dict[str, int]] = {}  # phase -> max VmRSS, last VmHWM (KiB)
        self.jobs: dict[int, dict[str, Any]] = {}
        self.samples = 0

    def sample(self) -> None:
        now = procmem.status_kb(self.pid)
        if now:
            phase = self.bot.setdefault(self.phase, {"rss_max_kb": 0, "hwm_kb": 0})
            phase["rss_max_kb"] = max(phase["rss_max_kb"], now["VmRSS"])
            phase["hwm_kb"] = now["VmHWM"]
        for child in procmem.descendants(self.pid):
            line = procmem.command_line(child)
            if "bot.themes_job" not in line:
                continue
            status = procmem.status_kb(child)
            job = self.jobs.setdefault(
                child, {"rss_max_kb": 0, "hwm_kb": 0, "first_seen": time.monotonic()}
            )
            if status:
                job["rss_max_kb"] = max(job["rss_max_kb"], status["VmRSS"])
                job["hwm_kb"] = max(job["hwm_kb"], status["VmHWM"])
                job["last_seen"] = time.monotonic()
        self.samples += 1

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.sample()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)


# --- driving the bot ---------------------------------------------------------------------


async def take_part(citizen: Citizen) -> bool:
    try:
        first = await join(citizen, THEMES_SLUG)
        summary = await complete(citizen, first, citizen.user.record.language_code or "it")
        await citizen.tap(summary, data=button(summary, "f:")["callback_data"])
        return True
    except (AssertionError, TimeoutError) as problem:
        print(f"a citizen did not finish: {problem!r}", file=sys.stderr)
        return False


async def wave(emulator: BotApiEmulator, count: int, start: int) -> int:
    people = [
        Citizen(
            emulator.create_user(f"Bench {start + n}", language_code="it" if n % 3 else "en"),
            emulator,
        )
        for n in range(count)
    ]
    return sum(await asyncio.gather(*(take_part(p) for p in people)))


async def find_themes(admin: Citizen, limit: float) -> tuple[float, bool]:
    """Tap "Find themes now" and wait for the progress message to say done; (seconds, done)."""
    reply = await admin.say(f"/themes {THEMES_SLUG}")
    began = time.monotonic()
    find = [b for b in reply.buttons if str(b.get("callback_data", "")).startswith("tr:")]
    if not find:
        print("no Find themes now button: a theme run exists already?", file=sys.stderr)
        return 0.0, False
    await admin.tap(reply, data=str(find[0]["callback_data"]))
    progress = await admin.read()
    ends = {translate("it", "themes-progress-done"): True}
    ends[translate("it", "themes-progress-failed")] = False
    while time.monotonic() - began < limit:
        text = latest(admin, progress).text or ""
        if text in ends:
            if ends[text]:
                await admin.read()  # the list of themes
            return time.monotonic() - began, ends[text]
        await asyncio.sleep(0.5)
    return time.monotonic() - began, False


def _env(
    emulator: BotApiEmulator, url: str, folder: Path, admin: int, backend: str | None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASCOLTO_")}
    env.update(
        ASCOLTO_DATABASE_URL=url,
        ASCOLTO_BOT_TOKEN=emulator.token,
        ASCOLTO_TELEGRAM_API_URL=emulator.url,
        ASCOLTO_PEPPER="bench-memory-pepper-not-a-secret",
        ASCOLTO_DATA_DIR=str(folder / "data"),
        ASCOLTO_ADMINS=str(admin),
    )
    if backend:
        env["ASCOLTO_NLP_BACKEND"] = backend
    return env


def _mb(kb: int | None) -> float | None:
    return round(kb / 1024, 1) if kb else None


async def measure(args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    await upgrade_schema(url)
    storage = Storage.open(url)
    began = time.monotonic()
    try:
        seeded = await seed(storage, args.participants, args.answers)
    finally:
        await storage.close()
    seeded["seconds"] = round(time.monotonic() - began, 1)
    print(f"seeded: {seeded}", file=sys.stderr)

    emulator = BotApiEmulator("127.0.0.1", port=0)
    await emulator.start()
    admin = Citizen(emulator.create_user("Ada Admin", language_code="it"), emulator)
    env = _env(emulator, url, folder, admin.user.id, args.nlp_backend)
    log_path = folder / "bot.log"
    with log_path.open("wb") as log_file:
        bot = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    sampler = Sampler(bot.pid, args.every)
    stop = asyncio.Event()
    sampling = asyncio.create_task(sampler.run(stop))
    outcome: dict[str, Any] = {}
    try:
        warm = Citizen(emulator.create_user("Warm", language_code="it"), emulator)
        warm.user.send_text("/help")
        await warm.user.next_message(timeout=120)
        await asyncio.sleep(1)
        sampler.phase = "idle"
        await asyncio.sleep(2)
        sampler.phase = "serving"
        first_wave = await wave(emulator, args.citizens, 0)
        sampler.phase = "themes"
        themes, second_wave = await asyncio.gather(
            find_themes(admin, args.themes_timeout), wave(emulator, args.citizens, args.citizens)
        )
        sampler.phase = "after"
        listing = await admin.say(f"/themes {THEMES_SLUG}")
        outcome = {
            "citizens_completed": first_wave + second_wave,
            "citizens": 2 * args.citizens,
            "themes_seconds": round(themes[0], 1),
            "themes_list_arrived": themes[1],
            "themes_list_lines": len((listing.text or "").splitlines()),
            "theme_model_packages_in_bot": sorted(procmem.mapped_packages(bot.pid)),
        }
        await asyncio.sleep(1)
    finally:
        sampler.sample()
        stop.set()
        await sampling
        bot.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(bot.wait(), 60)
        except TimeoutError:
            bot.kill()
            await bot.wait()
        await emulator.stop()
    log = log_path.read_text(errors="replace")
    reported = [
        int(m) for m in re.findall(r"themes job \d+ finished in [\d.]+ s, peak RSS (\d+) MB", log)
    ]
    bot_peak = max((max(p["hwm_kb"], p["rss_max_kb"]) for p in sampler.bot.values()), default=0)
    job_peak = max((j["hwm_kb"] for j in sampler.jobs.values()), default=0)
    return {
        "database": url.split(":", 1)[0],
        "seeded": seeded,
        "nlp_backend": args.nlp_backend or "default (e5, else tfidf)",
        **outcome,
        "bot_peak_rss_mb": _mb(bot_peak),
        "bot_rss_mb_per_phase": {
            phase: {"rss_max": _mb(v["rss_max_kb"]), "hwm": _mb(v["hwm_kb"])}
            for phase, v in sampler.bot.items()
        },
        "theme_jobs": len(sampler.jobs),
        "theme_job_peak_rss_mb_sampled": _mb(job_peak),
        "theme_job_peak_rss_mb_reported": max(reported) if reported else None,
        "samples": sampler.samples,
        "target_mb": TARGET_MB,
        "meets_target": bool(bot_peak) and bot_peak / 1024 < TARGET_MB,
        "bot_exit_code": bot.returncode,
    }


# --- results -----------------------------------------------------------------------------


def section(result: dict[str, Any]) -> str:
    f = result["figures"]
    phases = ", ".join(f"{name} {v['rss_max']} MB" for name, v in f["bot_rss_mb_per_phase"].items())
    packages = ", ".join(f["theme_model_packages_in_bot"]) or "none"
    verdict = "meets" if f["meets_target"] else "MISSES"
    return (
        "## Memory\n\n"
        f"`{result['command']}` on {result['date']} ({result['machine']['cpus']} CPUs, "
        f"load {result['machine']['load_average_1m']}, {f['database']}).\n\n"
        f"- Database: {f['seeded']['participants']} participants, {f['seeded']['answers']} "
        f"answers ({f['seeded']['free_text_answers']} free texts), seeded in "
        f"{f['seeded']['seconds']} s.\n"
        f"- Served {f.get('citizens_completed')} of {f.get('citizens')} citizens completing "
        f'Opencare (half of them during the theme job) and an admin\'s "Find themes now" '
        f"(list arrived: {f.get('themes_list_arrived')}, {f.get('themes_seconds')} s).\n"
        f"- **Bot process peak RSS {f['bot_peak_rss_mb']} MB** ({verdict} the "
        f"{f['target_mb']} MB target); max RSS per phase: {phases}.\n"
        f"- Theme job (a child process, backend {f['nlp_backend']}): peak RSS "
        f"{f['theme_job_peak_rss_mb_reported']} MB as it reported, "
        f"{f['theme_job_peak_rss_mb_sampled']} MB sampled ({f['theme_jobs']} job(s)).\n"
        f"- Theme-model packages mapped into the bot process at the end: {packages}.\n"
    )


def write_results(result: dict[str, Any]) -> None:
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    replace_section("## Memory", section(result))


async def _on_postgres(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    from tests.conftest import create_postgres_database, drop_postgres_database

    url = await create_postgres_database("ascolto_bench_memory")
    try:
        return await measure(args, url, folder)
    finally:
        await drop_postgres_database(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.memory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--citizens", type=int, default=40, help="per wave (two waves)")
    parser.add_argument("--nlp-backend", default=None, help="ASCOLTO_NLP_BACKEND of the bot")
    parser.add_argument("--every", type=float, default=0.25, help="seconds between samples")
    parser.add_argument("--themes-timeout", type=float, default=3600.0)
    parser.add_argument("--database-url", default=None, help="an empty database")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL db")
    parser.add_argument("--no-write", action="store_true", help="print, write no results")
    args = parser.parse_args(argv)
    if not procmem.available():
        print("bench.memory needs Linux /proc", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if args.postgres:
            figures = asyncio.run(_on_postgres(args, folder))
        else:
            url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
            figures = asyncio.run(measure(args, url, folder))
    result = {
        "name": "memory",
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python -m bench.memory", *(argv or sys.argv[1:])]),
        "figures": figures,
    }
    print(json.dumps(figures, indent=2))
    if not args.no_write:
        write_results(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
