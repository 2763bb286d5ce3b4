"""Read one text column from any CSV export (Decidim, online forms, Pol.is comments.csv).

Exports come in every shape: a byte-order mark, Windows-1252 from Excel, semicolons as
separators, quoted multi-line answers. Problems are reported as :class:`TableError` with a
message key and parameters, so the caller can say them in the user's language.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


class TableError(Exception):
    """A file that cannot be read as a table; ``key`` names the message, ``params`` fill it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class TextColumn:
    texts: list[str]
    encoding: str
    delimiter: str
    warnings: list[tuple[str, dict[str, object]]] = field(default_factory=list)


def _decode(raw: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise TableError("unreadable_encoding")  # pragma: no cover - latin-1 decodes anything


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_text_column(path: Path, column: str) -> TextColumn:
    """Every data record's value in ``column`` (missing cells read as empty text)."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise TableError("file_not_found", path=str(path)) from exc
    except OSError as exc:
        raise TableError("file_unreadable", path=str(path), reason=exc.strerror or "") from exc
    text, encoding = _decode(raw)
    warnings: list[tuple[str, dict[str, object]]] = []
    if encoding != "utf-8-sig":
        warnings.append(("encoding_fallback", {"encoding": encoding}))
    if "\x00" in text:
        warnings.append(("nul_removed", {}))
        text = text.replace("\x00", "")
    if not text.strip():
        raise TableError("empty_file", path=str(path))
    first_lines = "\n".join(text.splitlines()[:20])
    delimiter = _delimiter(first_lines)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
    except StopIteration as exc:  # pragma: no cover - guarded by the empty check
        raise TableError("empty_file", path=str(path)) from exc
    except csv.Error as exc:
        raise TableError("malformed_csv", line=1, reason=str(exc)) from exc
    names = [h.strip() for h in header]
    index = _column_index(names, column)
    texts: list[str] = []
    short_rows = 0
    try:
        for record in reader:
            if not record:
                continue  # a blank line is not a data record
            if index < len(record):
                texts.append(record[index])
            else:
                texts.append("")
                short_rows += 1
    except csv.Error as exc:
        raise TableError("malformed_csv", line=reader.line_num, reason=str(exc)) from exc
    if short_rows:
        warnings.append(("short_rows", {"count": short_rows}))
    return TextColumn(texts, encoding, delimiter, warnings)


def _column_index(names: list[str], column: str) -> int:
    if column in names:
        return names.index(column)
    folded = [n.casefold() for n in names]
    if column.strip().casefold() in folded:
        return folded.index(column.strip().casefold())
    raise TableError("missing_column", column=column, available=", ".join(names))
