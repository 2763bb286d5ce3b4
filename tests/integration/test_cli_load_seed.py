"""``ascolto consultations load`` and ``ascolto demo seed``, run in-process on a SQLite file.

The database is checked with the standard ``sqlite3`` module rather than through our own
storage code, so a bug there cannot hide a bug here.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.demo_texts import SAMPLE_TEXTS

EXAMPLES = Path(__file__).resolve().parents[2] / "surveys" / "examples"
EXAMPLE_FILES = sorted(str(path) for path in EXAMPLES.glob("*.yaml"))


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ascolto.db"
    monkeypatch.chdir(tmp_path)  # no developer's .env leaks in
    monkeypatch.setenv("ASCOLTO_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def _rows(db_path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(query).fetchall()


def _count(db_path: Path, table: str) -> int:
    return int(_rows(db_path, f"SELECT count(*) FROM {table}")[0][0])


def test_load_twice_is_idempotent(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["consultations", "load", *EXAMPLE_FILES]) == 0
    first = capsys.readouterr().out.splitlines()
    assert main(["consultations", "load", "--open", *EXAMPLE_FILES]) == 0
    opened = capsys.readouterr().out.splitlines()
    assert main(["consultations", "load", "--open", *EXAMPLE_FILES]) == 0
    second = capsys.readouterr().out.splitlines()

    assert len(first) == len(EXAMPLE_FILES) == 4
    assert all(": created, version 1, " in line for line in first)
    assert sorted(line.split(":")[0] for line in first) == [
        "mercati",
        "openagri",
        "opencare",
        "sharing-cities",
    ]
    # Opening may drop a closing time already past, which the first --open reports.
    assert all(": unchanged, version 1, open" in line for line in opened), opened
    assert all(line.endswith(": unchanged, version 1, open") for line in second), second
    assert _count(db_path, "consultations") == 4
    assert _count(db_path, "survey_versions") == 4
    assert {row[0] for row in _rows(db_path, "SELECT status FROM consultations")} == {"open"}


def test_changed_file_becomes_version_2(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = EXAMPLES / "opencare.yaml"
    copy = tmp_path / "opencare.yaml"
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["consultations", "load", str(copy)]) == 0
    text = copy.read_text(encoding="utf-8")
    assert 'en: "Opencare: care close to home"' in text
    copy.write_text(text.replace("care close to home", "care near home"), encoding="utf-8")
    capsys.readouterr()

    assert main(["consultations", "load", str(copy)]) == 0

    assert capsys.readouterr().out.strip().startswith("opencare: new version 2, ")
    versions = _rows(db_path, "SELECT number, definition FROM survey_versions ORDER BY number")
    assert [number for number, _ in versions] == [1, 2]
    titles = [json.loads(str(definition))["title"]["en"] for _, definition in versions]
    assert titles == ["Opencare: care close to home", "Opencare: care near home"]
    assert _rows(db_path, "SELECT current_version FROM consultations") == [(2,)]


def test_invalid_file_loads_nothing(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    text = (EXAMPLES / "openagri.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("type: scale", "type: thermometer", 1), encoding="utf-8")

    status = main(["consultations", "load", str(EXAMPLES / "opencare.yaml"), str(broken)])

    assert status == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{broken}:")
    assert "[" in out  # FILE:LINE: [KEY] message
    assert not db_path.exists() or _count(db_path, "consultations") == 0


def test_unreadable_file_exits_2(db_path: Path, tmp_path: Path) -> None:
    assert main(["consultations", "load", str(tmp_path / "missing.yaml")]) == 2
    assert not db_path.exists()


def _check_integrity(db_path: Path) -> None:
    orphans = _rows(
        db_path,
        "SELECT count(*) FROM answers a LEFT JOIN participations p ON p.id = a.participation_id"
        " WHERE p.id IS NULL",
    )
    assert orphans == [(0,)]
    duplicates = _rows(
        db_path,
        "SELECT count(*) FROM (SELECT participation_id, question_key FROM answers"
        " GROUP BY participation_id, question_key HAVING count(*) > 1)",
    )
    assert duplicates == [(0,)]
    assert _rows(
        db_path,
        "SELECT count(*) FROM (SELECT participant_id, consultation_id FROM participations"
        " GROUP BY participant_id, consultation_id HAVING count(*) > 1)",
    ) == [(0,)]
    assert _rows(db_path, "PRAGMA foreign_key_check") == []
    # Every answer was given under its participation's version.
    assert _rows(
        db_path,
        "SELECT count(*) FROM answers a JOIN participations p ON p.id = a.participation_id"
        " WHERE a.version != p.version",
    ) == [(0,)]


def _reported(out: str, word: str) -> int:
    """Sum of the per-consultation figures the command printed, e.g. ``5 answers``."""
    pattern = re.compile(rf"(\d+) {word}\b")
    return sum(int(match) for line in out.splitlines() for match in pattern.findall(line))


def test_demo_seed_twice_adds_participants(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "seed", "--participants", "12", "--seed", "7"]) == 0
    first = capsys.readouterr().out
    after_first = {t: _count(db_path, t) for t in ("participants", "participations", "answers")}
    assert main(["demo", "seed", "--participants", "9", "--seed", "7"]) == 0
    second = capsys.readouterr().out
    after_second = {t: _count(db_path, t) for t in ("participants", "participations", "answers")}

    assert "12 participants added" in first and "9 participants added" in second
    assert after_first["participants"] == 12 and after_second["participants"] == 21
    # Counts after two runs are the sums of what each run reported adding.
    assert after_first["participations"] == _reported(first, "participations")
    assert after_second["participations"] == _reported(first + second, "participations")
    assert after_second["answers"] == _reported(first + second, "answers")
    assert 21 <= after_second["participations"] <= 42  # one or two consultations each
    assert _count(db_path, "contacts") == 21
    assert _count(db_path, "consultations") == 4  # loaded once, not again
    _check_integrity(db_path)
    statuses = {row[0] for row in _rows(db_path, "SELECT DISTINCT status FROM participations")}
    assert statuses <= {"in_progress", "submitted"} and "submitted" in statuses
    assert _rows(db_path, "SELECT count(*) FROM participants WHERE NOT unreachable") == [(0,)]


def test_demo_seed_listening_ideas_from_builtin_sample(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASCOLTO_SHARED_DATA", str(tmp_path / "no-such-folder"))

    assert main(["demo", "seed", "--participants", "15", "--slug", "mercati", "--seed", "3"]) == 0

    ideas = [str(row[0]) for row in _rows(db_path, "SELECT text FROM ideas")]
    assert len(ideas) >= 15  # everyone sends at least one idea to a listening consultation
    samples = set(SAMPLE_TEXTS["it"]) | set(SAMPLE_TEXTS["en"])
    assert set(ideas) <= samples
    assert _rows(db_path, "SELECT DISTINCT slug FROM consultations") == [("mercati",)]
    _check_integrity(db_path)


def test_demo_seed_uses_real_texts_when_present(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    (data / "sib200").mkdir(parents=True)
    (data / "polis" / "town").mkdir(parents=True)
    italian = [f"Frase pubblica numero {n} sul quartiere e sui suoi servizi." for n in range(30)]
    (data / "sib200" / "ita_Latn_train.tsv").write_text(
        "index_id\tcategory\ttext\n" + "".join(f"{n}\tx\t{t}\n" for n, t in enumerate(italian)),
        encoding="utf-8",
    )
    (data / "polis" / "town" / "comments.csv").write_text(
        "comment-id,moderated,comment-body\n"
        + "".join(f'{n},1,"Public comment {n} about the neighbourhood"\n' for n in range(30)),
        encoding="utf-8",
    )
    monkeypatch.setenv("ASCOLTO_SHARED_DATA", str(data))

    assert main(["demo", "seed", "--participants", "25", "--slug", "mercati", "--seed", "5"]) == 0

    ideas = [str(row[0]) for row in _rows(db_path, "SELECT text FROM ideas")]
    real = [text for text in ideas if text.startswith(("Frase pubblica", "Public comment"))]
    assert real and len(real) > len(ideas) / 3


@pytest.mark.slow
def test_demo_seed_200_participants_on_empty_sqlite(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "seed", "--participants", "200"]) == 0
    assert _count(db_path, "participants") == 200
    _check_integrity(db_path)
    print(capsys.readouterr().out)  # the timing line, for the record
