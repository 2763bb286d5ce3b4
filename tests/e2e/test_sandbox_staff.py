"""The sandbox's staff personas, over the web chat's own HTTP API (no browser needed).

``ascolto run`` without a token offers an admin and a facilitator among the web chat's people:
the admin is an admin for that run, the facilitator has a staff row; both can send a survey
file from the page (the 📎 button posts it as a document) and manage consultations. The
citizen personas stay citizens.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import aiohttp

from bot.sandbox_mode import SANDBOX_ADMIN, SANDBOX_FACILITATOR
from dialogs.i18n import translate
from tests.e2e.browser_support import running_sandbox

SURVEY = (Path(__file__).parent.parent / "fixtures" / "surveys" / "valid.yaml").read_bytes()


class Page:
    """What the web chat's script does: post to a chat, long-poll its messages."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url.rstrip("/")
        self.seen: dict[int, int] = {}

    async def people(self) -> dict[str, int]:
        async with self.session.get(f"{self.url}/sandbox/users") as response:
            return {p["first_name"]: p["id"] for p in await response.json()}

    async def post(self, person: int, action: str, body: dict[str, Any]) -> None:
        async with self.session.post(f"{self.url}/sandbox/chats/{person}/{action}", json=body) as r:
            assert r.status == 200, await r.text()

    async def reply(self, person: int) -> dict[str, Any]:
        """The next message the bot sends to this person's chat."""
        for _ in range(40):
            since = self.seen.get(person, 0)
            query = f"since={since}&timeout=5"
            async with self.session.get(
                f"{self.url}/sandbox/chats/{person}/messages?{query}"
            ) as response:
                data = await response.json()
            self.seen[person] = data["version"]
            from_bot = [m["message"] for m in data["messages"] if m["from_bot"]]
            if from_bot:
                return dict(from_bot[-1])
        raise AssertionError("the bot did not answer")

    async def say(self, person: int, text: str) -> str:
        await self.post(person, "text", {"text": text})
        return str((await self.reply(person)).get("text"))


async def test_staff_personas_can_run_consultations(tmp_path: Path) -> None:
    async with running_sandbox(tmp_path) as url, aiohttp.ClientSession() as session:
        page = Page(session, url)
        people = await page.people()
        admin, facilitator = people[SANDBOX_ADMIN[0]], people[SANDBOX_FACILITATOR[0]]
        citizen = people["Giulia"]
        role = {r: translate("it", f"role-{r}") for r in ("admin", "facilitator")}
        assert await page.say(admin, "/whoami") == translate(
            "it", "staff-whoami", {"role": role["admin"]}
        )
        assert await page.say(facilitator, "/whoami") == translate(
            "it", "staff-whoami", {"role": role["facilitator"]}
        )
        assert await page.say(citizen, "/consultations") == translate("it", "unknown-command")
        listing = await page.say(facilitator, "/consultations")
        assert "opencare" in listing and "sharing-cities" in listing
        await page.post(
            facilitator,
            "document",
            {
                "data_base64": base64.b64encode(SURVEY).decode(),
                "file_name": "valid.yaml",
                "mime_type": "application/x-yaml",
            },
        )
        uploaded = await page.reply(facilitator)
        assert "test-garden" in str(uploaded.get("text")), uploaded
        markup = uploaded.get("reply_markup", {}).get("inline_keyboard", [])
        assert any(b["callback_data"].startswith("cn:") for row in markup for b in row)
