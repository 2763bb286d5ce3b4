"""XLSX and CSV exports: the sheets, neutralised formulas, nothing that identifies a person.

openpyxl is not a dependency of the project, so the XLSX is read back as what it is: a zip of
XML parts (shared strings, one part per sheet).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

from reports.exports import neutralise, render_csv, render_xlsx
from tests.report_support import INJECTIONS, TELEGRAM_ID, sample_report

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _read_xlsx(data: bytes) -> dict[str, list[list[str]]]:
    """Every sheet as rows of cell texts (shared strings resolved, numbers as written)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        strings = [
            "".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
            for si in ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
        ]
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        names = [sheet.get("name") or "" for sheet in workbook.iterfind(".//m:sheet", NS)]
        sheets: dict[str, list[list[str]]] = {}
        for index, name in enumerate(names, start=1):
            root = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))
            rows = []
            for row in root.iterfind(".//m:row", NS):
                cells = []
                for cell in row.iterfind("m:c", NS):
                    assert cell.find("m:f", NS) is None, "a formula in the export"
                    value = cell.findtext("m:v", default="", namespaces=NS)
                    cells.append(strings[int(value)] if cell.get("t") == "s" else value)
                rows.append(cells)
            sheets[name] = rows
        return sheets


def test_neutralise() -> None:
    for value in INJECTIONS:
        assert neutralise(value) == "'" + value
    assert neutralise("normal text") == "normal text"
    assert neutralise("") == ""


def test_xlsx_sheets_and_counts() -> None:
    report = sample_report()
    sheets = _read_xlsx(render_xlsx(report, "en"))
    assert list(sheets) == ["Participations", "Free texts", "Themes", "Question summaries"]
    participations = sheets["Participations"]
    assert participations[0][:4] == ["No.", "Status", "Started on", "Version"]
    assert participations[0][4].startswith("municipio — ")
    assert len(participations) == 1 + report.participants
    assert [row[0] for row in participations[1:]] == [str(n) for n in range(1, 31)]
    themes = sheets["Themes"]
    assert [row[0] for row in themes[1:]] == ["assistenza domiciliare", "panchine"]
    assert len(sheets["Free texts"]) == 1 + report.free_texts_count
    summaries = sheets["Question summaries"]
    workshop = [row for row in summaries[1:] if row[0] == "workshop"]
    assert [(row[3], row[4]) for row in workshop] == [("Yes", "10"), ("No", "20")]


def test_xlsx_and_csv_neutralise_formulas() -> None:
    report = sample_report()
    for rows in _read_xlsx(render_xlsx(report, "it")).values():
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
                assert not re.match(r"-\D", cell), cell
    text = render_csv(report, "it").decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 1 + report.participants
    column = next(i for i, h in enumerate(rows[0]) if h.startswith("idea — "))
    ideas = [row[column] for row in rows[1:]]
    for value in INJECTIONS:
        assert "'" + value + " servono più panchine al parco" in ideas
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


def test_exports_identify_nobody() -> None:
    report = sample_report()
    xlsx = render_xlsx(report, "it")
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    csv_text = render_csv(report, "it").decode("utf-8")
    for output in (everything, csv_text):
        assert str(TELEGRAM_ID) not in output
        assert "mario.rossi@example.org" not in output
        assert "45.4642" not in output, "map pin coordinates exported"
        # participation ids of the database (101…130) never appear as row numbers
    participations = _read_xlsx(xlsx)["Partecipazioni"]
    assert {row[0] for row in participations[1:]}.isdisjoint({str(n) for n in range(101, 131)})
