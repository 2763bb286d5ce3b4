"""A throwaway PostgreSQL cluster of the test's own: ``initdb`` in a temp dir, its own port.

The database-fault test stops and starts PostgreSQL, which must never happen to the shared
server on 5432. ``Cluster`` runs ``initdb``/``pg_ctl`` from ``/usr/lib/postgresql/*/bin`` (or
``PATH``) as the ``postgres`` user when the tests run as root (``initdb`` refuses root), on a free
port with its socket in the cluster's own directory, and removes everything afterwards.
``skip_reason()`` says why it cannot run here (no binaries, no ``postgres`` user), or None.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import asyncpg

USER = "postgres"


def _bin_dir() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    return None


def _run_as() -> list[str] | None:
    """The prefix that runs a command as the cluster's owner; None when impossible."""
    if os.geteuid() != 0:
        return []  # initdb runs as whoever we are
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return None
    runuser = shutil.which("runuser")
    return [runuser, "-u", USER, "--"] if runuser else None


def skip_reason() -> str | None:
    if _bin_dir() is None:
        return "initdb/pg_ctl not found (looked in /usr/lib/postgresql/*/bin and PATH)"
    if _run_as() is None:
        return f"running as root without a {USER!r} user (or runuser) to own the cluster"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """Create with ``await Cluster.create()``; ``stop_immediately``/``start``; ``destroy``."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.data = folder / "data"
        bin_dir, prefix = _bin_dir(), _run_as()
        assert bin_dir is not None and prefix is not None, skip_reason()
        self._bin = bin_dir
        self._prefix = prefix

    @classmethod
    async def create(cls) -> Cluster:
        folder = Path(tempfile.mkdtemp(prefix="ascolto-pg-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam(USER)
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        cluster = cls(folder, _free_port())
        await cluster._pg(
            "initdb", "-D", str(cluster.data), "-U", USER, "--auth=trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip
        await cluster.start()
        connection = await asyncpg.connect(cluster.dsn("postgres"), timeout=10)
        try:
            await connection.execute('CREATE DATABASE "ascolto"')
        finally:
            await connection.close()
        return cluster

    def dsn(self, database: str = "ascolto") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the cluster's ``ascolto`` database."""
        return f"postgresql+asyncpg://{USER}@127.0.0.1:{self.port}/ascolto"

    async def start(self) -> None:
        """Start and wait until it accepts connections (crash recovery included)."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c max_connections=50 -c shared_buffers=16MB"
        )
        await self._pg(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip

    async def stop_immediately(self) -> None:
        """``pg_ctl stop -m immediate``: no checkpoint, clients cut off, recovery on start."""
        await self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    async def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            await self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    async def _pg(self, program: str, *args: str) -> None:
        process = await asyncio.create_subprocess_exec(
            *self._prefix,
            str(self._bin / program),
            *args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
        )
        out, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{program} failed ({process.returncode}): {out.decode()[-2000:]}")
