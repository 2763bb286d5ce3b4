"""Reading a text column from CSV exports of every shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.table import TableError, read_text_column


def write(tmp_path: Path, content: bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_utf8_with_bom_and_multiline_quotes(tmp_path: Path) -> None:
    data = '\ufeffid,testo\n1,"prima riga\nseconda riga"\n2,città\n'.encode()
    column = read_text_column(write(tmp_path, data), "testo")
    assert column.texts == ["prima riga\nseconda riga", "città"]
    assert column.encoding == "utf-8-sig" and not column.warnings


def test_semicolons_and_windows_1252_warn(tmp_path: Path) -> None:
    data = "id;risposta\n1;più verde\n2;perché no\n".encode("cp1252")
    column = read_text_column(write(tmp_path, data), "Risposta")
    assert column.texts == ["più verde", "perché no"] and column.delimiter == ";"
    assert column.warnings[0] == ("encoding_fallback", {"encoding": "cp1252"})


def test_missing_column_names_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(TableError) as error:
        read_text_column(write(tmp_path, b"a,b\n1,2\n"), "testo")
    assert error.value.key == "missing_column" and error.value.params["available"] == "a, b"


def test_short_rows_read_as_empty_and_are_counted(tmp_path: Path) -> None:
    column = read_text_column(write(tmp_path, b"id,text\n1,hello\n2\n\n3,bye\n"), "text")
    assert column.texts == ["hello", "", "bye"]
    assert ("short_rows", {"count": 1}) in column.warnings


@pytest.mark.parametrize(
    ("content", "key"),
    [(b"", "empty_file"), (b"   \n", "empty_file")],
)
def test_unusable_files(tmp_path: Path, content: bytes, key: str) -> None:
    with pytest.raises(TableError) as error:
        read_text_column(write(tmp_path, content), "x")
    assert error.value.key == key


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TableError) as error:
        read_text_column(tmp_path / "nope.csv", "x")
    assert error.value.key == "file_not_found"


def test_nul_bytes_are_removed_with_a_warning(tmp_path: Path) -> None:
    column = read_text_column(write(tmp_path, b"t\nab\x00c\n"), "t")
    assert column.texts == ["abc"] and column.warnings[-1][0] == "nul_removed"
