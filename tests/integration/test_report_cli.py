"""``ascolto report``, run in-process on a SQLite file seeded by ``ascolto demo seed``.

The consultation has no theme run at first, so the command clusters (tfidf, quick and
offline) before writing the report; the files are complete, the HTML has no URL, and bad
input (an unknown slug, a folder that does not exist) gets one polite line and an exit code.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from pathlib import Path

import pytest

from bot.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "surveys" / "examples"


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ascolto.db"
    monkeypatch.chdir(tmp_path)  # no developer's .env leaks in
    monkeypatch.setenv("ASCOLTO_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("ASCOLTO_NLP_BACKEND", "tfidf")
    monkeypatch.setenv("ASCOLTO_MIN_GROUP_SIZE", "3")
    return path


def test_report_clusters_first_and_writes_every_file(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["consultations", "load", "--open", str(EXAMPLES / "opencare.yaml")]) == 0
    assert main(["demo", "seed", "--participants", "30", "--slug", "opencare", "--seed", "3"]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    out.mkdir()
    html, xlsx, csv_path = out / "r.html", out / "r.xlsx", out / "r.csv"
    argv = ["report", "opencare", "--html", str(html), "--xlsx", str(xlsx), "--csv", str(csv_path)]
    assert main([*argv, "--lang", "en"]) == 0
    printed = capsys.readouterr()
    assert "clustering the free texts first" in printed.err
    assert f"{html}: " in printed.out and " KB" in printed.out
    with sqlite3.connect(db_path) as connection:
        runs = connection.execute("SELECT count(*) FROM theme_runs").fetchone()[0]
        participations = connection.execute(
            "SELECT count(*) FROM participations WHERE is_preview = 0 AND status != 'withdrawn'"
        ).fetchone()[0]
    assert runs == 1
    page = html.read_text("utf-8")
    assert '<html lang="en">' in page and "http://" not in page and "https://" not in page
    with zipfile.ZipFile(xlsx) as archive:
        assert "xl/worksheets/sheet4.xml" in archive.namelist()
    rows = list(csv.reader(io.StringIO(csv_path.read_text("utf-8-sig"))))
    assert len(rows) == 1 + participations

    # A second report reuses the theme run: no clustering.
    assert main(["report", "opencare", "--html", str(html)]) == 0
    assert "raggruppo" not in capsys.readouterr().err
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT count(*) FROM theme_runs").fetchone()[0] == 1


def test_report_fails_politely(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["consultations", "load", str(EXAMPLES / "opencare.yaml")]) == 0
    capsys.readouterr()
    out = tmp_path / "r.html"
    assert main(["report", "nope", "--html", str(out), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "unknown consultation 'nope'; known: opencare"
    assert not out.exists()
    missing = tmp_path / "no-such-folder" / "r.html"
    assert main(["report", "opencare", "--html", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"impossibile scrivere {missing}: la cartella")
    assert "Traceback" not in err
    assert main(["report", "opencare", "--html", str(tmp_path)]) == 2
    assert "è una cartella" in capsys.readouterr().err
