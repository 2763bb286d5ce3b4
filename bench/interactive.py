"""Interactive benchmark: simulated citizens answer a 12-question survey as fast as the bot replies.

The real bot (``bot.app``, long-polling through ``bot.polling.Poller``) runs in a child process
against the Bot API emulator, which runs here with the simulated citizens, so the bot has a
core of its own and the emulator is never what it waits for. Each citizen sends 15 updates
(``/start``, consent, 12 answers, submit: ``bench/fixtures/interactive-survey.yaml``), each
as soon as the reply to the previous one arrived; a citizen who finishes is replaced by a new
person, so ``--citizens`` people are always in the middle of the survey. Before the first
step the citizens are spread over it (citizen i answers up to step i mod 15, not measured),
so every step measures the survey's own mix of updates.

Arrivals are open loop: at rate R the scheduler hands the next update to a citizen who is
waiting for their turn every 1/R seconds, whatever the bot is doing. When every citizen is
still waiting for a reply the arrival is late (``late`` counts them), and the delivered rate
falls below the offered one: that is saturation. The rate is raised step by step until p95
passes ``--stop-p95-ms`` or the bot delivers less than 80 % of the offered rate.

Latency is from the moment an update enters the emulator's queue to the moment the bot's
reply the citizen waits for (the next question, or the thank-you) is stored by the emulator.
The same method, in the same run, measures a bare aiogram echo bot polled the same way
(``Poller`` with a plain ``Dispatcher``): the framework's ceiling. Each step also records the
CPU time per update of the bot process and of this one (emulator and citizens), read from
``/proc``: on a shared machine it stays comparable when the latencies do not.

    .venv/bin/python -m bench.interactive                      # 100 and 1000 citizens, both DBs
    .venv/bin/python -m bench.interactive --citizens 100 --databases sqlite --smoke

PostgreSQL comes from ``ASCOLTO_TEST_POSTGRES_URL`` (as in the tests; a fresh database is
created and dropped). ``--profile-dir DIR`` profiles the bot process of each series with
pyinstrument (install it into the venv only for that). Writes
``bench/results/interactive.json`` and the ``## Interactive`` section of ``bench/RESULTS.md``.
"""

# Waiting helpers take a timeout on purpose.
# ruff: noqa: ASYNC109

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.record import machine, replace_section
from bot.sandbox import BotApiEmulator, ChatMessage, SimulatedUser
from bot.sandbox.users import wait_for_message
from surveys.definition import QuestionType
from surveys.format import load_definition

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = HERE / "fixtures" / "interactive-survey.yaml"
RESULTS_JSON = HERE / "results" / "interactive.json"
PEPPER = b"bench-interactive-pepper-0123456789abcdef"
TARGET_RATE = 300.0
TARGET_P95_MS = 50.0
TARGET_SHARE = 0.5
DEFAULT_RATES = (50, 100, 200, 300, 400, 500, 600, 800, 1000, 1250, 1500, 2000, 2500, 3000)
REPLY_TIMEOUT = 30.0
TYPED = {
    QuestionType.NUMBER: "3",
    QuestionType.FREE_TEXT: "Più alberi e panchine lungo il viale, e una fontanella.",
}
REPLY_PREFIXES = ("ok:", "a:", "b:", "f:")  # a consent screen, a question or the summary


# --- the citizens ------------------------------------------------------------------------------


def _script(slug: str) -> list[str]:
    """What a citizen does at each step: "start", "consent", "tap", "type:<text>", "submit"."""
    definition = load_definition(FIXTURE)
    assert definition.slug == slug
    steps = ["start", "consent"]
    for question in definition.questions:
        typed = TYPED.get(question.type)
        steps.append(f"type:{typed}" if typed is not None else "tap")
    steps.append("submit")
    return steps


def _button(message: ChatMessage, prefix: str) -> str:
    datas = [str(b.get("callback_data", "")) for b in message.buttons]
    choices = [d for d in datas if d.startswith(prefix)]
    if not choices:
        raise RuntimeError(f"no {prefix!r} button in {datas}")
    return random.choice(choices)


