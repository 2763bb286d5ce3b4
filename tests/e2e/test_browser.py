"""The sandbox web chat in a real browser: headless Chromium on a phone-sized screen.

Starts the whole sandbox in-process (emulator, web chat page, real bot long-polling it, the
example consultations open), then drives Debian's ``chromium`` with Playwright: ``/start``,
a tap on a consultation's button, and a round with the keyboard alone. Playwright only drives
the installed browser (``executable_path``); it never downloads one. Skipped when chromium is
not installed (CI installs it). Set ``ASCOLTO_SCREENSHOT_DIR`` to also keep the screenshot of
the ``/start`` answer there (that is how bench/screenshots/sandbox-start.png was made).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, ViewportSize, async_playwright, expect

from tests.e2e.browser_support import CHROMIUM, CHROMIUM_ARGS, needs_chromium, running_sandbox

PHONE: ViewportSize = {"width": 390, "height": 844}
WAIT_MS = 10_000

pytestmark = needs_chromium


@pytest.fixture
async def sandbox_url(tmp_path: Path) -> AsyncIterator[str]:
    async with running_sandbox(tmp_path) as url:
        yield url


@pytest.fixture
async def phone_page() -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(
                viewport=PHONE,
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="it-IT",
            )
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            yield page
        finally:
            await browser.close()


async def _focused_id(page: Page) -> str:
    return str(await page.evaluate("document.activeElement ? document.activeElement.id : ''"))


async def _focused_key(page: Page) -> str | None:
    key = await page.evaluate("document.activeElement && document.activeElement.dataset.key")
    return str(key) if key else None


async def test_a_citizen_chats_in_the_sandbox_page(
    sandbox_url: str, phone_page: Page, tmp_path: Path
) -> None:
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(sandbox_url)
    # Giulia (it) and Tom (en), then the staff personas (admin, facilitator).
    await expect(page.locator("#person option")).to_have_count(4)
    await expect(page.locator("#person")).to_have_value("100000001")

    # /start, typed and sent with Enter
    await page.locator("#text").fill("/start")
    await page.locator("#text").press("Enter")
    await expect(page.locator(".msg.from-me")).to_have_text(["/start"])
    menu = page.locator(".msg.from-bot").first
    for title in ("Opencare", "OpenAgri", "Sharing Cities"):
        await expect(menu).to_contain_text(title)
    await expect(menu.locator(".keyboard button")).to_have_count(4)
    await expect(page.locator("#text")).to_have_value("")
    await _check_fits_the_phone(page)
    start_shot = tmp_path / "sandbox-start.png"
    await page.screenshot(path=str(start_shot))
    assert start_shot.stat().st_size > 10_000  # a real rendering, not a blank page
    _keep_screenshot(start_shot)

    # a tap on Opencare's button answers with its introduction
    await menu.get_by_role("button", name="Opencare").click()
    await expect(page.locator(".msg.from-bot")).to_have_count(2)
    intro = page.locator(".msg.from-bot").nth(1)
    await expect(intro).to_contain_text("Opencare")
    await expect(intro).to_contain_text("Bastano circa")

    # the keyboard alone: Tab from the top of the page reaches the message box ...
    await page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(12):
        await page.keyboard.press("Tab")
        if await _focused_id(page) == "text":
            break
    assert await _focused_id(page) == "text"
    await page.keyboard.type("/help")
    await page.keyboard.press("Enter")
    await expect(page.locator(".msg.from-bot")).to_have_count(3)
    await expect(page.locator(".msg.from-bot").nth(2)).to_contain_text("/start")
    assert await _focused_id(page) == "text"  # ready for the next message

    # ... and Shift+Tab walks back to a button, which Enter presses; the focus survives the
    # page redrawing itself when the answer arrives.
    for _ in range(8):
        await page.keyboard.press("Shift+Tab")
        focused = await page.evaluate("document.activeElement.textContent")
        if "Sharing Cities" in focused:
            break
    assert "Sharing Cities" in focused
    key = await _focused_key(page)
    await page.keyboard.press("Enter")
    await expect(page.locator(".msg.from-bot")).to_have_count(4)
    await expect(page.locator(".msg.from-bot").nth(3)).to_contain_text("Sharing Cities")
    assert key is not None and await _focused_key(page) == key

    await page.screenshot(path=str(tmp_path / "sandbox-end.png"))
    assert errors == []


def _keep_screenshot(shot: Path) -> None:
    if os.environ.get("ASCOLTO_SCREENSHOT_DIR"):
        target = Path(os.environ["ASCOLTO_SCREENSHOT_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target / shot.name)


async def _check_fits_the_phone(page: Page) -> None:
    """Nothing is wider than the screen, and title, people and message box are all in view."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    for selector in ("header h1", "#person", "#text", "#composer button[type=submit]"):
        box = await page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], selector
