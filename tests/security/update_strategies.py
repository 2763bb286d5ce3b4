"""Hypothesis strategies for Telegram updates, well-formed and hostile, as JSON-ready dicts.

Every update refers to chats the emulator knows (``POOL_USER_IDS``, the group, the supergroup
and the channel that ``harness_chats`` creates), because Telegram only ever sends updates from
chats that exist: a reply of the bot must reach a real chat. Everything else is drawn freely:
missing ``from``, channel posts, edited messages, media without text, callback queries on
inaccessible messages, unknown update types, extreme integers and odd Unicode.

``human_updates()`` are what a person can send in a private chat (they may legitimately write:
a consent tap, an answer). ``senderless_updates()`` carry no human sender or come from a group
or a channel, or are of a type the bot does not handle: they must write nothing.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from bot.app import BOT_COMMANDS
from dialogs.staff.roles import STAFF_CALLBACK_PREFIXES, staff_only_commands

# Private chats of these user ids exist in the emulator (Telegram ids have at most 52 bits; the
# last two are past that, as far as a signed 64-bit column goes).
POOL_USER_IDS = (1, 777, 2**31 - 1, 2**31, 2**52 - 1, 2**53 + 1, 2**63 - 1)
GROUP_ID = -4_000_000_001  # the emulator's first group
SUPERGROUP_ID = -1_001_234_567_890
CHANNEL_ID = -1_009_876_543_210
BOT_ID = 123456  # the emulator's default token "123456:…"

EXTREME_INTS = st.sampled_from(
    [0, 1, -1, 2**31 - 1, 2**31, -(2**31), 2**32, 2**52, 2**53 + 1, 2**63 - 1, -(2**63)]
)
SMALL_IDS = st.integers(1, 10_000)
ANY_INT = EXTREME_INTS | SMALL_IDS | st.integers(-(2**63), 2**63 - 1)

# Characters that break naive code: NUL and other controls, bidi overrides, zero-width
# joiners, a BOM, combining marks, emoji with modifiers, astral CJK, Markdown/HTML specials.
ODD_CHARS = (
    "\x00\x01\x1b\x7f\u202e\u202d\u2066\u2069\u200b\u200c\u200d\u2060\ufeff\u0301\u0336"
    "👍🏽👨‍👩‍👧‍👦🏳️‍🌈𝕏𠜎\U0001f9d1\u3000\u00a0\r\n\t<>&*_`[]()~|#+-=.!\\'\"%;"
)
ODD_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]) | st.sampled_from(ODD_CHARS),
    max_size=300,
)
COMMAND_NAMES = (*BOT_COMMANDS, *staff_only_commands(), "xyz", "START", "start@ascolto_bot")
SLUGS = ("opencare", "openagri", "sharing-cities", "mercati", "nope", "")
CITIZEN_PREFIXES: tuple[str, ...] = (
    "a",
    "t",
    "d",
    "r",
    "u",
    "s",
    "b",
    "e",
    "f",
    "ok",
    "no",
    "young",
    "wd",
)
CITIZEN_PREFIXES += ("fo", "uf", "lang", "del", "sr", "sx")
CONTENT_KINDS: tuple[str, ...] = (
    "text",
    "command",
    "photo",
    "sticker",
    "voice",
    "document",
    "location",
)
CONTENT_KINDS += ("contact", "dice", "new_chat_members", "empty")
SENDERLESS_KINDS: tuple[str, ...] = (
    "no_from",
    "group",
    "channel_post",
    "edited_channel_post",
    "edited_message",
)
SENDERLESS_KINDS += ("bot_sender", "unknown", "my_chat_member", "poll", "inline_query", "reaction")
STAFF_PREFIXES = tuple(prefix.rstrip(":") for prefix in STAFF_CALLBACK_PREFIXES)


def user(user_id: int, *, is_bot: bool = False) -> dict[str, Any]:
    return {"id": user_id, "is_bot": is_bot, "first_name": f"U{user_id % 1000}"}


@st.composite
def _person(draw: st.DrawFn) -> dict[str, Any]:
    found = user(draw(st.sampled_from(POOL_USER_IDS)))
    if draw(st.booleans()):
        found["language_code"] = draw(st.sampled_from(["it", "en", "en-GB", "xx", "", "zz-ZZZ"]))
    if draw(st.booleans()):
        found["first_name"] = draw(ODD_TEXT.filter(bool))
    return found


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id == GROUP_ID:
        return {"id": chat_id, "type": "group", "title": "Vicini"}
    if chat_id == SUPERGROUP_ID:
        return {"id": chat_id, "type": "supergroup", "title": "Quartiere"}
    if chat_id == CHANNEL_ID:
        return {"id": chat_id, "type": "channel", "title": "Notizie"}
    return {"id": chat_id, "type": "private", "first_name": f"U{chat_id % 1000}"}


@st.composite
def command_text(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(COMMAND_NAMES))
    argument = draw(st.sampled_from(SLUGS) | ODD_TEXT)
    return f"/{name} {argument}".rstrip() if draw(st.booleans()) else f"/{name}"


@st.composite
def content(draw: st.DrawFn) -> dict[str, Any]:
    """What a message carries: text, a command, or media without text."""
    kind = draw(st.sampled_from(CONTENT_KINDS))
    if kind == "text":
        return {"text": draw(ODD_TEXT.filter(bool))}
    if kind == "command":
        text = draw(command_text())
        entity = {"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])}
        return {"text": text, "entities": [entity]} if draw(st.booleans()) else {"text": text}
    file = {"file_id": "f" + str(draw(SMALL_IDS)), "file_unique_id": "u1"}
    if kind == "photo":
        size = {**file, "width": draw(ANY_INT), "height": 1}
        caption = {"caption": draw(ODD_TEXT)} if draw(st.booleans()) else {}
        return {"photo": [size], **caption}
    if kind == "sticker":
        return {
            "sticker": {
                **file,
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            }
        }
    if kind == "voice":
        return {"voice": {**file, "duration": draw(ANY_INT)}}
    if kind == "document":
        return {"document": {**file, "file_name": draw(ODD_TEXT)}}
    if kind == "location":
        latitude = draw(st.floats(-90, 90) | st.sampled_from([0.0, 90.0, -90.0]))
        longitude = draw(st.floats(-180, 180))
        return {"location": {"latitude": latitude, "longitude": longitude}}
    if kind == "contact":
        return {"contact": {"phone_number": draw(ODD_TEXT), "first_name": "X"}}
    if kind == "dice":
        return {"dice": {"emoji": "🎲", "value": draw(ANY_INT)}}
    if kind == "new_chat_members":
        return {"new_chat_members": [user(draw(st.sampled_from(POOL_USER_IDS)))]}
    return {}


@st.composite
def message(
    draw: st.DrawFn, chat_id: int, sender: dict[str, Any] | None, *, edited: bool = False
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "message_id": draw(SMALL_IDS | EXTREME_INTS),
        "date": draw(st.integers(0, 2**31 - 1)),
        "chat": _chat(chat_id),
        **draw(content()),
    }
    if sender is not None:
        found["from"] = sender
    if chat_id in (GROUP_ID, SUPERGROUP_ID, CHANNEL_ID) and draw(st.booleans()):
        found["sender_chat"] = _chat(chat_id)
    if edited:
        found["edit_date"] = draw(st.integers(0, 2**31 - 1))
    if draw(st.integers(0, 9)) == 0:
        found["forward_origin"] = {"type": "hidden_user", "sender_user_name": "X", "date": 0}
    return found


@st.composite
def callback_data(draw: st.DrawFn, prefixes: tuple[str, ...] = CITIZEN_PREFIXES) -> str:
    """Forged data: a known prefix with other consultations' ids, extreme or malformed
    fields, or random text; at most 64 bytes, as Telegram allows."""
    prefix = draw(st.sampled_from(prefixes))
    field = (
        st.integers(0, 6).map(str)
        | EXTREME_INTS.map(str)
        | st.sampled_from(SLUGS)
        | st.text(alphabet="0123456789abz:-_ ", max_size=6)
    )
    parts = draw(st.lists(field, max_size=6))
    data = ":".join([prefix, *parts]) if draw(st.integers(0, 5)) else draw(ODD_TEXT)
    return data.encode()[:64].decode("utf-8", "ignore")


@st.composite
def callback_query(draw: st.DrawFn, sender: dict[str, Any], anchor: int) -> dict[str, Any]:
    """A tap on a bot message (``anchor`` exists in the sender's chat), on an inaccessible
    message (date 0), or on an inline message."""
    prefixes = CITIZEN_PREFIXES + STAFF_PREFIXES if draw(st.booleans()) else CITIZEN_PREFIXES
    found: dict[str, Any] = {
        "id": str(draw(SMALL_IDS)),
        "from": sender,
        "chat_instance": "ci",
    }
    if draw(st.integers(0, 9)):
        found["data"] = draw(callback_data(prefixes))
    where = draw(st.sampled_from(["message", "inaccessible", "inline"]))
    chat = _chat(sender["id"])
    if where == "message":
        found["message"] = {
            "message_id": anchor,
            "date": 1_700_000_000,
            "chat": chat,
            "from": user(BOT_ID, is_bot=True),
            "text": "anchor",
        }
    elif where == "inaccessible":
        found["message"] = {"message_id": draw(ANY_INT), "date": 0, "chat": chat}
    else:
        found["inline_message_id"] = "im" + str(draw(SMALL_IDS))
    return found


def _update(update_id: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": update_id, kind: payload}


UPDATE_IDS = st.integers(1, 2**31 - 1) | EXTREME_INTS.filter(lambda n: n >= 0)


@st.composite
def human_updates(draw: st.DrawFn, anchors: dict[int, int]) -> dict[str, Any]:
    """A person in their private chat: a message (any content) or a tap on a forged button."""
    sender = draw(_person())
    update_id = draw(UPDATE_IDS)
    if draw(st.booleans()):
        return _update(update_id, "message", draw(message(sender["id"], sender)))
    return _update(update_id, "callback_query", draw(callback_query(sender, anchors[sender["id"]])))


@st.composite
def senderless_updates(draw: st.DrawFn) -> dict[str, Any]:
    """Updates that must write nothing: no human sender, a group or a channel, an edit, a type
    the bot does not handle, or one Telegram has not invented yet."""
    update_id = draw(UPDATE_IDS)
    kind = draw(st.sampled_from(SENDERLESS_KINDS))
    person = draw(_person())
    if kind == "no_from":
        chat = draw(st.sampled_from([*POOL_USER_IDS, GROUP_ID, SUPERGROUP_ID]))
        return _update(update_id, "message", draw(message(chat, None)))
    if kind == "group":
        chat = draw(st.sampled_from([GROUP_ID, SUPERGROUP_ID]))
        return _update(update_id, "message", draw(message(chat, person)))
    if kind in ("channel_post", "edited_channel_post"):
        edited = kind.startswith("edited")
        return _update(update_id, kind, draw(message(CHANNEL_ID, None, edited=edited)))
    if kind == "edited_message":
        chat = draw(st.sampled_from([*POOL_USER_IDS, GROUP_ID]))
        return _update(update_id, kind, draw(message(chat, person, edited=True)))
    if kind == "bot_sender":
        # Another bot writing in a group the bot is in: bots are not citizens.
        other_bot = user(draw(st.sampled_from(POOL_USER_IDS)), is_bot=True)
        return _update(update_id, "message", draw(message(GROUP_ID, other_bot)))
    if kind == "my_chat_member":
        status = {"status": "kicked", "user": user(BOT_ID, is_bot=True), "until_date": 0}
        member = {
            "chat": _chat(person["id"]),
            "from": person,
            "date": 0,
            "old_chat_member": {"status": "member", "user": user(BOT_ID, is_bot=True)},
            "new_chat_member": status,
        }
        return _update(update_id, "my_chat_member", member)
    if kind == "poll":
        poll = {
            "id": "p1",
            "question": draw(ODD_TEXT),
            "options": [{"text": "a", "voter_count": draw(ANY_INT), "persistent_id": "o1"}],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        return _update(update_id, "poll", poll)
    if kind == "inline_query":
        query = {"id": "q", "from": person, "query": draw(ODD_TEXT), "offset": ""}
        return _update(update_id, "inline_query", query)
    if kind == "reaction":
        reaction = {
            "chat": _chat(person["id"]),
            "message_id": draw(ANY_INT),
            "user": person,
            "date": 0,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        }
        return _update(update_id, "message_reaction", reaction)
    # A type from a future Bot API version: aiogram must skip it, not fail.
    future = draw(st.dictionaries(st.text(max_size=8), ODD_TEXT | ANY_INT, max_size=3))
    return _update(update_id, draw(st.sampled_from(["quantum_post", "hologram_reply"])), future)


def body(update: dict[str, Any]) -> bytes:
    """As Telegram sends it: UTF-8 JSON, non-ASCII characters unescaped."""
    return json.dumps(update, ensure_ascii=False).encode()