def _is_reply(message: ChatMessage, final: bool) -> bool:
    if final:
        return True
    return any(str(b.get("callback_data", "")).startswith(REPLY_PREFIXES) for b in message.buttons)


@dataclass
class Sample:
    sent_at: float
    replied_at: float
    step: int


@dataclass
class Driver:
    """Open-loop arrivals handed to closed-loop citizens; every timing in perf_counter s."""

    emulator: BotApiEmulator
    citizens: int
    script: list[str]
    slug: str
    samples: list[Sample] = field(default_factory=list)
    lost: int = 0
    started_people: int = 0
    completed_people: int = 0

    def __post_init__(self) -> None:
        self.ready: asyncio.Queue[Citizen] = asyncio.Queue()
        self.all_back = asyncio.Event()  # set when no citizen waits for a reply
        self.stamps: dict[int, float] = {}
        world = self.emulator.world
        original = world.store_message

        def stamped(*args: Any, **kwargs: Any) -> ChatMessage:
            # When the emulator stores a bot message: the reply "arriving there".
            message = original(*args, **kwargs)
            if message.from_bot:
                self.stamps[id(message)] = time.perf_counter()
            return message

        world.store_message = stamped  # type: ignore[method-assign]
        self.members = [Citizen(self) for _ in range(self.citizens)]
        self.tasks = [asyncio.create_task(member.run()) for member in self.members]

    def new_user(self) -> SimulatedUser:
        self.started_people += 1
        language = "it" if self.started_people % 3 else "en"
        return self.emulator.create_user(f"C{self.started_people}", language_code=language)

    async def spread(self) -> None:
        """Not measured: move citizen i to step i mod 15, each as fast as the bot replies.

        Without it every citizen starts at ``/start`` and the turns go round, so the first
        steps (all of them with 1,000 citizens) would measure joining only, not the survey.
        """
        targets = {id(member): i % len(self.script) for i, member in enumerate(self.members)}
        there: list[Citizen] = []
        while len(there) < self.citizens:
            citizen = await self.ready.get()
            if citizen.position < targets[id(citizen)]:
                citizen.act()
            else:
                there.append(citizen)
        for citizen in there:
            self.ready.put_nowait(citizen)

    async def step(self, rate: float, seconds: float) -> dict[str, int | float]:
        """Offer ``rate`` updates/s for ``seconds``; returns the arrival bookkeeping."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        interval = 1.0 / rate
        offered = late = 0
        while True:
            due = start + offered * interval
            if due - start >= seconds:
                break
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                citizen = self.ready.get_nowait()
            except asyncio.QueueEmpty:
                late += 1  # everyone is waiting for the bot: this arrival comes late
                citizen = await self.ready.get()
            citizen.act()
            offered += 1
        return {"offered": offered, "late": late, "wall": loop.time() - start}

    async def drain(self, timeout: float = REPLY_TIMEOUT + 5) -> None:
        """Wait until every citizen got their reply (all are back in the queue)."""
        if self.ready.qsize() < self.citizens:
            self.all_back.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.all_back.wait(), timeout)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class Citizen:
    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.turn = asyncio.Event()
        self.user = driver.new_user()
        self.position = 0
        self.last: ChatMessage | None = None
        self.sent_at = 0.0

    def act(self) -> None:
        """Send this step's update now (called by the scheduler)."""
        action = self.driver.script[self.position]
        user = self.user
        self.sent_at = time.perf_counter()
        if action == "start":
            user.send_text(f"/start {self.driver.slug}")
        elif action.startswith("type:"):
            user.send_text(action.removeprefix("type:"))
        else:
            assert self.last is not None
            prefix = {"consent": "ok:", "tap": "a:", "submit": "f:"}[action]
            user.tap(self.last, _button(self.last, prefix))
        self.turn.set()

    async def run(self) -> None:
        driver = self.driver
        final = len(driver.script) - 1
        while True:
            driver.ready.put_nowait(self)
            if driver.ready.qsize() == driver.citizens:
                driver.all_back.set()
            await self.turn.wait()
            self.turn.clear()
            try:
                reply = await self._reply(self.position == final)
            except TimeoutError:
                driver.lost += 1  # counted; a new person takes this place
                self._next_person()
                continue
            replied_at = driver.stamps.pop(id(reply), time.perf_counter())
            driver.samples.append(Sample(self.sent_at, replied_at, self.position))
            self.last = reply
            if self.position == final:
                driver.completed_people += 1
                self._next_person()
            else:
                self.position += 1

    def _next_person(self) -> None:
        self.user = self.driver.new_user()
        self.position = 0
        self.last = None

    async def _reply(self, final: bool) -> ChatMessage:
        world = self.driver.emulator.world
        while True:
            message = await wait_for_message(world, self.user.chat_id, REPLY_TIMEOUT)
            if _is_reply(message, final):
                return message
            self.driver.stamps.pop(id(message), None)


