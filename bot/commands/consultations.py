"""``ascolto consultations load FILE... [--open]``: create or update consultations from YAML.

All files are validated first and nothing is loaded unless every one is valid, so a typo in
one file cannot leave the database half updated. Then the schema is created or upgraded and
each file loaded: a changed survey becomes a new version, an unchanged one changes nothing,
so the command can run at every deploy. One line per file on stdout, e.g.
``opencare: created, version 1, open``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands import consultation_themes

if TYPE_CHECKING:
    from surveys.definition import SurveyDefinition
    from surveys.usecases.outcomes import LoadResult

EXIT_LOADED = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2

_TEXTS: dict[str, dict[str, str]] = {
    "cannot_read": {
        "en": "{file}: cannot read: {reason}",
        "it": "{file}: impossibile leggere: {reason}",
    },
    "duplicate_slug": {
        "en": "{file}: [slug] '{slug}' is also the slug of {other}",
        "it": "{file}: [slug] '{slug}' è anche lo slug di {other}",
    },
    "nothing_loaded": {
        "en": "nothing loaded: fix the errors above first",
        "it": "nulla è stato caricato: correggi prima gli errori qui sopra",
    },
    "created": {"en": "created, version {version}", "it": "creata, versione {version}"},
    "new version": {"en": "new version {version}", "it": "nuova versione {version}"},
    "unchanged": {"en": "unchanged, version {version}", "it": "invariata, versione {version}"},
    "schedule": {"en": "schedule updated", "it": "calendario aggiornato"},
    "draft": {"en": "draft", "it": "bozza"},
    "scheduled": {"en": "scheduled", "it": "programmata"},
    "open": {"en": "open", "it": "aperta"},
    "closed": {"en": "closed", "it": "chiusa"},
}


def _text(name: str, language: str, **params: object) -> str:
    texts = _TEXTS[name]
    return texts.get(language, texts["en"]).format(**params)


def register(subparsers: Any) -> None:
    consultations = subparsers.add_parser("consultations", help="create and update consultations")
    actions = consultations.add_subparsers(
        dest="consultations_command", required=True, metavar="ACTION"
    )
    load = actions.add_parser(
        "load",
        help="create or update consultations from YAML files",
        description="Validate every file, create or upgrade the database schema "
        "(ASCOLTO_DATABASE_URL), then load each file: a changed survey becomes a new version, "
        "an unchanged one changes nothing. Exit 0 loaded, 1 some file invalid (nothing loaded), "
        "2 some file unreadable or not YAML (nothing loaded).",
    )
    load.add_argument("files", nargs="+", metavar="FILE", help="consultation YAML file")
    load.add_argument(
        "--open", action="store_true", help="open the consultations now, whatever their schedule"
    )
    load.add_argument(
        "--lang", choices=("en", "it"), default="en", help="language of the messages (default en)"
    )
    load.set_defaults(handler=load_files)
    consultation_themes.register(actions)  # ascolto consultations themes SLUG [--full]


def load_files(args: argparse.Namespace) -> int:
    language: str = args.lang
    definitions, status = _read_all(args.files, language)
    if status != EXIT_LOADED:
        print(_text("nothing_loaded", language), file=sys.stderr)
        return status

    from bot.settings import load_settings

    url = load_settings().database_url
    results = asyncio.run(_load_all(url, definitions, open_now=args.open))
    for result in results:
        print(describe(result, language))
    return EXIT_LOADED


def _read_all(names: list[str], language: str) -> tuple[list[SurveyDefinition], int]:
    """Every file parsed; the worst status seen (every error printed, not just the first)."""
    from surveys.format import parse_definition

    definitions: list[SurveyDefinition] = []
    status = EXIT_LOADED
    slugs: dict[str, str] = {}
    for name in names:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            print(_text("cannot_read", language, file=name, reason=reason), file=sys.stderr)
            status = EXIT_UNREADABLE
            continue
        result = parse_definition(text, name)
        for error in result.errors:
            print(error.format(language))
        if result.is_syntax_error:
            status = EXIT_UNREADABLE
        elif not result.ok or result.definition is None:
            status = max(status, EXIT_INVALID)
        elif result.definition.slug in slugs:
            # Loading both would make one file silently a "new version" of the other.
            other = slugs[result.definition.slug]
            print(
                _text(
                    "duplicate_slug", language, file=name, slug=result.definition.slug, other=other
                )
            )
            status = max(status, EXIT_INVALID)
        else:
            slugs[result.definition.slug] = name
            definitions.append(result.definition)
    return definitions, status


async def _load_all(
    url: str, definitions: list[SurveyDefinition], *, open_now: bool
) -> list[LoadResult]:
    from storage.schema import upgrade_schema
    from storage.store import Storage
    from surveys.clock import SystemClock
    from surveys.usecases import load_consultation

    await upgrade_schema(url)
    storage = Storage.open(url)
    try:
        return [
            await load_consultation(storage.uow, definition, SystemClock(), open_now=open_now)
            for definition in definitions
        ]
    finally:
        await storage.close()


def describe(result: LoadResult, language: str = "en") -> str:
    """``opencare: created, version 1, open`` (the line scripts and people read)."""
    parts = [
        _text(result.change.value, language, version=result.version),
        _text(result.status.value, language),
    ]
    if result.schedule_changed:
        parts.append(_text("schedule", language))
    return f"{result.slug}: {', '.join(parts)}"
