"""``ascolto survey validate FILE...``: check consultation files before loading them.

Every error of every file goes to stdout as ``FILE:LINE: [KEY] message`` so an editor or CI
can jump to it; unreadable files and YAML syntax errors go to stderr, as does the summary.
Exit codes: 0 all valid, 1 some file invalid, 2 some file unreadable or not YAML.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2

_TEXTS: dict[str, dict[str, str]] = {
    "cannot_read": {
        "en": "{file}: cannot read: {reason}",
        "it": "{file}: impossibile leggere: {reason}",
    },
    "all_valid": {
        "en": "no errors in {files}",
        "it": "nessun errore in {files}",
    },
    "errors_in": {"en": "{errors} in {files}", "it": "{errors} in {files}"},
    "unreadable": {
        "en": "unreadable or not YAML: {files}",
        "it": "non leggibili o non YAML: {files}",
    },
}
_NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "error": {"en": ("error", "errors"), "it": ("errore", "errori")},
    "file": {"en": ("file", "files"), "it": ("file", "file")},
}


def register(subparsers: Any) -> None:
    survey = subparsers.add_parser("survey", help="work with consultation (survey) files")
    actions = survey.add_subparsers(dest="survey_command", required=True, metavar="ACTION")
    validate = actions.add_parser(
        "validate",
        help="check consultation YAML files and list every error",
        description="Check consultation YAML files; print every error as FILE:LINE: [KEY] message."
        " Exit 0 when all are valid, 1 when any is invalid, 2 when any cannot be read or parsed.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="consultation YAML file")
    validate.add_argument(
        "--lang", choices=("en", "it"), default="en", help="language of the messages (default en)"
    )
    validate.set_defaults(handler=validate_files)


def validate_files(args: argparse.Namespace) -> int:
    from surveys.format import parse_definition

    language: str = args.lang
    invalid_files = unreadable_files = error_count = 0
    for name in args.files:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            print(_text("cannot_read", language, file=name, reason=reason), file=sys.stderr)
            unreadable_files += 1
            continue
        result = parse_definition(text, name)
        if result.is_syntax_error:
            for error in result.errors:
                print(error.format(language), file=sys.stderr)
            unreadable_files += 1
            continue
        for error in result.errors:
            print(error.format(language))
        if result.errors:
            invalid_files += 1
            error_count += len(result.errors)
    print(
        _summary(language, len(args.files), invalid_files, unreadable_files, error_count),
        file=sys.stderr,
    )
    if unreadable_files:
        return EXIT_UNREADABLE
    return EXIT_INVALID if invalid_files else EXIT_VALID


def _summary(language: str, files: int, invalid: int, unreadable: int, errors: int) -> str:
    parts: list[str] = []
    if invalid:
        parts.append(
            _text(
                "errors_in",
                language,
                errors=_count(errors, "error", language),
                files=_count(invalid, "file", language),
            )
        )
    if unreadable:
        parts.append(_text("unreadable", language, files=_count(unreadable, "file", language)))
    if not parts:
        parts.append(_text("all_valid", language, files=_count(files, "file", language)))
    return "; ".join(parts)


def _count(n: int, noun: str, language: str) -> str:
    singular, plural = _NOUNS[noun][language]
    return f"{n} {singular if n == 1 else plural}"


def _text(name: str, language: str, **params: object) -> str:
    return _TEXTS[name][language].format(**params)
