"""`ascolto run`: the bot with a token, or the sandbox (emulator + web chat) without one."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="start the bot (the sandbox web chat when ASCOLTO_BOT_TOKEN is not set)",
        description=(
            "Start Ascolto. The database schema is created or upgraded first. Without "
            "ASCOLTO_BOT_TOKEN a local Bot API emulator and a web chat start instead, with the "
            "example consultations loaded and open."
        ),
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=(
            "webhook worker processes sharing ASCOLTO_WEBHOOK_LISTEN (default ASCOLTO_WORKERS "
            "or 1; above 1 needs PostgreSQL and Redis; see docs/DEPLOY.md)"
        ),
    )
    # Set by the parent of several workers (bot/workers.py) on each child; not for people.
    parser.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from bot.logs import setup_logging
    from bot.runner import ConfigurationError, run_with_token
    from bot.settings import load_settings

    setup_logging()
    try:
        settings = load_settings()
    except ValidationError as error:
        print(f"ascolto: invalid settings:\n{error}", file=sys.stderr)
        return 2
    if args.workers is not None:
        if args.workers < 1:
            print("ascolto: --workers must be 1 or more", file=sys.stderr)
            return 2
        settings.workers = args.workers
    try:
        if args.worker_index is not None:  # one child of `--workers N`: migrated by the parent
            from bot.workers import tag_logs

            tag_logs(args.worker_index)
            asyncio.run(run_with_token(settings, worker=args.worker_index, migrate=False))
        elif settings.workers > 1:
            from bot.workers import Supervisor

            return asyncio.run(Supervisor(settings).run())
        elif settings.bot_token is None:
            from bot.sandbox_mode import run_sandbox

            asyncio.run(run_sandbox(settings))
        else:
            asyncio.run(run_with_token(settings))
    except ConfigurationError as error:
        print(f"ascolto: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0