# --- the bot process -------------------------------------------------------------------------


async def serve(mode: str, api_url: str, token: str, database_url: str | None) -> None:
    """The child process: the real bot (``app``) or a bare echo bot, until SIGTERM."""
    from bot.metrics import Metrics
    from bot.polling import Poller

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    watch = asyncio.create_task(_stop_when_orphaned(stop))
    if mode == "app":
        from bot.app import Application, build_bot, build_dispatcher
        from bot.runner import close_application, run_polling
        from storage.store import Storage

        assert database_url is not None
        storage = Storage.open(database_url)
        metrics = Metrics()
        app = Application(
            bot=build_bot(token, api_url, metrics),
            dispatcher=build_dispatcher(storage, metrics, pepper=PEPPER),
            storage=storage,
            metrics=metrics,
        )
        try:
            await run_polling(app, stop)
        finally:
            watch.cancel()
            await close_application(app)
        return
    bot, dispatcher = _echo_bot(token, api_url)
    poller = Poller(dispatcher, bot, Metrics())
    stopper = asyncio.create_task(stop.wait())
    stopper.add_done_callback(lambda _: poller.stop())
    try:
        await poller.run()
    finally:
        watch.cancel()
        await bot.session.close()


async def _stop_when_orphaned(stop: asyncio.Event) -> None:
    """A benchmark killed without cleaning up must not leave its bot polling forever."""
    parent = os.getppid()
    while os.getppid() == parent:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
        if stop.is_set():
            return
    stop.set()


