"""``ascolto consultations themes SLUG [--full]``: a consultation's themes, kept in the database.

Without ``--full`` new answers and ideas go to their nearest theme (or "other"); the first
call, and every call with ``--full``, re-clusters everything, keeping each continuing
theme's id and the staff's curation. Vectors are cached in the database, so a second full
run only clusters. A progress bar goes to stderr; the themes, one per line, to stdout.
``ascolto themes --input FILE.csv`` (DESIGN.md §7) is unchanged: that one reads any CSV.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_UNAVAILABLE = 2

_TEXTS: dict[str, dict[str, str]] = {
    "not_found": {
        "en": "No consultation with slug '{slug}'.",
        "it": "Nessuna consultazione con slug «{slug}».",
    },
    "unavailable": {
        "en": "Backend not available: {reason}",
        "it": "Metodo non disponibile: {reason}",
    },
    "summary_full": {
        "en": "{slug}: {themes} themes from {texts} texts ({encoded} vectors computed, the rest "
        "from the cache); {other} in 'other'",
        "it": "{slug}: {themes} temi da {texts} testi ({encoded} vettori calcolati, gli altri "
        "dalla cache); {other} in «altro»",
    },
    "summary_new": {
        "en": "{slug}: {assigned} new texts put in a theme, {other} in 'other' "
        "({encoded} vectors computed)",
        "it": "{slug}: {assigned} nuovi testi assegnati a un tema, {other} in «altro» "
        "({encoded} vettori calcolati)",
    },
    "hidden": {"en": "hidden", "it": "nascosto"},
    "other": {"en": "other", "it": "altro"},
}


def _language() -> str:
    value = os.environ.get("ASCOLTO_LANG") or os.environ.get("LANG", "")
    return "it" if value.lower().startswith("it") else "en"


def _text(name: str, **params: object) -> str:
    texts = _TEXTS[name]
    return texts.get(_language(), texts["en"]).format(**params)


def register(actions: Any) -> None:
    """Adds ``themes`` under ``ascolto consultations``."""
    parser = actions.add_parser(
        "themes",
        help="cluster a consultation's free texts into themes kept in the database",
        description="First call (or --full): cluster every free-text answer and idea, keeping "
        "theme ids and staff curation across re-clusterings. Otherwise: put new texts in "
        "their nearest theme. Exit 0 done, 1 no such consultation, 2 backend unavailable.",
    )
    parser.add_argument("slug", metavar="SLUG")
    parser.add_argument("--full", action="store_true", help="re-cluster everything")
    parser.add_argument(
        "--backend", default=None, help="e5 (default), tfidf, sentence-transformers"
    )
    parser.add_argument("--model", default=None, help="model name or path (sentence-transformers)")
    parser.add_argument("--min-group-size", type=int, default=None, dest="min_group_size")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.commands.themes import ProgressLine
    from bot.settings import load_settings
    from nlp import offensive
    from nlp.backends import BackendUnavailable
    from nlp.service import NlpThemeEngine

    settings = load_settings()
    offensive.configure(settings.quote_blocklist)  # quotes skip the staff's extra words too
    try:
        # Flags first, then ASCOLTO_NLP_BACKEND / ASCOLTO_NLP_MODEL, then the offline default.
        engine = NlpThemeEngine(
            args.backend or settings.nlp_backend, args.model or settings.nlp_model
        )
    except BackendUnavailable as exc:
        print(_text("unavailable", reason=exc), file=sys.stderr)
        return EXIT_UNAVAILABLE
    min_group = args.min_group_size or settings.min_group_size
    return asyncio.run(
        _run(settings.database_url, engine, args.slug, args.full, min_group, ProgressLine())
    )


async def _run(url: str, engine: Any, slug: str, full: bool, min_group: int, progress: Any) -> int:
    from storage.schema import upgrade_schema
    from storage.store import Storage
    from surveys.clock import SystemClock
    from surveys.usecases.outcomes import ConsultationNotFound
    from surveys.usecases.themes import current_themes, refresh_themes

    await upgrade_schema(url)
    storage = Storage.open(url)
    try:
        result = await refresh_themes(
            storage.uow,
            SystemClock(),
            engine,
            slug,
            full=full,
            min_group_size=min_group,
            progress=progress,
        )
        if isinstance(result, ConsultationNotFound):
            print(_text("not_found", slug=slug), file=sys.stderr)
            return EXIT_NOT_FOUND
        views = await current_themes(storage.uow, slug)
    finally:
        await storage.close()
    if result.full:
        print(
            _text(
                "summary_full",
                slug=slug,
                themes=result.themes,
                texts=result.texts,
                encoded=result.encoded,
                other=result.other,
            )
        )
    else:
        print(
            _text(
                "summary_new",
                slug=slug,
                assigned=result.assigned,
                other=result.other,
                encoded=result.encoded,
            )
        )
    assert isinstance(views, list)
    for view in views:
        theme = view.theme
        label = _text("other") if theme.kind == "other" else theme.label
        flag = f" ({_text('hidden')})" if theme.hidden else ""
        print(f"{theme.id}\t{theme.size}\t{label}{flag}")
    return EXIT_OK
