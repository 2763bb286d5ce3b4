"""One theme job in its own process: ``python -m bot.themes_job --slug SLUG [--full]``.

The bot never loads the theme model (numba, UMAP, scikit-learn, spaCy, the e5 encoder: about
a gigabyte at 100,000 texts) into the process that answers citizens. ``bot.themes_process``
starts this module for each job and talks to it through pipes:

- stdin: nothing is ever written; end-of-file means the bot is gone, and the job stops at once
  (no orphan keeps clustering after the bot died);
- stdout: one JSON object per line: ``{"progress": [stage, done, total]}`` while it works,
  ``{"done": slug, "result": {...}}`` per consultation, and last ``{"peak_rss_kb": N}``;
- stderr: the job's log;
- exit status: 0 when every consultation was refreshed, 1 when one failed (traceback on stderr).

The database URL comes in ``ASCOLTO_THEMES_DATABASE_URL`` (never on the command line, where
``ps`` would show a password); everything else is an option. Several ``--slug`` run one after
the other in this one process, so the model is loaded once (the 10-minute assignment).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
import threading
from collections.abc import Sequence

from bot.child_pipe import emit, peak_rss_kb
from bot.logs import setup_logging

DATABASE_ENV = "ASCOLTO_THEMES_DATABASE_URL"

log = logging.getLogger("bot.themes_job")


def _exit_when_orphaned() -> None:
    """Stop when the parent closes our stdin (it stopped, or died and the kernel closed it)."""

    def watch() -> None:
        # The raw descriptor, not sys.stdin: a daemon thread blocked in a buffered read holds
        # its lock and makes the interpreter abort at exit.
        while os.read(0, 4096):
            pass
        os._exit(3)  # no clean-up to wait for: every write is its own short transaction

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.themes_job", description=__doc__)
    parser.add_argument("--slug", action="append", required=True, help="consultation (repeat)")
    parser.add_argument("--full", action="store_true", help="re-cluster in full")
    parser.add_argument("--backend", default=None, help="ASCOLTO_NLP_BACKEND")
    parser.add_argument("--model", default=None, help="ASCOLTO_NLP_MODEL")
    parser.add_argument("--min-group-size", type=int, default=5)
    parser.add_argument("--quote-blocklist", default=None, help="ASCOLTO_QUOTE_BLOCKLIST")
    parser.add_argument("--watch-stdin", action="store_true", help="stop at EOF on stdin")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace, database_url: str) -> bool:
    # The heavy imports live here, in the job's process only.
    from nlp import offensive
    from nlp.service import NlpThemeEngine
    from storage.store import Storage
    from surveys.clock import SystemClock
    from surveys.usecases.themes import refresh_themes

    offensive.configure(args.quote_blocklist)
    storage = Storage.open(database_url)
    ok = True
    try:
        engine = NlpThemeEngine(args.backend, args.model)
        for slug in args.slug:
            try:
                result = await refresh_themes(
                    storage.uow,
                    SystemClock(),
                    engine,
                    slug,
                    full=args.full,
                    min_group_size=args.min_group_size,
                    progress=lambda stage, done, total: emit({"progress": [stage, done, total]}),
                )
            except Exception:
                log.exception("themes of %s failed", slug)
                ok = False
                continue
            fields = dataclasses.asdict(result) if dataclasses.is_dataclass(result) else {}
            emit({"done": slug, "kind": type(result).__name__, "result": fields})
    finally:
        await storage.close()
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    setup_logging()
    if args.watch_stdin:
        _exit_when_orphaned()
    database_url = os.environ.get(DATABASE_ENV)
    if not database_url:
        log.error("%s is not set", DATABASE_ENV)
        return 2
    ok = asyncio.run(run(args, database_url))
    emit({"peak_rss_kb": peak_rss_kb()})
    return 0 if ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
