"""The policy report of 500 seeded participants, opened in headless Chromium (Debian's).

The report is the file ``ascolto report opencare --html r.html --xlsx r.xlsx`` wrote after
``ascolto consultations load surveys/examples/*.yaml --open`` and ``ascolto demo seed
--participants 500`` (``tests/report_seed.py``). Opened from disk on a phone-sized screen it
logs no console error, makes no network request at all (everything is inline), has one ``h1``
and headings that never skip a level, starts with a keyboard-reachable "skip to content"
link, and shows suppressed cells as "< 5". A full-page screenshot is saved in the test's
folder and copied to ``out/report-screenshot.png`` (git-ignored); both paths are printed.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Request, ViewportSize, async_playwright

from tests.e2e.browser_support import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.report_seed import MIN_GROUP_SIZE, SeededReport, seeded_report

PHONE: ViewportSize = {"width": 390, "height": 844}
OUT = Path(__file__).resolve().parents[2] / "out"

# Seeding 500 people and clustering takes about 70 s here: slow (CI runs it, `-m slow`).
pytestmark = [needs_chromium, pytest.mark.slow]


@pytest.fixture
def report(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> SeededReport:
    return seeded_report(tmp_path_factory, capsys)


def test_the_report_command_writes_both_files_without_urls(report: SeededReport) -> None:
    assert report.html.stat().st_size > 0 and report.xlsx.stat().st_size > 0
    page = report.html.read_text("utf-8")
    assert "http://" not in page and "https://" not in page
    assert f"{report.html}: " in report.output and " KB" in report.output
    print(f"\nreport size: {report.html.stat().st_size / 1024:.0f} KB ({report.html})")


async def test_the_report_opens_cleanly_in_chromium(
    report: SeededReport, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    errors: list[str] = []
    requests: list[str] = []
    url = report.html.as_uri()

    def on_request(request: Request) -> None:
        if request.url != url:
            requests.append(request.url)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=PHONE, device_scale_factor=1)
            page = await context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("request", on_request)
            await page.goto(url, wait_until="load")
            await page.wait_for_load_state("networkidle")

            levels = await page.eval_on_selector_all(
                "h1, h2, h3, h4, h5, h6", "els => els.map(e => Number(e.tagName[1]))"
            )
            assert levels.count(1) == 1 and levels[0] == 1
            assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
            # Keyboard: the first Tab lands on the skip link, which leads to the content.
            await page.keyboard.press("Tab")
            focused = await page.evaluate("document.activeElement.getAttribute('href')")
            assert focused and focused.startswith("#")
            # Breakdown tables show suppressed cells, never a number under the minimum.
            cells = await page.eval_on_selector_all(
                "table td", "els => els.map(e => e.textContent.trim())"
            )
            assert f"< {MIN_GROUP_SIZE}" in cells
            # Every chart has a text alternative.
            charts = await page.eval_on_selector_all(
                "svg",
                "els => els.map(e => e.getAttribute('role') === 'img' && "
                "!!(e.getAttribute('aria-label') || e.querySelector('title')))",
            )
            assert charts and all(charts)

            shot = tmp_path / "report-screenshot.png"
            await page.screenshot(path=str(shot), full_page=True)
        finally:
            await browser.close()

    assert errors == []
    assert requests == []
    assert shot.stat().st_size > 10_000
    OUT.mkdir(exist_ok=True)
    copy = OUT / "report-screenshot.png"
    shutil.copyfile(shot, copy)
    with capsys.disabled():
        print(f"\nreport screenshot: {shot}\n                   {copy}")
