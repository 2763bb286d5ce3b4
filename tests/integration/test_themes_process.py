"""Theme jobs in a child process (``bot.themes_process``), on SQLite and on PostgreSQL.

The real ``python -m bot.themes_job`` clusters a seeded consultation with the ``tfidf``
backend: the themes land in the database, progress reaches the caller, the child reports its
peak memory. A job that fails (an unknown backend) or is killed mid-way (SIGKILL, as the kernel
does when memory runs out) is reported as failed to the chat's ``finished`` callback, and the
worker runs the next job normally. Importing the bot's runtime loads none of the theme model.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from bot.demo_texts import SAMPLE_TEXTS
from bot.themes_process import ThemesJobFailed, ThemesProcess, database_url_of
from bot.themes_worker import ThemesWorker
from storage.store import Storage
from storage.tables import theme_runs
from surveys.clock import SystemClock
from surveys.definition import Mode
from surveys.entities import Consultation, ConsultationStatus, Idea, Participant
from surveys.ports import UnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[2]
# What the theme model pulls in; none of it may be imported by the bot's own process.
HEAVY = ("numba", "umap", "pynndescent", "sklearn", "scipy", "spacy", "torch", "transformers")


async def _seed(storage: Storage, slug: str = "processo") -> None:
    async with storage.uow() as uow:
        consultation = await uow.consultations.add(
            Consultation(slug, "Milano", Mode.LISTENING, ConsultationStatus.OPEN)
        )
        assert consultation.id is not None
        for n, text in enumerate(SAMPLE_TEXTS["it"]):
            person = await uow.participants.add(Participant(f"{slug}{n}"))
            assert person.id is not None
            await uow.ideas.add(Idea(consultation.id, person.id, text))
        await uow.commit()


async def _runs(storage: Storage) -> int:
    async with storage.engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(theme_runs)
        return int((await connection.execute(query)).scalar_one())


def _process(storage: Storage, backend: str = "tfidf") -> ThemesProcess:
    return ThemesProcess(database_url_of(storage.engine.url), backend, min_group_size=2)


class Finished:
    """The chat's ``finished`` callback: records whether the run worked."""

    def __init__(self) -> None:
        self.calls: list[bool] = []
        self.event = asyncio.Event()

    async def __call__(self, uow_factory: UnitOfWorkFactory, worked: bool) -> None:
        self.calls.append(worked)
        self.event.set()


def test_importing_the_bot_loads_no_theme_model() -> None:
    code = (
        "import json, sys\n"
        "import bot.runner, bot.app, bot.background, bot.sandbox_mode, bot.cli\n"
        "import bot.themes_worker, bot.themes_process\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


async def test_a_child_process_finds_the_themes_and_reports_progress(storage: Storage) -> None:
    await _seed(storage)
    process = _process(storage)
    worker = ThemesWorker(storage, SystemClock(), jobs=process, min_group_size=2)
    seen: list[tuple[str, int, int]] = []
    finished = Finished()
    try:
        assert worker.run_full("processo", lambda *p: seen.append(p), finished)
        assert worker.busy("processo")
        assert not worker.run_full("processo", lambda *p: None, Finished())  # one at a time
        await asyncio.wait_for(finished.event.wait(), 120)
        await worker.idle()
    finally:
        await worker.stop()
    assert finished.calls == [True]
    assert not worker.busy("processo")
    assert await _runs(storage) == 1
    assert {stage for stage, _, _ in seen} >= {"clustering", "saving"}
    report = process.last
    assert report is not None and report.pid != os.getpid()
    assert report.results["processo"]["themes"] >= 1
    assert report.peak_rss_kb is not None and report.peak_rss_kb > 10_000
    assert process.running_pid is None

    # The incremental job: one child for every open consultation that has themes.
    await worker.assign_all()
    assert process.last is not None and process.last.pid != report.pid
    assert process.last.slugs == ["processo"] and not process.last.full


async def test_a_failing_job_is_reported_and_the_bot_goes_on(storage: Storage) -> None:
    await _seed(storage)
    broken = _process(storage, backend="no-such-backend")
    try:
        await broken.refresh(["processo"], full=True)
    except ThemesJobFailed as failure:
        assert "exit 1" in str(failure) and "no-such-backend" in str(failure)
    else:
        raise AssertionError("an unknown backend must fail the job")

    worker = ThemesWorker(storage, SystemClock(), jobs=broken, min_group_size=2)
    finished = Finished()
    assert worker.run_full("processo", lambda *p: None, finished)
    await asyncio.wait_for(finished.event.wait(), 120)
    await worker.idle()
    assert finished.calls == [False]  # the chat says the run failed
    assert await _runs(storage) == 0
    assert not worker.busy("processo")  # a new tap may try again


async def test_a_killed_job_is_reported_and_the_next_one_runs(storage: Storage) -> None:
    await _seed(storage)
    process = _process(storage)
    worker = ThemesWorker(storage, SystemClock(), jobs=process, min_group_size=2)
    killed, then = Finished(), Finished()
    try:
        assert worker.run_full("processo", lambda *p: None, killed)
        for _ in range(600):
            if process.running_pid is not None:
                break
            await asyncio.sleep(0.01)
        assert process.running_pid is not None
        os.kill(process.running_pid, signal.SIGKILL)  # what the kernel's OOM killer does
        await asyncio.wait_for(killed.event.wait(), 60)
        assert killed.calls == [False]

        assert worker.run_full("processo", lambda *p: None, then)
        await asyncio.wait_for(then.event.wait(), 120)
        assert then.calls == [True]
        assert await _runs(storage) == 1
    finally:
        await worker.stop()


async def test_stopping_the_bot_ends_a_running_job(storage: Storage) -> None:
    await _seed(storage)
    process = _process(storage)
    worker = ThemesWorker(storage, SystemClock(), jobs=process, min_group_size=2)
    assert worker.run_full("processo", lambda *p: None, Finished())
    for _ in range(600):
        if process.running_pid is not None:
            break
        await asyncio.sleep(0.01)
    pid = process.running_pid
    assert pid is not None
    await worker.stop()
    # The child was ended and reaped: no orphan keeps clustering after the bot stopped.
    assert _zombie_or_gone(pid)


def _zombie_or_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")
