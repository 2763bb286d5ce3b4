"""The issue's "Must show" as a test fixture: examples loaded, 500 participants, a report.

Runs the real command line in-process, once per test session (the browser test and the XLSX
test share it): ``ascolto consultations load surveys/examples/*.yaml --open``, ``ascolto demo
seed --participants 500``, then ``ascolto report opencare --html r.html --xlsx r.xlsx``
(which clusters first: no theme run yet). The tf-idf backend keeps it quick and offline;
the default backend gives the same files, only slower.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "surveys" / "examples"
PARTICIPANTS = 500
MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class SeededReport:
    folder: Path
    database: Path
    html: Path
    xlsx: Path
    output: str  # what the report command printed

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.database)


_cache: dict[str, SeededReport] = {}


@contextlib.contextmanager
def _environment(values: dict[str, str], folder: Path) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    cwd = Path.cwd()
    os.environ.update(values)
    os.chdir(folder)  # no developer's .env leaks in
    try:
        yield
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def seeded_report(
    factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str] | None = None
) -> SeededReport:
    """The seeded database and the report files (made on the first call of the session)."""
    if "report" in _cache:
        return _cache["report"]
    folder = factory.mktemp("seeded-report")
    database = folder / "ascolto.db"
    environment = {
        "ASCOLTO_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "ASCOLTO_NLP_BACKEND": "tfidf",
        "ASCOLTO_MIN_GROUP_SIZE": str(MIN_GROUP_SIZE),
        "ASCOLTO_QUOTE_BLOCKLIST": "",
    }
    html, xlsx = folder / "r.html", folder / "r.xlsx"
    with _environment(environment, folder):
        examples = sorted(str(path) for path in EXAMPLES.glob("*.yaml"))
        assert main(["consultations", "load", *examples, "--open"]) == 0
        assert main(["demo", "seed", "--participants", str(PARTICIPANTS), "--seed", "7"]) == 0
        if capsys is not None:
            capsys.readouterr()
        assert main(["report", "opencare", "--html", str(html), "--xlsx", str(xlsx)]) == 0
        output = capsys.readouterr().out if capsys is not None else ""
    _cache["report"] = SeededReport(folder, database, html, xlsx, output)
    return _cache["report"]
