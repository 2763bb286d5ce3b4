"""The HTML report: self-contained, accessible, in the viewer's language, small cells hidden."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from reports.html import render_html
from reports.texts import TEXTS
from surveys.usecases.reports import suppress
from tests.report_support import TELEGRAM_ID, sample_report


class _Outline(HTMLParser):
    """Headings in order, the svg charts and what follows each, the tables' structure."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.events: list[tuple[str, dict[str, str | None]]] = []
        self.html_lang: str | None = None
        self.svg_children: list[list[str]] = []
        self._in_svg = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "svg":
            self._in_svg = True
            self.svg_children.append([])
        elif self._in_svg:
            self.svg_children[-1].append(tag)
        self.events.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_svg = False


@pytest.fixture(scope="module", params=["it", "en"])
def page(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param, render_html(sample_report(), request.param)


def test_self_contained_no_script_no_network(page: tuple[str, str]) -> None:
    _, html = page
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html), "only in-page links"
    assert "@import" not in html and "url(" not in html


def test_language_and_headings_in_order(page: tuple[str, str]) -> None:
    language, html = page
    outline = _Outline()
    outline.feed(html)
    assert outline.html_lang == language
    assert outline.headings[0] == 1 and outline.headings.count(1) == 1
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, f"heading h{after} after h{before}"
    words = {"it": "Metodo e privacy", "en": "Method and privacy"}
    assert words[language] in html


def test_every_chart_has_a_text_alternative_and_a_data_table(page: tuple[str, str]) -> None:
    _, html = page
    outline = _Outline()
    outline.feed(html)
    tags = [tag for tag, _ in outline.events]
    svg_positions = [i for i, (tag, _) in enumerate(outline.events) if tag == "svg"]
    # themes overview + every closed question with options + responses over time
    report = sample_report()
    assert len(svg_positions) == 1 + len(report.questions) + 1
    for n, position in enumerate(svg_positions):
        attributes = outline.events[position][1]
        assert attributes.get("role") == "img"
        assert outline.svg_children[n][:2] == ["title", "desc"]
        labelled = (attributes.get("aria-labelledby") or "").split()
        assert len(labelled) == 2
        rest = tags[position + 1 :]
        next_svg = rest.index("svg") if "svg" in rest else len(rest)
        assert "table" in rest[:next_svg], "no data table after a chart"
    # Every table has a caption and header cells with a scope.
    for i, (tag, _) in enumerate(outline.events):
        if tag == "table":
            assert tags[i + 1] == "caption"
        if tag == "th":
            assert outline.events[i][1].get("scope") in {"col", "row"}


def test_small_segment_cells_are_suppressed_everywhere() -> None:
    report = sample_report()
    # Municipio 9 has exactly two people: its column never shows a number.
    for question in report.questions:
        for breakdown in question.breakdowns:
            if breakdown.segment_key != "municipio":
                continue
            column = [c["it"] for c in breakdown.columns].index("Municipio 9")
            assert all(row.cells[column] is None for row in breakdown.rows)
            for row in breakdown.rows:
                assert all(cell is None or cell >= 5 for cell in row.cells)
    for theme in report.themes:
        assert theme.breakdowns
        for breakdown in theme.breakdowns:
            for row in breakdown.rows:
                assert all(cell is None or cell >= 5 for cell in row.cells)
    html = render_html(report, "en")
    assert "&lt; 5" in html


def test_suppression_hides_a_second_cell_when_one_could_be_derived() -> None:
    cells = suppress([[10, 2, 8], [7, 9, 6]], 5)
    assert cells[0][1] is None
    # Row 0 had one hidden cell: its smallest other one (8) goes too; so does column 1's.
    assert cells[0][2] is None and cells[1][1] is None
    assert suppress([[0, 0], [0, 0]], 5) == ((None, None), (None, None))


def test_hidden_texts_and_the_other_bucket_are_not_in_the_report() -> None:
    report = sample_report()
    labels = [theme.label for theme in report.themes]
    assert labels == ["assistenza domiciliare", "panchine"]
    html = render_html(report, "it")
    assert "Testo nascosto dal facilitatore" not in html
    assert ">other<" not in html
    # The hidden member (answer 99999) does not count in the theme's size.
    assert report.themes[0].size == 24


def test_no_ids_and_personal_data_scrubbed() -> None:
    report = sample_report()
    html = render_html(report, "it")
    assert str(TELEGRAM_ID) not in html
    assert "mario.rossi@example.org" not in html
    assert all("example.org" not in row.text for row in report.free_texts)
    assert any("[email]" in row.text for row in report.free_texts)


def test_both_languages_have_every_report_text() -> None:
    for key, entry in TEXTS.items():
        assert set(entry) == {"it", "en"}, key
        assert all(value for value in entry.values()), key
