"""Theme jobs of the running bot, each in a child process (``python -m bot.themes_job``).

Why a process and not a thread: the theme model (numba/UMAP, scikit-learn, spaCy, the e5
encoder) takes hundreds of megabytes to a few gigabytes while it clusters, and Python never
gives most of it back; in the bot's process it would stay for as long as the bot runs. In a
child it is loaded per job and returned to the system when the job ends, and the bot process
imports nothing of ``nlp`` beyond the PII scrubber and the quote blocklist (checked by
``tests/integration/test_themes_process.py``). A job that crashes, is killed by the kernel
for memory, or hangs past ``timeout`` ends as :class:`ThemesJobFailed`: the bot goes on, the
worker logs it and a facilitator who asked from the chat is told the run failed.

The child reads the same database and writes its results itself; the bot only sees the
progress lines (for the chat's progress message) and the outcome. This module must stay light:
it is imported by ``bot.app``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.child_pipe import json_object
from nlp import offensive
from surveys.themes import ProgressCallback

log = logging.getLogger(__name__)

DATABASE_ENV = "ASCOLTO_THEMES_DATABASE_URL"  # the same name as in bot.themes_job
STDERR_TAIL = 20  # lines of the child's log kept for the failure message
GRACE = 5.0  # seconds between SIGTERM and SIGKILL when the bot stops mid-job


class ThemesJobFailed(RuntimeError):
    """The child exited with an error, was killed, or timed out; the message says how."""


@dataclass
class JobReport:
    """What one child process did."""

    pid: int
    slugs: list[str]
    full: bool
    seconds: float
    peak_rss_kb: int | None = None  # the child's own VmHWM, as it reported it
    results: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ThemesProcess:
    """Runs refresh jobs in a fresh ``python -m bot.themes_job`` per job (``ThemeJobs``)."""

    database_url: str
    backend: str | None = None
    model: str | None = None
    min_group_size: int = 5
    quote_blocklist: str | None = None  # None: the files this process was configured with
    timeout: float | None = 6 * 3600.0  # a job longer than this is stuck: kill it
    python: str = sys.executable
    last: JobReport | None = None  # the latest finished job (logs, benchmarks)
    running_pid: int | None = None  # the child now running, if any (benchmarks sample it)

    def command(self, slugs: Sequence[str], *, full: bool) -> list[str]:
        args = [self.python, "-m", "bot.themes_job", "--watch-stdin"]
        for slug in slugs:
            args += ["--slug", slug]
        if full:
            args.append("--full")
        if self.backend:
            args += ["--backend", self.backend]
        if self.model:
            args += ["--model", self.model]
        # The staff's extra blocklist (ASCOLTO_QUOTE_BLOCKLIST, maybe from .env) reaches the
        # child explicitly: its quotes must be fit to print by the same lists as the bot's.
        blocklist = self.quote_blocklist
        if blocklist is None:
            blocklist = os.pathsep.join(str(path) for path in offensive.extra_files())
        if blocklist:
            args += ["--quote-blocklist", blocklist]
        args += ["--min-group-size", str(self.min_group_size)]
        return args

    async def refresh(
        self, slugs: Sequence[str], *, full: bool, progress: ProgressCallback | None = None
    ) -> JobReport:
        """Run the job to its end; raises :class:`ThemesJobFailed` unless it succeeded."""
        if _in_memory(self.database_url):
            raise ThemesJobFailed("a theme job's process cannot open an in-memory SQLite database")
        env = dict(os.environ)
        env[DATABASE_ENV] = self.database_url
        started = time.monotonic()
        child = await asyncio.create_subprocess_exec(
            *self.command(slugs, full=full),
            stdin=asyncio.subprocess.PIPE,  # closed when we go: the child then stops
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            limit=1 << 20,  # one result line lists a run's warnings: more than 64 KiB is fine
        )
        self.running_pid = child.pid
        report = JobReport(child.pid, list(slugs), full, 0.0)
        tail: deque[str] = deque(maxlen=STDERR_TAIL)
        log.info("themes job %d started for %s (full=%s)", child.pid, ", ".join(slugs), full)
        try:
            await asyncio.wait_for(
                asyncio.gather(
                    self._read_stdout(child, report, progress),
                    self._read_stderr(child, tail),
                    child.wait(),
                ),
                self.timeout,
            )
        except TimeoutError:
            await _end(child)
            raise ThemesJobFailed(f"themes job {child.pid} ran over {self.timeout} s") from None
        except BaseException:  # cancelled (the bot stops): the child must not outlive it
            await _end(child)
            raise
        finally:
            self.running_pid = None
            if child.stdin is not None:
                child.stdin.close()
        report.seconds = round(time.monotonic() - started, 2)
        code = child.returncode
        if code != 0:
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
            raise ThemesJobFailed(
                f"themes job {child.pid} for {', '.join(slugs)} failed ({how}):\n" + "\n".join(tail)
            )
        self.last = report
        peak = f"{report.peak_rss_kb / 1024:.0f} MB" if report.peak_rss_kb else "unknown"
        log.info(
            "themes job %d finished in %.1f s, peak RSS %s: %s",
            child.pid,
            report.seconds,
            peak,
            report.results,
        )
        return report

    async def _read_stdout(
        self,
        child: asyncio.subprocess.Process,
        report: JobReport,
        progress: ProgressCallback | None,
    ) -> None:
        assert child.stdout is not None
        async for raw in child.stdout:
            line = json_object(raw)
            if line is None:
                continue
            if "progress" in line and progress is not None:
                stage, done, total = line["progress"]
                progress(str(stage), int(done), int(total))
            elif "done" in line:
                report.results[str(line["done"])] = dict(line.get("result") or {})
            elif "peak_rss_kb" in line:
                report.peak_rss_kb = int(line["peak_rss_kb"])

    @staticmethod
    async def _read_stderr(child: asyncio.subprocess.Process, tail: deque[str]) -> None:
        assert child.stderr is not None
        async for raw in child.stderr:
            text = raw.decode(errors="replace").rstrip()
            tail.append(text)
            log.info("themes job %d: %s", child.pid, text)


async def _end(child: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL after a grace period; always reaps the child."""
    if child.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        child.terminate()
    try:
        await asyncio.wait_for(asyncio.shield(child.wait()), GRACE)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        await child.wait()


def _in_memory(url: str) -> bool:
    scheme, _, rest = url.partition("://")
    return scheme.startswith("sqlite") and rest.lstrip("/") in ("", ":memory:")


def database_url_of(engine_url: Any) -> str:
    """The URL a child can open (with the password, which ``str(url)`` hides)."""
    render = getattr(engine_url, "render_as_string", None)
    return str(render(hide_password=False)) if render is not None else str(engine_url)
