"""``ReportFiles``: the ``surveys.ports.ReportRenderer`` the bot hands to the chat dialogs."""

from __future__ import annotations

from reports.exports import render_csv, render_xlsx
from reports.html import render_html
from surveys.reporting import ReportData


class ReportFiles:
    """The report as the bytes of an HTML, XLSX or CSV file."""

    def html(self, data: ReportData, language: str) -> bytes:
        return render_html(data, language).encode("utf-8")

    def xlsx(self, data: ReportData, language: str) -> bytes:
        return render_xlsx(data, language)

    def csv(self, data: ReportData, language: str) -> bytes:
        return render_csv(data, language)
