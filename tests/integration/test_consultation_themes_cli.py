"""``ascolto consultations themes SLUG [--full]``, run in-process on a SQLite file.

The demo seeder fills the listening consultation ``mercati`` with ideas from the built-in
sample; the database is then read with ``sqlite3``, not through our storage code.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ascolto.db"
    monkeypatch.chdir(tmp_path)  # no developer's .env leaks in
    monkeypatch.setenv("ASCOLTO_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("ASCOLTO_SHARED_DATA", str(tmp_path / "no-such-folder"))
    monkeypatch.setenv("ASCOLTO_LANG", "en")
    return path


def _one(db_path: Path, query: str) -> int:
    with sqlite3.connect(db_path) as connection:
        return int(connection.execute(query).fetchone()[0])


def test_themes_of_a_consultation_then_new_texts(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "seed", "--participants", "40", "--slug", "mercati", "--seed", "3"]) == 0
    capsys.readouterr()
    command = ["consultations", "themes", "mercati", "--backend", "tfidf", "--min-group-size", "2"]

    assert main(command) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("mercati: ") and " themes from " in lines[0]
    assert lines[-1].split("\t")[2] == "other"
    assert "clustering" in err  # the progress bar (plain lines when not a terminal)
    texts = _one(db_path, "SELECT count(*) FROM ideas")
    assert _one(db_path, "SELECT count(*) FROM theme_memberships") >= texts
    assert _one(db_path, "SELECT count(*) FROM theme_runs") == 1
    themes = {line.split("\t")[0] for line in lines[1:]}

    # More ideas arrive; without --full they are only assigned.
    assert main(["demo", "seed", "--participants", "5", "--slug", "mercati", "--seed", "4"]) == 0
    capsys.readouterr()
    assert main(command) == 0
    out, _ = capsys.readouterr()
    assert "new texts put in a theme" in out.splitlines()[0]
    assert _one(db_path, "SELECT count(*) FROM theme_runs") == 1
    assert _one(db_path, "SELECT count(*) FROM theme_memberships") >= _one(
        db_path, "SELECT count(*) FROM ideas"
    )

    # --full re-clusters and keeps the theme ids that continue.
    assert main([*command, "--full"]) == 0
    out, _ = capsys.readouterr()
    assert _one(db_path, "SELECT count(*) FROM theme_runs") == 2
    again = {line.split("\t")[0] for line in out.splitlines()[1:]}
    assert themes & again


def test_unknown_consultation_exits_1(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["consultations", "themes", "nowhere", "--backend", "tfidf"]) == 1
    assert "No consultation with slug 'nowhere'." in capsys.readouterr().err
