"""The serving bot never loads the theme model, even after a theme refresh from the chat.

``ascolto run`` as a real process against the emulator: a citizen completes Opencare, and an
admin (``ASCOLTO_ADMINS``) taps "Find themes now". The run happens in a child process
(``bot.themes_job``): the admin still sees the progress message turn to done and the list of
themes. Then ``/consensus`` on the seeded participants' votes (two camps) prints two opinion
groups: that analysis too runs in a child process (``bot.voting_job``). Then
``/proc/<pid>/maps`` of the bot process must show no compiled file of scikit-learn, SciPy,
numba/llvmlite, spaCy/thinc or torch (every import of them maps some).
A control process that does import scikit-learn is seen by the same check, so the check works.
The memory figures themselves are a benchmark's business (``bench/memory.py``), not a test's.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bench import procmem
from bot.sandbox import BotApiEmulator
from dialogs.analyst.themes_keys import ThemeFind
from dialogs.i18n import translate
from storage.tables import consultations, participations, statements, votes
from tests.e2e.citizen_support import Citizen, button, complete, join, latest

ROOT = Path(__file__).resolve().parents[2]
ASCOLTO = [sys.executable, "-m", "bot.cli"]
STATEMENTS = [f"Affermazione numero {n}" for n in range(1, 9)]

pytestmark = [
    pytest.mark.slow,  # two CLI processes and a bot: about half a minute on a busy machine
    pytest.mark.skipif(not procmem.available(), reason="needs Linux /proc"),
]


def _env(emulator: BotApiEmulator, database: Path, admin: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASCOLTO_")}
    env.update(
        ASCOLTO_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        ASCOLTO_BOT_TOKEN=emulator.token,
        ASCOLTO_TELEGRAM_API_URL=emulator.url,
        ASCOLTO_PEPPER="a-long-random-pepper-for-the-memory-test",
        ASCOLTO_DATA_DIR=str(database.parent / "data"),
        ASCOLTO_ADMINS=str(admin),
        ASCOLTO_NLP_BACKEND="tfidf",  # the fast backend: the process boundary is the point
        ASCOLTO_MIN_GROUP_SIZE="3",
    )
    return env


async def _seed_votes(database: Path, slug: str) -> int:
    """Eight accepted statements, voted by every real participant in two camps; the voters."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as connection:
            consultation = (
                await connection.execute(
                    sa.select(consultations.c.id).where(consultations.c.slug == slug)
                )
            ).scalar_one()
            people = (
                (
                    await connection.execute(
                        sa.select(participations.c.participant_id).where(
                            participations.c.consultation_id == consultation,
                            participations.c.is_preview.is_(False),
                        )
                    )
                )
                .scalars()
                .all()
            )
            ids = [
                (
                    await connection.execute(
                        sa.insert(statements)
                        .values(consultation_id=consultation, text=text, status="accepted")
                        .returning(statements.c.id)
                    )
                ).scalar_one()
                for text in STATEMENTS
            ]
            await connection.execute(
                sa.insert(votes),
                [
                    # Camp by parity; the last two statements everyone agrees with.
                    {
                        "statement_id": s,
                        "participant_id": p,
                        "value": 1 if n >= 6 or (n % 2 == p % 2) else -1,
                    }
                    for p in people
                    for n, s in enumerate(ids)
                ],
            )
    finally:
        await engine.dispose()
    return len(people)


async def _cli(env: dict[str, str], *args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *ASCOLTO, *args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


def test_the_check_sees_a_process_that_imported_the_model() -> None:
    control = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sklearn.preprocessing, sys; print('ready', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert control.stdout is not None and control.stdout.readline() == "ready\n"
        assert {"sklearn", "scipy"} <= procmem.mapped_packages(control.pid)
    finally:
        control.communicate("", timeout=30)


async def test_a_theme_refresh_leaves_the_bot_process_without_the_model(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    admin = Citizen(emulator.create_user("Ada Admin", language_code="it"), emulator)
    env = _env(emulator, tmp_path / "ascolto.db", admin.user.id)
    await _cli(env, "demo", "seed", "--participants", "40", "--slug", "opencare", "--seed", "3")
    voters = await _seed_votes(tmp_path / "ascolto.db", "opencare")
    assert voters >= 20
    bot = await asyncio.create_subprocess_exec(
        *ASCOLTO, "run", env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        citizen = Citizen(emulator.create_user("Carla", language_code="it"), emulator)
        citizen.user.send_text("/help")
        await citizen.user.next_message(timeout=90)  # the bot is up and polling
        first = await join(citizen, "opencare")
        summary = await complete(citizen, first, "it")
        await citizen.tap(summary, data=button(summary, "f:")["callback_data"])

        reply = await admin.say("/themes opencare")
        find = button(reply, ThemeFind.__prefix__ + ":")
        assert find["text"] == translate("it", "themes-find-now")
        await admin.tap(reply, data=str(find["callback_data"]))
        progress = await admin.read()
        assert progress.text == translate("it", "themes-progress-start")
        listing = await admin.read_until(lambda m: (m.text or "").startswith("Temi di"), 180)
        assert latest(admin, progress).text == translate("it", "themes-progress-done")
        assert listing.buttons, "the list of themes, with a button per theme"

        # /consensus: the opinion groups (scikit-learn) are found in a child process too.
        consensus = await admin.say("/consensus opencare")
        assert translate("it", "consensus-groups", {"count": 2}) in (consensus.text or "")
        assert STATEMENTS[-1] in (consensus.text or "")

        assert bot.returncode is None, "the bot is still serving"
        assert procmem.mapped_packages(bot.pid) == set()
        assert procmem.descendants(bot.pid) == [], "the jobs' processes ended with the jobs"
        again = await citizen.say("/help")
        assert again.text
    finally:
        bot.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(bot.communicate(), 60)
    log = out.decode(errors="replace")
    assert bot.returncode == 0, log
    assert "themes job" in log and "peak RSS" in log, "the job and its memory are logged"
    assert "voting analysis" in log, "so is the analysis of the votes"