def _echo_bot(token: str, api_url: str) -> tuple[Any, Any]:
    """aiogram and nothing of ours: the same Bot API calls per update as the survey makes."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data)]
            for text, data in (("ok", "ok:1"), ("answer", "a:1"), ("submit", "f:1"))
        ]
    )
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?", reply_markup=keyboard)

    @dispatcher.callback_query()
    async def tapped(query: CallbackQuery) -> None:
        await query.answer("ok")
        assert query.message is not None
        await query.bot.send_message(query.message.chat.id, "ok", reply_markup=keyboard)  # type: ignore[union-attr]

    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    return Bot(token=token, session=session), dispatcher


# --- one series: a bot, a population, rising rates ---------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux): unlike wall time, not inflated by the
    other jobs sharing the machine, so per-update CPU compares across noisy runs."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def _start_bot(
    mode: str, emulator: BotApiEmulator, database_url: str | None, profile: Path | None
) -> asyncio.subprocess.Process:
    command = [sys.executable, "-m", "bench.interactive", "--serve", mode]
    command += ["--api-url", emulator.url, "--token", emulator.token]
    if database_url:
        command += ["--database-url", database_url]
    if profile is not None:
        command += ["--profile-to", str(profile)]
    process = await asyncio.create_subprocess_exec(*command, cwd=ROOT)
    deadline = time.monotonic() + 60
    while emulator.counters.requests.get("getUpdates", 0) == 0:  # polling: ready
        if process.returncode is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the {mode} bot did not start")
        await asyncio.sleep(0.05)
    return process


async def _stop_bot(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def run_series(
    mode: str,
    citizens: int,
    database_url: str | None,
    rates: list[float],
    seconds: float,
    warmup: float,
    stop_p95_ms: float,
    profile: Path | None,
    spread: bool = True,
) -> dict[str, Any]:
    emulator = BotApiEmulator("127.0.0.1", port=0)
    await emulator.start()
    process = await _start_bot(mode, emulator, database_url, profile)
    slug = load_definition(FIXTURE).slug
    driver = Driver(emulator, citizens, _script(slug), slug)
    steps: list[dict[str, Any]] = []
    try:
        if spread:
            started = time.monotonic()
            await driver.spread()
            print(f"  spread over the survey in {time.monotonic() - started:.1f} s", flush=True)
        for rate in rates:
            await driver.drain()
            first = len(driver.samples)
            lost_before = driver.lost
            bot_cpu, own_cpu = _cpu_seconds(process.pid), time.process_time()
            arrivals = await driver.step(rate, seconds)
            end = time.perf_counter()
            await driver.drain()
            handled = max(len(driver.samples) - first, 1)
            bot_cpu = _cpu_seconds(process.pid) - bot_cpu
            own_cpu = time.process_time() - own_cpu
            window_start = end - arrivals["wall"] + warmup
            window = [s for s in driver.samples[first:] if s.sent_at >= window_start]
            latencies = [(s.replied_at - s.sent_at) * 1000 for s in window]
            replied = [s for s in driver.samples[first:] if window_start <= s.replied_at <= end]
            result = {
                "offered_per_s": rate,
                "delivered_per_s": round(len(replied) / (end - window_start), 1),
                "late_arrivals": arrivals["late"],
                "updates": len(window),
                "p50_ms": round(_percentile(latencies, 0.50), 1),
                "p95_ms": round(_percentile(latencies, 0.95), 1),
                "p99_ms": round(_percentile(latencies, 0.99), 1),
                "lost": driver.lost - lost_before,
                "bot_cpu_ms_per_update": round(1000 * bot_cpu / handled, 2),
                "emulator_cpu_ms_per_update": round(1000 * own_cpu / handled, 2),
            }
            steps.append(result)
            print(f"  {mode} {citizens} {rate:>6g}/s → {json.dumps(result)}", flush=True)
            saturated = result["delivered_per_s"] < 0.8 * rate
            if result["p95_ms"] > stop_p95_ms or saturated or result["lost"]:
                break
    finally:
        await driver.close()
        await _stop_bot(process)
        await emulator.stop()
    ok = [
        s
        for s in steps
        if s["p95_ms"] <= TARGET_P95_MS and s["delivered_per_s"] >= 0.95 * s["offered_per_s"]
    ]
    return {
        "bot": mode,
        "citizens": citizens,
        "database": database_url.split(":", 1)[0] if database_url else None,
        "max_rate_p95_le_50ms": max((s["offered_per_s"] for s in ok), default=0),
        "peak_delivered_per_s": max((s["delivered_per_s"] for s in steps), default=0.0),
        # At the lowest rate, where the bot is least disturbed: comparable between bots even
        # when the machine is busy and the latencies are not.
        "bot_cpu_ms_per_update": steps[0]["bot_cpu_ms_per_update"] if steps else None,
        "people_completed": driver.completed_people,
        "steps": steps,
    }


@contextlib.asynccontextmanager
async def _database(kind: str, folder: str, citizens: int) -> Any:
    """A fresh database with the schema and the benchmark survey loaded and open."""
    from storage.schema import upgrade_schema
    from storage.store import Storage
    from surveys.clock import SystemClock
    from surveys.usecases.consultations import load_consultation

    drop = None
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{folder}/interactive-{citizens}.db"
    else:
        from tests.conftest import create_postgres_database, drop_postgres_database

        url = await create_postgres_database("ascolto_bench")
        drop = drop_postgres_database
    try:
        await upgrade_schema(url)
        storage = Storage.open(url)
        try:
            definition = load_definition(FIXTURE)
            await load_consultation(storage.uow, definition, SystemClock(), open_now=True)
        finally:
            await storage.close()
        yield url
    finally:
        if drop is not None:
            await drop(url)


async def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    series = []
    rates = [float(r) for r in args.rates.split(",")]
    profile_dir = Path(args.profile_dir) if args.profile_dir else None
    with tempfile.TemporaryDirectory() as folder:
        for citizens in args.citizens:
            print(f"echo bot, {citizens} citizens", flush=True)
            series.append(
                await run_series(
                    "echo",
                    citizens,
                    None,
                    rates,
                    args.step_seconds,
                    args.warmup,
                    args.stop_p95_ms,
                    None,
                    args.spread,
                )
            )
            for kind in args.databases:
                print(f"Ascolto on {kind}, {citizens} citizens", flush=True)
                profile = (
                    profile_dir / f"bot-{kind}-{citizens}.html" if profile_dir is not None else None
                )
                async with _database(kind, folder, citizens) as url:
                    series.append(
                        await run_series(
                            "app",
                            citizens,
                            url,
                            rates,
                            args.step_seconds,
                            args.warmup,
                            args.stop_p95_ms,
                            profile,
                            args.spread,
                        )
                    )
    return series


# --- the record --------------------------------------------------------------------------------


def verdict(series: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's targets: SQLite, 100 citizens, ≥ 300/s at p95 ≤ 50 ms, ≥ 50 % of echo."""

    def find(bot: str, citizens: int, database: str | None) -> dict[str, Any] | None:
        for item in series:
            if (item["bot"], item["citizens"], item["database"]) == (bot, citizens, database):
                return item
        return None

    app = find("app", 100, "sqlite+aiosqlite")
    echo = find("echo", 100, None)
    if app is None or echo is None:
        return {"checked": False}
    rate, ceiling = app["max_rate_p95_le_50ms"], echo["max_rate_p95_le_50ms"]
    share = rate / ceiling if ceiling else 0.0
    return {
        "checked": True,
        "sqlite_100_rate": rate,
        "echo_100_rate": ceiling,
        "share_of_echo": round(share, 2),
        "meets_rate": rate >= TARGET_RATE,
        "meets_share": share >= TARGET_SHARE,
    }


