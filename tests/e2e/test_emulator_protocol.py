"""The Bot API protocol itself, over raw HTTP: encodings, errors, long polling, webhooks,
flood limits and injected faults."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox import BotApiEmulator, FaultConfig, RateLimits


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, emu: BotApiEmulator, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST as a urlencoded form, the way aiogram and python-telegram-bot send parameters."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with http.post(f"{emu.url}/bot{emu.token}/{method}", data=form) as response:
        return response.status, await response.json()


async def test_encodings_json_get_and_form(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    user = emulator.create_user()
    base = f"{emulator.url}/bot{emulator.token}"
    async with http.post(f"{base}/sendMessage", json={"chat_id": user.chat_id, "text": "12"}) as r:
        body = await r.json()
    assert body["ok"] is True and body["result"]["text"] == "12"
    async with http.get(
        f"{base}/sendMessage", params={"chat_id": str(user.chat_id), "text": "7"}
    ) as r:
        assert (await r.json())["result"]["text"] == "7"
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "1"}]]}
    status, body = await call(
        http, emulator, "sendMessage", chat_id=user.chat_id, text="[1]", reply_markup=markup
    )
    assert status == 200
    assert body["result"]["text"] == "[1]"  # text is never JSON-decoded
    assert body["result"]["reply_markup"] == markup  # reply_markup is
    status, body = await call(http, emulator, "SENDMESSAGE", chat_id=user.chat_id, text="x")
    assert status == 200, "method names are case-insensitive on Telegram"


async def test_errors_have_telegram_shape(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{emulator.url}/bot999:WRONG/getMe") as r:
        assert r.status == 401
        assert await r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    status, body = await call(http, emulator, "sendTelepathy", chat_id=1)
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await call(http, emulator, "sendMessage", chat_id=5, text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    user = emulator.create_user()
    status, body = await call(
        http, emulator, "sendMessage", chat_id=user.chat_id, text="<x>a</x>", parse_mode="HTML"
    )
    assert status == 400 and "Unsupported start tag" in body["description"]
    status, body = await call(http, emulator, "getMe")
    assert body["result"]["is_bot"] is True and body["result"]["id"] == 123456


async def test_get_updates_offset_limit_and_allowed_updates(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    user = emulator.create_user()
    for i in range(5):
        user.send_text(f"m{i}")
    _, body = await call(http, emulator, "getUpdates", limit=2)
    ids = [u["update_id"] for u in body["result"]]
    assert ids == [1, 2]
    _, body = await call(http, emulator, "getUpdates", offset=ids[-1] + 1)
    assert [u["update_id"] for u in body["result"]] == [3, 4, 5]
    assert [u["message"]["text"] for u in body["result"]] == ["m2", "m3", "m4"]
    _, body = await call(http, emulator, "getUpdates", offset=6, allowed_updates=["callback_query"])
    assert body["result"] == []
    user.send_text("filtered out")  # created after allowed_updates excluded messages
    _, body = await call(http, emulator, "getUpdates", offset=6)
    assert body["result"] == []
    _, body = await call(http, emulator, "getUpdates", offset=-1, allowed_updates=[])
    assert body["result"] == []


async def test_long_poll_waits_for_an_update(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    user = emulator.create_user()
    started = time.monotonic()
    poll = asyncio.create_task(call(http, emulator, "getUpdates", timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()
    user.send_text("eccomi")
    _, body = await asyncio.wait_for(poll, 5)
    assert body["result"][0]["message"]["text"] == "eccomi"
    assert time.monotonic() - started < 5
    started = time.monotonic()
    _, body = await call(http, emulator, "getUpdates", offset=2, timeout=1)
    assert body["result"] == [] and 0.9 < time.monotonic() - started < 3


async def test_long_poll_is_released_at_shutdown(http: aiohttp.ClientSession) -> None:
    emu = await BotApiEmulator().start()
    poll = asyncio.create_task(call(http, emu, "getUpdates", timeout=50))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await emu.stop()
    _, body = await asyncio.wait_for(poll, 3)
    assert body == {"ok": True, "result": []}
    assert time.monotonic() - started < 2


async def test_second_poller_terminates_the_first(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    first = asyncio.create_task(call(http, emulator, "getUpdates", timeout=10))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(call(http, emulator, "getUpdates", timeout=1))
    status, body = await asyncio.wait_for(first, 3)
    assert status == 409 and "terminated by other getUpdates request" in body["description"]
    assert (await second)[0] == 200


async def test_get_updates_conflicts_with_webhook(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    status, _ = await call(http, emulator, "setWebhook", url="http://127.0.0.1:9/hook")
    assert status == 200
    status, body = await call(http, emulator, "getUpdates")
    assert status == 409
    assert body["description"].startswith("Conflict: can't use getUpdates method while webhook")
    _, info = await call(http, emulator, "getWebhookInfo")
    assert info["result"]["url"] == "http://127.0.0.1:9/hook"
    await call(http, emulator, "deleteWebhook")
    status, _ = await call(http, emulator, "getUpdates")
    assert status == 200


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, Any]], list[int]]]:
    """A webhook receiver that answers 500 the first time it sees each update."""
    received: list[dict[str, Any]] = []
    statuses: list[int] = []
    seen: set[int] = set()

    async def hook(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret_TOKEN-1":
            statuses.append(401)
            return web.Response(status=401)
        update = await request.json()
        if update["update_id"] not in seen:
            seen.add(update["update_id"])
            statuses.append(500)
            return web.Response(status=500)
        received.append(update)
        statuses.append(200)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/hook", received, statuses
    await runner.cleanup()


async def test_webhook_push_with_secret_and_retry(
    emulator: BotApiEmulator,
    http: aiohttp.ClientSession,
    receiver: tuple[str, list[dict[str, Any]], list[int]],
) -> None:
    url, received, statuses = receiver
    status, body = await call(http, emulator, "setWebhook", url=url, secret_token="bad secret!")
    assert (status, body["description"]) == (
        400,
        "Bad Request: secret token contains unallowed characters",
    )
    status, _ = await call(
        http, emulator, "setWebhook", url=url, secret_token="s3cret_TOKEN-1", max_connections=2
    )
    assert status == 200
    user = emulator.create_user()
    for text in ("a", "b", "c"):
        user.send_text(text)
    for _ in range(100):
        if len(received) == 3:
            break
        await asyncio.sleep(0.05)
    assert sorted(u["message"]["text"] for u in received) == ["a", "b", "c"]
    assert statuses.count(500) == 3  # each update was refused once and delivered again
    _, info = await call(http, emulator, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0
    assert info["result"]["max_connections"] == 2
    assert "500" in info["result"]["last_error_message"]
    assert emulator.counters.webhook_failures == 3
    assert emulator.counters.updates_delivered == 3


async def test_flood_limits_overall_and_per_chat(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    emulator.rate_limits = RateLimits(enabled=True)
    users = [emulator.create_user() for _ in range(40)]
    results = await asyncio.gather(
        *(call(http, emulator, "sendMessage", chat_id=u.chat_id, text="news") for u in users)
    )
    limited = [body for status, body in results if status == 429]
    assert len(limited) == 10  # 30 messages per second overall
    assert all(isinstance(b["parameters"]["retry_after"], int) for b in limited)
    assert all(b["parameters"]["retry_after"] >= 1 for b in limited)

    emulator.rate_limits = RateLimits(enabled=True, per_chat_burst=3)
    one = users[0]
    statuses = [
        (await call(http, emulator, "sendMessage", chat_id=one.chat_id, text=str(i)))[0]
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


async def test_group_limit_20_per_minute(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    emulator.rate_limits = RateLimits(enabled=True, per_chat_burst=100, per_chat_per_second=100)
    a = emulator.create_user()
    group = emulator.create_group("Quartiere", [a])
    statuses = [
        (await call(http, emulator, "sendMessage", chat_id=group.id, text=str(i)))[0]
        for i in range(21)
    ]
    assert statuses.count(200) == 20 and statuses[-1] == 429


async def test_timeout_fault_drops_the_connection(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    user = emulator.create_user()
    emulator.faults = FaultConfig(p_timeout=1.0, timeout_hold=0.2)
    with pytest.raises(aiohttp.ClientError):
        await call(http, emulator, "sendMessage", chat_id=user.chat_id, text="lost")
    assert user.bot_messages == []  # dropped before doing anything
    emulator.faults = FaultConfig(p_lost_response=1.0, timeout_hold=0.2)
    with pytest.raises(aiohttp.ClientError):
        await call(http, emulator, "sendMessage", chat_id=user.chat_id, text="sent anyway")
    assert [m.text for m in user.bot_messages] == ["sent anyway"]
    assert emulator.counters.rejected["timeout_fault"] == 1
    assert emulator.counters.rejected["lost_response_fault"] == 1


async def test_sandbox_http_api(emulator: BotApiEmulator, http: aiohttp.ClientSession) -> None:
    async with http.post(
        f"{emulator.url}/sandbox/users", json={"first_name": "Web", "language_code": "en"}
    ) as r:
        user = (await r.json())["user"]
    chat = user["id"]
    async with http.post(f"{emulator.url}/sandbox/chats/{chat}/text", json={"text": "/start"}) as r:
        assert (await r.json())["message"]["entities"][0]["type"] == "bot_command"
    poll = asyncio.create_task(
        http.get(
            f"{emulator.url}/sandbox/chats/{chat}/messages", params={"since": "1", "timeout": "5"}
        )
    )
    await asyncio.sleep(0.1)
    markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "yes"}]]}
    _, sent = await call(
        http, emulator, "sendMessage", chat_id=chat, text="Hi", reply_markup=markup
    )
    response = await asyncio.wait_for(poll, 5)
    changes = await response.json()
    assert [m["message"]["text"] for m in changes["messages"]] == ["Hi"]
    message_id = sent["result"]["message_id"]
    async with http.post(
        f"{emulator.url}/sandbox/chats/{chat}/tap", json={"message_id": message_id, "data": "yes"}
    ) as r:
        query_id = (await r.json())["callback_query_id"]
    _, updates = await call(http, emulator, "getUpdates")
    assert updates["result"][-1]["callback_query"]["id"] == query_id
    await call(http, emulator, "answerCallbackQuery", callback_query_id=query_id, text="grazie")
    async with http.get(f"{emulator.url}/sandbox/callbacks/{query_id}") as r:
        assert (await r.json())["answer"]["text"] == "grazie"
    async with http.post(
        f"{emulator.url}/sandbox/faults", json={"p_502": 1.0, "methods": ["getMe"]}
    ) as r:
        assert r.status == 200
    status, _ = await call(http, emulator, "getMe")
    assert status == 502
    async with http.get(f"{emulator.url}/sandbox/counters") as r:
        counters = await r.json()
    assert counters["rejected"]["502_fault"] == 1 and counters["requests"]["sendMessage"] == 1
