"""``ascolto themes``: cluster the free text of any CSV into themes (JSON, optional HTML).

Messages are in Italian and English (``ASCOLTO_LANG``, else the locale's ``LANG``). Errors
in the input are explained on stderr with exit code 2; nothing here ever shows a traceback
for a bad file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "file_not_found": {"it": "File non trovato: {path}", "en": "File not found: {path}"},
    "file_unreadable": {
        "it": "Impossibile leggere {path}: {reason}",
        "en": "Cannot read {path}: {reason}",
    },
    "empty_file": {"it": "Il file {path} è vuoto.", "en": "The file {path} is empty."},
    "malformed_csv": {
        "it": "CSV non valido alla riga {line}: {reason}",
        "en": "Malformed CSV at line {line}: {reason}",
    },
    "missing_column": {
        "it": "Colonna «{column}» assente. Colonne disponibili: {available}",
        "en": "No column '{column}'. Available columns: {available}",
    },
    "encoding_fallback": {
        "it": "Attenzione: il file non è UTF-8; letto come {encoding}.",
        "en": "Warning: the file is not UTF-8; read as {encoding}.",
    },
    "nul_removed": {
        "it": "Attenzione: rimossi caratteri NUL dal file.",
        "en": "Warning: NUL characters removed from the file.",
    },
    "short_rows": {
        "it": "Attenzione: {count} righe senza la colonna del testo (trattate come vuote).",
        "en": "Warning: {count} rows lack the text column (treated as empty).",
    },
    "missing_args": {
        "it": "Servono --input, --text-column e --json (oppure --list-backends).",
        "en": "--input, --text-column and --json are required (or --list-backends).",
    },
    "bad_k": {"it": "--k deve essere almeno 1.", "en": "--k must be at least 1."},
    "bad_min_group": {
        "it": "--min-group-size deve essere almeno 1.",
        "en": "--min-group-size must be at least 1.",
    },
    "backend_unavailable": {
        "it": "Metodo non disponibile: {reason}",
        "en": "Backend not available: {reason}",
    },
    "no_texts": {
        "it": "Attenzione: nessun testo da raggruppare; tutte le righe restano non assegnate.",
        "en": "Warning: no text to cluster; every row stays unassigned.",
    },
    "all_same": {
        "it": "Attenzione: tutti i testi sono uguali; al massimo un tema.",
        "en": "Warning: every text is the same; one theme at most.",
    },
    "fallback_tfidf": {
        "it": "Attenzione: il codificatore e5 non è installato; uso tfidf.",
        "en": "Warning: the e5 encoder is not installed; using tfidf.",
    },
    "write_failed": {
        "it": "Impossibile scrivere {path}: {reason}",
        "en": "Cannot write {path}: {reason}",
    },
    "summary": {
        "it": "{themes} temi, {unassigned} risposte non assegnate su {rows} ({seconds:.1f} s).",
        "en": "{themes} themes, {unassigned} answers unassigned out of {rows} ({seconds:.1f} s).",
    },
    "stage_vectorising": {"it": "vettorizzazione", "en": "vectorising"},
    "stage_clustering": {"it": "raggruppamento", "en": "clustering"},
    "available": {"it": "disponibile", "en": "available"},
    "unavailable": {"it": "non installato", "en": "not installed"},
    "multilingual": {"it": "multilingue", "en": "multilingual"},
    "default": {"it": "predefinito", "en": "default"},
}
PIPELINE_WARNINGS = {
    "no text to cluster: every row is empty": "no_texts",
    "every text is the same: one theme at most": "all_same",
    "the e5 encoder is not installed: using the tfidf backend": "fallback_tfidf",
}


def ui_language() -> str:
    value = os.environ.get("ASCOLTO_LANG") or os.environ.get("LANG") or "it"
    return "en" if value.lower().startswith("en") else "it"


def say(key: str, **params: Any) -> str:
    return MESSAGES[key][ui_language()].format(**params)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "themes",
        help="cluster the free text of a CSV into themes / raggruppa i testi di un CSV in temi",
        description="Cluster a CSV text column into labelled themes with verbatim quotes.",
    )
    parser.add_argument("--input", type=Path, help="CSV file")
    parser.add_argument("--text-column", help="name of the column holding the text")
    parser.add_argument("--lang", choices=("it", "en", "auto"), default="auto")
    parser.add_argument("--k", type=int, default=None, help="number of themes (default: auto)")
    parser.add_argument("--backend", default=None, help="see --list-backends")
    parser.add_argument("--model", default=None, help="model name or path (sentence-transformers)")
    parser.add_argument("--min-group-size", type=int, default=None)
    parser.add_argument("--json", type=Path, dest="json_out", help="output JSON file")
    parser.add_argument("--html", type=Path, dest="html_out", help="output HTML file")
    parser.add_argument("--cache", type=Path, default=None, help="folder to cache vectors in")
    parser.add_argument("--list-backends", action="store_true")
    parser.set_defaults(handler=run_themes)


class ProgressLine:
    """A progress bar on stderr for a terminal; a few plain lines otherwise (logs, CI)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        name = say(f"stage_{stage}") if f"stage_{stage}" in MESSAGES else stage
        if total <= 0:
            return
        if self.tty:
            filled = int(30 * done / total)
            bar = "#" * filled + "." * (30 - filled)
            end = "\n" if done >= total else ""
            print(f"\r{name} [{bar}] {done}/{total}", end=end, file=sys.stderr, flush=True)
            return
        tenth = int(10 * done / total)
        if (name, tenth) != self.last and (done == total or tenth != self.last[1]):
            print(f"{name}: {done}/{total}", file=sys.stderr, flush=True)
            self.last = (name, tenth)