def write_markdown(result: dict[str, Any]) -> None:
    lines = [
        "## Interactive\n",
        f"`{result['command']}` on {result['date']} ({result['machine']['cpus']} CPUs, "
        f"load {result['machine']['load_average_1m']} at the start; bot in its own process, "
        "emulator and citizens in another).\n",
        "Each citizen sends 15 updates (`/start`, consent, 12 answers, submit) as soon as the "
        "previous reply arrives, a new person taking the place of one who finished; the "
        f"citizens are first spread over the survey ({'on' if result['spread'] else 'OFF'}); "
        "arrivals are open loop at the offered rate, raised step by step "
        f"({result['step_seconds']} s a step, the first {result['warmup']} s not counted). "
        "Latency: update queued in the emulator → the awaited reply stored by it. "
        "Highest rate = highest offered rate delivered in full (≥ 95 %) with p95 ≤ 50 ms. "
        "Bot CPU ms/update: CPU time of the bot process per update at the lowest rate "
        "(from /proc; far less disturbed by other jobs than the latencies).\n",
        "| bot | database | citizens | highest rate, p95 ≤ 50 ms | peak delivered/s "
        "| bot CPU ms/update |",
        "|---|---|---|---|---|---|",
    ]
    for item in result["series"]:
        database = item["database"] or "—"
        cpu = item["steps"][0]["bot_cpu_ms_per_update"] if item["steps"] else None
        lines.append(
            f"| {'echo (aiogram only)' if item['bot'] == 'echo' else 'Ascolto'} | {database} | "
            f"{item['citizens']} | {item['max_rate_p95_le_50ms']:g}/s | "
            f"{item['peak_delivered_per_s']:g} | {cpu} |"
        )
    busy = result["machine"]["load_average_1m"] >= (result["machine"]["cpus"] or 1)
    if busy:
        lines.append(
            f"\n**Busy machine** (load {result['machine']['load_average_1m']} on "
            f"{result['machine']['cpus']} CPUs): other jobs took most of the CPU, so the rates "
            "and latencies below say nothing about the targets; the CPU per update still "
            "compares the bots."
        )
    check = result["verdict"]
    if check.get("checked"):
        lines.append(
            f"\nTarget (SQLite, 100 citizens): {check['sqlite_100_rate']:g}/s "
            f"({'meets' if check['meets_rate'] else 'MISSES'} ≥ {TARGET_RATE:g}/s), "
            f"{round(100 * check['share_of_echo'])} % of the echo ceiling "
            f"{check['echo_100_rate']:g}/s "
            f"({'meets' if check['meets_share'] else 'MISSES'} ≥ 50 %)."
        )
    lines.append("\nPer step (offered/s: delivered/s, p50 / p95 / p99 ms):\n")
    for item in result["series"]:
        steps = "; ".join(
            f"{s['offered_per_s']:g}: {s['delivered_per_s']:g}, "
            f"{s['p50_ms']:g} / {s['p95_ms']:g} / {s['p99_ms']:g}"
            for s in item["steps"]
        )
        lines.append(
            f"- {item['bot']} {item['database'] or ''} {item['citizens']}: {steps}".replace(
                "  ", " "
            )
        )
    section = "\n".join(lines) + "\n"
    replace_section("## Interactive", section)


