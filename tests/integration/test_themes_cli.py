"""``ascolto themes`` end to end: CSV in, JSON (and HTML) out, clear messages on bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.cli import main

SHARED = Path(
    os.environ.get("ASCOLTO_SHARED_DATA")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
)

ANSWERS = [
    "Servono più piste ciclabili protette in via Padova",
    "Le piste ciclabili sono poche e pericolose",
    "Piste ciclabili continue fino al centro",
    "Vorrei andare al lavoro in bici su piste ciclabili sicure",
    "Mancano piste ciclabili, chiamatemi al 333 123 4567",
    "I parchi del quartiere sono sporchi e senza giochi",
    "Più alberi e panchine nei parchi",
    "Parchi aperti la sera e illuminati",
    "I parchi per i bambini vanno curati meglio",
    "Nei parchi servono fontanelle e alberi",
    "",
]


def csv_file(
    tmp_path: Path, rows: list[str], column: str = "risposta", encoding: str = "utf-8"
) -> Path:
    path = tmp_path / "answers.csv"
    lines = [f"id,{column}"] + [f'{i},"{r}"' for i, r in enumerate(rows)]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def run(*argv: str) -> int:
    return main(["themes", *argv])


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASCOLTO_LANG", "en")


def test_themes_json_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, page = tmp_path / "themes.json", tmp_path / "themes.html"
    code = run(
        "--input",
        str(csv_file(tmp_path, ANSWERS)),
        "--text-column",
        "risposta",
        "--lang",
        "it",
        "--k",
        "2",
        "--backend",
        "tfidf",
        "--min-group-size",
        "3",
        "--json",
        str(out),
        "--html",
        str(page),
    )
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {
        "backend",
        "model",
        "k",
        "per_language",
        "languages",
        "themes",
        "unassigned",
    }
    rows = sorted([m for t in data["themes"] for m in t["members"]] + data["unassigned"])
    assert rows == list(range(len(ANSWERS)))
    assert 10 in data["unassigned"]  # the empty answer
    assert data["k"] == 2 and data["languages"] == {"it": 10}
    quotes = [q["text"] for t in data["themes"] for q in t["quotes"]]
    assert all("333" not in q for q in quotes)
    html = page.read_text(encoding="utf-8")
    assert "<html" in html and data["themes"][0]["label"] in html
    assert "2 themes" in capsys.readouterr().err


def test_missing_column_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        "--input",
        str(csv_file(tmp_path, ANSWERS)),
        "--text-column",
        "testo",
        "--json",
        str(tmp_path / "o.json"),
    )
    err = capsys.readouterr().err
    assert code == 2 and "No column 'testo'" in err and "risposta" in err
    assert "Traceback" not in err and not (tmp_path / "o.json").exists()


def test_messages_in_italian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASCOLTO_LANG", "it")
    code = run(
        "--input",
        str(tmp_path / "none.csv"),
        "--text-column",
        "x",
        "--json",
        str(tmp_path / "o.json"),
    )
    assert code == 2 and "File non trovato" in capsys.readouterr().err


def test_windows_1252_file_warns_and_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [*ANSWERS[:10], "Più sicurezza perché è buio"]
    out = tmp_path / "o.json"
    code = run(
        "--input",
        str(csv_file(tmp_path, rows, encoding="cp1252")),
        "--text-column",
        "risposta",
        "--backend",
        "tfidf",
        "--json",
        str(out),
    )
    assert code == 0 and "read as cp1252" in capsys.readouterr().err
    assert json.loads(out.read_text(encoding="utf-8"))["languages"]["it"] == 11


@pytest.mark.parametrize(
    ("rows", "warning"),
    [(["", " ", ""], "no text to cluster"), (["uguale"] * 6, "every text is the same")],
)
def test_empty_or_identical_texts_warn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[str], warning: str
) -> None:
    out = tmp_path / "o.json"
    code = run(
        "--input",
        str(csv_file(tmp_path, rows)),
        "--text-column",
        "risposta",
        "--backend",
        "tfidf",
        "--json",
        str(out),
    )
    assert code == 0 and warning in capsys.readouterr().err
    data = json.loads(out.read_text(encoding="utf-8"))
    rows_out = sorted([m for t in data["themes"] for m in t["members"]] + data["unassigned"])
    assert rows_out == list(range(len(rows)))


def test_malformed_and_empty_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert run("--input", str(empty), "--text-column", "x", "--json", str(tmp_path / "o")) == 2
    assert "is empty" in capsys.readouterr().err
    binary = tmp_path / "bin.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    code = run("--input", str(binary), "--text-column", "x", "--json", str(tmp_path / "o"))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err


def test_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--input", "a.csv") == 2
    assert "required" in capsys.readouterr().err
    path = csv_file(tmp_path, ANSWERS)
    assert (
        run(
            "--input",
            str(path),
            "--text-column",
            "risposta",
            "--k",
            "0",
            "--json",
            str(tmp_path / "o"),
        )
        == 2
    )
    assert (
        run(
            "--input",
            str(path),
            "--text-column",
            "risposta",
            "--backend",
            "nope",
            "--json",
            str(tmp_path / "o"),
        )
        == 2
    )
    assert "nope" in capsys.readouterr().err


def test_list_backends(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--list-backends") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("e5\t") and "tfidf" in out


@pytest.mark.skipif(not (SHARED / "polis").is_dir(), reason="../shared/data is absent")
def test_polis_comments_with_the_default_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = SHARED / "polis" / "london.youth.policing" / "comments.csv"
    out = tmp_path / "o.json"
    code = run(
        "--input",
        str(source),
        "--text-column",
        "comment-body",
        "--json",
        str(out),
        "--cache",
        str(tmp_path / "vectors"),
    )
    assert code == 0, capsys.readouterr().err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["backend"] == "e5" and data["per_language"] is False
    assert data["themes"] and all(t["quotes"] for t in data["themes"])
    assert any((tmp_path / "vectors").rglob("*.npz"))  # vectors were cached
