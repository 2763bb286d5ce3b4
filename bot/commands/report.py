"""``ascolto report SLUG --html OUT.html [--xlsx OUT.xlsx] [--csv OUT.csv] [--lang it|en]
[--exclude-hidden]``.

Writes the policy report of a consultation: one self-contained HTML file and, if asked, the
XLSX and CSV exports. When the consultation has no theme run yet, its free texts are clustered
first (``refresh_themes`` with the configured backend, ``ASCOLTO_NLP_BACKEND``), so the report
has themes; ``--no-cluster`` skips that. Every output path is checked before the (possibly
long) work starts, so a typo in a path fails at once. Errors are one polite line on stderr:
exit 1 for an unknown consultation, 2 for a path that cannot be written.

Answers hidden by moderation are never quoted or listed, but count in the numbers;
``--exclude-hidden`` leaves them out of the numbers too (the method note says which). Quotes
skip offensive language (``nlp.offensive``, extended by ``ASCOLTO_QUOTE_BLOCKLIST``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from surveys.reporting import ReportData

EXIT_OK = 0
EXIT_UNKNOWN = 1
EXIT_UNWRITABLE = 2

_TEXTS: dict[str, dict[str, str]] = {
    "unknown_slug": {
        "en": "unknown consultation '{slug}'; known: {slugs}",
        "it": "consultazione '{slug}' sconosciuta; esistenti: {slugs}",
    },
    "none": {"en": "none", "it": "nessuna"},
    "unwritable": {
        "en": "cannot write {path}: {reason}",
        "it": "impossibile scrivere {path}: {reason}",
    },
    "no_output": {
        "en": "nothing to write: give --html, --xlsx or --csv",
        "it": "niente da scrivere: indica --html, --xlsx o --csv",
    },
    "clustering": {
        "en": "{slug}: no themes yet, clustering the free texts first…",
        "it": "{slug}: ancora nessun tema, raggruppo prima i testi liberi…",
    },
    "clustered": {"en": "{slug}: {themes} themes", "it": "{slug}: {themes} temi"},
    "written": {"en": "{path}: {size} KB", "it": "{path}: {size} KB"},
    "is_directory": {"en": "it is a directory", "it": "è una cartella"},
    "no_directory": {"en": "no such folder: {folder}", "it": "la cartella {folder} non esiste"},
    "permission": {"en": "permission denied", "it": "permesso negato"},
}


def _text(name: str, language: str, **params: object) -> str:
    texts = _TEXTS[name]
    return texts.get(language, texts["en"]).format(**params)


def register(subparsers: Any) -> None:
    report = subparsers.add_parser(
        "report",
        help="write a consultation's report (HTML) and exports (XLSX, CSV)",
        description="Write the self-contained HTML report of a consultation and, if asked, "
        "its XLSX and CSV exports. Clusters the free texts first when the consultation has no "
        "theme run yet. Exit 0 written, 1 unknown consultation, 2 a file cannot be written.",
    )
    report.add_argument("slug", metavar="SLUG", help="the consultation's slug, e.g. opencare")
    report.add_argument("--html", metavar="OUT.html", help="the HTML report")
    report.add_argument("--xlsx", metavar="OUT.xlsx", help="the XLSX export")
    report.add_argument("--csv", metavar="OUT.csv", help="the participations as CSV")
    report.add_argument(
        "--lang", choices=("it", "en"), default="it", help="language of the report (default it)"
    )
    report.add_argument(
        "--no-cluster", action="store_true", help="do not cluster when there are no themes yet"
    )
    report.add_argument(
        "--exclude-hidden",
        action="store_true",
        help="leave answers hidden by moderation out of the numbers too "
        "(by default they are never quoted but still counted)",
    )
    report.set_defaults(handler=write_report)


def _check_writable(path: Path, language: str) -> str | None:
    """Why ``path`` cannot be written, or ``None``. Nothing is created or truncated."""
    if path.is_dir():
        return _text("is_directory", language)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return _text("no_directory", language, folder=parent)
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        return _text("permission", language)
    return None


def write_report(args: argparse.Namespace) -> int:
    language: str = args.lang
    outputs = {
        kind: Path(value) for kind in ("html", "xlsx", "csv") if (value := getattr(args, kind))
    }
    if not outputs:
        print(_text("no_output", language), file=sys.stderr)
        return EXIT_UNWRITABLE
    for path in outputs.values():
        reason = _check_writable(path, language)
        if reason is not None:
            print(_text("unwritable", language, path=path, reason=reason), file=sys.stderr)
            return EXIT_UNWRITABLE

    from bot.settings import load_settings

    settings = load_settings()
    data, slugs = asyncio.run(
        _gather(
            settings,
            args.slug,
            language,
            cluster=not args.no_cluster,
            exclude_hidden=bool(getattr(args, "exclude_hidden", False)),
        )
    )
    if data is None:
        known = ", ".join(slugs) or _text("none", language)
        print(_text("unknown_slug", language, slug=args.slug, slugs=known), file=sys.stderr)
        return EXIT_UNKNOWN

    from reports.renderer import ReportFiles

    files = ReportFiles()
    render = {"html": files.html, "xlsx": files.xlsx, "csv": files.csv}
    for kind, path in outputs.items():
        content = render[kind](data, language)
        try:
            path.write_bytes(content)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            print(_text("unwritable", language, path=path, reason=reason), file=sys.stderr)
            return EXIT_UNWRITABLE
        print(_text("written", language, path=path, size=round(len(content) / 1024)))
    return EXIT_OK


async def _gather(
    settings: Any, slug: str, language: str, *, cluster: bool, exclude_hidden: bool = False
) -> tuple[ReportData | None, list[str]]:
    from bot.voting_analysis import voting_analyser
    from nlp import offensive
    from nlp.pii import scrub
    from storage.schema import upgrade_schema
    from storage.store import Storage
    from surveys.clock import SystemClock
    from surveys.usecases.reports import report_data

    offensive.configure(settings.quote_blocklist)
    await upgrade_schema(settings.database_url)
    storage = Storage.open(settings.database_url)
    clock = SystemClock()
    try:
        async with storage.uow() as uow:
            consultation = await uow.consultations.get_by_slug(slug)
            slugs = [c.slug for c in await uow.consultations.list()]
            has_run = (
                consultation is not None
                and consultation.id is not None
                and await uow.themes.latest_run(consultation.id) is not None
            )
        if consultation is None:
            return None, slugs
        if cluster and not has_run:
            await _cluster(storage, clock, settings, slug, language)
        data = await report_data(
            storage.uow,
            clock,
            slug,
            settings.min_group_size,
            settings.timezone,
            scrub=scrub,
            quotable=offensive.fit_to_print,
            exclude_hidden=exclude_hidden,
            voting_analyser=voting_analyser(),
        )
        return data, slugs
    finally:
        await storage.close()


async def _cluster(storage: Any, clock: Any, settings: Any, slug: str, language: str) -> None:
    from nlp.service import NlpThemeEngine
    from surveys.usecases.themes import ThemesRefreshed, refresh_themes

    print(_text("clustering", language, slug=slug), file=sys.stderr)
    engine = NlpThemeEngine(settings.nlp_backend, settings.nlp_model)
    outcome = await refresh_themes(
        storage.uow, clock, engine, slug, full=True, min_group_size=settings.min_group_size
    )
    if isinstance(outcome, ThemesRefreshed):
        print(_text("clustered", language, slug=slug, themes=outcome.themes), file=sys.stderr)