def _serve_main(args: argparse.Namespace) -> int:
    if args.profile_to:
        from pyinstrument import Profiler  # only for profiling, not a dependency

        # On-CPU samples of the main thread only (the database driver's thread is not in it).
        profiler = Profiler(async_mode="disabled")
        with profiler:
            asyncio.run(serve(args.serve, args.api_url, args.token, args.database_url))
        Path(args.profile_to).parent.mkdir(parents=True, exist_ok=True)
        if profiler.last_session is not None:
            profiler.last_session.save(str(Path(args.profile_to).with_suffix(".pyisession")))
        Path(args.profile_to).write_text(profiler.output_html(), encoding="utf-8")
        Path(args.profile_to).with_suffix(".txt").write_text(
            profiler.output_text(unicode=True, show_all=False), encoding="utf-8"
        )
        return 0
    asyncio.run(serve(args.serve, args.api_url, args.token, args.database_url))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.interactive", description=__doc__)
    parser.add_argument("--citizens", type=int, nargs="+", default=[100, 1000])
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--rates", default=",".join(str(r) for r in DEFAULT_RATES))
    parser.add_argument("--step-seconds", type=float, default=6.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--stop-p95-ms", type=float, default=250.0)
    parser.add_argument("--smoke", action="store_true", help="short steps, few rates")
    parser.add_argument(
        "--no-spread",
        dest="spread",
        action="store_false",
        help="start every citizen at /start (faster, but early steps measure joining only)",
    )
    parser.add_argument("--profile-dir", default=None)
    parser.add_argument("--no-write", action="store_true", help="print only")
    # The child process (internal).
    parser.add_argument("--serve", choices=["app", "echo"], help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return _serve_main(args)
    if args.smoke:
        args.step_seconds, args.warmup = 3.0, 0.5
        if args.rates == parser.get_default("rates"):
            args.rates = "50,100,300"
    load = os.getloadavg()[0]
    series = asyncio.run(measure(args))
    result = {
        "name": "interactive",
        "machine": {**machine(), "load_average_1m": round(load, 2)},
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python -m bench.interactive", *(argv or sys.argv[1:])]),
        "step_seconds": args.step_seconds,
        "warmup": args.warmup,
        "spread": args.spread,
        "series": series,
        "verdict": verdict(series),
    }
    print(json.dumps(result["verdict"], indent=2))
    if not args.no_write:
        RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_JSON.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        write_markdown(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
