"""Reading typed fields out of a located YAML mapping, reporting every misfit as an error.

Each getter returns ``None`` when the field is absent or wrong, after recording why, so the
readers above can carry on and find the next mistake instead of stopping at the first.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection

from surveys.definition import SUPPORTED_LANGUAGES
from surveys.format.errors import ParamValue, ValidationError
from surveys.format.tree import YamlList, YamlMap, YamlNode, YamlScalar

TELEGRAM_BUTTON_LABEL_LIMIT = 40


class Reporter:
    """Collects the errors of one file; knows the languages every text must be given in."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[ValidationError] = []
        self.languages: tuple[str, ...] = ()

    def add(self, line: int | None, key: str | None, code: str, **params: ParamValue) -> None:
        self.errors.append(ValidationError(self.filename, line, key, code, params))


def scalar_text(node: YamlNode) -> str | None:
    """The text of a non-null scalar as written (``no`` stays "no", ``1`` stays "1")."""
    if isinstance(node, YamlScalar) and node.value is not None:
        return node.value if isinstance(node.value, str) else node.text
    return None


def describe(node: YamlNode) -> str:
    """A short rendering of a wrong value for messages."""
    if isinstance(node, YamlScalar):
        return node.text if node.value is not None else "null"
    return "a list" if isinstance(node, YamlList) else "a mapping"


class Fields:
    """One YAML mapping read field by field.

    ``key`` is the question key errors are filed under; ``None`` at the top level, where each
    error is filed under the top-level field it concerns.
    """

    def __init__(
        self, reporter: Reporter, node: YamlMap, key: str | None, prefix: str = ""
    ) -> None:
        self.reporter = reporter
        self.node = node
        self.key = key
        self.prefix = prefix  # e.g. "schedule." so messages name the field as the author wrote it
        for name, line, first_line in node.duplicates:
            self.report(line, name, "duplicate_field", first_line=first_line)

    # --- reporting ---------------------------------------------------------------------------

    def report(self, line: int | None, name: str, code: str, **params: ParamValue) -> None:
        key = self.key if self.key is not None else (self.prefix.split(".")[0] or name)
        params.setdefault("field", self.prefix + name)
        self.reporter.add(line, key, code, **params)

    def line_of(self, name: str) -> int:
        entry = self.node.entries.get(name)
        return entry.key_line if entry is not None else self.node.line

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    def get(self, name: str) -> YamlNode | None:
        """The value of ``name``; an explicit null counts as absent."""
        entry = self.node.entries.get(name)
        if entry is None:
            return None
        if isinstance(entry.value, YamlScalar) and entry.value.value is None:
            return None
        return entry.value

    def reject_unknown(
        self,
        allowed: Collection[str],
        known_elsewhere: Collection[str] = (),
        type_name: str = "",
    ) -> None:
        """Report fields not in ``allowed``: misplaced ones by name, typos with a suggestion."""
        for name, entry in self.node.entries.items():
            if name in allowed:
                continue
            if name in known_elsewhere:
                self.report(entry.key_line, name, "field_not_for_type", type=type_name)
                continue
            close = difflib.get_close_matches(name, [*allowed], n=1, cutoff=0.6)
            if close:
                self.report(entry.key_line, name, "unknown_field_suggest", suggestion=close[0])
            else:
                self.report(entry.key_line, name, "unknown_field")

    def require(self, name: str) -> YamlNode | None:
        value = self.get(name)
        if value is None:
            self.report(self.line_of(name), name, "missing_field")
        return value

    # --- typed getters -----------------------------------------------------------------------

    def string(self, name: str, *, required: bool = False) -> str | None:
        node = self.require(name) if required else self.get(name)
        if node is None:
            return None
        text = scalar_text(node)
        if text is None:
            self.report(node.line, name, "expected_string")
        elif required and not text.strip():
            self.report(node.line, name, "missing_field")
            return None
        return text

    def integer(self, name: str) -> int | None:
        node = self.get(name)
        if node is None:
            return None
        if isinstance(node, YamlScalar) and type(node.value) is int:
            return node.value
        self.report(node.line, name, "expected_integer", value=describe(node))
        return None

    def number(self, name: str) -> int | float | None:
        node = self.get(name)
        if node is None:
            return None
        if isinstance(node, YamlScalar) and type(node.value) in (int, float):
            value = node.value
            assert isinstance(value, int | float)
            if math.isfinite(value):
                return value
        self.report(node.line, name, "expected_number", value=describe(node))
        return None

    def boolean(self, name: str) -> bool | None:
        node = self.get(name)
        if node is None:
            return None
        if isinstance(node, YamlScalar) and isinstance(node.value, bool):
            return node.value
        self.report(node.line, name, "expected_boolean", value=describe(node))
        return None

    def items(self, name: str) -> list[YamlNode] | None:
        node = self.get(name)
        if node is None:
            return None
        if isinstance(node, YamlList):
            return node.items
        self.report(node.line, name, "expected_list")
        return None

    def mapping(self, name: str, prefix: str) -> Fields | None:
        node = self.get(name)
        if node is None:
            return None
        if isinstance(node, YamlMap):
            return Fields(self.reporter, node, self.key, self.prefix + prefix)
        self.report(node.line, name, "expected_mapping")
        return None

    def text(
        self, name: str, *, required: bool = False, button: bool = False
    ) -> dict[str, str] | None:
        """Localised text: a mapping language → text, with every survey language present.

        ``button`` texts must also fit on a Telegram inline button.
        """
        node = self.require(name) if required else self.get(name)
        if node is None:
            return None
        if not isinstance(node, YamlMap):
            self.report(node.line, name, "expected_text")
            return None
        texts: dict[str, str] = {}
        wrong: set[str] = set()
        for language, entry in node.entries.items():
            if language not in SUPPORTED_LANGUAGES:
                self.report(entry.key_line, name, "unsupported_language", language=language)
                continue
            if isinstance(entry.value, YamlList | YamlMap):
                self.report(entry.value.line, name, "expected_string")
                wrong.add(language)
                continue
            value = scalar_text(entry.value)
            if value is None or not value.strip():
                continue  # reported below as a missing translation
            texts[language] = value
            if button and len(value) > TELEGRAM_BUTTON_LABEL_LIMIT:
                self.report(
                    entry.value.line,
                    name,
                    "label_too_long",
                    label=value,
                    language=language,
                    length=len(value),
                    limit=TELEGRAM_BUTTON_LABEL_LIMIT,
                )
        for language in self.reporter.languages:
            if language not in texts and language not in wrong:
                self.report(self.line_of(name), name, "missing_translation", language=language)
        return texts
