"""The sandbox web chat: one static page that chats with the bot through the emulator.

The page is served by the emulator's own aiohttp application (same origin as its
``/sandbox/`` JSON API), so one port serves the Bot API, the simulated users and the chat.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).with_name("static")


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


def add_webchat_routes(app: web.Application) -> None:
    app.router.add_get("/", _index)
