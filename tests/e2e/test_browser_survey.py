"""The Opencare survey completed in the sandbox web chat by clicking and typing, in Italian and
in English, in headless Chromium; then /mydata returns the answers. Saves a screenshot.

The whole sandbox runs in-process (emulator, web chat page, the real bot long-polling it, the
example consultations open). Playwright only drives the installed browser; skipped when
Chromium is not installed. ``ASCOLTO_SCREENSHOT_DIR`` keeps the screenshots.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, async_playwright, expect

from dialogs.i18n import translate
from tests.e2e.browser_support import CHROMIUM, CHROMIUM_ARGS, needs_chromium, running_sandbox

WAIT_MS = 15_000

pytestmark = needs_chromium

# What a person clicks and types, in each language (labels from surveys/examples/opencare.yaml).
PATH = {
    "it": {
        "person": "Giulia",
        "municipio": "In quale Municipio vivi?",
        "role": "Ho più di 65 anni",
        "service": "Assistenza a domicilio",
        "ranking": ["Vicino a casa", "Orari flessibili", "Costi contenuti"],
        "agree": "Del tutto d'accordo",
        "barrier": "Il marciapiede davanti alla farmacia è troppo stretto.",
        "idea": "Un punto di ascolto in biblioteca, aperto anche il sabato mattina.",
        "yes": "Sì",
    },
    "en": {
        "person": "Tom",
        "municipio": "Which Municipio do you live in?",
        "role": "I am over 65",
        "service": "Home care",
        "ranking": ["Close to home", "Flexible hours", "Affordable"],
        "agree": "Strongly agree",
        "barrier": "The pavement outside the pharmacy is far too narrow.",
        "idea": "A listening point in the library, open on Saturday mornings too.",
        "yes": "Yes",
    },
}


@pytest.fixture
async def sandbox_url(tmp_path: Path) -> AsyncIterator[str]:
    async with running_sandbox(tmp_path) as url:
        yield url


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 390, "height": 844})
            new_page = await context.new_page()
            new_page.set_default_timeout(WAIT_MS)
            yield new_page
        finally:
            await browser.close()


def _last_bot(page: Page) -> Locator:
    return page.locator(".msg.from-bot").last


async def _click(page: Page, name: str) -> None:
    """Click a button of the bot's latest message."""
    await _last_bot(page).get_by_role("button", name=name).first.click()


async def _type(page: Page, text: str) -> None:
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")


async def _expect_bot(page: Page, text: str) -> None:
    await expect(_last_bot(page)).to_contain_text(text)


@pytest.mark.parametrize("language", ["it", "en"])
async def test_opencare_is_completed_by_clicking_and_typing(
    sandbox_url: str, page: Page, tmp_path: Path, language: str
) -> None:
    words = PATH[language]
    _ = lambda message_id, **args: translate(language, message_id, args)  # noqa: E731
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(sandbox_url)
    await expect(page.locator("#person option")).to_have_count(4)  # 2 citizens, 2 staff
    person = page.locator("#person option", has_text=words["person"])
    await page.locator("#person").select_option(await person.get_attribute("value"))

    await _type(page, "/start")
    await _click(page, "Opencare")
    await _expect_bot(page, _("consent-header"))
    await _click(page, _("button-consent", count=14))
    await _expect_bot(page, words["municipio"])
    await _click(page, "Municipio 3")
    await _click(page, words["role"])  # over 65: no questions for carers
    await _expect_bot(page, "10 =")
    await _click(page, "7")
    await _expect_bot(page, _("hint-multi-max", count=3))
    await _click(page, words["service"])
    await expect(_last_bot(page).get_by_role("button", name="✅")).to_have_count(1)
    await _click(page, _("button-done"))
    await _expect_bot(page, _("hint-ranking", count=3))
    for rank, option in enumerate(words["ranking"], start=1):
        await _click(page, option)
        if rank < len(words["ranking"]):  # numbered in place once the bot has it
            await expect(
                _last_bot(page).get_by_role("button", name=f"{rank}. {option}")
            ).to_have_count(1)
    await _click(page, words["agree"])  # "strongly agree": the loneliness question is hidden
    await _expect_bot(page, _("hint-location-pin"))
    await page.locator("#reply-keyboard button").click()  # the client sends a location
    await _expect_bot(page, _("hint-free-text-max", count=400))  # what is wrong there?
    await _type(page, words["barrier"])
    await _expect_bot(page, _("hint-free-text-max", count=1000))
    await _type(page, words["idea"])
    await _expect_bot(page, _("hint-yes-no"))
    await _click(page, words["yes"])
    await _expect_bot(page, _("summary-title"))
    await expect(_last_bot(page)).to_contain_text(words["idea"])
    await _click(page, _("button-submit"))
    await expect(
        page.locator(".msg.from-bot", has_text=_("follow-offer", name="Opencare"))
    ).to_have_count(1)

    shot = tmp_path / f"opencare-{language}.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000  # a real rendering, not a blank page
    _keep_screenshot(shot)

    await _type(page, "/mydata")
    link = _last_bot(page).locator("a", has_text="ascolto-my-data.json")
    await expect(link).to_have_count(1)
    response = await page.request.get(
        sandbox_url.rstrip("/") + str(await link.get_attribute("href"))
    )
    export = json.loads(await response.text())
    opencare = next(p for p in export["participations"] if p["consultation"] == "opencare")
    answers = {a["question_key"]: a["value"] for a in opencare["answers"]}
    assert opencare["status"] == "submitted"
    assert answers["municipio"] == {"district": "municipio_3"}
    assert answers["role"] == "older_person" and answers["satisfaction"] == 7
    assert answers["services"] == ["home_care"]
    assert answers["priorities"] == ["close_to_home", "flexible_hours", "low_cost"]
    assert answers["idea"] == words["idea"] and answers["workshop"] is True
    assert set(answers["barrier_place"]) == {"lat", "lon"}
    assert errors == []


def _keep_screenshot(shot: Path) -> None:
    if os.environ.get("ASCOLTO_SCREENSHOT_DIR"):
        target = Path(os.environ["ASCOLTO_SCREENSHOT_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target / shot.name)
