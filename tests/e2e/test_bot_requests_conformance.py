"""Every request the real bot makes, checked against the official Bot API spec.

The product's aiogram application (``bot.runner``) long-polls an emulator that logs each call
with its parameters exactly as sent. A citizen sends /start, /help, an unknown command, plain
text and taps a consultation's button; then each logged call is judged by
``telegram-bot-api/api.json`` alone: the method exists, each parameter belongs to it, required
parameters are there, and each value decodes to the declared type the way Telegram decodes
form fields (numbers and booleans as text, objects and arrays as JSON text). The decoding here
is written from the spec, independently of the emulator's own tables.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.runner import close_application, open_application, run_polling
from bot.sandbox import BotApiEmulator, LoggedRequest
from bot.sandbox_mode import load_examples
from bot.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
PEPPER = b"conformance-pepper-0123456789abcdef0123"


def _spec_path() -> Path:
    if os.environ.get("ASCOLTO_BOT_API_SPEC"):
        return Path(os.environ["ASCOLTO_BOT_API_SPEC"])
    return REPO_ROOT.parent / "shared" / "data" / "telegram-bot-api" / "api.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    path = _spec_path()
    if not path.exists():
        pytest.skip(f"Bot API spec not found at {path} (set ASCOLTO_BOT_API_SPEC)")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


# -- judging one request by the spec ------------------------------------------------------------
_SCALARS = {
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    "Boolean": lambda v: isinstance(v, bool),
    "True": lambda v: v is True,
}
_INTEGER_TEXT = re.compile(r"-?\d+")


def decode_form_value(raw: str, type_name: str) -> Any:
    """A form field's text as Telegram reads it for this declared type; ValueError if it can't."""
    if type_name == "Integer":
        if not _INTEGER_TEXT.fullmatch(raw):
            raise ValueError(f"{raw!r} is not an Integer")
        return int(raw)
    if type_name == "Float":
        return float(raw)
    if type_name in ("Boolean", "True"):
        if raw not in ("true", "false"):
            raise ValueError(f"{raw!r} is not a Boolean")
        return raw == "true"
    if type_name in ("String", "InputFile"):
        return raw
    return json.loads(raw)  # objects and arrays travel as JSON text


def value_problems(spec: dict[str, Any], value: Any, types: list[str], path: str) -> list[str]:
    """Empty if the value matches one of the types, else the problems of the closest one."""
    attempts = []
    for type_name in types:
        found = _type_problems(spec, value, type_name, path)
        if not found:
            return []
        attempts.append(found)
    return min(attempts, key=len)


def _type_problems(spec: dict[str, Any], value: Any, type_name: str, path: str) -> list[str]:
    if type_name.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: {value!r} is not an {type_name}"]
        inner = type_name.removeprefix("Array of ")
        return [
            p
            for i, item in enumerate(value)
            for p in value_problems(spec, item, [inner], f"{path}[{i}]")
        ]
    if type_name in _SCALARS:
        return [] if _SCALARS[type_name](value) else [f"{path}: {value!r} is not {type_name}"]
    if type_name == "InputFile":
        return [] if isinstance(value, str) else [f"{path}: {value!r} is not an InputFile"]
    definition = spec["types"][type_name]
    if "subtypes" in definition:
        return value_problems(spec, value, definition["subtypes"], path)
    if not isinstance(value, dict):
        return [f"{path}: {value!r} is not a {type_name} object"]
    fields = {field["name"]: field for field in definition.get("fields", [])}
    problems = [
        f"{path}.{name}: not a field of {type_name}" for name in value if name not in fields
    ]
    for name, field in fields.items():
        if name not in value:
            if field["required"]:
                problems.append(f"{path}.{name}: required in {type_name}")
            continue
        if name == "type" and not _type_allowed(field, value[name]):
            problems.append(f"{path}.type: {value[name]!r} not allowed in {type_name}")
        problems += value_problems(spec, value[name], field["types"], f"{path}.{name}")
    return problems


def _type_allowed(field: dict[str, Any], value: Any) -> bool:
    """``type`` fields name their values: 'must be default', 'always "private"', 'can be "a"'."""
    description = field.get("description", "")
    if isinstance(description, list):
        description = " ".join(description)
    allowed = re.findall(r'"([a-z_]+)"', description) or re.findall(
        r"must be ([a-z_]+)", description
    )
    return not allowed or value in allowed


def request_problems(spec: dict[str, Any], request: LoggedRequest) -> list[str]:
    method = spec["methods"].get(request.method)
    if method is None:
        return [f"{request.method}: not a Bot API method"]
    fields = {field["name"]: field for field in method.get("fields", [])}
    sent = {**request.raw, **dict.fromkeys(request.uploads, "attach")}
    problems = [f"{request.method}.{name}: not a parameter" for name in sent if name not in fields]
    for name, field in fields.items():
        if name not in sent:
            if field["required"]:
                problems.append(f"{request.method}.{name}: required, not sent")
            continue
        if name in request.uploads:
            if "InputFile" not in field["types"]:
                problems.append(f"{request.method}.{name}: a file where no file is allowed")
            continue
        problems += _parameter_problems(
            spec, request.method, name, request.raw[name], field["types"]
        )
    return problems


def _parameter_problems(
    spec: dict[str, Any], method: str, name: str, raw: Any, types: list[str]
) -> list[str]:
    path = f"{method}.{name}"
    if not isinstance(raw, str):  # a JSON body carries typed values already
        return value_problems(spec, raw, types, path)
    attempts = []
    for type_name in types:
        try:
            value = decode_form_value(raw, type_name)
        except ValueError as error:
            attempts.append([f"{path}: {error}"])
            continue
        found = value_problems(spec, value, [type_name], path)
        if not found:
            return []
        attempts.append(found)
    return min(attempts, key=len)


# -- the bot at work ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
async def bot_requests(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[list[LoggedRequest]]:
    """A short conversation with the real bot; every Bot API request it made, in order."""
    database = tmp_path_factory.mktemp("conformance") / "bot.db"
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{database}")
    async with BotApiEmulator(log_requests=True) as emulator:
        app = await open_application(
            settings, token=emulator.token, api_url=emulator.url, pepper=PEPPER
        )
        try:
            await load_examples(app.storage)
            stop = asyncio.Event()
            polling = asyncio.create_task(run_polling(app, stop))
            try:
                giulia = emulator.create_user("Giulia", language_code="it")
                tom = emulator.create_user("Tom", language_code="en")
                giulia.send_text("/start")
                menu = await giulia.next_message(timeout=10)
                query_id = giulia.tap(menu, "open:opencare")
                await giulia.callback_answer(query_id, timeout=10)
                await giulia.next_message(timeout=10)
                for text in ("/help", "/nonesiste", "una frase qualsiasi"):
                    tom.send_text(text)
                    await tom.next_message(timeout=10)
            finally:
                stop.set()
                await asyncio.wait_for(polling, 10)  # includes the final offset confirmation
        finally:
            await close_application(app)
        assert emulator.request_log is not None
        yield list(emulator.request_log)


def test_the_bot_made_the_calls_this_conversation_needs(bot_requests: list[LoggedRequest]) -> None:
    methods = {request.method for request in bot_requests}
    assert {
        "deleteWebhook",
        "setMyCommands",
        "getUpdates",
        "sendMessage",
        "answerCallbackQuery",
    } <= methods
    languages = {r.raw.get("language_code") for r in bot_requests if r.method == "setMyCommands"}
    assert languages == {None, "it"}  # the default list (English) and the Italian one


def test_every_request_conforms_to_the_spec(
    spec: dict[str, Any], bot_requests: list[LoggedRequest]
) -> None:
    problems = [p for request in bot_requests for p in request_problems(spec, request)]
    assert problems == []


def test_the_checker_catches_bad_requests(spec: dict[str, Any]) -> None:
    """The judge itself: each kind of mistake is reported, and only that one."""

    def judge(method: str, raw: dict[str, Any], uploads: tuple[str, ...] = ()) -> list[str]:
        return request_problems(spec, LoggedRequest(method, raw, None, uploads))

    keyboard = json.dumps({"inline_keyboard": [[{"text": "Sì", "callback_data": "sv:q1:0"}]]})
    assert judge("sendMessage", {"chat_id": "42", "text": "ciao", "reply_markup": keyboard}) == []
    assert judge("sendMessage", {"chat_id": "@canale", "text": "4"}) == []
    assert judge("sendMesage", {"chat_id": "42", "text": "x"}) == [
        "sendMesage: not a Bot API method"
    ]
    assert judge("sendMessage", {"chat_id": "42"}) == ["sendMessage.text: required, not sent"]
    assert judge("sendMessage", {"chat_id": "42", "text": "x", "colour": "red"}) == [
        "sendMessage.colour: not a parameter"
    ]
    assert judge("sendMessage", {"chat_id": "42", "text": "x", "message_thread_id": "7.5"}) == [
        "sendMessage.message_thread_id: '7.5' is not an Integer"
    ]
    assert judge("sendMessage", {"chat_id": "42", "text": "x", "disable_notification": "yes"}) == [
        "sendMessage.disable_notification: 'yes' is not a Boolean"
    ]
    bad_button = json.dumps({"inline_keyboard": [[{"text": "Sì", "callback": "x"}]]})
    assert judge("sendMessage", {"chat_id": "42", "text": "x", "reply_markup": bad_button}) != []
    scope = json.dumps({"type": "everyone"})
    commands = json.dumps([{"command": "start", "description": "Inizia"}])
    assert judge("setMyCommands", {"commands": commands, "scope": scope}) != []
    assert (
        judge("setMyCommands", {"commands": commands, "scope": json.dumps({"type": "default"})})
        == []
    )
    assert judge("getUpdates", {"offset": 5, "timeout": 0}) == []  # typed JSON body values
    assert judge("getUpdates", {"offset": "5", "allowed_updates": "message"}) != []
    assert judge("sendDocument", {"chat_id": "1"}, uploads=("document",)) == []
    assert judge("sendMessage", {"chat_id": "1", "text": "x"}, uploads=("text",)) == [
        "sendMessage.text: a file where no file is allowed"
    ]