def _list_backends() -> int:
    from nlp.backends import DEFAULT_BACKEND, list_backends

    for info in list_backends():
        flags = [say("available") if info.available else say("unavailable")]
        if info.multilingual:
            flags.append(say("multilingual"))
        if info.name == DEFAULT_BACKEND:
            flags.append(say("default"))
        print(f"{info.name}\t{', '.join(flags)}\t{info.note}")
    return 0


def _default_min_group_size() -> int:
    try:
        return int(os.environ.get("ASCOLTO_MIN_GROUP_SIZE", "5"))
    except ValueError:
        return 5


def _write(path: Path, content: str) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        print(say("write_failed", path=path, reason=exc.strerror or exc), file=sys.stderr)
        return False
    return True


def run_themes(args: argparse.Namespace) -> int:
    if args.list_backends:
        return _list_backends()
    if not (args.input and args.text_column and args.json_out):
        print(say("missing_args"), file=sys.stderr)
        return 2
    if args.k is not None and args.k < 1:
        print(say("bad_k"), file=sys.stderr)
        return 2
    min_group = args.min_group_size if args.min_group_size is not None else None
    if min_group is not None and min_group < 1:
        print(say("bad_min_group"), file=sys.stderr)
        return 2

    from nlp.backends import BackendUnavailable
    from nlp.html_report import render_html
    from nlp.pipeline import ThemeOptions, find_themes
    from nlp.table import TableError, read_text_column
    from nlp.vector_cache import FileVectorCache

    started = time.perf_counter()
    try:
        column = read_text_column(args.input, args.text_column)
    except TableError as error:
        print(say(error.key, **error.params), file=sys.stderr)
        return 2
    for key, params in column.warnings:
        print(say(key, **params), file=sys.stderr)

    options = ThemeOptions(
        lang=args.lang,
        k=args.k,
        backend=args.backend or os.environ.get("ASCOLTO_NLP_BACKEND") or None,
        model=args.model or os.environ.get("ASCOLTO_NLP_MODEL") or None,
        min_group_size=min_group if min_group is not None else _default_min_group_size(),
    )
    cache = FileVectorCache(args.cache) if args.cache else None
    try:
        result = find_themes(column.texts, options, cache=cache, progress=ProgressLine())
    except BackendUnavailable as error:
        print(say("backend_unavailable", reason=error), file=sys.stderr)
        return 2
    for warning in result.warnings:
        known = PIPELINE_WARNINGS.get(warning)
        print(say(known) if known else warning, file=sys.stderr)

    payload = result.to_json()
    if not _write(args.json_out, json.dumps(payload, ensure_ascii=False, indent=2) + "\n"):
        return 1
    if args.html_out and not _write(args.html_out, render_html(payload, ui_language())):
        return 1
    print(
        say(
            "summary",
            themes=result.k,
            unassigned=len(result.unassigned),
            rows=len(column.texts),
            seconds=time.perf_counter() - started,
        ),
        file=sys.stderr,
    )
    return 0
