"""What a validation error is, and how it reads in Italian and in English.

Errors carry a stable ``code`` and their ``params`` rather than a finished sentence, so the CLI
can print English while the facilitators' chat shows the same error in Italian.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from surveys.definition import SurveyDefinition
from surveys.format.messages import MESSAGES

ParamValue = str | int | float


@dataclass(frozen=True)
class ValidationError:
    """One problem in a consultation file. ``line`` is 1-based; ``key`` names the question
    (or the top-level field) it belongs to, when there is one."""

    file: str
    line: int | None
    key: str | None
    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict, hash=False)

    def message(self, language: str = "en") -> str:
        templates = MESSAGES[self.code]
        template = templates.get(language, templates["en"])
        return template.format(**self.params)

    def format(self, language: str = "en") -> str:
        """``FILE:LINE: [KEY] message`` — the line the CLI prints."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = "" if self.key is None else f"[{self.key}] "
        return f"{where}: {key}{self.message(language)}"


YAML_SYNTAX = "yaml_syntax"


@dataclass(frozen=True)
class ParseResult:
    """The outcome of reading one file: a definition when, and only when, there are no errors."""

    filename: str
    definition: SurveyDefinition | None
    errors: tuple[ValidationError, ...] = ()

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.errors

    @property
    def is_syntax_error(self) -> bool:
        """The file is not YAML at all (as opposed to YAML that breaks our format's rules)."""
        return any(error.code == YAML_SYNTAX for error in self.errors)


class InvalidSurveyError(ValueError):
    """Raised by ``load_definition`` for a file with errors; ``errors`` lists all of them."""

    def __init__(self, filename: str, errors: tuple[ValidationError, ...]) -> None:
        self.filename = filename
        self.errors = errors
        super().__init__("\n".join(error.format() for error in errors))
