"""The PNG charts of /stats: valid images of the expected size, the same bytes for the same
input, and a readable picture (not an error) when there is nothing to draw."""

from __future__ import annotations

import struct
from datetime import date, timedelta

import pytest

from reports.charts import MatplotlibCharts
from surveys.stats import DailyChart, DropOffChart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHARTS = MatplotlibCharts()


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _daily(days: int = 10, series: int = 1) -> DailyChart:
    start = date(2026, 10, 20)
    return DailyChart(
        title="Attività al giorno",
        y_label="Numero",
        days=[start + timedelta(days=n) for n in range(days)],
        series=[(f"serie {s}", [(n * 7 + s) % 11 for n in range(days)]) for s in range(series)],
        empty_text="Nessuna attività finora",
    )


def _drop_off(questions: int = 5) -> DropOffChart:
    return DropOffChart(
        title="Dove si fermano le persone",
        x_label="Persone",
        questions=[f"Domanda numero {n} con un testo piuttosto lungo" for n in range(questions)],
        answered=[40 - 5 * n for n in range(questions)],
        stopped=[n % 3 for n in range(questions)],
        answered_label="Hanno risposto",
        stopped_label="Si sono fermate qui",
        empty_text="Nessuna domanda",
    )


@pytest.mark.parametrize("series", [1, 2])
def test_daily_chart_is_a_phone_sized_png(series: int) -> None:
    png = CHARTS.daily(_daily(series=series))
    assert _size(png) == (1000, 600)
    assert png.endswith(b"IEND\xaeB`\x82")


def test_drop_off_chart_is_a_png_that_grows_with_the_survey() -> None:
    assert _size(CHARTS.drop_off(_drop_off(5))) == (1000, 600)
    width, height = _size(CHARTS.drop_off(_drop_off(20)))
    assert width == 1000 and height > 600  # twenty rows stay legible


def test_same_input_same_bytes() -> None:
    assert CHARTS.daily(_daily(60)) == CHARTS.daily(_daily(60))
    assert CHARTS.drop_off(_drop_off()) == CHARTS.drop_off(_drop_off())
    assert CHARTS.daily(_daily(10)) != CHARTS.daily(_daily(11))


def test_no_software_version_in_the_file() -> None:
    assert b"matplotlib" not in CHARTS.daily(_daily()).lower()


def test_empty_inputs_draw_a_message_not_an_error() -> None:
    empty_daily = DailyChart("Attività", "Numero", [], [], empty_text="Nessuna attività")
    empty_drop = DropOffChart("Abbandoni", "Persone", [], [], [], "a", "b", empty_text="Niente")
    for png in (CHARTS.daily(empty_daily), CHARTS.drop_off(empty_drop)):
        assert _size(png) == (1000, 600)


def test_all_zero_counts_are_drawn() -> None:
    chart = DailyChart("Attività", "Numero", [date(2026, 1, 1)], [("Risposte", [0])])
    assert _size(CHARTS.daily(chart)) == (1000, 600)
    zero = DropOffChart("Abbandoni", "Persone", ["q"], [0], [0], "a", "b")
    assert _size(CHARTS.drop_off(zero)) == (1000, 600)
