"""Message text as Telegram stores it: HTML markup turned into entities, commands detected.

Telegram never echoes markup back: a message sent with ``parse_mode=HTML`` comes back as plain
text plus ``entities`` whose offsets and lengths count UTF-16 code units. It also marks
``/commands`` with a ``bot_command`` entity in every message, which python-telegram-bot's
CommandHandler relies on.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from bot.sandbox.errors import bad_request

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_NO_COMMANDS_INSIDE = frozenset({"code", "pre", "text_link", "bot_command"})
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtml(HTMLParser):
    """Collects plain text and entities; rejects the tags Telegram rejects."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._source = source
        self.parts: list[str] = []
        self.length = 0  # in UTF-16 code units
        self.entities: list[dict[str, Any]] = []
        self._open: list[tuple[str, dict[str, Any] | None]] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        entity: dict[str, Any] | None
        if tag in _SIMPLE_TAGS:
            entity = {"type": _SIMPLE_TAGS[tag]}
            if tag == "blockquote" and "expandable" in attributes:
                entity["type"] = "expandable_blockquote"
        elif tag == "span" and attributes.get("class") == "tg-spoiler":
            entity = {"type": "spoiler"}
        elif tag == "a" and attributes.get("href"):
            entity = {"type": "text_link", "url": attributes["href"]}
        elif tag == "tg-emoji" and attributes.get("emoji-id"):
            entity = {"type": "custom_emoji", "custom_emoji_id": attributes["emoji-id"]}
        else:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{tag}" at byte offset '
                f"{self._byte_offset()}"
            )
        # <pre><code class="language-x"> is one pre entity with a language
        if tag == "code" and self._open and self._open[-1][0] == "pre":
            language = (attributes.get("class") or "").removeprefix("language-")
            pre = self._open[-1][1]
            if pre is not None and language:
                pre["language"] = language
            entity = None
        if entity is not None:
            entity["offset"] = self.length
        self._open.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            raise bad_request(
                f"can't parse entities: Unmatched end tag at byte offset {self._byte_offset()}, "
                f'expected "</{self._open[-1][0] if self._open else tag}>", found "</{tag}>"'
            )
        _, entity = self._open.pop()
        if entity is not None:
            entity["length"] = self.length - entity["offset"]
            if entity["length"] > 0:
                self.entities.append(entity)

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        lines = self._source.split("\n")
        prefix = (
            "\n".join(lines[: line - 1]) + ("\n" if line > 1 else "") + lines[line - 1][:column]
        )
        return len(prefix.encode("utf-8"))

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        self.close()
        if self._open:
            raise bad_request(
                f"can't parse entities: Can't find end tag corresponding to start tag \""
                f'{self._open[-1][0]}"'
            )
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), [_order_keys(e) for e in ordered]


def _order_keys(entity: dict[str, Any]) -> dict[str, Any]:
    head = {"type": entity["type"], "offset": entity["offset"], "length": entity["length"]}
    head.update({k: v for k, v in entity.items() if k not in head})
    return head


def parse_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) as Telegram would store the message."""
    if parse_mode and not entities:
        mode = parse_mode.lower()
        if mode == "html":
            parser = _TelegramHtml(text)
            parser.feed(text)
            text, parsed = parser.finish()
        elif mode in {"markdown", "markdownv2"}:
            # Markdown is accepted but not interpreted: the text is kept as sent.
            parsed = []
        else:
            raise bad_request("unsupported parse_mode")
    else:
        parsed = [dict(e) for e in entities or []]
    return text, _with_commands(text, parsed)


def _with_commands(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if "/" not in text:
        return entities
    found = []
    for match in _COMMAND.finditer(text):
        offset = utf16_len(text[: match.start()])
        length = utf16_len(match.group())
        if not any(
            e["type"] in _NO_COMMANDS_INSIDE and e["offset"] <= offset < e["offset"] + e["length"]
            for e in entities
        ):
            found.append({"type": "bot_command", "offset": offset, "length": length})
    if not found:
        return entities
    return sorted(entities + found, key=lambda e: (e["offset"], -e["length"]))
